/**
 * Forwarding names outside our domains to the configured recursors: in order (or shuffled with
 * recursor_strategy=random), each given recursor_timeout; the next one is tried on a timeout, a
 * network error, or an rcode other than NOERROR/NXDOMAIN. The query goes out with a fresh random ID
 * over the client's transport, from a socket connected to the recursor (so only its replies are
 * read); the reply goes back with the client's ID and RA set.
 */
import { randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { connect, isIPv6, type Socket as TcpSocket } from 'node:net';
import { TribuneError } from '../../../core/errors.js';
import type { Transport } from '../core/types.js';
import type { RecursorStrategy } from '../schema.js';

export interface RecursorTarget {
  host: string;
  port: number;
  /** As configured, for logs. */
  text: string;
}

const DEFAULT_DNS_PORT = 53;

/** `1.2.3.4`, `1.2.3.4:5353`, `::1`, `[::1]:5353`, `dns.example`, `dns.example:5353`. */
export function parseRecursor(text: string): RecursorTarget {
  const spec = text.trim();
  const invalid = () =>
    new TribuneError('CONFIG_INVALID', `invalid recursor address ${JSON.stringify(text)}`);
  if (spec === '') throw invalid();
  let host = spec;
  let port = DEFAULT_DNS_PORT;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(spec);
  if (bracketed) {
    host = bracketed[1] as string;
    if (bracketed[2] !== undefined) port = Number(bracketed[2]);
  } else if (!isIPv6(spec)) {
    const colon = spec.lastIndexOf(':');
    if (colon >= 0) {
      host = spec.slice(0, colon);
      const portText = spec.slice(colon + 1);
      if (!/^\d+$/.test(portText)) throw invalid();
      port = Number(portText);
    }
  }
  if (host === '' || port < 1 || port > 65535 || /\s|\//.test(host)) throw invalid();
  return { host, port, text };
}

export interface RecursorOptions {
  targets: readonly RecursorTarget[];
  strategy: RecursorStrategy;
  timeoutMs: number;
  /** Uniform in [0, 1), for the random strategy (tests pin it). */
  random?: () => number;
}

export type ForwardResult =
  | { ok: true; bytes: Uint8Array; target: RecursorTarget }
  | { ok: false; failures: string[] };

const RCODE_NOERROR = 0;
const RCODE_NXDOMAIN = 3;
const MAX_TCP_MESSAGE = 65535;

function withId(packet: Uint8Array, id: number): Uint8Array {
  const copy = Uint8Array.from(packet);
  copy[0] = (id >>> 8) & 0xff;
  copy[1] = id & 0xff;
  return copy;
}

function idOf(packet: Uint8Array): number {
  return ((packet[0] ?? 0) << 8) | (packet[1] ?? 0);
}

function isReplyTo(reply: Uint8Array, id: number): boolean {
  return reply.length >= 12 && idOf(reply) === id && ((reply[2] ?? 0) & 0x80) !== 0;
}

function exchangeUdp(target: RecursorTarget, query: Uint8Array, timeoutMs: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const socket = createSocket(isIPv6(target.host) ? 'udp6' : 'udp4');
    const id = idOf(query);
    let done = false;
    const finish = (error: Error | undefined, reply?: Uint8Array) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.close();
      if (error) reject(error);
      else resolve(reply as Uint8Array);
    };
    const timer = setTimeout(() => finish(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    socket.on('error', (err) => finish(err));
    socket.on('message', (message) => {
      // A late or forged datagram with another ID is ignored; the timer still runs.
      if (isReplyTo(message, id)) finish(undefined, new Uint8Array(message));
    });
    socket.connect(target.port, target.host, () => {
      socket.send(query, (err) => {
        if (err) finish(err);
      });
    });
  });
}

function exchangeTcp(target: RecursorTarget, query: Uint8Array, timeoutMs: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const id = idOf(query);
    let socket: TcpSocket | undefined;
    let buffered = Buffer.alloc(0);
    let done = false;
    const finish = (error: Error | undefined, reply?: Uint8Array) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket?.destroy();
      if (error) reject(error);
      else resolve(reply as Uint8Array);
    };
    const timer = setTimeout(() => finish(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    socket = connect({ host: target.host, port: target.port }, () => {
      const frame = Buffer.alloc(query.length + 2);
      frame.writeUInt16BE(query.length, 0);
      frame.set(query, 2);
      socket?.write(frame);
    });
    socket.on('error', (err) => finish(err));
    socket.on('close', () => finish(new Error('connection closed before an answer')));
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length > MAX_TCP_MESSAGE + 2) return finish(new Error('oversized answer'));
      while (buffered.length >= 2) {
        const length = buffered.readUInt16BE(0);
        if (buffered.length < length + 2) return;
        const message = new Uint8Array(buffered.subarray(2, length + 2));
        buffered = buffered.subarray(length + 2);
        if (isReplyTo(message, id)) return finish(undefined, message);
      }
    });
  });
}

function ordered(options: RecursorOptions): RecursorTarget[] {
  const targets = [...options.targets];
  if (options.strategy !== 'random') return targets;
  const random = options.random ?? Math.random;
  for (let i = targets.length - 1; i > 0; i--) {
    const j = Math.min(i, Math.floor(random() * (i + 1)));
    [targets[i], targets[j]] = [targets[j] as RecursorTarget, targets[i] as RecursorTarget];
  }
  return targets;
}

/** Forwards `packet` (the client's query, as received) and returns the first acceptable reply. */
export async function forwardToRecursors(
  packet: Uint8Array,
  transport: Transport,
  options: RecursorOptions,
): Promise<ForwardResult> {
  const clientId = idOf(packet);
  const failures: string[] = [];
  for (const target of ordered(options)) {
    const upstreamId = randomInt(0, 0x10000);
    const query = withId(packet, upstreamId);
    try {
      const reply =
        transport === 'tcp'
          ? await exchangeTcp(target, query, options.timeoutMs)
          : await exchangeUdp(target, query, options.timeoutMs);
      const rcode = (reply[3] ?? 0) & 0x0f;
      if (rcode !== RCODE_NOERROR && rcode !== RCODE_NXDOMAIN) {
        failures.push(`${target.text}: rcode ${rcode}`);
        continue;
      }
      const bytes = withId(reply, clientId);
      bytes[3] = (bytes[3] ?? 0) | 0x80; // RA: we offer recursion
      return { ok: true, bytes, target };
    } catch (err) {
      failures.push(`${target.text}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return { ok: false, failures };
}
