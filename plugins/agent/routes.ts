/**
 * The /v1/agent/* endpoints. They answer from the agent's local state (no leader needed), write
 * through the agent runtime (local state → data_dir → catalog) and use Consul's status codes and
 * error texts. Paths ending in `{*id}` take IDs containing `/` (sent URL-encoded or not).
 */

import { TribuneError } from '../../core/errors.js';
import { filterMapValues } from '../../core/filter/index.js';
import type { CheckStatus } from '../../core/hooks.js';
import { parseGoDuration } from '../../core/util/duration.js';
import type { ApiReply, ApiRequest } from '../http/request.js';
import type { HttpMethod, RouteRegistrar } from '../http/routes.js';
import {
  checkRegistration,
  decodeCheckBody,
  decodeCheckUpdateBody,
  decodeServiceBody,
  isCheckStatus,
  scriptCheckRefusal,
  serviceCheckDefinitions,
  serviceRegistration,
  validateCheckRegistration,
  validateServiceRegistration,
} from './definitions.js';
import type { AgentRuntime } from './index.js';
import {
  agentServiceJson,
  agentServiceWithHash,
  getMetricsRegistry,
  healthCheckJson,
  localMember,
  memberJson,
  metricsJson,
  selfJson,
} from './shapes.js';

const quote = (value: string): string => JSON.stringify(value);
const empty: ApiReply = {};

function unknownService(id: string): TribuneError {
  return new TribuneError(
    'NOT_FOUND',
    `Unknown service ID ${quote(id)}. Ensure that the service ID is passed, not the service name.`,
  );
}

function unknownCheck(id: string): TribuneError {
  return new TribuneError(
    'NOT_FOUND',
    `Unknown check ID ${quote(id)}. Ensure that the check ID is passed, not the check name.`,
  );
}

/** Go's strconv.ParseBool. */
function parseGoBool(value: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  return undefined;
}

/** The `enable` parameter of the maintenance endpoints, with Consul's 400s. */
function enableParam(req: ApiRequest): boolean {
  if (!req.has('enable')) throw new TribuneError('BAD_REQUEST', 'Missing value for enable');
  const raw = req.get('enable') ?? '';
  const enable = parseGoBool(raw);
  if (enable === undefined) throw new TribuneError('BAD_REQUEST', `Invalid value for enable: ${quote(raw)}`);
  return enable;
}

