/**
 * The durable raft log and stable store in one lmdb environment (`<data_dir>/raft/raft.mdb`):
 * sub-database `log` holds entries keyed by index, `stable` the hard state and the compaction
 * point. Each append is one lmdb write transaction, and lmdb commits it with an fdatasync before
 * the promise resolves, so an acknowledged entry survives kill -9 and power loss as far as
 * fdatasync does. Writes use lmdb's batch(): its operations are one atomic block run on lmdb's
 * writer thread (transaction() would call back into the JS thread mid-commit, which costs about
 * half a millisecond per append). Appends are expected one at a time (the driver batches
 * proposals itself); a prefix truncation may run alongside one.
 */
import { join } from 'node:path';
import { type Database, open, type RootDatabase } from 'lmdb';
import { TribuneError } from '../../../core/errors.js';
import {
  decodeEntry,
  decodeHardState,
  decodeLogPosition,
  encodeEntry,
  encodeHardState,
  encodeLogPosition,
} from '../codec.js';
import { EMPTY_HARD_STATE, type HardState, type LogEntry, type LogPosition, type LogStore } from './types.js';
import { checkAppend } from './validate.js';

const HARD_STATE_KEY = 'hard-state';
const COMPACTED_KEY = 'compacted';

export class LmdbLogStore implements LogStore {
  private compacted: LogPosition;
  private last: number;
  private hard: HardState;
  private commitCount = 0;

  private constructor(
    readonly location: string,
    private readonly root: RootDatabase,
    private readonly log: Database<Buffer, number>,
    private readonly stable: Database<Buffer, string>,
  ) {
    const hard = stable.get(HARD_STATE_KEY);
    const compacted = stable.get(COMPACTED_KEY);
    this.hard = hard ? decodeHardState(hard) : EMPTY_HARD_STATE;
    this.compacted = compacted ? decodeLogPosition(compacted) : { index: 0, term: 0 };
    let lastKey = 0;
    for (const key of log.getKeys({ reverse: true, limit: 1 })) lastKey = key;
    this.last = Math.max(lastKey, this.compacted.index);
  }

  /** Opens (creating if needed) the log under `dir`. */
  static open(dir: string): LmdbLogStore {
    const location = join(dir, 'raft.mdb');
    // overlappingSync off: a commit's promise then resolves only after its fdatasync, which is the
    // acknowledgement point we need (with it on, the promise resolves before the data is durable).
    // commitDelay stays 0: the driver already gathers proposals into one append per sync.
    const root = open({ path: location, overlappingSync: false, noSync: false, maxDbs: 4 });
    try {
      const log = root.openDB<Buffer, number>('log', { keyEncoding: 'ordered-binary', encoding: 'binary' });
      const stable = root.openDB<Buffer, string>('stable', { encoding: 'binary' });
      return new LmdbLogStore(location, root, log, stable);
    } catch (err) {
      void root.close();
      throw err;
    }
  }

  get commits(): number {
    return this.commitCount;
  }

  /** lmdb's own id of its last write transaction (each commit is one fdatasync). */
  lastTransactionId(): number {
    const stats = this.root.getStats() as { lastTxnId?: unknown };
    return typeof stats.lastTxnId === 'number' ? stats.lastTxnId : 0;
  }

  firstIndex(): number {
    return this.compacted.index + 1;
  }

  lastIndex(): number {
    return this.last;
  }

  term(index: number): number | undefined {
    if (index === this.compacted.index) return this.compacted.term;
    if (index < this.firstIndex() || index > this.last) return undefined;
    const bytes = this.log.get(index);
    return bytes ? decodeEntry(bytes).term : undefined;
  }

  entries(lo: number, hi: number): LogEntry[] {
    if (lo < this.firstIndex()) {
      throw new TribuneError('INTERNAL', `raft log entries before ${this.firstIndex()} were compacted`);
    }
    const out: LogEntry[] = [];
    const end = Math.min(hi, this.last + 1);
    let expected = lo;
    for (const { key, value } of this.log.getRange({ start: lo, end })) {
      if (key !== expected) throw this.missing(expected);
      const entry = decodeEntry(value);
      if (entry.index !== key) {
        throw new TribuneError(
          'STORAGE_CORRUPT',
          `raft log ${this.location} holds entry ${entry.index} under key ${key}`,
        );
      }
      out.push(entry);
      expected++;
    }
    if (expected < end) throw this.missing(expected);
    return out;
  }

  hardState(): HardState {
    return this.hard;
  }

  async append(entries: readonly LogEntry[], hardState?: HardState): Promise<void> {
    checkAppend(entries, this.firstIndex(), this.last);
    const newLast = entries.at(-1)?.index ?? this.last;
    await this.log.batch(() => {
      // Held entries past the new last one are a stale suffix (only a follower overwrites one).
      for (let index = newLast + 1; index <= this.last; index++) this.log.remove(index);
      for (const entry of entries) this.log.put(entry.index, encodeEntry(entry));
      if (hardState) this.stable.put(HARD_STATE_KEY, encodeHardState(hardState));
    });
    this.commitCount++;
    this.last = newLast;
    if (hardState) this.hard = hardState;
  }

  async setHardState(hardState: HardState): Promise<void> {
    await this.append([], hardState);
  }

  async truncatePrefix(through: LogPosition): Promise<void> {
    if (through.index < this.firstIndex()) return;
    const from = this.firstIndex();
    const to = Math.min(through.index, this.last);
    await this.log.batch(() => {
      for (let index = from; index <= to; index++) this.log.remove(index);
      this.stable.put(COMPACTED_KEY, encodeLogPosition(through));
    });
    this.commitCount++;
    this.compacted = { index: through.index, term: through.term };
    if (through.index > this.last) this.last = through.index;
  }

  findGap(): number | undefined {
    let expected = this.firstIndex();
    for (const key of this.log.getKeys({ start: expected, end: this.last + 1 })) {
      if (key !== expected) return expected;
      expected++;
    }
    return expected <= this.last ? expected : undefined;
  }

  async close(): Promise<void> {
    await this.root.close();
  }

  private missing(index: number): TribuneError {
    return new TribuneError('STORAGE_CORRUPT', `raft log ${this.location} is missing entry ${index}`);
  }
}
