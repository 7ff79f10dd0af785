/**
 * `tribune services register|deregister`: service definitions from JSON files in the config format
 * (`{"service": {...}}` or `{"services": [...]}`) or from flags, sent to the local agent. A file's
 * definition is sent in its own spelling (snake_case or PascalCase); the agent accepts both.
 */
import { readFile } from 'node:fs/promises';
import { field, type JsonValue, parseJson, stringifyJson } from '../../util/json.js';
import { clientConfigFrom, HTTP_FLAGS, parseCommandLine } from '../client-flags.js';
import { withClient } from '../http-client.js';
import type { CommandRunner } from '../io.js';
import { errorText, goFsErrorText } from '../output.js';

type JsonObject = { [key: string]: JsonValue };

const isObject = (v: JsonValue | undefined): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const text = (v: JsonValue | undefined): string => (typeof v === 'string' ? v : '');

/** Every service definition in the given files, in file order. Throws a readable message. */
export async function servicesFromFiles(paths: readonly string[]): Promise<JsonObject[]> {
  const found: JsonObject[] = [];
  for (const path of paths) {
    if (path.endsWith('.hcl')) throw new Error(`HCL is not supported, use a JSON file: ${path}`);
    let content: string;
    try {
      content = await readFile(path, 'utf8');
    } catch (err) {
      throw new Error(goFsErrorText('open', path, err));
    }
    let doc: JsonValue;
    try {
      doc = parseJson(content);
    } catch (err) {
      throw new Error(`failed to parse ${path}: ${errorText(err)}`);
    }
    if (!isObject(doc)) throw new Error(`failed to parse ${path}: the top level must be a JSON object`);
    for (const key of ['service', 'services']) {
      const value = field(doc, key);
      const list = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
      for (const def of list) {
        if (!isObject(def)) throw new Error(`failed to parse ${path}: "${key}" must hold service objects`);
        found.push(def);
      }
    }
  }
  return found;
}

/** api.ParseServiceAddr: `host:port` into `{Address, Port}`. */
export function parseServiceAddress(value: string): { Address: string; Port: number } {
  const match = /^(?:\[([^\]]*)\]|([^:[\]]*)):(\d*)$/.exec(value);
  if (!match) {
    const reason = value.includes(':') ? 'too many colons in address' : 'missing port in address';
    throw new Error(`address ${value}: ${reason}`);
  }
  const port = Number.parseInt(match[3] ?? '', 10);
  if (!Number.isInteger(port)) throw new Error(`strconv.Atoi: parsing "${match[3] ?? ''}": invalid syntax`);
  return { Address: match[1] ?? match[2] ?? '', Port: port };
}

const REGISTER_FLAGS = {
  ...HTTP_FLAGS,
  id: 'string',
  name: 'string',
  address: 'string',
  port: 'int',
  socket: 'string',
  meta: 'map',
  tag: 'list',
  'tagged-address': 'map',
  kind: 'string',
} as const;

const REGISTER_USAGE = `
Usage: tribune services register [options] [FILE...]

  Register one or more services using the local agent API, from service
  definition files (JSON) or from flags: -name -id -address -port -tag
  (repeatable) -meta key=value (repeatable) -tagged-address key=host:port.
`;

export const runServicesRegister: CommandRunner = async (argv, io) => {
  const parsed = parseCommandLine(argv, REGISTER_FLAGS, io, REGISTER_USAGE);
  if (typeof parsed === 'number') return parsed;
  const { flags, args } = parsed;
  const fail = (message: string): number => {
    io.stderr(`${message}\n`);
    return 1;
  };
  const name = flags.name ?? '';
  if (args.length === 0 && name === '')
    return fail('Service registration requires at least one argument or flags.');
  if (args.length > 0 && name !== '')
    return fail('Service registration requires arguments or -id, not both.');

  let definitions: JsonObject[];
  if (args.length > 0) {
    try {
      definitions = await servicesFromFiles(args);
    } catch (err) {
      return fail(`Error: ${errorText(err)}`);
    }
  } else {
    const fromFlags: JsonObject = {};
    if (flags.kind) fromFlags.Kind = flags.kind;
    if (flags.id) fromFlags.ID = flags.id;
    fromFlags.Name = name;
    if (flags.tag && flags.tag.length > 0) fromFlags.Tags = flags.tag;
    if (flags.port) fromFlags.Port = flags.port;
    if (flags.address) fromFlags.Address = flags.address;
    if (flags.socket) fromFlags.SocketPath = flags.socket;
    const tagged = flags['tagged-address'];
    if (tagged && tagged.size > 0) {
      const addresses: JsonObject = {};
      for (const [k, v] of tagged) {
        try {
          addresses[k] = parseServiceAddress(v);
        } catch (err) {
          return fail(`Invalid Tagged Address: ${errorText(err)}`);
        }
      }
      fromFlags.TaggedAddresses = addresses;
    }
    if (flags.meta && flags.meta.size > 0) fromFlags.Meta = Object.fromEntries(flags.meta);
    definitions = [fromFlags];
  }

  return withClient(clientConfigFrom(flags, io.env), io, async (client) => {
    for (const def of definitions) {
      const serviceName = text(field(def, 'Name'));
      try {
        await client.sendOk('PUT', '/v1/agent/service/register', { body: stringifyJson(def) });
      } catch (err) {
        return fail(`Error registering service ${JSON.stringify(serviceName)}: ${errorText(err)}`);
      }
      io.stdout(`Registered service: ${serviceName}\n`);
    }
    return 0;
  });
};

const DEREGISTER_FLAGS = { ...HTTP_FLAGS, id: 'string' } as const;

const DEREGISTER_USAGE = `
Usage: tribune services deregister [options] [FILE...]

  Deregister one or more services that were previously registered with the
  local agent, named by the definition files or by -id.
`;

export const runServicesDeregister: CommandRunner = async (argv, io) => {
  const parsed = parseCommandLine(argv, DEREGISTER_FLAGS, io, DEREGISTER_USAGE);
  if (typeof parsed === 'number') return parsed;
  const { flags, args } = parsed;
  const fail = (message: string): number => {
    io.stderr(`${message}\n`);
    return 1;
  };
  const id = flags.id ?? '';
  if (args.length === 0 && id === '')
    return fail('Service deregistration requires at least one argument or -id.');
  if (args.length > 0 && id !== '')
    return fail('Service deregistration requires arguments or -id, not both.');

  let targets: { id: string; name: string }[] = [{ id, name: '' }];
  if (args.length > 0) {
    try {
      targets = (await servicesFromFiles(args)).map((def) => ({
        id: text(field(def, 'ID')),
        name: text(field(def, 'Name')),
      }));
    } catch (err) {
      return fail(`Error: ${errorText(err)}`);
    }
  }

  return withClient(clientConfigFrom(flags, io.env), io, async (client) => {
    for (const target of targets) {
      const serviceId = target.id || target.name;
      if (serviceId === '') continue;
      try {
        await client.sendOk('PUT', `/v1/agent/service/deregister/${serviceId}`);
      } catch (err) {
        return fail(`Error deregistering service ${JSON.stringify(target.name)}: ${errorText(err)}`);
      }
      io.stdout(`Deregistered service: ${serviceId}\n`);
    }
    return 0;
  });
};
