/**
 * The transmit-limited broadcast queue that feeds dissemination: every outgoing packet takes what fits
 * from it, least-transmitted first (oldest first among equals). A message is dropped once sent
 * `transmitLimit` times; queuing a message under a key drops the older one with the same key (a newer
 * alive/suspect/dead about one member supersedes the last); and the queue never holds more than its
 * depth, dropping the oldest messages first.
 */
import type { SimpleMessage } from './messages.js';
import { estimateSize } from './messages.js';

interface Item {
  readonly id: number;
  readonly key: string | undefined;
  readonly message: SimpleMessage;
  readonly size: number;
  transmits: number;
}

/** Stop scanning a take() once this little room is left, or after this many misfits. */
const MIN_USEFUL_BYTES = 8;
const MAX_SKIPPED_PER_TAKE = 256;

export class BroadcastQueue {
  private nextId = 0;
  /** Every queued item, oldest first (a Map keeps insertion order). */
  private readonly items = new Map<number, Item>();
  private readonly byKey = new Map<string, Item>();
  /** Items by how many times they were sent. */
  private readonly buckets: Set<Item>[] = [];
  private depth: number;

  constructor(maxDepth: number) {
    this.depth = Math.max(1, maxDepth);
  }

  get size(): number {
    return this.items.size;
  }

  get maxDepth(): number {
    return this.depth;
  }

  /** Changes the bound, dropping the oldest messages if the queue is now over it. */
  setMaxDepth(maxDepth: number): void {
    this.depth = Math.max(1, maxDepth);
    this.prune();
  }

  /** Queues a message; with a key, any queued message under the same key is dropped first. */
  push(message: SimpleMessage, key?: string): void {
    if (key !== undefined) {
      const older = this.byKey.get(key);
      if (older) this.remove(older);
    }
    const item: Item = { id: this.nextId++, key, message, size: estimateSize(message), transmits: 0 };
    this.items.set(item.id, item);
    if (key !== undefined) this.byKey.set(key, item);
    this.bucket(0).add(item);
    this.prune();
  }

  /** True when a message is queued under the key. */
  has(key: string): boolean {
    return this.byKey.has(key);
  }

  /**
   * Takes the messages that fit in `byteBudget` (each costing its size plus `overheadPerMessage`),
   * least-transmitted first, and counts one transmission for each; those that reach `transmitLimit`
   * leave the queue.
   */
  take(byteBudget: number, overheadPerMessage: number, transmitLimit: number): SimpleMessage[] {
    const chosen: Item[] = [];
    let remaining = byteBudget;
    let skipped = 0;
    scan: for (let transmits = 0; transmits < this.buckets.length; transmits++) {
      const bucket = this.buckets[transmits];
      if (!bucket || bucket.size === 0) continue;
      if (transmits >= transmitLimit) {
        // The limit fell (the group shrank): these have been sent enough.
        for (const item of [...bucket]) this.remove(item);
        continue;
      }
      for (const item of bucket) {
        if (remaining < MIN_USEFUL_BYTES || skipped > MAX_SKIPPED_PER_TAKE) break scan;
        const cost = item.size + overheadPerMessage;
        if (cost <= remaining) {
          chosen.push(item);
          remaining -= cost;
        } else {
          skipped++;
        }
      }
    }
    for (const item of chosen) {
      this.buckets[item.transmits]?.delete(item);
      item.transmits += 1;
      if (item.transmits >= transmitLimit) this.forget(item);
      else this.bucket(item.transmits).add(item);
    }
    return chosen.map((item) => item.message);
  }

  clear(): void {
    this.items.clear();
    this.byKey.clear();
    this.buckets.length = 0;
  }

  private bucket(transmits: number): Set<Item> {
    let bucket = this.buckets[transmits];
    if (!bucket) {
      for (let i = this.buckets.length; i <= transmits; i++) this.buckets.push(new Set());
      bucket = this.buckets[transmits] as Set<Item>;
    }
    return bucket;
  }

  private remove(item: Item): void {
    this.buckets[item.transmits]?.delete(item);
    this.forget(item);
  }

  private forget(item: Item): void {
    this.items.delete(item.id);
    if (item.key !== undefined && this.byKey.get(item.key) === item) this.byKey.delete(item.key);
  }

  private prune(): void {
    while (this.items.size > this.depth) {
      const oldest = this.items.values().next();
      if (oldest.done) return;
      this.remove(oldest.value);
    }
  }
}
