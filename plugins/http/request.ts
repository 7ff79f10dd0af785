/**
 * What a route handler sees: parsed parameters, the body on demand, the token, and `read()` which
 * runs a query under the request's consistency mode and blocking parameters.
 */

import type { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import type { ReadMode } from '../../core/consensus.js';
import { TribuneError } from '../../core/errors.js';
import type { Kernel } from '../../core/kernel.js';
import { type QueryResult, runBlockingQuery } from '../../core/state/blocking.js';
import { type JsonValue, parseJson } from '../../core/util/json.js';
import { type BlockingSettings, parseBlocking, parseConsistency, withJitter } from './params.js';

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

export interface ApiRequestInit {
  kernel: Kernel;
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  token: string | undefined;
  stream: Readable;
  contentLength: number | undefined;
  maxBodyBytes: number;
  blockingSettings: BlockingSettings;
  signal: AbortSignal;
  random: () => number;
  /** A request header by lower-case name. */
  header: (name: string) => string | undefined;
}

export class ApiRequest {
  readonly kernel: Kernel;
  readonly method: string;
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly token: string | undefined;
  readonly signal: AbortSignal;
  /** Set by read(): which mode actually served the answer, for X-Consul-Effective-Consistency. */
  effectiveConsistency: ReadMode | undefined;
  private bodyPromise: Promise<Buffer> | undefined;

  constructor(private readonly init: ApiRequestInit) {
    this.kernel = init.kernel;
    this.method = init.method;
    this.path = init.path;
    this.params = init.params;
    this.query = init.query;
    this.token = init.token;
    this.signal = init.signal;
  }

  /** A request header, by name in any case (`Accept`, `Content-Type`). */
  header(name: string): string | undefined {
    return this.init.header(name.toLowerCase());
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
  body(limit = this.init.maxBodyBytes): Promise<Buffer> {
    this.bodyPromise ??= this.readBody(limit);
    return this.bodyPromise;
  }

  private async readBody(limit: number): Promise<Buffer> {
    const declared = this.init.contentLength;
    if (declared !== undefined && declared > limit) throw tooLarge(declared, limit);
    let total = 0;
    const stream = this.init.stream;
    stream.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (total > limit) stream.destroy(tooLarge(total, limit));
    });
    return buffer(stream);
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
  async read<T>(query: () => QueryResult<T>): Promise<QueryResult<T>> {
    const mode = this.consistency();
    const blocking = parseBlocking(this.query, this.init.blockingSettings);
    await this.kernel.readBarrier(mode, this.signal);
    this.effectiveConsistency = mode === 'default' ? 'default' : mode;
    return runBlockingQuery(
      this.kernel.store,
      {
        minIndex: blocking.minIndex,
        waitMs: withJitter(blocking.waitMs, this.init.random),
        signal: this.signal,
      },
      query,
    );
  }
}

function tooLarge(size: number, limit: number): TribuneError {
  return new TribuneError(
    'TOO_LARGE',
    `Request body(${size} bytes) too large, max size: ${limit} bytes. See the kv_max_value_size and txn_max_req_len settings.`,
  );
}
