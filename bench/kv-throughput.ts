/**
 * KV throughput and latency, side by side on one machine in one run: our agent (single durable
 * server) PUT / GET / GET ?stale, etcd 3.4 (single member, JSON gateway) put / range /
 * serializable range, and a bare node:http server (the ceiling). wrk, one thread, at 1, 16 and 64
 * connections; 256-byte values over 1,000 keys, as in the performance anchors. One peer runs at a
 * time so that it has the box to itself (with wrk).
 */

import { httpCall, sendAll, type WriteSpec } from './lib/http.js';
import type { BenchOptions, BenchResult } from './lib/options.js';
import { type Peer, type PeerStart, startBare, startEtcd, startTribune } from './lib/peers.js';
import { waitForCpuQuiet, watchOtherLoad } from './lib/probes.js';
import { makeTempDir, removeTempDir } from './lib/processes.js';
import { formatMs, formatRate, formatRatio, formatTable } from './lib/table.js';
import { type RequestLine, runWrk, type WrkResult, wrkPath } from './lib/wrk.js';

export const CONNECTION_LEVELS = [1, 16, 64] as const;
const KEY_COUNT = 1000;
const VALUE = 'v'.repeat(256);
/** A safety cap on responses per run, far above any rate seen here: the time cap governs. */
const MAX_RESPONSES_PER_SECOND = 100_000;

interface Workload {
  op: string;
  requests: RequestLine[];
  contentType: string;
}

interface PeerPlan {
  name: string;
  start: () => Promise<PeerStart>;
  /** Writes every key the reads will ask for. */
  populate?: (peer: Peer) => Promise<void>;
  workloads: Workload[];
}

interface Measured {
  peer: string;
  op: string;
  connections: number;
  result: WrkResult;
  /** Share of the box's CPU that other processes used during the run. */
  otherPercent: number;
}

const keyName = (i: number) => `bench/key/${String(i).padStart(3, '0')}`;
const keys = Array.from({ length: KEY_COUNT }, (_, i) => keyName(i));
const b64 = (text: string) => Buffer.from(text).toString('base64');

function tribunePlan(): PeerPlan {
  const put = (key: string): WriteSpec => ({
    method: 'PUT',
    path: `/v1/kv/${key}`,
    body: VALUE,
    contentType: 'application/octet-stream',
  });
  return {
    name: 'tribune',
    start: () => startTribune(),
    populate: async (peer) => {
      await sendAll(peer.baseUrl, keys.map(put));
      const check = await httpCall(`${peer.baseUrl}/v1/kv/${keyName(0)}`);
      if (check.status !== 200) throw new Error(`tribune GET after populate: ${check.status} ${check.text}`);
    },
    workloads: [
      {
        op: 'put',
        contentType: 'application/octet-stream',
        requests: keys.map((k) => ({ ...put(k), body: VALUE })),
      },
      {
        op: 'get',
        contentType: 'text/plain',
        requests: keys.map((k) => ({ method: 'GET', path: `/v1/kv/${k}` })),
      },
      {
        op: 'get ?stale',
        contentType: 'text/plain',
        requests: keys.map((k) => ({ method: 'GET', path: `/v1/kv/${k}?stale` })),
      },
    ],
  };
}

function etcdPlan(): PeerPlan {
  const post = (path: string, body: Record<string, unknown>): RequestLine => ({
    method: 'POST',
    path,
    body: JSON.stringify(body),
  });
  const puts = keys.map((k) => post('/v3/kv/put', { key: b64(k), value: b64(VALUE) }));
  return {
    name: 'etcd',
    start: startEtcd,
    populate: async (peer) => {
      const writes = puts.map(
        (r): WriteSpec => ({
          method: 'POST',
          path: r.path,
          body: r.body ?? '',
          contentType: 'application/json',
        }),
      );
      await sendAll(peer.baseUrl, writes);
      const check = await httpCall(`${peer.baseUrl}/v3/kv/range`, {
        method: 'POST',
        body: JSON.stringify({ key: b64(keyName(0)) }),
      });
      if (!check.text.includes('"kvs"')) throw new Error(`etcd range after populate: ${check.text}`);
    },
    workloads: [
      { op: 'put', contentType: 'application/json', requests: puts },
      {
        op: 'range',
        contentType: 'application/json',
        requests: keys.map((k) => post('/v3/kv/range', { key: b64(k) })),
      },
      {
        op: 'range serializable',
        contentType: 'application/json',
        requests: keys.map((k) => post('/v3/kv/range', { key: b64(k), serializable: true })),
      },
    ],
  };
}

function barePlan(): PeerPlan {
  return {
    name: 'bare',
    start: startBare,
    workloads: [
      {
        op: 'put',
        contentType: 'application/octet-stream',
        requests: [{ method: 'PUT', path: '/', body: VALUE }],
      },
      { op: 'get', contentType: 'text/plain', requests: [{ method: 'GET', path: '/' }] },
    ],
  };
}

