/**
 * The lexer of Go's text/template: text, delimiters (custom ones too), `{{- -}}` trimming, comments,
 * and the tokens inside actions. Items are pulled one at a time, because the parser's error line is the
 * line of the last item it pulled — lexing ahead would change error messages.
 *
 * Positions are JS string indexes; errors.ts turns them into Go's byte columns.
 */
import { formatUnicode, goQuote } from './quote.js';

export type ItemType =
  | 'error'
  | 'bool'
  | 'char'
  | 'charConstant'
  | 'comment'
  | 'complex'
  | 'assign'
  | 'declare'
  | 'eof'
  | 'field'
  | 'identifier'
  | 'leftDelim'
  | 'leftParen'
  | 'number'
  | 'pipe'
  | 'rawString'
  | 'rightDelim'
  | 'rightParen'
  | 'space'
  | 'string'
  | 'text'
  | 'variable'
  // keywords
  | 'block'
  | 'break'
  | 'continue'
  | 'dot'
  | 'define'
  | 'else'
  | 'end'
  | 'if'
  | 'nil'
  | 'range'
  | 'template'
  | 'with';

const KEYWORDS: ReadonlyMap<string, ItemType> = new Map<string, ItemType>([
  ['.', 'dot'],
  ['block', 'block'],
  ['break', 'break'],
  ['continue', 'continue'],
  ['define', 'define'],
  ['else', 'else'],
  ['end', 'end'],
  ['if', 'if'],
  ['range', 'range'],
  ['nil', 'nil'],
  ['template', 'template'],
  ['with', 'with'],
]);

const KEYWORD_TYPES: ReadonlySet<ItemType> = new Set(KEYWORDS.values());

export interface Item {
  readonly type: ItemType;
  readonly pos: number;
  readonly val: string;
  readonly line: number;
}

/** How the parser quotes an item in messages: `EOF`, `<end>`, `"}"`, `"longer tex"...`. */
export function describeItem(item: Item): string {
  if (item.type === 'eof') return 'EOF';
  if (item.type === 'error') return item.val;
  if (KEYWORD_TYPES.has(item.type)) return `<${item.val}>`;
  const runes = [...item.val];
  if (runes.length > 10) return `${goQuote(runes.slice(0, 10).join(''))}...`;
  return goQuote(item.val);
}

export interface LexOptions {
  readonly emitComment: boolean;
  readonly breakOK: boolean;
  readonly continueOK: boolean;
}

const EOF = -1;
const LEFT_COMMENT = '/*';
const RIGHT_COMMENT = '*/';
const TRIM_MARKER_LEN = 2; // "- " or " -"

type StateFn = (l: Lexer) => StateFn | null;

const isSpace = (r: number): boolean => r === 0x20 || r === 0x09 || r === 0x0d || r === 0x0a;
const ALNUM = /^[\p{L}\p{Nd}_]$/u;
const isAlphaNumeric = (r: number): boolean => r >= 0 && ALNUM.test(String.fromCodePoint(r));
const hasLeftTrimMarker = (s: string, at: number): boolean =>
  s[at] === '-' && at + 1 < s.length && isSpace(s.charCodeAt(at + 1));
const hasRightTrimMarker = (s: string, at: number): boolean =>
  at + 1 < s.length && isSpace(s.charCodeAt(at)) && s[at + 1] === '-';

function trimRightLength(s: string): number {
  let n = 0;
  while (n < s.length && isSpace(s.charCodeAt(s.length - 1 - n))) n++;
  return n;
}

function trimLeftLength(s: string, from: number): number {
  let i = from;
  while (i < s.length && isSpace(s.charCodeAt(i))) i++;
  return i - from;
}

function countNewlines(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (s.charCodeAt(i) === 0x0a) n++;
  return n;
}

export class Lexer {
  private input: string;
  pos = 0;
  private start = 0;
  private atEOF = false;
  private parenDepth = 0;
  private line = 1;
  private startLine = 1;
  private item: Item;
  private insideAction = false;

  constructor(
    input: string,
    readonly leftDelim: string,
    readonly rightDelim: string,
    readonly options: LexOptions,
  ) {
    this.input = input;
    this.item = { type: 'eof', pos: 0, val: 'EOF', line: 1 };
  }

