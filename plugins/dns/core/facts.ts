/**
 * What the answer logic derives from catalog strings, memoised: an address's family, canonical text
 * and `<hex>.addr` label; a node's meta as TXT character strings; whether a name can be encoded.
 * The catalog view hands out the same frozen objects until the catalog changes, so a busy name
 * costs lookups rather than parsing per query. Memos are pure (same input, same output) and bounded.
 */
import { isEncodableName } from './compress.js';
import { formatIPv4, formatIPv6, type IpFamily, parseIPv4, parseIPv6 } from './ip.js';
import { characterStrings, rfc1464 } from './txt.js';

export interface AddressFacts {
  /** 4 or 6 for an IP address, undefined for a hostname (or nothing). */
  family: IpFamily | undefined;
  /** The canonical IP text, or the hostname without a trailing dot ('' when unusable as a name). */
  text: string;
  /** 8 or 32 hex digits for an IP; '' otherwise. */
  hex: string;
}

const MAX_MEMO = 50_000;
const addressMemo = new Map<string, AddressFacts>();
const encodableMemo = new Map<string, boolean>();
const metaMemo = new WeakMap<object, ReadonlyArray<readonly string[]>>();

function remember<V>(memo: Map<string, V>, key: string, value: V): V {
  if (memo.size >= MAX_MEMO) memo.clear();
  memo.set(key, value);
  return value;
}

function hexOf(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}

export function addressFacts(address: string): AddressFacts {
  const known = addressMemo.get(address);
  if (known) return known;
  const v4 = parseIPv4(address);
  if (v4) return remember(addressMemo, address, { family: 4, text: formatIPv4(v4), hex: hexOf(v4) });
  const v6 = parseIPv6(address);
  if (v6) return remember(addressMemo, address, { family: 6, text: formatIPv6(v6), hex: hexOf(v6) });
  const hostname = address.replace(/\.$/, '');
  const usable = hostname !== '' && canEncode(hostname);
  return remember(addressMemo, address, { family: undefined, text: usable ? hostname : '', hex: '' });
}

export function canEncode(name: string): boolean {
  const known = encodableMemo.get(name);
  if (known !== undefined) return known;
  return remember(encodableMemo, name, isEncodableName(name));
}

interface TargetMemo {
  datacenter: string;
  domain: string;
  target: string;
}

const nodeTargets = new WeakMap<object, TargetMemo>();

/**
 * `<node>.node.<dc>.<domain>`, or undefined when that cannot be encoded (a node name with an
 * over-long or empty label), remembered per node object for the last domain it was asked with.
 */
export function nodeTargetName(
  node: { name: string },
  datacenter: string,
  domain: string,
): string | undefined {
  const known = nodeTargets.get(node);
  if (known && known.datacenter === datacenter && known.domain === domain) return known.target || undefined;
  const target = [node.name, 'node', datacenter, domain].filter((part) => part !== '').join('.');
  const usable = canEncode(target) ? target : '';
  nodeTargets.set(node, { datacenter, domain, target: usable });
  return usable || undefined;
}

/** Node meta as TXT data, one entry per key in key order (RFC 1464 text split into ≤255-byte strings). */
export function metaTxtData(meta: Readonly<Record<string, string>>): ReadonlyArray<readonly string[]> {
  const known = metaMemo.get(meta);
  if (known) return known;
  const data = Object.keys(meta)
    .sort()
    .map((key) => Object.freeze(characterStrings(rfc1464(key, meta[key] ?? ''))));
  metaMemo.set(meta, data);
  return data;
}
