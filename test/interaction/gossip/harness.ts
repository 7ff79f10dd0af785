/**
 * The interaction-test harness for the gossip core: a few named members on a virtual clock, packets
 * delivered after 1 ms unless a cut, an isolation or a crash stops them, and a trace of every packet
 * and event. Scripts (the *.txt files beside this one) drive it one command at a time.
 *
 * Commands:
 *   config key=value...          override GOSSIP_LAN values for members created afterwards
 *   nodes a b c                  start a formed cluster (everyone knows everyone, alive)
 *   add x join=a [name=b]        start a new member x that joins through a (claiming the name b)
 *   run <ms> [trace=all|events]  advance the clock, printing packets and events (or events only)
 *   cut a b [udp]                drop everything (or only datagrams) between a and b, both ways
 *   isolate c / heal             cut c from everyone / remove every cut
 *   crash c / restart c join=a   lose c's state / start c afresh, joining through a
 *   leave b | force-leave a c [prune] | fire a <name> <payload> | meta a key=value...
 *   members a | awareness a      print a's member table / its awareness score
 */
import { GOSSIP_LAN, type GossipConfig } from '../../../plugins/gossip/core/config.js';
import type {
  GossipMessage,
  MemberSnapshot,
  NodeMeta,
  SimpleMessage,
} from '../../../plugins/gossip/core/messages.js';
import type { GossipEvent, GossipOutput } from '../../../plugins/gossip/core/output.js';
import { createRandom } from '../../../plugins/gossip/core/prng.js';
import { GossipCore } from '../../../plugins/gossip/core/swim.js';

const LATENCY_MS = 1;
const MAX_STEPS_PER_RUN = 100_000;

interface InFlight {
  readonly at: number;
  readonly from: string;
  readonly to: string;
  readonly message: GossipMessage;
  readonly reliable: boolean;
}

function describe(message: SimpleMessage): string {
  switch (message.type) {
    case 'ping':
      return `ping(${message.seq} ${message.node})`;
    case 'indirect-ping':
      return `indirect-ping(${message.seq} ${message.node})`;
    case 'ack':
    case 'nack':
      return `${message.type}(${message.seq})`;
    case 'alive':
      return `alive(${message.node}#${message.incarnation})`;
    case 'suspect':
    case 'dead':
      return `${message.type}(${message.node}#${message.incarnation} by ${message.from})`;
    case 'leave':
      return `leave(${message.node}#${message.incarnation})`;
    case 'user-event':
      return `user-event(${message.name}@${message.ltime})`;
    case 'push-pull': {
      const flags = [message.join ? 'join' : '', message.reply ? 'reply' : ''].filter(Boolean).join(' ');
      const states = message.members.map(
        (m) => `${m.name}#${m.incarnation}${m.state === 'alive' ? '' : `:${m.state}`}`,
      );
      return `push-pull(${flags ? `${flags} ` : ''}${states.join(' ')} clock=${message.eventClock} events=${message.events.length})`;
    }
  }
}

export function describeMessage(message: GossipMessage): string {
  return message.type === 'compound' ? message.parts.map(describe).join(' + ') : describe(message);
}

function describeEvent(event: GossipEvent): string {
  if (event.type === 'user-event') {
    return `user-event ${event.name} ltime=${event.ltime} payload=${new TextDecoder().decode(event.payload)}`;
  }
  if (event.type === 'conflict') {
    return `conflict ${event.other.name}: ${event.existing.address} vs ${event.other.address}`;
  }
  return `${event.type} ${event.member.name}#${event.member.incarnation}`;
}

/** Members are known by a label; their address is the label on the gossip port. */
function addressOf(label: string): string {
  return `${label}:8301`;
}

function labelOf(address: string): string {
  return address.replace(/:8301$/, '');
}

