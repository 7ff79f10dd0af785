/**
 * Builds consul-template's result shapes from Consul API records, the way its dependency fetchers do:
 * health entries become HealthServices (address falling back to the node's, tags sorted, aggregated
 * status, client-side status filters, sorted by node then ID unless `~near`), KV entries become
 * KeyPairs relative to the listed prefix, the catalog's service map becomes sorted snippets.
 *
 * The results are tagged with consul-template's Go types, so a misspelt field is an error
 * ("can't evaluate field Adress in type *dependency.HealthService") and a missing meta key reads as "".
 */
import { compareGoStrings, goStruct, goTyped } from '../values.js';
import type {
  CatalogNode,
  CatalogNodeInfo,
  CatalogNodeService,
  CatalogSnippet,
  HealthCheck,
  HealthService,
  HealthServiceDependency,
  KeyPair,
} from './data-source.js';

export interface ConsulNode {
  readonly ID?: string;
  readonly Node: string;
  readonly Address: string;
  readonly Datacenter?: string;
  readonly TaggedAddresses?: Readonly<Record<string, string>> | null;
  readonly Meta?: Readonly<Record<string, string>> | null;
}

export interface ConsulService {
  readonly ID: string;
  readonly Service: string;
  readonly Tags?: readonly string[] | null;
  readonly Address?: string;
  readonly Meta?: Readonly<Record<string, string>> | null;
  readonly Port: number;
  readonly Weights?: { readonly Passing: number; readonly Warning: number };
  readonly TaggedAddresses?: Readonly<Record<string, unknown>> | null;
  readonly EnableTagOverride?: boolean;
}

/** One entry of /v1/health/service/<name>. */
export interface ConsulHealthEntry {
  readonly Node: ConsulNode;
  readonly Service: ConsulService;
  readonly Checks: readonly HealthCheck[];
}

/** One entry of /v1/kv/<prefix>?recurse, its Value already decoded (null for a folder without one). */
export interface ConsulKvEntry {
  readonly Key: string;
  readonly Value: string | null;
  readonly CreateIndex?: number;
  readonly ModifyIndex?: number;
  readonly LockIndex?: number;
  readonly Flags?: number | bigint;
  readonly Session?: string;
}

const stringMap = (m: Readonly<Record<string, string>> | null | undefined): Record<string, string> =>
  goTyped('map[string]string', { ...(m ?? {}) });

const sortedTags = (tags: readonly string[] | null | undefined): string[] =>
  goTyped('dependency.ServiceTags', [...(tags ?? [])].sort(compareGoStrings));

/** Consul's HealthChecks.AggregatedStatus: maintenance, then critical, then warning, else passing. */
export function aggregatedStatus(checks: readonly HealthCheck[]): string {
  let warning = false;
  let critical = false;
  let maintenance = false;
  for (const check of checks) {
    if (check.CheckID === '_node_maintenance' || check.CheckID.startsWith('_service_maintenance:')) {
      maintenance = true;
      continue;
    }
    if (check.Status === 'passing') continue;
    if (check.Status === 'warning') warning = true;
    else if (check.Status === 'critical') critical = true;
    else return '';
  }
  if (maintenance) return 'maintenance';
  if (critical) return 'critical';
  if (warning) return 'warning';
  return 'passing';
}

export function healthServices(
  entries: readonly ConsulHealthEntry[],
  dependency: Pick<HealthServiceDependency, 'filters' | 'near'>,
): HealthService[] {
  const out: HealthService[] = [];
  for (const entry of entries) {
    const status = aggregatedStatus(entry.Checks);
    if (!dependency.filters.some((f) => f === status || f === 'any')) continue;
    const s = entry.Service;
    const n = entry.Node;
    out.push(
      goStruct('*dependency.HealthService', {
        Node: n.Node,
        NodeID: n.ID ?? '',
        NodeAddress: n.Address,
        NodeTaggedAddresses: stringMap(n.TaggedAddresses),
        NodeMeta: stringMap(n.Meta),
        ServiceMeta: stringMap(s.Meta),
        Address: s.Address || n.Address,
        ServiceTaggedAddresses: goTyped('map[string]api.ServiceAddress', { ...(s.TaggedAddresses ?? {}) }),
        ID: s.ID,
        Name: s.Service,
        Tags: sortedTags(s.Tags),
        Checks: goTyped(
          'api.HealthChecks',
          entry.Checks.map((c) => goStruct('*api.HealthCheck', { ...c })),
        ),
        Status: status,
        Port: s.Port,
        Weights: goStruct('api.AgentWeights', {
          Passing: s.Weights?.Passing ?? 1,
          Warning: s.Weights?.Warning ?? 1,
        }),
      }),
    );
  }
  if (!dependency.near) {
    out.sort((a, b) => compareGoStrings(a.Node, b.Node) || compareGoStrings(a.ID, b.ID));
  }
  return out;
}

export function keyPairs(entries: readonly ConsulKvEntry[], prefix: string): KeyPair[] {
  return entries.map((e) => {
    const rel = e.Key.startsWith(prefix) ? e.Key.slice(prefix.length) : e.Key;
    return goStruct('*dependency.KeyPair', {
      Path: e.Key,
      Key: rel.replace(/^\/+/, ''),
      Value: e.Value ?? '',
      CreateIndex: e.CreateIndex ?? 0,
      ModifyIndex: e.ModifyIndex ?? 0,
      LockIndex: e.LockIndex ?? 0,
      Flags: e.Flags ?? 0,
      Session: e.Session ?? '',
    });
  });
}

/** /v1/catalog/services (name → tags) as snippets sorted by name. */
export function catalogSnippets(
  services: Readonly<Record<string, readonly string[] | null>>,
): CatalogSnippet[] {
  return Object.keys(services)
    .sort(compareGoStrings)
    .map((name) => goStruct('*dependency.CatalogSnippet', { Name: name, Tags: sortedTags(services[name]) }));
}

export function catalogNodeInfo(n: ConsulNode): CatalogNodeInfo {
  return goStruct('*dependency.Node', {
    ID: n.ID ?? '',
    Node: n.Node,
    Address: n.Address,
    Datacenter: n.Datacenter ?? '',
    TaggedAddresses: stringMap(n.TaggedAddresses),
    Meta: stringMap(n.Meta),
  });
}

export function catalogNodes(nodes: readonly ConsulNode[], near?: string): CatalogNodeInfo[] {
  const out = nodes.map(catalogNodeInfo);
  if (!near) out.sort((a, b) => compareGoStrings(a.Node, b.Node));
  return out;
}

/** /v1/catalog/node/<name>: the node and its services sorted by service name (null node: unknown). */
export function catalogNode(node: ConsulNode | null, services: readonly ConsulService[]): CatalogNode {
  const list: CatalogNodeService[] = services
    .map((s) =>
      goStruct('*dependency.CatalogNodeService', {
        ID: s.ID,
        Service: s.Service,
        Tags: sortedTags(s.Tags),
        Meta: stringMap(s.Meta),
        Port: s.Port,
        Address: s.Address ?? '',
        EnableTagOverride: s.EnableTagOverride ?? false,
      }),
    )
    .sort((a, b) => compareGoStrings(a.Service, b.Service));
  return goStruct('*dependency.CatalogNode', {
    Node: node === null ? null : catalogNodeInfo(node),
    Services: goTyped('[]*dependency.CatalogNodeService', list),
  });
}
