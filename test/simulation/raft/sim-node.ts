/**
 * One simulated server: a RaftNode driven by the Ready contract over a simulated disk. The
 * MemoryStorage here stands for what has been synced; a Ready's writes reach it only when its
 * (simulated, possibly slow) sync completes, and a crash before that loses them together with
 * every volatile thing — the raft state, the state machine, messages not yet sent.
 */

import { bootstrapLog } from '../../../plugins/raft/core/bootstrap.js';
import { MemoryStorage } from '../../../plugins/raft/core/memory-storage.js';
import { RaftNode } from '../../../plugins/raft/core/raft-node.js';
import type { Rand } from '../../../plugins/raft/core/rand.js';
import type { ConfState, Entry, NodeId, RaftLogger, Ready } from '../../../plugins/raft/core/types.js';

/** The replicated state machine: how many entries it applied, and a hash of all of them. */
export interface MachineState {
  readonly index: number;
  readonly hash: number;
}

export function mixHash(hash: number, e: Entry): number {
  let h = hash ^ e.index ^ Math.imul(e.term, 0x9e3779b1);
  h = Math.imul(h ^ (e.type === 'normal' ? 1 : 2), 0x01000193) >>> 0;
  for (const b of e.data) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h >>> 0;
}

export function encodeMachine(state: MachineState): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(state));
}

export function decodeMachine(data: Uint8Array): MachineState {
  if (data.byteLength === 0) return { index: 0, hash: 0 };
  const parsed = JSON.parse(new TextDecoder().decode(data)) as MachineState;
  return { index: parsed.index, hash: parsed.hash };
}

export interface NodeSettings {
  readonly electionTick: number;
  readonly heartbeatTick: number;
  readonly maxSizePerMsg: number;
  readonly maxInflightMsgs: number;
  /** Time units between this node's ticks (nodes may tick at slightly different rates). */
  readonly tickInterval: number;
  readonly tickPhase: number;
  readonly leaseDriftTicks: number;
}

export interface PendingSync {
  readonly ready: Ready;
  readonly syncAt: number;
}

export class SimNode {
  node: RaftNode | undefined;
  /** Bumped at every crash: events for an older incarnation are ignored. */
  incarnation = 0;
  pending: PendingSync | undefined;
  machine: MachineState = { index: 0, hash: 0 };
  downUntil = 0;
  /** Highest commit seen from this incarnation (monotonic-commit invariant). */
  lastCommit = 0;
  lastApplied = 0;
  /** Commit indexes up to here have had their terms recorded by the checker. */
  recordedCommit = 0;

  constructor(
    readonly id: NodeId,
    readonly storage: MemoryStorage,
    readonly settings: NodeSettings,
    private readonly rand: Rand,
    private readonly logger: RaftLogger,
  ) {}

  /**
   * A server of the first configuration (which writes the bootstrap log) or, with `conf`
   * undefined, one that starts empty and waits to be added.
   */
  static create(
    id: NodeId,
    conf: ConfState | undefined,
    settings: NodeSettings,
    rand: Rand,
    logger: RaftLogger,
  ): SimNode {
    const storage = new MemoryStorage();
    if (conf) {
      const log = bootstrapLog(conf);
      storage.append(log.entries);
      storage.setHardState(log.hardState);
    }
    const n = new SimNode(id, storage, settings, rand, logger);
    n.start();
    return n;
  }

  get alive(): boolean {
    return this.node !== undefined;
  }

  /** (Re)starts from the synced state: the state machine restarts from the latest snapshot. */
  start(): void {
    const snap = this.storage.snapshot();
    this.machine = decodeMachine(snap.data);
    this.node = new RaftNode({
      id: this.id,
      storage: this.storage,
      rand: this.rand.split(`incarnation-${this.incarnation}`),
      electionTick: this.settings.electionTick,
      heartbeatTick: this.settings.heartbeatTick,
      maxSizePerMsg: this.settings.maxSizePerMsg,
      maxInflightMsgs: this.settings.maxInflightMsgs,
      leaseDriftTicks: this.settings.leaseDriftTicks,
      preVote: true,
      checkQuorum: true,
      applied: snap.metadata.index,
      logger: this.logger,
    });
    const s = this.node.basicStatus();
    this.lastCommit = s.commit;
    this.lastApplied = s.applied;
    this.recordedCommit = s.commit;
  }

  crash(until: number): void {
    this.node = undefined;
    this.pending = undefined;
    this.incarnation++;
    this.downUntil = until;
  }

  /** Step 1 of the Ready contract, made durable: the synced storage takes the writes. */
  persist(rd: Ready): void {
    if (rd.snapshot) this.storage.applySnapshot(rd.snapshot);
    this.storage.append(rd.entries);
    if (rd.hardState) this.storage.setHardState(rd.hardState);
  }

  /** Snapshots the state machine and drops the log up to `trailing` entries before it. */
  compact(trailing: number): void {
    const node = this.node;
    if (!node) return;
    const index = this.machine.index;
    if (index <= this.storage.snapshot().metadata.index) return;
    this.storage.createSnapshot(index, node.status().confState, encodeMachine(this.machine));
    this.storage.compact(Math.max(this.storage.firstIndex() - 1, index - trailing));
  }
}