function keyValues(args: readonly string[]): Record<string, string> {
  const pairs: Record<string, string> = {};
  for (const arg of args) {
    const [key, value] = arg.split('=', 2);
    if (key !== undefined && value !== undefined) pairs[key] = value;
  }
  return pairs;
}

export class GossipHarness {
  private config: Readonly<GossipConfig> = GOSSIP_LAN;
  private now = 0;
  private readonly cores = new Map<string, GossipCore | undefined>();
  private inFlight: InFlight[] = [];
  private readonly cuts = new Set<string>();
  private seeds = 0;
  private lines: string[] = [];
  private traceAll = true;

  /** Runs one command; returns its output lines (never empty: "ok" when there is nothing to say). */
  run(command: string): string[] {
    this.lines = [];
    const [name, ...args] = command.trim().split(/\s+/);
    switch (name) {
      case 'config':
        this.configure(args);
        break;
      case 'nodes':
        this.startNodes(args);
        break;
      case 'add':
        this.add(args);
        break;
      case 'run':
        this.advance(Number(args[0]), keyValues(args.slice(1)).trace !== 'events');
        break;
      case 'cut':
        this.cut(this.arg(args, 0), this.arg(args, 1), args[2] === 'udp' ? 'udp' : 'all');
        break;
      case 'isolate':
        for (const other of this.cores.keys())
          if (other !== args[0]) this.cut(this.arg(args, 0), other, 'all');
        break;
      case 'heal':
        this.cuts.clear();
        break;
      case 'crash':
        this.cores.set(this.arg(args, 0), undefined);
        break;
      case 'restart':
        this.restart(args);
        break;
      case 'leave':
        this.act(this.arg(args, 0), (core) => core.leave(this.now));
        break;
      case 'force-leave':
        this.act(this.arg(args, 0), (core) =>
          core.forceLeave(this.arg(args, 1), this.now, args[2] === 'prune'),
        );
        break;
      case 'fire':
        this.act(this.arg(args, 0), (core) =>
          core.fireEvent(this.arg(args, 1), new TextEncoder().encode(args[2] ?? ''), this.now),
        );
        break;
      case 'meta':
        this.act(this.arg(args, 0), (core) => core.setMeta(keyValues(args.slice(1)), this.now));
        break;
      case 'members':
        this.printMembers(this.arg(args, 0));
        break;
      case 'awareness':
        this.lines.push(`${args[0]} awareness=${this.core(this.arg(args, 0)).awarenessScore}`);
        break;
      default:
        throw new Error(`unknown command: ${command}`);
    }
    return this.lines.length > 0 ? this.lines : ['ok'];
  }

  private arg(args: readonly string[], index: number): string {
    const value = args[index];
    if (value === undefined) throw new Error(`missing argument ${index + 1}`);
    return value;
  }

  private core(name: string): GossipCore {
    const core = this.cores.get(name);
    if (!core) throw new Error(`${name} is not running`);
    return core;
  }

  private configure(args: readonly string[]): void {
    const overrides: Partial<GossipConfig> = {};
    for (const [key, value] of Object.entries(keyValues(args))) {
      if (!(key in GOSSIP_LAN)) throw new Error(`unknown config key ${key}`);
      overrides[key as keyof GossipConfig] = Number(value);
    }
    this.config = { ...this.config, ...overrides };
  }

  private create(
    label: string,
    initial: readonly MemberSnapshot[],
    name = label,
    meta: NodeMeta = {},
  ): GossipCore {
    this.seeds += 1;
    return new GossipCore({
      name,
      address: addressOf(label),
      meta,
      config: this.config,
      random: createRandom(this.seeds),
      nowMs: this.now,
      initialMembers: initial,
      stagger: false,
      announce: initial.length === 0,
    });
  }

  private startNodes(names: readonly string[]): void {
    const snapshots: MemberSnapshot[] = names.map((name) => ({
      name,
      address: addressOf(name),
      meta: {},
      incarnation: 1,
      state: 'alive',
    }));
    // Formed clusters start quietly: their own join events are not printed.
    for (const name of names) {
      const core = this.create(name, snapshots);
      this.cores.set(name, core);
      core.tick(this.now);
    }
  }

