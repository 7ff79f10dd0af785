/**
 * Blocking-query fan-out on our agent: 10,000 waiters on distinct keys plus 1,000 on one hot key
 * (`GET /v1/kv/<k>?index=N&wait=60s`, from a separate process, one keep-alive connection each),
 * then one write to the hot key and one write to each distinct key. Measures, per affected
 * waiter, the time from the write's start to the waiter's full answer; whether every waiter
 * answered (and none early); and the agent's memory per parked waiter from /proc VmRSS.
 */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import type { Answer, FromClient, ToClient } from './lib/fanout-protocol.js';
import { monotonicMs } from './lib/fanout-protocol.js';
import { sendAll } from './lib/http.js';
import type { BenchOptions, BenchResult } from './lib/options.js';
import { type Peer, REPO_ROOT, startTribune } from './lib/peers.js';
import { summarize } from './lib/percentiles.js';
import { readRssKb, waitForCpuQuiet, watchOtherLoad } from './lib/probes.js';
import { type Started, startProcess, stopProcess } from './lib/processes.js';
import { formatMs, formatTable } from './lib/table.js';

const WAIT = '60s';
const DISTINCT_WRITE_CONCURRENCY = 8;
const ANSWER_TIMEOUT_MS = 30_000;
const ARM_TIMEOUT_MS = 180_000;
const TARGET_P99_MS = 500;
const TARGET_KB_PER_WAITER = 10;

const distinctKey = (i: number) => `bench/fan/d/${String(i).padStart(5, '0')}`;
const HOT_KEY = 'bench/fan/hot';

/** One IPC conversation with the waiter process: send, then wait for a reply of a given type. */
class WaiterProcess {
  private readonly inbox: FromClient[] = [];
  private wake: (() => void) | undefined;

  constructor(readonly started: Started) {
    started.child.on('message', (message: unknown) => {
      this.inbox.push(message as FromClient);
      this.wake?.();
    });
  }

  send(message: ToClient): void {
    this.started.child.send(message);
  }

