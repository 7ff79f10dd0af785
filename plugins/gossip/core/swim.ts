/**
 * The gossip state machine: SWIM failure detection with Lifeguard's refinements (probe.ts),
 * infection-style dissemination piggybacked on every packet (outbox.ts), push-pull anti-entropy, and
 * Serf's membership layer (reconnect, reap, user events, conflicts).
 *
 * Pure: time comes in as `nowMs` on every call, randomness from the injected PRNG, and every call returns
 * the packets to send and the events that happened. The adapter's side of the contract:
 * - one timer, set for `nextWakeMs()` after every call and answered with `tick(now)` (early or extra
 *   ticks are harmless; late ones behave like a stalled event loop, which the protocol tolerates);
 * - every datagram and every message read from a stream goes to `receive(from, message, now, reliable)`;
 * - send each returned packet: datagrams as they are (the core keeps them within udpBufferSize by its
 *   estimate), reliable ones over a stream (see OutPacket for answers on an inbound stream);
 * - after `leave()`, keep ticking and sending for leavePropagateDelayMs, then stop.
 *
 * State rules (memberlist's): news about a member wins over what we hold only with a newer incarnation
 * (alive) or at least the same one (suspect, dead, leave); a member refutes anything but "alive" about
 * itself by bumping its incarnation; a suspicion becomes death when its Lifeguard timer runs out.
 */
import { TribuneError } from '../../../core/errors.js';
import { BroadcastQueue } from './broadcast-queue.js';
import { type GossipConfig, validateGossipConfig } from './config.js';
import { pushPullIntervalMs, retransmitLimit } from './math.js';
import {
  aliveOf,
  isLive,
  type MemberRecord,
  MemberTable,
  type MemberView,
  snapshotOf,
  viewOf,
} from './membership.js';
import type {
  GossipMessage,
  LeaveMessage,
  MemberSnapshot,
  NodeMeta,
  PushPullMessage,
  SimpleMessage,
  UserEventMessage,
} from './messages.js';
import { Outbox } from './outbox.js';
import type { GossipOutput, GossipStats } from './output.js';
import type { Random } from './prng.js';
import { Prober } from './probe.js';
import { StateRules } from './state-rules.js';
import { LamportClock, UserEventBuffer } from './user-events.js';

export interface GossipCoreOptions {
  /** This member's unique name (Consul's node name). */
  name: string;
  /** Where others reach this member: "ip:port". */
  address: string;
  meta: NodeMeta;
  config: Readonly<GossipConfig>;
  /** The seeded PRNG; the core has no other source of randomness. */
  random: Random;
  nowMs: number;
  /**
   * Members known from the start, taken as they are: no events, nothing broadcast. For simulations and
   * tests that begin from a formed cluster.
   */
  initialMembers?: readonly MemberSnapshot[];
  /** Start each periodic task at a random point of its interval (default), or exactly one interval in. */
  stagger?: boolean;
  /** Broadcast our own alive at start (default). A member of a formed cluster is already known. */
  announce?: boolean;
}

export class GossipCore {
  private readonly config: Readonly<GossipConfig>;
  private readonly random: Random;
  private readonly self: MemberRecord;
  private readonly table: MemberTable;
  private readonly queue: BroadcastQueue;
  private readonly out: Outbox;
  private readonly prober: Prober;
  private readonly rules: StateRules;
  private readonly eventClock = new LamportClock();
  private readonly userEvents: UserEventBuffer;
  private now: number;
  private leaving = false;
  private nextGossipAt: number;
  private nextPushPullAt: number;
  private nextReconnectAt: number;
  private nextReapAt: number;
  /** True while a join that skips old user events waits for its push-pull answer. */
  private ignoreOldEvents = false;

