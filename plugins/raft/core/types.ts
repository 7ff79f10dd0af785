/**
 * The vocabulary of the pure Raft core: node ids, log entries, messages, the durable and volatile
 * state, and the Ready batch through which the core hands work to its driver. Modelled on
 * etcd-io/raft's design (a state machine fed ticks and messages, returning what to persist and
 * send); the driver does every bit of I/O.
 */

/** A server's id. The empty string means "nobody" (no vote, no known leader). */
export type NodeId = string;
export const NONE: NodeId = '';

export type EntryType = 'normal' | 'conf-change';

export interface Entry {
  readonly index: number;
  readonly term: number;
  readonly type: EntryType;
  /** Opaque to raft for normal entries; an encoded ConfChange (conf-change.ts) otherwise. */
  readonly data: Uint8Array;
}

/**
 * What must be on disk before any message of the same Ready is sent. Same shape as
 * storage/types.ts#HardState, so the lmdb LogStore can hold it unchanged.
 */
export interface HardState {
  readonly term: number;
  /** Who this server voted for in `term`, NONE when it has not voted. */
  readonly vote: NodeId;
  readonly commit: number;
}

export const EMPTY_HARD_STATE: HardState = Object.freeze({ term: 0, vote: NONE, commit: 0 });

export type RaftRole = 'follower' | 'pre-candidate' | 'candidate' | 'leader';

/** Volatile state worth reporting when it changes; never persisted. */
export interface SoftState {
  readonly lead: NodeId;
  readonly role: RaftRole;
}

/** The membership: voters count towards quorums; learners only receive the log. */
export interface ConfState {
  readonly voters: readonly NodeId[];
  readonly learners: readonly NodeId[];
}

export interface SnapshotMetadata {
  readonly index: number;
  readonly term: number;
  /** The membership as of `index`. */
  readonly confState: ConfState;
}

export interface Snapshot {
  readonly metadata: SnapshotMetadata;
  /** The application's state machine at `metadata.index`; opaque to raft. */
  readonly data: Uint8Array;
}

export type ConfChangeType = 'add-voter' | 'add-learner' | 'remove-node';

/**
 * One membership change. `add-voter` on a learner promotes it. Changes are single-server and take
 * effect when their entry is applied (after commit); only one may be pending at a time.
 */
export interface ConfChange {
  readonly type: ConfChangeType;
  readonly nodeId: NodeId;
  /** For the driver, e.g. the new server's RPC address; raft ignores it. */
  readonly context?: string;
}

export type MessageType =
  // Local inputs, never sent over the wire.
  | 'MsgHup'
  | 'MsgBeat'
  | 'MsgCheckQuorum'
  | 'MsgUnreachable'
  | 'MsgSnapStatus'
  // Between servers.
  | 'MsgProp'
  | 'MsgApp'
  | 'MsgAppResp'
  | 'MsgVote'
  | 'MsgVoteResp'
  | 'MsgPreVote'
  | 'MsgPreVoteResp'
  | 'MsgSnap'
  | 'MsgHeartbeat'
  | 'MsgHeartbeatResp'
  | 'MsgTransferLeader'
  | 'MsgTimeoutNow'
  | 'MsgReadIndex'
  | 'MsgReadIndexResp';

export const LOCAL_MESSAGE_TYPES: ReadonlySet<MessageType> = new Set<MessageType>([
  'MsgHup',
  'MsgBeat',
  'MsgCheckQuorum',
  'MsgUnreachable',
  'MsgSnapStatus',
]);

/** How a read is confirmed: a heartbeat round with a quorum, or the leader's lease. */
export type ReadMode = 'quorum' | 'lease';

/** Marks a campaign started by leadership transfer: voters then set their lease aside. */
export const CAMPAIGN_TRANSFER = 'transfer';

/**
 * One message; a flat record like etcd's, where each type uses the fields it needs (see the
 * handlers in roles.ts). Numbers are log indexes and terms unless noted.
 */
