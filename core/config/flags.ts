/**
 * `tribune agent` flags, parsed the way Go's flag package does (Consul's CLI is Go): one or two
 * dashes, `-flag value` or `-flag=value`, booleans as `-dev` or `-dev=false` (never `-dev false`),
 * parsing stops at the first non-flag argument or `--`. Values land under config keys, so the
 * result is just one more config layer — the last one, which is why flags beat files.
 */
import { TribuneError } from '../errors.js';
import { parseGoDurationNs } from '../util/duration.js';
import type { ConfigOverrides } from './types.js';

export interface ConfigPath {
  path: string;
  /** Which flag named it. Both may name a file or a directory, as in Consul. */
  flag: 'config-file' | 'config-dir';
}

export interface AgentFlags {
  configFiles: string[];
  configDirs: string[];
  /** -config-file and -config-dir together, in command-line order (the order they are loaded in). */
  configPaths: ConfigPath[];
  /** From -config-format: read explicitly named files as JSON whatever their extension. */
  configFormat?: 'json';
  overrides: ConfigOverrides;
  /** Arguments after the flags (the agent accepts none; callers decide). */
  args: string[];
  /** -h / -help was given; parsing stopped there. */
  help: boolean;
}

type FlagKind =
  | 'bool'
  | 'string'
  | 'int'
  | 'duration'
  | 'list'
  | 'meta'
  | 'config-path'
  | 'config-format'
  | 'hcl';

interface FlagSpec {
  kind: FlagKind;
  /** Config key, dotted for nested blocks (`ports.http`). */
  key?: string;
}

const bool = (key: string): FlagSpec => ({ kind: 'bool', key });
const str = (key: string): FlagSpec => ({ kind: 'string', key });
const int = (key: string): FlagSpec => ({ kind: 'int', key });
const duration = (key: string): FlagSpec => ({ kind: 'duration', key });
const list = (key: string): FlagSpec => ({ kind: 'list', key });

const AGENT_FLAGS: Readonly<Record<string, FlagSpec>> = {
  dev: bool('dev'),
  server: bool('server'),
  bootstrap: bool('bootstrap'),
  'bootstrap-expect': int('bootstrap_expect'),
  'data-dir': str('data_dir'),
  'config-file': { kind: 'config-path' },
  'config-dir': { kind: 'config-path' },
  'config-format': { kind: 'config-format' },
  hcl: { kind: 'hcl' },
  node: str('node_name'),
  'node-id': str('node_id'),
  'node-meta': { kind: 'meta', key: 'node_meta' },
  datacenter: str('datacenter'),
  bind: str('bind_addr'),
  advertise: str('advertise_addr'),
  client: str('client_addr'),
  'http-port': int('ports.http'),
  'https-port': int('ports.https'),
  'grpc-port': int('ports.grpc'),
  'dns-port': int('ports.dns'),
  'server-port': int('ports.server'),
  'serf-lan-port': int('ports.serf_lan'),
  'serf-wan-port': int('ports.serf_wan'),
  domain: str('domain'),
  'alt-domain': str('alt_domain'),
  recursor: list('recursors'),
  'log-level': str('log_level'),
  'log-json': bool('log_json'),
  'enable-script-checks': bool('enable_script_checks'),
  'enable-local-script-checks': bool('enable_local_script_checks'),
  ui: bool('ui'),
  'pid-file': str('pid_file'),
  'retry-join': list('retry_join'),
  // -join (Consul's deprecated start_join) feeds the same list: joining is always retried here.
  join: list('retry_join'),
  'retry-interval': duration('retry_interval'),
  'retry-max': int('retry_max'),
  encrypt: str('encrypt'),
  'default-query-time': duration('default_query_time'),
  'max-query-time': duration('max_query_time'),
};

/** The agent's flag names, for usage text. */
export const AGENT_FLAG_NAMES: readonly string[] = Object.keys(AGENT_FLAGS).sort();

const GO_TRUE = new Set(['1', 't', 'T', 'true', 'TRUE', 'True']);
const GO_FALSE = new Set(['0', 'f', 'F', 'false', 'FALSE', 'False']);

function usage(message: string): TribuneError {
  return new TribuneError('USAGE', message);
}

/** strconv.ParseBool's accepted spellings. */
export function parseGoBool(value: string, flag: string): boolean {
  if (GO_TRUE.has(value)) return true;
  if (GO_FALSE.has(value)) return false;
  throw usage(`invalid boolean value ${JSON.stringify(value)} for -${flag}: parse error`);
}

function parseFlagInt(value: string, flag: string): number {
  const n = /^[+-]?\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n))
    throw usage(`invalid value ${JSON.stringify(value)} for flag -${flag}: parse error`);
  return n;
}

