/**
 * Boots an agent: loads and validates the configuration, builds the kernel with the built-in and user
 * plugins, starts them, and wires every reload trigger (file change, SIGHUP, `tribune reload`,
 * PUT /v1/agent/reload) into one path: re-read, validate, diff, apply through onConfigReload. A reload
 * that fails keeps the last good configuration and reports why.
 */
import { rm, writeFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import { setReloadStatus } from '../plugins/agent/index.js';
import { builtinPlugins } from './builtin-plugins.js';
import { diffConfig, type LoadedConfig, loadConfig, reloadConfig } from './config/load.js';
import type { PluginSchemas } from './config/schema.js';
import { type ConfigWatcher, watchConfig } from './config/watch.js';
import { TribuneError } from './errors.js';
import { Kernel } from './kernel.js';
import { createLogger, pinoLevel } from './logger.js';
import { resolveNodeId } from './node-id.js';
import type { PluginManifest } from './plugin.js';
import { loadUserPlugins } from './user-plugins.js';

export interface AgentOptions {
  argv: readonly string[];
  cwd?: string;
  logDestination?: NodeJS.WritableStream;
  /** Called when the agent asks to be stopped (PUT /v1/agent/leave). */
  onLeaveRequested?: () => void;
}

export interface RunningAgent {
  kernel: Kernel;
  /** Re-reads and applies the configuration; rejects (keeping the last good one) when it is invalid. */
  reload(): Promise<void>;
  stop(): Promise<void>;
}

const noopPlugins = builtinPlugins({ reload: async () => {}, leave: async () => {} });

/** The config schemas of the built-in plugins plus those of the user plugins named in the config. */
export async function pluginSchemas(userPluginPaths: readonly string[]): Promise<PluginSchemas> {
  const schemas: Record<string, object> = {};
  for (const plugin of [...noopPlugins, ...(await loadUserPlugins(userPluginPaths))]) {
    if (plugin.configSchema) schemas[plugin.name] = plugin.configSchema;
  }
  return schemas;
}

export async function startAgent(opts: AgentOptions): Promise<RunningAgent> {
  const loadOptions = { cwd: opts.cwd, pluginSchemas };
  const loaded: LoadedConfig = await loadConfig(opts.argv, loadOptions);
  const logger = createLogger({
    level: loaded.config.log_level,
    json: loaded.config.log_json,
    destination: opts.logDestination,
  });
  for (const warning of loaded.warnings)
    logger.warn({ file: warning.file, key: warning.pointer }, warning.message);

  const nodeId = await resolveNodeId(
    loaded.config.node_id,
    loaded.config.dev ? undefined : loaded.config.data_dir,
  );
  loaded.config.node_id = nodeId;
  const kernel = new Kernel({ config: loaded.config, logger });
  let reloading: Promise<void> = Promise.resolve();
  const reload = (): Promise<void> => {
    reloading = reloading.catch(() => {}).then(() => applyReload(kernel, logger, loaded.argv, loadOptions));
    return reloading;
  };
  const plugins: PluginManifest[] = [
    ...builtinPlugins({
      reload,
      leave: async () => {
        opts.onLeaveRequested?.();
      },
    }),
    ...(await loadUserPlugins(loaded.config.plugins)),
  ];
  kernel.use(plugins);
  await kernel.start();
  setReloadStatus(kernel, { error: null, at: Date.now() });

  const pidFile = loaded.config.pid_file;
  if (pidFile) await writeFile(pidFile, `${process.pid}\n`);

  let watcher: ConfigWatcher | undefined = watchConfig(loaded.watch, () => {
    reload().catch(() => {
      // applyReload already logged and recorded the error; the agent keeps running.
    });
  });
  logger.info(
    { node: loaded.config.node_name, datacenter: loaded.config.datacenter, server: loaded.config.server },
    'Tribune agent running!',
  );

  let stopped = false;
  return {
    kernel,
    reload,
    async stop() {
      if (stopped) return;
      stopped = true;
      await watcher?.close();
      watcher = undefined;
      await kernel.stop();
      if (pidFile) await rm(pidFile, { force: true });
      logger.info('agent stopped');
      logger.flush?.();
    },
  };
}

async function applyReload(
  kernel: Kernel,
  logger: Logger,
  argv: readonly string[],
  loadOptions: Parameters<typeof reloadConfig>[1],
): Promise<void> {
  let next: LoadedConfig;
  try {
    next = await reloadConfig(argv, loadOptions);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    logger.error({ error: message }, 'Failed to reload configs; keeping the last good configuration');
    setReloadStatus(kernel, { error: message, at: Date.now() });
    throw err;
  }
  // The node's identity is fixed for the life of the process.
  next.config.node_id = kernel.config.node_id;
  const diff = diffConfig(kernel.config, next.config);
  if (diff.pluginsChanged)
    logger.warn('the plugins list changed; plugins load at start, so restart the agent to apply it');
  kernel.setConfig(next.config);
  logger.level = pinoLevel(next.config.log_level);
  try {
    await kernel.hooks.onConfigReload.promise(diff);
  } catch (err) {
    diff.problems.push(err instanceof Error ? err.message : String(err));
  }
  if (diff.problems.length > 0) {
    const message = diff.problems.join('\n');
    logger.error({ error: message }, 'Failed to apply reloaded configuration');
    setReloadStatus(kernel, { error: message, at: Date.now() });
    throw new TribuneError('CONFIG_INVALID', message);
  }
  setReloadStatus(kernel, { error: null, at: Date.now() });
  logger.info(
    {
      changed: diff.changedKeys,
      services: diff.services.added.length + diff.services.changed.length + diff.services.removed.length,
    },
    'configuration reloaded',
  );
}
