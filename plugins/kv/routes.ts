/**
 * The KV HTTP API (`/v1/kv/*`) and `/v1/txn`, with Consul's parameters, status codes and texts. Reads
 * go through `req.read()` (consistency + blocking); every write proposes exactly one command.
 */
import { TribuneError } from '../../core/errors.js';
import type { Kernel } from '../../core/kernel.js';
import type { ApiReply, ApiRequest, RouteRegistrar } from '../http/index.js';
import { getKey, listKeys, listPrefix, toKvPair } from './queries.js';
import {
  decodeTxnBody,
  dryRunTxn,
  precheckOps,
  readTxn,
  txnCannotSucceed,
  txnMaxRequestLength,
} from './txn.js';
import {
  isWriteVerb,
  type KvApplyResult,
  type KvOpCommand,
  type KvTxnCommand,
  type KvTxnOutcome,
  kvOp,
} from './types.js';

const MAX_UINT64 = (1n << 64n) - 1n;

function badRequest(message: string): TribuneError {
  return new TribuneError('BAD_REQUEST', message);
}

function keyValidationDisabled(kernel: Kernel): boolean {
  return kernel.config.disable_kv_key_validation === true;
}

/** Repeatedly percent-decodes (to catch `%2e%2e`, `%252e%252e`); stops at the first malformed escape. */
function percentDecoded(key: string): string {
  let current = key;
  for (let round = 0; round < 3 && current.includes('%'); round++) {
    try {
      current = decodeURIComponent(current);
    } catch {
      return current;
    }
  }
  return current;
}

const hasDotDotSegment = (key: string): boolean => key.split(/[/\\]/).includes('..');

/**
 * Consul's key rules since the CVE-2025-11392 fix: no path traversal (plain or percent-encoded), no
 * leading or trailing whitespace; every other UTF-8 key is fine. `disable_kv_key_validation` opts out.
 */
export function keyValidationError(key: string): string | undefined {
  if (/^\s|\s$/.test(key)) return 'key must not have leading or trailing spaces';
  // The usual key has neither: no segment can be `..`, nor decode to it.
  if (!key.includes('.') && !key.includes('%')) return undefined;
  if (hasDotDotSegment(key)) return 'key contains path traversal sequence';
  if (hasDotDotSegment(percentDecoded(key))) return 'key contains encoded path traversal sequence';
  return undefined;
}

function keyParam(req: ApiRequest): string {
  const key = req.params.key ?? '';
  if (key !== '' && !keyValidationDisabled(req.kernel)) {
    const problem = keyValidationError(key);
    if (problem) throw badRequest(problem);
  }
  return key;
}

/** Go's url.QueryEscape: unreserved bytes as they are, space as `+`, everything else %XX. */
function goQueryEscape(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const char = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(char)) out += char;
    else if (byte === 0x20) out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Go's url.Values.Encode(): keys sorted, values in order. */
export function goEncodeQuery(query: URLSearchParams): string {
  const names = [...new Set(query.keys())].sort();
  return names
    .flatMap((name) => query.getAll(name).map((value) => `${goQueryEscape(name)}=${goQueryEscape(value)}`))
    .join('&');
}

const PUT_EXCLUSIVE_FLAGS = ['cas', 'acquire', 'release'] as const;
const DELETE_EXCLUSIVE_FLAGS = ['recurse', 'cas'] as const;

/** 400 `Conflicting flags: <query>` when more than one of `flags` is present, as Consul writes it. */
function rejectConflictingFlags(req: ApiRequest, flags: readonly string[]): void {
  let present = 0;
  for (const flag of flags) if (req.has(flag)) present++;
  if (present > 1) {
    throw badRequest(`Conflicting flags: ${goEncodeQuery(req.query)}\n`);
  }
}

/** strconv.ParseUint(text, 10, 64), with Go's error texts (as a 400). */
export function parseUint64(text: string): bigint {
  const quoted = JSON.stringify(text);
  if (!/^\d+$/.test(text)) throw badRequest(`strconv.ParseUint: parsing ${quoted}: invalid syntax`);
  const value = BigInt(text);
  if (value > MAX_UINT64) throw badRequest(`strconv.ParseUint: parsing ${quoted}: value out of range`);
  return value;
}

/** A CAS index; one past 2^53 matches no entry, and its rounded number matches none either. */
const casIndex = (req: ApiRequest): number => Number(parseUint64(req.get('cas') ?? ''));

function separator(req: ApiRequest): string {
  // The misspelt `seperator` is still accepted; `separator` wins when both are given.
  if (req.has('separator')) return req.get('separator') ?? '';
  return req.get('seperator') ?? '';
}

async function getKv(req: ApiRequest): Promise<ApiReply> {
  const key = keyParam(req);
  const store = req.kernel.store;
  if (req.has('keys')) {
    const { value, index } = await req.read(() => listKeys(store, key, separator(req)));
    // The root answers an empty list; any other prefix with no keys is a 404.
    if (value.length === 0 && key !== '') return { status: 404, index };
    return { body: value, index };
  }
  if (req.has('recurse')) {
    const { value, index } = await req.read(() => listPrefix(store, key));
    if (value.length === 0) return { status: 404, index };
    return { body: value.map((row) => toKvPair(row)), index };
  }
  if (key === '') throw badRequest('Missing key name');
  const { value, index } = await req.read(() => getKey(store, key));
  if (!value) return { status: 404, index };
  if (req.has('raw')) {
    // The stored bytes as they are; the headers stop a browser from running them (CVE-2020-25864).
    return {
      raw: Buffer.from(value.Value.buffer, value.Value.byteOffset, value.Value.byteLength),
      contentType: 'text/plain',
      headers: { 'X-Content-Type-Options': 'nosniff', 'Content-Security-Policy': 'sandbox' },
      index,
    };
  }
  return { body: [toKvPair(value)], index };
}

