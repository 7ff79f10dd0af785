/**
 * The parser of Go's text/template (text/template/parse), producing the trees of one source: the
 * top-level template plus every `define` and `block`. It follows Go's grammar and its error messages,
 * including which line a message names (the line of the last token read) and the check, at parse time,
 * that every function called exists.
 */
import type {
  BranchNode,
  ChainNode,
  CommandNode,
  EndElseNode,
  ListNode,
  Node,
  NumberNode,
  PipeNode,
  Source,
  TemplateNode,
  Tree,
  VariableNode,
} from './ast.js';
import { nodeString } from './ast.js';
import { parseError, type TemplateError } from './errors.js';
import { describeItem, type Item, type ItemType, Lexer } from './lexer.js';
import {
  parseFloat64,
  parseInt64,
  parseUint64,
  SyntaxError_,
  unquoteRune,
  unquoteString,
} from './literals.js';
import { goQuote } from './quote.js';

export interface ParseOptions {
  readonly leftDelim?: string;
  readonly rightDelim?: string;
  /** Whether a function of this name exists; Go refuses unknown functions when parsing. */
  readonly hasFunction: (name: string) => boolean;
}

/** Go limits nesting of parenthesized pipelines (1000 on WebAssembly, 10000 elsewhere). */
const MAX_STACK_DEPTH = 1000;

class ParseAbort {
  constructor(readonly error: TemplateError) {}
}

interface Shared {
  readonly lex: Lexer;
  readonly src: Source;
  readonly trees: Map<string, Tree>;
  readonly hasFunction: (name: string) => boolean;
}

const EMPTY_ITEM: Item = { type: 'eof', pos: 0, val: '', line: 0 };

/** Parses `text` into its named trees; throws a TemplateError worded as Go's. */
export function parseTemplates(name: string, text: string, options: ParseOptions): Map<string, Tree> {
  const leftDelim = options.leftDelim || '{{';
  const rightDelim = options.rightDelim || '}}';
  const lex = new Lexer(text, leftDelim, rightDelim, {
    emitComment: false,
    breakOK: !options.hasFunction('break'),
    continueOK: !options.hasFunction('continue'),
  });
  const shared: Shared = {
    lex,
    src: { name, text, leftDelim, rightDelim },
    trees: new Map(),
    hasFunction: options.hasFunction,
  };
  try {
    const top = new TreeParser(name, shared);
    top.parse();
    top.add();
  } catch (err) {
    if (err instanceof ParseAbort) throw err.error;
    throw err;
  }
  return shared.trees;
}

/** Whether a tree holds nothing but spaces and comments (such a tree never replaces a real one). */
export function isEmptyTree(n: Node): boolean {
  switch (n.type) {
    case 'comment':
      return true;
    case 'list':
      return n.nodes.every(isEmptyTree);
    case 'text':
      return n.text.trim() === '';
    default:
      return false;
  }
}

class TreeParser {
  private readonly token: Item[] = [EMPTY_ITEM, EMPTY_ITEM, EMPTY_ITEM];
  private peekCount = 0;
  private vars: string[] = ['$'];
  private actionLine = 0;
  private rangeDepth = 0;
  private stackDepth = 0;
  root: ListNode;

  constructor(
    private name: string,
    private readonly shared: Shared,
  ) {
    this.root = this.newList(0);
  }

  // ---- token stream (three-token look-ahead, as Go's parser) ----------------------------------------

  private next(): Item {
    if (this.peekCount > 0) this.peekCount--;
    else this.token[0] = this.shared.lex.nextItem();
    return this.token[this.peekCount] as Item;
  }

  private backup(): void {
    this.peekCount++;
  }

  private backup2(t1: Item): void {
    this.token[1] = t1;
    this.peekCount = 2;
  }

  private backup3(t2: Item, t1: Item): void {
    this.token[1] = t1;
    this.token[2] = t2;
    this.peekCount = 3;
  }

