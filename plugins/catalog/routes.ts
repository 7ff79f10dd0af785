/**
 * The catalog and status HTTP endpoints. Reads are blocking queries over queries.ts; writes decode
 * Consul's request bodies (register.ts) and go through raft as catalog commands.
 */
import { TribuneError } from '../../core/errors.js';
import type { Kernel } from '../../core/kernel.js';
import type { ApiReply, ApiRequest } from '../http/request.js';
import type { RouteRegistrar } from '../http/routes.js';
import { proposeCatalog } from './fsm.js';
import {
  parseNodeMetaFilters,
  queryNodeServiceList,
  queryNodeServices,
  queryNodes,
  queryServiceNodes,
  queryServices,
} from './queries.js';
import { decodeDeregisterRequest, decodeRegisterRequest } from './register.js';

/** Common read options: `?filter` and `?node-meta`. `?near` is accepted and ignored (no coordinates yet). */
function listOptions(req: ApiRequest): { filter: string | undefined; nodeMeta: Record<string, string> } {
  return { filter: req.get('filter'), nodeMeta: parseNodeMetaFilters(req.getAll('node-meta')) };
}

/** A path parameter that Consul requires non-empty, with its 400 text. */
function requiredParam(req: ApiRequest, name: string, missing: string): string {
  const value = req.params[name] ?? '';
  if (value === '') throw new TribuneError('BAD_REQUEST', missing);
  return value;
}

async function register(req: ApiRequest): Promise<ApiReply> {
  const command = decodeRegisterRequest(await req.json(), { datacenter: req.kernel.config.datacenter });
  await proposeCatalog(req.kernel, command);
  return { body: true };
}

async function deregister(req: ApiRequest): Promise<ApiReply> {
  const command = decodeDeregisterRequest(await req.json(), { datacenter: req.kernel.config.datacenter });
  await proposeCatalog(req.kernel, command);
  return { body: true };
}

async function nodes(req: ApiRequest): Promise<ApiReply> {
  const opts = listOptions(req);
  const result = await req.read(() => queryNodes(req.kernel.store, opts));
  return { body: result.value, index: result.index };
}

async function services(req: ApiRequest): Promise<ApiReply> {
  const opts = listOptions(req);
  const result = await req.read(() => queryServices(req.kernel.store, opts));
  return { body: result.value, index: result.index };
}

async function serviceNodes(req: ApiRequest): Promise<ApiReply> {
  const name = requiredParam(req, 'service', 'Missing service name');
  const opts = { ...listOptions(req), tags: req.getAll('tag') };
  const result = await req.read(() => queryServiceNodes(req.kernel.store, name, opts));
  return { body: result.value, index: result.index };
}

async function nodeServices(req: ApiRequest): Promise<ApiReply> {
  const node = requiredParam(req, 'node', 'Missing node name');
  const opts = { filter: req.get('filter') };
  const result = await req.read(() => queryNodeServices(req.kernel.store, node, opts));
  return { body: result.value, index: result.index };
}

async function nodeServiceList(req: ApiRequest): Promise<ApiReply> {
  const node = requiredParam(req, 'node', 'Missing node name');
  const opts = { filter: req.get('filter') };
  const result = await req.read(() => queryNodeServiceList(req.kernel.store, node, opts));
  return { body: result.value, index: result.index };
}

/** `"ip:port"` of the raft leader, '' when there is none (or no consensus yet). */
export function statusLeader(kernel: Kernel): string {
  return kernel.hasConsensus() ? kernel.consensus.status().leader : '';
}

export function statusPeers(kernel: Kernel): string[] {
  return kernel.hasConsensus() ? [...kernel.consensus.status().peers] : [];
}

export function addCatalogRoutes(routes: RouteRegistrar): void {
  routes.add({ method: 'PUT', path: '/v1/catalog/register', handler: register });
  routes.add({ method: 'PUT', path: '/v1/catalog/deregister', handler: deregister });
  routes.add({
    method: 'GET',
    path: '/v1/catalog/datacenters',
    handler: (req) => ({ body: [req.kernel.config.datacenter] }),
  });
  routes.add({ method: 'GET', path: '/v1/catalog/nodes', handler: nodes });
  routes.add({ method: 'GET', path: '/v1/catalog/services', handler: services });
  routes.add({ method: 'GET', path: '/v1/catalog/service/{*service}', handler: serviceNodes });
  routes.add({ method: 'GET', path: '/v1/catalog/node/{*node}', handler: nodeServices });
  routes.add({ method: 'GET', path: '/v1/catalog/node-services/{*node}', handler: nodeServiceList });
  routes.add({
    method: 'GET',
    path: '/v1/status/leader',
    handler: (req) => ({ body: statusLeader(req.kernel) }),
  });
  routes.add({
    method: 'GET',
    path: '/v1/status/peers',
    handler: (req) => ({ body: statusPeers(req.kernel) }),
  });
}
