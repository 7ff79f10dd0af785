/**
 * The log as raft sees it: durable entries read through RaftStorage, followed by the unstable
 * tail still on its way to disk, plus the commit and apply cursors.
 *
 * Invariants (asserted where they could break):
 *   firstIndex() - 1 <= applied <= applying <= committed <= lastIndex()
 * `applying` is the last index handed to the driver in a Ready; `applied` the last one it
 * confirmed with advance().
 */
import { TribuneError } from '../../../core/errors.js';
import type { RaftStorage } from './storage.js';
import type { Entry, Snapshot } from './types.js';
import { Unstable } from './unstable.js';

/** What counts against maxSizePerMsg: the payload plus a fixed allowance for index/term/type. */
export const ENTRY_OVERHEAD_BYTES = 16;

export function entrySize(entry: Entry): number {
  return entry.data.byteLength + ENTRY_OVERHEAD_BYTES;
}

/** The longest prefix within `maxBytes`, but never fewer than one entry (progress over size). */
export function limitSize(entries: readonly Entry[], maxBytes: number): Entry[] {
  let size = 0;
  let n = 0;
  for (const entry of entries) {
    size += entrySize(entry);
    if (n > 0 && size > maxBytes) break;
    n++;
  }
  return entries.slice(0, n);
}

/** How many entries to pull from storage at a time while filling a size-limited batch. */
const STORAGE_READ_CHUNK = 64;

function broken(message: string): TribuneError {
  return new TribuneError('INTERNAL', `raft log: ${message}`);
}

export interface LogPoint {
  readonly index: number;
  readonly term: number;
}

export class RaftLog {
  readonly storage: RaftStorage;
  readonly unstable: Unstable;
  committed: number;
  applying: number;
  applied: number;

  constructor(storage: RaftStorage) {
    this.storage = storage;
    const first = storage.firstIndex();
    this.unstable = new Unstable(storage.lastIndex() + 1);
    // Everything up to the snapshot is committed and applied by definition.
    this.committed = first - 1;
    this.applied = first - 1;
    this.applying = first - 1;
  }

  firstIndex(): number {
    return this.unstable.maybeFirstIndex() ?? this.storage.firstIndex();
  }

  lastIndex(): number {
    return this.unstable.maybeLastIndex() ?? this.storage.lastIndex();
  }

  /** Term of `index`, including the snapshot point; undefined when compacted or past the end. */
  term(index: number): number | undefined {
    if (index < this.firstIndex() - 1 || index > this.lastIndex()) return undefined;
    return this.unstable.maybeTerm(index) ?? this.storage.term(index);
  }

  lastTerm(): number {
    const term = this.term(this.lastIndex());
    if (term === undefined) throw broken(`no term for the last index ${this.lastIndex()}`);
    return term;
  }

  lastPoint(): LogPoint {
    return { index: this.lastIndex(), term: this.lastTerm() };
  }

  matchTerm(index: number, term: number): boolean {
    return this.term(index) === term;
  }

  /** Raft §5.4.1: a log ending at (index, term) is at least as up to date as ours. */
  isUpToDate(index: number, term: number): boolean {
    const last = this.lastTerm();
    return term > last || (term === last && index >= this.lastIndex());
  }

  /**
   * The index of the first entry that conflicts with ours (same index, other term) or that we do
   * not have yet; 0 when we hold all of them already.
   */
  findConflict(entries: readonly Entry[]): number {
    for (const entry of entries) {
      if (!this.matchTerm(entry.index, entry.term)) return entry.index;
    }
    return 0;
  }

  /**
   * The largest index <= `index` whose term is <= `term` (or which we cannot read any more): the
   * best guess at where two logs still agree, used by fast backtracking on both sides.
   */
  findConflictByTerm(index: number, term: number): LogPoint {
    for (let i = index; i >= 0; i--) {
      const t = this.term(i);
      if (t === undefined) return { index: i, term: 0 };
      if (t <= term) return { index: i, term: t };
    }
    return { index: 0, term: 0 };
  }

  /**
   * The follower's half of AppendEntries: if our entry at `prevIndex` has `prevTerm`, keep what
   * matches, replace from the first conflict, advance commit to min(leaderCommit, last new index).
   * Returns the last index known to match the leader, or undefined on a mismatch.
   */
  maybeAppend(prevIndex: number, prevTerm: number, leaderCommit: number, entries: readonly Entry[]) {
    if (!this.matchTerm(prevIndex, prevTerm)) return undefined;
    const lastNew = prevIndex + entries.length;
    const conflict = this.findConflict(entries);
    if (conflict !== 0) {
      if (conflict <= this.committed) {
        throw broken(`entry ${conflict} conflicts with the committed prefix (commit ${this.committed})`);
      }
      this.append(entries.slice(conflict - (prevIndex + 1)));
    }
    this.commitTo(Math.min(leaderCommit, lastNew));
    return lastNew;
  }

