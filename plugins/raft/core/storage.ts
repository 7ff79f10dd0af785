/**
 * What the core reads from durable storage. Raft never writes through this interface: the driver
 * writes what a Ready tells it to, then calls advance(). Method names and meanings follow
 * storage/types.ts#LogStore, so an adapter over the lmdb store is a thin mapping of entries.
 */
import type { ConfState, Entry, HardState, Snapshot } from './types.js';

export interface InitialState {
  readonly hardState: HardState;
  /** The membership as of snapshot().metadata.index (conf changes after it are replayed from the log). */
  readonly confState: ConfState;
}

export interface RaftStorage {
  initialState(): InitialState;
  /** Index of the first entry held; lastIndex() + 1 when the log is empty. */
  firstIndex(): number;
  /** Index of the last entry; the snapshot's index when no entry follows it (0 when new). */
  lastIndex(): number;
  /**
   * Term of `index` for entries held and for the snapshot point (firstIndex() - 1); undefined
   * when `index` was compacted away or lies past the end.
   */
  term(index: number): number | undefined;
  /** Entries [lo, hi) with firstIndex() <= lo <= hi <= lastIndex() + 1; throws otherwise. */
  entries(lo: number, hi: number): readonly Entry[];
  /** The latest snapshot, or undefined while one is being made (the leader retries later). */
  snapshot(): Snapshot | undefined;
}
