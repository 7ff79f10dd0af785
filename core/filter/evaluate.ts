/**
 * Turns a parsed filter into a predicate over plain JSON-shaped items (Consul's API objects as we hold
 * them). Go's bexpr knows each field's type up front; we learn it from the value found, so a literal is
 * converted to the field's type when a match runs, and a mismatch (`Port == abc`) fails then.
 *
 * Selectors: each segment names an own property of an object (or a key of a Map), or indexes a list
 * when it is all digits. A list met with segments still to go fans out: the positive test matches when
 * ANY element matches, and a negated form (`!=`, `not in`, `is not empty`, `not matches`) is exactly the
 * negation of its positive form. go-bexpr v0.1.2, which Consul shipped, applies the negated operator to
 * each element instead (`Checks.Status != "passing"` holds there when any one check is not passing); we
 * chose the set reading on purpose: `Checks.Status != "passing"` means no check is passing.
 * A path that finds nothing counts as one absent value: it is empty, equals nothing, contains nothing
 * and matches nothing. `matches` patterns are Go's RE2 syntax (see regexp.ts).
 */
import { describePosition, filterError } from './lexer.js';
import type { FilterNode, MatchNode } from './parser.js';
import { compileGoRegExp } from './regexp.js';

export type Predicate = (item: unknown) => boolean;
type LeafTest = (leaf: unknown) => boolean;

export function buildPredicate(node: FilterNode, source: string): Predicate {
  switch (node.kind) {
    case 'match':
      return buildMatch(node, source);
    case 'not': {
      const operand = buildPredicate(node.operand, source);
      return (item) => !operand(item);
    }
    case 'and': {
      const operands = node.operands.map((child) => buildPredicate(child, source));
      return (item) => operands.every((test) => test(item));
    }
    case 'or': {
      const operands = node.operands.map((child) => buildPredicate(child, source));
      return (item) => operands.some((test) => test(item));
    }
  }
}

function buildMatch(node: MatchNode, source: string): Predicate {
  const context: MatchContext = { node, where: describePosition(source, node.offset) };
  const test = buildLeafTest(context);
  const path = node.selector;
  return node.negate ? (item) => !anyLeaf(item, path, test) : (item) => anyLeaf(item, path, test);
}

interface MatchContext {
  readonly node: MatchNode;
  readonly where: string;
}

function buildLeafTest(context: MatchContext): LeafTest {
  const { node } = context;
  switch (node.test) {
    case 'equal':
      return equalTest(context);
    case 'contains':
      return containsTest(context);
    case 'empty':
      return (leaf) => isEmpty(leaf, context);
    case 'matches': {
      const matchesPattern = compileGoRegExp(node.value, context.where);
      return (leaf) => {
        if (leaf === undefined || leaf === null) return false;
        if (typeof leaf !== 'string') throw unsupported(context, leaf);
        return matchesPattern(leaf);
      };
    }
  }
}

/** Walks `path` from `root`, fanning out over lists, and reports whether `test` holds for any leaf. */
function anyLeaf(root: unknown, path: readonly string[], test: LeafTest): boolean {
  let reachedLeaf = false;
  const visit = (current: unknown, depth: number): boolean => {
    if (depth === path.length) {
      reachedLeaf = true;
      return test(current);
    }
    const segment = path[depth]!;
    if (Array.isArray(current)) {
      if (/^\d+$/.test(segment)) return visit(current[Number(segment)], depth + 1);
      for (const element of current) {
        if (visit(element, depth)) return true;
      }
      return false;
    }
    return visit(childOf(current, segment), depth + 1);
  };
  // A fan-out over an empty list reaches no leaf: the value is absent.
  return visit(root, 0) || (!reachedLeaf && test(undefined));
}

/** Own properties only, so `Meta.constructor` or `Meta.__proto__` never reach Object.prototype. */
function childOf(value: unknown, key: string): unknown {
  if (value instanceof Map) return value.get(key);
  if (typeof value === 'object' && value !== null && Object.hasOwn(value, key)) {
    return (value as Record<string, unknown>)[key];
  }
  return undefined;
}

/** Literal converters, run once per match; `undefined` when the literal cannot be that type. */
interface Literal {
  readonly raw: string;
  readonly number: number | undefined;
  readonly bigint: bigint | undefined;
  readonly boolean: boolean | undefined;
}

