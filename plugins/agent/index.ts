/**
 * The `agent` plugin: this agent's local services and checks (from config files and the HTTP API),
 * their persistence in data_dir, anti-entropy to the catalog, and the /v1/agent/* endpoints.
 * The manifest is `createAgentPlugin()`; its runtime (runtime.ts) lives one per kernel.
 */
import type { AgentConfig } from '../../core/config/types.js';
import { TribuneError } from '../../core/errors.js';
import type { CheckStatus } from '../../core/hooks.js';
import type { Kernel } from '../../core/kernel.js';
import { definePlugin } from '../../core/plugin.js';
import { getHttpHooks } from '../http/hooks.js';
import type { AgentPluginOptions } from './hooks.js';
import type { LocalState } from './local-state.js';
import { registerAgentRoutes } from './routes.js';
import { AgentRuntime, DEFAULT_OUTPUT_MAX_SIZE } from './runtime.js';

export {
  type AgentPluginOptions,
  getAgentHooks,
  getReloadStatus,
  type ReloadStatus,
  setReloadStatus,
  type TtlUpdate,
} from './hooks.js';
export { AgentRuntime } from './runtime.js';

const runtimes = new WeakMap<Kernel, AgentRuntime>();

/** The runtime of `kernel`'s agent plugin (undefined when the plugin is not loaded). */
export function getAgentRuntime(kernel: Kernel): AgentRuntime | undefined {
  return runtimes.get(kernel);
}

function requireRuntime(kernel: Kernel): AgentRuntime {
  const runtime = runtimes.get(kernel);
  if (!runtime) throw new TribuneError('INTERNAL', 'the agent plugin is not loaded');
  return runtime;
}

/** The agent's local services and checks (for the health plugin, DNS, UI). */
export function getLocalState(kernel: Kernel): LocalState | undefined {
  return runtimes.get(kernel)?.state;
}

/**
 * Replaces the config-file services and checks with those of `config` and syncs the difference.
 * Called at start and on every config reload; API registrations are left as they are.
 */
export function applyConfigServices(kernel: Kernel, config: AgentConfig): Promise<{ problems: string[] }> {
  return requireRuntime(kernel).applyConfig(config);
}

/**
 * Records a check result: fires kernel.hooks.onCheck on a status change (callers must not fire it
 * again) and syncs it. Returns false for an unknown check.
 */
export function updateCheckStatus(
  kernel: Kernel,
  checkId: string,
  status: CheckStatus,
  output: string,
): boolean {
  return requireRuntime(kernel).setCheckStatus(checkId, status, output);
}

/** Runs an anti-entropy pass now: 'full' compares with the catalog, 'changes' pushes local changes. */
export function syncAgentState(kernel: Kernel, kind: 'full' | 'changes' = 'full'): Promise<void> {
  const runtime = requireRuntime(kernel);
  return kind === 'full' ? runtime.sync.syncFull() : runtime.sync.syncChanges();
}

export function createAgentPlugin(options: AgentPluginOptions = {}) {
  let runtime: AgentRuntime | undefined;
  return definePlugin({
    name: 'agent',
    dependencies: ['http', 'catalog'],
    configSchema: {
      /** Output-only check changes reach the catalog at most this often (status changes at once). */
      check_update_interval: { type: 'string', format: 'go-duration', default: '5m' },
      /** Bytes of check output kept; a check's own output_max_size may lower it. */
      check_output_max_size: { type: 'integer', minimum: 1, default: DEFAULT_OUTPUT_MAX_SIZE },
      /** Keep no check output at all (fewer catalog writes). */
      discard_check_output: { type: 'boolean', default: false },
    },
    apply(kernel) {
      const created = new AgentRuntime(kernel, options);
      runtime = created;
      runtimes.set(kernel, created);
      getHttpHooks(kernel).routes.tap('agent', (routes) => registerAgentRoutes(routes, created));
      kernel.hooks.onConfigReload.tapPromise('agent', async (diff) => {
        const { problems } = await created.applyConfig(diff.next);
        // Everything else is applied; the reload still reports what could not be (as Consul's does).
        if (problems.length > 0)
          diff.problems.push(`Failed reloading services and checks: ${problems.join('; ')}`);
      });
    },
    async start() {
      await runtime?.start();
    },
    async stop() {
      await runtime?.stop();
    },
  });
}

export type { LocalChange, LocalCheckEntry, LocalServiceEntry, LocalState } from './local-state.js';
export { getMetricsRegistry, metricName } from './shapes.js';
