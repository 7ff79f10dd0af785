/**
 * DNS queries per second and latency, with dnsperf (Debian `dnsperf`): our agent's DNS server for
 * `web.service.consul` A and SRV with 10 and then 100 instances, side by side in one run with dnsmasq
 * (Debian `dnsmasq-base`) answering one A record for `web.example` from its `--address` table.
 *
 *   node --import tsx bench/dns.ts [--quick]       run it alone and print the table
 *   runDnsBench(options)                          the same, for bench/run.ts
 *
 * For each row: a one-second warm-up, dnsperf closed-loop (100 queries outstanding) for the
 * throughput and the average latency, then dnsperf at a fixed 1,000 queries per second with -v for
 * the latency percentiles.
 * Plain rows send no EDNS (a 512-byte UDP answer: 3 records and TC, as any plain resolver gets);
 * EDNS rows send dnsperf's EDNS0 (4096 bytes). Both peers listen on 127.0.0.1 and are measured one at
 * a time; the box's two cores are shared with dnsperf. Numbers only, never pass/fail. A peer whose
 * binary is missing is skipped with a message.
 *
 * The agent under test is the real `tribune agent -dev`, run from the TypeScript sources through tsx
 * (this file with `--agent <args>` is its entry), with the dns plugin added through `plugins` while
 * it is not a built-in plugin.
 */
import { createSocket } from 'node:dgram';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import dnsPacket from 'dns-packet';
import { builtinPlugins } from '../core/builtin-plugins.js';
import { freePort, httpCall, pollUntil } from './lib/http.js';
import { type BenchOptions, type BenchResult, parseBenchArgs } from './lib/options.js';
import { REPO_ROOT } from './lib/peers.js';
import { summarize } from './lib/percentiles.js';
import { readCpuMs, watchOtherLoad } from './lib/probes.js';
import {
  cleanupNow,
  findCommand,
  makeTempDir,
  removeTempDir,
  runCommand,
  type Started,
  startProcess,
  stopProcess,
} from './lib/processes.js';
import { formatMs, formatRate, formatRatio, formatTable } from './lib/table.js';

const TITLE = 'DNS queries per second (dnsperf): tribune vs dnsmasq';
const THIS_FILE = fileURLToPath(import.meta.url);
const READY_TIMEOUT_MS = 30_000;
const FIXED_RATE_QPS = 1000;

interface DnsPeer {
  name: string;
  port: number;
  started: Started;
  stop(): Promise<void>;
}

interface Row {
  peer: string;
  query: string;
  instances: string;
  edns: boolean;
}

interface Measured extends Row {
  answers: string;
  responseBytes: string;
  qps: number;
  avgMs: number;
  lostPercent: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  rcodes: string;
  /** The server's own CPU time per answered query in the closed-loop run (noise-free efficiency). */
  cpuUsPerQuery: number;
  /** Share of the box's CPU used by other processes during the closed-loop run. */
  otherLoadPercent: number;
}

/** One UDP query with dns-packet: the decoded reply, or undefined after 1 s. */
async function probe(port: number, name: string, type: 'A' | 'SRV', edns: boolean) {
  const socket = createSocket('udp4');
  try {
    return await new Promise<dnsPacket.DecodedPacket | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), 1000);
      socket.on('message', (message) => {
        clearTimeout(timer);
        resolve(dnsPacket.decode(message));
      });
      socket.on('error', () => resolve(undefined));
      const additionals = edns
        ? [
            {
              type: 'OPT',
              name: '.',
              udpPayloadSize: 4096,
              flags: 0,
              options: [],
            } as unknown as dnsPacket.Answer,
          ]
        : [];
      socket.send(
        dnsPacket.encode({ type: 'query', id: 1, questions: [{ type, name }], additionals }),
        port,
        '127.0.0.1',
      );
    });
  } finally {
    socket.close();
  }
}

