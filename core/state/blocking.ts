/**
 * Blocking queries: run a read; if its index is not past the client's `index`, wait on the read's
 * watch set and run it again, until it moves or the wait runs out. A timeout is a normal answer with
 * the current data, as in Consul.
 */
import type { StateStore } from './store.js';
import type { WatchSpec } from './watch.js';

export interface QueryResult<T> {
  index: number;
  value: T;
  /** What this read covers; a write to any of it wakes the query. */
  watch: WatchSpec;
}

export interface BlockingParams {
  /** The client's `?index`; 0 answers at once. */
  minIndex: number;
  /** Total time to wait, jitter included. */
  waitMs: number;
  signal?: AbortSignal;
}

export async function runBlockingQuery<T>(
  store: StateStore,
  params: BlockingParams,
  query: () => QueryResult<T>,
  now: () => number = Date.now,
): Promise<QueryResult<T>> {
  let result = query();
  if (params.minIndex <= 0) return result;
  const deadline = now() + params.waitMs;
  // Each pass either returns or waits; a wait ends by a change, the deadline or an abort.
  for (let pass = 0; pass < 1_000_000; pass++) {
    if (result.index > params.minIndex) return result;
    const remaining = deadline - now();
    if (remaining <= 0) return result;
    const reason = await store.watch.wait(result.watch, remaining, params.signal);
    result = query();
    if (reason !== 'changed') return result;
  }
  return result;
}
