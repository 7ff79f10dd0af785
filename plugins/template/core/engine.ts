/**
 * The template engine's public face: compile a consul-template or confd template once, render it
 * against a DataSource as often as its data changes.
 *
 *   const t = compileTemplate(text, { name: 'nginx.conf.ctmpl' });  // throws TemplateError on bad syntax
 *   const r = t.render(dataSource);
 *   r.complete ? write(r.output) : fetch(r.missing)                  // then render again
 *
 * A render never waits for data. Data functions record what they need (r.dependencies, in first-use
 * order) and return placeholders for data not yet arrived (r.missing); the output counts only once
 * complete is true, which is consul-template's rule that a template renders after all its data arrived.
 */
import type { Tree } from './ast.js';
import { BUILTINS } from './builtins.js';
import { TemplateError } from './errors.js';
import { type ExecOptions, execute, type MissingKey } from './exec.js';
import { FuncError, type GoFunction, variadicFn } from './func-spec.js';
import { confdFunctions } from './functions/confd.js';
import { consulTemplateDataFunctions } from './functions/consul-template-data.js';
import { consulTemplateHelpers } from './functions/consul-template-helpers.js';
import type { DataSource, Dependency } from './functions/data-source.js';
import { mathFunctions } from './functions/math.js';
import { EMPTY_DATA_SOURCE, RenderContext } from './functions/render-context.js';
import { parseTemplates } from './parser.js';
import { goQuote } from './quote.js';

export type Flavour = 'consul-template' | 'confd';

export interface CompileOptions {
  /** Names the template in error messages ("template: <name>:3:7: …"). */
  readonly name?: string;
  readonly flavour?: Flavour;
  readonly leftDelim?: string;
  readonly rightDelim?: string;
  /** consul-template's error_on_missing_key: a missing map key is an error instead of a zero value. */
  readonly errorOnMissingKey?: boolean;
  /** Functions added to (or replacing) the flavour's, e.g. an agent's own helpers. */
  readonly functions?: Readonly<Record<string, GoFunction>>;
}

export interface RenderOptions {
  /** The data `.` and `$` start as (both tools render with none: nil). */
  readonly data?: unknown;
}

export interface RenderResult {
  /** The rendered text; empty when the render failed. */
  readonly output: string;
  /** Every dependency the render touched, in first-use order. */
  readonly dependencies: readonly Dependency[];
  /** Dependencies whose data has not arrived (or that refuse to render, as safeLs on empty). */
  readonly missing: readonly Dependency[];
  /** True when nothing is missing and the render succeeded: the output may be written. */
  readonly complete: boolean;
  readonly error?: TemplateError;
}

export interface CompiledTemplate {
  readonly name: string;
  readonly flavour: Flavour;
  /** Names of every template the source defines (the top level plus define/block). */
  readonly templates: readonly string[];
  render(dataSource: DataSource, options?: RenderOptions): RenderResult;
}

type FunctionSet = (ctx: RenderContext) => Record<string, GoFunction>;

const FLAVOURS: Readonly<Record<Flavour, FunctionSet>> = {
  'consul-template': (ctx) => ({
    ...consulTemplateHelpers(() => ctx.data.now()),
    ...mathFunctions(),
    ...consulTemplateDataFunctions(ctx),
    executeTemplate: variadicFn(['string'], 'any', () => ''),
  }),
  confd: (ctx) => confdFunctions(ctx),
};

const nameCache = new Map<Flavour, ReadonlySet<string>>();

/** The function names a flavour offers (parsing refuses any other), builtins included. */
export function functionNames(flavour: Flavour): ReadonlySet<string> {
  let names = nameCache.get(flavour);
  if (names === undefined) {
    names = new Set([
      ...BUILTINS.keys(),
      ...Object.keys(FLAVOURS[flavour](new RenderContext(EMPTY_DATA_SOURCE))),
    ]);
    nameCache.set(flavour, names);
  }
  return names;
}

export function compileTemplate(source: string, options: CompileOptions = {}): CompiledTemplate {
  const name = options.name ?? '';
  const flavour = options.flavour ?? 'consul-template';
  const extra = options.functions ?? {};
  const names = functionNames(flavour);
  const trees = parseTemplates(name, source, {
    leftDelim: options.leftDelim,
    rightDelim: options.rightDelim,
    hasFunction: (fn) => names.has(fn) || Object.hasOwn(extra, fn),
  });
  // consul-template runs with missingkey=zero (or error); confd with Go's default.
  const missingKey: MissingKey = options.errorOnMissingKey
    ? 'error'
    : flavour === 'consul-template'
      ? 'zero'
      : 'default';
  const execOptions: ExecOptions = { missingKey };
  return {
    name,
    flavour,
    templates: [...trees.keys()],
    render: (dataSource, renderOptions = {}) =>
      render(trees, name, flavour, extra, execOptions, dataSource, renderOptions.data),
  };
}

function render(
  trees: ReadonlyMap<string, Tree>,
  name: string,
  flavour: Flavour,
  extra: Readonly<Record<string, GoFunction>>,
  execOptions: ExecOptions,
  dataSource: DataSource,
  data: unknown,
): RenderResult {
  const ctx = new RenderContext(dataSource);
  const funcs = new Map<string, GoFunction>(BUILTINS);
  for (const [fnName, fn] of Object.entries(FLAVOURS[flavour](ctx))) funcs.set(fnName, fn);
  for (const [fnName, fn] of Object.entries(extra)) funcs.set(fnName, fn);
  if (flavour === 'consul-template' && !Object.hasOwn(extra, 'executeTemplate')) {
    funcs.set(
      'executeTemplate',
      variadicFn(['string'], 'any', ([tmpl, ...dot]) => {
        if (dot.length > 1) {
          throw new FuncError(
            `executeTemplate: wrong number of arguments, expected 1 or 2, but got ${dot.length + 1}`,
          );
        }
        if (!trees.has(tmpl as string)) {
          throw new FuncError(
            `template: no template ${goQuote(tmpl as string)} associated with template ${goQuote(name)}`,
          );
        }
        return execute(trees, tmpl as string, dot[0] ?? null, funcs, execOptions);
      }),
    );
  }
  const result = (output: string, error?: TemplateError): RenderResult => ({
    output,
    dependencies: [...ctx.used.values()],
    missing: [...ctx.missing.values()],
    complete: error === undefined && ctx.missing.size === 0,
    ...(error === undefined ? {} : { error }),
  });
  try {
    return result(execute(trees, name, data, funcs, execOptions));
  } catch (err) {
    if (err instanceof TemplateError) return result('', err);
    if (err instanceof RangeError) {
      // A template recursing deeper than the JS stack allows.
      return result(
        '',
        new TemplateError('exec', `template: ${name}: ${err.message}`, name, undefined, undefined),
      );
    }
    throw err;
  }
}
