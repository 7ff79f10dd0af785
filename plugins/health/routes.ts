/**
 * The health read endpoints: /v1/health/{node,checks,service,state} are blocking queries over the
 * catalog (queries.ts); /v1/agent/health/service/{name,id} answer from this agent's own services
 * and checks, not blocking, with the HTTP status a load balancer reads (200/429/503, 404 unknown).
 */
import { TribuneError } from '../../core/errors.js';
import type { Kernel } from '../../core/kernel.js';
import { getLocalState, type LocalCheckEntry, type LocalServiceEntry } from '../agent/index.js';
import { agentServiceJson } from '../agent/shapes.js';
import { parseNodeMetaFilters } from '../catalog/queries.js';
import { getHttpHooks } from '../http/hooks.js';
import type { ApiReply, ApiRequest } from '../http/request.js';
import type { RouteRegistrar } from '../http/routes.js';
import { type AggregatedStatus, agentHealthHttpStatus, aggregatedStatus } from './aggregate.js';
import {
  parseHealthState,
  queryChecksInState,
  queryNodeHealth,
  queryServiceChecks,
  queryServiceHealth,
} from './queries.js';

// ---- parameters -------------------------------------------------------------------------------

/** A path parameter Consul requires non-empty, with its 400 text. */
function requiredParam(req: ApiRequest, name: string, missing: string): string {
  const value = req.params[name] ?? '';
  if (value === '') throw new TribuneError('BAD_REQUEST', missing);
  return value;
}

/** `?filter` and `?node-meta` (repeatable). `?near` is accepted and ignored: there are no coordinates. */
function listOptions(req: ApiRequest): { filter: string | undefined; nodeMeta: Record<string, string> } {
  return { filter: req.get('filter'), nodeMeta: parseNodeMetaFilters(req.getAll('node-meta')) };
}

const GO_TRUE: ReadonlySet<string> = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const GO_FALSE: ReadonlySet<string> = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** `?passing` as Consul reads it: bare means true, otherwise Go's strconv.ParseBool, else a 400. */
export function passingParam(req: Pick<ApiRequest, 'has' | 'get'>): boolean {
  if (!req.has('passing')) return false;
  const value = req.get('passing') ?? '';
  if (value === '' || GO_TRUE.has(value)) return true;
  if (GO_FALSE.has(value)) return false;
  throw new TribuneError('BAD_REQUEST', 'Invalid value for ?passing');
}

// ---- /v1/health ---------------------------------------------------------------------------------

async function nodeHealth(req: ApiRequest): Promise<ApiReply> {
  const node = requiredParam(req, 'node', 'Missing node name');
  const opts = { filter: req.get('filter') };
  const result = await req.read(() => queryNodeHealth(req.kernel.store, node, opts));
  return { body: result.value, index: result.index };
}

async function serviceChecks(req: ApiRequest): Promise<ApiReply> {
  const service = requiredParam(req, 'service', 'Missing service name');
  const opts = listOptions(req);
  const result = await req.read(() => queryServiceChecks(req.kernel.store, service, opts));
  return { body: result.value, index: result.index };
}

async function serviceHealth(req: ApiRequest): Promise<ApiReply> {
  const service = requiredParam(req, 'service', 'Missing service name');
  const opts = { ...listOptions(req), tags: req.getAll('tag'), passingOnly: passingParam(req) };
  const result = await req.read(() => queryServiceHealth(req.kernel.store, service, opts));
  return { body: result.value, index: result.index };
}

async function checksInState(req: ApiRequest): Promise<ApiReply> {
  const raw = requiredParam(req, 'state', 'Missing check state');
  const state = parseHealthState(raw);
  // Consul itself answers an unknown state with `[]`; we refuse it, with the text of Consul's Go client.
  if (!state) throw new TribuneError('BAD_REQUEST', `Unsupported state: ${raw}`);
  const opts = listOptions(req);
  const result = await req.read(() => queryChecksInState(req.kernel.store, state, opts));
  return { body: result.value, index: result.index };
}

// ---- /v1/agent/health/service -------------------------------------------------------------------

type LocalCheckRow = LocalCheckEntry['check'];

/**
 * A check as the agent health endpoints print it: Consul copies only these fields into an
 * api.HealthCheck, so Type is empty and Definition is the zero value (durations as "0s").
 */
function agentHealthCheckJson(check: LocalCheckRow, node: string) {
  return {
    Node: node,
    CheckID: check.CheckID,
    Name: check.Name,
    Status: check.Status,
    Notes: check.Notes,
    Output: check.Output,
    ServiceID: check.ServiceID,
    ServiceName: check.ServiceName,
    ServiceTags: [...check.ServiceTags],
    Type: '',
    ExposedPort: 0,
    Definition: {
      Interval: '0s',
      Timeout: '0s',
      DeregisterCriticalServiceAfter: '0s',
      HTTP: '',
      Header: null,
      Method: '',
      Body: '',
      TLSServerName: '',
      TLSSkipVerify: false,
      TCP: '',
      UDP: '',
      GRPC: '',
      OSService: '',
      GRPCUseTLS: false,
    },
    CreateIndex: 0,
    ModifyIndex: 0,
  };
}

