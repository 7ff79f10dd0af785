/**
 * Go's encoding/json for template data: Marshal/MarshalIndent (sorted map keys, struct fields in order,
 * HTML-safe escaping, Go's float format) and Unmarshal into interface{} (numbers as float64, Go's error
 * texts such as "invalid character 'x' looking for beginning of value").
 */

import { formatFloat } from '../format-float.js';
import { FuncError } from '../func-spec.js';
import { goQuote } from '../quote.js';
import { GoNumber, goFloat, goTypeName, intValue, kindOf, setOwn, sortedEntries } from '../values.js';
import { base64EncodeBytes } from './base64.js';

// ---- encoding ----------------------------------------------------------------------------------------

const HEX = '0123456789abcdef';

/** A JSON string as Go writes it with HTML escaping on. */
export function jsonString(s: string, escapeHTML = true): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c < 0x20) {
      if (c === 0x0a) out += '\\n';
      else if (c === 0x0d) out += '\\r';
      else if (c === 0x09) out += '\\t';
      else if (c === 0x08) out += '\\b';
      else if (c === 0x0c) out += '\\f';
      else out += `\\u00${HEX[c >> 4]}${HEX[c & 15]}`;
    } else if (escapeHTML && (c === 0x3c || c === 0x3e || c === 0x26))
      out += `\\u00${HEX[c >> 4]}${HEX[c & 15]}`;
    else if (c === 0x2028 || c === 0x2029) out += `\\u202${HEX[c & 15]}`;
    else if (c >= 0xd800 && c < 0xe000) out += '\\ufffd';
    else out += ch;
  }
  return `${out}"`;
}

function jsonFloat(f: number): string {
  if (!Number.isFinite(f)) throw new FuncError(`json: unsupported value: ${formatFloat(f, 'g', -1)}`);
  const abs = Math.abs(f);
  const fmt = abs !== 0 && (abs < 1e-6 || abs >= 1e21) ? 'e' : 'f';
  let s = formatFloat(f, fmt, -1);
  if (fmt === 'e') s = s.replace(/e-0(\d)$/, 'e-$1');
  return s;
}

/** json.Marshal (indent "") or json.MarshalIndent(v, "", indent). */
export function marshalJSON(value: unknown, indent = ''): string {
  return encode(value, indent, '');
}

function encode(v: unknown, indent: string, prefix: string): string {
  const inner = indent === '' ? '' : prefix + indent;
  const nl = indent === '' ? '' : '\n';
  switch (kindOf(v)) {
    case 'invalid':
    case 'nil':
      return 'null';
    case 'bool':
      return v ? 'true' : 'false';
    case 'int':
    case 'uint':
      return intValue(v).toString();
    case 'float':
      return jsonFloat(Number(v instanceof GoNumber ? v.value : v));
    case 'string':
      return jsonString(v as string);
    case 'bytes':
      return `"${base64EncodeBytes(v as Uint8Array)}"`;
    case 'slice': {
      const items = v as unknown[];
      if (items.length === 0) return '[]';
      const parts = items.map((item) => inner + encode(item, indent, inner));
      return `[${nl}${parts.join(`,${nl}`)}${nl}${indent === '' ? '' : prefix}]`;
    }
    case 'map':
    case 'struct': {
      const entries: Array<[unknown, unknown]> =
        kindOf(v) === 'struct'
          ? Object.keys(v as object).map((k) => [k, (v as Record<string, unknown>)[k]])
          : sortedEntries(v as object)
              .map(([k, val]): [unknown, unknown] => [typeof k === 'string' ? k : String(intValue(k)), val])
              .sort((a, b) =>
                (a[0] as string) < (b[0] as string) ? -1 : (a[0] as string) > (b[0] as string) ? 1 : 0,
              );
      if (entries.length === 0) return '{}';
      const sep = indent === '' ? ':' : ': ';
      const parts = entries.map(
        ([k, val]) => `${inner}${jsonString(k as string)}${sep}${encode(val, indent, inner)}`,
      );
      return `{${nl}${parts.join(`,${nl}`)}${nl}${indent === '' ? '' : prefix}}`;
    }
    default:
      throw new FuncError(`json: unsupported type: ${goTypeName(v)}`);
  }
}

// ---- decoding ----------------------------------------------------------------------------------------

class JsonSyntax extends FuncError {}

/** The character as Go's JSON scanner quotes it in errors: 'x', '\'', '"', '\n'. */
function quoteChar(c: string): string {
  if (c === "'") return "'\\''";
  if (c === '"') return `'"'`;
  const q = goQuote(c);
  return `'${q.slice(1, -1)}'`;
}

class Decoder {
  private i = 0;
  constructor(private readonly s: string) {}

  private fail(context: string): never {
    if (this.i >= this.s.length) throw new JsonSyntax('unexpected end of JSON input');
    const ch = String.fromCodePoint(this.s.codePointAt(this.i) as number);
    throw new JsonSyntax(`invalid character ${quoteChar(ch)} ${context}`);
  }

