/**
 * Tokens of Consul's `?filter=` language (go-bexpr). Keywords (`and`, `or`, `not`, `in`, `is`, `empty`,
 * `contains`, `matches`) are lexed as plain words: the parser decides from context, because bexpr lets a
 * keyword stand as a map key (`Meta.in`) or as an unquoted value.
 */
import { TribuneError } from '../errors.js';

export type TokenKind =
  | 'word' // identifier, or the digits of a `.0` index segment
  | 'number'
  | 'string'
  | 'lparen'
  | 'rparen'
  | 'lbracket'
  | 'rbracket'
  | 'dot'
  | 'eq'
  | 'ne'
  | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /** Decoded text: the unquoted contents of a string, the source text of anything else. */
  readonly value: string;
  readonly start: number;
  readonly end: number;
}

const ERROR_PREFIX = 'Failed to create boolean expression evaluator: ';

/** Every filter failure reads the way Consul answers a bad `?filter=`: HTTP 400 with this prefix. */
export function filterError(detail: string): TribuneError {
  return new TribuneError('BAD_REQUEST', ERROR_PREFIX + detail);
}

/** `line:column (offset)`, 1-based line and column, 0-based offset, as bexpr's parser reports them. */
export function describePosition(source: string, offset: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < source.length; i++) {
    if (source[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return `${line}:${offset - lineStart + 1} (${offset})`;
}

/** How a token is named in "found …" messages: its source text, shortened. */
export function describeToken(source: string, token: Token): string {
  if (token.kind === 'eof') return 'end of input';
  const text = source.slice(token.start, token.end);
  return JSON.stringify(text.length > 24 ? `${text.slice(0, 24)}…` : text);
}

const isIdentStart = (c: string): boolean => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const isIdentPart = (c: string): boolean => isIdentStart(c) || isDigit(c) || c === '_';
const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  const at = (i: number): string => source[i] ?? '';
  const fail = (offset: number, detail: string): never => {
    throw filterError(`${describePosition(source, offset)}: ${detail}`);
  };
  let pos = 0;
  const push = (kind: TokenKind, start: number, end: number, value = source.slice(start, end)): void => {
    tokens.push({ kind, value, start, end });
    pos = end;
  };

  while (pos < source.length) {
    const c = at(pos);
    if (isSpace(c)) {
      pos++;
      continue;
    }
    const start = pos;
    if (isIdentStart(c)) {
      let end = pos + 1;
      while (isIdentPart(at(end))) end++;
      push('word', start, end);
    } else if (isDigit(c) || (c === '-' && isDigit(at(pos + 1)))) {
      push('number', start, scanNumber(source, start, fail));
    } else if (c === '"') {
      const { end, value } = scanQuoted(source, start, fail);
      push('string', start, end, value);
    } else if (c === '`') {
      const close = source.indexOf('`', start + 1);
      if (close < 0) fail(start, 'unterminated string literal');
      // Go drops carriage returns from raw strings.
      push('string', start, close + 1, source.slice(start + 1, close).replaceAll('\r', ''));
    } else if (c === '=' && at(pos + 1) === '=') {
      push('eq', start, start + 2);
    } else if (c === '!' && at(pos + 1) === '=') {
      push('ne', start, start + 2);
    } else if (c === '.') {
      push('dot', start, start + 1);
      // `Checks.0` indexes a list; digits straight after a dot are a path segment, not a number.
      let end = pos;
      while (isDigit(at(end))) end++;
      if (end > pos) push('word', pos, end);
    } else if (c === '(' || c === ')' || c === '[' || c === ']') {
      const kind = c === '(' ? 'lparen' : c === ')' ? 'rparen' : c === '[' ? 'lbracket' : 'rbracket';
      push(kind, start, start + 1);
    } else {
      fail(start, `unexpected character ${JSON.stringify(c)}`);
    }
  }
  tokens.push({ kind: 'eof', value: '', start: source.length, end: source.length });
  return tokens;
}

/** `-?(0|[1-9][0-9]*)(\.[0-9]+)?`, which must end at whitespace, `)` or the end, as in bexpr. */
function scanNumber(source: string, start: number, fail: (offset: number, detail: string) => never): number {
  let end = start;
  if (source[end] === '-') end++;
  if (source[end] === '0') end++;
  else while (isDigit(source[end] ?? '')) end++;
  if (source[end] === '.' && isDigit(source[end + 1] ?? '')) {
    end++;
    while (isDigit(source[end] ?? '')) end++;
  }
  const next = source[end] ?? '';
  if (next !== '' && next !== ')' && !isSpace(next)) fail(start, 'invalid number literal');
  return end;
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  '"': '"',
};

/** A double-quoted string with Go's escapes (\n, \t, \xFF, \123, \u00e9, \U0001F600, \\, \"). */
function scanQuoted(
  source: string,
  start: number,
  fail: (offset: number, detail: string) => never,
): { end: number; value: string } {
  let out = '';
  let pos = start + 1;
  for (;;) {
    const c = source[pos];
    if (c === undefined) return fail(start, 'unterminated string literal');
    if (c === '"') return { end: pos + 1, value: out };
    if (c === '\n') fail(pos, 'newline in string literal (use \\n or a `raw` string)');
    if (c !== '\\') {
      out += c;
      pos++;
      continue;
    }
    const kind = source[pos + 1] ?? '';
    const simple = SIMPLE_ESCAPES[kind];
    if (simple !== undefined) {
      out += simple;
      pos += 2;
      continue;
    }
    const width = kind === 'x' ? 2 : kind === 'u' ? 4 : kind === 'U' ? 8 : kind >= '0' && kind <= '7' ? 3 : 0;
    if (width === 0) fail(pos, `invalid escape sequence \\${kind}`);
    const octal = kind >= '0' && kind <= '7';
    const digits = octal ? source.slice(pos + 1, pos + 4) : source.slice(pos + 2, pos + 2 + width);
    const pattern = octal ? /^[0-7]{3}$/ : /^[0-9a-fA-F]+$/;
    if (digits.length !== width || !pattern.test(digits))
      fail(pos, `invalid escape sequence \\${kind}${digits}`);
    const code = Number.parseInt(digits, octal ? 8 : 16);
    // Go refuses surrogate halves and values past U+10FFFF; octal escapes stop at \377.
    if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff) || (octal && code > 0xff)) {
      fail(pos, `invalid escape sequence \\${kind}${digits}`);
    }
    out += String.fromCodePoint(code);
    pos += octal ? 4 : 2 + width;
  }
}