async function waitForDns(peer: Started, port: number, name: string): Promise<string | undefined> {
  return pollUntil(async () => (await probe(port, name, 'A', false)) !== undefined, {
    timeoutMs: READY_TIMEOUT_MS,
    intervalMs: 200,
    abort: () =>
      peer.hasExited() ? `${peer.name} exited: ${peer.outputTail().trim().slice(-600)}` : undefined,
  });
}

function dnsmasqPath(): string | undefined {
  return findCommand('dnsmasq') ?? ['/usr/sbin/dnsmasq', '/sbin/dnsmasq'].find((path) => existsSync(path));
}

async function startDnsmasq(): Promise<DnsPeer | string> {
  const binary = dnsmasqPath();
  if (!binary) return 'dnsmasq is missing (apt-get install -y dnsmasq-base)';
  const port = await freePort();
  const started = startProcess('dnsmasq', binary, [
    '--no-daemon',
    '--port',
    String(port),
    '--listen-address',
    '127.0.0.1',
    '--bind-interfaces',
    '--address=/web.example/127.0.0.1',
    '--no-resolv',
    '--no-hosts',
    '--conf-file=/dev/null',
    '--pid-file=',
  ]);
  const failure = await waitForDns(started, port, 'web.example');
  const stop = () => stopProcess(started);
  if (failure) {
    await stop();
    return failure;
  }
  return { name: 'dnsmasq', port, started, stop };
}

interface TribunePeer extends DnsPeer {
  httpUrl: string;
}

async function startTribune(): Promise<TribunePeer | string> {
  const [httpPort, dnsPort, serverPort, serfLan, serfWan] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const dir = makeTempDir('tribune-bench-dns-');
  const builtin = builtinPlugins({ reload: async () => {}, leave: async () => {} });
  const config = builtin.some((plugin) => plugin.name === 'dns')
    ? {}
    : { plugins: [join(REPO_ROOT, 'plugins', 'dns', 'index.ts')] };
  const configFile = join(dir, 'dns-bench.json');
  writeFileSync(configFile, JSON.stringify(config));
  const args = [
    '-dev',
    '-node',
    'bench',
    '-bind',
    '127.0.0.1',
    '-client',
    '127.0.0.1',
    '-http-port',
    String(httpPort),
    '-dns-port',
    String(dnsPort),
    '-server-port',
    String(serverPort),
    '-serf-lan-port',
    String(serfLan),
    '-serf-wan-port',
    String(serfWan),
    '-log-level',
    'error',
    '-config-file',
    configFile,
  ];
  const started = startProcess(
    'tribune agent',
    process.execPath,
    ['--import', 'tsx', THIS_FILE, '--agent', ...args],
    {
      cwd: REPO_ROOT,
    },
  );
  const httpUrl = `http://127.0.0.1:${httpPort}`;
  const stop = async () => {
    await stopProcess(started);
    removeTempDir(dir);
  };
  const leader = await pollUntil(
    async () => {
      const answer = await httpCall(`${httpUrl}/v1/status/leader`, { timeoutMs: 2000 });
      return answer.status === 200 && answer.text.trim().length > 2;
    },
    {
      timeoutMs: READY_TIMEOUT_MS,
      abort: () =>
        started.hasExited() ? `tribune exited: ${started.outputTail().trim().slice(-600)}` : undefined,
    },
  );
  const failure = leader ?? (await waitForDns(started, dnsPort, 'consul'));
  if (failure) {
    await stop();
    return failure;
  }
  return { name: 'tribune', port: dnsPort, started, stop, httpUrl };
}

/** Registers instances `from`..`to`-1 of `web`, each on a node of its own with its own address. */
async function registerInstances(httpUrl: string, from: number, to: number): Promise<void> {
  for (let i = from; i < to; i++) {
    const answer = await httpCall(`${httpUrl}/v1/catalog/register`, {
      method: 'PUT',
      body: JSON.stringify({
        Node: `web-${i}`,
        Address: `10.0.${i >> 8}.${(i & 255) + 1}`,
        NodeMeta: { rack: `r${i % 4}` },
        Service: { ID: 'web', Service: 'web', Port: 8000 + i },
      }),
    });
    if (answer.status !== 200) throw new Error(`register web-${i}: ${answer.status} ${answer.text}`);
  }
}

