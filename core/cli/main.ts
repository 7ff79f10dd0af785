/**
 * `tribune <command> [subcommand] [args…]`: the agent itself, `validate`, and the thin HTTP clients.
 */
import { clientCommands } from './commands/index.js';
import type { CliIO, CommandRunner } from './io.js';

const USAGE = `Usage: tribune [--version] [--help] <command> [<args>]

Available commands are:
    agent          Runs a Tribune agent
    catalog        Interact with the catalog (datacenters, nodes, services)
    info           Provides debugging information for operators
    join           Tell a Tribune agent to join the cluster
    kv             Interact with the key-value store (get, put, delete, export, import)
    leave          Gracefully leaves the cluster and shuts down
    members        Lists the members of a Tribune cluster
    reload         Triggers the agent to reload configuration files
    services       Interact with services (register, deregister)
    validate       Validate config files/directories
    version        Prints the Tribune version
`;

function commandTable(): Record<string, CommandRunner> {
  return {
    ...clientCommands,
    // The agent and validate load every plugin; the thin clients should not pay for that at start-up.
    agent: async (args, io) => (await import('./commands/agent.js')).runAgentCommand(args, io),
    validate: async (args, io) => {
      const [{ runValidate }, { pluginSchemas }] = await Promise.all([
        import('./commands/validate.js'),
        import('../agent.js'),
      ]);
      return runValidate(args, io, { pluginSchemas });
    },
  };
}

/** Finds the longest command name (`kv get` before `kv`) at the front of `argv`. */
export function resolveCommand(argv: string[]): { runner: CommandRunner; args: string[] } | undefined {
  const table = commandTable();
  if (argv.length >= 2) {
    const two = table[`${argv[0]} ${argv[1]}`];
    if (two) return { runner: two, args: argv.slice(2) };
  }
  const one = argv[0] === undefined ? undefined : table[argv[0]];
  return one ? { runner: one, args: argv.slice(1) } : undefined;
}

export async function main(argv: string[], io: CliIO): Promise<number> {
  const first = argv[0];
  if (first === undefined || first === '-h' || first === '--help' || first === '-help' || first === 'help') {
    io.stdout(USAGE);
    return first === undefined ? 1 : 0;
  }
  if (first === '-v' || first === '--version' || first === '-version')
    return main(['version', ...argv.slice(1)], io);
  const resolved = resolveCommand(argv);
  if (!resolved) {
    const group = Object.keys(commandTable()).filter((name) => name.startsWith(`${first} `));
    if (group.length > 0) {
      io.stderr(
        `Usage: tribune ${first} <subcommand> [options] [args]\n\nSubcommands:\n${group.map((g) => `    ${g.split(' ')[1]}`).join('\n')}\n`,
      );
    } else {
      io.stderr(`Unknown command: ${first}\n\n${USAGE}`);
    }
    return 1;
  }
  return resolved.runner(resolved.args, io);
}

export function processIO(): CliIO {
  // `tribune members | head`: a closed pipe ends the command quietly, as Unix tools do.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(0);
      throw err;
    });
  }
  return {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    stdoutBytes: (b) => process.stdout.write(b),
    stdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    },
    env: process.env,
  };
}
