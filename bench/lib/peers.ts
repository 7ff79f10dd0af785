/**
 * The systems measured side by side: our agent (single durable server), etcd 3.4 (single member,
 * JSON gateway) and the bare node:http ceiling. Each listens on 127.0.0.1 only, on fresh ports,
 * with a fresh temp data dir; a start that cannot happen (binary missing, not built, never ready)
 * is returned as a reason to skip, never thrown.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, httpCall, pollUntil } from './http.js';
import {
  findCommand,
  makeTempDir,
  removeTempDir,
  type Started,
  startProcess,
  stopProcess,
} from './processes.js';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface Peer {
  name: string;
  baseUrl: string;
  pid: number;
  stop(): Promise<void>;
}

export type PeerStart = { peer: Peer } | { skipped: string };

const READY_TIMEOUT_MS = 30_000;

function exitedReason(started: Started): () => string | undefined {
  return () =>
    started.hasExited()
      ? `${started.name} exited during start-up: ${started.outputTail().trim().slice(-600)}`
      : undefined;
}

async function startedPeer(
  name: string,
  started: Started,
  baseUrl: string,
  dataDir: string | undefined,
  ready: () => Promise<boolean>,
): Promise<PeerStart> {
  const stop = async () => {
    await stopProcess(started);
    if (dataDir) removeTempDir(dataDir);
  };
  const failure = await pollUntil(ready, { timeoutMs: READY_TIMEOUT_MS, abort: exitedReason(started) });
  if (failure) {
    await stop();
    return { skipped: failure };
  }
  return { peer: { name, baseUrl, pid: started.pid, stop } };
}

export interface TribuneOptions {
  /** Extra config written to a file passed with -config-file (e.g. raised connection limits). */
  config?: Record<string, unknown>;
  /** Open-files limit for the agent's process. */
  openFiles?: number;
}

/** `tribune agent -server -bootstrap` with a durable data dir; ready once it reports a leader. */
export async function startTribune(options: TribuneOptions = {}): Promise<PeerStart> {
  const bin = join(REPO_ROOT, 'bin', 'tribune.js');
  if (!existsSync(join(REPO_ROOT, 'dist', 'core', 'cli', 'main.js'))) {
    return { skipped: 'dist/ is missing: run `npm run build` (npm run bench does)' };
  }
  const [httpPort, serverPort, serfLan, serfWan] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const dataDir = makeTempDir('tribune-bench-agent-');
  const args = [
    bin,
    'agent',
    '-server',
    '-bootstrap',
    '-data-dir',
    join(dataDir, 'data'),
    '-node',
    'bench',
    '-bind',
    '127.0.0.1',
    '-client',
    '127.0.0.1',
    '-http-port',
    String(httpPort),
    '-dns-port',
    '-1',
    '-server-port',
    String(serverPort),
    '-serf-lan-port',
    String(serfLan),
    '-serf-wan-port',
    String(serfWan),
    '-log-level',
    'error',
  ];
  if (options.config) {
    const file = join(dataDir, 'bench.json');
    writeFileSync(file, JSON.stringify(options.config));
    args.push('-config-file', file);
  }
  const started = startProcess('tribune agent', process.execPath, args, {
    cwd: REPO_ROOT,
    openFiles: options.openFiles,
  });
  const baseUrl = `http://127.0.0.1:${httpPort}`;
  return await startedPeer('tribune', started, baseUrl, dataDir, async () => {
    const answer = await httpCall(`${baseUrl}/v1/status/leader`, { timeoutMs: 2000 });
    return answer.status === 200 && answer.text.trim().length > 2; // `""` until a leader exists
  });
}

/** etcd 3.4 as one member, listening for clients and peers on 127.0.0.1 only. */
export async function startEtcd(): Promise<PeerStart> {
  const etcd = findCommand('etcd');
  if (!etcd) return { skipped: 'etcd is not installed (apt-get install -y etcd-server)' };
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const dataDir = makeTempDir('tribune-bench-etcd-');
  const clientUrl = `http://127.0.0.1:${clientPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const started = startProcess(
    'etcd',
    etcd,
    [
      '--name',
      'bench',
      '--data-dir',
      join(dataDir, 'data'),
      '--listen-client-urls',
      clientUrl,
      '--advertise-client-urls',
      clientUrl,
      '--listen-peer-urls',
      peerUrl,
      '--initial-advertise-peer-urls',
      peerUrl,
      '--initial-cluster',
      `bench=${peerUrl}`,
      '--logger',
      'zap',
      '--log-level',
      'error',
    ],
    { cwd: dataDir },
  );
  return await startedPeer('etcd', started, clientUrl, dataDir, async () => {
    const answer = await httpCall(`${clientUrl}/health`, { timeoutMs: 2000 });
    return answer.status === 200 && answer.text.includes('true');
  });
}

/** The ceiling: bench/lib/bare-server.ts in its own Node process. */
export async function startBare(): Promise<PeerStart> {
  const port = await freePort();
  const started = startProcess(
    'bare server',
    process.execPath,
    ['--import', 'tsx', join(REPO_ROOT, 'bench', 'lib', 'bare-server.ts'), String(port)],
    { cwd: REPO_ROOT },
  );
  const baseUrl = `http://127.0.0.1:${port}`;
  return await startedPeer('bare', started, baseUrl, undefined, async () => {
    return (await httpCall(`${baseUrl}/`, { timeoutMs: 2000 })).status === 200;
  });
}
