/**
 * One error type for the whole agent. A code decides the HTTP status, the DNS rcode and the CLI
 * exit code through one table, so a failure reads the same whichever interface reports it.
 */

/** DNS response codes we emit (RFC 1035 / 2136 numbering). */
export const Rcode = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
} as const;
export type Rcode = (typeof Rcode)[keyof typeof Rcode];

interface CodeMapping {
  readonly http: number;
  readonly rcode: Rcode;
  readonly exit: number;
}

export const ERROR_TABLE = {
  BAD_REQUEST: { http: 400, rcode: Rcode.FORMERR, exit: 1 },
  PERMISSION_DENIED: { http: 403, rcode: Rcode.REFUSED, exit: 1 },
  ACL_NOT_FOUND: { http: 403, rcode: Rcode.REFUSED, exit: 1 },
  NOT_FOUND: { http: 404, rcode: Rcode.NXDOMAIN, exit: 1 },
  METHOD_NOT_ALLOWED: { http: 405, rcode: Rcode.NOTIMP, exit: 1 },
  CONFLICT: { http: 409, rcode: Rcode.SERVFAIL, exit: 1 },
  TOO_LARGE: { http: 413, rcode: Rcode.FORMERR, exit: 1 },
  RATE_LIMITED: { http: 429, rcode: Rcode.REFUSED, exit: 1 },
  INTERNAL: { http: 500, rcode: Rcode.SERVFAIL, exit: 1 },
  NO_LEADER: { http: 500, rcode: Rcode.SERVFAIL, exit: 1 },
  NO_PATH_TO_DC: { http: 500, rcode: Rcode.SERVFAIL, exit: 1 },
  NO_SERVERS: { http: 500, rcode: Rcode.SERVFAIL, exit: 1 },
  UNAVAILABLE: { http: 503, rcode: Rcode.SERVFAIL, exit: 1 },
  CONFIG_INVALID: { http: 400, rcode: Rcode.SERVFAIL, exit: 1 },
  PLUGIN_DEP_MISSING: { http: 500, rcode: Rcode.SERVFAIL, exit: 1 },
  PLUGIN_CYCLE: { http: 500, rcode: Rcode.SERVFAIL, exit: 1 },
  PLUGIN_DUPLICATE: { http: 500, rcode: Rcode.SERVFAIL, exit: 1 },
  PLUGIN_COMMAND_OWNER: { http: 500, rcode: Rcode.SERVFAIL, exit: 1 },
  PLUGIN_HOOK_FAILED: { http: 500, rcode: Rcode.SERVFAIL, exit: 1 },
  PLUGIN_LOAD_FAILED: { http: 500, rcode: Rcode.SERVFAIL, exit: 1 },
  STORAGE_CORRUPT: { http: 500, rcode: Rcode.SERVFAIL, exit: 1 },
  NOTHING_MATCHED: { http: 404, rcode: Rcode.NXDOMAIN, exit: 2 },
  USAGE: { http: 400, rcode: Rcode.FORMERR, exit: 1 },
} as const satisfies Record<string, CodeMapping>;

export type ErrorCode = keyof typeof ERROR_TABLE;

export class TribuneError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TribuneError';
    this.code = code;
    this.details = details;
  }

  get httpStatus(): number {
    return ERROR_TABLE[this.code].http;
  }

  get rcode(): Rcode {
    return ERROR_TABLE[this.code].rcode;
  }

  get exitCode(): number {
    return ERROR_TABLE[this.code].exit;
  }

  toJSON(): { code: ErrorCode; message: string; details?: Readonly<Record<string, unknown>> } {
    return this.details
      ? { code: this.code, message: this.message, details: this.details }
      : { code: this.code, message: this.message };
  }
}

export function isTribuneError(value: unknown): value is TribuneError {
  return value instanceof TribuneError;
}

/** Maps any thrown value to an HTTP status: ours by the table, everything else 500. */
export function httpStatusOf(err: unknown): number {
  return isTribuneError(err) ? err.httpStatus : 500;
}

export function exitCodeOf(err: unknown): number {
  return isTribuneError(err) ? err.exitCode : 1;
}

export function rcodeOf(err: unknown): Rcode {
  return isTribuneError(err) ? err.rcode : Rcode.SERVFAIL;
}
