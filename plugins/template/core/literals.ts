/**
 * Go literal syntax as the template parser reads it: strconv.Unquote for "…" and `…`, UnquoteChar for
 * 'x', and ParseInt/ParseUint/ParseFloat with base prefixes (0x 0o 0b, a leading 0 for octal), digit
 * underscores and hexadecimal floats.
 */
import { utf8Decode } from './values.js';

export class SyntaxError_ extends Error {}

const INVALID_SYNTAX = 'invalid syntax';

function hexValue(c: string | undefined): number {
  if (c === undefined) return -1;
  const n = Number.parseInt(c, 16);
  return /^[0-9a-fA-F]$/.test(c) ? n : -1;
}

/** Decodes one (possibly escaped) character; returns its bytes or code point and where the rest starts. */
function unquoteChar(s: string, i: number, quote: string): { cp?: number; byte?: number; next: number } {
  const c = s[i] as string;
  if (c === quote && (quote === "'" || quote === '"')) throw new SyntaxError_(INVALID_SYNTAX);
  if (c !== '\\') {
    const cp = s.codePointAt(i) as number;
    return { cp, next: i + (cp > 0xffff ? 2 : 1) };
  }
  const e = s[i + 1];
  const simple: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92 };
  if (e === undefined) throw new SyntaxError_(INVALID_SYNTAX);
  if (e in simple) return { cp: simple[e] as number, next: i + 2 };
  if (e === "'" || e === '"') {
    if (e !== quote) throw new SyntaxError_(INVALID_SYNTAX);
    return { cp: e.charCodeAt(0), next: i + 2 };
  }
  if (e === 'x' || e === 'u' || e === 'U') {
    const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
    let v = 0;
    for (let j = 0; j < n; j++) {
      const h = hexValue(s[i + 2 + j]);
      if (h < 0) throw new SyntaxError_(INVALID_SYNTAX);
      v = v * 16 + h;
    }
    if (e === 'x') {
      // A single byte; in a rune literal it is the code point itself.
      return quote === "'" ? { cp: v, next: i + 4 } : { byte: v, next: i + 4 };
    }
    if (v > 0x10ffff || (v >= 0xd800 && v < 0xe000)) throw new SyntaxError_(INVALID_SYNTAX);
    return { cp: v, next: i + 2 + n };
  }
  if (e >= '0' && e <= '7') {
    let v = 0;
    for (let j = 0; j < 3; j++) {
      const d = s[i + 1 + j];
      if (d === undefined || d < '0' || d > '7') throw new SyntaxError_(INVALID_SYNTAX);
      v = v * 8 + (d.charCodeAt(0) - 48);
    }
    if (v > 255) throw new SyntaxError_(INVALID_SYNTAX);
    return quote === "'" ? { cp: v, next: i + 4 } : { byte: v, next: i + 4 };
  }
  throw new SyntaxError_(INVALID_SYNTAX);
}

/**
 * strconv.Unquote for a "…" or `…` token. Byte escapes (\xHH, \NNN) are collected as UTF-8 bytes and
 * decoded together, so "\xe2\x82\xac" is "€"; bytes that are not UTF-8 become U+FFFD.
 */
export function unquoteString(token: string): string {
  const quote = token[0];
  if (token.length < 2 || token[token.length - 1] !== quote) throw new SyntaxError_(INVALID_SYNTAX);
  const body = token.slice(1, -1);
  if (quote === '`') {
    if (body.includes('`')) throw new SyntaxError_(INVALID_SYNTAX);
    return body.replaceAll('\r', '');
  }
  if (quote !== '"') throw new SyntaxError_(INVALID_SYNTAX);
  if (body.includes('\n')) throw new SyntaxError_(INVALID_SYNTAX);
  const bytes: number[] = [];
  const encoder = new TextEncoder();
  let i = 0;
  while (i < body.length) {
    const r = unquoteChar(body, i, '"');
    if (r.byte !== undefined) bytes.push(r.byte);
    else for (const b of encoder.encode(String.fromCodePoint(r.cp as number))) bytes.push(b);
    i = r.next;
  }
  return utf8Decode(Uint8Array.from(bytes));
}

