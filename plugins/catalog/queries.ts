/**
 * Reads over the catalog tables, for the HTTP API here and for health, DNS and templates later.
 * Everything is pure over the state store: each Consul-shaped query returns its value, the index of
 * what it read and the topics that cover it, so a blocking query wakes only for its own data
 * (`/v1/catalog/service/web` never wakes for a change to `api`).
 *
 * Tables: `nodes` (by name), `services` (`<node>/<id>`), `checks` (`<node>/<checkId>`), plus two
 * derived indexes kept by the apply path: `catalog-service-names` (service name, lower-cased as
 * Consul's name index is, → services key) and `catalog-node-ids` (node ID → node name).
 */
import { compileFilter, type Predicate } from '../../core/filter/index.js';
import type { QueryResult } from '../../core/state/blocking.js';
import type { StateStore } from '../../core/state/store.js';
import type { Table } from '../../core/state/table.js';
import {
  type CatalogServiceJson,
  catalogServiceJson,
  catalogServiceView,
  type NodeJson,
  type NodeServiceJson,
  nodeJson,
  nodeServiceJson,
  nodeServiceView,
} from './shapes.js';
import type { CheckRow, NodeRow, ServiceRow } from './types.js';

export const NODES_TOPIC = 'nodes';
export const SERVICES_TOPIC = 'services';
export const CHECKS_TOPIC = 'checks';

/** Topic of one node, its services and its checks. */
export function nodeTopic(node: string): string {
  return `node/${node}`;
}

/** Topic of one service's instances and their health. Names compare case-insensitively, as in Consul. */
export function serviceTopic(name: string): string {
  return `service/${name.toLowerCase()}`;
}

export interface CatalogTables {
  nodes: Table<NodeRow>;
  services: Table<ServiceRow>;
  checks: Table<CheckRow>;
  /** `<lower-cased name>\0<node>\0<id>` → services key. */
  serviceNames: Table<string>;
  /** node ID (lower-cased) → node name. */
  nodeIds: Table<string>;
}

export function catalogTables(store: StateStore): CatalogTables {
  return {
    nodes: store.table<NodeRow>('nodes'),
    services: store.table<ServiceRow>('services'),
    checks: store.table<CheckRow>('checks'),
    serviceNames: store.table<string>('catalog-service-names'),
    nodeIds: store.table<string>('catalog-node-ids'),
  };
}

export function serviceNameKey(name: string, node: string, id: string): string {
  return `${name.toLowerCase()}\u0000${node}\u0000${id}`;
}

// ---- rows -------------------------------------------------------------------------------------

export function getNode(store: StateStore, name: string): NodeRow | undefined {
  return catalogTables(store).nodes.get(name);
}

/** A node's services in ID order. Rows of a node whose name extends this one (`a/b`) are skipped. */
export function servicesOfNode(store: StateStore, node: string): ServiceRow[] {
  const out: ServiceRow[] = [];
  for (const [, row] of catalogTables(store).services.scanPrefix(`${node}/`)) {
    if (row.Node === node) out.push(row);
  }
  return out;
}

/** A node's checks (node-level and service-level) in check ID order. */
export function checksOfNode(store: StateStore, node: string): CheckRow[] {
  const out: CheckRow[] = [];
  for (const [, row] of catalogTables(store).checks.scanPrefix(`${node}/`)) {
    if (row.Node === node) out.push(row);
  }
  return out;
}

/** Every instance of a service (name compared case-insensitively), ordered by node then service ID. */
export function instancesOfService(store: StateStore, name: string): ServiceRow[] {
  const tables = catalogTables(store);
  const out: ServiceRow[] = [];
  for (const [, key] of tables.serviceNames.scanPrefix(`${name.toLowerCase()}\u0000`)) {
    const row = tables.services.get(key);
    if (row) out.push(row);
  }
  return out;
}

export interface ServiceInstance {
  node: NodeRow;
  service: ServiceRow;
}

/** Instances joined with their node rows. */
export function serviceInstances(store: StateStore, name: string): ServiceInstance[] {
  const nodes = catalogTables(store).nodes;
  const out: ServiceInstance[] = [];
  for (const service of instancesOfService(store, name)) {
    const node = nodes.get(service.Node);
    if (node) out.push({ node, service });
  }
  return out;
}

// ---- parameters shared by catalog and health ------------------------------------------------------

