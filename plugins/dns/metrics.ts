/** The DNS server's counters, in the agent's prom-client registry (/v1/agent/metrics). */
import { Counter, type Registry } from 'prom-client';
import { metricName } from '../agent/index.js';
import type { DropReason } from './core/decode.js';
import type { Transport } from './core/types.js';

const RCODE_NAMES: Record<number, string> = {
  0: 'NOERROR',
  1: 'FORMERR',
  2: 'SERVFAIL',
  3: 'NXDOMAIN',
  4: 'NOTIMP',
  5: 'REFUSED',
};

export interface DnsMetrics {
  /** A response went out (its encoded bytes, to read the rcode and TC bit from). */
  answered(bytes: Uint8Array, transport: Transport): void;
  /** A packet was dropped without an answer. */
  dropped(reason: DropReason | 'oversized' | 'internal', transport: Transport): void;
  recursorFailed(): void;
}

export function createDnsMetrics(registry: Registry): DnsMetrics {
  const existing = (name: string) => registry.getSingleMetric(name) as Counter<string> | undefined;
  const counter = (dotted: string, help: string, labelNames: string[]) => {
    const name = metricName(dotted);
    return existing(name) ?? new Counter({ name, help, labelNames, registers: [registry] });
  };
  const queries = counter('tribune.dns.queries', 'DNS responses sent, by transport, rcode and TC bit', [
    'transport',
    'rcode',
    'truncated',
  ]);
  const dropped = counter(
    'tribune.dns.dropped_packets',
    'DNS packets dropped unanswered (malformed or hostile)',
    ['transport', 'reason'],
  );
  const recursor = counter('tribune.dns.recursor_failures', 'Queries no recursor could answer', []);
  // Bound children per (transport, rcode, TC): counting a response is an array lookup, not a label hash.
  const children = new Map<number, { inc(): void }>();
  return {
    answered(bytes, transport) {
      const rcode = (bytes[3] ?? 0) & 0x0f;
      const truncated = ((bytes[2] ?? 0) & 0x02) !== 0;
      const key = (transport === 'udp' ? 0 : 64) + rcode * 2 + (truncated ? 1 : 0);
      let child = children.get(key);
      if (!child) {
        child = queries.labels({
          transport,
          rcode: RCODE_NAMES[rcode] ?? String(rcode),
          truncated: String(truncated),
        });
        children.set(key, child);
      }
      child.inc();
    },
    dropped(reason, transport) {
      dropped.inc({ transport, reason });
    },
    recursorFailed() {
      recursor.inc();
    },
  };
}

/** For tests and plugins: metrics that count nothing. */
export const noDnsMetrics: DnsMetrics = {
  answered() {},
  dropped() {},
  recursorFailed() {},
};
