/**
 * Go's fmt.Sprintf, Sprint and Sprintln over the template value model (values.ts): every verb of %v %+v
 * %#v %T %d %s %q %x %X %o %O %b %e %E %f %F %g %G %t %c %U %%, width, precision, `*`, the flags
 * `-+# 0` and space, `%[n]` argument indexes, and Go's error strings (`%!d(string=x)`, `%!d(MISSING)`,
 * `%!(EXTRA int=1)`, `%!(NOVERB)`, `%!d(BADINDEX)`, `%!(BADWIDTH)`, `%!(BADPREC)`).
 *
 * Deviations: complex numbers do not exist here; %p and pointers print no address (a pointer to a struct
 * prints `&{…}` at any depth, where Go prints an address below the top level).
 */
import { formatFloat } from './format-float.js';
import { canBackquote, goQuote, goQuoteRune, isPrint } from './quote.js';
import {
  GO_STRING,
  GoNumber,
  goTypeName,
  intValue,
  kindOf,
  runeCount,
  sortedEntries,
  structTypeName,
  utf8Bytes,
  utf8Decode,
} from './values.js';

const LOWER = '0123456789abcdefx';
const UPPER = '0123456789ABCDEFX';
const MAX_RUNE = 0x10ffffn;
const UINT64 = 1n << 64n;

class Printer {
  buf = '';
  // fmt flags
  widPresent = false;
  precPresent = false;
  minus = false;
  plus = false;
  sharp = false;
  space = false;
  zero = false;
  plusV = false;
  sharpV = false;
  wid = 0;
  prec = 0;
  // printer state
  reordered = false;
  goodArgNum = true;
  erroring = false;

  clearFlags(): void {
    this.widPresent = this.precPresent = this.minus = this.plus = this.sharp = false;
    this.space = this.zero = this.plusV = this.sharpV = false;
    this.wid = this.prec = 0;
  }

  // ---- padding -------------------------------------------------------------------------------------

  writePadding(n: number): void {
    if (n <= 0) return;
    this.buf += (this.zero && !this.minus ? '0' : ' ').repeat(n);
  }

  pad(s: string): void {
    if (!this.widPresent || this.wid === 0) {
      this.buf += s;
      return;
    }
    const width = this.wid - runeCount(s);
    if (this.minus) {
      this.buf += s;
      this.writePadding(width);
    } else {
      this.writePadding(width);
      this.buf += s;
    }
  }

  withoutZero(fn: () => void): void {
    const old = this.zero;
    this.zero = false;
    fn();
    this.zero = old;
  }

  // ---- basic formatters (Go's fmt type) -------------------------------------------------------------

  fmtInteger(value: bigint, base: number, isSigned: boolean, verb: string, digits: string): void {
    const negative = isSigned && value < 0n;
    const u = negative ? -value : value < 0n ? value + UINT64 : value;
    let prec = 0;
    if (this.precPresent) {
      prec = this.prec;
      if (prec === 0 && u === 0n) {
        this.withoutZero(() => this.writePadding(this.wid));
        return;
      }
    } else if (this.zero && !this.minus && this.widPresent) {
      prec = this.wid;
      if (negative || this.plus || this.space) prec--;
    }
    let s = u.toString(base);
    if (digits === UPPER) s = s.toUpperCase();
    if (s.length < prec) s = '0'.repeat(prec - s.length) + s;
    if (this.sharp) {
      if (base === 2) s = `0b${s}`;
      else if (base === 8 && s[0] !== '0') s = `0${s}`;
      else if (base === 16) s = `0${digits[16]}${s}`;
    }
    if (verb === 'O') s = `0o${s}`;
    if (negative) s = `-${s}`;
    else if (this.plus) s = `+${s}`;
    else if (this.space) s = ` ${s}`;
    this.withoutZero(() => this.pad(s));
  }

  fmtUnicode(value: bigint): void {
    const u = value < 0n ? value + UINT64 : value;
    const prec = this.precPresent && this.prec > 4 ? this.prec : 4;
    let s = `U+${u.toString(16).toUpperCase().padStart(prec, '0')}`;
    if (this.sharp && u <= MAX_RUNE && isPrint(Number(u))) s += ` '${String.fromCodePoint(Number(u))}'`;
    this.withoutZero(() => this.pad(s));
  }

  fmtC(value: bigint): void {
    this.pad(String.fromCodePoint(validRune(value)));
  }

  fmtQc(value: bigint): void {
    this.pad(goQuoteRune(validRune(value), this.plus));
  }

