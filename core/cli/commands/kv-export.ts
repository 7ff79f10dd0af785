/**
 * `tribune kv export [prefix]`: the pairs under a prefix as the JSON `consul kv export` writes —
 * Go's json.MarshalIndent with a tab indent, lower-case `key`/`flags`/`value`, value in base64,
 * flags as an exact uint64 number. `kv import` reads it back.
 */
import { clientConfigFrom, HTTP_FLAGS, parseCommandLine } from '../client-flags.js';
import { withClient } from '../http-client.js';
import type { CommandRunner } from '../io.js';
import { errorText, goJsonString } from '../output.js';
import { type KvPair, listKvPairs, stripLeadingSlash } from './kv-get.js';

const USAGE = `
Usage: tribune kv export [KEY_OR_PREFIX]

  Retrieves key-value pairs for the given prefix from the key-value store,
  and writes a JSON representation to stdout. This can be used with the
  command "tribune kv import" to move entire trees between clusters.
`;

export function formatExport(pairs: readonly KvPair[]): string {
  if (pairs.length === 0) return '[]';
  const entries = pairs.map(
    (p) =>
      `\t{\n\t\t"key": ${goJsonString(p.key)},\n\t\t"flags": ${p.flags},\n` +
      `\t\t"value": ${goJsonString(p.value.toString('base64'))}\n\t}`,
  );
  return `[\n${entries.join(',\n')}\n]`;
}

export const runKvExport: CommandRunner = async (argv, io) => {
  const parsed = parseCommandLine(argv, HTTP_FLAGS, io, USAGE);
  if (typeof parsed === 'number') return parsed;
  const { flags, args } = parsed;
  if (args.length > 1) {
    io.stderr(`Too many arguments (expected 1, got ${args.length})\n`);
    return 1;
  }
  const prefix = stripLeadingSlash(args[0] ?? '');
  return withClient(clientConfigFrom(flags, io.env), io, async (client) => {
    let pairs: KvPair[];
    try {
      pairs = await listKvPairs(client, prefix, flags.stale);
    } catch (err) {
      io.stderr(`Error querying Consul agent: ${errorText(err)}\n`);
      return 1;
    }
    io.stdout(`${formatExport(pairs)}\n`);
    return 0;
  });
};
