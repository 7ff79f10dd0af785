/**
 * The parse tree of a Go text/template, with each node's position (JS string index into the source) and
 * the text Go's Node.String() gives it — error messages quote that text (`executing "t" at <.A.B>`).
 */
import { goQuote } from './quote.js';

/** What every node of one parse shares: the source it came from and its delimiters. */
export interface Source {
  /** The top-level template's name: Go's ParseName, which error locations start with. */
  readonly name: string;
  readonly text: string;
  readonly leftDelim: string;
  readonly rightDelim: string;
}

interface Base {
  readonly pos: number;
  readonly src: Source;
}

export interface ListNode extends Base {
  readonly type: 'list';
  readonly nodes: Node[];
}
export interface TextNode extends Base {
  readonly type: 'text';
  readonly text: string;
}
export interface CommentNode extends Base {
  readonly type: 'comment';
  readonly text: string;
}
export interface ActionNode extends Base {
  readonly type: 'action';
  readonly line: number;
  readonly pipe: PipeNode;
}
export interface PipeNode extends Base {
  readonly type: 'pipe';
  readonly line: number;
  isAssign: boolean;
  readonly decl: VariableNode[];
  readonly cmds: CommandNode[];
}
export interface CommandNode extends Base {
  readonly type: 'command';
  readonly args: Node[];
}
export interface IdentifierNode extends Base {
  readonly type: 'identifier';
  readonly ident: string;
}
export interface VariableNode extends Base {
  readonly type: 'variable';
  readonly ident: string[];
}
export interface DotNode extends Base {
  readonly type: 'dot';
}
export interface NilNode extends Base {
  readonly type: 'nil';
}
export interface FieldNode extends Base {
  readonly type: 'field';
  readonly ident: string[];
}
export interface ChainNode extends Base {
  readonly type: 'chain';
  readonly node: Node;
  readonly field: string[];
}
export interface BoolNode extends Base {
  readonly type: 'bool';
  readonly value: boolean;
}
export interface NumberNode extends Base {
  readonly type: 'number';
  readonly text: string;
  readonly isInt: boolean;
  readonly isUint: boolean;
  readonly isFloat: boolean;
  readonly int64: bigint;
  readonly uint64: bigint;
  readonly float64: number;
}
export interface StringNode extends Base {
  readonly type: 'string';
  readonly quoted: string;
  readonly text: string;
}
export interface BranchNode extends Base {
  readonly type: 'if' | 'range' | 'with';
  readonly line: number;
  readonly pipe: PipeNode;
  readonly list: ListNode;
  readonly elseList: ListNode | null;
}
export interface TemplateNode extends Base {
  readonly type: 'template';
  readonly line: number;
  readonly name: string;
  readonly pipe: PipeNode | null;
}
export interface BreakNode extends Base {
  readonly type: 'break' | 'continue';
  readonly line: number;
}
/** {{end}} and {{else}}: produced while parsing, never left in a tree. */
export interface EndElseNode extends Base {
  readonly type: 'end' | 'else';
  readonly line: number;
}

export type Node =
  | ListNode
  | TextNode
  | CommentNode
  | ActionNode
  | PipeNode
  | CommandNode
  | IdentifierNode
  | VariableNode
  | DotNode
  | NilNode
  | FieldNode
  | ChainNode
  | BoolNode
  | NumberNode
  | StringNode
  | BranchNode
  | TemplateNode
  | BreakNode
  | EndElseNode;

/** A parsed template: one per `define`/`block` plus the top level. */
export interface Tree {
  readonly name: string;
  readonly root: ListNode;
  readonly src: Source;
}

/** Go's Node.String(). */
export function nodeString(n: Node): string {
  const { leftDelim: l, rightDelim: r } = n.src;
  switch (n.type) {
    case 'list':
      return n.nodes.map(nodeString).join('');
    case 'text':
      return n.text;
    case 'comment':
      return l + n.text + r;
    case 'action':
      return l + nodeString(n.pipe) + r;
    case 'pipe': {
      let s = '';
      if (n.decl.length > 0) s = `${n.decl.map(nodeString).join(', ')}${n.isAssign ? ' = ' : ' := '}`;
      return s + n.cmds.map(nodeString).join(' | ');
    }
    case 'command':
      return n.args.map((a) => (a.type === 'pipe' ? `(${nodeString(a)})` : nodeString(a))).join(' ');
    case 'identifier':
      return n.ident;
    case 'variable':
      return n.ident.join('.');
    case 'dot':
      return '.';
    case 'nil':
      return 'nil';
    case 'field':
      return n.ident.map((id) => `.${id}`).join('');
    case 'chain': {
      const head = n.node.type === 'pipe' ? `(${nodeString(n.node)})` : nodeString(n.node);
      return head + n.field.map((f) => `.${f}`).join('');
    }
    case 'bool':
      return n.value ? 'true' : 'false';
    case 'number':
      return n.text;
    case 'string':
      return n.quoted;
    case 'if':
    case 'range':
    case 'with': {
      let s = `${l}${n.type} ${nodeString(n.pipe)}${r}${nodeString(n.list)}`;
      if (n.elseList) s += `${l}else${r}${nodeString(n.elseList)}`;
      return `${s}${l}end${r}`;
    }
    case 'template':
      return `${l}template ${goQuote(n.name)}${n.pipe ? ` ${nodeString(n.pipe)}` : ''}${r}`;
    case 'break':
    case 'continue':
    case 'end':
    case 'else':
      return l + n.type + r;
  }
}
