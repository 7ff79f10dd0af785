/**
 * The Raft state machine proper. A role is a pair of functions — how it steps a message and how
 * it reacts to a tick — swapped by the become* transitions (step-leader.ts, step-follower.ts);
 * this class holds the state they share and the operations common to several roles: term
 * handling, voting, sending, appending, committing, snapshots and membership.
 *
 * Nothing here touches a clock, socket, disk or global randomness: `send` only queues into
 * `msgs`, which RaftNode hands to the driver in a Ready.
 */
import { TribuneError } from '../../../core/errors.js';
import { confChangeProblem, decodeConfChange, describeConfChange } from './conf-change.js';
import { type RaftConfig, type ResolvedConfig, resolveConfig } from './config.js';
import { leaseHolds } from './lease.js';
import { entrySize, RaftLog } from './log.js';
import type { Progress } from './progress.js';
import type { VoteResult } from './quorum.js';
import { ReadOnlyQueue } from './read-only.js';
import { stepCandidate, stepFollower, tickElection } from './step-follower.js';
import { stepLeader, tickHeartbeat } from './step-leader.js';
import { ProgressTracker } from './tracker.js';
import {
  CAMPAIGN_TRANSFER,
  type ConfChange,
  type Entry,
  type EntryType,
  type HardState,
  type Message,
  type MessageType,
  message,
  NONE,
  type NodeId,
  type ProposeResult,
  type RaftLogger,
  type RaftRole,
  type ReadMode,
  type ReadState,
  type Snapshot,
  type SoftState,
} from './types.js';

export type StepFn = (r: Raft, m: Message) => ProposeResult;
export type TickFn = (r: Raft) => void;
export type CampaignType = 'pre-election' | 'election' | 'transfer';

export const OK: ProposeResult = Object.freeze({ ok: true });

/** Messages whose sender stamps its tick count, for lease evidence. */
const STAMPED: ReadonlySet<MessageType> = new Set<MessageType>(['MsgApp', 'MsgHeartbeat', 'MsgSnap']);

function voteRespType(t: MessageType): MessageType {
  return t === 'MsgPreVote' ? 'MsgPreVoteResp' : 'MsgVoteResp';
}

export interface NewEntry {
  readonly type: EntryType;
  readonly data: Uint8Array;
}

export class Raft {
  readonly id: NodeId;
  readonly cfg: ResolvedConfig;
  readonly log: RaftLog;
  readonly tracker: ProgressTracker;
  readonly logger: RaftLogger;

  term = 0;
  vote: NodeId = NONE;
  lead: NodeId = NONE;
  role: RaftRole = 'follower';

  /** Outbox, drained by each Ready. */
  msgs: Message[] = [];
  readStates: ReadState[] = [];

  /** Leader: ticks since the last check-quorum round. Others: ticks since hearing from a leader or voting. */
  electionElapsed = 0;
  heartbeatElapsed = 0;
  randomizedElectionTimeout = 0;
  /** Ticks since this instance started: the clock stamped on messages for leases. */
  ticks = 0;
  /** Started from a non-empty hard state (it may have promised a lease before it went down). */
  readonly restarted: boolean;

  leadTransferee: NodeId = NONE;
  /** Set once MsgTimeoutNow went out this term: the lease no longer holds. */
  timeoutNowSent = false;
  /** Index of the latest conf change proposed; another may be proposed only once it is applied. */
  pendingConfIndex = 0;
  /** Index as of which the membership is known (last conf change applied or snapshot restored). */
  confIndex = 0;

  /** Leader: payload bytes appended in this term and not yet applied (bounded by maxUncommittedBytes). */
  uncommittedBytes = 0;

  readOnly: ReadOnlyQueue;
  /** Read requests that arrived before this leader committed an entry of its term. */
  pendingReadIndexMessages: Message[] = [];

  stepFn: StepFn = stepFollower;
  tickFn: TickFn = tickElection;

