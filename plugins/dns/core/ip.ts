/** IP address text ⇄ bytes, without node:net (the core is pure). */

const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

/** Dotted quad, four decimal octets 0–255 without leading zeros (no regex: this runs per record). */
export function parseIPv4(text: string): Uint8Array | undefined {
  const length = text.length;
  if (length < 7 || length > 15) return undefined;
  const bytes = new Uint8Array(4);
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= length; i++) {
    const code = i === length ? 0x2e : text.charCodeAt(i);
    if (code === 0x2e) {
      if (digits === 0 || part > 3) return undefined;
      bytes[part++] = value;
      value = 0;
      digits = 0;
      continue;
    }
    if (code < 0x30 || code > 0x39) return undefined;
    if (digits === 1 && value === 0) return undefined; // leading zero
    value = value * 10 + (code - 0x30);
    digits++;
    if (value > 255) return undefined;
  }
  return part === 4 ? bytes : undefined;
}

/** RFC 4291 text forms, `::` and a trailing dotted quad included; zone IDs are not addresses here. */
export function parseIPv6(text: string): Uint8Array | undefined {
  if (text.length < 2 || text.length > 45 || !text.includes(':')) return undefined;
  let head = text;
  let tail: Uint8Array | undefined;
  const lastColon = text.lastIndexOf(':');
  if (text.indexOf('.', lastColon) >= 0) {
    tail = parseIPv4(text.slice(lastColon + 1));
    if (!tail) return undefined;
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    for (const group of part.split(':')) {
      if (!HEX_GROUP.test(group)) return undefined;
      out.push(Number.parseInt(group, 16));
    }
    return out;
  };
  const left = groupsOf(halves[0] ?? '');
  const right = halves.length === 2 ? groupsOf(halves[1] ?? '') : [];
  if (!left || !right) return undefined;
  const missing = 8 - left.length - right.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...left, ...new Array<number>(missing).fill(0), ...right];
  const bytes = new Uint8Array(16);
  groups.forEach((group, i) => {
    bytes[i * 2] = group >> 8;
    bytes[i * 2 + 1] = group & 0xff;
  });
  if (tail) bytes.set(tail, 12);
  return bytes;
}

export function formatIPv4(bytes: Uint8Array): string {
  return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
}

/** RFC 5952: lower case, no leading zeros, the longest run (first on a tie) of two or more zero groups as `::`. */
export function formatIPv6(bytes: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (list: number[]) => list.map((g) => g.toString(16)).join(':');
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLength))}`;
}

export type IpFamily = 4 | 6;

export function ipFamily(text: string): IpFamily | undefined {
  if (parseIPv4(text)) return 4;
  if (parseIPv6(text)) return 6;
  return undefined;
}

/** The `<hex>.addr` label of an address: 8 hex digits for IPv4, 32 for IPv6. */
export function ipToHex(text: string): string | undefined {
  const bytes = parseIPv4(text) ?? parseIPv6(text);
  if (!bytes) return undefined;
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}

/** The address an `<hex>.addr` label names, or undefined when it is not 8 or 32 hex digits. */
export function hexToIp(hex: string): { family: IpFamily; address: string } | undefined {
  if ((hex.length !== 8 && hex.length !== 32) || !/^[0-9a-fA-F]+$/.test(hex)) return undefined;
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes.length === 4
    ? { family: 4, address: formatIPv4(bytes) }
    : { family: 6, address: formatIPv6(bytes) };
}