  constructor(options: GossipCoreOptions) {
    validateGossipConfig(options.config);
    this.config = options.config;
    this.random = options.random;
    this.now = options.nowMs;
    this.table = new MemberTable(options.name, options.random);
    this.self = this.table.add({
      name: options.name,
      address: options.address,
      meta: options.meta,
      incarnation: 1,
      state: 'alive',
      stateChangeMs: options.nowMs,
    });
    for (const member of options.initialMembers ?? []) {
      if (member.name === options.name || this.table.get(member.name)) continue;
      this.table.add({ ...member, stateChangeMs: options.nowMs });
    }
    this.queue = new BroadcastQueue(this.queueDepth());
    this.out = new Outbox(this.queue, this.config.udpBufferSize, () =>
      retransmitLimit(this.config.retransmitMult, this.table.size),
    );
    this.userEvents = new UserEventBuffer(this.config.eventBufferSize);
    const stagger = options.stagger ?? true;
    const first = (interval: number) =>
      options.nowMs + (stagger ? Math.floor(this.random() * interval) : interval);
    this.prober = new Prober(
      this.config,
      this.self,
      this.table,
      this.out,
      first(this.config.probeIntervalMs),
      (target) =>
        this.rules.suspect({
          type: 'suspect',
          node: target.name,
          incarnation: target.incarnation,
          from: this.self.name,
        }),
    );
    this.rules = new StateRules(this.config, this.self, this.table, this.out, {
      now: () => this.now,
      leaving: () => this.leaving,
      broadcast: (message, key) => this.broadcast(message, key),
      adjustAwareness: (delta) => this.prober.adjustAwareness(delta),
      lastCall: (suspect) => this.prober.lastCall(suspect),
    });
    this.nextGossipAt = first(this.config.gossipIntervalMs);
    this.nextPushPullAt = first(pushPullIntervalMs(this.config.pushPullIntervalMs, this.table.size));
    this.nextReconnectAt = options.nowMs + this.config.reconnectIntervalMs;
    this.nextReapAt = options.nowMs + this.config.reapIntervalMs;
    // Announce ourselves; the first call's output carries our own join.
    if (options.announce ?? true) this.broadcast(aliveOf(this.self), this.self.name);
    this.out.emitMember('join', this.self);
  }

  // ---- queries ----

  get name(): string {
    return this.self.name;
  }

  get incarnation(): number {
    return this.self.incarnation;
  }

  /** Lifeguard's local health score: 0 is healthy; probe windows stretch by (score + 1). */
  get awarenessScore(): number {
    return this.prober.awareness;
  }

  get pendingBroadcasts(): number {
    return this.queue.size;
  }

  get hasLeft(): boolean {
    return this.leaving;
  }

  members(): MemberView[] {
    return this.table.values().map(viewOf);
  }

  member(name: string): MemberView | undefined {
    const record = this.table.get(name);
    return record ? viewOf(record) : undefined;
  }

  /** How many members are in each state (including ourselves). */
  memberCounts(): { alive: number; suspect: number; dead: number; left: number } {
    return {
      alive: this.table.count('alive'),
      suspect: this.table.count('suspect'),
      dead: this.table.count('dead'),
      left: this.table.count('left'),
    };
  }

  stats(): Readonly<GossipStats> {
    return { ...this.out.counters };
  }

  /** The earliest time at which tick() has something to do. */
  nextWakeMs(): number {
    let wake = Math.min(this.nextGossipAt, this.nextReapAt, this.prober.nextWakeMs(!this.leaving));
    if (!this.leaving && this.config.pushPullIntervalMs > 0) wake = Math.min(wake, this.nextPushPullAt);
    if (!this.leaving && this.config.reconnectIntervalMs > 0) wake = Math.min(wake, this.nextReconnectAt);
    wake = Math.min(wake, this.rules.nextDeadlineMs());
    return wake;
  }

  // ---- inputs ----

  /** Runs everything due at `nowMs`: probe timeouts and relays, suspicions, then the periodic tasks. */
  tick(nowMs: number): GossipOutput {
    this.advance(nowMs);
    this.prober.expire(this.now);
    this.rules.expireSuspicions();
    this.prober.startIfDue(this.now, !this.leaving);
    if (this.now >= this.nextGossipAt) {
      this.nextGossipAt = this.following(this.nextGossipAt, this.config.gossipIntervalMs);
      this.gossip();
    }
    if (!this.leaving && this.config.pushPullIntervalMs > 0 && this.now >= this.nextPushPullAt) {
      const interval = pushPullIntervalMs(this.config.pushPullIntervalMs, this.table.size);
      this.nextPushPullAt = this.following(this.nextPushPullAt, interval);
      this.periodicPushPull();
    }
    if (!this.leaving && this.config.reconnectIntervalMs > 0 && this.now >= this.nextReconnectAt) {
      this.nextReconnectAt = this.following(this.nextReconnectAt, this.config.reconnectIntervalMs);
      this.reconnect();
    }
    if (this.now >= this.nextReapAt) {
      this.nextReapAt = this.following(this.nextReapAt, this.config.reapIntervalMs);
      this.reap();
    }
    return this.out.flush();
  }