  /** Appends to the unstable tail; returns the new last index. */
  append(entries: readonly Entry[]): number {
    const first = entries[0];
    if (!first) return this.lastIndex();
    if (first.index - 1 < this.committed) {
      throw broken(`append at ${first.index} would overwrite committed ${this.committed}`);
    }
    if (first.index > this.lastIndex() + 1) {
      throw broken(`append at ${first.index} leaves a gap after ${this.lastIndex()}`);
    }
    this.unstable.truncateAndAppend(entries);
    return this.lastIndex();
  }

  commitTo(index: number): void {
    if (index <= this.committed) return;
    if (index > this.lastIndex()) {
      throw broken(`commit ${index} is past the last index ${this.lastIndex()} (log lost or corrupt?)`);
    }
    this.committed = index;
  }

  /** Commits `index` only if it belongs to `term` (a leader commits only its own term's entries by counting). */
  maybeCommit(index: number, term: number): boolean {
    if (index > this.committed && this.term(index) === term) {
      this.commitTo(index);
      return true;
    }
    return false;
  }

  /** Entries [lo, hi), at most `maxBytes` of them (but at least one). */
  slice(lo: number, hi: number, maxBytes = Number.POSITIVE_INFINITY): Entry[] {
    if (lo < this.firstIndex()) throw broken(`slice from ${lo} was compacted (first ${this.firstIndex()})`);
    if (hi > this.lastIndex() + 1 || lo > hi) throw broken(`slice [${lo}, ${hi}) out of bounds`);
    const out: Entry[] = [];
    let size = 0;
    let next = lo;
    const stableEnd = Math.min(hi, this.unstable.offset);
    while (next < stableEnd) {
      const chunk = this.storage.entries(next, Math.min(stableEnd, next + STORAGE_READ_CHUNK));
      if (chunk.length === 0) throw broken(`storage returned no entries at ${next}`);
      for (const entry of chunk) {
        size += entrySize(entry);
        if (out.length > 0 && size > maxBytes) return out;
        out.push(entry);
      }
      next += chunk.length;
    }
    if (next < hi) {
      for (const entry of this.unstable.slice(Math.max(next, this.unstable.offset), hi)) {
        size += entrySize(entry);
        if (out.length > 0 && size > maxBytes) return out;
        out.push(entry);
      }
    }
    return out;
  }

  /** Entries from `index` to the end, size-limited; undefined when `index` was compacted. */
  entriesFrom(index: number, maxBytes: number): Entry[] | undefined {
    if (index < this.firstIndex()) return undefined;
    if (index > this.lastIndex()) return [];
    return this.slice(index, this.lastIndex() + 1, maxBytes);
  }

  hasNextOrInProgressSnapshot(): boolean {
    return this.unstable.snapshot !== undefined;
  }

  /** Committed entries not yet handed out; none while a snapshot is pending (it comes first). */
  nextCommittedEntries(): Entry[] {
    if (this.hasNextOrInProgressSnapshot()) return [];
    const lo = Math.max(this.applying + 1, this.firstIndex());
    if (lo > this.committed) return [];
    return this.slice(lo, this.committed + 1);
  }

  hasNextCommittedEntries(): boolean {
    return !this.hasNextOrInProgressSnapshot() && this.committed > this.applying;
  }

  acceptApplying(index: number): void {
    if (index > this.committed) throw broken(`applying ${index} beyond commit ${this.committed}`);
    this.applying = Math.max(this.applying, index);
  }

  appliedTo(index: number): void {
    if (index > this.committed || index < this.applied) {
      throw broken(`applied ${index} outside [${this.applied}, ${this.committed}]`);
    }
    this.applied = index;
    this.applying = Math.max(this.applying, index);
  }

  /** A follower installs the leader's snapshot: the log restarts after it. */
  restore(snapshot: Snapshot): void {
    this.committed = snapshot.metadata.index;
    this.unstable.restore(snapshot);
  }

  /** The driver persisted and applied the snapshot at `index`. */
  appliedSnapshot(index: number): void {
    this.unstable.stableSnapTo(index);
    this.applied = Math.max(this.applied, index);
    this.applying = Math.max(this.applying, index);
  }

  /** The snapshot to send a lagging follower: a pending one, else the storage's latest. */
  snapshot(): Snapshot | undefined {
    return this.unstable.snapshot ?? this.storage.snapshot();
  }
}