  nextItem(): Item {
    this.item = { type: 'eof', pos: this.pos, val: 'EOF', line: this.startLine };
    let state: StateFn | null = this.insideAction ? lexInsideAction : lexText;
    while (state !== null) state = state(this);
    return this.item;
  }

  // ---- primitives ----------------------------------------------------------------------------------

  next(): number {
    if (this.pos >= this.input.length) {
      this.atEOF = true;
      return EOF;
    }
    const r = this.input.codePointAt(this.pos) as number;
    this.pos += r > 0xffff ? 2 : 1;
    if (r === 0x0a) this.line++;
    return r;
  }

  peek(): number {
    const r = this.next();
    this.backup();
    return r;
  }

  backup(): void {
    if (this.atEOF || this.pos === 0) return;
    const low = this.input.charCodeAt(this.pos - 1);
    const width =
      low >= 0xdc00 && low < 0xe000 && this.pos >= 2 && this.input.charCodeAt(this.pos - 2) >= 0xd800 ? 2 : 1;
    this.pos -= width;
    if (low === 0x0a) this.line--;
  }

  thisItem(type: ItemType): Item {
    const item: Item = {
      type,
      pos: this.start,
      val: this.input.slice(this.start, this.pos),
      line: this.startLine,
    };
    this.start = this.pos;
    this.startLine = this.line;
    return item;
  }

  emit(type: ItemType): null {
    return this.emitItem(this.thisItem(type));
  }

  emitItem(item: Item): null {
    this.item = item;
    return null;
  }

  /** Skips the pending input, counting the newlines it held. */
  ignore(): void {
    this.line += countNewlines(this.input, this.start, this.pos);
    this.start = this.pos;
    this.startLine = this.line;
  }

  accept(valid: string): boolean {
    const r = this.next();
    if (r !== EOF && valid.includes(String.fromCodePoint(r))) return true;
    this.backup();
    return false;
  }

  acceptRun(valid: string): void {
    for (;;) {
      const r = this.next();
      if (r === EOF || !valid.includes(String.fromCodePoint(r))) break;
    }
    this.backup();
  }

  errorf(message: string): null {
    this.item = { type: 'error', pos: this.start, val: message, line: this.startLine };
    this.start = 0;
    this.pos = 0;
    this.input = '';
    return null;
  }

  // ---- helpers used by the states ------------------------------------------------------------------

  get text(): string {
    return this.input;
  }

  atRightDelim(): { delim: boolean; trimSpaces: boolean } {
    if (
      hasRightTrimMarker(this.input, this.pos) &&
      this.input.startsWith(this.rightDelim, this.pos + TRIM_MARKER_LEN)
    ) {
      return { delim: true, trimSpaces: true };
    }
    return { delim: this.input.startsWith(this.rightDelim, this.pos), trimSpaces: false };
  }

  atTerminator(): boolean {
    const r = this.peek();
    if (isSpace(r)) return true;
    switch (r) {
      case EOF:
      case 0x2e: // .
      case 0x2c: // ,
      case 0x7c: // |
      case 0x3a: // :
      case 0x29: // )
      case 0x28: // (
        return true;
    }
    return this.input.startsWith(this.rightDelim, this.pos);
  }

  setInsideAction(inside: boolean): void {
    this.insideAction = inside;
    if (inside) this.parenDepth = 0;
  }

  addLines(from: number, to: number): void {
    this.line += countNewlines(this.input, from, to);
  }

  get startPos(): number {
    return this.start;
  }

  changeParenDepth(delta: number): number {
    this.parenDepth += delta;
    return this.parenDepth;
  }
}

// ---- states ----------------------------------------------------------------------------------------

function lexText(l: Lexer): StateFn | null {
  const input = l.text;
  const x = input.indexOf(l.leftDelim, l.pos);
  if (x >= 0) {
    if (x > l.pos) {
      l.pos = x;
      const delimEnd = l.pos + l.leftDelim.length;
      const trimLength = hasLeftTrimMarker(input, delimEnd)
        ? trimRightLength(input.slice(l.startPos, l.pos))
        : 0;
      l.pos -= trimLength;
      l.addLines(l.startPos, l.pos);
      const item = l.thisItem('text');
      l.pos += trimLength;
      l.ignore();
      if (item.val.length > 0) return l.emitItem(item);
    }
    return lexLeftDelim;
  }
  l.pos = input.length;
  if (l.pos > l.startPos) {
    l.addLines(l.startPos, l.pos);
    return l.emit('text');
  }
  return l.emit('eof');
}

