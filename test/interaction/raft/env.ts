/**
 * The world the interaction scripts act on: raft nodes over in-memory storage, a pool of
 * messages in flight that scripts deliver explicitly, optional partitions, and an output buffer
 * that collects the nodes' logs and what the handlers print.
 */
import { describeMessage, describeReady } from '../../../plugins/raft/core/describe.js';
import type { MemoryStorage } from '../../../plugins/raft/core/memory-storage.js';
import { RaftNode } from '../../../plugins/raft/core/raft-node.js';
import type { Rand } from '../../../plugins/raft/core/rand.js';
import { seededRand } from '../../../plugins/raft/core/rand.js';
import type {
  ConfState,
  Entry,
  Message,
  NodeId,
  RaftLogger,
  ReadState,
} from '../../../plugins/raft/core/types.js';
import type { CmdArg } from './datadriven.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'none';
const LEVELS: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, none: 3 };

export interface NodeOptions {
  electionTick: number;
  heartbeatTick: number;
  preVote: boolean;
  checkQuorum: boolean;
  maxSizePerMsg?: number;
  maxInflightMsgs?: number;
  leaseDriftTicks?: number;
  /** Draw election timeouts from a seeded PRNG instead of always taking the minimum. */
  randomTimeouts: boolean;
}

export interface EnvNode {
  readonly id: NodeId;
  node: RaftNode;
  readonly storage: MemoryStorage;
  readonly options: NodeOptions;
  /** The state machine: data of every applied normal entry, in order. */
  applied: string[];
  appliedIndex: number;
  readStates: ReadState[];
}

/** Always the lowest value: election timeouts are exactly electionTick, as in etcd's scripts. */
const MINIMUM_RAND: Rand = {
  u32: () => 0,
  int: (lo) => lo,
  float: () => 0,
  chance: () => false,
  split: () => MINIMUM_RAND,
};

export class InteractionEnv {
  readonly nodes = new Map<NodeId, EnvNode>();
  /** Messages sent and not yet delivered or dropped, in send order. */
  messages: Message[] = [];
  /** Group of each partitioned node; nodes in different groups cannot exchange messages. */
  partition: Map<NodeId, number> | undefined;
  level: LogLevel = 'info';
  private out: string[] = [];
  private indent = '';

  print(line: string): void {
    this.out.push(this.indent + line);
  }

  /** Runs `fn` with everything it prints indented. */
  nested(fn: () => void): void {
    const saved = this.indent;
    this.indent += '  ';
    try {
      fn();
    } finally {
      this.indent = saved;
    }
  }

  takeOutput(): string {
    const text = this.out.join('\n');
    this.out = [];
    return text === '' ? 'ok' : text;
  }

  logger(): RaftLogger {
    const at = (level: LogLevel, tag: string) => (message: string) => {
      if (LEVELS[level] >= LEVELS[this.level]) this.print(`${tag} ${message}`);
    };
    return { debug: at('debug', 'DEBUG'), info: at('info', 'INFO'), warn: at('warn', 'WARN') };
  }

  get(id: NodeId): EnvNode {
    const n = this.nodes.get(id);
    if (!n) throw new Error(`no node ${id}`);
    return n;
  }

  createNode(id: NodeId, storage: MemoryStorage, options: NodeOptions): RaftNode {
    return new RaftNode({
      id,
      storage,
      rand: options.randomTimeouts ? seededRand(Number(id) * 7919 + 1) : MINIMUM_RAND,
      electionTick: options.electionTick,
      heartbeatTick: options.heartbeatTick,
      preVote: options.preVote,
      checkQuorum: options.checkQuorum,
      ...(options.maxSizePerMsg !== undefined ? { maxSizePerMsg: options.maxSizePerMsg } : {}),
      ...(options.maxInflightMsgs !== undefined ? { maxInflightMsgs: options.maxInflightMsgs } : {}),
      ...(options.leaseDriftTicks !== undefined ? { leaseDriftTicks: options.leaseDriftTicks } : {}),
      applied: storage.snapshot().metadata.index,
      logger: this.logger(),
    });
  }

