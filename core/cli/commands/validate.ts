/**
 * `tribune validate [-quiet] <files or dirs…>`: loads exactly those paths (no discovery, no agent
 * flags) through the agent's own merge and validation, and prints `Configuration is valid!` or one
 * line per problem (`<file>: <pointer>: <reason>`). Like Consul's, it supplies a placeholder
 * data_dir so that a directory of service definitions validates on its own.
 */
import { parseGoBool } from '../../config/flags.js';
import { type LoadOptions, loadConfigPaths } from '../../config/load.js';
import { formatConfigIssue } from '../../config/schema.js';
import type { ConfigIssue } from '../../config/types.js';
import { exitCodeOf, isTribuneError } from '../../errors.js';

export interface ValidateOutput {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

export interface ValidateOptions {
  /** The loaded plugins' schemas, so their keys validate as they would in the agent. */
  pluginSchemas?: LoadOptions['pluginSchemas'];
  cwd?: string;
}

const USAGE = `Usage: tribune validate [options] FILE_OR_DIRECTORY...

  Performs a thorough sanity test on Tribune configuration files. For each file or directory
  given, the validate command will attempt to parse the contents just as the "tribune agent"
  command would, and catch any errors.

  Returns 0 if the configuration is valid, or 1 if there are problems.

Command Options:

  -quiet  When given, a successful run will produce no output.
`;

/** Placeholder so that validation does not insist on a data_dir the files need not carry. */
const VALIDATE_BASE = { data_dir: '/tmp/tribune-validate' };

interface ValidateArgs {
  quiet: boolean;
  paths: string[];
}

function parseValidateArgs(args: readonly string[]): ValidateArgs | string {
  let quiet = false;
  let i = 0;
  for (; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') {
      i++;
      break;
    }
    if (arg.length < 2 || !arg.startsWith('-')) break;
    const body = arg.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq < 0 ? body : body.slice(0, eq);
    const value = eq < 0 ? undefined : body.slice(eq + 1);
    if (name === 'quiet') {
      try {
        quiet = value === undefined ? true : parseGoBool(value, name);
      } catch (err) {
        return (err as Error).message;
      }
    } else if (name === 'h' || name === 'help') {
      return '';
    } else {
      return `flag provided but not defined: -${name}`;
    }
  }
  return { quiet, paths: args.slice(i) };
}

export async function runValidate(
  args: string[],
  out: ValidateOutput,
  opts: ValidateOptions = {},
): Promise<number> {
  const parsed = parseValidateArgs(args);
  if (typeof parsed === 'string') {
    if (parsed !== '') out.stderr(`${parsed}\n`);
    out.stderr(USAGE);
    return parsed === '' ? 0 : 1;
  }
  if (parsed.paths.length === 0) {
    out.stderr('Must specify at least one config file or directory\n');
    return 1;
  }
  try {
    const loaded = await loadConfigPaths(parsed.paths, {
      base: VALIDATE_BASE,
      ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}),
      ...(opts.pluginSchemas !== undefined ? { pluginSchemas: opts.pluginSchemas } : {}),
    });
    if (!parsed.quiet) {
      for (const warning of loaded.warnings) out.stderr(`Warning: ${formatConfigIssue(warning)}\n`);
      out.stdout('Configuration is valid!\n');
    }
    return 0;
  } catch (err) {
    const issues = isTribuneError(err) ? (err.details?.issues as ConfigIssue[] | undefined) : undefined;
    if (issues !== undefined) {
      for (const issue of issues) out.stderr(`${formatConfigIssue(issue)}\n`);
      return 1;
    }
    out.stderr(`${(err as Error).message}\n`);
    return exitCodeOf(err);
  }
}
