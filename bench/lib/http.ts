/** Small HTTP helpers for setting peers up (not for measuring: wrk does that). */
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool, request } from 'undici';

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export async function httpCall(
  url: string,
  init: {
    method?: string;
    body?: string | Buffer;
    headers?: Record<string, string>;
    timeoutMs?: number;
  } = {},
): Promise<HttpAnswer> {
  const timeoutMs = init.timeoutMs ?? 5000;
  const res = await request(url, {
    method: (init.method ?? 'GET') as 'GET',
    body: init.body,
    headers: init.headers,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

/** A port the kernel just handed out on 127.0.0.1 (free now; the caller binds it right away). */
export async function freePort(): Promise<number> {
  return await new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Polls `probe` every intervalMs until it returns true, `abort` returns a reason, or timeoutMs
 * passes. Returns undefined on success, else why it gave up.
 */
export async function pollUntil(
  probe: () => Promise<boolean>,
  options: { timeoutMs: number; intervalMs?: number; abort?: () => string | undefined },
): Promise<string | undefined> {
  const deadline = performance.now() + options.timeoutMs;
  let lastError = '';
  while (performance.now() < deadline) {
    const aborted = options.abort?.();
    if (aborted) return aborted;
    try {
      if (await probe()) return undefined;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    await sleep(options.intervalMs ?? 100);
  }
  return `not ready after ${options.timeoutMs} ms${lastError ? ` (last error: ${lastError})` : ''}`;
}

export interface WriteSpec {
  method: 'PUT' | 'POST';
  path: string;
  body: string | Buffer;
  contentType: string;
}

/** Sends the writes with `concurrency` in flight; throws on the first non-2xx answer. */
export async function sendAll(
  baseUrl: string,
  writes: readonly WriteSpec[],
  concurrency = 32,
): Promise<void> {
  const pool = new Pool(baseUrl, { connections: concurrency });
  let next = 0;
  const worker = async () => {
    while (next < writes.length) {
      const write = writes[next++] as WriteSpec;
      const res = await pool.request({
        method: write.method,
        path: write.path,
        body: write.body,
        headers: { 'content-type': write.contentType },
      });
      const text = await res.body.text();
      if (res.statusCode >= 300) throw new Error(`${write.method} ${write.path}: ${res.statusCode} ${text}`);
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    await pool.close();
  }
}
