/**
 * The JSON the /v1/agent endpoints answer with, in Consul's field names and order: AgentService,
 * HealthCheck, the gossip Member, /v1/agent/self with its Stats, and the metrics summary built from
 * a prom-client registry that each kernel owns.
 */
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import {
  Gauge,
  type MetricObjectWithValues,
  type MetricValue,
  type MetricValueWithName,
  Registry,
} from 'prom-client';
import type { AgentConfig } from '../../core/config/types.js';
import type { ConsensusStatus } from '../../core/consensus.js';
import type { Member } from '../../core/hooks.js';
import type { Kernel } from '../../core/kernel.js';
import { stringifyJson } from '../../core/util/json.js';
import type { ServiceInput } from '../catalog/types.js';
import type { LocalCheckRow } from './definitions.js';

export interface BuildInfo {
  version: string;
  prerelease: string;
  revision: string;
}

/** Consul's placeholder for a build without a recorded date. */
export const UNKNOWN_BUILD_DATE = '1970-01-01T00:00:01Z';

/** api.AgentService; omitempty fields are left out when empty, as Go does. */
export function agentServiceJson(service: ServiceInput, datacenter: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (service.Kind) out.Kind = service.Kind;
  out.ID = service.ID;
  out.Service = service.Service;
  out.Tags = [...service.Tags];
  out.Meta = { ...service.Meta };
  out.Port = service.Port;
  out.Address = service.Address;
  if (service.SocketPath) out.SocketPath = service.SocketPath;
  if (service.TaggedAddresses && Object.keys(service.TaggedAddresses).length > 0) {
    out.TaggedAddresses = structuredClone(service.TaggedAddresses);
  }
  out.Weights = {
    Passing: service.Weights.Passing > 0 ? service.Weights.Passing : 1,
    Warning: service.Weights.Warning,
  };
  out.EnableTagOverride = service.EnableTagOverride;
  out.Datacenter = datacenter;
  return out;
}

/** A stable hash of a response (Consul's ContentHash: 16 hex digits). */
export function contentHash(value: unknown): string {
  return createHash('sha256').update(stringifyJson(value)).digest('hex').slice(0, 16);
}

/** AgentService plus ContentHash, placed where Consul places it. */
export function agentServiceWithHash(service: ServiceInput, datacenter: string): Record<string, unknown> {
  const base = agentServiceJson(service, datacenter);
  const hash = contentHash(base);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(base)) {
    if (key === 'Datacenter') out.ContentHash = hash;
    out[key] = value;
  }
  return out;
}

/** structs.HealthCheck as the agent endpoints print it (local checks carry no raft indexes). */
export function healthCheckJson(check: LocalCheckRow, node: string): Record<string, unknown> {
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
    Type: check.Type,
    Interval: check.Interval,
    Timeout: check.Timeout,
    ExposedPort: check.ExposedPort,
    Definition: structuredClone(check.Definition),
    CreateIndex: 0,
    ModifyIndex: 0,
  };
}

/** serf.Member with the protocol numbers a Consul agent reports. */
export function memberJson(member: Member): Record<string, unknown> {
  return {
    Name: member.name,
    Addr: member.addr,
    Port: member.port,
    Tags: { ...member.tags },
    Status: member.status,
    ProtocolMin: 1,
    ProtocolMax: 5,
    ProtocolCur: 2,
    DelegateMin: 2,
    DelegateMax: 5,
    DelegateCur: 4,
  };
}

function advertiseAddress(config: AgentConfig): string {
  if (config.advertise_addr) return config.advertise_addr;
  return config.bind_addr === '0.0.0.0' || config.bind_addr === '::' ? '127.0.0.1' : config.bind_addr;
}

/** This agent as a gossip member, until the gossip plugin reports the real pool. */
export function localMember(config: AgentConfig, build: BuildInfo, wan = false): Member {
  const tags: Record<string, string> = {
    role: config.server ? 'consul' : 'node',
    dc: config.datacenter,
    segment: '',
    id: config.node_id ?? '',
    vsn: '2',
    vsn_min: '2',
    vsn_max: '3',
    build: `${build.version}:${build.revision.slice(0, 8)}`,
  };
  if (config.server) {
    tags.port = String(config.ports.server);
    tags.raft_vsn = '3';
    tags.wan_join_port = String(config.ports.serf_wan);
    if (config.bootstrap) tags.bootstrap = '1';
    if (config.bootstrap_expect > 0) tags.expect = String(config.bootstrap_expect);
  }
  return {
    name: wan ? `${config.node_name}.${config.datacenter}` : config.node_name,
    addr: advertiseAddress(config),
    port: wan ? config.ports.serf_wan : config.ports.serf_lan,
    tags,
    status: 1,
  };
}

