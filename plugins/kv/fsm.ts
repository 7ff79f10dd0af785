/**
 * The KV state machine: what each operation does to the store, written once against a `KvView` so
 * that single-key commands (applied straight to the store) and transactions (applied to an overlay,
 * committed only if every operation succeeds) share the exact same semantics. Everything here is a
 * deterministic function of (store, command, index, leader time).
 *
 * Consul behaviours reproduced on purpose:
 * - A write whose entry equals the stored one (flags, value, session, lock index) changes nothing:
 *   the ModifyIndex stays and no watcher wakes.
 * - A plain set stores LockIndex 0 (the write carries none) but keeps the current lock holder.
 * - `delete-cas` on a missing key succeeds; `cas` with index 0 means "create only".
 */
import type { ApplyContext, Command } from '../../core/hooks.js';
import type { StateStore } from '../../core/state/store.js';
import type { Table } from '../../core/state/table.js';
import { keysHeldBySession } from './queries.js';
import {
  KV_COMMANDS,
  type KvApplyResult,
  type KvLockDelay,
  type KvOp,
  type KvOpCommand,
  type KvOpOutcome,
  type KvRow,
  type KvTombstone,
  type KvTxnResult,
  keyTopic,
  TABLE_KV,
  TABLE_LOCK_DELAY,
  TABLE_SESSION_KEYS,
  TABLE_SESSIONS,
  TABLE_TOMBSTONE_ORDER,
  TABLE_TOMBSTONES,
  TOPIC_KV_TABLE,
} from './types.js';

/**
 * Tombstones kept per store. They are reaped by count, in apply, oldest first: deterministic on
 * every server without a leader timer or an extra command, and bounded whatever the delete rate.
 * Reaping only makes a prefix's index fall back (to its newest live key, or to the table index when
 * nothing is left under it) — the same "index may go backwards" clients already handle after
 * Consul's own tombstone GC.
 */
export const TOMBSTONE_LIMIT = 10_000;

/** What an operation may read and write. */
export interface KvView {
  get(key: string): KvRow | undefined;
  /** Live keys starting with `prefix`, sorted. */
  keysUnder(prefix: string): string[];
  write(row: KvRow): void;
  /** Deletes `key` (if present) and records a tombstone. */
  remove(key: string): void;
  sessionExists(session: string): boolean;
  /** Leader time (ms) before which `key` cannot be locked; 0 when none. */
  lockDelayUntil(key: string): number;
}

export interface ApplyAt {
  readonly index: number;
  readonly time: number;
}

const sessionKey = (session: string, key: string): string => `${session}\u0000${key}`;
const orderKey = (stone: KvTombstone): string => `${String(stone.Index).padStart(16, '0')}\u0000${stone.Key}`;

/** Writes straight into the store at one log index, keeping tombstones, the session index and topics. */
export class StoreKvView implements KvView {
  private readonly rows: Table<KvRow>;
  private readonly tombstones: Table<KvTombstone>;
  private readonly order: Table<string>;
  private readonly sessionKeys: Table<string>;

  constructor(
    private readonly store: StateStore,
    private readonly index: number,
    private readonly tombstoneLimit = TOMBSTONE_LIMIT,
  ) {
    this.rows = store.table<KvRow>(TABLE_KV);
    this.tombstones = store.table<KvTombstone>(TABLE_TOMBSTONES);
    this.order = store.table<string>(TABLE_TOMBSTONE_ORDER);
    this.sessionKeys = store.table<string>(TABLE_SESSION_KEYS);
  }

  get(key: string): KvRow | undefined {
    return this.rows.get(key);
  }

  keysUnder(prefix: string): string[] {
    return [...this.rows.keysWithPrefix(prefix)];
  }

  sessionExists(session: string): boolean {
    return this.store.table<unknown>(TABLE_SESSIONS).has(session);
  }

  lockDelayUntil(key: string): number {
    return this.store.table<KvLockDelay>(TABLE_LOCK_DELAY).get(key)?.Until ?? 0;
  }

  write(row: KvRow): void {
    const previous = this.rows.get(row.Key);
    if (previous === row) return;
    this.rows.set(row.Key, row);
    if (previous?.Session !== row.Session) {
      if (previous?.Session) this.sessionKeys.delete(sessionKey(previous.Session, row.Key));
      if (row.Session) this.sessionKeys.set(sessionKey(row.Session, row.Key), row.Key);
    }
    if (!previous) this.dropTombstone(row.Key);
    this.bump(row.Key);
  }

  remove(key: string): void {
    const previous = this.rows.get(key);
    if (previous) {
      this.rows.delete(key);
      if (previous.Session) this.sessionKeys.delete(sessionKey(previous.Session, key));
    }
    this.dropTombstone(key);
    const stone: KvTombstone = { Key: key, Index: this.index };
    this.tombstones.set(key, stone);
    this.order.set(orderKey(stone), key);
    this.reapTombstones();
    this.bump(key);
  }