  private peek(): Item {
    if (this.peekCount > 0) return this.token[this.peekCount - 1] as Item;
    this.peekCount = 1;
    this.token[0] = this.shared.lex.nextItem();
    return this.token[0];
  }

  private nextNonSpace(): Item {
    let token: Item;
    do token = this.next();
    while (token.type === 'space');
    return token;
  }

  private peekNonSpace(): Item {
    const token = this.nextNonSpace();
    this.backup();
    return token;
  }

  // ---- errors --------------------------------------------------------------------------------------

  private errorf(message: string): never {
    throw new ParseAbort(parseError(this.shared.src.name, (this.token[0] as Item).line, message));
  }

  private expect(expected: ItemType, context: string): Item {
    const token = this.nextNonSpace();
    if (token.type !== expected) this.unexpected(token, context);
    return token;
  }

  private expectOneOf(a: ItemType, b: ItemType, context: string): Item {
    const token = this.nextNonSpace();
    if (token.type !== a && token.type !== b) this.unexpected(token, context);
    return token;
  }

  private unexpected(token: Item, context: string): never {
    if (token.type === 'error') {
      let extra = '';
      if (this.actionLine !== 0 && this.actionLine !== token.line) {
        extra = ` in action started at ${this.shared.src.name}:${this.actionLine}`;
        if (token.val.endsWith(' action')) extra = extra.slice(' in action'.length);
      }
      this.errorf(`${token.val}${extra}`);
    }
    this.errorf(`unexpected ${describeItem(token)} in ${context}`);
  }

  // ---- node constructors ---------------------------------------------------------------------------

  private newList(pos: number): ListNode {
    return { type: 'list', pos, src: this.shared.src, nodes: [] };
  }

  private newVariable(pos: number, ident: string): VariableNode {
    return { type: 'variable', pos, src: this.shared.src, ident: ident.split('.') };
  }

  // ---- grammar -------------------------------------------------------------------------------------

  /** Registers this tree; a second non-empty definition of one name is an error. */
  add(): void {
    const existing = this.shared.trees.get(this.name);
    if (existing === undefined || isEmptyTree(existing.root)) {
      this.shared.trees.set(this.name, { name: this.name, root: this.root, src: this.shared.src });
      return;
    }
    if (!isEmptyTree(this.root))
      this.errorf(`template: multiple definition of template ${goQuote(this.name)}`);
  }

  /** The top level: like itemList, but also accepts `define`. */
  parse(): void {
    this.root = this.newList(this.peek().pos);
    while (this.peek().type !== 'eof') {
      if (this.peek().type === 'leftDelim') {
        const delim = this.next();
        if (this.nextNonSpace().type === 'define') {
          const def = new TreeParser('definition', this.shared);
          def.parseDefinition();
          continue;
        }
        this.backup2(delim);
      }
      const n = this.textOrAction();
      if (n.type === 'end' || n.type === 'else') this.errorf(`unexpected ${nodeString(n)}`);
      this.root.nodes.push(n);
    }
  }

  private parseDefinition(): void {
    const context = 'define clause';
    const nameToken = this.expectOneOf('string', 'rawString', context);
    this.name = this.unquote(nameToken.val);
    this.expect('rightDelim', context);
    const [list, end] = this.itemList();
    this.root = list;
    if (end.type !== 'end') this.errorf(`unexpected ${nodeString(end)} in ${context}`);
    this.add();
  }

  private itemList(): [ListNode, EndElseNode] {
    const list = this.newList(this.peekNonSpace().pos);
    while (this.peekNonSpace().type !== 'eof') {
      const n = this.textOrAction();
      if (n.type === 'end' || n.type === 'else') return [list, n];
      list.nodes.push(n);
    }
    this.errorf('unexpected EOF');
  }

  private textOrAction(): Node {
    const token = this.nextNonSpace();
    switch (token.type) {
      case 'text':
        return { type: 'text', pos: token.pos, src: this.shared.src, text: token.val };
      case 'leftDelim':
        this.actionLine = token.line;
        try {
          return this.action();
        } finally {
          this.actionLine = 0;
        }
      case 'comment':
        return { type: 'comment', pos: token.pos, src: this.shared.src, text: token.val };
      default:
        this.unexpected(token, 'input');
    }
  }

