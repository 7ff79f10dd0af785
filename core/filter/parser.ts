/**
 * Recursive-descent parser for go-bexpr expressions. Precedence: `not` binds tighter than `and`, which
 * binds tighter than `or`; parentheses group. `and`/`or` chains become flat operand lists, so only
 * parentheses and `not` add depth, and that depth is capped.
 */
import { describePosition, describeToken, filterError, type Token, tokenize } from './lexer.js';

export const MAX_FILTER_DEPTH = 64;

/** The positive test a match performs; `negate` turns it into `!=`, `not in`, `is not empty`, `not matches`. */
export type MatchTest = 'equal' | 'contains' | 'empty' | 'matches';

export interface MatchNode {
  readonly kind: 'match';
  readonly test: MatchTest;
  readonly negate: boolean;
  /** Path segments: `Service.Meta["env"]` is ['Service', 'Meta', 'env']. */
  readonly selector: readonly string[];
  /** The literal as written (strings unquoted); converted to the field's type at evaluation. */
  readonly value: string;
  /** Offset of the match in the source, for error messages raised later (bad regex, bad operand). */
  readonly offset: number;
}

export type FilterNode =
  | MatchNode
  | { readonly kind: 'not'; readonly operand: FilterNode }
  | { readonly kind: 'and' | 'or'; readonly operands: readonly FilterNode[] };

export function parseFilter(source: string): FilterNode {
  return new Parser(source).parseExpression();
}

/** Words that may follow a selector; a leading `not` followed by one of these is a selector named "not". */
const AFTER_SELECTOR = new Set(['eq', 'ne', 'dot', 'lbracket']);

class Parser {
  private readonly tokens: Token[];
  private index = 0;

  constructor(private readonly source: string) {
    this.tokens = tokenize(source);
  }

  parseExpression(): FilterNode {
    const node = this.parseOr(0);
    if (this.peek().kind !== 'eof') this.fail('"and", "or" or the end of the expression');
    return node;
  }

  private parseOr(depth: number): FilterNode {
    const operands = [this.parseAnd(depth)];
    while (this.isWord('or')) {
      this.index++;
      operands.push(this.parseAnd(depth));
    }
    return operands.length === 1 ? operands[0]! : { kind: 'or', operands };
  }

  private parseAnd(depth: number): FilterNode {
    const operands = [this.parseUnary(depth)];
    while (this.isWord('and')) {
      this.index++;
      operands.push(this.parseUnary(depth));
    }
    return operands.length === 1 ? operands[0]! : { kind: 'and', operands };
  }

  private parseUnary(depth: number): FilterNode {
    const token = this.peek();
    const opensLevel =
      token.kind === 'lparen' || (this.isWord('not') && !AFTER_SELECTOR.has(this.peek(1).kind));
    if (!opensLevel) return this.parseMatch();
    if (depth >= MAX_FILTER_DEPTH) {
      throw filterError(
        `${describePosition(this.source, token.start)}: expression nested deeper than ${MAX_FILTER_DEPTH} levels`,
      );
    }
    this.index++;
    if (token.kind === 'lparen') {
      const inner = this.parseOr(depth + 1);
      if (this.peek().kind !== 'rparen') {
        this.fail(`")" to close the "(" at ${describePosition(this.source, token.start)}`);
      }
      this.index++;
      return inner;
    }
    const operand = this.parseUnary(depth + 1);
    // `not not E` is E, as in bexpr.
    return operand.kind === 'not' ? operand.operand : { kind: 'not', operand };
  }

  private parseMatch(): MatchNode {
    const first = this.peek();
    if (first.kind === 'string' || first.kind === 'number') {
      this.index++;
      const negate = this.parseInOperator();
      return this.match('contains', negate, this.parseSelector(), first.value, first.start);
    }
    if (first.kind !== 'word') return this.fail('a selector, a value, "not" or "("');

    const selector = this.parseSelector();
    const op = this.peek();
    if (op.kind === 'eq' || op.kind === 'ne') {
      this.index++;
      return this.match('equal', op.kind === 'ne', selector, this.parseValue(), first.start);
    }
    if (this.isWord('is')) {
      this.index++;
      const negate = this.isWord('not');
      if (negate) this.index++;
      if (!this.isWord('empty')) this.fail(negate ? '"empty"' : '"empty" or "not empty"');
      this.index++;
      return this.match('empty', negate, selector, '', first.start);
    }
    const negate = this.isWord('not');
    const verb = this.peek(negate ? 1 : 0);
    if (verb.kind === 'word' && (verb.value === 'contains' || verb.value === 'matches')) {
      this.index += negate ? 2 : 1;
      return this.match(verb.value, negate, selector, this.parseValue(), first.start);
    }
    if (verb.kind === 'word' && verb.value === 'in') {
      // The "selector" read so far was an unquoted value: `web in Tags`.
      this.index += negate ? 2 : 1;
      return this.match('contains', negate, this.parseSelector(), selector.join('.'), first.start);
    }
    if (negate) {
      this.index++;
      return this.fail('"in", "contains" or "matches" after "not"');
    }
    return this.fail('"==", "!=", "is", "contains", "matches", "in" or "not"');
  }

  /** After a value: `in` or `not in`; returns whether negated. */
  private parseInOperator(): boolean {
    if (this.isWord('in')) {
      this.index++;
      return false;
    }
    if (this.isWord('not') && this.peek(1).kind === 'word' && this.peek(1).value === 'in') {
      this.index += 2;
      return true;
    }
    return this.fail('"in" or "not in" after a value');
  }

  /** `Name`, then any of `.Name`, `.0`, `["key"]`, with nothing between the parts (as in bexpr). */
  private parseSelector(): string[] {
    const head = this.peek();
    if (head.kind !== 'word' || !/^[A-Za-z]/.test(head.value)) return this.fail('a selector');
    this.index++;
    const path = [head.value];
    let end = head.end;
    for (;;) {
      const next = this.peek();
      if (next.start !== end) return path;
      if (next.kind === 'dot') {
        this.index++;
        const segment = this.peek();
        if (segment.kind !== 'word' || segment.start !== next.end) return this.fail('a field name after "."');
        this.index++;
        path.push(segment.value);
        end = segment.end;
      } else if (next.kind === 'lbracket') {
        this.index++;
        const key = this.peek();
        if (key.kind !== 'string') return this.fail('a quoted map key after "["');
        this.index++;
        const close = this.peek();
        if (close.kind !== 'rbracket') return this.fail('"]" to close the index');
        this.index++;
        path.push(key.value);
        end = close.end;
      } else {
        return path;
      }
    }
  }

  /** A string, a number, or an unquoted selector-shaped word (`Status == passing`). */
  private parseValue(): string {
    const token = this.peek();
    if (token.kind === 'string' || token.kind === 'number') {
      this.index++;
      return token.value;
    }
    if (token.kind === 'word') return this.parseSelector().join('.');
    return this.fail('a value (a quoted string, a number or a name)');
  }

  private match(
    test: MatchTest,
    negate: boolean,
    selector: string[],
    value: string,
    offset: number,
  ): MatchNode {
    return { kind: 'match', test, negate, selector, value, offset };
  }

  private peek(ahead = 0): Token {
    return this.tokens[Math.min(this.index + ahead, this.tokens.length - 1)]!;
  }

  private isWord(word: string): boolean {
    const token = this.peek();
    return token.kind === 'word' && token.value === word;
  }

  private fail(expected: string): never {
    const token = this.peek();
    throw filterError(
      `${describePosition(this.source, token.start)}: expected ${expected}, found ${describeToken(this.source, token)}`,
    );
  }
}
