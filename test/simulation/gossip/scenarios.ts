/**
 * Seeded gossip scenarios on the simulated network, shared by the CI test (small, asserted) and
 * run-long.ts (large, measured). Each returns what it measured and the invariant violations it saw;
 * the caller decides what to assert and always reports the seed.
 */
import type { GossipConfig } from '../../../plugins/gossip/core/config.js';
import { createRandom, randomInt } from '../../../plugins/gossip/core/prng.js';
import { GossipSimulation, type ObservedEvent } from './sim-cluster.js';
import { CLEAN_NETWORK, type NetworkFaults } from './sim-network.js';

export function memberNames(n: number, prefix = 'm'): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${i}`);
}

/** First time each observer reported `type` about `subject` (observers other than the subject). */
function firstTimes(
  events: readonly ObservedEvent[],
  type: ObservedEvent['type'],
  subject: string,
): Map<string, number> {
  const times = new Map<string, number>();
  for (const event of events) {
    if (event.type !== type || event.subject !== subject || event.observer === subject) continue;
    if (!times.has(event.observer)) times.set(event.observer, event.time);
  }
  return times;
}

export interface SpreadResult {
  /** Live members (other than the subject) that should hear of it. */
  expected: number;
  /** How many did, within the time allowed. */
  informed: number;
  /** Members that never heard, by name (at most 10). */
  missing: string[];
  /** Time from the start to reach the fraction of members, in ms (undefined: never reached). */
  p50Ms: number | undefined;
  p99Ms: number | undefined;
  p9999Ms: number | undefined;
}

function spread(times: Map<string, number>, audience: readonly string[], startMs: number): SpreadResult {
  const delays = audience
    .flatMap((name) => {
      const time = times.get(name);
      return time === undefined ? [] : [time - startMs];
    })
    .sort((a, b) => a - b);
  // The time by which a fraction q of the whole audience had heard: undefined if too few ever did.
  const reached = (q: number) => delays[Math.max(0, Math.ceil(q * audience.length) - 1)];
  return {
    expected: audience.length,
    informed: delays.length,
    missing: audience.filter((name) => !times.has(name)).slice(0, 10),
    p50Ms: reached(0.5),
    p99Ms: reached(0.99),
    p9999Ms: reached(0.9999),
  };
}

export interface JoinFailResult {
  seed: number;
  n: number;
  join: SpreadResult;
  /** From the crash to each member's "fail". */
  failure: SpreadResult;
  /** From the first member's "fail" to each member's: dissemination only, comparable to the Serf model. */
  failureSpread: SpreadResult;
  /** "fail" events about members that were running at the time. */
  falseFailures: ObservedEvent[];
  steps: number;
}

export interface JoinFailOptions {
  seed: number;
  n: number;
  config: Readonly<GossipConfig>;
  faults?: NetworkFaults;
  /** Time allowed for the join to spread, and for the failure to be detected and spread. */
  joinWindowMs?: number;
  failWindowMs?: number;
}

/** A formed cluster of n - 1; one member joins, then another one crashes. */
export function joinThenFail(options: JoinFailOptions): JoinFailResult {
  const { seed, n, config } = options;
  const sim = new GossipSimulation({ seed, config, faults: options.faults ?? CLEAN_NETWORK });
  const random = createRandom(seed ^ 0x5eed);
  const names = memberNames(n - 1);
  const events: ObservedEvent[] = [];
  const falseFailures: ObservedEvent[] = [];
  sim.onEvent((event) => {
    if (event.type === 'join' || event.type === 'fail') events.push(event);
    if (event.type === 'fail' && !sim.isCrashed(event.subject)) falseFailures.push(event);
  });
  sim.formCluster(names);
  sim.run(5_000);

  const joinStart = sim.now;
  sim.addMember('joiner', [names[randomInt(random, names.length)] as string]);
  sim.run(options.joinWindowMs ?? 20_000);
  const join = spread(firstTimes(events, 'join', 'joiner'), names, joinStart);

  const victim = names[randomInt(random, names.length)] as string;
  const crashAt = sim.now;
  sim.crash(victim);
  sim.run(options.failWindowMs ?? 120_000);
  const audience = [...names.filter((name) => name !== victim), 'joiner'];
  const failTimes = firstTimes(events, 'fail', victim);
  const failure = spread(failTimes, audience, crashAt);
  const firstFail = Math.min(...failTimes.values());
  const failureSpread = spread(failTimes, audience, Number.isFinite(firstFail) ? firstFail : crashAt);
  return { seed, n, join, failure, failureSpread, falseFailures, steps: sim.steps };
}

export interface StallOptions {
  seed: number;
  n: number;
  config: Readonly<GossipConfig>;
  faults?: NetworkFaults;
  /** Fraction of members stalled in each period (at least one). */
  stalledFraction: number;
  stallMs: number;
  periodMs: number;
  durationMs: number;
}

export interface StallResult {
  seed: number;
  n: number;
  memberHours: number;
  /** "fail" events about members that were never crashed: false positives. */
  falseFailures: ObservedEvent[];
  /** Distinct members some member declared failed. */
  membersDeclaredDead: number;
  /** Distinct (member, incarnation) declared failed: false-positive episodes. */
  falsePositiveEpisodes: number;
  suspicionsRaised: number;
  refutes: number;
  maxAwareness: number;
  steps: number;
}

/**
 * Members whose event loop stalls: every period, a random few freeze for stallMs. Nobody crashes, so
 * every "fail" is a false positive.
 */
export function stalls(options: StallOptions): StallResult {
  const { seed, n, config } = options;
  const sim = new GossipSimulation({ seed, config, faults: options.faults ?? CLEAN_NETWORK });
  const random = createRandom(seed ^ 0x57a1);
  const names = memberNames(n);
  const falseFailures: ObservedEvent[] = [];
  sim.onEvent((event) => {
    if (event.type === 'fail') falseFailures.push(event);
  });
  sim.formCluster(names);
  sim.run(5_000);
  const perPeriod = Math.max(1, Math.round(options.stalledFraction * n));
  let maxAwareness = 0;
  const end = sim.now + options.durationMs;
  while (sim.now < end) {
    // Stalls start at a random point of the period, so they are not in phase with anyone's probes.
    const offset = Math.floor(random() * (options.periodMs - options.stallMs));
    sim.run(offset);
    const stalled = Array.from({ length: perPeriod }, () => names[randomInt(random, n)] as string);
    for (const name of stalled) sim.stall(name, options.stallMs);
    // Just after the stall the stalled members' overdue probes have failed: their awareness peaks.
    sim.run(options.stallMs + 1);
    for (const name of stalled) maxAwareness = Math.max(maxAwareness, sim.core(name).awarenessScore);
    sim.run(options.periodMs - offset - options.stallMs - 1);
  }
  let suspicionsRaised = 0;
  let refutes = 0;
  for (const name of names) {
    const stats = sim.core(name).stats();
    suspicionsRaised += stats.suspicionsRaised;
    refutes += stats.refutes;
  }
  return {
    seed,
    n,
    memberHours: (n * options.durationMs) / 3_600_000,
    falseFailures,
    membersDeclaredDead: new Set(falseFailures.map((e) => e.subject)).size,
    falsePositiveEpisodes: new Set(falseFailures.map((e) => `${e.subject}#${e.incarnation}`)).size,
    suspicionsRaised,
    refutes,
    maxAwareness,
    steps: sim.steps,
  };
}