  addNode(id: NodeId, storage: MemoryStorage, options: NodeOptions): void {
    const node = this.createNode(id, storage, options);
    const snap = storage.snapshot();
    this.nodes.set(id, {
      id,
      node,
      storage,
      options,
      applied: decodeState(snap.data),
      appliedIndex: snap.metadata.index,
      readStates: [],
    });
  }

  /** The Ready contract, carried out in order: persist, send, apply, advance. */
  processReady(id: NodeId): boolean {
    const n = this.get(id);
    if (!n.node.hasReady()) return false;
    const rd = n.node.ready();
    this.print(`> ${id} handling Ready`);
    this.nested(() => {
      for (const line of describeReady(rd)) this.print(line);
    });
    if (rd.snapshot) {
      n.storage.applySnapshot(rd.snapshot);
      n.applied = decodeState(rd.snapshot.data);
      n.appliedIndex = rd.snapshot.metadata.index;
    }
    n.storage.append(rd.entries);
    if (rd.hardState) n.storage.setHardState(rd.hardState);
    // A partition loses what is sent across it, even if healed before delivery.
    this.messages.push(...rd.messages.filter((m) => this.canReach(m.from, m.to)));
    for (const e of rd.committedEntries) this.apply(n, e);
    n.readStates.push(...rd.readStates);
    this.nested(() => n.node.advance(rd));
    return true;
  }

  private apply(n: EnvNode, e: Entry): void {
    if (e.index !== n.appliedIndex + 1)
      throw new Error(`${n.id} applying ${e.index} after ${n.appliedIndex}`);
    n.appliedIndex = e.index;
    if (e.type === 'normal' && e.data.byteLength > 0) n.applied.push(new TextDecoder().decode(e.data));
  }

  canReach(from: NodeId, to: NodeId): boolean {
    if (!this.partition) return true;
    return (this.partition.get(from) ?? -1) === (this.partition.get(to) ?? -1);
  }

  /** Delivers (or drops) every pending message addressed to `id`; returns how many. */
  deliverMessages(id: NodeId, drop = false): number {
    const mine = this.messages.filter((m) => m.to === id);
    if (mine.length === 0) return 0;
    this.messages = this.messages.filter((m) => m.to !== id);
    const n = this.get(id);
    this.print(drop ? `> ${id} dropping messages` : `> ${id} receiving messages`);
    this.nested(() => {
      for (const m of mine) {
        if (drop) {
          this.print(`${describeMessage(m)} DROPPED`);
          continue;
        }
        if (!this.canReach(m.from, m.to)) {
          this.print(`${describeMessage(m)} DROPPED (partition)`);
          continue;
        }
        this.print(describeMessage(m));
        this.nested(() => {
          const result = n.node.step(m);
          if (!result.ok) this.print(`step rejected: ${result.reason}`);
        });
      }
    });
    return mine.length;
  }

  /** Processes Readys and delivers messages among `ids` until nothing is left to do. */
  stabilize(ids: readonly NodeId[]): void {
    for (let round = 0; round < 1000; round++) {
      let busy = false;
      for (const id of ids) if (this.processReady(id)) busy = true;
      for (const id of ids) if (this.deliverMessages(id) > 0) busy = true;
      if (!busy) return;
    }
    throw new Error('stabilize did not settle within 1000 rounds');
  }
}

/** The interaction state machine's snapshot: the applied data, one item a line. */
export function encodeState(applied: readonly string[]): Uint8Array {
  return new TextEncoder().encode(applied.join('|'));
}

export function decodeState(data: Uint8Array): string[] {
  const text = new TextDecoder().decode(data);
  return text === '' ? [] : text.split('|');
}

export function confStateOf(args: readonly CmdArg[]): ConfState {
  const voters = args.find((a) => a.key === 'voters')?.values ?? [];
  const learners = args.find((a) => a.key === 'learners')?.values ?? [];
  return { voters: [...voters], learners: [...learners] };
}

export function argValue(args: readonly CmdArg[], key: string): string | undefined {
  return args.find((a) => a.key === key)?.values[0];
}

/** The bare words among the arguments (node ids, mostly). */
export function words(args: readonly CmdArg[]): string[] {
  return args.filter((a) => a.values.length === 0 && !a.key.includes('=')).map((a) => a.key);
}
