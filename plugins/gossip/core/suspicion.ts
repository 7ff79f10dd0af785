/**
 * One member's suspicion (Lifeguard's local-health-aware suspicion): it starts at the maximum timeout
 * and shrinks toward the minimum as independent members confirm it. The member who raised it, and the
 * suspect itself, never count as confirmations. No timer: the owner compares deadlineMs with now.
 * When it runs out, the owner may give the suspect a last call (one more direct check) before
 * declaring it dead; the deadline is then fixed at the end of the last call.
 */
import { remainingSuspicionTimeMs } from './math.js';

export class Suspicion {
  readonly startMs: number;
  readonly k: number;
  readonly minMs: number;
  readonly maxMs: number;
  /** The incarnation the suspect was suspected at; a refutation carries a higher one. */
  readonly incarnation: number;
  private readonly seen: Set<string>;
  private confirmationCount = 0;
  private deadline: number;
  private calledAtMs: number | undefined;

  constructor(options: {
    suspect: string;
    from: string;
    incarnation: number;
    k: number;
    minMs: number;
    maxMs: number;
    startMs: number;
  }) {
    this.startMs = options.startMs;
    this.k = options.k;
    this.minMs = options.minMs;
    this.maxMs = options.maxMs;
    this.incarnation = options.incarnation;
    this.seen = new Set([options.from, options.suspect]);
    this.deadline = options.startMs + remainingSuspicionTimeMs(0, this.k, 0, this.minMs, this.maxMs);
  }

  get deadlineMs(): number {
    return this.deadline;
  }

  get confirmations(): number {
    return this.confirmationCount;
  }

  /** True once the last call was made: the next expiry is final. */
  get lastCallMade(): boolean {
    return this.calledAtMs !== undefined;
  }

  /** Starts the last call at `nowMs`, lasting `durationMs`. */
  lastCall(nowMs: number, durationMs: number): void {
    this.calledAtMs = nowMs;
    this.deadline = nowMs + durationMs;
  }

  /** Counts a confirmation from `from`; true when it was new (and so worth re-gossiping). */
  confirm(from: string): boolean {
    if (this.confirmationCount >= this.k || this.seen.has(from)) return false;
    this.seen.add(from);
    this.confirmationCount += 1;
    if (this.calledAtMs === undefined) {
      this.deadline =
        this.startMs + remainingSuspicionTimeMs(this.confirmationCount, this.k, 0, this.minMs, this.maxMs);
    }
    return true;
  }
}
