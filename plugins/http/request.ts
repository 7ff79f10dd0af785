/**
 * What a route handler sees: parsed parameters, the body on demand, the token, and `read()` which
 * runs a query under the request's consistency mode and blocking parameters.
 *
 * Built for every API call, so everything not every handler needs (the token, the abort signal, the
 * wait limits) is worked out on first use, and a parked blocking read holds no more than it must.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ReadMode } from '../../core/consensus.js';
import { TribuneError } from '../../core/errors.js';
import type { Kernel } from '../../core/kernel.js';
import { type QueryResult, startBlockingQuery } from '../../core/state/blocking.js';
import { parseGoDuration } from '../../core/util/duration.js';
import { type JsonValue, parseJson } from '../../core/util/json.js';
import {
  type BlockingSettings,
  type ParsedBlocking,
  parseBlocking,
  parseConsistency,
  parseToken,
  withJitter,
} from './params.js';

export interface ApiReply {
  status?: number;
  /** Serialised as JSON (bigint-safe); `undefined` with no `text`/`raw` means an empty body. */
  body?: unknown;
  /** A plain-text body. */
  text?: string;
  /** Bytes sent as they are (KV `?raw`). */
  raw?: Buffer;
  contentType?: string;
  /** Sets X-Consul-Index (never 0) and the read meta headers. */
  index?: number;
  headers?: Record<string, string>;
}

/** The node:http pair a request arrived on (a koa context is one). */
export interface HttpExchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
}

/** What every request of one HTTP server shares: the kernel, the jitter source, the wait limits. */
export class RequestEnvironment {
  private settings: BlockingSettings | undefined;
  private settingsFrom: [string, string] | undefined;

  constructor(
    readonly kernel: Kernel,
    readonly random: () => number,
  ) {}

  /** default_query_time and max_query_time in ms, parsed again only when the configuration changes. */
  blockingSettings(): BlockingSettings {
    const { default_query_time: defaultWait, max_query_time: maxWait } = this.kernel.config;
    const from = this.settingsFrom;
    if (this.settings === undefined || from?.[0] !== defaultWait || from[1] !== maxWait) {
      this.settings = { defaultWaitMs: parseGoDuration(defaultWait), maxWaitMs: parseGoDuration(maxWait) };
      this.settingsFrom = [defaultWait, maxWait];
    }
    return this.settings;
  }
}

const UNPARSED = Symbol('unparsed');
const EMPTY_BODY = Buffer.alloc(0);

export class ApiRequest {
  readonly kernel: Kernel;
  /** Set by read(): which mode actually served the answer, for X-Consul-Effective-Consistency. */
  effectiveConsistency: ReadMode | undefined;
  private bodyPromise: Promise<Buffer> | undefined;
  private tokenValue: string | undefined | typeof UNPARSED = UNPARSED;
  private abort: AbortController | undefined;

  constructor(
    private readonly env: RequestEnvironment,
    private readonly exchange: HttpExchange,
    readonly method: string,
    readonly path: string,
    readonly params: Readonly<Record<string, string>>,
    readonly query: URLSearchParams,
    private readonly maxBodyBytes: number,
  ) {
    this.kernel = env.kernel;
  }

  /** The token, by Consul's precedence: ?token, X-Consul-Token, Authorization: Bearer. */
  get token(): string | undefined {
    if (this.tokenValue === UNPARSED) this.tokenValue = parseToken(this.query, (name) => this.header(name));
    return this.tokenValue;
  }

  /** Aborts when the client goes away before the answer is written. */
  get signal(): AbortSignal {
    if (!this.abort) {
      const abort = new AbortController();
      const res = this.exchange.res;
      if (res.destroyed && !res.writableEnded) abort.abort();
      else res.once('close', () => !res.writableEnded && abort.abort());
      this.abort = abort;
    }
    return this.abort.signal;
  }

  /** A request header, by name in any case (`Accept`, `Content-Type`). */
  header(name: string): string | undefined {
    const headers = this.exchange.req.headers;
    const lower = name.toLowerCase();
    // As koa's ctx.get(): the two spellings of Referer are one header.
    const value =
      lower === 'referer' || lower === 'referrer' ? headers.referrer || headers.referer : headers[lower];
    return typeof value === 'string' ? value || undefined : undefined;
  }

