/**
 * The agent's one config validator: the core schema below plus every plugin's schema for the
 * top-level keys it owns, compiled into a single ajv instance at boot. `validate` runs on the merged
 * config and reports every problem at once, each naming the file that supplied the value, the JSON
 * pointer and the reason.
 *
 * Unknown keys: ajv's `removeAdditional: true` silently drops keys a closed schema does not list,
 * so before ajv runs we walk the schema and report such keys ourselves (`invalid config key x`, as
 * Consul says) — typos must not pass. Keys Consul knows but Tribune does not use (and no loaded
 * plugin owns) are accepted with a warning, so an existing Consul config still loads.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { TribuneError } from '../errors.js';
import { parseGoDurationNs } from '../util/duration.js';
import { completeCheckDefinition, completeServiceDefinition, foldServiceChecks } from './canonical.js';
import { type Provenance, sourceOf } from './merge.js';
import type { AgentConfig, ConfigIssue, ServiceCheckDefinition, ServiceDefinition } from './types.js';

export type { ConfigIssue } from './types.js';

type Plain = Record<string, unknown>;
type Schema = Record<string, unknown>;

/** Plugin name → the JSON Schemas of the top-level keys it owns (its manifest's `configSchema`). */
export type PluginSchemas = Readonly<Record<string, object>>;

const str = { type: 'string' };
const nonEmpty = { type: 'string', minLength: 1 };
const bool = { type: 'boolean' };
const strList = { type: 'array', items: str };
const duration = { type: 'string', format: 'go-duration' };
const count = { type: 'integer', minimum: 0 };
const port = { type: 'integer', minimum: -1, maximum: 65535 };
/** Key rules (length, characters, the `consul-` prefix) are checked below with Consul's messages. */
const metaMap = { type: 'object', additionalProperties: str };
const openObject = { type: 'object' };

const closed = (properties: Schema, extra: Schema = {}): Schema => ({
  type: 'object',
  additionalProperties: false,
  properties,
  ...extra,
});

const checkSchema = closed(
  {
    id: str,
    name: nonEmpty,
    notes: str,
    status: { type: 'string', enum: ['passing', 'warning', 'critical'] },
    service_id: str,
    interval: duration,
    timeout: duration,
    ttl: duration,
    args: { type: 'array', items: str, minItems: 1 },
    http: str,
    method: str,
    header: { type: 'object', additionalProperties: strList },
    body: str,
    disable_redirects: bool,
    tls_server_name: str,
    tls_skip_verify: bool,
    tcp: str,
    tcp_use_tls: bool,
    udp: str,
    grpc: str,
    grpc_use_tls: bool,
    alias_node: str,
    alias_service: str,
    deregister_critical_service_after: duration,
    success_before_passing: count,
    failures_before_warning: count,
    failures_before_critical: count,
    output_max_size: { type: 'integer', minimum: 1 },
  },
  { required: ['name'] },
);

const serviceSchema = closed(
  {
    id: nonEmpty,
    name: nonEmpty,
    tags: strList,
    address: str,
    port: { type: 'integer', minimum: 0, maximum: 65535 },
    meta: metaMap,
    tagged_addresses: {
      type: 'object',
      additionalProperties: closed({ address: str, port: { type: 'integer', minimum: 0, maximum: 65535 } }),
    },
    enable_tag_override: bool,
    weights: closed({ passing: { type: 'integer', minimum: 1 }, warning: count }),
    check: checkSchema,
    checks: { type: 'array', items: checkSchema },
    token: str,
    kind: str,
    socket_path: str,
  },
  { required: ['name'] },
);

