/**
 * Go's time.Time as templates see it (confd's datetime, consul-template's timestamp): formatting with
 * Go reference layouts ("2006-01-02T15:04:05Z07:00") and the fields people call. The clock is injected
 * (DataSource.now); times are in UTC.
 */
import { fn, type GoFunction } from '../func-spec.js';
import { GO_METHODS, GO_STRING, goStruct } from '../values.js';

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

export const RFC3339 = '2006-01-02T15:04:05Z07:00';

// Longest tokens first, as Go's nextStdChunk recognises them.
const TOKENS = [
  'January',
  'Jan',
  'Monday',
  'Mon',
  'MST',
  '2006',
  '-07:00:00',
  '-0700',
  '-07:00',
  '-07',
  'Z07:00:00',
  'Z0700',
  'Z07:00',
  'Z07',
  '002',
  '__2',
  '_2',
  '01',
  '02',
  '03',
  '04',
  '05',
  '06',
  '15',
  '1',
  '2',
  '3',
  '4',
  '5',
  'PM',
  'pm',
];

const pad = (n: number, width: number, c = '0'): string => String(n).padStart(width, c);

interface UtcParts {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number; // 0 = Sunday
  yearDay: number; // 1-366
}

/** Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's days_from_civil). */
function daysFromCivil(y0: number, m: number, d: number): number {
  const y = m <= 2 ? y0 - 1 : y0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Calendar fields of a UTC instant, computed without Date (the core reads no clock). */
export function utcParts(unixMillis: number): UtcParts {
  const days = Math.floor(unixMillis / 864e5);
  const msOfDay = unixMillis - days * 864e5;
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return {
    year,
    month,
    day,
    hour: Math.floor(msOfDay / 36e5),
    minute: Math.floor(msOfDay / 6e4) % 60,
    second: Math.floor(msOfDay / 1000) % 60,
    weekday: (((days + 4) % 7) + 7) % 7,
    yearDay: days - daysFromCivil(year, 1, 1) + 1,
  };
}

/** Formats a UTC instant (milliseconds plus extra nanoseconds) with a Go layout. */
export function formatGoTime(unixMillis: number, layout: string, extraNanos = 0): string {
  const t = utcParts(unixMillis);
  const nanos = (((unixMillis % 1000) + 1000) % 1000) * 1e6 + extraNanos;
  const year = t.year;
  const hour = t.hour;
  const dayOfYear = t.yearDay;
  let out = '';
  let i = 0;
  while (i < layout.length) {
    const frac = /^[.,](0+|9+)(?![0-9])/.exec(layout.slice(i));
    if (frac) {
      const digits = (frac[1] as string).length;
      let f = pad(nanos, 9).slice(0, digits);
      if ((frac[1] as string)[0] === '9') {
        f = f.replace(/0+$/, '');
        out += f === '' ? '' : `${layout[i]}${f}`;
      } else out += `${layout[i]}${f}`;
      i += frac[0].length;
      continue;
    }
    const token = TOKENS.find((t) => layout.startsWith(t, i));
    if (token === undefined) {
      out += layout[i];
      i++;
      continue;
    }
    i += token.length;
    switch (token) {
      case 'January':
        out += MONTHS[t.month - 1];
        break;
      case 'Jan':
        out += (MONTHS[t.month - 1] as string).slice(0, 3);
        break;
      case 'Monday':
        out += DAYS[t.weekday];
        break;
      case 'Mon':
        out += (DAYS[t.weekday] as string).slice(0, 3);
        break;
      case 'MST':
        out += 'UTC';
        break;
      case '2006':
        out += pad(year, 4);
        break;
      case '06':
        out += pad(year % 100, 2);
        break;
      case '01':
        out += pad(t.month, 2);
        break;
      case '1':
        out += String(t.month);
        break;
      case '02':
        out += pad(t.day, 2);
        break;
      case '_2':
        out += pad(t.day, 2, ' ');
        break;
      case '2':
        out += String(t.day);
        break;
      case '002':
        out += pad(dayOfYear, 3);
        break;
      case '__2':
        out += pad(dayOfYear, 3, ' ');
        break;
      case '15':
        out += pad(hour, 2);
        break;
      case '03':
        out += pad(hour % 12 === 0 ? 12 : hour % 12, 2);
        break;
      case '3':
        out += String(hour % 12 === 0 ? 12 : hour % 12);
        break;
      case '04':
        out += pad(t.minute, 2);
        break;
      case '4':
        out += String(t.minute);
        break;
      case '05':
        out += pad(t.second, 2);
        break;
      case '5':
        out += String(t.second);
        break;
      case 'PM':
        out += hour >= 12 ? 'PM' : 'AM';
        break;
      case 'pm':
        out += hour >= 12 ? 'pm' : 'am';
        break;
      default:
        // Zone offsets: UTC is "Z" for the Z forms, +00:00 / +0000 / +00 otherwise.
        if (token.startsWith('Z')) out += 'Z';
        else if (token === '-0700') out += '+0000';
        else if (token === '-07:00') out += '+00:00';
        else if (token === '-07:00:00') out += '+00:00:00';
        else out += '+00';
    }
  }
  return out;
}

/** A time.Time value in a template: prints as Go's Time.String, with the common methods. */
export class GoTime {
  constructor(readonly unixMillis: number) {}

  [GO_STRING](): string {
    return formatGoTime(this.unixMillis, '2006-01-02 15:04:05.999999999 -0700 MST');
  }

  static readonly methods: Record<string, GoFunction> = {
    Format: fn(['string'], function (this: GoTime, [layout]) {
      return formatGoTime(this.unixMillis, layout as string);
    }),
    String: fn([], function (this: GoTime) {
      return formatGoTime(this.unixMillis, '2006-01-02 15:04:05.999999999 -0700 MST');
    }),
    Unix: fn([], function (this: GoTime) {
      return Math.floor(this.unixMillis / 1000);
    }),
    UnixNano: fn([], function (this: GoTime) {
      return BigInt(this.unixMillis) * 1_000_000n;
    }),
    Year: fn([], function (this: GoTime) {
      return utcParts(this.unixMillis).year;
    }),
    Day: fn([], function (this: GoTime) {
      return utcParts(this.unixMillis).day;
    }),
    Hour: fn([], function (this: GoTime) {
      return utcParts(this.unixMillis).hour;
    }),
    Minute: fn([], function (this: GoTime) {
      return utcParts(this.unixMillis).minute;
    }),
    Second: fn([], function (this: GoTime) {
      return utcParts(this.unixMillis).second;
    }),
  };
}

Object.defineProperty(GoTime.prototype, GO_METHODS, { value: GoTime.methods });

goStruct('time.Time', GoTime.prototype);
