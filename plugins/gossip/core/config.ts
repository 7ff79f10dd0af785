/**
 * Gossip timing profiles. The SWIM/Lifeguard values are hashicorp/memberlist's defaults (Consul uses them
 * for gossip_lan and gossip_wan); WAN and LOCAL are derived from LAN by overriding a few values, the way
 * memberlist builds its own profiles. The membership-layer values (reconnect, tombstones, events) are
 * Serf's, with Consul's own choices where it overrides them: reconnect_timeout 72h, dead-name reclaim
 * after 30s, queue depth scaled with a floor of 4096, 3s for a leave to propagate. Milliseconds. Pure.
 */
import { TribuneError } from '../../../core/errors.js';

export interface GossipConfig {
  /** Time between probes of one member (scaled up by the awareness score on a failed probe). */
  probeIntervalMs: number;
  /** How long to wait for a direct ack before probing indirectly. */
  probeTimeoutMs: number;
  /** Members asked to ping a target indirectly when the direct ping times out. */
  indirectChecks: number;
  /** Time between gossip rounds. */
  gossipIntervalMs: number;
  /** Members gossiped to each round (fanout). */
  gossipNodes: number;
  /** A dead member is still gossiped to for this long, so it can learn it was declared dead and refute. */
  gossipToTheDeadMs: number;
  /** Retransmits of one broadcast = retransmitMult x ceil(log10(n + 1)). */
  retransmitMult: number;
  /** Minimum suspicion timeout = suspicionMult x max(1, log10 n) x probeInterval. */
  suspicionMult: number;
  /** Maximum suspicion timeout = suspicionMaxTimeoutMult x minimum (Lifeguard); 1 disables the shrinking. */
  suspicionMaxTimeoutMult: number;
  /**
   * Ours, not memberlist's: when a suspicion runs out, the suspect gets one more direct check (UDP and
   * TCP, telling it it is suspected) lasting this long before it is declared dead; 0 disables it. It
   * saves live members whose refutation gossip happened to miss us.
   */
  lastCallTimeoutMs: number;
  /** Full-state sync with one random member (scaled up above 32 members). */
  pushPullIntervalMs: number;
  /** Budget the adapter gives a TCP exchange (push-pull, fallback ping). */
  tcpTimeoutMs: number;
  /** Lifeguard local health: timeouts scale up to this multiple; 1 disables awareness. */
  awarenessMaxMultiplier: number;
  /** Largest UDP payload; broadcasts are packed up to it. */
  udpBufferSize: number;
  /** A dead member's name may be claimed by another address after this long (0: only left members). */
  deadNodeReclaimMs: number;
  /** How often to try reaching a failed member again (Serf's reconnect). */
  reconnectIntervalMs: number;
  /** A failed member is forgotten (reaped) after this long: Consul's reconnect_timeout. */
  reconnectTimeoutMs: number;
  /** A member that left is forgotten after this long (Serf's tombstone timeout). */
  tombstoneTimeoutMs: number;
  /** How often failed and left members are checked for reaping. */
  reapIntervalMs: number;
  /** User events remembered for de-duplication, by Lamport time. */
  eventBufferSize: number;
  /** Largest name + payload of a user event, in bytes. */
  userEventSizeLimit: number;
  /** The broadcast queue holds at most max(minQueueDepth, 2 x members) messages. */
  minQueueDepth: number;
  /** How long the adapter keeps gossiping after a graceful leave before it stops. */
  leavePropagateDelayMs: number;
}

export type GossipProfileName = 'lan' | 'wan' | 'local';

const SECOND = 1000;
const HOUR = 3600 * SECOND;

/** memberlist DefaultLANConfig, plus Serf's membership settings. */
export const GOSSIP_LAN: Readonly<GossipConfig> = Object.freeze({
  probeIntervalMs: 1 * SECOND,
  probeTimeoutMs: 500,
  indirectChecks: 3,
  gossipIntervalMs: 200,
  gossipNodes: 3,
  gossipToTheDeadMs: 30 * SECOND,
  retransmitMult: 4,
  suspicionMult: 4,
  suspicionMaxTimeoutMult: 6,
  lastCallTimeoutMs: 500,
  pushPullIntervalMs: 30 * SECOND,
  tcpTimeoutMs: 10 * SECOND,
  awarenessMaxMultiplier: 8,
  udpBufferSize: 1400,
  deadNodeReclaimMs: 30 * SECOND,
  reconnectIntervalMs: 30 * SECOND,
  reconnectTimeoutMs: 72 * HOUR,
  tombstoneTimeoutMs: 24 * HOUR,
  reapIntervalMs: 15 * SECOND,
  eventBufferSize: 512,
  userEventSizeLimit: 512,
  minQueueDepth: 4096,
  leavePropagateDelayMs: 3 * SECOND,
});

