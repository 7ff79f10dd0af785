/**
 * Probe result → check status, per check kind, and the Output texts Consul writes for each. Pure.
 */
import type { CheckStatus } from '../../../core/hooks.js';
import { formatGoDuration } from '../../../core/util/duration.js';
import type { CheckResult } from './thresholds.js';

export type { CheckResult } from './thresholds.js';

export const passing = (output: string): CheckResult => ({ status: 'passing', output });
export const critical = (output: string): CheckResult => ({ status: 'critical', output });

// ---- HTTP -------------------------------------------------------------------------------------

/** 2xx passing, 429 Too Many Requests warning, anything else critical. */
export function httpStatusOf(statusCode: number): CheckStatus {
  if (statusCode >= 200 && statusCode <= 299) return 'passing';
  if (statusCode === 429) return 'warning';
  return 'critical';
}

/** `HTTP GET http://…/health: 200 OK Output: <body>` (Go prints the status line's code and reason). */
export function httpOutput(
  method: string,
  url: string,
  statusCode: number,
  reason: string,
  body: string,
): string {
  const status = reason === '' ? String(statusCode) : `${statusCode} ${reason}`;
  return `HTTP ${method} ${url}: ${status} Output: ${body}`;
}

export function httpResult(
  method: string,
  url: string,
  statusCode: number,
  reason: string,
  body: string,
): CheckResult {
  return { status: httpStatusOf(statusCode), output: httpOutput(method, url, statusCode, reason, body) };
}

/** Redirect statuses Go's client follows. */
export function isFollowedRedirect(statusCode: number): boolean {
  return [301, 302, 303, 307, 308].includes(statusCode);
}

/** The method of the next hop: 301/302/303 turn anything but GET/HEAD into a GET without body, as Go's client. */
export function redirectMethod(statusCode: number, method: string): { method: string; keepBody: boolean } {
  if (statusCode === 307 || statusCode === 308) return { method, keepBody: true };
  return { method: method === 'GET' || method === 'HEAD' ? method : 'GET', keepBody: false };
}

export const MAX_REDIRECTS = 10;

// ---- TCP / UDP --------------------------------------------------------------------------------

export function tcpSuccessOutput(address: string, tls: boolean): string {
  return `${tls ? 'TCP+TLS' : 'TCP'} connect ${address}: Success`;
}

export function udpSuccessOutput(address: string): string {
  return `UDP connect ${address}: Success`;
}

// ---- scripts ----------------------------------------------------------------------------------

/** Exit 0 passing, 1 warning, anything else (other codes, death by signal) critical. */
export function scriptStatusOf(exitCode: number | null): CheckStatus {
  if (exitCode === 0) return 'passing';
  if (exitCode === 1) return 'warning';
  return 'critical';
}

/** `Timed out (30s) running check`, then the output captured so far after a blank line. */
export function scriptTimeoutOutput(timeoutMs: number, captured: string): string {
  const message = `Timed out (${formatGoDuration(timeoutMs)}) running check`;
  return captured === '' ? message : `${message}\n\n${captured}`;
}

/** What Go's os/exec says when a program cannot be started. */
export function scriptStartErrorText(program: string, code: string | undefined, message: string): string {
  if (code === 'ENOENT' && !program.includes('/')) {
    return `exec: ${JSON.stringify(program)}: executable file not found in $PATH`;
  }
  const reason =
    code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : message;
  return `fork/exec ${program}: ${reason}`;
}

// ---- gRPC -------------------------------------------------------------------------------------

/** grpc.health.v1 ServingStatus numbers → names. */
export const SERVING_STATUS_NAMES: readonly string[] = [
  'UNKNOWN',
  'SERVING',
  'NOT_SERVING',
  'SERVICE_UNKNOWN',
];

/** gRPC status codes as Go's codes.Code prints them. */
const GRPC_CODE_NAMES: readonly string[] = [
  'OK',
  'Canceled',
  'Unknown',
  'InvalidArgument',
  'DeadlineExceeded',
  'NotFound',
  'AlreadyExists',
  'PermissionDenied',
  'ResourceExhausted',
  'FailedPrecondition',
  'Aborted',
  'OutOfRange',
  'Unimplemented',
  'Internal',
  'Unavailable',
  'DataLoss',
  'Unauthenticated',
];

export function grpcCodeName(code: number): string {
  return GRPC_CODE_NAMES[code] ?? `Code(${code})`;
}

/** Passing for SERVING; `gRPC <target> serving status: NOT_SERVING` otherwise. */
export function grpcServingResult(target: string, servingStatus: number): CheckResult {
  if (servingStatus === 1) return passing(`gRPC check ${target}: success`);
  const name = SERVING_STATUS_NAMES[servingStatus] ?? String(servingStatus);
  return critical(`gRPC ${target} serving status: ${name}`);
}

/** `rpc error: code = Unavailable desc = …`, as a Go gRPC client reports a failed call. */
export function grpcErrorText(code: number, details: string): string {
  return `rpc error: code = ${grpcCodeName(code)} desc = ${details}`;
}
