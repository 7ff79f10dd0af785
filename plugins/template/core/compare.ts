/**
 * The comparison builtins eq, ne, lt, le, gt, ge with Go's rules: only basic kinds (bool, int, uint,
 * float, string) compare; an int and a uint compare by value; anything else mixing kinds is
 * "incompatible types for comparison"; nil-able values compare only against nil.
 */
import { FuncError } from './func-spec.js';
import { sprintf } from './printf.js';
import {
  compareGoStrings,
  floatValue,
  goTypeName,
  intValue,
  type Kind,
  kindOf,
  structTypeName,
} from './values.js';

type BasicKind = 'bool' | 'int' | 'uint' | 'float' | 'string' | 'invalid';

function basicKind(v: unknown): { kind: BasicKind; basic: boolean } {
  const k = kindOf(v);
  if (k === 'bool' || k === 'int' || k === 'uint' || k === 'float' || k === 'string') {
    return { kind: k, basic: true };
  }
  return { kind: 'invalid', basic: false };
}

/** undefined and null are both Go's "no value" here (builtins see interfaces unwrapped). */
const isValid = (v: unknown): boolean => v !== undefined && v !== null;

const incompatible = (a: unknown, b: unknown): FuncError =>
  new FuncError(`incompatible types for comparison: ${goTypeName(a)} and ${goTypeName(b)}`);

function compareBasic(kind: BasicKind, a: unknown, b: unknown): number {
  switch (kind) {
    case 'bool':
      return a === b ? 0 : a ? 1 : -1;
    case 'string':
      return compareGoStrings(a as string, b as string);
    case 'float': {
      const x = floatValue(a);
      const y = floatValue(b);
      return x < y ? -1 : x > y ? 1 : x === y ? 0 : Number.NaN;
    }
    default: {
      const x = intValue(a);
      const y = intValue(b);
      return x < y ? -1 : x > y ? 1 : 0;
    }
  }
}

/** Structs compare field by field; pointers (and everything else comparable) by identity. */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (kindOf(a) !== 'struct' || kindOf(b) !== 'struct') return false;
  const ta = structTypeName(a as object);
  if (ta !== structTypeName(b as object) || ta?.startsWith('*')) return false;
  const keys = Object.keys(a as object);
  return keys.every((k) => {
    const x = (a as Record<string, unknown>)[k];
    const y = (b as Record<string, unknown>)[k];
    const bk = basicKind(x);
    if (bk.basic) return basicKind(y).kind === bk.kind && compareBasic(bk.kind, x, y) === 0;
    return sameValue(x, y);
  });
}

const uncomparable = (k: Kind): boolean => k === 'slice' || k === 'map' || k === 'func' || k === 'bytes';

/** eq arg1 arg2...: arg1 == arg2 || arg1 == arg3 ... */
export function eq(arg1: unknown, ...rest: unknown[]): boolean {
  if (rest.length === 0) throw new FuncError('missing argument for comparison');
  const k1 = basicKind(arg1).kind;
  for (const arg of rest) {
    const k2 = basicKind(arg).kind;
    let truth = false;
    if (k1 !== k2) {
      if ((k1 === 'int' && k2 === 'uint') || (k1 === 'uint' && k2 === 'int')) {
        truth = intValue(arg1) === intValue(arg);
      } else if (isValid(arg1) && isValid(arg)) {
        throw incompatible(arg1, arg);
      }
    } else if (k1 !== 'invalid') {
      truth = compareBasic(k1, arg1, arg) === 0;
    } else {
      const ka = kindOf(arg1);
      const kb = kindOf(arg);
      const nil1 = !isValid(arg1);
      const nil2 = !isValid(arg);
      if (!nil1 && !nil2 && ka !== kb) {
        throw new FuncError(
          sprintf('non-comparable types %s: %v, %s: %v', [arg1, goTypeName(arg1), goTypeName(arg), arg]),
        );
      }
      if (nil1 || nil2) truth = nil1 === nil2;
      else if (uncomparable(kb)) {
        throw new FuncError(sprintf('non-comparable type %s: %v', [arg, goTypeName(arg)]));
      } else truth = sameValue(arg1, arg);
    }
    if (truth) return true;
  }
  return false;
}

export function ne(a: unknown, b: unknown): boolean {
  return !eq(a, b);
}

export function lt(a: unknown, b: unknown): boolean {
  const ka = basicKind(a);
  if (!ka.basic) throw new FuncError('invalid type for comparison');
  const kb = basicKind(b);
  if (!kb.basic) throw new FuncError('invalid type for comparison');
  if (ka.kind !== kb.kind) {
    if ((ka.kind === 'int' && kb.kind === 'uint') || (ka.kind === 'uint' && kb.kind === 'int')) {
      return intValue(a) < intValue(b);
    }
    throw incompatible(a, b);
  }
  if (ka.kind === 'bool') throw new FuncError('invalid type for comparison');
  return compareBasic(ka.kind, a, b) < 0;
}

export function le(a: unknown, b: unknown): boolean {
  return lt(a, b) || eq(a, b);
}

export function gt(a: unknown, b: unknown): boolean {
  return !le(a, b);
}

export function ge(a: unknown, b: unknown): boolean {
  return !lt(a, b);
}
