/**
 * The catalog's replicated state machine: `catalog.register` and `catalog.deregister`, applied at a
 * log index, synchronously and deterministically. As in Consul, a write that changes nothing (an
 * agent re-registering what is already there) touches no row and bumps no topic, so no watcher
 * wakes. Domain failures (a check naming a service the node does not have) are returned values and
 * leave the store untouched.
 */
import { TribuneError } from '../../core/errors.js';
import type { Command } from '../../core/hooks.js';
import type { Kernel } from '../../core/kernel.js';
import type { StateStore } from '../../core/state/store.js';
import {
  type CatalogTables,
  CHECKS_TOPIC,
  catalogTables,
  checksOfNode,
  instancesOfService,
  NODES_TOPIC,
  nodeTopic,
  SERVICES_TOPIC,
  serviceNameKey,
  servicesOfNode,
  serviceTopic,
} from './queries.js';
import {
  type CatalogDeregisterCommand,
  type CatalogRegisterCommand,
  type CheckInput,
  type CheckRow,
  checkKey,
  type NodeRow,
  type ServiceInput,
  type ServiceRow,
  serviceKey,
} from './types.js';

export interface CatalogApplyError {
  error: string;
}

/** What the catalog's apply handlers return: `true`, or Consul's error text. */
export type CatalogApplyResult = true | CatalogApplyError;

/** The error text of a catalog apply result, if it failed. */
export function catalogApplyError(result: unknown): string | undefined {
  if (typeof result !== 'object' || result === null) return undefined;
  const error = (result as { error?: unknown }).error;
  return typeof error === 'string' ? error : undefined;
}

/** Proposes a catalog command and returns its index; a domain failure is Consul's 500 with its text. */
export async function proposeCatalog(
  kernel: Kernel,
  command: CatalogRegisterCommand | CatalogDeregisterCommand,
): Promise<number> {
  const { index, result } = await kernel.propose(command as unknown as Command);
  const error = catalogApplyError(result);
  if (error !== undefined) throw new TribuneError('INTERNAL', error);
  return index;
}

// ---- comparing rows -----------------------------------------------------------------------------

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => deepEqual(item, b[i]));
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(left), ...Object.keys(right)]);
  for (const key of keys) {
    if (!deepEqual(left[key], right[key])) return false;
  }
  return true;
}

/** Equal in everything but the raft indexes (Consul's IsSame). */
function sameContent<T extends { CreateIndex: number; ModifyIndex: number }>(a: T, b: T): boolean {
  return deepEqual({ ...a, CreateIndex: 0, ModifyIndex: 0 }, { ...b, CreateIndex: 0, ModifyIndex: 0 });
}

// ---- the rows a register would write ------------------------------------------------------------------

function plannedNode(tables: CatalogTables, cmd: CatalogRegisterCommand, index: number): NodeRow | undefined {
  const existing = tables.nodes.get(cmd.node.Node);
  if (existing && cmd.skipNodeUpdate) return undefined;
  const row: NodeRow = {
    ID: cmd.node.ID,
    Node: cmd.node.Node,
    Address: cmd.node.Address,
    Datacenter: cmd.node.Datacenter,
    TaggedAddresses: { ...cmd.node.TaggedAddresses },
    Meta: { ...cmd.node.Meta },
    CreateIndex: existing?.CreateIndex ?? index,
    ModifyIndex: index,
  };
  return existing && sameContent(existing, row) ? undefined : row;
}

function plannedService(
  tables: CatalogTables,
  node: string,
  input: ServiceInput,
  index: number,
): ServiceRow | undefined {
  const existing = tables.services.get(serviceKey(node, input.ID));
  const row: ServiceRow = {
    Node: node,
    Kind: input.Kind,
    ID: input.ID,
    Service: input.Service,
    Tags: [...input.Tags],
    Address: input.Address,
    TaggedAddresses: input.TaggedAddresses === null ? null : structuredClone(input.TaggedAddresses),
    Meta: { ...input.Meta },
    Port: input.Port,
    SocketPath: input.SocketPath,
    Weights: { Passing: input.Weights.Passing, Warning: input.Weights.Warning },
    EnableTagOverride: input.EnableTagOverride,
    CreateIndex: existing?.CreateIndex ?? index,
    ModifyIndex: index,
  };
  return existing && sameContent(existing, row) ? undefined : row;
}

