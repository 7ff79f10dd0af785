/**
 * What the kernel needs from the replication layer. The raft plugin provides it; until it does,
 * writes fail with Consul's `No cluster leader`.
 */
import type { Command } from './hooks.js';

export interface ApplyOutcome {
  /** Log index the command was committed and applied at. */
  index: number;
  /** Whatever the owning onApply handler returned (e.g. `false` for a failed CAS). */
  result: unknown;
}

export interface ConsensusStatus {
  /** Server RPC address (`ip:8300`) of the known leader, or '' when there is none. */
  leader: string;
  isLeader: boolean;
  knownLeader: boolean;
  /** Milliseconds since this server last heard from the leader; 0 on the leader. */
  lastContactMs: number;
  peers: string[];
  term: number;
  commitIndex: number;
  appliedIndex: number;
}

export type ReadMode = 'default' | 'stale' | 'consistent';

export interface Consensus {
  /** Replicates `command`; resolves once it is committed and applied here. */
  propose(command: Command): Promise<ApplyOutcome>;
  status(): ConsensusStatus;
  /** Resolves when a read in `mode` may be served from the local store; throws No cluster leader otherwise. */
  readBarrier(mode: ReadMode, signal?: AbortSignal): Promise<void>;
}
