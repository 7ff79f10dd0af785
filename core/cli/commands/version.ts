/**
 * `tribune version [-format=pretty|json]`: needs no agent. The version comes from the package's
 * own package.json, the revision from the git checkout it runs from (`unknown` outside one).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCommandLine } from '../client-flags.js';
import type { CommandRunner } from '../io.js';
import { goJsonString } from '../output.js';

const FLAGS = { format: 'string' } as const;

const USAGE = `
Usage: tribune version [options]

  Prints the Tribune version. -format=pretty|json
`;

/** The RPC protocol range Consul agents report; we speak the same HTTP API generation. */
const PROTOCOL = { Default: 2, Min: 2, Max: 3 } as const;
/** Consul's placeholder for a build without a recorded date. */
const UNKNOWN_BUILD_DATE = '1970-01-01T00:00:01Z';
const MAX_PARENT_STEPS = 8;

export interface VersionInfo {
  readonly version: string;
  readonly prerelease: string;
  readonly revision: string;
}

/** The directory holding Tribune's package.json, found by walking up from this module. */
function packageRoot(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let step = 0; step < MAX_PARENT_STEPS; step++) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      try {
        const pkg: unknown = JSON.parse(readFileSync(candidate, 'utf8'));
        if (typeof pkg === 'object' && pkg !== null && (pkg as { name?: unknown }).name === 'tribune')
          return dir;
      } catch {
        // not ours; keep walking
      }
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** HEAD's commit id, following a symbolic ref through loose refs or packed-refs. */
export function gitRevision(root: string): string {
  let gitDir = join(root, '.git');
  try {
    if (statSync(gitDir).isFile()) {
      const pointer = /^gitdir:\s*(.+)$/m.exec(readText(gitDir) ?? '');
      if (!pointer?.[1]) return 'unknown';
      gitDir = join(root, pointer[1].trim());
    }
  } catch {
    return 'unknown';
  }
  const head = (readText(join(gitDir, 'HEAD')) ?? '').trim();
  if (/^[0-9a-f]{40,64}$/.test(head)) return head;
  const ref = /^ref:\s*(\S+)$/.exec(head)?.[1];
  if (ref === undefined) return 'unknown';
  const loose = (readText(join(gitDir, ref)) ?? '').trim();
  if (/^[0-9a-f]{40,64}$/.test(loose)) return loose;
  for (const line of (readText(join(gitDir, 'packed-refs')) ?? '').split('\n')) {
    const [sha, name] = line.trim().split(' ');
    if (name === ref && sha !== undefined && /^[0-9a-f]{40,64}$/.test(sha)) return sha;
  }
  return 'unknown';
}

export function readVersionInfo(): VersionInfo {
  const root = packageRoot();
  let full = '0.0.0';
  if (root !== undefined) {
    const pkg: unknown = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    const version = (pkg as { version?: unknown }).version;
    if (typeof version === 'string') full = version;
  }
  const dash = full.indexOf('-');
  return {
    version: dash < 0 ? full : full.slice(0, dash),
    prerelease: dash < 0 ? '' : full.slice(dash + 1),
    revision: root === undefined ? 'unknown' : gitRevision(root),
  };
}

export function formatVersionPretty(info: VersionInfo): string {
  const human = info.prerelease ? `${info.version}-${info.prerelease}` : info.version;
  return (
    `Tribune v${human}\n` +
    `Revision ${info.revision}\n` +
    `Protocol ${PROTOCOL.Default} spoken by default, understands ${PROTOCOL.Min} to ${PROTOCOL.Max}` +
    ` (agent will automatically use protocol >${PROTOCOL.Default} when speaking to compatible agents)\n`
  );
}

/** Go's json.MarshalIndent with a three-space indent, as `consul version -format=json`. */
export function formatVersionJson(info: VersionInfo): string {
  const human = info.prerelease ? `${info.version}-${info.prerelease}` : info.version;
  const fields: [string, string][] = [
    ['Version', goJsonString(info.version)],
    ['Revision', goJsonString(info.revision)],
    ['Prerelease', goJsonString(info.prerelease)],
    ['FullVersion', goJsonString(human)],
    ['BuildDate', goJsonString(UNKNOWN_BUILD_DATE)],
    [
      'RPC',
      `{\n      "Default": ${PROTOCOL.Default},\n      "Min": ${PROTOCOL.Min},\n      "Max": ${PROTOCOL.Max}\n   }`,
    ],
  ];
  return `{\n${fields.map(([k, v]) => `   "${k}": ${v}`).join(',\n')}\n}`;
}

export const runVersion: CommandRunner = async (argv, io) => {
  const parsed = parseCommandLine(argv, FLAGS, io, USAGE);
  if (typeof parsed === 'number') return parsed;
  const format = parsed.flags.format ?? 'pretty';
  if (format !== 'pretty' && format !== 'json') {
    io.stderr(`Unknown format: ${format}\n`);
    return 1;
  }
  const info = readVersionInfo();
  // Like Consul, the pretty text already ends in a newline and one more follows it.
  io.stdout(`${format === 'json' ? formatVersionJson(info) : formatVersionPretty(info)}\n`);
  return 0;
};
