/**
 * consul-template's math helpers add, subtract, multiply, divide, modulo, minimum, maximum. Each takes
 * (b, a) so that `{{ 10 | subtract 3 }}` is 10 - 3; ints give int64, anything with a float gives float64,
 * and the errors read as consul-template's ("add: unknown type for "x" (string)").
 */
import { FuncError, fn, type GoFunction } from '../func-spec.js';
import { sprintf } from '../printf.js';
import { GoNumber, goFloat, goTypeName, intValue, kindOf, numericValue } from '../values.js';

type NumKind = 'int' | 'uint' | 'float';

function numKind(v: unknown): NumKind | undefined {
  const k = kindOf(v);
  return k === 'int' || k === 'uint' || k === 'float' ? k : undefined;
}

function unknownType(name: string, v: unknown): FuncError {
  const shown = v === null || v === undefined ? '<invalid reflect.Value>' : sprintf('%q', [v]);
  return new FuncError(
    `${name}: unknown type for ${shown} (${v === null || v === undefined ? '<nil>' : goTypeName(v)})`,
  );
}

const int64 = (v: bigint): GoNumber => {
  const wrapped = BigInt.asIntN(64, v);
  const safe = wrapped >= BigInt(Number.MIN_SAFE_INTEGER) && wrapped <= BigInt(Number.MAX_SAFE_INTEGER);
  return new GoNumber('int64', safe ? Number(wrapped) : wrapped);
};
const uint64 = (v: bigint): GoNumber => {
  const wrapped = BigInt.asUintN(64, v);
  return new GoNumber('uint64', wrapped <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(wrapped) : wrapped);
};

/** The typed value Go's reflect accessors return: Int() as int64, Uint() as uint64, Float() as float64. */
function widened(v: unknown, k: NumKind): GoNumber | number {
  if (k === 'float') return goFloat(Number(numericValue(v)));
  return k === 'int' ? int64(intValue(v)) : uint64(intValue(v));
}

type IntOp = (x: bigint, y: bigint) => bigint;
type FloatOp = (x: number, y: number) => number;

function arithmetic(name: string, intOp: IntOp, floatOp: FloatOp | undefined): GoFunction {
  return fn(['any', 'any'], ([b, a]) => {
    const ka = numKind(a);
    if (ka === undefined || (ka === 'float' && floatOp === undefined)) throw unknownType(name, a);
    const kb = numKind(b);
    if (kb === undefined || (kb === 'float' && floatOp === undefined)) throw unknownType(name, b);
    if (ka === 'float' || kb === 'float') {
      return goFloat((floatOp as FloatOp)(Number(numericValue(a)), Number(numericValue(b))));
    }
    const result = intOp(intValue(a), intValue(b));
    return ka === 'uint' && kb === 'uint' ? uint64(result) : int64(result);
  });
}

function intDivide(op: IntOp): IntOp {
  return (x, y) => {
    if (y === 0n) throw new FuncError('runtime error: integer divide by zero');
    return op(x, y);
  };
}

function extreme(name: string, pickA: (a: number | bigint, b: number | bigint) => boolean): GoFunction {
  return fn(['any', 'any'], ([b, a]) => {
    const ka = numKind(a);
    if (ka === undefined) throw unknownType(name, a);
    const kb = numKind(b);
    if (kb === undefined) throw unknownType(name, b);
    const mixedFloat = ka === 'float' || kb === 'float';
    const x = mixedFloat ? Number(numericValue(a)) : intValue(a);
    const y = mixedFloat ? Number(numericValue(b)) : intValue(b);
    return pickA(x, y) ? widened(a, ka) : widened(b, kb);
  });
}

export function mathFunctions(): Record<string, GoFunction> {
  return {
    add: arithmetic(
      'add',
      (x, y) => x + y,
      (x, y) => x + y,
    ),
    subtract: arithmetic(
      'subtract',
      (x, y) => x - y,
      (x, y) => x - y,
    ),
    multiply: arithmetic(
      'multiply',
      (x, y) => x * y,
      (x, y) => x * y,
    ),
    divide: arithmetic(
      'divide',
      intDivide((x, y) => x / y),
      (x, y) => x / y,
    ),
    modulo: arithmetic(
      'modulo',
      intDivide((x, y) => x % y),
      undefined,
    ),
    minimum: extreme('minimum', (a, b) => a < b),
    maximum: extreme('maximum', (a, b) => a > b),
  };
}
