/**
 * A growable big-endian byte writer for building DNS messages. `ByteWriter.scratch()` hands out one
 * reused buffer (encoding is synchronous and never nested), so answering allocates only the result.
 */
export class ByteWriter {
  private buf: Uint8Array;
  pos = 0;
  private static shared: ByteWriter | undefined;

  constructor(initialSize = 512) {
    this.buf = new Uint8Array(initialSize);
  }

  /** The shared writer, rewound. Only for code that finishes with it before anything else can use it. */
  static scratch(): ByteWriter {
    ByteWriter.shared ??= new ByteWriter(8192);
    ByteWriter.shared.pos = 0;
    return ByteWriter.shared;
  }

  private ensure(extra: number): void {
    if (this.pos + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  u8(value: number): void {
    this.ensure(1);
    this.buf[this.pos++] = value & 0xff;
  }

  u16(value: number): void {
    this.ensure(2);
    this.buf[this.pos++] = (value >>> 8) & 0xff;
    this.buf[this.pos++] = value & 0xff;
  }

  u32(value: number): void {
    this.ensure(4);
    this.buf[this.pos++] = (value >>> 24) & 0xff;
    this.buf[this.pos++] = (value >>> 16) & 0xff;
    this.buf[this.pos++] = (value >>> 8) & 0xff;
    this.buf[this.pos++] = value & 0xff;
  }

  bytes(data: Uint8Array): void {
    this.ensure(data.length);
    this.buf.set(data, this.pos);
    this.pos += data.length;
  }

  /** Characters `from`..`to` of a string known to be ASCII, one byte each. */
  ascii(text: string, from: number, to: number): void {
    this.ensure(to - from);
    for (let i = from; i < to; i++) this.buf[this.pos++] = text.charCodeAt(i);
  }

  /** Overwrites a 16-bit value written earlier (RDLENGTH once the RDATA is known). */
  patchU16(at: number, value: number): void {
    this.buf[at] = (value >>> 8) & 0xff;
    this.buf[at + 1] = value & 0xff;
  }

  /** A copy of what was written. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

/** Reads a big-endian 16-bit value; the caller has checked the bounds. */
export function readU16(buf: Uint8Array, at: number): number {
  return ((buf[at] ?? 0) << 8) | (buf[at + 1] ?? 0);
}

export function readU32(buf: Uint8Array, at: number): number {
  return (
    (((buf[at] ?? 0) << 24) | ((buf[at + 1] ?? 0) << 16) | ((buf[at + 2] ?? 0) << 8) | (buf[at + 3] ?? 0)) >>>
    0
  );
}
