import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import fc from 'fast-check';
import { runKvDelete } from '../../core/cli/commands/kv-delete.js';
import { formatExport, runKvExport } from '../../core/cli/commands/kv-export.js';
import { decodeKvPair, runKvGet } from '../../core/cli/commands/kv-get.js';
import { decodeImportEntries, importedKey, runKvImport } from '../../core/cli/commands/kv-import.js';
import { runKvPut } from '../../core/cli/commands/kv-put.js';
import { parseJson } from '../../core/util/json.js';
import {
  captureIO,
  type FakeAgent,
  type RecordedRequest,
  startFakeAgent,
} from '../helpers/cli-fake-agent.js';

const MAX_FLAGS = '18446744073709551615';

/** A KV pair as the HTTP API returns it, written by hand so uint64 flags stay exact. */
function pairJson(
  key: string,
  value: Buffer | null,
  extra: { flags?: string; session?: string } = {},
): string {
  const encoded = value === null ? 'null' : JSON.stringify(value.toString('base64'));
  const session = extra.session ? `,"Session":${JSON.stringify(extra.session)}` : '';
  return (
    `{"LockIndex":1,"Key":${JSON.stringify(key)},"Flags":${extra.flags ?? '0'},"Value":${encoded}` +
    `${session},"CreateIndex":10,"ModifyIndex":12}`
  );
}

let agent: FakeAgent;
let dir: string;

before(async () => {
  agent = await startFakeAgent();
  dir = mkdtempSync(join(tmpdir(), 'tribune-cli-kv-'));
});

after(async () => {
  await agent.close();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  agent.requests.length = 0;
  agent.routes.clear();
});

function only(): RecordedRequest {
  assert.equal(agent.requests.length, 1, `requests: ${agent.requests.map((r) => r.rawPath).join(', ')}`);
  const req = agent.requests[0];
  if (!req) throw new Error('unreachable');
  return req;
}

const addr = (): string[] => ['-http-addr', agent.address];

