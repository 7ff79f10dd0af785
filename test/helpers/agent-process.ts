/**
 * Runs the built `tribune` CLI as a real agent process on loopback for integration tests, and stops
 * it by its pid. Requires `npm run build` (npm test runs it first).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = `${REPO_ROOT}bin/tribune.js`;

/** A free TCP port on `host`, found by binding port 0 and releasing it. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface AgentProcess {
  child: ChildProcess;
  url: string;
  port: number;
  output(): string;
  /** Graceful stop (SIGTERM), waiting up to 10 s for exit. */
  stop(): Promise<number | null>;
  /** SIGKILL, as a crash. */
  kill9(): Promise<void>;
  exited: Promise<number | null>;
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (let attempt = 0; attempt < 10_000 && Date.now() < deadline; attempt++) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
}

export async function startAgentProcess(
  args: string[],
  opts: { host?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<AgentProcess> {
  const host = opts.host ?? '127.0.0.1';
  const port = await freePort(host);
  const serverPort = await freePort(host);
  const child = spawn(
    process.execPath,
    [
      CLI,
      'agent',
      '-bind',
      host,
      '-client',
      host,
      '-http-port',
      String(port),
      '-dns-port',
      '-1',
      '-server-port',
      String(serverPort),
      ...args,
    ],
    { cwd: REPO_ROOT, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://${host}:${port}`;
  let exitedEarly = false;
  void exited.then(() => {
    exitedEarly = true;
  });
  await waitFor(`agent on ${url} to elect itself\n${output}`, async () => {
    if (exitedEarly) throw new Error(`agent exited early:\n${output}`);
    const res = await fetch(`${url}/v1/status/leader`);
    const leader = (await res.json()) as string;
    return leader !== '' ? leader : undefined;
  });
  return {
    child,
    url,
    port,
    output: () => output,
    exited,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 10_000));
      const result = await Promise.race([exited, timeout]);
      if (result === 'timeout') {
        child.kill('SIGKILL');
        return exited;
      }
      return result;
    },
    async kill9() {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Runs the CLI to completion (bounded) and returns its exit code and output. */
export function runCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
