/** A complete agent configuration for tests: Consul's defaults, on loopback, HTTP on an ephemeral port. */
import { defaultConfig } from '../../core/config/defaults.js';
import type { AgentConfig } from '../../core/config/types.js';

export function testConfig(overrides: Partial<AgentConfig> = {}): AgentConfig {
  const defaults = defaultConfig();
  return {
    ...defaults,
    server: true,
    bootstrap: true,
    node_name: 'test-node',
    node_id: '11111111-2222-3333-4444-555555555555',
    bind_addr: '127.0.0.1',
    advertise_addr: '127.0.0.1',
    ports: { ...defaults.ports, dns: -1, http: 0 },
    log_level: 'error',
    ...overrides,
  };
}
