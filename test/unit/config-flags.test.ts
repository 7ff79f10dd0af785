import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseAgentFlags } from '../../core/config/flags.js';
import { TribuneError } from '../../core/errors.js';

function usageError(message: string | RegExp) {
  return (err: unknown) =>
    err instanceof TribuneError &&
    err.code === 'USAGE' &&
    (typeof message === 'string' ? err.message === message : message.test(err.message));
}

describe('parseAgentFlags: syntax', () => {
  test('single and double dash, "=" and space forms all land on config keys', () => {
    for (const argv of [
      ['-node', 'n1', '-http-port', '8080'],
      ['--node', 'n1', '--http-port', '8080'],
      ['-node=n1', '-http-port=8080'],
      ['--node=n1', '--http-port=8080'],
    ]) {
      const { overrides } = parseAgentFlags(argv);
      assert.equal(overrides.node_name, 'n1', argv.join(' '));
      assert.deepEqual(overrides.ports, { http: 8080 }, argv.join(' '));
    }
  });

  test('flags map onto their config keys', () => {
    const { overrides } = parseAgentFlags([
      '-client=0.0.0.0',
      '-bind=10.0.0.1',
      '-advertise=10.0.0.2',
      '-datacenter=east',
      '-data-dir=/var/lib/tribune',
      '-node-id=11111111-2222-3333-4444-555555555555',
      '-dns-port=53',
      '-server-port=9300',
      '-serf-lan-port=9301',
      '-serf-wan-port=9302',
      '-domain=example.',
      '-alt-domain=alt.',
      '-log-level=warn',
      '-pid-file=/run/t.pid',
      '-encrypt=abc',
      '-bootstrap-expect=3',
      '-retry-interval=5s',
      '-retry-max=4',
      '-default-query-time=10s',
      '-max-query-time=20s',
    ]);
    assert.deepEqual(overrides, {
      client_addr: '0.0.0.0',
      bind_addr: '10.0.0.1',
      advertise_addr: '10.0.0.2',
      datacenter: 'east',
      data_dir: '/var/lib/tribune',
      node_id: '11111111-2222-3333-4444-555555555555',
      ports: { dns: 53, server: 9300, serf_lan: 9301, serf_wan: 9302 },
      domain: 'example.',
      alt_domain: 'alt.',
      log_level: 'warn',
      pid_file: '/run/t.pid',
      encrypt: 'abc',
      bootstrap_expect: 3,
      retry_interval: '5s',
      retry_max: 4,
      default_query_time: '10s',
      max_query_time: '20s',
    });
  });

  test('a value may start with a dash when given after a space (Go takes the next argument)', () => {
    assert.equal(parseAgentFlags(['-node', '-dev']).overrides.node_name, '-dev');
  });

  test('a later scalar flag overrides an earlier one', () => {
    assert.equal(parseAgentFlags(['-node=a', '-node=b']).overrides.node_name, 'b');
  });

  test('parsing stops at the first non-flag argument and after --', () => {
    const plain = parseAgentFlags(['-server', 'extra', '-ui']);
    assert.equal(plain.overrides.server, true);
    assert.equal(plain.overrides.ui, undefined);
    assert.deepEqual(plain.args, ['extra', '-ui']);
    const dashed = parseAgentFlags(['-server', '--', '-ui']);
    assert.deepEqual(dashed.args, ['-ui']);
  });

  test('-h and -help ask for help', () => {
    assert.equal(parseAgentFlags(['-h']).help, true);
    assert.equal(parseAgentFlags(['--help']).help, true);
    assert.equal(parseAgentFlags(['-server']).help, false);
  });
});