function applyResult(result: unknown): boolean {
  if (typeof result === 'boolean') return result;
  const failure = result as Exclude<KvApplyResult, boolean> | undefined;
  throw new TribuneError('INTERNAL', failure?.error ?? 'unexpected KV apply result');
}

async function putKv(req: ApiRequest): Promise<ApiReply> {
  const key = keyParam(req);
  if (key === '') throw badRequest('Missing key name');
  rejectConflictingFlags(req, PUT_EXCLUSIVE_FLAGS);
  const flags = req.has('flags') ? parseUint64(req.get('flags') ?? '').toString() : '0';
  let verb: 'set' | 'cas' | 'lock' | 'unlock' = 'set';
  let index = 0;
  let session = '';
  if (req.has('cas')) {
    verb = 'cas';
    index = casIndex(req);
  }
  if (req.has('acquire')) {
    verb = 'lock';
    session = req.get('acquire') ?? '';
  }
  if (req.has('release')) {
    verb = 'unlock';
    session = req.get('release') ?? '';
  }
  const value = await req.body(req.kernel.config.limits.kv_max_value_size);
  const command: KvOpCommand = { type: `kv.${verb}`, op: kvOp({ verb, key, value, flags, index, session }) };
  const { result } = await req.kernel.propose(command);
  const done = applyResult(result);
  // A plain set always answers true, as Consul does.
  return { body: verb === 'set' ? true : done };
}

async function deleteKv(req: ApiRequest): Promise<ApiReply> {
  const key = keyParam(req);
  rejectConflictingFlags(req, DELETE_EXCLUSIVE_FLAGS);
  let verb: 'delete' | 'delete-tree' | 'delete-cas' = 'delete';
  let index = 0;
  if (req.has('recurse')) verb = 'delete-tree';
  else if (key === '') throw badRequest('Missing key name');
  if (req.has('cas')) {
    verb = 'delete-cas';
    index = casIndex(req);
  }
  const command: KvOpCommand = { type: `kv.${verb}`, op: kvOp({ verb, key, index }) };
  const { result } = await req.kernel.propose(command);
  const done = applyResult(result);
  return { body: verb === 'delete-cas' ? done : true };
}

function txnJson(outcome: KvTxnOutcome): { Results: unknown; Errors: unknown } {
  return {
    Results: outcome.results?.map((result) => ({ KV: toKvPair(result.row, result.withValue) })) ?? null,
    Errors: outcome.errors?.map(({ OpIndex, What }) => ({ OpIndex, What })) ?? null,
  };
}

const txnStatus = (outcome: KvTxnOutcome): number => (outcome.errors ? 409 : 200);

/**
 * A read-only transaction: served locally under the request's consistency mode, never blocking.
 * Consul's answer embeds its query metadata in the body and sets only the leader headers.
 */
async function readOnlyTxn(req: ApiRequest, ops: Parameters<typeof readTxn>[1]): Promise<ApiReply> {
  await req.kernel.readBarrier(req.consistency(), req.signal);
  const outcome = readTxn(req.kernel.store, ops);
  const status = req.kernel.hasConsensus() ? req.kernel.consensus.status() : undefined;
  const knownLeader = status?.knownLeader ?? false;
  const lastContactMs = Math.max(0, Math.round(status?.lastContactMs ?? 0));
  return {
    status: txnStatus(outcome),
    body: {
      ...txnJson(outcome),
      Index: 0,
      LastContact: lastContactMs * 1_000_000,
      KnownLeader: knownLeader,
      ConsistencyLevel: '',
      NotModified: false,
      Backend: 0,
      ResultsFilteredByACLs: false,
    },
    headers: { 'X-Consul-KnownLeader': String(knownLeader), 'X-Consul-LastContact': String(lastContactMs) },
  };
}

async function txn(req: ApiRequest): Promise<ApiReply> {
  const limits = req.kernel.config.limits;
  const raw = await req.body(txnMaxRequestLength(limits));
  const ops = decodeTxnBody(raw, limits.kv_max_value_size);
  if (!ops.some((op) => isWriteVerb(op.verb))) return readOnlyTxn(req, ops);
  const pre = precheckOps(ops);
  if (pre.length > 0) return { status: 409, body: txnJson({ results: null, errors: pre }) };
  if (txnCannotSucceed(ops)) {
    const outcome = dryRunTxn(req.kernel.store, ops, Date.now());
    return { status: txnStatus(outcome), body: txnJson(outcome) };
  }
  const command: KvTxnCommand = { type: 'kv.txn', ops };
  const { result } = await req.kernel.propose(command);
  const outcome = result as KvTxnOutcome;
  return { status: txnStatus(outcome), body: txnJson(outcome) };
}

/** Registers the routes; body limits come from the configuration at start. */
export function registerKvRoutes(routes: RouteRegistrar, kernel: Kernel): void {
  const limits = kernel.config.limits;
  routes.add({ method: 'GET', path: '/v1/kv/{*key}', handler: getKv });
  routes.add({
    method: 'PUT',
    path: '/v1/kv/{*key}',
    maxBodyBytes: limits.kv_max_value_size,
    handler: putKv,
  });
  routes.add({ method: 'DELETE', path: '/v1/kv/{*key}', handler: deleteKv });
  routes.add({ method: 'PUT', path: '/v1/txn', maxBodyBytes: txnMaxRequestLength(limits), handler: txn });
}
