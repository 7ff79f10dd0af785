/**
 * The patterns of `matches` / `not matches`. Consul compiles them with Go's regexp package, so we use
 * re2js, a port of the same RE2 engine: Go's exact syntax (`(?P<name>…)`, `\A`, `\z`, `\Q…\E`,
 * `[[:alpha:]]`, `\pL`, flags such as `(?i)`), Go's parse errors word for word, and matching in time
 * linear in the subject. A client-supplied pattern such as `(a+)+$` therefore cannot stall the event
 * loop the way a backtracking RegExp would.
 */
import { RE2JS, RE2JSException } from 're2js';
import { filterError } from './lexer.js';

/** Whether the pattern matches anywhere in `subject` (unanchored, as Go's MatchString). */
export type PatternTest = (subject: string) => boolean;

/**
 * Compiles `pattern` once, when the filter is compiled; the returned test lives in the filter's
 * predicate, so the filter cache keeps it too. `where` is the match expression's position, which a
 * refusal names.
 */
export function compileGoRegExp(pattern: string, where: string): PatternTest {
  let compiled: RE2JS;
  try {
    // No flags: RE2JS's defaults are Go's regexp.Compile defaults (Perl syntax, Unicode classes).
    compiled = RE2JS.compile(pattern);
  } catch (err) {
    // A bad pattern is the client's mistake (400); anything else is ours and stays a 500.
    if (!(err instanceof RE2JSException)) throw err;
    throw filterError(
      `${where}: failed to compile regular expression ${JSON.stringify(pattern)}: ${err.message}`,
    );
  }
  return (subject) => compiled.test(subject);
}
