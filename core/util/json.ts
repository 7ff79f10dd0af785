/**
 * JSON that keeps uint64 values exact. Consul's KV `Flags` and lock flag values go past 2^53, which
 * JSON.parse would round; here an integer literal beyond the safe range parses to a bigint, and a
 * bigint serialises back as a bare number.
 */
import { TribuneError } from '../errors.js';

export type JsonValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | JsonValue[]
  | { [key: string]: JsonValue };

const MAX_DEPTH = 256;

class Parser {
  private pos = 0;
  constructor(private readonly text: string) {}

  fail(what: string): never {
    throw new TribuneError('BAD_REQUEST', `${what} at offset ${this.pos}`);
  }

  skipSpace(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.pos++;
      else break;
    }
  }

  parseDocument(): JsonValue {
    this.skipSpace();
    const value = this.parseValue(0);
    this.skipSpace();
    if (this.pos !== this.text.length) this.fail('invalid character after top-level value');
    return value;
  }

  parseValue(depth: number): JsonValue {
    if (depth > MAX_DEPTH) this.fail('exceeded max depth');
    this.skipSpace();
    const c = this.text[this.pos];
    if (c === '{') return this.parseObject(depth);
    if (c === '[') return this.parseArray(depth);
    if (c === '"') return this.parseString();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.parseNumber();
    if (this.text.startsWith('true', this.pos)) return this.literal(4, true);
    if (this.text.startsWith('false', this.pos)) return this.literal(5, false);
    if (this.text.startsWith('null', this.pos)) return this.literal(4, null);
    return this.fail(
      c === undefined
        ? 'unexpected end of JSON input'
        : `invalid character '${c}' looking for beginning of value`,
    );
  }

  literal<T>(length: number, value: T): T {
    this.pos += length;
    return value;
  }

  parseObject(depth: number): JsonValue {
    this.pos++;
    const out: { [key: string]: JsonValue } = {};
    this.skipSpace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] !== '"')
        this.fail('invalid character looking for beginning of object key string');
      const key = this.parseString();
      this.skipSpace();
      if (this.text[this.pos] !== ':') this.fail("invalid character after object key (expected ':')");
      this.pos++;
      const value = this.parseValue(depth + 1);
      Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
      this.skipSpace();
      const sep = this.text[this.pos++];
      if (sep === '}') return out;
      if (sep !== ',') this.fail("invalid character after object key:value pair (expected ',' or '}')");
    }
  }

  parseArray(depth: number): JsonValue {
    this.pos++;
    const out: JsonValue[] = [];
    this.skipSpace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.parseValue(depth + 1));
      this.skipSpace();
      const sep = this.text[this.pos++];
      if (sep === ']') return out;
      if (sep !== ',') this.fail("invalid character after array element (expected ',' or ']')");
    }
  }

  parseString(): string {
    const start = this.pos;
    const end = this.findStringEnd(start + 1);
    try {
      return JSON.parse(this.text.slice(start, end + 1)) as string;
    } catch {
      return this.fail('invalid string literal');
    }
  }

  findStringEnd(from: number): number {
    const t = this.text;
    for (let i = from; i < t.length; i++) {
      const c = t.charCodeAt(i);
      if (c === 92) i++;
      else if (c === 34) {
        this.pos = i + 1;
        return i;
      } else if (c < 32) {
        this.pos = i;
        this.fail('invalid control character in string literal');
      }
    }
    this.pos = t.length;
    return this.fail('unexpected end of JSON input');
  }

  parseNumber(): number | bigint {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.text.slice(this.pos, this.pos + 400));
    if (!match) return this.fail('invalid number literal');
    this.pos += match[0].length;
    const literal = match[0];
    if (match[2] === undefined && match[3] === undefined) {
      const asNumber = Number(literal);
      if (!Number.isSafeInteger(asNumber)) return BigInt(literal);
      return asNumber;
    }
    return Number(literal);
  }
}