function lexLeftDelim(l: Lexer): StateFn | null {
  l.pos += l.leftDelim.length;
  const trimSpace = hasLeftTrimMarker(l.text, l.pos);
  const afterMarker = trimSpace ? TRIM_MARKER_LEN : 0;
  if (l.text.startsWith(LEFT_COMMENT, l.pos + afterMarker)) {
    l.pos += afterMarker;
    l.ignore();
    return lexComment;
  }
  const item = l.thisItem('leftDelim');
  l.setInsideAction(true);
  l.pos += afterMarker;
  l.ignore();
  return l.emitItem(item);
}

function lexComment(l: Lexer): StateFn | null {
  l.pos += LEFT_COMMENT.length;
  const x = l.text.indexOf(RIGHT_COMMENT, l.pos);
  if (x < 0) return l.errorf('unclosed comment');
  l.pos = x + RIGHT_COMMENT.length;
  const { delim, trimSpaces } = l.atRightDelim();
  if (!delim) return l.errorf('comment ends before closing delimiter');
  l.addLines(l.startPos, l.pos);
  const item = l.thisItem('comment');
  if (trimSpaces) l.pos += TRIM_MARKER_LEN;
  l.pos += l.rightDelim.length;
  if (trimSpaces) l.pos += trimLeftLength(l.text, l.pos);
  l.ignore();
  if (l.options.emitComment) return l.emitItem(item);
  return lexText;
}

function lexRightDelim(l: Lexer): StateFn | null {
  const { trimSpaces } = l.atRightDelim();
  if (trimSpaces) {
    l.pos += TRIM_MARKER_LEN;
    l.ignore();
  }
  l.pos += l.rightDelim.length;
  const item = l.thisItem('rightDelim');
  if (trimSpaces) {
    l.pos += trimLeftLength(l.text, l.pos);
    l.ignore();
  }
  l.setInsideAction(false);
  return l.emitItem(item);
}

function lexInsideAction(l: Lexer): StateFn | null {
  if (l.atRightDelim().delim) {
    if (l.changeParenDepth(0) === 0) return lexRightDelim;
    return l.errorf('unclosed left paren');
  }
  const r = l.next();
  if (r === EOF) return l.errorf('unclosed action');
  if (isSpace(r)) {
    l.backup(); // The space may start a " -}}" trim marker.
    return lexSpace;
  }
  switch (r) {
    case 0x3d: // =
      return l.emit('assign');
    case 0x3a: // :
      if (l.next() !== 0x3d) return l.errorf('expected :=');
      return l.emit('declare');
    case 0x7c: // |
      return l.emit('pipe');
    case 0x22: // "
      return lexQuote;
    case 0x60: // `
      return lexRawQuote;
    case 0x24: // $
      return lexVariable;
    case 0x27: // '
      return lexChar;
    case 0x28: // (
      l.changeParenDepth(1);
      return l.emit('leftParen');
    case 0x29: // )
      if (l.changeParenDepth(-1) < 0) return l.errorf('unexpected right paren');
      return l.emit('rightParen');
  }
  if (r === 0x2e) {
    // ".field" unless a digit follows, which makes it a number such as ".5".
    const c = l.text.charCodeAt(l.pos);
    if (l.pos < l.text.length && (c < 0x30 || c > 0x39)) return lexField;
  }
  if (r === 0x2e || r === 0x2b || r === 0x2d || (r >= 0x30 && r <= 0x39)) {
    l.backup();
    return lexNumber;
  }
  if (isAlphaNumeric(r)) {
    l.backup();
    return lexIdentifier;
  }
  if (r <= 0x7f && r >= 0x20 && r < 0x7f) return l.emit('char');
  return l.errorf(`unrecognized character in action: ${formatUnicode(r)}`);
}

function lexSpace(l: Lexer): StateFn | null {
  let numSpaces = 0;
  while (isSpace(l.peek())) {
    l.next();
    numSpaces++;
  }
  // A trim-marked right delimiter starts with a space: leave that space to it.
  if (hasRightTrimMarker(l.text, l.pos - 1) && l.text.startsWith(l.rightDelim, l.pos - 1 + TRIM_MARKER_LEN)) {
    l.backup();
    if (numSpaces === 1) return lexRightDelim;
  }
  return l.emit('space');
}

