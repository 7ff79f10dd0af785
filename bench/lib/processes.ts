/**
 * Child processes and temp dirs the bench owns. Every process started here is tracked by pid and
 * killed by that pid at the end, on failure, or when the bench itself is interrupted; every temp
 * dir is removed. Nothing here ever kills by name.
 */
import { type ChildProcess, type StdioOptions, spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export interface StartOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Raise the open-files limit in a wrapping shell, which then `exec`s: the pid stays the child's. */
  openFiles?: number;
  /** Open an IPC channel (the child must be a Node process). */
  ipc?: boolean;
}

export interface Started {
  name: string;
  pid: number;
  child: ChildProcess;
  /** Resolves with the exit code (or the signal's name) when the process ends. */
  exited: Promise<number | string>;
  hasExited(): boolean;
  /** The last few KB of stdout and stderr together, for error messages. */
  outputTail(): string;
}

const OUTPUT_TAIL_CHARS = 4000;
const running = new Map<number, Started>();
const tempDirs = new Set<string>();
let handlersInstalled = false;

/** The absolute path of a command on PATH, or undefined when it is not installed. */
export function findCommand(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

export function startProcess(
  name: string,
  command: string,
  args: string[],
  options: StartOptions = {},
): Started {
  installCleanupHandlers();
  const stdio: StdioOptions = options.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'];
  const [file, argv] =
    options.openFiles === undefined
      ? [command, args]
      : [
          '/bin/sh',
          ['-c', `ulimit -n ${options.openFiles} 2>/dev/null || true; exec "$@"`, 'sh', command, ...args],
        ];
  const child = spawn(file, argv, { cwd: options.cwd, env: options.env ?? process.env, stdio });
  if (child.pid === undefined) throw new Error(`could not start ${name} (${command})`);
  const pid = child.pid;
  let tail = '';
  const keepTail = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout?.on('data', keepTail);
  child.stderr?.on('data', keepTail);
  let done = false;
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      done = true;
      running.delete(pid);
      resolve(code ?? signal ?? 'unknown');
    });
    child.once('error', (error) => {
      done = true;
      running.delete(pid);
      keepTail(Buffer.from(String(error)));
      resolve('error');
    });
  });
  const started: Started = {
    name,
    pid,
    child,
    exited,
    hasExited: () => done,
    outputTail: () => tail,
  };
  running.set(pid, started);
  return started;
}

/** SIGTERM by pid, then SIGKILL if it has not gone after graceMs. */
export async function stopProcess(started: Started, graceMs = 3000): Promise<void> {
  if (started.hasExited()) return;
  signal(started.pid, 'SIGTERM');
  const timer = new Promise<'late'>((resolve) => setTimeout(resolve, graceMs, 'late').unref());
  if ((await Promise.race([started.exited, timer])) === 'late') {
    signal(started.pid, 'SIGKILL');
    await Promise.race([started.exited, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
  }
}

export interface RunResult {
  code: number | string;
  output: string;
  timedOut: boolean;
}

/** Runs a command to completion (killed by pid after timeoutMs) and returns its stdout+stderr. */
export async function runCommand(
  name: string,
  command: string,
  args: string[],
  timeoutMs: number,
  options: StartOptions = {},
): Promise<RunResult> {
  const started = startProcess(name, command, args, options);
  let output = '';
  started.child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  started.child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void stopProcess(started, 1000);
  }, timeoutMs);
  const code = await started.exited;
  clearTimeout(timer);
  return { code, output, timedOut };
}

export function makeTempDir(prefix: string): string {
  installCleanupHandlers();
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

export function removeTempDir(dir: string): void {
  tempDirs.delete(dir);
  rmSync(dir, { recursive: true, force: true });
}

/** Kills whatever is still running (by pid) and removes the temp dirs; synchronous, so it can run on exit. */
export function cleanupNow(): void {
  for (const started of running.values()) signal(started.pid, 'SIGKILL');
  running.clear();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

function installCleanupHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.once('exit', cleanupNow);
  for (const name of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(name, () => {
      console.error(`\nbench: ${name}, stopping the processes it started`);
      cleanupNow();
      process.exit(130);
    });
  }
}
