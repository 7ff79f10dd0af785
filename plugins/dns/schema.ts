/**
 * The `dns_config` block (Consul's keys and defaults, except enable_truncate, which is on: a
 * trimmed UDP answer says so) and the settings the DNS server reads from it. `domain`, `alt_domain`,
 * `recursors`, `ports.dns`, `addresses.dns` and `client_addr` are core keys.
 */
import type { AgentConfig } from '../../core/config/types.js';
import { parseGoDuration } from '../../core/util/duration.js';
import type { SoaSettings } from './core/records.js';

const duration = { type: 'string', format: 'go-duration' } as const;
const seconds = (fallback: number) =>
  ({ type: 'integer', minimum: 0, maximum: 2147483647, default: fallback }) as const;

export const dnsConfigSchema = {
  dns_config: {
    type: 'object',
    additionalProperties: false,
    default: {},
    properties: {
      /** Serve from this server's store without asking the leader (DNS reads are stale by default). */
      allow_stale: { type: 'boolean', default: true },
      max_stale: { ...duration, default: '87600h' },
      node_ttl: { ...duration, default: '0s' },
      /** Service name, `prefix*` or `*` → TTL. */
      service_ttl: { type: 'object', additionalProperties: duration, default: {} },
      /** Set TC when records were dropped to fit (Consul's default is false: silent trimming). */
      enable_truncate: { type: 'boolean', default: true },
      only_passing: { type: 'boolean', default: false },
      recursor_strategy: { type: 'string', enum: ['sequential', 'random'], default: 'sequential' },
      recursor_timeout: { ...duration, default: '2s' },
      disable_compression: { type: 'boolean', default: false },
      udp_answer_limit: { type: 'integer', minimum: 1, default: 3 },
      a_record_limit: { type: 'integer', minimum: 0, default: 0 },
      enable_additional_node_meta_txt: { type: 'boolean', default: true },
      soa: {
        type: 'object',
        additionalProperties: false,
        default: {},
        properties: {
          refresh: seconds(3600),
          retry: seconds(600),
          expire: seconds(86400),
          min_ttl: seconds(0),
        },
      },
      /** Accepted for compatibility with Consul's agent cache; not used. */
      use_cache: { type: 'boolean', default: false },
      cache_max_age: { ...duration, default: '0s' },
    },
  },
} as const;

export type RecursorStrategy = 'sequential' | 'random';

export interface DnsSettings {
  allowStale: boolean;
  maxStaleMs: number;
  /** Seconds. */
  nodeTtl: number;
  /** Name or `prefix*` → seconds. */
  serviceTtl: Record<string, number>;
  enableTruncate: boolean;
  onlyPassing: boolean;
  recursorStrategy: RecursorStrategy;
  recursorTimeoutMs: number;
  disableCompression: boolean;
  udpAnswerLimit: number;
  aRecordLimit: number;
  nodeMetaTxt: boolean;
  soa: SoaSettings;
}

const MAX_TTL = 2147483647;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function bool(value: unknown, fallback: boolean): boolean {
  return typeof value === 'boolean' ? value : fallback;
}

function integer(value: unknown, fallback: number, min: number): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min ? value : fallback;
}

function durationMs(value: unknown, fallbackMs: number): number {
  if (typeof value !== 'string' || value === '') return fallbackMs;
  try {
    return Math.max(0, parseGoDuration(value));
  } catch {
    return fallbackMs;
  }
}

function ttlSeconds(value: unknown): number {
  return Math.min(MAX_TTL, Math.floor(durationMs(value, 0) / 1000));
}

/** The DNS settings of a config, with Consul's defaults for whatever is missing or unusable. */
export function dnsSettings(config: AgentConfig): DnsSettings {
  const block = isObject(config.dns_config) ? config.dns_config : {};
  const soa = isObject(block.soa) ? block.soa : {};
  const serviceTtl: Record<string, number> = {};
  if (isObject(block.service_ttl)) {
    for (const [name, value] of Object.entries(block.service_ttl)) serviceTtl[name] = ttlSeconds(value);
  }
  return {
    allowStale: bool(block.allow_stale, true),
    maxStaleMs: durationMs(block.max_stale, 87600 * 3600_000),
    nodeTtl: ttlSeconds(block.node_ttl),
    serviceTtl,
    enableTruncate: bool(block.enable_truncate, true),
    onlyPassing: bool(block.only_passing, false),
    recursorStrategy: block.recursor_strategy === 'random' ? 'random' : 'sequential',
    recursorTimeoutMs: durationMs(block.recursor_timeout, 2000) || 2000,
    disableCompression: bool(block.disable_compression, false),
    udpAnswerLimit: integer(block.udp_answer_limit, 3, 1),
    aRecordLimit: integer(block.a_record_limit, 0, 0),
    nodeMetaTxt: bool(block.enable_additional_node_meta_txt, true),
    soa: {
      refresh: Math.min(MAX_TTL, integer(soa.refresh, 3600, 0)),
      retry: Math.min(MAX_TTL, integer(soa.retry, 600, 0)),
      expire: Math.min(MAX_TTL, integer(soa.expire, 86400, 0)),
      minTtl: Math.min(MAX_TTL, integer(soa.min_ttl, 0, 0)),
    },
  };
}