  constructor(config: RaftConfig) {
    this.cfg = resolveConfig(config);
    this.id = this.cfg.id;
    this.logger = this.cfg.logger;
    this.log = new RaftLog(this.cfg.storage);
    this.tracker = new ProgressTracker(this.cfg.maxInflightMsgs);
    this.readOnly = new ReadOnlyQueue(this.cfg.maxPendingReads);
    const { hardState, confState } = this.cfg.storage.initialState();
    this.tracker.reset(confState, this.log.lastIndex() + 1);
    // The stored membership is as of the snapshot; entries after it may change it further.
    const snapshotIndex = this.cfg.storage.snapshot()?.metadata.index ?? this.log.firstIndex() - 1;
    if (snapshotIndex < this.log.firstIndex() - 1) {
      throw new TribuneError(
        'STORAGE_CORRUPT',
        `raft: the snapshot at ${snapshotIndex} is older than the log, which starts at ${this.log.firstIndex()}`,
      );
    }
    this.confIndex = snapshotIndex;
    this.restarted = hardState.term > 0;
    this.loadHardState(hardState);
    this.restoreApplied(this.cfg.applied > 0 ? this.cfg.applied : snapshotIndex);
    this.becomeFollower(this.term, NONE);
    const conf = this.tracker.confState();
    this.logger.info(
      `${this.id} started [term: ${this.term}, commit: ${this.log.committed}, applied: ${this.log.applied}, ` +
        `last: ${this.log.lastIndex()}/${this.log.lastTerm()}] voters=(${conf.voters.join(' ')})` +
        (conf.learners.length > 0 ? ` learners=(${conf.learners.join(' ')})` : ''),
    );
  }

  /**
   * Starts from what the application already applied (its state machine includes it): entries up
   * to `applied` are not handed out again, and their conf changes are replayed into the membership.
   */
  private restoreApplied(applied: number): void {
    if (applied > this.log.committed) {
      throw new TribuneError(
        'STORAGE_CORRUPT',
        `raft: applied index ${applied} is past the commit index ${this.log.committed}`,
      );
    }
    if (applied <= this.log.applied) return;
    for (const e of this.log.slice(this.confIndex + 1, applied + 1)) {
      if (e.type === 'conf-change') this.applyConfChange(decodeConfChange(e.data), e.index);
    }
    this.log.appliedTo(applied);
  }

  private loadHardState(hs: HardState): void {
    // A commit index below the snapshot is fine (the snapshot is committed by definition);
    // one past the log means entries we acknowledged are gone.
    if (hs.commit > this.log.lastIndex()) {
      throw new TribuneError(
        'STORAGE_CORRUPT',
        `raft: commit ${hs.commit} is past the last index ${this.log.lastIndex()} (log lost or corrupt?)`,
      );
    }
    this.log.commitTo(hs.commit);
    this.term = hs.term;
    this.vote = hs.vote;
  }

  hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.log.committed };
  }

  softState(): SoftState {
    return { lead: this.lead, role: this.role };
  }

  /** A voter with no snapshot pending may campaign. */
  promotable(): boolean {
    return this.tracker.isVoter(this.id) && !this.log.hasNextOrInProgressSnapshot();
  }

  selfProgress(): Progress | undefined {
    return this.tracker.progress.get(this.id);
  }

  // --- sending -------------------------------------------------------------------------------

  /** Queues a message; `from` defaults to us, `term` to ours (proposals and reads travel without one). */
  send(fields: Partial<Message> & Pick<Message, 'type' | 'to'>): void {
    const localForward = fields.type === 'MsgProp' || fields.type === 'MsgReadIndex';
    const m = message({
      ...fields,
      from: fields.from === undefined || fields.from === NONE ? this.id : fields.from,
      term: fields.term ?? (localForward ? 0 : this.term),
      stamp: fields.stamp ?? (STAMPED.has(fields.type) ? this.ticks : 0),
    });
    if (m.to === this.id) throw new TribuneError('INTERNAL', `raft ${this.id} sending ${m.type} to itself`);
    this.msgs.push(m);
  }

  /** Sends a MsgApp to `to` if flow control allows; returns whether a message went out. */
  maybeSendAppend(to: NodeId, sendIfEmpty: boolean): boolean {
    const pr = this.tracker.progress.get(to);
    if (!pr || to === this.id || pr.isPaused()) return false;
    if (pr.next > this.log.lastIndex() + 1) pr.next = this.log.lastIndex() + 1;
    const prevIndex = pr.next - 1;
    const prevTerm = this.log.term(prevIndex);
    if (prevTerm === undefined) return this.maybeSendSnapshot(to, pr);
    let entries: Entry[] = [];
    // With a full window only an empty MsgApp goes out: it gets acked or rejected either way,
    // which unsticks a follower whose in-flight messages were all lost.
    if (pr.state !== 'replicate' || !pr.inflights.full()) {
      const got = this.log.entriesFrom(pr.next, this.cfg.maxSizePerMsg);
      if (got === undefined) return this.maybeSendSnapshot(to, pr);
      entries = got;
    }
    if (entries.length === 0 && !sendIfEmpty) return false;
    this.send({
      type: 'MsgApp',
      to,
      index: prevIndex,
      logTerm: prevTerm,
      entries,
      commit: this.log.committed,
    });
    pr.sentEntries(
      entries.length,
      entries.reduce((n, e) => n + entrySize(e), 0),
    );
    pr.sentCommitIndex(this.log.committed);
    return true;
  }

  sendAppend(to: NodeId): void {
    this.maybeSendAppend(to, true);
  }

  private maybeSendSnapshot(to: NodeId, pr: Progress): boolean {
    if (!pr.recentActive) {
      this.logger.debug(`${this.id} not sending a snapshot to ${to}: not recently active`);
      return false;
    }
    const snapshot = this.log.snapshot();
    if (!snapshot || snapshot.metadata.index === 0) {
      this.logger.debug(`${this.id} not sending a snapshot to ${to}: none available yet`);
      return false;
    }
    this.logger.info(
      `${this.id} [first: ${this.log.firstIndex()}, commit: ${this.log.committed}] sent snapshot ` +
        `[index: ${snapshot.metadata.index}, term: ${snapshot.metadata.term}] to ${to}`,
    );
    pr.becomeSnapshot(snapshot.metadata.index);
    this.send({ type: 'MsgSnap', to, snapshot });
    return true;
  }

  sendHeartbeat(to: NodeId, context: string | undefined): void {
    const pr = this.tracker.progress.get(to);
    // Never claim a commit index the follower may not hold yet.
    const commit = Math.min(pr?.match ?? 0, this.log.committed);
    this.send(
      context === undefined
        ? { type: 'MsgHeartbeat', to, commit }
        : { type: 'MsgHeartbeat', to, commit, context },
    );
  }

  bcastAppend(): void {
    for (const id of this.tracker.ids()) if (id !== this.id) this.sendAppend(id);
  }

  bcastHeartbeat(context?: string): void {
    const ctx = context ?? this.readOnly.lastRequestId();
    for (const id of this.tracker.ids()) if (id !== this.id) this.sendHeartbeat(id, ctx);
  }

  // --- role transitions ----------------------------------------------------------------------

  private reset(term: number): void {
    if (this.term !== term) {
      this.term = term;
      this.vote = NONE;
    }
    this.lead = NONE;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.resetRandomizedElectionTimeout();
    this.abortLeaderTransfer();
    this.tracker.resetVotes();
    const last = this.log.lastIndex();
    const conf = this.tracker.confState();
    this.tracker.reset(conf, last + 1);
    for (const pr of this.tracker.progress.values()) pr.recentActive = false;
    const self = this.selfProgress();
    if (self) self.match = last;
    this.pendingConfIndex = 0;
    this.uncommittedBytes = 0;
    this.readOnly = new ReadOnlyQueue(this.cfg.maxPendingReads);
    this.pendingReadIndexMessages = [];
    this.timeoutNowSent = false;
  }

  resetRandomizedElectionTimeout(): void {
    this.randomizedElectionTimeout = this.cfg.electionTick + this.cfg.rand.int(0, this.cfg.electionTick);
  }

  becomeFollower(term: number, lead: NodeId): void {
    this.stepFn = stepFollower;
    this.reset(term);
    this.tickFn = tickElection;
    this.lead = lead;
    this.role = 'follower';
    this.logger.info(`${this.id} became follower at term ${this.term}`);
  }

  becomeCandidate(): void {
    if (this.role === 'leader')
      throw new TribuneError('INTERNAL', 'raft: invalid transition leader -> candidate');
    this.stepFn = stepCandidate;
    this.reset(this.term + 1);
    this.tickFn = tickElection;
    this.vote = this.id;
    this.role = 'candidate';
    this.logger.info(`${this.id} became candidate at term ${this.term}`);
  }

  becomePreCandidate(): void {
    if (this.role === 'leader')
      throw new TribuneError('INTERNAL', 'raft: invalid transition leader -> pre-candidate');
    // Neither the term nor the vote changes: a pre-election only asks whether we could win.
    this.stepFn = stepCandidate;
    this.tracker.resetVotes();
    this.tickFn = tickElection;
    this.lead = NONE;
    this.role = 'pre-candidate';
    this.logger.info(`${this.id} became pre-candidate at term ${this.term}`);
  }

  becomeLeader(): void {
    if (this.role === 'follower')
      throw new TribuneError('INTERNAL', 'raft: invalid transition follower -> leader');
    this.stepFn = stepLeader;
    this.reset(this.term);
    this.tickFn = tickHeartbeat;
    this.lead = this.id;
    this.role = 'leader';
    const self = this.selfProgress();
    if (self) {
      self.becomeReplicate();
      self.recentActive = true;
    }
    // Entries of earlier terms may be uncommitted conf changes: none may be proposed until all
    // of them are applied.
    this.pendingConfIndex = this.log.lastIndex();
    // Committing this entry of our own term is what commits everything before it (§5.4.2).
    if (!this.appendEntries([{ type: 'normal', data: new Uint8Array(0) }])) {
      throw new TribuneError('INTERNAL', 'raft: the new leader could not append its empty entry');
    }
    this.logger.info(`${this.id} became leader at term ${this.term}`);
  }

  // --- stepping ------------------------------------------------------------------------------

  tick(): void {
    this.ticks++;
    this.tickFn(this);
  }

  /** Whether we promised not to vote: we heard from a leader less than an election timeout ago. */
  private inLease(): boolean {
    if (!this.cfg.checkQuorum || this.electionElapsed >= this.cfg.electionTick) return false;
    return this.lead !== NONE || (this.restarted && this.ticks < this.cfg.electionTick);
  }

  step(m: Message): ProposeResult {
    if (m.term > this.term) {
      if (m.type === 'MsgVote' || m.type === 'MsgPreVote') {
        if (m.context !== CAMPAIGN_TRANSFER && this.inLease()) {
          this.logger.info(
            `${this.id} [term: ${this.term}] ignored ${m.type} from ${m.from} [term: ${m.term}]: ` +
              `lease not expired (remaining ticks: ${this.cfg.electionTick - this.electionElapsed})`,
          );
          return OK;
        }
      }
      if (m.type === 'MsgPreVote') {
        // A pre-vote never changes our term.
      } else if (m.type === 'MsgPreVoteResp' && !m.reject) {
        // A granted pre-vote carries the term we would campaign in; it is tallied below.
      } else {
        this.logger.info(
          `${this.id} [term: ${this.term}] received ${m.type} from ${m.from} at higher term ${m.term}`,
        );
        const fromLeader = m.type === 'MsgApp' || m.type === 'MsgHeartbeat' || m.type === 'MsgSnap';
        this.becomeFollower(m.term, fromLeader ? m.from : NONE);
      }
    } else if (m.term > 0 && m.term < this.term) {
      if ((this.cfg.checkQuorum || this.cfg.preVote) && (m.type === 'MsgHeartbeat' || m.type === 'MsgApp')) {
        // A stale leader cut off by a partition: tell it our term so that it steps down (it may
        // otherwise never learn, as we ignore its messages and our pre-votes don't bump terms).
        this.send({ type: 'MsgAppResp', to: m.from });
      } else if (m.type === 'MsgPreVote') {
        this.send({ type: 'MsgPreVoteResp', to: m.from, term: this.term, reject: true });
      } else {
        this.logger.debug(
          `${this.id} [term: ${this.term}] ignored ${m.type} from ${m.from} [term: ${m.term}]`,
        );
      }
      return OK;
    }

    switch (m.type) {
      case 'MsgHup':
        this.hup(this.cfg.preVote ? 'pre-election' : 'election');
        return OK;
      case 'MsgVote':
      case 'MsgPreVote':
        this.handleVoteRequest(m);
        return OK;
      default:
        return this.stepFn(this, m);
    }
  }

  private handleVoteRequest(m: Message): void {
    // We can vote for whoever we already voted for, or anyone when we have neither voted nor
    // know of a leader in this term; pre-votes for a later term are always considered.
    const canVote =
      this.vote === m.from ||
      (this.vote === NONE && this.lead === NONE) ||
      (m.type === 'MsgPreVote' && m.term > this.term);
    const upToDate = this.log.isUpToDate(m.index, m.logTerm);
    const last = this.log.lastPoint();
    const describe =
      `${this.id} [logterm: ${last.term}, index: ${last.index}, vote: ${this.vote || '0'}] ` +
      `${m.type} from ${m.from} [logterm: ${m.logTerm}, index: ${m.index}] at term ${this.term}`;
    if (canVote && upToDate) {
      this.logger.info(`${describe}: cast`);
      // The response carries the candidate's term: for a pre-vote ours has not moved.
      this.send({ type: voteRespType(m.type), to: m.from, term: m.term });
      if (m.type === 'MsgVote') {
        this.electionElapsed = 0;
        this.vote = m.from;
      }
    } else {
      this.logger.info(`${describe}: rejected`);
      this.send({ type: voteRespType(m.type), to: m.from, term: this.term, reject: true });
    }
  }

  hup(type: CampaignType): void {
    if (this.role === 'leader') {
      this.logger.debug(`${this.id} ignoring MsgHup: already leader`);
      return;
    }
    if (!this.promotable()) {
      this.logger.warn(`${this.id} is unpromotable and cannot campaign`);
      return;
    }
    if (this.hasUnappliedConfChanges()) {
      this.logger.warn(`${this.id} cannot campaign at term ${this.term}: conf changes still to apply`);
      return;
    }
    this.logger.info(`${this.id} is starting a new election at term ${this.term}`);
    this.campaign(type);
  }

  private hasUnappliedConfChanges(): boolean {
    if (this.log.applied >= this.log.committed) return false;
    for (const e of this.log.slice(this.log.applied + 1, this.log.committed + 1)) {
      if (e.type === 'conf-change') return true;
    }
    return false;
  }

  campaign(type: CampaignType): void {
    if (!this.promotable()) {
      this.logger.warn(`${this.id} is unpromotable; campaign() should not have been called`);
      return;
    }
    let voteType: MessageType;
    let term: number;
    if (type === 'pre-election') {
      this.becomePreCandidate();
      voteType = 'MsgPreVote';
      // Ask about the term we would move to, without moving to it yet.
      term = this.term + 1;
    } else {
      this.becomeCandidate();
      voteType = 'MsgVote';
      term = this.term;
    }
    if (this.poll(this.id, voteRespType(voteType), true) === 'won') {
      // A lone voter wins at once.
      if (type === 'pre-election') this.campaign('election');
      else this.becomeLeader();
      return;
    }
    const last = this.log.lastPoint();
    for (const id of this.tracker.ids()) {
      if (id === this.id || !this.tracker.isVoter(id)) continue;
      this.logger.info(
        `${this.id} [logterm: ${last.term}, index: ${last.index}] sent ${voteType} request to ${id} at term ${this.term}`,
      );
      this.send({
        type: voteType,
        to: id,
        term,
        index: last.index,
        logTerm: last.term,
        ...(type === 'transfer' ? { context: CAMPAIGN_TRANSFER } : {}),
      });
    }
  }

  poll(id: NodeId, type: MessageType, granted: boolean): VoteResult {
    this.logger.info(
      `${this.id} received ${type} ${granted ? '' : 'rejection '}from ${id} at term ${this.term}`,
    );
    this.tracker.recordVote(id, granted);
    return this.tracker.tallyVotes().result;
  }

  // --- the log -------------------------------------------------------------------------------

  /** The leader appends new entries of its term; returns false if it is not a member. */
  appendEntries(entries: readonly NewEntry[]): boolean {
    const self = this.selfProgress();
    if (!self) return false;
    const last = this.log.lastIndex();
    const stamped: Entry[] = entries.map((e, i) => ({
      index: last + 1 + i,
      term: this.term,
      type: e.type,
      data: e.data,
    }));
    this.log.append(stamped);
    // Counting our own copy before it is durable is safe: nothing leaves this node (no MsgApp,
    // no commit index, no applied entry) before the Ready that carries these entries is persisted.
    self.maybeUpdate(this.log.lastIndex());
    this.maybeCommit();
    return true;
  }

  /** Advances commit to what a quorum holds, if that entry is of our term (§5.4.2). */
  maybeCommit(): boolean {
    const before = this.log.committed;
    if (!this.log.maybeCommit(this.tracker.committed(), this.term)) return false;
    if (this.log.term(before) !== this.term) this.releasePendingReadIndexMessages();
    return true;
  }

  committedEntryInCurrentTerm(): boolean {
    return this.log.term(this.log.committed) === this.term;
  }

  handleAppendEntries(m: Message): void {
    if (m.index < this.log.committed) {
      this.send({ type: 'MsgAppResp', to: m.from, index: this.log.committed, stamp: m.stamp });
      return;
    }
    const lastNew = this.log.maybeAppend(m.index, m.logTerm, m.commit, m.entries);
    if (lastNew !== undefined) {
      this.send({ type: 'MsgAppResp', to: m.from, index: lastNew, stamp: m.stamp });
      return;
    }
    // Hint the last (index, term) that may match: it lets the leader skip whole terms at once.
    const hint = this.log.findConflictByTerm(Math.min(m.index, this.log.lastIndex()), m.logTerm);
    this.logger.debug(
      `${this.id} [logterm: ${this.log.term(m.index) ?? 0}, index: ${m.index}] rejected MsgApp ` +
        `[logterm: ${m.logTerm}, index: ${m.index}] from ${m.from}`,
    );
    this.send({
      type: 'MsgAppResp',
      to: m.from,
      index: m.index,
      reject: true,
      rejectHint: hint.index,
      logTerm: hint.term,
      stamp: m.stamp,
    });
  }

  handleHeartbeat(m: Message): void {
    this.log.commitTo(m.commit);
    this.send(
      m.context === undefined
        ? { type: 'MsgHeartbeatResp', to: m.from, stamp: m.stamp }
        : { type: 'MsgHeartbeatResp', to: m.from, context: m.context, stamp: m.stamp },
    );
  }

  handleSnapshot(m: Message): void {
    const snapshot = m.snapshot;
    if (!snapshot) {
      this.logger.warn(`${this.id} ignored a MsgSnap without a snapshot from ${m.from}`);
      return;
    }
    const { index, term } = snapshot.metadata;
    if (this.restore(snapshot)) {
      this.logger.info(
        `${this.id} [commit: ${this.log.committed}] restored snapshot [index: ${index}, term: ${term}]`,
      );
      this.send({ type: 'MsgAppResp', to: m.from, index: this.log.lastIndex(), stamp: m.stamp });
    } else {
      this.logger.info(
        `${this.id} [commit: ${this.log.committed}] ignored snapshot [index: ${index}, term: ${term}]`,
      );
      this.send({ type: 'MsgAppResp', to: m.from, index: this.log.committed, stamp: m.stamp });
    }
  }

  /** Installs a leader's snapshot unless our log already covers it. */
  private restore(snapshot: Snapshot): boolean {
    const { index, term, confState } = snapshot.metadata;
    if (index <= this.log.committed) return false;
    if (this.role !== 'follower') {
      this.logger.warn(`${this.id} attempted to restore a snapshot as ${this.role}; should never happen`);
      this.becomeFollower(this.term + 1, NONE);
      return false;
    }
    if (this.log.matchTerm(index, term)) {
      // We hold the entry already: just learn that it is committed.
      this.log.commitTo(index);
      return false;
    }
    this.log.restore(snapshot);
    this.tracker.reset(confState, this.log.lastIndex() + 1);
    this.confIndex = index;
    this.logConfig();
    return true;
  }

  // --- membership ----------------------------------------------------------------------------

  /** Applies a committed conf change (called as its entry is applied). */
  applyConfChange(change: ConfChange, index: number): void {
    if (index <= this.confIndex) return; // superseded by a snapshot restored meanwhile
    this.confIndex = index;
    const problem = confChangeProblem(this.tracker.confState(), change);
    if (problem) {
      // Validated when proposed, so this takes an unusual history; every server replays the same
      // changes from the same start, so all of them skip it alike.
      this.logger.warn(
        `${this.id} skipped conf change ${describeConfChange(change)} at ${index}: ${problem}`,
      );
      return;
    }
    const next = this.log.lastIndex() + 1;
    switch (change.type) {
      case 'add-voter':
        this.tracker.addVoter(change.nodeId, next);
        break;
      case 'add-learner':
        this.tracker.addLearner(change.nodeId, next);
        break;
      case 'remove-node':
        this.tracker.remove(change.nodeId);
        break;
    }
    this.logConfig();
    this.afterConfigChange(change);
  }

  private logConfig(): void {
    const conf = this.tracker.confState();
    this.logger.info(
      `${this.id} switched to configuration voters=(${conf.voters.join(' ')})` +
        (conf.learners.length > 0 ? ` learners=(${conf.learners.join(' ')})` : ''),
    );
  }

  private afterConfigChange(change: ConfChange): void {
    if (this.role !== 'leader') return;
    if (!this.tracker.isVoter(this.id)) {
      // Removed (or never a voter): hand over by stepping down; the rest elect a new leader.
      this.logger.info(`${this.id} is no longer a voter; stepping down`);
      this.becomeFollower(this.term, NONE);
      return;
    }
    if (this.leadTransferee !== NONE && !this.tracker.isVoter(this.leadTransferee))
      this.abortLeaderTransfer();
    if (this.maybeCommit()) this.bcastAppend();
    else for (const id of this.tracker.ids()) if (id !== this.id) this.maybeSendAppend(id, false);
    // A server just added learns of us now rather than at the next heartbeat.
    if (change.type !== 'remove-node' && change.nodeId !== this.id) this.maybeSendAppend(change.nodeId, true);
  }

  /** Whether the leader may take `entries` without exceeding its uncommitted budget. */
  takeUncommitted(entries: readonly NewEntry[]): boolean {
    const bytes = entries.reduce((n, e) => n + e.data.byteLength, 0);
    if (this.uncommittedBytes > 0 && this.uncommittedBytes + bytes > this.cfg.maxUncommittedBytes)
      return false;
    this.uncommittedBytes += bytes;
    return true;
  }

  /** Entries were applied: their bytes no longer count against the budget. */
  releaseUncommitted(entries: readonly Entry[]): void {
    if (this.role !== 'leader') return;
    const bytes = entries.reduce((n, e) => n + e.data.byteLength, 0);
    this.uncommittedBytes = Math.max(0, this.uncommittedBytes - bytes);
  }

  /** Rejects a proposal's conf changes that cannot be accepted now; returns the reason. */
  confChangeRejection(
    entries: readonly NewEntry[],
  ): 'conf-change-pending' | 'invalid-conf-change' | undefined {
    const changes = entries.filter((e) => e.type === 'conf-change');
    if (changes.length === 0) return undefined;
    if (changes.length > 1) return 'invalid-conf-change';
    if (this.pendingConfIndex > this.log.applied) return 'conf-change-pending';
    const first = changes[0];
    if (!first) return undefined;
    let change: ConfChange;
    try {
      change = decodeConfChange(first.data);
    } catch {
      return 'invalid-conf-change';
    }
    const problem = confChangeProblem(this.tracker.confState(), change);
    if (problem) {
      this.logger.info(`${this.id} rejected conf change ${describeConfChange(change)}: ${problem}`);
      return 'invalid-conf-change';
    }
    return undefined;
  }

  // --- leadership transfer -------------------------------------------------------------------

  abortLeaderTransfer(): void {
    this.leadTransferee = NONE;
  }

  sendTimeoutNow(to: NodeId): void {
    this.timeoutNowSent = true;
    this.send({ type: 'MsgTimeoutNow', to });
  }

  // --- reads ---------------------------------------------------------------------------------

  leaseValid(): boolean {
    if (this.role !== 'leader' || this.timeoutNowSent || this.leadTransferee !== NONE) return false;
    if (!this.tracker.isVoter(this.id) || !this.committedEntryInCurrentTerm()) return false;
    return leaseHolds(
      this.ticks,
      this.cfg.leaseTicks,
      this.id,
      this.tracker.voters,
      (id) => this.tracker.progress.get(id)?.leaseStamp ?? Number.NEGATIVE_INFINITY,
    );
  }

  /** The leader answers a read request that it has confirmed. */
  respondToRead(from: NodeId, requestId: string, index: number, via: ReadMode): void {
    if (from === NONE || from === this.id) {
      this.readStates.push({ index, requestId, via });
    } else {
      this.send({ type: 'MsgReadIndexResp', to: from, index, context: requestId, readMode: via });
    }
  }

  /** The leader's handling of a read once it has committed an entry of its term. */
  serveReadIndex(m: Message): void {
    const requestId = m.context ?? '';
    if (m.readMode === 'lease' && this.leaseValid()) {
      this.respondToRead(m.from, requestId, this.log.committed, 'lease');
      return;
    }
    if (!this.readOnly.add(requestId, this.log.committed, m.from)) {
      this.logger.warn(`${this.id} dropped read ${requestId}: ${this.readOnly.size} reads already pending`);
      return;
    }
    this.readOnly.recvAck(this.id, requestId);
    this.bcastHeartbeat(requestId);
  }

  releasePendingReadIndexMessages(): void {
    if (!this.committedEntryInCurrentTerm()) return;
    const waiting = this.pendingReadIndexMessages;
    this.pendingReadIndexMessages = [];
    for (const m of waiting) this.serveReadIndex(m);
  }
}
