/**
 * Deterministic simulation of the raft core: the regression seeds in raft/seeds.json, then a
 * short batch of fresh random seeds (printed, so a failure replays with
 * `npm run sim -- --seed S --nodes N --steps T`). RAFT_SIM_SEED=S runs that seed first.
 */
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runSimulation, type SimOptions } from './raft/simulator.js';

interface SeedEntry extends SimOptions {
  readonly why: string;
}

const file = JSON.parse(readFileSync(join(import.meta.dirname, 'raft', 'seeds.json'), 'utf8')) as {
  seeds: SeedEntry[];
};

function runAndCheck(options: SimOptions): void {
  const stats = runSimulation(options);
  // A run that never elected a leader or committed a write would prove nothing.
  assert.ok(stats.leaderTerms > 0, `seed ${options.seed}: no leader was ever elected`);
  assert.ok(stats.committed > 0, `seed ${options.seed}: nothing was committed`);
}

test('raft simulation: regression seeds', () => {
  for (const entry of file.seeds) {
    const { why: _why, ...options } = entry;
    runAndCheck(options);
  }
});

test('raft simulation: random seeds, 3 and 5 servers', (t) => {
  const pinned = process.env.RAFT_SIM_SEED;
  const runs: SimOptions[] = [];
  if (pinned !== undefined) runs.push({ seed: Number(pinned), nodes: 3, steps: 10_000 });
  for (let i = 0; i < 6; i++) runs.push({ seed: randomInt(2 ** 31), nodes: 3, steps: 10_000 });
  for (let i = 0; i < 3; i++) runs.push({ seed: randomInt(2 ** 31), nodes: 5, steps: 8_000 });
  t.diagnostic(`seeds: ${runs.map((r) => `${r.seed}/${r.nodes}`).join(' ')}`);
  for (const options of runs) runAndCheck(options);
});

test('raft simulation: the same seed replays the same run', () => {
  const a = runSimulation({ seed: 4242, nodes: 3, steps: 4_000 });
  const b = runSimulation({ seed: 4242, nodes: 3, steps: 4_000 });
  assert.deepEqual(a, b);
});
