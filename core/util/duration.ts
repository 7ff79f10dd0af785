/**
 * Go's time.Duration text form, which Consul uses everywhere: config values (`interval: "10s"`),
 * query parameters (`wait=60000ms`) and JSON outputs (`"LockDelay"` strings, `"0s"`).
 * Parsing follows time.ParseDuration; formatting follows Duration.String().
 * Arithmetic runs on bigint nanoseconds so `0.1s` is exactly 100ms, as in Go.
 */
import { TribuneError } from '../errors.js';

const NS_PER_UNIT: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n, // U+00B5 MICRO SIGN
  μs: 1_000n, // U+03BC GREEK SMALL LETTER MU
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

const MAX_NS = (1n << 63n) - 1n;
const NS_PER_MS = 1_000_000n;

function quote(s: string): string {
  return JSON.stringify(s);
}

function invalid(original: string): TribuneError {
  return new TribuneError('BAD_REQUEST', `time: invalid duration ${quote(original)}`);
}

/** Parses a Go duration string into nanoseconds (bigint). Throws BAD_REQUEST like Go's error texts. */
export function parseGoDurationNs(s: string): bigint {
  const original = s;
  let rest = s;
  let negative = false;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    negative = rest.startsWith('-');
    rest = rest.slice(1);
  }
  if (rest === '0') return 0n;
  if (rest === '') throw invalid(original);

  let total = 0n;
  while (rest !== '') {
    const match = /^(\d*)(?:\.(\d*))?/.exec(rest);
    const whole = match?.[1] ?? '';
    const fraction = match?.[2] ?? '';
    if (whole === '' && fraction === '') throw invalid(original);
    rest = rest.slice(match?.[0].length ?? 0);

    const unitMatch = /^[^\d.]+/.exec(rest);
    const unitText = unitMatch?.[0] ?? '';
    if (unitText === '') {
      throw new TribuneError('BAD_REQUEST', `time: missing unit in duration ${quote(original)}`);
    }
    const unit = NS_PER_UNIT[unitText];
    if (unit === undefined) {
      throw new TribuneError(
        'BAD_REQUEST',
        `time: unknown unit ${quote(unitText)} in duration ${quote(original)}`,
      );
    }
    rest = rest.slice(unitText.length);

    let component = BigInt(whole === '' ? '0' : whole) * unit;
    if (fraction !== '') {
      // Go truncates the fractional nanoseconds rather than rounding.
      component += (BigInt(fraction) * unit) / 10n ** BigInt(fraction.length);
    }
    total += component;
    if (total > MAX_NS) throw invalid(original);
  }
  return negative ? -total : total;
}

/** Parses a Go duration string (`300ms`, `1.5h`, `1m30s`, `10µs`, `0`) into milliseconds (may be fractional). */
export function parseGoDuration(s: string): number {
  const ns = parseGoDurationNs(s);
  const wholeMs = ns / NS_PER_MS;
  const remainderNs = ns % NS_PER_MS;
  return Number(wholeMs) + Number(remainderNs) / 1e6;
}

/** `v` split at `digits` decimal places, trailing zeros of the fraction dropped (Go's fmtFrac). */
function withFraction(v: bigint, digits: number): string {
  const scale = 10n ** BigInt(digits);
  const whole = v / scale;
  const frac = (v % scale).toString().padStart(digits, '0').replace(/0+$/, '');
  return frac === '' ? whole.toString() : `${whole}.${frac}`;
}

/** Formats nanoseconds like Go's Duration.String(): `0s`, `500ms`, `1.5s`, `1m30s`, `1h0m0s`. */
export function formatGoDurationNs(ns: bigint): string {
  const sign = ns < 0n ? '-' : '';
  const u = ns < 0n ? -ns : ns;
  if (u === 0n) return '0s';
  if (u < 1_000n) return `${sign}${u}ns`;
  if (u < 1_000_000n) return `${sign}${withFraction(u, 3)}µs`;
  if (u < 1_000_000_000n) return `${sign}${withFraction(u, 6)}ms`;

  const seconds = withFraction(u % 60_000_000_000n, 9);
  const totalMinutes = u / 60_000_000_000n;
  if (totalMinutes === 0n) return `${sign}${seconds}s`;
  const minutes = totalMinutes % 60n;
  const hours = totalMinutes / 60n;
  if (hours === 0n) return `${sign}${minutes}m${seconds}s`;
  return `${sign}${hours}h${minutes}m${seconds}s`;
}

/** Formats milliseconds like Go's Duration.String(); sub-nanosecond parts are rounded away. */
export function formatGoDuration(ms: number): string {
  if (!Number.isFinite(ms)) throw new TribuneError('BAD_REQUEST', `invalid duration: ${ms}`);
  const whole = Math.trunc(ms);
  const ns = BigInt(whole) * NS_PER_MS + BigInt(Math.round((ms - whole) * 1e6));
  return formatGoDurationNs(ns);
}