const SENSITIVE_KEY = /token|secret|password|encrypt|private|key_file|cert_file|header/i;

/** A copy of the configuration with every secret replaced by "hidden", as Consul's Sanitized(). */
export function redactConfig(value: unknown, sensitive = false): unknown {
  if (typeof value === 'string') return sensitive && value !== '' ? 'hidden' : value;
  if (Array.isArray(value)) return value.map((item) => redactConfig(item, sensitive));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      out[key] = redactConfig(inner, sensitive || SENSITIVE_KEY.test(key));
    }
    return out;
  }
  if (typeof value === 'function' || typeof value === 'symbol') return undefined;
  return value;
}

export interface StatsInput {
  config: AgentConfig;
  build: BuildInfo;
  services: number;
  checks: number;
  ttlChecks: number;
  scriptChecks: number;
  members: number;
  consensus: ConsensusStatus | undefined;
  reloadError: string | null;
}

const GO_ARCH: Readonly<Record<string, string>> = { x64: 'amd64', ia32: '386', arm: 'arm', arm64: 'arm64' };

/** The sections `consul info` prints; every value is a string, as in Consul. */
export function agentStats(input: StatsInput): Record<string, Record<string, string>> {
  const { config, consensus } = input;
  const cpus = String(availableParallelism());
  const stats: Record<string, Record<string, string>> = {
    agent: {
      check_monitors: String(input.scriptChecks),
      check_ttls: String(input.ttlChecks),
      checks: String(input.checks),
      services: String(input.services),
      last_reload_error: input.reloadError ?? '',
    },
    build: {
      prerelease: input.build.prerelease,
      revision: input.build.revision,
      version: input.build.version,
      version_metadata: '',
    },
    consul: {
      acl: isAclEnabled(config) ? 'enabled' : 'disabled',
      bootstrap: String(config.bootstrap),
      known_datacenters: '1',
      leader: String(consensus?.isLeader ?? false),
      leader_addr: consensus?.leader ?? '',
      server: String(config.server),
    },
    runtime: {
      arch: GO_ARCH[process.arch] ?? process.arch,
      cpu_count: cpus,
      goroutines: '0',
      max_procs: cpus,
      os: process.platform,
      version: process.version,
    },
    serf_lan: {
      coordinate_resets: '0',
      encrypted: String(typeof config.encrypt === 'string' && config.encrypt !== ''),
      event_queue: '0',
      event_time: '1',
      failed: '0',
      health_score: '0',
      intent_queue: '0',
      left: '0',
      member_time: '1',
      members: String(input.members),
      query_queue: '0',
      query_time: '1',
    },
  };
  if (config.server && consensus) {
    stats.raft = {
      applied_index: String(consensus.appliedIndex),
      commit_index: String(consensus.commitIndex),
      fsm_pending: '0',
      last_contact: consensus.isLeader ? '0' : `${Math.round(consensus.lastContactMs)}ms`,
      num_peers: String(Math.max(0, consensus.peers.length - 1)),
      protocol_version: '3',
      protocol_version_max: '3',
      protocol_version_min: '0',
      state: consensus.isLeader ? 'Leader' : 'Follower',
      term: String(consensus.term),
    };
  }
  return stats;
}

function isAclEnabled(config: AgentConfig): boolean {
  const acl = config.acl;
  return typeof acl === 'object' && acl !== null && (acl as { enabled?: unknown }).enabled === true;
}

export interface SelfInput extends StatsInput {
  member: Member;
}

/** GET /v1/agent/self. */
export function selfJson(input: SelfInput): Record<string, unknown> {
  const { config, build } = input;
  return {
    Config: {
      Datacenter: config.datacenter,
      PrimaryDatacenter: config.primary_datacenter ?? config.datacenter,
      NodeName: config.node_name,
      NodeID: config.node_id ?? '',
      Revision: build.revision,
      Server: config.server,
      Version: build.version,
      BuildDate: UNKNOWN_BUILD_DATE,
    },
    DebugConfig: redactConfig(config),
    Coord: null,
    Member: memberJson(input.member),
    Stats: agentStats(input),
    Meta: { ...config.node_meta, 'consul-network-segment': '' },
    ReloadError: input.reloadError,
  };
}

// ---------------------------------------------------------------------------------------------
// Metrics.

