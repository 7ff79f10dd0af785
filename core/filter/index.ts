/**
 * Consul's `?filter=` expressions (go-bexpr): compile once, run on every item of a listing.
 *
 * Every failure is a TribuneError('BAD_REQUEST', 'Failed to create boolean expression evaluator: …'):
 * syntax errors when compiling, and type errors (`Port == abc`, `Tags == x`) when a match first meets a
 * value of the wrong type, which Consul, knowing its types up front, would also have refused with a 400.
 */

import { buildPredicate, type Predicate } from './evaluate.js';
import { filterError } from './lexer.js';
import { parseFilter } from './parser.js';

export type { Predicate } from './evaluate.js';
export { MAX_FILTER_DEPTH } from './parser.js';

/** Longest expression accepted, in UTF-8 bytes. */
export const MAX_FILTER_BYTES = 4096;
const CACHE_SIZE = 256;

/** Clients repeat one filter in every blocking-query loop, so compiled filters are kept, least recent out. */
const cache = new Map<string, Predicate>();

export function compileFilter(expression: string): Predicate {
  const cached = cache.get(expression);
  if (cached) {
    cache.delete(expression);
    cache.set(expression, cached);
    return cached;
  }
  // A UTF-16 unit is at least one UTF-8 byte, so a long string is over without counting.
  if (expression.length > MAX_FILTER_BYTES || utf8Length(expression) > MAX_FILTER_BYTES) {
    throw filterError(`expression is longer than the limit of ${MAX_FILTER_BYTES} bytes`);
  }
  const predicate = buildPredicate(parseFilter(expression), expression);
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
  cache.set(expression, predicate);
  return predicate;
}

/** Items matching `expression`; with no expression (absent or ""), `items` itself. */
export function applyFilter<T>(items: T[], expression: string | undefined): T[] {
  if (expression === undefined || expression === '') return items;
  const predicate = compileFilter(expression);
  return items.filter((item) => predicate(item));
}

/** For endpoints answering a map (agent services, agent checks): keeps the entries whose value matches. */
export function filterMapValues<T>(
  map: Record<string, T>,
  expression: string | undefined,
): Record<string, T> {
  if (expression === undefined || expression === '') return map;
  const predicate = compileFilter(expression);
  // fromEntries defines own properties, so a key such as "__proto__" stays an ordinary entry.
  return Object.fromEntries(Object.entries(map).filter(([, value]) => predicate(value)));
}

/** Number of compiled filters held; for tests. */
export function filterCacheSize(): number {
  return cache.size;
}

function utf8Length(text: string): number {
  let bytes = 0;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return bytes;
}
