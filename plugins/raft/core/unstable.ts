/**
 * The tail of the log not yet known to be durable: entries (and at most one snapshot) that a
 * Ready has yet to hand out, or has handed out and awaits advance() for. Once the driver reports
 * them persisted (stableTo / stableSnapTo), the storage serves them instead.
 */
import { TribuneError } from '../../../core/errors.js';
import type { Entry, Snapshot } from './types.js';

function broken(message: string): TribuneError {
  return new TribuneError('INTERNAL', `raft unstable log: ${message}`);
}

export class Unstable {
  /** A snapshot received from the leader and not yet persisted. */
  snapshot: Snapshot | undefined;
  /** entries[i] has index offset + i. */
  entries: Entry[] = [];
  offset: number;
  /** Entries before this index were handed to the driver in a Ready not yet advanced. */
  offsetInProgress: number;
  snapshotInProgress = false;

  constructor(offset: number) {
    this.offset = offset;
    this.offsetInProgress = offset;
  }

  /** The first index, when a snapshot sits here; otherwise the storage knows. */
  maybeFirstIndex(): number | undefined {
    return this.snapshot ? this.snapshot.metadata.index + 1 : undefined;
  }

  maybeLastIndex(): number | undefined {
    if (this.entries.length > 0) return this.offset + this.entries.length - 1;
    return this.snapshot?.metadata.index;
  }

  maybeTerm(index: number): number | undefined {
    if (index < this.offset) {
      return this.snapshot?.metadata.index === index ? this.snapshot.metadata.term : undefined;
    }
    return this.entries[index - this.offset]?.term;
  }

  /** Entries not yet handed out in a Ready. */
  nextEntries(): Entry[] {
    return this.entries.slice(this.offsetInProgress - this.offset);
  }

  nextSnapshot(): Snapshot | undefined {
    return this.snapshotInProgress ? undefined : this.snapshot;
  }

  /** Marks everything current as handed out. */
  acceptInProgress(): void {
    this.offsetInProgress = this.offset + this.entries.length;
    if (this.snapshot) this.snapshotInProgress = true;
  }

  /**
   * The driver persisted entries through (index, term). Ignored when that entry has since been
   * replaced (a newer leader overwrote it while the write was in flight) or already left.
   */
  stableTo(index: number, term: number): void {
    if (index < this.offset || this.maybeTerm(index) !== term) return;
    const drop = index + 1 - this.offset;
    this.entries = this.entries.slice(drop);
    this.offset = index + 1;
    this.offsetInProgress = Math.max(this.offsetInProgress, this.offset);
  }

  stableSnapTo(index: number): void {
    if (this.snapshot?.metadata.index !== index) return;
    this.snapshot = undefined;
    this.snapshotInProgress = false;
  }

  restore(snapshot: Snapshot): void {
    this.offset = snapshot.metadata.index + 1;
    this.offsetInProgress = this.offset;
    this.entries = [];
    this.snapshot = snapshot;
    this.snapshotInProgress = false;
  }

  /** Appends contiguous entries, truncating any held at or after the first one's index. */
  truncateAndAppend(entries: readonly Entry[]): void {
    const first = entries[0];
    if (!first) return;
    const from = first.index;
    if (from === this.offset + this.entries.length) {
      this.entries.push(...entries);
    } else if (from <= this.offset) {
      // Replaces everything we hold (and, once persisted, the storage's entries from `from` on).
      this.offset = from;
      this.offsetInProgress = from;
      this.entries = [...entries];
    } else {
      this.entries = this.entries.slice(0, from - this.offset).concat(entries);
      this.offsetInProgress = Math.min(this.offsetInProgress, from);
    }
  }

  /** Entries [lo, hi), all of which must lie in this tail. */
  slice(lo: number, hi: number): Entry[] {
    if (lo < this.offset || hi > this.offset + this.entries.length || lo > hi) {
      throw broken(`slice [${lo}, ${hi}) outside [${this.offset}, ${this.offset + this.entries.length})`);
    }
    return this.entries.slice(lo - this.offset, hi - this.offset);
  }
}
