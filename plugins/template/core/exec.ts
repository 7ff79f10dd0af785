/**
 * The evaluator of Go's text/template (text/template/exec.go semantics): walking the tree, pipelines
 * with the previous value as the final argument, variables and their scopes, field/map/method access,
 * typed function arguments, range/with/if/template/block, break/continue, and errors located at the
 * node being evaluated.
 */
import {
  type ActionNode,
  type BranchNode,
  type ChainNode,
  type CommandNode,
  type FieldNode,
  type IdentifierNode,
  type Node,
  type NumberNode,
  nodeString,
  type PipeNode,
  type TemplateNode,
  type Tree,
  type VariableNode,
} from './ast.js';
import { execError, TemplateError } from './errors.js';
import { type FunctionTable, type GoFunction, type ParamType, paramTypeName } from './func-spec.js';
import { sprint } from './printf.js';
import { goQuote } from './quote.js';
import {
  GO_METHODS,
  GoNumber,
  goFloat,
  goTypeName,
  isTrue,
  kindOf,
  mapZeroValue,
  ownValue,
  sortedEntries,
} from './values.js';

export type MissingKey = 'default' | 'zero' | 'error';

export interface ExecOptions {
  readonly missingKey?: MissingKey;
  /** Nesting limit of {{template}} calls; Go's own limit on WebAssembly is 1000. */
  readonly maxDepth?: number;
}

/** The "no final argument" marker of a pipeline's first command (Go's missingVal). */
const NO_FINAL: unique symbol = Symbol('noFinal');
type Final = unknown | typeof NO_FINAL;

const BREAK = { signal: 'break' };
const CONTINUE = { signal: 'continue' };

interface Variable {
  readonly name: string;
  value: unknown;
}

type Method = GoFunction | ((...args: unknown[]) => unknown);

/** Executes template `name` of the set with `data` as dot; returns the output text. */
export function execute(
  trees: ReadonlyMap<string, Tree>,
  name: string,
  data: unknown,
  funcs: FunctionTable,
  options: ExecOptions = {},
): string {
  // Like reflect.ValueOf(nil), nil data is no value at all.
  const root = data === null ? undefined : data;
  const state = new State(trees, funcs, options, name, root);
  const tree = trees.get(name);
  if (tree === undefined)
    throw execError(name, undefined, `${goQuote(name)} is an incomplete or empty template`);
  state.walk(root, tree.root);
  return state.out.join('');
}

class State {
  readonly out: string[] = [];
  private node: Node | undefined;
  private vars: Variable[];
  private depth = 0;
  private readonly missingKey: MissingKey;
  private readonly maxDepth: number;

  constructor(
    private readonly trees: ReadonlyMap<string, Tree>,
    private readonly funcs: FunctionTable,
    options: ExecOptions,
    private tmplName: string,
    data: unknown,
  ) {
    this.vars = [{ name: '$', value: data }];
    this.missingKey = options.missingKey ?? 'default';
    this.maxDepth = options.maxDepth ?? 1000;
  }

  errorf(message: string, cause?: unknown): never {
    throw execError(this.tmplName, this.node, message, cause);
  }

  private at(node: Node): void {
    this.node = node;
  }

  // ---- variables -----------------------------------------------------------------------------------

  private push(name: string, value: unknown): void {
    this.vars.push({ name, value });
  }

  private pop(mark: number): void {
    this.vars.length = mark;
  }

