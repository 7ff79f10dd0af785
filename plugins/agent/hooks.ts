/**
 * The agent plugin's options, the hooks it publishes (gossip answers members and joins through them),
 * and the outcome of the last config reload, which the kernel records and /v1/agent/self reports.
 */

import { AsyncSeriesBailHook, SyncBailHook, SyncHook } from 'tapable';
import type { CheckStatus, Member } from '../../core/hooks.js';
import type { Kernel } from '../../core/kernel.js';
import { definePluginHooks } from '../../core/plugin-hooks.js';

export interface AgentPluginOptions {
  /** Re-reads the configuration (PUT /v1/agent/reload); a rejection is answered as a 500 with its text. */
  reload?: () => Promise<void>;
  /** Leaves the cluster gracefully and shuts the agent down (PUT /v1/agent/leave). Default: stop the kernel. */
  leave?: () => Promise<void>;
  /** Randomness for sync stagger (tests pin it). */
  random?: () => number;
  /** Wall clock in ms (tests pin it). */
  now?: () => number;
  /** Full anti-entropy interval before scaling and stagger; Consul's is one minute. */
  antiEntropyIntervalMs?: number;
}

export interface ReloadStatus {
  /** The last reload's error text, or null when it succeeded. */
  error: string | null;
  /** When it happened (ms since the epoch). */
  at: number;
}

/** Hooks the agent plugin publishes: the gossip plugin answers members and joins through them. */
export const getAgentHooks = definePluginHooks('agent', () => ({
  /** The gossip pool; undefined from every tap means "no gossip": the agent reports itself alone. */
  members: new SyncBailHook<[{ wan: boolean; segment: string }], Member[] | undefined>(['query']),
  /** Joins `address`; resolves to the number of nodes contacted, undefined when no tap handles it. */
  join: new AsyncSeriesBailHook<[{ address: string; wan: boolean }], number | undefined>(['request']),
  /**
   * A TTL check was updated (check/pass|warn|fail|update), even when nothing changed: the health
   * plugin resets the check's TTL timer. `output` is what was recorded (capped).
   */
  ttlUpdated: new SyncHook<[TtlUpdate]>(['update']),
}));

export interface TtlUpdate {
  checkId: string;
  status: CheckStatus;
  output: string;
}

const reloadStatuses = new WeakMap<Kernel, ReloadStatus>();

/** The kernel's reload path records each outcome here; /v1/agent/self reports it. */
export function setReloadStatus(kernel: Kernel, status: ReloadStatus): void {
  reloadStatuses.set(kernel, { ...status });
}

export function getReloadStatus(kernel: Kernel): ReloadStatus | undefined {
  return reloadStatuses.get(kernel);
}
