/**
 * Script checks: run `args` (no shell) in a process group of its own, capture stdout and stderr
 * together (the last output_max_size bytes), map the exit code (0 passing, 1 warning, else
 * critical). At the timeout, or when the agent stops, the whole group is killed with SIGKILL, so
 * children the script started die with it. The run ends when the script has exited and its output
 * pipes have closed (a background child holding them keeps the run going until the timeout).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { errorLike } from '../core/net-errors.js';
import { TailBuffer } from '../core/output.js';
import {
  type CheckResult,
  critical,
  scriptStartErrorText,
  scriptStatusOf,
  scriptTimeoutOutput,
} from '../core/results.js';

export interface ScriptProbeSpec {
  args: readonly string[];
  timeoutMs: number;
  outputMaxSize: number;
}

/** After the group is killed, how long to wait for its pipes before closing them ourselves. */
const PIPE_GRACE_MS = 1000;

/** Kills every process of the group led by `child` (a no-op once they are all gone). */
function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // ESRCH: the group is already gone.
  }
}

export function probeScript(spec: ScriptProbeSpec, signal: AbortSignal): Promise<CheckResult> {
  const [program, ...rest] = spec.args;
  if (program === undefined || program === '') return Promise.resolve(critical('no script arguments'));
  return new Promise((resolve) => {
    const output = new TailBuffer(spec.outputMaxSize);
    let settled = false;
    let exitCode: number | null = null;
    let timedOut = false;
    let graceTimer: NodeJS.Timeout | undefined;
    const child = spawn(program, rest, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const settle = (result: CheckResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(graceTimer);
      signal.removeEventListener('abort', onAbort);
      child.stdout?.destroy();
      child.stderr?.destroy();
      resolve(result);
    };
    const finish = () => {
      if (timedOut) settle(critical(scriptTimeoutOutput(spec.timeoutMs, output.capturedText())));
      else settle({ status: scriptStatusOf(exitCode), output: output.capturedText() });
    };
    const stop = (why: 'timeout' | 'cancelled') => {
      timedOut = why === 'timeout';
      killGroup(child);
      // The pipes close once every process holding them is dead; escapees of the group do not hold us up.
      graceTimer ??= setTimeout(finish, PIPE_GRACE_MS);
      if (why === 'cancelled') finish();
    };
    const timer = setTimeout(() => stop('timeout'), spec.timeoutMs);
    const onAbort = () => stop('cancelled');
    signal.addEventListener('abort', onAbort, { once: true });
    child.stdout?.on('data', (chunk: Buffer) => output.write(chunk));
    child.stderr?.on('data', (chunk: Buffer) => output.write(chunk));
    child.once('error', (err) => {
      const e = errorLike(err);
      killGroup(child);
      settle(critical(scriptStartErrorText(program, e.code, e.message)));
    });
    child.once('exit', (code) => {
      exitCode = code;
    });
    // 'close' = exited and both pipes closed.
    child.once('close', (code) => {
      if (exitCode === null) exitCode = code;
      finish();
    });
    if (signal.aborted) onAbort();
  });
}
