/**
 * The LogStore for -dev: the same contract as the lmdb store, held in memory, with nothing to sync.
 * A dev agent never restarts from it; it exists so the driver runs the same path in every mode.
 */
import { TribuneError } from '../../../core/errors.js';
import { EMPTY_HARD_STATE, type HardState, type LogEntry, type LogPosition, type LogStore } from './types.js';
import { checkAppend } from './validate.js';

export class MemoryLogStore implements LogStore {
  readonly location = 'memory';
  private compacted: LogPosition = { index: 0, term: 0 };
  /** held[i] is the entry at compacted.index + 1 + i. */
  private held: LogEntry[] = [];
  private hard: HardState = EMPTY_HARD_STATE;
  private commitCount = 0;

  get commits(): number {
    return this.commitCount;
  }

  firstIndex(): number {
    return this.compacted.index + 1;
  }

  lastIndex(): number {
    return this.compacted.index + this.held.length;
  }

  term(index: number): number | undefined {
    if (index === this.compacted.index) return this.compacted.term;
    return this.held[index - this.firstIndex()]?.term;
  }

  entries(lo: number, hi: number): LogEntry[] {
    if (lo < this.firstIndex()) {
      throw new TribuneError('INTERNAL', `raft log entries before ${this.firstIndex()} were compacted`);
    }
    return this.held.slice(lo - this.firstIndex(), Math.max(0, hi - this.firstIndex()));
  }

  hardState(): HardState {
    return this.hard;
  }

  async append(entries: readonly LogEntry[], hardState?: HardState): Promise<void> {
    checkAppend(entries, this.firstIndex(), this.lastIndex());
    const first = entries[0];
    if (first) {
      this.held.length = first.index - this.firstIndex();
      for (const entry of entries) this.held.push(entry);
    }
    if (hardState) this.hard = hardState;
    this.commitCount++;
  }

  async setHardState(hardState: HardState): Promise<void> {
    await this.append([], hardState);
  }

  async truncatePrefix(through: LogPosition): Promise<void> {
    if (through.index < this.firstIndex()) return;
    this.held = this.held.slice(through.index - this.compacted.index);
    this.compacted = { index: through.index, term: through.term };
    this.commitCount++;
  }

  findGap(): number | undefined {
    return undefined;
  }

  async close(): Promise<void> {}
}