describe('kv get', () => {
  it('prints the raw value of one key, bytes untouched', async () => {
    agent.routes.set('GET /v1/kv/app/config', {
      body: `[${pairJson('app/config', Buffer.from([0xff, 0x00, 0x41]))}]`,
    });
    const io = captureIO();
    assert.equal(await runKvGet([...addr(), '/app/config'], io), 0, io.err());
    assert.deepEqual(io.outBytes(), Buffer.from([0xff, 0x00, 0x41, 0x0a]));
    const req = only();
    assert.equal(req.method, 'GET');
    assert.equal(req.rawQuery, '');
  });

  it('encodes the key in the path and adds ?stale', async () => {
    agent.routes.set('GET /v1/kv/a%20b/%C3%A9', { body: `[${pairJson('a b/é', Buffer.from('v'))}]` });
    const io = captureIO();
    assert.equal(await runKvGet([...addr(), '-stale', 'a b/é'], io), 0, io.err());
    assert.equal(io.out(), 'v\n');
    assert.equal(only().rawQuery, 'stale=');
  });

  it('says so when the key does not exist (404) and exits 1', async () => {
    const io = captureIO();
    agent.routes.set('GET /v1/kv/missing', { status: 404, body: '' });
    assert.equal(await runKvGet([...addr(), 'missing'], io), 1);
    assert.equal(io.err(), 'Error! No key exists at: missing\n');
    assert.equal(io.out(), '');
  });

  it('prints -base64 and an empty (null) value', async () => {
    agent.routes.set('GET /v1/kv/k', { body: `[${pairJson('k', Buffer.from('bar'))}]` });
    agent.routes.set('GET /v1/kv/empty', { body: `[${pairJson('empty', null)}]` });
    let io = captureIO();
    assert.equal(await runKvGet([...addr(), '-base64', 'k'], io), 0);
    assert.equal(io.out(), 'YmFy\n');
    io = captureIO();
    assert.equal(await runKvGet([...addr(), 'empty'], io), 0);
    assert.equal(io.out(), '\n');
  });

  it('prints -detailed metadata aligned, uint64 flags exact, Session - when unlocked', async () => {
    agent.routes.set('GET /v1/kv/k', {
      body: `[${pairJson('k', Buffer.from('bar'), { flags: MAX_FLAGS })}]`,
    });
    const io = captureIO();
    assert.equal(await runKvGet([...addr(), '-detailed', 'k'], io), 0, io.err());
    assert.equal(
      io.out(),
      'CreateIndex      10\n' +
        `Flags            ${MAX_FLAGS}\n` +
        'Key              k\n' +
        'LockIndex        1\n' +
        'ModifyIndex      12\n' +
        'Session          -\n' +
        'Value            bar\n',
    );
  });

  it('lists -recurse as key:value lines and -recurse -detailed as blank-separated blocks', async () => {
    const list = `[${pairJson('p/a', Buffer.from('1'))},${pairJson('p/b', Buffer.from('2'), { session: 'sess-1' })}]`;
    agent.routes.set('GET /v1/kv/p', { body: list });
    let io = captureIO();
    assert.equal(await runKvGet([...addr(), '-recurse', 'p'], io), 0, io.err());
    assert.equal(io.out(), 'p/a:1\np/b:2\n');
    assert.equal(only().rawQuery, 'recurse=');

    io = captureIO();
    assert.equal(await runKvGet([...addr(), '-recurse', '-detailed', '-base64', 'p'], io), 0);
    const block = (key: string, session: string, value: string): string =>
      `CreateIndex      10\nFlags            0\nKey              ${key}\nLockIndex        1\n` +
      `ModifyIndex      12\nSession          ${session}\nValue            ${value}\n`;
    assert.equal(io.out(), `${block('p/a', '-', 'MQ==')}\n${block('p/b', 'sess-1', 'Mg==')}`);
  });

  it('lists -keys with the separator, none at all on 404', async () => {
    agent.routes.set('GET /v1/kv/p/', { body: ['p/a', 'p/b/'] });
    let io = captureIO();
    assert.equal(await runKvGet([...addr(), '-keys', 'p/'], io), 0);
    assert.equal(io.out(), 'p/a\np/b/\n');
    assert.equal(only().rawQuery, 'keys=&separator=%2F');

    agent.requests.length = 0;
    agent.routes.set('GET /v1/kv/', { status: 404, body: '' });
    io = captureIO();
    assert.equal(await runKvGet([...addr(), '-keys', '-separator='], io), 0);
    assert.equal(io.out(), '');
    assert.equal(only().rawQuery, 'keys=');
  });

  it('lists full key names for -keys -recurse', async () => {
    agent.routes.set('GET /v1/kv/p', { body: `[${pairJson('p/a/b', Buffer.from('1'))}]` });
    const io = captureIO();
    assert.equal(await runKvGet([...addr(), '-keys', '-recurse', 'p'], io), 0);
    assert.equal(io.out(), 'p/a/b\n');
    assert.equal(only().rawQuery, 'recurse=');
  });

  it('checks its arguments before calling the agent', async () => {
    let io = captureIO();
    assert.equal(await runKvGet(addr(), io), 1);
    assert.equal(io.err(), 'Error! Missing KEY argument\n');
    io = captureIO();
    assert.equal(await runKvGet([...addr(), 'a', 'b'], io), 1);
    assert.equal(io.err(), 'Too many arguments (expected 1, got 2)\n');
    assert.equal(agent.requests.length, 0);
  });

  it('reports a server error with its code and body', async () => {
    agent.routes.set('GET /v1/kv/k', { status: 500, body: 'No cluster leader' });
    const io = captureIO();
    assert.equal(await runKvGet([...addr(), 'k'], io), 1);
    assert.equal(
      io.err(),
      'Error querying Consul agent: Unexpected response code: 500 (No cluster leader)\n',
    );
  });
});

