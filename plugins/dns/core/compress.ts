/**
 * Domain names on the wire (RFC 1035 §3.1, §4.1.4). dns-packet 5.6 writes every name in full, so
 * compression is ours: a NameCompressor remembers where each name suffix was written and replaces a
 * repeat with a two-byte pointer. Reading follows pointers but only ever backwards past everything
 * read so far, so a pointer loop (or a chain of pointers) cannot make it spin.
 */
import type { ByteWriter } from './bytes.js';
import { DnsWireError } from './types.js';

const MAX_NAME_WIRE_LENGTH = 255;
const MAX_LABEL_LENGTH = 63;
/** A pointer holds 14 bits of offset. */
const MAX_POINTER_OFFSET = 0x3fff;
const MAX_POINTER_JUMPS = 128;

const encoder = new TextEncoder();

interface ParsedName {
  labels: Uint8Array[];
  /** Offset in the presentation string where each label starts (for suffix keys). */
  starts: number[];
}

function isPlainAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7e || code < 0x20 || code === 0x5c) return false;
  }
  return true;
}

function asciiBytes(text: string, from: number, to: number): Uint8Array {
  const out = new Uint8Array(to - from);
  for (let i = from; i < to; i++) out[i - from] = text.charCodeAt(i);
  return out;
}

/** Splits a presentation name into label bytes, honouring `\.`, `\\` and `\DDD` escapes. */
export function parseName(name: string): ParsedName {
  const labels: Uint8Array[] = [];
  const starts: number[] = [];
  if (name === '' || name === '.') return { labels, starts };
  const text = name.endsWith('.') && !name.endsWith('\\.') ? name.slice(0, -1) : name;
  if (isPlainAscii(text)) {
    let start = 0;
    for (let i = 0; i <= text.length; i++) {
      if (i === text.length || text.charCodeAt(i) === 0x2e) {
        labels.push(asciiBytes(text, start, i));
        starts.push(start);
        start = i + 1;
      }
    }
  } else {
    let current: number[] = [];
    let start = 0;
    let i = 0;
    const flush = (next: number) => {
      labels.push(Uint8Array.from(current));
      starts.push(start);
      current = [];
      start = next;
    };
    while (i < text.length) {
      const ch = text[i] as string;
      if (ch === '\\') {
        const digits = text.slice(i + 1, i + 4);
        if (/^\d{3}$/.test(digits)) {
          const value = Number(digits);
          if (value > 255) throw new DnsWireError(`bad escape \\${digits} in ${JSON.stringify(name)}`);
          current.push(value);
          i += 4;
        } else if (i + 1 < text.length) {
          current.push(...encoder.encode(text[i + 1] as string));
          i += 2;
        } else {
          throw new DnsWireError(`dangling escape in ${JSON.stringify(name)}`);
        }
      } else if (ch === '.') {
        flush(i + 1);
        i++;
      } else {
        const codePoint = text.codePointAt(i) ?? 0;
        const char = String.fromCodePoint(codePoint);
        current.push(...encoder.encode(char));
        i += char.length;
      }
    }
    flush(text.length);
  }
  let wireLength = 1;
  for (const label of labels) {
    if (label.length === 0) throw new DnsWireError(`empty label in ${JSON.stringify(name)}`);
    if (label.length > MAX_LABEL_LENGTH)
      throw new DnsWireError(`label longer than 63 bytes in ${JSON.stringify(name)}`);
    wireLength += label.length + 1;
  }
  if (wireLength > MAX_NAME_WIRE_LENGTH)
    throw new DnsWireError(`name longer than 255 bytes: ${JSON.stringify(name)}`);
  return { labels, starts };
}

/** True when `name` can be written on the wire (labels 1–63 bytes, at most 255 bytes in all). */
export function isEncodableName(name: string): boolean {
  try {
    parseName(name);
    return true;
  } catch {
    return false;
  }
}

/**
 * Writes names into one message, compressing against the names already written when enabled.
 * Suffixes are matched exactly (case included), so a pointer never changes how a name reads.
 */
export class NameCompressor {
  private readonly written = new Map<string, number>();

  constructor(readonly enabled: boolean) {}

