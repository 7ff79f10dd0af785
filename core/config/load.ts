/**
 * The whole configuration pipeline: flags → files (or discovery) → merge over the defaults →
 * one validation → the agent's config, or a CONFIG_INVALID error listing every issue. Reload runs
 * the same pipeline again; `diffConfig` tells the kernel what changed.
 */
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { TribuneError } from '../errors.js';
import { defaultConfig, devModeConfig } from './defaults.js';
import type { ConfigDiff } from './diff.js';
import { discoverConfig, type ReadConfigResult, readConfigPaths } from './files.js';
import { parseAgentFlags } from './flags.js';
import { type ConfigSource, mergeConfig, type Provenance, sourceOf } from './merge.js';
import {
  buildConfigValidator,
  type ConfigValidator,
  formatConfigIssue,
  type PluginSchemas,
} from './schema.js';
import type {
  AgentConfig,
  ConfigIssue,
  ConfigOverrides,
  ServiceCheckDefinition,
  ServiceDefinition,
} from './types.js';

export type { ConfigDiff } from './diff.js';

/** Plugin schemas, or a function that finds them once the merged `plugins` list is known. */
export type PluginSchemaSource = PluginSchemas | ((plugins: readonly string[]) => Promise<PluginSchemas>);

export interface LoadOptions {
  /** Relative config paths resolve here, and discovery starts here (default: process.cwd()). */
  cwd?: string;
  pluginSchemas?: PluginSchemaSource;
  /** The node name when none is configured (default: os.hostname()). */
  hostname?: () => string;
}

export interface LoadedConfig {
  config: AgentConfig;
  /** Files that contributed, in load order. */
  sources: string[];
  /** Every file and directory worth watching for changes. */
  watchPaths: string[];
  /** The same, split the way watchConfig takes it. */
  watch: { files: string[]; dirs: string[] };
  /** Non-fatal notices (keys accepted for Consul compatibility but unused). */
  warnings: ConfigIssue[];
  /** The arguments this was loaded from, for reloadConfig. */
  argv: readonly string[];
}

/** Loads the agent's configuration from `tribune agent` arguments. Throws CONFIG_INVALID or USAGE. */
export async function loadConfig(argv: readonly string[], opts: LoadOptions = {}): Promise<LoadedConfig> {
  const flags = parseAgentFlags(argv);
  if (flags.help) throw new TribuneError('USAGE', 'flag: help requested');
  if (flags.args.length > 0) {
    throw new TribuneError(
      'USAGE',
      `unexpected argument ${JSON.stringify(flags.args[0])} (a boolean flag takes -flag=false, not -flag false)`,
    );
  }
  const cwd = opts.cwd ?? process.cwd();
  const paths = flags.configPaths.map((p) => p.path);
  const read =
    paths.length > 0
      ? await readConfigPaths(paths, { cwd, ...(flags.configFormat ? { format: flags.configFormat } : {}) })
      : await discoverConfig(cwd);
  const loaded = await buildConfig(read, flags.overrides, opts);
  return { ...loaded, argv: [...argv] };
}

/** Re-reads everything exactly as loadConfig did for the same arguments. */
export async function reloadConfig(
  previousArgs: readonly string[],
  opts: LoadOptions = {},
): Promise<LoadedConfig> {
  return loadConfig(previousArgs, opts);
}

export interface LoadPathsOptions extends LoadOptions {
  /** A layer under the files (above the defaults), e.g. validate's placeholder data_dir. */
  base?: ConfigOverrides;
}

/** Loads exactly these files and directories (no discovery, no flags): `tribune validate`. */
export async function loadConfigPaths(
  paths: readonly string[],
  opts: LoadPathsOptions = {},
): Promise<LoadedConfig> {
  const read = await readConfigPaths(paths, { cwd: opts.cwd ?? process.cwd() });
  const loaded = await buildConfig(read, undefined, opts, opts.base);
  return { ...loaded, argv: [] };
}

function configInvalid(issues: ConfigIssue[]): TribuneError {
  return new TribuneError('CONFIG_INVALID', issues.map(formatConfigIssue).join('\n'), { issues });
}