/** memberlist DefaultWANConfig: LAN with slower probes, a longer suspicion and a wider fanout. */
export const GOSSIP_WAN: Readonly<GossipConfig> = Object.freeze({
  ...GOSSIP_LAN,
  tcpTimeoutMs: 30 * SECOND,
  suspicionMult: 6,
  pushPullIntervalMs: 60 * SECOND,
  probeTimeoutMs: 3 * SECOND,
  lastCallTimeoutMs: 3 * SECOND,
  probeIntervalMs: 5 * SECOND,
  gossipNodes: 4,
  gossipIntervalMs: 500,
  gossipToTheDeadMs: 60 * SECOND,
});

/** memberlist DefaultLocalConfig: LAN tightened for one host or a fast local network. */
export const GOSSIP_LOCAL: Readonly<GossipConfig> = Object.freeze({
  ...GOSSIP_LAN,
  tcpTimeoutMs: 1 * SECOND,
  indirectChecks: 1,
  retransmitMult: 2,
  suspicionMult: 3,
  pushPullIntervalMs: 15 * SECOND,
  probeTimeoutMs: 200,
  lastCallTimeoutMs: 200,
  probeIntervalMs: 1 * SECOND,
  gossipIntervalMs: 100,
  gossipToTheDeadMs: 15 * SECOND,
});

export const GOSSIP_PROFILES: Readonly<Record<GossipProfileName, Readonly<GossipConfig>>> = Object.freeze({
  lan: GOSSIP_LAN,
  wan: GOSSIP_WAN,
  local: GOSSIP_LOCAL,
});

/** A profile with some values replaced (Consul's gossip_lan / gossip_wan blocks), validated. */
export function deriveGossipConfig(
  base: Readonly<GossipConfig>,
  overrides: Partial<GossipConfig> = {},
): Readonly<GossipConfig> {
  const merged: GossipConfig = { ...base };
  for (const [key, value] of Object.entries(overrides) as [keyof GossipConfig, number | undefined][]) {
    if (value !== undefined) merged[key] = value;
  }
  validateGossipConfig(merged);
  return Object.freeze(merged);
}

/** Integer minimums per key; anything else is a configuration error. */
const MINIMUMS: Readonly<Record<keyof GossipConfig, number>> = {
  probeIntervalMs: 1,
  probeTimeoutMs: 1,
  indirectChecks: 0,
  gossipIntervalMs: 1,
  gossipNodes: 0,
  gossipToTheDeadMs: 0,
  retransmitMult: 1,
  suspicionMult: 1,
  suspicionMaxTimeoutMult: 1,
  lastCallTimeoutMs: 0,
  pushPullIntervalMs: 0,
  tcpTimeoutMs: 1,
  awarenessMaxMultiplier: 1,
  udpBufferSize: 64,
  deadNodeReclaimMs: 0,
  reconnectIntervalMs: 0,
  reconnectTimeoutMs: 0,
  tombstoneTimeoutMs: 0,
  reapIntervalMs: 1,
  eventBufferSize: 1,
  userEventSizeLimit: 1,
  minQueueDepth: 1,
  leavePropagateDelayMs: 0,
};

export function validateGossipConfig(config: Readonly<GossipConfig>): void {
  for (const [key, min] of Object.entries(MINIMUMS) as [keyof GossipConfig, number][]) {
    const value = config[key];
    if (!Number.isSafeInteger(value) || value < min) {
      throw new TribuneError(
        'CONFIG_INVALID',
        `gossip ${key} must be an integer of at least ${min}, not ${String(value)}`,
      );
    }
  }
  // Indirect probes and the TCP fallback run in what is left of the interval after the timeout.
  if (config.probeTimeoutMs >= config.probeIntervalMs) {
    throw new TribuneError(
      'CONFIG_INVALID',
      `gossip probe timeout (${config.probeTimeoutMs}ms) must be shorter than the probe interval (${config.probeIntervalMs}ms)`,
    );
  }
}
