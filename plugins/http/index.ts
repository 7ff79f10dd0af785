import type { Server } from 'node:http';
import type { Kernel } from '../../core/kernel.js';
import { definePlugin } from '../../core/plugin.js';
import { closeHttp, createHttpApp, listenHttp } from './adapters/server.js';
import { getHttpHooks } from './hooks.js';
import { RouteTable } from './routes.js';

/** Addresses for a listener: `addresses.<kind>` if set, else client_addr; both may be space-separated lists. */
export function listenAddresses(specific: string | undefined, clientAddr: string): string[] {
  return (specific ?? clientAddr).split(/\s+/).filter((a) => a !== '');
}

const boundAddresses = new WeakMap<Kernel, { address: string; port: number }[]>();

/** Where the HTTP API actually listens (port 0 in tests picks a free port). */
export function httpListenAddresses(kernel: Kernel): { address: string; port: number }[] {
  return boundAddresses.get(kernel) ?? [];
}

/** Built-in plugins are factories so that each kernel (tests run several) gets its own state. */
export function createHttpPlugin() {
  let servers: Server[] = [];
  return definePlugin({
    name: 'http',
    apply() {},
    async start({ kernel, config }) {
      if (config.ports.http < 0) return;
      const routes = new RouteTable();
      getHttpHooks(kernel).routes.call(routes);
      const app = createHttpApp({ kernel, routes });
      servers = await listenHttp(
        app,
        listenAddresses(config.addresses.http, config.client_addr),
        config.ports.http,
        config.limits.http_max_conns_per_client,
      );
      const bound = servers.flatMap((server) => {
        const address = server.address();
        return typeof address === 'object' && address
          ? [{ address: address.address, port: address.port }]
          : [];
      });
      boundAddresses.set(kernel, bound);
      kernel.logger.info({ addresses: bound.map((b) => `${b.address}:${b.port}`) }, 'HTTP API listening');
    },
    async stop() {
      await closeHttp(servers);
      servers = [];
    },
  });
}

export { getHttpHooks } from './hooks.js';
export type { ApiReply, ApiRequest } from './request.js';
export type { RouteDefinition, RouteRegistrar } from './routes.js';
