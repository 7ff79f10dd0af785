/**
 * The packet path: bytes in, bytes (or nothing) out. Decodes, lets `resolve` taps answer first,
 * forwards names outside our domains to the recursors, otherwise runs the pure answer function over
 * a catalog view, then fits the response to its transport. It never throws: a malformed packet is
 * dropped and counted, a failure while answering becomes SERVFAIL.
 */
import type { Logger } from 'pino';
import type { AgentConfig } from '../../core/config/types.js';
import type { Kernel } from '../../core/kernel.js';
import { forwardToRecursors, parseRecursor, type RecursorTarget } from './adapters/recursor.js';
import { createCatalogView } from './catalog-view.js';
import { type AnswerOptions, answer, emptyResponse, extraResponse, isInDomain } from './core/answer.js';
import { parseQuery } from './core/decode.js';
import { encodeMessage } from './core/encode.js';
import { encodeWithinLimits, responseLimits, type SizeSettings } from './core/fit.js';
import { matchDomain, normalizeDomain } from './core/names.js';
import { compileServiceTtls } from './core/ttl.js';
import { type DnsMessage, type DnsQuery, ResponseCode, type Transport } from './core/types.js';
import { getDnsHooks } from './hooks.js';
import { type DnsMetrics, noDnsMetrics } from './metrics.js';
import { type DnsSettings, dnsSettings } from './schema.js';

/** A reply (or undefined: send nothing), directly when it was ready at once. */
export type Reply = Uint8Array | undefined | Promise<Uint8Array | undefined>;

export interface DnsHandlerOptions {
  kernel: Kernel;
  metrics?: DnsMetrics;
  /** Uniform in [0, 1): answer shuffling and the random recursor strategy. */
  random?: () => number;
  /** Wall clock in ms (the SOA serial). */
  now?: () => number;
}

interface Runtime {
  config: AgentConfig;
  settings: DnsSettings;
  sizes: SizeSettings;
  domains: string[];
  recursors: RecursorTarget[];
  /** Answer options for this config; `now` is refreshed before each answer. */
  base: AnswerOptions;
}

/** The domains we answer for: `domain`, then `alt_domain` when set and different. */
export function configuredDomains(config: AgentConfig): string[] {
  const domains = [normalizeDomain(config.domain || 'consul.')];
  const alt = typeof config.alt_domain === 'string' ? normalizeDomain(config.alt_domain) : '';
  if (alt !== '' && !domains.includes(alt)) domains.push(alt);
  return domains;
}

/** Parses `recursors`; invalid entries are reported through `onInvalid` and skipped. */
export function configuredRecursors(
  config: AgentConfig,
  onInvalid: (error: unknown) => void,
): RecursorTarget[] {
  const out: RecursorTarget[] = [];
  for (const text of config.recursors ?? []) {
    try {
      out.push(parseRecursor(text));
    } catch (err) {
      onInvalid(err);
    }
  }
  return out;
}

export class DnsHandler {
  private readonly kernel: Kernel;
  private readonly metrics: DnsMetrics;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly logger: Logger;
  private runtimeCache: Runtime | undefined;

  constructor(options: DnsHandlerOptions) {
    this.kernel = options.kernel;
    this.metrics = options.metrics ?? noDnsMetrics;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
    this.logger = options.kernel.logger.child({ plugin: 'dns' });
  }

  /** Settings follow config reloads: rebuilt whenever the kernel's config object changes. */
  private runtime(): Runtime {
    const config = this.kernel.config;
    if (this.runtimeCache?.config === config) return this.runtimeCache;
    const settings = dnsSettings(config);
    const domains = configuredDomains(config);
    const recursors = configuredRecursors(config, (err) =>
      this.logger.error({ err }, 'ignoring an invalid recursor address'),
    );
    this.runtimeCache = {
      config,
      settings,
      domains,
      recursors,
      sizes: {
        udpAnswerLimit: settings.udpAnswerLimit,
        enableTruncate: settings.enableTruncate,
        compress: !settings.disableCompression,
      },
      base: {
        now: 0,
        random: this.random,
        domains,
        recursionAvailable: recursors.length > 0,
        nodeTtl: settings.nodeTtl,
        serviceTtls: compileServiceTtls(settings.serviceTtl),
        onlyPassing: settings.onlyPassing,
        aRecordLimit: settings.aRecordLimit,
        nodeMetaTxt: settings.nodeMetaTxt,
        soa: settings.soa,
      },
    };
    return this.runtimeCache;
  }

  /**
   * Answers one DNS message received over `transport`; undefined means send nothing. Never throws
   * (nor rejects). The answer is returned directly when it needs no waiting (no resolve tap, no
   * recursor, no read barrier: the common case), so the socket can reply in the same tick.
   */
  handle(packet: Uint8Array, transport: Transport): Reply {
    let runtime: Runtime;
    try {
      runtime = this.runtime();
    } catch (err) {
      this.logger.error({ err }, 'DNS settings unusable');
      this.metrics.dropped('internal', transport);
      return undefined;
    }
    let parsed: ReturnType<typeof parseQuery>;
    try {
      parsed = parseQuery(packet, transport);
    } catch (err) {
      // parseQuery turns every wire error into a drop; anything else is our bug, still not the caller's.
      this.logger.error({ err }, 'DNS query decoding failed');
      parsed = { kind: 'drop', reason: 'malformed' };
    }
    if (parsed.kind === 'drop') {
      this.metrics.dropped(parsed.reason, transport);
      return undefined;
    }
    if (parsed.kind === 'reject') {
      try {
        const message = emptyResponse(parsed.header, parsed.rcode, runtime.base.recursionAvailable);
        return this.sent(encodeMessage(message, { compress: false }), transport);
      } catch {
        this.metrics.dropped('internal', transport);
        return undefined;
      }
    }
    const query = parsed.query;
    try {
      const bytes = this.respond(query, packet, runtime);
      if (!(bytes instanceof Promise)) return this.sent(bytes, transport);
      return bytes.then(
        (done) => this.sent(done, transport),
        (err: unknown) => this.failed(query, runtime, err),
      );
    } catch (err) {
      return this.failed(query, runtime, err);
    }
  }

