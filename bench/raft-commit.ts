/**
 * Raft commit throughput of a lone server on a real disk: proposals acknowledged per second at
 * concurrency 1, 16 and 64, with the log under os.tmpdir(). Prints numbers; never pass/fail.
 *   node --import tsx bench/raft-commit.ts [seconds per level, default 3]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kernel } from '../core/kernel.js';
import { createRaftPlugin } from '../plugins/raft/index.js';
import { SingleNodeRaft } from '../plugins/raft/single-node.js';
import { startTestKernel } from '../test/helpers/test-kernel.js';
import { createTestSetPlugin, setCommand } from '../test/helpers/test-set-plugin.js';

const seconds = Number(process.argv[2] ?? 3);
const MAX_PROPOSALS_PER_LEVEL = 2_000_000;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
}

async function runLevel(kernel: Kernel, concurrency: number, durationMs: number) {
  const latencies: number[] = [];
  const deadline = performance.now() + durationMs;
  let issued = 0;
  const worker = async (id: number) => {
    while (performance.now() < deadline && issued < MAX_PROPOSALS_PER_LEVEL) {
      const n = issued++;
      const started = performance.now();
      await kernel.propose(setCommand(`bench/${id}/${n % 1000}`, 'x'.repeat(64)));
      latencies.push(performance.now() - started);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, (_, id) => worker(id)));
  const elapsed = performance.now() - started;
  latencies.sort((a, b) => a - b);
  return {
    rate: (latencies.length / elapsed) * 1000,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    count: latencies.length,
  };
}

const dir = mkdtempSync(join(tmpdir(), 'tribune-bench-raft-'));
try {
  const { kernel, stop } = await startTestKernel({
    consensus: 'plugin',
    plugins: [createRaftPlugin(), createTestSetPlugin()],
    config: {
      data_dir: dir,
      ports: { dns: -1, http: -1, https: -1, grpc: -1, serf_lan: 8301, serf_wan: 8302, server: 8300 },
    },
  });
  const driver = kernel.consensus;
  console.log(`raft commit, lone server, log in ${dir}, ${seconds}s per level`);
  for (const concurrency of [1, 16, 64]) {
    const before = driver instanceof SingleNodeRaft ? { ...driver.counters } : undefined;
    const r = await runLevel(kernel, concurrency, seconds * 1000);
    const after = driver instanceof SingleNodeRaft ? driver.counters : undefined;
    const batches = before && after ? after.batches - before.batches : 0;
    console.log(
      `c=${String(concurrency).padStart(2)}  ${r.rate.toFixed(0).padStart(6)} proposals/s  ` +
        `p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms  ` +
        `${r.count} proposals in ${batches} syncs (${(r.count / Math.max(1, batches)).toFixed(1)} per sync)`,
    );
  }
  await stop();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
