/**
 * Consul's defaults (agent/config/default.go as documented), as the lowest config layer. The node
 * name defaults to the host name, which load.ts fills in: this module stays free of I/O.
 */
import type { AgentConfig, ConfigOverrides } from './types.js';

/** Every default except `node_name`. */
export type DefaultConfig = Pick<
  AgentConfig,
  | 'dev'
  | 'server'
  | 'bootstrap'
  | 'bootstrap_expect'
  | 'datacenter'
  | 'node_meta'
  | 'bind_addr'
  | 'client_addr'
  | 'addresses'
  | 'ports'
  | 'domain'
  | 'recursors'
  | 'retry_join'
  | 'retry_interval'
  | 'retry_max'
  | 'log_level'
  | 'log_json'
  | 'enable_script_checks'
  | 'enable_local_script_checks'
  | 'ui'
  | 'default_query_time'
  | 'max_query_time'
  | 'limits'
  | 'performance'
  | 'services'
  | 'checks'
  | 'watches'
  | 'templates'
  | 'plugins'
>;

/** A fresh copy of the defaults each call, so no caller can alter another's. */
export function defaultConfig(): DefaultConfig {
  return {
    dev: false,
    server: false,
    bootstrap: false,
    bootstrap_expect: 0,
    datacenter: 'dc1',
    node_meta: {},
    bind_addr: '0.0.0.0',
    client_addr: '127.0.0.1',
    addresses: {},
    ports: { dns: 8600, http: 8500, https: -1, grpc: -1, serf_lan: 8301, serf_wan: 8302, server: 8300 },
    domain: 'consul.',
    recursors: [],
    retry_join: [],
    retry_interval: '30s',
    retry_max: 0,
    log_level: 'info',
    log_json: false,
    enable_script_checks: false,
    enable_local_script_checks: false,
    ui: false,
    default_query_time: '300s',
    max_query_time: '600s',
    limits: { kv_max_value_size: 524288, txn_max_req_len: 524288, http_max_conns_per_client: 200 },
    performance: { raft_multiplier: 5, rpc_hold_timeout: '7s', leave_drain_time: '5s' },
    services: [],
    checks: [],
    watches: [],
    templates: [],
    plugins: [],
  };
}

/**
 * What `-dev` implies. Like Consul's dev source this layer sits above the defaults but below the
 * config files, so a file (or an explicit flag) can still say otherwise.
 */
export function devModeConfig(): ConfigOverrides {
  return {
    server: true,
    bootstrap: true,
    ui: true,
    log_level: 'debug',
    bind_addr: '127.0.0.1',
    performance: { raft_multiplier: 1 },
  };
}

/** A port of -1 turns its listener off (Consul's convention for https, grpc, dns, …). */
export function listenerEnabled(port: number): boolean {
  return port >= 0;
}
