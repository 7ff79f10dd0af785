/**
 * The koa application and its listeners. Every route goes through one dispatcher that applies the
 * cross-cutting rules: method checks (405 + Allow), `?dc`, errors as Consul's text bodies, meta headers.
 *
 * This is the path of every API call, so it does per request only what the request needs: one koa
 * middleware (no chain of them), the @koa/router router of the path's group (router-index.ts), no
 * promise or closure where a plain call does, and nothing parsed from the configuration again.
 */
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { RouterContext } from '@koa/router';
import Koa, { type Context } from 'koa';
import { isTribuneError, TribuneError } from '../../../core/errors.js';
import type { Kernel } from '../../../core/kernel.js';
import { writeError, writeReply } from '../reply.js';
import { type ApiReply, ApiRequest, RequestEnvironment } from '../request.js';
import { allowHeader, type HttpMethod, type RouteDefinition, type RouteTable } from '../routes.js';
import { type PathRoute, RouterIndex } from './router-index.js';

export interface HttpServerOptions {
  kernel: Kernel;
  routes: RouteTable;
  random?: () => number;
}

const UNKNOWN_PATH = 'Invalid URL path: not a recognized HTTP API endpoint';
const UI_DISABLED =
  'Tribune Agent: UI disabled. To enable, set ui_config.enabled=true in the agent configuration and restart.';

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | undefined)?.then === 'function';
}

export function createHttpApp(opts: HttpServerOptions): Koa {
  const { kernel } = opts;
  const env = new RequestEnvironment(kernel, opts.random ?? Math.random);
  const app = new Koa();
  app.proxy = false;

  const pathRoutes: PathRoute[] = opts.routes.paths().map(([path, methods]) => {
    const allow = allowHeader(methods.keys());
    return {
      path,
      handler: (ctx: RouterContext) => {
        // ctx.request.method, not the ctx.method delegate: a delegate is a keyed property access
        // that V8 cannot cache, and this runs for every call.
        const method = ctx.request.method;
        if (method === 'OPTIONS') {
          ctx.set('Allow', allow);
          ctx.status = 200;
          ctx.body = '';
          return undefined;
        }
        const route = methods.get(method as HttpMethod);
        if (!route) {
          ctx.set('Allow', allow);
          writeError(ctx, 405, `method ${method} not allowed`);
          return undefined;
        }
        return dispatch(ctx, route, env);
      },
    };
  });
  const routers = new RouterIndex(pathRoutes);

  const failed = (ctx: Context, err: unknown): void => {
    const status = isTribuneError(err) ? err.httpStatus : 500;
    if (!isTribuneError(err) || status >= 500) kernel.logger.warn({ err, path: ctx.path }, 'request failed');
    writeError(ctx, status, err instanceof Error ? err.message : String(err));
  };

  app.use((ctx) => {
    ctx.res.setHeader('X-Consul-Default-ACL-Policy', defaultAclPolicy(kernel));
    let routed: Promise<unknown>;
    try {
      routed = routers.routerFor(ctx.request.path)(ctx, () => notFound(ctx));
    } catch (err) {
      failed(ctx, err);
      return undefined;
    }
    return routed.then(undefined, (err: unknown) => failed(ctx, err));
  });
  return app;
}

function notFound(ctx: Context): Promise<void> {
  // The root answers as Consul's does with its UI turned off.
  if (ctx.path === '/') writeError(ctx, 200, UI_DISABLED);
  else writeError(ctx, 404, UNKNOWN_PATH);
  return Promise.resolve();
}

function defaultAclPolicy(kernel: Kernel): string {
  const acl = kernel.config.acl as { enabled?: boolean; default_policy?: string } | undefined;
  return acl?.enabled && acl.default_policy === 'deny' ? 'deny' : 'allow';
}

function dispatch(
  ctx: RouterContext,
  route: RouteDefinition,
  env: RequestEnvironment,
): Promise<void> | undefined {
  const config = env.kernel.config;
  const request = ctx.request;
  const query = new URLSearchParams(request.querystring);
  const dc = query.get('dc');
  if (dc && dc !== config.datacenter) throw new TribuneError('NO_PATH_TO_DC', 'No path to datacenter');
  const req = new ApiRequest(
    env,
    ctx,
    request.method,
    request.path,
    ctx.params,
    query,
    route.maxBodyBytes ?? config.limits.txn_max_req_len,
  );
  const reply = route.handler(req);
  if (isPromise(reply)) return reply.then((answer) => send(ctx, req, answer));
  send(ctx, req, reply);
  return undefined;
}

function send(ctx: Context, req: ApiRequest, reply: ApiReply): void {
  const kernel = req.kernel;
  writeReply(
    ctx,
    reply,
    req.query.has('pretty') || kernel.config.dev,
    reply.index !== undefined && kernel.hasConsensus() ? kernel.consensus.status() : undefined,
    req.effectiveConsistency,
  );
}

/** Counts open connections per client address, for Consul's http_max_conns_per_client. */
class ConnectionLimiter {
  private readonly perClient = new Map<string, number>();

  constructor(private readonly maxPerClient: number) {}

  /** Admits or refuses a new connection. One listener function serves every socket (no closure each). */
  readonly onConnection = (socket: Socket): void => {
    const client = socket.remoteAddress ?? '';
    const count = (this.perClient.get(client) ?? 0) + 1;
    if (count > this.maxPerClient) {
      socket.destroy();
      return;
    }
    this.perClient.set(client, count);
    socket.on('close', this.onClose);
  };

  // `this` is the socket; node keeps its remote address after it closes.
  private readonly onClose = (() => {
    const perClient = this.perClient;
    return function (this: Socket): void {
      const client = this.remoteAddress ?? '';
      const left = (perClient.get(client) ?? 1) - 1;
      if (left <= 0) perClient.delete(client);
      else perClient.set(client, left);
    };
  })();
}

/** Listens on every address; caps connections per client address as Consul's http_max_conns_per_client. */
export async function listenHttp(
  app: Koa,
  addresses: string[],
  port: number,
  maxConnsPerClient: number,
): Promise<Server[]> {
  const servers: Server[] = [];
  for (const address of addresses) {
    const server = createServer(app.callback());
    if (maxConnsPerClient > 0) server.on('connection', new ConnectionLimiter(maxConnsPerClient).onConnection);
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, address, () => {
        server.off('error', reject);
        resolve();
      });
    });
    servers.push(server);
  }
  return servers;
}

export async function closeHttp(servers: Server[]): Promise<void> {
  await Promise.all(
    servers.map(
      (server) =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    ),
  );
}
