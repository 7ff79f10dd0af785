/**
 * Service and check definitions → the rows the agent holds and syncs to the catalog, with Consul's
 * derivations (default IDs and names, critical status, weights 1/1, the check's Type) and Consul's
 * validation texts for API bodies. Pure: no I/O, no clock.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { canonicalCheckDefinition, canonicalServiceDefinition } from '../../core/config/canonical.js';
import type { ServiceCheckDefinition, ServiceDefinition } from '../../core/config/types.js';
import { TribuneError } from '../../core/errors.js';
import type { CheckStatus } from '../../core/hooks.js';
import { formatGoDurationNs, parseGoDurationNs } from '../../core/util/duration.js';
import type { CheckDefinitionRow, CheckInput, ServiceAddress, ServiceInput } from '../catalog/types.js';

/** A check as the agent holds it: the catalog's input row plus the service fields the agent API shows. */
export interface LocalCheckRow extends CheckInput {
  ServiceName: string;
  ServiceTags: string[];
}

export interface CheckRegistration {
  row: LocalCheckRow;
  /** The definition in our snake_case spelling, kept for persistence and for the health plugin. */
  definition: ServiceCheckDefinition;
  /** Whether the definition chose the initial status (otherwise a re-registration keeps the old one). */
  statusGiven: boolean;
}

export interface ServiceRegistration {
  service: ServiceInput;
  checks: CheckRegistration[];
  token: string;
}

const STATUSES: readonly string[] = ['passing', 'warning', 'critical'];

export function isCheckStatus(value: unknown): value is CheckStatus {
  return typeof value === 'string' && STATUSES.includes(value);
}

// ---------------------------------------------------------------------------------------------
// Decoding API bodies: any spelling → our snake_case shape, with Go's type errors as 400s.

type Plain = Record<string, unknown>;