function parseNumber(output: string, pattern: RegExp): number {
  const match = pattern.exec(output);
  return match ? Number(match[1]) : Number.NaN;
}

async function dnsperf(
  binary: string,
  port: number,
  queryFile: string,
  seconds: number,
  extra: string[],
): Promise<string> {
  const result = await runCommand(
    'dnsperf',
    binary,
    ['-s', '127.0.0.1', '-p', String(port), '-d', queryFile, '-l', String(seconds), '-t', '2', ...extra],
    (seconds + 20) * 1000,
  );
  if (result.timedOut) throw new Error('dnsperf took too long');
  return result.output;
}

async function measure(
  binary: string,
  peer: DnsPeer,
  row: Row,
  name: string,
  type: 'A' | 'SRV',
  dir: string,
  seconds: number,
): Promise<Measured> {
  const queryFile = join(dir, `${peer.name}-${name}-${type}.txt`);
  writeFileSync(queryFile, `${name} ${type}\n`);
  const edns = row.edns ? ['-e'] : [];
  const sample = await probe(peer.port, name, type, row.edns);
  const answers = sample ? `${sample.answers?.length ?? 0}${sample.flag_tc ? ' TC' : ''}` : '-';
  // Warm-up (not recorded): the agent's JIT compiles the answer path during the first thousands of queries.
  await dnsperf(binary, peer.port, queryFile, 1, ['-q', '100', ...edns]);
  const otherLoad = watchOtherLoad([peer.started.pid]);
  const cpuBefore = readCpuMs(peer.started.pid) ?? Number.NaN;
  const closed = await dnsperf(binary, peer.port, queryFile, seconds, ['-q', '100', ...edns]);
  const serverCpuMs = (readCpuMs(peer.started.pid) ?? Number.NaN) - cpuBefore;
  const otherLoadPercent = otherLoad();
  const paced = await dnsperf(binary, peer.port, queryFile, seconds, [
    '-Q',
    String(FIXED_RATE_QPS),
    '-v',
    ...edns,
  ]);
  const latencies: number[] = [];
  for (const line of paced.split('\n')) {
    const match = /^> \S+ \S+ \S+ ([\d.]+)$/.exec(line.trim());
    if (match) latencies.push(Number(match[1]) * 1000);
  }
  const paced50 = summarize(latencies);
  return {
    ...row,
    answers,
    responseBytes: String(parseNumber(closed, /Average packet size:\s+request \d+, response (\d+)/)),
    qps: parseNumber(closed, /Queries per second:\s+([\d.]+)/),
    avgMs: parseNumber(closed, /Average Latency \(s\):\s+([\d.]+)/) * 1000,
    lostPercent: parseNumber(closed, /Queries lost:\s+\d+ \(([\d.]+)%\)/),
    p50Ms: paced50.p50,
    p99Ms: paced50.p99,
    maxMs: paced50.max,
    rcodes: (/Response codes:\s+(.*)/.exec(closed)?.[1] ?? '-').replace(/ \([\d.]+%\)/g, ''),
    cpuUsPerQuery: (serverCpuMs * 1000) / parseNumber(closed, /Queries completed:\s+(\d+)/),
    otherLoadPercent,
  };
}

