/**
 * Health-check scheduling under load (not a test): 1,000 HTTP checks at a 1 s interval on one
 * agent for ~20 s, against a local HTTP server in a child process (so the agent's CPU figure is
 * the agent's alone). The agent runs in this process — http, raft (-dev, in memory), catalog,
 * agent and health plugins — so that the scheduler can report each probe's planned and actual
 * start. Printed: the agent's CPU use (process.cpuUsage over the window), scheduling drift
 * (actual − planned start, p50/p90/p99/max), probes run and skipped, event-loop delay, RSS.
 *
 *   node --import tsx bench/health-checks.ts [--checks 1000] [--seconds 20] [--interval-ms 1000] [--quick]
 *
 * `runHealthChecksBench(options)` is the same thing for bench/run.ts.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import pino from 'pino';
import { defaultConfig } from '../core/config/defaults.js';
import type { AgentConfig } from '../core/config/types.js';
import { Kernel } from '../core/kernel.js';
import { createAgentPlugin, getLocalState } from '../plugins/agent/index.js';
import { createCatalogPlugin } from '../plugins/catalog/index.js';
import { createHealthPlugin, getHealthScheduler } from '../plugins/health/index.js';
import { createHttpPlugin, httpListenAddresses } from '../plugins/http/index.js';
import { createRaftPlugin } from '../plugins/raft/index.js';
import type { BenchOptions, BenchResult } from './lib/options.js';
import { summarize } from './lib/percentiles.js';
import { readCpuMs } from './lib/probes.js';
import { type Started, startProcess, stopProcess } from './lib/processes.js';
import { formatMs, formatTable } from './lib/table.js';

export interface HealthBenchSettings {
  checks: number;
  seconds: number;
  intervalMs: number;
}

/** The target: a bare node:http server answering 200 "ok" on every path, in its own process. */
const TARGET_SERVER = `
const http = require('node:http');
const server = http.createServer((req, res) => { res.writeHead(200, { 'Content-Type': 'text/plain' }); res.end('ok'); });
server.keepAliveTimeout = 1000;
server.listen(0, '127.0.0.1', () => console.log('port ' + server.address().port));
`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function startTarget(): Promise<{ process: Started; port: number }> {
  const target = startProcess('health-target', process.execPath, ['-e', TARGET_SERVER]);
  for (let i = 0; i < 500; i++) {
    const match = /port (\d+)/.exec(target.outputTail());
    if (match) return { process: target, port: Number(match[1]) };
    if (target.hasExited()) break;
    await sleep(20);
  }
  await stopProcess(target);
  throw new Error(`the target server did not start: ${target.outputTail()}`);
}

function agentConfig(): AgentConfig {
  const defaults = defaultConfig();
  return {
    ...defaults,
    dev: true,
    server: true,
    bootstrap: true,
    node_name: 'bench',
    node_id: '0badbe4c-0000-4000-8000-000000000001',
    bind_addr: '127.0.0.1',
    advertise_addr: '127.0.0.1',
    ports: { ...defaults.ports, dns: -1, http: 0 },
    log_level: 'error',
  };
}