function setPath(target: Record<string, unknown>, dotted: string, value: unknown): void {
  const parts = dotted.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (typeof next === 'object' && next !== null && !Array.isArray(next)) {
      node = next as Record<string, unknown>;
    } else {
      const created: Record<string, unknown> = {};
      node[part] = created;
      node = created;
    }
  }
  node[parts[parts.length - 1] as string] = value;
}

function appendPath(target: Record<string, unknown>, key: string, value: string): void {
  const existing = target[key];
  if (Array.isArray(existing)) existing.push(value);
  else target[key] = [value];
}

interface SplitFlag {
  name: string;
  value: string | undefined;
}

/** `-name`, `--name`, `-name=value`; null when `arg` is not a flag (Go stops parsing there). */
function splitFlag(arg: string): SplitFlag | null {
  if (arg.length < 2 || !arg.startsWith('-')) return null;
  const body = arg.startsWith('--') ? arg.slice(2) : arg.slice(1);
  if (body === '' || body.startsWith('-') || body.startsWith('=')) {
    throw usage(`bad flag syntax: ${arg}`);
  }
  const eq = body.indexOf('=');
  return eq < 0 ? { name: body, value: undefined } : { name: body.slice(0, eq), value: body.slice(eq + 1) };
}

/** Parses `tribune agent` arguments into config paths and a config layer of overrides. */
export function parseAgentFlags(argv: readonly string[]): AgentFlags {
  const overrides: Record<string, unknown> = {};
  const result: AgentFlags = {
    configFiles: [],
    configDirs: [],
    configPaths: [],
    overrides: {},
    args: [],
    help: false,
  };
  let i = 0;
  while (i < argv.length) {
    const arg = argv[i] as string;
    if (arg === '--') {
      i++;
      break;
    }
    const flag = splitFlag(arg);
    if (flag === null) break;
    i++;
    const spec = AGENT_FLAGS[flag.name];
    if (spec === undefined) {
      if (flag.name === 'h' || flag.name === 'help') {
        result.help = true;
        return { ...result, overrides: overrides as ConfigOverrides, args: argv.slice(i) };
      }
      throw usage(`flag provided but not defined: -${flag.name}`);
    }
    if (spec.kind === 'bool') {
      setPath(
        overrides,
        spec.key as string,
        flag.value === undefined ? true : parseGoBool(flag.value, flag.name),
      );
      continue;
    }
    let value = flag.value;
    if (value === undefined) {
      // Go takes the next argument as the value even when it starts with a dash.
      if (i >= argv.length) throw usage(`flag needs an argument: -${flag.name}`);
      value = argv[i] as string;
      i++;
    }
    applyValue(spec, flag.name, value, overrides, result);
  }
  result.args = argv.slice(i);
  result.overrides = overrides as ConfigOverrides;
  return result;
}

function applyValue(
  spec: FlagSpec,
  name: string,
  value: string,
  overrides: Record<string, unknown>,
  result: AgentFlags,
): void {
  const key = spec.key as string;
  switch (spec.kind) {
    case 'string':
      setPath(overrides, key, value);
      return;
    case 'int':
      setPath(overrides, key, parseFlagInt(value, name));
      return;
    case 'duration':
      try {
        parseGoDurationNs(value);
      } catch (err) {
        throw usage(`invalid value ${JSON.stringify(value)} for flag -${name}: ${(err as Error).message}`);
      }
      setPath(overrides, key, value);
      return;
    case 'list':
      appendPath(overrides, key, value);
      return;
    case 'meta': {
      // Consul splits `key:value` at the first colon; a bare key gets an empty value.
      const colon = value.indexOf(':');
      const metaKey = colon < 0 ? value : value.slice(0, colon);
      const metaValue = colon < 0 ? '' : value.slice(colon + 1);
      const existing = overrides[key];
      const meta = (typeof existing === 'object' && existing !== null ? existing : {}) as Record<
        string,
        string
      >;
      meta[metaKey] = metaValue;
      overrides[key] = meta;
      return;
    }
    case 'config-path': {
      const flag = name as ConfigPath['flag'];
      if (flag === 'config-file') result.configFiles.push(value);
      else result.configDirs.push(value);
      result.configPaths.push({ path: value, flag });
      return;
    }
    case 'config-format':
      if (value === 'hcl')
        throw usage('-config-format=hcl: HCL configuration is not supported yet; use JSON');
      if (value !== 'json') throw usage(`-config-format must be either 'hcl' or 'json'`);
      result.configFormat = 'json';
      return;
    case 'hcl':
      throw usage('-hcl: HCL configuration is not supported yet; use JSON');
    case 'bool':
      return;
  }
}