function literalOf(raw: string): Literal {
  return { raw, number: toNumber(raw), bigint: toBigInt(raw), boolean: toBoolean(raw) };
}

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const PREFIXED = /^([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+)$/;

/** Decimal and float forms, and Go's 0x / 0o / 0b integer prefixes. */
function toNumber(raw: string): number | undefined {
  if (DECIMAL.test(raw)) return Number(raw);
  const prefixed = PREFIXED.exec(raw);
  if (!prefixed) return undefined;
  const magnitude = Number(prefixed[2]);
  return prefixed[1] === '-' ? -magnitude : magnitude;
}

function toBigInt(raw: string): bigint | undefined {
  return /^[+-]?\d+$/.test(raw) ? BigInt(raw) : undefined;
}

/** The spellings Go's strconv.ParseBool accepts. */
function toBoolean(raw: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(raw)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(raw)) return false;
  return undefined;
}

/** Scalar equality after converting the literal to the scalar's type; `undefined` if it does not convert. */
function scalarEquals(value: unknown, literal: Literal): boolean | undefined {
  switch (typeof value) {
    case 'string':
      return value === literal.raw;
    case 'number':
      return literal.number === undefined ? undefined : value === literal.number;
    case 'bigint':
      if (literal.bigint !== undefined) return value === literal.bigint;
      return literal.number === undefined ? undefined : Number(value) === literal.number;
    case 'boolean':
      return literal.boolean === undefined ? undefined : value === literal.boolean;
    default:
      return undefined;
  }
}

function equalTest(context: MatchContext): LeafTest {
  const literal = literalOf(context.node.value);
  return (leaf) => {
    if (leaf === undefined || leaf === null) return false;
    if (typeof leaf === 'object') throw unsupported(context, leaf);
    const equal = scalarEquals(leaf, literal);
    if (equal === undefined) {
      throw filterError(
        `${context.where}: selector "${selectorText(context)}" holds ${kindOf(leaf)}, ` +
          `and ${JSON.stringify(literal.raw)} does not convert to one`,
      );
    }
    return equal;
  };
}

/** `in`/`contains`: element of a list, key of a map, substring of a string. */
function containsTest(context: MatchContext): LeafTest {
  const literal = literalOf(context.node.value);
  const key = literal.raw;
  return (leaf) => {
    if (leaf === undefined || leaf === null) return false;
    if (typeof leaf === 'string') return leaf.includes(key);
    // A list element that cannot take the literal's type is simply not equal to it.
    if (Array.isArray(leaf)) return leaf.some((element) => scalarEquals(element, literal) === true);
    if (leaf instanceof Map) return leaf.has(key);
    if (typeof leaf === 'object') return Object.hasOwn(leaf, key);
    throw unsupported(context, leaf);
  };
}

function isEmpty(leaf: unknown, context: MatchContext): boolean {
  if (leaf === undefined || leaf === null) return true;
  if (typeof leaf === 'string' || Array.isArray(leaf)) return leaf.length === 0;
  if (leaf instanceof Map) return leaf.size === 0;
  if (typeof leaf === 'object') {
    for (const key in leaf) if (Object.hasOwn(leaf, key)) return false;
    return true;
  }
  throw unsupported(context, leaf);
}

const OPERATOR_NAMES = {
  equal: ['==', '!='],
  contains: ['in/contains', 'not in/not contains'],
  empty: ['is empty', 'is not empty'],
  matches: ['matches', 'not matches'],
} as const;

function unsupported(context: MatchContext, leaf: unknown) {
  const { test, negate } = context.node;
  const operator = OPERATOR_NAMES[test][negate ? 1 : 0];
  return filterError(
    `${context.where}: cannot use "${operator}" on selector "${selectorText(context)}", which holds ${kindOf(leaf)}`,
  );
}

function selectorText(context: MatchContext): string {
  return context.node.selector.join('.');
}

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Map) return 'a map';
  switch (typeof value) {
    case 'bigint':
    case 'number':
      return 'a number';
    case 'boolean':
      return 'a boolean';
    case 'string':
      return 'a string';
    case 'object':
      return 'a map';
    default:
      return `a ${typeof value}`;
  }
}
