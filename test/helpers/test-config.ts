/** A complete agent configuration for tests, with everything on loopback and ephemeral ports. */
import type { AgentConfig } from '../../core/config/types.js';

export function testConfig(overrides: Partial<AgentConfig> = {}): AgentConfig {
  return {
    dev: false,
    server: true,
    bootstrap: true,
    bootstrap_expect: 0,
    datacenter: 'dc1',
    node_name: 'test-node',
    node_id: '11111111-2222-3333-4444-555555555555',
    node_meta: {},
    bind_addr: '127.0.0.1',
    advertise_addr: '127.0.0.1',
    client_addr: '127.0.0.1',
    addresses: {},
    ports: { dns: -1, http: 0, https: -1, grpc: -1, serf_lan: 8301, serf_wan: 8302, server: 8300 },
    domain: 'consul.',
    recursors: [],
    retry_join: [],
    log_level: 'error',
    log_json: false,
    enable_script_checks: false,
    enable_local_script_checks: false,
    ui: false,
    default_query_time: '300s',
    max_query_time: '600s',
    limits: { kv_max_value_size: 524288, txn_max_req_len: 524288, http_max_conns_per_client: 200 },
    performance: { raft_multiplier: 5, rpc_hold_timeout: '7s' },
    services: [],
    checks: [],
    watches: [],
    templates: [],
    plugins: [],
    ...overrides,
  };
}
