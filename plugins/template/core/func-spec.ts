/**
 * How a template function is described to the evaluator: its Go parameter types (which decide how
 * literal arguments are read and which type errors Go reports) and the JavaScript that runs it.
 */

/**
 * A parameter's Go type.
 *   any      interface {}: a missing value arrives as null (nil)
 *   value    reflect.Value (the builtins): a missing value arrives as undefined (invalid)
 *   strings  []string
 *   custom   a named Go type with its own check, e.g. []*dependency.KeyPair
 */
export type ParamType =
  | 'any'
  | 'value'
  | 'string'
  | 'int'
  | 'bool'
  | 'float64'
  | 'strings'
  | { readonly name: string; readonly accepts: (v: unknown) => boolean };

export interface GoFunction {
  readonly params: readonly ParamType[];
  /** Element type of a trailing `...T` parameter. */
  readonly variadic?: ParamType;
  /** Builtins the evaluator runs itself: and/or short-circuit; call receives the callee's name first. */
  readonly special?: 'and' | 'or' | 'call';
  /** Runs the function; a thrown Error becomes "error calling <name>: <message>". */
  readonly call: (args: unknown[]) => unknown;
}

export type FunctionTable = ReadonlyMap<string, GoFunction>;

export function paramTypeName(t: ParamType): string {
  if (typeof t === 'object') return t.name;
  switch (t) {
    case 'any':
      return 'interface {}';
    case 'value':
      return 'reflect.Value';
    case 'strings':
      return '[]string';
    default:
      return t;
  }
}

/** An error a template function reports (Go's `return "", err`). */
export class FuncError extends Error {
  override name = 'FuncError';
}

/** Shorthand for a function of fixed parameters. */
export function fn(params: readonly ParamType[], call: (args: unknown[]) => unknown): GoFunction {
  return { params, call };
}

/** Shorthand for a function whose last parameter is `...T`. */
export function variadicFn(
  params: readonly ParamType[],
  variadic: ParamType,
  call: (args: unknown[]) => unknown,
): GoFunction {
  return { params, variadic, call };
}
