/** service_ttl lookup: the exact name beats the longest matching `prefix*`, and `*` matches all. */

export interface ServiceTtlTable {
  exact: ReadonlyMap<string, number>;
  /** Prefixes without their `*`, longest first ('' for `*`). */
  prefixes: ReadonlyArray<readonly [string, number]>;
}

/** Builds the table from `{name or prefix*: seconds}`; names compare case-insensitively. */
export function compileServiceTtls(seconds: Readonly<Record<string, number>>): ServiceTtlTable {
  const exact = new Map<string, number>();
  const prefixes: Array<[string, number]> = [];
  for (const [key, ttl] of Object.entries(seconds)) {
    const lower = key.toLowerCase();
    if (lower.endsWith('*')) prefixes.push([lower.slice(0, -1), ttl]);
    else exact.set(lower, ttl);
  }
  prefixes.sort((a, b) => b[0].length - a[0].length);
  return { exact, prefixes };
}

export function serviceTtl(table: ServiceTtlTable, service: string): number {
  const name = service.toLowerCase();
  const exact = table.exact.get(name);
  if (exact !== undefined) return exact;
  for (const [prefix, ttl] of table.prefixes) if (name.startsWith(prefix)) return ttl;
  return 0;
}
