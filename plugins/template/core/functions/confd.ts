/**
 * confd's template functions: its key/value store functions (get, gets, getv, getvs, exists, ls, lsdir
 * over memkv semantics) and its helpers (base, dir, split, join, json, jsonArray, map, getenv, datetime,
 * toUpper, toLower, contains, replace, trimSuffix, lookupIP, lookupSRV, base64Encode/Decode, parseBool,
 * reverse, sortByLength, sortKVByLength, add, sub, mul, div, mod, seq, atoi). Argument orders are
 * confd's (Go's strings package: `split "a,b" ","`), not consul-template's.
 *
 * Until the store has arrived, lookups return empty placeholders rather than "key does not exist".
 */
import { FuncError, fn, type GoFunction, type ParamType, variadicFn } from '../func-spec.js';
import { sprintf } from '../printf.js';
import { compareGoStrings, goStruct, goTyped, setOwn, utf8Length } from '../values.js';
import { base64Decode, base64Encode } from './base64.js';
import type { ConfdStoreDependency } from './data-source.js';
import { MISSING } from './data-source.js';
import {
  goAtoi,
  goParseBool,
  goReplace,
  goSplit,
  goToLower,
  goToUpper,
  pathBase,
  pathClean,
  pathDir,
  pathMatch,
} from './go-strings.js';
import { GoTime } from './go-time.js';
import { unmarshalJSONInto } from './json.js';
import type { RenderContext } from './render-context.js';

const STORE: ConfdStoreDependency = { kind: 'confd.store', id: 'confd.store' };

interface KVPair {
  Key: string;
  Value: string;
}

const kvPair = (Key: string, Value: string): KVPair => goStruct('memkv.KVPair', { Key, Value });

const KV_PAIRS: ParamType = {
  name: '[]memkv.KVPair',
  accepts: (v) => Array.isArray(v) && v.every((p) => typeof p === 'object' && p !== null && 'Key' in p),
};

const terms = (p: string): string[] => pathClean(p).split('/');
const samePrefix = (prefix: string[], test: string[]): boolean =>
  test.length >= prefix.length && prefix.every((t, i) => t === test[i]);

function memkvList(store: ReadonlyMap<string, string>, filePath: string): string[] {
  const found = new Set<string>();
  const prefix = terms(filePath);
  for (const key of store.keys()) {
    if (key === filePath) {
      found.add(pathBase(key));
      continue;
    }
    if (samePrefix(prefix, terms(pathDir(key)))) {
      const stripped = key.startsWith(filePath) ? key.slice(filePath.length) : key;
      found.add((stripped.startsWith('/') ? stripped.slice(1) : stripped).split('/')[0] as string);
    }
  }
  return [...found].sort(compareGoStrings);
}

function memkvListDir(store: ReadonlyMap<string, string>, filePath: string): string[] {
  const found = new Set<string>();
  const prefix = terms(filePath);
  for (const key of store.keys()) {
    if (!key.startsWith(filePath)) continue;
    const items = terms(pathDir(key));
    if (samePrefix(prefix, items) && items.length - prefix.length >= 1)
      found.add(items[prefix.length] as string);
  }
  return [...found].sort(compareGoStrings);
}

function getAll(store: ReadonlyMap<string, string>, pattern: string): KVPair[] {
  const out: KVPair[] = [];
  for (const [key, value] of store) if (pathMatch(pattern, key)) out.push(kvPair(key, value));
  return out.sort((a, b) => compareGoStrings(a.Key, b.Key));
}

const intArgs = (f: (a: number, b: number) => number): GoFunction =>
  fn(['int', 'int'], ([a, b]) => f(Number(a), Number(b)));

const SEQ_LIMIT = 1_000_000;

