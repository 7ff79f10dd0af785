/**
 * The agent's merged configuration, in Consul's snake_case key names. Everything here is what the
 * ajv schema (schema.ts) guarantees after defaults are applied; plugins read their own blocks.
 */

export interface ServiceCheckDefinition {
  id?: string;
  name?: string;
  notes?: string;
  status?: 'passing' | 'warning' | 'critical';
  service_id?: string;
  interval?: string;
  timeout?: string;
  ttl?: string;
  args?: string[];
  http?: string;
  method?: string;
  header?: Record<string, string[]>;
  body?: string;
  disable_redirects?: boolean;
  tls_server_name?: string;
  tls_skip_verify?: boolean;
  tcp?: string;
  tcp_use_tls?: boolean;
  udp?: string;
  grpc?: string;
  grpc_use_tls?: boolean;
  alias_node?: string;
  alias_service?: string;
  deregister_critical_service_after?: string;
  success_before_passing?: number;
  failures_before_warning?: number;
  failures_before_critical?: number;
  output_max_size?: number;
}

export interface ServiceDefinition {
  id?: string;
  name: string;
  tags?: string[];
  address?: string;
  port?: number;
  meta?: Record<string, string>;
  tagged_addresses?: Record<string, { address: string; port: number }>;
  enable_tag_override?: boolean;
  weights?: { passing: number; warning: number };
  check?: ServiceCheckDefinition;
  checks?: ServiceCheckDefinition[];
  token?: string;
  kind?: string;
  socket_path?: string;
}

export interface PortsConfig {
  dns: number;
  http: number;
  https: number;
  grpc: number;
  serf_lan: number;
  serf_wan: number;
  server: number;
  grpc_tls?: number;
  sidecar_min_port?: number;
  sidecar_max_port?: number;
  expose_min_port?: number;
  expose_max_port?: number;
}

export interface AddressesConfig {
  dns?: string;
  http?: string;
  https?: string;
  grpc?: string;
  grpc_tls?: string;
}

export interface AgentConfig {
  dev: boolean;
  server: boolean;
  bootstrap: boolean;
  bootstrap_expect: number;
  datacenter: string;
  primary_datacenter?: string;
  data_dir?: string;
  node_name: string;
  node_id?: string;
  node_meta: Record<string, string>;
  bind_addr: string;
  advertise_addr?: string;
  advertise_addr_wan?: string;
  client_addr: string;
  addresses: AddressesConfig;
  ports: PortsConfig;
  domain: string;
  alt_domain?: string;
  recursors: string[];
  retry_join: string[];
  /** Go duration between retry_join attempts (loadConfig always sets it; optional for hand-built configs). */
  retry_interval?: string;
  /** 0 = retry forever (loadConfig always sets it). */
  retry_max?: number;
  encrypt?: string;
  encrypt_verify_incoming?: boolean;
  encrypt_verify_outgoing?: boolean;
  log_level: string;
  log_json: boolean;
  log_file?: string;
  enable_script_checks: boolean;
  enable_local_script_checks: boolean;
  ui: boolean;
  /** Kept as written (dir, content_path, …); `enabled` always mirrors `ui`. */
  ui_config?: Record<string, unknown>;
  pid_file?: string;
  default_query_time: string;
  max_query_time: string;
  limits: { kv_max_value_size: number; txn_max_req_len: number; http_max_conns_per_client: number };
  performance: { raft_multiplier: number; rpc_hold_timeout: string; leave_drain_time?: string };
  services: ServiceDefinition[];
  checks: ServiceCheckDefinition[];
  watches: Record<string, unknown>[];
  templates: Record<string, unknown>[];
  plugins: string[];
  /** Blocks owned by plugins (dns_config, acl, …) live here under their own keys. */
  [pluginBlock: string]: unknown;
}

/** A config layer as flags produce it: top-level keys optional, nested blocks partial. */
export type ConfigOverrides = {
  [K in keyof AgentConfig]?: AgentConfig[K] extends readonly unknown[]
    ? AgentConfig[K]
    : AgentConfig[K] extends object
      ? Partial<AgentConfig[K]>
      : AgentConfig[K];
};

/** One configuration problem: which file supplied the value, where in the merged config, and why. */
export interface ConfigIssue {
  file?: string;
  /** JSON pointer into the merged configuration, e.g. `/services/0/port`; '' is the whole document. */
  pointer: string;
  message: string;
}
