/**
 * Go's regexp through re2js (the same RE2 syntax, Go's parse errors word for word, linear-time
 * matching): MatchString and ReplaceAllString with Go's `$1`, `${1}`, `$name`, `$$` expansion.
 */
import { RE2JS, RE2JSException } from 're2js';
import { FuncError } from '../func-spec.js';

const cache = new Map<string, RE2JS>();
const CACHE_LIMIT = 256;

export function compileGoRegexp(pattern: string): RE2JS {
  const hit = cache.get(pattern);
  if (hit !== undefined) return hit;
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern);
  } catch (err) {
    if (err instanceof RE2JSException) throw new FuncError(err.message);
    throw err;
  }
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(pattern, re);
  return re;
}

export function goMatchString(pattern: string, s: string): boolean {
  return compileGoRegexp(pattern).test(s);
}

/** regexp.ReplaceAllString: `repl` is expanded per match as Go's Regexp.Expand. */
export function goReplaceAllString(pattern: string, s: string, repl: string): string {
  const re = compileGoRegexp(pattern);
  const names = re.namedGroups();
  return re.matcher(s).replaceAll((...args: unknown[]) => {
    const groups: Array<string | undefined> = [];
    for (let i = 0; i <= re.groupCount(); i++) groups.push(args[i] as string | undefined);
    return expand(repl, groups, names);
  });
}

const NAME_CHAR = /[\p{L}\p{Nd}_]/u;

function expand(template: string, groups: Array<string | undefined>, names: Record<string, number>): string {
  let out = '';
  let t = template;
  for (;;) {
    const at = t.indexOf('$');
    if (at < 0) break;
    out += t.slice(0, at);
    t = t.slice(at + 1);
    if (t.startsWith('$')) {
      out += '$';
      t = t.slice(1);
      continue;
    }
    const ref = extractName(t);
    if (ref === undefined) {
      out += '$';
      continue;
    }
    t = ref.rest;
    const index = /^(0|[1-9][0-9]{0,7})$/.test(ref.name) ? Number(ref.name) : names[ref.name];
    if (index !== undefined) out += groups[index] ?? '';
  }
  return out + t;
}

/** A leading `name` or `{name}` (letters, digits, underscore); undefined when malformed. */
function extractName(s: string): { name: string; rest: string } | undefined {
  const brace = s.startsWith('{');
  const body = brace ? s.slice(1) : s;
  let i = 0;
  for (const ch of body) {
    if (!NAME_CHAR.test(ch)) break;
    i += ch.length;
  }
  if (i === 0) return undefined;
  const name = body.slice(0, i);
  if (brace) {
    if (body[i] !== '}') return undefined;
    i++;
  }
  return { name, rest: body.slice(i) };
}
