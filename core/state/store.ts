/**
 * The in-memory state store: named tables of rows, each row stamped with the log index that created
 * and last modified it, plus a per-topic index so a blocking query knows the index of exactly what it
 * reads. Only the apply path writes (through onApply handlers); everything else reads.
 *
 * Topic names (one concept each; a write bumps every topic it changes):
 *   `nodes`                 the node list          `node/<name>`      one node, its services and checks
 *   `services`              the service list       `service/<name>`   one service's instances and health
 *   `checks`                any check              `kv/<key>`         one key (prefix waiters watch `kv/<prefix>`)
 *   `kv`                    any KV change (the table index, for missing keys and the root prefix)
 *   `sessions`, `session/<id>`, `acl`, `events` — for the plugins that own them.
 */
import { Table } from './table.js';
import { WatchHub } from './watch.js';

export interface RaftIndex {
  CreateIndex: number;
  ModifyIndex: number;
}

export interface StoreImage {
  lastIndex: number;
  topics: [string, number][];
  tables: Record<string, [string, unknown][]>;
}

export class StateStore {
  /** Index of the last applied log entry. */
  private appliedIndex = 0;
  private readonly tables = new Map<string, Table<unknown>>();
  private readonly topicIndexes = new Map<string, number>();
  private readonly pendingTopics = new Set<string>();
  readonly watch: WatchHub;

  constructor(opts: { maxWaiters?: number } = {}) {
    this.watch = new WatchHub(opts.maxWaiters);
  }

  get lastIndex(): number {
    return this.appliedIndex;
  }

  /** Returns the named table, creating it on first use. Row types are the owning plugin's business. */
  table<Row>(name: string): Table<Row> {
    let table = this.tables.get(name);
    if (!table) {
      table = new Table<unknown>(name);
      this.tables.set(name, table);
    }
    return table as Table<Row>;
  }

  tableNames(): string[] {
    return [...this.tables.keys()].sort();
  }

  /** Records that `topic` changed at `index`; its waiters fire when the entry finishes applying. */
  bump(topic: string, index: number): void {
    const previous = this.topicIndexes.get(topic) ?? 0;
    if (index > previous) this.topicIndexes.set(topic, index);
    this.pendingTopics.add(topic);
  }

  /** The highest index at which any of `topics` changed (0 if never). */
  topicIndex(...topics: string[]): number {
    let max = 0;
    for (const topic of topics) max = Math.max(max, this.topicIndexes.get(topic) ?? 0);
    return max;
  }

  /** Highest index of any topic under `prefix` (e.g. every key under a KV prefix, deletions included). */
  topicIndexUnder(prefix: string): number {
    let max = 0;
    for (const [topic, index] of this.topicIndexes) {
      if (index > max && topic.startsWith(prefix)) max = index;
    }
    return max;
  }

  /** Marks `index` applied and wakes the waiters of every topic bumped since the last call. */
  finishApply(index: number): void {
    if (index > this.appliedIndex) this.appliedIndex = index;
    if (this.pendingTopics.size === 0) return;
    const fired = [...this.pendingTopics];
    this.pendingTopics.clear();
    this.watch.fire(fired);
  }

  /** A plain image of the whole store, for snapshots. Rows must be msgpack-encodable data. */
  image(): StoreImage {
    const tables: Record<string, [string, unknown][]> = {};
    for (const [name, table] of this.tables) tables[name] = [...table.entries()];
    return { lastIndex: this.appliedIndex, topics: [...this.topicIndexes], tables };
  }

  /** Replaces everything with `image` and wakes every waiter, since any answer may have changed. */
  restore(image: StoreImage): void {
    this.tables.clear();
    this.topicIndexes.clear();
    this.pendingTopics.clear();
    for (const [name, rows] of Object.entries(image.tables)) {
      const table = this.table<unknown>(name);
      for (const [key, row] of rows) table.set(key, row);
    }
    for (const [topic, index] of image.topics) this.topicIndexes.set(topic, index);
    this.appliedIndex = image.lastIndex;
    this.watch.fireAll();
  }
}
