import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TribuneError } from '../../core/errors.js';
import { definePlugin } from '../../core/plugin.js';
import { createHttpPlugin, getHttpHooks } from '../../plugins/http/index.js';
import { startTestKernel, type TestKernel } from '../helpers/test-kernel.js';

let agent: TestKernel;

const probe = definePlugin({
  name: 'probe',
  dependencies: ['http'],
  commands: ['probe.bump'],
  apply(kernel) {
    kernel.hooks.onApply.for('probe.bump').tap('probe', (cmd, ctx) => {
      ctx.store.bump(`probe/${String(cmd.topic)}`, ctx.index);
      return ctx.index;
    });
    getHttpHooks(kernel).routes.tap('probe', (routes) => {
      routes.add({
        method: 'GET',
        path: '/v1/probe/echo/:id',
        handler: (req) => ({
          body: { id: req.params.id, token: req.token ?? null, big: 2n ** 64n - 1n, mode: req.consistency() },
        }),
      });
      routes.add({
        method: 'PUT',
        path: '/v1/probe/echo/:id',
        maxBodyBytes: 16,
        handler: async (req) => ({ body: { length: (await req.body()).length } }),
      });
      routes.add({
        method: 'GET',
        path: '/v1/probe/watch/:topic',
        handler: async (req) => {
          const topic = `probe/${req.params.topic}`;
          const result = await req.read(() => ({
            index: req.kernel.store.topicIndex(topic),
            value: req.kernel.store.topicIndex(topic),
            watch: { topics: [topic] },
          }));
          return { body: result.value, index: result.index };
        },
      });
      routes.add({
        method: 'PUT',
        path: '/v1/probe/bump/:topic',
        handler: async (req) => ({
          body: (await req.kernel.propose({ type: 'probe.bump', topic: req.params.topic })).result,
        }),
      });
      routes.add({
        method: 'GET',
        path: '/v1/probe/fail',
        handler: () => {
          throw new TribuneError('BAD_REQUEST', 'Missing key name');
        },
      });
      routes.add({
        method: 'GET',
        path: '/v1/probe/crash',
        handler: () => {
          throw new Error('unexpected');
        },
      });
      routes.add({
        method: 'PUT',
        path: '/v1/probe/json',
        handler: async (req) => ({ body: (await req.json()) ?? null }),
      });
    });
  },
});

before(async () => {
  agent = await startTestKernel({ plugins: [createHttpPlugin(), probe] });
});
after(async () => {
  await agent.stop();
});

test('a wrong method is a 405 with Allow; OPTIONS answers the Allow list', async () => {
  const wrong = await fetch(`${agent.url}/v1/probe/echo/x`, { method: 'DELETE' });
  assert.equal(wrong.status, 405);
  assert.equal(wrong.headers.get('allow'), 'OPTIONS,GET,PUT');
  const options = await fetch(`${agent.url}/v1/probe/echo/x`, { method: 'OPTIONS' });
  assert.equal(options.status, 200);
  assert.equal(options.headers.get('allow'), 'OPTIONS,GET,PUT');
});

test('unknown paths are 404 with Consul text; every response carries the default ACL policy', async () => {
  const res = await fetch(`${agent.url}/v1/nope`);
  assert.equal(res.status, 404);
  assert.equal(await res.text(), 'Invalid URL path: not a recognized HTTP API endpoint');
  assert.equal(res.headers.get('x-consul-default-acl-policy'), 'allow');
});

test('URL-encoded params round-trip; uint64 numbers stay exact; ?pretty indents', async () => {
  const res = await fetch(`${agent.url}/v1/probe/echo/a%2Fb%23c.d`);
  const text = await res.text();
  assert.equal(text, '{"id":"a/b#c.d","token":null,"big":18446744073709551615,"mode":"default"}');
  const pretty = await (await fetch(`${agent.url}/v1/probe/echo/x?pretty`)).text();
  assert.ok(pretty.startsWith('{\n    "id": "x"'));
  assert.ok(pretty.endsWith('}\n'));
});

test('token precedence: ?token, then X-Consul-Token, then Bearer', async () => {
  const token = async (query: string, headers: Record<string, string>) =>
    ((await (await fetch(`${agent.url}/v1/probe/echo/x${query}`, { headers })).json()) as { token: string })
      .token;
  assert.equal(await token('?token=q', { 'X-Consul-Token': 'h', Authorization: 'Bearer b' }), 'q');
  assert.equal(await token('', { 'X-Consul-Token': 'h', Authorization: 'Bearer b' }), 'h');
  assert.equal(await token('', { Authorization: 'bearer b' }), 'b');
});

