/**
 * A small YAML emitter producing what gopkg.in/yaml.v2's Marshal produces for plain data (consul-
 * template's toYAML): block style, 2-space indentation, sequences inside mappings not indented, map
 * keys in yaml.v2's natural order, struct fields lowercased, strings plain when they would read back as
 * strings, otherwise double-quoted (values that would resolve to another type) or single-quoted
 * (indicator characters), and multi-line strings as literal blocks.
 *
 * Not reproduced: yaml.v2's folding of plain or quoted scalars longer than 80 columns.
 */

import { formatFloat } from '../format-float.js';
import { FuncError } from '../func-spec.js';
import { isPrint } from '../quote.js';
import { goTypeName, intValue, kindOf, numericValue, sortedEntries } from '../values.js';

export function marshalYAML(value: unknown): string {
  const k = kindOf(value);
  if ((k === 'map' || k === 'struct') && entriesOf(value as object).length > 0)
    return mapping(value as object, '');
  if (k === 'slice' && (value as unknown[]).length > 0) return sequence(value as unknown[], '');
  return `${scalarOrFlow(value, '')}\n`;
}

function entriesOf(v: object): Array<[string, unknown]> {
  if (kindOf(v) === 'struct') {
    return Object.keys(v).map((k) => [k.toLowerCase(), (v as Record<string, unknown>)[k]]);
  }
  return sortedEntries(v)
    .map(([k, val]): [string, unknown] => [typeof k === 'string' ? k : scalar(k, ''), val])
    .sort((a, b) => (naturalLess(a[0], b[0]) ? -1 : naturalLess(b[0], a[0]) ? 1 : 0));
}

function isBlockCollection(v: unknown): boolean {
  const k = kindOf(v);
  if (k === 'slice') return (v as unknown[]).length > 0;
  if (k === 'map' || k === 'struct') return entriesOf(v as object).length > 0;
  return false;
}

function mapping(v: object, indent: string): string {
  let out = '';
  for (const [key, val] of entriesOf(v)) {
    out += `${indent}${scalar(key, indent)}:`;
    if (isBlockCollection(val)) {
      // yaml.v2 writes a sequence under a key at the key's own indentation.
      out +=
        kindOf(val) === 'slice'
          ? `\n${sequence(val as unknown[], indent)}`
          : `\n${mapping(val as object, `${indent}  `)}`;
    } else out += ` ${scalarOrFlow(val, `${indent}  `)}\n`;
  }
  return out;
}

function sequence(items: unknown[], indent: string): string {
  let out = '';
  for (const item of items) {
    if (isBlockCollection(item)) {
      const nested =
        kindOf(item) === 'slice'
          ? sequence(item as unknown[], `${indent}  `)
          : mapping(item as object, `${indent}  `);
      out += `${indent}- ${nested.slice(indent.length + 2)}`;
    } else out += `${indent}- ${scalarOrFlow(item, `${indent}  `)}\n`;
  }
  return out;
}

function scalarOrFlow(v: unknown, indent: string): string {
  const k = kindOf(v);
  if (k === 'slice') return '[]';
  if (k === 'map' || k === 'struct') return '{}';
  return scalar(v, indent);
}

function scalar(v: unknown, indent: string): string {
  switch (kindOf(v)) {
    case 'invalid':
    case 'nil':
      return 'null';
    case 'bool':
      return v ? 'true' : 'false';
    case 'int':
    case 'uint':
      return intValue(v).toString();
    case 'float': {
      const f = Number(numericValue(v));
      const s = formatFloat(f, 'g', -1);
      return s === '+Inf' ? '.inf' : s === '-Inf' ? '-.inf' : s === 'NaN' ? '.nan' : s;
    }
    case 'string':
      return stringScalar(v as string, indent);
    default:
      throw new FuncError(`cannot marshal type: ${goTypeName(v)}`);
  }
}

const BOOL_OR_NULL = new Set([
  ...['y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON', 'n', 'N', 'no', 'No', 'NO', 'off', 'Off', 'OFF'],
  ...['true', 'True', 'TRUE', 'false', 'False', 'FALSE', 'null', 'Null', 'NULL', '~', '<<'],
  ...['.nan', '.NaN', '.NAN', '.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF', '-.inf', '-.Inf', '-.INF'],
]);

