/**
 * The gossip protocol's messages as plain, immutable objects. The wire codec (type byte, msgpack,
 * checksum, encryption) belongs to the adapter; the core only needs a size estimate to pack broadcasts
 * into one UDP packet.
 */

export type MemberState = 'alive' | 'suspect' | 'dead' | 'left';

/**
 * A member's tags, as Consul's Serf tags: `role` ("consul" for servers, "node" for clients), `dc`,
 * `port` (the server RPC port), `build`, `id` (the node ID), and any others.
 */
export type NodeMeta = Readonly<Record<string, string>>;

/** Direct probe. `node` names the intended target, so a ping that reaches a reused address is ignored. */
export interface PingMessage {
  readonly type: 'ping';
  readonly seq: number;
  readonly node: string;
  readonly sourceName: string;
  readonly sourceAddress: string;
}

/** Ask a peer to ping `node` at `address` for us and relay the ack (and a nack if asked). */
export interface IndirectPingMessage {
  readonly type: 'indirect-ping';
  readonly seq: number;
  readonly node: string;
  readonly address: string;
  readonly wantNack: boolean;
  readonly sourceName: string;
  readonly sourceAddress: string;
}

export interface AckMessage {
  readonly type: 'ack';
  readonly seq: number;
}

/** A relay's "I could not reach the target either": evidence that the prober itself is healthy. */
export interface NackMessage {
  readonly type: 'nack';
  readonly seq: number;
}

export interface AliveMessage {
  readonly type: 'alive';
  readonly node: string;
  readonly address: string;
  readonly incarnation: number;
  readonly meta: NodeMeta;
}

export interface SuspectMessage {
  readonly type: 'suspect';
  readonly node: string;
  readonly incarnation: number;
  readonly from: string;
}

export interface DeadMessage {
  readonly type: 'dead';
  readonly node: string;
  readonly incarnation: number;
  readonly from: string;
}

/** A graceful leave (or a force-leave of a failed member), at the member's current incarnation. */
export interface LeaveMessage {
  readonly type: 'leave';
  readonly node: string;
  readonly incarnation: number;
}

export interface UserEventMessage {
  readonly type: 'user-event';
  readonly ltime: number;
  readonly name: string;
  readonly payload: Uint8Array;
  readonly coalesce: boolean;
}

export interface MemberSnapshot {
  readonly name: string;
  readonly address: string;
  readonly meta: NodeMeta;
  readonly incarnation: number;
  readonly state: MemberState;
}

/**
 * Full state, sent over a stream. `join` marks an exchange started by join(); `reply` marks the answer
 * (which is never answered again). Recent user events ride along for anti-entropy.
 */
export interface PushPullMessage {
  readonly type: 'push-pull';
  readonly join: boolean;
  readonly reply: boolean;
  readonly members: readonly MemberSnapshot[];
  readonly eventClock: number;
  readonly events: readonly UserEventMessage[];
}

export type SimpleMessage =
  | PingMessage
  | IndirectPingMessage
  | AckMessage
  | NackMessage
  | AliveMessage
  | SuspectMessage
  | DeadMessage
  | LeaveMessage
  | UserEventMessage
  | PushPullMessage;

/** Several messages in one packet (a probe plus piggybacked broadcasts, or a gossip round). */
export interface CompoundMessage {
  readonly type: 'compound';
  readonly parts: readonly SimpleMessage[];
}

export type GossipMessage = SimpleMessage | CompoundMessage;

/** Bytes a compound adds: a type byte and a count, then a 2-byte length per part. */
export const COMPOUND_HEADER_BYTES = 2;
export const COMPOUND_PART_OVERHEAD_BYTES = 2;

function stringSize(value: string): number {
  // UTF-8 length without encoding: 1-3 bytes per UTF-16 unit is close enough for packing.
  let bytes = 0;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : 3;
  }
  return bytes + (bytes < 32 ? 1 : bytes < 256 ? 2 : 3);
}

function valueSize(value: unknown): number {
  if (typeof value === 'string') return stringSize(value);
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 && value < 128 ? 1 : 9;
  if (typeof value === 'boolean' || value === undefined || value === null) return 1;
  if (value instanceof Uint8Array) return value.length + (value.length < 256 ? 2 : 3);
  if (Array.isArray(value)) {
    let size = 3;
    for (const item of value) size += valueSize(item);
    return size;
  }
  if (typeof value === 'object') {
    let size = 3;
    for (const [key, item] of Object.entries(value)) size += stringSize(key) + valueSize(item);
    return size;
  }
  return 9;
}

/**
 * An upper-leaning estimate of the encoded size (msgpack-like, plus a type byte). The adapter's codec
 * measures exactly; this only decides how many broadcasts fit beside a message.
 */
export function estimateSize(message: GossipMessage): number {
  if (message.type === 'compound') {
    let size = COMPOUND_HEADER_BYTES;
    for (const part of message.parts) size += COMPOUND_PART_OVERHEAD_BYTES + estimateSize(part);
    return size;
  }
  return 1 + valueSize(message);
}
