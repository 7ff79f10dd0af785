/** Building responses: the empty response to a query, and positive, NODATA and NXDOMAIN answers. */
import type { AnswerOptions } from './options.js';
import { soaRecord } from './records.js';
import {
  type DnsMessage,
  type DnsQuery,
  type DnsQuestion,
  type DnsRecord,
  type EdnsOption,
  EdnsOptionCode,
  RecordType,
  ResponseCode,
} from './types.js';
import type { DnsCatalogView } from './view.js';

/** The UDP payload size we advertise in our OPT record. */
export const ADVERTISED_UDP_SIZE = 4096;

/** One in-domain question being answered. */
export interface AnswerContext {
  query: DnsQuery;
  view: DnsCatalogView;
  options: AnswerOptions;
  /** The domain it matched (`consul` or the alt_domain): answers and targets use it. */
  domain: string;
  qname: string;
  qtype: number;
}

/** EDNS client subnet is echoed with scope 0 (we do not tailor answers to it); other options are not. */
function echoedOptions(options: readonly EdnsOption[]): EdnsOption[] {
  const out: EdnsOption[] = [];
  for (const option of options) {
    if (option.code !== EdnsOptionCode.CLIENT_SUBNET || option.data.length < 4) continue;
    const data = option.data.slice();
    data[3] = 0;
    out.push({ code: option.code, data });
  }
  return out;
}

export interface ResponseHeader {
  id: number;
  opcode: number;
  recursionDesired: boolean;
  checkingDisabled: boolean;
  question: DnsQuestion | undefined;
  edns?: DnsQuery['edns'];
}

/** An empty response to `header` with `rcode`, the question echoed. */
export function emptyResponse(
  header: ResponseHeader,
  rcode: number,
  recursionAvailable: boolean,
): DnsMessage {
  return {
    id: header.id,
    opcode: header.opcode,
    flags: {
      authoritative: false,
      truncated: false,
      recursionDesired: header.recursionDesired,
      recursionAvailable,
      checkingDisabled: header.checkingDisabled,
    },
    rcode,
    questions: header.question ? [header.question] : [],
    answers: [],
    authorities: [],
    additionals: [],
    edns: header.edns
      ? { udpSize: ADVERTISED_UDP_SIZE, options: echoedOptions(header.edns.options) }
      : undefined,
  };
}

export function baseResponse(query: DnsQuery, options: AnswerOptions): DnsMessage {
  return emptyResponse(query, ResponseCode.NOERROR, options.recursionAvailable);
}

export function negative(context: AnswerContext, response: DnsMessage, rcode: number): DnsMessage {
  return {
    ...response,
    rcode,
    answers: [],
    authorities: [soaRecord(context.domain, context.options.soa, context.options.now)],
    additionals: [],
  };
}

export function positive(
  response: DnsMessage,
  answers: DnsRecord[],
  additionals: DnsRecord[] = [],
): DnsMessage {
  return { ...response, answers, additionals };
}

/** Answers, or NODATA (NOERROR, empty, SOA) when the name exists but holds no record of that type. */
export function recordsOrNoData(
  context: AnswerContext,
  response: DnsMessage,
  answers: DnsRecord[],
  additionals: DnsRecord[] = [],
): DnsMessage {
  if (answers.length === 0) return negative(context, response, ResponseCode.NOERROR);
  return positive(response, answers, additionals);
}

export function wantsV4(qtype: number): boolean {
  return qtype === RecordType.A || qtype === RecordType.ANY;
}

export function wantsV6(qtype: number): boolean {
  return qtype === RecordType.AAAA || qtype === RecordType.ANY;
}
