/**
 * A deterministic whole-cluster simulation of the raft core (after TigerBeetle's VOPR): one seed
 * picks the fault rates and drives every choice — ticks, deliveries, losses, duplicates,
 * partitions, crashes, slow syncs, client writes and reads — in virtual time. Invariants are
 * checked after every step; a violation throws a SimulationFailure naming the seed, and
 * rerunning that seed replays the identical run.
 *
 * A run ends with a quiet phase (partitions healed, crashed servers restarted, no more loss)
 * that must bring every server to the same applied state, with a write made in that phase.
 */
import type { Rand } from '../../../plugins/raft/core/rand.js';
import { seededRand } from '../../../plugins/raft/core/rand.js';
import {
  type ConfChange,
  type Message,
  type NodeId,
  type RaftLogger,
  type Ready,
  SILENT_LOGGER,
  sortIds,
} from '../../../plugins/raft/core/types.js';
import { InvariantChecker, InvariantViolation } from './invariants.js';
import { type DropReason, type NetworkKnobs, SimNetwork } from './sim-network.js';
import { decodeMachine, type NodeSettings, SimNode } from './sim-node.js';

export interface FaultKnobs {
  /** Per time unit: probability that one live server crashes. */
  crash: number;
  downMin: number;
  downMax: number;
  /** Per time unit: probability that a partition starts (when none is in place). */
  partition: number;
  /** Probability that a partition blocks one direction only. */
  asymmetric: number;
  partitionMin: number;
  partitionMax: number;
  /** Sync latency in time units, uniform in [0, syncMax]. */
  syncMax: number;
}

export interface ClientKnobs {
  /** Per time unit: probability of a write at a random server. */
  write: number;
  /** Per time unit: probability of a read (ReadIndex or lease) at a random server. */
  read: number;
  /** Compact once this many entries were applied past the last snapshot. */
  compactEvery: number;
  /** Entries kept behind a snapshot. */
  trailing: number;
}

export interface MembershipKnobs {
  /** Spare servers, outside the first configuration, that changes may add. 0 turns changes off. */
  spares: number;
  /** Per time unit: probability that the leader is asked for a membership change. */
  change: number;
}

export interface SimKnobs {
  readonly network: NetworkKnobs;
  readonly faults: FaultKnobs;
  readonly client: ClientKnobs;
  readonly membership: MembershipKnobs;
}

export interface SimOptions {
  readonly seed: number;
  readonly nodes: number;
  /** Time units of the faulty phase (a raft tick is about 10 units). */
  readonly steps: number;
  /** Time units the quiet phase may take to converge (default 60 000). */
  readonly quietLimit?: number;
  readonly knobs?: SimKnobs;
  /** Receives every raft log line, prefixed with the time; for replaying a failing seed. */
  readonly trace?: (line: string) => void;
}

export interface SimStats {
  readonly seed: number;
  readonly nodes: number;
  readonly steps: number;
  readonly committed: number;
  readonly leaderTerms: number;
  readonly crashes: number;
  readonly partitions: number;
  readonly confChanges: number;
  readonly readsServed: number;
  readonly messagesSent: number;
  readonly messagesDropped: number;
  readonly snapshotsSent: number;
  readonly quietSteps: number;
}

export class SimulationFailure extends Error {
  constructor(
    readonly seed: number,
    readonly step: number,
    readonly reason: string,
  ) {
    super(`raft simulation failed: ${reason} (step ${step}); reproduce with seed=${seed}`);
  }
}

const TICK_UNITS = 10;

/** Fault rates drawn from the seed, so that seeds explore calm and hostile worlds alike. */
export function deriveKnobs(rand: Rand): SimKnobs {
  const hostile = rand.chance(0.5);
  return {
    network: {
      loss: hostile ? rand.float() * 0.2 : rand.float() * 0.03,
      duplicate: rand.float() * 0.05,
      delayMin: 1,
      delayMax: rand.int(2, 40),
      longDelay: rand.float() * 0.03,
      longDelayMax: rand.int(50, 400),
    },
    faults: {
      crash: hostile ? rand.float() * 0.001 : rand.float() * 0.0002,
      downMin: 20,
      downMax: rand.int(100, 3000),
      partition: hostile ? rand.float() * 0.002 : rand.float() * 0.0003,
      asymmetric: rand.float() * 0.5,
      partitionMin: 50,
      partitionMax: rand.int(200, 4000),
      syncMax: rand.chance(0.3) ? rand.int(5, 60) : rand.int(0, 5),
    },
    client: {
      write: 0.01 + rand.float() * 0.1,
      read: rand.float() * 0.03,
      compactEvery: rand.int(10, 200),
      trailing: rand.int(0, 30),
    },
    membership: rand.chance(0.5)
      ? { spares: 2, change: 0.0005 + rand.float() * 0.002 }
      : { spares: 0, change: 0 },
  };
}

