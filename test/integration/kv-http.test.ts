import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { createHttpPlugin } from '../../plugins/http/index.js';
import { createKvPlugin } from '../../plugins/kv/index.js';
import { TABLE_SESSIONS } from '../../plugins/kv/types.js';
import { startTestKernel, type TestKernel } from '../helpers/test-kernel.js';

const LIMITS = { kv_max_value_size: 1024, txn_max_req_len: 8192, http_max_conns_per_client: 200 };
let agent: TestKernel;

before(async () => {
  agent = await startTestKernel({
    plugins: [createHttpPlugin(), createKvPlugin()],
    config: { limits: LIMITS },
  });
});
after(async () => {
  await agent.stop();
});

interface Answer {
  status: number;
  text: string;
  headers: Headers;
}

async function call(method: string, path: string, body?: string | Uint8Array): Promise<Answer> {
  const res = await fetch(`${agent.url}${path}`, { method, body });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

const put = (path: string, body?: string | Uint8Array) => call('PUT', path, body);
const get = (path: string) => call('GET', path);
const del = (path: string) => call('DELETE', path);
const index = (answer: Answer) => Number(answer.headers.get('x-consul-index'));
const json = (answer: Answer): unknown => JSON.parse(answer.text);

/** A request whose path is sent exactly as written (fetch would normalise `..` away). */
function rawRequest(method: string, path: string): Promise<{ status: number; text: string }> {
  const target = new URL(agent.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: target.hostname, port: target.port, method, path }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Waits (bounded) until `count` blocking queries are parked on the store. */
async function waitForWaiters(count: number): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (agent.kernel.store.watch.waiterCount >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  assert.fail(`expected ${count} blocking queries to be waiting`);
}

describe('GET /v1/kv', () => {
  test('a key answers a one-element KVPair array with its ModifyIndex as X-Consul-Index', async () => {
    const written = await put('/v1/kv/get/one?flags=42', 'hello');
    assert.equal(written.status, 200);
    assert.equal(written.text, 'true');
    const answer = await get('/v1/kv/get/one');
    assert.equal(answer.status, 200);
    assert.match(answer.headers.get('content-type') ?? '', /^application\/json/);
    const [pair] = json(answer) as Record<string, unknown>[];
    assert.deepEqual(Object.keys(pair!), [
      'LockIndex',
      'Key',
      'Flags',
      'Value',
      'CreateIndex',
      'ModifyIndex',
    ]);
    assert.equal(pair!.Key, 'get/one');
    assert.equal(pair!.Flags, 42);
    assert.equal(pair!.Value, Buffer.from('hello').toString('base64'));
    assert.equal(pair!.LockIndex, 0);
    assert.equal(index(answer), pair!.ModifyIndex);
    assert.equal(answer.headers.get('x-consul-knownleader'), 'true');
  });

  test('flags are a uint64, exact beyond 2^53, and a bad value is a 400', async () => {
    assert.equal((await put('/v1/kv/get/flags?flags=18446744073709551615', 'x')).status, 200);
    const answer = await get('/v1/kv/get/flags');
    assert.match(answer.text, /"Flags":18446744073709551615,/);
    const bad = await put('/v1/kv/get/flags?flags=18446744073709551616', 'x');
    assert.equal(bad.status, 400);
    assert.equal(bad.text, 'strconv.ParseUint: parsing "18446744073709551616": value out of range');
    assert.equal((await put('/v1/kv/get/flags?flags=-1', 'x')).status, 400);
    assert.match((await get('/v1/kv/get/flags')).text, /"Flags":18446744073709551615,/);
  });

  test('a missing key is a 404 with an empty body and the meta headers', async () => {
    const answer = await get('/v1/kv/get/missing');
    assert.equal(answer.status, 404);
    assert.equal(answer.text, '');
    assert.ok(index(answer) >= 1);
    assert.equal(answer.headers.get('x-consul-knownleader'), 'true');
    assert.equal(answer.headers.get('x-consul-lastcontact'), '0');
  });

  test('an empty value prints null and an empty raw body', async () => {
    await put('/v1/kv/get/empty');
    const [pair] = json(await get('/v1/kv/get/empty')) as Record<string, unknown>[];
    assert.equal(pair!.Value, null);
    const raw = await get('/v1/kv/get/empty?raw');
    assert.equal(raw.status, 200);
    assert.equal(raw.text, '');
  });

  test('?raw answers the bytes as stored, as text/plain that browsers must not sniff or run', async () => {
    const value = new Uint8Array([0, 1, 2, 0xff, 0x3c, 0x68, 0x31, 0x3e]);
    await put('/v1/kv/get/raw', value);
    const res = await fetch(`${agent.url}/v1/kv/get/raw?raw`);
    assert.equal(res.status, 200);
    assert.deepEqual(new Uint8Array(await res.arrayBuffer()), value);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('content-security-policy'), 'sandbox');
    assert.ok(Number(res.headers.get('x-consul-index')) >= 1);
  });

  test('?recurse lists a prefix in key order; an empty prefix is a 404', async () => {
    for (const key of ['tree/b', 'tree/a', 'tree/c/d', 'treehouse']) await put(`/v1/kv/${key}`, key);
    const answer = await get('/v1/kv/tree/?recurse');
    assert.equal(answer.status, 200);
    const pairs = json(answer) as { Key: string; ModifyIndex: number }[];
    assert.deepEqual(
      pairs.map((p) => p.Key),
      ['tree/a', 'tree/b', 'tree/c/d'],
    );
    assert.equal(index(answer), Math.max(...pairs.map((p) => p.ModifyIndex)));
    // ?raw does not apply to a listing.
    assert.deepEqual((json(await get('/v1/kv/tree/?recurse&raw')) as unknown[]).length, 3);
    const none = await get('/v1/kv/nothing-here/?recurse');
    assert.equal(none.status, 404);
    assert.equal(none.text, '');
    assert.ok(index(none) >= 1);
  });

  test('?keys lists names, folding at the separator (also spelt seperator)', async () => {
    for (const key of ['keys/a', 'keys/b/c', 'keys/b/d', 'keys/e/f/g']) await put(`/v1/kv/${key}`);
    assert.deepEqual(json(await get('/v1/kv/keys/?keys')), ['keys/a', 'keys/b/c', 'keys/b/d', 'keys/e/f/g']);
    assert.deepEqual(json(await get('/v1/kv/keys/?keys&separator=/')), ['keys/a', 'keys/b/', 'keys/e/']);
    assert.deepEqual(json(await get('/v1/kv/keys/?keys&seperator=/')), ['keys/a', 'keys/b/', 'keys/e/']);
    const none = await get('/v1/kv/no-keys/?keys');
    assert.equal(none.status, 404);
    assert.equal(none.text, '');
  });

  test('the root with no keys lists [] rather than 404', async () => {
    const empty = await startTestKernel({ plugins: [createHttpPlugin(), createKvPlugin()] });
    try {
      const res = await fetch(`${empty.url}/v1/kv/?keys`);
      assert.equal(res.status, 200);
      assert.equal(await res.text(), '[]');
      assert.equal(res.headers.get('x-consul-index'), '1');
    } finally {
      await empty.stop();
    }
  });

  test('the empty key without recurse or keys is a 400', async () => {
    const answer = await get('/v1/kv/');
    assert.equal(answer.status, 400);
    assert.equal(answer.text, 'Missing key name');
    assert.equal((await put('/v1/kv/', 'x')).text, 'Missing key name');
    assert.equal((await del('/v1/kv/')).text, 'Missing key name');
  });
});

describe('key rules', () => {
  test('path traversal, plain or encoded, and surrounding spaces are a 400', async () => {
    for (const path of [
      '/v1/kv/a/../b',
      '/v1/kv/../secret',
      '/v1/kv/a/%2e%2e/b',
      '/v1/kv/a%2F..%2Fb',
      '/v1/kv/x/%252e%252e%252fy',
    ]) {
      for (const method of ['GET', 'PUT', 'DELETE']) {
        const answer = await rawRequest(method, path);
        assert.equal(answer.status, 400, `${method} ${path}`);
        assert.match(answer.text, /path traversal sequence$/);
      }
    }
    for (const path of ['/v1/kv/%20lead', '/v1/kv/trail%20']) {
      const answer = await rawRequest('PUT', path);
      assert.equal(answer.status, 400);
      assert.equal(answer.text, 'key must not have leading or trailing spaces');
    }
  });

  test('disable_kv_key_validation turns the checks off', async () => {
    const lax = await startTestKernel({
      plugins: [createHttpPlugin(), createKvPlugin()],
      config: { disable_kv_key_validation: true },
    });
    try {
      const res = await fetch(`${lax.url}/v1/kv/%20spaced%20`, { method: 'PUT', body: 'v' });
      assert.equal(res.status, 200);
      assert.equal(await (await fetch(`${lax.url}/v1/kv/?keys`)).text(), '[" spaced "]');
    } finally {
      await lax.stop();
    }
  });

  test('other characters are fine, and an encoded slash is part of the key', async () => {
    assert.equal((await put('/v1/kv/rules/con..fig%20x/%C3%BC?flags=1', 'v')).status, 200);
    const [pair] = json(await get('/v1/kv/rules/con..fig%20x/%C3%BC')) as { Key: string }[];
    assert.equal(pair!.Key, 'rules/con..fig x/ü');
    await put('/v1/kv/rules/a%2Fb', 'v');
    assert.deepEqual(json(await get('/v1/kv/rules/?keys&separator=/')), ['rules/a/', 'rules/con..fig x/']);
  });
});

describe('PUT /v1/kv', () => {
  test('?cas=0 creates only; ?cas=N sets only at that ModifyIndex', async () => {
    assert.equal((await put('/v1/kv/cas/k?cas=0', 'one')).text, 'true');
    assert.equal((await put('/v1/kv/cas/k?cas=0', 'two')).text, 'false');
    const [pair] = json(await get('/v1/kv/cas/k')) as { ModifyIndex: number; Value: string }[];
    assert.equal(Buffer.from(pair!.Value, 'base64').toString(), 'one');
    assert.equal((await put(`/v1/kv/cas/k?cas=${pair!.ModifyIndex + 1}`, 'three')).text, 'false');
    assert.equal((await put(`/v1/kv/cas/k?cas=${pair!.ModifyIndex}`, 'three')).text, 'true');
    assert.equal((await get('/v1/kv/cas/k?raw')).text, 'three');
    assert.equal((await put('/v1/kv/cas/k?cas=x', 'four')).status, 400);
  });

  test('cas, acquire and release together are a 400 naming the query as Consul does', async () => {
    const answer = await put('/v1/kv/cas/k?cas=0&acquire=abc', 'x');
    assert.equal(answer.status, 400);
    assert.equal(answer.text, 'Conflicting flags: acquire=abc&cas=0\n');
    assert.equal(
      (await put('/v1/kv/cas/k?release=a&acquire=b')).text,
      'Conflicting flags: acquire=b&release=a\n',
    );
  });

  test('acquire with an unknown session is a 500 naming it', async () => {
    const answer = await put('/v1/kv/lock/k?acquire=no-such-session', 'x');
    assert.equal(answer.status, 500);
    assert.equal(answer.text, 'invalid session "no-such-session"');
    assert.equal((await get('/v1/kv/lock/k')).status, 404);
  });

  test('acquire and release move Session and LockIndex; another session cannot take a held lock', async () => {
    const sessions = agent.kernel.store.table<{ ID: string }>(TABLE_SESSIONS);
    sessions.set('s-one', { ID: 's-one' });
    sessions.set('s-two', { ID: 's-two' });
    assert.equal((await put('/v1/kv/lock/leader?acquire=s-one', 'me')).text, 'true');
    let [pair] = json(await get('/v1/kv/lock/leader')) as Record<string, unknown>[];
    assert.equal(pair!.Session, 's-one');
    assert.equal(pair!.LockIndex, 1);
    assert.equal((await put('/v1/kv/lock/leader?acquire=s-two', 'you')).text, 'false');
    assert.equal((await put('/v1/kv/lock/leader?release=s-two')).text, 'false');
    assert.equal((await put('/v1/kv/lock/leader?release=s-one', 'done')).text, 'true');
    [pair] = json(await get('/v1/kv/lock/leader')) as Record<string, unknown>[];
    assert.equal('Session' in pair!, false);
    assert.equal(pair!.LockIndex, 1);
    assert.equal(Buffer.from(String(pair!.Value), 'base64').toString(), 'done');
    assert.equal((await put('/v1/kv/lock/leader?acquire=s-two')).text, 'true');
    [pair] = json(await get('/v1/kv/lock/leader')) as Record<string, unknown>[];
    assert.equal(pair!.LockIndex, 2);
  });

  test('a value over kv_max_value_size is a 413 and is not stored', async () => {
    const answer = await put('/v1/kv/big/k', 'x'.repeat(LIMITS.kv_max_value_size + 1));
    assert.equal(answer.status, 413);
    assert.match(answer.text, /^Request body\(1025 bytes\) too large, max size: 1024 bytes/);
    assert.equal((await get('/v1/kv/big/k')).status, 404);
    assert.equal((await put('/v1/kv/big/k', 'x'.repeat(LIMITS.kv_max_value_size))).status, 200);
  });
});

describe('DELETE /v1/kv', () => {
  test('deletes one key, a tree with ?recurse, or with ?cas only at the current index', async () => {
    for (const key of ['del/a', 'del/b/c', 'del/b/d', 'delete-me-not']) await put(`/v1/kv/${key}`);
    assert.equal((await del('/v1/kv/del/a')).text, 'true');
    assert.equal((await get('/v1/kv/del/a')).status, 404);
    assert.equal((await del('/v1/kv/del/b?recurse')).text, 'true');
    assert.equal((await get('/v1/kv/del/?recurse')).status, 404);
    assert.equal((await get('/v1/kv/delete-me-not')).status, 200);

    await put('/v1/kv/del/cas');
    const [pair] = json(await get('/v1/kv/del/cas')) as { ModifyIndex: number }[];
    assert.equal((await del('/v1/kv/del/cas?cas=0')).text, 'false');
    assert.equal((await del(`/v1/kv/del/cas?cas=${pair!.ModifyIndex + 5}`)).text, 'false');
    assert.equal((await del(`/v1/kv/del/cas?cas=${pair!.ModifyIndex}`)).text, 'true');
    assert.equal((await get('/v1/kv/del/cas')).status, 404);
  });

  test('?recurse with ?cas is a 400', async () => {
    const answer = await del('/v1/kv/del?recurse&cas=1');
    assert.equal(answer.status, 400);
    assert.equal(answer.text, 'Conflicting flags: cas=1&recurse=\n');
  });

  test('a delete moves the prefix index, so X-Consul-Index changes', async () => {
    await put('/v1/kv/moves/a');
    await put('/v1/kv/moves/b');
    const before = index(await get('/v1/kv/moves/?recurse'));
    await put('/v1/kv/elsewhere');
    await del('/v1/kv/moves/a');
    const afterDelete = await get('/v1/kv/moves/?recurse');
    assert.ok(index(afterDelete) > before);
    assert.deepEqual(
      (json(afterDelete) as { Key: string }[]).map((p) => p.Key),
      ['moves/b'],
    );
  });

  test('?recurse on the empty key deletes everything', async () => {
    const scratch = await startTestKernel({ plugins: [createHttpPlugin(), createKvPlugin()] });
    try {
      for (const key of ['x', 'y/z'])
        await fetch(`${scratch.url}/v1/kv/${key}`, { method: 'PUT', body: 'v' });
      assert.equal(await (await fetch(`${scratch.url}/v1/kv/?recurse`, { method: 'DELETE' })).text(), 'true');
      assert.equal(await (await fetch(`${scratch.url}/v1/kv/?keys`)).text(), '[]');
    } finally {
      await scratch.stop();
    }
  });
});

describe('blocking queries', () => {
  test('a blocking GET on a key wakes with the new value when the key changes', async () => {
    await put('/v1/kv/block/k', 'v1');
    const current = index(await get('/v1/kv/block/k'));
    const pending = get(`/v1/kv/block/k?index=${current}&wait=2s`);
    await waitForWaiters(1);
    await put('/v1/kv/block/k', 'v2');
    const answer = await pending;
    assert.equal(answer.status, 200);
    const [pair] = json(answer) as { Value: string; ModifyIndex: number }[];
    assert.equal(Buffer.from(pair!.Value, 'base64').toString(), 'v2');
    assert.equal(index(answer), pair!.ModifyIndex);
    assert.ok(index(answer) > current);
  });

  test('a blocking GET on a missing key is not woken by other keys, and wakes when it is created', async () => {
    const missing = await get('/v1/kv/block/later');
    assert.equal(missing.status, 404);
    const pending = get(`/v1/kv/block/later?index=${index(missing)}&wait=2s`);
    await waitForWaiters(1);
    // This write moves the table index: a waiter woken by it would answer 404 right away.
    await put('/v1/kv/block/unrelated', 'x');
    await put('/v1/kv/block/later', 'created');
    const answer = await pending;
    assert.equal(answer.status, 200);
    const [pair] = json(answer) as { Key: string; Value: string }[];
    assert.equal(pair!.Key, 'block/later');
    assert.equal(Buffer.from(pair!.Value, 'base64').toString(), 'created');
  });

  test('a blocking ?recurse is not woken outside its prefix, and wakes on a write under it', async () => {
    const empty = await get('/v1/kv/watched/?recurse');
    assert.equal(empty.status, 404);
    const pending = get(`/v1/kv/watched/?recurse&index=${index(empty)}&wait=2s`);
    await waitForWaiters(1);
    await put('/v1/kv/watchedx', 'outside the prefix');
    await put('/v1/kv/unwatched/a', 'elsewhere');
    await put('/v1/kv/watched/a', 'inside');
    const answer = await pending;
    assert.equal(answer.status, 200);
    assert.deepEqual(
      (json(answer) as { Key: string }[]).map((p) => p.Key),
      ['watched/a'],
    );
  });

  test('a blocking ?recurse wakes on a delete under the prefix, with the delete index', async () => {
    await put('/v1/kv/shrinks/a');
    await put('/v1/kv/shrinks/b');
    const before = await get('/v1/kv/shrinks/?recurse');
    const pending = get(`/v1/kv/shrinks/?recurse&index=${index(before)}&wait=2s`);
    await waitForWaiters(1);
    await del('/v1/kv/shrinks/a');
    const answer = await pending;
    assert.deepEqual(
      (json(answer) as { Key: string }[]).map((p) => p.Key),
      ['shrinks/b'],
    );
    assert.ok(index(answer) > index(before));
    assert.equal(index(answer), index(await get('/v1/kv/shrinks/a')));
  });

  test('a blocking ?keys wakes when a key appears under the prefix', async () => {
    await put('/v1/kv/klist/a');
    const before = await get('/v1/kv/klist/?keys');
    const pending = get(`/v1/kv/klist/?keys&index=${index(before)}&wait=2s`);
    await waitForWaiters(1);
    await put('/v1/kv/klist/b');
    assert.deepEqual(json(await pending), ['klist/a', 'klist/b']);
  });
});

describe('PUT /v1/txn', () => {
  const txn = (ops: unknown) => put('/v1/txn', typeof ops === 'string' ? ops : JSON.stringify(ops));

  test('a write transaction answers Results in order, values only for gets, nothing for deletes', async () => {
    await put('/v1/kv/txn/old', 'bye');
    // Flags go as a bare JSON number beyond 2^53, so this body is written by hand.
    const body =
      '[{"KV":{"Verb":"set","Key":"txn/a","Value":"QQ==","Flags":18446744073709551615}},' +
      '{"kv":{"verb":"get","key":"txn/a"}},{"KV":{"Verb":"delete","Key":"txn/old"}}]';
    const done = await txn(body);
    assert.equal(done.status, 200);
    const at = Number(
      (JSON.parse(done.text) as { Results: { KV: { ModifyIndex: number } }[] }).Results[0]!.KV.ModifyIndex,
    );
    assert.equal(
      done.text,
      `{"Results":[{"KV":{"LockIndex":0,"Key":"txn/a","Flags":18446744073709551615,"Value":null,"CreateIndex":${at},"ModifyIndex":${at}}},` +
        `{"KV":{"LockIndex":0,"Key":"txn/a","Flags":18446744073709551615,"Value":"QQ==","CreateIndex":${at},"ModifyIndex":${at}}}],"Errors":null}`,
    );
    assert.equal((await get('/v1/kv/txn/old')).status, 404);
    assert.equal((await get('/v1/kv/txn/a?raw')).text, 'A');
  });

  test('a failing operation rolls the whole transaction back: 409 with every error', async () => {
    await put('/v1/kv/txn/keep', 'kept');
    const tableBefore = index(await get('/v1/kv/?keys'));
    const answer = await txn([
      { KV: { Verb: 'set', Key: 'txn/never', Value: 'eA==' } },
      { KV: { Verb: 'delete', Key: 'txn/keep' } },
      { KV: { Verb: 'check-index', Key: 'txn/keep', Index: 1 } },
      { KV: { Verb: 'get', Key: 'txn/nope' } },
    ]);
    assert.equal(answer.status, 409);
    assert.match(answer.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(json(answer), {
      Results: null,
      Errors: [
        { OpIndex: 2, What: 'failed to check index, key "txn/keep" doesn\'t exist' },
        { OpIndex: 3, What: 'key "txn/nope" doesn\'t exist' },
      ],
    });
    assert.equal((await get('/v1/kv/txn/never')).status, 404);
    assert.equal((await get('/v1/kv/txn/keep?raw')).text, 'kept');
    assert.equal(index(await get('/v1/kv/?keys')), tableBefore);
  });

  test('a transaction that cannot succeed is answered 409 without a log entry', async () => {
    const log = () => agent.kernel.store.lastIndex;
    const before = log();
    const answer = await txn([
      { KV: { Verb: 'set', Key: 'txn/x' } },
      { KV: { Verb: 'explode', Key: 'txn/x' } },
    ]);
    assert.equal(answer.status, 409);
    assert.deepEqual(json(answer), {
      Results: null,
      Errors: [{ OpIndex: 1, What: 'unknown KV verb "explode"' }],
    });
    assert.equal(log(), before);
    const keyless = await txn([{ KV: { Verb: 'set', Key: '' } }]);
    assert.equal(keyless.status, 409);
    assert.deepEqual(json(keyless), { Results: null, Errors: [{ OpIndex: 0, What: 'Must provide key' }] });
    assert.equal(log(), before);
  });

  test('a read-only transaction is served without raft, with the leader headers and meta', async () => {
    await put('/v1/kv/txn/read', 'r');
    const before = agent.kernel.store.lastIndex;
    const answer = await put(
      '/v1/txn?stale',
      JSON.stringify([
        { KV: { Verb: 'get', Key: 'txn/read' } },
        { KV: { Verb: 'check-not-exists', Key: 'txn/zzz' } },
      ]),
    );
    assert.equal(answer.status, 200);
    assert.equal(agent.kernel.store.lastIndex, before);
    assert.equal(answer.headers.get('x-consul-knownleader'), 'true');
    assert.equal(answer.headers.get('x-consul-lastcontact'), '0');
    assert.equal(answer.headers.get('x-consul-index'), null);
    const body = json(answer) as {
      Results: { KV: { Key: string; Value: string } }[];
      Errors: null;
      KnownLeader: boolean;
    };
    assert.equal(body.Errors, null);
    assert.deepEqual(
      body.Results.map((r) => [r.KV.Key, r.KV.Value]),
      [['txn/read', 'cg==']],
    );
    assert.equal(body.KnownLeader, true);
    const failing = await txn([{ KV: { Verb: 'get', Key: 'txn/absent' } }]);
    assert.equal(failing.status, 409);
    assert.deepEqual((json(failing) as { Errors: unknown }).Errors, [
      { OpIndex: 0, What: 'key "txn/absent" doesn\'t exist' },
    ]);
    assert.equal((await put('/v1/txn?stale&consistent', '[]')).status, 400);
  });

  test('limits: 129 operations, an oversized value and an oversized body are 413s', async () => {
    const many = Array.from({ length: 129 }, (_, i) => ({ KV: { Verb: 'get', Key: `k${i}` } }));
    const tooMany = await txn(many);
    assert.equal(tooMany.status, 413);
    assert.equal(tooMany.text, 'Transaction contains too many operations (129 > 128)');
    const bigValue = Buffer.alloc(LIMITS.kv_max_value_size + 1).toString('base64');
    const big = await txn([{ KV: { Verb: 'set', Key: 'txn/big', Value: bigValue } }]);
    assert.equal(big.status, 413);
    assert.equal(big.text, 'Value for key "txn/big" is too large (1025 > 1024 bytes)');
    const huge = await txn(`[${'{"KV":{"Verb":"get","Key":"k"}},'.repeat(300)}{}]`);
    assert.equal(huge.status, 413);
    assert.match(huge.text, /^Request body\(\d+ bytes\) too large, max size: 8192 bytes/);
  });

  test('bad bodies are 400s: unparsable, not an array, catalog operations', async () => {
    const broken = await txn('[{');
    assert.equal(broken.status, 400);
    assert.match(broken.text, /^Failed to parse body: /);
    assert.equal(
      (await txn({ KV: {} })).text,
      'Failed to parse body: json: cannot unmarshal object into Go value of type api.TxnOps',
    );
    const node = await txn([{ Node: { Verb: 'get', Node: { Node: 'n1' } } }]);
    assert.equal(node.status, 400);
    assert.match(node.text, /not supported yet/);
  });
});