/** Top-level keys the core owns. A plugin schema may not redeclare them. */
const CORE_PROPERTIES: Readonly<Record<string, Schema>> = {
  dev: bool,
  server: bool,
  bootstrap: bool,
  bootstrap_expect: count,
  datacenter: str,
  primary_datacenter: str,
  data_dir: str,
  node_name: str,
  node_id: { type: 'string', format: 'uuid' },
  node_meta: metaMap,
  bind_addr: str,
  advertise_addr: str,
  advertise_addr_wan: str,
  client_addr: str,
  addresses: closed({ dns: str, http: str, https: str, grpc: str, grpc_tls: str }),
  ports: closed({
    dns: port,
    http: port,
    https: port,
    grpc: port,
    grpc_tls: port,
    serf_lan: port,
    serf_wan: port,
    server: port,
    sidecar_min_port: port,
    sidecar_max_port: port,
    expose_min_port: port,
    expose_max_port: port,
  }),
  domain: nonEmpty,
  alt_domain: str,
  recursors: strList,
  retry_join: strList,
  retry_interval: duration,
  retry_max: count,
  encrypt: str,
  encrypt_verify_incoming: bool,
  encrypt_verify_outgoing: bool,
  log_level: str,
  log_json: bool,
  log_file: str,
  enable_script_checks: bool,
  enable_local_script_checks: bool,
  ui: bool,
  ui_config: { type: 'object', properties: { enabled: bool, dir: str, content_path: str } },
  pid_file: str,
  default_query_time: duration,
  max_query_time: duration,
  limits: closed({
    kv_max_value_size: { type: 'integer', minimum: 1 },
    txn_max_req_len: { type: 'integer', minimum: 1 },
    http_max_conns_per_client: count,
    https_handshake_timeout: duration,
    rpc_client_timeout: duration,
    rpc_handshake_timeout: duration,
    rpc_max_burst: count,
    rpc_max_conns_per_client: count,
    rpc_rate: { type: 'number' },
    request_limits: openObject,
  }),
  performance: closed({
    raft_multiplier: { type: 'integer', minimum: 1, maximum: 10 },
    rpc_hold_timeout: duration,
    leave_drain_time: duration,
    grpc_keepalive_interval: duration,
    grpc_keepalive_timeout: duration,
  }),
  services: { type: 'array', items: serviceSchema },
  checks: { type: 'array', items: checkSchema },
  watches: { type: 'array', items: openObject },
  templates: { type: 'array', items: openObject },
  plugins: strList,
};

/**
 * Keys Consul accepts that Tribune has no use for unless a plugin claims them: a real Consul config
 * still loads (with a warning per key) while a misspelt key is an error.
 */
const CONSUL_ONLY_KEYS: readonly string[] = [
  'acl',
  'advertise_addr_ipv4',
  'advertise_addr_ipv6',
  'advertise_reconnect_timeout',
  'audit',
  'auto_config',
  'auto_encrypt',
  'auto_reload_config',
  'autopilot',
  'ca_file',
  'ca_path',
  'cert_file',
  'check_output_max_size',
  'check_update_interval',
  'cloud',
  'config_entries',
  'connect',
  'disable_anonymous_signature',
  'disable_coordinates',
  'disable_host_node_id',
  'disable_http_unprintable_char_filter',
  'disable_keyring_file',
  'disable_remote_exec',
  'disable_update_check',
  'discard_check_output',
  'discovery_max_stale',
  'dns_config',
  'enable_acl_replication',
  'enable_agent_tls_for_checks',
  'enable_central_service_config',
  'enable_debug',
  'enable_syslog',
  'experiments',
  'gossip_lan',
  'gossip_wan',
  'http_config',
  'key_file',
  'leave_on_terminate',
  'license_path',
  'locality',
  'log_rotate_bytes',
  'log_rotate_duration',
  'log_rotate_max_files',
  'non_voting_server',
  'peering',
  'primary_gateways',
  'primary_gateways_interval',
  'protocol',
  'raft_boltdb',
  'raft_logstore',
  'raft_protocol',
  'raft_snapshot_interval',
  'raft_snapshot_threshold',
  'raft_trailing_logs',
  'read_replica',
  'reconnect_timeout',
  'reconnect_timeout_wan',
  'rejoin_after_leave',
  'retry_interval_wan',
  'retry_join_wan',
  'retry_max_wan',
  'rpc',
  'segment',
  'segments',
  'serf_lan',
  'serf_lan_allowed_cidrs',
  'serf_wan',
  'serf_wan_allowed_cidrs',
  'server_name',
  'server_rejoin_age_max',
  'session_ttl_min',
  'skip_leave_on_interrupt',
  'start_join_wan',
  'syslog_facility',
  'telemetry',
  'tls',
  'tls_cipher_suites',
  'tls_min_version',
  'tls_prefer_server_cipher_suites',
  'translate_wan_addrs',
  'unix_sockets',
  'use_streaming_backend',
  'verify_incoming',
  'verify_incoming_https',
  'verify_incoming_rpc',
  'verify_outgoing',
  'verify_server_hostname',
  'xds',
];

