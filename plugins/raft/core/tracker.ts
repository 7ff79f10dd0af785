/**
 * The membership and the leader's per-peer progress, plus the votes of the current election.
 */
import { TribuneError } from '../../../core/errors.js';
import { Progress } from './progress.js';
import { majorityValue, quorumSize, type VoteResult, voteResult } from './quorum.js';
import { type ConfState, type NodeId, sortIds } from './types.js';

export class ProgressTracker {
  readonly voters = new Set<NodeId>();
  readonly learners = new Set<NodeId>();
  readonly progress = new Map<NodeId, Progress>();
  readonly votes = new Map<NodeId, boolean>();

  constructor(readonly maxInflight: number) {}

  /** Replaces the membership with `conf`; every member gets a fresh Progress starting at `next`. */
  reset(conf: ConfState, next: number): void {
    const overlap = conf.voters.filter((id) => conf.learners.includes(id));
    if (overlap.length > 0) {
      throw new TribuneError('INTERNAL', `raft config lists ${overlap.join(',')} as voter and learner`);
    }
    this.voters.clear();
    this.learners.clear();
    this.progress.clear();
    for (const id of conf.voters) this.addVoter(id, next);
    for (const id of conf.learners) this.addLearner(id, next);
  }

  addVoter(id: NodeId, next: number): void {
    this.learners.delete(id);
    this.voters.add(id);
    const existing = this.progress.get(id);
    if (existing) existing.learner = false;
    else this.progress.set(id, this.fresh(next, false));
  }

  addLearner(id: NodeId, next: number): void {
    if (this.voters.has(id)) throw new TribuneError('INTERNAL', `raft cannot demote voter ${id}`);
    this.learners.add(id);
    if (!this.progress.has(id)) this.progress.set(id, this.fresh(next, true));
  }

  remove(id: NodeId): void {
    this.voters.delete(id);
    this.learners.delete(id);
    this.progress.delete(id);
    this.votes.delete(id);
  }

  private fresh(next: number, learner: boolean): Progress {
    const pr = new Progress(next, this.maxInflight, learner);
    // A peer that just joined has not had a chance to answer; don't count it as lost yet.
    pr.recentActive = true;
    return pr;
  }

  isMember(id: NodeId): boolean {
    return this.progress.has(id);
  }

  isVoter(id: NodeId): boolean {
    return this.voters.has(id);
  }

  isSingleton(): boolean {
    return this.voters.size === 1;
  }

  /** Every member in natural id order. */
  ids(): NodeId[] {
    return sortIds(this.progress.keys());
  }

  confState(): ConfState {
    return { voters: sortIds(this.voters), learners: sortIds(this.learners) };
  }

  /** The highest index replicated on a quorum of voters. */
  committed(): number {
    return majorityValue(this.voters, (id) => this.progress.get(id)?.match ?? 0);
  }

  /** Whether a quorum of voters was heard from since the last reset (check-quorum). */
  quorumActive(self: NodeId): boolean {
    let active = 0;
    for (const id of this.voters) {
      if (id === self || this.progress.get(id)?.recentActive) active++;
    }
    return active >= quorumSize(this.voters.size);
  }

  resetRecentActive(self: NodeId): void {
    for (const [id, pr] of this.progress) pr.recentActive = id === self;
  }

  resetVotes(): void {
    this.votes.clear();
  }

  recordVote(id: NodeId, granted: boolean): void {
    if (!this.votes.has(id)) this.votes.set(id, granted);
  }

  tallyVotes(): { granted: number; rejected: number; result: VoteResult } {
    let granted = 0;
    let rejected = 0;
    for (const id of this.voters) {
      const vote = this.votes.get(id);
      if (vote === true) granted++;
      else if (vote === false) rejected++;
    }
    return { granted, rejected, result: voteResult(this.voters, this.votes) };
  }
}
