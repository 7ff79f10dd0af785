/**
 * Fixtures for the DNS tests: a hand-built catalog view, query builders, default answer options,
 * and a zone-file-like rendering of decoded answers so that golden expectations read as dig prints them.
 */
import dnsPacket from 'dns-packet';
import type { AnswerOptions } from '../../plugins/dns/core/answer.js';
import { compileServiceTtls } from '../../plugins/dns/core/ttl.js';
import { type DnsQuery, RecordType, type Transport } from '../../plugins/dns/core/types.js';
import type {
  DnsCatalogView,
  DnsNode,
  DnsServiceInstance,
  InstanceHealth,
} from '../../plugins/dns/core/view.js';

/** A PRNG that makes the forward Fisher–Yates keep the order (j = i every draw): golden answers follow the catalog. */
export const keepOrder = (): number => 0;

/** mulberry32: a small seeded PRNG for shuffle tests. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const NOW_SECONDS = 1_700_000_000;

export function answerOptions(overrides: Partial<AnswerOptions> = {}): AnswerOptions {
  return {
    domains: ['consul'],
    recursionAvailable: false,
    nodeTtl: 0,
    serviceTtls: compileServiceTtls({}),
    onlyPassing: false,
    aRecordLimit: 0,
    nodeMetaTxt: true,
    soa: { refresh: 3600, retry: 600, expire: 86400, minTtl: 0 },
    now: NOW_SECONDS,
    random: keepOrder,
    ...overrides,
  };
}

export function makeQuery(
  name: string,
  type: keyof typeof RecordType | number = 'A',
  opts: { transport?: Transport; ednsSize?: number; id?: number; qclass?: number } = {},
): DnsQuery {
  return {
    id: opts.id ?? 4242,
    opcode: 0,
    recursionDesired: true,
    checkingDisabled: false,
    question: { name, type: typeof type === 'number' ? type : RecordType[type], class: opts.qclass ?? 1 },
    edns:
      opts.ednsSize === undefined
        ? undefined
        : { udpSize: opts.ednsSize, version: 0, dnssecOk: false, options: [] },
    transport: opts.transport ?? 'udp',
  };
}

export function node(name: string, address: string, meta: Record<string, string> = {}): DnsNode {
  return { name, address, datacenter: 'dc1', meta };
}

export function instance(
  n: DnsNode,
  service: string,
  fields: Partial<Omit<DnsServiceInstance, 'node' | 'service'>> = {},
): DnsServiceInstance {
  return {
    node: n,
    id: fields.id ?? service,
    service,
    tags: fields.tags ?? [],
    address: fields.address ?? '',
    port: fields.port ?? 80,
    weights: fields.weights ?? { passing: 1, warning: 1 },
    health: fields.health ?? ('passing' satisfies InstanceHealth),
  };
}

/** A view over fixed instances; `failing` makes every read throw (a catalog that cannot be read). */
export function fixedView(
  instances: readonly DnsServiceInstance[],
  nodes: readonly DnsNode[],
  failing = false,
): DnsCatalogView {
  return {
    datacenter: 'dc1',
    serviceInstances(name) {
      if (failing) throw new Error('store unavailable');
      return instances.filter((i) => i.service.toLowerCase() === name.toLowerCase());
    },
    node(name) {
      if (failing) throw new Error('store unavailable');
      return nodes.find((n) => n.name.toLowerCase() === name.toLowerCase());
    },
  };
}

export const web1 = node('web-1', '10.0.0.1', { rack: 'a', 'rfc1035-note': 'plain text' });
export const web2 = node('web-2', '10.0.0.2');
export const web3 = node('web-3', '2001:db8::3');
export const dbHost = node('db-host', 'db.example.com');
export const dotted = node('my.dotted.node', '10.0.0.9');
export const server = node('server-1', '10.0.0.100');

export const catalogInstances: DnsServiceInstance[] = [
  instance(web1, 'web', { id: 'web', port: 80, tags: ['v1.2', 'primary'] }),
  instance(web1, 'web', { id: 'web-canary', port: 90, tags: ['canary'], address: '10.1.1.1' }),
  instance(web2, 'web', {
    id: 'web',
    port: 81,
    tags: ['v1.2'],
    health: 'warning',
    weights: { passing: 10, warning: 3 },
  }),
  instance(web3, 'web', { id: 'web', port: 82, health: 'critical' }),
  instance(web2, 'api', { id: 'api', port: 9000, address: 'api.example.com' }),
  instance(web3, 'v6', { id: 'v6', port: 443 }),
  instance(web2, 'down', { id: 'down', health: 'critical' }),
  instance(web1, 'dup', { id: 'dup-a', port: 7000 }),
  instance(web1, 'dup', { id: 'dup-b', port: 7000 }),
  instance(dbHost, 'db', { id: 'db', port: 5432 }),
  instance(server, 'consul', { id: 'consul', port: 8300 }),
];

export const catalogNodes: DnsNode[] = [web1, web2, web3, dbHost, dotted, server];

export const catalogView = fixedView(catalogInstances, catalogNodes);

type Decoded = ReturnType<typeof dnsPacket.decode>;

/** dns-packet decodes the rcode, but its type definitions leave it out. */
export function rcodeOf(packet: Decoded): string {
  return (packet as { rcode?: string }).rcode ?? 'NOERROR';
}

/** An OPT pseudo-record for dns-packet's encoder (its type definitions want every decoded field). */
export function optRecord(
  udpPayloadSize: number,
  options: Array<Record<string, unknown>> = [],
  flags = 0,
): dnsPacket.Answer {
  return { type: 'OPT', name: '.', udpPayloadSize, flags, options } as unknown as dnsPacket.Answer;
}
type DecodedAnswer = NonNullable<Decoded['answers']>[number];

function dataText(record: DecodedAnswer): string {
  const data = (record as { data?: unknown }).data;
  switch (record.type) {
    case 'SRV': {
      const srv = data as { priority: number; weight: number; port: number; target: string };
      return `${srv.priority} ${srv.weight} ${srv.port} ${srv.target}`;
    }
    case 'TXT':
      return (data as Buffer[]).map((b) => JSON.stringify(b.toString('utf8'))).join(' ');
    case 'SOA': {
      const soa = data as Record<string, unknown>;
      return `${soa.mname} ${soa.rname} ${soa.serial} ${soa.refresh} ${soa.retry} ${soa.expire} ${soa.minimum}`;
    }
    default:
      return String(data);
  }
}

/** `name ttl TYPE data`, as dig prints a record (without the class). */
export function recordLine(record: DecodedAnswer): string {
  return `${record.name} ${(record as { ttl?: number }).ttl ?? 0} ${record.type} ${dataText(record)}`;
}

export interface Rendered {
  rcode: string;
  flags: string[];
  answer: string[];
  authority: string[];
  additional: string[];
}

/** Decodes a response with dns-packet and renders it for golden comparisons (OPT left out). */
export function render(bytes: Uint8Array): Rendered {
  const packet = dnsPacket.decode(Buffer.from(bytes));
  const flags: string[] = [];
  if (packet.flag_aa) flags.push('aa');
  if (packet.flag_tc) flags.push('tc');
  if (packet.flag_rd) flags.push('rd');
  if (packet.flag_ra) flags.push('ra');
  return {
    rcode: rcodeOf(packet),
    flags,
    answer: (packet.answers ?? []).map(recordLine),
    authority: (packet.authorities ?? []).map(recordLine),
    additional: (packet.additionals ?? []).filter((r) => r.type !== 'OPT').map(recordLine),
  };
}
