/**
 * Go's strings, strconv and path behaviour where JavaScript's differs: rune-by-rune case mapping (no
 * "ß" → "SS"), unicode.IsSpace trimming, strings.Split with an empty separator, strconv's parsers and
 * their error texts, and the path package's Base, Dir, Clean and Match.
 */
import { FuncError } from '../func-spec.js';
import { goQuote } from '../quote.js';

/** strings.ToUpper / ToLower: unicode's simple (one rune to one rune) case mapping. */
function mapRunes(s: string, upper: boolean): string {
  let out = '';
  for (const ch of s) {
    if (!upper && ch === '\u0130') {
      out += 'i'; // simple mapping of İ; JS's full mapping adds a combining dot
      continue;
    }
    const mapped = upper ? ch.toUpperCase() : ch.toLowerCase();
    out += [...mapped].length === 1 ? mapped : ch;
  }
  return out;
}

export const goToUpper = (s: string): string => mapRunes(s, true);
export const goToLower = (s: string): string => mapRunes(s, false);

const SPACE = '[\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const LEADING_SPACE = new RegExp(`^${SPACE}+`);
const TRAILING_SPACE = new RegExp(`${SPACE}+$`);

/** strings.TrimSpace: Unicode White_Space (not U+FEFF, which JS's trim removes). */
export function goTrimSpace(s: string): string {
  return s.replace(LEADING_SPACE, '').replace(TRAILING_SPACE, '');
}

/** cases.Title(language.Und, cases.NoLower): the first letter of each word in title case. */
export function goTitle(s: string): string {
  return s.replace(/(^|[^\p{L}\p{N}\p{M}_'’])(\p{L})/gu, (_m, before: string, letter: string) => {
    const upper = letter.toUpperCase();
    return before + ([...upper].length === 1 ? upper : letter);
  });
}

/** strings.Split: an empty separator splits into runes. */
export function goSplit(s: string, sep: string): string[] {
  return sep === '' ? Array.from(s) : s.split(sep);
}

/** strings.Replace(s, old, new, n): at most n replacements, all when n < 0. */
export function goReplace(s: string, old: string, replacement: string, n: number): string {
  if (n === 0 || old === replacement) return s;
  if (old === '') {
    // An empty old matches at the start and after each rune.
    const runes = Array.from(s);
    let out = '';
    let count = 0;
    for (let i = 0; i <= runes.length; i++) {
      if (n < 0 || count < n) {
        out += replacement;
        count++;
      }
      if (i < runes.length) out += runes[i];
    }
    return out;
  }
  if (n < 0) return s.split(old).join(replacement);
  let out = '';
  let rest = s;
  for (let i = 0; i < n; i++) {
    const at = rest.indexOf(old);
    if (at < 0) break;
    out += rest.slice(0, at) + replacement;
    rest = rest.slice(at + old.length);
  }
  return out + rest;
}

/** strings.Trim(s, cutset): runes of cutset removed from both ends. */
export function goTrim(s: string, cutset: string): string {
  const cut = new Set(Array.from(cutset));
  const runes = Array.from(s);
  let a = 0;
  let b = runes.length;
  while (a < b && cut.has(runes[a] as string)) a++;
  while (b > a && cut.has(runes[b - 1] as string)) b--;
  return runes.slice(a, b).join('');
}

// ---- strconv -------------------------------------------------------------------------------------------

const numError = (fn: string, s: string, what: 'invalid syntax' | 'value out of range'): FuncError =>
  new FuncError(`strconv.${fn}: parsing ${goQuote(s)}: ${what}`);

export function goParseBool(s: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
  throw numError('ParseBool', s, 'invalid syntax');
}

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

/** strconv.ParseInt(s, 10, 64). */
export function goParseInt(s: string, fn = 'ParseInt'): bigint {
  if (!/^[+-]?[0-9]+$/.test(s)) throw numError(fn, s, 'invalid syntax');
  const v = BigInt(s);
  if (v < INT64_MIN || v > INT64_MAX) throw numError(fn, s, 'value out of range');
  return v;
}

/** strconv.ParseUint(s, 10, 64). */
export function goParseUint(s: string): bigint {
  if (!/^[0-9]+$/.test(s)) throw numError('ParseUint', s, 'invalid syntax');
  const v = BigInt(s);
  if (v >= 1n << 64n) throw numError('ParseUint', s, 'value out of range');
  return v;
}

/** strconv.ParseFloat(s, 64), including "inf", "infinity" and "nan" in any case. */
export function goParseFloat(s: string): number {
  const special = /^([+-]?)(inf|infinity|nan)$/i.exec(s);
  if (special) {
    if ((special[2] as string).toLowerCase() === 'nan') return Number.NaN;
    return special[1] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  const body = s.replace(/^[+-]/, '');
  const hex = /^0[xX]/.test(body);
  const ok = hex
    ? /^[+-]?0[xX](?:[0-9a-fA-F_]*\.?[0-9a-fA-F_]*)[pP][+-]?[0-9_]+$/.test(s)
    : /^[+-]?(?:[0-9_]+\.?[0-9_]*|\.[0-9_]+)(?:[eE][+-]?[0-9_]+)?$/.test(s) && !/^[+-]?_|_$/.test(s);
  if (!ok || (s.includes('_') && !hex)) throw numError('ParseFloat', s, 'invalid syntax');
  let value: number;
  if (hex) {
    const m = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?[0-9]+)$/.exec(
      s.replaceAll('_', ''),
    );
    if (!m) throw numError('ParseFloat', s, 'invalid syntax');
    const frac = m[3] ?? '';
    value = Number(BigInt(`0x${(m[2] ?? '') + frac || '0'}`)) * 2 ** (Number(m[4]) - 4 * frac.length);
    if (m[1] === '-') value = -value;
  } else value = Number(s);
  if (!Number.isFinite(value)) throw numError('ParseFloat', s, 'value out of range');
  return value;
}

/** strconv.Atoi: like ParseInt(s, 10, 0) but named Atoi in its errors. */
export function goAtoi(s: string): number {
  const v = goParseInt(s, 'Atoi');
  return Number(v);
}

// ---- path --------------------------------------------------------------------------------------------

/** path.Clean: the shortest equivalent slash-separated path. */
export function pathClean(p: string): string {
  if (p === '') return '.';
  const rooted = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(part);
  }
  const joined = out.join('/');
  if (rooted) return `/${joined}`;
  return joined === '' ? '.' : joined;
}