  private dropTombstone(key: string): void {
    const stone = this.tombstones.get(key);
    if (!stone) return;
    this.tombstones.delete(key);
    this.order.delete(orderKey(stone));
  }

  private reapTombstones(): void {
    for (let guard = 0; this.tombstones.size > this.tombstoneLimit && guard < 1_000_000; guard++) {
      const oldest = this.order.entries().next();
      if (oldest.done) return;
      const [ordered, key] = oldest.value;
      this.order.delete(ordered);
      this.tombstones.delete(key);
    }
  }

  private bump(key: string): void {
    this.store.bump(keyTopic(key), this.index);
    this.store.bump(TOPIC_KV_TABLE, this.index);
  }
}

function quote(text: string): string {
  return JSON.stringify(text);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Consul's DirEntry equality: what a client can see apart from the indexes. */
function sameContent(a: KvRow, b: KvRow): boolean {
  return (
    a.Key === b.Key &&
    a.LockIndex === b.LockIndex &&
    a.Flags === b.Flags &&
    (a.Session ?? '') === (b.Session ?? '') &&
    sameBytes(a.Value, b.Value)
  );
}

function makeRow(
  op: KvOp,
  fields: { CreateIndex: number; ModifyIndex: number; LockIndex: number; Session: string | undefined },
): KvRow {
  const row: KvRow = {
    Key: op.key,
    CreateIndex: fields.CreateIndex,
    ModifyIndex: fields.ModifyIndex,
    LockIndex: fields.LockIndex,
    Flags: op.flags,
    Value: op.value,
  };
  return fields.Session ? { ...row, Session: fields.Session } : row;
}

/** Stores `candidate` unless it equals `existing`; returns the entry now in the store. */
function storeEntry(view: KvView, candidate: KvRow, existing: KvRow | undefined): KvRow {
  if (existing && sameContent(existing, candidate)) return existing;
  view.write(candidate);
  return candidate;
}

const ok = (results: readonly KvTxnResult[] = []): KvOpOutcome => ({ kind: 'ok', results });
const failed = (reason: string): KvOpOutcome => ({ kind: 'failed', reason });
const error = (reason: string): KvOpOutcome => ({ kind: 'error', reason });
const written = (row: KvRow): KvOpOutcome => ok([{ row, withValue: false }]);

function setKey(view: KvView, op: KvOp, at: ApplyAt, existing: KvRow | undefined): KvOpOutcome {
  const row = makeRow(op, {
    CreateIndex: existing?.CreateIndex ?? at.index,
    ModifyIndex: at.index,
    LockIndex: 0,
    Session: existing?.Session,
  });
  return written(storeEntry(view, row, existing));
}

function casKey(view: KvView, op: KvOp, at: ApplyAt, existing: KvRow | undefined): KvOpOutcome {
  const stale =
    (op.index === 0 && existing !== undefined) ||
    (op.index !== 0 && (existing === undefined || existing.ModifyIndex !== op.index));
  if (stale) return failed(`failed to set key ${quote(op.key)}, index is stale`);
  return setKey(view, op, at, existing);
}

function lockKey(view: KvView, op: KvOp, at: ApplyAt, existing: KvRow | undefined): KvOpOutcome {
  // Consul enforces the lock delay on the leader before the entry is committed; the leader's time
  // stamped on the entry gives the same answer on every server.
  if (at.time < view.lockDelayUntil(op.key)) {
    return failed(`failed to lock key ${quote(op.key)} due to lock delay`);
  }
  if (op.session === '') return error('missing session');
  if (!view.sessionExists(op.session)) return error(`invalid session ${quote(op.session)}`);
  let lockIndex = 1;
  if (existing) {
    if (existing.Session === op.session) lockIndex = existing.LockIndex;
    else if (existing.Session) return failed(`failed to lock key ${quote(op.key)}, lock is already held`);
    else lockIndex = existing.LockIndex + 1;
  }
  const row = makeRow(op, {
    CreateIndex: existing?.CreateIndex ?? at.index,
    ModifyIndex: at.index,
    LockIndex: lockIndex,
    Session: op.session,
  });
  return written(storeEntry(view, row, existing));
}

function unlockKey(view: KvView, op: KvOp, at: ApplyAt, existing: KvRow | undefined): KvOpOutcome {
  if (op.session === '') return error('missing session');
  if (!existing || existing.Session !== op.session) {
    return failed(`failed to unlock key ${quote(op.key)}, lock isn't held, or is held by another session`);
  }
  const row = makeRow(op, {
    CreateIndex: existing.CreateIndex,
    ModifyIndex: at.index,
    LockIndex: existing.LockIndex,
    Session: undefined,
  });
  return written(storeEntry(view, row, existing));
}

function readOp(view: KvView, op: KvOp, existing: KvRow | undefined): KvOpOutcome {
  const key = quote(op.key);
  switch (op.verb) {
    case 'get':
      return existing ? ok([{ row: existing, withValue: true }]) : failed(`key ${key} doesn't exist`);
    case 'get-or-empty':
      return ok([{ row: existing ?? emptyEntry(op), withValue: true }]);
    case 'get-tree':
      return ok(view.keysUnder(op.key).map((k) => ({ row: view.get(k)!, withValue: true })));
    case 'check-index':
      if (!existing) return failed(`failed to check index, key ${key} doesn't exist`);
      if (existing.ModifyIndex !== op.index) {
        return failed(
          `failed index check for key ${key}, current modify index ${existing.ModifyIndex} != ${op.index}`,
        );
      }
      return written(existing);
    case 'check-session':
      if (!existing) return failed(`failed to check session, key ${key} doesn't exist`);
      if ((existing.Session ?? '') !== op.session) {
        return failed(
          `failed session check for key ${key}, current session ${quote(existing.Session ?? '')} != ${quote(op.session)}`,
        );
      }
      return written(existing);
    case 'check-not-exists':
      return existing ? failed(`key ${key} exists`) : ok();
    default:
      return error(`unknown KV verb ${quote(op.verb)}`);
  }
}

/** `get-or-empty` on a missing key answers the request's own entry with no value. */
function emptyEntry(op: KvOp): KvRow {
  const row: KvRow = {
    Key: op.key,
    CreateIndex: 0,
    ModifyIndex: op.index,
    LockIndex: 0,
    Flags: op.flags,
    Value: new Uint8Array(0),
  };
  return op.session ? { ...row, Session: op.session } : row;
}

/** Runs one operation against `view`. Never throws for a bad request: that is an `error` outcome. */
export function executeOp(view: KvView, op: KvOp, at: ApplyAt): KvOpOutcome {
  const existing = view.get(op.key);
  switch (op.verb) {
    case 'set':
      return setKey(view, op, at, existing);
    case 'cas':
      return casKey(view, op, at, existing);
    case 'lock':
      return lockKey(view, op, at, existing);
    case 'unlock':
      return unlockKey(view, op, at, existing);
    case 'delete':
      if (existing) view.remove(op.key);
      return ok();
    case 'delete-cas':
      if (!existing) return ok();
      if (existing.ModifyIndex !== op.index)
        return failed(`failed to delete key ${quote(op.key)}, index is stale`);
      view.remove(op.key);
      return ok();
    case 'delete-tree':
      for (const key of view.keysUnder(op.key)) view.remove(key);
      return ok();
    default:
      return readOp(view, op, existing);
  }
}

function isUint8Array(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array;
}

/** Narrows a decoded log entry's operation; a malformed one is a broken invariant. */
export function asKvOp(value: unknown): KvOp {
  const op = value as Partial<Record<keyof KvOp, unknown>> | null;
  if (
    typeof op !== 'object' ||
    op === null ||
    typeof op.verb !== 'string' ||
    typeof op.key !== 'string' ||
    !isUint8Array(op.value) ||
    typeof op.flags !== 'string' ||
    typeof op.index !== 'number' ||
    typeof op.session !== 'string'
  ) {
    throw new Error('malformed KV operation in the log');
  }
  // A decoded log entry's bytes may be a view into a buffer the log reuses: rows keep their own copy.
  return { ...(op as KvOp), value: new Uint8Array(op.value) };
}

/** Apply handler of the single-key commands (`kv.set`, `kv.cas`, … — the type names the verb). */
export function applyKvOpCommand(store: StateStore, command: Command, ctx: ApplyContext): KvApplyResult {
  const op = asKvOp((command as Partial<KvOpCommand>).op);
  if (command.type !== `kv.${op.verb}` || !(KV_COMMANDS as readonly string[]).includes(command.type)) {
    throw new Error(`command ${command.type} carries a '${op.verb}' operation`);
  }
  // Consul refuses a keyless write before it reaches raft; the HTTP API never proposes one.
  if (op.key === '' && op.verb !== 'delete-tree') return { error: 'Must provide key' };
  const outcome = executeOp(new StoreKvView(store, ctx.index), op, ctx);
  if (outcome.kind === 'error') return { error: outcome.reason };
  return outcome.kind === 'ok';
}

/**
 * For the session plugin, inside the apply of the command that invalidates `session`: releases
 * (`release`) or deletes (`delete`) every key it holds, and keeps those keys from being locked again
 * for `lockDelayMs` after the entry's leader time.
 */
export function invalidateSessionKeys(
  store: StateStore,
  at: ApplyAt,
  session: string,
  behavior: 'release' | 'delete',
  lockDelayMs: number,
): void {
  const held = keysHeldBySession(store, session);
  const delays = store.table<KvLockDelay>(TABLE_LOCK_DELAY);
  for (const [key, delay] of [...delays.entries()]) if (delay.Until <= at.time) delays.delete(key);
  const view = new StoreKvView(store, at.index);
  for (const key of held) {
    if (lockDelayMs > 0) delays.set(key, { Key: key, Until: at.time + lockDelayMs });
    const row = view.get(key);
    if (!row) continue;
    if (behavior === 'delete') {
      view.remove(key);
      continue;
    }
    const { Session: _released, ...unlocked } = row;
    view.write({ ...unlocked, ModifyIndex: at.index });
  }
}
