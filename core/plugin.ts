/**
 * A plugin is data plus one function: a manifest that names it, declares what it depends on, which
 * config keys it owns and which replicated command types it applies, and `apply` that taps hooks.
 * I/O begins in `start` and ends in `stop`.
 */
import type { AgentConfig } from './config/types.js';
import type { Kernel } from './kernel.js';

export interface PluginContext {
  kernel: Kernel;
  config: AgentConfig;
}

export interface PluginManifest {
  readonly name: string;
  /** Plugins that must be applied (and started) before this one. */
  readonly dependencies?: readonly string[];
  /** JSON Schemas of the top-level config keys this plugin owns, merged into the agent's one validator. */
  readonly configSchema?: Readonly<Record<string, object>>;
  /** Replicated command types this plugin applies; exactly one owner per type across all plugins. */
  readonly commands?: readonly string[];
  /** Taps hooks and registers routes. No I/O here. */
  apply(kernel: Kernel, config: AgentConfig): void;
  start?(ctx: PluginContext): Promise<void>;
  stop?(ctx: PluginContext): Promise<void>;
}

export function definePlugin<const T extends PluginManifest>(manifest: T): Readonly<T> {
  return Object.freeze(manifest);
}

export function isPluginManifest(value: unknown): value is PluginManifest {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return typeof candidate.name === 'string' && typeof candidate.apply === 'function';
}
