/** `tribune reload`: asks the agent to re-read its configuration (PUT /v1/agent/reload). */
import { clientConfigFrom, HTTP_FLAGS, parseCommandLine } from '../client-flags.js';
import { withClient } from '../http-client.js';
import type { CommandRunner } from '../io.js';
import { errorText } from '../output.js';

const USAGE = `
Usage: tribune reload

  Causes the agent to reload configurations. This can be used instead
  of sending the SIGHUP signal to the agent.
`;

export const runReload: CommandRunner = async (argv, io) => {
  const parsed = parseCommandLine(argv, HTTP_FLAGS, io, USAGE);
  if (typeof parsed === 'number') return parsed;
  return withClient(clientConfigFrom(parsed.flags, io.env), io, async (client) => {
    try {
      // An invalid new configuration comes back as 400/500 with the validation errors in the body.
      await client.sendOk('PUT', '/v1/agent/reload');
    } catch (err) {
      io.stderr(`Error reloading: ${errorText(err)}\n`);
      return 1;
    }
    io.stdout('Configuration reload triggered\n');
    return 0;
  });
};
