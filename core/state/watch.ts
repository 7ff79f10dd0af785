/**
 * Watch sets for blocking queries. A waiter names the exact topics it covers (`kv/web/config`,
 * `service/web`, `nodes`) and the topic prefixes (`kv/web/`); a write fires only the topics it touched,
 * so it wakes only the waiters that cover them, never all of them.
 */
import { TribuneError } from '../errors.js';

export interface WatchSpec {
  readonly topics?: readonly string[];
  readonly prefixes?: readonly string[];
}

export type WakeReason = 'changed' | 'timeout' | 'aborted';

interface Waiter {
  readonly topics: readonly string[];
  readonly prefixes: readonly string[];
  wake(reason: WakeReason): void;
}

function addTo(index: Map<string, Set<Waiter>>, key: string, waiter: Waiter): void {
  let set = index.get(key);
  if (!set) {
    set = new Set();
    index.set(key, set);
  }
  set.add(waiter);
}

function removeFrom(index: Map<string, Set<Waiter>>, key: string, waiter: Waiter): void {
  const set = index.get(key);
  if (!set) return;
  set.delete(waiter);
  if (set.size === 0) index.delete(key);
}

export class WatchHub {
  private readonly exact = new Map<string, Set<Waiter>>();
  private readonly prefix = new Map<string, Set<Waiter>>();
  private readonly all = new Set<Waiter>();

  /** @param maxWaiters bound on concurrent waiters; past it a wait is refused rather than queued. */
  constructor(private readonly maxWaiters = 200_000) {}

  get waiterCount(): number {
    return this.all.size;
  }

  /** Resolves when a covered topic fires, when `timeoutMs` passes, or when `signal` aborts. */
  wait(spec: WatchSpec, timeoutMs: number, signal?: AbortSignal): Promise<WakeReason> {
    if (signal?.aborted) return Promise.resolve('aborted');
    if (this.all.size >= this.maxWaiters) {
      return Promise.reject(new TribuneError('RATE_LIMITED', 'Too many blocking queries in progress'));
    }
    return new Promise<WakeReason>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const onAbort = () => waiter.wake('aborted');
      const waiter: Waiter = {
        topics: spec.topics ?? [],
        prefixes: spec.prefixes ?? [],
        wake: (reason) => {
          if (!this.all.delete(waiter)) return;
          for (const topic of waiter.topics) removeFrom(this.exact, topic, waiter);
          for (const prefix of waiter.prefixes) removeFrom(this.prefix, prefix, waiter);
          if (timer) clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          resolve(reason);
        },
      };
      this.all.add(waiter);
      for (const topic of waiter.topics) addTo(this.exact, topic, waiter);
      for (const prefix of waiter.prefixes) addTo(this.prefix, prefix, waiter);
      timer = setTimeout(() => waiter.wake('timeout'), Math.max(0, timeoutMs));
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Wakes the waiters covering any of `topics`: exact matches, and prefixes of each topic. */
  fire(topics: Iterable<string>): void {
    const woken: Waiter[] = [];
    for (const topic of topics) {
      const exact = this.exact.get(topic);
      if (exact) woken.push(...exact);
      if (this.prefix.size === 0) continue;
      for (let end = 0; end <= topic.length; end++) {
        const set = this.prefix.get(topic.slice(0, end));
        if (set) woken.push(...set);
      }
    }
    for (const waiter of woken) waiter.wake('changed');
  }

  /** Wakes every waiter (snapshot restore: every answer may have changed). */
  fireAll(): void {
    for (const waiter of [...this.all]) waiter.wake('changed');
  }
}
