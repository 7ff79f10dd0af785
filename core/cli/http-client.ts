/**
 * The HTTP side of the client commands: one undici dispatcher per command run, requests shaped as
 * Consul's Go `api` package shapes them (query keys sorted, `dc` on every request, X-Consul-Token,
 * JSON content type on bodies), and failures worded as that package words them, so the commands can
 * print `Error …: Unexpected response code: 500 (…)` exactly like Consul's CLI.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { type JsonValue, parseJson } from '../util/json.js';
import type { CliIO } from './io.js';
import { errorText, goFsErrorText } from './output.js';

export interface TlsSettings {
  readonly caFile: string;
  readonly caPath: string;
  readonly certFile: string;
  readonly keyFile: string;
  readonly serverName: string;
  readonly insecureSkipVerify: boolean;
}

/** Everything needed to reach an agent, after flags and CONSUL_* variables are merged. */
export interface ClientConfig {
  /** `host:port`, `http://host:port[/prefix]`, `https://…` or `unix:///path`. */
  readonly address: string;
  /** CONSUL_HTTP_SSL: https for an address given without a scheme. */
  readonly defaultTls: boolean;
  readonly token: string;
  /** When set and non-empty, its trimmed contents replace `token` (as in Consul). */
  readonly tokenFile: string;
  readonly datacenter: string;
  readonly httpAuth: string;
  readonly tls: TlsSettings;
}

/** A non-200 answer, in the Go api client's words. */
export class UnexpectedResponseError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`Unexpected response code: ${status} (${body})`);
    this.name = 'UnexpectedResponseError';
  }
}

/** The agent could not be reached; the message reads like Go's net/http error. */
export class ConnectError extends Error {
  override readonly name = 'ConnectError';
}

/** Query parameters with Go url.Values semantics: `set` replaces, `add` appends, keys encode sorted. */
export class Query {
  private readonly values = new Map<string, string[]>();

  set(key: string, value: string): this {
    this.values.set(key, [value]);
    return this;
  }

  add(key: string, value: string): this {
    this.values.set(key, [...(this.values.get(key) ?? []), value]);
    return this;
  }

  has(key: string): boolean {
    return this.values.has(key);
  }

  encode(): string {
    return [...this.values.keys()]
      .sort()
      .flatMap((key) => (this.values.get(key) ?? []).map((v) => `${goQueryEscape(key)}=${goQueryEscape(v)}`))
      .join('&');
  }
}

const UNRESERVED = /[A-Za-z0-9\-_.~]/;

function percentEncode(s: string, keep: (ch: string) => boolean, spaceAsPlus: boolean): string {
  let out = '';
  for (const ch of s) {
    if (keep(ch)) out += ch;
    else if (spaceAsPlus && ch === ' ') out += '+';
    else {
      for (const byte of Buffer.from(ch, 'utf8'))
        out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    }
  }
  return out;
}

/** url.QueryEscape: only unreserved characters stay, space becomes `+`. */
export function goQueryEscape(s: string): string {
  return percentEncode(s, (ch) => UNRESERVED.test(ch), true);
}

/** url.URL.EscapedPath for a plain Path: unreserved plus `$&+,/:;=@` stay as they are. */
export function goPathEscape(s: string): string {
  return percentEncode(s, (ch) => UNRESERVED.test(ch) || '$&+,/:;=@'.includes(ch), false);
}

export interface HttpResponse {
  readonly status: number;
  readonly body: Buffer;
}

export interface RequestOptions {
  readonly query?: Query;
  readonly body?: Uint8Array | string;
}

interface Endpoint {
  readonly origin: string;
  readonly pathPrefix: string;
  /** host:port (or the socket path) as Go's dial error names it. */
  readonly dialTarget: string;
  readonly network: 'tcp' | 'unix';
}

function splitAddress(config: ClientConfig): Endpoint & { tlsWanted: boolean; socketPath: string } {
  const schemeAt = config.address.indexOf('://');
  let scheme = config.defaultTls ? 'https' : 'http';
  let rest = config.address;
  if (schemeAt >= 0) {
    const given = config.address.slice(0, schemeAt);
    rest = config.address.slice(schemeAt + 3);
    if (given === 'https') scheme = 'https';
    else if (given === 'unix') scheme = 'unix';
    else if (given !== 'http') throw new Error(`Unknown protocol scheme: ${given}`);
  }
  if (scheme === 'unix') {
    return {
      origin: 'http://localhost',
      pathPrefix: '',
      dialTarget: rest,
      network: 'unix',
      tlsWanted: false,
      socketPath: rest,
    };
  }
  let host = rest;
  let pathPrefix = '';
  const slash = rest.indexOf('/');
  if (schemeAt >= 0 && slash >= 0) {
    host = rest.slice(0, slash);
    pathPrefix = `/${rest.slice(slash + 1)}`;
  }
  const origin = `${scheme}://${host}`;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    throw new Error(`parse "${origin}": invalid address`);
  }
  const port = parsed.port || (scheme === 'https' ? '443' : '80');
  return {
    origin,
    pathPrefix,
    dialTarget: `${parsed.hostname}:${port}`,
    network: 'tcp',
    tlsWanted: scheme === 'https',
    socketPath: '',
  };
}

function readTokenFile(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (err) {
    throw new Error(`Error loading token file: ${goFsErrorText('open', path, err)}`);
  }
}

