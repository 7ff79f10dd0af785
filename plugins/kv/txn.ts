/**
 * `/v1/txn` for KV operations: decoding the body as Consul's Go decoder would, the checks Consul runs
 * before an entry is proposed, and the all-or-nothing apply. Operations run in order against an
 * overlay of the store (each sees the ones before it); only if none fails is the overlay committed,
 * in one apply at one index, so a failed transaction changes nothing.
 */
import { TribuneError } from '../../core/errors.js';
import type { ApplyContext, Command } from '../../core/hooks.js';
import type { StateStore } from '../../core/state/store.js';
import { field, type JsonValue, parseJson } from '../../core/util/json.js';
import { type ApplyAt, asKvOp, executeOp, type KvView, StoreKvView } from './fsm.js';
import {
  isKnownVerb,
  type KvLockDelay,
  type KvOp,
  type KvRow,
  type KvTxnCommand,
  type KvTxnError,
  type KvTxnOutcome,
  type KvTxnResult,
  kvOp,
  TABLE_KV,
  TABLE_LOCK_DELAY,
  TABLE_SESSIONS,
} from './types.js';

/** Consul's limit since 1.14 (64 before). */
export const MAX_TXN_OPS = 128;
const MAX_UINT64 = (1n << 64n) - 1n;

/** The body limit Consul applies to a transaction: the larger of the two settings. */
export function txnMaxRequestLength(limits: { txn_max_req_len: number; kv_max_value_size: number }): number {
  return Math.max(limits.txn_max_req_len, limits.kv_max_value_size);
}

function parseFailure(message: string): TribuneError {
  return new TribuneError('BAD_REQUEST', `Failed to parse body: ${message}`);
}

/** How Go's decoder names a JSON value in its type errors. */
function jsonKind(value: JsonValue): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'bigint' || typeof value === 'number') return 'number';
  return typeof value === 'object' ? 'object' : typeof value;
}

function fieldTypeError(value: JsonValue, name: string, goType: string): TribuneError {
  const shown =
    typeof value === 'number' || typeof value === 'bigint' ? `number ${String(value)}` : jsonKind(value);
  return parseFailure(
    `json: cannot unmarshal ${shown} into Go struct field KVTxnOp.KV.${name} of type ${goType}`,
  );
}

function stringField(kv: JsonValue, name: string, goType = 'string'): string {
  const value = field(kv, name);
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw fieldTypeError(value, name, goType);
  return value;
}

function uint64Field(kv: JsonValue, name: string): bigint {
  const value = field(kv, name);
  if (value === undefined || value === null) return 0n;
  const integer =
    typeof value === 'bigint'
      ? value
      : typeof value === 'number' && Number.isInteger(value)
        ? BigInt(value)
        : null;
  if (integer === null || integer < 0n || integer > MAX_UINT64) throw fieldTypeError(value, name, 'uint64');
  return integer;
}

/** Go's StdEncoding (padded; CR/LF ignored); errors name the offending offset as Go does. */
export function decodeStdBase64(text: string): Uint8Array {
  const clean = text.replace(/[\r\n]/g, '');
  if (/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(clean)) {
    return new Uint8Array(Buffer.from(clean, 'base64'));
  }
  const invalid = clean.search(/[^A-Za-z0-9+/=]/);
  const padding = clean.indexOf('=');
  const offset = invalid >= 0 ? invalid : padding >= 0 ? padding : clean.length - (clean.length % 4);
  throw parseFailure(`illegal base64 data at input byte ${offset}`);
}

function valueField(kv: JsonValue): Uint8Array {
  const value = field(kv, 'Value');
  if (value === undefined || value === null) return new Uint8Array(0);
  if (typeof value !== 'string') throw fieldTypeError(value, 'Value', '[]uint8');
  return decodeStdBase64(value);
}

type DecodedOp = { kind: 'kv'; op: KvOp } | { kind: 'unsupported'; name: string };

function decodeKv(kv: JsonValue): KvOp {
  if (typeof kv !== 'object' || kv === null || Array.isArray(kv)) {
    throw parseFailure(
      `json: cannot unmarshal ${jsonKind(kv)} into Go struct field TxnOp.KV of type api.KVTxnOp`,
    );
  }
  const index = uint64Field(kv, 'Index');
  return kvOp({
    verb: stringField(kv, 'Verb', 'api.KVOp'),
    key: stringField(kv, 'Key'),
    value: valueField(kv),
    flags: uint64Field(kv, 'Flags').toString(),
    // An index past 2^53 cannot be any entry's index; the rounded number still matches none.
    index: Number(index),
    session: stringField(kv, 'Session'),
  });
}

function decodeElement(element: JsonValue): DecodedOp | undefined {
  if (element === null) return undefined;
  if (typeof element !== 'object' || Array.isArray(element)) {
    throw parseFailure(`json: cannot unmarshal ${jsonKind(element)} into Go value of type api.TxnOp`);
  }
  const kv = field(element, 'KV');
  if (kv !== undefined && kv !== null) return { kind: 'kv', op: decodeKv(kv) };
  for (const name of ['Node', 'Service', 'Check']) {
    const other = field(element, name);
    if (other !== undefined && other !== null) return { kind: 'unsupported', name };
  }
  // An operation naming no object is dropped, as Consul's converter does.
  return undefined;
}

/**
 * Decodes a transaction body into KV operations, with Consul's answers for bad ones: 400
 * `Failed to parse body: …`, 413 for too many operations or a value over `kv_max_value_size`.
 * Node/Service/Check operations are refused with a 400 until the catalog supports them.
 */
