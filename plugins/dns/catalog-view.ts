/**
 * The DNS core's read-only view of the catalog, over the catalog's and the health plugin's queries
 * (pure reads of the store: neither plugin's runtime is needed). Each instance carries its aggregate
 * health: the worst of its node's checks and its own (critical anywhere hides it; warning only with
 * only_passing).
 *
 * Instances are materialised per service and reused until the service's topic index moves (the
 * catalog bumps `service/<name>` for any change to an instance, its node or their checks), so a
 * busy name costs a map lookup, not a walk over the checks, and the DNS load does not grow with the
 * number of queries times instances.
 */
import type { StateStore } from '../../core/state/store.js';
import { catalogTables, getNode, NODES_TOPIC, serviceTopic } from '../catalog/queries.js';
import type { CheckRow, NodeRow } from '../catalog/types.js';
import { serviceHealth } from '../health/queries.js';
import type { DnsCatalogView, DnsNode, DnsServiceInstance, InstanceHealth } from './core/view.js';

interface CachedInstances {
  index: number;
  instances: readonly DnsServiceInstance[];
}

interface CachedNodeNames {
  index: number;
  /** Lower-cased node name → node name. */
  byLowerName: Map<string, string>;
}

interface StoreCache {
  services: Map<string, CachedInstances>;
  nodeNames: CachedNodeNames | undefined;
}

const MAX_CACHED_SERVICES = 4096;
const caches = new WeakMap<StateStore, StoreCache>();

function cacheOf(store: StateStore): StoreCache {
  let cache = caches.get(store);
  if (!cache) {
    cache = { services: new Map(), nodeNames: undefined };
    caches.set(store, cache);
  }
  return cache;
}

const RANK: Record<InstanceHealth, number> = { passing: 0, warning: 1, critical: 2 };

/** The worst status among an instance's checks; a status we do not know counts as critical. */
function worst(checks: readonly CheckRow[]): InstanceHealth {
  let health: InstanceHealth = 'passing';
  for (const check of checks) {
    const status: InstanceHealth =
      check.Status === 'critical' || check.Status === 'warning' || check.Status === 'passing'
        ? check.Status
        : 'critical';
    if (RANK[status] > RANK[health]) health = status;
  }
  return health;
}

function dnsNode(row: NodeRow): DnsNode {
  return { name: row.Node, address: row.Address, datacenter: row.Datacenter, meta: row.Meta ?? {} };
}

function loadInstances(store: StateStore, name: string): DnsServiceInstance[] {
  const nodes = new Map<string, DnsNode>();
  return serviceHealth(store, name).map(({ node, service, checks }) => {
    let view = nodes.get(node.Node);
    if (!view) {
      view = dnsNode(node);
      nodes.set(node.Node, view);
    }
    return {
      node: view,
      id: service.ID,
      service: service.Service,
      tags: service.Tags ?? [],
      address: service.Address ?? '',
      port: service.Port,
      weights: { passing: service.Weights?.Passing ?? 1, warning: service.Weights?.Warning ?? 1 },
      health: worst(checks),
    };
  });
}

function findNodeName(store: StateStore, name: string): string | undefined {
  if (getNode(store, name)) return name;
  const cache = cacheOf(store);
  const index = store.topicIndex(NODES_TOPIC);
  if (!cache.nodeNames || cache.nodeNames.index !== index || index === 0) {
    const byLowerName = new Map<string, string>();
    for (const row of catalogTables(store).nodes.values()) {
      const lower = row.Node.toLowerCase();
      if (!byLowerName.has(lower)) byLowerName.set(lower, row.Node);
    }
    cache.nodeNames = { index, byLowerName };
  }
  return cache.nodeNames.byLowerName.get(name.toLowerCase());
}

/** A view of `store` for one answer; `datacenter` is this agent's. */
export function createCatalogView(store: StateStore, datacenter: string): DnsCatalogView {
  return {
    datacenter,
    serviceInstances(name: string): readonly DnsServiceInstance[] {
      const key = name.toLowerCase();
      const index = store.topicIndex(serviceTopic(key));
      if (index === 0) return loadInstances(store, name);
      const cache = cacheOf(store).services;
      const cached = cache.get(key);
      if (cached && cached.index === index) return cached.instances;
      const instances = Object.freeze(loadInstances(store, name));
      if (cache.size >= MAX_CACHED_SERVICES) cache.clear();
      cache.set(key, { index, instances });
      return instances;
    },
    node(name: string): DnsNode | undefined {
      const found = findNodeName(store, name);
      const row = found === undefined ? undefined : getNode(store, found);
      return row ? dnsNode(row) : undefined;
    },
  };
}
