/**
 * consul-template's pure helper functions (no data source): strings, parsing, encoding, collections.
 * Each keeps consul-template's parameter order (made for pipes: `{{ .Tags | join "," }}`), its empty-
 * input tolerance (parseJSON "" is an empty map) and its error wording ("parseInt: strconv.ParseInt: …").
 */
import { FuncError, fn, type GoFunction, type ParamType, variadicFn } from '../func-spec.js';
import { sprintf } from '../printf.js';
import {
  GoNumber,
  goFloat,
  goStruct,
  goTyped,
  goTypeName,
  intValue,
  kindOf,
  numericValue,
  setOwn,
} from '../values.js';
import { base64Decode, base64Encode } from './base64.js';
import { goMatchString, goReplaceAllString } from './go-regexp.js';
import {
  goParseBool,
  goParseFloat,
  goParseInt,
  goParseUint,
  goReplace,
  goSplit,
  goTitle,
  goToLower,
  goToUpper,
  goTrim,
  goTrimSpace,
} from './go-strings.js';
import { formatGoTime as formatTime } from './go-time.js';
import { marshalJSON, unmarshalJSON } from './json.js';
import { sha256Hex } from './sha256.js';
import { marshalYAML } from './yaml.js';

/** Wraps a failure the way consul-template's errors.Wrap(err, "name") does. */
function wrapped<T>(label: string, body: () => T): T {
  try {
    return body();
  } catch (err) {
    if (err instanceof FuncError) throw new FuncError(`${label}: ${err.message}`);
    throw err;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** []*dependency.KeyPair: a list of objects with a string Key (what ls and tree return). */
export const KEY_PAIRS: ParamType = {
  name: '[]*dependency.KeyPair',
  accepts: (v) => Array.isArray(v) && v.every((p) => isObject(p) && typeof p.Key === 'string'),
};

/** []interface {}: any slice. */
export const ANY_SLICE: ParamType = { name: '[]interface {}', accepts: (v) => Array.isArray(v) };

/** consul-template's `in`: list membership for ints, floats and strings; substring for strings. */
export function inList(l: unknown, v: unknown): boolean {
  const lk = kindOf(l);
  const vk = kindOf(v);
  if (lk === 'slice') {
    for (const item of l as unknown[]) {
      const ik = kindOf(item);
      if (ik === 'int' && vk === 'int' && intValue(item) === intValue(v)) return true;
      if (ik === 'float' && vk === 'float' && Number(numericValue(item)) === Number(numericValue(v)))
        return true;
      if (ik === 'string' && vk === 'string' && item === v) return true;
    }
    return false;
  }
  if (lk === 'string') return vk === 'string' && (l as string).includes(v as string);
  return false;
}

function byKey(pairs: Array<Record<string, unknown>>): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const pair of pairs) {
    const parts = (pair.Key as string).split('/');
    const top = parts[0] as string;
    const key = parts.slice(1).join('/');
    if (key === '') continue;
    if (!Object.hasOwn(out, top)) setOwn(out, top, goTyped('map[string]*dependency.KeyPair', {}));
    const copy = goStruct('*dependency.KeyPair', { ...pair, Key: key });
    setOwn(out[top] as Record<string, unknown>, key, copy);
  }
  return goTyped('map[string]map[string]*dependency.KeyPair', out);
}

function byTag(input: unknown): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = goTyped('map[string][]interface {}', {});
  if (input === null) return out;
  if (!Array.isArray(input) || !input.every(isObject)) {
    throw new FuncError(`byTag: wrong argument type ${goTypeName(input)}`);
  }
  for (const item of input) {
    const tags = Array.isArray(item.Tags)
      ? item.Tags
      : Array.isArray(item.ServiceTags)
        ? item.ServiceTags
        : null;
    if (tags === null) throw new FuncError(`byTag: wrong argument type ${goTypeName(input)}`);
    for (const tag of tags as string[]) {
      if (!Object.hasOwn(out, tag)) setOwn(out, tag, []);
      (out[tag] as unknown[]).push(item);
    }
  }
  return out;
}

function explode(pairs: Array<Record<string, unknown>>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const pair of pairs) {
    wrapped('explode', () => explodeInto(root, pair.Key as string, pair.Value, pair.Key as string));
  }
  return root;
}

function explodeInto(m: Record<string, unknown>, k: string, v: unknown, p: string): void {
  if (!k.includes('/')) {
    if (k !== '') setOwn(m, k, v);
    return;
  }
  const parts = k.split('/');
  const top = parts[0] as string;
  if (!Object.hasOwn(m, top)) setOwn(m, top, {});
  const nest = m[top];
  if (!isObject(nest) || Array.isArray(nest)) {
    throw new FuncError(sprintf('not a map: %q: %q already has value %q', [p, top, nest]));
  }
  explodeInto(nest, parts.slice(1).join('/'), v, k);
}

/** loop 5 → 0…4, loop 2 5 → 2…4, as int64 (a channel in Go; a list here). */
const LOOP_LIMIT = 1_000_000;

function loop(args: unknown[]): GoNumber[] {
  const to64 = (v: unknown): bigint => {
    const k = kindOf(v);
    if (k === 'int' || k === 'uint') return intValue(v);
    if (k === 'string') return wrapped('parseInt', () => goParseInt(v as string));
    throw new FuncError(`loop: bad argument type: ${v === null ? '<nil>' : goTypeName(v)}`);
  };
  if (args.length !== 1 && args.length !== 2) {
    throw new FuncError(`loop: wrong number of arguments, expected 1 or 2, but got ${args.length}`);
  }
  const start = args.length === 1 ? 0n : to64(args[0]);
  const stop = to64(args[args.length - 1]);
  if (stop - start > BigInt(LOOP_LIMIT)) throw new FuncError(`loop: more than ${LOOP_LIMIT} iterations`);
  const out: GoNumber[] = [];
  for (let i = start; i < stop; i++) out.push(new GoNumber('int64', Number(i)));
  return out;
}