  private findVar(name: string): Variable {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const v = this.vars[i] as Variable;
      if (v.name === name) return v;
    }
    this.errorf(`undefined variable: ${name}`);
  }

  private setTopVar(n: number, value: unknown): void {
    (this.vars[this.vars.length - n] as Variable).value = value;
  }

  // ---- walking -------------------------------------------------------------------------------------

  walk(dot: unknown, node: Node): void {
    this.at(node);
    switch (node.type) {
      case 'action':
        this.walkAction(dot, node);
        return;
      case 'break':
        throw BREAK;
      case 'continue':
        throw CONTINUE;
      case 'comment':
        return;
      case 'if':
      case 'with':
        this.walkIfOrWith(dot, node);
        return;
      case 'list':
        for (const n of node.nodes) this.walk(dot, n);
        return;
      case 'range':
        this.walkRange(dot, node);
        return;
      case 'template':
        this.walkTemplate(dot, node);
        return;
      case 'text':
        this.out.push(node.text);
        return;
      default:
        this.errorf(`unknown node: ${nodeString(node)}`);
    }
  }

  private walkAction(dot: unknown, node: ActionNode): void {
    // Variables declared here persist until the enclosing {{end}}; a declaration prints nothing.
    const value = this.evalPipeline(dot, node.pipe);
    if (node.pipe.decl.length === 0) this.printValue(node, value);
  }

  private printValue(node: Node, v: unknown): void {
    this.at(node);
    if (typeof v === 'string') this.out.push(v);
    else if (v === undefined || v === null) this.out.push('<no value>');
    else if (kindOf(v) === 'func') this.errorf(`can't print ${nodeString(node)} of type ${goTypeName(v)}`);
    else this.out.push(sprint([v]));
  }

  private walkIfOrWith(dot: unknown, node: BranchNode): void {
    const mark = this.vars.length;
    try {
      const value = this.evalPipeline(dot, node.pipe);
      if (isTrue(value)) this.walk(node.type === 'with' ? value : dot, node.list);
      else if (node.elseList !== null) this.walk(dot, node.elseList);
    } finally {
      this.pop(mark);
    }
  }

  private walkRange(dot: unknown, r: BranchNode): void {
    this.at(r);
    const outer = this.vars.length;
    try {
      const value = this.evalPipeline(dot, r.pipe);
      const mark = this.vars.length;
      const decl = r.pipe.decl;
      const oneIteration = (index: unknown, elem: unknown): void => {
        if (decl.length > 0) {
          if (r.pipe.isAssign)
            this.findVar(decl[0]?.ident[0] as string).value = decl.length > 1 ? index : elem;
          else this.setTopVar(1, elem);
        }
        if (decl.length > 1) {
          if (r.pipe.isAssign) this.findVar(decl[1]?.ident[0] as string).value = elem;
          else this.setTopVar(2, index);
        }
        try {
          this.walk(elem, r.list);
        } catch (err) {
          if (err !== CONTINUE) throw err;
        } finally {
          this.pop(mark);
        }
      };
      if (this.rangeOver(value, decl.length, oneIteration)) return;
      if (r.elseList !== null) this.walk(dot, r.elseList);
    } catch (err) {
      if (err !== BREAK) throw err;
    } finally {
      this.pop(outer);
    }
  }

  /** Runs the iterations; false when there was nothing to iterate (the {{else}} then runs). */
  private rangeOver(value: unknown, vars: number, each: (index: unknown, elem: unknown) => void): boolean {
    switch (kindOf(value)) {
      case 'invalid':
      case 'nil':
        return false;
      case 'int':
      case 'uint': {
        if (vars > 1) this.errorf(`can't use ${sprint([value])} to iterate over more than one variable`);
        const n = Number(value instanceof GoNumber ? value.value : value);
        for (let i = 0; i < n; i++)
          each(undefined, value instanceof GoNumber ? new GoNumber(value.type, i) : i);
        return n > 0;
      }
      case 'slice': {
        const items = value as unknown[];
        items.forEach((item, i) => {
          each(i, item === undefined ? null : item);
        });
        return items.length > 0;
      }
      case 'bytes': {
        const bytes = value as Uint8Array;
        bytes.forEach((b, i) => {
          each(i, new GoNumber('uint8', b));
        });
        return bytes.length > 0;
      }
      case 'map': {
        const entries = sortedEntries(value as object);
        for (const [k, v] of entries) each(k, v);
        return entries.length > 0;
      }
      default:
        this.errorf(`range can't iterate over ${sprint([value])}`);
    }
  }

  private walkTemplate(dot: unknown, t: TemplateNode): void {
    this.at(t);
    const tree = this.trees.get(t.name);
    if (tree === undefined) this.errorf(`template ${goQuote(t.name)} not defined`);
    if (this.depth >= this.maxDepth) this.errorf(`exceeded maximum template depth (${this.maxDepth})`);
    const newDot = this.evalPipeline(dot, t.pipe);
    // No dynamic scoping: the invoked template sees only $ (its dot).
    const saved = { vars: this.vars, name: this.tmplName };
    this.vars = [{ name: '$', value: newDot }];
    this.tmplName = t.name;
    this.depth++;
    try {
      this.walk(newDot, tree.root);
    } finally {
      this.depth--;
      this.vars = saved.vars;
      this.tmplName = saved.name;
    }
  }

  // ---- evaluation ----------------------------------------------------------------------------------

  private evalPipeline(dot: unknown, pipe: PipeNode | null): unknown {
    if (pipe === null) return undefined;
    this.at(pipe);
    let value: Final = NO_FINAL;
    for (const cmd of pipe.cmds) {
      value = this.evalCommand(dot, cmd, value);
      // A nil interface{} has nothing inside: it becomes "no value".
      if (value === null) value = undefined;
    }
    for (const v of pipe.decl) {
      const name = v.ident[0] as string;
      if (pipe.isAssign) this.findVar(name).value = value;
      else this.push(name, value);
    }
    return value;
  }

  private notAFunction(args: readonly Node[], final: Final): void {
    if (args.length > 1 || final !== NO_FINAL) {
      this.errorf(`can't give argument to non-function ${nodeString(args[0] as Node)}`);
    }
  }

  private evalCommand(dot: unknown, cmd: CommandNode, final: Final): unknown {
    const first = cmd.args[0] as Node;
    switch (first.type) {
      case 'field':
        return this.evalFieldNode(dot, first, cmd.args, final);
      case 'chain':
        return this.evalChainNode(dot, first, cmd.args, final);
      case 'identifier':
        return this.evalFunction(dot, first, cmd, cmd.args, final);
      case 'pipe':
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, first);
      case 'variable':
        return this.evalVariableNode(dot, first, cmd.args, final);
    }
    this.at(first);
    this.notAFunction(cmd.args, final);
    switch (first.type) {
      case 'bool':
        return first.value;
      case 'dot':
        return dot;
      case 'nil':
        this.errorf('nil is not a command');
        break;
      case 'number':
        return this.idealConstant(first);
      case 'string':
        return first.text;
    }
    this.errorf(`can't evaluate command ${goQuote(nodeString(first))}`);
  }

  /** A number literal where no type is expected: int unless written as a float. */
  private idealConstant(n: NumberNode): unknown {
    this.at(n);
    const hexInt = /^[+-]?0[xX]/.test(n.text) && !/[pP]/.test(n.text);
    const runeInt = n.text.startsWith("'");
    if (n.isFloat && !hexInt && !runeInt && /[.eEpP]/.test(n.text)) return goFloat(n.float64);
    if (n.isInt) return safeInt(n.int64);
    if (n.isUint) this.errorf(`${n.text} overflows int`);
    return undefined;
  }

  private evalFieldNode(dot: unknown, field: FieldNode, args: readonly Node[] | null, final: Final): unknown {
    this.at(field);
    return this.evalFieldChain(dot, dot, field, field.ident, args, final);
  }

  private evalChainNode(dot: unknown, chain: ChainNode, args: readonly Node[] | null, final: Final): unknown {
    this.at(chain);
    if (chain.node.type === 'nil') this.errorf(`indirection through explicit nil in ${nodeString(chain)}`);
    const receiver = this.evalArg(dot, 'untyped', chain.node);
    return this.evalFieldChain(dot, receiver, chain, chain.field, args, final);
  }

  private evalVariableNode(
    dot: unknown,
    v: VariableNode,
    args: readonly Node[] | null,
    final: Final,
  ): unknown {
    this.at(v);
    const value = this.findVar(v.ident[0] as string).value;
    if (v.ident.length === 1) {
      this.notAFunction(args ?? [v], final);
      return value;
    }
    return this.evalFieldChain(dot, value, v, v.ident.slice(1), args, final);
  }

  private evalFieldChain(
    dot: unknown,
    receiver: unknown,
    node: Node,
    idents: readonly string[],
    args: readonly Node[] | null,
    final: Final,
  ): unknown {
    let r = receiver;
    for (let i = 0; i < idents.length - 1; i++)
      r = this.evalField(dot, idents[i] as string, node, null, NO_FINAL, r);
    return this.evalField(dot, idents[idents.length - 1] as string, node, args, final, r);
  }

  private evalFunction(
    dot: unknown,
    node: IdentifierNode,
    cmd: Node,
    args: readonly Node[] | null,
    final: Final,
  ): unknown {
    this.at(node);
    const fn = this.funcs.get(node.ident);
    if (fn === undefined) this.errorf(`${goQuote(node.ident)} is not a defined function`);
    return this.evalCall(dot, fn, cmd, node.ident, args, final);
  }

  /** .Name on a value: a method, a struct field or a map key. */
  private evalField(
    dot: unknown,
    fieldName: string,
    node: Node,
    args: readonly Node[] | null,
    final: Final,
    receiver: unknown,
  ): unknown {
    if (receiver === undefined) {
      if (this.missingKey === 'error') this.errorf(`nil data; no entry for key ${goQuote(fieldName)}`);
      return undefined;
    }
    if (receiver === null) this.errorf(`nil pointer evaluating interface {}.${fieldName}`);
    const method = findMethod(receiver, fieldName);
    if (method !== undefined) return this.evalCall(dot, method, node, fieldName, args, final);
    const hasArgs = (args !== null && args.length > 1) || final !== NO_FINAL;
    const kind = kindOf(receiver);
    if (kind === 'struct' && Object.hasOwn(receiver as object, fieldName)) {
      if (hasArgs) this.errorf(`${fieldName} has arguments but cannot be invoked as function`);
      return (receiver as Record<string, unknown>)[fieldName];
    }
    if (kind === 'map' && (!(receiver instanceof Map) || mapHasStringKeys(receiver))) {
      if (hasArgs) this.errorf(`${fieldName} is not a method but has arguments`);
      const result =
        receiver instanceof Map ? receiver.get(fieldName) : ownValue(receiver as object, fieldName);
      if (result !== undefined) return result;
      if (this.missingKey === 'zero') return mapZeroValue(receiver as object);
      if (this.missingKey === 'error') this.errorf(`map has no entry for key ${goQuote(fieldName)}`);
      return undefined;
    }
    this.errorf(`can't evaluate field ${fieldName} in type ${goTypeName(receiver)}`);
  }

  private evalCall(
    dot: unknown,
    fn: Method,
    node: Node,
    name: string,
    args: readonly Node[] | null,
    final: Final,
  ): unknown {
    const argNodes = args === null ? [] : args.slice(1);
    if (typeof fn === 'function') return this.callRaw(dot, fn, node, name, argNodes, final);
    const numIn = argNodes.length + (final !== NO_FINAL ? 1 : 0);
    let numFixed = argNodes.length;
    if (fn.variadic !== undefined) {
      numFixed = fn.params.length;
      if (numIn < numFixed) {
        this.errorf(
          `wrong number of args for ${name}: want at least ${fn.params.length} got ${argNodes.length}`,
        );
      }
    } else if (numIn !== fn.params.length) {
      this.errorf(`wrong number of args for ${name}: want ${fn.params.length} got ${numIn}`);
    }

    if (fn.special === 'and' || fn.special === 'or') {
      let v: unknown;
      for (const arg of argNodes) {
        v = this.evalArg(dot, 'value', arg);
        if (isTrue(v) === (fn.special === 'or')) return v;
      }
      if (final !== NO_FINAL) v = this.validateType(final, 'value');
      return v;
    }

    const argv: unknown[] = [];
    let i = 0;
    for (; i < numFixed && i < argNodes.length; i++) {
      argv.push(this.evalArg(dot, fn.params[i] as ParamType, argNodes[i] as Node));
    }
    if (fn.variadic !== undefined) {
      for (; i < argNodes.length; i++) argv.push(this.evalArg(dot, fn.variadic, argNodes[i] as Node));
    }
    if (final !== NO_FINAL) {
      let t = fn.params[fn.params.length - 1] as ParamType;
      if (fn.variadic !== undefined)
        t = numIn - 1 < numFixed ? (fn.params[numIn - 1] as ParamType) : fn.variadic;
      argv.push(this.validateType(final, t));
    }
    if (fn.special === 'call') {
      const callee = argNodes.length === 0 ? calleeText(final) : nodeString(argNodes[0] as Node);
      argv.unshift(callee);
    }
    try {
      return fn.call(argv);
    } catch (err) {
      this.at(node);
      this.errorf(`error calling ${name}: ${errorMessage(err)}`, err);
    }
  }

  /** A plain JS function found on a value: called with its arguments, no type checks. */
  private callRaw(
    dot: unknown,
    fn: (...args: unknown[]) => unknown,
    node: Node,
    name: string,
    argNodes: readonly Node[],
    final: Final,
  ): unknown {
    const argv = argNodes.map((a) => this.evalArg(dot, 'any', a));
    if (final !== NO_FINAL) argv.push(final === undefined ? null : final);
    try {
      return fn(...argv);
    } catch (err) {
      this.at(node);
      this.errorf(`error calling ${name}: ${errorMessage(err)}`, err);
    }
  }

  /** Checks a computed value against a parameter type, as Go's validateType. */
  private validateType(value: unknown, t: ParamType | 'untyped'): unknown {
    if (t === 'untyped') return value;
    if (t === 'value') return value === null ? undefined : value;
    if (t === 'any') return value === undefined ? null : value;
    if (value === undefined) this.errorf(`invalid value; expected ${paramTypeName(t)}`);
    if (value === null) this.errorf(`wrong type for value; expected ${paramTypeName(t)}; got interface {}`);
    const kind = kindOf(value);
    let ok: boolean;
    let converted = value;
    if (typeof t === 'object') ok = t.accepts(value);
    else
      switch (t) {
        case 'string':
          ok = kind === 'string';
          break;
        case 'bool':
          ok = kind === 'bool';
          break;
        case 'int':
          ok = goTypeName(value) === 'int';
          if (ok && value instanceof GoNumber) converted = value.value;
          break;
        case 'float64':
          ok = goTypeName(value) === 'float64';
          if (ok && value instanceof GoNumber) converted = Number(value.value);
          break;
        default:
          ok = kind === 'slice' && (value as unknown[]).every((s) => typeof s === 'string');
      }
    if (!ok) this.errorf(`wrong type for value; expected ${paramTypeName(t)}; got ${goTypeName(value)}`);
    return converted;
  }

  /** Evaluates one argument for a parameter of type t (Go's evalArg). */
  private evalArg(dot: unknown, t: ParamType | 'untyped', n: Node): unknown {
    this.at(n);
    switch (n.type) {
      case 'dot':
        return this.validateType(dot, t);
      case 'nil':
        if (t === 'any' || t === 'untyped') return null;
        if (t === 'value') return undefined;
        if (t === 'strings') return [];
        this.errorf(`cannot assign nil to ${paramTypeName(t)}`);
        break;
      case 'field':
        return this.validateType(this.evalFieldNode(dot, n, [n], NO_FINAL), t);
      case 'variable':
        return this.validateType(this.evalVariableNode(dot, n, null, NO_FINAL), t);
      case 'pipe':
        return this.validateType(this.evalPipeline(dot, n), t);
      case 'identifier':
        return this.validateType(this.evalFunction(dot, n, n, null, NO_FINAL), t);
      case 'chain':
        return this.validateType(this.evalChainNode(dot, n, null, NO_FINAL), t);
    }
    switch (t) {
      case 'bool':
        if (n.type === 'bool') return n.value;
        this.errorf(`expected bool; found ${nodeString(n)}`);
        break;
      case 'string':
        if (n.type === 'string') return n.text;
        this.errorf(`expected string; found ${nodeString(n)}`);
        break;
      case 'int':
        if (n.type === 'number' && n.isInt) return safeInt(n.int64);
        this.errorf(`expected integer; found ${nodeString(n)}`);
        break;
      case 'float64':
        if (n.type === 'number' && n.isFloat) return n.float64;
        this.errorf(`expected float; found ${nodeString(n)}`);
        break;
      case 'any':
      case 'value':
      case 'untyped':
        return this.evalEmptyInterface(n);
    }
    this.errorf(`can't handle ${nodeString(n)} for arg of type ${paramTypeName(t as ParamType)}`);
  }

  private evalEmptyInterface(n: Node): unknown {
    switch (n.type) {
      case 'bool':
        return n.value;
      case 'number':
        return this.idealConstant(n);
      case 'string':
        return n.text;
    }
    this.errorf(`can't handle assignment of ${nodeString(n)} to empty interface argument`);
  }
}

function safeInt(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

function mapHasStringKeys(map: Map<unknown, unknown>): boolean {
  const first = map.keys().next();
  return first.done === true || typeof first.value === 'string';
}

/** A receiver's method: a described Go method, or a function-valued own property. */
function findMethod(receiver: unknown, name: string): Method | undefined {
  if (typeof receiver !== 'object' || receiver === null) return undefined;
  const described = (receiver as { [GO_METHODS]?: Record<string, GoFunction> })[GO_METHODS];
  if (described !== undefined && Object.hasOwn(described, name)) {
    const spec = described[name] as GoFunction;
    return { ...spec, call: (args: unknown[]) => spec.call.call(receiver, args) };
  }
  if (receiver instanceof Map || Array.isArray(receiver)) return undefined;
  const own = ownValue(receiver, name);
  return typeof own === 'function' ? (own.bind(receiver) as (...args: unknown[]) => unknown) : undefined;
}

function calleeText(final: unknown): string {
  return typeof final === 'string' ? final : `<${goTypeName(final)} Value>`;
}

function errorMessage(err: unknown): string {
  if (err instanceof TemplateError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
