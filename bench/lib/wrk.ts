/**
 * Drives wrk (Debian `wrk`, one thread, as the performance anchors were measured) with
 * bench/lua/requests.lua, capped in time (-d) and in count (the script stops the thread).
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findCommand, runCommand } from './processes.js';

const LUA_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '..', 'lua', 'requests.lua');

export interface RequestLine {
  method: 'GET' | 'PUT' | 'POST';
  path: string;
  body?: string;
}

export interface WrkRun {
  baseUrl: string;
  requests: readonly RequestLine[];
  contentType: string;
  connections: number;
  durationS: number;
  /** Stop after this many responses (0: only the time cap). */
  maxRequests: number;
  /** Where to write the request file. */
  workDir: string;
}

export interface WrkResult {
  requests: number;
  durationS: number;
  perSecond: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Socket errors and timeouts. */
  socketErrors: number;
  /** Responses with status >= 400. */
  statusErrors: number;
}

interface RawResult {
  requests: number;
  duration_us: number;
  connect: number;
  read: number;
  write: number;
  status: number;
  timeout: number;
  p50_us: number;
  p90_us: number;
  p99_us: number;
  max_us: number;
}

export function wrkPath(): string | undefined {
  return findCommand('wrk');
}

export async function runWrk(run: WrkRun): Promise<WrkResult> {
  const wrk = wrkPath();
  if (!wrk) throw new Error('wrk is not installed (apt-get install -y wrk)');
  for (const line of run.requests) {
    if (/[\t\n]/.test(line.path + (line.body ?? '')))
      throw new Error('request lines may not hold tabs or newlines');
  }
  const file = join(run.workDir, `requests-${process.pid}-${Date.now()}.txt`);
  writeFileSync(
    file,
    run.requests.map((r) => `${r.method}\t${r.path}${r.body ? `\t${r.body}` : ''}`).join('\n') + '\n',
  );
  const args = [
    '-t1',
    `-c${run.connections}`,
    `-d${run.durationS}s`,
    '--timeout',
    '10s',
    '-s',
    LUA_SCRIPT,
    run.baseUrl,
    '--',
    file,
    String(run.maxRequests),
    run.contentType,
  ];
  const result = await runCommand('wrk', wrk, args, (run.durationS + 30) * 1000);
  const line = result.output.split('\n').find((l) => l.startsWith('WRK_RESULT '));
  if (!line) throw new Error(`wrk gave no result (exit ${result.code}): ${result.output.slice(-800)}`);
  const raw = JSON.parse(line.slice('WRK_RESULT '.length)) as RawResult;
  const durationS = raw.duration_us / 1e6;
  return {
    requests: raw.requests,
    durationS,
    perSecond: durationS > 0 ? raw.requests / durationS : 0,
    p50Ms: raw.p50_us / 1000,
    p90Ms: raw.p90_us / 1000,
    p99Ms: raw.p99_us / 1000,
    maxMs: raw.max_us / 1000,
    socketErrors: raw.connect + raw.read + raw.write + raw.timeout,
    statusErrors: raw.status,
  };
}
