/**
 * How Go values are represented in JavaScript while a template runs, and the few questions the engine
 * asks about them (kind, Go type name, truth, sorted map entries).
 *
 *   undefined          Go's invalid reflect.Value: a missing map key, an unset variable; prints `<no value>`
 *   null               a nil interface/pointer/map/slice
 *   boolean, string    bool, string
 *   number             int when integral, float64 otherwise
 *   bigint             int (int64) beyond 2^53
 *   GoNumber           any other numeric type (float64 with an integral value, int64, uint8, uint64 …)
 *   Uint8Array         []byte
 *   Array              a slice ([]interface {} unless tagged with goType)
 *   Map, plain object  a map (keys sorted as Go's fmtsort does)
 *   object + GO_TYPE   a struct: a missing field is an error, not `<no value>`
 *   function           a func; as an object property it is called like a method
 */

/** A numeric value whose Go type is not what a plain JS number implies. */
export class GoNumber {
  constructor(
    readonly type: GoNumberType,
    readonly value: number | bigint,
  ) {}
}

export type GoNumberType =
  | 'int'
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'uint'
  | 'uint8'
  | 'uint16'
  | 'uint32'
  | 'uint64'
  | 'float32'
  | 'float64';

/** A float64 whatever its value: `1.0` stays a float (prints `1e+06` rather than `1000000`). */
export function goFloat(value: number): GoNumber | number {
  return Number.isInteger(value) ? new GoNumber('float64', value) : value;
}

/**
 * Marks an object with its Go type name: a struct (`*dependency.HealthService`), a typed map
 * (`map[string]string`, whose missing keys read as "" under missingkey=zero) or a typed slice.
 */
export const GO_TYPE: unique symbol = Symbol.for('tribune.template.goType');

/** Method specs on a prototype: name -> callable description (arity checks, typed params). */
export const GO_METHODS: unique symbol = Symbol.for('tribune.template.goMethods');

/** fmt.Stringer: how `{{.}}`, print and %v/%s render the value. */
export const GO_STRING: unique symbol = Symbol.for('tribune.template.goString');

export function goTyped<T extends object>(typeName: string, value: T): T {
  Object.defineProperty(value, GO_TYPE, { value: typeName, enumerable: false, configurable: true });
  return value;
}

/** A struct: fields are the object's own properties; asking for another one is an error, as in Go. */
export const goStruct: <T extends object>(typeName: string, fields: T) => T = goTyped;

/** Tags an array with its Go slice type (`[]string`, `[]*dependency.HealthService`). */
export const goSlice: <T extends unknown[]>(typeName: string, items: T) => T = goTyped;

export type Kind =
  | 'invalid'
  | 'nil'
  | 'bool'
  | 'int'
  | 'uint'
  | 'float'
  | 'string'
  | 'bytes'
  | 'slice'
  | 'map'
  | 'struct'
  | 'func';

const INT64_MAX = 9223372036854775807n;

export function kindOf(v: unknown): Kind {
  switch (typeof v) {
    case 'undefined':
      return 'invalid';
    case 'boolean':
      return 'bool';
    case 'string':
      return 'string';
    case 'number':
      return Number.isInteger(v) ? 'int' : 'float';
    case 'bigint':
      return v > INT64_MAX ? 'uint' : 'int';
    case 'function':
      return 'func';
    case 'object':
      break;
    default:
      return 'invalid';
  }
  if (v === null) return 'nil';
  if (v instanceof GoNumber) return numberKind(v.type);
  if (v instanceof Uint8Array) return 'bytes';
  if (Array.isArray(v)) return 'slice';
  if (v instanceof Map) return 'map';
  const tag = (v as { [GO_TYPE]?: unknown })[GO_TYPE];
  if (typeof tag === 'string' && !tag.startsWith('map[')) return 'struct';
  return 'map';
}

/**
 * What a missing key of this map yields under missingkey=zero: the element type's zero value for a
 * typed map (`map[string]string` gives ""), nil for map[string]interface {} — which prints `<no value>`.
 */
export function mapZeroValue(v: object): unknown {
  const tag = structTypeName(v);
  const elem = tag?.startsWith('map[') ? tag.slice(tag.indexOf(']') + 1) : 'interface {}';
  if (elem === 'string') return '';
  if (elem === 'bool') return false;
  if (elem === 'float64' || elem === 'float32') return new GoNumber(elem, 0);
  if (/^u?int(8|16|32|64)?$/.test(elem)) return elem === 'int' ? 0 : new GoNumber(elem as GoNumberType, 0);
  return null;
}

function numberKind(type: GoNumberType): Kind {
  if (type.startsWith('float')) return 'float';
  if (type.startsWith('uint')) return 'uint';
  return 'int';
}

export function structTypeName(v: object): string | undefined {
  const name = (v as { [GO_TYPE]?: unknown })[GO_TYPE];
  return typeof name === 'string' ? name : undefined;
}