/** Whether yaml.v2 would read the plain scalar back as something other than a string. */
function resolvesToNonString(s: string): boolean {
  if (s === '' || BOOL_OR_NULL.has(s)) return true;
  const plain = s.replaceAll('_', '');
  if (/^[-+]?(0[xX][0-9a-fA-F]+|0[oO]?[0-7]+|0[bB][01]+|[0-9]+)$/.test(plain)) return true;
  if (/^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(plain)) return true;
  if (/^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/.test(s)) return true; // base 60
  return /^\d{4}-\d{1,2}-\d{1,2}(?:[Tt ]\d{1,2}:\d{1,2}:\d{1,2}(?:\.\d+)?(?:Z|[+-]\d{1,2}(?::\d{2})?)?)?$/.test(
    s,
  );
}

/** libyaml's test of whether a string may be written plain in block context. */
function plainAllowed(s: string): boolean {
  if (s.startsWith('---') || s.startsWith('...')) return false;
  if (/^[\s]/.test(s) || /[\s]$/.test(s)) return false;
  const first = s[0] as string;
  if ('#,[]{}&*!|>\'"%@`'.includes(first)) return false;
  if ((first === '-' || first === '?' || first === ':') && (s.length === 1 || s[1] === ' ')) return false;
  if (/: |:$| #/.test(s)) return false;
  for (const ch of s) if (!isPrint(ch.codePointAt(0) as number) && ch !== ' ') return false;
  return true;
}

function stringScalar(s: string, indent: string): string {
  if (
    s.includes('\n') &&
    [...s].every((ch) => ch === '\n' || isPrint(ch.codePointAt(0) as number) || ch === '\t')
  ) {
    const chomp = !s.endsWith('\n') ? '-' : s.endsWith('\n\n') ? '+' : '';
    const indicator = s.startsWith(' ') ? '2' : '';
    const body = (chomp === '' ? s.slice(0, -1) : chomp === '+' ? s.slice(0, -1) : s).split('\n');
    const pad = indent === '' ? '  ' : indent;
    return `|${indicator}${chomp}\n${body.map((line) => (line === '' ? '' : pad + line)).join('\n')}`;
  }
  if (resolvesToNonString(s)) return doubleQuoted(s);
  if (plainAllowed(s)) return s;
  for (const ch of s) if (!isPrint(ch.codePointAt(0) as number) && ch !== ' ') return doubleQuoted(s);
  return `'${s.replaceAll("'", "''")}'`;
}

function doubleQuoted(s: string): string {
  const named: Record<string, string> = {
    '\0': '\\0',
    '\x07': '\\a',
    '\b': '\\b',
    '\t': '\\t',
    '\n': '\\n',
    '\v': '\\v',
    '\f': '\\f',
    '\r': '\\r',
    '\x1b': '\\e',
    '"': '\\"',
    '\\': '\\\\',
    '\u0085': '\\N',
    '\u00a0': '\\_',
    '\u2028': '\\L',
    '\u2029': '\\P',
  };
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    const n = named[ch];
    if (n !== undefined) out += n;
    else if (isPrint(cp) || ch === ' ') out += ch;
    else if (cp <= 0xff) out += `\\x${cp.toString(16).toUpperCase().padStart(2, '0')}`;
    else if (cp <= 0xffff) out += `\\u${cp.toString(16).toUpperCase().padStart(4, '0')}`;
    else out += `\\U${cp.toString(16).toUpperCase().padStart(8, '0')}`;
  }
  return `${out}"`;
}

const isLetter = (c: string): boolean => /\p{L}/u.test(c);
const isDigit = (c: string | undefined): boolean => c !== undefined && /\p{Nd}/u.test(c);

/** yaml.v2's key order: letters after other characters, runs of digits compared as numbers. */
function naturalLess(a: string, b: string): boolean {
  const ar = [...a];
  const br = [...b];
  for (let i = 0; i < ar.length && i < br.length; i++) {
    const x = ar[i] as string;
    const y = br[i] as string;
    if (x === y) continue;
    const al = isLetter(x);
    const bl = isLetter(y);
    if (al && bl) return x < y;
    if (al || bl) return bl;
    let an = 0;
    let bn = 0;
    if (x === '0' || y === '0') {
      for (let j = i - 1; j >= 0 && isDigit(ar[j]); j--) {
        if (ar[j] !== '0') {
          an = 1;
          bn = 1;
          break;
        }
      }
    }
    let ai = i;
    for (; ai < ar.length && isDigit(ar[ai]); ai++) an = an * 10 + Number(ar[ai]);
    let bi = i;
    for (; bi < br.length && isDigit(br[bi]); bi++) bn = bn * 10 + Number(br[bi]);
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return x < y;
  }
  return ar.length < br.length;
}