/** Parses JSON, keeping integers beyond 2^53 exact as bigint. Errors are 400s in Go's wording. */
export function parseJson(text: string): JsonValue {
  return new Parser(text).parseDocument();
}

/** Quoted object keys, memoised: answers repeat the same few dozen field names. Bounded. */
const quotedKeys = new Map<string, string>();
const MAX_QUOTED_KEYS = 4096;

function quoteKey(key: string): string {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = JSON.stringify(key);
    if (quotedKeys.size < MAX_QUOTED_KEYS) quotedKeys.set(key, quoted);
  }
  return quoted;
}

/** Bytes as a JSON string of standard base64 (Go's []byte encoding), without copying a Buffer. */
function bytesJson(bytes: Uint8Array): string {
  const buffer = Buffer.isBuffer(bytes)
    ? bytes
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return JSON.stringify(buffer.toString('base64'));
}

/** A scalar's JSON text; `undefined` for what JSON omits (undefined, functions, symbols). */
function scalarJson(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? `${value}` : 'null';
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      return value === null ? 'null' : undefined;
    default:
      return undefined;
  }
}

// Compact and indented output are separate walkers: the compact one is on every API answer.
function compactJson(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return scalarJson(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      out += compactJson(value[i]) ?? 'null';
    }
    return `${out}]`;
  }
  if (value instanceof Uint8Array) return bytesJson(value);
  const toJSON = (value as { toJSON?: () => unknown }).toJSON;
  if (typeof toJSON === 'function') return compactJson(toJSON.call(value));
  const record = value as Record<string, unknown>;
  let out = '';
  for (const key of Object.keys(record)) {
    const encoded = compactJson(record[key]);
    if (encoded === undefined) continue;
    out += `${out === '' ? '' : ','}${quoteKey(key)}:${encoded}`;
  }
  return `{${out}}`;
}

function indentedJson(value: unknown, indent: string, depth: string): string | undefined {
  if (typeof value !== 'object' || value === null) return scalarJson(value);
  if (value instanceof Uint8Array) return bytesJson(value);
  const inner = depth + indent;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    let out = '';
    for (let i = 0; i < value.length; i++) {
      out += `${i > 0 ? ',' : ''}\n${inner}${indentedJson(value[i], indent, inner) ?? 'null'}`;
    }
    return `[${out}\n${depth}]`;
  }
  const toJSON = (value as { toJSON?: () => unknown }).toJSON;
  if (typeof toJSON === 'function') return indentedJson(toJSON.call(value), indent, depth);
  const record = value as Record<string, unknown>;
  let out = '';
  for (const key of Object.keys(record)) {
    const encoded = indentedJson(record[key], indent, inner);
    if (encoded === undefined) continue;
    out += `${out === '' ? '' : ','}\n${inner}${quoteKey(key)}: ${encoded}`;
  }
  return out === '' ? '{}' : `{${out}\n${depth}}`;
}

/** JSON.stringify that writes bigints as bare integers; `indent` as JSON.stringify's space argument. */
export function stringifyJson(value: unknown, indent = ''): string {
  return (indent === '' ? compactJson(value) : indentedJson(value, indent, '')) ?? 'null';
}

/**
 * Reads `name` from a decoded body the way Go's encoding/json does: exact key first, then any key
 * equal ignoring case. `alsoSnake` additionally accepts snake_case spellings (`enable_tag_override`).
 */
export function field(obj: unknown, name: string, alsoSnake = false): JsonValue | undefined {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return undefined;
  const record = obj as Record<string, JsonValue>;
  if (Object.hasOwn(record, name)) return record[name];
  const wanted = name.toLowerCase();
  for (const key of Object.keys(record)) {
    const folded = alsoSnake ? key.replaceAll('_', '').toLowerCase() : key.toLowerCase();
    if (folded === wanted) return record[key];
  }
  return undefined;
}