/** Go maps serialise with sorted keys. */
function sortedObject<T>(entries: [string, T][]): Record<string, T> {
  return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function waitParam(req: ApiRequest, runtime: AgentRuntime): number {
  const config = runtime.config;
  const fallback = parseGoDuration(config.default_query_time);
  const max = parseGoDuration(config.max_query_time);
  const raw = req.get('wait');
  let wait = fallback;
  if (raw !== undefined && raw !== '') {
    try {
      wait = parseGoDuration(raw);
    } catch {
      throw new TribuneError('BAD_REQUEST', 'Invalid wait time');
    }
    if (wait < 0) throw new TribuneError('BAD_REQUEST', 'Invalid wait time');
    if (wait === 0) wait = fallback;
  }
  return Math.min(wait, max);
}

/** GET /v1/agent/service/:id — hash blocking: with `?hash=` it waits until the content hash differs. */
async function getService(req: ApiRequest, runtime: AgentRuntime): Promise<ApiReply> {
  const id = req.params.id ?? '';
  const render = () => {
    const entry = runtime.state.service(id);
    if (!entry) throw new TribuneError('NOT_FOUND', `unknown service ID: ${id}`);
    return agentServiceWithHash(entry.service, runtime.config.datacenter);
  };
  let body = render();
  const hash = req.get('hash') ?? '';
  const wait = waitParam(req, runtime);
  if (hash !== '') {
    const random = runtime.options.random ?? Math.random;
    const deadline = runtime.now() + wait + Math.floor(random() * (wait / 16));
    // Each pass waits for a change or the deadline; a change that leaves the hash alone waits again.
    for (let pass = 0; pass < 100_000 && body.ContentHash === hash && !req.signal.aborted; pass++) {
      const remaining = deadline - runtime.now();
      if (remaining <= 0) break;
      await runtime.state.waitForChange(remaining, req.signal);
      body = render();
    }
  }
  return { body, headers: { 'X-Consul-ContentHash': String(body.ContentHash) } };
}

async function registerService(req: ApiRequest, runtime: AgentRuntime): Promise<ApiReply> {
  const def = decodeServiceBody(await req.json());
  validateServiceRegistration(def);
  const refusal = scriptCheckRefusal(serviceCheckDefinitions(def), 'api', runtime.config);
  if (refusal) throw new TribuneError('INTERNAL', refusal);
  const reg = serviceRegistration(def);
  if (reg.token === '' && req.token) reg.token = req.token;
  const values = req.getAll('replace-existing-checks');
  const replace = values.length > 0 && (values[0] === '' || values[0] === 'true');
  await runtime.registerService(reg, 'api', { replaceExistingChecks: replace });
  return empty;
}

async function registerCheck(req: ApiRequest, runtime: AgentRuntime): Promise<ApiReply> {
  const def = decodeCheckBody(await req.json());
  validateCheckRegistration(def);
  const serviceId = def.service_id ?? '';
  const owner = serviceId !== '' ? runtime.state.service(serviceId) : undefined;
  if (serviceId !== '' && !owner) {
    throw new TribuneError('NOT_FOUND', `ServiceID ${quote(serviceId)} does not exist`);
  }
  const refusal = scriptCheckRefusal([def], 'api', runtime.config);
  if (refusal) throw new TribuneError('INTERNAL', refusal);
  await runtime.registerCheck(checkRegistration(def, owner?.service), 'api', req.token ?? '');
  return empty;
}

/** PUT /v1/agent/check/update/:id with `{Status, Output}`. */
async function updateCheck(req: ApiRequest, runtime: AgentRuntime): Promise<ApiReply> {
  const { status, output } = decodeCheckUpdateBody(await req.json());
  if (!isCheckStatus(status)) throw new TribuneError('BAD_REQUEST', `Invalid check status: '${status}'`);
  await runtime.updateTtlCheck(req.params.id ?? '', status, output);
  return empty;
}

async function reload(runtime: AgentRuntime): Promise<ApiReply> {
  const run = runtime.options.reload;
  if (!run) throw new TribuneError('INTERNAL', 'configuration reload is not available on this agent');
  try {
    await run();
  } catch (err) {
    // Consul answers a failed reload with 500 and the error's text, whatever the cause.
    throw new TribuneError('INTERNAL', err instanceof Error ? err.message : String(err), undefined, {
      cause: err,
    });
  }
  return empty;
}

/** Answers first, then leaves: the leave stops the HTTP server this reply travels through. */
function leave(runtime: AgentRuntime): ApiReply {
  const run = runtime.options.leave ?? (() => runtime.kernel.stop());
  setImmediate(() => {
    run().catch((err: unknown) => runtime.logger.error({ err }, 'graceful leave failed'));
  });
  return empty;
}

async function join(req: ApiRequest, runtime: AgentRuntime): Promise<ApiReply> {
  const address = req.params.address ?? '';
  const wan = (req.get('wan') ?? '') !== '';
  const joined = await runtime.join(address, wan);
  if (joined === undefined) {
    throw new TribuneError('INTERNAL', `gossip is not enabled yet on this agent: cannot join ${address}`);
  }
  return empty;
}

async function metrics(req: ApiRequest, runtime: AgentRuntime): Promise<ApiReply> {
  const registry = getMetricsRegistry(runtime.kernel);
  if (req.get('format') === 'prometheus') {
    return { text: await registry.metrics(), contentType: registry.contentType };
  }
  return { body: await metricsJson(registry, runtime.now()) };
}

function self(runtime: AgentRuntime): ApiReply {
  const { kernel, config, state } = runtime;
  const checks = state.checks();
  const members = runtime.members(false, '');
  const member = members.find((m) => m.name === config.node_name) ?? localMember(config, runtime.buildInfo());
  const consensus = kernel.hasConsensus() ? kernel.consensus.status() : undefined;
  return {
    body: selfJson({
      config,
      build: runtime.buildInfo(),
      services: state.services().length,
      checks: checks.length,
      ttlChecks: checks.filter((c) => c.check.Type === 'ttl').length,
      scriptChecks: checks.filter((c) => c.check.Type === 'script').length,
      members: members.length,
      consensus,
      reloadError: runtime.reloadError(),
      member,
    }),
  };
}

function members(req: ApiRequest, runtime: AgentRuntime): ApiReply {
  const wan = (req.get('wan') ?? '') !== '';
  const segment = req.get('segment') ?? '';
  if (wan && segment !== '' && segment !== '_all') {
    throw new TribuneError('BAD_REQUEST', 'Cannot provide a segment with wan=true');
  }
  return { body: runtime.members(wan, segment).map(memberJson) };
}

function services(req: ApiRequest, runtime: AgentRuntime): ApiReply {
  const dc = runtime.config.datacenter;
  const all = sortedObject(
    runtime.state.services().map((e) => [e.service.ID, agentServiceJson(e.service, dc)]),
  );
  return { body: filterMapValues(all, req.get('filter')) };
}

function checks(req: ApiRequest, runtime: AgentRuntime): ApiReply {
  const node = runtime.config.node_name;
  const all = sortedObject(
    runtime.state.checks().map((e) => [e.check.CheckID, healthCheckJson(e.check, node)]),
  );
  return { body: filterMapValues(all, req.get('filter')) };
}

async function ttlUpdate(req: ApiRequest, runtime: AgentRuntime, status: CheckStatus): Promise<ApiReply> {
  await runtime.updateTtlCheck(req.params.id ?? '', status, req.get('note') ?? '');
  return empty;
}

export function registerAgentRoutes(routes: RouteRegistrar, runtime: AgentRuntime): void {
  const add = (
    method: HttpMethod,
    path: string,
    handler: (req: ApiRequest) => Promise<ApiReply> | ApiReply,
  ) => routes.add({ method, path, handler });
  const token = (req: ApiRequest) => req.token ?? '';

  add('GET', '/v1/agent/self', () => self(runtime));
  add('GET', '/v1/agent/members', (req) => members(req, runtime));
  add('GET', '/v1/agent/metrics', (req) => metrics(req, runtime));
  add('PUT', '/v1/agent/reload', () => reload(runtime));
  add('PUT', '/v1/agent/leave', () => leave(runtime));
  add('PUT', '/v1/agent/join/{*address}', (req) => join(req, runtime));
  add('GET', '/v1/agent/services', (req) => services(req, runtime));
  // The specific service paths come before the GET wildcard below, which would match them too.
  add('PUT', '/v1/agent/service/register', (req) => registerService(req, runtime));
  add('PUT', '/v1/agent/service/deregister/{*id}', async (req) => {
    const id = req.params.id ?? '';
    if (!runtime.state.service(id)) throw unknownService(id);
    await runtime.deregisterService(id);
    return empty;
  });
  add('PUT', '/v1/agent/service/maintenance/{*id}', async (req) => {
    const id = req.params.id ?? '';
    if (id === '') throw new TribuneError('BAD_REQUEST', 'Missing service ID');
    const enable = enableParam(req);
    if (!runtime.state.service(id)) throw unknownService(id);
    await runtime.setServiceMaintenance(id, enable, req.get('reason') ?? '', token(req));
    return empty;
  });
  add('GET', '/v1/agent/service/{*id}', (req) => getService(req, runtime));
  add('PUT', '/v1/agent/maintenance', async (req) => {
    const enable = enableParam(req);
    await runtime.setNodeMaintenance(enable, req.get('reason') ?? '', token(req));
    return empty;
  });
  add('GET', '/v1/agent/checks', (req) => checks(req, runtime));
  add('PUT', '/v1/agent/check/register', (req) => registerCheck(req, runtime));
  add('PUT', '/v1/agent/check/deregister/{*id}', async (req) => {
    const id = req.params.id ?? '';
    if (!runtime.state.check(id)) throw unknownCheck(id);
    await runtime.deregisterCheck(id);
    return empty;
  });
  add('PUT', '/v1/agent/check/pass/{*id}', (req) => ttlUpdate(req, runtime, 'passing'));
  add('PUT', '/v1/agent/check/warn/{*id}', (req) => ttlUpdate(req, runtime, 'warning'));
  add('PUT', '/v1/agent/check/fail/{*id}', (req) => ttlUpdate(req, runtime, 'critical'));
  add('PUT', '/v1/agent/check/update/{*id}', (req) => updateCheck(req, runtime));
}
