/** The UDP listener: one datagram is one query; the handler's bytes (if any) go back to the sender. */
import { createSocket, type Socket } from 'node:dgram';
import { lookup } from 'node:dns';
import { isIP, isIPv6 } from 'node:net';
import type { Logger } from 'pino';
import type { Transport } from '../core/types.js';

/** Bytes to send back (or undefined: nothing), directly when ready at once. Never throws or rejects. */
export type PacketHandler = (
  packet: Uint8Array,
  transport: Transport,
) => Uint8Array | undefined | Promise<Uint8Array | undefined>;

/** A larger receive buffer rides out bursts (the kernel caps it at net.core.rmem_max). */
const RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;

export interface UdpServer {
  socket: Socket;
  address: string;
  port: number;
  close(): Promise<void>;
}

export function listenUdp(
  address: string,
  port: number,
  handle: PacketHandler,
  logger: Logger,
): Promise<UdpServer> {
  return new Promise((resolve, reject) => {
    const family = isIPv6(address) ? 6 : 4;
    const socket = createSocket({
      type: family === 6 ? 'udp6' : 'udp4',
      recvBufferSize: RECEIVE_BUFFER_BYTES,
      // Replies go to the sender's address, an IP literal: answered in place, without dns.lookup's extra tick.
      lookup: (host, options, callback) => {
        if (isIP(host) !== 0) callback(null, host, family);
        else lookup(host, options, callback);
      },
    });
    let listening = false;
    socket.on('error', (err) => {
      if (!listening) {
        socket.close();
        reject(err);
      } else {
        logger.warn({ err }, 'DNS UDP socket error');
      }
    });
    const reply = (bytes: Uint8Array | undefined, port: number, address: string) => {
      // Without a callback the send is attempted at once; a failure surfaces as an 'error' event.
      if (bytes) socket.send(bytes, port, address);
    };
    socket.on('message', (message, remote) => {
      let answer: ReturnType<PacketHandler>;
      try {
        answer = handle(message, 'udp');
      } catch (err) {
        logger.error({ err }, 'DNS handler failed');
        return;
      }
      if (answer instanceof Promise) {
        answer.then(
          (bytes) => reply(bytes, remote.port, remote.address),
          (err) => logger.error({ err }, 'DNS handler failed'),
        );
      } else {
        reply(answer, remote.port, remote.address);
      }
    });
    socket.bind(port, address, () => {
      listening = true;
      const bound = socket.address();
      resolve({
        socket,
        address: bound.address,
        port: bound.port,
        close: () =>
          new Promise<void>((done) => {
            try {
              socket.close(() => done());
            } catch {
              done();
            }
          }),
      });
    });
  });
}