const registries = new WeakMap<Kernel, Registry>();
/** Prometheus names of metrics whose Consul name has dots; filled by metricName(). */
const dottedNames = new Map<string, string>();

/**
 * The Prometheus-safe name for a Consul metric name (`consul.runtime.alloc_bytes` →
 * `consul_runtime_alloc_bytes`); the JSON summary shows the dotted name again.
 */
export function metricName(dotted: string): string {
  const prom = dotted.replace(/[^a-zA-Z0-9_:]/g, '_');
  dottedNames.set(prom, dotted);
  return prom;
}

/** The metrics registry of one kernel; plugins register their metrics here. */
export function getMetricsRegistry(kernel: Kernel): Registry {
  let registry = registries.get(kernel);
  if (!registry) {
    registry = new Registry();
    registerRuntimeMetrics(registry);
    registries.set(kernel, registry);
  }
  return registry;
}

function registerRuntimeMetrics(registry: Registry): void {
  const gauges: [string, string, () => number][] = [
    ['consul.runtime.alloc_bytes', 'Bytes of heap in use', () => process.memoryUsage().heapUsed],
    ['consul.runtime.sys_bytes', 'Resident set size in bytes', () => process.memoryUsage().rss],
    ['consul.runtime.heap_total_bytes', 'Bytes of heap reserved', () => process.memoryUsage().heapTotal],
  ];
  for (const [dotted, help, read] of gauges) {
    new Gauge({
      name: metricName(dotted),
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  }
}

/** go-metrics' interval stamp: `2006-01-02 15:04:05 +0000 UTC`, at the start of the 10s interval. */
function intervalStamp(nowMs: number): string {
  const start = new Date(nowMs - (nowMs % 10_000));
  const iso = start.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} +0000 UTC`;
}

const INTERVAL_SECONDS = 10;

function labelsOf(value: MetricValue<string>): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [key, label] of Object.entries(value.labels ?? {})) {
    if (key !== 'le' && key !== 'quantile') labels[key] = String(label);
  }
  return labels;
}

interface SampleAccumulator {
  labels: Record<string, string>;
  count: number;
  sum: number;
}

/** Histogram and summary series grouped by their labels into count and sum. */
function samplesOf(metric: MetricObjectWithValues<MetricValue<string>>): SampleAccumulator[] {
  const groups = new Map<string, SampleAccumulator>();
  for (const value of metric.values as MetricValueWithName<string>[]) {
    const suffix = value.metricName?.slice(metric.name.length) ?? '';
    if (suffix !== '_count' && suffix !== '_sum') continue;
    const labels = labelsOf(value);
    const key = stringifyJson(labels);
    let group = groups.get(key);
    if (!group) {
      group = { labels, count: 0, sum: 0 };
      groups.set(key, group);
    }
    if (suffix === '_count') group.count = value.value;
    else group.sum = value.value;
  }
  return [...groups.values()];
}

/** GET /v1/agent/metrics without `format=prometheus`: go-metrics' JSON summary shape. */
export async function metricsJson(registry: Registry, nowMs: number): Promise<Record<string, unknown>> {
  const gauges: Record<string, unknown>[] = [];
  const counters: Record<string, unknown>[] = [];
  const samples: Record<string, unknown>[] = [];
  for (const metric of await registry.getMetricsAsJSON()) {
    const name = dottedNames.get(metric.name) ?? metric.name;
    const type = String(metric.type);
    if (type === 'gauge') {
      for (const value of metric.values)
        gauges.push({ Name: name, Value: value.value, Labels: labelsOf(value) });
    } else if (type === 'counter') {
      for (const value of metric.values) {
        const total = value.value;
        counters.push({
          Name: name,
          Count: total,
          Rate: total / INTERVAL_SECONDS,
          Sum: total,
          Min: total,
          Max: total,
          Mean: total,
          Stddev: 0,
          Labels: labelsOf(value),
        });
      }
    } else {
      for (const group of samplesOf(metric)) {
        const mean = group.count > 0 ? group.sum / group.count : 0;
        samples.push({
          Name: name,
          Count: group.count,
          Rate: group.sum / INTERVAL_SECONDS,
          Sum: group.sum,
          Min: mean,
          Max: mean,
          Mean: mean,
          Stddev: 0,
          Labels: group.labels,
        });
      }
    }
  }
  return {
    Timestamp: intervalStamp(nowMs),
    Gauges: gauges,
    Points: [],
    Counters: counters,
    Samples: samples,
  };
}