test('consistency flags are presence-based and conflicting flags are a 400', async () => {
  const mode = async (q: string) =>
    ((await (await fetch(`${agent.url}/v1/probe/echo/x${q}`)).json()) as { mode: string }).mode;
  assert.equal(await mode('?stale='), 'stale');
  assert.equal(await mode('?consistent'), 'consistent');
  const both = await fetch(`${agent.url}/v1/probe/echo/x?stale&consistent`);
  assert.equal(both.status, 400);
  assert.equal(await both.text(), 'Cannot specify ?stale with ?consistent, conflicting semantics.');
});

test('another datacenter is Consul error 500 No path to datacenter', async () => {
  const res = await fetch(`${agent.url}/v1/probe/echo/x?dc=dc9`);
  assert.equal(res.status, 500);
  assert.equal(await res.text(), 'No path to datacenter');
  assert.equal((await fetch(`${agent.url}/v1/probe/echo/x?dc=dc1`)).status, 200);
});

test('errors map to status and text; unexpected errors are 500', async () => {
  const bad = await fetch(`${agent.url}/v1/probe/fail`);
  assert.equal(bad.status, 400);
  assert.equal(await bad.text(), 'Missing key name');
  const crash = await fetch(`${agent.url}/v1/probe/crash`);
  assert.equal(crash.status, 500);
  assert.equal(await crash.text(), 'unexpected');
});

test('oversized bodies are a 413 in Consul wording', async () => {
  const ok = await fetch(`${agent.url}/v1/probe/echo/x`, { method: 'PUT', body: '0123456789' });
  assert.deepEqual(await ok.json(), { length: 10 });
  const big = await fetch(`${agent.url}/v1/probe/echo/x`, { method: 'PUT', body: 'x'.repeat(17) });
  assert.equal(big.status, 413);
  assert.match(await big.text(), /^Request body\(17 bytes\) too large, max size: 16 bytes/);
});

test('malformed JSON bodies are 400 Request decode failed', async () => {
  const res = await fetch(`${agent.url}/v1/probe/json`, { method: 'PUT', body: '{"a":' });
  assert.equal(res.status, 400);
  assert.match(await res.text(), /^Request decode failed: /);
  const good = await fetch(`${agent.url}/v1/probe/json`, {
    method: 'PUT',
    body: '{"Flags":18446744073709551615}',
  });
  assert.equal(await good.text(), '{"Flags":18446744073709551615}');
});

test('blocking reads: X-Consul-Index never 0, bad params are 400, a covering write wakes the wait', async () => {
  const first = await fetch(`${agent.url}/v1/probe/watch/a`);
  assert.equal(first.headers.get('x-consul-index'), '1');
  assert.equal(first.headers.get('x-consul-knownleader'), 'true');
  assert.equal(first.headers.get('x-consul-lastcontact'), '0');
  assert.equal((await fetch(`${agent.url}/v1/probe/watch/a?index=abc`)).status, 400);
  assert.equal(
    await (await fetch(`${agent.url}/v1/probe/watch/a?index=1&wait=forever`)).text(),
    'Invalid wait time',
  );

  const bumpA = await (await fetch(`${agent.url}/v1/probe/bump/a`, { method: 'PUT' })).json();
  const waiting = fetch(`${agent.url}/v1/probe/watch/a?index=${bumpA}&wait=20s`);
  // An unrelated topic must not answer the waiter; the covering one must.
  await fetch(`${agent.url}/v1/probe/bump/b`, { method: 'PUT' });
  const bumpA2 = await (await fetch(`${agent.url}/v1/probe/bump/a`, { method: 'PUT' })).json();
  const res = await waiting;
  assert.equal(Number(res.headers.get('x-consul-index')), bumpA2);
  assert.equal(await res.json(), bumpA2);
});

test('a blocking read that sees no change answers at the end of its wait with the same index', async () => {
  const current = Number((await fetch(`${agent.url}/v1/probe/watch/quiet`)).headers.get('x-consul-index'));
  await fetch(`${agent.url}/v1/probe/bump/quiet`, { method: 'PUT' });
  const idx = Number((await fetch(`${agent.url}/v1/probe/watch/quiet`)).headers.get('x-consul-index'));
  assert.ok(idx > current);
  const res = await fetch(`${agent.url}/v1/probe/watch/quiet?index=${idx}&wait=50ms`);
  assert.equal(Number(res.headers.get('x-consul-index')), idx);
});
