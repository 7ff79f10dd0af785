/**
 * consul-template's query strings (`tag.name?ns=x@dc~near|filter`, `key@dc`, `prefix@dc`, `@dc~near`)
 * parsed into Dependencies whose ids read as consul-template names them (`health.service(web|passing)`,
 * `kv.block(app/config@dc1)`), with consul-template's error texts for malformed strings.
 */
import { FuncError } from '../func-spec.js';
import { goQuote } from '../quote.js';
import type {
  CatalogNodeDependency,
  CatalogNodesDependency,
  CatalogServicesDependency,
  HealthServiceDependency,
  KvGetDependency,
  KvListDependency,
} from './data-source.js';

// Go's [[:word:]] is [0-9A-Za-z_]. These patterns are fixed and linear, so plain RegExp is safe.
const W = '0-9A-Za-z_';
const DC = `(?:@(?<dc>[${W}.\\-]+))?`;
const QUERY = `(?:\\?(?<query>[${W}\\-=&]+))?`;
const NEAR = `(?:~(?<near>[${W}.\\-]+))?`;
const FILTER = `(?:\\|(?<filter>[${W},]+))?`;

const KV_GET = new RegExp(`^/?(?<key>[^@?]+)${QUERY}${DC}$`);
const KV_LIST = new RegExp(`^/?(?<prefix>[^@?]+)${QUERY}${DC}$`);
const HEALTH_SERVICE = new RegExp(
  `^(?:(?<tag>[${W}=:.\\-]+)\\.)?(?<name>[${W}\\-]+)${QUERY}${DC}${NEAR}${FILTER}$`,
);
const CATALOG_SERVICES = new RegExp(`^${QUERY}${DC}$`);
const CATALOG_NODE = new RegExp(`^(?<name>[${W}.\\-]+)${QUERY}${DC}$`);
const CATALOG_NODES = new RegExp(`^${QUERY}${DC}${NEAR}$`);

const HEALTH_STATES = new Set(['any', 'passing', 'warning', 'critical', 'maintenance']);
const QUERY_KEYS = ['ns', 'peer', 'partition', 'sameness-group'];

interface Scope {
  dc?: string;
  namespace?: string;
  partition?: string;
  peer?: string;
  samenessGroup?: string;
}

function match(re: RegExp, s: string, label: string): Record<string, string> {
  const m = re.exec(s);
  if (m === null) throw new FuncError(`${label}: invalid format: ${goQuote(s)}`);
  const groups: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.groups ?? {})) if (v !== undefined) groups[k] = v;
  return groups;
}

function scope(groups: Record<string, string>, label: string): Scope {
  const out: Scope = {};
  if (groups.dc) out.dc = groups.dc;
  const raw = groups.query;
  if (raw) {
    for (const part of raw.split('&')) {
      if (part === '') continue;
      const eqAt = part.indexOf('=');
      const key = eqAt < 0 ? part : part.slice(0, eqAt);
      const value = eqAt < 0 ? '' : part.slice(eqAt + 1);
      if (!QUERY_KEYS.includes(key)) {
        throw new FuncError(
          `${label}: invalid query parameter key ${goQuote(key)} in query ${goQuote(raw)}: supported keys: ns,peer,partition,sameness-group`,
        );
      }
      if (key === 'ns') out.namespace = value;
      else if (key === 'peer') out.peer = value;
      else if (key === 'partition') out.partition = value;
      else out.samenessGroup = value;
    }
  }
  return out;
}

/** The `@dc@partition=p@ns=n` suffix consul-template appends to dependency names. */
function scopeSuffix(s: Scope): string {
  let out = '';
  if (s.dc) out += `@${s.dc}`;
  if (s.partition) out += `@partition=${s.partition}`;
  if (s.namespace) out += `@ns=${s.namespace}`;
  return out;
}

export function kvGetDependency(s: string, block: boolean): KvGetDependency {
  const g = match(KV_GET, s, 'kv.get');
  const sc = scope(g, 'kv.get');
  const key = g.key as string;
  return {
    kind: 'kv.get',
    id: `${block ? 'kv.block' : 'kv.get'}(${key}${scopeSuffix(sc)})`,
    key,
    block,
    ...sc,
  };
}

export function kvListDependency(s: string): KvListDependency {
  const g = match(KV_LIST, s, 'kv.list');
  const sc = scope(g, 'kv.list');
  const prefix = g.prefix as string;
  return { kind: 'kv.list', id: `kv.list(${prefix}${scopeSuffix(sc)})`, prefix, ...sc };
}

export function healthServiceDependency(s: string): HealthServiceDependency {
  const g = match(HEALTH_SERVICE, s, 'health.service');
  let filters: string[] = ['passing'];
  if (g.filter) {
    filters = [];
    for (const raw of g.filter.split(',')) {
      const f = raw.trim();
      if (f === '') continue;
      if (!HEALTH_STATES.has(f)) {
        throw new FuncError(`health.service: invalid filter: ${goQuote(f)} in ${goQuote(s)}`);
      }
      filters.push(f);
    }
    filters.sort();
  }
  const sc = scope(g, 'health.service');
  if (sc.samenessGroup && sc.peer) {
    throw new FuncError('health.service: cannot specify both peer and sameness-group');
  }
  const name = g.name as string;
  let id = g.tag ? `${g.tag}.${name}` : name;
  id += scopeSuffix(sc);
  if (sc.peer) id += `@peer=${sc.peer}`;
  if (sc.samenessGroup) id += `@sameness-group=${sc.samenessGroup}`;
  if (g.near) id += `~${g.near}`;
  if (filters.length > 0) id += `|${filters.join(',')}`;
  return {
    kind: 'health.service',
    id: `health.service(${id})`,
    name,
    filters,
    ...(g.tag ? { tag: g.tag } : {}),
    ...(g.near ? { near: g.near } : {}),
    ...sc,
  };
}

export function catalogServicesDependency(s: string): CatalogServicesDependency {
  const sc = scope(match(CATALOG_SERVICES, s, 'catalog.services'), 'catalog.services');
  const suffix = scopeSuffix(sc);
  return { kind: 'catalog.services', id: suffix ? `catalog.services(${suffix})` : 'catalog.services', ...sc };
}

export function catalogNodeDependency(s: string): CatalogNodeDependency {
  const g = s === '' ? {} : match(CATALOG_NODE, s, 'catalog.node');
  const sc = scope(g, 'catalog.node');
  const name = g.name ?? '';
  const label = name + scopeSuffix(sc);
  return { kind: 'catalog.node', id: label ? `catalog.node(${label})` : 'catalog.node', name, ...sc };
}

export function catalogNodesDependency(s: string): CatalogNodesDependency {
  const g = match(CATALOG_NODES, s, 'catalog.nodes');
  const sc = scope(g, 'catalog.nodes');
  const label = scopeSuffix(sc) + (g.near ? `~${g.near}` : '');
  return {
    kind: 'catalog.nodes',
    id: label ? `catalog.nodes(${label})` : 'catalog.nodes',
    ...(g.near ? { near: g.near } : {}),
    ...sc,
  };
}