  private skipSpace(): void {
    while (this.i < this.s.length && ' \t\r\n'.includes(this.s[this.i] as string)) this.i++;
  }

  decodeTop(): unknown {
    this.skipSpace();
    const v = this.value('looking for beginning of value');
    this.skipSpace();
    if (this.i < this.s.length) this.fail('after top-level value');
    return v;
  }

  private value(context: string): unknown {
    const c = this.s[this.i];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return this.string();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
    for (const [word, val] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (c === word[0]) {
        for (let k = 1; k < word.length; k++) {
          this.i++;
          if (this.s[this.i] !== word[k])
            this.fail(`in literal ${word} (expecting ${quoteChar(word[k] as string)})`);
        }
        this.i++;
        return val;
      }
    }
    this.fail(context);
  }

  private object(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.i++;
    this.skipSpace();
    if (this.s[this.i] === '}') {
      this.i++;
      return out;
    }
    for (;;) {
      this.skipSpace();
      if (this.s[this.i] !== '"') this.fail('looking for beginning of object key string');
      const key = this.string();
      this.skipSpace();
      if (this.s[this.i] !== ':') this.fail('after object key');
      this.i++;
      this.skipSpace();
      setOwn(out, key, this.value('looking for beginning of value'));
      this.skipSpace();
      const c = this.s[this.i];
      if (c === ',') {
        this.i++;
        continue;
      }
      if (c === '}') {
        this.i++;
        return out;
      }
      this.fail('after object key:value pair');
    }
  }

  private array(): unknown[] {
    const out: unknown[] = [];
    this.i++;
    this.skipSpace();
    if (this.s[this.i] === ']') {
      this.i++;
      return out;
    }
    for (;;) {
      this.skipSpace();
      out.push(this.value('looking for beginning of value'));
      this.skipSpace();
      const c = this.s[this.i];
      if (c === ',') {
        this.i++;
        continue;
      }
      if (c === ']') {
        this.i++;
        return out;
      }
      this.fail('after array element');
    }
  }

  private string(): string {
    this.i++;
    let out = '';
    for (;;) {
      const c = this.s[this.i];
      if (c === undefined) this.fail('in string literal');
      if (c === '"') {
        this.i++;
        return out;
      }
      if (c < ' ') this.fail('in string literal');
      if (c !== '\\') {
        out += c;
        this.i++;
        continue;
      }
      this.i++;
      const e = this.s[this.i];
      const simple: Record<string, string> = {
        '"': '"',
        '\\': '\\',
        '/': '/',
        b: '\b',
        f: '\f',
        n: '\n',
        r: '\r',
        t: '\t',
      };
      if (e !== undefined && e in simple) {
        out += simple[e];
        this.i++;
        continue;
      }
      if (e !== 'u') this.fail('in string escape code');
      this.i++;
      let code = 0;
      for (let k = 0; k < 4; k++) {
        const h = this.s[this.i];
        if (h === undefined || !/[0-9a-fA-F]/.test(h)) this.fail('in \\u hexadecimal character escape');
        code = code * 16 + Number.parseInt(h, 16);
        this.i++;
      }
      out += String.fromCharCode(code);
    }
  }

  private number(): unknown {
    const start = this.i;
    if (this.s[this.i] === '-') this.i++;
    const digit = (): boolean => {
      const c = this.s[this.i];
      return c !== undefined && c >= '0' && c <= '9';
    };
    if (this.s[this.i] === '0') this.i++;
    else if (digit()) while (digit()) this.i++;
    else this.fail('in numeric literal');
    if (this.s[this.i] === '.') {
      this.i++;
      if (!digit()) this.fail('after decimal point in numeric literal');
      while (digit()) this.i++;
    }
    if (this.s[this.i] === 'e' || this.s[this.i] === 'E') {
      this.i++;
      if (this.s[this.i] === '+' || this.s[this.i] === '-') this.i++;
      if (!digit()) this.fail('in exponent of numeric literal');
      while (digit()) this.i++;
    }
    return goFloat(Number(this.s.slice(start, this.i)));
  }
}

/** json.Unmarshal into interface{}: objects, arrays, strings, float64 numbers, bools, nil. */
export function unmarshalJSON(s: string): unknown {
  return new Decoder(s).decodeTop();
}

/** json.Unmarshal into a typed target (confd's map[string]interface{} / []interface{}). */
export function unmarshalJSONInto(s: string, target: 'object' | 'array'): unknown {
  const v = unmarshalJSON(s);
  if (v === null) return null;
  const got = Array.isArray(v)
    ? 'array'
    : typeof v === 'object' && !(v instanceof GoNumber)
      ? 'object'
      : null;
  if (got === target) return v;
  const what =
    typeof v === 'string'
      ? 'string'
      : typeof v === 'boolean'
        ? 'bool'
        : got === null
          ? 'number'
          : (got as string);
  const type = target === 'object' ? 'map[string]interface {}' : '[]interface {}';
  throw new FuncError(`json: cannot unmarshal ${what} into Go value of type ${type}`);
}
