/**
 * The consensus provider for a lone voter, shaped as an etcd-raft driver around durable storage:
 * proposals queue up; each batch gets the next indexes, the current term and the leader's time,
 * goes to the log in one transaction with one sync (group commit: whatever arrives while a sync is
 * in flight forms the next batch), is committed once durable — a lone voter is its own quorum —
 * and is applied strictly in index order before each proposer hears back. Multi-server Raft
 * replaces the commit rule, not this plumbing.
 */
import type { Logger } from 'pino';
import type { ApplyOutcome, Consensus, ConsensusStatus, ReadMode } from '../../core/consensus.js';
import { TribuneError } from '../../core/errors.js';
import type { Command } from '../../core/hooks.js';
import { encodeStore } from '../../core/state/snapshot.js';
import { decodeCommand, encodeCommand } from './codec.js';
import { type RecoveryHost, recover } from './recovery.js';
import type { SnapshotStore } from './storage/snapshot-store.js';
import type { LogEntry, LogPosition, LogStore } from './storage/types.js';

export interface SingleNodeOptions {
  /** This server's RPC address (`ip:port`), reported as leader and sole peer. */
  address: string;
  /** What this server records as its vote. */
  serverId: string;
  snapshotThreshold: number;
  snapshotIntervalMs: number;
  trailingLogs: number;
  /** Proposals queued or being written at once; past it a proposal fails with RATE_LIMITED. */
  maxPending?: number;
  maxBatchEntries?: number;
  maxBatchBytes?: number;
  now?: () => number;
}

export interface RaftStorage {
  log: LogStore;
  /** Absent in -dev, where nothing is ever restored: the log is then just compacted. */
  snapshots: SnapshotStore | undefined;
}

export interface DriverCounters {
  batches: number;
  entries: number;
  largestBatch: number;
  snapshots: number;
}

interface Pending {
  readonly data: Buffer;
  resolve(outcome: ApplyOutcome): void;
  reject(err: unknown): void;
}

type Phase = 'new' | 'starting' | 'running' | 'stopping' | 'stopped' | 'halted';

export const DEFAULT_MAX_PENDING = 10_000;
const DEFAULT_MAX_BATCH_ENTRIES = 2048;
const DEFAULT_MAX_BATCH_BYTES = 8 * 1024 * 1024;

