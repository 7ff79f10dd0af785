/**
 * Long gossip simulations: measurements, never pass/fail.
 *
 *   node --expose-gc --max-old-space-size=16000 --import tsx test/simulation/gossip/run-long.ts \
 *     [--only convergence,stalls,memory] [--sizes 100,1000,5000] [--seed 1] [--hours 1] [--stall-size 100]
 *
 * convergence: a join and a crash in clusters of each size at 0% and 10% loss; times to reach 50%,
 *   99% and 99.99% of members, next to the Serf convergence model's figures.
 * stalls: 1% of members stall for 2s every minute (and a harsher mix with loss); false positives (live
 *   members declared dead) per member-hour with our defaults, memberlist's behaviour (no last call),
 *   without the awareness multiplier, and without any Lifeguard part.
 * memory: heap per member of one agent's table at each size (and of a whole simulated cluster).
 */
import { parseArgs } from 'node:util';
import { deriveGossipConfig, GOSSIP_LAN } from '../../../plugins/gossip/core/config.js';
import type { MemberSnapshot } from '../../../plugins/gossip/core/messages.js';
import { createRandom } from '../../../plugins/gossip/core/prng.js';
import { GossipCore } from '../../../plugins/gossip/core/swim.js';
import { joinThenFail, memberNames, type SpreadResult, stalls } from './scenarios.js';
import { serfModelTimeMs } from './serf-model.js';
import { addressOf } from './sim-cluster.js';

const { values } = parseArgs({
  options: {
    only: { type: 'string', default: 'convergence,stalls,memory' },
    sizes: { type: 'string', default: '100,1000,5000' },
    seed: { type: 'string', default: '1' },
    hours: { type: 'string', default: '1' },
    'stall-size': { type: 'string', default: '100' },
  },
});

const only = new Set(values.only.split(','));
const sizes = values.sizes.split(',').map(Number);
const seed = Number(values.seed);

function seconds(ms: number | undefined): string {
  return ms === undefined ? 'never' : `${(ms / 1000).toFixed(2)}s`;
}

function row(cells: readonly (string | number)[]): void {
  console.log(`| ${cells.join(' | ')} |`);
}

function spreadCells(result: SpreadResult): string[] {
  return [
    `${result.informed}/${result.expected}`,
    seconds(result.p50Ms),
    seconds(result.p99Ms),
    seconds(result.p9999Ms),
  ];
}

function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect) {
    collect();
    collect();
  }
}

function convergence(): void {
  console.log(`\n## Convergence (seed ${seed}, LAN: gossip 200ms to 3, probe 1s)\n`);
  row(['members', 'loss', 'what', 'informed', '50%', '99%', '99.99%', 'Serf model 50/99/99.99%', 'run']);
  row(['---:', '---:', '---', '---:', '---:', '---:', '---:', '---', '---:']);
  for (const n of sizes) {
    for (const loss of [0, 0.1]) {
      const started = performance.now();
      const result = joinThenFail({
        seed,
        n,
        config: GOSSIP_LAN,
        faults: { lossRate: loss, duplicateRate: 0, minDelayMs: 1, maxDelayMs: 5 },
        joinWindowMs: 20_000,
        failWindowMs: 120_000,
      });
      const wall = `${((performance.now() - started) / 1000).toFixed(0)}s`;
      const model = [0.5, 0.99, 0.9999].map((q) => seconds(serfModelTimeMs(n, q, { loss }))).join(' / ');
      const pct = `${loss * 100}%`;
      row([n, pct, 'join', ...spreadCells(result.join), model, wall]);
      row([n, pct, 'failure, from crash', ...spreadCells(result.failure), '-', '']);
      row([n, pct, 'failure, from first "dead"', ...spreadCells(result.failureSpread), model, '']);
      if (result.falseFailures.length > 0) console.log(`  (false failures: ${result.falseFailures.length})`);
    }
  }
}

interface StallPreset {
  title: string;
  fraction: number;
  stallMs: number;
  periodMs: number;
  loss: number;
}

const STALL_PRESETS: StallPreset[] = [
  {
    title: '1% of members stalled 2s every minute, no loss',
    fraction: 0.01,
    stallMs: 2000,
    periodMs: 60_000,
    loss: 0,
  },
  {
    title: 'harsher: 4% stalled 3.5s every 20s, 5% packet loss (the CI scenario)',
    fraction: 0.04,
    stallMs: 3500,
    periodMs: 20_000,
    loss: 0.05,
  },
];

