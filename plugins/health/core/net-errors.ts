/**
 * Error texts in the shape Go's net and net/http packages print them, since that is what Consul
 * puts in a failing check's Output (`dial tcp 127.0.0.1:81: connect: connection refused`,
 * `Get "http://…": context deadline exceeded (…)`), plus Go's host:port splitting. Pure.
 */

/** Node's errno codes → Go's syscall texts. */
const ERRNO_TEXT: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by peer',
  EHOSTUNREACH: 'no route to host',
  ENETUNREACH: 'network is unreachable',
  EADDRNOTAVAIL: 'cannot assign requested address',
  EPIPE: 'broken pipe',
  ETIMEDOUT: 'i/o timeout',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
};

export interface ErrorLike {
  code?: string;
  message: string;
  hostname?: string;
}

export function errorLike(err: unknown): ErrorLike {
  if (typeof err === 'object' && err !== null) {
    const e = err as { code?: unknown; message?: unknown; hostname?: unknown };
    const out: ErrorLike = { message: typeof e.message === 'string' ? e.message : String(err) };
    if (typeof e.code === 'string') out.code = e.code;
    if (typeof e.hostname === 'string') out.hostname = e.hostname;
    return out;
  }
  return { message: String(err) };
}

/** `dial tcp <addr>: connect: connection refused`, `dial tcp: lookup x: no such host`, … */
export function dialErrorText(network: 'tcp' | 'udp', address: string, err: ErrorLike): string {
  const code = err.code ?? '';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') {
    const host = err.hostname ?? splitHostPort(address).host;
    return `dial ${network}: lookup ${host}: no such host`;
  }
  if (code === 'ETIMEDOUT' || code === 'TIMEOUT') return `dial ${network} ${address}: i/o timeout`;
  const text = ERRNO_TEXT[code];
  if (text !== undefined) return `dial ${network} ${address}: connect: ${text}`;
  return `dial ${network} ${address}: ${err.message}`;
}

const CERTIFICATE_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** A failed connection of a client (HTTP, TCP+TLS): dial errors, certificate refusals, the rest as is. */
export function connectErrorText(network: 'tcp' | 'udp', address: string, err: ErrorLike): string {
  const code = err.code ?? '';
  if (CERTIFICATE_CODES.has(code)) return `tls: failed to verify certificate: ${err.message}`;
  if (code === 'ECONNRESET') return `read ${network} ${address}: connection reset by peer`;
  if (code in ERRNO_TEXT || code.startsWith('EAI_') || code === 'ENOTFOUND') {
    return dialErrorText(network, address, err);
  }
  return err.message;
}

/** `read udp <local>-><remote>: read: connection refused`. */
export function readErrorText(network: 'tcp' | 'udp', local: string, remote: string, err: ErrorLike): string {
  const text = ERRNO_TEXT[err.code ?? ''] ?? err.message;
  return `read ${network} ${local}->${remote}: read: ${text}`;
}

/** Go's url.Error: `Get "http://host/path": <inner>` (the method with only its first letter upper-cased). */
export function urlErrorText(method: string, url: string, inner: string): string {
  const op = method === '' ? 'Get' : method.charAt(0).toUpperCase() + method.slice(1).toLowerCase();
  return `${op} ${JSON.stringify(url)}: ${inner}`;
}

export const HTTP_TIMEOUT_TEXT = 'context deadline exceeded (Client.Timeout exceeded while awaiting headers)';

/** `host:port` or `[v6]:port`, as Go's net.SplitHostPort; `error` carries Go's text. */
export function splitHostPort(address: string): { host: string; port: string; error?: string } {
  const fail = (why: string) => ({ host: address, port: '', error: `address ${address}: ${why}` });
  const colon = address.lastIndexOf(':');
  if (colon < 0) return fail('missing port in address');
  let host: string;
  if (address.startsWith('[')) {
    const close = address.indexOf(']');
    if (close < 0) return fail("missing ']' in address");
    if (close + 1 !== colon)
      return fail(close + 1 === address.length ? 'missing port in address' : 'too many colons in address');
    host = address.slice(1, close);
  } else {
    host = address.slice(0, colon);
    if (host.includes(':')) return fail('too many colons in address');
  }
  return { host, port: address.slice(colon + 1) };
}

/** A usable port number from Go's port text (numeric only; services by name are not looked up). */
export function portNumber(port: string): number | undefined {
  if (!/^\d{1,5}$/.test(port)) return undefined;
  const n = Number(port);
  return n <= 65535 ? n : undefined;
}