export function decodeTxnBody(raw: Buffer, kvMaxValueSize: number): KvOp[] {
  const text = raw.toString('utf8');
  if (text.trim() === '') throw parseFailure('EOF');
  let body: JsonValue;
  try {
    body = parseJson(text);
  } catch (err) {
    throw parseFailure(err instanceof Error ? err.message : String(err));
  }
  if (!Array.isArray(body)) {
    throw parseFailure(`json: cannot unmarshal ${jsonKind(body)} into Go value of type api.TxnOps`);
  }
  const decoded = body.map(decodeElement);
  if (body.length > MAX_TXN_OPS) {
    throw new TribuneError(
      'TOO_LARGE',
      `Transaction contains too many operations (${body.length} > ${MAX_TXN_OPS})`,
    );
  }
  const ops: KvOp[] = [];
  for (const entry of decoded) {
    if (!entry) continue;
    if (entry.kind === 'unsupported') {
      throw new TribuneError(
        'BAD_REQUEST',
        `${entry.name} operations in transactions are not supported yet; only KV operations are`,
      );
    }
    if (entry.op.value.length > kvMaxValueSize) {
      throw new TribuneError(
        'TOO_LARGE',
        `Value for key ${JSON.stringify(entry.op.key)} is too large (${entry.op.value.length} > ${kvMaxValueSize} bytes)`,
      );
    }
    ops.push(entry.op);
  }
  return ops;
}

/** The checks Consul runs before a transaction reaches raft: every key-based operation needs a key. */
export function precheckOps(ops: readonly KvOp[]): KvTxnError[] {
  const errors: KvTxnError[] = [];
  ops.forEach((op, OpIndex) => {
    if (op.key === '' && op.verb !== 'delete-tree') errors.push({ OpIndex, What: 'Must provide key' });
  });
  return errors;
}

/** True when a transaction fails whatever the store holds (an unknown verb, a lock without session). */
export function txnCannotSucceed(ops: readonly KvOp[]): boolean {
  return ops.some(
    (op) => !isKnownVerb(op.verb) || ((op.verb === 'lock' || op.verb === 'unlock') && op.session === ''),
  );
}

interface Change {
  row: KvRow | undefined;
  removed: boolean;
}

/** The store as the transaction has changed it so far; nothing reaches the store until commit(). */
class TxnOverlay implements KvView {
  private readonly changes = new Map<string, Change>();

  constructor(private readonly store: StateStore) {}

  get(key: string): KvRow | undefined {
    const change = this.changes.get(key);
    return change ? change.row : this.store.table<KvRow>(TABLE_KV).get(key);
  }

  keysUnder(prefix: string): string[] {
    const keys = new Set(this.store.table<KvRow>(TABLE_KV).keysWithPrefix(prefix));
    for (const key of this.changes.keys()) if (key.startsWith(prefix)) keys.add(key);
    return [...keys].filter((key) => this.get(key) !== undefined).sort();
  }

  write(row: KvRow): void {
    this.changes.set(row.Key, { row, removed: this.changes.get(row.Key)?.removed ?? false });
  }

  remove(key: string): void {
    this.changes.set(key, { row: undefined, removed: true });
  }

  sessionExists(session: string): boolean {
    return this.store.table<unknown>(TABLE_SESSIONS).has(session);
  }

  lockDelayUntil(key: string): number {
    return this.store.table<KvLockDelay>(TABLE_LOCK_DELAY).get(key)?.Until ?? 0;
  }

  /** Applies the net changes in key order; a key deleted inside the transaction keeps its tombstone. */
  commit(target: KvView): void {
    for (const key of [...this.changes.keys()].sort()) {
      const change = this.changes.get(key)!;
      if (change.removed) target.remove(key);
      if (change.row) target.write(change.row);
    }
  }
}

/** Runs every operation (all of them, collecting every error, as Consul does); commits only on success. */
function runOps(store: StateStore, ops: readonly KvOp[], at: ApplyAt, commit: boolean): KvTxnOutcome {
  const overlay = new TxnOverlay(store);
  const results: KvTxnResult[] = [];
  const errors: KvTxnError[] = [];
  ops.forEach((op, OpIndex) => {
    const outcome = executeOp(overlay, op, at);
    if (outcome.kind === 'ok') results.push(...outcome.results);
    else errors.push({ OpIndex, What: outcome.reason });
  });
  if (errors.length > 0) return { results: null, errors };
  if (commit) overlay.commit(new StoreKvView(store, at.index));
  return { results, errors: null };
}

/** Apply handler of `kv.txn`: all or nothing, at the entry's index. */
export function applyKvTxnCommand(store: StateStore, command: Command, ctx: ApplyContext): KvTxnOutcome {
  const raw = (command as Partial<KvTxnCommand>).ops;
  if (!Array.isArray(raw)) throw new Error('malformed kv.txn command in the log');
  const ops = raw.map(asKvOp);
  const pre = precheckOps(ops);
  if (pre.length > 0) return { results: null, errors: pre };
  return runOps(store, ops, ctx, true);
}

/** A transaction of reads only, served from the local store without raft. */
export function readTxn(store: StateStore, ops: readonly KvOp[]): KvTxnOutcome {
  const pre = precheckOps(ops);
  if (pre.length > 0) return { results: null, errors: pre };
  return runOps(store, ops, { index: store.lastIndex, time: 0 }, false);
}

/**
 * The errors a doomed write transaction would get, from a dry run on the local store — so that it
 * is answered without taking a raft round trip. Never changes the store.
 */
export function dryRunTxn(store: StateStore, ops: readonly KvOp[], time: number): KvTxnOutcome {
  return runOps(store, ops, { index: store.lastIndex + 1, time }, false);
}
