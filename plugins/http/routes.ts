/**
 * The route table other plugins fill through the `routes` hook. A path may carry several methods;
 * a request with another method gets 405 with Consul's `Allow` list.
 */
import type { ApiReply, ApiRequest } from './request.js';

export type HttpMethod = 'GET' | 'PUT' | 'POST' | 'DELETE';

export interface RouteDefinition {
  method: HttpMethod;
  /** @koa/router syntax: `/v1/agent/service/:id`, `/v1/kv/{*key}`. */
  path: string;
  handler: (req: ApiRequest) => Promise<ApiReply> | ApiReply;
  /** Largest body accepted (bytes); larger is a 413. Defaults to the agent's txn_max_req_len. */
  maxBodyBytes?: number;
}

export interface RouteRegistrar {
  add(route: RouteDefinition): void;
}

export class RouteTable implements RouteRegistrar {
  private readonly byPath = new Map<string, Map<HttpMethod, RouteDefinition>>();

  add(route: RouteDefinition): void {
    let methods = this.byPath.get(route.path);
    if (!methods) {
      methods = new Map();
      this.byPath.set(route.path, methods);
    }
    if (methods.has(route.method)) throw new Error(`route ${route.method} ${route.path} is registered twice`);
    methods.set(route.method, route);
  }

  paths(): [string, ReadonlyMap<HttpMethod, RouteDefinition>][] {
    return [...this.byPath];
  }
}

/** Consul's Allow header: OPTIONS first, then the route's methods. */
export function allowHeader(methods: Iterable<HttpMethod>): string {
  return ['OPTIONS', ...methods].join(',');
}