describe('kv put', () => {
  const answer = (result: boolean) => ({ body: result ? 'true' : 'false' });

  it('writes the value as the raw body and confirms', async () => {
    agent.routes.set('PUT /v1/kv/foo', answer(true));
    const io = captureIO();
    assert.equal(await runKvPut([...addr(), '-token=t', 'foo', 'bar'], io), 0, io.err());
    assert.equal(io.out(), 'Success! Data written to: foo\n');
    const req = only();
    assert.equal(req.rawQuery, '');
    assert.equal(req.body.toString(), 'bar');
    assert.equal(req.headers['x-consul-token'], 't');
  });

  it('sends uint64 -flags exactly and leaves out flags=0', async () => {
    agent.routes.set('PUT /v1/kv/foo', answer(true));
    let io = captureIO();
    assert.equal(await runKvPut([...addr(), `-flags=${MAX_FLAGS}`, 'foo', 'x'], io), 0, io.err());
    assert.equal(only().query.get('flags'), MAX_FLAGS);
    agent.requests.length = 0;
    io = captureIO();
    assert.equal(await runKvPut([...addr(), '-flags=0', 'foo', 'x'], io), 0);
    assert.equal(only().rawQuery, '');
  });

  it('reads @file, - (stdin), keeps -text literal, and writes empty without data', async () => {
    agent.routes.set('PUT /v1/kv/k', answer(true));
    const file = join(dir, 'value.bin');
    writeFileSync(file, Buffer.from([1, 2, 3]));
    const bodies: Buffer[] = [];
    for (const [data, stdin] of [
      [`@${file}`, ''],
      ['-', 'from stdin'],
      ['-text', ''],
      ['', ''],
    ] as const) {
      agent.requests.length = 0;
      const io = captureIO({}, Buffer.from(stdin));
      const args = data === '' ? [...addr(), 'k'] : [...addr(), 'k', data];
      assert.equal(await runKvPut(args, io), 0, io.err());
      bodies.push(only().body);
    }
    assert.deepEqual(bodies, [
      Buffer.from([1, 2, 3]),
      Buffer.from('from stdin'),
      Buffer.from('-text'),
      Buffer.alloc(0),
    ]);
  });

  it('decodes -base64 data strictly', async () => {
    agent.routes.set('PUT /v1/kv/k', answer(true));
    let io = captureIO();
    assert.equal(await runKvPut([...addr(), '-base64', 'k', 'AP8='], io), 0, io.err());
    assert.deepEqual(only().body, Buffer.from([0x00, 0xff]));
    agent.requests.length = 0;
    io = captureIO();
    assert.equal(await runKvPut([...addr(), '-base64', 'k', 'AP8'], io), 1);
    assert.equal(io.err(), 'Error! Cannot base 64 decode data: illegal base64 data at input byte 0\n');
    assert.equal(agent.requests.length, 0);
  });

  it('does check-and-set with -cas -modify-index', async () => {
    agent.routes.set('PUT /v1/kv/k', answer(false));
    let io = captureIO();
    assert.equal(await runKvPut([...addr(), '-cas', '-modify-index=0x10', 'k', 'v'], io), 1);
    assert.equal(io.err(), 'Error! Did not write to k: CAS failed\n');
    assert.equal(only().rawQuery, 'cas=16');
    agent.routes.set('PUT /v1/kv/k', answer(true));
    io = captureIO();
    assert.equal(await runKvPut([...addr(), '-cas', '-modify-index=16', 'k', 'v'], io), 0);
    assert.equal(io.out(), 'Success! Data written to: k\n');
    io = captureIO();
    assert.equal(await runKvPut([...addr(), '-cas', 'k', 'v'], io), 1);
    assert.equal(io.err(), 'Must specify -modify-index with -cas!\n');
  });

  it('acquires and releases locks with a session', async () => {
    agent.routes.set('PUT /v1/kv/lock', answer(true));
    let io = captureIO();
    assert.equal(await runKvPut([...addr(), '-acquire', '-session=s1', 'lock', 'me'], io), 0, io.err());
    assert.equal(io.out(), 'Success! Lock acquired on: lock\n');
    assert.equal(only().rawQuery, 'acquire=s1');
    agent.requests.length = 0;
    io = captureIO();
    assert.equal(await runKvPut([...addr(), '-release', '-session', 's1', 'lock'], io), 0, io.err());
    assert.equal(io.out(), 'Success! Lock released on: lock\n');
    assert.equal(only().rawQuery, 'release=s1');
    agent.routes.set('PUT /v1/kv/lock', answer(false));
    io = captureIO();
    assert.equal(await runKvPut([...addr(), '-acquire', '-session=s2', 'lock'], io), 1);
    assert.equal(io.err(), 'Error! Did not acquire lock\n');
    io = captureIO();
    assert.equal(await runKvPut([...addr(), '-acquire', 'lock'], io), 1);
    assert.equal(io.err(), 'Error! Missing -session (required with -acquire and -release)\n');
  });

  it('refuses a key starting with / and bad argument counts without calling the agent', async () => {
    let io = captureIO();
    assert.equal(await runKvPut([...addr(), '/foo', 'v'], io), 1);
    assert.equal(io.err(), "Error! Failed writing data: Invalid key. Key must not begin with a '/': /foo\n");
    io = captureIO();
    assert.equal(await runKvPut(addr(), io), 1);
    assert.equal(io.err(), 'Error! Missing KEY argument\n');
    io = captureIO();
    assert.equal(await runKvPut([...addr(), 'a', 'b', 'c'], io), 1);
    assert.equal(io.err(), 'Error! Too many arguments (expected 1 or 2, got 3)\n');
    io = captureIO();
    assert.equal(await runKvPut([...addr(), 'a', `@${join(dir, 'nope')}`], io), 1);
    assert.equal(
      io.err(),
      `Error! Failed to read file: open ${join(dir, 'nope')}: no such file or directory\n`,
    );
    assert.equal(agent.requests.length, 0);
  });

  it('reports a write rejected by the agent', async () => {
    agent.routes.set('PUT /v1/kv/big', { status: 413, body: 'Value exceeds 524288 byte limit\n' });
    const io = captureIO();
    assert.equal(await runKvPut([...addr(), 'big', 'v'], io), 1);
    assert.equal(
      io.err(),
      'Error! Failed writing data: Unexpected response code: 413 (Value exceeds 524288 byte limit)\n',
    );
  });
});