export interface ValidationResult {
  /** The validated config with defaults filled in; only trustworthy when `issues` is empty. */
  config: AgentConfig;
  issues: ConfigIssue[];
  /** Accepted but unused keys and similar notices; never fatal. */
  warnings: ConfigIssue[];
}

export interface ConfigValidator {
  /** The composed JSON Schema (core + plugins). */
  readonly schema: Readonly<Schema>;
  /** Top-level key → plugin name, for the keys plugins own. */
  readonly pluginKeys: ReadonlyMap<string, string>;
  /** Validates a merged config (not mutated) and returns the normalised result with every issue. */
  validate(merged: Readonly<Plain>, provenance?: Provenance): ValidationResult;
}

/** `<file>: <pointer>: <message>`, leaving out the parts an issue does not have. */
export function formatConfigIssue(issue: ConfigIssue): string {
  return [issue.file, issue.pointer, issue.message]
    .filter((part) => part !== undefined && part !== '')
    .join(': ');
}

function isPlainObject(value: unknown): value is Plain {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function pluginKeySchemas(plugin: string, schema: object): Readonly<Record<string, unknown>> {
  const candidate = schema as Plain;
  // Accept both a map of key → schema (the manifest's shape) and an object schema with properties.
  if (candidate.type === 'object' && isPlainObject(candidate.properties)) return candidate.properties;
  for (const [key, value] of Object.entries(candidate)) {
    if (!isPlainObject(value) && typeof value !== 'boolean') {
      throw new TribuneError(
        'INTERNAL',
        `plugin "${plugin}": config schema for "${key}" is not a JSON Schema`,
      );
    }
  }
  return candidate;
}

function composeProperties(pluginSchemas: PluginSchemas): {
  properties: Plain;
  pluginKeys: Map<string, string>;
} {
  const properties: Plain = {};
  for (const key of CONSUL_ONLY_KEYS) properties[key] = {};
  const pluginKeys = new Map<string, string>();
  for (const [plugin, schema] of Object.entries(pluginSchemas)) {
    for (const [key, keySchema] of Object.entries(pluginKeySchemas(plugin, schema))) {
      if (key in CORE_PROPERTIES) {
        throw new TribuneError(
          'INTERNAL',
          `plugin "${plugin}" declares config key "${key}", which the core owns`,
        );
      }
      const owner = pluginKeys.get(key);
      if (owner !== undefined) {
        throw new TribuneError(
          'INTERNAL',
          `plugins "${owner}" and "${plugin}" both declare config key "${key}"`,
        );
      }
      pluginKeys.set(key, plugin);
      properties[key] = keySchema;
    }
  }
  Object.assign(properties, CORE_PROPERTIES);
  return { properties, pluginKeys };
}

function createAjv(): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    useDefaults: true,
    coerceTypes: 'array',
    // Never 'all': that would empty open maps such as node_meta.
    removeAdditional: true,
    strictTypes: false,
    strictTuples: false,
  });
  (addFormats as unknown as (instance: Ajv) => Ajv)(ajv);
  ajv.addFormat('go-duration', {
    type: 'string',
    validate: (value: string) => {
      try {
        parseGoDurationNs(value);
        return true;
      } catch {
        return false;
      }
    },
  });
  return ajv;
}

/** Compiles the core schema plus the plugins' into one validator. Call once at boot. */
export function buildConfigValidator(pluginSchemas: PluginSchemas = {}): ConfigValidator {
  const { properties, pluginKeys } = composeProperties(pluginSchemas);
  const schema: Schema = { type: 'object', additionalProperties: false, properties };
  let compiled: ValidateFunction;
  try {
    compiled = createAjv().compile(schema);
  } catch (err) {
    throw new TribuneError(
      'INTERNAL',
      `config schema does not compile: ${(err as Error).message}`,
      undefined,
      {
        cause: err,
      },
    );
  }
  return {
    schema,
    pluginKeys,
    validate: (merged, provenance = new Map()) =>
      runValidation(compiled, schema, pluginKeys, merged, provenance),
  };
}

