/**
 * `tribune catalog datacenters|nodes|services`, reading the catalog endpoints and printing what the
 * matching `consul catalog` commands print.
 */
import { field, type JsonValue, stringifyJson } from '../../util/json.js';
import { clientConfigFrom, HTTP_FLAGS, parseCommandLine, readDataArgument } from '../client-flags.js';
import { type ConsulClient, Query, withClient } from '../http-client.js';
import type { CliIO, CommandRunner } from '../io.js';
import { columnize, errorText, tabwrite } from '../output.js';

const text = (v: JsonValue | undefined): string => (typeof v === 'string' ? v : '');

const isObject = (v: JsonValue | undefined): v is { [key: string]: JsonValue } =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** `k=v` pairs sorted by key and joined, as Consul's mapToKV. */
function mapToKv(value: JsonValue | undefined, joiner: string): string {
  if (!isObject(value)) return '';
  return Object.keys(value)
    .sort()
    .map((k) => {
      const v = value[k];
      return `${k}=${typeof v === 'string' ? v : stringifyJson(v)}`;
    })
    .join(joiner);
}

function tooManyArguments(io: CliIO, args: readonly string[]): number | undefined {
  if (args.length === 0) return undefined;
  io.stderr(`Too many arguments (expected 0, got ${args.length})\n`);
  return 1;
}

/** Shared read parameters: `?stale`, repeated `node-meta=k:v`, `filter`. */
function catalogQuery(
  stale: boolean | undefined,
  nodeMeta: Map<string, string> | undefined,
  filter: string,
): Query {
  const query = new Query();
  if (stale) query.set('stale', '');
  for (const [k, v] of nodeMeta ?? []) query.add('node-meta', `${k}:${v}`);
  if (filter !== '') query.set('filter', filter);
  return query;
}

/** `-filter` takes an expression, `@file` or `-` (stdin), like Consul's LoadDataSource. */
async function loadFilter(io: CliIO, filter: string | undefined): Promise<string> {
  if (filter === undefined || filter === '') return '';
  return (await readDataArgument(filter, io)).toString('utf8');
}

const DATACENTERS_USAGE = `
Usage: tribune catalog datacenters [options]

  Retrieves the list of all known datacenters, nearest first.
`;

export const runCatalogDatacenters: CommandRunner = async (argv, io) => {
  const parsed = parseCommandLine(argv, HTTP_FLAGS, io, DATACENTERS_USAGE);
  if (typeof parsed === 'number') return parsed;
  const extra = tooManyArguments(io, parsed.args);
  if (extra !== undefined) return extra;
  return withClient(clientConfigFrom(parsed.flags, io.env), io, async (client) => {
    let raw: JsonValue;
    try {
      raw = await client.getJson('/v1/catalog/datacenters');
    } catch (err) {
      io.stderr(`Error listing datacenters: ${errorText(err)}\n`);
      return 1;
    }
    for (const dc of Array.isArray(raw) ? raw : []) io.stdout(`${text(dc)}\n`);
    return 0;
  });
};

const NODES_FLAGS = {
  ...HTTP_FLAGS,
  detailed: 'bool',
  near: 'string',
  'node-meta': 'map',
  service: 'string',
  filter: 'string',
} as const;

const NODES_USAGE = `
Usage: tribune catalog nodes [options]

  Retrieves the list of nodes registered in a given datacenter. -detailed
  adds full IDs, tagged addresses and metadata; -service=<name> lists the
  nodes providing a service; -near=<node> sorts by estimated round-trip time.
`;

interface NodeRow {
  readonly node: string;
  readonly id: string;
  readonly address: string;
  readonly datacenter: string;
  readonly taggedAddresses: JsonValue | undefined;
  readonly meta: JsonValue | undefined;
}

async function fetchNodes(client: ConsulClient, service: string, query: Query): Promise<NodeRow[]> {
  if (service !== '') {
    const raw = await client.getJson(`/v1/catalog/service/${service}`, query);
    return (Array.isArray(raw) ? raw : []).map((s) => ({
      node: text(field(s, 'Node')),
      id: text(field(s, 'ID')),
      address: text(field(s, 'Address')),
      datacenter: text(field(s, 'Datacenter')),
      taggedAddresses: field(s, 'TaggedAddresses'),
      meta: field(s, 'NodeMeta'),
    }));
  }
  const raw = await client.getJson('/v1/catalog/nodes', query);
  return (Array.isArray(raw) ? raw : []).map((n) => ({
    node: text(field(n, 'Node')),
    id: text(field(n, 'ID')),
    address: text(field(n, 'Address')),
    datacenter: text(field(n, 'Datacenter')),
    taggedAddresses: field(n, 'TaggedAddresses'),
    meta: field(n, 'Meta'),
  }));
}