export async function runDnsBench(options: BenchOptions): Promise<BenchResult> {
  const binary = findCommand('dnsperf');
  if (!binary) return { title: TITLE, lines: ['skipped: dnsperf is missing (apt-get install -y dnsperf)'] };
  const seconds = options.quick ? 2 : 5;
  const dir = makeTempDir('tribune-bench-dnsperf-');
  const lines: string[] = [];
  const results: Measured[] = [];
  try {
    const dnsmasq = await startDnsmasq();
    if (typeof dnsmasq === 'string') lines.push(`dnsmasq skipped: ${dnsmasq}`);
    else {
      try {
        console.log('dnsmasq: web.example A');
        results.push(
          await measure(
            binary,
            dnsmasq,
            { peer: 'dnsmasq', query: 'web.example A', instances: '1', edns: false },
            'web.example',
            'A',
            dir,
            seconds,
          ),
        );
      } finally {
        await dnsmasq.stop();
      }
    }
    const tribune = await startTribune();
    if (typeof tribune === 'string') lines.push(`tribune skipped: ${tribune}`);
    else {
      try {
        for (const [from, to] of [
          [0, 10],
          [10, 100],
        ] as const) {
          await registerInstances(tribune.httpUrl, from, to);
          for (const [type, edns] of [
            ['A', false],
            ['SRV', false],
            ['A', true],
            ['SRV', true],
          ] as const) {
            console.log(`tribune: web.service.consul ${type}, ${to} instances${edns ? ', EDNS' : ''}`);
            results.push(
              await measure(
                binary,
                tribune,
                { peer: 'tribune', query: `web.service.consul ${type}`, instances: String(to), edns },
                'web.service.consul',
                type,
                dir,
                seconds,
              ),
            );
          }
        }
      } finally {
        await tribune.stop();
      }
    }
  } finally {
    removeTempDir(dir);
  }
  const headers = ['server', 'query', 'inst', 'EDNS', 'answers', 'resp B', 'qps', 'CPU us/q', 'avg ms'];
  headers.push('lost %', `p50 ms @${FIXED_RATE_QPS}`, `p99 ms @${FIXED_RATE_QPS}`, 'max ms', 'other load %');
  const rows = results.map((r) => [
    r.peer,
    r.query,
    r.instances,
    r.edns ? 'yes' : 'no',
    r.answers,
    r.responseBytes,
    formatRate(r.qps),
    Number.isFinite(r.cpuUsPerQuery) ? r.cpuUsPerQuery.toFixed(1) : '-',
    formatMs(r.avgMs),
    Number.isFinite(r.lostPercent) ? r.lostPercent.toFixed(2) : '-',
    formatMs(r.p50Ms),
    formatMs(r.p99Ms),
    formatMs(r.maxMs),
    r.otherLoadPercent.toFixed(0),
  ]);
  lines.push(...formatTable(headers, rows));
  const codes = [...new Set(results.map((r) => r.rcodes.replace(/\d+/g, '').trim()))];
  lines.push(`response codes seen: ${codes.join('; ')}`);
  const peerRow = results.find((r) => r.peer === 'dnsmasq');
  const ours = results.find(
    (r) => r.peer === 'tribune' && r.query.endsWith(' A') && r.instances === '10' && !r.edns,
  );
  if (peerRow && ours) {
    const ratio = ours.qps / peerRow.qps;
    lines.push(
      '',
      `A with 10 instances vs dnsmasq: ${formatRatio(ratio)} of its rate (target >= 0.70: ${ratio >= 0.7 ? 'met' : 'below'})`,
    );
  }
  if (ours) {
    lines.push(
      `p99 at ${FIXED_RATE_QPS} qps offered, A with 10 instances: ${formatMs(ours.p99Ms)} ms (target < 5 ms: ${ours.p99Ms < 5 ? 'met' : 'below'})`,
    );
  }
  return { title: TITLE, lines };
}

async function runAgent(args: string[]): Promise<void> {
  const { main, processIO } = await import('../core/cli/main.js');
  process.exitCode = await main(['agent', ...args], processIO());
}

if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) {
  if (process.argv[2] === '--agent') {
    await runAgent(process.argv.slice(3));
  } else {
    try {
      const options = parseBenchArgs(process.argv.slice(2), ['dns']);
      const result = await runDnsBench(options);
      console.log(`\n## ${result.title}\n`);
      for (const line of result.lines) console.log(line);
    } finally {
      cleanupNow();
    }
  }
}
