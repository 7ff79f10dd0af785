/**
 * `npm run bench`: runs every benchmark in sequence and prints a summary table. Numbers only, never
 * pass/fail (the exit code is non-zero only when the bench itself broke).
 *   npm run bench -- [--quick] [--only kv-throughput,blocking-fanout,raft-commit,dns,health-checks]
 */
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { runBlockingFanout } from './blocking-fanout.js';
import { runDnsBench } from './dns.js';
import { runHealthChecksBench } from './health-checks.js';
import { runKvThroughput } from './kv-throughput.js';
import { type BenchOptions, type BenchResult, parseBenchArgs } from './lib/options.js';
import { REPO_ROOT } from './lib/peers.js';
import { boxIdlePercent } from './lib/probes.js';
import { cleanupNow, runCommand } from './lib/processes.js';

type Benchmark = (options: BenchOptions) => Promise<BenchResult>;

/** Written by the raft owner; run as its own process, its output passed through. */
async function runRaftCommit(options: BenchOptions): Promise<BenchResult> {
  const title = 'Raft commit, lone server (bench/raft-commit.ts)';
  const script = join(REPO_ROOT, 'bench', 'raft-commit.ts');
  if (!existsSync(script)) return { title, lines: ['skipped: bench/raft-commit.ts does not exist'] };
  const seconds = options.quick ? 1 : 3;
  const result = await runCommand(
    'raft-commit',
    process.execPath,
    ['--import', 'tsx', script, String(seconds)],
    (seconds * 3 + 60) * 1000,
    { cwd: REPO_ROOT },
  );
  const lines = result.output.trimEnd().split('\n');
  if (result.timedOut) lines.push('(stopped: took too long)');
  else if (result.code !== 0) lines.push(`(exited with ${result.code})`);
  return { title, lines };
}

const BENCHMARKS: ReadonlyArray<[string, Benchmark]> = [
  ['kv-throughput', runKvThroughput],
  ['blocking-fanout', runBlockingFanout],
  ['raft-commit', runRaftCommit],
  ['dns', runDnsBench],
  ['health-checks', runHealthChecksBench],
];

async function main(): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseBenchArgs(
      process.argv.slice(2),
      BENCHMARKS.map(([name]) => name),
    );
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 2;
  }
  const idle = await boxIdlePercent(1000);
  const header =
    `Tribune bench ${new Date().toISOString()} · node ${process.version} · ${cpus().length} CPUs ` +
    `(${cpus()[0]?.model ?? 'unknown'}) · box ${idle.toFixed(0)} % idle at start${options.quick ? ' · --quick' : ''}`;
  console.log(header);
  const results: BenchResult[] = [];
  let broken = 0;
  for (const [name, bench] of BENCHMARKS) {
    if (options.only && !options.only.has(name)) continue;
    console.log(`\n== ${name}`);
    try {
      results.push(await bench(options));
    } catch (error) {
      broken++;
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      console.error(`${name} broke: ${message}`);
      results.push({ title: name, lines: [`broke: ${message.split('\n')[0]}`] });
    }
  }
  console.log(`\n==================== summary ====================\n${header}`);
  for (const result of results) {
    console.log(`\n## ${result.title}\n`);
    for (const line of result.lines) console.log(line);
  }
  return broken > 0 ? 1 : 0;
}

try {
  process.exitCode = await main();
} finally {
  cleanupNow();
}
