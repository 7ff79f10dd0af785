/**
 * A whole gossip cluster in one process on virtual time: every member is a pure GossipCore, woken at
 * its own nextWakeMs(), exchanging packets over the SimNetwork. One seed drives everything, so a run
 * replays exactly. Faults: crash (state lost) and restart, partitions, loss, and stalls, in which a
 * member's event loop is stuck: nothing it is sent is handled until the stall ends, and then, as in
 * Node, its overdue timers run before the packets that piled up.
 */
import type { GossipConfig } from '../../../plugins/gossip/core/config.js';
import type { GossipMessage, MemberSnapshot, NodeMeta } from '../../../plugins/gossip/core/messages.js';
import type { GossipEvent, GossipOutput } from '../../../plugins/gossip/core/output.js';
import { createRandom, type Random } from '../../../plugins/gossip/core/prng.js';
import { GossipCore } from '../../../plugins/gossip/core/swim.js';
import { EventHeap } from './event-heap.js';
import { CLEAN_NETWORK, type NetworkFaults, SimNetwork } from './sim-network.js';

export interface ObservedEvent {
  readonly time: number;
  readonly observer: string;
  readonly type: GossipEvent['type'];
  /** The member the event is about (the event name for user events). */
  readonly subject: string;
  /** The subject's incarnation, for member events (0 otherwise). */
  readonly incarnation: number;
}

interface Arrival {
  readonly from: string;
  readonly message: GossipMessage;
  readonly reliable: boolean;
}

interface SimMember {
  readonly name: string;
  readonly address: string;
  core: GossipCore | undefined;
  /** Bumped on every crash/restart, so events for an earlier life are ignored. */
  life: number;
  stalledUntil: number;
  backlog: Arrival[];
  scheduledWake: number;
}

type SimStep =
  | { kind: 'wake'; member: SimMember; life: number; at: number }
  | { kind: 'deliver'; member: SimMember; life: number; arrival: Arrival }
  | { kind: 'resume'; member: SimMember; life: number };

export interface SimulationOptions {
  seed: number;
  config: Readonly<GossipConfig>;
  faults?: NetworkFaults;
}

/** Far more events at one virtual millisecond than any cluster here produces. */
const MAX_STEPS_WITHOUT_PROGRESS = 1_000_000;

/** Members' address: their name on the gossip port (names are unique in a simulation). */
export function addressOf(name: string): string {
  return `${name}:8301`;
}

export class GossipSimulation {
  readonly seed: number;
  readonly network: SimNetwork;
  readonly config: Readonly<GossipConfig>;
  now = 0;
  private readonly random: Random;
  private readonly heap = new EventHeap<SimStep>();
  private readonly members = new Map<string, SimMember>();
  private readonly byAddress = new Map<string, SimMember>();
  private readonly listeners: ((event: ObservedEvent) => void)[] = [];
  steps = 0;

  constructor(options: SimulationOptions) {
    this.seed = options.seed;
    this.random = createRandom(options.seed);
    this.config = options.config;
    this.network = new SimNetwork(this.random, options.faults ?? CLEAN_NETWORK);
  }

  onEvent(listener: (event: ObservedEvent) => void): void {
    this.listeners.push(listener);
  }

  /** Starts `names` as a cluster that has already formed: everyone knows everyone, alive. */
  formCluster(names: readonly string[], meta: NodeMeta = {}): void {
    const snapshots: MemberSnapshot[] = names.map((name) => ({
      name,
      address: addressOf(name),
      meta,
      incarnation: 1,
      state: 'alive',
    }));
    for (const name of names) this.start(name, meta, snapshots);
  }

  /** Starts a new member and has it join through the named members. */
  addMember(name: string, joinVia: readonly string[], meta: NodeMeta = {}): void {
    const member = this.start(name, meta, []);
    const core = member.core as GossipCore;
    this.apply(member, core.join(joinVia.map(addressOf), this.now));
  }

  /** Kills a member: its state is gone and nothing reaches it until restart. */
  crash(name: string): void {
    const member = this.get(name);
    member.core = undefined;
    member.life += 1;
    member.backlog = [];
    member.stalledUntil = 0;
    member.scheduledWake = Number.POSITIVE_INFINITY;
  }

  /** Starts a crashed member again, empty, joining through the named members. */
  restart(name: string, joinVia: readonly string[], meta: NodeMeta = {}): void {
    const member = this.get(name);
    if (member.core) throw new Error(`${name} is running`);
    member.core = this.createCore(name, meta, []);
    this.apply(member, member.core.join(joinVia.map(addressOf), this.now));
  }

  /** Freezes a member's event loop for `durationMs` from now. */
  stall(name: string, durationMs: number): void {
    const member = this.get(name);
    if (!member.core) return;
    member.stalledUntil = Math.max(member.stalledUntil, this.now + durationMs);
    this.heap.push(member.stalledUntil, { kind: 'resume', member, life: member.life });
  }

  isCrashed(name: string): boolean {
    return this.get(name).core === undefined;
  }

  isStalled(name: string): boolean {
    return this.get(name).stalledUntil > this.now;
  }