/** The service a check belongs to: the one in the same request, else the node's registered one. */
function serviceOfCheck(
  tables: CatalogTables,
  cmd: CatalogRegisterCommand,
  serviceId: string,
): { Service: string; Tags: string[] } | undefined {
  if (cmd.service && cmd.service.ID === serviceId) return cmd.service;
  return tables.services.get(serviceKey(cmd.node.Node, serviceId));
}

function plannedCheck(
  tables: CatalogTables,
  cmd: CatalogRegisterCommand,
  input: CheckInput,
  index: number,
): CheckRow | undefined {
  const node = cmd.node.Node;
  const existing = tables.checks.get(checkKey(node, input.CheckID));
  const service = input.ServiceID === '' ? undefined : serviceOfCheck(tables, cmd, input.ServiceID);
  const row: CheckRow = {
    Node: node,
    CheckID: input.CheckID,
    Name: input.Name,
    Status: input.Status,
    Notes: input.Notes,
    Output: input.Output,
    ServiceID: input.ServiceID,
    ServiceName: service?.Service ?? '',
    ServiceTags: service ? [...service.Tags] : [],
    Type: input.Type,
    Interval: input.Interval,
    Timeout: input.Timeout,
    ExposedPort: input.ExposedPort,
    Definition: structuredClone(input.Definition),
    CreateIndex: existing?.CreateIndex ?? index,
    ModifyIndex: index,
  };
  return existing && sameContent(existing, row) ? undefined : row;
}

/** A request naming one check twice means the last one: applying it again must change nothing. */
function distinctChecks(cmd: CatalogRegisterCommand): CatalogRegisterCommand {
  const byId = new Map<string, CheckInput>();
  for (const check of cmd.checks) {
    byId.delete(check.CheckID);
    byId.set(check.CheckID, check);
  }
  return byId.size === cmd.checks.length ? cmd : { ...cmd, checks: [...byId.values()] };
}

/**
 * Whether applying `cmd` now would change anything. The leader's reconcile uses it to skip writing
 * a registration the catalog already holds.
 */
export function registerWouldChange(store: StateStore, command: CatalogRegisterCommand): boolean {
  const cmd = distinctChecks(command);
  const tables = catalogTables(store);
  const index = store.lastIndex + 1;
  if (plannedNode(tables, cmd, index)) return true;
  if (cmd.service && plannedService(tables, cmd.node.Node, cmd.service, index)) return true;
  return cmd.checks.some((check) => plannedCheck(tables, cmd, check, index) !== undefined);
}

// ---- topics ---------------------------------------------------------------------------------------

/** The `/v1/catalog/services` entries for one (case-folded) name, to tell whether the list changed. */
function servicesListEntry(store: StateStore, name: string): string {
  const tagsByName = new Map<string, Set<string>>();
  for (const service of instancesOfService(store, name)) {
    const tags = tagsByName.get(service.Service) ?? new Set<string>();
    for (const tag of service.Tags) tags.add(tag);
    tagsByName.set(service.Service, tags);
  }
  return JSON.stringify(
    [...tagsByName].sort(([a], [b]) => (a < b ? -1 : 1)).map(([n, t]) => [n, [...t].sort()]),
  );
}

/** Collects the topics a write changes and bumps them together at the end. */
class TopicChanges {
  private readonly topics = new Set<string>();
  private readonly listEntriesBefore = new Map<string, string>();

  constructor(
    private readonly store: StateStore,
    private readonly index: number,
  ) {}

  add(topic: string): void {
    this.topics.add(topic);
  }

  /** Call before changing an instance of `name`: its topic is bumped and its list entry compared. */
  service(name: string): void {
    const folded = name.toLowerCase();
    if (!this.listEntriesBefore.has(folded)) {
      this.listEntriesBefore.set(folded, servicesListEntry(this.store, name));
    }
    this.topics.add(serviceTopic(name));
  }

  /** A node-level change (the node row, a node check) concerns the health of every service on it. */
  everyServiceOf(node: string): void {
    for (const service of servicesOfNode(this.store, node)) this.topics.add(serviceTopic(service.Service));
  }