interface PendingRead {
  readonly node: NodeId;
  readonly atLeast: number;
}

class Simulation {
  readonly rand: Rand;
  readonly knobs: SimKnobs;
  readonly net: SimNetwork;
  readonly nodes: SimNode[] = [];
  readonly checker = new InvariantChecker();
  private readonly faultRand: Rand;
  private readonly clientRand: Rand;
  private readonly syncRand: Rand;
  now = 0;
  private partitionUntil = 0;
  private writes = 0;
  private readSeq = 0;
  private readonly reads = new Map<string, PendingRead>();
  crashes = 0;
  partitions = 0;
  confChanges = 0;
  readsServed = 0;
  snapshotsSent = 0;
  /** Index of the first write of the quiet phase, once some server applied it. */
  private quietIndex: number | undefined;

  constructor(readonly options: SimOptions) {
    this.rand = seededRand(options.seed);
    this.knobs = options.knobs ?? deriveKnobs(this.rand.split('knobs'));
    this.net = new SimNetwork(this.rand.split('network'), { ...this.knobs.network });
    this.faultRand = this.rand.split('faults');
    this.clientRand = this.rand.split('client');
    this.syncRand = this.rand.split('sync');
    const ids = Array.from({ length: options.nodes }, (_, i) => String(i + 1));
    const spares = Array.from({ length: this.knobs.membership.spares }, (_, i) =>
      String(options.nodes + i + 1),
    );
    const settingsRand = this.rand.split('settings');
    for (const id of [...ids, ...spares]) {
      const settings: NodeSettings = {
        electionTick: 10,
        heartbeatTick: 1,
        // Sometimes one entry per message: it opens the interleavings of the paper's Figure 8.
        maxSizePerMsg: settingsRand.chance(0.3) ? 1 : settingsRand.int(64, 4096),
        maxInflightMsgs: settingsRand.int(1, 16),
        // Tick rates differ by up to 10 %: within what leaseDriftTicks=1 covers at electionTick 10.
        tickInterval: TICK_UNITS + settingsRand.int(0, 2),
        tickPhase: settingsRand.int(0, TICK_UNITS),
        leaseDriftTicks: 1,
      };
      // Spares start empty, with no configuration: they cannot campaign until a leader adds them.
      const conf = ids.includes(id) ? { voters: ids, learners: [] } : undefined;
      this.nodes.push(SimNode.create(id, conf, settings, this.rand.split(`node-${id}`), this.logger()));
    }
  }

  private logger(): RaftLogger {
    const trace = this.options.trace;
    if (!trace) return SILENT_LOGGER;
    const line = (level: string) => (message: string) => trace(`${this.now} ${level} ${message}`);
    return { debug: line('DEBUG'), info: line('INFO'), warn: line('WARN') };
  }

  get(id: NodeId): SimNode | undefined {
    return this.nodes.find((n) => n.id === id);
  }

  fail(reason: string): never {
    throw new SimulationFailure(this.options.seed, this.now, reason);
  }

  // --- one step ------------------------------------------------------------------------------

  step(faulty: boolean): void {
    if (faulty) this.injectFaults();
    this.restartDue();
    for (const n of this.nodes) {
      if (n.node && this.now % n.settings.tickInterval === n.settings.tickPhase % n.settings.tickInterval) {
        n.node.tick();
      }
    }
    for (const m of this.net.due(this.now)) this.deliver(m);
    for (const n of this.nodes) this.pump(n);
    this.client(faulty);
    this.check();
  }