describe('kv delete', () => {
  it('deletes one key, a prefix, or with check-and-set', async () => {
    agent.routes.set('DELETE /v1/kv/foo', { body: 'true' });
    agent.routes.set('DELETE /v1/kv/', { body: 'true' });
    let io = captureIO();
    assert.equal(await runKvDelete([...addr(), '/foo'], io), 0, io.err());
    assert.equal(io.out(), 'Success! Deleted key: foo\n');
    assert.equal(only().rawQuery, '');

    agent.requests.length = 0;
    io = captureIO();
    assert.equal(await runKvDelete([...addr(), '-recurse'], io), 0, io.err());
    assert.equal(io.out(), 'Success! Deleted keys with prefix: \n');
    assert.equal(only().rawPath, '/v1/kv/');
    assert.equal(only().rawQuery, 'recurse=');

    agent.requests.length = 0;
    agent.routes.set('DELETE /v1/kv/foo', { body: 'false' });
    io = captureIO();
    assert.equal(await runKvDelete([...addr(), '-cas', '-modify-index=7', 'foo'], io), 1);
    assert.equal(io.err(), 'Error! Did not delete key foo: CAS failed\n');
    assert.equal(only().rawQuery, 'cas=7');
  });

  it('rejects conflicting or missing arguments', async () => {
    const cases: [string[], string][] = [
      [[], 'Error! Missing KEY argument'],
      [
        ['-cas', 'k'],
        'Cannot delete a key that does not exist. Provide a -modify-index greater than than 0.',
      ],
      [['-modify-index=3', 'k'], 'Cannot specify -modify-index without -cas!'],
      [['-recurse', '-cas', '-modify-index=3', 'k'], 'Cannot specify both -cas and -recurse!'],
    ];
    for (const [args, message] of cases) {
      const io = captureIO();
      assert.equal(await runKvDelete([...addr(), ...args], io), 1, args.join(' '));
      assert.equal(io.err(), `${message}\n`);
    }
    assert.equal(agent.requests.length, 0);
  });
});

describe('kv export', () => {
  it('writes tab-indented JSON with lower-case fields, exact flags and HTML-safe strings', async () => {
    const list = `[${pairJson('app/<a>', Buffer.from('x&y'), { flags: MAX_FLAGS })},${pairJson('app/b', null)}]`;
    agent.routes.set('GET /v1/kv/app', { body: list });
    const io = captureIO();
    assert.equal(await runKvExport([...addr(), '/app'], io), 0, io.err());
    assert.equal(
      io.out(),
      '[\n' +
        '\t{\n\t\t"key": "app/\\u003ca\\u003e",\n' +
        `\t\t"flags": ${MAX_FLAGS},\n` +
        '\t\t"value": "eCZ5"\n\t},\n' +
        '\t{\n\t\t"key": "app/b",\n\t\t"flags": 0,\n\t\t"value": ""\n\t}\n' +
        ']\n',
    );
    assert.equal(only().rawQuery, 'recurse=');
  });

  it('writes [] when nothing is under the prefix', async () => {
    agent.routes.set('GET /v1/kv/', { status: 404, body: '' });
    const io = captureIO();
    assert.equal(await runKvExport(addr(), io), 0);
    assert.equal(io.out(), '[]\n');
  });
});

