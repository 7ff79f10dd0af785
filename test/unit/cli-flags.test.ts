import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  clientConfigFrom,
  HTTP_FLAGS,
  parseGoBool,
  parseGoFlags,
  parseGoInt,
  parseGoUint64,
} from '../../core/cli/client-flags.js';

const DEFS = {
  ...HTTP_FLAGS,
  recurse: 'bool',
  flags: 'uint64',
  port: 'int',
  tag: 'list',
  meta: 'map',
} as const;

function ok(argv: string[]) {
  const parsed = parseGoFlags(argv, DEFS);
  assert.equal(parsed.kind, 'ok', JSON.stringify(parsed));
  if (parsed.kind !== 'ok') throw new Error('unreachable');
  return parsed;
}

function error(argv: string[]): string {
  const parsed = parseGoFlags(argv, DEFS);
  if (parsed.kind !== 'error') throw new Error(`expected an error, got ${parsed.kind}`);
  return parsed.message;
}

describe('parseGoFlags', () => {
  it('accepts one or two dashes, -f value and -f=value', () => {
    const p = ok(['-token', 'a', '--datacenter=dc2', '--http-addr', 'x:1', 'key']);
    assert.equal(p.flags.token, 'a');
    assert.equal(p.flags.datacenter, 'dc2');
    assert.equal(p.flags['http-addr'], 'x:1');
    assert.deepEqual(p.args, ['key']);
  });

  it('takes booleans bare or with =value, never from the next argument', () => {
    assert.equal(ok(['-stale']).flags.stale, true);
    assert.equal(ok(['-stale=false']).flags.stale, false);
    assert.equal(ok(['--recurse=T']).flags.recurse, true);
    const p = ok(['-recurse', 'false']);
    assert.equal(p.flags.recurse, true);
    assert.deepEqual(p.args, ['false']);
    assert.equal(error(['-stale=yes']), 'invalid boolean value "yes" for -stale: parse error');
  });

  it('stops at the first positional, at "-" and after "--"', () => {
    assert.deepEqual(ok(['key', '-recurse']).args, ['key', '-recurse']);
    assert.deepEqual(ok(['-', '-recurse']).args, ['-', '-recurse']);
    const p = ok(['-recurse', '--', '-stale']);
    assert.equal(p.flags.stale, undefined);
    assert.deepEqual(p.args, ['-stale']);
  });

  it('lets a value flag consume a dash-led next argument', () => {
    assert.equal(ok(['-token', '-secret']).flags.token, '-secret');
    assert.equal(ok(['-token=']).flags.token, '');
  });

  it('collects repeated list and map flags; the last scalar wins', () => {
    const p = ok(['-tag', 'a', '-tag=b', '-meta', 'k=v=w', '-meta=x=', '-token=1', '-token=2']);
    assert.deepEqual(p.flags.tag, ['a', 'b']);
    assert.deepEqual(
      [...(p.flags.meta ?? [])],
      [
        ['k', 'v=w'],
        ['x', ''],
      ],
    );
    assert.equal(p.flags.token, '2');
    assert.equal(
      error(['-meta', 'novalue']),
      'invalid value "novalue" for flag -meta: Missing "=" value in argument: novalue',
    );
  });

  it('words errors as Go flag does and recognises -h/-help', () => {
    assert.equal(error(['-nope']), 'flag provided but not defined: -nope');
    assert.equal(error(['-token']), 'flag needs an argument: -token');
    assert.equal(error(['---x']), 'bad flag syntax: ---x');
    assert.equal(error(['-=x']), 'bad flag syntax: -=x');
    assert.equal(error(['-flags=abc']), 'invalid value "abc" for flag -flags: parse error');
    assert.equal(
      error(['-flags=18446744073709551616']),
      'invalid value "18446744073709551616" for flag -flags: value out of range',
    );
    assert.equal(parseGoFlags(['-h'], DEFS).kind, 'help');
    assert.equal(parseGoFlags(['--help'], DEFS).kind, 'help');
  });
});

describe('Go number and bool syntax', () => {
  it('parses uint64 in base-0 syntax without losing precision', () => {
    assert.equal(parseGoUint64('18446744073709551615'), 18446744073709551615n);
    assert.equal(parseGoUint64('0x2ddccbc058a50c18'), 0x2ddccbc058a50c18n);
    assert.equal(parseGoUint64('0b101'), 5n);
    assert.equal(parseGoUint64('0o17'), 15n);
    assert.equal(parseGoUint64('017'), 15n);
    assert.equal(parseGoUint64('1_000'), 1000n);
    assert.equal(parseGoUint64('0'), 0n);
    for (const bad of ['', '-1', '+1', '1e3', '08', '0x', '1__0', '_1', ' 1']) {
      assert.throws(() => parseGoUint64(bad), /parse error/, bad);
    }
  });

  it('round-trips every uint64 through its decimal and hex text', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (n) => {
        assert.equal(parseGoUint64(n.toString()), n);
        assert.equal(parseGoUint64(`0x${n.toString(16)}`), n);
      }),
      { numRuns: 300 },
    );
  });

  it('parses signed ints and bools', () => {
    assert.equal(parseGoInt('-8500'), -8500);
    assert.equal(parseGoInt('+0x10'), 16);
    assert.throws(() => parseGoInt('9223372036854775808'), /value out of range/);
    assert.equal(parseGoBool('True'), true);
    assert.equal(parseGoBool('0'), false);
    assert.equal(parseGoBool('yes'), undefined);
  });
});

describe('clientConfigFrom', () => {
  it('uses the default address when nothing is given', () => {
    const config = clientConfigFrom({}, {});
    assert.equal(config.address, '127.0.0.1:8500');
    assert.equal(config.token, '');
    assert.equal(config.defaultTls, false);
    assert.equal(config.tls.insecureSkipVerify, false);
  });

  it('reads CONSUL_* variables and lets given flags win, even empty ones', () => {
    const env = {
      CONSUL_HTTP_ADDR: 'https://e:1',
      CONSUL_HTTP_TOKEN: 'env-token',
      CONSUL_HTTP_TOKEN_FILE: '/env/file',
      CONSUL_HTTP_SSL: 'true',
      CONSUL_HTTP_SSL_VERIFY: 'false',
      CONSUL_CACERT: '/ca.pem',
      CONSUL_HTTP_AUTH: 'u:p',
    };
    const fromEnv = clientConfigFrom({}, env);
    assert.equal(fromEnv.address, 'https://e:1');
    assert.equal(fromEnv.token, 'env-token');
    assert.equal(fromEnv.tokenFile, '/env/file');
    assert.equal(fromEnv.defaultTls, true);
    assert.equal(fromEnv.tls.insecureSkipVerify, true);
    assert.equal(fromEnv.tls.caFile, '/ca.pem');
    assert.equal(fromEnv.httpAuth, 'u:p');
    const fromFlags = clientConfigFrom(
      { 'http-addr': 'f:2', token: '', 'token-file': '', datacenter: 'dc9' },
      env,
    );
    assert.equal(fromFlags.address, 'f:2');
    assert.equal(fromFlags.token, '');
    assert.equal(fromFlags.tokenFile, '');
    assert.equal(fromFlags.datacenter, 'dc9');
  });
});
