/**
 * HTTP checks over node:http/https: one request per run on a fresh connection (keep-alive off, as
 * Consul, so a dead listener is noticed), Consul's User-Agent and Accept unless the check sets
 * them, redirects followed (10 at most, Go's rules for the method) unless disable_redirects, TLS
 * verified unless tls_skip_verify, one deadline for the whole exchange. Only the last
 * output_max_size bytes of the body are kept, and reading stops after MAX_BODY_BYTES.
 */
import http from 'node:http';
import https from 'node:https';
import { connectErrorText, errorLike, HTTP_TIMEOUT_TEXT, urlErrorText } from '../core/net-errors.js';
import { TailBuffer } from '../core/output.js';
import {
  type CheckResult,
  critical,
  httpResult,
  isFollowedRedirect,
  MAX_REDIRECTS,
  redirectMethod,
} from '../core/results.js';

export interface HttpProbeSpec {
  url: string;
  method: string;
  header: Readonly<Record<string, readonly string[]>>;
  body: string;
  tlsSkipVerify: boolean;
  tlsServerName: string;
  disableRedirects: boolean;
  timeoutMs: number;
  outputMaxSize: number;
}

/** However large a body is, a probe reads at most this much of it. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

interface Hop {
  url: URL;
  method: string;
  body: string;
}

type HopOutcome =
  | { kind: 'response'; statusCode: number; reason: string; body: string; next: URL | undefined }
  | { kind: 'error'; text: string };

function outgoingHeaders(header: HttpProbeSpec['header']): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(header)) out[name] = [...values];
  const has = (name: string) => Object.keys(out).some((key) => key.toLowerCase() === name);
  if (!has('user-agent')) out['User-Agent'] = ['Consul Health Check'];
  if (!has('accept')) out.Accept = ['text/plain, text/*, */*'];
  return out;
}

/** Where a followed redirect leads; undefined when this response is the answer. */
function redirectTarget(
  spec: HttpProbeSpec,
  hop: Hop,
  statusCode: number,
  location: unknown,
): URL | undefined {
  if (spec.disableRedirects || !isFollowedRedirect(statusCode) || typeof location !== 'string')
    return undefined;
  try {
    return new URL(location, hop.url);
  } catch {
    return undefined;
  }
}

/** One request and its response; `deadline` aborting ends it (keeping any body read so far). */
function exchange(
  hop: Hop,
  spec: HttpProbeSpec,
  headers: Record<string, string[]>,
  deadline: AbortSignal,
): Promise<HopOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    let onDeadline: () => void;
    const settle = (outcome: HopOutcome) => {
      if (settled) return;
      settled = true;
      deadline.removeEventListener('abort', abortListener);
      resolve(outcome);
    };
    const abortListener = () => onDeadline();
    const secure = hop.url.protocol === 'https:';
    const options: https.RequestOptions = { method: hop.method, headers, agent: false };
    if (secure) {
      options.rejectUnauthorized = !spec.tlsSkipVerify;
      if (spec.tlsServerName !== '') options.servername = spec.tlsServerName;
    }
    const address = `${hop.url.hostname.replace(/^\[(.*)\]$/, '$1')}:${hop.url.port || (secure ? '443' : '80')}`;
    const req = (secure ? https : http).request(hop.url, options, (res) => {
      const statusCode = res.statusCode ?? 0;
      const reason = res.statusMessage ?? '';
      const next = redirectTarget(spec, hop, statusCode, res.headers.location);
      const buffer = new TailBuffer(spec.outputMaxSize);
      const done = () => {
        res.destroy();
        req.destroy();
        settle({ kind: 'response', statusCode, reason, body: buffer.text(), next });
      };
      onDeadline = done;
      if (next !== undefined) {
        done();
        return;
      }
      res.on('data', (chunk: Buffer) => {
        buffer.write(chunk);
        if (buffer.totalWritten >= MAX_BODY_BYTES) done();
      });
      res.on('end', done);
      res.on('error', done);
      res.on('close', done);
    });
    onDeadline = () => {
      req.destroy();
      settle({ kind: 'error', text: HTTP_TIMEOUT_TEXT });
    };
    if (deadline.aborted) onDeadline();
    else deadline.addEventListener('abort', abortListener, { once: true });
    req.on('error', (err) =>
      settle({ kind: 'error', text: connectErrorText('tcp', address, errorLike(err)) }),
    );
    if (hop.body !== '') req.end(hop.body);
    else req.end();
  });
}

/** Runs one HTTP check; never throws. `signal` cancels it (the agent is stopping). */
export async function probeHttp(spec: HttpProbeSpec, signal: AbortSignal): Promise<CheckResult> {
  const method = spec.method === '' ? 'GET' : spec.method;
  let url: URL;
  try {
    url = new URL(spec.url);
  } catch {
    return critical(`parse ${JSON.stringify(spec.url)}: invalid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    const scheme = JSON.stringify(url.protocol.slice(0, -1));
    return critical(urlErrorText(method, spec.url, `unsupported protocol scheme ${scheme}`));
  }
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), spec.timeoutMs);
  const cancel = () => controller.abort();
  signal.addEventListener('abort', cancel, { once: true });
  try {
    const headers = outgoingHeaders(spec.header);
    let hop: Hop = { url, method, body: spec.body };
    for (let requests = 1; requests <= MAX_REDIRECTS; requests++) {
      const outcome = await exchange(hop, spec, headers, controller.signal);
      if (outcome.kind === 'error') return critical(urlErrorText(hop.method, hop.url.href, outcome.text));
      if (outcome.next === undefined) {
        return httpResult(method, spec.url, outcome.statusCode, outcome.reason, outcome.body);
      }
      const { method: nextMethod, keepBody } = redirectMethod(outcome.statusCode, hop.method);
      hop = { url: outcome.next, method: nextMethod, body: keepBody ? hop.body : '' };
    }
    return critical(urlErrorText(hop.method, hop.url.href, `stopped after ${MAX_REDIRECTS} redirects`));
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', cancel);
  }
}
