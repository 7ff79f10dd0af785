/**
 * The request lifecycle the lean HTTP layer must keep: a client going away aborts what waits for it
 * (and parks nothing), bodies arrive whole however they are chunked, the per-client connection cap.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { definePlugin } from '../../core/plugin.js';
import { createHttpPlugin, getHttpHooks } from '../../plugins/http/index.js';
import { testConfig } from '../helpers/test-config.js';
import { startTestKernel, type TestKernel } from '../helpers/test-kernel.js';

let agent: TestKernel;
let port = 0;
const signalStates: { aborted: boolean; at: string }[] = [];

const probe = definePlugin({
  name: 'probe',
  dependencies: ['http'],
  apply(kernel) {
    getHttpHooks(kernel).routes.tap('probe', (routes) => {
      routes.add({
        method: 'GET',
        path: '/v1/probe/hold',
        // Answers only when the client goes away.
        handler: (req) =>
          new Promise((resolve) => {
            req.signal.addEventListener('abort', () => {
              signalStates.push({ aborted: true, at: 'hold' });
              resolve({ body: 'gone' });
            });
          }),
      });
      routes.add({
        method: 'PUT',
        path: '/v1/probe/body',
        maxBodyBytes: 64,
        handler: async (req) => {
          const body = await req.body();
          await new Promise((resolve) => setImmediate(resolve));
          signalStates.push({ aborted: req.signal.aborted, at: 'after-body' });
          return { body: { text: body.toString('utf8') } };
        },
      });
      routes.add({
        method: 'GET',
        path: '/v1/probe/wait',
        handler: async (req) => {
          const result = await req.read(() => ({ index: 1, value: 1, watch: { topics: ['never'] } }));
          return { body: result.value, index: result.index };
        },
      });
    });
  },
});

before(async () => {
  const limits = { ...testConfig().limits, http_max_conns_per_client: 3 };
  agent = await startTestKernel({ plugins: [createHttpPlugin(), probe], config: { limits } });
  port = Number(new URL(agent.url).port);
});
after(async () => {
  await agent.stop();
});

/** Sends raw bytes on a fresh connection; resolves with everything read until the server closes. */
function exchange(chunks: string[], gapMs = 5): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (data) => {
      received += data.toString('utf8');
    });
    socket.on('close', () => resolve(received));
    socket.on('error', reject);
    socket.on('connect', async () => {
      for (const chunk of chunks) {
        socket.write(chunk);
        await new Promise((r) => setTimeout(r, gapMs));
      }
    });
  });
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (condition()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.fail(`timed out waiting for ${what}`);
}

test('a client that goes away aborts the signal its handler waits on', async () => {
  signalStates.length = 0;
  const socket = net.connect(port, '127.0.0.1');
  await new Promise((resolve) => socket.on('connect', resolve));
  socket.write('GET /v1/probe/hold HTTP/1.1\r\nHost: x\r\n\r\n');
  await new Promise((r) => setTimeout(r, 30));
  assert.deepEqual(signalStates, []);
  socket.destroy();
  await until(() => signalStates.length === 1, 'the abort');
  assert.deepEqual(signalStates, [{ aborted: true, at: 'hold' }]);
});

test('reading a body does not abort the request signal; a body in pieces arrives whole', async () => {
  signalStates.length = 0;
  const response = await exchange([
    'PUT /v1/probe/body HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 11\r\n\r\n',
    'hello',
    ' world',
  ]);
  assert.match(response, /^HTTP\/1\.1 200 OK/);
  assert.ok(response.endsWith('{"text":"hello world"}'), response);
  assert.deepEqual(signalStates, [{ aborted: false, at: 'after-body' }]);
});

test('a chunked body over the limit is refused', async () => {
  const body = 'x'.repeat(100);
  const response = await exchange([
    'PUT /v1/probe/body HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n',
    `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`,
  ]);
  assert.doesNotMatch(response, /^HTTP\/1\.1 200/);
});

test('a blocking read whose client goes away leaves nothing parked', async () => {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise((resolve) => socket.on('connect', resolve));
  socket.write('GET /v1/probe/wait?index=5&wait=60s HTTP/1.1\r\nHost: x\r\n\r\n');
  await until(() => agent.kernel.store.watch.waiterCount === 1, 'the waiter to park');
  socket.destroy();
  await until(() => agent.kernel.store.watch.waiterCount === 0, 'the waiter to leave');
});

test('connections past the per-client cap are closed; closing one makes room again', async () => {
  const open = async () => {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.on('connect', resolve));
    return socket;
  };
  const held = [await open(), await open(), await open()];
  const refused = await exchange(['GET /v1/probe/wait HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n']);
  assert.equal(refused, '');
  held.pop()!.destroy();
  await new Promise((r) => setTimeout(r, 30));
  const admitted = await exchange(['GET /v1/probe/wait HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n']);
  assert.match(admitted, /^HTTP\/1\.1 200 OK/);
  for (const socket of held) socket.destroy();
});