/** The node table; without -detailed the ID is cut at its first `-` (the first UUID group). */
export function formatNodes(nodes: readonly NodeRow[], detailed: boolean): string {
  if (detailed) {
    return columnize([
      ['Node', 'ID', 'Address', 'DC', 'TaggedAddresses', 'Meta'],
      ...nodes.map((n) => [
        n.node,
        n.id,
        n.address,
        n.datacenter,
        mapToKv(n.taggedAddresses, ', '),
        mapToKv(n.meta, ', '),
      ]),
    ]);
  }
  return columnize([
    ['Node', 'ID', 'Address', 'DC'],
    ...nodes.map((n) => {
      const dash = n.id.indexOf('-');
      return [n.node, dash > 0 ? n.id.slice(0, dash) : n.id, n.address, n.datacenter];
    }),
  ]);
}

export const runCatalogNodes: CommandRunner = async (argv, io) => {
  const parsed = parseCommandLine(argv, NODES_FLAGS, io, NODES_USAGE);
  if (typeof parsed === 'number') return parsed;
  const { flags, args } = parsed;
  const extra = tooManyArguments(io, args);
  if (extra !== undefined) return extra;
  return withClient(clientConfigFrom(flags, io.env), io, async (client) => {
    let filter: string;
    try {
      filter = await loadFilter(io, flags.filter);
    } catch (err) {
      io.stderr(`Could not process filter argument: ${errorText(err)}\n`);
      return 1;
    }
    const query = catalogQuery(flags.stale, flags['node-meta'], filter);
    if (flags.near) query.set('near', flags.near);
    const service = flags.service ?? '';
    let nodes: NodeRow[];
    try {
      nodes = await fetchNodes(client, service, query);
    } catch (err) {
      io.stderr(`Error listing nodes${service ? ' for service' : ''}: ${errorText(err)}\n`);
      return 1;
    }
    if (nodes.length === 0) {
      io.stderr('No nodes match the given query - try expanding your search.\n');
      return 0;
    }
    io.stdout(`${formatNodes(nodes, flags.detailed === true)}\n`);
    return 0;
  });
};

const SERVICES_FLAGS = {
  ...HTTP_FLAGS,
  node: 'string',
  'node-meta': 'map',
  tags: 'bool',
  filter: 'string',
} as const;

const SERVICES_USAGE = `
Usage: tribune catalog services [options]

  Retrieves the list of services registered in a given datacenter. -tags
  shows each service's tags; -node=<name> lists the services of one node.
`;

function tagList(v: JsonValue | undefined): string[] {
  return Array.isArray(v) ? v.map((t) => text(t)) : [];
}

async function fetchServices(
  client: ConsulClient,
  node: string,
  query: Query,
): Promise<Map<string, string[]>> {
  const services = new Map<string, string[]>();
  if (node !== '') {
    const raw = await client.getJson(`/v1/catalog/node/${node}`, query);
    const byId = field(raw, 'Services');
    if (isObject(byId)) {
      for (const svc of Object.values(byId)) {
        const name = text(field(svc, 'Service'));
        services.set(name, [...(services.get(name) ?? []), ...tagList(field(svc, 'Tags'))]);
      }
    }
    return services;
  }
  const raw = await client.getJson('/v1/catalog/services', query);
  if (isObject(raw)) for (const [name, tags] of Object.entries(raw)) services.set(name, tagList(tags));
  return services;
}

/** Names one per line; with -tags a tabwriter column of sorted, comma-joined tags. */
export function formatServices(services: ReadonlyMap<string, readonly string[]>, withTags: boolean): string {
  const names = [...services.keys()].sort();
  if (!withTags) return names.map((n) => `${n}\n`).join('');
  const table = names.map((n) => `${n}\t${[...(services.get(n) ?? [])].sort().join(',')}\n`).join('');
  return `${tabwrite(table, { minWidth: 0, padding: 6 }).trim()}\n`;
}

export const runCatalogServices: CommandRunner = async (argv, io) => {
  const parsed = parseCommandLine(argv, SERVICES_FLAGS, io, SERVICES_USAGE);
  if (typeof parsed === 'number') return parsed;
  const { flags, args } = parsed;
  const extra = tooManyArguments(io, args);
  if (extra !== undefined) return extra;
  return withClient(clientConfigFrom(flags, io.env), io, async (client) => {
    let filter: string;
    try {
      filter = await loadFilter(io, flags.filter);
    } catch (err) {
      io.stderr(`Could not process filter argument: ${errorText(err)}\n`);
      return 1;
    }
    const node = flags.node ?? '';
    let services: Map<string, string[]>;
    try {
      services = await fetchServices(client, node, catalogQuery(flags.stale, flags['node-meta'], filter));
    } catch (err) {
      io.stderr(`Error listing services${node ? ' for node' : ''}: ${errorText(err)}\n`);
      return 1;
    }
    if (services.size === 0) {
      io.stderr('No services match the given query - try expanding your search.\n');
      return 0;
    }
    io.stdout(formatServices(services, flags.tags === true));
    return 0;
  });
};
