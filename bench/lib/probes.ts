/** Linux /proc probes: a process's resident memory and CPU time, and how idle the box is. */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ: 100 on every Linux the bench targets

/** VmRSS of a process in KiB, from /proc/<pid>/status; undefined once it has gone. */
export function readRssKb(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** User+system CPU time a process has used, in ms, from /proc/<pid>/stat. */
export function readCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name (which may hold spaces): utime is 14th, stime 15th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/**
 * Waits until the process uses less than `busyMs` of CPU per `windowMs` (it has finished reacting
 * to what was just done to it), or until `timeoutMs`. Returns how long it waited.
 */
export async function waitForCpuQuiet(pid: number, windowMs = 300, busyMs = 15, timeoutMs = 20_000) {
  const started = performance.now();
  let last = readCpuMs(pid);
  while (performance.now() - started < timeoutMs) {
    await sleep(windowMs);
    const now = readCpuMs(pid);
    if (now === undefined || last === undefined) break;
    if (now - last < busyMs) break;
    last = now;
  }
  return performance.now() - started;
}

/** Ticks from the first line of /proc/stat: user nice system idle iowait irq softirq steal (guest is in user). */
function readCpuTotals(): { idle: number; interrupts: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const values = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const at = (i: number) => values[i] ?? 0;
  return { idle: at(3) + at(4), interrupts: at(5) + at(6), total: values.reduce((sum, v) => sum + v, 0) };
}

/** Percentage of all CPUs' time that was idle over the next `windowMs` (other load on the box). */
export async function boxIdlePercent(windowMs = 300): Promise<number> {
  const before = readCpuTotals();
  await sleep(windowMs);
  const after = readCpuTotals();
  const total = after.total - before.total;
  return total > 0 ? ((after.idle - before.idle) / total) * 100 : 100;
}

/** CPU ms used by this process and the children it has reaped (wrk runs are children). */
function readSelfAndChildrenCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i] ?? 0), 0);
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
}

/**
 * Starts watching the box; the returned function gives the share (%) of all CPUs' time, since the
 * start, used by processes other than `pids`, this bench and its finished children (wrk): the
 * noise another job on the machine added to a measurement. Interrupt time is left out: it is
 * charged to no process, and on loopback it is mostly our own traffic's packet processing.
 */
export function watchOtherLoad(pids: readonly number[]): () => number {
  const oursMs = () => pids.reduce((sum, pid) => sum + (readCpuMs(pid) ?? 0), readSelfAndChildrenCpuMs());
  const before = { box: readCpuTotals(), ours: oursMs() };
  return () => {
    const box = readCpuTotals();
    const totalMs = ((box.total - before.box.total) * 1000) / CLOCK_TICKS_PER_SECOND;
    const idleTicks = box.idle - before.box.idle + box.interrupts - before.box.interrupts;
    const busyMs = totalMs - (idleTicks * 1000) / CLOCK_TICKS_PER_SECOND;
    const others = busyMs - (oursMs() - before.ours);
    return totalMs > 0 ? Math.max(0, (others / totalMs) * 100) : 0;
  };
}
