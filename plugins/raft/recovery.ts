/**
 * Startup: rebuild the state store from the newest usable snapshot plus the log entries after it,
 * so a restarted server holds exactly the state, and the indexes, it acknowledged. A corrupt
 * snapshot falls back to an older one when the log still reaches back to it; otherwise, and when
 * the log has a hole, startup stops with STORAGE_CORRUPT and a message naming what is wrong.
 */
import type { Logger } from 'pino';
import { TribuneError } from '../../core/errors.js';
import type { Command } from '../../core/hooks.js';
import { decodeStoreImage } from '../../core/state/snapshot.js';
import type { StateStore, StoreImage } from '../../core/state/store.js';
import { decodeCommand } from './codec.js';
import type { SnapshotRef, SnapshotStore } from './storage/snapshot-store.js';
import type { LogPosition, LogStore } from './storage/types.js';

const REPLAY_CHUNK = 1024;

export interface RecoveryHost {
  readonly store: StateStore;
  readonly logger: Logger;
  applyCommitted(command: Command, meta: { index: number; term: number; time: number }): unknown;
}

export interface Recovered {
  /** The snapshot the state came from ({0, 0} when it was rebuilt from the log alone). */
  snapshot: LogPosition;
  /** The last entry applied. */
  applied: LogPosition;
  /** Leader time stamped on the last entry replayed (0 when none was). */
  lastTime: number;
}

function checkLog(log: LogStore): void {
  const gap = log.findGap();
  if (gap !== undefined) {
    throw new TribuneError(
      'STORAGE_CORRUPT',
      `raft log ${log.location} is not contiguous: entry ${gap} is missing between ${log.firstIndex()} and ${log.lastIndex()}`,
    );
  }
  const { commit } = log.hardState();
  if (commit > log.lastIndex()) {
    throw new TribuneError(
      'STORAGE_CORRUPT',
      `raft log ${log.location} ends at ${log.lastIndex()} but entry ${commit} was committed`,
    );
  }
}

/** Reads, verifies and decodes one snapshot; every failure is STORAGE_CORRUPT naming the file. */
async function readImage(snapshots: SnapshotStore, ref: SnapshotRef): Promise<StoreImage> {
  const { body } = await snapshots.read(ref);
  let image: StoreImage;
  try {
    image = decodeStoreImage(body);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new TribuneError('STORAGE_CORRUPT', `snapshot file ${ref.file} is corrupt: ${reason}`, {
      file: ref.file,
    });
  }
  if (image.lastIndex !== ref.index) {
    throw new TribuneError(
      'STORAGE_CORRUPT',
      `snapshot file ${ref.file} is corrupt: it holds state at index ${image.lastIndex}, not ${ref.index}`,
      { file: ref.file },
    );
  }
  return image;
}

/** Restores the newest snapshot that verifies and that the log continues from; returns its position. */
async function restoreSnapshot(
  host: RecoveryHost,
  log: LogStore,
  snapshots: SnapshotStore | undefined,
): Promise<LogPosition> {
  // The log continues from any state at index >= firstIndex - 1; the empty state (index 0) only
  // when nothing was ever compacted.
  const reachable = (index: number) => index >= log.firstIndex() - 1;
  let corrupt: TribuneError | undefined;
  const refs: SnapshotRef[] = snapshots ? await snapshots.list() : [];
  for (const ref of refs) {
    if (!reachable(ref.index)) break;
    try {
      host.store.restore(await readImage(snapshots!, ref));
      if (corrupt) host.logger.warn({ file: ref.file }, 'raft: restored from an older snapshot instead');
      return { index: ref.index, term: ref.term };
    } catch (err) {
      if (!(err instanceof TribuneError) || err.code !== 'STORAGE_CORRUPT') throw err;
      host.logger.error({ err, file: ref.file }, 'raft: snapshot is corrupt; trying an older one');
      corrupt ??= err;
    }
  }
  if (reachable(0)) return { index: 0, term: 0 };
  const logSpan = `the raft log ${log.location} starts at ${log.firstIndex()}`;
  if (corrupt) {
    throw new TribuneError(
      'STORAGE_CORRUPT',
      `${corrupt.message}; no older snapshot can stand in for it because ${logSpan}`,
      corrupt.details ? { ...corrupt.details } : undefined,
    );
  }
  throw new TribuneError(
    'STORAGE_CORRUPT',
    `no snapshot in ${snapshots?.dir ?? 'memory'} covers the state before index ${log.firstIndex()}, where ${logSpan}`,
  );
}

export async function recover(
  host: RecoveryHost,
  log: LogStore,
  snapshots: SnapshotStore | undefined,
): Promise<Recovered> {
  checkLog(log);
  const snapshot = await restoreSnapshot(host, log, snapshots);
  // A snapshot past the end of the log (the log lost its tail after the snapshot was written, or was
  // compacted right up to it): the log restarts after the snapshot.
  if (snapshot.index > log.lastIndex()) await log.truncatePrefix(snapshot);
  // A lone voter's durable entries are all committed: it is the whole quorum.
  let applied = snapshot;
  let lastTime = 0;
  const last = log.lastIndex();
  for (let lo = snapshot.index + 1; lo <= last; lo += REPLAY_CHUNK) {
    for (const entry of log.entries(lo, Math.min(lo + REPLAY_CHUNK, last + 1))) {
      host.applyCommitted(decodeCommand(entry.data), {
        index: entry.index,
        term: entry.term,
        time: entry.time,
      });
      applied = { index: entry.index, term: entry.term };
      lastTime = entry.time;
    }
  }
  host.logger.info(
    { snapshotIndex: snapshot.index, replayed: applied.index - snapshot.index, appliedIndex: applied.index },
    'raft: state restored',
  );
  return { snapshot, applied, lastTime };
}
