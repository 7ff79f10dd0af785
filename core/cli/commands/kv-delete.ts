/** `tribune kv delete [-recurse -cas -modify-index=N] key`, with `consul kv delete`'s checks. */
import { clientConfigFrom, HTTP_FLAGS, parseCommandLine } from '../client-flags.js';
import { Query, withClient } from '../http-client.js';
import type { CommandRunner } from '../io.js';
import { errorText } from '../output.js';
import { stripLeadingSlash } from './kv-get.js';

const FLAGS = { ...HTTP_FLAGS, cas: 'bool', 'modify-index': 'uint64', recurse: 'bool' } as const;

const USAGE = `
Usage: tribune kv delete [options] KEY_OR_PREFIX

  Removes the value from the key-value store at the given path. If no key
  exists at the path, no action is taken. -recurse deletes every key under
  the prefix; -cas -modify-index=N deletes only if the key is unchanged.
`;

export const runKvDelete: CommandRunner = async (argv, io) => {
  const parsed = parseCommandLine(argv, FLAGS, io, USAGE);
  if (typeof parsed === 'number') return parsed;
  const { flags, args } = parsed;
  if (args.length > 1) {
    io.stderr(`Too many arguments (expected 1, got ${args.length})\n`);
    return 1;
  }
  const key = stripLeadingSlash(args[0] ?? '');
  const modifyIndex = flags['modify-index'] ?? 0n;
  const usageError = (message: string): number => {
    io.stderr(`${message}\n`);
    return 1;
  };
  if (key === '' && !flags.recurse) return usageError('Error! Missing KEY argument');
  if (flags.cas && modifyIndex === 0n) {
    return usageError(
      'Cannot delete a key that does not exist. Provide a -modify-index greater than than 0.',
    );
  }
  if (modifyIndex !== 0n && !flags.cas) return usageError('Cannot specify -modify-index without -cas!');
  if (flags.recurse && flags.cas) return usageError('Cannot specify both -cas and -recurse!');

  return withClient(clientConfigFrom(flags, io.env), io, async (client) => {
    const path = `/v1/kv/${key}`;
    if (flags.recurse) {
      try {
        await client.sendOk('DELETE', path, { query: new Query().set('recurse', '') });
      } catch (err) {
        return usageError(`Error! Did not delete prefix ${key}: ${errorText(err)}`);
      }
      io.stdout(`Success! Deleted keys with prefix: ${key}\n`);
      return 0;
    }
    if (flags.cas) {
      let deleted: boolean;
      try {
        const res = await client.sendOk('DELETE', path, {
          query: new Query().set('cas', modifyIndex.toString()),
        });
        deleted = res.body.toString('utf8').includes('true');
      } catch (err) {
        return usageError(`Error! Did not delete key ${key}: ${errorText(err)}`);
      }
      if (!deleted) return usageError(`Error! Did not delete key ${key}: CAS failed`);
      io.stdout(`Success! Deleted key: ${key}\n`);
      return 0;
    }
    try {
      await client.sendOk('DELETE', path);
    } catch (err) {
      return usageError(`Error deleting key ${key}: ${errorText(err)}`);
    }
    io.stdout(`Success! Deleted key: ${key}\n`);
    return 0;
  });
};
