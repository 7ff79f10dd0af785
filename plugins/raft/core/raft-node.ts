/**
 * RaftNode: the interface a driver uses (like etcd's RawNode). Not thread-safe and needs no
 * threads: every method is synchronous. Feed it ticks, messages and requests; take a Ready,
 * carry out its contract (types.ts#Ready), then advance.
 */
import { TribuneError } from '../../../core/errors.js';
import { decodeConfChange, encodeConfChange } from './conf-change.js';
import type { RaftConfig } from './config.js';
import { Raft } from './raft.js';
import {
  type ConfChange,
  type HardState,
  LOCAL_MESSAGE_TYPES,
  type Message,
  message,
  type NodeId,
  type ProgressStatus,
  type ProposeResult,
  type RaftRole,
  type RaftStatus,
  type ReadMode,
  type Ready,
  type SoftState,
} from './types.js';

function sameHardState(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}

function sameSoftState(a: SoftState, b: SoftState): boolean {
  return a.lead === b.lead && a.role === b.role;
}

export interface BasicStatus {
  readonly term: number;
  readonly vote: NodeId;
  readonly commit: number;
  readonly lead: NodeId;
  readonly role: RaftRole;
  readonly applied: number;
  readonly lastIndex: number;
  readonly firstIndex: number;
}

export class RaftNode {
  private readonly raft: Raft;
  private prevHard: HardState;
  private prevSoft: SoftState;
  /** The Ready handed out and not yet advanced. */
  private outstanding: Ready | undefined;

  constructor(config: RaftConfig) {
    this.raft = new Raft(config);
    this.prevHard = this.raft.hardState();
    this.prevSoft = this.raft.softState();
  }

  get id(): NodeId {
    return this.raft.id;
  }

  /** Advances logical time by one tick (elections, heartbeats, check-quorum, leases). */
  tick(): void {
    this.raft.tick();
  }

  /** Starts an election now (skipping the timeout). Voids lease guarantees if used outside bootstrap. */
  campaign(): void {
    this.raft.step(message({ type: 'MsgHup', from: this.raft.id }));
  }

  /** Proposes `data` for the log; forwarded to the leader by followers. */
  propose(data: Uint8Array): ProposeResult {
    return this.raft.step(
      message({
        type: 'MsgProp',
        from: this.raft.id,
        entries: [{ index: 0, term: 0, type: 'normal', data }],
      }),
    );
  }

  /** Proposes a membership change (only one may be pending; the leader validates it). */
  proposeConfChange(change: ConfChange): ProposeResult {
    const data = encodeConfChange(change);
    return this.raft.step(
      message({
        type: 'MsgProp',
        from: this.raft.id,
        entries: [{ index: 0, term: 0, type: 'conf-change', data }],
      }),
    );
  }

  /** Steps a message received from a peer. Local-only message types are refused. */
  step(m: Message): ProposeResult {
    if (LOCAL_MESSAGE_TYPES.has(m.type)) {
      throw new TribuneError('INTERNAL', `raft: ${m.type} is local and cannot come from the network`);
    }
    if (m.type !== 'MsgProp' && m.type !== 'MsgReadIndex' && m.term === 0) {
      throw new TribuneError('INTERNAL', `raft: ${m.type} from ${m.from} has no term`);
    }
    return this.raft.step(m);
  }

  /** Asks the leader to hand over to `transferee` (which must be an up-to-date voter). */
  transferLeader(transferee: NodeId): void {
    this.raft.step(message({ type: 'MsgTransferLeader', from: transferee, to: this.raft.id }));
  }

  /**
   * Requests a linearizable read. A ReadState with `requestId` appears in a later Ready (or
   * never, when there is no leader: the caller times out and retries). 'lease' is answered at
   * once by a leader holding a lease (lease.ts) and falls back to a quorum round otherwise.
   */
  readIndex(requestId: string, mode: ReadMode = 'quorum'): ProposeResult {
    return this.raft.step(
      message({ type: 'MsgReadIndex', from: this.raft.id, context: requestId, readMode: mode }),
    );
  }

  /** The transport could not deliver to `id` (stream broken): stop pipelining to it. */
  reportUnreachable(id: NodeId): void {
    this.raft.step(message({ type: 'MsgUnreachable', from: id }));
  }

  /** The driver finished (or failed) streaming the snapshot to `id`. */
  reportSnapshot(id: NodeId, ok: boolean): void {
    this.raft.step(message({ type: 'MsgSnapStatus', from: id, reject: !ok }));
  }

