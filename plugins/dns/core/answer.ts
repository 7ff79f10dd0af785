/**
 * The answer function: (query, catalog snapshot, options) → response, with no I/O. Return codes as
 * RFC 2308 wants them and as Consul's v1 DNS gives them: NXDOMAIN + SOA for a name that does not
 * exist (or a service with no healthy instance left), NOERROR with an empty answer + SOA (NODATA)
 * for a name that exists without records of the asked type, SERVFAIL when the catalog cannot be
 * read, REFUSED outside our domains, NOTIMP for zone transfers.
 */
import { type Lookup, matchDomain, parseLookup } from './names.js';
import { addrAnswer, nodeAnswer } from './node-answer.js';
import type { AnswerOptions, ExtraAnswer } from './options.js';
import { nameservers, soaRecord } from './records.js';
import { type AnswerContext, baseResponse, negative } from './response.js';
import { serviceAnswer } from './service-answer.js';
import { DnsClass, type DnsMessage, type DnsQuery, RecordType, ResponseCode } from './types.js';
import type { DnsCatalogView } from './view.js';

export type { AnswerOptions, ExtraAnswer } from './options.js';
export { ADVERTISED_UDP_SIZE, emptyResponse, type ResponseHeader } from './response.js';

/** The answer to a query the adapter did not forward to a recursor or hand to a plugin. */
export function answer(query: DnsQuery, view: DnsCatalogView, options: AnswerOptions): DnsMessage {
  const response = baseResponse(query, options);
  if (query.edns && query.edns.version > 0) return { ...response, rcode: ResponseCode.BADVERS };
  const question = query.question;
  const match = matchDomain(question.name, options.domains);
  if (!match) return { ...response, rcode: ResponseCode.REFUSED };
  if (question.class !== DnsClass.IN && question.class !== DnsClass.ANY) {
    return { ...response, rcode: ResponseCode.REFUSED };
  }
  response.flags.authoritative = true;
  if (question.type === RecordType.AXFR || question.type === RecordType.IXFR) {
    return { ...response, rcode: ResponseCode.NOTIMP };
  }
  const context: AnswerContext = {
    query,
    view,
    options,
    domain: match.domain,
    qname: question.name,
    qtype: question.type,
  };
  try {
    return answerInDomain(context, response, parseLookup(match.labels, question.type));
  } catch {
    // The catalog could not be read (or held something we cannot encode): say so, do not guess.
    return { ...response, rcode: ResponseCode.SERVFAIL };
  }
}

function answerInDomain(context: AnswerContext, response: DnsMessage, lookup: Lookup): DnsMessage {
  const { options, view, domain, qtype } = context;
  if (
    qtype === RecordType.SOA ||
    qtype === RecordType.NS ||
    (lookup.kind === 'apex' && qtype === RecordType.ANY)
  ) {
    // As Consul: SOA and NS are the domain's, whatever in-domain name they were asked for.
    const { ns, glue } = nameservers(view, domain, options.nodeTtl, options.random);
    const soa = soaRecord(domain, options.soa, options.now);
    if (qtype === RecordType.NS) return { ...response, answers: ns, additionals: glue };
    if (qtype === RecordType.ANY) return { ...response, answers: [soa, ...ns], additionals: glue };
    return { ...response, answers: [soa], authorities: ns, additionals: glue };
  }
  if (lookup.kind === 'apex') return negative(context, response, ResponseCode.NOERROR);
  if (lookup.kind === 'invalid' || lookup.kind === 'unsupported') {
    return negative(context, response, ResponseCode.NXDOMAIN);
  }
  if (lookup.datacenter !== undefined && lookup.datacenter.toLowerCase() !== view.datacenter.toLowerCase()) {
    return negative(context, response, ResponseCode.NXDOMAIN);
  }
  switch (lookup.kind) {
    case 'service':
      return serviceAnswer(context, response, lookup.service, lookup.tag);
    case 'node':
      return nodeAnswer(context, response, lookup.node);
    case 'addr':
      return addrAnswer(context, response, lookup.hex);
  }
}

/** A response made of what a `resolve` hook tap returned; negative answers get the SOA when in-domain. */
export function extraResponse(query: DnsQuery, extra: ExtraAnswer, options: AnswerOptions): DnsMessage {
  const response = baseResponse(query, options);
  const match = matchDomain(query.question.name, options.domains);
  const rcode = extra.rcode ?? ResponseCode.NOERROR;
  const negativeAnswer =
    rcode === ResponseCode.NXDOMAIN || (rcode === ResponseCode.NOERROR && extra.answers.length === 0);
  const authorities =
    extra.authorities ?? (match && negativeAnswer ? [soaRecord(match.domain, options.soa, options.now)] : []);
  return {
    ...response,
    flags: { ...response.flags, authoritative: match !== undefined },
    rcode,
    answers: extra.answers,
    authorities,
    additionals: extra.additionals ?? [],
  };
}

/** Whether a name is ours to answer (the adapter forwards the others when recursors are set). */
export function isInDomain(name: string, domains: readonly string[]): boolean {
  return matchDomain(name, domains) !== undefined;
}