  truncate(s: string): string {
    if (!this.precPresent) return s;
    let n = this.prec;
    let i = 0;
    for (const ch of s) {
      if (n-- <= 0) return s.slice(0, i);
      i += ch.length;
    }
    return s;
  }

  fmtS(s: string): void {
    this.pad(this.truncate(s));
  }

  fmtQ(s: string): void {
    const t = this.truncate(s);
    if (this.sharp && canBackquote(t)) this.pad(`\`${t}\``);
    else this.pad(goQuote(t, this.plus));
  }

  /** %x of a string or byte slice: two hex digits per byte, `% x` separates, `%#x` prefixes 0x. */
  fmtSbx(bytes: Uint8Array, digits: string): void {
    let length = bytes.length;
    if (this.precPresent && this.prec < length) length = this.prec;
    let width = 2 * length;
    if (width > 0) {
      if (this.space) {
        if (this.sharp) width *= 2;
        width += length - 1;
      } else if (this.sharp) width += 2;
    } else {
      if (this.widPresent) this.writePadding(this.wid);
      return;
    }
    if (this.widPresent && this.wid > width && !this.minus) this.writePadding(this.wid - width);
    let s = this.sharp ? `0${digits[16]}` : '';
    for (let i = 0; i < length; i++) {
      if (this.space && i > 0) {
        s += ' ';
        if (this.sharp) s += `0${digits[16]}`;
      }
      const c = bytes[i] as number;
      s += (digits[c >> 4] as string) + (digits[c & 15] as string);
    }
    this.buf += s;
    if (this.widPresent && this.wid > width && this.minus) this.writePadding(this.wid - width);
  }

  fmtFloat(v: number, verb: string, precDefault: number): void {
    const prec = this.precPresent ? this.prec : precDefault;
    let num = formatFloat(v, verb as 'e', prec);
    if (num[0] !== '-' && num[0] !== '+') num = `+${num}`;
    if (this.space && num[0] === '+' && !this.plus) num = ` ${num.slice(1)}`;
    if (num[1] === 'I' || num[1] === 'N') {
      if (num[1] === 'N' && !this.space && !this.plus) num = num.slice(1);
      this.withoutZero(() => this.pad(num));
      return;
    }
    if (this.sharp && verb !== 'b') num = forceDecimalPoint(num, verb, prec);
    if (this.plus || num[0] !== '+') {
      if (this.zero && !this.minus && this.widPresent && this.wid > num.length) {
        this.buf += num[0];
        this.writePadding(this.wid - num.length);
        this.buf += num.slice(1);
        return;
      }
      this.pad(num);
      return;
    }
    this.pad(num.slice(1));
  }

  // ---- printing values (Go's pp type) ---------------------------------------------------------------

  badVerb(arg: unknown, verb: string): void {
    this.erroring = true;
    this.buf += `%!${verb}(`;
    if (arg === null || arg === undefined) this.buf += '<nil>';
    else {
      this.buf += `${goTypeName(arg)}=`;
      this.printArg(arg, 'v');
    }
    this.buf += ')';
    this.erroring = false;
  }

  printInteger(arg: unknown, verb: string): void {
    const v = intValue(arg);
    const isSigned = kindOf(arg) === 'int';
    switch (verb) {
      case 'v':
        if (this.sharpV && !isSigned) {
          const sharp = this.sharp;
          this.sharp = true;
          this.fmtInteger(v, 16, false, 'v', LOWER);
          this.sharp = sharp;
        } else this.fmtInteger(v, 10, isSigned, verb, LOWER);
        return;
      case 'd':
        this.fmtInteger(v, 10, isSigned, verb, LOWER);
        return;
      case 'b':
        this.fmtInteger(v, 2, isSigned, verb, LOWER);
        return;
      case 'o':
      case 'O':
        this.fmtInteger(v, 8, isSigned, verb, LOWER);
        return;
      case 'x':
        this.fmtInteger(v, 16, isSigned, verb, LOWER);
        return;
      case 'X':
        this.fmtInteger(v, 16, isSigned, verb, UPPER);
        return;
      case 'c':
        this.fmtC(v);
        return;
      case 'q':
        this.fmtQc(v);
        return;
      case 'U':
        this.fmtUnicode(v);
        return;
      default:
        this.badVerb(arg, verb);
    }
  }

  printFloat(arg: unknown, verb: string): void {
    const v = Number(arg instanceof GoNumber ? arg.value : arg);
    switch (verb) {
      case 'v':
        this.fmtFloat(v, 'g', -1);
        return;
      case 'b':
      case 'g':
      case 'G':
      case 'x':
      case 'X':
        this.fmtFloat(v, verb, -1);
        return;
      case 'f':
      case 'e':
      case 'E':
        this.fmtFloat(v, verb, 6);
        return;
      case 'F':
        this.fmtFloat(v, 'f', 6);
        return;
      default:
        this.badVerb(arg, verb);
    }
  }

