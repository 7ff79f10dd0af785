/**
 * `tribune kv put [-cas -modify-index=N -flags=N -acquire -release -session=ID -base64] key [data]`
 * with `consul kv put`'s checks and messages. Flags and indexes are uint64 and stay bigint
 * end to end. Also exports the PUT helper `kv import` reuses.
 */
import { clientConfigFrom, HTTP_FLAGS, parseCommandLine, readDataArgument } from '../client-flags.js';
import { type ConsulClient, Query, withClient } from '../http-client.js';
import type { CommandRunner } from '../io.js';
import { decodeGoBase64, errorText } from '../output.js';

const FLAGS = {
  ...HTTP_FLAGS,
  cas: 'bool',
  flags: 'uint64',
  base64: 'bool',
  'modify-index': 'uint64',
  session: 'string',
  acquire: 'bool',
  release: 'bool',
} as const;

const USAGE = `
Usage: tribune kv put [options] KEY [DATA]

  Writes the data to the given path in the key-value store. DATA may be
  @file to read a file, - to read stdin, or the value itself; without DATA
  an empty value is written. -cas -modify-index=N performs a check-and-set.
`;

/**
 * PUT /v1/kv/<key> with the Go client's rules: `flags` only when non-zero, a key with a leading `/`
 * refused before sending, the answer read as "contains true". Throws on a non-200 answer.
 */
export async function putKv(
  client: ConsulClient,
  key: string,
  value: Uint8Array,
  flags: bigint,
  extra: Query = new Query(),
): Promise<boolean> {
  if (key.startsWith('/')) throw new Error(`Invalid key. Key must not begin with a '/': ${key}`);
  if (flags !== 0n) extra.set('flags', flags.toString());
  const res = await client.sendOk('PUT', `/v1/kv/${key}`, { query: extra, body: value });
  return res.body.toString('utf8').includes('true');
}

export const runKvPut: CommandRunner = async (argv, io) => {
  const parsed = parseCommandLine(argv, FLAGS, io, USAGE);
  if (typeof parsed === 'number') return parsed;
  const { flags, args } = parsed;
  if (args.length === 0) {
    io.stderr('Error! Missing KEY argument\n');
    return 1;
  }
  if (args.length > 2) {
    io.stderr(`Error! Too many arguments (expected 1 or 2, got ${args.length})\n`);
    return 1;
  }
  const key = args[0] ?? '';
  let data: Buffer;
  try {
    data = args[1] === undefined || args[1] === '' ? Buffer.alloc(0) : await readDataArgument(args[1], io);
  } catch (err) {
    io.stderr(`Error! ${errorText(err)}\n`);
    return 1;
  }
  if (flags.base64) {
    try {
      data = decodeGoBase64(data.toString('utf8'));
    } catch (err) {
      io.stderr(`Error! Cannot base 64 decode data: ${errorText(err)}\n`);
      return 1;
    }
  }
  const session = flags.session ?? '';
  if ((flags.release || flags.acquire) && session === '') {
    io.stderr('Error! Missing -session (required with -acquire and -release)\n');
    return 1;
  }
  const modifyIndex = flags['modify-index'] ?? 0n;
  if (flags.cas && modifyIndex === 0n) {
    io.stderr('Must specify -modify-index with -cas!\n');
    return 1;
  }
  const kvFlags = flags.flags ?? 0n;
  return withClient(clientConfigFrom(flags, io.env), io, async (client) => {
    const fail = (message: string): number => {
      io.stderr(`${message}\n`);
      return 1;
    };
    if (flags.cas) {
      let ok: boolean;
      try {
        ok = await putKv(client, key, data, kvFlags, new Query().set('cas', modifyIndex.toString()));
      } catch (err) {
        return fail(`Error! Did not write to ${key}: ${errorText(err)}`);
      }
      if (!ok) return fail(`Error! Did not write to ${key}: CAS failed`);
      io.stdout(`Success! Data written to: ${key}\n`);
      return 0;
    }
    if (flags.acquire || flags.release) {
      const verb = flags.acquire ? 'acquire' : 'release';
      let ok: boolean;
      try {
        ok = await putKv(client, key, data, kvFlags, new Query().set(verb, session));
      } catch (err) {
        return fail(`Error! Failed writing data: ${errorText(err)}`);
      }
      if (!ok) return fail(`Error! Did not ${verb} lock`);
      io.stdout(`Success! Lock ${verb === 'acquire' ? 'acquired' : 'released'} on: ${key}\n`);
      return 0;
    }
    try {
      await putKv(client, key, data, kvFlags);
    } catch (err) {
      return fail(`Error! Failed writing data: ${errorText(err)}`);
    }
    io.stdout(`Success! Data written to: ${key}\n`);
    return 0;
  });
};
