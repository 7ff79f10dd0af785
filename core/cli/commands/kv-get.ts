/**
 * `tribune kv get [-recurse -keys -separator=/ -detailed -base64] [key]`, printing exactly what
 * `consul kv get` prints. Also home of the KV read helpers `kv export` reuses.
 */
import { field, type JsonValue } from '../../util/json.js';
import { clientConfigFrom, HTTP_FLAGS, parseCommandLine } from '../client-flags.js';
import { type ConsulClient, decodeJson, Query, unexpected, withClient } from '../http-client.js';
import { type CliIO, type CommandRunner, writeStdoutBytes } from '../io.js';
import { errorText, tabwrite, uint64Text } from '../output.js';

const FLAGS = {
  ...HTTP_FLAGS,
  base64: 'bool',
  detailed: 'bool',
  keys: 'bool',
  recurse: 'bool',
  separator: 'string',
} as const;

const USAGE = `
Usage: tribune kv get [options] [KEY_OR_PREFIX]

  Retrieves the value from the key-value store at the given key name. If no
  key exists with that name, an error is returned. -detailed shows the key's
  metadata, -recurse lists every pair under a prefix, -keys only the key names.
`;

/** One KV entry as the HTTP API returns it; uint64 fields kept as exact decimal text. */
export interface KvPair {
  readonly key: string;
  readonly createIndex: string;
  readonly modifyIndex: string;
  readonly lockIndex: string;
  readonly flags: string;
  readonly value: Buffer;
  readonly session: string;
}

const text = (v: JsonValue | undefined): string => (typeof v === 'string' ? v : '');

export function decodeKvPair(raw: JsonValue): KvPair {
  const value = field(raw, 'Value');
  return {
    key: text(field(raw, 'Key')),
    createIndex: uint64Text(field(raw, 'CreateIndex')),
    modifyIndex: uint64Text(field(raw, 'ModifyIndex')),
    lockIndex: uint64Text(field(raw, 'LockIndex')),
    flags: uint64Text(field(raw, 'Flags')),
    value: typeof value === 'string' ? Buffer.from(value, 'base64') : Buffer.alloc(0),
    session: text(field(raw, 'Session')),
  };
}

/** Consul's CLI quietly strips one leading `/`: keys never start with one. */
export function stripLeadingSlash(key: string): string {
  return key.startsWith('/') ? key.slice(1) : key;
}

function readQuery(stale: boolean | undefined): Query {
  const query = new Query();
  if (stale) query.set('stale', '');
  return query;
}

/** GET /v1/kv/<key> with `query`; a 404 is "nothing there" (undefined), like the Go client. */
async function kvRead(client: ConsulClient, key: string, query: Query): Promise<JsonValue | undefined> {
  const res = await client.send('GET', `/v1/kv/${key}`, { query });
  if (res.status === 404) return undefined;
  if (res.status !== 200) throw unexpected(res);
  return decodeJson(res);
}

/** Every pair under `prefix` (`?recurse`); none is an empty list. */
export async function listKvPairs(client: ConsulClient, prefix: string, stale?: boolean): Promise<KvPair[]> {
  const raw = await kvRead(client, prefix, readQuery(stale).set('recurse', ''));
  return Array.isArray(raw) ? raw.map(decodeKvPair) : [];
}

/** The `-detailed` block: tabwriter(minwidth 0, padding 6), Session `-` when unlocked. */
export function detailedPairText(pair: KvPair, base64: boolean, keysOnly: boolean): string {
  let block =
    `CreateIndex\t${pair.createIndex}\n` +
    `Flags\t${pair.flags}\n` +
    `Key\t${pair.key}\n` +
    `LockIndex\t${pair.lockIndex}\n` +
    `ModifyIndex\t${pair.modifyIndex}\n` +
    `Session\t${pair.session === '' ? '-' : pair.session}\n`;
  if (!keysOnly) block += `Value\t${base64 ? pair.value.toString('base64') : pair.value.toString('utf8')}`;
  return tabwrite(block, { minWidth: 0, padding: 6 });
}

function printDetailedList(io: CliIO, pairs: readonly KvPair[], base64: boolean, keysOnly: boolean): void {
  pairs.forEach((pair, i) => {
    io.stdout(`${detailedPairText(pair, base64, keysOnly)}\n`);
    if (i < pairs.length - 1) io.stdout('\n');
  });
}

export const runKvGet: CommandRunner = async (argv, io) => {
  const parsed = parseCommandLine(argv, FLAGS, io, USAGE);
  if (typeof parsed === 'number') return parsed;
  const { flags, args } = parsed;
  if (args.length > 1) {
    io.stderr(`Too many arguments (expected 1, got ${args.length})\n`);
    return 1;
  }
  const key = stripLeadingSlash(args[0] ?? '');
  if (key === '' && !(flags.recurse || flags.keys)) {
    io.stderr('Error! Missing KEY argument\n');
    return 1;
  }
  const base64 = flags.base64 === true;
  return withClient(clientConfigFrom(flags, io.env), io, async (client) => {
    try {
      if (flags.keys && flags.recurse) {
        const pairs = await listKvPairs(client, key, flags.stale);
        if (flags.detailed) printDetailedList(io, pairs, false, true);
        else for (const pair of pairs) io.stdout(`${pair.key}\n`);
        return 0;
      }
      if (flags.keys) {
        const query = readQuery(flags.stale).set('keys', '');
        const separator = flags.separator ?? '/';
        if (separator !== '') query.set('separator', separator);
        const raw = await kvRead(client, key, query);
        for (const k of Array.isArray(raw) ? raw : []) io.stdout(`${typeof k === 'string' ? k : ''}\n`);
        return 0;
      }
      if (flags.recurse) {
        const pairs = await listKvPairs(client, key, flags.stale);
        if (flags.detailed) {
          printDetailedList(io, pairs, base64, false);
          return 0;
        }
        for (const pair of pairs) {
          const value = base64 ? Buffer.from(pair.value.toString('base64')) : pair.value;
          writeStdoutBytes(io, Buffer.concat([Buffer.from(`${pair.key}:`), value, Buffer.from('\n')]));
        }
        return 0;
      }
      const raw = await kvRead(client, key, readQuery(flags.stale));
      const first = Array.isArray(raw) ? raw[0] : undefined;
      if (first === undefined || first === null) {
        io.stderr(`Error! No key exists at: ${key}\n`);
        return 1;
      }
      const pair = decodeKvPair(first);
      if (flags.detailed) io.stdout(`${detailedPairText(pair, base64, false)}\n`);
      else if (base64) io.stdout(`${pair.value.toString('base64')}\n`);
      else writeStdoutBytes(io, Buffer.concat([pair.value, Buffer.from('\n')]));
      return 0;
    } catch (err) {
      io.stderr(`Error querying Consul agent: ${errorText(err)}\n`);
      return 1;
    }
  });
};
