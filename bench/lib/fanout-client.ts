/**
 * The waiter process of the blocking-query fan-out bench: one undici pool with a keep-alive
 * connection per waiter (HTTP/1.1 carries one blocking request per connection), each waiter a
 * `GET /v1/kv/<key>?index=N&wait=…` with N the key's current X-Consul-Index. Driven over IPC by
 * bench/blocking-fanout.ts; records when each answer's body has fully arrived.
 *   started as: node --import tsx bench/lib/fanout-client.ts  (with an IPC channel)
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import {
  type Answer,
  type ArmRequest,
  type FromClient,
  monotonicMs,
  type ToClient,
} from './fanout-protocol.js';

const ARM_BATCH = 500;
const BATCH_SETTLE_TIMEOUT_MS = 15_000;
const INITIAL_READ_CONCURRENCY = 32;
const TIMEOUT_MS = 180_000;

const answers: Answer[] = [];
let pool: Pool | undefined;

function send(message: FromClient): void {
  process.send?.(message);
}

const encodeKey = (key: string) => key.split('/').map(encodeURIComponent).join('/');

function headerIndex(value: string | string[] | undefined): number {
  const text = Array.isArray(value) ? value[0] : value;
  return text === undefined ? Number.NaN : Number(text);
}

/** Each distinct key's current index, read without blocking (as a real watcher starts). */
async function readIndexes(baseUrl: string, keys: readonly string[]): Promise<Map<string, number>> {
  const reader = new Pool(baseUrl, { connections: INITIAL_READ_CONCURRENCY });
  const indexes = new Map<string, number>();
  let next = 0;
  const worker = async () => {
    while (next < keys.length) {
      const key = keys[next++] as string;
      const res = await reader.request({ method: 'GET', path: `/v1/kv/${encodeKey(key)}` });
      await res.body.text();
      const index = headerIndex(res.headers['x-consul-index']);
      if (res.statusCode !== 200 || !Number.isFinite(index)) {
        throw new Error(`initial GET ${key}: status ${res.statusCode}, X-Consul-Index ${String(index)}`);
      }
      indexes.set(key, index);
    }
  };
  try {
    await Promise.all(Array.from({ length: INITIAL_READ_CONCURRENCY }, worker));
  } finally {
    await reader.close();
  }
  return indexes;
}

function wait(waiter: number, key: string, index: number, waitParam: string, blocking: Pool): void {
  const path = `/v1/kv/${encodeKey(key)}?index=${index}&wait=${waitParam}`;
  blocking
    .request({ method: 'GET', path })
    .then(async (res) => {
      await res.body.text();
      answers.push({
        waiter,
        status: res.statusCode,
        requestedIndex: index,
        index: headerIndex(res.headers['x-consul-index']),
        atMs: monotonicMs(),
      });
    })
    .catch((error: unknown) => {
      answers.push({
        waiter,
        status: 0,
        requestedIndex: index,
        index: Number.NaN,
        atMs: monotonicMs(),
        error: error instanceof Error ? error.message : String(error),
      });
    });
}

async function arm(request: ArmRequest): Promise<void> {
  const started = monotonicMs();
  const distinct = [...new Set(request.waiterKeys)];
  const indexes = await readIndexes(request.baseUrl, distinct);
  const blocking = new Pool(request.baseUrl, {
    connections: request.waiterKeys.length + 16,
    headersTimeout: TIMEOUT_MS,
    bodyTimeout: TIMEOUT_MS,
    keepAliveTimeout: TIMEOUT_MS,
  });
  pool = blocking;
  let dispatched = 0;
  const firstDispatchAtMs = monotonicMs();
  while (dispatched < request.waiterKeys.length) {
    const end = Math.min(request.waiterKeys.length, dispatched + ARM_BATCH);
    for (; dispatched < end; dispatched++) {
      const key = request.waiterKeys[dispatched] as string;
      wait(dispatched, key, indexes.get(key) as number, request.wait, blocking);
    }
    // Let this batch connect and go out before the next one, so connects do not pile up.
    const deadline = monotonicMs() + BATCH_SETTLE_TIMEOUT_MS;
    while (blocking.stats.running + answers.length < dispatched && monotonicMs() < deadline) await sleep(10);
  }
  send({
    type: 'armed',
    dispatched,
    running: blocking.stats.running,
    connected: blocking.stats.connected,
    armMs: monotonicMs() - started,
    firstDispatchAtMs,
  });
}

process.on('message', (raw: unknown) => {
  const message = raw as ToClient;
  switch (message.type) {
    case 'arm':
      arm(message).catch((error: unknown) =>
        send({ type: 'error', message: error instanceof Error ? error.message : String(error) }),
      );
      break;
    case 'progress':
      send({ type: 'progress', answered: answers.length });
      break;
    case 'collect':
      send({ type: 'answers', answers });
      break;
    case 'close':
      void (pool?.destroy() ?? Promise.resolve()).finally(() => process.exit(0));
      break;
  }
});

// Never outlive the bench that started us.
process.on('disconnect', () => process.exit(0));