  printString(arg: unknown, s: string, verb: string): void {
    switch (verb) {
      case 'v':
        if (this.sharpV) this.fmtQ(s);
        else this.fmtS(s);
        return;
      case 's':
        this.fmtS(s);
        return;
      case 'x':
        this.fmtSbx(utf8Bytes(s), LOWER);
        return;
      case 'X':
        this.fmtSbx(utf8Bytes(s), UPPER);
        return;
      case 'q':
        this.fmtQ(s);
        return;
      default:
        this.badVerb(arg, verb);
    }
  }

  printBytes(v: Uint8Array, verb: string, typeString: string): void {
    switch (verb) {
      case 'v':
      case 'd':
        if (this.sharpV) {
          this.buf += `${typeString}{`;
          v.forEach((c, i) => {
            if (i > 0) this.buf += ', ';
            const sharp = this.sharp;
            this.sharp = true;
            this.fmtInteger(BigInt(c), 16, false, 'v', LOWER);
            this.sharp = sharp;
          });
          this.buf += '}';
        } else {
          this.buf += '[';
          v.forEach((c, i) => {
            if (i > 0) this.buf += ' ';
            this.fmtInteger(BigInt(c), 10, false, verb, LOWER);
          });
          this.buf += ']';
        }
        return;
      case 's':
        this.fmtS(utf8Decode(v));
        return;
      case 'x':
        this.fmtSbx(v, LOWER);
        return;
      case 'X':
        this.fmtSbx(v, UPPER);
        return;
      case 'q':
        this.fmtQ(utf8Decode(v));
        return;
      default:
        this.buf += '[';
        v.forEach((c, i) => {
          if (i > 0) this.buf += ' ';
          this.printArg(new GoNumber('uint8', c), verb);
        });
        this.buf += ']';
    }
  }

  /** Error and Stringer values print through their text for the string verbs, as fmt's handleMethods. */
  handleMethods(arg: unknown, verb: string): boolean {
    if (this.erroring || this.sharpV) return false;
    if (verb !== 'v' && verb !== 's' && verb !== 'x' && verb !== 'X' && verb !== 'q') return false;
    if (arg instanceof Error) {
      this.printString(arg, arg.message, verb);
      return true;
    }
    const stringer = (arg as { [GO_STRING]?: unknown } | null)?.[GO_STRING];
    if (typeof stringer === 'function') {
      this.printString(arg, String(stringer.call(arg)), verb);
      return true;
    }
    return false;
  }

  printArg(arg: unknown, verb: string): void {
    if (arg === null || arg === undefined) {
      if (verb === 'T' || verb === 'v') this.pad('<nil>');
      else this.badVerb(arg, verb);
      return;
    }
    if (verb === 'T') {
      this.fmtS(goTypeName(arg));
      return;
    }
    if (verb === 'p' || verb === 'w') {
      // No addresses here (%p), and %w belongs to fmt.Errorf only.
      this.badVerb(arg, verb);
      return;
    }
    this.printValue(arg, verb, 0);
  }

  printValue(value: unknown, verb: string, depth: number): void {
    if (typeof value === 'object' && value !== null && this.handleMethods(value, verb)) return;
    switch (kindOf(value)) {
      case 'invalid':
        if (depth === 0) this.buf += '<invalid reflect.Value>';
        else if (verb === 'v') this.buf += '<nil>';
        else this.badVerb(undefined, verb);
        return;
      case 'nil':
        this.buf += this.sharpV ? 'interface {}(nil)' : '<nil>';
        return;
      case 'bool':
        if (verb === 't' || verb === 'v') this.pad(value ? 'true' : 'false');
        else this.badVerb(value, verb);
        return;
      case 'int':
      case 'uint':
        this.printInteger(value, verb);
        return;
      case 'float':
        this.printFloat(value, verb);
        return;
      case 'string':
        this.printString(value, value as string, verb);
        return;
      case 'bytes':
        this.printBytes(value as Uint8Array, verb, depth === 0 ? '[]byte' : '[]uint8');
        return;
      case 'slice':
        this.printSlice(value as unknown[], verb, depth);
        return;
      case 'map':
        this.printMap(value as object, verb, depth);
        return;
      case 'struct':
        this.printStruct(value as object, verb, depth);
        return;
      default:
        // A func: Go prints its address, which has no meaning here.
        if (verb === 'v') this.pad(this.sharpV ? `(${goTypeName(value)})(0x0)` : '0x0');
        else this.badVerb(value, verb);
    }
  }