/** `?node-meta=k:v` values (repeatable) as Consul parses them: split at the first ':', last one wins. */
export function parseNodeMetaFilters(values: readonly string[]): Record<string, string> {
  const filters: Record<string, string> = {};
  for (const raw of values) {
    const at = raw.indexOf(':');
    const key = at < 0 ? raw : raw.slice(0, at);
    const value = at < 0 ? '' : raw.slice(at + 1);
    Object.defineProperty(filters, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return filters;
}

export function matchesNodeMeta(
  meta: Readonly<Record<string, string>>,
  filters: Readonly<Record<string, string>>,
): boolean {
  for (const [key, value] of Object.entries(filters)) {
    if (!Object.hasOwn(meta, key) || meta[key] !== value) return false;
  }
  return true;
}

/** `?tag` (repeatable): an instance must carry every tag; compared case-insensitively, as Consul does. */
export function hasAllTags(tags: readonly string[], wanted: readonly string[]): boolean {
  if (wanted.length === 0) return true;
  const lower = new Set(tags.map((tag) => tag.toLowerCase()));
  return wanted.every((tag) => lower.has(tag.toLowerCase()));
}

function predicateOf(filter: string | undefined): Predicate | undefined {
  return filter === undefined || filter === '' ? undefined : compileFilter(filter);
}

// ---- Consul-shaped queries --------------------------------------------------------------------------

export interface ListOptions {
  /** `?node-meta` pairs; empty or absent means no filtering. */
  nodeMeta?: Readonly<Record<string, string>>;
  /** `?filter` expression. */
  filter?: string;
}

export interface ServiceNodesOptions extends ListOptions {
  /** `?tag` values (AND). */
  tags?: readonly string[];
}

function hasMetaFilters(
  nodeMeta: Readonly<Record<string, string>> | undefined,
): nodeMeta is Record<string, string> {
  return nodeMeta !== undefined && Object.keys(nodeMeta).length > 0;
}

/** GET /v1/catalog/nodes. */
export function queryNodes(store: StateStore, opts: ListOptions = {}): QueryResult<NodeJson[]> {
  const predicate = predicateOf(opts.filter);
  const meta = opts.nodeMeta;
  const value: NodeJson[] = [];
  for (const row of catalogTables(store).nodes.values()) {
    if (hasMetaFilters(meta) && !matchesNodeMeta(row.Meta, meta)) continue;
    const json = nodeJson(row);
    if (predicate && !predicate(json)) continue;
    value.push(json);
  }
  return { index: store.topicIndex(NODES_TOPIC), value, watch: { topics: [NODES_TOPIC] } };
}

/**
 * GET /v1/catalog/services: `{name: [tags]}`, tags deduplicated and sorted. The filter runs on each
 * instance (Consul's ServiceNode) before the names are gathered. Unfiltered, the answer changes only
 * with the `services` topic; filtered, it depends on where instances run, so it watches them all.
 */
export function queryServices(
  store: StateStore,
  opts: ListOptions = {},
): QueryResult<Record<string, string[]>> {
  const tables = catalogTables(store);
  const predicate = predicateOf(opts.filter);
  const meta = opts.nodeMeta;
  const narrowed = predicate !== undefined || hasMetaFilters(meta);
  const tagsByName = new Map<string, Set<string>>();
  for (const service of tables.services.values()) {
    if (narrowed) {
      const node = tables.nodes.get(service.Node);
      if (!node) continue;
      if (hasMetaFilters(meta) && !matchesNodeMeta(node.Meta, meta)) continue;
      if (predicate && !predicate(catalogServiceView(service, node))) continue;
    }
    let tags = tagsByName.get(service.Service);
    if (!tags) {
      tags = new Set();
      tagsByName.set(service.Service, tags);
    }
    for (const tag of service.Tags) tags.add(tag);
  }
  const value = Object.fromEntries(
    [...tagsByName.keys()].sort().map((name) => [name, [...(tagsByName.get(name) ?? [])].sort()]),
  );
  if (!narrowed)
    return { index: store.topicIndex(SERVICES_TOPIC), value, watch: { topics: [SERVICES_TOPIC] } };
  return {
    index: Math.max(store.topicIndex(SERVICES_TOPIC, NODES_TOPIC), store.topicIndexUnder('service/')),
    value,
    watch: { topics: [SERVICES_TOPIC, NODES_TOPIC], prefixes: ['service/'] },
  };
}

/** GET /v1/catalog/service/:name: `[]` for an unknown service, never null. */
export function queryServiceNodes(
  store: StateStore,
  name: string,
  opts: ServiceNodesOptions = {},
): QueryResult<CatalogServiceJson[]> {
  const predicate = predicateOf(opts.filter);
  const meta = opts.nodeMeta;
  const tags = opts.tags ?? [];
  const value: CatalogServiceJson[] = [];
  for (const { node, service } of serviceInstances(store, name)) {
    if (!hasAllTags(service.Tags, tags)) continue;
    if (hasMetaFilters(meta) && !matchesNodeMeta(node.Meta, meta)) continue;
    if (predicate && !predicate(catalogServiceView(service, node))) continue;
    value.push(catalogServiceJson(service, node));
  }
  const topic = serviceTopic(name);
  return { index: store.topicIndex(topic), value, watch: { topics: [topic] } };
}

export interface NodeServicesJson {
  Node: NodeJson;
  Services: Record<string, NodeServiceJson>;
}

/** GET /v1/catalog/node/:node: `null` for an unknown node; the filter runs on the Services values. */
export function queryNodeServices(
  store: StateStore,
  node: string,
  opts: Pick<ListOptions, 'filter'> = {},
): QueryResult<NodeServicesJson | null> {
  const topic = nodeTopic(node);
  const result = { index: store.topicIndex(topic), watch: { topics: [topic] } };
  const row = getNode(store, node);
  if (!row) return { ...result, value: null };
  const predicate = predicateOf(opts.filter);
  const services = servicesOfNode(store, node)
    .filter((service) => !predicate || predicate(nodeServiceView(service)))
    .map((service) => [service.ID, nodeServiceJson(service)] as const);
  return { ...result, value: { Node: nodeJson(row), Services: Object.fromEntries(services) } };
}

export interface NodeServiceListJson {
  Node: NodeJson | null;
  Services: NodeServiceJson[] | null;
}

/** GET /v1/catalog/node-services/:node: `{Node: null, Services: null}` for an unknown node, as Consul. */
export function queryNodeServiceList(
  store: StateStore,
  node: string,
  opts: Pick<ListOptions, 'filter'> = {},
): QueryResult<NodeServiceListJson> {
  const topic = nodeTopic(node);
  const result = { index: store.topicIndex(topic), watch: { topics: [topic] } };
  const row = getNode(store, node);
  if (!row) return { ...result, value: { Node: null, Services: null } };
  const predicate = predicateOf(opts.filter);
  const services = servicesOfNode(store, node)
    .filter((service) => !predicate || predicate(nodeServiceView(service)))
    .map(nodeServiceJson);
  return { ...result, value: { Node: nodeJson(row), Services: services } };
}
