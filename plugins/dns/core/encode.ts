/**
 * DNS message encoding (RFC 1035 §4, RFC 6891 for OPT) for the record types the agent answers with,
 * compressing names through NameCompressor unless told not to.
 */
import { ByteWriter } from './bytes.js';
import { NameCompressor } from './compress.js';
import { parseIPv4, parseIPv6 } from './ip.js';
import { DnsClass, type DnsMessage, type DnsRecord, DnsWireError, RecordType } from './types.js';

const textEncoder = new TextEncoder();

export interface EncodeOptions {
  compress: boolean;
}

const TYPE_NUMBERS: Record<DnsRecord['type'], number> = {
  A: RecordType.A,
  AAAA: RecordType.AAAA,
  CNAME: RecordType.CNAME,
  NS: RecordType.NS,
  PTR: RecordType.PTR,
  SRV: RecordType.SRV,
  TXT: RecordType.TXT,
  SOA: RecordType.SOA,
};

function headerFlags(message: DnsMessage): number {
  const f = message.flags;
  return (
    0x8000 |
    ((message.opcode & 0x0f) << 11) |
    (f.authoritative ? 0x0400 : 0) |
    (f.truncated ? 0x0200 : 0) |
    (f.recursionDesired ? 0x0100 : 0) |
    (f.recursionAvailable ? 0x0080 : 0) |
    (f.checkingDisabled ? 0x0010 : 0) |
    (message.rcode & 0x0f)
  );
}

function writeRdata(out: ByteWriter, names: NameCompressor, record: DnsRecord): void {
  switch (record.type) {
    case 'A': {
      const bytes = parseIPv4(record.data);
      if (!bytes) throw new DnsWireError(`not an IPv4 address: ${JSON.stringify(record.data)}`);
      out.bytes(bytes);
      return;
    }
    case 'AAAA': {
      const bytes = parseIPv6(record.data);
      if (!bytes) throw new DnsWireError(`not an IPv6 address: ${JSON.stringify(record.data)}`);
      out.bytes(bytes);
      return;
    }
    case 'CNAME':
    case 'NS':
    case 'PTR':
      names.write(out, record.data);
      return;
    case 'SRV':
      out.u16(record.data.priority);
      out.u16(record.data.weight);
      out.u16(record.data.port);
      // RFC 2782: the target is not compressed.
      names.write(out, record.data.target, false);
      return;
    case 'TXT': {
      const strings = record.data.length === 0 ? [''] : record.data;
      for (const text of strings) writeCharacterString(out, text);
      return;
    }
    case 'SOA':
      names.write(out, record.data.mname);
      names.write(out, record.data.rname);
      out.u32(record.data.serial);
      out.u32(record.data.refresh);
      out.u32(record.data.retry);
      out.u32(record.data.expire);
      out.u32(record.data.minimum);
      return;
  }
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

function writeCharacterString(out: ByteWriter, text: string): void {
  if (isAscii(text)) {
    if (text.length > 255) throw new DnsWireError('TXT character string longer than 255 bytes');
    out.u8(text.length);
    out.ascii(text, 0, text.length);
    return;
  }
  const bytes = textEncoder.encode(text);
  if (bytes.length > 255) throw new DnsWireError('TXT character string longer than 255 bytes');
  out.u8(bytes.length);
  out.bytes(bytes);
}

function writeRecord(out: ByteWriter, names: NameCompressor, record: DnsRecord): void {
  names.write(out, record.name);
  out.u16(TYPE_NUMBERS[record.type]);
  out.u16(DnsClass.IN);
  out.u32(record.ttl >>> 0);
  const lengthAt = out.pos;
  out.u16(0);
  writeRdata(out, names, record);
  out.patchU16(lengthAt, out.pos - lengthAt - 2);
}

/** Where each part of an encoded message ends (offsets just past it), for fitting it to a size. */
export interface EncodeLayout {
  questionsEnd: number;
  answerEnds: number[];
  authoritiesEnd: number;
  additionalEnds: number[];
  total: number;
}

/**
 * Encodes a response; fills `layout` when given. Throws DnsWireError when a record cannot be
 * written. Returns a fresh array (the work happens in a reused scratch buffer).
 */
export function encodeMessage(
  message: DnsMessage,
  options: EncodeOptions,
  layout?: EncodeLayout,
): Uint8Array {
  const out = ByteWriter.scratch();
  const names = new NameCompressor(options.compress);
  out.u16(message.id);
  out.u16(headerFlags(message));
  out.u16(message.questions.length);
  out.u16(message.answers.length);
  out.u16(message.authorities.length);
  out.u16(message.additionals.length + (message.edns ? 1 : 0));
  for (const question of message.questions) {
    names.write(out, question.name);
    out.u16(question.type);
    out.u16(question.class);
  }
  if (layout) {
    layout.questionsEnd = out.pos;
    layout.answerEnds = [];
    layout.additionalEnds = [];
  }
  for (const record of message.answers) {
    writeRecord(out, names, record);
    layout?.answerEnds.push(out.pos);
  }
  for (const record of message.authorities) writeRecord(out, names, record);
  if (layout) layout.authoritiesEnd = out.pos;
  for (const record of message.additionals) {
    writeRecord(out, names, record);
    layout?.additionalEnds.push(out.pos);
  }
  if (message.edns) {
    out.u8(0);
    out.u16(RecordType.OPT);
    out.u16(message.edns.udpSize);
    // Extended RCODE (upper 8 bits of the 12-bit code), version 0, no flags.
    out.u32(((message.rcode >>> 4) & 0xff) << 24);
    const lengthAt = out.pos;
    out.u16(0);
    for (const option of message.edns.options) {
      out.u16(option.code);
      out.u16(option.data.length);
      out.bytes(option.data);
    }
    out.patchU16(lengthAt, out.pos - lengthAt - 2);
  }
  if (layout) layout.total = out.pos;
  return out.finish();
}

/** The TC bit of an encoded message. */
export function setTruncatedBit(bytes: Uint8Array): void {
  bytes[2] = (bytes[2] ?? 0) | 0x02;
}
