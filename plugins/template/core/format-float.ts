/**
 * strconv.FormatFloat(x, fmt, prec, 64) for the formats fmt uses: %e %E %f %g %G %b %x %X.
 *
 * A fixed precision is rounded from the double's exact decimal expansion (BigInt), half to even, as Go
 * does — JS's toFixed/toPrecision round exact ties upward (`0.125` to 2 places gives "0.13", Go "0.12").
 * The shortest form (prec < 0) takes its digits from Number#toString, which like Go picks the shortest
 * digits that round-trip, closest to the value.
 */

export type FloatFormat = 'e' | 'E' | 'f' | 'g' | 'G' | 'b' | 'x' | 'X';

/** value = 0.<digits> × 10^dp; digits has no leading or trailing zeros ("" for zero). */
interface Decimal {
  digits: string;
  dp: number;
}

export function formatFloat(x: number, fmt: FloatFormat, prec: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Number.POSITIVE_INFINITY) return '+Inf';
  if (x === Number.NEGATIVE_INFINITY) return '-Inf';
  const neg = x < 0 || Object.is(x, -0);
  const abs = Math.abs(x);
  if (fmt === 'b') return formatBinary(neg, abs);
  if (fmt === 'x' || fmt === 'X') return formatHex(neg, abs, prec, fmt);

  const shortest = prec < 0;
  let d: Decimal;
  if (shortest) {
    d = shortestDecimal(abs);
    const nd = d.digits.length;
    if (fmt === 'e' || fmt === 'E') prec = Math.max(nd - 1, 0);
    else if (fmt === 'f') prec = Math.max(nd - d.dp, 0);
    else prec = nd;
  } else {
    d = exactDecimal(abs);
    if (fmt === 'e' || fmt === 'E') d = roundDecimal(d, prec + 1);
    else if (fmt === 'f') d = roundDecimal(d, d.dp + prec);
    else {
      if (prec === 0) prec = 1;
      d = roundDecimal(d, prec);
    }
  }

  if (fmt === 'e' || fmt === 'E') return formatE(neg, d, prec, fmt);
  if (fmt === 'f') return formatF(neg, d, prec);
  // %g: %e for large or small exponents, %f otherwise.
  const nd = d.digits.length;
  let eprec = prec;
  if (eprec > nd && nd >= d.dp) eprec = nd;
  if (shortest) eprec = 6;
  const exp = d.dp - 1;
  if (exp < -4 || exp >= eprec) {
    if (prec > nd) prec = nd;
    return formatE(neg, d, prec - 1, fmt === 'g' ? 'e' : 'E');
  }
  if (prec > d.dp) prec = nd;
  return formatF(neg, d, Math.max(prec - d.dp, 0));
}

function formatE(neg: boolean, d: Decimal, prec: number, fmt: 'e' | 'E'): string {
  const nd = d.digits.length;
  let s = neg ? '-' : '';
  s += nd === 0 ? '0' : d.digits[0];
  if (prec > 0) {
    s += '.';
    const m = Math.min(nd, prec + 1);
    if (m > 1) s += d.digits.slice(1, m);
    s += '0'.repeat(Math.max(0, prec + 1 - Math.max(m, 1)));
  }
  let exp = nd === 0 ? 0 : d.dp - 1;
  s += fmt;
  if (exp < 0) {
    s += '-';
    exp = -exp;
  } else s += '+';
  return s + (exp < 10 ? `0${exp}` : String(exp));
}

function formatF(neg: boolean, d: Decimal, prec: number): string {
  const nd = d.digits.length;
  let s = neg ? '-' : '';
  if (d.dp > 0) {
    const m = Math.min(nd, d.dp);
    s += d.digits.slice(0, m) + '0'.repeat(d.dp - m);
  } else s += '0';
  if (prec > 0) {
    s += '.';
    for (let i = 1; i <= prec; i++) {
      const j = d.dp + i - 1;
      s += j >= 0 && j < nd ? d.digits[j] : '0';
    }
  }
  return s;
}

/** Shortest round-trip digits, from JS's own shortest formatting. */
function shortestDecimal(x: number): Decimal {
  if (x === 0) return { digits: '', dp: 0 };
  const text = String(x);
  const ePos = text.indexOf('e');
  const mantissa = ePos < 0 ? text : text.slice(0, ePos);
  const exp10 = ePos < 0 ? 0 : Number(text.slice(ePos + 1));
  const dot = mantissa.indexOf('.');
  const intPart = dot < 0 ? mantissa : mantissa.slice(0, dot);
  const allDigits = intPart + (dot < 0 ? '' : mantissa.slice(dot + 1));
  const lead = allDigits.length - allDigits.replace(/^0+/, '').length;
  const digits = allDigits.slice(lead).replace(/0+$/, '');
  return { digits, dp: intPart.length - lead + exp10 };
}

