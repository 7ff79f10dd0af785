/**
 * `tribune info`: the `Stats` block of GET /v1/agent/self, one `section:` heading per key and a
 * tab-indented `key = value` line per entry, both sorted, as `consul info` prints them.
 */
import { field, type JsonValue, stringifyJson } from '../../util/json.js';
import { clientConfigFrom, HTTP_FLAGS, parseCommandLine } from '../client-flags.js';
import { withClient } from '../http-client.js';
import type { CommandRunner } from '../io.js';
import { errorText } from '../output.js';

const USAGE = `
Usage: tribune info [options]

  Provides debugging information for operators.
`;

const isObject = (v: JsonValue | undefined): v is { [key: string]: JsonValue } =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const display = (v: JsonValue | undefined): string => (typeof v === 'string' ? v : stringifyJson(v));

export const runInfo: CommandRunner = async (argv, io) => {
  const parsed = parseCommandLine(argv, HTTP_FLAGS, io, USAGE);
  if (typeof parsed === 'number') return parsed;
  return withClient(clientConfigFrom(parsed.flags, io.env), io, async (client) => {
    let self: JsonValue;
    try {
      self = await client.getJson('/v1/agent/self');
    } catch (err) {
      io.stderr(`Error querying agent: ${errorText(err)}\n`);
      return 1;
    }
    const stats = isObject(self) && Object.hasOwn(self, 'Stats') ? self.Stats : undefined;
    if (!isObject(stats)) {
      io.stderr(`Agent response did not contain 'Stats' key: ${stringifyJson(self)}\n`);
      return 1;
    }
    for (const section of Object.keys(stats).sort()) {
      io.stdout(`${section}:\n`);
      const entries = field(stats, section);
      if (!isObject(entries)) {
        io.stderr(`Got invalid subkey in stats: ${stringifyJson(entries)}\n`);
        return 1;
      }
      for (const key of Object.keys(entries).sort()) io.stdout(`\t${key} = ${display(entries[key])}\n`);
    }
    return 0;
  });
};
