/**
 * Watch sets for blocking queries. A waiter names the exact topics it covers (`kv/web/config`,
 * `service/web`, `nodes`) and the topic prefixes (`kv/web/`); a write fires only the topics it touched,
 * so it wakes only the waiters that cover them, never all of them.
 *
 * Tens of thousands of waiters may be parked at once, so a waiter is one small object: no closures,
 * no timer of its own (one hub timer serves the earliest deadline of a heap), and a topic watched by
 * one waiter maps to that waiter directly rather than to a one-element Set.
 */
import { TribuneError } from '../errors.js';
import { DeadlineHeap, type HeapItem } from './deadline-heap.js';

export interface WatchSpec {
  readonly topics?: readonly string[];
  readonly prefixes?: readonly string[];
}

export type WakeReason = 'changed' | 'timeout' | 'aborted';

/** Who hears about a wake: an object with a method, so that parking allocates no closure. */
export interface WakeListener {
  wake(reason: WakeReason): void;
}

/** A parked waiter, as park() hands it out: pass it to cancel() to end the wait early. */
export type WaitTicket = object;

const NO_NAMES: readonly string[] = [];
/** Node timers may fire up to a millisecond before the deadline they were armed for. */
const TIMER_SLACK_MS = 1;
/** Node treats a longer delay as 1 ms; a later deadline is re-armed when this one fires. */
const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

class Waiter implements HeapItem {
  heapIndex = -1;
  constructor(
    readonly topics: readonly string[],
    readonly prefixes: readonly string[],
    readonly deadline: number,
    readonly listener: WakeListener,
  ) {}
}

/** A topic's waiters: the lone waiter itself (the usual case), or a Set once there are several. */
type Watchers = Waiter | Set<Waiter>;

function addTo(index: Map<string, Watchers>, key: string, waiter: Waiter): void {
  const current = index.get(key);
  if (current === undefined) index.set(key, waiter);
  else if (current instanceof Set) current.add(waiter);
  else index.set(key, new Set([current, waiter]));
}

function removeFrom(index: Map<string, Watchers>, key: string, waiter: Waiter): void {
  const current = index.get(key);
  if (current === waiter) index.delete(key);
  else if (current instanceof Set) {
    current.delete(waiter);
    if (current.size === 0) index.delete(key);
  }
}

function collect(watchers: Watchers | undefined, into: Waiter[]): void {
  if (watchers === undefined) return;
  if (watchers instanceof Set) for (const waiter of watchers) into.push(waiter);
  else into.push(watchers);
}

/** Resolves a wait() promise, and stops listening to its signal. */
class SignalledWait implements WakeListener {
  ticket: WaitTicket | undefined;
  constructor(
    private readonly hub: WatchHub,
    private readonly resolve: (reason: WakeReason) => void,
    private readonly signal: AbortSignal | undefined,
  ) {}

  readonly onAbort = (): void => {
    if (this.ticket) this.hub.cancel(this.ticket);
  };

  wake(reason: WakeReason): void {
    this.signal?.removeEventListener('abort', this.onAbort);
    this.resolve(reason);
  }
}

export class WatchHub {
  private readonly exact = new Map<string, Watchers>();
  private readonly prefix = new Map<string, Watchers>();
  private readonly deadlines = new DeadlineHeap<Waiter>();
  private timer: NodeJS.Timeout | undefined;
  private timerDue = Number.POSITIVE_INFINITY;

  /**
   * @param maxWaiters bound on concurrent waiters; past it a wait is refused rather than queued.
   * @param clock monotonic milliseconds (injectable for tests).
   */
  constructor(
    private readonly maxWaiters = 200_000,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  get waiterCount(): number {
    return this.deadlines.size;
  }

  /** Resolves when a covered topic fires, when `timeoutMs` passes, or when `signal` aborts. */
  wait(spec: WatchSpec, timeoutMs: number, signal?: AbortSignal): Promise<WakeReason> {
    if (signal?.aborted) return Promise.resolve('aborted');
    return new Promise<WakeReason>((resolve, reject) => {
      const waiting = new SignalledWait(this, resolve, signal);
      try {
        waiting.ticket = this.park(spec, timeoutMs, waiting);
      } catch (err) {
        reject(err);
        return;
      }
      signal?.addEventListener('abort', waiting.onAbort, { once: true });
    });
  }

  /**
   * Parks `listener` until a covered topic fires ('changed'), `timeoutMs` passes ('timeout') or
   * cancel() ('aborted'); it hears exactly one wake. Throws RATE_LIMITED when the hub is full.
   */
  park(spec: WatchSpec, timeoutMs: number, listener: WakeListener): WaitTicket {
    if (this.deadlines.size >= this.maxWaiters) {
      throw new TribuneError('RATE_LIMITED', 'Too many blocking queries in progress');
    }
    const waiter = new Waiter(
      spec.topics ?? NO_NAMES,
      spec.prefixes ?? NO_NAMES,
      this.clock() + Math.max(0, timeoutMs),
      listener,
    );
    for (const topic of waiter.topics) addTo(this.exact, topic, waiter);
    for (const prefix of waiter.prefixes) addTo(this.prefix, prefix, waiter);
    this.deadlines.push(waiter);
    if (waiter.deadline < this.timerDue) this.armTimer(waiter.deadline);
    return waiter;
  }

  /** Ends a parked wait with 'aborted'; nothing happens if it already ended. */
  cancel(ticket: WaitTicket): void {
    if (ticket instanceof Waiter) this.wake(ticket, 'aborted');
  }

  /** Wakes the waiters covering any of `topics`: exact matches, and prefixes of each topic. */
  fire(topics: Iterable<string>): void {
    const woken: Waiter[] = [];
    for (const topic of topics) {
      collect(this.exact.get(topic), woken);
      if (this.prefix.size === 0) continue;
      for (let end = 0; end <= topic.length; end++) collect(this.prefix.get(topic.slice(0, end)), woken);
    }
    for (const waiter of woken) this.wake(waiter, 'changed');
  }

  /** Wakes every waiter (snapshot restore: every answer may have changed). */
  fireAll(): void {
    for (const waiter of this.deadlines.items()) this.wake(waiter, 'changed');
  }

  private wake(waiter: Waiter, reason: WakeReason): void {
    if (!this.deadlines.remove(waiter)) return;
    for (const topic of waiter.topics) removeFrom(this.exact, topic, waiter);
    for (const prefix of waiter.prefixes) removeFrom(this.prefix, prefix, waiter);
    if (this.deadlines.size === 0) this.disarmTimer();
    waiter.listener.wake(reason);
  }

  private armTimer(due: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timerDue = due;
    const delay = Math.min(MAX_TIMER_DELAY_MS, Math.max(1, Math.ceil(due - this.clock())));
    this.timer = setTimeout(this.onTimer, delay);
  }

  private disarmTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerDue = Number.POSITIVE_INFINITY;
  }

  private readonly onTimer = (): void => {
    this.timer = undefined;
    this.timerDue = Number.POSITIVE_INFINITY;
    const now = this.clock() + TIMER_SLACK_MS;
    for (let next = this.deadlines.peek(); next && next.deadline <= now; next = this.deadlines.peek()) {
      this.wake(next, 'timeout');
    }
    const next = this.deadlines.peek();
    if (next && !this.timer) this.armTimer(next.deadline);
  };
}