async function buildConfig(
  read: ReadConfigResult,
  overrides: ConfigOverrides | undefined,
  opts: LoadOptions,
  base?: ConfigOverrides,
): Promise<Omit<LoadedConfig, 'argv'>> {
  if (read.issues.length > 0) throw configInvalid(read.issues);

  const layers: ConfigSource[] = [{ data: defaultConfig() }];
  if (overrides?.dev === true) layers.push({ data: devModeConfig() });
  if (base !== undefined) layers.push({ data: base });
  layers.push(...read.sources);
  const { value, provenance } = mergeConfig(layers, overrides);

  if (value.node_name === undefined) value.node_name = (opts.hostname ?? hostname)();
  resolvePluginPaths(value, provenance);

  const validator = await validatorFor(opts.pluginSchemas, value.plugins);
  const { config, issues, warnings } = validator.validate(value, provenance);
  if (issues.length > 0) throw configInvalid(issues);
  return {
    config,
    sources: read.sources.map((s) => s.name as string),
    watchPaths: [...read.dirs, ...read.files],
    watch: { files: read.files, dirs: read.dirs },
    warnings,
  };
}

/** `./my-plugin.js` in a config file means next to that file, not next to wherever the agent started. */
function resolvePluginPaths(value: Record<string, unknown>, provenance: Provenance): void {
  if (!Array.isArray(value.plugins)) return;
  value.plugins = value.plugins.map((entry, index) => {
    if (typeof entry !== 'string' || !(entry.startsWith('./') || entry.startsWith('../'))) return entry;
    const file = sourceOf(provenance, `/plugins/${index}`);
    return file === undefined ? entry : resolve(dirname(file), entry);
  });
}

const validatorCache = new WeakMap<object, ConfigValidator>();
let coreValidator: ConfigValidator | undefined;

async function validatorFor(
  source: PluginSchemaSource | undefined,
  plugins: unknown,
): Promise<ConfigValidator> {
  if (source === undefined) {
    coreValidator ??= buildConfigValidator({});
    return coreValidator;
  }
  const schemas =
    typeof source === 'function'
      ? await source(Array.isArray(plugins) ? plugins.filter((p) => typeof p === 'string') : [])
      : source;
  // Compiling is the expensive part; reloads with the same schemas reuse the validator.
  let validator = validatorCache.get(schemas);
  if (validator === undefined) {
    validator = buildConfigValidator(schemas);
    validatorCache.set(schemas, validator);
  }
  return validator;
}

function byId<T extends { id?: string; name?: string }>(items: readonly T[]): Map<string, T> {
  const map = new Map<string, T>();
  for (const item of items) {
    const id = item.id ?? item.name;
    if (id !== undefined) map.set(id, item);
  }
  return map;
}

function diffById<T extends { id?: string; name?: string }>(
  previous: readonly T[],
  next: readonly T[],
): { added: T[]; changed: T[]; removed: T[] } {
  const before = byId(previous);
  const after = byId(next);
  const added: T[] = [];
  const changed: T[] = [];
  const removed: T[] = [];
  for (const [id, item] of after) {
    const old = before.get(id);
    if (old === undefined) added.push(item);
    else if (!isDeepStrictEqual(old, item)) changed.push(item);
  }
  for (const [id, item] of before) if (!after.has(id)) removed.push(item);
  return { added, changed, removed };
}

/** Keys diffConfig reports on their own; everything else lands in changedKeys. */
const DIFFED_SEPARATELY = new Set(['services', 'checks', 'watches', 'templates', 'plugins', 'log_level']);

/**
 * What changed between two configurations (pure). Services and checks are matched by id (a
 * missing id means the name); `changed` holds the new definitions, `removed` the old ones.
 */
export function diffConfig(previous: AgentConfig, next: AgentConfig): ConfigDiff {
  const keys = new Set([...Object.keys(previous), ...Object.keys(next)]);
  const changedKeys = [...keys]
    .filter((key) => !DIFFED_SEPARATELY.has(key) && !isDeepStrictEqual(previous[key], next[key]))
    .sort();
  return {
    previous,
    next,
    services: diffById<ServiceDefinition>(previous.services ?? [], next.services ?? []),
    checks: diffById<ServiceCheckDefinition>(previous.checks ?? [], next.checks ?? []),
    watchesChanged: !isDeepStrictEqual(previous.watches, next.watches),
    templatesChanged: !isDeepStrictEqual(previous.templates, next.templates),
    pluginsChanged: !isDeepStrictEqual(previous.plugins, next.plugins),
    problems: [],
    logLevelChanged: previous.log_level !== next.log_level,
    changedKeys,
  };
}

/** True when nothing at all changed. */
export function isEmptyDiff(diff: ConfigDiff): boolean {
  const { services, checks } = diff;
  return (
    services.added.length + services.changed.length + services.removed.length === 0 &&
    checks.added.length + checks.changed.length + checks.removed.length === 0 &&
    !diff.watchesChanged &&
    !diff.templatesChanged &&
    !diff.pluginsChanged &&
    !diff.logLevelChanged &&
    diff.changedKeys.length === 0
  );
}