function indent(spaces: number, s: string): string {
  if (spaces < 0) throw new FuncError('indent value must be a positive integer');
  const prefix = ' '.repeat(spaces);
  let out = '';
  let lineStart = true;
  for (const c of s) {
    if (lineStart && c !== '\n') out += prefix;
    out += c;
    lineStart = c === '\n';
  }
  return out;
}

export function consulTemplateHelpers(now: () => number): Record<string, GoFunction> {
  return {
    base64Decode: fn(['string'], ([s]) => wrapped('base64Decode', () => base64Decode(s as string))),
    base64Encode: fn(['string'], ([s]) => base64Encode(s as string)),
    base64URLDecode: fn(['string'], ([s]) =>
      wrapped('base64URLDecode', () => base64Decode(s as string, 'url')),
    ),
    base64URLEncode: fn(['string'], ([s]) => base64Encode(s as string, 'url')),
    byKey: fn([KEY_PAIRS], ([pairs]) => byKey(pairs as Array<Record<string, unknown>>)),
    byTag: fn(['any'], ([input]) => byTag(input)),
    contains: fn(['any', 'any'], ([v, l]) => inList(l, v)),
    containsAll: fn([ANY_SLICE, 'any'], ([v, l]) => (v as unknown[]).every((x) => inList(l, x))),
    containsAny: fn([ANY_SLICE, 'any'], ([v, l]) => (v as unknown[]).some((x) => inList(l, x))),
    containsNone: fn([ANY_SLICE, 'any'], ([v, l]) => !(v as unknown[]).some((x) => inList(l, x))),
    containsNotAll: fn([ANY_SLICE, 'any'], ([v, l]) => !(v as unknown[]).every((x) => inList(l, x))),
    explode: fn([KEY_PAIRS], ([pairs]) => explode(pairs as Array<Record<string, unknown>>)),
    in: fn(['any', 'any'], ([l, v]) => inList(l, v)),
    indent: fn(['int', 'string'], ([n, s]) => indent(Number(n), s as string)),
    join: fn(['string', 'strings'], ([sep, a]) => (a as string[]).join(sep as string)),
    loop: variadicFn([], 'any', (args) => loop(args)),
    parseBool: fn(['string'], ([s]) =>
      s === '' ? false : wrapped('parseBool', () => goParseBool(s as string)),
    ),
    parseFloat: fn(['string'], ([s]) =>
      goFloat(s === '' ? 0 : wrapped('parseFloat', () => goParseFloat(s as string))),
    ),
    parseInt: fn(['string'], ([s]) => {
      const v = s === '' ? 0n : wrapped('parseInt', () => goParseInt(s as string));
      return new GoNumber('int64', Number.isSafeInteger(Number(v)) ? Number(v) : v);
    }),
    parseJSON: fn(['string'], ([s]) => (s === '' ? {} : unmarshalJSON(s as string))),
    parseUint: fn(['string'], ([s]) => {
      const v = s === '' ? 0n : wrapped('parseUint', () => goParseUint(s as string));
      return new GoNumber('uint64', Number.isSafeInteger(Number(v)) ? Number(v) : v);
    }),
    regexMatch: fn(['string', 'string'], ([re, s]) => goMatchString(re as string, s as string)),
    regexReplaceAll: fn(['string', 'string', 'string'], ([re, pl, s]) =>
      goReplaceAllString(re as string, s as string, pl as string),
    ),
    replaceAll: fn(['string', 'string', 'string'], ([f, t, s]) =>
      goReplace(s as string, f as string, t as string, -1),
    ),
    sha256Hex: fn(['string'], ([s]) => sha256Hex(s as string)),
    split: fn(['string', 'string'], ([sep, s]) => {
      const trimmed = goTrimSpace(s as string);
      return goTyped('[]string', trimmed === '' ? [] : goSplit(trimmed, sep as string));
    }),
    timestamp: variadicFn([], 'string', (args) => timestamp(now, args as string[])),
    toJSON: fn(['any'], ([v]) => wrapped('toJSON', () => marshalJSON(v))),
    toJSONPretty: fn(['any'], ([v]) => wrapped('toJSONPretty', () => marshalJSON(v, '  '))),
    toLower: fn(['string'], ([s]) => goToLower(s as string)),
    toTitle: fn(['string'], ([s]) => goTitle(s as string)),
    toUpper: fn(['string'], ([s]) => goToUpper(s as string)),
    toYAML: fn(['any'], ([v]) => wrapped('toYAML', () => goTrimSpace(marshalYAML(v)))),
    trim: fn(['string', 'string'], ([cutset, s]) => goTrim(s as string, cutset as string)),
    trimPrefix: fn(['string', 'string'], ([p, s]) =>
      (s as string).startsWith(p as string) ? (s as string).slice((p as string).length) : s,
    ),
    trimSpace: fn(['string'], ([s]) => goTrimSpace(s as string)),
    trimSuffix: fn(['string', 'string'], ([x, s]) =>
      (x as string) !== '' && (s as string).endsWith(x as string)
        ? (s as string).slice(0, -(x as string).length)
        : s,
    ),
  };
}

function timestamp(now: () => number, args: string[]): string {
  if (args.length > 1) {
    throw new FuncError(`timestamp: wrong number of arguments, expected 0 or 1, but got ${args.length}`);
  }
  const ms = now();
  if (args[0] === 'unix') return String(Math.floor(ms / 1000));
  return formatTime(ms, args[0] ?? '2006-01-02T15:04:05Z07:00');
}
