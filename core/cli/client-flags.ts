/**
 * Go `flag`-package parsing for the client commands, so `tribune kv put -flags=42 k v` behaves as
 * `consul kv put` does: one or two dashes, `-f value` or `-f=value`, booleans bare or `=true|false`,
 * parsing stops at the first positional argument or after `--`, and errors read like Go's.
 */
import { readFile } from 'node:fs/promises';
import type { ClientConfig } from './http-client.js';
import type { CliIO } from './io.js';
import { goFsErrorText } from './output.js';

/** bool; string; uint64 (bigint, Go base-0 syntax); int; list (repeatable); map (repeatable k=v). */
export type FlagKind = 'bool' | 'string' | 'uint64' | 'int' | 'list' | 'map';
export type FlagDefs = Readonly<Record<string, FlagKind>>;

type ValueOfKind<K extends FlagKind> = K extends 'bool'
  ? boolean
  : K extends 'string'
    ? string
    : K extends 'uint64'
      ? bigint
      : K extends 'int'
        ? number
        : K extends 'list'
          ? string[]
          : Map<string, string>;

/** Only the flags that were given are present. */
export type FlagValues<D extends FlagDefs> = { -readonly [K in keyof D]?: ValueOfKind<D[K]> };

export type FlagParse<D extends FlagDefs> =
  | { readonly kind: 'ok'; readonly flags: FlagValues<D>; readonly args: string[] }
  | { readonly kind: 'help' }
  | { readonly kind: 'error'; readonly message: string };

/** The flags every client command accepts (Consul's ClientFlags + ServerFlags). */
export const HTTP_FLAGS = {
  'http-addr': 'string',
  token: 'string',
  'token-file': 'string',
  'ca-file': 'string',
  'ca-path': 'string',
  'client-cert': 'string',
  'client-key': 'string',
  'tls-server-name': 'string',
  datacenter: 'string',
  stale: 'bool',
} as const satisfies FlagDefs;

export type HttpFlagValues = FlagValues<typeof HTTP_FLAGS>;

const TRUE_WORDS = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE_WORDS = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** strconv.ParseBool. */
export function parseGoBool(text: string): boolean | undefined {
  if (TRUE_WORDS.has(text)) return true;
  if (FALSE_WORDS.has(text)) return false;
  return undefined;
}

const UINT64_MAX = (1n << 64n) - 1n;
const INT64_MAX = (1n << 63n) - 1n;

/** Go's underscoreOK: `_` only between digits (or right after a base prefix). */
function underscoresPlacedWell(digits: string): boolean {
  return !/^_|_$|__/.test(digits);
}

/**
 * strconv.ParseUint(s, 0, 64): `0x`/`0o`/`0b` prefixes, a leading `0` means octal, underscores
 * allowed between digits. Throws Go's `parse error` / `value out of range`.
 */
export function parseGoUint64(text: string): bigint {
  const syntax = (): never => {
    throw new Error('parse error');
  };
  let base = 10;
  let digits = text;
  const prefix = text.slice(0, 2).toLowerCase();
  if (prefix === '0x' || prefix === '0o' || prefix === '0b') {
    base = prefix === '0x' ? 16 : prefix === '0o' ? 8 : 2;
    digits = text.slice(2);
    if (digits.startsWith('_')) digits = digits.slice(1);
  } else if (text.length > 1 && text.startsWith('0')) {
    base = 8;
    digits = text.slice(1);
  }
  if (digits === '' || !underscoresPlacedWell(digits)) syntax();
  const clean = digits.replaceAll('_', '');
  const alphabet = '0123456789abcdef'.slice(0, base);
  let value = 0n;
  for (const ch of clean.toLowerCase()) {
    const d = alphabet.indexOf(ch);
    if (d < 0) syntax();
    value = value * BigInt(base) + BigInt(d);
  }
  if (value > UINT64_MAX) throw new Error('value out of range');
  return value;
}

/** strconv.ParseInt(s, 0, 64), as a JS number. */
export function parseGoInt(text: string): number {
  const negative = text.startsWith('-');
  const unsigned = text.startsWith('-') || text.startsWith('+') ? text.slice(1) : text;
  const magnitude = parseGoUint64(unsigned);
  if (magnitude > INT64_MAX + (negative ? 1n : 0n)) throw new Error('value out of range');
  return Number(negative ? -magnitude : magnitude);
}

type MutableValues = Record<string, boolean | string | bigint | number | string[] | Map<string, string>>;

function setValue(values: MutableValues, name: string, kind: FlagKind, raw: string): void {
  switch (kind) {
    case 'string':
      values[name] = raw;
      return;
    case 'uint64':
      values[name] = parseGoUint64(raw);
      return;
    case 'int':
      values[name] = parseGoInt(raw);
      return;
    case 'list': {
      const list = values[name];
      values[name] = [...(Array.isArray(list) ? list : []), raw];
      return;
    }
    case 'map': {
      const eq = raw.indexOf('=');
      if (eq < 0) throw new Error(`Missing "=" value in argument: ${raw}`);
      const existing = values[name];
      const map = existing instanceof Map ? existing : new Map<string, string>();
      map.set(raw.slice(0, eq), raw.slice(eq + 1));
      values[name] = map;
      return;
    }
    case 'bool':
      values[name] = true;
  }
}