function isPlain(value: unknown): value is Plain {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const ACRONYMS: Readonly<Record<string, string>> = {
  id: 'ID',
  http: 'HTTP',
  tcp: 'TCP',
  udp: 'UDP',
  grpc: 'GRPC',
  ttl: 'TTL',
  tls: 'TLS',
};

/** `tls_skip_verify` → `TLSSkipVerify`, for error texts in Go's field spelling. */
function pascal(snake: string): string {
  return snake
    .split('_')
    .map((part) => ACRONYMS[part] ?? part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'bigint') return 'number';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'object' : typeof value;
}

function decodeFailure(struct: string, key: string, value: unknown, goType: string): TribuneError {
  return new TribuneError(
    'BAD_REQUEST',
    `Request decode failed: json: cannot unmarshal ${jsonKind(value)} into Go struct field ${struct}.${pascal(key)} of type ${goType}`,
  );
}

type FieldKind = 'string' | 'bool' | 'int' | 'duration' | 'strings' | 'stringMap' | 'header';

const GO_TYPES: Readonly<Record<FieldKind, string>> = {
  string: 'string',
  bool: 'bool',
  int: 'int',
  duration: 'time.Duration',
  strings: '[]string',
  stringMap: 'map[string]string',
  header: 'map[string][]string',
};

/** Checks one value against its Go type; returns the value to keep (durations normalised to strings). */
function decodeField(struct: string, key: string, value: unknown, kind: FieldKind): unknown {
  const fail = () => decodeFailure(struct, key, value, GO_TYPES[kind]);
  switch (kind) {
    case 'string':
      if (typeof value !== 'string') throw fail();
      return value;
    case 'bool':
      if (typeof value !== 'boolean') throw fail();
      return value;
    case 'int':
      if (typeof value === 'bigint' || (typeof value === 'number' && Number.isInteger(value)))
        return Number(value);
      throw fail();
    case 'duration':
      // Go accepts a duration string or a number of nanoseconds.
      if (typeof value === 'number' || typeof value === 'bigint') {
        return formatGoDurationNs(BigInt(typeof value === 'number' ? Math.trunc(value) : value));
      }
      if (typeof value !== 'string') throw fail();
      try {
        parseGoDurationNs(value);
      } catch (err) {
        throw new TribuneError('BAD_REQUEST', `Request decode failed: ${(err as Error).message}`);
      }
      return value;
    case 'strings':
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw fail();
      return value;
    case 'stringMap':
      if (!isPlain(value) || Object.values(value).some((v) => typeof v !== 'string')) throw fail();
      return value;
    case 'header':
      if (
        !isPlain(value) ||
        Object.values(value).some((v) => !Array.isArray(v) || v.some((s) => typeof s !== 'string'))
      )
        throw fail();
      return value;
  }
}

const CHECK_FIELDS: Readonly<Record<string, FieldKind>> = {
  id: 'string',
  name: 'string',
  notes: 'string',
  status: 'string',
  service_id: 'string',
  interval: 'duration',
  timeout: 'duration',
  ttl: 'duration',
  args: 'strings',
  http: 'string',
  method: 'string',
  header: 'header',
  body: 'string',
  disable_redirects: 'bool',
  tls_server_name: 'string',
  tls_skip_verify: 'bool',
  tcp: 'string',
  tcp_use_tls: 'bool',
  udp: 'string',
  grpc: 'string',
  grpc_use_tls: 'bool',
  alias_node: 'string',
  alias_service: 'string',
  deregister_critical_service_after: 'duration',
  success_before_passing: 'int',
  failures_before_warning: 'int',
  failures_before_critical: 'int',
  output_max_size: 'int',
};

const SERVICE_FIELDS: Readonly<Record<string, FieldKind>> = {
  id: 'string',
  name: 'string',
  tags: 'strings',
  address: 'string',
  port: 'int',
  meta: 'stringMap',
  enable_tag_override: 'bool',
  token: 'string',
  kind: 'string',
  socket_path: 'string',
};

/** JSON nulls mean "not given", as they do for Go's pointer and slice fields. */
function decodeFields(struct: string, raw: Plain, fields: Readonly<Record<string, FieldKind>>): Plain {
  const out: Plain = {};
  for (const [key, kind] of Object.entries(fields)) {
    const value = raw[key];
    if (value === undefined || value === null) continue;
    out[key] = decodeField(struct, key, value, kind);
  }
  return out;
}

function decodeCheckObject(struct: string, raw: unknown): ServiceCheckDefinition {
  if (!isPlain(raw)) throw decodeFailure(struct, 'check', raw, 'structs.CheckType');
  return decodeFields(struct, canonicalCheckDefinition(raw) as Plain, CHECK_FIELDS) as ServiceCheckDefinition;
}

function requireObjectBody(raw: unknown, goType: string): Plain {
  if (raw === undefined) throw new TribuneError('BAD_REQUEST', 'Request decode failed: EOF');
  if (!isPlain(raw)) {
    throw new TribuneError(
      'BAD_REQUEST',
      `Request decode failed: json: cannot unmarshal ${jsonKind(raw)} into Go value of type ${goType}`,
    );
  }
  return raw;
}

/** A check registration body (`PUT /v1/agent/check/register`) in our spelling. */
export function decodeCheckBody(raw: unknown): ServiceCheckDefinition {
  return decodeCheckObject('CheckDefinition', requireObjectBody(raw, 'structs.CheckDefinition'));
}

/** The body of `PUT /v1/agent/check/update/:id`: `{Status, Output}`, both strings. */
export function decodeCheckUpdateBody(raw: unknown): { status: string; output: string } {
  const body = requireObjectBody(raw, 'agent.checkUpdate');
  const fields = decodeFields('checkUpdate', lowerCaseKeys(body), { status: 'string', output: 'string' });
  return { status: (fields.status as string) ?? '', output: (fields.output as string) ?? '' };
}

/** Go matches field names without regard to case. */
function lowerCaseKeys(raw: Plain): Plain {
  const out: Plain = {};
  for (const [key, value] of Object.entries(raw)) out[key.toLowerCase()] = value;
  return out;
}

/** A service registration body (`PUT /v1/agent/service/register`) in our spelling. */
export function decodeServiceBody(raw: unknown): ServiceDefinition {
  const canonical = canonicalServiceDefinition(
    requireObjectBody(raw, 'structs.ServiceDefinition'),
  ) as unknown as Plain;
  const out = decodeFields('ServiceDefinition', canonical, SERVICE_FIELDS);
  const tagged = canonical.tagged_addresses;
  if (tagged !== undefined && tagged !== null) {
    if (!isPlain(tagged)) throw decodeFailure('ServiceDefinition', 'tagged_addresses', tagged, 'map');
    const addresses: Record<string, { address: string; port: number }> = {};
    for (const [name, entry] of Object.entries(tagged)) {
      if (!isPlain(entry))
        throw decodeFailure('ServiceDefinition', 'tagged_addresses', entry, 'ServiceAddress');
      const fields = decodeFields('ServiceAddress', entry, { address: 'string', port: 'int' });
      addresses[name] = { address: (fields.address as string) ?? '', port: (fields.port as number) ?? 0 };
    }
    out.tagged_addresses = addresses;
  }
  const weights = canonical.weights;
  if (weights !== undefined && weights !== null) {
    if (!isPlain(weights)) throw decodeFailure('ServiceDefinition', 'weights', weights, 'structs.Weights');
    out.weights = decodeFields('Weights', weights, { passing: 'int', warning: 'int' });
  }
  if (canonical.check !== undefined && canonical.check !== null) {
    const check = decodeCheckObject('ServiceDefinition.Check', canonical.check);
    // An empty check block is Go's zero CheckType: ignored, not validated.
    if (Object.keys(check).length > 0) out.check = check;
  }
  if (canonical.checks !== undefined && canonical.checks !== null) {
    if (!Array.isArray(canonical.checks)) {
      throw decodeFailure('ServiceDefinition', 'checks', canonical.checks, 'structs.CheckTypes');
    }
    out.checks = canonical.checks.map((c) => decodeCheckObject('ServiceDefinition.Checks', c));
  }
  if (out.name === undefined) out.name = '';
  return out as unknown as ServiceDefinition;
}

// ---------------------------------------------------------------------------------------------
// Validation with Consul's texts.

function durationNs(value: string | undefined): bigint {
  if (value === undefined || value === '') return 0n;
  try {
    return parseGoDurationNs(value);
  } catch {
    return 0n;
  }
}

const nonEmpty = (value: string | undefined): boolean => value !== undefined && value !== '';

/** Consul's CheckType.Validate(); undefined when the check is valid. */
export function checkTypeProblem(def: ServiceCheckDefinition): string | undefined {
  const isScript = (def.args?.length ?? 0) > 0;
  const intervalCheck =
    isScript || nonEmpty(def.http) || nonEmpty(def.tcp) || nonEmpty(def.udp) || nonEmpty(def.grpc);
  const isAlias = nonEmpty(def.alias_node) || nonEmpty(def.alias_service);
  const interval = durationNs(def.interval);
  const ttl = durationNs(def.ttl);
  if (interval > 0n && ttl > 0n) return 'Interval and TTL cannot both be specified';
  if (intervalCheck && interval <= 0n) {
    return 'Interval must be > 0 for Script, HTTP, H2PING, TCP, UDP or OSService checks';
  }
  if (intervalCheck && isAlias) return 'Interval cannot be set for Alias checks';
  if (isAlias && ttl > 0n) return 'TTL must be not be set for Alias checks';
  if (!intervalCheck && !isAlias && ttl <= 0n) return 'TTL must be > 0 for TTL checks';
  if ((def.output_max_size ?? 0) < 0) return 'MaxOutputMaxSize must be positive';
  if ((def.failures_before_warning ?? 0) > (def.failures_before_critical ?? 0)) {
    return "FailuresBeforeWarning can't be higher than FailuresBeforeCritical";
  }
  return undefined;
}

function weightsProblem(weights: { passing?: number; warning?: number }): string | undefined {
  const passing = weights.passing ?? 0;
  const warning = weights.warning ?? 0;
  if (passing < 1) return 'Passing must be greater than 0';
  if (warning < 0) return 'Warning must be greater or equal than 0';
  if (passing > 65535 || warning > 65535) return 'DNS Weight must be between 0 and 65535';
  return undefined;
}

const META_MAX_PAIRS = 64;
const META_KEY_MAX = 128;
const META_VALUE_MAX = 512;

/** Consul's structs.ValidateMetadata, texts included ("Node metadata" even for services, as Consul says). */
export function metadataProblem(meta: Record<string, string>): string | undefined {
  const entries = Object.entries(meta);
  if (entries.length > META_MAX_PAIRS) {
    return `Node metadata cannot contain more than ${META_MAX_PAIRS} key/value pairs`;
  }
  for (const [key, value] of entries) {
    let reason: string | undefined;
    if (key === '') reason = 'Key cannot be blank';
    else if (!/^[a-zA-Z0-9_-]+$/.test(key)) reason = 'Key contains invalid characters';
    else if (key.length > META_KEY_MAX) reason = `Key is too long (limit: ${META_KEY_MAX} characters)`;
    else if (key.startsWith('consul-')) reason = "Key prefix 'consul-' is reserved for internal use";
    else if (value.length > META_VALUE_MAX)
      reason = `Value is too long (limit: ${META_VALUE_MAX} characters)`;
    if (reason !== undefined) return `Couldn't load metadata pair ('${key}', '${value}'): ${reason}`;
  }
  return undefined;
}

const ANY_ADDRESSES = new Set(['0.0.0.0', '::', '[::]']);

/** The checks of a service in Consul's order: `check` first, then `checks`. */
export function serviceCheckDefinitions(def: ServiceDefinition): ServiceCheckDefinition[] {
  return [...(def.check !== undefined ? [def.check] : []), ...(def.checks ?? [])];
}

const bad = (message: string) => new TribuneError('BAD_REQUEST', message);

/** The checks AgentRegisterService makes before it touches any state, in its order. */
export function validateServiceRegistration(def: ServiceDefinition): void {
  if (!nonEmpty(def.name)) throw bad('Missing service name');
  if (def.address !== undefined && ANY_ADDRESSES.has(def.address)) throw bad('Invalid service address');
  if (def.weights !== undefined) {
    const problem = weightsProblem(def.weights);
    if (problem) throw bad(`Invalid Weights: ${problem}`);
  }
  const metaProblem = metadataProblem(def.meta ?? {});
  if (metaProblem) throw bad(`Invalid Service Meta: ${metaProblem}`);
  const checks = serviceCheckDefinitions(def);
  for (const check of checks) {
    const problem = checkTypeProblem(check);
    if (problem) throw bad(`Invalid check: ${problem}`);
  }
  for (const check of checks) {
    const status: string | undefined = check.status;
    if (status !== undefined && status !== '' && !isCheckStatus(status)) {
      throw bad("Status for checks must 'passing', 'warning', 'critical'");
    }
  }
}

/** The checks AgentRegisterCheck makes before it looks at the service. */
export function validateCheckRegistration(def: ServiceCheckDefinition): void {
  if (!nonEmpty(def.name)) throw bad('Missing check name');
  const status: string | undefined = def.status;
  if (status !== undefined && status !== '' && !isCheckStatus(status)) throw bad('Bad check status');
  const problem = checkTypeProblem(def);
  if (problem) throw bad(`Invalid check: ${problem}`);
}

export type DefinitionSource = 'file' | 'api';

/**
 * Consul's rule for script checks: from config files they need enable_script_checks or
 * enable_local_script_checks; over the API only enable_script_checks. Returns Consul's text.
 */
export function scriptCheckRefusal(
  checks: readonly ServiceCheckDefinition[],
  source: DefinitionSource,
  config: { enable_script_checks?: boolean; enable_local_script_checks?: boolean },
): string | undefined {
  if (!checks.some((c) => (c.args?.length ?? 0) > 0)) return undefined;
  const remote = config.enable_script_checks === true;
  if (source === 'file' && !remote && config.enable_local_script_checks !== true) {
    return "Scripts are disabled on this agent; to enable, configure 'enable_script_checks' or 'enable_local_script_checks' to true";
  }
  if (source === 'api' && !remote) {
    return "Scripts are disabled on this agent from remote calls; to enable, configure 'enable_script_checks' to true";
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Rows.

/** Consul's CheckType.Type(): which runner a definition selects ('' when none applies). */
export function checkType(def: ServiceCheckDefinition): string {
  const polled = durationNs(def.interval) > 0n;
  if (nonEmpty(def.grpc) && polled) return 'grpc';
  if (nonEmpty(def.http) && polled) return 'http';
  if (durationNs(def.ttl) > 0n) return 'ttl';
  if (nonEmpty(def.tcp) && polled) return 'tcp';
  if (nonEmpty(def.udp) && polled) return 'udp';
  if (nonEmpty(def.alias_node) || nonEmpty(def.alias_service)) return 'alias';
  if ((def.args?.length ?? 0) > 0) return 'script';
  return '';
}

/** A duration as Go prints it (`90s` → `1m30s`); '' when unset or zero. */
function goDuration(value: string | undefined): string {
  const ns = durationNs(value);
  return ns > 0n ? formatGoDurationNs(ns) : '';
}

function definitionRow(def: ServiceCheckDefinition): CheckDefinitionRow {
  const row: CheckDefinitionRow = {};
  if (nonEmpty(def.http)) row.HTTP = def.http;
  if (def.header !== undefined && Object.keys(def.header).length > 0) row.Header = def.header;
  if (nonEmpty(def.method)) row.Method = def.method;
  if (nonEmpty(def.body)) row.Body = def.body;
  if (nonEmpty(def.tls_server_name)) row.TLSServerName = def.tls_server_name;
  if (def.tls_skip_verify === true) row.TLSSkipVerify = true;
  if (nonEmpty(def.tcp)) row.TCP = def.tcp;
  if (nonEmpty(def.udp)) row.UDP = def.udp;
  if (nonEmpty(def.grpc)) row.GRPC = def.grpc;
  if (def.grpc_use_tls === true) row.GRPCUseTLS = true;
  const interval = goDuration(def.interval);
  if (interval !== '') row.Interval = interval;
  const timeout = goDuration(def.timeout);
  if (timeout !== '') row.Timeout = timeout;
  const deregister = goDuration(def.deregister_critical_service_after);
  if (deregister !== '') row.DeregisterCriticalServiceAfter = deregister;
  return row;
}

/** Consul adds lan/wan IPv4 or IPv6 tagged addresses when a service's address is an IP. */
function taggedAddresses(def: ServiceDefinition, address: string, port: number) {
  const out: Record<string, ServiceAddress> = {};
  for (const [name, value] of Object.entries(def.tagged_addresses ?? {})) {
    out[name] = { Address: value.address ?? '', Port: value.port ?? 0 };
  }
  const family = isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : undefined;
  if (family !== undefined) {
    for (const side of ['lan', 'wan']) out[`${side}_${family}`] ??= { Address: address, Port: port };
  }
  return Object.keys(out).length > 0 ? out : null;
}

/** The service row a definition describes (`id` defaults to the name). */
export function serviceRow(def: ServiceDefinition): ServiceInput {
  const address = def.address ?? '';
  const port = def.port ?? 0;
  return {
    Kind: def.kind ?? '',
    ID: nonEmpty(def.id) ? (def.id as string) : def.name,
    Service: def.name,
    Tags: [...(def.tags ?? [])],
    Address: address,
    TaggedAddresses: taggedAddresses(def, address, port),
    Meta: { ...(def.meta ?? {}) },
    Port: port,
    SocketPath: def.socket_path ?? '',
    Weights: { Passing: def.weights?.passing ?? 1, Warning: def.weights?.warning ?? 1 },
    EnableTagOverride: def.enable_tag_override === true,
  };
}

interface CheckRowOptions {
  id: string;
  name: string;
  service: ServiceInput | undefined;
  /** Consul prints unset durations of checks built from a CheckDefinition as "0s". */
  zeroDurations: boolean;
}

function checkRow(def: ServiceCheckDefinition, opts: CheckRowOptions): CheckRegistration {
  const statusGiven = isCheckStatus(def.status);
  const zero = opts.zeroDurations ? '0s' : '';
  const row: LocalCheckRow = {
    CheckID: opts.id,
    Name: opts.name,
    Status: statusGiven ? (def.status as CheckStatus) : 'critical',
    Notes: def.notes ?? '',
    Output: '',
    ServiceID: opts.service?.ID ?? '',
    ServiceName: opts.service?.Service ?? '',
    ServiceTags: [...(opts.service?.Tags ?? [])],
    Type: checkType(def),
    Interval: goDuration(def.interval) || zero,
    Timeout: goDuration(def.timeout) || zero,
    ExposedPort: 0,
    Definition: definitionRow(def),
  };
  const definition: ServiceCheckDefinition = { ...def, id: opts.id, name: opts.name };
  if (opts.service) definition.service_id = opts.service.ID;
  return { row, definition, statusGiven };
}

/**
 * The checks a service definition carries: IDs `service:<id>`, or `service:<id>:<n>` (n from 1)
 * when there are several, names `Service '<name>' check`, unless the definition says otherwise.
 */
export function serviceCheckRegistrations(
  def: ServiceDefinition,
  service: ServiceInput,
): CheckRegistration[] {
  const checks = serviceCheckDefinitions(def);
  return checks.map((check, index) => {
    const fallbackId = checks.length > 1 ? `service:${service.ID}:${index + 1}` : `service:${service.ID}`;
    return checkRow(check, {
      id: nonEmpty(check.id) ? (check.id as string) : fallbackId,
      name: nonEmpty(check.name) ? (check.name as string) : `Service '${service.Service}' check`,
      service,
      zeroDurations: false,
    });
  });
}

/** A stand-alone check (node-level, or attached to `service` through its service_id); ID defaults to the name. */
export function checkRegistration(
  def: ServiceCheckDefinition,
  service: ServiceInput | undefined,
): CheckRegistration {
  const name = def.name ?? '';
  return checkRow(def, {
    id: nonEmpty(def.id) ? (def.id as string) : name,
    name,
    service,
    zeroDurations: true,
  });
}

/** Everything a service definition registers. */
export function serviceRegistration(def: ServiceDefinition): ServiceRegistration {
  const service = serviceRow(def);
  return { service, checks: serviceCheckRegistrations(def, service), token: def.token ?? '' };
}

export const SERVICE_MAINTENANCE_PREFIX = '_service_maintenance:';
export const NODE_MAINTENANCE_CHECK_ID = '_node_maintenance';
export const DEFAULT_SERVICE_MAINTENANCE_REASON =
  'Maintenance mode is enabled for this service, but no reason was provided. This is a default message.';
export const DEFAULT_NODE_MAINTENANCE_REASON =
  'Maintenance mode is enabled for this node, but no reason was provided. This is a default message.';

/** The critical check that takes a service (or, without one, the node) out of service. */
export function maintenanceCheck(service: ServiceInput | undefined, reason: string): CheckRegistration {
  const row: LocalCheckRow = {
    CheckID: service ? `${SERVICE_MAINTENANCE_PREFIX}${service.ID}` : NODE_MAINTENANCE_CHECK_ID,
    Name: service ? 'Service Maintenance Mode' : 'Node Maintenance Mode',
    Status: 'critical',
    Notes: reason || (service ? DEFAULT_SERVICE_MAINTENANCE_REASON : DEFAULT_NODE_MAINTENANCE_REASON),
    Output: '',
    ServiceID: service?.ID ?? '',
    ServiceName: service?.Service ?? '',
    ServiceTags: [...(service?.Tags ?? [])],
    Type: '',
    Interval: '',
    Timeout: '',
    ExposedPort: 0,
    Definition: {},
  };
  const definition: ServiceCheckDefinition = {
    id: row.CheckID,
    name: row.Name,
    notes: row.Notes,
    status: 'critical',
  };
  if (service) definition.service_id = service.ID;
  return { row, definition, statusGiven: true };
}
