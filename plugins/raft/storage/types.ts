/**
 * The raft log and stable store, shaped like etcd-raft's Storage: entries by index, the hard state
 * {term, vote, commit}, and a compaction point before the first entry still held. Writes are durable
 * when their promise resolves; reads are synchronous (lmdb reads from its memory map).
 */

export interface LogEntry {
  readonly index: number;
  readonly term: number;
  /** Milliseconds since the epoch, stamped by the leader when it appended the entry. */
  readonly time: number;
  /** The encoded command (codec.ts). */
  readonly data: Uint8Array;
}

export interface HardState {
  readonly term: number;
  /** Server this one voted for in `term` ('' for none). */
  readonly vote: string;
  readonly commit: number;
}

export interface LogPosition {
  readonly index: number;
  readonly term: number;
}

export const EMPTY_HARD_STATE: HardState = Object.freeze({ term: 0, vote: '', commit: 0 });

export interface LogStore {
  /** Where the log lives, for error messages. */
  readonly location: string;
  /** Index of the first entry held; lastIndex() + 1 when the log is empty. */
  firstIndex(): number;
  /** Index of the last entry; the compaction point's index when the log is empty (0 when new). */
  lastIndex(): number;
  /** Term of `index`, for entries held and for the compaction point; undefined elsewhere. */
  term(index: number): number | undefined;
  /** Entries in [lo, hi), in order. Throws STORAGE_CORRUPT if one is missing. */
  entries(lo: number, hi: number): LogEntry[];
  hardState(): HardState;
  /**
   * Appends `entries` (contiguous, starting at most at lastIndex() + 1; any held entries from the
   * first one's index on are replaced) together with `hardState`, in one transaction and one sync.
   */
  append(entries: readonly LogEntry[], hardState?: HardState): Promise<void>;
  setHardState(hardState: HardState): Promise<void>;
  /**
   * Drops every entry up to and including `through.index` (after a snapshot covers them); the log
   * then continues at through.index + 1, even when `through` lies past the last entry.
   */
  truncatePrefix(through: LogPosition): Promise<void>;
  /** The first index missing between firstIndex() and lastIndex(), if the log has a hole. */
  findGap(): number | undefined;
  /** Durable write transactions committed so far by this instance. */
  readonly commits: number;
  close(): Promise<void>;
}
