/**
 * The membership state rules (memberlist's, with Serf's leave): how alive, suspect, dead and leave news
 * about a member changes what we hold, Lifeguard suspicion timers with independent confirmations, and
 * refutation when the news is about ourselves. Every accepted change is re-broadcast under the member's
 * name, so a newer message about someone supersedes the queued older one.
 */
import { suspicionBounds } from './math.js';
import { aliveOf, type MemberRecord, type MemberTable, viewOf } from './membership.js';
import type {
  AliveMessage,
  DeadMessage,
  LeaveMessage,
  MemberSnapshot,
  NodeMeta,
  SimpleMessage,
  SuspectMessage,
} from './messages.js';
import type { Outbox } from './outbox.js';
import { Suspicion } from './suspicion.js';

export interface RulesSettings {
  readonly suspicionMult: number;
  readonly suspicionMaxTimeoutMult: number;
  readonly probeIntervalMs: number;
  readonly deadNodeReclaimMs: number;
  readonly lastCallTimeoutMs: number;
}

/** What the rules need from the core around them. */
export interface RulesHost {
  now(): number;
  /** True once we left gracefully: news of our own departure is then not refuted. */
  leaving(): boolean;
  broadcast(message: SimpleMessage, key: string): void;
  adjustAwareness(delta: number): void;
  /** Checks a suspect directly once more, telling it it is suspected (see lastCallTimeoutMs). */
  lastCall(suspect: MemberRecord): void;
}

export function sameMeta(a: NodeMeta, b: NodeMeta): boolean {
  if (a === b) return true;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) if (a[key] !== b[key]) return false;
  return true;
}

export class StateRules {
  /** Running suspicions by member name. */
  readonly suspicions = new Map<string, Suspicion>();

  constructor(
    private readonly config: RulesSettings,
    private readonly self: MemberRecord,
    private readonly table: MemberTable,
    private readonly out: Outbox,
    private readonly host: RulesHost,
  ) {}

  /** The earliest suspicion deadline (Infinity when none). */
  nextDeadlineMs(): number {
    let wake = Number.POSITIVE_INFINITY;
    for (const suspicion of this.suspicions.values()) wake = Math.min(wake, suspicion.deadlineMs);
    return wake;
  }

  /** Someone says we are not alive: outbid them with a higher incarnation, and doubt our own health. */
  private refute(accused: number): void {
    this.self.incarnation = Math.max(this.self.incarnation, accused) + 1;
    this.host.adjustAwareness(1);
    this.out.counters.refutes += 1;
    this.host.broadcast(aliveOf(this.self), this.self.name);
  }

  alive(alive: AliveMessage): void {
    const isSelf = alive.node === this.self.name;
    if (isSelf && this.host.leaving()) return;
    const record = this.table.get(alive.node);
    if (!record) {
      const added = this.table.add({
        name: alive.node,
        address: alive.address,
        meta: alive.meta,
        incarnation: alive.incarnation,
        state: 'alive',
        stateChangeMs: this.host.now(),
      });
      this.host.broadcast(alive, alive.node);
      this.out.emitMember('join', added);
      return;
    }
    let reclaimed = false;
    if (record.address !== alive.address) {
      const reclaimable =
        record.state === 'left' ||
        (record.state === 'dead' &&
          this.config.deadNodeReclaimMs > 0 &&
          this.host.now() - record.stateChangeMs >= this.config.deadNodeReclaimMs);
      if (!reclaimable || isSelf) {
        this.out.emit({
          type: 'conflict',
          existing: viewOf(record),
          other: { name: alive.node, address: alive.address, meta: alive.meta },
        });
        return;
      }
      reclaimed = true;
    }
    if (isSelf) {
      // Our own news coming back is fine; anything newer, or different at our incarnation, is refuted.
      if (alive.incarnation < record.incarnation) return;
      if (alive.incarnation === record.incarnation && sameMeta(alive.meta, record.meta)) return;
      this.refute(alive.incarnation);
      return;
    }
    if (alive.incarnation <= record.incarnation && !reclaimed) return;
    this.suspicions.delete(alive.node);
    const previous = record.state;
    const metaChanged = !sameMeta(record.meta, alive.meta);
    this.host.broadcast(alive, alive.node);
    record.incarnation = alive.incarnation;
    record.meta = alive.meta;
    record.address = alive.address;
    this.table.setState(record, 'alive', this.host.now());
    if (previous === 'dead' || previous === 'left') this.out.emitMember('join', record);
    else if (metaChanged) this.out.emitMember('update', record);
  }

