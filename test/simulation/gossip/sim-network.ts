/**
 * The simulated network: per-packet loss and duplication (datagrams only), delay with jitter (so
 * packets reorder), partitions between groups, and one-way cuts. Streams (reliable packets) are never
 * lost or duplicated, only delayed, but a partition stops them too. Every decision draws on the
 * simulation's one seeded PRNG.
 */
import type { Random } from '../../../plugins/gossip/core/prng.js';

export interface NetworkFaults {
  /** Probability that a datagram is lost. */
  lossRate: number;
  /** Probability that a delivered datagram is delivered twice. */
  duplicateRate: number;
  minDelayMs: number;
  maxDelayMs: number;
}

export const CLEAN_NETWORK: NetworkFaults = { lossRate: 0, duplicateRate: 0, minDelayMs: 1, maxDelayMs: 5 };

export interface NetworkCounters {
  sent: number;
  lost: number;
  partitioned: number;
  duplicated: number;
}

export class SimNetwork {
  faults: NetworkFaults;
  readonly counters: NetworkCounters = { sent: 0, lost: 0, partitioned: 0, duplicated: 0 };
  private groups = new Map<string, number>();
  private readonly cuts = new Set<string>();

  constructor(
    private readonly random: Random,
    faults: NetworkFaults = CLEAN_NETWORK,
  ) {
    this.faults = faults;
  }

  /** Splits the network: addresses in different groups cannot reach each other; unlisted ones reach all. */
  partition(groups: readonly (readonly string[])[]): void {
    this.groups = new Map();
    groups.forEach((group, index) => {
      for (const address of group) this.groups.set(address, index);
    });
  }

  heal(): void {
    this.groups = new Map();
    this.cuts.clear();
  }

  /** Drops everything from one address to another (one way). */
  cut(from: string, to: string): void {
    this.cuts.add(`${from}>${to}`);
  }

  reachable(from: string, to: string): boolean {
    if (this.cuts.has(`${from}>${to}`)) return false;
    const a = this.groups.get(from);
    const b = this.groups.get(to);
    return a === undefined || b === undefined || a === b;
  }

  /** The delays at which copies of a packet arrive: none when it is lost. */
  deliveries(from: string, to: string, reliable: boolean): number[] {
    this.counters.sent += 1;
    if (!this.reachable(from, to)) {
      this.counters.partitioned += 1;
      return [];
    }
    if (!reliable && this.random() < this.faults.lossRate) {
      this.counters.lost += 1;
      return [];
    }
    const delays = [this.delay()];
    if (!reliable && this.random() < this.faults.duplicateRate) {
      this.counters.duplicated += 1;
      delays.push(this.delay());
    }
    return delays;
  }

  private delay(): number {
    const { minDelayMs, maxDelayMs } = this.faults;
    return minDelayMs + Math.floor(this.random() * (maxDelayMs - minDelayMs + 1));
  }
}
