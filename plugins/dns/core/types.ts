/**
 * The DNS messages the pure core reads and writes. Names are in presentation form without the
 * trailing dot (`web.service.consul`, the root is ''), as dns-packet prints them; a label byte that
 * is not printable ASCII, a dot inside a label and a backslash are escaped (`\DDD`, `\.`, `\\`).
 */

/** Resource record and query types by number (RFC 1035, 3596, 2782, 6891). */
export const RecordType = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  OPT: 41,
  IXFR: 251,
  AXFR: 252,
  ANY: 255,
} as const;

export const DnsClass = { IN: 1, CH: 3, ANY: 255 } as const;

/** Response codes (the low four bits live in the header, the rest in the OPT record). */
export const ResponseCode = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
  BADVERS: 16,
} as const;

export const OPCODE_QUERY = 0;

/** EDNS0 option codes we act on. */
export const EdnsOptionCode = { CLIENT_SUBNET: 8 } as const;

export type Transport = 'udp' | 'tcp';

export interface DnsQuestion {
  name: string;
  type: number;
  class: number;
}

export interface EdnsOption {
  code: number;
  data: Uint8Array;
}

export interface EdnsRequest {
  /** The requester's advertised UDP payload size, as sent. */
  udpSize: number;
  version: number;
  dnssecOk: boolean;
  options: EdnsOption[];
}

/** A query as the decoder hands it to the answer logic. */
export interface DnsQuery {
  id: number;
  opcode: number;
  recursionDesired: boolean;
  checkingDisabled: boolean;
  question: DnsQuestion;
  edns: EdnsRequest | undefined;
  transport: Transport;
}

interface RecordBase {
  name: string;
  ttl: number;
}

export interface AddressRecord extends RecordBase {
  type: 'A' | 'AAAA';
  data: string;
}

export interface NameRecord extends RecordBase {
  type: 'CNAME' | 'NS' | 'PTR';
  data: string;
}

export interface SrvData {
  priority: number;
  weight: number;
  port: number;
  target: string;
}

export interface SrvRecord extends RecordBase {
  type: 'SRV';
  data: SrvData;
}

export interface TxtRecord extends RecordBase {
  type: 'TXT';
  /** Character strings, each at most 255 bytes once UTF-8 encoded. */
  data: readonly string[];
}

export interface SoaData {
  mname: string;
  rname: string;
  serial: number;
  refresh: number;
  retry: number;
  expire: number;
  minimum: number;
}

export interface SoaRecord extends RecordBase {
  type: 'SOA';
  data: SoaData;
}

export type DnsRecord = AddressRecord | NameRecord | SrvRecord | TxtRecord | SoaRecord;

export interface EdnsResponse {
  udpSize: number;
  options: EdnsOption[];
}

export interface DnsFlags {
  authoritative: boolean;
  truncated: boolean;
  recursionDesired: boolean;
  recursionAvailable: boolean;
  checkingDisabled: boolean;
}

/** A response before encoding. `rcode` may exceed 15; the encoder puts the upper bits in OPT. */
export interface DnsMessage {
  id: number;
  opcode: number;
  flags: DnsFlags;
  rcode: number;
  questions: DnsQuestion[];
  answers: DnsRecord[];
  authorities: DnsRecord[];
  additionals: DnsRecord[];
  edns: EdnsResponse | undefined;
}

/** Thrown by the codec for a name or packet it cannot read or write; never escapes the handler. */
export class DnsWireError extends Error {
  override readonly name = 'DnsWireError';
}