function float64Parts(x: number): { mant: bigint; exp: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const expField = Number((bits >> 52n) & 0x7ffn);
  const frac = bits & ((1n << 52n) - 1n);
  // value = mant × 2^exp
  return expField === 0 ? { mant: frac, exp: -1074 } : { mant: frac | (1n << 52n), exp: expField - 1075 };
}

/** The exact decimal expansion of a non-negative double. */
function exactDecimal(x: number): Decimal {
  if (x === 0) return { digits: '', dp: 0 };
  let text: string;
  let dp: number;
  if (Number.isInteger(x) && x <= Number.MAX_SAFE_INTEGER) {
    text = String(x);
    dp = text.length;
  } else {
    const { mant, exp } = float64Parts(x);
    if (exp >= 0) {
      text = (mant << BigInt(exp)).toString();
      dp = text.length;
    } else {
      text = (mant * 5n ** BigInt(-exp)).toString();
      dp = text.length + exp;
    }
  }
  return { digits: text.replace(/0+$/, ''), dp };
}

/** Rounds to nd significant digits, ties to even (the expansion is exact, so a tie is a real tie). */
function roundDecimal(d: Decimal, nd: number): Decimal {
  const digits = d.digits;
  if (nd < 0 || nd >= digits.length) return d;
  const next = digits.charCodeAt(nd) - 48;
  let up: boolean;
  if (next === 5 && nd + 1 === digits.length) up = nd > 0 && (digits.charCodeAt(nd - 1) - 48) % 2 === 1;
  else up = next >= 5;
  if (!up) return { digits: digits.slice(0, nd).replace(/0+$/, ''), dp: d.dp };
  let i = nd - 1;
  while (i >= 0 && digits[i] === '9') i--;
  if (i < 0) return { digits: '1', dp: d.dp + 1 };
  return { digits: digits.slice(0, i) + String.fromCharCode(digits.charCodeAt(i) + 1), dp: d.dp };
}

/** %b: decimal mantissa and binary exponent, `4503599627370496p-52`. */
function formatBinary(neg: boolean, x: number): string {
  const { mant, exp } = float64Parts(x);
  return `${neg ? '-' : ''}${mant}p${exp >= 0 ? '+' : ''}${exp}`;
}

const MASK64 = (1n << 64n) - 1n;

/** %x: hexadecimal mantissa and binary exponent, `0x1.8p+01`. */
function formatHex(neg: boolean, x: number, prec: number, fmt: 'x' | 'X'): string {
  let mant = 0n;
  let exp = 0;
  if (x !== 0) {
    const parts = float64Parts(x);
    // Put the leading 1 at bit 60.
    mant = parts.mant << 8n;
    exp = parts.exp + 52;
    while ((mant & (1n << 60n)) === 0n) {
      mant <<= 1n;
      exp--;
    }
  }
  if (prec >= 0 && prec < 15) {
    const shift = BigInt(prec * 4);
    const extra = (mant << shift) & ((1n << 60n) - 1n);
    mant >>= 60n - shift;
    if ((extra | (mant & 1n)) > 1n << 59n) mant++;
    mant <<= 60n - shift;
    if ((mant & (1n << 61n)) !== 0n) {
      mant >>= 1n;
      exp++;
    }
  }
  const digitsOf = (n: bigint): string => {
    const h = n.toString(16);
    return fmt === 'X' ? h.toUpperCase() : h;
  };
  let s = `${neg ? '-' : ''}0${fmt}${(mant >> 60n) & 1n}`;
  mant = (mant << 4n) & MASK64;
  if (prec < 0 && mant !== 0n) {
    s += '.';
    while (mant !== 0n) {
      s += digitsOf((mant >> 60n) & 15n);
      mant = (mant << 4n) & MASK64;
    }
  } else if (prec > 0) {
    s += '.';
    for (let i = 0; i < prec; i++) {
      s += digitsOf((mant >> 60n) & 15n);
      mant = (mant << 4n) & MASK64;
    }
  }
  s += fmt === 'x' ? 'p' : 'P';
  s += exp < 0 ? '-' : '+';
  const e = Math.abs(exp);
  return s + (e < 10 ? `0${e}` : String(e));
}