  private injectFaults(): void {
    const f = this.knobs.faults;
    if (this.faultRand.chance(f.crash)) {
      const alive = this.nodes.filter((n) => n.alive);
      const leader = this.faultRand.chance(0.3) ? this.leader() : undefined;
      const victim = leader ?? alive[this.faultRand.int(0, Math.max(1, alive.length))];
      if (victim) {
        victim.crash(this.now + this.faultRand.int(f.downMin, f.downMax + 1));
        this.crashes++;
      }
    }
    if (this.net.partitioned && this.now >= this.partitionUntil) this.net.heal();
    if (!this.net.partitioned && this.faultRand.chance(f.partition)) this.partition();
  }

  private partition(): void {
    const f = this.knobs.faults;
    const ids = this.nodes.map((n) => n.id);
    // Either isolate one server or split at random into two sides.
    const side = new Set<NodeId>();
    const roll = this.faultRand.float();
    const leader = this.leader();
    if (roll < 0.4 && leader) {
      // The leader cut off: the case leases, check-quorum and pre-vote exist for.
      side.add(leader.id);
    } else if (roll < 0.7) {
      side.add(ids[this.faultRand.int(0, ids.length)] ?? '1');
    } else {
      for (const id of ids) if (this.faultRand.chance(0.5)) side.add(id);
    }
    const asymmetric = this.faultRand.chance(f.asymmetric);
    for (const a of ids) {
      for (const b of ids) {
        if (side.has(a) && !side.has(b)) {
          this.net.block(a, b);
          if (!asymmetric) this.net.block(b, a);
        }
      }
    }
    this.partitionUntil = this.now + this.faultRand.int(f.partitionMin, f.partitionMax + 1);
    this.partitions++;
  }

  /** A live server that believes it leads (the one with the highest term, if several do). */
  private leader(): SimNode | undefined {
    let best: SimNode | undefined;
    let bestTerm = -1;
    for (const n of this.nodes) {
      const s = n.node?.basicStatus();
      if (s?.role === 'leader' && s.term > bestTerm) {
        best = n;
        bestTerm = s.term;
      }
    }
    return best;
  }

  private restartDue(): void {
    for (const n of this.nodes) {
      if (!n.alive && this.now >= n.downUntil) {
        n.start();
        this.checker.restored(n.id, n.machine);
      }
    }
  }

  private deliver(m: Message): void {
    const to = this.get(m.to);
    let reason: DropReason | undefined;
    if (!this.net.canDeliver(m.from, m.to)) reason = 'partition';
    else if (!to?.node) reason = 'down';
    if (reason || !to?.node) {
      this.net.dropped++;
      this.reportDrop(m, reason ?? 'down');
      return;
    }
    to.node.step(m);
    if (m.type === 'MsgSnap') this.get(m.from)?.node?.reportSnapshot(m.to, true);
  }

  /** What a real transport would notice: a broken stream, a snapshot that did not arrive. */
  private reportDrop(m: Message, reason: DropReason): void {
    const from = this.get(m.from)?.node;
    if (!from) return;
    if (m.type === 'MsgSnap') from.reportSnapshot(m.to, false);
    else if (reason !== 'loss' && m.type === 'MsgApp') from.reportUnreachable(m.to);
  }

  /** Carries out the Ready contract, with a simulated sync between persisting and sending. */
  private pump(n: SimNode): void {
    const node = n.node;
    if (!node) return;
    if (n.pending && this.now >= n.pending.syncAt) {
      const rd = n.pending.ready;
      n.pending = undefined;
      this.complete(n, rd);
    }
    if (n.pending || !node.hasReady()) return;
    const rd = node.ready();
    this.checker.entries(n.id, rd.entries, (i) => node.term(i));
    if (rd.softState?.role === 'leader') this.newLeader(n);
    const syncMax = this.knobs.faults.syncMax;
    const delay = rd.mustSync || rd.snapshot ? this.syncRand.int(0, syncMax + 1) : 0;
    if (delay === 0) this.complete(n, rd);
    else n.pending = { ready: rd, syncAt: this.now + delay };
  }

