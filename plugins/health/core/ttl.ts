/**
 * TTL checks: critical once `ttl` passes without an update through check/pass|warn|fail|update.
 * Every update restarts the clock; an expiry is reported once (until the next update), with
 * Consul's text: `TTL expired`, or `TTL expired (last output before timeout follows): <output>`.
 * Pure: the time is an input.
 */

export interface TtlState {
  deadline: number;
  lastOutput: string;
  expired: boolean;
}

export function ttlStarted(nowMs: number, ttlMs: number): TtlState {
  return { deadline: nowMs + ttlMs, lastOutput: '', expired: false };
}

export function ttlUpdated(nowMs: number, ttlMs: number, output: string): TtlState {
  return { deadline: nowMs + ttlMs, lastOutput: output, expired: false };
}

export function ttlExpiredOutput(lastOutput: string): string {
  return lastOutput === ''
    ? 'TTL expired'
    : `TTL expired (last output before timeout follows): ${lastOutput}`;
}

/** Whether the TTL ran out by `nowMs`; `report` is set the first time only. */
export function ttlTick(state: TtlState, nowMs: number): { state: TtlState; report: string | undefined } {
  if (state.expired || nowMs < state.deadline) return { state, report: undefined };
  return { state: { ...state, expired: true }, report: ttlExpiredOutput(state.lastOutput) };
}
