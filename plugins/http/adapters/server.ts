/**
 * The koa application and its listeners. Every route goes through one dispatcher that applies the
 * cross-cutting rules: method checks (405 + Allow), `?dc`, errors as Consul's text bodies, meta headers.
 */
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import Router from '@koa/router';
import Koa, { type Context } from 'koa';
import { isTribuneError, TribuneError } from '../../../core/errors.js';
import type { Kernel } from '../../../core/kernel.js';
import { parseGoDuration } from '../../../core/util/duration.js';
import { parseToken } from '../params.js';
import { writeError, writeReply } from '../reply.js';
import { ApiRequest } from '../request.js';
import { allowHeader, type HttpMethod, type RouteDefinition, type RouteTable } from '../routes.js';

export interface HttpServerOptions {
  kernel: Kernel;
  routes: RouteTable;
  random?: () => number;
}

const UNKNOWN_PATH = 'Invalid URL path: not a recognized HTTP API endpoint';

export function createHttpApp(opts: HttpServerOptions): Koa {
  const { kernel } = opts;
  const random = opts.random ?? Math.random;
  const app = new Koa();
  const router = new Router();
  app.proxy = false;

  for (const [path, methods] of opts.routes.paths()) {
    router.all(path, async (ctx) => {
      if (ctx.method === 'OPTIONS') {
        ctx.set('Allow', allowHeader(methods.keys()));
        ctx.status = 200;
        ctx.body = '';
        return;
      }
      const route = methods.get(ctx.method as HttpMethod);
      if (!route) {
        ctx.set('Allow', allowHeader(methods.keys()));
        writeError(ctx, 405, `method ${ctx.method} not allowed`);
        return;
      }
      await dispatch(ctx, route, kernel, random);
    });
  }

  app.use(async (ctx, next) => {
    ctx.set('X-Consul-Default-ACL-Policy', defaultAclPolicy(kernel));
    try {
      await next();
    } catch (err) {
      const status = isTribuneError(err) ? err.httpStatus : 500;
      if (!isTribuneError(err) || status >= 500)
        kernel.logger.warn({ err, path: ctx.path }, 'request failed');
      writeError(ctx, status, err instanceof Error ? err.message : String(err));
    }
  });
  app.use(router.routes());
  app.use(async (ctx) => {
    if (ctx.path === '/') {
      writeError(
        ctx,
        200,
        'Tribune Agent: UI disabled. To enable, set ui_config.enabled=true in the agent configuration and restart.',
      );
      return;
    }
    writeError(ctx, 404, UNKNOWN_PATH);
  });
  return app;
}

function defaultAclPolicy(kernel: Kernel): string {
  const acl = kernel.config.acl as { enabled?: boolean; default_policy?: string } | undefined;
  return acl?.enabled && acl.default_policy === 'deny' ? 'deny' : 'allow';
}

async function dispatch(
  ctx: Context,
  route: RouteDefinition,
  kernel: Kernel,
  random: () => number,
): Promise<void> {
  const query = new URLSearchParams(ctx.querystring);
  const dc = query.get('dc');
  if (dc && dc !== kernel.config.datacenter) throw new TribuneError('NO_PATH_TO_DC', 'No path to datacenter');
  const abort = new AbortController();
  ctx.req.on('close', () => {
    if (!ctx.res.writableEnded) abort.abort();
  });
  const config = kernel.config;
  const lengthHeader = ctx.get('content-length');
  const req = new ApiRequest({
    kernel,
    method: ctx.method,
    path: ctx.path,
    params: ctx.params as Record<string, string>,
    query,
    token: parseToken(query, (name) => ctx.get(name) || undefined),
    stream: ctx.req,
    contentLength: lengthHeader ? Number(lengthHeader) : undefined,
    maxBodyBytes: route.maxBodyBytes ?? config.limits.txn_max_req_len,
    blockingSettings: {
      defaultWaitMs: parseGoDuration(config.default_query_time),
      maxWaitMs: parseGoDuration(config.max_query_time),
    },
    signal: abort.signal,
    random,
    header: (name) => ctx.get(name) || undefined,
  });
  const reply = await route.handler(req);
  writeReply(ctx, reply, {
    pretty: query.has('pretty') || config.dev,
    consensus: reply.index !== undefined && kernel.hasConsensus() ? kernel.consensus.status() : undefined,
    effectiveConsistency: req.effectiveConsistency,
  });
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
    const perClient = new Map<string, number>();
    server.on('connection', (socket: Socket) => {
      const client = socket.remoteAddress ?? '';
      const count = (perClient.get(client) ?? 0) + 1;
      if (maxConnsPerClient > 0 && count > maxConnsPerClient) {
        socket.destroy();
        return;
      }
      perClient.set(client, count);
      socket.once('close', () => {
        const left = (perClient.get(client) ?? 1) - 1;
        if (left <= 0) perClient.delete(client);
        else perClient.set(client, left);
      });
    });
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