/** Parses `argv` against `defs` the way Go's flag.FlagSet.Parse does. */
export function parseGoFlags<D extends FlagDefs>(argv: readonly string[], defs: D): FlagParse<D> {
  const values: MutableValues = {};
  let i = 0;
  while (i < argv.length) {
    const arg = argv[i] ?? '';
    if (arg.length < 2 || !arg.startsWith('-')) break;
    let dashes = 1;
    if (arg[1] === '-') {
      dashes = 2;
      if (arg.length === 2) {
        i++;
        break;
      }
    }
    let name = arg.slice(dashes);
    if (name.length === 0 || name.startsWith('-') || name.startsWith('=')) {
      return { kind: 'error', message: `bad flag syntax: ${arg}` };
    }
    i++;
    let value: string | undefined;
    const eq = name.indexOf('=', 1);
    if (eq > 0) {
      value = name.slice(eq + 1);
      name = name.slice(0, eq);
    }
    const kind = Object.hasOwn(defs, name) ? defs[name] : undefined;
    if (kind === undefined) {
      if (name === 'help' || name === 'h') return { kind: 'help' };
      return { kind: 'error', message: `flag provided but not defined: -${name}` };
    }
    if (kind === 'bool') {
      const parsed = value === undefined ? true : parseGoBool(value);
      if (parsed === undefined) {
        return { kind: 'error', message: `invalid boolean value "${value}" for -${name}: parse error` };
      }
      values[name] = parsed;
      continue;
    }
    if (value === undefined) {
      if (i >= argv.length) return { kind: 'error', message: `flag needs an argument: -${name}` };
      value = argv[i] ?? '';
      i++;
    }
    try {
      setValue(values, name, kind, value);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      return { kind: 'error', message: `invalid value "${value}" for flag -${name}: ${reason}` };
    }
  }
  return { kind: 'ok', flags: values as FlagValues<D>, args: argv.slice(i) };
}

/**
 * Parses a command's arguments, printing help (exit 0) or a flag error (exit 1) itself. Returns
 * the exit code in those cases, the parsed flags and positionals otherwise.
 */
export function parseCommandLine<D extends FlagDefs>(
  argv: readonly string[],
  defs: D,
  io: CliIO,
  usage: string,
): { flags: FlagValues<D>; args: string[] } | number {
  const parsed = parseGoFlags(argv, defs);
  if (parsed.kind === 'help') {
    io.stdout(`${usage.trim()}\n`);
    return 0;
  }
  if (parsed.kind === 'error') {
    io.stderr(`${parsed.message}\n${usage.trim()}\n`);
    return 1;
  }
  return { flags: parsed.flags, args: parsed.args };
}

/**
 * Merges the common flags over CONSUL_* environment variables as Consul's api.DefaultConfig and
 * HTTPFlags.MergeOntoConfig do: a flag that was given wins, even when given empty.
 */
export function clientConfigFrom(flags: HttpFlagValues, env: NodeJS.ProcessEnv): ClientConfig {
  const pick = (flag: string | undefined, variable: string, fallback = ''): string =>
    flag ?? env[variable] ?? fallback;
  const verify = parseGoBool(env.CONSUL_HTTP_SSL_VERIFY ?? '');
  return {
    address: pick(flags['http-addr'], 'CONSUL_HTTP_ADDR', '127.0.0.1:8500'),
    defaultTls: parseGoBool(env.CONSUL_HTTP_SSL ?? '') === true,
    token: pick(flags.token, 'CONSUL_HTTP_TOKEN'),
    tokenFile: pick(flags['token-file'], 'CONSUL_HTTP_TOKEN_FILE'),
    datacenter: flags.datacenter ?? '',
    httpAuth: env.CONSUL_HTTP_AUTH ?? '',
    tls: {
      caFile: pick(flags['ca-file'], 'CONSUL_CACERT'),
      caPath: pick(flags['ca-path'], 'CONSUL_CAPATH'),
      certFile: pick(flags['client-cert'], 'CONSUL_CLIENT_CERT'),
      keyFile: pick(flags['client-key'], 'CONSUL_CLIENT_KEY'),
      serverName: pick(flags['tls-server-name'], 'CONSUL_TLS_SERVER_NAME'),
      insecureSkipVerify: verify === false,
    },
  };
}

/**
 * The DATA argument convention of `kv put`, `kv import` and `-filter`: `@path` reads a file, `-`
 * reads stdin, anything else (including `-text`) is the data itself. Throws `Failed to read …`.
 */
export async function readDataArgument(arg: string, io: CliIO): Promise<Buffer> {
  if (arg.startsWith('@')) {
    const path = arg.slice(1);
    try {
      return await readFile(path);
    } catch (err) {
      throw new Error(`Failed to read file: ${goFsErrorText('open', path, err)}`);
    }
  }
  if (arg === '-') {
    try {
      return await io.stdin();
    } catch (err) {
      throw new Error(`Failed to read stdin: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return Buffer.from(arg, 'utf8');
}