  private add(args: readonly string[]): void {
    const label = this.arg(args, 0);
    const { join, name } = keyValues(args.slice(1));
    if (this.cores.get(label)) throw new Error(`${label} is running`);
    const core = this.create(label, [], name ?? label);
    this.cores.set(label, core);
    this.print(label, core.join(join ? join.split(',').map(addressOf) : [], this.now));
  }

  private restart(args: readonly string[]): void {
    const name = this.arg(args, 0);
    if (this.cores.get(name)) throw new Error(`${name} is running`);
    this.add(args);
  }

  private act(name: string, fn: (core: GossipCore) => GossipOutput): void {
    this.print(name, fn(this.core(name)));
  }

  private cut(a: string, b: string, kind: 'udp' | 'all'): void {
    this.cuts.add(`${a}>${b}:${kind}`);
    this.cuts.add(`${b}>${a}:${kind}`);
  }

  private blocked(packet: InFlight): boolean {
    const from = labelOf(packet.from);
    const to = labelOf(packet.to);
    return this.cuts.has(`${from}>${to}:all`) || (!packet.reliable && this.cuts.has(`${from}>${to}:udp`));
  }

  /** Queues a member's packets and prints its events (and, when tracing, the packets). */
  private print(name: string, output: GossipOutput): void {
    for (const event of output.events) this.lines.push(`${this.now} ${name}: ${describeEvent(event)}`);
    for (const packet of output.packets) {
      this.inFlight.push({
        at: this.now + LATENCY_MS,
        from: addressOf(name),
        to: packet.to,
        message: packet.message,
        reliable: packet.reliable,
      });
    }
  }

  private advance(durationMs: number, traceAll: boolean): void {
    if (!Number.isFinite(durationMs) || durationMs < 0) throw new Error('run needs a duration in ms');
    this.traceAll = traceAll;
    const end = this.now + durationMs;
    for (let step = 0; step < MAX_STEPS_PER_RUN; step++) {
      let next = Number.POSITIVE_INFINITY;
      for (const packet of this.inFlight) next = Math.min(next, packet.at);
      for (const core of this.cores.values()) if (core) next = Math.min(next, core.nextWakeMs());
      if (next > end) break;
      this.now = Math.max(this.now, next);
      // Packets due now first (in send order), then members' timers (in creation order).
      const due = this.inFlight.filter((p) => p.at <= this.now);
      if (due.length > 0) {
        this.inFlight = this.inFlight.filter((p) => p.at > this.now);
        for (const packet of due) this.deliver(packet);
        continue;
      }
      for (const [name, core] of this.cores) {
        if (core && core.nextWakeMs() <= this.now) this.print(name, core.tick(this.now));
      }
    }
    this.now = end;
  }

  private deliver(packet: InFlight): void {
    const from = labelOf(packet.from);
    const to = labelOf(packet.to);
    const core = this.cores.get(to);
    const link = `${from}>${to}${packet.reliable ? ' tcp' : ''}`;
    const dropped = this.blocked(packet) || !core;
    if (this.traceAll) {
      this.lines.push(`${this.now} ${link} ${describeMessage(packet.message)}${dropped ? ' DROPPED' : ''}`);
    }
    if (dropped || !core) return;
    this.print(to, core.receive(packet.from, packet.message, this.now, packet.reliable));
  }

  private printMembers(name: string): void {
    for (const member of [...this.core(name).members()].sort((a, b) => a.name.localeCompare(b.name))) {
      const meta = Object.entries(member.meta)
        .map(([k, v]) => ` ${k}=${v}`)
        .join('');
      this.lines.push(
        `${member.name} ${member.state} #${member.incarnation} since=${member.stateChangeMs}${meta}`,
      );
    }
  }
}
