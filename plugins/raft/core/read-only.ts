/**
 * Pending ReadIndex requests on the leader. Each records the commit index when it arrived; the
 * leader then sends a heartbeat round carrying the request id, and once a quorum of voters has
 * answered that round the request — and every earlier one, whose heartbeats went out before —
 * is released with its recorded index.
 */
import { quorumSize } from './quorum.js';
import type { NodeId } from './types.js';

export interface PendingRead {
  readonly requestId: string;
  /** The commit index when the request reached the leader. */
  readonly index: number;
  /** Who asked: the leader itself or the follower to answer with MsgReadIndexResp. */
  readonly from: NodeId;
  readonly acks: Set<NodeId>;
}

export class ReadOnlyQueue {
  private readonly pending = new Map<string, PendingRead>();
  private queue: string[] = [];

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.queue.length;
  }

  has(requestId: string): boolean {
    return this.pending.has(requestId);
  }

  /** Returns false when the queue is full (the caller drops the request; it will time out). */
  add(requestId: string, index: number, from: NodeId): boolean {
    if (this.pending.has(requestId)) return true;
    if (this.queue.length >= this.capacity) return false;
    this.pending.set(requestId, { requestId, index, from, acks: new Set() });
    this.queue.push(requestId);
    return true;
  }

  /** Records that `id` answered the heartbeat round of `requestId`; returns the number of acks. */
  recvAck(id: NodeId, requestId: string): number {
    const read = this.pending.get(requestId);
    if (!read) return 0;
    read.acks.add(id);
    return read.acks.size;
  }

  /**
   * Releases `requestId` and everything queued before it once a quorum of `voters` acked it.
   */
  advance(requestId: string, voters: ReadonlySet<NodeId>): PendingRead[] {
    const read = this.pending.get(requestId);
    if (!read) return [];
    let acks = 0;
    for (const id of read.acks) if (voters.has(id)) acks++;
    if (acks < quorumSize(voters.size)) return [];
    const at = this.queue.indexOf(requestId);
    const released = this.queue.slice(0, at + 1);
    this.queue = this.queue.slice(at + 1);
    const out: PendingRead[] = [];
    for (const id of released) {
      const r = this.pending.get(id);
      this.pending.delete(id);
      if (r) out.push(r);
    }
    return out;
  }

  lastRequestId(): string | undefined {
    return this.queue[this.queue.length - 1];
  }
}
