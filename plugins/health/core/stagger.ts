/**
 * When interval checks run: the first run lands at a random point within the interval (so that
 * checks registered together do not fire together), then at a fixed rate. A run that is late starts
 * at once; slots missed entirely (the loop was blocked for more than an interval) are dropped rather
 * than run in a burst. Pure: the random number and the clock are inputs.
 */

/** An offset in [0, intervalMs) from `random` in [0, 1). */
export function initialStagger(intervalMs: number, random: number): number {
  if (!(intervalMs > 0)) return 0;
  const r = Number.isFinite(random) ? Math.min(Math.max(random, 0), 1) : 0;
  return Math.min(Math.floor(r * intervalMs), Math.ceil(intervalMs) - 1);
}

export interface NextSlot {
  /** The planned start of the next run. */
  at: number;
  /** Slots dropped because they were over a whole interval in the past. */
  dropped: number;
}

/** The slot after `plannedMs`, given that it is now `nowMs`. */
export function nextSlot(plannedMs: number, intervalMs: number, nowMs: number): NextSlot {
  const interval = Math.max(1, intervalMs);
  const at = plannedMs + interval;
  const lateBy = nowMs - at;
  if (lateBy < interval) return { at, dropped: 0 };
  const dropped = Math.floor(lateBy / interval);
  return { at: at + dropped * interval, dropped };
}