  /** SERVFAIL for a query whose answering failed. */
  private failed(query: DnsQuery, runtime: Runtime, err: unknown): Uint8Array | undefined {
    this.logger.warn({ err, name: query.question.name }, 'DNS query failed');
    try {
      const failure = emptyResponse(query, ResponseCode.SERVFAIL, runtime.base.recursionAvailable);
      return this.sent(encodeMessage(failure, { compress: false }), query.transport);
    } catch {
      this.metrics.dropped('internal', query.transport);
      return undefined;
    }
  }

  private sent(bytes: Uint8Array, transport: Transport): Uint8Array {
    this.metrics.answered(bytes, transport);
    return bytes;
  }

  private fit(query: DnsQuery, message: DnsMessage, runtime: Runtime): Uint8Array {
    return encodeWithinLimits(message, responseLimits(query, runtime.sizes)).bytes;
  }

  /**
   * DNS reads are stale reads of this server's store, unless allow_stale is off or the store is
   * staler than max_stale; then the read waits for the leader. Undefined when there is nothing to wait for.
   */
  private readBarrier(settings: DnsSettings): Promise<void> | undefined {
    if (!settings.allowStale) return this.kernel.readBarrier('default');
    if (!this.kernel.hasConsensus()) return undefined;
    const status = this.kernel.consensus.status();
    if (!status.isLeader && status.lastContactMs > settings.maxStaleMs)
      return this.kernel.readBarrier('default');
    return undefined;
  }

  private respond(query: DnsQuery, packet: Uint8Array, runtime: Runtime): Uint8Array | Promise<Uint8Array> {
    if (getDnsHooks(this.kernel).resolve.taps.length > 0)
      return this.respondAfterHooks(query, packet, runtime);
    return this.respondBuiltIn(query, packet, runtime);
  }

  private async respondAfterHooks(
    query: DnsQuery,
    packet: Uint8Array,
    runtime: Runtime,
  ): Promise<Uint8Array> {
    const question = query.question;
    const match = matchDomain(question.name, runtime.domains);
    const extra = await getDnsHooks(this.kernel).resolve.promise(
      {
        name: question.name,
        type: question.type,
        class: question.class,
        transport: query.transport,
        domain: match?.domain,
        labels: match ? match.labels : question.name.split('.').filter((l) => l !== ''),
      },
      this.view(runtime),
    );
    if (extra) return this.fit(query, extraResponse(query, extra, this.answerOptions(runtime)), runtime);
    return this.respondBuiltIn(query, packet, runtime);
  }

  private view(runtime: Runtime) {
    return createCatalogView(this.kernel.store, runtime.config.datacenter);
  }

  /** Recursion for names outside our domains, else the pure answer (after a read barrier if one is due). */
  private respondBuiltIn(
    query: DnsQuery,
    packet: Uint8Array,
    runtime: Runtime,
  ): Uint8Array | Promise<Uint8Array> {
    const inDomain = isInDomain(query.question.name, runtime.domains);
    if (!inDomain && runtime.recursors.length > 0) return this.recurse(query, packet, runtime);
    let barrier: Promise<void> | undefined;
    try {
      barrier = inDomain ? this.readBarrier(runtime.settings) : undefined;
    } catch (err) {
      return this.barrierFailed(query, runtime, err);
    }
    if (!barrier) return this.answerAndFit(query, runtime);
    return barrier.then(
      () => this.answerAndFit(query, runtime),
      (err: unknown) => this.barrierFailed(query, runtime, err),
    );
  }

  /** The pure answer, built no larger than the transport can carry, then fitted to it. */
  private answerAndFit(query: DnsQuery, runtime: Runtime): Uint8Array {
    const limits = responseLimits(query, runtime.sizes);
    const options = this.answerOptions(runtime);
    options.answerLimit = limits.maxAnswers;
    options.answerBytes = limits.maxBytes;
    return encodeWithinLimits(answer(query, this.view(runtime), options), limits).bytes;
  }

  private barrierFailed(query: DnsQuery, runtime: Runtime, err: unknown): Uint8Array {
    this.logger.debug({ err }, 'DNS read barrier failed');
    return this.fit(
      query,
      emptyResponse(query, ResponseCode.SERVFAIL, runtime.base.recursionAvailable),
      runtime,
    );
  }

  private async recurse(query: DnsQuery, packet: Uint8Array, runtime: Runtime): Promise<Uint8Array> {
    const forwarded = await forwardToRecursors(packet, query.transport, {
      targets: runtime.recursors,
      strategy: runtime.settings.recursorStrategy,
      timeoutMs: runtime.settings.recursorTimeoutMs,
      random: this.random,
    });
    if (forwarded.ok) return forwarded.bytes;
    this.metrics.recursorFailed();
    this.logger.debug({ name: query.question.name, failures: forwarded.failures }, 'every recursor failed');
    return this.fit(query, emptyResponse(query, ResponseCode.SERVFAIL, true), runtime);
  }

  /** The runtime's answer options with this moment's clock (answering is synchronous, so one object serves). */
  private answerOptions(runtime: Runtime): AnswerOptions {
    runtime.base.now = this.now() / 1000;
    runtime.base.answerLimit = undefined;
    runtime.base.answerBytes = undefined;
    return runtime.base;
  }
}
