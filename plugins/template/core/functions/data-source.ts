/**
 * What the data functions (key, ls, service, …) read from, and the dependencies they record.
 *
 * A render never waits: each data function describes what it needs as a Dependency, asks the injected
 * DataSource for it, and gets either the data or MISSING. On MISSING it returns a placeholder (an empty
 * string or list, as consul-template does) and the render reports itself incomplete; the caller fetches
 * the missing dependencies (blocking queries in the agent) and renders again.
 *
 * Results use consul-template's shapes and Consul's field names; the data source passes them through
 * (shapes.ts builds them from Consul API records).
 */

export const MISSING: unique symbol = Symbol.for('tribune.template.missing');
export type Missing = typeof MISSING;

interface QueryScope {
  readonly dc?: string;
  readonly namespace?: string;
  readonly partition?: string;
  readonly peer?: string;
  readonly samenessGroup?: string;
}

/** `key` (block: true — waits until the key exists), `keyOrDefault`, `keyExists`. */
export interface KvGetDependency extends QueryScope {
  readonly kind: 'kv.get';
  readonly id: string;
  readonly key: string;
  readonly block: boolean;
}

/** `ls`, `safeLs`, `tree`, `safeTree`: every pair under the prefix. */
export interface KvListDependency extends QueryScope {
  readonly kind: 'kv.list';
  readonly id: string;
  readonly prefix: string;
}

/** `service`: healthy instances by default; filters any | passing | warning | critical | maintenance. */
export interface HealthServiceDependency extends QueryScope {
  readonly kind: 'health.service';
  readonly id: string;
  readonly name: string;
  readonly tag?: string;
  readonly near?: string;
  /** Sorted; ['passing'] means Consul's `?passing`, anything else is filtered by aggregated status. */
  readonly filters: readonly string[];
}

export interface CatalogServicesDependency extends QueryScope {
  readonly kind: 'catalog.services';
  readonly id: string;
}

/** `node`: one node and its services; an empty name means the local agent's node. */
export interface CatalogNodeDependency extends QueryScope {
  readonly kind: 'catalog.node';
  readonly id: string;
  readonly name: string;
}

export interface CatalogNodesDependency extends QueryScope {
  readonly kind: 'catalog.nodes';
  readonly id: string;
  readonly near?: string;
}

export interface DatacentersDependency {
  readonly kind: 'catalog.datacenters';
  readonly id: string;
  readonly ignoreFailing: boolean;
}

export interface FileDependency {
  readonly kind: 'file';
  readonly id: string;
  readonly path: string;
}

/** confd: the key/value store of a template resource (its `keys` under its `prefix`). */
export interface ConfdStoreDependency {
  readonly kind: 'confd.store';
  readonly id: string;
}

export interface DnsIpDependency {
  readonly kind: 'dns.ip';
  readonly id: string;
  readonly name: string;
}

export interface DnsSrvDependency {
  readonly kind: 'dns.srv';
  readonly id: string;
  readonly service: string;
  readonly proto: string;
  readonly name: string;
}

export type Dependency =
  | KvGetDependency
  | KvListDependency
  | HealthServiceDependency
  | CatalogServicesDependency
  | CatalogNodeDependency
  | CatalogNodesDependency
  | DatacentersDependency
  | FileDependency
  | ConfdStoreDependency
  | DnsIpDependency
  | DnsSrvDependency;

// ---- result shapes (consul-template's dependency types) ---------------------------------------------

export interface KeyPair {
  /** The full key. */
  readonly Path: string;
  /** The key relative to the listed prefix. */
  readonly Key: string;
  readonly Value: string;
  readonly CreateIndex: number;
  readonly ModifyIndex: number;
  readonly LockIndex: number;
  readonly Flags: number | bigint;
  readonly Session: string;
}

export interface HealthCheck {
  readonly Node: string;
  readonly CheckID: string;
  readonly Name: string;
  readonly Status: string;
  readonly Notes?: string;
  readonly Output: string;
  readonly ServiceID: string;
  readonly ServiceName: string;
  readonly ServiceTags?: readonly string[];
  readonly [field: string]: unknown;
}

export interface HealthService {
  readonly Node: string;
  readonly NodeID: string;
  readonly NodeAddress: string;
  readonly NodeTaggedAddresses: Readonly<Record<string, string>>;
  readonly NodeMeta: Readonly<Record<string, string>>;
  readonly ServiceMeta: Readonly<Record<string, string>>;
  /** The service's address, or its node's when the service has none. */
  readonly Address: string;
  readonly ServiceTaggedAddresses: Readonly<Record<string, unknown>>;
  readonly ID: string;
  readonly Name: string;
  readonly Tags: readonly string[];
  readonly Checks: readonly HealthCheck[];
  /** Aggregated status of the checks: passing, warning, critical or maintenance. */
  readonly Status: string;
  readonly Port: number;
  readonly Weights: { readonly Passing: number; readonly Warning: number };
}

export interface CatalogSnippet {
  readonly Name: string;
  readonly Tags: readonly string[];
}

export interface CatalogNodeInfo {
  readonly ID: string;
  readonly Node: string;
  readonly Address: string;
  readonly Datacenter: string;
  readonly TaggedAddresses: Readonly<Record<string, string>>;
  readonly Meta: Readonly<Record<string, string>>;
}

export interface CatalogNodeService {
  readonly ID: string;
  readonly Service: string;
  readonly Tags: readonly string[];
  readonly Meta: Readonly<Record<string, string>>;
  readonly Port: number;
  readonly Address: string;
  readonly EnableTagOverride: boolean;
}

export interface CatalogNode {
  readonly Node: CatalogNodeInfo | null;
  readonly Services: readonly CatalogNodeService[];
}

export interface SrvRecord {
  readonly Target: string;
  readonly Port: number;
  readonly Priority: number;
  readonly Weight: number;
}

export interface DependencyResults {
  /** The value, or null when the key does not exist. */
  'kv.get': string | null;
  'kv.list': readonly KeyPair[];
  'health.service': readonly HealthService[];
  'catalog.services': readonly CatalogSnippet[];
  'catalog.node': CatalogNode;
  'catalog.nodes': readonly CatalogNodeInfo[];
  'catalog.datacenters': readonly string[];
  /** The file's contents, or null when it does not exist. */
  file: string | null;
  /** confd's keys as confd sees them: "/app/db/host" → value. */
  'confd.store': ReadonlyMap<string, string>;
  'dns.ip': readonly string[];
  'dns.srv': readonly SrvRecord[];
}

export interface DataSource {
  /** The dependency's current data, or MISSING until it has arrived once. */
  fetch<D extends Dependency>(dependency: D): DependencyResults[D['kind']] | Missing;
  /** An environment variable (env, getenv), or undefined when unset. */
  env(name: string): string | undefined;
  /** The current time in Unix milliseconds (timestamp, datetime). */
  now(): number;
}