function readCertificates(tls: TlsSettings): { ca?: string[]; cert?: Buffer; key?: Buffer } {
  const read = (path: string): Buffer => {
    try {
      return readFileSync(path);
    } catch (err) {
      throw new Error(goFsErrorText('open', path, err));
    }
  };
  const ca: string[] = [];
  if (tls.caFile) ca.push(read(tls.caFile).toString('utf8'));
  if (tls.caPath && !tls.caFile) {
    for (const name of readdirSync(tls.caPath).sort()) ca.push(read(join(tls.caPath, name)).toString('utf8'));
  }
  return {
    ...(ca.length > 0 ? { ca } : {}),
    ...(tls.certFile ? { cert: read(tls.certFile) } : {}),
    ...(tls.keyFile ? { key: read(tls.keyFile) } : {}),
  };
}

const DIAL_REASONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connect: connection refused',
  ENOENT: 'connect: no such file or directory',
  EACCES: 'connect: permission denied',
  EHOSTUNREACH: 'connect: no route to host',
  ENETUNREACH: 'connect: network is unreachable',
  ETIMEDOUT: 'i/o timeout',
  ECONNRESET: 'connection reset by peer',
};

function codeOf(err: unknown): string | undefined {
  const seen = new Set<unknown>();
  let current: unknown = err;
  while (typeof current === 'object' && current !== null && !seen.has(current)) {
    seen.add(current);
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && !code.startsWith('UND_')) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** A client bound to one agent address; close it when the command is done. */
export class ConsulClient {
  private constructor(
    private readonly endpoint: Endpoint,
    private readonly dispatcher: Agent,
    private readonly headers: Readonly<Record<string, string>>,
    private readonly datacenter: string,
  ) {}

  /** Validates the address and reads the token and TLS files; throws with Consul's wording. */
  static create(config: ClientConfig): ConsulClient {
    const endpoint = splitAddress(config);
    let token = config.token;
    if (config.tokenFile) token = readTokenFile(config.tokenFile) || token;
    const headers: Record<string, string> = {};
    if (token) headers['x-consul-token'] = token;
    if (config.httpAuth) {
      const colon = config.httpAuth.indexOf(':');
      const user = colon >= 0 ? config.httpAuth.slice(0, colon) : config.httpAuth;
      const pass = colon >= 0 ? config.httpAuth.slice(colon + 1) : '';
      headers.authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
    }
    const tlsOptions = endpoint.tlsWanted
      ? {
          ...readCertificates(config.tls),
          rejectUnauthorized: !config.tls.insecureSkipVerify,
          ...(config.tls.serverName ? { servername: config.tls.serverName } : {}),
        }
      : {};
    const connect = endpoint.socketPath ? { socketPath: endpoint.socketPath } : tlsOptions;
    const dispatcher = new Agent({ connect });
    return new ConsulClient(endpoint, dispatcher, headers, config.datacenter);
  }

  /** Sends one request; network failures become ConnectError, any HTTP status is returned. */
  async send(
    method: 'GET' | 'PUT' | 'DELETE',
    path: string,
    options: RequestOptions = {},
  ): Promise<HttpResponse> {
    const query = options.query ?? new Query();
    if (this.datacenter && !query.has('dc')) query.set('dc', this.datacenter);
    const encoded = query.encode();
    const url = `${this.endpoint.origin}${this.endpoint.pathPrefix}${goPathEscape(path)}${encoded ? `?${encoded}` : ''}`;
    const headers: Record<string, string> = { ...this.headers };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    try {
      const res = await request(url, {
        method,
        headers,
        body: options.body === undefined ? null : Buffer.from(options.body),
        dispatcher: this.dispatcher,
      });
      const body = Buffer.from(await res.body.arrayBuffer());
      return { status: res.statusCode, body };
    } catch (err) {
      throw this.connectError(method, url, err);
    }
  }

  /** Sends and insists on 200, as the Go client's requireOK does. */
  async sendOk(
    method: 'GET' | 'PUT' | 'DELETE',
    path: string,
    options: RequestOptions = {},
  ): Promise<HttpResponse> {
    const res = await this.send(method, path, options);
    if (res.status !== 200) throw unexpected(res);
    return res;
  }

  /** GET that insists on 200 and decodes the JSON body. */
  async getJson(path: string, query?: Query): Promise<JsonValue> {
    const res = await this.sendOk('GET', path, query ? { query } : {});
    return decodeJson(res);
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }

  private connectError(method: string, url: string, err: unknown): ConnectError {
    const op = method.charAt(0) + method.slice(1).toLowerCase();
    const code = codeOf(err);
    const reason = code === undefined ? undefined : DIAL_REASONS[code];
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
      const host = this.endpoint.dialTarget.replace(/:\d+$/, '');
      return new ConnectError(`${op} "${url}": dial tcp: lookup ${host}: no such host`);
    }
    if (reason !== undefined) {
      return new ConnectError(
        `${op} "${url}": dial ${this.endpoint.network} ${this.endpoint.dialTarget}: ${reason}`,
      );
    }
    return new ConnectError(`${op} "${url}": ${errorText(err)}`);
  }
}

export function unexpected(res: HttpResponse): UnexpectedResponseError {
  return new UnexpectedResponseError(res.status, res.body.toString('utf8').trim());
}

/** Decodes a JSON answer keeping uint64 values exact (bigint beyond 2^53). */
export function decodeJson(res: HttpResponse): JsonValue {
  return parseJson(res.body.toString('utf8'));
}

/**
 * Builds a client, runs `body` with it and closes it. A client that cannot be built (unknown scheme,
 * unreadable token file) is reported as Consul does: `Error connecting to Consul agent: …`, exit 1.
 */
export async function withClient(
  config: ClientConfig,
  io: CliIO,
  body: (client: ConsulClient) => Promise<number>,
): Promise<number> {
  let client: ConsulClient;
  try {
    client = ConsulClient.create(config);
  } catch (err) {
    io.stderr(`Error connecting to Consul agent: ${errorText(err)}\n`);
    return 1;
  }
  try {
    return await body(client);
  } finally {
    await client.close();
  }
}
