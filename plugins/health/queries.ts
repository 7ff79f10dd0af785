/**
 * Health reads over the catalog tables, for the /v1/health endpoints, DNS and templates. Pure over
 * the state store: each Consul-shaped query returns its value, the index of what it read and the
 * topics that cover it. The catalog's apply path bumps `service/<name>` for every change to that
 * service's instances, their checks, their nodes and those nodes' node-level checks, so
 * `health/service/web` wakes for web's health and never for a change to `api`.
 */
import { compileFilter, type Predicate } from '../../core/filter/index.js';
import type { QueryResult } from '../../core/state/blocking.js';
import type { StateStore } from '../../core/state/store.js';
import {
  CHECKS_TOPIC,
  catalogTables,
  checksOfNode,
  getNode,
  hasAllTags,
  matchesNodeMeta,
  NODES_TOPIC,
  nodeTopic,
  serviceInstances,
  serviceTopic,
} from '../catalog/queries.js';
import {
  type HealthCheckJson,
  healthCheckJson,
  type NodeJson,
  type NodeServiceJson,
  nodeJson,
  nodeServiceJson,
  nodeServiceView,
} from '../catalog/shapes.js';
import type { CheckRow, NodeRow, ServiceRow } from '../catalog/types.js';

// ---- states -------------------------------------------------------------------------------------

export const HEALTH_STATES = ['any', 'passing', 'warning', 'critical'] as const;
/** A check status, or `any` for every check. */
export type HealthState = (typeof HEALTH_STATES)[number];

/** `/v1/health/state/:state`'s state; undefined when it is none of them. Case does not matter. */
export function parseHealthState(raw: string): HealthState | undefined {
  const lower = raw.toLowerCase();
  return HEALTH_STATES.find((state) => state === lower);
}

// ---- rows -----------------------------------------------------------------------------------------

/** One instance of a service with every check that decides its health. */
export interface InstanceHealth {
  node: NodeRow;
  service: ServiceRow;
  /** The node's node-level checks (serfHealth, maintenance, …), then the instance's own, each by check ID. */
  checks: CheckRow[];
}

/** Splits a node's checks once, so that many instances on one node cost one scan. */
class NodeChecks {
  private readonly byNode = new Map<string, { nodeLevel: CheckRow[]; byService: Map<string, CheckRow[]> }>();

  constructor(private readonly store: StateStore) {}

  of(node: string, serviceId: string): CheckRow[] {
    let split = this.byNode.get(node);
    if (!split) {
      split = { nodeLevel: [], byService: new Map() };
      for (const check of checksOfNode(this.store, node)) {
        if (check.ServiceID === '') {
          split.nodeLevel.push(check);
          continue;
        }
        const own = split.byService.get(check.ServiceID) ?? [];
        own.push(check);
        split.byService.set(check.ServiceID, own);
      }
      this.byNode.set(node, split);
    }
    return [...split.nodeLevel, ...(split.byService.get(serviceId) ?? [])];
  }
}

/** The checks of one instance: its node's node-level checks, then its own. */
export function instanceChecks(store: StateStore, node: string, serviceId: string): CheckRow[] {
  return new NodeChecks(store).of(node, serviceId);
}

/** Every instance of a service (name compared case-insensitively) with its checks, by node then ID. */
export function serviceHealth(store: StateStore, name: string): InstanceHealth[] {
  const checks = new NodeChecks(store);
  return serviceInstances(store, name).map(({ node, service }) => ({
    node,
    service,
    checks: checks.of(node.Node, service.ID),
  }));
}

/** Consul's `?passing`: an instance counts only when every one of its checks (node-level too) passes. */
export function allChecksPassing(checks: Iterable<{ readonly Status: string }>): boolean {
  for (const check of checks) if (check.Status !== 'passing') return false;
  return true;
}

// ---- options ------------------------------------------------------------------------------------------

export interface HealthListOptions {
  /** `?node-meta` pairs; empty or absent means no filtering. */
  nodeMeta?: Readonly<Record<string, string>>;
  /** `?filter` expression. */
  filter?: string | undefined;
}

export interface ServiceHealthOptions extends HealthListOptions {
  /** `?tag` values: an instance must carry all of them. */
  tags?: readonly string[];
  /** `?passing`: drop an instance when any of its checks is not passing. */
  passingOnly?: boolean;
}

function predicateOf(filter: string | undefined): Predicate | undefined {
  return filter === undefined || filter === '' ? undefined : compileFilter(filter);
}

function metaFilters(
  nodeMeta: Readonly<Record<string, string>> | undefined,
): Readonly<Record<string, string>> | undefined {
  return nodeMeta !== undefined && Object.keys(nodeMeta).length > 0 ? nodeMeta : undefined;
}

