/**
 * The `health` plugin: runs the agent's health checks (TTL, HTTP, TCP, UDP, script, gRPC, alias)
 * on its own timers, feeds the results through the threshold core into the agent's local state
 * (which fires onCheck and syncs the catalog), reaps services critical for too long, and serves the
 * /v1/health and /v1/agent/health endpoints. The manifest is `createHealthPlugin()`.
 */
import { performance } from 'node:perf_hooks';
import type { Kernel } from '../../core/kernel.js';
import { definePlugin } from '../../core/plugin.js';
import { getAgentHooks } from '../agent/index.js';
import { HealthScheduler } from './adapters/scheduler.js';
import { registerHealthRoutes } from './routes.js';

export interface HealthPluginOptions {
  /** In [0, 1): the first-run stagger of interval checks (tests pin it). */
  random?: () => number;
  /** Monotonic milliseconds (default performance.now). */
  clock?: () => number;
  /** Floor of check intervals; Consul's is 1s. Tests lower it. */
  minIntervalMs?: number;
  /** Floor of deregister_critical_service_after; Consul's is 1m. Tests lower it. */
  minDeregisterAfterMs?: number;
  /** How often services critical for too long are looked for; Consul's is 30s. */
  reapIntervalMs?: number;
  /** Longest an alias check goes without re-reading the catalog (it also wakes on every change). */
  aliasRefreshMs?: number;
  /** Observes each probe start against its planned start (the scheduling-drift benchmark). */
  onProbeStart?: (checkId: string, plannedMs: number, startedMs: number) => void;
}

const schedulers = new WeakMap<Kernel, HealthScheduler>();

/** The check scheduler of `kernel`'s health plugin (undefined when the plugin is not loaded). */
export function getHealthScheduler(kernel: Kernel): HealthScheduler | undefined {
  return schedulers.get(kernel);
}

export function createHealthPlugin(options: HealthPluginOptions = {}) {
  let scheduler: HealthScheduler | undefined;
  return definePlugin({
    name: 'health',
    dependencies: ['http', 'catalog', 'agent'],
    apply(kernel) {
      const created = new HealthScheduler({
        kernel,
        logger: kernel.logger.child({ plugin: 'health' }),
        random: options.random ?? Math.random,
        clock: options.clock ?? (() => performance.now()),
        minIntervalMs: options.minIntervalMs ?? 1000,
        minDeregisterAfterMs: options.minDeregisterAfterMs ?? 60_000,
        reapIntervalMs: options.reapIntervalMs ?? 30_000,
        aliasRefreshMs: options.aliasRefreshMs ?? 60_000,
        ...(options.onProbeStart ? { onProbeStart: options.onProbeStart } : {}),
      });
      scheduler = created;
      schedulers.set(kernel, created);
      registerHealthRoutes(kernel);
      getAgentHooks(kernel).ttlUpdated.tap('health', (update) =>
        created.ttlUpdated(update.checkId, update.output),
      );
      // The agent's tap (applied first) has replaced the config-file checks; scripts may have been (dis)allowed.
      kernel.hooks.onConfigReload.tapPromise('health', async () => created.reconcile());
    },
    async start() {
      scheduler?.start();
    },
    async stop() {
      await scheduler?.stop();
    },
  });
}