function runValidation(
  compiled: ValidateFunction,
  schema: Schema,
  pluginKeys: ReadonlyMap<string, string>,
  merged: Readonly<Plain>,
  provenance: Provenance,
): ValidationResult {
  const data = structuredClone(merged) as Plain;
  const found: Array<{ pointer: string; message: string }> = [];
  const warnings: ConfigIssue[] = [];

  for (const unknown of findUnknownKeys(schema, data)) {
    found.push({ pointer: unknown.pointer, message: `invalid config key ${unknown.dotted}` });
  }
  for (const key of Object.keys(data)) {
    if (CONSUL_ONLY_KEYS.includes(key) && !pluginKeys.has(key)) {
      const pointer = `/${key}`;
      warnings.push(withFile(provenance, pointer, 'accepted for compatibility with Consul but not used'));
    }
  }

  if (Array.isArray(data.services)) {
    data.services = data.services.map((s) => completeServiceDefinition(s as ServiceDefinition));
  }
  if (Array.isArray(data.checks))
    data.checks = data.checks.map((c) => completeCheckDefinition(c as ServiceCheckDefinition));
  if (!compiled(data)) {
    for (const error of compiled.errors ?? []) found.push(describeAjvError(error, data));
  }
  normalize(data);
  found.push(...coreRuleIssues(data));
  found.push(...definitionIssues(data));
  if (Array.isArray(data.services))
    data.services = data.services.map((s) => foldServiceChecks(s as ServiceDefinition));

  const issues = dedupe(found)
    .sort((a, b) => comparePointers(a.pointer, b.pointer))
    .map(({ pointer, message }) => withFile(provenance, pointer, message));
  return { config: data as AgentConfig, issues, warnings };
}

function withFile(provenance: Provenance, pointer: string, message: string): ConfigIssue {
  const file = sourceOf(provenance, pointer);
  return file === undefined ? { pointer, message } : { file, pointer, message };
}

/** Document order for list indexes (`/checks/2` before `/checks/10`), alphabetical for keys. */
export function comparePointers(a: string, b: string): number {
  const left = a.split('/');
  const right = b.split('/');
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const x = left[i] as string;
    const y = right[i] as string;
    if (x === y) continue;
    if (/^\d+$/.test(x) && /^\d+$/.test(y)) return Number(x) - Number(y);
    return x < y ? -1 : 1;
  }
  return left.length - right.length;
}