  private action(): Node {
    const token = this.nextNonSpace();
    switch (token.type) {
      case 'block':
        return this.blockControl();
      case 'break':
      case 'continue':
        return this.breakControl(token);
      case 'else':
        return this.elseControl();
      case 'end':
        return {
          type: 'end',
          pos: this.expect('rightDelim', 'end').pos,
          src: this.shared.src,
          line: token.line,
        };
      case 'if':
      case 'range':
      case 'with':
        return this.branch(token.type);
      case 'template':
        return this.templateControl();
    }
    this.backup();
    const first = this.peek();
    return {
      type: 'action',
      pos: first.pos,
      src: this.shared.src,
      line: first.line,
      pipe: this.pipeline('command', 'rightDelim'),
    };
  }

  private breakControl(keyword: Item): Node {
    const name = keyword.type as 'break' | 'continue';
    const token = this.nextNonSpace();
    if (token.type !== 'rightDelim') this.unexpected(token, `{{${name}}}`);
    if (this.rangeDepth === 0) this.errorf(`{{${name}}} outside {{range}}`);
    return { type: name, pos: keyword.pos, src: this.shared.src, line: keyword.line };
  }

  private pipeline(context: string, end: ItemType): PipeNode {
    const first = this.peekNonSpace();
    const pipe: PipeNode = {
      type: 'pipe',
      pos: first.pos,
      src: this.shared.src,
      line: first.line,
      isAssign: false,
      decl: [],
      cmds: [],
    };
    for (;;) {
      const v = this.peekNonSpace();
      if (v.type !== 'variable') break;
      this.next();
      // "$x foo" needs three tokens of look-ahead to tell an argument from a declaration.
      const tokenAfterVariable = this.peek();
      const next = this.peekNonSpace();
      if (next.type === 'assign' || next.type === 'declare') {
        pipe.isAssign = next.type === 'assign';
        this.nextNonSpace();
        pipe.decl.push(this.newVariable(v.pos, v.val));
        this.vars.push(v.val);
      } else if (next.type === 'char' && next.val === ',') {
        this.nextNonSpace();
        pipe.decl.push(this.newVariable(v.pos, v.val));
        this.vars.push(v.val);
        if (context === 'range' && pipe.decl.length < 2) {
          const after = this.peekNonSpace().type;
          if (after === 'variable' || after === 'rightDelim' || after === 'rightParen') continue;
          this.errorf('range can only initialize variables');
        }
        this.errorf(`too many declarations in ${context}`);
      } else if (tokenAfterVariable.type === 'space') {
        this.backup3(v, tokenAfterVariable);
      } else {
        this.backup2(v);
      }
      break;
    }
    for (;;) {
      const token = this.nextNonSpace();
      if (token.type === end) {
        this.checkPipeline(pipe, context);
        return pipe;
      }
      switch (token.type) {
        case 'bool':
        case 'charConstant':
        case 'complex':
        case 'dot':
        case 'field':
        case 'identifier':
        case 'number':
        case 'nil':
        case 'rawString':
        case 'string':
        case 'variable':
        case 'leftParen':
          this.backup();
          pipe.cmds.push(this.command());
          break;
        default:
          this.unexpected(token, context);
      }
    }
  }

  private checkPipeline(pipe: PipeNode, context: string): void {
    if (pipe.cmds.length === 0) this.errorf(`missing value for ${context}`);
    pipe.cmds.slice(1).forEach((c, i) => {
      const t = c.args[0]?.type;
      if (t === 'bool' || t === 'dot' || t === 'nil' || t === 'number' || t === 'string') {
        this.errorf(`non executable command in pipeline stage ${i + 2}`);
      }
    });
  }