/** path.Base: the last element; "." for "", "/" for a path of slashes. */
export function pathBase(p: string): string {
  if (p === '') return '.';
  const trimmed = p.replace(/\/+$/, '');
  if (trimmed === '') return '/';
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

/** path.Dir: everything but the last element, cleaned. */
export function pathDir(p: string): string {
  return pathClean(p.slice(0, p.lastIndexOf('/') + 1));
}

/** path.Match's pattern syntax error. */
export const ERR_BAD_PATTERN = 'syntax error in pattern';

/** path.Match: `*` and `?` never match '/', `[...]` classes with ranges and `^` negation, `\` escapes. */
export function pathMatch(pattern: string, name: string): boolean {
  let re = '^';
  const p = Array.from(pattern);
  for (let i = 0; i < p.length; i++) {
    const c = p[i] as string;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '\\') {
      i++;
      if (i >= p.length) throw new FuncError(ERR_BAD_PATTERN);
      re += escapeRe(p[i] as string);
    } else if (c === '[') {
      i++;
      let cls = '[';
      if (p[i] === '^') {
        cls += '^';
        i++;
      }
      let count = 0;
      for (;;) {
        if (i >= p.length) throw new FuncError(ERR_BAD_PATTERN);
        let ch = p[i] as string;
        if (ch === ']' && count > 0) break;
        if (ch === '\\') {
          i++;
          if (i >= p.length) throw new FuncError(ERR_BAD_PATTERN);
          ch = p[i] as string;
        } else if (ch === '-' || ch === ']') throw new FuncError(ERR_BAD_PATTERN);
        cls += escapeRe(ch);
        if (p[i + 1] === '-' && p[i + 2] !== ']') {
          let hi = p[i + 2];
          i += 2;
          if (hi === '\\') {
            i++;
            hi = p[i];
          }
          if (hi === undefined || hi < ch) throw new FuncError(ERR_BAD_PATTERN);
          cls += `-${escapeRe(hi)}`;
        }
        count++;
        i++;
      }
      re += `${cls}]`;
    } else re += escapeRe(c);
  }
  return new RegExp(`${re}$`, 'u').test(name);
}

const escapeRe = (c: string): string => c.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
