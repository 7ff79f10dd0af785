/**
 * Catalog rows as Consul's API writes them, field for field: the order Go's encoding/json gives
 * (struct order, map keys sorted), `[]`/`{}` for empty tags and meta, the fields Consul omits when
 * empty left out, and the mesh fields (Proxy, Connect) a plain service carries.
 */
import type { CheckRow, NodeRow, ServiceAddress, ServiceRow } from './types.js';

/** Go writes map keys in sorted order; so do we, whatever order a client registered them in. */
export function sortedRecord<T>(record: Readonly<Record<string, T>> | null | undefined): Record<string, T> {
  const out: Record<string, T> = {};
  if (!record) return out;
  for (const key of Object.keys(record).sort()) {
    Object.defineProperty(out, key, {
      value: record[key],
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

function taggedServiceAddresses(
  addresses: Readonly<Record<string, ServiceAddress>> | null,
): Record<string, { Address: string; Port: number }> {
  const out: Record<string, { Address: string; Port: number }> = {};
  for (const [key, value] of Object.entries(sortedRecord(addresses))) {
    Object.defineProperty(out, key, {
      value: { Address: value.Address, Port: value.Port },
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** Go's `omitempty` on a map: left out of the JSON when it has no entries. */
function omitEmptyMap<T>(record: Record<string, T>): Record<string, T> | undefined {
  return Object.keys(record).length === 0 ? undefined : record;
}

/** ConnectProxyConfig of a service that is not a proxy: Go's zero value after omitempty. */
export function plainProxy(): {
  Mode: string;
  MeshGateway: Record<string, never>;
  Expose: Record<string, never>;
} {
  return { Mode: '', MeshGateway: {}, Expose: {} };
}

/** `Node` in /v1/catalog/nodes, /v1/catalog/node/:node and health ServiceEntry. */
export function nodeJson(node: NodeRow) {
  return {
    ID: node.ID,
    Node: node.Node,
    Address: node.Address,
    Datacenter: node.Datacenter,
    TaggedAddresses: sortedRecord(node.TaggedAddresses),
    Meta: sortedRecord(node.Meta),
    CreateIndex: node.CreateIndex,
    ModifyIndex: node.ModifyIndex,
  };
}
export type NodeJson = ReturnType<typeof nodeJson>;

/**
 * One entry of /v1/catalog/service/:name (Consul's ServiceNode): node fields, then the service's.
 * The view has every field, as go-bexpr sees the Go struct; `catalogServiceJson` is what is written.
 */
export function catalogServiceView(service: ServiceRow, node: NodeRow) {
  return {
    ID: node.ID,
    Node: node.Node,
    Address: node.Address,
    Datacenter: node.Datacenter,
    TaggedAddresses: sortedRecord(node.TaggedAddresses),
    NodeMeta: sortedRecord(node.Meta),
    ServiceKind: service.Kind,
    ServiceID: service.ID,
    ServiceName: service.Service,
    ServiceTags: [...service.Tags],
    ServiceAddress: service.Address,
    ServiceTaggedAddresses: taggedServiceAddresses(service.TaggedAddresses),
    ServiceWeights: { Passing: service.Weights.Passing, Warning: service.Weights.Warning },
    ServiceMeta: sortedRecord(service.Meta),
    ServicePort: service.Port,
    ServiceSocketPath: service.SocketPath,
    ServiceEnableTagOverride: service.EnableTagOverride,
    ServiceProxy: plainProxy(),
    ServiceConnect: {},
    ServiceLocality: null,
    CreateIndex: service.CreateIndex,
    ModifyIndex: service.ModifyIndex,
  };
}

export function catalogServiceJson(service: ServiceRow, node: NodeRow) {
  const view = catalogServiceView(service, node);
  return { ...view, ServiceTaggedAddresses: omitEmptyMap(view.ServiceTaggedAddresses) };
}
export type CatalogServiceJson = ReturnType<typeof catalogServiceJson>;

/**
 * A service as the catalog's node views and health's ServiceEntry show it (Consul's NodeService).
 * The view has every field (filters see them all); the JSON leaves out Kind, TaggedAddresses, Port
 * and SocketPath when empty, as Go's omitempty does.
 */
export function nodeServiceView(service: ServiceRow) {
  return {
    Kind: service.Kind,
    ID: service.ID,
    Service: service.Service,
    Tags: [...service.Tags],
    Address: service.Address,
    TaggedAddresses: taggedServiceAddresses(service.TaggedAddresses),
    Meta: sortedRecord(service.Meta),
    Port: service.Port,
    SocketPath: service.SocketPath,
    Weights: { Passing: service.Weights.Passing, Warning: service.Weights.Warning },
    EnableTagOverride: service.EnableTagOverride,
    Proxy: plainProxy(),
    Connect: {},
    PeerName: '',
    CreateIndex: service.CreateIndex,
    ModifyIndex: service.ModifyIndex,
  };
}

export function nodeServiceJson(service: ServiceRow) {
  const view = nodeServiceView(service);
  return {
    ...view,
    Kind: view.Kind === '' ? undefined : view.Kind,
    TaggedAddresses: omitEmptyMap(view.TaggedAddresses),
    Port: view.Port === 0 ? undefined : view.Port,
    SocketPath: view.SocketPath === '' ? undefined : view.SocketPath,
  };
}
export type NodeServiceJson = ReturnType<typeof nodeServiceJson>;

/** Durations first, as Go's custom marshaller puts them; only the fields that are set. */
function definitionJson(definition: CheckRow['Definition']): Record<string, unknown> {
  const order = [
    'Interval',
    'Timeout',
    'DeregisterCriticalServiceAfter',
    'HTTP',
    'TLSServerName',
    'TLSSkipVerify',
    'Header',
    'Method',
    'Body',
    'TCP',
    'UDP',
    'GRPC',
    'GRPCUseTLS',
  ] as const;
  const out: Record<string, unknown> = {};
  for (const key of order) {
    const value = definition[key];
    if (value === undefined) continue;
    out[key] = key === 'Header' ? sortedRecord(value as Record<string, string[]>) : value;
  }
  return out;
}

/** Consul's HealthCheck (health endpoints, agent checks). */
export function healthCheckJson(check: CheckRow) {
  return {
    Node: check.Node,
    CheckID: check.CheckID,
    Name: check.Name,
    Status: check.Status,
    Notes: check.Notes,
    Output: check.Output,
    ServiceID: check.ServiceID,
    ServiceName: check.ServiceName,
    ServiceTags: [...check.ServiceTags],
    Type: check.Type,
    Interval: check.Interval,
    Timeout: check.Timeout,
    ExposedPort: check.ExposedPort,
    Definition: definitionJson(check.Definition),
    CreateIndex: check.CreateIndex,
    ModifyIndex: check.ModifyIndex,
  };
}
export type HealthCheckJson = ReturnType<typeof healthCheckJson>;