  private branch(type: 'if' | 'range' | 'with'): BranchNode {
    const mark = this.vars.length;
    try {
      const pipe = this.pipeline(type, 'rightDelim');
      if (type === 'range') this.rangeDepth++;
      let [list, next] = this.itemList();
      if (type === 'range') this.rangeDepth--;
      let elseList: ListNode | null = null;
      if (next.type === 'else') {
        // "{{else if x}}" is "{{else}}{{if x}}…{{end}}{{end}}" with the inner {{end}} shared.
        if (
          (type === 'if' && this.peek().type === 'if') ||
          (type === 'with' && this.peek().type === 'with')
        ) {
          this.next();
          elseList = this.newList(next.pos);
          elseList.nodes.push(this.branch(type));
        } else {
          [elseList, next] = this.itemList();
          if (next.type !== 'end') this.errorf(`expected end; found ${nodeString(next)}`);
        }
      }
      return { type, pos: pipe.pos, src: this.shared.src, line: pipe.line, pipe, list, elseList };
    } finally {
      this.vars.length = mark;
    }
  }

  private elseControl(): EndElseNode {
    const peek = this.peekNonSpace();
    // "else if" / "else with": leave the keyword for the enclosing branch to read.
    if (peek.type === 'if' || peek.type === 'with') {
      return { type: 'else', pos: peek.pos, src: this.shared.src, line: peek.line };
    }
    const token = this.expect('rightDelim', 'else');
    return { type: 'else', pos: token.pos, src: this.shared.src, line: token.line };
  }

  private blockControl(): TemplateNode {
    const context = 'block clause';
    const token = this.nextNonSpace();
    const name = this.parseTemplateName(token, context);
    const pipe = this.pipeline(context, 'rightDelim');
    const block = new TreeParser(name, this.shared);
    const [list, end] = block.itemList();
    block.root = list;
    if (end.type !== 'end') this.errorf(`unexpected ${nodeString(end)} in ${context}`);
    block.add();
    return { type: 'template', pos: token.pos, src: this.shared.src, line: token.line, name, pipe };
  }

  private templateControl(): TemplateNode {
    const context = 'template clause';
    const token = this.nextNonSpace();
    const name = this.parseTemplateName(token, context);
    let pipe: PipeNode | null = null;
    if (this.nextNonSpace().type !== 'rightDelim') {
      this.backup();
      pipe = this.pipeline(context, 'rightDelim');
    }
    return { type: 'template', pos: token.pos, src: this.shared.src, line: token.line, name, pipe };
  }

  private parseTemplateName(token: Item, context: string): string {
    if (token.type === 'string' || token.type === 'rawString') return this.unquote(token.val);
    this.unexpected(token, context);
  }