const STALL_VARIANTS: [string, Partial<typeof GOSSIP_LAN>][] = [
  ['ours: Lifeguard + last call (defaults)', {}],
  ['memberlist as is: Lifeguard, no last call', { lastCallTimeoutMs: 0 }],
  ['no awareness, no last call', { lastCallTimeoutMs: 0, awarenessMaxMultiplier: 1 }],
  [
    'no Lifeguard, no last call (fixed suspicion)',
    { lastCallTimeoutMs: 0, awarenessMaxMultiplier: 1, suspicionMaxTimeoutMult: 1 },
  ],
];

function stallRuns(): void {
  const n = Number(values['stall-size']);
  const hours = Number(values.hours);
  for (const preset of STALL_PRESETS) {
    console.log(`\n## False positives: ${n} members, ${preset.title}, ${hours}h (seed ${seed})\n`);
    row(['variant', 'member-hours', 'false positives', 'per member-hour', 'refutes', 'max awareness', 'run']);
    row(['---', '---:', '---:', '---:', '---:', '---:', '---:']);
    for (const [label, overrides] of STALL_VARIANTS) {
      const started = performance.now();
      const result = stalls({
        seed,
        n,
        config: deriveGossipConfig(GOSSIP_LAN, overrides),
        faults: { lossRate: preset.loss, duplicateRate: 0, minDelayMs: 1, maxDelayMs: 10 },
        stalledFraction: preset.fraction,
        stallMs: preset.stallMs,
        periodMs: preset.periodMs,
        durationMs: hours * 3_600_000,
      });
      row([
        label,
        result.memberHours.toFixed(0),
        result.falsePositiveEpisodes,
        (result.falsePositiveEpisodes / result.memberHours).toFixed(4),
        result.refutes,
        result.maxAwareness,
        `${((performance.now() - started) / 1000).toFixed(0)}s`,
      ]);
    }
  }
}

/** Heap held by `copies` agents that each know n members (its own frame, so all is garbage after). */
function heapOfAgents(n: number, copies: number): number {
  gc();
  const before = process.memoryUsage().heapUsed;
  const cores: GossipCore[] = [];
  for (let copy = 0; copy < copies; copy++) {
    // Built inside the measurement: names, addresses and tags decoded from the wire belong to the agent.
    const snapshots: MemberSnapshot[] = memberNames(n).map((name) => ({
      name: `${name}.${copy}`,
      address: `${addressOf(name)}#${copy}`,
      meta: {
        role: 'node',
        dc: 'dc1',
        id: `${name}-${copy}-0000-0000-000000000000`,
        build: '1.0.0',
        port: '8300',
      },
      incarnation: 1,
      state: 'alive' as const,
    }));
    const core = new GossipCore({
      name: 'observer',
      address: addressOf('observer'),
      meta: {},
      config: GOSSIP_LAN,
      random: createRandom(seed + copy),
      nowMs: 0,
      initialMembers: snapshots,
    });
    core.tick(1000);
    cores.push(core);
  }
  gc();
  const used = process.memoryUsage().heapUsed - before;
  if (cores.some((core) => core.members().length !== n + 1)) throw new Error('table incomplete');
  return used;
}

function memory(): void {
  const collectable = (globalThis as { gc?: () => void }).gc !== undefined;
  console.log(
    `\n## Memory per member (one agent's gossip state)${collectable ? '' : ' (run with --expose-gc for exact numbers)'}\n`,
  );
  row(['members', 'heap per agent', 'per member']);
  row(['---:', '---:', '---:']);
  for (const n of sizes) {
    // Several agents' tables at once for small n, so the figure rises above the heap's noise.
    const copies = Math.max(1, Math.round(20_000 / n));
    const used = heapOfAgents(n, copies);
    row([n, `${(used / copies / 1e6).toFixed(2)} MB`, `${(used / copies / n).toFixed(0)} B`]);
  }
  console.log(
    "\n(Counted: the table, each member's name, address and five tags, the probe order and queues.)",
  );
}

if (only.has('convergence')) convergence();
if (only.has('stalls')) stallRuns();
if (only.has('memory')) memory();