/** Go's reflect type string, as %T and error messages print it. */
export function goTypeName(v: unknown): string {
  switch (kindOf(v)) {
    case 'invalid':
    case 'nil':
      return '<nil>';
    case 'bool':
      return 'bool';
    case 'string':
      return 'string';
    case 'func':
      return structTypeName(v as object) ?? 'func()';
    case 'bytes':
      return '[]uint8';
    case 'slice':
      return structTypeName(v as object) ?? '[]interface {}';
    case 'struct':
      return structTypeName(v as object) as string;
    case 'map':
      return structTypeName(v as object) ?? mapTypeName(v as object);
    default:
      if (v instanceof GoNumber) return v.type;
      if (typeof v === 'bigint') return v > INT64_MAX ? 'uint64' : 'int';
      return Number.isInteger(v) ? 'int' : 'float64';
  }
}

function mapTypeName(v: object): string {
  if (v instanceof Map) {
    const first = v.keys().next();
    const keyType = first.done ? 'string' : goTypeName(first.value);
    return `map[${keyType}]interface {}`;
  }
  return 'map[string]interface {}';
}

/** The numeric value of an int/uint/float value (bigint for integers beyond 2^53). */
export function numericValue(v: unknown): number | bigint {
  if (v instanceof GoNumber) return v.value;
  if (typeof v === 'number' || typeof v === 'bigint') return v;
  throw new TypeError('not a number');
}

/** An integer value as bigint (exact) — for formatting and comparison. */
export function intValue(v: unknown): bigint {
  const n = numericValue(v);
  return typeof n === 'bigint' ? n : BigInt(Math.trunc(n));
}

export function floatValue(v: unknown): number {
  return Number(numericValue(v));
}

/** Go's truth: false, 0, nil, and empty strings/slices/maps are false; structs and funcs are true. */
export function isTrue(v: unknown): boolean {
  switch (kindOf(v)) {
    case 'invalid':
    case 'nil':
      return false;
    case 'bool':
      return v as boolean;
    case 'int':
    case 'uint':
    case 'float': {
      const n = numericValue(v);
      return typeof n === 'bigint' ? n !== 0n : n !== 0;
    }
    case 'string':
      return (v as string).length > 0;
    case 'bytes':
      return (v as Uint8Array).length > 0;
    case 'slice':
      return (v as unknown[]).length > 0;
    case 'map':
      return v instanceof Map ? v.size > 0 : Object.keys(v as object).length > 0;
    default:
      return true;
  }
}

/** Length of a Go collection (strings in UTF-8 bytes), or undefined when the kind has no length. */
export function goLength(v: unknown): number | undefined {
  switch (kindOf(v)) {
    case 'string':
      return utf8Length(v as string);
    case 'bytes':
      return (v as Uint8Array).length;
    case 'slice':
      return (v as unknown[]).length;
    case 'map':
      return v instanceof Map ? v.size : Object.keys(v as object).length;
    default:
      return undefined;
  }
}

/** Map entries in Go's fmtsort order: numbers numerically, strings bytewise, false before true. */
export function sortedEntries(v: object): Array<[unknown, unknown]> {
  const entries: Array<[unknown, unknown]> =
    v instanceof Map ? [...v.entries()] : Object.keys(v).map((k) => [k, (v as Record<string, unknown>)[k]]);
  return entries.sort((a, b) => compareKeys(a[0], b[0]));
}

function compareKeys(a: unknown, b: unknown): number {
  if (typeof a === 'string' && typeof b === 'string') return compareGoStrings(a, b);
  const ka = kindOf(a);
  const kb = kindOf(b);
  if (
    (ka === 'int' || ka === 'uint' || ka === 'float') &&
    (kb === 'int' || kb === 'uint' || kb === 'float')
  ) {
    const x = numericValue(a);
    const y = numericValue(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (ka === 'bool' && kb === 'bool') return a === b ? 0 : a ? 1 : -1;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/**
 * Compares as Go compares strings (UTF-8 bytes, i.e. code points). UTF-16 code units order the same
 * except surrogates against U+E000–U+FFFF, so those are shifted before comparing.
 */
export function compareGoStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800) x += x < 0xe000 ? 0x2000 : -0x800;
    if (y >= 0xd800) y += y < 0xe000 ? 0x2000 : -0x800;
    return x < y ? -1 : 1;
  }
  return a.length < b.length ? -1 : 1;
}

export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d < 0xe000) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function utf8Bytes(s: string): Uint8Array {
  return encoder.encode(s);
}

/** Bytes back to a string; invalid UTF-8 becomes U+FFFD, as Go's range over a string would read it. */
export function utf8Decode(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/** Number of runes (code points) — fmt's width and precision count these. */
export function runeCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d < 0xe000) i++;
    }
    n++;
  }
  return n;
}

/**
 * Sets an own property whatever the key: `obj[key] = v` with key "__proto__" would replace the
 * object's prototype instead (keys come from KV paths, JSON and templates).
 */
export function setOwn(obj: object, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** The object's own value for a key, or undefined (never a prototype member such as `toString`). */
export function ownValue(v: object, key: string): unknown {
  return Object.hasOwn(v, key) ? (v as Record<string, unknown>)[key] : undefined;
}