function byCheckId(a: LocalCheckEntry, b: LocalCheckEntry): number {
  return a.check.CheckID < b.check.CheckID ? -1 : a.check.CheckID > b.check.CheckID ? 1 : 0;
}

/** The checks of a local service: the node's own checks (node maintenance…) first, then the service's. */
function localChecksOf(checks: readonly LocalCheckEntry[], serviceId: string): LocalCheckRow[] {
  const nodeLevel = checks.filter((entry) => entry.check.ServiceID === '').sort(byCheckId);
  const own = checks.filter((entry) => entry.check.ServiceID === serviceId).sort(byCheckId);
  return [...nodeLevel, ...own].map((entry) => entry.check);
}

interface ServiceChecksInfo {
  AggregatedStatus: AggregatedStatus;
  Service: Record<string, unknown>;
  Checks: ReturnType<typeof agentHealthCheckJson>[];
}

function serviceChecksInfo(
  kernel: Kernel,
  entry: LocalServiceEntry,
  checks: readonly LocalCheckEntry[],
): ServiceChecksInfo {
  const rows = localChecksOf(checks, entry.service.ID);
  return {
    AggregatedStatus: aggregatedStatus(rows),
    Service: agentServiceJson(entry.service, kernel.config.datacenter),
    Checks: rows.map((row) => agentHealthCheckJson(row, kernel.config.node_name)),
  };
}

/** Consul answers in plain text when `?format=text` (its Accept: text/plain reading is not offered here). */
function wantsText(req: ApiRequest): boolean {
  return req.get('format') === 'text';
}

function plain(status: number, text: string): ApiReply {
  return { status, text, contentType: 'text/plain' };
}

function agentHealthById(req: ApiRequest): ApiReply {
  const id = requiredParam(req, 'id', 'Missing serviceID');
  const state = getLocalState(req.kernel);
  const entry = state?.service(id);
  if (!state || !entry) {
    const reason = `ServiceId ${id} not found`;
    if (wantsText(req)) return plain(404, reason);
    return { status: 404, body: { AggregatedStatus: 'critical', Service: null, Checks: null } };
  }
  const info = serviceChecksInfo(req.kernel, entry, state.checks());
  const status = agentHealthHttpStatus(info.AggregatedStatus);
  return wantsText(req) ? plain(status, info.AggregatedStatus) : { status, body: info };
}

/** Every local instance of the name (exact, as Consul compares it); the status is the worst of them. */
function agentHealthByName(req: ApiRequest): ApiReply {
  const name = requiredParam(req, 'name', 'Missing service Name');
  const state = getLocalState(req.kernel);
  const checks = state?.checks() ?? [];
  const services = (state?.services() ?? [])
    .filter((entry) => entry.service.Service === name)
    .sort((a, b) => (a.service.ID < b.service.ID ? -1 : a.service.ID > b.service.ID ? 1 : 0));
  let code = 404;
  let summary: string = `ServiceName ${name} Not Found`;
  const result: ServiceChecksInfo[] = [];
  for (const entry of services) {
    const info = serviceChecksInfo(req.kernel, entry, checks);
    result.push(info);
    const instanceCode = agentHealthHttpStatus(info.AggregatedStatus);
    // 200 < 429 < 503: the worst instance decides.
    if (code === 404 || instanceCode > code) {
      code = instanceCode;
      summary = info.AggregatedStatus;
    }
  }
  return wantsText(req) ? plain(code, summary) : { status: code, body: result };
}

// ---- registration ---------------------------------------------------------------------------------

export function addHealthRoutes(routes: RouteRegistrar): void {
  routes.add({ method: 'GET', path: '/v1/health/node/{*node}', handler: nodeHealth });
  routes.add({ method: 'GET', path: '/v1/health/checks/{*service}', handler: serviceChecks });
  routes.add({ method: 'GET', path: '/v1/health/service/{*service}', handler: serviceHealth });
  routes.add({ method: 'GET', path: '/v1/health/state/{*state}', handler: checksInState });
  routes.add({ method: 'GET', path: '/v1/agent/health/service/name/{*name}', handler: agentHealthByName });
  routes.add({ method: 'GET', path: '/v1/agent/health/service/id/{*id}', handler: agentHealthById });
}

/** Adds the health endpoints to the kernel's HTTP API (called from the health plugin's apply). */
export function registerHealthRoutes(kernel: Kernel): void {
  getHttpHooks(kernel).routes.tap('health', addHealthRoutes);
}