function keepChecks(checks: readonly CheckRow[], predicate: Predicate | undefined): HealthCheckJson[] {
  const out: HealthCheckJson[] = [];
  for (const check of checks) {
    const json = healthCheckJson(check);
    if (!predicate || predicate(json)) out.push(json);
  }
  return out;
}

// ---- Consul-shaped queries ------------------------------------------------------------------------------

/** GET /v1/health/node/:node: the node's checks, node-level and service-level; `[]` for an unknown node. */
export function queryNodeHealth(
  store: StateStore,
  node: string,
  opts: Pick<HealthListOptions, 'filter'> = {},
): QueryResult<HealthCheckJson[]> {
  const topic = nodeTopic(node);
  const value = keepChecks(checksOfNode(store, node), predicateOf(opts.filter));
  return { index: store.topicIndex(topic), value, watch: { topics: [topic] } };
}

/** GET /v1/health/checks/:service: the checks of every instance of the service (not node-level ones). */
export function queryServiceChecks(
  store: StateStore,
  name: string,
  opts: HealthListOptions = {},
): QueryResult<HealthCheckJson[]> {
  const predicate = predicateOf(opts.filter);
  const meta = metaFilters(opts.nodeMeta);
  const rows: CheckRow[] = [];
  const idsByNode = new Map<string, Set<string>>();
  for (const { node, service } of serviceInstances(store, name)) {
    if (meta && !matchesNodeMeta(node.Meta, meta)) continue;
    const ids = idsByNode.get(node.Node) ?? new Set<string>();
    ids.add(service.ID);
    idsByNode.set(node.Node, ids);
  }
  // Node by node, each node's checks in check ID order.
  for (const [node, ids] of idsByNode) {
    for (const check of checksOfNode(store, node)) if (ids.has(check.ServiceID)) rows.push(check);
  }
  const topic = serviceTopic(name);
  return { index: store.topicIndex(topic), value: keepChecks(rows, predicate), watch: { topics: [topic] } };
}

/** One entry of /v1/health/service/:service (Consul's CheckServiceNode). */
export interface ServiceEntryJson {
  Node: NodeJson;
  Service: NodeServiceJson;
  Checks: HealthCheckJson[];
}

/**
 * GET /v1/health/service/:service: `[]` for an unknown service. The filter sees each whole entry
 * (`Service.Tags`, `Checks.Status`, `Node.Meta.rack`), with every service field present.
 */
export function queryServiceHealth(
  store: StateStore,
  name: string,
  opts: ServiceHealthOptions = {},
): QueryResult<ServiceEntryJson[]> {
  const predicate = predicateOf(opts.filter);
  const meta = metaFilters(opts.nodeMeta);
  const tags = opts.tags ?? [];
  const value: ServiceEntryJson[] = [];
  for (const instance of serviceHealth(store, name)) {
    if (!hasAllTags(instance.service.Tags, tags)) continue;
    if (meta && !matchesNodeMeta(instance.node.Meta, meta)) continue;
    if (opts.passingOnly && !allChecksPassing(instance.checks)) continue;
    const node = nodeJson(instance.node);
    const checks = instance.checks.map(healthCheckJson);
    if (predicate && !predicate({ Node: node, Service: nodeServiceView(instance.service), Checks: checks })) {
      continue;
    }
    value.push({ Node: node, Service: nodeServiceJson(instance.service), Checks: checks });
  }
  const topic = serviceTopic(name);
  return { index: store.topicIndex(topic), value, watch: { topics: [topic] } };
}

/**
 * GET /v1/health/state/:state: every check in that state (`any`: every check), by node then check
 * ID. With `?node-meta`, a change to a node's meta can change the answer too, so nodes are watched.
 */
export function queryChecksInState(
  store: StateStore,
  state: HealthState,
  opts: HealthListOptions = {},
): QueryResult<HealthCheckJson[]> {
  const meta = metaFilters(opts.nodeMeta);
  const rows: CheckRow[] = [];
  for (const check of catalogTables(store).checks.values()) {
    if (state !== 'any' && check.Status !== state) continue;
    if (meta) {
      const node = getNode(store, check.Node);
      if (!node || !matchesNodeMeta(node.Meta, meta)) continue;
    }
    rows.push(check);
  }
  const value = keepChecks(rows, predicateOf(opts.filter));
  const topics = meta ? [CHECKS_TOPIC, NODES_TOPIC] : [CHECKS_TOPIC];
  return { index: store.topicIndex(...topics), value, watch: { topics } };
}