  private complete(n: SimNode, rd: Ready): void {
    const node = n.node;
    if (!node) return;
    const durableCommit = n.storage.hardState().commit;
    n.persist(rd);
    this.checker.monotonic(n.id, 'synced commit', durableCommit, n.storage.hardState().commit);
    for (const m of rd.messages) {
      if (m.type === 'MsgSnap') this.snapshotsSent++;
      if (!this.net.send(m, this.now)) this.reportDrop(m, 'loss');
    }
    if (rd.snapshot) {
      n.machine = decodeMachine(rd.snapshot.data);
      this.checker.restored(n.id, n.machine);
    }
    for (const e of rd.committedEntries) {
      n.machine = this.checker.apply(n.id, n.machine, e);
      if (this.quietIndex === undefined && e.data.byteLength > 0 && e.data[0] === 0x71 /* 'q' */) {
        this.quietIndex = e.index;
      }
    }
    for (const rs of rd.readStates) {
      // Responses may arrive twice (duplicated messages) or after the asker restarted: a
      // driver ignores ids it no longer waits for, but each must still be a safe index.
      const read = this.reads.get(rs.requestId);
      if (!read) this.fail(`${n.id} released a read nobody asked for: ${rs.requestId}`);
      if (read.node !== n.id) this.fail(`read ${rs.requestId} of ${read.node} released on ${n.id}`);
      this.checker.read(n.id, rs.requestId, rs.index, read.atLeast);
      this.readsServed++;
    }
    node.advance(rd);
    const c = this.knobs.client;
    if (n.machine.index - n.storage.snapshot().metadata.index >= c.compactEvery) n.compact(c.trailing);
  }

  private client(faulty: boolean): void {
    const c = this.knobs.client;
    const alive = this.nodes.filter((n) => n.alive);
    if (alive.length === 0) return;
    // In the quiet phase, write only until a marker write is applied: convergence is then a
    // matter of draining the backlog, however slow the seed's flow control makes that.
    const writeChance = faulty ? c.write : this.quietIndex === undefined ? 0.005 : 0;
    if (this.clientRand.chance(writeChance)) {
      const at = alive[this.clientRand.int(0, alive.length)];
      const data = new TextEncoder().encode(`${faulty ? 'w' : 'q'}${this.writes++}`);
      at?.node?.propose(data);
    }
    if (faulty && this.clientRand.chance(this.knobs.membership.change)) {
      this.changeMembership();
      // Operators retry and script changes back to back: the leader must refuse a second change
      // until the first is applied.
      if (this.clientRand.chance(0.3)) this.changeMembership();
    }
    if (this.clientRand.chance(c.read)) this.read(alive[this.clientRand.int(0, alive.length)]);
    // Reads aimed at whoever believes it leads — a deposed leader included — are where a stale
    // read would show, above all just after an election.
    if (this.clientRand.chance(c.read)) {
      const leaders = alive.filter((n) => n.node?.basicStatus().role === 'leader');
      this.read(leaders[this.clientRand.int(0, Math.max(1, leaders.length))]);
    }
  }

  /**
   * Asks the leader for one single-server change: add a spare as learner, promote a learner
   * that has caught up, or remove a member (itself included) while more than 3 voters remain.
   */
  private changeMembership(): void {
    const leader = this.leader();
    const node = leader?.node;
    if (!leader || !node) return;
    const status = node.status();
    const { voters, learners } = status.confState;
    const members = new Set([...voters, ...learners]);
    const outsiders = this.nodes.map((n) => n.id).filter((id) => !members.has(id));
    const caughtUp = learners.filter(
      (id) => (status.progress.get(id)?.match ?? 0) >= status.hardState.commit,
    );
    const options: ConfChange[] = [
      ...outsiders.map((nodeId): ConfChange => ({ type: 'add-learner', nodeId })),
      ...caughtUp.map((nodeId): ConfChange => ({ type: 'add-voter', nodeId })),
      ...learners.map((nodeId): ConfChange => ({ type: 'remove-node', nodeId })),
      ...(voters.length > 3 ? voters.map((nodeId): ConfChange => ({ type: 'remove-node', nodeId })) : []),
    ];
    const change = options[this.clientRand.int(0, Math.max(1, options.length))];
    if (change && node.proposeConfChange(change).ok) this.confChanges++;
  }

  /** A leader just took office (its first Ready as leader): probe it with reads at once. */
  private newLeader(n: SimNode): void {
    if (this.clientRand.chance(0.5)) this.read(n);
  }

  private read(at: SimNode | undefined): void {
    if (!at?.node) return;
    const requestId = `r${this.readSeq++}`;
    this.reads.set(requestId, { node: at.id, atLeast: this.checker.maxCommit });
    at.node.readIndex(requestId, this.clientRand.chance(0.5) ? 'lease' : 'quorum');
  }

