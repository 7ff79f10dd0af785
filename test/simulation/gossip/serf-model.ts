/**
 * Serf's convergence model (serf.io simulator; performance-anchors.md 6.3): after r gossip rounds,
 * infected(r) = N / (1 + (N + 1) e^(-(fanout/N)(1 - loss)(1 - failed) 0.5 N r)). The time to inform a
 * fraction q is the first whole round at which infected/N >= q, times the gossip interval.
 */
export function serfModelTimeMs(
  n: number,
  fraction: number,
  options: { fanout?: number; intervalMs?: number; loss?: number; failed?: number } = {},
): number {
  const fanout = options.fanout ?? 3;
  const intervalMs = options.intervalMs ?? 200;
  const rate = (fanout / n) * (1 - (options.loss ?? 0)) * (1 - (options.failed ?? 0)) * 0.5 * n;
  for (let round = 0; round < 10_000; round++) {
    const infected = n / (1 + (n + 1) * Math.exp(-rate * round));
    if (infected / n >= fraction) return round * intervalMs;
  }
  return Number.POSITIVE_INFINITY;
}
