/**
 * Go's strconv quoting (Quote, QuoteToASCII, QuoteRune, CanBackquote) and unicode.IsPrint, which fmt's
 * %q, %#q, %U and the template lexer's messages rely on.
 */

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

/** unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
export function isPrint(cp: number): boolean {
  if (cp < 0x20) return false;
  if (cp < 0x7f) return true;
  if (cp < 0xa1) return false;
  if ((cp >= 0xd800 && cp < 0xe000) || cp > 0x10ffff) return false;
  return PRINTABLE.test(String.fromCodePoint(cp));
}

const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');

function escapeRune(cp: number, quote: number, asciiOnly: boolean): string {
  if (cp === quote || cp === 0x5c) return `\\${String.fromCodePoint(cp)}`;
  if (asciiOnly ? cp < 0x80 && isPrint(cp) : isPrint(cp)) return String.fromCodePoint(cp);
  switch (cp) {
    case 0x07:
      return '\\a';
    case 0x08:
      return '\\b';
    case 0x0c:
      return '\\f';
    case 0x0a:
      return '\\n';
    case 0x0d:
      return '\\r';
    case 0x09:
      return '\\t';
    case 0x0b:
      return '\\v';
  }
  if (cp < 0x20 || cp === 0x7f) return `\\x${hex(cp, 2)}`;
  if (cp < 0x10000) return `\\u${hex(cp, 4)}`;
  return `\\U${hex(cp, 8)}`;
}

/** Code points of a JS string; a lone surrogate reads as U+FFFD, as invalid UTF-8 would in Go. */
export function* codePoints(s: string): Generator<number> {
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    yield cp >= 0xd800 && cp < 0xe000 ? 0xfffd : cp;
  }
}

/** strconv.Quote (or QuoteToASCII when asciiOnly). */
export function goQuote(s: string, asciiOnly = false): string {
  let out = '"';
  for (const cp of codePoints(s)) out += escapeRune(cp, 0x22, asciiOnly);
  return `${out}"`;
}

/** strconv.QuoteRune (or QuoteRuneToASCII); an invalid code point is U+FFFD. */
export function goQuoteRune(cp: number, asciiOnly = false): string {
  const r = cp < 0 || cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000) ? 0xfffd : cp;
  return `'${escapeRune(r, 0x27, asciiOnly)}'`;
}

/** strconv.CanBackquote: one line, no control characters but tab, no backquote, no BOM. */
export function canBackquote(s: string): boolean {
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    if (cp >= 0xd800 && cp < 0xe000) return false;
    if (cp === 0x60 || cp === 0xfeff || cp === 0x7f) return false;
    if (cp < 0x20 && cp !== 0x09) return false;
  }
  return true;
}

/** fmt's %#U: `U+0078 'x'` (the character only when printable). */
export function formatUnicode(cp: number): string {
  const code = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  return isPrint(cp) ? `${code} '${String.fromCodePoint(cp)}'` : code;
}
