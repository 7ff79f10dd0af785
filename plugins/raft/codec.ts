/**
 * How commands, log entries and the hard state become bytes (msgpack). Numbers stay numbers and
 * bigints stay bigints, at any size, so a command replayed from the log is the command that was
 * proposed. The leader applies the decoded bytes, not the proposer's object, so that what it applies
 * is exactly what a restart will replay.
 */
import { Packr } from 'msgpackr';
import { TribuneError } from '../../core/errors.js';
import type { Command } from '../../core/hooks.js';
import type { HardState, LogEntry } from './storage/types.js';

const ENTRY_FORMAT = 1;

const packr = new Packr({
  useRecords: false,
  moreTypes: true,
  int64AsType: 'bigint',
  useBigIntExtension: true,
});

function corrupt(what: string, reason: string): TribuneError {
  return new TribuneError('STORAGE_CORRUPT', `${what} does not decode: ${reason}`);
}

function unpack(bytes: Uint8Array, what: string): unknown {
  try {
    return packr.unpack(bytes);
  } catch (err) {
    throw corrupt(what, err instanceof Error ? err.message : String(err));
  }
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Encodes a command for the log; throws INTERNAL when it holds something msgpack cannot carry. */
export function encodeCommand(command: Command): Buffer {
  try {
    return packr.pack(command);
  } catch (err) {
    throw new TribuneError(
      'INTERNAL',
      `command '${command.type}' cannot be encoded for the raft log: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

export function decodeCommand(bytes: Uint8Array): Command {
  const value = unpack(bytes, 'raft command');
  if (typeof value !== 'object' || value === null || typeof (value as { type?: unknown }).type !== 'string') {
    throw corrupt('raft command', 'not an object with a string type');
  }
  return value as Command;
}

/** An entry as stored: `[format, index, term, time, command bytes]`. */
export function encodeEntry(entry: LogEntry): Buffer {
  return packr.pack([ENTRY_FORMAT, entry.index, entry.term, entry.time, entry.data]);
}

export function decodeEntry(bytes: Uint8Array): LogEntry {
  const value = unpack(bytes, 'raft log entry');
  if (!Array.isArray(value) || value[0] !== ENTRY_FORMAT) {
    throw corrupt(
      'raft log entry',
      `unknown entry format ${String(Array.isArray(value) ? value[0] : value)}`,
    );
  }
  const [, index, term, time, data] = value as unknown[];
  if (!isCount(index) || !isCount(term) || typeof time !== 'number' || !(data instanceof Uint8Array)) {
    throw corrupt('raft log entry', 'fields have the wrong types');
  }
  return { index, term, time, data };
}

export function encodeHardState(state: HardState): Buffer {
  return packr.pack([state.term, state.vote, state.commit]);
}

export function decodeHardState(bytes: Uint8Array): HardState {
  const value = unpack(bytes, 'raft hard state');
  const [term, vote, commit] = Array.isArray(value) ? (value as unknown[]) : [];
  if (!isCount(term) || typeof vote !== 'string' || !isCount(commit)) {
    throw corrupt('raft hard state', 'fields have the wrong types');
  }
  return { term, vote, commit };
}

/** The last entry a compaction removed: the log continues after it. */
export function encodeLogPosition(position: { index: number; term: number }): Buffer {
  return packr.pack([position.index, position.term]);
}

export function decodeLogPosition(bytes: Uint8Array): { index: number; term: number } {
  const value = unpack(bytes, 'raft compaction point');
  const [index, term] = Array.isArray(value) ? (value as unknown[]) : [];
  if (!isCount(index) || !isCount(term))
    throw corrupt('raft compaction point', 'fields have the wrong types');
  return { index, term };
}
