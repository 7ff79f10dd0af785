/**
 * Long simulation runs of the raft core: `npm run sim -- [--seed S] [--runs N] [--ticks T |
 * --steps N] [--nodes 3|5|both]`. Seeds S, S+1, … (a random start seed when none is given,
 * printed first). Stops at the first failure with the seed that reproduces it; exit code 1.
 */
import { randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';
import { runSimulation, SimulationFailure } from './raft/simulator.js';

const TICK_UNITS = 10;

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    runs: { type: 'string', default: '100' },
    ticks: { type: 'string' },
    steps: { type: 'string' },
    nodes: { type: 'string', default: 'both' },
  },
});

function int(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0) {
    console.error(`--${name} must be a non-negative integer`);
    process.exit(2);
  }
  return n;
}

const start = int('seed', values.seed) ?? randomInt(2 ** 31);
const runs = int('runs', values.runs) ?? 100;
const steps = int('steps', values.steps) ?? (int('ticks', values.ticks) ?? 3000) * TICK_UNITS;
const sizes = values.nodes === 'both' ? [3, 5] : [int('nodes', values.nodes) ?? 3];

console.log(
  `raft simulation: seeds ${start}..${start + runs - 1}, ${steps} steps, ${sizes.join(' and ')} servers`,
);
const began = process.hrtime.bigint();
let committed = 0;
for (let i = 0; i < runs; i++) {
  const seed = start + i;
  for (const nodes of sizes) {
    try {
      const stats = runSimulation({ seed, nodes, steps });
      committed += stats.committed;
      if (runs <= 10) console.log(JSON.stringify(stats));
    } catch (err) {
      if (err instanceof SimulationFailure) {
        console.error(err.message);
        console.error(`replay: npm run sim -- --seed ${seed} --runs 1 --steps ${steps} --nodes ${nodes}`);
        process.exit(1);
      }
      throw err;
    }
  }
  if ((i + 1) % 50 === 0) console.log(`${i + 1}/${runs} seeds passed`);
}
const seconds = Number(process.hrtime.bigint() - began) / 1e9;
console.log(
  `all ${runs * sizes.length} runs passed (${committed} entries committed) in ${seconds.toFixed(1)} s`,
);