describe('parseAgentFlags: booleans', () => {
  test('bare, =true and =false, and Go spellings', () => {
    assert.equal(parseAgentFlags(['-dev']).overrides.dev, true);
    assert.equal(parseAgentFlags(['--server=true']).overrides.server, true);
    assert.equal(parseAgentFlags(['-server=false']).overrides.server, false);
    assert.equal(parseAgentFlags(['-ui=0']).overrides.ui, false);
    assert.equal(parseAgentFlags(['-ui=T']).overrides.ui, true);
    const all = parseAgentFlags([
      '-bootstrap',
      '-log-json',
      '-enable-script-checks',
      '-enable-local-script-checks=false',
    ]).overrides;
    assert.equal(all.bootstrap, true);
    assert.equal(all.log_json, true);
    assert.equal(all.enable_script_checks, true);
    assert.equal(all.enable_local_script_checks, false);
  });

  test('a boolean never consumes the next argument', () => {
    const parsed = parseAgentFlags(['-server', 'false']);
    assert.equal(parsed.overrides.server, true);
    assert.deepEqual(parsed.args, ['false']);
  });

  test('a bad boolean value is a usage error in Go words', () => {
    assert.throws(
      () => parseAgentFlags(['-dev=yes']),
      usageError('invalid boolean value "yes" for -dev: parse error'),
    );
  });
});

describe('parseAgentFlags: repeatable flags', () => {
  test('-config-file and -config-dir collect in order and keep their interleaving', () => {
    const parsed = parseAgentFlags([
      '-config-file',
      'a.json',
      '-config-dir=d1',
      '--config-file=b.json',
      '-config-dir',
      'd2',
    ]);
    assert.deepEqual(parsed.configFiles, ['a.json', 'b.json']);
    assert.deepEqual(parsed.configDirs, ['d1', 'd2']);
    assert.deepEqual(
      parsed.configPaths.map((p) => `${p.flag}:${p.path}`),
      ['config-file:a.json', 'config-dir:d1', 'config-file:b.json', 'config-dir:d2'],
    );
  });

  test('-retry-join and -join both feed retry_join; -recursor feeds recursors', () => {
    const { overrides } = parseAgentFlags([
      '-retry-join=10.0.0.1',
      '-join',
      '10.0.0.2',
      '--retry-join',
      '[::1]:8301',
      '-recursor=8.8.8.8',
      '-recursor',
      '1.1.1.1',
    ]);
    assert.deepEqual(overrides.retry_join, ['10.0.0.1', '10.0.0.2', '[::1]:8301']);
    assert.deepEqual(overrides.recursors, ['8.8.8.8', '1.1.1.1']);
  });

  test('-node-meta k:v repeats, splits at the first colon, and a bare key gets an empty value', () => {
    const { overrides } = parseAgentFlags([
      '-node-meta',
      'rack:r1',
      '-node-meta=url:http://x:1',
      '-node-meta=solo',
    ]);
    assert.deepEqual(overrides.node_meta, { rack: 'r1', url: 'http://x:1', solo: '' });
  });
});

describe('parseAgentFlags: errors', () => {
  test('an unknown flag, whichever dash style', () => {
    assert.throws(() => parseAgentFlags(['-x']), usageError('flag provided but not defined: -x'));
    assert.throws(() => parseAgentFlags(['--nodes=3']), usageError('flag provided but not defined: -nodes'));
  });

  test('a missing value', () => {
    assert.throws(() => parseAgentFlags(['-node']), usageError('flag needs an argument: -node'));
  });

  test('a non-integer port or count', () => {
    assert.throws(
      () => parseAgentFlags(['-http-port=eighty']),
      usageError('invalid value "eighty" for flag -http-port: parse error'),
    );
    assert.throws(
      () => parseAgentFlags(['-bootstrap-expect', '1.5']),
      usageError(/-bootstrap-expect: parse error/),
    );
  });

  test('a bad duration names the flag and Go’s reason', () => {
    assert.throws(
      () => parseAgentFlags(['-retry-interval=10']),
      usageError('invalid value "10" for flag -retry-interval: time: missing unit in duration "10"'),
    );
  });

  test('bad flag syntax', () => {
    assert.throws(() => parseAgentFlags(['---dev']), usageError('bad flag syntax: ---dev'));
    assert.throws(() => parseAgentFlags(['-=x']), usageError('bad flag syntax: -=x'));
  });

  test('HCL is refused clearly', () => {
    assert.throws(
      () => parseAgentFlags(['-hcl', 'a = 1']),
      usageError(/HCL configuration is not supported yet/),
    );
    assert.throws(() => parseAgentFlags(['-config-format=hcl']), usageError(/not supported yet/));
    assert.throws(
      () => parseAgentFlags(['-config-format=yaml']),
      usageError("-config-format must be either 'hcl' or 'json'"),
    );
    assert.equal(parseAgentFlags(['-config-format=json']).configFormat, 'json');
  });
});
