/**
 * Consecutive-result thresholds (success_before_passing, failures_before_warning,
 * failures_before_critical), as Consul's status handler applies them to HTTP, TCP, UDP, gRPC and
 * script checks. Counters start AT the thresholds, so a check's first result is recorded at once;
 * after that a status only changes once enough results in a row agree. A passing or warning result
 * counts as a success; only a critical one counts as a failure. Pure.
 */
import type { CheckStatus } from '../../../core/hooks.js';

export interface Thresholds {
  successBeforePassing: number;
  failuresBeforeWarning: number;
  failuresBeforeCritical: number;
}

export interface Counters {
  successes: number;
  failures: number;
}

export interface CheckResult {
  status: CheckStatus;
  output: string;
}

export interface ThresholdFields {
  success_before_passing?: number;
  failures_before_warning?: number;
  failures_before_critical?: number;
}

function count(value: number | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;
}

/** The thresholds of a definition; failures_before_warning 0 (or unset) means "the critical one", as in Consul. */
export function thresholdsOf(def: ThresholdFields): Thresholds {
  const failuresBeforeCritical = count(def.failures_before_critical);
  return {
    successBeforePassing: count(def.success_before_passing),
    failuresBeforeWarning: count(def.failures_before_warning) || failuresBeforeCritical,
    failuresBeforeCritical,
  };
}

export function initialCounters(thresholds: Thresholds): Counters {
  return { successes: thresholds.successBeforePassing, failures: thresholds.failuresBeforeCritical };
}

/**
 * Feeds one probe result. Returns the new counters and what to record: the result itself, a
 * warning standing in for a critical result that has not yet reached failures_before_critical,
 * or nothing while a threshold is still pending (the check keeps its status and output).
 */
export function applyResult(
  thresholds: Thresholds,
  counters: Counters,
  result: CheckResult,
): { counters: Counters; record: CheckResult | undefined } {
  if (result.status !== 'critical') {
    // Capped one past the threshold: enough to stay "reached" without growing forever.
    const successes = Math.min(counters.successes + 1, thresholds.successBeforePassing + 1);
    const next = { successes, failures: 0 };
    return { counters: next, record: successes >= thresholds.successBeforePassing ? result : undefined };
  }
  const failures = Math.min(counters.failures + 1, thresholds.failuresBeforeCritical + 1);
  const next = { successes: 0, failures };
  if (failures >= thresholds.failuresBeforeCritical) return { counters: next, record: result };
  if (failures >= thresholds.failuresBeforeWarning) {
    return { counters: next, record: { status: 'warning', output: result.output } };
  }
  return { counters: next, record: undefined };
}
