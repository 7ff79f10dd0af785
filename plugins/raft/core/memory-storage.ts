/**
 * RaftStorage held in memory, with the writes a driver performs for each Ready. Used by the
 * interaction tests and the simulator (where it stands for what has been synced to disk).
 */
import { TribuneError } from '../../../core/errors.js';
import type { InitialState, RaftStorage } from './storage.js';
import { type ConfState, EMPTY_HARD_STATE, type Entry, type HardState, type Snapshot } from './types.js';

const EMPTY_SNAPSHOT: Snapshot = Object.freeze({
  metadata: { index: 0, term: 0, confState: { voters: [], learners: [] } },
  data: new Uint8Array(0),
});

function corrupt(message: string): TribuneError {
  return new TribuneError('INTERNAL', `raft memory storage: ${message}`);
}

export class MemoryStorage implements RaftStorage {
  private hard: HardState = EMPTY_HARD_STATE;
  /** The latest snapshot; entries after it may still be held until compacted. */
  private snap: Snapshot = EMPTY_SNAPSHOT;
  /** The entry just before the first one held (index ≤ snap's index). */
  private compacted: { index: number; term: number } = { index: 0, term: 0 };
  /** held[i] is the entry at compacted.index + 1 + i. */
  private held: Entry[] = [];

  /** A storage whose log starts after a snapshot at `index` (how new clusters are bootstrapped in tests). */
  static withSnapshot(snapshot: Snapshot, hardState?: HardState): MemoryStorage {
    const storage = new MemoryStorage();
    storage.applySnapshot(snapshot);
    if (hardState) storage.setHardState(hardState);
    return storage;
  }

  initialState(): InitialState {
    return { hardState: this.hard, confState: this.snap.metadata.confState };
  }

  firstIndex(): number {
    return this.compacted.index + 1;
  }

  lastIndex(): number {
    return this.compacted.index + this.held.length;
  }

  term(index: number): number | undefined {
    if (index === this.compacted.index) return this.compacted.term;
    if (index < this.compacted.index) return undefined;
    return this.held[index - this.firstIndex()]?.term;
  }

  entries(lo: number, hi: number): readonly Entry[] {
    if (lo < this.firstIndex() || hi > this.lastIndex() + 1 || lo > hi) {
      throw corrupt(`entries [${lo}, ${hi}) outside [${this.firstIndex()}, ${this.lastIndex() + 1})`);
    }
    return this.held.slice(lo - this.firstIndex(), hi - this.firstIndex());
  }

  snapshot(): Snapshot {
    return this.snap;
  }

  hardState(): HardState {
    return this.hard;
  }

  setHardState(hardState: HardState): void {
    this.hard = hardState;
  }

  /** Appends contiguous entries, replacing any held from the first one's index on. */
  append(entries: readonly Entry[]): void {
    const first = entries[0];
    if (!first) return;
    for (let i = 1; i < entries.length; i++) {
      if (entries[i]?.index !== first.index + i) throw corrupt('appended entries are not contiguous');
    }
    if (first.index > this.lastIndex() + 1) {
      throw corrupt(`append at ${first.index} leaves a gap after ${this.lastIndex()}`);
    }
    // Entries at or before the snapshot are already covered by it.
    const skip = Math.max(0, this.firstIndex() - first.index);
    const fresh = entries.slice(skip);
    const freshFirst = fresh[0];
    if (!freshFirst) return;
    this.held = this.held.slice(0, freshFirst.index - this.firstIndex()).concat(fresh);
  }

  /** Replaces the whole log with `snapshot` (a follower installing one from its leader). */
  applySnapshot(snapshot: Snapshot): void {
    if (snapshot.metadata.index < this.snap.metadata.index) {
      throw corrupt(`snapshot ${snapshot.metadata.index} is older than ${this.snap.metadata.index}`);
    }
    this.snap = snapshot;
    this.compacted = { index: snapshot.metadata.index, term: snapshot.metadata.term };
    this.held = [];
  }

  /** Records the application's snapshot at `index` (≤ what it has applied). */
  createSnapshot(index: number, confState: ConfState, data: Uint8Array): Snapshot {
    if (index <= this.snap.metadata.index) return this.snap;
    const term = this.term(index);
    if (term === undefined) throw corrupt(`snapshot at ${index} past the last entry ${this.lastIndex()}`);
    this.snap = { metadata: { index, term, confState }, data };
    return this.snap;
  }

  /** Drops entries up to and including `index`; a snapshot must already cover them. */
  compact(index: number): void {
    if (index > this.snap.metadata.index) {
      throw corrupt(`compact to ${index} beyond the snapshot at ${this.snap.metadata.index}`);
    }
    if (index <= this.compacted.index) return;
    const term = this.term(index);
    if (term === undefined) throw corrupt(`compact to ${index} past the last entry ${this.lastIndex()}`);
    this.held = this.held.slice(index - this.compacted.index);
    this.compacted = { index, term };
  }
}