  /** The services whose health a check feeds: its own service, or all of its node's. */
  checkAttachment(check: CheckRow): void {
    if (check.ServiceID === '') this.everyServiceOf(check.Node);
    else this.topics.add(serviceTopic(check.ServiceName));
  }

  flush(): void {
    for (const [name, before] of this.listEntriesBefore) {
      if (servicesListEntry(this.store, name) !== before) this.topics.add(SERVICES_TOPIC);
    }
    for (const topic of this.topics) this.store.bump(topic, this.index);
  }
}

// ---- writes ---------------------------------------------------------------------------------------

function isHealthy(tables: CatalogTables, node: string): boolean {
  const serf = tables.checks.get(checkKey(node, 'serfHealth'));
  return serf !== undefined && serf.Status !== 'critical';
}

/**
 * Consul's node identity rules: a node ID already held by another name renames that node (its old
 * entry goes), unless the new name belongs to a live node with a different ID.
 */
function resolveNodeIdentity(
  tables: CatalogTables,
  cmd: CatalogRegisterCommand,
): { error: string } | { replaces: string | undefined } {
  const { ID: id, Node: name, Address: address } = cmd.node;
  const existing = tables.nodes.get(name);
  if (id === '' || (existing && (cmd.skipNodeUpdate || existing.ID === id))) return { replaces: undefined };
  const holder = tables.nodeIds.get(id.toLowerCase());
  const renaming = holder !== undefined && holder !== name;
  const clash =
    existing !== undefined &&
    existing.ID !== id &&
    (renaming || existing.ID !== '') &&
    isHealthy(tables, existing.Node);
  if (clash) {
    const where = renaming ? `"${id}" (${address})` : `"${id}"`;
    return {
      error:
        `failed inserting node: Error while renaming Node ID: ${where}: Node name ${name} is reserved by ` +
        `node ${existing.ID} with name ${existing.Node} (${existing.Address})`,
    };
  }
  return { replaces: renaming ? holder : undefined };
}

function upsertNode(
  store: StateStore,
  cmd: CatalogRegisterCommand,
  index: number,
  changes: TopicChanges,
): void {
  const tables = catalogTables(store);
  const row = plannedNode(tables, cmd, index);
  if (!row) return;
  const existing = tables.nodes.get(row.Node);
  if (existing && existing.ID !== '' && tables.nodeIds.get(existing.ID.toLowerCase()) === row.Node) {
    tables.nodeIds.delete(existing.ID.toLowerCase());
  }
  if (row.ID !== '') tables.nodeIds.set(row.ID.toLowerCase(), row.Node);
  tables.nodes.set(row.Node, row);
  changes.add(NODES_TOPIC);
  changes.add(nodeTopic(row.Node));
  changes.everyServiceOf(row.Node);
}

function upsertService(
  store: StateStore,
  cmd: CatalogRegisterCommand,
  input: ServiceInput,
  index: number,
  changes: TopicChanges,
): void {
  const tables = catalogTables(store);
  const node = cmd.node.Node;
  const row = plannedService(tables, node, input, index);
  if (!row) return;
  const key = serviceKey(node, row.ID);
  const existing = tables.services.get(key);
  if (existing) {
    changes.service(existing.Service);
    tables.serviceNames.delete(serviceNameKey(existing.Service, node, existing.ID));
  }
  changes.service(row.Service);
  tables.services.set(key, row);
  tables.serviceNames.set(serviceNameKey(row.Service, node, row.ID), key);
  changes.add(nodeTopic(node));
  if (existing && (existing.Service !== row.Service || !deepEqual(existing.Tags, row.Tags))) {
    // Checks carry copies of their service's name and tags; keep them true.
    for (const check of checksOfNode(store, node)) {
      if (check.ServiceID !== row.ID) continue;
      tables.checks.set(checkKey(node, check.CheckID), {
        ...check,
        ServiceName: row.Service,
        ServiceTags: [...row.Tags],
        ModifyIndex: index,
      });
      changes.add(CHECKS_TOPIC);
    }
  }
}