  suspect(suspect: SuspectMessage): void {
    const record = this.table.get(suspect.node);
    if (!record) return;
    if (suspect.incarnation < record.incarnation) {
      this.reannounceIfSelf(record);
      return;
    }
    const existing = this.suspicions.get(suspect.node);
    if (existing) {
      // An independent confirmation: shrink the timer and pass the news on.
      if (existing.confirm(suspect.from)) this.host.broadcast(suspect, suspect.node);
      return;
    }
    if (record.state !== 'alive') return;
    if (record === this.self) {
      this.refute(suspect.incarnation);
      return;
    }
    this.host.broadcast(suspect, suspect.node);
    record.incarnation = suspect.incarnation;
    this.table.setState(record, 'suspect', this.host.now());
    const bounds = suspicionBounds(this.config, this.table.size);
    this.suspicions.set(
      suspect.node,
      new Suspicion({
        suspect: suspect.node,
        from: suspect.from,
        incarnation: suspect.incarnation,
        k: bounds.k,
        minMs: bounds.minMs,
        maxMs: bounds.maxMs,
        startMs: this.host.now(),
      }),
    );
    this.out.counters.suspicionsRaised += 1;
  }

  dead(dead: DeadMessage): void {
    const record = this.table.get(dead.node);
    if (!record) return;
    if (dead.incarnation < record.incarnation) {
      this.reannounceIfSelf(record);
      return;
    }
    this.suspicions.delete(dead.node);
    if (record.state === 'dead' || record.state === 'left') return;
    if (record === this.self) {
      if (!this.host.leaving()) this.refute(dead.incarnation);
      return;
    }
    this.host.broadcast(dead, dead.node);
    record.incarnation = dead.incarnation;
    this.table.setState(record, 'dead', this.host.now());
    this.out.emitMember('fail', record);
  }

  leave(leave: LeaveMessage): void {
    const record = this.table.get(leave.node);
    if (!record || leave.incarnation < record.incarnation) return;
    if (record === this.self) {
      if (!this.host.leaving()) this.refute(leave.incarnation);
      return;
    }
    this.suspicions.delete(leave.node);
    // A failed member may still be marked left (force-leave, or a leave that arrived late).
    if (record.state === 'left') return;
    this.host.broadcast(leave, leave.node);
    record.incarnation = leave.incarnation;
    this.table.setState(record, 'left', this.host.now());
    this.out.emitMember('leave', record);
  }

  /**
   * Suspicions whose time ran out. Unless disabled, the suspect first gets a last call: one more direct
   * check that tells it it is suspected; it is declared dead only if no refutation arrives in time.
   * This catches the one way gossip fails a live member: its refutation, spread at random, missed us.
   */
  expireSuspicions(): void {
    const now = this.host.now();
    for (const [name, suspicion] of this.suspicions) {
      if (now < suspicion.deadlineMs) continue;
      const record = this.table.get(name);
      if (record?.state !== 'suspect' || record.incarnation !== suspicion.incarnation) {
        this.suspicions.delete(name);
        continue;
      }
      if (!suspicion.lastCallMade && this.config.lastCallTimeoutMs > 0) {
        suspicion.lastCall(now, this.config.lastCallTimeoutMs);
        this.host.lastCall(record);
        continue;
      }
      this.suspicions.delete(name);
      this.dead({ type: 'dead', node: name, incarnation: record.incarnation, from: this.self.name });
    }
  }

  /**
   * Someone still spreads old news about us (it missed our refutation): announce our current alive
   * again, freshly queued, without a new incarnation.
   */
  private reannounceIfSelf(record: MemberRecord): void {
    if (record === this.self && !this.host.leaving()) this.host.broadcast(aliveOf(this.self), this.self.name);
  }
  /** A remote member's state: a remote "dead" only makes us suspect it, so it gets a chance to refute. */
  mergeRemote(member: MemberSnapshot): void {
    const { name: node, incarnation } = member;
    if (member.state === 'alive') {
      this.alive({ type: 'alive', node, address: member.address, incarnation, meta: member.meta });
    } else if (member.state === 'left') {
      this.leave({ type: 'leave', node, incarnation });
    } else {
      this.suspect({ type: 'suspect', node, incarnation, from: this.self.name });
    }
  }
}
