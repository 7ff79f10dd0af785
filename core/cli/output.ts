/**
 * Text layout and codecs the client commands share, written to reproduce what Consul's Go CLI
 * prints byte for byte: ryanuber/columnize tables, text/tabwriter blocks, encoding/json strings and
 * encoding/base64 errors. Widths count Unicode code points, as Go's rune counts do.
 */

/** Number of code points, the width Go's fmt and tabwriter give a string. */
export function runeLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function padTo(s: string, width: number): string {
  const missing = width - runeLength(s);
  return missing > 0 ? s + ' '.repeat(missing) : s;
}

/**
 * columnize.Format with Consul's settings: cells trimmed, each column padded to its widest cell,
 * columns glued by two spaces, the last cell of a row unpadded, no trailing newline.
 */
export function columnize(rows: readonly (readonly string[])[]): string {
  const trimmed = rows.map((row) => row.map((cell) => cell.trim()));
  const widths: number[] = [];
  for (const row of trimmed) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, runeLength(cell));
    });
  }
  return trimmed
    .map((row) =>
      row.map((cell, i) => (i === row.length - 1 ? cell : `${padTo(cell, widths[i] ?? 0)}  `)).join(''),
    )
    .join('\n');
}

export interface TabwriterOptions {
  readonly minWidth: number;
  readonly padding: number;
}

/**
 * Go's text/tabwriter with a space pad character and no flags. A cell is text ended by a tab; the
 * text after a line's last tab is not part of any column. Consecutive lines that have a cell in the
 * same column form a block aligned to its widest cell plus `padding`.
 */
export function tabwrite(text: string, options: TabwriterOptions): string {
  const lines = text.split('\n').map((line) => line.split('\t'));
  const out: string[] = [];
  const widths: number[] = [];

  const writeLines = (from: number, to: number): void => {
    for (let i = from; i < to; i++) {
      const cells = lines[i] ?? [];
      out.push(cells.map((cell, j) => (j < widths.length ? padTo(cell, widths[j] ?? 0) : cell)).join(''));
    }
  };

  const format = (line0: number, line1: number): void => {
    const column = widths.length;
    let start = line0;
    for (let at = line0; at < line1; at++) {
      if (column >= (lines[at]?.length ?? 0) - 1) continue;
      writeLines(start, at);
      start = at;
      let width = options.minWidth;
      for (; at < line1; at++) {
        const cells = lines[at] ?? [];
        if (column >= cells.length - 1) break;
        width = Math.max(width, runeLength(cells[column] ?? '') + options.padding);
      }
      widths.push(width);
      format(start, at);
      widths.pop();
      start = at;
    }
    writeLines(start, line1);
  };

  format(0, lines.length);
  return out.join('\n');
}

const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

/**
 * A JSON string literal as Go's encoding/json writes it: besides the usual escapes it writes
 * `<`, `>`, `&`, U+2028 and U+2029 as \u escapes (HTML-safe output).
 */
export function goJsonString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const short = SHORT_ESCAPES[ch];
    const code = ch.codePointAt(0) ?? 0;
    if (short !== undefined) out += short;
    else if (code < 0x20 || ch === '<' || ch === '>' || ch === '&' || code === 0x2028 || code === 0x2029) {
      out += `\\u${code.toString(16).padStart(4, '0')}`;
    } else if (code >= 0xd800 && code <= 0xdfff) out += '\\ufffd';
    else out += ch;
  }
  return `${out}"`;
}

/** The text Go's os package gives a failed file operation: `open x: no such file or directory`. */
export function goFsErrorText(op: string, path: string, err: unknown): string {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  const reasons: Readonly<Record<string, string>> = {
    ENOENT: 'no such file or directory',
    EACCES: 'permission denied',
    EISDIR: 'is a directory',
    ENOTDIR: 'not a directory',
  };
  const reason = typeof code === 'string' ? reasons[code] : undefined;
  if (reason === undefined) return err instanceof Error ? err.message : String(err);
  return `${code === 'EISDIR' ? 'read' : op} ${path}: ${reason}`;
}

/** The message of anything thrown. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * Strict standard base64 (padding required), as Go's base64.StdEncoding.DecodeString: CR and LF are
 * skipped anywhere; anything else out of place fails with `illegal base64 data at input byte N`.
 */
export function decodeGoBase64(input: string): Buffer {
  const fail = (at: number): never => {
    throw new Error(`illegal base64 data at input byte ${at}`);
  };
  const symbols: { ch: string; at: number }[] = [];
  for (let i = 0; i < input.length; i++) {
    const ch = input[i] ?? '';
    if (ch !== '\r' && ch !== '\n') symbols.push({ ch, at: i });
  }
  const bytes: number[] = [];
  for (let q = 0; q < symbols.length; q += 4) {
    const quantum = symbols.slice(q, q + 4);
    const values: number[] = [];
    for (const [j, { ch, at }] of quantum.entries()) {
      if (ch === '=') {
        if (j < 2) fail(at);
        if (j === 2 && quantum[3] === undefined) fail(input.length);
        if (j === 2 && quantum[3]?.ch !== '=') fail(at);
        const trailing = symbols[q + 4];
        if (trailing !== undefined) fail(trailing.at);
        break;
      }
      const value = BASE64_ALPHABET.indexOf(ch);
      if (value < 0) fail(at);
      values.push(value);
    }
    if (quantum.length < 4 && values.length === quantum.length) fail(quantum[0]?.at ?? 0);
    const [a = 0, b = 0, c = 0, d = 0] = values;
    const word = (a << 18) | (b << 12) | (c << 6) | d;
    const produced = values.length - 1;
    if (produced >= 1) bytes.push((word >> 16) & 0xff);
    if (produced >= 2) bytes.push((word >> 8) & 0xff);
    if (produced >= 3) bytes.push(word & 0xff);
  }
  return Buffer.from(bytes);
}

/** A uint64 field from decoded JSON (number or bigint) as exact decimal text; 0 when absent. */
export function uint64Text(value: unknown): string {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number' && Number.isFinite(value)) return BigInt(Math.trunc(value)).toString();
  if (typeof value === 'string' && /^\d+$/.test(value)) return BigInt(value).toString();
  return '0';
}
