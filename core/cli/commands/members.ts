/**
 * `tribune members`: the gossip pool as the agent sees it (GET /v1/agent/members), laid out as
 * `consul members` lays it out, servers first.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { field, type JsonValue } from '../../util/json.js';
import { clientConfigFrom, HTTP_FLAGS, parseCommandLine } from '../client-flags.js';
import { Query, withClient } from '../http-client.js';
import type { CommandRunner } from '../io.js';
import { columnize, errorText } from '../output.js';

const FLAGS = {
  ...HTTP_FLAGS,
  detailed: 'bool',
  wan: 'bool',
  status: 'string',
  segment: 'string',
  filter: 'string',
} as const;

const USAGE = `
Usage: tribune members [options]

  Outputs the members of a running agent.
`;

const ALL_SEGMENTS = '_all';
const STATUS_NAMES = ['none', 'alive', 'leaving', 'left', 'failed'];

interface Member {
  readonly name: string;
  readonly address: string;
  readonly status: string;
  readonly tags: Map<string, string>;
}

function text(value: JsonValue | undefined): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : String(value);
}

/** net.TCPAddr.String(): `ip:port`, `[v6]:port`, IPv4-mapped v6 shown as v4, `:port` if no IP. */
export function formatTcpAddress(ip: string, port: number): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped?.[1] !== undefined) return `${mapped[1]}:${port}`;
  if (isIPv4(ip)) return `${ip}:${port}`;
  if (isIPv6(ip)) return `[${ip}]:${port}`;
  return `:${port}`;
}

function decodeMember(raw: JsonValue): Member {
  const tags = new Map<string, string>();
  const rawTags = field(raw, 'Tags');
  if (rawTags !== null && typeof rawTags === 'object' && !Array.isArray(rawTags)) {
    for (const [key, value] of Object.entries(rawTags)) tags.set(key, text(value));
  }
  const status = Number(field(raw, 'Status') ?? 0);
  const port = Number(field(raw, 'Port') ?? 0);
  return {
    name: text(field(raw, 'Name')),
    address: formatTcpAddress(text(field(raw, 'Addr')), port),
    status: STATUS_NAMES[status] ?? 'unknown',
    tags,
  };
}

const isDefaultPartition = (p: string): boolean => p === '' || p === 'default';

/** Consul's display defaults: partition `default`, segment `<all>` for servers, `<default>` else. */
function applyDisplayTags(member: Member, segmentFlag: string): void {
  const tags = member.tags;
  if ((tags.get('ap') ?? '') === '') tags.set('ap', 'default');
  if (!isDefaultPartition(tags.get('ap') ?? '')) tags.set('segment', '');
  else if (segmentFlag === ALL_SEGMENTS && tags.get('role') === 'consul') tags.set('segment', '<all>');
  else if ((tags.get('segment') ?? '') === '') tags.set('segment', '<default>');
}

/** Servers first, then the default partition, then by segment, partition and name. */
export function compareMembers(a: Member, b: Member): number {
  const tag = (m: Member, k: string): string => m.tags.get(k) ?? '';
  const serverA = tag(a, 'role') === 'consul';
  const serverB = tag(b, 'role') === 'consul';
  if (serverA !== serverB) return serverA ? -1 : 1;
  const defaultA = isDefaultPartition(tag(a, 'ap'));
  const defaultB = isDefaultPartition(tag(b, 'ap'));
  if (defaultA !== defaultB) return defaultA ? -1 : 1;
  for (const key of ['segment', 'ap']) {
    if (tag(a, key) !== tag(b, key)) return tag(a, key) < tag(b, key) ? -1 : 1;
  }
  if (a.name === b.name) return 0;
  return a.name < b.name ? -1 : 1;
}

function standardRow(m: Member): string[] {
  const role = m.tags.get('role');
  const type = role === 'consul' ? 'server' : role === 'node' ? 'client' : undefined;
  if (type === undefined) return [m.name, m.address, m.status, 'unknown', '', '', '', '', ''];
  const rawBuild = m.tags.get('build') ?? '';
  const build = rawBuild === '' ? '< 0.3' : (rawBuild.split(':')[0] ?? '');
  return [
    m.name,
    m.address,
    m.status,
    type,
    build,
    m.tags.get('vsn') ?? '',
    m.tags.get('dc') ?? '',
    m.tags.get('ap') ?? '',
    m.tags.get('segment') ?? '',
  ];
}

function detailedRow(m: Member): string[] {
  const tags = [...m.tags.keys()]
    .sort()
    .map((k) => `${k}=${m.tags.get(k) ?? ''}`)
    .join(',');
  return [m.name, m.address, m.status, tags];
}

export const runMembers: CommandRunner = async (argv, io) => {
  const parsed = parseCommandLine(argv, FLAGS, io, USAGE);
  if (typeof parsed === 'number') return parsed;
  const { flags } = parsed;
  let statusFilter: RegExp;
  try {
    statusFilter = new RegExp(flags.status ?? '.*');
  } catch (err) {
    io.stderr(`Failed to compile status regexp: ${errorText(err)}\n`);
    return 1;
  }
  const segment = flags.segment ?? ALL_SEGMENTS;
  return withClient(clientConfigFrom(flags, io.env), io, async (client) => {
    const query = new Query().set('segment', segment);
    if (flags.wan) query.set('wan', '1');
    if (flags.filter) query.set('filter', flags.filter);
    let raw: JsonValue;
    try {
      raw = await client.getJson('/v1/agent/members', query);
    } catch (err) {
      io.stderr(`Error retrieving members: ${errorText(err)}\n`);
      return 1;
    }
    const members = (Array.isArray(raw) ? raw : []).map(decodeMember);
    for (const m of members) applyDisplayTags(m, segment);
    const shown = members.filter((m) => statusFilter.test(m.status)).sort(compareMembers);
    if (shown.length === 0) return 2;
    const header = flags.detailed
      ? ['Node', 'Address', 'Status', 'Tags']
      : ['Node', 'Address', 'Status', 'Type', 'Build', 'Protocol', 'DC', 'Partition', 'Segment'];
    const rows = shown.map(flags.detailed ? detailedRow : standardRow);
    io.stdout(`${columnize([header, ...rows])}\n`);
    return 0;
  });
};
