/**
 * The MsgApp messages sent to one follower and not yet acknowledged, by the last index each
 * carried: a bounded window that makes pipelining stop at maxInflightMsgs (flow control).
 */
import { TribuneError } from '../../../core/errors.js';

export class Inflights {
  /** Last index of each message in flight, oldest first (strictly increasing). */
  private indexes: number[] = [];
  private sizes: number[] = [];
  private bytes = 0;

  constructor(
    readonly capacity: number,
    readonly maxBytes = Number.POSITIVE_INFINITY,
  ) {
    if (!(Number.isInteger(capacity) && capacity > 0)) {
      throw new TribuneError(
        'INTERNAL',
        `raft inflights capacity must be a positive integer, got ${capacity}`,
      );
    }
  }

  get count(): number {
    return this.indexes.length;
  }

  get totalBytes(): number {
    return this.bytes;
  }

  full(): boolean {
    return this.indexes.length >= this.capacity || this.bytes >= this.maxBytes;
  }

  add(lastIndex: number, bytes: number): void {
    if (this.indexes.length >= this.capacity) {
      throw new TribuneError('INTERNAL', 'raft inflights: add on a full window');
    }
    const last = this.indexes[this.indexes.length - 1];
    if (last !== undefined && lastIndex <= last) {
      throw new TribuneError('INTERNAL', `raft inflights: ${lastIndex} is not after ${last}`);
    }
    this.indexes.push(lastIndex);
    this.sizes.push(bytes);
    this.bytes += bytes;
  }

  /** Frees every message whose last index is <= `index` (the follower acknowledged them). */
  freeLE(index: number): void {
    let n = 0;
    while (n < this.indexes.length && (this.indexes[n] ?? Number.POSITIVE_INFINITY) <= index) {
      this.bytes -= this.sizes[n] ?? 0;
      n++;
    }
    if (n === 0) return;
    this.indexes = this.indexes.slice(n);
    this.sizes = this.sizes.slice(n);
  }

  reset(): void {
    this.indexes = [];
    this.sizes = [];
    this.bytes = 0;
  }
}