function lexIdentifier(l: Lexer): StateFn | null {
  for (;;) {
    const r = l.next();
    if (isAlphaNumeric(r)) continue;
    l.backup();
    const word = l.text.slice(l.startPos, l.pos);
    if (!l.atTerminator()) return l.errorf(`bad character ${formatUnicode(r)}`);
    const keyword = KEYWORDS.get(word);
    if (keyword !== undefined && keyword !== 'dot') {
      if ((keyword === 'break' && !l.options.breakOK) || (keyword === 'continue' && !l.options.continueOK)) {
        return l.emit('identifier');
      }
      return l.emit(keyword);
    }
    if (word === 'true' || word === 'false') return l.emit('bool');
    return l.emit('identifier');
  }
}

function lexField(l: Lexer): StateFn | null {
  return lexFieldOrVariable(l, 'field');
}

function lexVariable(l: Lexer): StateFn | null {
  if (l.atTerminator()) return l.emit('variable');
  return lexFieldOrVariable(l, 'variable');
}

function lexFieldOrVariable(l: Lexer, type: 'field' | 'variable'): StateFn | null {
  if (l.atTerminator()) return l.emit(type === 'variable' ? 'variable' : 'dot');
  let r: number;
  for (;;) {
    r = l.next();
    if (!isAlphaNumeric(r)) {
      l.backup();
      break;
    }
  }
  if (!l.atTerminator()) return l.errorf(`bad character ${formatUnicode(r)}`);
  return l.emit(type);
}

function lexChar(l: Lexer): StateFn | null {
  for (;;) {
    let r = l.next();
    if (r === 0x5c) {
      r = l.next();
      if (r !== EOF && r !== 0x0a) continue;
      return l.errorf('unterminated character constant');
    }
    if (r === EOF || r === 0x0a) return l.errorf('unterminated character constant');
    if (r === 0x27) break;
  }
  return l.emit('charConstant');
}

function lexNumber(l: Lexer): StateFn | null {
  if (!scanNumber(l)) return l.errorf(`bad number syntax: ${goQuote(l.text.slice(l.startPos, l.pos))}`);
  const sign = l.peek();
  if (sign === 0x2b || sign === 0x2d) {
    // Complex: 1+2i. No spaces, must end in 'i'.
    if (!scanNumber(l) || l.text[l.pos - 1] !== 'i') {
      return l.errorf(`bad number syntax: ${goQuote(l.text.slice(l.startPos, l.pos))}`);
    }
    return l.emit('complex');
  }
  return l.emit('number');
}

function scanNumber(l: Lexer): boolean {
  l.accept('+-');
  let digits = '0123456789_';
  if (l.accept('0')) {
    // A leading 0 does not mean octal in floats.
    if (l.accept('xX')) digits = '0123456789abcdefABCDEF_';
    else if (l.accept('oO')) digits = '01234567_';
    else if (l.accept('bB')) digits = '01_';
  }
  l.acceptRun(digits);
  if (l.accept('.')) l.acceptRun(digits);
  if (digits.length === 11 && l.accept('eE')) {
    l.accept('+-');
    l.acceptRun('0123456789_');
  }
  if (digits.length === 23 && l.accept('pP')) {
    l.accept('+-');
    l.acceptRun('0123456789_');
  }
  l.accept('i');
  if (isAlphaNumeric(l.peek())) {
    l.next();
    return false;
  }
  return true;
}

function lexQuote(l: Lexer): StateFn | null {
  for (;;) {
    let r = l.next();
    if (r === 0x5c) {
      r = l.next();
      if (r !== EOF && r !== 0x0a) continue;
      return l.errorf('unterminated quoted string');
    }
    if (r === EOF || r === 0x0a) return l.errorf('unterminated quoted string');
    if (r === 0x22) break;
  }
  return l.emit('string');
}

function lexRawQuote(l: Lexer): StateFn | null {
  for (;;) {
    const r = l.next();
    if (r === EOF) return l.errorf('unterminated raw quoted string');
    if (r === 0x60) break;
  }
  return l.emit('rawString');
}
