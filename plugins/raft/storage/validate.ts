/** Checks shared by every LogStore: what an append may look like. */
import { TribuneError } from '../../../core/errors.js';
import type { LogEntry } from './types.js';

/** Entries must be contiguous, start inside the log or right after it, and never go back in term. */
export function checkAppend(entries: readonly LogEntry[], firstIndex: number, lastIndex: number): void {
  const first = entries[0];
  if (!first) return;
  if (first.index < firstIndex || first.index > lastIndex + 1) {
    throw new TribuneError(
      'INTERNAL',
      `raft log append at ${first.index} does not fit a log holding ${firstIndex}..${lastIndex}`,
    );
  }
  for (let i = 1; i < entries.length; i++) {
    const previous = entries[i - 1]!;
    const entry = entries[i]!;
    if (entry.index !== previous.index + 1 || entry.term < previous.term) {
      throw new TribuneError(
        'INTERNAL',
        `raft log append is not contiguous at ${entry.index} (after ${previous.index}, term ${previous.term})`,
      );
    }
  }
}