async function measurePeer(
  plan: PeerPlan,
  durationS: number,
  workDir: string,
  measured: Measured[],
): Promise<string | undefined> {
  console.log(`kv-throughput: starting ${plan.name}`);
  const start = await plan.start();
  if ('skipped' in start) return start.skipped;
  const { peer } = start;
  try {
    await plan.populate?.(peer);
    for (const workload of plan.workloads) {
      for (const connections of CONNECTION_LEVELS) {
        await waitForCpuQuiet(peer.pid, 300, 15, 5000);
        const otherLoad = watchOtherLoad([peer.pid]);
        const result = await runWrk({
          baseUrl: peer.baseUrl,
          requests: workload.requests,
          contentType: workload.contentType,
          connections,
          durationS,
          maxRequests: MAX_RESPONSES_PER_SECOND * durationS,
          workDir,
        });
        measured.push({ peer: plan.name, op: workload.op, connections, result, otherPercent: otherLoad() });
        console.log(
          `  ${plan.name} ${workload.op} c=${connections}: ${formatRate(result.perSecond)} req/s, ` +
            `p50 ${formatMs(result.p50Ms)} ms, p99 ${formatMs(result.p99Ms)} ms` +
            (result.statusErrors + result.socketErrors > 0
              ? `, errors ${result.statusErrors} status / ${result.socketErrors} socket`
              : ''),
        );
      }
    }
    return undefined;
  } finally {
    await peer.stop();
  }
}

function resultsTable(measured: readonly Measured[]): string[] {
  return formatTable(
    ['peer / op', 'c', 'req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'errors', 'other load %'],
    measured.map((m) => [
      `${m.peer} ${m.op}`,
      String(m.connections),
      formatRate(m.result.perSecond),
      formatMs(m.result.p50Ms),
      formatMs(m.result.p90Ms),
      formatMs(m.result.p99Ms),
      formatMs(m.result.maxMs),
      String(m.result.statusErrors + m.result.socketErrors),
      m.otherPercent.toFixed(0),
    ]),
  );
}

interface RatioSpec {
  label: string;
  ours: string;
  theirs: [string, string];
  levels: readonly number[];
  target: number;
}

const RATIOS: readonly RatioSpec[] = [
  { label: 'tribune put / etcd put', ours: 'put', theirs: ['etcd', 'put'], levels: [1, 64], target: 1.0 },
  {
    label: 'tribune get ?stale / etcd range serializable',
    ours: 'get ?stale',
    theirs: ['etcd', 'range serializable'],
    levels: CONNECTION_LEVELS,
    target: 1.5,
  },
  {
    label: 'tribune get ?stale / bare get',
    ours: 'get ?stale',
    theirs: ['bare', 'get'],
    levels: CONNECTION_LEVELS,
    target: 0.6,
  },
  // Context only (no target in the issue): the default-consistency read against etcd's linearizable one.
  {
    label: 'tribune get / etcd range',
    ours: 'get',
    theirs: ['etcd', 'range'],
    levels: CONNECTION_LEVELS,
    target: 0,
  },
];

function ratiosTable(measured: readonly Measured[]): string[] {
  const rate = (peer: string, op: string, c: number) =>
    measured.find((m) => m.peer === peer && m.op === op && m.connections === c)?.result.perSecond;
  const rows = RATIOS.map((spec) => {
    const cells = CONNECTION_LEVELS.map((c) => {
      if (!spec.levels.includes(c)) return '';
      const ours = rate('tribune', spec.ours, c);
      const theirs = rate(spec.theirs[0], spec.theirs[1], c);
      if (ours === undefined || theirs === undefined || theirs === 0) return 'n/a';
      const ratio = ours / theirs;
      const verdict = spec.target === 0 ? '' : ratio >= spec.target ? ' met' : ' below';
      return formatRatio(ratio) + verdict;
    });
    return [spec.label, ...cells, spec.target === 0 ? '(context)' : `>= ${spec.target.toFixed(1)}`];
  });
  return formatTable(['ratio (req/s)', ...CONNECTION_LEVELS.map((c) => `c=${c}`), 'target'], rows);
}

export async function runKvThroughput(options: BenchOptions): Promise<BenchResult> {
  const title = 'KV throughput (wrk 1 thread; 256 B values over 1,000 keys)';
  if (!wrkPath()) {
    return { title, lines: ['skipped: wrk is not installed (apt-get install -y wrk)'] };
  }
  const durationS = options.quick ? 2 : 5;
  const workDir = makeTempDir('tribune-bench-wrk-');
  const measured: Measured[] = [];
  const notes: string[] = [];
  try {
    for (const plan of [tribunePlan(), etcdPlan(), barePlan()]) {
      try {
        const skipped = await measurePeer(plan, durationS, workDir, measured);
        if (skipped) {
          notes.push(`${plan.name}: skipped (${skipped})`);
          console.log(`kv-throughput: skipping ${plan.name}: ${skipped}`);
        }
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        notes.push(`${plan.name}: failed (${message})`);
        console.log(`kv-throughput: ${plan.name} failed: ${message}`);
      }
    }
  } finally {
    removeTempDir(workDir);
  }
  return {
    title: `${title}, ${durationS} s per run`,
    lines: [...resultsTable(measured), '', ...ratiosTable(measured), ...(notes.length ? ['', ...notes] : [])],
  };
}
