/**
 * One table of the state store: rows by string key, with the keys also kept sorted so that prefix
 * scans (KV trees, `<node>/` service rows) cost O(log n + matches).
 */

function lowerBound(keys: readonly string[], target: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class Table<Row> {
  private readonly rows = new Map<string, Row>();
  private readonly sorted: string[] = [];

  constructor(readonly name: string) {}

  get size(): number {
    return this.rows.size;
  }

  get(key: string): Row | undefined {
    return this.rows.get(key);
  }

  has(key: string): boolean {
    return this.rows.has(key);
  }

  set(key: string, row: Row): void {
    if (!this.rows.has(key)) this.sorted.splice(lowerBound(this.sorted, key), 0, key);
    this.rows.set(key, row);
  }

  delete(key: string): boolean {
    if (!this.rows.delete(key)) return false;
    this.sorted.splice(lowerBound(this.sorted, key), 1);
    return true;
  }

  clear(): void {
    this.rows.clear();
    this.sorted.length = 0;
  }

  /** Rows in key order. */
  *values(): IterableIterator<Row> {
    for (const key of this.sorted) yield this.rows.get(key)!;
  }

  *entries(): IterableIterator<[string, Row]> {
    for (const key of this.sorted) yield [key, this.rows.get(key)!];
  }

  /** Keys starting with `prefix`, in order. The empty prefix scans everything. */
  *keysWithPrefix(prefix: string): IterableIterator<string> {
    for (let i = lowerBound(this.sorted, prefix); i < this.sorted.length; i++) {
      const key = this.sorted[i]!;
      if (!key.startsWith(prefix)) return;
      yield key;
    }
  }

  *scanPrefix(prefix: string): IterableIterator<[string, Row]> {
    for (const key of this.keysWithPrefix(prefix)) yield [key, this.rows.get(key)!];
  }
}
