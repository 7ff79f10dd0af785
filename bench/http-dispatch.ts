/**
 * Micro-benchmark of the HTTP layer alone: the koa app of the http plugin (with the kv routes, on an
 * in-memory consensus) driven in-process with node:http request/response objects over a socket that
 * discards what it is sent. No parser, no syscalls: what is left is the per-request work of koa,
 * @koa/router, plugins/http and the KV handlers, so figures move only with that code. Prints CPU µs
 * per request for a few request kinds, then the heap held per parked blocking query.
 *   node --expose-gc --import tsx bench/http-dispatch.ts [requests per kind, default 20000] [waiters, default 5000]
 * Numbers, never pass/fail; compare runs on the same machine.
 */
import { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import pino from 'pino';
import { Kernel } from '../core/kernel.js';
import { createHttpApp } from '../plugins/http/adapters/server.js';
import { getHttpHooks } from '../plugins/http/hooks.js';
import { createHttpPlugin } from '../plugins/http/index.js';
import { RouteTable } from '../plugins/http/routes.js';
import { createKvPlugin } from '../plugins/kv/index.js';
import { kvOp } from '../plugins/kv/types.js';
import { MemoryConsensus } from '../test/helpers/memory-consensus.js';
import { testConfig } from '../test/helpers/test-config.js';

const requestsPerKind = Number(process.argv[2] ?? 20_000);
const waiters = Number(process.argv[3] ?? 5_000);
const KEYS = 1000;
const VALUE = Buffer.from('v'.repeat(256));

type Handler = (req: IncomingMessage, res: ServerResponse) => unknown;

/** A socket that accepts every write at once and keeps nothing. */
function sinkSocket(): Socket {
  const sink = new Duplex({
    write(_chunk, _encoding, callback) {
      callback();
    },
    read() {},
  });
  return sink as unknown as Socket;
}

function request(socket: Socket, method: string, url: string, body?: Buffer): IncomingMessage {
  const req = new IncomingMessage(socket);
  req.method = method;
  req.url = url;
  req.httpVersionMajor = 1;
  req.httpVersionMinor = 1;
  req.headers = body
    ? { host: 'bench', 'content-length': String(body.length), 'content-type': 'application/octet-stream' }
    : { host: 'bench' };
  if (body) req.push(body);
  // As node's parser marks a request whose body has all arrived (else reading it ends the socket).
  req.complete = true;
  req.push(null);
  return req;
}

/** Runs one request to completion (the response finished on the sink); returns its status. */
function serve(handle: Handler, socket: Socket, method: string, url: string, body?: Buffer): Promise<number> {
  const req = request(socket, method, url, body);
  const res = new ServerResponse(req);
  res.assignSocket(socket);
  return new Promise<number>((resolve, reject) => {
    res.once('finish', () => {
      res.detachSocket(socket);
      resolve(res.statusCode);
    });
    res.once('error', reject);
    handle(req, res);
  });
}

async function boot() {
  const config = testConfig({ ports: { ...testConfig().ports, http: -1 } });
  const kernel = new Kernel({ config, logger: pino({ level: 'silent' }) });
  kernel.use([createHttpPlugin(), createKvPlugin()]);
  kernel.setConsensus(new MemoryConsensus(kernel));
  await kernel.start();
  const routes = new RouteTable();
  getHttpHooks(kernel).routes.call(routes);
  const app = createHttpApp({ kernel, routes });
  return { kernel, handle: app.callback() as Handler };
}

const key = (i: number) => `bench/key/${String(i % KEYS).padStart(3, '0')}`;

async function measure(
  name: string,
  handle: Handler,
  make: (i: number) => [string, string, Buffer?],
  expectedStatus = 200,
): Promise<void> {
  const socket = sinkSocket();
  for (let i = 0; i < 5000; i++) await serve(handle, socket, ...make(i));
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < requestsPerKind; i++) {
    const status = await serve(handle, socket, ...make(i));
    if (status !== expectedStatus) throw new Error(`${name}: status ${status}`);
  }
  const used = process.cpuUsage(cpu);
  const wall = performance.now() - started;
  const perRequest = (used.user + used.system) / requestsPerKind;
  console.log(
    `${name.padEnd(22)} ${perRequest.toFixed(1).padStart(6)} µs CPU/request  ${((requestsPerKind / wall) * 1000).toFixed(0).padStart(7)} req/s (one at a time, in-process)`,
  );
}

function heapUsed(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
  return process.memoryUsage().heapUsed;
}

/** Heap held per request while `handle` keeps `count` requests waiting. */
async function heapPerParked(handle: Handler, url: (i: number) => string, count: number) {
  const sockets: Socket[] = [];
  for (let i = 0; i < count; i++) sockets.push(sinkSocket());
  const before = heapUsed();
  const pending: Promise<number>[] = [];
  for (let i = 0; i < count; i++) pending.push(serve(handle, sockets[i]!, 'GET', url(i)));
  await new Promise((resolve) => setTimeout(resolve, 50));
  return { bytes: (heapUsed() - before) / count, pending };
}

async function parkedWaiterHeap(kernel: Kernel, handle: Handler): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) {
    console.log('heap per parked waiter: run with --expose-gc to measure');
    return;
  }
  // The floor: node:http's request and response objects, held by a handler that never answers.
  const held: ServerResponse[] = [];
  const floor = await heapPerParked(
    (_req, res) => held.push(res),
    () => '/v1/kv/x?index=1',
    waiters,
  );
  for (const res of held) res.end();
  await Promise.all(floor.pending);
  held.length = 0;
  const index = kernel.store.lastIndex;
  const { bytes, pending } = await heapPerParked(
    handle,
    (i) => `/v1/kv/${key(i)}?index=${index}&wait=60s`,
    waiters,
  );
  const parked = kernel.store.watch.waiterCount;
  console.log(
    `heap per parked blocking query: ${bytes.toFixed(0)} B, of which node:http's request/response ${floor.bytes.toFixed(0)} B (${parked} parked; no real sockets)`,
  );
  // Wake them all: one write per key.
  for (let i = 0; i < KEYS; i++) {
    await kernel.propose({ type: 'kv.set', op: kvOp({ verb: 'set', key: key(i), value: VALUE }) });
  }
  await Promise.all(pending);
}

const { kernel, handle } = await boot();
for (let i = 0; i < KEYS; i++) {
  await kernel.propose({ type: 'kv.set', op: kvOp({ verb: 'set', key: key(i), value: VALUE }) });
}
console.log(
  `http dispatch micro-benchmark: ${requestsPerKind} requests per kind, ${KEYS} keys, node ${process.version}`,
);
await measure('GET /v1/kv/<k>?stale', handle, (i) => ['GET', `/v1/kv/${key(i)}?stale`]);
await measure('GET /v1/kv/<k>', handle, (i) => ['GET', `/v1/kv/${key(i)}`]);
await measure('PUT /v1/kv/<k>', handle, (i) => ['PUT', `/v1/kv/${key(i)}`, VALUE]);
await measure('GET /v1/kv/?keys', handle, () => ['GET', '/v1/kv/bench/key/00?keys']);
await measure('GET unknown path (404)', handle, () => ['GET', '/v1/nothing/here'], 404);
await parkedWaiterHeap(kernel, handle);
await kernel.stop();