function dedupe(
  found: Array<{ pointer: string; message: string }>,
): Array<{ pointer: string; message: string }> {
  const seen = new Set<string>();
  return found.filter((issue) => {
    const key = `${issue.pointer}\u0000${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

interface UnknownKey {
  pointer: string;
  dotted: string;
}

function segment(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Keys of `data` that a closed object schema does not list (ajv would drop them silently). */
export function findUnknownKeys(schema: unknown, data: unknown, pointer = '', dotted = ''): UnknownKey[] {
  if (!isPlainObject(schema)) return [];
  const found: UnknownKey[] = [];
  if (Array.isArray(data) && isPlainObject(schema.items)) {
    data.forEach((item, index) => {
      found.push(...findUnknownKeys(schema.items, item, `${pointer}/${index}`, `${dotted}[${index}]`));
    });
    return found;
  }
  if (!isPlainObject(data)) return found;
  const properties = isPlainObject(schema.properties) ? schema.properties : {};
  for (const [key, value] of Object.entries(data)) {
    const childPointer = `${pointer}/${segment(key)}`;
    const childDotted = dotted === '' ? key : `${dotted}.${key}`;
    if (Object.hasOwn(properties, key)) {
      found.push(...findUnknownKeys(properties[key], value, childPointer, childDotted));
    } else if (schema.additionalProperties === false) {
      found.push({ pointer: childPointer, dotted: childDotted });
    } else if (isPlainObject(schema.additionalProperties)) {
      found.push(...findUnknownKeys(schema.additionalProperties, value, childPointer, childDotted));
    }
  }
  return found;
}

/** The value at a JSON pointer, or undefined. */
export function valueAt(root: unknown, pointer: string): unknown {
  if (pointer === '') return root;
  let node: unknown = root;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) node = node[Number(key)];
    else if (isPlainObject(node)) node = node[key];
    else return undefined;
  }
  return node;
}

function describeAjvError(error: ErrorObject, data: unknown): { pointer: string; message: string } {
  const pointer = error.instancePath;
  const message = error.message ?? 'is invalid';
  if (error.keyword === 'enum') {
    const allowed = (error.params as { allowedValues?: unknown[] }).allowedValues ?? [];
    return { pointer, message: `${message}: ${allowed.map((v) => JSON.stringify(v)).join(', ')}` };
  }
  if (error.keyword === 'format') {
    const format = (error.params as { format?: string }).format;
    const value = JSON.stringify(valueAt(data, pointer));
    if (format === 'go-duration')
      return { pointer, message: `invalid duration ${value} (want e.g. "10s", "1m30s")` };
    if (format === 'uuid') return { pointer, message: `${value} is not a valid UUID` };
  }
  return { pointer, message };
}

/** Consul lower-cases the datacenter and the log level. */
function normalize(data: Plain): void {
  if (typeof data.datacenter === 'string') data.datacenter = data.datacenter.toLowerCase();
  if (typeof data.log_level === 'string') data.log_level = data.log_level.toLowerCase();
  if (typeof data.ui === 'boolean' && isPlainObject(data.ui_config)) data.ui_config.enabled = data.ui;
}

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error'];
const META_MAX_PAIRS = 64;
const META_KEY_MAX = 128;
const META_VALUE_MAX = 512;

/** Consul's metadata rules (structs.ValidateMetadata), for node_meta and service meta. */
export function metaIssues(
  meta: unknown,
  pointer: string,
  what: string,
): Array<{ pointer: string; message: string }> {
  if (!isPlainObject(meta)) return [];
  const found: Array<{ pointer: string; message: string }> = [];
  const entries = Object.entries(meta);
  if (entries.length > META_MAX_PAIRS) {
    found.push({ pointer, message: `${what} cannot contain more than ${META_MAX_PAIRS} key/value pairs` });
  }
  for (const [key, value] of entries) {
    const at = `${pointer}/${segment(key)}`;
    if (key.length > META_KEY_MAX) {
      found.push({ pointer: at, message: `Key is too long (limit: ${META_KEY_MAX} characters)` });
    } else if (!/^[A-Za-z0-9_-]+$/.test(key)) {
      found.push({ pointer: at, message: 'Key contains invalid characters' });
    }
    if (key.startsWith('consul-')) {
      found.push({ pointer: at, message: "Key prefix 'consul-' is reserved for internal use" });
    }
    if (typeof value === 'string' && value.length > META_VALUE_MAX) {
      found.push({ pointer: at, message: `Value is too long (limit: ${META_VALUE_MAX} characters)` });
    }
  }
  return found;
}

function coreRuleIssues(data: Plain): Array<{ pointer: string; message: string }> {
  const found: Array<{ pointer: string; message: string }> = [];
  const add = (pointer: string, message: string) => found.push({ pointer, message });
  const dev = data.dev === true;

  if (!dev && (typeof data.data_dir !== 'string' || data.data_dir === ''))
    add('/data_dir', 'data_dir cannot be empty');
  if (data.datacenter === '') add('/datacenter', 'datacenter cannot be empty');
  else if (typeof data.datacenter === 'string' && !/^[a-z0-9_-]+$/.test(data.datacenter)) {
    add('/datacenter', 'datacenter can only contain lowercase alphanumeric, - or _ characters.');
  }
  if (data.node_name === '') add('/node_name', 'node_name cannot be empty');
  if (typeof data.log_level === 'string' && !LOG_LEVELS.includes(data.log_level)) {
    add(
      '/log_level',
      `invalid log level ${JSON.stringify(data.log_level)}; valid levels are ${LOG_LEVELS.join(', ')}`,
    );
  }

  const expect = typeof data.bootstrap_expect === 'number' ? data.bootstrap_expect : 0;
  if (expect > 0 && dev) add('/bootstrap_expect', "'bootstrap_expect > 0' not allowed in dev mode");
  else if (expect > 0 && data.bootstrap === true) {
    add('/bootstrap_expect', "'bootstrap_expect > 0' and 'bootstrap = true' are mutually exclusive");
  }
  if (expect > 0 && data.server !== true)
    add('/bootstrap_expect', "'bootstrap_expect > 0' requires 'server = true'");
  if (data.bootstrap === true && data.server !== true)
    add('/bootstrap', "'bootstrap = true' requires 'server = true'");

  if (typeof data.encrypt === 'string' && data.encrypt !== '' && !validGossipKey(data.encrypt)) {
    add('/encrypt', 'encrypt has invalid key: it must be 16, 24 or 32 bytes, base64-encoded');
  }
  found.push(...metaIssues(data.node_meta, '/node_meta', 'Node metadata'));
  return found;
}

function validGossipKey(key: string): boolean {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(key) || key.length % 4 !== 0) return false;
  return [16, 24, 32].includes(Buffer.from(key, 'base64').length);
}

type Found = Array<{ pointer: string; message: string }>;

const CHECK_KINDS = ['args', 'http', 'tcp', 'udp', 'grpc', 'ttl', 'alias_service', 'alias_node'] as const;
const INTERVAL_KINDS = new Set(['args', 'http', 'tcp', 'udp', 'grpc']);

function isSet(value: unknown): boolean {
  return (
    value !== undefined && value !== null && value !== '' && !(Array.isArray(value) && value.length === 0)
  );
}

function durationNs(value: unknown): bigint | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    return parseGoDurationNs(value);
  } catch {
    return undefined;
  }
}

/** Consul's check rules: a kind, an interval for the polling kinds, and scripts only when enabled. */
function checkIssues(check: unknown, pointer: string, scriptsAllowed: boolean): Found {
  if (!isPlainObject(check)) return [];
  const found: Found = [];
  const kinds = CHECK_KINDS.filter((kind) => isSet(check[kind]));
  if (kinds.length === 0) {
    found.push({
      pointer,
      message: `check must define one of ${CHECK_KINDS.slice(0, -1).join(', ')} or ${CHECK_KINDS.at(-1)}`,
    });
    return found;
  }
  const interval = durationNs(check.interval);
  const ttl = durationNs(check.ttl);
  if (kinds.some((kind) => INTERVAL_KINDS.has(kind)) && !(interval !== undefined && interval > 0n)) {
    if (check.interval === undefined || interval !== undefined) {
      found.push({
        pointer: `${pointer}/interval`,
        message: 'Interval must be > 0 for Script, HTTP, H2PING, TCP, UDP or GRPC checks',
      });
    }
  }
  if (isSet(check.interval) && isSet(check.ttl)) {
    found.push({ pointer, message: 'Interval and TTL cannot both be specified' });
  }
  if (kinds.length === 1 && kinds[0] === 'ttl' && ttl !== undefined && ttl <= 0n) {
    found.push({ pointer: `${pointer}/ttl`, message: 'TTL must be > 0 for TTL checks' });
  }
  if (isSet(check.args) && !scriptsAllowed) {
    found.push({
      pointer: `${pointer}/args`,
      message:
        "Scripts are disabled on this agent; to enable, configure 'enable_script_checks' or 'enable_local_script_checks' to true",
    });
  }
  return found;
}

/** Rules across services and checks that a JSON Schema cannot express with a clear message. */
function definitionIssues(data: Plain): Found {
  const scriptsAllowed = data.enable_script_checks === true || data.enable_local_script_checks === true;
  const found: Found = [];
  if (Array.isArray(data.checks)) {
    data.checks.forEach((check, i) => {
      found.push(...checkIssues(check, `/checks/${i}`, scriptsAllowed));
    });
  }
  if (Array.isArray(data.services)) {
    data.services.forEach((service, i) => {
      if (!isPlainObject(service)) return;
      const at = `/services/${i}`;
      found.push(...metaIssues(service.meta, `${at}/meta`, 'Service meta'));
      if (service.check !== undefined)
        found.push(...checkIssues(service.check, `${at}/check`, scriptsAllowed));
      if (Array.isArray(service.checks)) {
        service.checks.forEach((check, j) => {
          found.push(...checkIssues(check, `${at}/checks/${j}`, scriptsAllowed));
        });
      }
    });
  }
  return found;
}
