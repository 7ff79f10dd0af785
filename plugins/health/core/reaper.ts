/**
 * deregister_critical_service_after: a service goes once one of its checks that sets it has stayed
 * critical for longer than that. The clock starts when the check turns critical (or when it is
 * added critical) and stops when it leaves critical. Pure: times are inputs.
 */
import type { CheckStatus } from '../../../core/hooks.js';

/** When the check became critical: kept while it stays critical, cleared when it is not. */
export function criticalSince(
  previous: number | undefined,
  status: CheckStatus,
  nowMs: number,
): number | undefined {
  if (status !== 'critical') return undefined;
  return previous ?? nowMs;
}

export interface ReapCandidate {
  checkId: string;
  /** '' for a node check, which never reaps anything. */
  serviceId: string;
  criticalSince: number | undefined;
  /** 0 when the check does not set deregister_critical_service_after. */
  deregisterAfterMs: number;
}

export interface Reaping {
  serviceId: string;
  /** The check that was critical for too long. */
  checkId: string;
}

/** The services to deregister now, each once, in candidate order. */
export function servicesToReap(candidates: readonly ReapCandidate[], nowMs: number): Reaping[] {
  const out: Reaping[] = [];
  const seen = new Set<string>();
  for (const c of candidates) {
    if (c.serviceId === '' || seen.has(c.serviceId)) continue;
    if (c.deregisterAfterMs <= 0 || c.criticalSince === undefined) continue;
    if (nowMs - c.criticalSince > c.deregisterAfterMs) {
      seen.add(c.serviceId);
      out.push({ serviceId: c.serviceId, checkId: c.checkId });
    }
  }
  return out;
}