export interface Message {
  readonly type: MessageType;
  readonly from: NodeId;
  readonly to: NodeId;
  /** The sender's term; 0 for local messages and proposals. */
  readonly term: number;
  /** MsgApp: term of `index`. Votes: the candidate's last term. Rejections: the hint's term. */
  readonly logTerm: number;
  /** MsgApp: the entry before `entries`. Votes: the candidate's last index. MsgAppResp: last index matched or rejected. */
  readonly index: number;
  readonly entries: readonly Entry[];
  readonly commit: number;
  readonly reject: boolean;
  /** MsgAppResp rejections: the follower's guess of the last index that may match. */
  readonly rejectHint: number;
  /** MsgSnap only. */
  readonly snapshot?: Snapshot;
  /** Read requests: the request id. Votes: CAMPAIGN_TRANSFER for forced campaigns. */
  readonly context?: string;
  /** MsgReadIndex: how the read should be confirmed. */
  readonly readMode?: ReadMode;
  /**
   * The leader's tick count when it sent a MsgApp, MsgHeartbeat or MsgSnap; followers echo it in
   * the response, which tells the leader how recent its lease evidence is (see lease.ts).
   */
  readonly stamp: number;
}

/** Fills the fields a message type leaves unused. */
export function message(fields: Partial<Message> & Pick<Message, 'type'>): Message {
  return {
    from: NONE,
    to: NONE,
    term: 0,
    logTerm: 0,
    index: 0,
    entries: [],
    commit: 0,
    reject: false,
    rejectHint: 0,
    stamp: 0,
    ...fields,
  };
}

/**
 * A read that may now be served: once the local state machine has applied `index`, reading it
 * is linearizable for the request `requestId`.
 */
export interface ReadState {
  readonly index: number;
  readonly requestId: string;
  /** How the leader confirmed it was still the leader when it answered. */
  readonly via: ReadMode;
}

/**
 * Work for the driver. The contract, in order, for every Ready taken with `RaftNode.ready()`:
 *
 * 1. **Persist** `snapshot` (if any), then `entries` (appended, replacing any held entries from
 *    `entries[0].index` on) and `hardState` (if any), durably — one sync when `mustSync`.
 * 2. **Send** `messages`, only after step 1 is durable (a vote or an acknowledgement must never
 *    outrun the disk). A MsgSnap message carries a snapshot to stream.
 * 3. **Apply** `committedEntries` to the state machine in index order (and restore the state
 *    machine from `snapshot` first, when there is one). Serve `readStates` once applied reaches
 *    their index.
 * 4. **Advance**: call `RaftNode.advance(ready)` with this same object. No other Ready is handed
 *    out until then; tick/step/propose may be called meanwhile.
 */
export interface Ready {
  /** Present when the leader or the role changed since the last Ready. */
  readonly softState?: SoftState;
  /** Present when term, vote or commit changed since the last Ready. */
  readonly hardState?: HardState;
  readonly entries: readonly Entry[];
  readonly snapshot?: Snapshot;
  readonly messages: readonly Message[];
  readonly committedEntries: readonly Entry[];
  readonly readStates: readonly ReadState[];
  /** True when there are entries or a snapshot, or term or vote changed: step 1 needs an fsync, not just a write. */
  readonly mustSync: boolean;
}

export type ProgressState = 'probe' | 'replicate' | 'snapshot';

/** The leader's view of one peer, for status output and tests. */
export interface ProgressStatus {
  readonly match: number;
  readonly next: number;
  readonly state: ProgressState;
  readonly learner: boolean;
  readonly recentActive: boolean;
  readonly inflight: number;
  readonly pendingSnapshot: number;
}

export interface RaftStatus {
  readonly id: NodeId;
  readonly hardState: HardState;
  readonly softState: SoftState;
  readonly applied: number;
  readonly lastIndex: number;
  readonly firstIndex: number;
  readonly confState: ConfState;
  readonly leadTransferee: NodeId;
  /** Only on the leader. */
  readonly progress: ReadonlyMap<NodeId, ProgressStatus>;
}

/** Outcome of a proposal: rejected proposals are values, not exceptions (they are expected). */
export type ProposeResult =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly reason:
        | 'no-leader'
        | 'not-member'
        | 'transferring'
        | 'conf-change-pending'
        | 'invalid-conf-change'
        | 'too-many-uncommitted';
    };

/** Optional log sink; the core calls it synchronously and never depends on it. */
export interface RaftLogger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
}

export const SILENT_LOGGER: RaftLogger = Object.freeze({
  debug() {},
  info() {},
  warn() {},
});

/** Natural order of ids ("2" before "10") so output and iteration are stable. */
export function compareIds(a: NodeId, b: NodeId): number {
  const na = /^\d+$/.test(a);
  const nb = /^\d+$/.test(b);
  if (na && nb && a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function sortIds(ids: Iterable<NodeId>): NodeId[] {
  return [...ids].sort(compareIds);
}
