/**
 * What one call into the core produces: packets (UDP ones topped up with queued broadcasts, the
 * piggybacking that carries dissemination), events, and the running counters.
 */
import type { BroadcastQueue } from './broadcast-queue.js';
import type { MemberRecord } from './membership.js';
import { viewOf } from './membership.js';
import {
  COMPOUND_HEADER_BYTES,
  COMPOUND_PART_OVERHEAD_BYTES,
  estimateSize,
  type GossipMessage,
  type SimpleMessage,
} from './messages.js';
import type { GossipEvent, GossipOutput, GossipStats, MemberEventType, OutPacket } from './output.js';

export function emptyStats(): GossipStats {
  return {
    probes: 0,
    probeFailures: 0,
    indirectProbes: 0,
    tcpFallbacks: 0,
    suspicionsRaised: 0,
    refutes: 0,
    packetsSent: 0,
    broadcastsSent: 0,
    relaysDropped: 0,
    misdirectedPings: 0,
  };
}

export class Outbox {
  readonly counters: GossipStats = emptyStats();
  private packets: OutPacket[] = [];
  private events: GossipEvent[] = [];

  constructor(
    private readonly queue: BroadcastQueue,
    private readonly udpBufferSize: number,
    /** The current retransmit limit (it grows with the group). */
    private readonly transmitLimit: () => number,
  ) {}

  /** Sends over UDP, filling the rest of the packet with queued broadcasts. */
  sendUnreliable(to: string, ...leading: SimpleMessage[]): void {
    let room = this.udpBufferSize - COMPOUND_HEADER_BYTES;
    for (const message of leading) room -= estimateSize(message) + COMPOUND_PART_OVERHEAD_BYTES;
    const extra = room > 0 ? this.takeBroadcasts(room) : [];
    this.push(to, [...leading, ...extra], false);
  }

  /** Sends a packet of queued broadcasts only (a gossip round); false when there was nothing to send. */
  sendBroadcasts(to: string): boolean {
    const parts = this.takeBroadcasts(this.udpBufferSize - COMPOUND_HEADER_BYTES);
    if (parts.length === 0) return false;
    this.push(to, parts, false);
    return true;
  }

  /** Sends over a stream: no piggybacking, no size limit. */
  sendReliable(to: string, message: GossipMessage): void {
    this.push(to, message.type === 'compound' ? [...message.parts] : [message], true);
  }

  /** A reply goes back the way the request came. */
  emit(event: GossipEvent): void {
    this.events.push(event);
  }

  emitMember(type: MemberEventType, record: MemberRecord): void {
    this.events.push({ type, member: viewOf(record) });
  }

  flush(): GossipOutput {
    const output = { packets: this.packets, events: this.events };
    this.packets = [];
    this.events = [];
    return output;
  }

  private takeBroadcasts(room: number): SimpleMessage[] {
    const taken = this.queue.take(room, COMPOUND_PART_OVERHEAD_BYTES, this.transmitLimit());
    this.counters.broadcastsSent += taken.length;
    return taken;
  }

  private push(to: string, parts: SimpleMessage[], reliable: boolean): void {
    const message: GossipMessage =
      parts.length === 1 ? (parts[0] as SimpleMessage) : { type: 'compound', parts };
    this.packets.push({ to, message, reliable });
    this.counters.packetsSent += 1;
  }
}