function noLeader(): TribuneError {
  return new TribuneError('NO_LEADER', 'No cluster leader');
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class SingleNodeRaft implements Consensus {
  private phase: Phase = 'new';
  private storage: RaftStorage | undefined;
  private queue: Pending[] = [];
  private inFlight = 0;
  private loop: Promise<void> | undefined;
  private term = 0;
  private lastIndex = 0;
  private commitIndex = 0;
  private lastTime = 0;
  private applied: LogPosition = { index: 0, term: 0 };
  /** Index of the last snapshot (or, in -dev, the last compaction check). */
  private snapshotIndex = 0;
  private snapshotting: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly logger: Logger;
  private readonly now: () => number;
  readonly counters: DriverCounters = { batches: 0, entries: 0, largestBatch: 0, snapshots: 0 };

  constructor(
    private readonly host: RecoveryHost,
    private readonly options: SingleNodeOptions,
  ) {
    this.logger = host.logger;
    this.now = options.now ?? Date.now;
  }

  get currentTerm(): number {
    return this.term;
  }

  /** The log this driver writes (for status endpoints and tests); undefined before start. */
  get logStore(): LogStore | undefined {
    return this.storage?.log;
  }

  get running(): boolean {
    return this.phase === 'running';
  }

  /** Restores state from `storage`, starts a new term and begins accepting proposals. */
  async start(storage: RaftStorage): Promise<void> {
    if (this.phase !== 'new') {
      throw new TribuneError('INTERNAL', `raft cannot start from phase '${this.phase}'`);
    }
    this.phase = 'starting';
    this.storage = storage;
    try {
      const { snapshot, applied, lastTime } = await recover(this.host, storage.log, storage.snapshots);
      this.applied = applied;
      this.snapshotIndex = snapshot.index;
      this.lastIndex = this.commitIndex = applied.index;
      this.lastTime = lastTime;
      // A lone server wins an election of one at every start: a new term, voted for itself,
      // persisted before it acts as leader in it.
      this.term = Math.max(storage.log.hardState().term, applied.term) + 1;
      await storage.log.setHardState({
        term: this.term,
        vote: this.options.serverId,
        commit: this.commitIndex,
      });
    } catch (err) {
      this.phase = 'stopped';
      throw err;
    }
    this.phase = 'running';
    // Node treats delays past 2^31-1 ms as 1 ms; a longer interval is as good as never.
    const every = Math.min(this.options.snapshotIntervalMs, 2 ** 31 - 1);
    this.timer = setInterval(() => this.maybeSnapshot(), every);
    this.timer.unref();
    this.logger.info(
      { term: this.term, lastIndex: this.lastIndex, address: this.options.address },
      'raft: leader of a one-server cluster',
    );
  }

  propose(command: Command): Promise<ApplyOutcome> {
    if (this.phase !== 'running') return Promise.reject(noLeader());
    if (this.queue.length + this.inFlight >= (this.options.maxPending ?? DEFAULT_MAX_PENDING)) {
      return Promise.reject(new TribuneError('RATE_LIMITED', 'RPC rate limit exceeded'));
    }
    let data: Buffer;
    try {
      data = encodeCommand(command);
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise<ApplyOutcome>((resolve, reject) => {
      this.queue.push({ data, resolve, reject });
      this.loop ??= this.drain();
    });
  }

  status(): ConsensusStatus {
    const leading = this.phase === 'running';
    return {
      leader: leading ? this.options.address : '',
      isLeader: leading,
      knownLeader: leading,
      lastContactMs: 0,
      peers: [this.options.address],
      term: this.term,
      commitIndex: this.commitIndex,
      appliedIndex: this.applied.index,
    };
  }

  /**
   * A lone voter is the whole quorum: no other server can win a term while it runs, and every write
   * it acknowledged was applied here first, so its store is current for default, consistent and
   * stale reads alike, with no round of confirmation to wait for.
   */
  async readBarrier(_mode: ReadMode, _signal?: AbortSignal): Promise<void> {
    if (this.phase !== 'running') throw noLeader();
  }

  /** Stops taking proposals, fails the queued ones, lets the batch in flight finish, closes the log. */
  async stop(): Promise<void> {
    if (this.phase === 'stopped' || this.phase === 'new') {
      this.phase = 'stopped';
      return;
    }
    if (this.phase !== 'halted') this.phase = 'stopping';
    this.rejectQueued(noLeader);
    clearInterval(this.timer);
    await this.loop;
    await this.snapshotting;
    this.phase = 'stopped';
    await this.storage?.log.close();
  }

  private rejectQueued(error: () => unknown): void {
    for (const pending of this.queue.splice(0)) pending.reject(error());
  }

  private async drain(): Promise<void> {
    try {
      // Proposals made in the same turn of the event loop join the first batch.
      await new Promise<void>((resolve) => setImmediate(resolve));
      while (this.queue.length > 0 && this.phase === 'running') await this.writeBatch(this.cutBatch());
    } finally {
      this.loop = undefined;
    }
  }

  private cutBatch(): Pending[] {
    const maxEntries = this.options.maxBatchEntries ?? DEFAULT_MAX_BATCH_ENTRIES;
    const maxBytes = this.options.maxBatchBytes ?? DEFAULT_MAX_BATCH_BYTES;
    let count = 0;
    let bytes = 0;
    for (const pending of this.queue) {
      if (count > 0 && (count >= maxEntries || bytes + pending.data.length > maxBytes)) break;
      bytes += pending.data.length;
      count++;
    }
    return this.queue.splice(0, count);
  }

  private async writeBatch(batch: Pending[]): Promise<void> {
    const { log } = this.storage!;
    const term = this.term;
    // Leader time never goes backwards in the log, even if the wall clock does.
    const time = Math.max(this.now(), this.lastTime);
    const entries: LogEntry[] = batch.map((p, i) => ({
      index: this.lastIndex + 1 + i,
      term,
      time,
      data: p.data,
    }));
    const first = this.lastIndex + 1;
    const last = this.lastIndex + batch.length;
    this.inFlight = batch.length;
    try {
      await log.append(entries, { term, vote: this.options.serverId, commit: last });
    } catch (err) {
      this.inFlight = 0;
      const failure = new TribuneError('INTERNAL', `raft log write failed: ${describe(err)}`, undefined, {
        cause: err,
      });
      for (const pending of batch) pending.reject(failure);
      this.halt(`writing entries ${first}..${last} to ${log.location} failed`, err);
      return;
    }
    this.inFlight = 0;
    this.lastIndex = this.commitIndex = last;
    this.lastTime = time;
    this.counters.batches++;
    this.counters.entries += batch.length;
    this.counters.largestBatch = Math.max(this.counters.largestBatch, batch.length);
    for (let i = 0; i < batch.length; i++) {
      const entry = entries[i]!;
      const pending = batch[i]!;
      let result: unknown;
      try {
        result = this.host.applyCommitted(decodeCommand(entry.data), { index: entry.index, term, time });
      } catch (err) {
        // A throwing apply is a broken invariant: stop here rather than run on from a bad state.
        pending.reject(err);
        const halted = new TribuneError('INTERNAL', `raft halted: applying entry ${entry.index} failed`);
        for (const rest of batch.slice(i + 1)) rest.reject(halted);
        this.halt(`applying log entry ${entry.index} failed`, err);
        return;
      }
      this.applied = { index: entry.index, term };
      pending.resolve({ index: entry.index, result });
    }
    this.maybeSnapshot();
  }

  private halt(reason: string, err: unknown): void {
    this.phase = 'halted';
    clearInterval(this.timer);
    this.rejectQueued(noLeader);
    this.logger.fatal({ err }, `raft: halted: ${reason}`);
  }

  /** Snapshots once raft_snapshot_threshold entries were applied since the last one; never two at once. */
  private maybeSnapshot(): void {
    if (this.phase !== 'running' || this.snapshotting) return;
    if (this.applied.index - this.snapshotIndex < this.options.snapshotThreshold) return;
    this.snapshotting = this.takeSnapshot()
      .catch((err: unknown) => this.logger.error({ err }, 'raft: snapshot failed'))
      .finally(() => {
        this.snapshotting = undefined;
      });
  }

  private async takeSnapshot(): Promise<void> {
    const at = this.applied;
    const { log, snapshots } = this.storage!;
    // Moved first, so a failing disk retries after another threshold of entries, not every batch.
    this.snapshotIndex = at.index;
    if (snapshots) {
      // Encoding is synchronous, so the image is exactly the state at `at`; the write is not.
      const body = encodeStore(this.host.store);
      const started = this.now();
      const meta = await snapshots.write(at.index, at.term, body);
      this.counters.snapshots++;
      this.logger.info(
        { index: at.index, bytes: meta.length, ms: this.now() - started, file: meta.file },
        'raft: snapshot written',
      );
    }
    const through = at.index - this.options.trailingLogs;
    if (through < log.firstIndex()) return;
    const term = log.term(through);
    if (term !== undefined) await log.truncatePrefix({ index: through, term });
  }
}
