/**
 * Fitting a response to its transport. UDP without EDNS0 gets at most min(8, udp_answer_limit)
 * answers (as Consul) and 512 bytes; with EDNS0 the advertised size (capped at 65467); TCP 65535
 * bytes. Answers are cut from the end (they are shuffled already) and the additional records that
 * served the cut ones go with them. Unlike Consul's default, the TC bit is set whenever an answer
 * was dropped, so a resolver retries over TCP and gets them all; enable_truncate=false restores
 * Consul's silent trimming.
 */
import { type EncodeLayout, encodeMessage, setTruncatedBit } from './encode.js';
import type { DnsMessage, DnsQuery, DnsRecord } from './types.js';

export const UDP_SIZE_WITHOUT_EDNS = 512;
export const MAX_EDNS_UDP_SIZE = 65467;
export const MAX_TCP_MESSAGE = 65535;
/** Consul never puts more than this many answers in a 512-byte UDP response. */
export const MAX_UDP_ANSWER_LIMIT = 8;

export interface SizeSettings {
  udpAnswerLimit: number;
  enableTruncate: boolean;
  compress: boolean;
}

export interface ResponseLimits {
  maxBytes: number;
  maxAnswers: number;
  compress: boolean;
  signalTruncation: boolean;
}

export function responseLimits(
  query: Pick<DnsQuery, 'transport' | 'edns'>,
  settings: SizeSettings,
): ResponseLimits {
  let maxBytes = MAX_TCP_MESSAGE;
  let maxAnswers = Number.POSITIVE_INFINITY;
  if (query.transport === 'udp') {
    maxBytes = query.edns
      ? Math.min(Math.max(query.edns.udpSize, UDP_SIZE_WITHOUT_EDNS), MAX_EDNS_UDP_SIZE)
      : UDP_SIZE_WITHOUT_EDNS;
    if (maxBytes <= UDP_SIZE_WITHOUT_EDNS) {
      maxAnswers = Math.max(1, Math.min(MAX_UDP_ANSWER_LIMIT, settings.udpAnswerLimit));
    }
  }
  return { maxBytes, maxAnswers, compress: settings.compress, signalTruncation: settings.enableTruncate };
}

export interface FittedResponse {
  bytes: Uint8Array;
  /** The TC bit went out. */
  truncated: boolean;
  /** Answers left out to fit (whether or not TC was set). */
  droppedAnswers: number;
}

function referencedNames(answers: readonly DnsRecord[]): Set<string> {
  const names = new Set<string>();
  for (const record of answers) addReferences(names, record);
  return names;
}

function addReferences(names: Set<string>, record: DnsRecord): void {
  names.add(record.name.toLowerCase());
  if (record.type === 'SRV') names.add(record.data.target.toLowerCase());
  else if (record.type === 'NS' || record.type === 'CNAME' || record.type === 'PTR')
    names.add(record.data.toLowerCase());
}

/** The message with only its first `count` answers and the additional records they still need. */
function withAnswers(message: DnsMessage, count: number): DnsMessage {
  if (count >= message.answers.length) return message;
  const answers = message.answers.slice(0, count);
  const needed = referencedNames(answers);
  const additionals = message.additionals.filter((record) => needed.has(record.name.toLowerCase()));
  return { ...message, answers, additionals };
}

/**
 * The most answers that should fit, judged from one encoding of the whole message: the bytes up to
 * the k-th answer, the authority section, and the additional records the first k answers need, as
 * they were sized there. Names in the kept part compress against the kept part only, so the
 * estimate is close; the caller checks it by encoding.
 */
function estimateAnswersThatFit(message: DnsMessage, layout: EncodeLayout, maxBytes: number): number {
  const answers = message.answers;
  const firstNeededBy = new Map<string, number>();
  answers.forEach((record, i) => {
    const names = new Set<string>();
    addReferences(names, record);
    for (const name of names) if (!firstNeededBy.has(name)) firstNeededBy.set(name, i);
  });
  // extraFrom[i]: bytes of additional records first needed by answer i.
  const extraFrom = new Array<number>(answers.length).fill(0);
  let previous = layout.authoritiesEnd;
  message.additionals.forEach((record, j) => {
    const end = layout.additionalEnds[j] ?? previous;
    const first = firstNeededBy.get(record.name.toLowerCase());
    if (first !== undefined) extraFrom[first] = (extraFrom[first] ?? 0) + (end - previous);
    previous = end;
  });
  const lastAnswerEnd = layout.answerEnds[answers.length - 1] ?? layout.questionsEnd;
  const fixed = layout.questionsEnd + (layout.authoritiesEnd - lastAnswerEnd) + (layout.total - previous);
  let size = fixed;
  let fits = 0;
  for (let k = 1; k < answers.length; k++) {
    const answerStart = k === 1 ? layout.questionsEnd : (layout.answerEnds[k - 2] ?? 0);
    size += (layout.answerEnds[k - 1] ?? 0) - answerStart + (extraFrom[k - 1] ?? 0);
    if (size > maxBytes) break;
    fits = k;
  }
  return fits;
}

/** Encodes `message` within `limits`. Throws DnsWireError if a record cannot be encoded at all. */
export function encodeWithinLimits(message: DnsMessage, limits: ResponseLimits): FittedResponse {
  const options = { compress: limits.compress };
  const total = message.answers.length;
  let kept = Math.min(total, limits.maxAnswers);
  const counted = withAnswers(message, kept);
  const layout: EncodeLayout = {
    questionsEnd: 0,
    answerEnds: [],
    authoritiesEnd: 0,
    additionalEnds: [],
    total: 0,
  };
  let bytes = encodeMessage(counted, options, layout);
  if (bytes.length > limits.maxBytes) {
    kept = estimateAnswersThatFit(counted, layout, limits.maxBytes);
    bytes = encodeMessage(withAnswers(counted, kept), options);
    while (bytes.length > limits.maxBytes && kept > 0) {
      kept--;
      bytes = encodeMessage(withAnswers(counted, kept), options);
    }
    if (bytes.length > limits.maxBytes) {
      // Not even the bare negative answer fits: leave out the additional, then the authority records.
      bytes = encodeMessage({ ...counted, answers: [], additionals: [] }, options);
      if (bytes.length > limits.maxBytes)
        bytes = encodeMessage({ ...counted, answers: [], additionals: [], authorities: [] }, options);
    }
  }
  const droppedAnswers = total - kept;
  const truncated = droppedAnswers > 0 && limits.signalTruncation;
  if (truncated) setTruncatedBit(bytes);
  return { bytes, truncated, droppedAnswers };
}