describe('kv import', () => {
  it('puts every entry in order with its flags and prints Imported lines', async () => {
    agent.routes.set('PUT /v1/kv/a', { body: 'true' });
    agent.routes.set('PUT /v1/kv/dir/', { body: 'true' });
    const data = `[{"key":"a","flags":${MAX_FLAGS},"value":"eA=="},{"Key":"dir/","Flags":0,"Value":""}]`;
    const io = captureIO();
    assert.equal(await runKvImport([...addr(), data], io), 0, io.err());
    assert.equal(io.out(), 'Imported: a\nImported: dir/\n');
    assert.equal(agent.requests.length, 2);
    assert.equal(agent.requests[0]?.query.get('flags'), MAX_FLAGS);
    assert.equal(agent.requests[0]?.body.toString(), 'x');
    assert.equal(agent.requests[1]?.rawQuery, '');
  });

  it('joins -prefix like path.Join, from stdin', async () => {
    agent.routes.set('PUT /v1/kv/backup/x/y', { body: 'true' });
    const io = captureIO({}, Buffer.from('[{"key":"x//y","flags":0,"value":""}]'));
    assert.equal(await runKvImport([...addr(), '-prefix=backup/', '-'], io), 0, io.err());
    assert.equal(io.out(), 'Imported: backup/x/y\n');
    assert.equal(importedKey('', 'a/'), 'a/');
    assert.equal(importedKey('p', ''), 'p');
    assert.equal(importedKey('p/q', '../r'), 'p/r');
    assert.equal(importedKey('', ''), '');
  });

  it('stops at a bad base64 value after importing the entries before it', async () => {
    agent.routes.set('PUT /v1/kv/ok', { body: 'true' });
    const io = captureIO();
    const data = '[{"key":"ok","flags":0,"value":""},{"key":"bad","flags":0,"value":"@@"}]';
    assert.equal(await runKvImport([...addr(), data], io), 1);
    assert.equal(io.out(), 'Imported: ok\n');
    assert.equal(io.err(), 'Error base 64 decoding value for key bad: illegal base64 data at input byte 0\n');
    assert.equal(agent.requests.length, 1);
  });

  it('rejects data that is not the export format before writing anything', async () => {
    const cases: [string, RegExp][] = [
      [
        '{"key":"a"}',
        /^Cannot unmarshal data: json: cannot unmarshal object into Go value of type \[\]\*impexp\.Entry\n$/,
      ],
      [
        '[{"key":1}]',
        /^Cannot unmarshal data: json: cannot unmarshal number 1 into Go struct field Entry\.key of type string\n$/,
      ],
      ['[{"key":"a","flags":-1}]', /Entry\.flags of type uint64/],
      ['[{"key":"a"', /^Cannot unmarshal data: /],
    ];
    for (const [data, pattern] of cases) {
      const io = captureIO();
      assert.equal(await runKvImport([...addr(), data], io), 1, data);
      assert.match(io.err(), pattern);
    }
    assert.equal(agent.requests.length, 0);
    let io = captureIO();
    assert.equal(await runKvImport(addr(), io), 1);
    assert.equal(io.err(), 'Error! Missing DATA argument\n');
    io = captureIO();
    assert.equal(await runKvImport([...addr(), ''], io), 1);
    assert.equal(io.err(), 'Error! Empty DATA argument\n');
  });

  it('reads back exactly what export wrote (any keys, values and uint64 flags)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            key: fc.string({ unit: 'grapheme', maxLength: 20 }),
            value: fc.uint8Array({ maxLength: 32 }),
            flags: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
          }),
          { maxLength: 8 },
        ),
        (entries) => {
          const pairs = entries.map((e) =>
            decodeKvPair(
              parseJson(
                `{"Key":${JSON.stringify(e.key)},"Flags":${e.flags},"Value":${JSON.stringify(Buffer.from(e.value).toString('base64'))}}`,
              ),
            ),
          );
          const decoded = decodeImportEntries(formatExport(pairs));
          assert.deepEqual(
            decoded.map((d) => ({ key: d.key, flags: d.flags, value: Buffer.from(d.value, 'base64') })),
            entries.map((e) => ({ key: e.key, flags: e.flags, value: Buffer.from(e.value) })),
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});