  /** Presence of a flag parameter (`?recurse`, `?stale=`): any value, even empty, counts. */
  has(name: string): boolean {
    return this.query.has(name);
  }

  get(name: string): string | undefined {
    return this.query.get(name) ?? undefined;
  }

  getAll(name: string): string[] {
    return this.query.getAll(name);
  }

  /** A boolean flag as Consul reads `?passing`, `?replace-existing-checks`: present and not "false"/"0". */
  flag(name: string): boolean {
    const value = this.query.get(name);
    if (value === null) return false;
    return value !== 'false' && value !== '0';
  }

  consistency(): ReadMode {
    return parseConsistency(this.query);
  }

  /** The request body, refused with 413 beyond `limit` bytes without reading it all. */
  body(limit = this.maxBodyBytes): Promise<Buffer> {
    this.bodyPromise ??= this.readBody(limit);
    return this.bodyPromise;
  }

  private readBody(limit: number): Promise<Buffer> {
    const lengthHeader = this.exchange.req.headers['content-length'];
    const declared = lengthHeader ? Number(lengthHeader) : undefined;
    if (declared !== undefined && declared > limit) return Promise.reject(tooLarge(declared, limit));
    return readStream(this.exchange.req, limit);
  }

  /** The body decoded as JSON (uint64-safe); an empty body is `undefined`. Decode errors are 400s. */
  async json(): Promise<JsonValue | undefined> {
    const raw = await this.body();
    const text = raw.toString('utf8');
    if (text.trim() === '') return undefined;
    try {
      return parseJson(text);
    } catch (err) {
      throw new TribuneError('BAD_REQUEST', `Request decode failed: ${(err as Error).message}`);
    }
  }

  /**
   * Serves a read: waits for the consistency barrier, then runs `query` as a blocking query if the
   * request carries `?index`. Returns the answer and its index.
   */
  read<T>(query: () => QueryResult<T>): Promise<QueryResult<T>> {
    let mode: ReadMode;
    let blocking: ParsedBlocking;
    let barrier: Promise<void>;
    try {
      mode = this.consistency();
      blocking = parseBlocking(this.query, this.env);
      // Only a consistent read may wait on a quorum round worth cancelling; a stale or default read
      // does not get an AbortSignal built just for its barrier (it costs more than the read). The
      // provider is asked directly: kernel.readBarrier() only wraps it in one more promise.
      barrier = this.kernel.consensus.readBarrier(
        mode,
        mode === 'consistent' ? this.signal : this.abort?.signal,
      );
    } catch (err) {
      return Promise.reject(err);
    }
    // One promise from here to the answer: a parked query holds its resolvers and nothing else.
    return new Promise<QueryResult<T>>((resolve, reject) => {
      barrier.then(() => {
        this.effectiveConsistency = mode;
        const params =
          blocking.minIndex <= 0
            ? NOT_BLOCKING
            : {
                minIndex: blocking.minIndex,
                waitMs: withJitter(blocking.waitMs, this.env.random),
                signal: this.abort?.signal,
                closed: this.exchange.res,
              };
        startBlockingQuery(this.kernel.store, params, query, resolve, reject);
      }, reject);
    });
  }
}

const NOT_BLOCKING = { minIndex: 0, waitMs: 0 };

/** Reads a whole body; past `limit` bytes the request is destroyed with a 413. */
function readStream(stream: IncomingMessage, limit: number): Promise<Buffer> {
  if (stream.readableEnded) return Promise.resolve(EMPTY_BODY);
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const onData = (chunk: Buffer) => {
      total += chunk.length;
      if (total > limit) stream.destroy(tooLarge(total, limit));
      else chunks.push(chunk);
    };
    const onEnd = () => {
      done();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total));
    };
    const onError = (err: Error) => {
      done();
      reject(err);
    };
    const onClose = () => {
      done();
      reject(new TribuneError('BAD_REQUEST', 'request body ended early: the client closed the connection'));
    };
    const done = () => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.off('close', onClose);
    };
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.on('close', onClose);
  });
}

function tooLarge(size: number, limit: number): TribuneError {
  return new TribuneError(
    'TOO_LARGE',
    `Request body(${size} bytes) too large, max size: ${limit} bytes. See the kv_max_value_size and txn_max_req_len settings.`,
  );
}
