/**
 * Blocking queries: run a read; if its index is not past the client's `index`, wait on the read's
 * watch set and run it again, until it moves or the wait runs out. A timeout is a normal answer with
 * the current data, as in Consul.
 *
 * A wait is one small state object parked in the watch hub (no async frames, timers or per-wait
 * option objects), since a server may hold tens of thousands of them.
 */
import type { StateStore } from './store.js';
import type { WaitTicket, WakeListener, WakeReason, WatchSpec } from './watch.js';

export interface QueryResult<T> {
  index: number;
  value: T;
  /** What this read covers; a write to any of it wakes the query. */
  watch: WatchSpec;
}

/** Something that says when the caller has gone away, such as an HTTP response's 'close'. */
export interface CloseEmitter {
  on(event: 'close', listener: () => void): unknown;
  off(event: 'close', listener: () => void): unknown;
}

export interface BlockingParams {
  /** The client's `?index`; 0 answers at once. */
  minIndex: number;
  /** Total time to wait, jitter included. */
  waitMs: number;
  signal?: AbortSignal;
  /** Stops waiting when this emits 'close' (lighter than a signal for HTTP responses). */
  closed?: CloseEmitter;
}

/** Bound on re-runs of one query (spurious wake-ups included), as a guard against a loop. */
const MAX_PASSES = 1_000_000;

class BlockingRun<T> implements WakeListener {
  private ticket: WaitTicket | undefined;
  private passes = 0;
  private readonly minIndex: number;
  private readonly deadline: number;
  private readonly signal: AbortSignal | undefined;
  private readonly closed: CloseEmitter | undefined;

  constructor(
    private readonly store: StateStore,
    params: BlockingParams,
    private readonly query: () => QueryResult<T>,
    private readonly now: () => number,
    private result: QueryResult<T>,
    private readonly resolve: (result: QueryResult<T>) => void,
    private readonly reject: (err: unknown) => void,
  ) {
    this.minIndex = params.minIndex;
    this.deadline = now() + params.waitMs;
    this.signal = params.signal;
    this.closed = params.closed;
  }

  readonly stop = (): void => {
    if (this.ticket) this.store.watch.cancel(this.ticket);
  };

  /** Start of the wait: parks, and listens for the caller going away. */
  start(): void {
    if (this.signal?.aborted) {
      this.resolve(this.result);
      return;
    }
    this.park();
    if (!this.ticket) return;
    this.signal?.addEventListener('abort', this.stop, { once: true });
    this.closed?.on('close', this.stop);
  }

  wake(reason: WakeReason): void {
    this.ticket = undefined;
    try {
      this.result = this.query();
    } catch (err) {
      this.finish(err);
      return;
    }
    if (reason !== 'changed' || this.result.index > this.minIndex) this.finish();
    else this.park();
  }

  /** Waits for the next change, or answers now when the time is up. */
  private park(): void {
    const remaining = this.deadline - this.now();
    if (remaining <= 0 || this.passes++ >= MAX_PASSES) {
      this.finish();
      return;
    }
    try {
      this.ticket = this.store.watch.park(this.result.watch, remaining, this);
    } catch (err) {
      this.finish(err);
    }
  }

  private finish(err?: unknown): void {
    this.signal?.removeEventListener('abort', this.stop);
    this.closed?.off('close', this.stop);
    if (err === undefined) this.resolve(this.result);
    else this.reject(err);
  }
}

/**
 * Runs `query`, waiting as params say, and hands the answer to `resolve` (or a failure to `reject`),
 * at once when it does not block. For callers that already hold a promise's resolvers.
 */
export function startBlockingQuery<T>(
  store: StateStore,
  params: BlockingParams,
  query: () => QueryResult<T>,
  resolve: (result: QueryResult<T>) => void,
  reject: (err: unknown) => void,
  now: () => number = Date.now,
): void {
  let result: QueryResult<T>;
  try {
    result = query();
  } catch (err) {
    reject(err);
    return;
  }
  if (params.minIndex <= 0 || result.index > params.minIndex) resolve(result);
  else new BlockingRun(store, params, query, now, result, resolve, reject).start();
}

export function runBlockingQuery<T>(
  store: StateStore,
  params: BlockingParams,
  query: () => QueryResult<T>,
  now: () => number = Date.now,
): Promise<QueryResult<T>> {
  return new Promise<QueryResult<T>>((resolve, reject) => {
    startBlockingQuery(store, params, query, resolve, reject, now);
  });
}
