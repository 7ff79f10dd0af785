/**
 * What the agent does with a check definition: which runner, how often, how long a probe may take,
 * the thresholds, the output cap and when the service is reaped. Consul's defaults and floors:
 * timeout 30s for scripts and 10s for the rest, intervals no shorter than 1s, deregister after no
 * sooner than 1m (both floors are options so tests can run fast). Pure.
 */
import type { ServiceCheckDefinition } from '../../../core/config/types.js';
import { parseGoDurationNs } from '../../../core/util/duration.js';
import { type Thresholds, thresholdsOf } from './thresholds.js';

export type CheckKind = 'ttl' | 'http' | 'tcp' | 'udp' | 'grpc' | 'script' | 'alias' | 'none';

export interface CheckPlan {
  kind: CheckKind;
  intervalMs: number;
  timeoutMs: number;
  ttlMs: number;
  thresholds: Thresholds;
  /** Bytes of output kept. */
  outputMaxSize: number;
  /** 0 when the service is never reaped for this check. */
  deregisterAfterMs: number;
}

export interface PlanLimits {
  minIntervalMs: number;
  minDeregisterAfterMs: number;
  /** The agent's check_output_max_size. */
  outputMaxSize: number;
}

export const DEFAULT_OUTPUT_MAX_SIZE = 4096;
export const SCRIPT_TIMEOUT_MS = 30_000;
export const PROBE_TIMEOUT_MS = 10_000;

const KINDS: readonly string[] = ['ttl', 'http', 'tcp', 'udp', 'grpc', 'script', 'alias'];

function durationMs(value: string | undefined): number {
  if (value === undefined || value === '') return 0;
  try {
    const ns = parseGoDurationNs(value);
    return ns > 0n ? Number(ns / 1_000_000n) || 1 : 0;
  } catch {
    return 0;
  }
}

/** `type` is the row's Type as the agent derived it (Consul's CheckType.Type()). */
export function planCheck(type: string, def: ServiceCheckDefinition, limits: PlanLimits): CheckPlan {
  const kind = (KINDS.includes(type) ? type : 'none') as CheckKind;
  const polled = kind !== 'ttl' && kind !== 'alias' && kind !== 'none';
  const timeout = durationMs(def.timeout);
  const configured = limits.outputMaxSize > 0 ? Math.floor(limits.outputMaxSize) : DEFAULT_OUTPUT_MAX_SIZE;
  const own = def.output_max_size ?? 0;
  const deregister = durationMs(def.deregister_critical_service_after);
  return {
    kind,
    intervalMs: polled ? Math.max(durationMs(def.interval), limits.minIntervalMs, 1) : 0,
    timeoutMs: timeout > 0 ? timeout : kind === 'script' ? SCRIPT_TIMEOUT_MS : PROBE_TIMEOUT_MS,
    ttlMs: kind === 'ttl' ? durationMs(def.ttl) : 0,
    thresholds: thresholdsOf(def),
    outputMaxSize: own > 0 && own < configured ? Math.floor(own) : configured,
    deregisterAfterMs: deregister > 0 ? Math.max(deregister, limits.minDeregisterAfterMs) : 0,
  };
}