  printSlice(items: unknown[], verb: string, depth: number): void {
    if (this.sharpV) {
      this.buf += `${goTypeName(items)}{`;
      items.forEach((item, i) => {
        if (i > 0) this.buf += ', ';
        this.printValue(item, verb, depth + 1);
      });
      this.buf += '}';
      return;
    }
    this.buf += '[';
    items.forEach((item, i) => {
      if (i > 0) this.buf += ' ';
      this.printValue(item, verb, depth + 1);
    });
    this.buf += ']';
  }

  printMap(map: object, verb: string, depth: number): void {
    this.buf += this.sharpV ? `${goTypeName(map)}{` : 'map[';
    sortedEntries(map).forEach(([key, value], i) => {
      if (i > 0) this.buf += this.sharpV ? ', ' : ' ';
      this.printValue(key, verb, depth + 1);
      this.buf += ':';
      this.printValue(value, verb, depth + 1);
    });
    this.buf += this.sharpV ? '}' : ']';
  }

  printStruct(struct: object, verb: string, depth: number): void {
    const typeName = structTypeName(struct) ?? '';
    const pointer = typeName.startsWith('*');
    if (pointer) this.buf += '&';
    if (this.sharpV) this.buf += pointer ? typeName.slice(1) : typeName;
    this.buf += '{';
    Object.keys(struct).forEach((name, i) => {
      if (i > 0) this.buf += this.sharpV ? ', ' : ' ';
      if (this.plusV || this.sharpV) this.buf += `${name}:`;
      this.printValue((struct as Record<string, unknown>)[name], verb, depth + 1);
    });
    this.buf += '}';
  }

  // ---- Printf --------------------------------------------------------------------------------------

  argNumber(argNum: number, format: string, i: number, numArgs: number): [number, number, boolean] {
    if (i >= format.length || format[i] !== '[') return [argNum, i, false];
    this.reordered = true;
    const [index, wid, ok] = parseArgNumber(format.slice(i));
    if (ok && index >= 0 && index < numArgs) return [index, i + wid, true];
    this.goodArgNum = false;
    return [argNum, i + wid, ok];
  }

  doPrintf(format: string, args: readonly unknown[]): void {
    const end = format.length;
    let argNum = 0;
    let afterIndex = false;
    this.reordered = false;
    let i = 0;
    while (i < end) {
      this.goodArgNum = true;
      const lasti = i;
      while (i < end && format[i] !== '%') i++;
      if (i > lasti) this.buf += format.slice(lasti, i);
      if (i >= end) break;
      i++;
      this.clearFlags();
      flags: for (; i < end; i++) {
        switch (format[i]) {
          case '#':
            this.sharp = true;
            break;
          case '0':
            this.zero = true;
            break;
          case '+':
            this.plus = true;
            break;
          case '-':
            this.minus = true;
            break;
          case ' ':
            this.space = true;
            break;
          default:
            break flags;
        }
      }
      [argNum, i, afterIndex] = this.argNumber(argNum, format, i, args.length);
      if (i < end && format[i] === '*') {
        i++;
        [this.wid, this.widPresent, argNum] = intFromArg(args, argNum);
        if (!this.widPresent) this.buf += '%!(BADWIDTH)';
        if (this.wid < 0) {
          this.wid = -this.wid;
          this.minus = true;
          this.zero = false;
        }
        afterIndex = false;
      } else {
        [this.wid, this.widPresent, i] = parseNum(format, i, end);
        if (afterIndex && this.widPresent) this.goodArgNum = false;
      }
      if (i + 1 < end && format[i] === '.') {
        i++;
        if (afterIndex) this.goodArgNum = false;
        [argNum, i, afterIndex] = this.argNumber(argNum, format, i, args.length);
        if (i < end && format[i] === '*') {
          i++;
          [this.prec, this.precPresent, argNum] = intFromArg(args, argNum);
          if (this.prec < 0) {
            this.prec = 0;
            this.precPresent = false;
          }
          if (!this.precPresent) this.buf += '%!(BADPREC)';
          afterIndex = false;
        } else {
          [this.prec, this.precPresent, i] = parseNum(format, i, end);
          if (!this.precPresent) {
            this.prec = 0;
            this.precPresent = true;
          }
        }
      }
      if (!afterIndex) [argNum, i, afterIndex] = this.argNumber(argNum, format, i, args.length);
      if (i >= end) {
        this.buf += '%!(NOVERB)';
        break;
      }
      const verb = String.fromCodePoint(format.codePointAt(i) as number);
      i += verb.length;
      if (verb === '%') this.buf += '%';
      else if (!this.goodArgNum) this.buf += `%!${verb}(BADINDEX)`;
      else if (argNum >= args.length) this.buf += `%!${verb}(MISSING)`;
      else {
        if (verb === 'v') {
          this.sharpV = this.sharp;
          this.sharp = false;
          this.plusV = this.plus;
          this.plus = false;
        }
        this.printArg(args[argNum], verb);
        argNum++;
      }
    }
    if (!this.reordered && argNum < args.length) {
      this.clearFlags();
      this.buf += '%!(EXTRA ';
      args.slice(argNum).forEach((arg, j) => {
        if (j > 0) this.buf += ', ';
        if (arg === null || arg === undefined) this.buf += '<nil>';
        else {
          this.buf += `${goTypeName(arg)}=`;
          this.printArg(arg, 'v');
        }
      });
      this.buf += ')';
    }
  }
}

