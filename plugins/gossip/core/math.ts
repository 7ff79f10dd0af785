/**
 * The protocol's arithmetic, as pure functions so each can be checked against memberlist's published
 * values: the suspicion timeout and its Lifeguard shrinking, the retransmit limit, the push-pull scale
 * and the awareness (local health) scaling. Milliseconds throughout.
 */

/**
 * Minimum suspicion timeout: mult x max(1, log10 n) x probe interval. The scale is cut to whole
 * thousandths first, as memberlist does, so n = 50 gives 1.698 intervals per mult.
 */
export function suspicionTimeoutMs(suspicionMult: number, n: number, probeIntervalMs: number): number {
  const nodeScale = Math.max(1, Math.log10(Math.max(1, n)));
  return Math.floor((suspicionMult * Math.floor(nodeScale * 1000) * probeIntervalMs) / 1000);
}

/**
 * Independent confirmations Lifeguard waits for before the suspicion timeout reaches its minimum:
 * suspicionMult - 2, or none when the group is too small to supply them (n minus oneself and the suspect).
 */
export function suspicionConfirmationsWanted(suspicionMult: number, n: number): number {
  const k = Math.max(0, suspicionMult - 2);
  return n - 2 < k ? 0 : k;
}

export interface SuspicionBounds {
  minMs: number;
  maxMs: number;
  /** Confirmations wanted (k); 0 means the timeout is fixed at the minimum. */
  k: number;
}

export function suspicionBounds(
  config: { suspicionMult: number; suspicionMaxTimeoutMult: number; probeIntervalMs: number },
  n: number,
): SuspicionBounds {
  const minMs = suspicionTimeoutMs(config.suspicionMult, n, config.probeIntervalMs);
  return {
    minMs,
    maxMs: config.suspicionMaxTimeoutMult * minMs,
    k: suspicionConfirmationsWanted(config.suspicionMult, n),
  };
}

/**
 * Time left on a suspicion after `confirmations` of the `k` wanted have arrived and `elapsedMs` has
 * passed: the timeout falls from max toward min as log(c + 1) / log(k + 1), never below min. Negative
 * means overdue. With k < 1 the timeout is the minimum from the start.
 */
export function remainingSuspicionTimeMs(
  confirmations: number,
  k: number,
  elapsedMs: number,
  minMs: number,
  maxMs: number,
): number {
  if (k < 1) return minMs - elapsedMs;
  const fraction = Math.log(confirmations + 1) / Math.log(k + 1);
  const timeout = Math.max(minMs, Math.floor(maxMs - fraction * (maxMs - minMs)));
  return timeout - elapsedMs;
}

/** How many times one broadcast is sent: mult x ceil(log10(n + 1)). */
export function retransmitLimit(retransmitMult: number, n: number): number {
  return retransmitMult * Math.ceil(Math.log10(n + 1));
}

/** Groups up to this size push-pull at the configured interval; larger ones back off. */
export const PUSH_PULL_SCALE_THRESHOLD = 32;

/**
 * The push-pull interval for a group of n: unchanged up to 32 members, then one more interval per
 * doubling (33-64: 2x, 65-128: 3x, ...), so full-state traffic stays bounded as the group grows.
 */
export function pushPullIntervalMs(intervalMs: number, n: number): number {
  if (n <= PUSH_PULL_SCALE_THRESHOLD) return intervalMs;
  const multiplier = Math.ceil(Math.log2(n) - Math.log2(PUSH_PULL_SCALE_THRESHOLD)) + 1;
  return intervalMs * multiplier;
}

/** Lifeguard local health: a timeout stretched by the awareness score, timeout x (score + 1). */
export function scaleByAwareness(timeoutMs: number, score: number): number {
  return timeoutMs * (score + 1);
}

/** The awareness score after a delta, kept within [0, maxMultiplier - 1]. */
export function applyAwarenessDelta(score: number, delta: number, maxMultiplier: number): number {
  return Math.min(Math.max(score + delta, 0), Math.max(0, maxMultiplier - 1));
}
