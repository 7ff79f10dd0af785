/** Parsing of the query parameters every read endpoint shares: blocking and consistency. */
import type { ReadMode } from '../../core/consensus.js';
import { TribuneError } from '../../core/errors.js';
import { parseGoDuration } from '../../core/util/duration.js';

export interface BlockingSettings {
  defaultWaitMs: number;
  maxWaitMs: number;
}

export interface ParsedBlocking {
  minIndex: number;
  /** The wait clamped to the maximum, before jitter; 0 when the read does not block. */
  waitMs: number;
}

const UINT = /^\d+$/;

/** Where the agent's wait limits come from; asked only when a request blocks. */
export interface BlockingSettingsSource {
  blockingSettings(): BlockingSettings;
}

/**
 * `?index` and `?wait` as Consul reads them. Both are validated on every read; the wait (defaulted
 * and clamped to the agent's limits) is worked out only when `?index` makes the read block, and is
 * 0 otherwise.
 */
export function parseBlocking(query: URLSearchParams, settings: BlockingSettingsSource): ParsedBlocking {
  const rawIndex = query.get('index');
  let minIndex = 0;
  if (rawIndex !== null && rawIndex !== '') {
    if (!UINT.test(rawIndex)) throw new TribuneError('BAD_REQUEST', 'Invalid index');
    minIndex = Number(rawIndex);
    if (!Number.isSafeInteger(minIndex)) throw new TribuneError('BAD_REQUEST', 'Invalid index');
  }
  const rawWait = query.get('wait');
  let waitMs = 0;
  if (rawWait !== null && rawWait !== '') {
    try {
      waitMs = parseGoDuration(rawWait);
    } catch {
      throw new TribuneError('BAD_REQUEST', 'Invalid wait time');
    }
    if (waitMs < 0) throw new TribuneError('BAD_REQUEST', 'Invalid wait time');
  }
  if (minIndex <= 0) return { minIndex, waitMs: 0 };
  const { defaultWaitMs, maxWaitMs } = settings.blockingSettings();
  if (waitMs === 0) waitMs = defaultWaitMs;
  return { minIndex, waitMs: Math.min(waitMs, maxWaitMs) };
}

/** Adds Consul's jitter: up to wait/16 more, so that many clients do not return in lockstep. */
export function withJitter(waitMs: number, random: () => number): number {
  return waitMs + Math.floor(random() * (waitMs / 16));
}

/** `?stale` and `?consistent` are presence flags; both together is a 400. */
export function parseConsistency(query: URLSearchParams): ReadMode {
  const stale = query.has('stale');
  const consistent = query.has('consistent');
  if (stale && consistent) {
    throw new TribuneError('BAD_REQUEST', 'Cannot specify ?stale with ?consistent, conflicting semantics.');
  }
  if (stale) return 'stale';
  if (consistent) return 'consistent';
  return 'default';
}

/** The token, by Consul's precedence: ?token, X-Consul-Token, Authorization: Bearer. */
export function parseToken(
  query: URLSearchParams,
  header: (name: string) => string | undefined,
): string | undefined {
  const fromQuery = query.get('token');
  if (fromQuery) return fromQuery;
  const fromHeader = header('x-consul-token');
  if (fromHeader) return fromHeader;
  const auth = header('authorization');
  if (auth) {
    const [scheme, value] = auth.trim().split(/\s+/, 2);
    if (scheme?.toLowerCase() === 'bearer' && value) return value;
  }
  return undefined;
}