  async receive<T extends FromClient['type']>(
    type: T,
    timeoutMs: number,
  ): Promise<Extract<FromClient, { type: T }>> {
    const deadline = monotonicMs() + timeoutMs;
    for (;;) {
      const i = this.inbox.findIndex((m) => m.type === type || m.type === 'error');
      if (i >= 0) {
        const [message] = this.inbox.splice(i, 1);
        if (message?.type === 'error') throw new Error(`waiter process: ${message.message}`);
        return message as Extract<FromClient, { type: T }>;
      }
      if (this.started.hasExited()) {
        throw new Error(`waiter process exited: ${this.started.outputTail().slice(-600)}`);
      }
      const left = deadline - monotonicMs();
      if (left <= 0) throw new Error(`waiter process: no "${type}" within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, Math.min(left, 200)).unref();
      });
      this.wake = undefined;
    }
  }

  async answered(): Promise<number> {
    this.send({ type: 'progress' });
    return (await this.receive('progress', 10_000)).answered;
  }

  /** Polls until at least `count` answers are in, or timeoutMs passes. */
  async waitForAnswers(count: number, timeoutMs: number): Promise<number> {
    const deadline = monotonicMs() + timeoutMs;
    let answered = await this.answered();
    while (answered < count && monotonicMs() < deadline) {
      await sleep(50);
      answered = await this.answered();
    }
    return answered;
  }
}

interface WriteTimes {
  startedAt: Map<string, number>;
  ackMs: number[];
}

async function writeKeys(baseUrl: string, keys: readonly string[], concurrency: number): Promise<WriteTimes> {
  const pool = new Pool(baseUrl, { connections: concurrency });
  const times: WriteTimes = { startedAt: new Map(), ackMs: [] };
  let next = 0;
  const worker = async () => {
    while (next < keys.length) {
      const key = keys[next++] as string;
      const started = monotonicMs();
      times.startedAt.set(key, started);
      const res = await pool.request({ method: 'PUT', path: `/v1/kv/${key}`, body: `changed at ${started}` });
      const text = await res.body.text();
      if (res.statusCode !== 200) throw new Error(`PUT ${key}: ${res.statusCode} ${text}`);
      times.ackMs.push(monotonicMs() - started);
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    await pool.close();
  }
  return times;
}

interface GroupOutcome {
  label: string;
  waiters: number;
  latencies: number[];
  /** Answered before their key was written. */
  early: number;
  /** An error, or an answer after the write that did not carry a newer index. */
  failed: number;
}

function judge(
  label: string,
  waiterIds: readonly number[],
  waiterKeys: readonly string[],
  byWaiter: Map<number, Answer>,
  writes: Map<string, number>,
): GroupOutcome {
  const outcome: GroupOutcome = { label, waiters: waiterIds.length, latencies: [], early: 0, failed: 0 };
  for (const id of waiterIds) {
    const answer = byWaiter.get(id);
    if (!answer) continue;
    const writtenAt = writes.get(waiterKeys[id] as string);
    if (writtenAt === undefined || answer.atMs < writtenAt) outcome.early++;
    else if (answer.status !== 200 || !(answer.index > answer.requestedIndex)) outcome.failed++;
    else outcome.latencies.push(answer.atMs - writtenAt);
  }
  return outcome;
}

function outcomeRow(outcome: GroupOutcome): string[] {
  const s = summarize(outcome.latencies);
  const answered = outcome.latencies.length;
  const all = answered === outcome.waiters && outcome.early === 0 && outcome.failed === 0;
  return [
    outcome.label,
    `${answered.toLocaleString('en-US')}/${outcome.waiters.toLocaleString('en-US')}${all ? ' all' : ''}`,
    String(outcome.early),
    String(outcome.failed),
    formatMs(s.p50),
    formatMs(s.p99),
    formatMs(s.max),
    Number.isFinite(s.p99) ? (s.p99 < TARGET_P99_MS ? 'met' : 'below') : '-',
  ];
}

export async function measureFanout(
  peer: Peer,
  distinct: number,
  hot: number,
  lines: string[],
): Promise<void> {
  const total = distinct + hot;
  const waiterKeys = [
    ...Array.from({ length: distinct }, (_, i) => distinctKey(i)),
    ...Array.from({ length: hot }, () => HOT_KEY),
  ];
  console.log(`blocking-fanout: writing ${distinct + 1} keys`);
  await sendAll(
    peer.baseUrl,
    [...Array.from({ length: distinct }, (_, i) => distinctKey(i)), HOT_KEY].map((key) => ({
      method: 'PUT' as const,
      path: `/v1/kv/${key}`,
      body: 'initial',
      contentType: 'application/octet-stream',
    })),
  );
  await waitForCpuQuiet(peer.pid, 500, 20, 20_000);
  const rssBefore = readRssKb(peer.pid) ?? Number.NaN;

  const client = new WaiterProcess(
    startProcess(
      'fan-out waiters',
      process.execPath,
      ['--import', 'tsx', join(REPO_ROOT, 'bench/lib/fanout-client.ts')],
      {
        cwd: REPO_ROOT,
        ipc: true,
        openFiles: total + 4096,
      },
    ),
  );
  try {
    console.log(`blocking-fanout: parking ${total.toLocaleString('en-US')} waiters (wait=${WAIT})`);
    client.send({ type: 'arm', baseUrl: peer.baseUrl, waiterKeys, wait: WAIT });
    const armed = await client.receive('armed', ARM_TIMEOUT_MS);
    await waitForCpuQuiet(peer.pid, 500, 20, 20_000);
    const rssWith = readRssKb(peer.pid) ?? Number.NaN;
    const clientRss = readRssKb(client.started.pid) ?? Number.NaN;
    const earlyAnswers = await client.answered();
    const otherLoad = watchOtherLoad([peer.pid, client.started.pid]);
    console.log(
      `blocking-fanout: armed in ${formatMs(armed.armMs)} ms (${armed.running} in flight, ` +
        `${armed.connected} connections, ${earlyAnswers} answered already)`,
    );

    const hotWrite = await writeKeys(peer.baseUrl, [HOT_KEY], 1);
    await client.waitForAnswers(earlyAnswers + hot, ANSWER_TIMEOUT_MS);
    const distinctKeys = Array.from({ length: distinct }, (_, i) => distinctKey(i));
    const writeStarted = monotonicMs();
    const distinctWrites = await writeKeys(peer.baseUrl, distinctKeys, DISTINCT_WRITE_CONCURRENCY);
    const writesEndedAt = monotonicMs();
    const writeSeconds = (writesEndedAt - writeStarted) / 1000;
    await client.waitForAnswers(total, ANSWER_TIMEOUT_MS);
    const otherPercent = otherLoad();

    client.send({ type: 'collect' });
    const { answers } = await client.receive('answers', 60_000);
    const byWaiter = new Map<number, Answer>();
    for (const answer of answers) if (!byWaiter.has(answer.waiter)) byWaiter.set(answer.waiter, answer);
    const writes = new Map([...hotWrite.startedAt, ...distinctWrites.startedAt]);
    const ids = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);
    const hotOutcome = judge(
      `1 write -> ${hot} waiters on one key`,
      ids(distinct, hot),
      waiterKeys,
      byWaiter,
      writes,
    );
    const distinctOutcome = judge(
      `${distinct} writes -> 1 waiter each`,
      ids(0, distinct),
      waiterKeys,
      byWaiter,
      writes,
    );
    const perWaiterKb = (rssWith - rssBefore) / total;
    const ack = summarize(distinctWrites.ackMs);
    lines.push(
      ...formatTable(
        [
          'write -> waiters (latency from write start)',
          'answered',
          'early',
          'failed',
          'p50 ms',
          'p99 ms',
          'max ms',
          `p99 < ${TARGET_P99_MS} ms`,
        ],
        [outcomeRow(hotOutcome), outcomeRow(distinctOutcome)],
      ),
      '',
      `distinct writes: ${DISTINCT_WRITE_CONCURRENCY} in flight, ${Math.round(distinct / writeSeconds).toLocaleString('en-US')}/s, ` +
        `PUT ack p50 ${formatMs(ack.p50)} ms, p99 ${formatMs(ack.p99)} ms`,
      `memory: agent VmRSS ${(rssBefore / 1024).toFixed(1)} MiB idle -> ${(rssWith / 1024).toFixed(1)} MiB with ` +
        `${total.toLocaleString('en-US')} waiters = ${perWaiterKb.toFixed(2)} KB per waiter ` +
        `(target < ${TARGET_KB_PER_WAITER} KB: ${perWaiterKb < TARGET_KB_PER_WAITER ? 'met' : 'below'}); ` +
        `waiter process ${(clientRss / 1024).toFixed(1)} MiB`,
      `arming: ${formatMs(armed.armMs)} ms for ${armed.dispatched.toLocaleString('en-US')} waiters ` +
        `(${armed.connected.toLocaleString('en-US')} connections); answered before any write: ${earlyAnswers}; ` +
        `last write ${((writesEndedAt - armed.firstDispatchAtMs) / 1000).toFixed(1)} s after the first waiter parked`,
      `other load on the box during the writes: ${otherPercent.toFixed(0)} % of its CPU`,
    );
  } finally {
    if (!client.started.hasExited()) client.send({ type: 'close' });
    await stopProcess(client.started, 5000);
  }
}

export async function runBlockingFanout(options: BenchOptions): Promise<BenchResult> {
  const distinct = options.quick ? 2000 : 10_000;
  const hot = options.quick ? 200 : 1000;
  const title =
    `Blocking-query fan-out: ${distinct.toLocaleString('en-US')} waiters on distinct keys + ` +
    `${hot.toLocaleString('en-US')} on one key, wait=${WAIT}` +
    (options.quick ? " (--quick: a fifth of the issue's counts)" : '');
  const total = distinct + hot;
  const start = await startTribune({
    // Consul's default of 200 connections per client address would refuse the waiters.
    config: { limits: { http_max_conns_per_client: total + 1000 } },
    openFiles: total + 4096,
  });
  if ('skipped' in start) {
    console.log(`blocking-fanout: skipping: ${start.skipped}`);
    return { title, lines: [`skipped: tribune agent (${start.skipped})`] };
  }
  const lines: string[] = [];
  try {
    await measureFanout(start.peer, distinct, hot, lines);
  } finally {
    await start.peer.stop();
  }
  return { title, lines };
}