function upsertCheck(
  store: StateStore,
  cmd: CatalogRegisterCommand,
  input: CheckInput,
  index: number,
  changes: TopicChanges,
): void {
  const tables = catalogTables(store);
  const row = plannedCheck(tables, cmd, input, index);
  if (!row) return;
  const key = checkKey(row.Node, row.CheckID);
  const existing = tables.checks.get(key);
  if (existing) changes.checkAttachment(existing);
  tables.checks.set(key, row);
  changes.add(CHECKS_TOPIC);
  changes.add(nodeTopic(row.Node));
  changes.checkAttachment(row);
}

function deleteService(store: StateStore, node: string, id: string, changes: TopicChanges): void {
  const tables = catalogTables(store);
  const key = serviceKey(node, id);
  const row = tables.services.get(key);
  if (!row) return;
  changes.service(row.Service);
  tables.services.delete(key);
  tables.serviceNames.delete(serviceNameKey(row.Service, node, id));
  for (const check of checksOfNode(store, node)) {
    if (check.ServiceID !== id) continue;
    tables.checks.delete(checkKey(node, check.CheckID));
    changes.add(CHECKS_TOPIC);
  }
  changes.add(nodeTopic(node));
}

function deleteCheck(store: StateStore, node: string, id: string, changes: TopicChanges): void {
  const tables = catalogTables(store);
  const key = checkKey(node, id);
  const row = tables.checks.get(key);
  if (!row) return;
  changes.checkAttachment(row);
  tables.checks.delete(key);
  changes.add(CHECKS_TOPIC);
  changes.add(nodeTopic(node));
}

function deleteNode(store: StateStore, node: string, changes: TopicChanges): void {
  const tables = catalogTables(store);
  const row = tables.nodes.get(node);
  const services = servicesOfNode(store, node);
  const checks = checksOfNode(store, node);
  if (!row && services.length === 0 && checks.length === 0) return;
  for (const service of services) {
    changes.service(service.Service);
    tables.services.delete(serviceKey(node, service.ID));
    tables.serviceNames.delete(serviceNameKey(service.Service, node, service.ID));
  }
  for (const check of checks) {
    tables.checks.delete(checkKey(node, check.CheckID));
    changes.add(CHECKS_TOPIC);
  }
  if (row) {
    tables.nodes.delete(node);
    if (row.ID !== '' && tables.nodeIds.get(row.ID.toLowerCase()) === node) {
      tables.nodeIds.delete(row.ID.toLowerCase());
    }
  }
  changes.add(NODES_TOPIC);
  changes.add(nodeTopic(node));
}

// ---- the two commands -------------------------------------------------------------------------------

/** Checks what Consul checks against the state before writing; returns its error text, if any. */
function registerProblem(tables: CatalogTables, cmd: CatalogRegisterCommand): string | undefined {
  for (const check of cmd.checks) {
    if (check.ServiceID === '' || serviceOfCheck(tables, cmd, check.ServiceID)) continue;
    return `Unknown service ID '${check.ServiceID}' for check ID '${check.CheckID}'`;
  }
  return undefined;
}

export function applyCatalogRegister(
  store: StateStore,
  command: CatalogRegisterCommand,
  index: number,
): CatalogApplyResult {
  const cmd = distinctChecks(command);
  const tables = catalogTables(store);
  const problem = registerProblem(tables, cmd);
  if (problem !== undefined) return { error: problem };
  const identity = resolveNodeIdentity(tables, cmd);
  if ('error' in identity) return identity;
  const changes = new TopicChanges(store, index);
  if (identity.replaces !== undefined) deleteNode(store, identity.replaces, changes);
  upsertNode(store, cmd, index, changes);
  if (cmd.service) upsertService(store, cmd, cmd.service, index, changes);
  for (const check of cmd.checks) upsertCheck(store, cmd, check, index, changes);
  changes.flush();
  return true;
}

/** Service first, then check, then the whole node: the precedence Consul gives the fields. */
export function applyCatalogDeregister(
  store: StateStore,
  cmd: CatalogDeregisterCommand,
  index: number,
): CatalogApplyResult {
  const changes = new TopicChanges(store, index);
  if (cmd.serviceId) deleteService(store, cmd.node, cmd.serviceId, changes);
  else if (cmd.checkId) deleteCheck(store, cmd.node, cmd.checkId, changes);
  else deleteNode(store, cmd.node, changes);
  changes.flush();
  return true;
}