/** A 'x' rune literal: its code point. */
export function unquoteRune(token: string): number {
  const r = unquoteChar(token, 1, "'");
  if (token.slice(r.next) !== "'") {
    if (r.next >= token.length) throw new SyntaxError_(INVALID_SYNTAX);
    throw new SyntaxError_(`malformed character constant: ${token}`);
  }
  return r.cp as number;
}

/** Go's rule: an underscore only between digits, or between a base prefix and a digit. */
function underscoreOK(text: string): boolean {
  let s = text;
  if (s[0] === '+' || s[0] === '-') s = s.slice(1);
  let saw = '^';
  let i = 0;
  let hex = false;
  if (s.length >= 2 && s[0] === '0' && /[bBoOxX]/.test(s[1] as string)) {
    i = 2;
    saw = '0';
    hex = s[1] === 'x' || s[1] === 'X';
  }
  for (; i < s.length; i++) {
    const c = s[i] as string;
    if ((c >= '0' && c <= '9') || (hex && /[a-fA-F]/.test(c))) {
      saw = '0';
      continue;
    }
    if (c === '_') {
      if (saw !== '0') return false;
      saw = '_';
      continue;
    }
    if (saw === '_') return false;
    saw = '!';
  }
  return saw !== '_';
}

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const UINT64_MAX = (1n << 64n) - 1n;

/** strconv.ParseUint(s, 0, 64) without the sign; undefined when it fails (syntax or range). */
function parseUnsigned(text: string): bigint | undefined {
  if (text === '' || !underscoreOK(text)) return undefined;
  let s = text;
  let base = 10;
  if (s[0] === '0' && s.length > 1) {
    const p = (s[1] as string).toLowerCase();
    if (p === 'x' || p === 'o' || p === 'b') {
      base = p === 'x' ? 16 : p === 'o' ? 8 : 2;
      s = s.slice(2);
    } else {
      base = 8;
      s = s.slice(1);
    }
  }
  s = s.replaceAll('_', '');
  if (s === '') return undefined;
  const valid =
    base === 16 ? /^[0-9a-fA-F]+$/ : base === 8 ? /^[0-7]+$/ : base === 2 ? /^[01]+$/ : /^[0-9]+$/;
  if (!valid.test(s)) return undefined;
  const prefix = base === 16 ? '0x' : base === 8 ? '0o' : base === 2 ? '0b' : '';
  const v = BigInt(prefix + s);
  return v > UINT64_MAX ? undefined : v;
}

export function parseUint64(text: string): bigint | undefined {
  if (text[0] === '+' || text[0] === '-') return undefined;
  return parseUnsigned(text);
}

export function parseInt64(text: string): bigint | undefined {
  const neg = text[0] === '-';
  const body = text[0] === '+' || neg ? text.slice(1) : text;
  const v = parseUnsigned(body);
  if (v === undefined) return undefined;
  const signed = neg ? -v : v;
  return signed < INT64_MIN || signed > INT64_MAX ? undefined : signed;
}

/** strconv.ParseFloat(s, 64): decimal or hexadecimal (with a mandatory p exponent); undefined on failure. */
export function parseFloat64(text: string): number | undefined {
  if (!underscoreOK(text)) return undefined;
  const s = text.replaceAll('_', '');
  const m = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?[0-9]+)$/.exec(s);
  if (m) {
    const [, sign, intDigits = '', fracDigits = '', exp = '0'] = m;
    if (intDigits === '' && fracDigits === '') return undefined;
    const mantissa = BigInt(`0x${intDigits + fracDigits || '0'}`);
    const value = Number(mantissa) * 2 ** (Number(exp) - 4 * fracDigits.length);
    if (!Number.isFinite(value)) return undefined;
    return sign === '-' ? -value : value;
  }
  if (!/^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/.test(s)) return undefined;
  const value = Number(s);
  return Number.isFinite(value) ? value : undefined;
}
