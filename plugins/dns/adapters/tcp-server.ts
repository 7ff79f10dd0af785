/**
 * The TCP listener (RFC 7766): each message is framed by a two-byte length; a connection may carry
 * several queries, answered in the order they came. A connection idle for `idleTimeoutMs` is closed;
 * at most `maxConnections` are open at once; a zero-length frame or a stalled, half-sent frame ends
 * the connection. A connection pipelining too much is paused until its answers are written.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import type { PacketHandler } from './udp-server.js';

export interface TcpServerOptions {
  idleTimeoutMs: number;
  maxConnections: number;
  /** Queries in flight per connection before it is paused. */
  maxPipelined: number;
}

export const DEFAULT_TCP_OPTIONS: TcpServerOptions = {
  idleTimeoutMs: 10_000,
  maxConnections: 1024,
  maxPipelined: 32,
};

export interface TcpServer {
  server: Server;
  address: string;
  port: number;
  /** Open connections (for tests and metrics). */
  connections(): number;
  close(): Promise<void>;
}

function frame(reply: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(reply.length + 2);
  out.writeUInt16BE(reply.length, 0);
  out.set(reply, 2);
  return out;
}

function serveConnection(
  socket: Socket,
  handle: PacketHandler,
  options: TcpServerOptions,
  onMalformed: () => void,
): void {
  let buffered: Buffer = Buffer.alloc(0);
  let inFlight = 0;
  // Answers go out in query order: each waits for the one before it.
  let tail: Promise<void> = Promise.resolve();
  socket.setNoDelay(true);
  socket.setTimeout(options.idleTimeoutMs, () => socket.destroy());
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk: Buffer) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    while (buffered.length >= 2) {
      const length = buffered.readUInt16BE(0);
      if (length === 0) {
        onMalformed();
        socket.destroy();
        return;
      }
      if (buffered.length < length + 2) return;
      const message = new Uint8Array(buffered.subarray(2, length + 2));
      buffered = buffered.subarray(length + 2);
      inFlight++;
      if (inFlight >= options.maxPipelined) socket.pause();
      const answer = Promise.resolve(handle(message, 'tcp')).catch(() => undefined);
      tail = tail.then(async () => {
        const reply = await answer;
        inFlight--;
        if (socket.destroyed) return;
        if (reply && reply.length <= 0xffff) socket.write(frame(reply));
        if (inFlight < options.maxPipelined && socket.isPaused()) socket.resume();
      });
    }
  });
}

export function listenTcp(
  address: string,
  port: number,
  handle: PacketHandler,
  logger: Logger,
  options: TcpServerOptions = DEFAULT_TCP_OPTIONS,
  onMalformed: () => void = () => {},
): Promise<TcpServer> {
  return new Promise((resolve, reject) => {
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      serveConnection(socket, handle, options, onMalformed);
    });
    server.maxConnections = options.maxConnections;
    let listening = false;
    server.on('error', (err) => {
      if (!listening) reject(err);
      else logger.warn({ err }, 'DNS TCP server error');
    });
    server.listen({ host: address, port, exclusive: true }, () => {
      listening = true;
      const bound = server.address();
      const boundPort = typeof bound === 'object' && bound ? bound.port : port;
      resolve({
        server,
        address,
        port: boundPort,
        connections: () => sockets.size,
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