  hasReady(): boolean {
    if (this.outstanding) return false;
    const r = this.raft;
    return (
      !sameSoftState(r.softState(), this.prevSoft) ||
      !sameHardState(r.hardState(), this.prevHard) ||
      r.log.unstable.nextSnapshot() !== undefined ||
      r.log.unstable.nextEntries().length > 0 ||
      r.msgs.length > 0 ||
      r.log.hasNextCommittedEntries() ||
      r.readStates.length > 0
    );
  }

  /** The next batch of work (see types.ts#Ready); throws if the previous one was not advanced. */
  ready(): Ready {
    if (this.outstanding)
      throw new TribuneError('INTERNAL', 'raft: ready() before advance() of the previous Ready');
    const r = this.raft;
    const soft = r.softState();
    const hard = r.hardState();
    const entries = r.log.unstable.nextEntries();
    const snapshot = r.log.unstable.nextSnapshot();
    const committedEntries = r.log.nextCommittedEntries();
    const hardChanged = !sameHardState(hard, this.prevHard);
    const rd: Ready = {
      ...(sameSoftState(soft, this.prevSoft) ? {} : { softState: soft }),
      ...(hardChanged ? { hardState: hard } : {}),
      entries,
      ...(snapshot ? { snapshot } : {}),
      messages: r.msgs,
      committedEntries,
      readStates: r.readStates,
      mustSync:
        entries.length > 0 ||
        snapshot !== undefined ||
        hard.term !== this.prevHard.term ||
        hard.vote !== this.prevHard.vote,
    };
    // Everything in this Ready now counts as handed out.
    this.prevSoft = soft;
    this.prevHard = hard;
    r.msgs = [];
    r.readStates = [];
    r.log.unstable.acceptInProgress();
    const lastCommitted = committedEntries[committedEntries.length - 1];
    if (lastCommitted) r.log.acceptApplying(lastCommitted.index);
    this.outstanding = rd;
    return rd;
  }

  /** Step 4 of the Ready contract: `rd` was persisted, sent and applied. */
  advance(rd: Ready): void {
    if (rd !== this.outstanding)
      throw new TribuneError('INTERNAL', 'raft: advance() with a Ready not handed out');
    this.outstanding = undefined;
    const r = this.raft;
    const lastEntry = rd.entries[rd.entries.length - 1];
    if (lastEntry) r.log.unstable.stableTo(lastEntry.index, lastEntry.term);
    if (rd.snapshot) r.log.appliedSnapshot(rd.snapshot.metadata.index);
    for (const entry of rd.committedEntries) {
      if (entry.type === 'conf-change') r.applyConfChange(decodeConfChange(entry.data), entry.index);
    }
    r.releaseUncommitted(rd.committedEntries);
    const lastCommitted = rd.committedEntries[rd.committedEntries.length - 1];
    if (lastCommitted && lastCommitted.index > r.log.applied) r.log.appliedTo(lastCommitted.index);
  }

  /** The cheap part of status(): no per-peer progress. */
  basicStatus(): BasicStatus {
    const r = this.raft;
    return {
      term: r.term,
      vote: r.vote,
      commit: r.log.committed,
      lead: r.lead,
      role: r.role,
      applied: r.log.applied,
      lastIndex: r.log.lastIndex(),
      firstIndex: r.log.firstIndex(),
    };
  }

  status(): RaftStatus {
    const r = this.raft;
    const progress = new Map<NodeId, ProgressStatus>();
    if (r.role === 'leader') {
      for (const id of r.tracker.ids()) {
        const pr = r.tracker.progress.get(id);
        if (pr) progress.set(id, pr.status());
      }
    }
    return {
      id: r.id,
      hardState: r.hardState(),
      softState: r.softState(),
      applied: r.log.applied,
      lastIndex: r.log.lastIndex(),
      firstIndex: r.log.firstIndex(),
      confState: r.tracker.confState(),
      leadTransferee: r.leadTransferee,
      progress,
    };
  }

  /** Whether this leader may answer reads from its lease right now (for the driver's metrics). */
  leaseValid(): boolean {
    return this.raft.leaseValid();
  }

  /** The log term of `index`, if held (for drivers and tests). */
  term(index: number): number | undefined {
    return this.raft.log.term(index);
  }

  /** Entries [lo, hi) of the log as this node sees it, unstable tail included (for tests). */
  entries(lo: number, hi: number) {
    return this.raft.log.slice(lo, hi);
  }
}