  /** Handles one message from `fromAddress`; `reliable` when it arrived over a stream. */
  receive(fromAddress: string, message: GossipMessage, nowMs: number, reliable = false): GossipOutput {
    this.advance(nowMs);
    if (message.type === 'compound') {
      for (const part of message.parts) this.handle(fromAddress, part, reliable);
    } else {
      this.handle(fromAddress, message, reliable);
    }
    return this.out.flush();
  }

  /**
   * Starts a push-pull with each address. Old user events are not replayed (Consul's default) unless
   * `replayEvents`. Joining again after leave() makes us a live member again.
   */
  join(addresses: readonly string[], nowMs: number, options: { replayEvents?: boolean } = {}): GossipOutput {
    this.advance(nowMs);
    if (this.leaving) {
      this.leaving = false;
      this.table.setState(this.self, 'alive', this.now);
      this.self.incarnation += 1;
      this.broadcast(aliveOf(this.self), this.self.name);
    }
    this.ignoreOldEvents = !options.replayEvents;
    for (const address of addresses) {
      if (address !== this.self.address) this.out.sendReliable(address, this.pushPullMessage(true, false));
    }
    return this.out.flush();
  }

  /**
   * Graceful leave: we become "left", broadcast it at once and stop probing. The adapter keeps ticking
   * for leavePropagateDelayMs (or until pendingBroadcasts is 0) so the news spreads, then stops.
   */
  leave(nowMs: number): GossipOutput {
    this.advance(nowMs);
    if (!this.leaving) {
      this.leaving = true;
      this.table.setState(this.self, 'left', this.now);
      this.broadcast(this.leaveMessage(this.self), this.self.name);
      this.gossip();
    }
    return this.out.flush();
  }

  /** Changes our tags: a new incarnation, so the change wins everywhere. */
  setMeta(meta: NodeMeta, nowMs: number): GossipOutput {
    this.advance(nowMs);
    this.self.meta = meta;
    this.self.incarnation += 1;
    this.broadcast(aliveOf(this.self), this.self.name);
    this.out.emitMember('update', this.self);
    return this.out.flush();
  }

  /**
   * Fires a user event to every member (Serf's user event): stamped with our Lamport time, delivered
   * locally too. Name and payload together are limited to userEventSizeLimit bytes.
   */
  fireEvent(name: string, payload: Uint8Array, nowMs: number, coalesce = true): GossipOutput {
    this.advance(nowMs);
    const size = new TextEncoder().encode(name).length + payload.length;
    if (size > this.config.userEventSizeLimit) {
      throw new TribuneError(
        'TOO_LARGE',
        `user event exceeds configured limit of ${this.config.userEventSizeLimit} bytes before encoding`,
      );
    }
    const event: UserEventMessage = {
      type: 'user-event',
      ltime: this.eventClock.time,
      name,
      payload,
      coalesce,
    };
    this.eventClock.increment();
    this.handleUserEvent(event);
    return this.out.flush();
  }

  /**
   * Marks a member as left on everyone's behalf (Consul's force-leave), usually a failed one; with
   * `prune` it is forgotten at once. A live member that hears of it refutes.
   */
  forceLeave(name: string, nowMs: number, prune = false): GossipOutput & { found: boolean } {
    this.advance(nowMs);
    const record = this.table.get(name);
    if (!record || record === this.self) return { ...this.out.flush(), found: false };
    this.rules.leave(this.leaveMessage(record));
    if (prune) this.forget(record);
    return { ...this.out.flush(), found: true };
  }

  // ---- plumbing ----

  private advance(nowMs: number): void {
    // Time never runs backwards inside the core, whatever the caller's clock does.
    if (nowMs > this.now) this.now = nowMs;
  }

  /** The next run of a periodic task: one interval on, or one interval from now if we fell behind. */
  private following(due: number, interval: number): number {
    const next = due + interval;
    return next > this.now ? next : this.now + interval;
  }

  private queueDepth(): number {
    return Math.max(this.config.minQueueDepth, 2 * this.table.size);
  }

  private broadcast(message: SimpleMessage, key?: string): void {
    this.queue.setMaxDepth(this.queueDepth());
    this.queue.push(message, key);
  }

