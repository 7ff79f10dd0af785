/**
 * The @koa/router routers of one API, split by the first two segments of their paths (`/v1/kv`,
 * `/v1/agent`, …). A router tests every route's pattern in turn, so one router for the whole API
 * would run dozens of regular expressions per request; here a request only meets the routes that
 * share its first two segments.
 *
 * Routing is unchanged by the split: a route can only match paths that begin with its literal
 * segments (@koa/router matches case-insensitively, so the group keys are lower-cased), routes whose
 * first two segments are not literal go into every group, each group keeps the registration order,
 * and a path whose prefix names no group goes to a router holding every route.
 */
import Router, { type RouterMiddleware } from '@koa/router';
import type { Context } from 'koa';

export interface PathRoute {
  path: string;
  handler: RouterMiddleware;
}

/** A router's middleware, as the one koa middleware calls it. */
export type RouterDispatch = (ctx: Context, next: () => Promise<void>) => Promise<unknown>;

/** Characters with a meaning in @koa/router (path-to-regexp 8) paths. */
const PATTERN_CHARS = /[:*{}()[\]?+!\\]/;

/** The group key of a route path, or undefined when its first two segments are not both literal. */
function routeGroup(path: string): string | undefined {
  const segments = path.split('/');
  const [, first, second] = segments;
  if (segments[0] !== '' || first === undefined || second === undefined) return undefined;
  if (first === '' || second === '' || PATTERN_CHARS.test(first) || PATTERN_CHARS.test(second))
    return undefined;
  return `/${first}/${second}`.toLowerCase();
}

/** The group key of a request path: everything before its third `/`, lower-cased. */
export function requestGroup(path: string): string {
  const second = path.indexOf('/', 1);
  if (second < 0) return path.toLowerCase();
  const third = path.indexOf('/', second + 1);
  return (third < 0 ? path : path.slice(0, third)).toLowerCase();
}

function routerOf(routes: readonly PathRoute[]): RouterDispatch {
  const router = new Router();
  for (const route of routes) router.all(route.path, route.handler);
  // The router adds `params` and friends to the context it is given.
  return router.routes() as unknown as RouterDispatch;
}

export class RouterIndex {
  private readonly groups = new Map<string, RouterDispatch>();
  private readonly everything: RouterDispatch;

  constructor(routes: readonly PathRoute[]) {
    const keys = new Set<string>();
    for (const route of routes) {
      const key = routeGroup(route.path);
      if (key !== undefined) keys.add(key);
    }
    for (const key of keys) {
      const group = routes.filter((route) => {
        const routeKey = routeGroup(route.path);
        return routeKey === undefined || routeKey === key;
      });
      this.groups.set(key, routerOf(group));
    }
    this.everything = routerOf(routes);
  }

  /** The router middleware for a request path. */
  routerFor(path: string): RouterDispatch {
    return this.groups.get(requestGroup(path)) ?? this.everything;
  }
}