/** %#g, %#e, %#f keep a decimal point (and %g's trailing zeros), as fmt.fmtFloat does. */
function forceDecimalPoint(signed: string, verb: string, prec: number): string {
  let num = signed;
  let digits = 0;
  if (verb === 'v' || verb === 'g' || verb === 'G' || verb === 'x') digits = prec === -1 ? 6 : prec;
  let tail = '';
  let hasDecimalPoint = false;
  let sawNonzeroDigit = false;
  for (let i = 1; i < num.length; i++) {
    const c = num[i] as string;
    if (c === '.') {
      hasDecimalPoint = true;
      continue;
    }
    if (c === 'p' || c === 'P' || ((c === 'e' || c === 'E') && verb !== 'x' && verb !== 'X')) {
      tail = num.slice(i);
      num = num.slice(0, i);
      break;
    }
    if (c !== '0') sawNonzeroDigit = true;
    if (sawNonzeroDigit) digits--;
  }
  if (!hasDecimalPoint) {
    if (num.length === 2 && num[1] === '0') digits--;
    num += '.';
  }
  if (digits > 0) num += '0'.repeat(digits);
  return num + tail;
}

function validRune(value: bigint): number {
  if (value < 0n || value > MAX_RUNE) return 0xfffd;
  const r = Number(value);
  return r >= 0xd800 && r < 0xe000 ? 0xfffd : r;
}

const tooLarge = (x: number): boolean => x > 1e6 || x < -1e6;

function parseNum(s: string, start: number, end: number): [number, boolean, number] {
  if (start >= end) return [0, false, end];
  let num = 0;
  let isNum = false;
  let i = start;
  for (; i < end && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57; i++) {
    if (tooLarge(num)) return [0, false, end];
    num = num * 10 + (s.charCodeAt(i) - 48);
    isNum = true;
  }
  return [num, isNum, i];
}

function parseArgNumber(format: string): [number, number, boolean] {
  if (format.length < 3) return [0, 1, false];
  for (let i = 1; i < format.length; i++) {
    if (format[i] === ']') {
      const [width, ok, newi] = parseNum(format, 1, i);
      if (!ok || newi !== i) return [0, i + 1, false];
      return [width - 1, i + 1, true];
    }
  }
  return [0, 1, false];
}

function intFromArg(args: readonly unknown[], argNum: number): [number, boolean, number] {
  if (argNum >= args.length) return [0, false, argNum];
  const arg = args[argNum];
  const kind = kindOf(arg);
  let num = 0;
  let isInt = false;
  if (kind === 'int' || kind === 'uint') {
    const v = intValue(arg);
    if (v >= -(1n << 63n) && v < 1n << 63n) {
      num = Number(v);
      isInt = true;
    }
  }
  if (tooLarge(num)) return [0, false, argNum + 1];
  return [num, isInt, argNum + 1];
}

/** fmt.Sprintf. */
export function sprintf(format: string, args: readonly unknown[]): string {
  const p = new Printer();
  p.doPrintf(format, args);
  return p.buf;
}

/** fmt.Sprint: a space between operands when neither is a string. */
export function sprint(args: readonly unknown[]): string {
  const p = new Printer();
  let prevString = false;
  args.forEach((arg, i) => {
    const isString = typeof arg === 'string';
    if (i > 0 && !isString && !prevString) p.buf += ' ';
    p.printArg(arg, 'v');
    prevString = isString;
  });
  return p.buf;
}

/** fmt.Sprintln: spaces between all operands and a trailing newline. */
export function sprintln(args: readonly unknown[]): string {
  const p = new Printer();
  args.forEach((arg, i) => {
    if (i > 0) p.buf += ' ';
    p.printArg(arg, 'v');
  });
  return `${p.buf}\n`;
}
