/**
 * The kernel: the frozen hook table, the state store, the plugin registry and the lifecycle.
 * Everything protocol-specific lives in plugins; the kernel only wires them together.
 */
import type { Logger } from 'pino';
import type { AgentConfig } from './config/types.js';
import type { ApplyOutcome, Consensus, ReadMode } from './consensus.js';
import { TribuneError } from './errors.js';
import { type ApplyContext, type Command, createKernelHooks, type KernelHooks } from './hooks.js';
import { type InterceptableHook, instrumentHook, wrapTapFailure } from './instrument.js';
import { commandOwners, orderPlugins } from './loader.js';
import type { PluginManifest } from './plugin.js';
import { StateStore } from './state/store.js';

export interface KernelOptions {
  config: AgentConfig;
  logger: Logger;
  store?: StateStore;
}

export class Kernel {
  readonly hooks: KernelHooks;
  readonly store: StateStore;
  readonly logger: Logger;
  private currentConfig: AgentConfig;
  private plugins: PluginManifest[] = [];
  private owners = new Map<string, string>();
  private consensusProvider: Consensus | undefined;
  private started: PluginManifest[] = [];

  constructor(opts: KernelOptions) {
    this.hooks = createKernelHooks();
    this.store = opts.store ?? new StateStore();
    this.logger = opts.logger;
    this.currentConfig = opts.config;
    for (const [name, hook] of Object.entries(this.hooks)) {
      if (name !== 'onApply') instrumentHook(hook as InterceptableHook, name);
    }
    this.hooks.onApply.intercept({
      factory: (type, hook) => {
        instrumentHook(hook, `onApply(${String(type)})`);
        hook.intercept({
          register: (tap) => {
            const owner = this.owners.get(String(type));
            if (owner !== tap.name) {
              throw new TribuneError(
                'PLUGIN_COMMAND_OWNER',
                owner === undefined
                  ? `plugin '${tap.name}' taps command type '${String(type)}' without declaring it in its manifest's commands`
                  : `command type '${String(type)}' belongs to '${owner}'; plugin '${tap.name}' may not apply it`,
              );
            }
            if (hook.taps.length > 0) {
              throw new TribuneError(
                'PLUGIN_COMMAND_OWNER',
                `command type '${String(type)}' already has an apply handler`,
              );
            }
            return tap;
          },
        });
        return hook;
      },
    });
  }

  get config(): AgentConfig {
    return this.currentConfig;
  }

  /** Replaces the live configuration after a validated reload (the diff goes through onConfigReload). */
  setConfig(config: AgentConfig): void {
    this.currentConfig = config;
  }

  pluginNames(): string[] {
    return this.plugins.map((p) => p.name);
  }

  /** Orders, checks and applies plugins. Throws a TribuneError naming the plugin on any failure. */
  use(plugins: readonly PluginManifest[]): void {
    const ordered = orderPlugins(plugins);
    this.owners = commandOwners(ordered);
    this.plugins = ordered;
    for (const plugin of ordered) {
      try {
        plugin.apply(this, this.currentConfig);
      } catch (err) {
        throw wrapTapFailure(plugin.name, 'apply', err);
      }
    }
  }

  /** Called by the raft plugin once; it owns how commands are replicated. */
  setConsensus(consensus: Consensus): void {
    if (this.consensusProvider) throw new TribuneError('INTERNAL', 'a consensus provider is already set');
    this.consensusProvider = consensus;
  }

  get consensus(): Consensus {
    if (!this.consensusProvider) throw new TribuneError('NO_LEADER', 'No cluster leader');
    return this.consensusProvider;
  }

  hasConsensus(): boolean {
    return this.consensusProvider !== undefined;
  }

  /** Proposes a replicated write; resolves with the apply result once committed. */
  async propose(command: Command): Promise<ApplyOutcome> {
    if (!this.owners.has(command.type)) {
      throw new TribuneError('INTERNAL', `no plugin applies command type '${command.type}'`);
    }
    return this.consensus.propose(command);
  }

  async readBarrier(mode: ReadMode, signal?: AbortSignal): Promise<void> {
    return this.consensus.readBarrier(mode, signal);
  }

  /**
   * Applies one committed entry: synchronous and deterministic. Domain failures come back as the
   * handler's return value; a throw means a broken invariant and the caller must halt.
   */
  applyCommitted(command: Command, meta: Omit<ApplyContext, 'store'>): unknown {
    const hook = this.hooks.onApply.get(command.type);
    if (!hook || hook.taps.length === 0) {
      throw new TribuneError(
        'INTERNAL',
        `no plugin applies command type '${command.type}' (log index ${meta.index})`,
      );
    }
    try {
      return hook.call(command, { ...meta, store: this.store });
    } finally {
      this.store.finishApply(meta.index);
    }
  }

  /** Starts plugins in dependency order, then fires `start`. */
  async start(): Promise<void> {
    for (const plugin of this.plugins) {
      if (!plugin.start) continue;
      try {
        await plugin.start({ kernel: this, config: this.currentConfig });
      } catch (err) {
        throw wrapTapFailure(plugin.name, 'start', err);
      }
      this.started.push(plugin);
    }
    await this.hooks.start.promise();
  }

  /** Fires `stop`, then stops plugins in reverse order; every plugin gets its stop even if one fails. */
  async stop(): Promise<void> {
    const failures: unknown[] = [];
    try {
      await this.hooks.stop.promise();
    } catch (err) {
      failures.push(err);
    }
    for (const plugin of [...this.started].reverse()) {
      try {
        await plugin.stop?.({ kernel: this, config: this.currentConfig });
      } catch (err) {
        failures.push(wrapTapFailure(plugin.name, 'stop', err));
      }
    }
    this.started = [];
    for (const failure of failures) this.logger.error({ err: failure }, 'plugin failed to stop cleanly');
  }
}
