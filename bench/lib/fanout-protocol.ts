/**
 * Messages between bench/blocking-fanout.ts and its waiter process (bench/lib/fanout-client.ts),
 * over the Node IPC channel. Times are CLOCK_MONOTONIC milliseconds (process.hrtime), which is
 * one clock for every process on the machine, so the two sides' stamps can be subtracted.
 */

export interface ArmRequest {
  type: 'arm';
  baseUrl: string;
  /** The key each waiter blocks on (waiter i waits on waiterKeys[i]). */
  waiterKeys: string[];
  /** Blocking wait, Go duration syntax (`60s`). */
  wait: string;
}

export type ToClient = ArmRequest | { type: 'progress' } | { type: 'collect' } | { type: 'close' };

export interface Armed {
  type: 'armed';
  /** Blocking requests sent. */
  dispatched: number;
  /** Requests in flight on a socket when arming ended (undici pool stats). */
  running: number;
  connected: number;
  armMs: number;
  /** When the first blocking request was sent (its wait runs out `wait` later). */
  firstDispatchAtMs: number;
}

export interface Answer {
  waiter: number;
  status: number;
  /** The index the waiter blocked with, and the X-Consul-Index it got back. */
  requestedIndex: number;
  index: number;
  atMs: number;
  error?: string;
}

export type FromClient =
  | Armed
  | { type: 'progress'; answered: number }
  | { type: 'answers'; answers: Answer[] }
  | { type: 'error'; message: string };

export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