  private check(): void {
    for (const n of this.nodes) {
      const node = n.node;
      if (!node) continue;
      const s = node.basicStatus();
      if (s.role === 'leader') this.checker.leader(n.id, s.term, (i) => node.term(i), s.firstIndex);
      this.checker.monotonic(n.id, 'commit', n.lastCommit, s.commit);
      this.checker.monotonic(n.id, 'applied', n.lastApplied, s.applied);
      if (s.commit > n.recordedCommit) {
        const from = Math.max(n.recordedCommit, s.firstIndex - 2);
        this.checker.committed(n.id, s.term, from, s.commit, (i) => node.term(i));
        n.recordedCommit = s.commit;
      }
      n.lastCommit = s.commit;
      n.lastApplied = s.applied;
      if (!(s.applied <= s.commit && s.commit <= s.lastIndex)) {
        this.fail(`${n.id} broke applied <= commit <= last: ${s.applied}, ${s.commit}, ${s.lastIndex}`);
      }
    }
  }

  // --- the run -------------------------------------------------------------------------------

  run(): SimStats {
    try {
      for (; this.now < this.options.steps; this.now++) this.step(true);
      const quietStart = this.now;
      this.net.heal();
      this.net.knobs = { ...this.net.knobs, loss: 0, duplicate: 0, longDelay: 0 };
      for (const n of this.nodes) if (!n.alive) n.downUntil = this.now;
      const limit = this.now + (this.options.quietLimit ?? 60_000);
      for (; this.now < limit; this.now++) {
        this.step(false);
        if (this.converged()) break;
      }
      if (!this.converged()) {
        this.fail(`no convergence within ${limit - quietStart} quiet steps: ${this.describeNodes()}`);
      }
      return {
        seed: this.options.seed,
        nodes: this.options.nodes,
        steps: this.options.steps,
        committed: this.checker.maxCommit,
        leaderTerms: this.checker.leaderTerms,
        crashes: this.crashes,
        partitions: this.partitions,
        confChanges: this.confChanges,
        readsServed: this.readsServed,
        messagesSent: this.net.sent,
        messagesDropped: this.net.dropped,
        snapshotsSent: this.snapshotsSent,
        quietSteps: this.now - quietStart,
      };
    } catch (err) {
      if (err instanceof SimulationFailure) throw err;
      const reason =
        err instanceof InvariantViolation ? err.message : `crash: ${(err as Error).stack ?? String(err)}`;
      throw new SimulationFailure(this.options.seed, this.now, reason);
    }
  }

  /**
   * Every member of the leader's configuration applied the same prefix, through a write made in
   * the quiet phase (servers removed from the configuration are left where they stopped).
   */
  private converged(): boolean {
    const q = this.quietIndex;
    const conf = this.leader()?.node?.status().confState;
    if (q === undefined || !conf) return false;
    const members = this.nodes.filter((n) => conf.voters.includes(n.id) || conf.learners.includes(n.id));
    const first = members[0]?.machine;
    return members.every((n) => n.alive && n.machine.index >= q && n.machine.index === first?.index);
  }

  private describeNodes(): string {
    const nodes = sortIds(this.nodes.map((n) => n.id))
      .map((id) => {
        const n = this.get(id);
        const s = n?.node?.basicStatus();
        return s
          ? `${id}:${s.role}@${s.term} lead=${s.lead || '-'} commit=${s.commit} applied=${n?.machine.index} ` +
              `log=[${s.firstIndex},${s.lastIndex}] pending=${n?.pending ? 'yes' : 'no'}`
          : `${id}:down`;
      })
      .join('; ');
    const leader = this.leader()?.node?.status();
    const progress = leader
      ? [...leader.progress]
          .map(
            ([id, p]) =>
              `${id}:${p.state} match=${p.match} next=${p.next} inflight=${p.inflight} snap=${p.pendingSnapshot}`,
          )
          .join('; ')
      : 'no leader';
    return `${nodes} | leader's progress: ${progress} | in flight: ${this.net.inFlight} (next due at ${this.net.nextDue()}, now ${this.now})`;
  }
}

export function runSimulation(options: SimOptions): SimStats {
  return new Simulation(options).run();
}
