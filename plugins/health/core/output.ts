/**
 * Bounded capture of probe output: a ring that keeps the LAST `capacity` bytes written (Consul
 * keeps the tail of a script's output and of an HTTP body) and counts everything, so memory stays
 * bounded however much a probe prints. Pure.
 */

export class TailBuffer {
  private readonly ring: Uint8Array;
  private written = 0;

  constructor(readonly capacity: number) {
    this.ring = new Uint8Array(Math.max(1, Math.floor(capacity)));
  }

  /** Bytes written in total, kept or not. */
  get totalWritten(): number {
    return this.written;
  }

  write(chunk: Uint8Array): void {
    const size = this.ring.length;
    const tail = chunk.length > size ? chunk.subarray(chunk.length - size) : chunk;
    let at = (this.written + (chunk.length - tail.length)) % size;
    for (let offset = 0; offset < tail.length; ) {
      const n = Math.min(size - at, tail.length - offset);
      this.ring.set(tail.subarray(offset, offset + n), at);
      offset += n;
      at = (at + n) % size;
    }
    this.written += chunk.length;
  }

  /** The kept bytes, oldest first. */
  bytes(): Uint8Array {
    const size = this.ring.length;
    if (this.written <= size) return this.ring.slice(0, this.written);
    const start = this.written % size;
    const out = new Uint8Array(size);
    out.set(this.ring.subarray(start), 0);
    out.set(this.ring.subarray(0, start), size - start);
    return out;
  }

  text(): string {
    return new TextDecoder().decode(this.bytes());
  }

  /** The kept text, prefixed as Consul does for scripts when some was dropped. */
  capturedText(): string {
    const kept = this.text();
    if (this.written <= this.ring.length) return kept;
    return `Captured ${this.ring.length} of ${this.written} bytes\n...\n${kept}`;
  }
}