/** Registers `count` services, each with one HTTP check, over the agent's HTTP API. */
async function registerChecks(apiUrl: string, targetPort: number, settings: HealthBenchSettings) {
  const interval = `${settings.intervalMs}ms`;
  const concurrency = 20;
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < settings.checks; i = next++) {
      const res = await fetch(`${apiUrl}/v1/agent/service/register`, {
        method: 'PUT',
        body: JSON.stringify({
          Name: `svc-${i}`,
          Port: targetPort,
          Check: { HTTP: `http://127.0.0.1:${targetPort}/health/${i}`, Interval: interval, Timeout: '5s' },
        }),
      });
      const text = await res.text();
      if (res.status !== 200) throw new Error(`registering svc-${i}: ${res.status} ${text}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

export async function measureHealthChecks(settings: HealthBenchSettings): Promise<string[]> {
  const target = await startTarget();
  // Drift samples are kept only inside the measuring window.
  let window: { from: number; to: number } | undefined;
  const drift: number[] = [];
  let probes = 0;
  const kernel = new Kernel({ config: agentConfig(), logger: pino({ level: 'error' }) });
  kernel.use([
    createHttpPlugin(),
    createRaftPlugin(),
    createCatalogPlugin(),
    createAgentPlugin(),
    createHealthPlugin({
      onProbeStart: (_id, planned, started) => {
        if (window && started >= window.from && started < window.to) {
          drift.push(started - planned);
          probes++;
        }
      },
    }),
  ]);
  try {
    await kernel.start();
    const bound = httpListenAddresses(kernel)[0];
    if (!bound) throw new Error('the agent has no HTTP listener');
    const registerStart = performance.now();
    await registerChecks(`http://${bound.address}:${bound.port}`, target.port, settings);
    const registerMs = performance.now() - registerStart;
    // Every check has run (first runs are staggered over one interval) and its result is synced.
    await sleep(settings.intervalMs * 2 + 1000);

    const scheduler = getHealthScheduler(kernel);
    const skippedBefore = scheduler?.stats().skippedRuns ?? 0;
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    const targetCpuBefore = readCpuMs(target.process.pid);
    const from = performance.now();
    window = { from, to: from + settings.seconds * 1000 };
    loopDelay.enable();
    const cpuBefore = process.cpuUsage();
    await sleep(settings.seconds * 1000);
    const cpu = process.cpuUsage(cpuBefore);
    const wallMs = performance.now() - from;
    loopDelay.disable();
    const targetCpuAfter = readCpuMs(target.process.pid);
    const skipped = (scheduler?.stats().skippedRuns ?? 0) - skippedBefore;
    const rssMb = process.memoryUsage().rss / 1024 / 1024;

    const statuses = new Map<string, number>();
    for (const entry of getLocalState(kernel)?.checks() ?? []) {
      statuses.set(entry.check.Status, (statuses.get(entry.check.Status) ?? 0) + 1);
    }
    const cpuMs = (cpu.user + cpu.system) / 1000;
    const d = summarize(drift);
    const expected = (settings.checks * wallMs) / settings.intervalMs;
    const targetCpu =
      targetCpuBefore !== undefined && targetCpuAfter !== undefined
        ? `${(((targetCpuAfter - targetCpuBefore) / wallMs) * 100).toFixed(1)} %`
        : '-';
    return [
      `${settings.checks} HTTP checks every ${settings.intervalMs} ms, measured over ${(wallMs / 1000).toFixed(1)} s ` +
        `(registration took ${formatMs(registerMs)} ms; statuses at the end: ` +
        `${[...statuses].map(([s, n]) => `${n} ${s}`).join(', ')})`,
      '',
      ...formatTable(
        ['figure', 'value'],
        [
          ['agent CPU (one core = 100 %)', `${((cpuMs / wallMs) * 100).toFixed(1)} %`],
          ['  user / system ms', `${formatMs(cpu.user / 1000)} / ${formatMs(cpu.system / 1000)}`],
          ['  CPU per probe µs', probes > 0 ? ((cpuMs * 1000) / probes).toFixed(0) : '-'],
          ['target server CPU', targetCpu],
          ['probes started / expected', `${probes} / ${Math.round(expected)}`],
          ['runs skipped (previous still going)', String(skipped)],
          ['drift p50 ms', formatMs(d.p50)],
          ['drift p90 ms', formatMs(d.p90)],
          ['drift p99 ms', formatMs(d.p99)],
          ['drift max ms', formatMs(d.max)],
          ['event-loop delay p99 ms', formatMs(loopDelay.percentile(99) / 1e6)],
          ['RSS MB', rssMb.toFixed(0)],
        ],
      ),
      '',
      'drift = actual start − planned start of each probe (fixed-rate slots after a random first offset).',
    ];
  } finally {
    await kernel.stop();
    await stopProcess(target.process);
  }
}

/** For bench/run.ts: the issue's figure, or a 5 s run with --quick. */
export async function runHealthChecksBench(options: BenchOptions): Promise<BenchResult> {
  const lines = await measureHealthChecks({
    checks: 1000,
    seconds: options.quick ? 5 : 20,
    intervalMs: 1000,
  });
  return { title: 'Health checks: 1,000 HTTP checks at 1 s on one agent (bench/health-checks.ts)', lines };
}

function parseArgs(argv: readonly string[]): HealthBenchSettings {
  const settings: HealthBenchSettings = { checks: 1000, seconds: 20, intervalMs: 1000 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = Number(argv[i + 1]);
    if (arg === '--quick') settings.seconds = 5;
    else if (arg === '--checks' && value > 0) settings.checks = Math.floor(value);
    else if (arg === '--seconds' && value > 0) settings.seconds = value;
    else if (arg === '--interval-ms' && value > 0) settings.intervalMs = Math.floor(value);
    else throw new Error(`unknown or bad argument "${arg}"`);
    if (arg !== '--quick') i++;
  }
  return settings;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const lines = await measureHealthChecks(parseArgs(process.argv.slice(2)));
    for (const line of lines) console.log(line);
  } catch (err) {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exitCode = 1;
  }
}
