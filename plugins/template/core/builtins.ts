/**
 * text/template's builtin functions: and, or, not, len, index, slice, print, printf, println, html, js,
 * urlquery, call, eq, ne, lt, le, gt, ge — with Go's error texts.
 */
import { eq, ge, gt, le, lt, ne } from './compare.js';
import { htmlEscape, jsEscape, urlQueryEscape } from './escape.js';
import { FuncError, fn, type GoFunction, variadicFn } from './func-spec.js';
import { sprint, sprintf, sprintln } from './printf.js';
import {
  GoNumber,
  goLength,
  goTypeName,
  intValue,
  isTrue,
  kindOf,
  mapZeroValue,
  ownValue,
  utf8Bytes,
  utf8Decode,
} from './values.js';

/** A slice/array/string index argument, checked as Go's indexArg (cap is the length here). */
function indexArg(index: unknown, cap: number): number {
  const k = kindOf(index);
  if (k === 'invalid' || k === 'nil') throw new FuncError('cannot index slice/array with nil');
  if (k !== 'int' && k !== 'uint')
    throw new FuncError(`cannot index slice/array with type ${goTypeName(index)}`);
  const x = intValue(index);
  if (x < 0n || x > BigInt(cap)) throw new FuncError(`index out of range: ${x}`);
  return Number(x);
}

function index(item: unknown, ...indexes: unknown[]): unknown {
  if (item === undefined || item === null) throw new FuncError('index of untyped nil');
  let current: unknown = item;
  for (const idx of indexes) {
    if (current === undefined || current === null) throw new FuncError('index of nil pointer');
    const k = kindOf(current);
    if (k === 'slice' || k === 'bytes' || k === 'string') {
      const isString = k === 'string';
      const seq: ArrayLike<unknown> = isString
        ? utf8Bytes(current as string)
        : (current as ArrayLike<unknown>);
      const x = indexArg(idx, seq.length);
      if (x === seq.length)
        throw new FuncError(`reflect: ${isString ? 'string' : 'slice'} index out of range`);
      current = isString || k === 'bytes' ? new GoNumber('uint8', seq[x] as number) : seq[x];
      if (current === undefined) current = null;
      continue;
    }
    if (k === 'map') {
      current = mapIndex(current as object, idx);
      continue;
    }
    throw new FuncError(`can't index item of type ${goTypeName(current)}`);
  }
  return current;
}

function mapIndex(map: object, key: unknown): unknown {
  const keyType = map instanceof Map ? mapKeyType(map) : 'string';
  if (key === undefined || key === null) throw new FuncError(`value is nil; should be of type ${keyType}`);
  const got = goTypeName(key);
  if (got !== keyType && !(isIntType(got) && isIntType(keyType))) {
    throw new FuncError(`value has type ${got}; should be ${keyType}`);
  }
  let found: unknown;
  if (map instanceof Map) {
    found = map.get(typeof key === 'string' ? key : Number(intValue(key)));
  } else found = ownValue(map, key as string);
  return found === undefined ? mapZeroValue(map) : found;
}

const isIntType = (t: string): boolean => /^u?int(8|16|32|64)?$/.test(t);

function mapKeyType(map: Map<unknown, unknown>): string {
  const first = map.keys().next();
  return first.done ? 'string' : goTypeName(first.value);
}

function slice(item: unknown, ...indexes: unknown[]): unknown {
  if (item === undefined || item === null) throw new FuncError('slice of untyped nil');
  if (indexes.length > 3) throw new FuncError(`too many slice indexes: ${indexes.length}`);
  const k = kindOf(item);
  let length: number;
  if (k === 'string') {
    if (indexes.length === 3) throw new FuncError('cannot 3-index slice a string');
    length = utf8Bytes(item as string).length;
  } else if (k === 'slice' || k === 'bytes') length = (item as ArrayLike<unknown>).length;
  else throw new FuncError(`can't slice item of type ${goTypeName(item)}`);
  const idx = [0, length, length];
  indexes.forEach((x, i) => {
    idx[i] = indexArg(x, length);
  });
  const [from = 0, to = length, max = length] = idx;
  if (from > to) throw new FuncError(`invalid slice index: ${from} > ${to}`);
  if (indexes.length === 3 && to > max) throw new FuncError(`invalid slice index: ${to} > ${max}`);
  if (k === 'string') return utf8Decode(utf8Bytes(item as string).slice(from, to));
  return (item as unknown[] | Uint8Array).slice(from, to);
}

function length(item: unknown): number {
  if (item === null) throw new FuncError('len of nil pointer');
  if (item === undefined) throw new FuncError('reflect: call of reflect.Value.Type on zero Value');
  const n = goLength(item);
  if (n === undefined) throw new FuncError(`len of type ${goTypeName(item)}`);
  return n;
}

/** call: the first argument is the callee's name (from the parse tree), then the function, then its args. */
function call(name: unknown, callee: unknown, ...args: unknown[]): unknown {
  if (callee === undefined || callee === null) throw new FuncError('call of nil');
  if (typeof callee !== 'function') {
    throw new FuncError(`non-function ${String(name)} of type ${goTypeName(callee)}`);
  }
  return callee(...args.map((a) => (a === undefined ? null : a)));
}

/** html, js and urlquery format their arguments as print does, but a nil prints as `<no value>`. */
function evalArgs(args: unknown[]): string {
  if (args.length === 1 && typeof args[0] === 'string') return args[0];
  return sprint(args.map((a) => (a === null || a === undefined ? '<no value>' : a)));
}

const cmp = (f: (a: unknown, b: unknown) => boolean): GoFunction =>
  fn(['value', 'value'], ([a, b]) => f(a, b));

export const BUILTINS: ReadonlyMap<string, GoFunction> = new Map<string, GoFunction>([
  ['and', { params: ['value'], variadic: 'value', special: 'and', call: () => undefined }],
  ['or', { params: ['value'], variadic: 'value', special: 'or', call: () => undefined }],
  [
    'call',
    { params: ['value'], variadic: 'value', special: 'call', call: (a) => call(a[0], a[1], ...a.slice(2)) },
  ],
  ['not', fn(['value'], ([a]) => !isTrue(a))],
  ['len', fn(['value'], ([a]) => length(a))],
  ['index', variadicFn(['value'], 'value', ([item, ...rest]) => index(item, ...rest))],
  ['slice', variadicFn(['value'], 'value', ([item, ...rest]) => slice(item, ...rest))],
  ['print', variadicFn([], 'any', (args) => sprint(args))],
  ['printf', variadicFn(['string'], 'any', ([format, ...args]) => sprintf(format as string, args))],
  ['println', variadicFn([], 'any', (args) => sprintln(args))],
  ['html', variadicFn([], 'any', (args) => htmlEscape(evalArgs(args)))],
  ['js', variadicFn([], 'any', (args) => jsEscape(evalArgs(args)))],
  ['urlquery', variadicFn([], 'any', (args) => urlQueryEscape(evalArgs(args)))],
  ['eq', variadicFn(['value'], 'value', ([a, ...rest]) => eq(a, ...rest))],
  ['ne', cmp(ne)],
  ['lt', cmp(lt)],
  ['le', cmp(le)],
  ['gt', cmp(gt)],
  ['ge', cmp(ge)],
]);