  private leaveMessage(record: MemberRecord): LeaveMessage {
    return { type: 'leave', node: record.name, incarnation: record.incarnation };
  }

  private pushPullMessage(join: boolean, reply: boolean): PushPullMessage {
    return {
      type: 'push-pull',
      join,
      reply,
      members: this.table.values().map(snapshotOf),
      eventClock: this.eventClock.time,
      events: this.userEvents.recent(),
    };
  }

  private handle(from: string, message: SimpleMessage, reliable: boolean): void {
    switch (message.type) {
      case 'ping':
        this.prober.onPing(from, message, reliable);
        break;
      case 'indirect-ping':
        this.prober.onIndirectPing(from, message, this.now);
        break;
      case 'ack':
        this.prober.onAck(message.seq, reliable, this.now);
        break;
      case 'nack':
        this.prober.onNack(message.seq);
        break;
      case 'alive':
        this.rules.alive(message);
        break;
      case 'suspect':
        this.rules.suspect(message);
        break;
      case 'dead':
        this.rules.dead(message);
        break;
      case 'leave':
        this.rules.leave(message);
        break;
      case 'user-event':
        this.handleUserEvent(message);
        break;
      case 'push-pull':
        this.handlePushPull(from, message);
        break;
    }
  }

  // ---- dissemination ----

  /** One gossip round: queued broadcasts to `gossipNodes` random members (recently dead ones too). */
  private gossip(): void {
    if (this.queue.size === 0) return;
    const targets = this.table.randomMembers(this.config.gossipNodes, (r) => {
      if (r === this.self) return false;
      if (isLive(r.state)) return true;
      // A member declared dead may only be unreachable one way; telling it lets it refute.
      return r.state === 'dead' && this.now - r.stateChangeMs < this.config.gossipToTheDeadMs;
    });
    for (const target of targets) {
      if (!this.out.sendBroadcasts(target.address)) break;
    }
  }

  private periodicPushPull(): void {
    const [peer] = this.table.randomMembers(1, (r) => r !== this.self && r.state === 'alive');
    if (peer) this.out.sendReliable(peer.address, this.pushPullMessage(false, false));
  }

  /** Serf's reconnect: now and then, try a failed member again, more often the more have failed. */
  private reconnect(): void {
    const failed = this.table.count('dead');
    if (failed === 0) return;
    const live = Math.max(1, this.table.count('alive') + this.table.count('suspect'));
    if (this.random() > failed / live) return;
    const [peer] = this.table.randomMembers(1, (r) => r.state === 'dead');
    if (peer) this.out.sendReliable(peer.address, this.pushPullMessage(false, false));
  }

  private handlePushPull(from: string, message: PushPullMessage): void {
    // Answer with our state as it was before merging theirs, as memberlist does.
    if (!message.reply) this.out.sendReliable(from, this.pushPullMessage(message.join, true));
    for (const member of message.members) this.rules.mergeRemote(member);
    if (message.eventClock > 0) this.eventClock.witness(message.eventClock - 1);
    if (message.reply && message.join && this.ignoreOldEvents) {
      this.userEvents.ignoreBefore(message.eventClock);
      this.ignoreOldEvents = false;
    }
    for (const event of message.events) this.handleUserEvent(event);
  }

  // ---- membership housekeeping and events ----

  /** Forgets failed members after reconnectTimeout and departed ones after the (shorter) tombstone. */
  private reap(): void {
    const expired: MemberRecord[] = [];
    for (const record of this.table.values()) {
      if (record === this.self) continue;
      const age = this.now - record.stateChangeMs;
      if (record.state === 'dead' && age >= this.config.reconnectTimeoutMs) expired.push(record);
      else if (record.state === 'left' && age >= this.config.tombstoneTimeoutMs) expired.push(record);
    }
    for (const record of expired) this.forget(record);
  }

  private forget(record: MemberRecord): void {
    this.table.remove(record.name);
    this.rules.suspicions.delete(record.name);
    this.out.emitMember('reap', record);
  }

  private handleUserEvent(event: UserEventMessage): void {
    this.eventClock.witness(event.ltime);
    if (!this.userEvents.accept(event, this.eventClock.time)) return;
    this.out.emit({
      type: 'user-event',
      name: event.name,
      payload: event.payload,
      ltime: event.ltime,
      coalesce: event.coalesce,
    });
    this.broadcast(event);
  }
}
