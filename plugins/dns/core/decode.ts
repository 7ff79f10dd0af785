/**
 * Query decoding. Anything that cannot be read as a DNS query is dropped with a reason (never
 * answered, so a spoofed source gets nothing back); a readable query we will not serve (several
 * questions, an opcode other than QUERY, two OPT records) gets FORMERR or NOTIMP.
 */
import { readU16, readU32 } from './bytes.js';
import { readName } from './compress.js';
import {
  type DnsQuery,
  type DnsQuestion,
  DnsWireError,
  type EdnsOption,
  type EdnsRequest,
  OPCODE_QUERY,
  RecordType,
  ResponseCode,
  type Transport,
} from './types.js';

const HEADER_LENGTH = 12;
/** The smallest question (root name, type, class) and resource record (root, type, class, ttl, rdlength). */
const MIN_QUESTION_LENGTH = 5;
const MIN_RECORD_LENGTH = 11;

export type DropReason = 'short' | 'not-a-query' | 'counts' | 'malformed';

export interface RefusedHeader {
  id: number;
  opcode: number;
  recursionDesired: boolean;
  checkingDisabled: boolean;
  question: DnsQuestion | undefined;
}

export type ParseOutcome =
  | { kind: 'query'; query: DnsQuery }
  | { kind: 'reject'; rcode: number; header: RefusedHeader }
  | { kind: 'drop'; reason: DropReason };

interface RawRecord {
  type: number;
  klass: number;
  ttl: number;
  rdata: Uint8Array;
  name: string;
}

function readRecord(buf: Uint8Array, offset: number): { record: RawRecord; next: number } {
  const { name, next } = readName(buf, offset);
  if (next + 10 > buf.length) throw new DnsWireError('record header runs past the end');
  const type = readU16(buf, next);
  const klass = readU16(buf, next + 2);
  const ttl = readU32(buf, next + 4);
  const length = readU16(buf, next + 8);
  const start = next + 10;
  if (start + length > buf.length) throw new DnsWireError('record data runs past the end');
  return {
    record: { type, klass, ttl, rdata: buf.subarray(start, start + length), name },
    next: start + length,
  };
}

function readOptions(rdata: Uint8Array): EdnsOption[] {
  const options: EdnsOption[] = [];
  let pos = 0;
  while (pos < rdata.length) {
    if (pos + 4 > rdata.length) throw new DnsWireError('EDNS option header runs past the end');
    const code = readU16(rdata, pos);
    const length = readU16(rdata, pos + 2);
    if (pos + 4 + length > rdata.length) throw new DnsWireError('EDNS option runs past the end');
    options.push({ code, data: rdata.slice(pos + 4, pos + 4 + length) });
    pos += 4 + length;
  }
  return options;
}

/** Reads a query. Never throws: every failure is a drop or a reject. */
export function parseQuery(buf: Uint8Array, transport: Transport): ParseOutcome {
  if (buf.length < HEADER_LENGTH) return { kind: 'drop', reason: 'short' };
  const flags = readU16(buf, 2);
  if (flags & 0x8000) return { kind: 'drop', reason: 'not-a-query' };
  const id = readU16(buf, 0);
  const opcode = (flags >>> 11) & 0x0f;
  const recursionDesired = (flags & 0x0100) !== 0;
  const checkingDisabled = (flags & 0x0010) !== 0;
  const qdcount = readU16(buf, 4);
  const ancount = readU16(buf, 6);
  const nscount = readU16(buf, 8);
  const arcount = readU16(buf, 10);
  const room = buf.length - HEADER_LENGTH;
  if (qdcount * MIN_QUESTION_LENGTH + (ancount + nscount + arcount) * MIN_RECORD_LENGTH > room) {
    return { kind: 'drop', reason: 'counts' };
  }
  const questions: DnsQuestion[] = [];
  let edns: EdnsRequest | undefined;
  let optCount = 0;
  try {
    let pos = HEADER_LENGTH;
    for (let i = 0; i < qdcount; i++) {
      const { name, next } = readName(buf, pos);
      if (next + 4 > buf.length) throw new DnsWireError('question runs past the end');
      questions.push({ name, type: readU16(buf, next), class: readU16(buf, next + 2) });
      pos = next + 4;
    }
    for (let i = 0; i < ancount + nscount; i++) pos = readRecord(buf, pos).next;
    for (let i = 0; i < arcount; i++) {
      const { record, next } = readRecord(buf, pos);
      pos = next;
      if (record.type !== RecordType.OPT) continue;
      optCount++;
      if (record.name !== '') throw new DnsWireError('OPT record not at the root');
      edns = {
        udpSize: record.klass,
        version: (record.ttl >>> 16) & 0xff,
        dnssecOk: (record.ttl & 0x8000) !== 0,
        options: readOptions(record.rdata),
      };
    }
  } catch (err) {
    if (err instanceof DnsWireError) return { kind: 'drop', reason: 'malformed' };
    throw err;
  }
  const header: RefusedHeader = {
    id,
    opcode,
    recursionDesired,
    checkingDisabled,
    question: questions.length === 1 ? questions[0] : undefined,
  };
  if (opcode !== OPCODE_QUERY) return { kind: 'reject', rcode: ResponseCode.NOTIMP, header };
  // RFC 6891 §6.1.1: more than one OPT is a format error; so is anything but one question.
  if (questions.length !== 1 || optCount > 1 || ancount > 0) {
    return { kind: 'reject', rcode: ResponseCode.FORMERR, header };
  }
  return {
    kind: 'query',
    query: {
      id,
      opcode,
      recursionDesired,
      checkingDisabled,
      question: questions[0] as DnsQuestion,
      edns,
      transport,
    },
  };
}