export interface PartitionOptions {
  seed: number;
  n: number;
  config: Readonly<GossipConfig>;
  faults?: NetworkFaults;
  partitionMs: number;
  /** Longest wait for one membership after the heal. */
  healWindowMs: number;
}

export interface PartitionResult {
  seed: number;
  n: number;
  /** Members that declared someone on the other side dead during the partition. */
  sawOtherSideDead: number;
  /** Time from the heal until every member saw every member alive (undefined: not within the window). */
  convergedAfterMs: number | undefined;
  /** For a failure: a member whose view still differs, and how. */
  divergent: string | undefined;
  steps: number;
}

/** Views agree when every running member sees exactly the running members as alive. */
export function divergence(sim: GossipSimulation): string | undefined {
  const running = new Set(sim.running());
  for (const name of running) {
    const alive = sim
      .core(name)
      .members()
      .filter((m) => m.state === 'alive')
      .map((m) => m.name);
    const missing = [...running].filter((other) => !alive.includes(other));
    const extra = alive.filter((other) => !running.has(other));
    if (missing.length > 0 || extra.length > 0) {
      return `${name} lacks [${missing.slice(0, 5).join(' ')}] and has extra [${extra.slice(0, 5).join(' ')}]`;
    }
  }
  return undefined;
}

/** Two halves cut apart long enough to declare each other dead, then healed. */
export function partitionHeal(options: PartitionOptions): PartitionResult {
  const { seed, n, config } = options;
  const sim = new GossipSimulation({ seed, config, faults: options.faults ?? CLEAN_NETWORK });
  const names = memberNames(n);
  const left = names.slice(0, Math.floor(n / 2));
  const right = names.slice(Math.floor(n / 2));
  const sawDead = new Set<string>();
  sim.onEvent((event) => {
    if (event.type === 'fail') sawDead.add(event.observer);
  });
  sim.formCluster(names);
  sim.run(5_000);
  sim.network.partition([left.map((m) => `${m}:8301`), right.map((m) => `${m}:8301`)]);
  sim.run(options.partitionMs);
  sim.network.heal();
  const healedAt = sim.now;
  let convergedAfterMs: number | undefined;
  let divergent = divergence(sim);
  while (sim.now - healedAt < options.healWindowMs) {
    sim.run(500);
    divergent = divergence(sim);
    if (divergent === undefined) {
      convergedAfterMs = sim.now - healedAt;
      break;
    }
  }
  return { seed, n, sawOtherSideDead: sawDead.size, convergedAfterMs, divergent, steps: sim.steps };
}
