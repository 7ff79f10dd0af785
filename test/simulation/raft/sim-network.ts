/**
 * A simulated network for raft messages: per-message loss, delay (with occasional stragglers,
 * which reorders), duplication, and directed partitions (so asymmetric ones too). Every choice
 * comes from one seeded PRNG; packets due at the same time leave in send order.
 */
import type { Rand } from '../../../plugins/raft/core/rand.js';
import type { Message, NodeId } from '../../../plugins/raft/core/types.js';

export interface NetworkKnobs {
  /** Probability that a message is lost. */
  loss: number;
  /** Probability that a message is delivered twice. */
  duplicate: number;
  /** Delay in time units, uniform in [delayMin, delayMax]. */
  delayMin: number;
  delayMax: number;
  /** Probability of a straggler delayed up to longDelayMax instead. */
  longDelay: number;
  longDelayMax: number;
}

export type DropReason = 'loss' | 'partition' | 'down';

interface Packet {
  readonly at: number;
  readonly seq: number;
  readonly msg: Message;
}

/** A binary min-heap on (at, seq). */
class PacketQueue {
  private heap: Packet[] = [];

  get size(): number {
    return this.heap.length;
  }

  private less(a: Packet, b: Packet): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  push(p: Packet): void {
    const h = this.heap;
    h.push(p);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pi = h[parent];
      const ci = h[i];
      if (!pi || !ci || !this.less(ci, pi)) break;
      h[parent] = ci;
      h[i] = pi;
      i = parent;
    }
  }

  peek(): Packet | undefined {
    return this.heap[0];
  }

  pop(): Packet | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length === 0 || !last) return top;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      const hm = () => h[m] as Packet;
      if (l < h.length && this.less(h[l] as Packet, hm())) m = l;
      if (r < h.length && this.less(h[r] as Packet, hm())) m = r;
      if (m === i) break;
      const tmp = h[i] as Packet;
      h[i] = h[m] as Packet;
      h[m] = tmp;
      i = m;
    }
    return top;
  }
}

export class SimNetwork {
  private readonly queue = new PacketQueue();
  private seq = 0;
  /** Directed pairs `from>to` that cannot deliver. */
  private readonly blocked = new Set<string>();
  sent = 0;
  dropped = 0;

  constructor(
    private readonly rand: Rand,
    public knobs: NetworkKnobs,
  ) {}

  get inFlight(): number {
    return this.queue.size;
  }

  /** When the next packet is due (for failure reports). */
  nextDue(): number | undefined {
    return this.queue.peek()?.at;
  }

  private delay(): number {
    const k = this.knobs;
    if (this.rand.chance(k.longDelay)) return this.rand.int(k.delayMin, k.longDelayMax + 1);
    return this.rand.int(k.delayMin, k.delayMax + 1);
  }

  /** Queues `msg`; returns false when it was lost on the way. */
  send(msg: Message, now: number): boolean {
    this.sent++;
    if (this.rand.chance(this.knobs.loss)) {
      this.dropped++;
      return false;
    }
    this.queue.push({ at: now + this.delay(), seq: this.seq++, msg });
    if (this.rand.chance(this.knobs.duplicate))
      this.queue.push({ at: now + this.delay(), seq: this.seq++, msg });
    return true;
  }

  /** Packets due by `now`, oldest first. */
  due(now: number): Message[] {
    const out: Message[] = [];
    for (let p = this.queue.peek(); p && p.at <= now; p = this.queue.peek()) {
      this.queue.pop();
      out.push(p.msg);
    }
    return out;
  }

  canDeliver(from: NodeId, to: NodeId): boolean {
    return !this.blocked.has(`${from}>${to}`);
  }

  block(from: NodeId, to: NodeId): void {
    this.blocked.add(`${from}>${to}`);
  }

  heal(): void {
    this.blocked.clear();
  }

  get partitioned(): boolean {
    return this.blocked.size > 0;
  }
}
