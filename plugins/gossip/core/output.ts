/** What the gossip core hands back from every call: packets for the adapter to send, and events. */
import type { MemberView } from './membership.js';
import type { GossipMessage, NodeMeta } from './messages.js';

/**
 * One packet to send. `reliable` means over a stream (TCP): push-pull exchanges, the fallback ping and
 * the last call. A reliable packet produced while handling a message that arrived over a stream, and
 * addressed to that message's `fromAddress`, is the answer to it: the adapter writes it back on the same
 * stream (and feeds what comes back on a stream it opened to receive(..., reliable = true)).
 */
export interface OutPacket {
  readonly to: string;
  readonly message: GossipMessage;
  readonly reliable: boolean;
}

export type MemberEventType = 'join' | 'leave' | 'fail' | 'update' | 'reap';

export interface MemberEvent {
  readonly type: MemberEventType;
  readonly member: MemberView;
}

export interface UserEvent {
  readonly type: 'user-event';
  readonly name: string;
  readonly payload: Uint8Array;
  readonly ltime: number;
  readonly coalesce: boolean;
}

/** Two addresses claim one name; the claim from `other` was ignored. */
export interface ConflictEvent {
  readonly type: 'conflict';
  readonly existing: MemberView;
  readonly other: { readonly name: string; readonly address: string; readonly meta: NodeMeta };
}

export type GossipEvent = MemberEvent | UserEvent | ConflictEvent;

export interface GossipOutput {
  readonly packets: OutPacket[];
  readonly events: GossipEvent[];
}

/** Counters for metrics and the simulator. */
export interface GossipStats {
  probes: number;
  probeFailures: number;
  indirectProbes: number;
  tcpFallbacks: number;
  suspicionsRaised: number;
  refutes: number;
  packetsSent: number;
  broadcastsSent: number;
  relaysDropped: number;
  misdirectedPings: number;
}
