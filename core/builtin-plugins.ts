/** The plugins every agent runs, in a fresh instance per kernel. */
import { createAgentPlugin } from '../plugins/agent/index.js';
import { createCatalogPlugin } from '../plugins/catalog/index.js';
import { createDnsPlugin } from '../plugins/dns/index.js';
import { createHealthPlugin } from '../plugins/health/index.js';
import { createHttpPlugin } from '../plugins/http/index.js';
import { createKvPlugin } from '../plugins/kv/index.js';
import { createRaftPlugin } from '../plugins/raft/index.js';
import type { PluginManifest } from './plugin.js';

export interface BuiltinPluginOptions {
  /** Re-reads the configuration (PUT /v1/agent/reload). */
  reload: () => Promise<void>;
  /** Gracefully stops the agent (PUT /v1/agent/leave). */
  leave: () => Promise<void>;
}

export function builtinPlugins(opts: BuiltinPluginOptions): PluginManifest[] {
  return [
    createHttpPlugin(),
    createRaftPlugin(),
    createCatalogPlugin(),
    createDnsPlugin(),
    createAgentPlugin({ reload: opts.reload, leave: opts.leave }),
    createHealthPlugin(),
    createKvPlugin(),
  ];
}
