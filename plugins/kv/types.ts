/**
 * The KV store's data: rows as the state store keeps them, the operations that change them (one
 * shape for the single-key commands and for transactions) and their outcomes.
 */

/** One key in table `kv`. Rows are immutable: every change stores a new object. */
export interface KvRow {
  readonly Key: string;
  readonly CreateIndex: number;
  readonly ModifyIndex: number;
  readonly LockIndex: number;
  /** uint64 as canonical decimal text: exact beyond 2^53 and plain data for msgpack. */
  readonly Flags: string;
  readonly Value: Uint8Array;
  /** The session holding the lock; absent when unlocked. */
  readonly Session?: string;
}

/** Table `kv_tombstones`: the index at which a key was deleted, so prefix indexes move on deletes. */
export interface KvTombstone {
  readonly Key: string;
  readonly Index: number;
}

/** Table `kv_lock_delay`: after a session is invalidated its keys cannot be locked until `Until` (ms). */
export interface KvLockDelay {
  readonly Key: string;
  readonly Until: number;
}

export const TABLE_KV = 'kv';
export const TABLE_TOMBSTONES = 'kv_tombstones';
/** Tombstones ordered by deletion index (`<index padded>\0<key>` → key), for reaping the oldest. */
export const TABLE_TOMBSTONE_ORDER = 'kv_tombstone_order';
/** `<session>\0<key>` → key: the keys each session holds, for session invalidation. */
export const TABLE_SESSION_KEYS = 'kv_session_keys';
export const TABLE_LOCK_DELAY = 'kv_lock_delay';
/** Owned by the session plugin: rows keyed by session ID. A lock needs its session to exist here. */
export const TABLE_SESSIONS = 'sessions';

/** Topic bumped by every KV change: the whole table's index (Consul's `kvs` table index). */
export const TOPIC_KV_TABLE = 'kv';

export function keyTopic(key: string): string {
  return `kv/${key}`;
}

export const KV_VERBS = [
  'set',
  'cas',
  'lock',
  'unlock',
  'get',
  'get-or-empty',
  'get-tree',
  'check-index',
  'check-session',
  'check-not-exists',
  'delete',
  'delete-tree',
  'delete-cas',
] as const;
export type KvVerb = (typeof KV_VERBS)[number];

const WRITE_VERBS: ReadonlySet<string> = new Set([
  'set',
  'cas',
  'lock',
  'unlock',
  'delete',
  'delete-tree',
  'delete-cas',
]);

/** Whether a verb changes the store; anything else (reads, unknown verbs) can be served without raft. */
export function isWriteVerb(verb: string): boolean {
  return WRITE_VERBS.has(verb);
}

export function isKnownVerb(verb: string): verb is KvVerb {
  return (KV_VERBS as readonly string[]).includes(verb);
}

/**
 * One KV operation, as carried in a replicated command. `verb` stays a plain string: an unknown verb
 * is a per-operation error reported in the transaction's answer, as Consul does.
 */
export interface KvOp {
  readonly verb: string;
  readonly key: string;
  readonly value: Uint8Array;
  /** uint64 decimal text. */
  readonly flags: string;
  /** The CAS / check index (`?cas=`, txn `Index`). */
  readonly index: number;
  readonly session: string;
}

/** What an operation did: `failed` is a lost race (CAS, held lock) — `false` on the KV API; `error` a bad request (500). */
export type KvOpOutcome =
  | { readonly kind: 'ok'; readonly results: readonly KvTxnResult[] }
  | { readonly kind: 'failed'; readonly reason: string }
  | { readonly kind: 'error'; readonly reason: string };

/** One entry of a transaction's `Results`; `withValue` false blanks the value as Consul does for writes. */
export interface KvTxnResult {
  readonly row: KvRow;
  readonly withValue: boolean;
}

export interface KvTxnError {
  readonly OpIndex: number;
  readonly What: string;
}

/** The apply result of `kv.txn`: exactly one of the two is set. */
export type KvTxnOutcome =
  | { readonly results: readonly KvTxnResult[]; readonly errors: null }
  | { readonly results: null; readonly errors: readonly KvTxnError[] };

/** Result of a single-key command: `true`/`false`, or an error message (HTTP 500, e.g. an unknown session). */
export type KvApplyResult = boolean | { readonly error: string };

export const KV_COMMANDS = [
  'kv.set',
  'kv.cas',
  'kv.lock',
  'kv.unlock',
  'kv.delete',
  'kv.delete-cas',
  'kv.delete-tree',
  'kv.txn',
] as const;
export type KvCommandType = (typeof KV_COMMANDS)[number];

/** `{type: 'kv.set', op}` … one operation; `kv.txn` carries `ops`. */
export interface KvOpCommand {
  readonly type: Exclude<KvCommandType, 'kv.txn'>;
  readonly op: KvOp;
  readonly [field: string]: unknown;
}

export interface KvTxnCommand {
  readonly type: 'kv.txn';
  readonly ops: readonly KvOp[];
  readonly [field: string]: unknown;
}

/** Builds an operation with Consul's zero values for the fields a caller leaves out. */
export function kvOp(fields: Partial<KvOp> & { verb: string; key: string }): KvOp {
  return {
    verb: fields.verb,
    key: fields.key,
    value: fields.value ?? new Uint8Array(0),
    flags: fields.flags ?? '0',
    index: fields.index ?? 0,
    session: fields.session ?? '',
  };
}
