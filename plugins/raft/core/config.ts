/**
 * The core's configuration, validated up front: a bad timing setting fails at start, not in a
 * partition at 3 a.m.
 */
import { TribuneError } from '../../../core/errors.js';
import { defaultLeaseDriftTicks, leaseTicks } from './lease.js';
import type { Rand } from './rand.js';
import type { RaftStorage } from './storage.js';
import { NONE, type NodeId, type RaftLogger, SILENT_LOGGER } from './types.js';

export interface RaftConfig {
  readonly id: NodeId;
  readonly storage: RaftStorage;
  /** The only source of randomness: election timeouts are drawn from it. */
  readonly rand: Rand;
  /** Ticks without hearing from a leader before campaigning; drawn per term from [election, 2×election). */
  readonly electionTick: number;
  /** Ticks between leader heartbeats; must be below electionTick (10× below is typical). */
  readonly heartbeatTick: number;
  /**
   * Last index the application's state machine already includes (default: the snapshot's index,
   * i.e. a state machine restored from the latest snapshot). Entries up to it are not handed out.
   */
  readonly applied?: number;
  /** Bytes of entries per MsgApp (at least one entry is always sent). */
  readonly maxSizePerMsg?: number;
  /** MsgApp messages in flight per follower in the replicate state. */
  readonly maxInflightMsgs?: number;
  /** Campaign with a pre-vote round first, so a returning partitioned server does not disrupt. */
  readonly preVote?: boolean;
  /** Leader steps down without a quorum heard from within an election timeout; followers honour leases. */
  readonly checkQuorum?: boolean;
  /** Clock-drift allowance for lease reads (lease.ts). */
  readonly leaseDriftTicks?: number;
  /** Pending ReadIndex requests on the leader; further ones are dropped (and time out). */
  readonly maxPendingReads?: number;
  /**
   * Payload bytes the leader holds proposed but not yet applied; past it proposals are refused
   * ('too-many-uncommitted') until commits catch up. One proposal is always accepted.
   */
  readonly maxUncommittedBytes?: number;
  readonly logger?: RaftLogger;
}

export interface ResolvedConfig {
  readonly id: NodeId;
  readonly storage: RaftStorage;
  readonly rand: Rand;
  readonly electionTick: number;
  readonly heartbeatTick: number;
  readonly applied: number;
  readonly maxSizePerMsg: number;
  readonly maxInflightMsgs: number;
  readonly preVote: boolean;
  readonly checkQuorum: boolean;
  readonly leaseTicks: number;
  readonly maxPendingReads: number;
  readonly maxUncommittedBytes: number;
  readonly logger: RaftLogger;
}

export const RAFT_CORE_DEFAULTS = Object.freeze({
  electionTick: 10,
  heartbeatTick: 1,
  maxSizePerMsg: 1024 * 1024,
  maxInflightMsgs: 256,
  preVote: true,
  checkQuorum: true,
  maxPendingReads: 4096,
  maxUncommittedBytes: 64 * 1024 * 1024,
});

function invalid(message: string): TribuneError {
  return new TribuneError('CONFIG_INVALID', `raft: ${message}`);
}

function positiveInt(name: string, value: number): number {
  if (!(Number.isSafeInteger(value) && value > 0))
    throw invalid(`${name} must be a positive integer, got ${value}`);
  return value;
}

export function resolveConfig(config: RaftConfig): ResolvedConfig {
  if (config.id === NONE) throw invalid('id must not be empty');
  const electionTick = positiveInt('electionTick', config.electionTick);
  const heartbeatTick = positiveInt('heartbeatTick', config.heartbeatTick);
  if (electionTick <= heartbeatTick) {
    throw invalid(
      `electionTick (${electionTick}) must exceed heartbeatTick (${heartbeatTick}); 10× is typical`,
    );
  }
  const applied = config.applied ?? 0;
  if (!(Number.isSafeInteger(applied) && applied >= 0)) throw invalid(`applied must be >= 0, got ${applied}`);
  const drift = config.leaseDriftTicks ?? defaultLeaseDriftTicks(electionTick);
  if (!(Number.isSafeInteger(drift) && drift >= 0))
    throw invalid(`leaseDriftTicks must be >= 0, got ${drift}`);
  return {
    id: config.id,
    storage: config.storage,
    rand: config.rand,
    electionTick,
    heartbeatTick,
    applied,
    maxSizePerMsg: positiveInt('maxSizePerMsg', config.maxSizePerMsg ?? RAFT_CORE_DEFAULTS.maxSizePerMsg),
    maxInflightMsgs: positiveInt(
      'maxInflightMsgs',
      config.maxInflightMsgs ?? RAFT_CORE_DEFAULTS.maxInflightMsgs,
    ),
    preVote: config.preVote ?? RAFT_CORE_DEFAULTS.preVote,
    checkQuorum: config.checkQuorum ?? RAFT_CORE_DEFAULTS.checkQuorum,
    // Without check-quorum followers make no lease promise, so leases are off (reads use a quorum round).
    leaseTicks: (config.checkQuorum ?? RAFT_CORE_DEFAULTS.checkQuorum) ? leaseTicks(electionTick, drift) : 0,
    maxPendingReads: positiveInt(
      'maxPendingReads',
      config.maxPendingReads ?? RAFT_CORE_DEFAULTS.maxPendingReads,
    ),
    maxUncommittedBytes: positiveInt(
      'maxUncommittedBytes',
      config.maxUncommittedBytes ?? RAFT_CORE_DEFAULTS.maxUncommittedBytes,
    ),
    logger: config.logger ?? SILENT_LOGGER,
  };
}