  private command(): CommandNode {
    const cmd: CommandNode = {
      type: 'command',
      pos: this.peekNonSpace().pos,
      src: this.shared.src,
      args: [],
    };
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand !== null) cmd.args.push(operand);
      const token = this.next();
      if (token.type === 'space') continue;
      if (token.type === 'rightDelim' || token.type === 'rightParen') this.backup();
      else if (token.type !== 'pipe') this.unexpected(token, 'operand');
      break;
    }
    if (cmd.args.length === 0) this.errorf('empty command');
    return cmd;
  }

  private operand(): Node | null {
    const node = this.term();
    if (node === null) return null;
    if (this.peek().type !== 'field') return node;
    const chain: ChainNode = { type: 'chain', pos: this.peek().pos, src: this.shared.src, node, field: [] };
    while (this.peek().type === 'field') chain.field.push(this.next().val.slice(1));
    switch (node.type) {
      case 'field':
        return {
          type: 'field',
          pos: chain.pos,
          src: this.shared.src,
          ident: nodeString(chain).slice(1).split('.'),
        };
      case 'variable':
        return this.newVariable(chain.pos, nodeString(chain));
      case 'bool':
      case 'string':
      case 'number':
      case 'nil':
      case 'dot':
        this.errorf(`unexpected . after term ${goQuote(nodeString(node))}`);
        break;
      default:
        return chain;
    }
    return chain;
  }

  private term(): Node | null {
    const token = this.nextNonSpace();
    const src = this.shared.src;
    switch (token.type) {
      case 'identifier':
        if (!this.shared.hasFunction(token.val)) this.errorf(`function ${goQuote(token.val)} not defined`);
        return { type: 'identifier', pos: token.pos, src, ident: token.val };
      case 'dot':
        return { type: 'dot', pos: token.pos, src };
      case 'nil':
        return { type: 'nil', pos: token.pos, src };
      case 'variable':
        return this.useVar(token.pos, token.val);
      case 'field':
        return { type: 'field', pos: token.pos, src, ident: token.val.slice(1).split('.') };
      case 'bool':
        return { type: 'bool', pos: token.pos, src, value: token.val === 'true' };
      case 'charConstant':
      case 'complex':
      case 'number':
        return this.newNumber(token);
      case 'leftParen': {
        if (this.stackDepth >= MAX_STACK_DEPTH) this.errorf('max expression depth exceeded');
        this.stackDepth++;
        try {
          return this.pipeline('parenthesized pipeline', 'rightParen');
        } finally {
          this.stackDepth--;
        }
      }
      case 'string':
      case 'rawString':
        return { type: 'string', pos: token.pos, src, quoted: token.val, text: this.unquote(token.val) };
    }
    this.backup();
    return null;
  }

  private useVar(pos: number, name: string): VariableNode {
    const v = this.newVariable(pos, name);
    const head = v.ident[0] as string;
    if (!this.vars.includes(head)) this.errorf(`undefined variable ${goQuote(head)}`);
    return v;
  }

  private unquote(token: string): string {
    try {
      return unquoteString(token);
    } catch (err) {
      if (err instanceof SyntaxError_) this.errorf(err.message);
      throw err;
    }
  }

  /** A number literal, read as Go's NumberNode: every type that can hold the value is recorded. */
  private newNumber(token: Item): NumberNode {
    const text = token.val;
    const base = { type: 'number' as const, pos: token.pos, src: this.shared.src, text };
    if (token.type === 'charConstant') {
      let cp: number;
      try {
        cp = unquoteRune(text);
      } catch (err) {
        if (err instanceof SyntaxError_) this.errorf(err.message);
        throw err;
      }
      const v = BigInt(cp);
      return { ...base, isInt: true, isUint: true, isFloat: true, int64: v, uint64: v, float64: cp };
    }
    // Go reads "1+2i" and "3i" as complex constants; templates here have no complex type.
    if (token.type === 'complex' || (text.endsWith('i') && parseFloat64(text.slice(0, -1)) !== undefined)) {
      this.errorf(`complex number constants are not supported: ${goQuote(text)}`);
    }
    const u = parseUint64(text);
    const i = parseInt64(text);
    let isUint = u !== undefined;
    let isInt = i !== undefined;
    let uint64 = u ?? 0n;
    let int64 = i ?? 0n;
    if (isInt && int64 === 0n) {
      isUint = true; // "-0"
      uint64 = 0n;
    }
    let isFloat = false;
    let float64 = 0;
    if (isInt) {
      isFloat = true;
      float64 = Number(int64);
    } else if (isUint) {
      isFloat = true;
      float64 = Number(uint64);
    } else {
      const f = parseFloat64(text);
      if (f !== undefined) {
        // Parsed as a float but looks like an integer: an integer too large for 64 bits.
        if (!/[.eEpP]/.test(text)) this.errorf(`integer overflow: ${goQuote(text)}`);
        isFloat = true;
        float64 = f;
        if (Number.isInteger(f) && Math.abs(f) < 2 ** 63) {
          isInt = true;
          int64 = BigInt(f);
        }
        if (Number.isInteger(f) && f >= 0 && f < 2 ** 64) {
          isUint = true;
          uint64 = BigInt(f);
        }
      }
    }
    if (!isInt && !isUint && !isFloat) this.errorf(`illegal number syntax: ${goQuote(text)}`);
    return { ...base, isInt, isUint, isFloat, int64, uint64, float64 };
  }
}
