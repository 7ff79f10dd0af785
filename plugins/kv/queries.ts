/**
 * Pure reads over the KV tables, each returning what it read, the index of exactly that (Consul's
 * semantics) and the watch set a blocking query waits on. Used by the HTTP API; DNS and templates
 * may use them too.
 */
import type { QueryResult } from '../../core/state/blocking.js';
import type { StateStore } from '../../core/state/store.js';
import {
  type KvRow,
  type KvTombstone,
  keyTopic,
  TABLE_KV,
  TABLE_SESSION_KEYS,
  TABLE_TOMBSTONES,
  TOPIC_KV_TABLE,
} from './types.js';

/** A KVPair as the HTTP API prints it (Go field order; `Session` only while locked). */
export interface KvPairJson {
  LockIndex: number;
  Key: string;
  Flags: bigint;
  /** Standard padded base64; `null` when empty. */
  Value: string | null;
  Session?: string;
  CreateIndex: number;
  ModifyIndex: number;
}

export function toKvPair(row: KvRow, withValue = true): KvPairJson {
  const value =
    withValue && row.Value.length > 0
      ? Buffer.from(row.Value.buffer, row.Value.byteOffset, row.Value.byteLength).toString('base64')
      : null;
  // Two literals rather than a spread: this runs for every pair of every KV answer.
  if (row.Session) {
    return {
      LockIndex: row.LockIndex,
      Key: row.Key,
      Flags: BigInt(row.Flags),
      Value: value,
      Session: row.Session,
      CreateIndex: row.CreateIndex,
      ModifyIndex: row.ModifyIndex,
    };
  }
  return {
    LockIndex: row.LockIndex,
    Key: row.Key,
    Flags: BigInt(row.Flags),
    Value: value,
    CreateIndex: row.CreateIndex,
    ModifyIndex: row.ModifyIndex,
  };
}

/** The index of the whole KV table, deletions included. */
export function kvTableIndex(store: StateStore): number {
  return store.topicIndex(TOPIC_KV_TABLE);
}

/**
 * One key. Index: its ModifyIndex; when missing, the index it was deleted at, else the table's index
 * (as Consul). Watches only that key, so a waiter on a missing key wakes when it is created.
 */
export function getKey(store: StateStore, key: string): QueryResult<KvRow | undefined> {
  const row = store.table<KvRow>(TABLE_KV).get(key);
  const index =
    row?.ModifyIndex ?? store.table<KvTombstone>(TABLE_TOMBSTONES).get(key)?.Index ?? kvTableIndex(store);
  return { index, value: row, watch: { topics: [keyTopic(key)] } };
}

function indexUnder(store: StateStore, prefix: string, rows: readonly KvRow[]): number {
  // The root covers every key ever written: the table index is exact there.
  if (prefix === '') return kvTableIndex(store);
  let max = 0;
  for (const row of rows) if (row.ModifyIndex > max) max = row.ModifyIndex;
  for (const [, stone] of store.table<KvTombstone>(TABLE_TOMBSTONES).scanPrefix(prefix)) {
    if (stone.Index > max) max = stone.Index;
  }
  // Nothing under the prefix (or only reaped tombstones): Consul answers the table index.
  return max === 0 ? kvTableIndex(store) : max;
}

function rowsUnder(store: StateStore, prefix: string): KvRow[] {
  return [...store.table<KvRow>(TABLE_KV).scanPrefix(prefix)].map(([, row]) => row);
}

/** Max ModifyIndex under `prefix`, deletions included, so a delete moves it. */
export function prefixIndex(store: StateStore, prefix: string): number {
  return indexUnder(store, prefix, rowsUnder(store, prefix));
}

/** Every pair under `prefix`, in key order. */
export function listPrefix(store: StateStore, prefix: string): QueryResult<KvRow[]> {
  const rows = rowsUnder(store, prefix);
  return { index: indexUnder(store, prefix, rows), value: rows, watch: { prefixes: [keyTopic(prefix)] } };
}

/**
 * Key names under `prefix`; with a separator, deeper keys fold into `prefix…separator` (once each),
 * as `?keys&separator=/` does.
 */
export function listKeys(store: StateStore, prefix: string, separator = ''): QueryResult<string[]> {
  const rows = rowsUnder(store, prefix);
  const keys: string[] = [];
  const seen = new Set<string>();
  for (const { Key } of rows) {
    const cut = separator === '' ? -1 : Key.indexOf(separator, prefix.length);
    if (cut < 0) {
      keys.push(Key);
      continue;
    }
    const folded = Key.slice(0, cut + separator.length);
    if (!seen.has(folded)) {
      seen.add(folded);
      keys.push(folded);
    }
  }
  return { index: indexUnder(store, prefix, rows), value: keys, watch: { prefixes: [keyTopic(prefix)] } };
}

/** The keys `session` holds a lock on, in key order. */
export function keysHeldBySession(store: StateStore, session: string): string[] {
  return [...store.table<string>(TABLE_SESSION_KEYS).scanPrefix(`${session}\u0000`)].map(([, key]) => key);
}
