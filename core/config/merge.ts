/**
 * Merging config layers, Consul's way: later scalars override, objects merge key by key, and the
 * list keys below append. Pure — no I/O, inputs never mutated. Alongside the merged value it
 * records which source supplied each value (top-level keys, nested keys, list entries), so a
 * validation error can name the file.
 */
import { canonicalTopLevel } from './canonical.js';
import type { ConfigOverrides } from './types.js';

/** One layer: a parsed file (named by its path), the defaults (unnamed) or the flags. */
export interface ConfigSource {
  /** Shown in errors; undefined for built-in layers such as the defaults. */
  name?: string;
  data: Readonly<Record<string, unknown>>;
}

/** JSON pointer → name of the source that last set it (undefined: a built-in layer). */
export type Provenance = ReadonlyMap<string, string | undefined>;

export interface MergeResult {
  value: Record<string, unknown>;
  provenance: Provenance;
}

/** Top-level lists whose entries accumulate across layers instead of being replaced. */
export const APPENDED_LISTS: ReadonlySet<string> = new Set([
  'services',
  'checks',
  'retry_join',
  'watches',
  'templates',
  'plugins',
  'recursors',
]);

/** The name flag overrides carry in provenance and error messages. */
export const FLAGS_SOURCE_NAME = 'command-line flags';

type Plain = Record<string, unknown>;

function isPlainObject(value: unknown): value is Plain {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** RFC 6901 escaping of one pointer segment. */
export function pointerSegment(key: string | number): string {
  return String(key).replace(/~/g, '~0').replace(/\//g, '~1');
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

class Merger {
  readonly value: Plain = {};
  readonly provenance = new Map<string, string | undefined>();

  add(source: ConfigSource): void {
    const data = canonicalTopLevel(source.data);
    for (const [key, incoming] of Object.entries(data)) {
      const pointer = `/${pointerSegment(key)}`;
      if (APPENDED_LISTS.has(key)) this.append(key, pointer, incoming, source.name);
      else this.set(this.value, key, pointer, incoming, source.name);
    }
  }

  private append(key: string, pointer: string, incoming: unknown, name: string | undefined): void {
    const current = this.value[key];
    const list = Array.isArray(current) ? current : [];
    if (!Array.isArray(current)) {
      if (current !== undefined) this.forget(pointer);
      this.value[key] = list;
    }
    const items = Array.isArray(incoming) ? incoming : [incoming];
    for (const item of items) {
      this.provenance.set(`${pointer}/${list.length}`, name);
      list.push(clone(item));
    }
    if (!this.provenance.has(pointer)) this.provenance.set(pointer, name);
  }

  private set(
    target: Plain,
    key: string,
    pointer: string,
    incoming: unknown,
    name: string | undefined,
  ): void {
    if (key === '__proto__') return;
    const current = target[key];
    if (isPlainObject(incoming) && isPlainObject(current)) {
      this.provenance.set(pointer, name);
      for (const [innerKey, innerValue] of Object.entries(incoming)) {
        this.set(current, innerKey, `${pointer}/${pointerSegment(innerKey)}`, innerValue, name);
      }
      return;
    }
    this.forget(pointer);
    this.provenance.set(pointer, name);
    if (isPlainObject(incoming)) {
      // Recurse into a fresh object so nested keys carry their own provenance.
      const fresh: Plain = {};
      target[key] = fresh;
      for (const [innerKey, innerValue] of Object.entries(incoming)) {
        this.set(fresh, innerKey, `${pointer}/${pointerSegment(innerKey)}`, innerValue, name);
      }
      return;
    }
    target[key] = clone(incoming);
  }

  /** Drops provenance below a pointer whose value is being replaced wholesale. */
  private forget(pointer: string): void {
    const prefix = `${pointer}/`;
    for (const known of [...this.provenance.keys()]) {
      if (known === pointer || known.startsWith(prefix)) this.provenance.delete(known);
    }
  }
}

/**
 * Merges layers in order (each first canonicalised: `service` → `services`, …), then the flag
 * overrides on top. Later scalars win; objects merge per key; APPENDED_LISTS append.
 */
export function mergeConfig(sources: readonly ConfigSource[], overrides?: ConfigOverrides): MergeResult {
  const merger = new Merger();
  for (const source of sources) merger.add(source);
  if (overrides !== undefined) merger.add({ name: FLAGS_SOURCE_NAME, data: overrides as Plain });
  return { value: merger.value, provenance: merger.provenance };
}

/** The source that supplied the value at `pointer`, or the nearest enclosing value that has one. */
export function sourceOf(provenance: Provenance, pointer: string): string | undefined {
  let current = pointer;
  for (;;) {
    if (provenance.has(current)) return provenance.get(current);
    if (current === '') return undefined;
    current = current.slice(0, current.lastIndexOf('/'));
  }
}