  core(name: string): GossipCore {
    const core = this.get(name).core;
    if (!core) throw new Error(`${name} is not running`);
    return core;
  }

  /** Names of members whose process is running. */
  running(): string[] {
    return [...this.members.values()].filter((m) => m.core !== undefined).map((m) => m.name);
  }

  /** Calls `fn` on a running member's core at the current time and handles its output. */
  act(name: string, fn: (core: GossipCore, now: number) => GossipOutput): void {
    const member = this.get(name);
    const core = member.core;
    if (!core) throw new Error(`${name} is not running`);
    this.apply(member, fn(core, this.now));
  }

  /**
   * Advances virtual time to `untilMs`, handling everything due on the way. A core that keeps asking
   * to be woken without time moving is a bug: the run stops and names the seed.
   */
  runUntil(untilMs: number): void {
    let stepsAtThisTime = 0;
    for (;;) {
      const next = this.heap.peekTime();
      if (next === undefined || next > untilMs) break;
      const popped = this.heap.pop();
      if (!popped) break;
      stepsAtThisTime = popped.time > this.now ? 0 : stepsAtThisTime + 1;
      if (stepsAtThisTime > MAX_STEPS_WITHOUT_PROGRESS) {
        throw new Error(`simulation made no progress at t=${this.now}ms (seed ${this.seed})`);
      }
      this.now = Math.max(this.now, popped.time);
      this.steps += 1;
      this.dispatch(popped.item);
    }
    this.now = Math.max(this.now, untilMs);
  }

  run(durationMs: number): void {
    this.runUntil(this.now + durationMs);
  }

  private get(name: string): SimMember {
    const member = this.members.get(name);
    if (!member) throw new Error(`no member ${name}`);
    return member;
  }

  private createCore(name: string, meta: NodeMeta, initial: readonly MemberSnapshot[]): GossipCore {
    return new GossipCore({
      name,
      address: addressOf(name),
      meta,
      config: this.config,
      random: createRandom(Math.floor(this.random() * 0x1_0000_0000)),
      nowMs: this.now,
      initialMembers: initial,
      announce: initial.length === 0,
    });
  }

  private start(name: string, meta: NodeMeta, initial: readonly MemberSnapshot[]): SimMember {
    if (this.members.has(name)) throw new Error(`member ${name} exists`);
    const member: SimMember = {
      name,
      address: addressOf(name),
      core: this.createCore(name, meta, initial),
      life: 0,
      stalledUntil: 0,
      backlog: [],
      scheduledWake: Number.POSITIVE_INFINITY,
    };
    this.members.set(name, member);
    this.byAddress.set(member.address, member);
    this.scheduleWake(member);
    return member;
  }

  private dispatch(step: SimStep): void {
    const { member } = step;
    if (step.life !== member.life || !member.core) return;
    const core = member.core;
    if (step.kind === 'deliver') {
      if (member.stalledUntil > this.now) {
        member.backlog.push(step.arrival);
        return;
      }
      const { from, message, reliable } = step.arrival;
      this.apply(member, core.receive(from, message, this.now, reliable));
      return;
    }
    if (step.kind === 'wake') {
      if (step.at !== member.scheduledWake || member.stalledUntil > this.now) return;
      member.scheduledWake = Number.POSITIVE_INFINITY;
      this.apply(member, core.tick(this.now));
      return;
    }
    // Resume from a stall: overdue timers first, then the packets that queued up.
    if (member.stalledUntil > this.now) return;
    member.scheduledWake = Number.POSITIVE_INFINITY;
    this.observe(member, core.tick(this.now));
    const backlog = member.backlog;
    member.backlog = [];
    for (const arrival of backlog) {
      this.observe(member, core.receive(arrival.from, arrival.message, this.now, arrival.reliable));
    }
    this.scheduleWake(member);
  }

  private apply(member: SimMember, output: GossipOutput): void {
    this.observe(member, output);
    this.scheduleWake(member);
  }

  private observe(member: SimMember, output: GossipOutput): void {
    for (const packet of output.packets) {
      const target = this.byAddress.get(packet.to);
      if (!target) continue;
      for (const delay of this.network.deliveries(member.address, packet.to, packet.reliable)) {
        this.heap.push(this.now + delay, {
          kind: 'deliver',
          member: target,
          life: target.life,
          arrival: { from: member.address, message: packet.message, reliable: packet.reliable },
        });
      }
    }
    if (this.listeners.length === 0) return;
    for (const event of output.events) {
      const subject =
        event.type === 'user-event'
          ? event.name
          : event.type === 'conflict'
            ? event.other.name
            : event.member.name;
      const incarnation = 'member' in event ? event.member.incarnation : 0;
      const observed: ObservedEvent = {
        time: this.now,
        observer: member.name,
        type: event.type,
        subject,
        incarnation,
      };
      for (const listener of this.listeners) listener(observed);
    }
  }

  private scheduleWake(member: SimMember): void {
    if (!member.core) return;
    const wake = Math.max(member.core.nextWakeMs(), this.now);
    if (wake === member.scheduledWake) return;
    member.scheduledWake = wake;
    this.heap.push(wake, { kind: 'wake', member, life: member.life, at: wake });
  }
}
