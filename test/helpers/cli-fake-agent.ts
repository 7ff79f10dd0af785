/**
 * A stand-in Consul HTTP API for the client-command tests: node:http on 127.0.0.1, port 0. Routes
 * answer canned Consul-shaped bodies; every request is recorded (method, raw path, query, headers,
 * body) so a test can assert exactly what a command sent.
 */
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { CliIO } from '../../core/cli/io.js';

export interface RecordedRequest {
  readonly method: string;
  /** The path exactly as sent, still percent-encoded. */
  readonly rawPath: string;
  /** The raw query string without `?` ('' when none). */
  readonly rawQuery: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface CannedResponse {
  readonly status?: number;
  /** A string or Buffer is sent as is; anything else as JSON. */
  readonly body?: unknown;
}

export type Route = CannedResponse | ((req: RecordedRequest) => CannedResponse);

export interface FakeAgent {
  readonly address: string;
  readonly requests: RecordedRequest[];
  /** Routes keyed `METHOD /raw/path`; unknown routes answer 404 with Consul's text. */
  readonly routes: Map<string, Route>;
  close(): Promise<void>;
}

export interface FakeAgentOptions {
  readonly tls?: { readonly cert: string; readonly key: string };
  /** Listen on this unix socket instead of 127.0.0.1. */
  readonly socketPath?: string;
}

export async function startFakeAgent(
  routes: Record<string, Route> = {},
  options: FakeAgentOptions = {},
): Promise<FakeAgent> {
  const requests: RecordedRequest[] = [];
  const table = new Map<string, Route>(Object.entries(routes));
  const handler = (
    req: import('node:http').IncomingMessage,
    res: import('node:http').ServerResponse,
  ): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const rawPath = q < 0 ? url : url.slice(0, q);
      const rawQuery = q < 0 ? '' : url.slice(q + 1);
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        rawPath,
        rawQuery,
        query: new URLSearchParams(rawQuery),
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      requests.push(recorded);
      const route = table.get(`${recorded.method} ${rawPath}`);
      const answer =
        route === undefined
          ? { status: 404, body: 'Invalid URL path: not a recognized HTTP API endpoint' }
          : typeof route === 'function'
            ? route(recorded)
            : route;
      const body = answer.body === undefined ? '' : answer.body;
      const payload =
        typeof body === 'string' || Buffer.isBuffer(body)
          ? Buffer.from(body)
          : Buffer.from(JSON.stringify(body));
      res.writeHead(answer.status ?? 200, {
        'content-type': typeof body === 'string' ? 'text/plain' : 'application/json',
      });
      res.end(payload);
    });
  };
  const server: Server = options.tls ? createTlsServer(options.tls, handler) : createServer(handler);
  if (options.socketPath) server.listen(options.socketPath);
  else server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = options.socketPath
    ? `unix://${options.socketPath}`
    : `${options.tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    address,
    requests,
    routes: table,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

export interface CapturedIO extends CliIO {
  readonly out: () => string;
  readonly err: () => string;
  readonly outBytes: () => Buffer;
}

/** A CliIO that records what a command writes; `stdin` answers the given bytes. */
export function captureIO(
  env: NodeJS.ProcessEnv = {},
  stdin: Buffer = Buffer.alloc(0),
  withBytes = true,
): CapturedIO {
  const out: Buffer[] = [];
  const err: string[] = [];
  const io: CapturedIO = {
    stdout: (s) => {
      out.push(Buffer.from(s, 'utf8'));
    },
    stderr: (s) => {
      err.push(s);
    },
    stdin: async () => stdin,
    env,
    out: () => Buffer.concat(out).toString('utf8'),
    err: () => err.join(''),
    outBytes: () => Buffer.concat(out),
  };
  if (withBytes) {
    return {
      ...io,
      stdoutBytes: (b: Uint8Array) => {
        out.push(Buffer.from(b));
      },
    };
  }
  return io;
}
