/**
 * The leader's record of one follower: how much of the log is known to match (`match`), what to
 * send next (`next`), and the flow-control state:
 *  - probe: the follower's position is unknown; one MsgApp at a time until it answers;
 *  - replicate: it is keeping up; MsgApps are pipelined, `next` advanced optimistically,
 *    bounded by the inflights window;
 *  - snapshot: it needs a snapshot; nothing else is sent until that is reported done or failed.
 */
import { Inflights } from './inflights.js';
import type { ProgressState, ProgressStatus } from './types.js';

export class Progress {
  match = 0;
  next: number;
  state: ProgressState = 'probe';
  /** In probe: a probe is outstanding. In replicate: the window is full. Either way, wait. */
  paused = false;
  /** Index of the snapshot being sent while in the snapshot state. */
  pendingSnapshot = 0;
  /** The highest commit index sent in a MsgApp (the follower may not know a later one). */
  sentCommit = 0;
  /** Heard from since the last check-quorum round. */
  recentActive = false;
  learner: boolean;
  /** The most recent leader stamp this follower echoed back in the current term (lease.ts). */
  leaseStamp = Number.NEGATIVE_INFINITY;
  readonly inflights: Inflights;

  constructor(next: number, maxInflight: number, learner: boolean) {
    this.next = next;
    this.learner = learner;
    this.inflights = new Inflights(maxInflight);
  }

  private resetState(state: ProgressState): void {
    this.paused = false;
    this.pendingSnapshot = 0;
    this.state = state;
    this.inflights.reset();
  }

  becomeProbe(): void {
    if (this.state === 'snapshot') {
      // The snapshot arrived (or we give up on it): probe right after it.
      const pending = this.pendingSnapshot;
      this.resetState('probe');
      this.next = Math.max(this.match + 1, pending + 1);
    } else {
      this.resetState('probe');
      this.next = this.match + 1;
    }
    this.sentCommit = Math.min(this.sentCommit, this.next - 1);
  }

  becomeReplicate(): void {
    this.resetState('replicate');
    this.next = this.match + 1;
  }

  becomeSnapshot(snapshotIndex: number): void {
    this.resetState('snapshot');
    this.pendingSnapshot = snapshotIndex;
  }

  /** An acknowledgement up to `index`; returns whether it moved `match`. */
  maybeUpdate(index: number): boolean {
    if (index <= this.match) return false;
    this.match = index;
    this.next = Math.max(this.next, index + 1);
    this.paused = false;
    return true;
  }

  /**
   * A rejection of the MsgApp whose previous index was `rejected`, with the follower's hint that
   * it may match up to `matchHint`. Returns false when the rejection is stale.
   */
  maybeDecrTo(rejected: number, matchHint: number): boolean {
    if (this.state === 'replicate') {
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      this.sentCommit = Math.min(this.sentCommit, this.next - 1);
      return true;
    }
    // Probes go one at a time, so only the answer to the latest one counts.
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, matchHint + 1), this.match + 1);
    this.sentCommit = Math.min(this.sentCommit, this.next - 1);
    this.paused = false;
    return true;
  }

  /** Bookkeeping after a MsgApp with `entries` entries (`bytes` of them) went out. */
  sentEntries(entries: number, bytes: number): void {
    if (this.state === 'replicate') {
      if (entries > 0) {
        this.next += entries;
        this.inflights.add(this.next - 1, bytes);
      }
      this.paused = this.inflights.full();
    } else if (entries > 0) {
      this.paused = true;
    }
  }

  sentCommitIndex(commit: number): void {
    this.sentCommit = commit;
  }

  /** Whether a MsgApp carrying `commit` could move the follower's commit index. */
  canBumpCommit(commit: number): boolean {
    return this.sentCommit < Math.min(commit, this.next - 1);
  }

  isPaused(): boolean {
    return this.state === 'snapshot' ? true : this.paused;
  }

  status(): ProgressStatus {
    return {
      match: this.match,
      next: this.next,
      state: this.state,
      learner: this.learner,
      recentActive: this.recentActive,
      inflight: this.inflights.count,
      pendingSnapshot: this.pendingSnapshot,
    };
  }
}