  /**
   * Writes `name` at the writer's position. `mayPoint` is false for names that RFC 3597 says must go
   * out in full (SRV targets); they are still remembered so that later names can point into them.
   */
  write(out: ByteWriter, name: string, mayPoint = true): void {
    const text = name.endsWith('.') && !name.endsWith('\\.') ? name.slice(0, -1) : name;
    if (text === '') {
      out.u8(0);
      return;
    }
    if (!isPlainAscii(text)) {
      this.writeParsed(out, text, mayPoint);
      return;
    }
    checkPlainName(text, name);
    if (this.enabled && !mayPoint) {
      // Written in full; only the whole name is remembered (later owner names point to it).
      if (!this.written.has(text) && out.pos <= MAX_POINTER_OFFSET) this.written.set(text, out.pos);
      for (let start = 0; start < text.length; ) {
        let end = text.indexOf('.', start);
        if (end < 0) end = text.length;
        out.u8(end - start);
        out.ascii(text, start, end);
        start = end + 1;
      }
      out.u8(0);
      return;
    }
    for (let start = 0; start < text.length; ) {
      let end = text.indexOf('.', start);
      if (end < 0) end = text.length;
      if (this.enabled && this.pointed(out, start === 0 ? text : text.slice(start), mayPoint)) return;
      out.u8(end - start);
      out.ascii(text, start, end);
      start = end + 1;
    }
    out.u8(0);
  }

  /** Writes a pointer for a suffix already written (true), or remembers where it is about to go. */
  private pointed(out: ByteWriter, suffix: string, mayPoint: boolean): boolean {
    const at = this.written.get(suffix);
    if (at !== undefined && mayPoint) {
      out.u16(0xc000 | at);
      return true;
    }
    if (at === undefined && out.pos <= MAX_POINTER_OFFSET) this.written.set(suffix, out.pos);
    return false;
  }

  /** Names with escapes or non-ASCII text: parsed into label bytes first. */
  private writeParsed(out: ByteWriter, text: string, mayPoint: boolean): void {
    const { labels, starts } = parseName(text);
    for (let i = 0; i < labels.length; i++) {
      if (this.enabled && this.pointed(out, text.slice(starts[i] ?? 0), mayPoint)) return;
      const label = labels[i] as Uint8Array;
      out.u8(label.length);
      out.bytes(label);
    }
    out.u8(0);
  }
}

/** Label lengths 1–63 and at most 255 bytes on the wire, for a plain ASCII name (no escapes). */
function checkPlainName(text: string, original: string): void {
  if (text.length + 2 > MAX_NAME_WIRE_LENGTH) {
    throw new DnsWireError(`name longer than 255 bytes: ${JSON.stringify(original)}`);
  }
  let start = 0;
  for (;;) {
    let end = text.indexOf('.', start);
    if (end < 0) end = text.length;
    const length = end - start;
    if (length === 0) throw new DnsWireError(`empty label in ${JSON.stringify(original)}`);
    if (length > MAX_LABEL_LENGTH)
      throw new DnsWireError(`label longer than 63 bytes in ${JSON.stringify(original)}`);
    if (end === text.length) return;
    start = end + 1;
  }
}

/** One label's bytes in presentation form. */
export function labelText(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) {
    if (byte === 0x2e) out += '\\.';
    else if (byte === 0x5c) out += '\\\\';
    else if (byte > 0x20 && byte < 0x7f) out += String.fromCharCode(byte);
    else out += `\\${byte.toString().padStart(3, '0')}`;
  }
  return out;
}

export interface ReadName {
  name: string;
  /** Offset just past the name where it started (past the first pointer, if any). */
  next: number;
}

/** Reads a possibly compressed name at `offset`. Throws DnsWireError on anything malformed. */
export function readName(buf: Uint8Array, offset: number): ReadName {
  const parts: string[] = [];
  let pos = offset;
  let floor = offset;
  let next = -1;
  let jumps = 0;
  let wireLength = 1;
  for (;;) {
    if (pos >= buf.length) throw new DnsWireError('name runs past the end of the packet');
    const length = buf[pos] as number;
    if (length === 0) {
      if (next < 0) next = pos + 1;
      break;
    }
    const kind = length & 0xc0;
    if (kind === 0xc0) {
      if (pos + 1 >= buf.length) throw new DnsWireError('truncated compression pointer');
      const target = ((length & 0x3f) << 8) | (buf[pos + 1] as number);
      // Only backwards past everything read so far: a loop would have to go forward again.
      if (target >= floor) throw new DnsWireError('compression pointer loop or forward pointer');
      if (++jumps > MAX_POINTER_JUMPS) throw new DnsWireError('too many compression pointers');
      if (next < 0) next = pos + 2;
      pos = target;
      floor = target;
      continue;
    }
    if (kind !== 0) throw new DnsWireError('unsupported label type');
    if (pos + 1 + length > buf.length) throw new DnsWireError('label runs past the end of the packet');
    wireLength += length + 1;
    if (wireLength > MAX_NAME_WIRE_LENGTH) throw new DnsWireError('name longer than 255 bytes');
    parts.push(labelText(buf.subarray(pos + 1, pos + 1 + length)));
    pos += 1 + length;
  }
  return { name: parts.join('.'), next };
}
