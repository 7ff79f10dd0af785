/** What the answer logic is told besides the query and the catalog: settings, clock and PRNG, limits. */
import type { SoaSettings } from './records.js';
import type { ServiceTtlTable } from './ttl.js';
import type { DnsRecord } from './types.js';

export interface AnswerOptions {
  /** Normalised domains (`consul`, then alt_domain if any). */
  domains: readonly string[];
  /** Recursors are configured: RA is set on every response. */
  recursionAvailable: boolean;
  /** Seconds. */
  nodeTtl: number;
  serviceTtls: ServiceTtlTable;
  onlyPassing: boolean;
  /** Cap on A/AAAA records per answer after shuffling; 0 = none. */
  aRecordLimit: number;
  /** Node meta as TXT in the additional section of A/AAAA/SRV answers. */
  nodeMetaTxt: boolean;
  soa: SoaSettings;
  /** Unix seconds, the SOA serial. */
  now: number;
  /** Uniform in [0, 1): shuffles answers and nameservers. */
  random: () => number;
  /**
   * The most answers the response can carry (udp_answer_limit on plain UDP); answers are built up
   * to one more than this, so that the fitting step still knows records were left out. Default: all.
   */
  answerLimit?: number;
  /**
   * The response's size limit in bytes. Answers are built until a lower bound of their encoded size
   * passes it (one answer more than can fit, at least), so a large service is not built in full
   * only to be cut. Default: no limit.
   */
  answerBytes?: number;
}

/** Extra records a plugin supplies through the `resolve` hook. */
export interface ExtraAnswer {
  rcode?: number;
  answers: DnsRecord[];
  authorities?: DnsRecord[];
  additionals?: DnsRecord[];
}
