/** Builders for the records the answer logic puts together: SOA, NS and glue, node meta as TXT, addresses. */
import { addressFacts, canEncode, metaTxtData } from './facts.js';
import type { AddressRecord, DnsRecord, NameRecord, SoaRecord, TxtRecord } from './types.js';
import type { DnsCatalogView, DnsServiceInstance } from './view.js';

export interface SoaSettings {
  refresh: number;
  retry: number;
  expire: number;
  minTtl: number;
}

/** The domain's SOA; its TTL and MINIMUM are min_ttl (the negative-caching TTL of RFC 2308). */
export function soaRecord(domain: string, soa: SoaSettings, nowSeconds: number): SoaRecord {
  return {
    name: domain,
    type: 'SOA',
    ttl: soa.minTtl,
    data: {
      mname: domain === '' ? 'ns' : `ns.${domain}`,
      rname: domain === '' ? 'hostmaster' : `hostmaster.${domain}`,
      serial: Math.floor(nowSeconds) >>> 0,
      refresh: soa.refresh,
      retry: soa.retry,
      expire: soa.expire,
      minimum: soa.minTtl,
    },
  };
}

export function join(...parts: string[]): string {
  return parts.filter((part) => part !== '').join('.');
}

/** The A or AAAA record for an IP address (canonical text), or undefined for a hostname. */
export function addressRecord(owner: string, address: string, ttl: number): AddressRecord | undefined {
  const facts = addressFacts(address);
  if (facts.family === 4) return { name: owner, type: 'A', ttl, data: facts.text };
  if (facts.family === 6) return { name: owner, type: 'AAAA', ttl, data: facts.text };
  return undefined;
}

/** A hostname as a name (no trailing dot), or undefined when it cannot be one. */
export function hostnameTarget(address: string): string | undefined {
  const facts = addressFacts(address);
  return facts.family === undefined && facts.text !== '' ? facts.text : undefined;
}

/** One TXT record per node meta pair, in key order. */
export function metaTxtRecords(
  owner: string,
  meta: Readonly<Record<string, string>>,
  ttl: number,
): TxtRecord[] {
  return metaTxtData(meta).map((data) => ({ name: owner, type: 'TXT', ttl, data }));
}

/**
 * Fisher–Yates run forwards one draw at a time with the injected PRNG: the first k items drawn are
 * a uniformly random k-prefix of a shuffle, so a caller that needs three answers out of a hundred
 * instances pays for three draws. Shuffles `items` in place (pass a copy you own).
 */
export class Shuffle<T> {
  private drawn = 0;

  constructor(
    private readonly items: T[],
    private readonly random: () => number,
  ) {}

  next(): T | undefined {
    const items = this.items;
    const i = this.drawn;
    if (i >= items.length) return undefined;
    this.drawn++;
    const j = i + Math.min(items.length - 1 - i, Math.floor(this.random() * (items.length - i)));
    const held = items[i] as T;
    items[i] = items[j] as T;
    items[j] = held;
    return items[i];
  }
}

/** All of `items` in random order (a copy; the input is left alone). */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const shuffle = new Shuffle([...items], random);
  const out: T[] = [];
  for (let item = shuffle.next(); item !== undefined; item = shuffle.next()) out.push(item);
  return out;
}

export const CONSUL_SERVICE = 'consul';
const MAX_NAMESERVERS = 3;

/** The name a node goes by in the domain: `<node>.node.<dc>.<domain>`. */
export function nodeTarget(node: string, datacenter: string, domain: string): string {
  return join(node, 'node', datacenter, domain);
}

/**
 * Up to three healthy servers (instances of the `consul` service) as NS records owned by the
 * domain, with their addresses as glue, in random order.
 */
export function nameservers(
  view: DnsCatalogView,
  domain: string,
  ttl: number,
  random: () => number,
): { ns: NameRecord[]; glue: DnsRecord[] } {
  const ns: NameRecord[] = [];
  const glue: DnsRecord[] = [];
  const servers = view
    .serviceInstances(CONSUL_SERVICE)
    .filter((i: DnsServiceInstance) => i.health !== 'critical');
  const seen = new Set<string>();
  for (const server of shuffled(servers, random)) {
    if (ns.length >= MAX_NAMESERVERS) break;
    const target = nodeTarget(server.node.name, view.datacenter, domain);
    const address = addressRecord(target, server.node.address, ttl);
    if (!address || seen.has(target) || !canEncode(target)) continue;
    seen.add(target);
    ns.push({ name: domain, type: 'NS', ttl, data: target });
    glue.push(address);
  }
  return { ns, glue };
}