export function confdFunctions(ctx: RenderContext): Record<string, GoFunction> {
  /** The store, or undefined until it has arrived (lookups then return placeholders). */
  const store = (): ReadonlyMap<string, string> | undefined => {
    const r = ctx.fetch(STORE);
    return r === MISSING ? undefined : r;
  };
  const notExist = (key: string): FuncError => new FuncError(`key does not exist: ${key}`);

  const lookupIP = (name: string): string[] => {
    const r = ctx.fetch({ kind: 'dns.ip', id: `dns.ip(${name})`, name });
    return r === MISSING ? [] : [...r].sort(compareGoStrings);
  };

  return {
    // memkv store functions
    exists: fn(['string'], ([k]) => store()?.has(k as string) ?? false),
    get: fn(['string'], ([k]) => {
      const s = store();
      if (s === undefined) return kvPair(k as string, '');
      const v = s.get(k as string);
      if (v === undefined) throw notExist(k as string);
      return kvPair(k as string, v);
    }),
    gets: fn(['string'], ([pattern]) =>
      goTyped('memkv.KVPairs', getAll(store() ?? new Map(), pattern as string)),
    ),
    getv: variadicFn(['string'], 'string', ([k, ...def]) => {
      const s = store();
      const v = s?.get(k as string);
      if (v !== undefined) return v;
      if (def.length > 0) return def[0];
      if (s === undefined) return '';
      throw notExist(k as string);
    }),
    getvs: fn(['string'], ([pattern]) =>
      goTyped(
        '[]string',
        getAll(store() ?? new Map(), pattern as string)
          .map((p) => p.Value)
          .sort(compareGoStrings),
      ),
    ),
    ls: fn(['string'], ([p]) => goTyped('[]string', memkvList(store() ?? new Map(), p as string))),
    lsdir: fn(['string'], ([p]) => goTyped('[]string', memkvListDir(store() ?? new Map(), p as string))),

    // helpers
    add: intArgs((a, b) => a + b),
    atoi: fn(['string'], ([s]) => goAtoi(s as string)),
    base: fn(['string'], ([p]) => pathBase(p as string)),
    base64Decode: fn(['string'], ([s]) => base64Decode(s as string)),
    base64Encode: fn(['string'], ([s]) => base64Encode(s as string)),
    contains: fn(['string', 'string'], ([s, sub]) => (s as string).includes(sub as string)),
    datetime: fn([], () => new GoTime(ctx.data.now())),
    dir: fn(['string'], ([p]) => pathDir(p as string)),
    div: intArgs((a, b) => {
      if (b === 0) throw new FuncError('runtime error: integer divide by zero');
      return Math.trunc(a / b);
    }),
    getenv: variadicFn(['string'], 'string', ([k, ...def]) => {
      const v = ctx.data.env(k as string) ?? '';
      return v === '' ? (def[0] ?? '') : v;
    }),
    join: fn(['strings', 'string'], ([a, sep]) => (a as string[]).join(sep as string)),
    json: fn(['string'], ([s]) => unmarshalJSONInto(s as string, 'object')),
    jsonArray: fn(['string'], ([s]) => unmarshalJSONInto(s as string, 'array')),
    lookupIP: fn(['string'], ([name]) => goTyped('[]string', lookupIP(name as string))),
    lookupIPV4: fn(['string'], ([name]) =>
      goTyped(
        '[]string',
        lookupIP(name as string).filter((ip) => ip.includes('.')),
      ),
    ),
    lookupIPV6: fn(['string'], ([name]) =>
      goTyped(
        '[]string',
        lookupIP(name as string).filter((ip) => ip.includes(':')),
      ),
    ),
    lookupSRV: fn(['string', 'string', 'string'], ([service, proto, name]) => {
      const id = `dns.srv(_${service}._${proto}.${name})`;
      const r = ctx.fetch({
        kind: 'dns.srv',
        id,
        service: service as string,
        proto: proto as string,
        name: name as string,
      });
      if (r === MISSING) return goTyped('[]*net.SRV', []);
      const key = (s: { Target: string; Port: number; Priority: number; Weight: number }): string =>
        sprintf('%s%d%d%d', [s.Target, s.Port, s.Priority, s.Weight]);
      const sorted = [...r].sort((a, b) => compareGoStrings(key(a), key(b)));
      return goTyped(
        '[]*net.SRV',
        sorted.map((s) => goStruct('*net.SRV', { ...s })),
      );
    }),
    map: variadicFn([], 'any', (values) => {
      if (values.length % 2 !== 0) throw new FuncError('invalid map call');
      const out: Record<string, unknown> = {};
      for (let i = 0; i < values.length; i += 2) {
        const key = values[i];
        if (typeof key !== 'string') throw new FuncError('map keys must be strings');
        setOwn(out, key, values[i + 1]);
      }
      return out;
    }),
    mod: intArgs((a, b) => {
      if (b === 0) throw new FuncError('runtime error: integer divide by zero');
      return a % b;
    }),
    mul: intArgs((a, b) => a * b),
    parseBool: fn(['string'], ([s]) => goParseBool(s as string)),
    replace: fn(['string', 'string', 'string', 'int'], ([s, o, n, count]) =>
      goReplace(s as string, o as string, n as string, Number(count)),
    ),
    reverse: fn(['any'], ([values]) => (Array.isArray(values) ? values.reverse() : values)),
    seq: fn(['int', 'int'], ([first, last]) => {
      const a = Number(first);
      const b = Number(last);
      if (b - a >= SEQ_LIMIT) throw new FuncError(`seq: more than ${SEQ_LIMIT} elements`);
      const out: number[] = [];
      for (let i = a; i <= b; i++) out.push(i);
      return goTyped('[]int', out);
    }),
    sortByLength: fn(['strings'], ([values]) =>
      (values as string[]).sort((a, b) => utf8Length(a) - utf8Length(b)),
    ),
    sortKVByLength: fn([KV_PAIRS], ([values]) =>
      (values as KVPair[]).sort((a, b) => utf8Length(a.Key) - utf8Length(b.Key)),
    ),
    split: fn(['string', 'string'], ([s, sep]) => goTyped('[]string', goSplit(s as string, sep as string))),
    sub: intArgs((a, b) => a - b),
    toLower: fn(['string'], ([s]) => goToLower(s as string)),
    toUpper: fn(['string'], ([s]) => goToUpper(s as string)),
    trimSuffix: fn(['string', 'string'], ([s, x]) =>
      (x as string) !== '' && (s as string).endsWith(x as string)
        ? (s as string).slice(0, -(x as string).length)
        : s,
    ),
  };
}
