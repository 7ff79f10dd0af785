/** `tribune join [-wan] addr…`: asks the agent to join other members (PUT /v1/agent/join/<addr>). */
import { clientConfigFrom, HTTP_FLAGS, parseCommandLine } from '../client-flags.js';
import { Query, withClient } from '../http-client.js';
import type { CommandRunner } from '../io.js';
import { errorText } from '../output.js';

const FLAGS = { ...HTTP_FLAGS, wan: 'bool' } as const;

const USAGE = `
Usage: tribune join [options] address ...

  Tells a running agent (with "tribune agent") to join the cluster
  by specifying at least one existing member.
`;

export const runJoin: CommandRunner = async (argv, io) => {
  const parsed = parseCommandLine(argv, FLAGS, io, USAGE);
  if (typeof parsed === 'number') return parsed;
  const { flags, args: addresses } = parsed;
  if (addresses.length === 0) {
    io.stderr(`At least one address to join must be specified.\n\n${USAGE.trim()}\n`);
    return 1;
  }
  return withClient(clientConfigFrom(flags, io.env), io, async (client) => {
    let joined = 0;
    for (const address of addresses) {
      const query = new Query();
      if (flags.wan) query.set('wan', '1');
      try {
        await client.sendOk('PUT', `/v1/agent/join/${address}`, { query });
        joined++;
      } catch (err) {
        io.stderr(`Error joining address '${address}': ${errorText(err)}\n`);
      }
    }
    if (joined === 0) {
      io.stderr('Failed to join any nodes.\n');
      return 1;
    }
    io.stdout(`Successfully joined cluster by contacting ${joined} nodes.\n`);
    return 0;
  });
};
