/** `tribune leave`: the agent leaves the cluster gracefully and shuts down (PUT /v1/agent/leave). */
import { clientConfigFrom, HTTP_FLAGS, parseCommandLine } from '../client-flags.js';
import { withClient } from '../http-client.js';
import type { CommandRunner } from '../io.js';
import { errorText } from '../output.js';

const USAGE = `
Usage: tribune leave [options]

  Causes the agent to gracefully leave the cluster and shutdown.
`;

export const runLeave: CommandRunner = async (argv, io) => {
  const parsed = parseCommandLine(argv, HTTP_FLAGS, io, USAGE);
  if (typeof parsed === 'number') return parsed;
  if (parsed.args.length > 0) {
    io.stderr(`Error found unexpected args: [${parsed.args.join(' ')}]\n`);
    io.stdout(`${USAGE.trim()}\n`);
    return 1;
  }
  return withClient(clientConfigFrom(parsed.flags, io.env), io, async (client) => {
    try {
      await client.sendOk('PUT', '/v1/agent/leave');
    } catch (err) {
      io.stderr(`Error leaving: ${errorText(err)}\n`);
      return 1;
    }
    io.stdout('Graceful leave complete\n');
    return 0;
  });
};
