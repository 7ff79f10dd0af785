/**
 * One spelling for service and check definitions. Consul accepts config-file snake_case
 * (`enable_tag_override`) and API PascalCase (`EnableTagOverride`) and compares keys with the
 * underscores removed, case-insensitively; we map every spelling onto our snake_case shape.
 * These functions are tolerant: they rename and drop, never reject — ajv and the callers validate.
 * Also here: Consul's older top-level spellings (`service`, `check`, `start_join`, `ui`, …).
 */
import type { ServiceCheckDefinition, ServiceDefinition } from './types.js';

type Plain = Record<string, unknown>;

function isPlainObject(value: unknown): value is Plain {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `EnableTagOverride`, `enable_tag_override` and `enableTagOverride` all become `enabletagoverride`. */
export function normalizeKey(key: string): string {
  return key.replace(/_/g, '').toLowerCase();
}

function keyTable(
  snakeKeys: readonly string[],
  aliases: Readonly<Record<string, string>>,
): Map<string, string> {
  const table = new Map<string, string>();
  for (const key of snakeKeys) table.set(normalizeKey(key), key);
  for (const [alias, key] of Object.entries(aliases)) table.set(normalizeKey(alias), key);
  return table;
}

const CHECK_KEYS = keyTable(
  [
    'id',
    'name',
    'notes',
    'status',
    'service_id',
    'interval',
    'timeout',
    'ttl',
    'args',
    'http',
    'method',
    'header',
    'body',
    'disable_redirects',
    'tls_server_name',
    'tls_skip_verify',
    'tcp',
    'tcp_use_tls',
    'udp',
    'grpc',
    'grpc_use_tls',
    'alias_node',
    'alias_service',
    'deregister_critical_service_after',
    'success_before_passing',
    'failures_before_warning',
    'failures_before_critical',
    'output_max_size',
  ],
  // The API names a check's id CheckID, and script arguments ScriptArgs.
  { CheckID: 'id', ScriptArgs: 'args' },
);

const SERVICE_KEYS = keyTable(
  [
    'id',
    'name',
    'tags',
    'address',
    'port',
    'meta',
    'tagged_addresses',
    'enable_tag_override',
    'weights',
    'check',
    'checks',
    'token',
    'kind',
    'socket_path',
  ],
  {},
);

/** The catalog API spells a service's name `Service`; it only counts when no `Name` is given. */
const SERVICE_NAME_ALIAS = 'service';

/** Renames `raw`'s keys through `table`; unknown keys are dropped, values kept as they are. */
function renameKeys(raw: Plain, table: ReadonlyMap<string, string>): Plain {
  const out: Plain = {};
  for (const [key, value] of Object.entries(raw)) {
    const canonical = table.get(normalizeKey(key));
    if (canonical !== undefined) out[canonical] = value;
  }
  return out;
}

function lowerKeys(raw: unknown): unknown {
  if (!isPlainObject(raw)) return raw;
  const out: Plain = {};
  for (const [key, value] of Object.entries(raw)) out[normalizeKey(key)] = value;
  return out;
}

/**
 * Maps a check definition in any spelling to our snake_case shape. A non-object comes back
 * unchanged, so the validator reports its real type.
 */
export function canonicalCheckDefinition(raw: unknown): ServiceCheckDefinition {
  if (!isPlainObject(raw)) return raw as ServiceCheckDefinition;
  return renameKeys(raw, CHECK_KEYS) as ServiceCheckDefinition;
}

/**
 * Maps a service definition in any spelling to our snake_case shape, including its `check`,
 * `checks`, `weights` and `tagged_addresses`. `meta` keys and tag values are user data and keep
 * their spelling. A non-object comes back unchanged.
 */
export function canonicalServiceDefinition(raw: unknown): ServiceDefinition {
  if (!isPlainObject(raw)) return raw as ServiceDefinition;
  const out = renameKeys(raw, SERVICE_KEYS);
  if (out.name === undefined) {
    for (const [key, value] of Object.entries(raw)) {
      if (normalizeKey(key) === SERVICE_NAME_ALIAS) out.name = value;
    }
  }
  if (out.check !== undefined) out.check = canonicalCheckDefinition(out.check);
  if (Array.isArray(out.checks)) out.checks = out.checks.map(canonicalCheckDefinition);
  if (isPlainObject(out.weights)) out.weights = lowerKeys(out.weights);
  if (isPlainObject(out.tagged_addresses)) {
    const tagged: Plain = {};
    for (const [name, address] of Object.entries(out.tagged_addresses)) tagged[name] = lowerKeys(address);
    out.tagged_addresses = tagged;
  }
  return out as unknown as ServiceDefinition;
}

/** A value that may be written as one item or as a list. */
function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

/** Consul-era top-level keys that are accepted and dropped: their jobs are done elsewhere now. */
const DROPPED_LEGACY_KEYS = new Set([
  'acl_token',
  'acl_agent_token',
  'acl_agent_master_token',
  'acl_master_token',
  'acl_replication_token',
  'acl_datacenter',
  'acl_default_policy',
  'acl_down_policy',
  'acl_ttl',
  'acl_enforce_version_8',
  'acl_enable_key_list_policy',
]);

/**
 * Rewrites one config file's top-level object into current spellings: `service`/`check` become
 * entries of `services`/`checks` (each canonicalised), `start_join` joins `retry_join`, a single
 * `recursor` joins `recursors`, `ui_config.enabled` (or legacy `ui_dir`, `ui_content_path`) is
 * reconciled with `ui`, and the obsolete `acl_*` tokens and `addresses.rpc`/`ports.rpc` go away.
 * Pure: returns a new object; values it does not touch are shared with the input.
 */
export function canonicalTopLevel(raw: Readonly<Plain>): Plain {
  const out: Plain = {};
  const prepend = (key: string, items: unknown[]): void => {
    const current = out[key];
    out[key] = current === undefined ? items : [...items, ...asList(current)];
  };
  const append = (key: string, items: unknown[]): void => {
    const current = out[key];
    out[key] = current === undefined ? items : [...asList(current), ...items];
  };

  for (const [key, value] of Object.entries(raw)) {
    if (key === '__proto__' || DROPPED_LEGACY_KEYS.has(key)) continue;
    switch (key) {
      case 'service':
        prepend('services', asList(value));
        break;
      case 'check':
        prepend('checks', asList(value));
        break;
      case 'services':
      case 'checks':
        append(key, asList(value));
        break;
      case 'start_join':
      case 'retry_join':
        append('retry_join', asList(value));
        break;
      case 'recursor':
      case 'recursors':
        append('recursors', asList(value));
        break;
      case 'ui_dir':
      case 'ui_content_path':
        // The legacy spelling yields to ui_config's own field whichever comes first.
        out.ui_config = { [key.slice(3)]: value, ...(isPlainObject(out.ui_config) ? out.ui_config : {}) };
        break;
      case 'ui_config':
        out.ui_config = isPlainObject(value)
          ? { ...(isPlainObject(out.ui_config) ? out.ui_config : {}), ...value }
          : value;
        break;
      case 'addresses':
      case 'ports':
        out[key] = isPlainObject(value) ? withoutKey(value, 'rpc') : value;
        break;
      default:
        out[key] = value;
    }
  }

  if (Array.isArray(out.services)) out.services = out.services.map(canonicalServiceDefinition);
  if (Array.isArray(out.checks)) out.checks = out.checks.map(canonicalCheckDefinition);
  // ui_config.enabled is the current spelling of `ui`; when both are written the block wins.
  if (isPlainObject(out.ui_config) && typeof out.ui_config.enabled === 'boolean')
    out.ui = out.ui_config.enabled;
  return out;
}

function withoutKey(value: Plain, dropped: string): Plain {
  const out: Plain = {};
  for (const [key, inner] of Object.entries(value)) if (key !== dropped) out[key] = inner;
  return out;
}

/** A top-level check's id defaults to its name. Tolerant: non-objects come back unchanged. */
export function completeCheckDefinition(check: ServiceCheckDefinition): ServiceCheckDefinition {
  if (!isPlainObject(check) || check.id !== undefined || typeof check.name !== 'string') return check;
  return { ...check, id: check.name };
}

/**
 * Fills in what Consul derives for a service: id = name, weights {passing: 1, warning: 1}, and for
 * each of its checks (`check` first, then `checks`) the name `Service '<name>' check` and the id
 * `service:<id>`, or `service:<id>:<n>` (from 1) when it has several. Pure; tolerant of bad input.
 */
export function completeServiceDefinition(service: ServiceDefinition): ServiceDefinition {
  if (!isPlainObject(service)) return service;
  const out: ServiceDefinition = { ...service };
  if (out.id === undefined && typeof out.name === 'string') out.id = out.name;
  if (out.weights === undefined) out.weights = { passing: 1, warning: 1 };
  const single = out.check !== undefined ? 1 : 0;
  const total = single + (Array.isArray(out.checks) ? out.checks.length : 0);
  const complete = (check: ServiceCheckDefinition, n: number): ServiceCheckDefinition => {
    if (!isPlainObject(check)) return check;
    const filled = { ...check };
    if (filled.name === undefined && typeof out.name === 'string')
      filled.name = `Service '${out.name}' check`;
    if (filled.id === undefined && typeof out.id === 'string') {
      filled.id = total > 1 ? `service:${out.id}:${n}` : `service:${out.id}`;
    }
    return filled;
  };
  if (out.check !== undefined) out.check = complete(out.check, 1);
  if (Array.isArray(out.checks))
    out.checks = out.checks.map((check, index) => complete(check, single + index + 1));
  return out;
}

/** Moves a service's single `check` to the front of `checks`, so consumers read one list. */
export function foldServiceChecks(service: ServiceDefinition): ServiceDefinition {
  if (!isPlainObject(service) || service.check === undefined) return service;
  const { check, ...rest } = service;
  return { ...rest, checks: [check, ...(Array.isArray(service.checks) ? service.checks : [])] };
}
