/**
 * Template errors, worded and located exactly as Go's text/template words them:
 *
 *   parse:  template: <name>:<line>: <message>
 *   exec:   template: <name>:<line>:<col>: executing "<template>" at <<node>>: <message>
 *
 * <line> is 1-based; <col> is the 0-based byte offset of the node within its line, as Go's
 * Tree.ErrorContext computes it.
 */
import { TribuneError } from '../../../core/errors.js';
import { type Node, nodeString } from './ast.js';
import { goQuote } from './quote.js';
import { utf8Length } from './values.js';

export class TemplateError extends TribuneError {
  constructor(
    readonly phase: 'parse' | 'exec',
    message: string,
    /** The template file's (top-level) name. */
    readonly templateName: string,
    readonly line: number | undefined,
    readonly column: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(
      phase === 'parse' ? 'CONFIG_INVALID' : 'BAD_REQUEST',
      message,
      { template: templateName, line, column },
      options,
    );
    this.name = 'TemplateError';
  }
}

export function parseError(parseName: string, line: number, message: string): TemplateError {
  return new TemplateError('parse', `template: ${parseName}:${line}: ${message}`, parseName, line, undefined);
}

/** Line (1-based) and byte column (0-based) of a position in a source text. */
export function locate(text: string, pos: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < pos && i < text.length; i++) {
    if (text.charCodeAt(i) === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: utf8Length(text.slice(lineStart, pos)) };
}

/** An execution error at `node` while executing the template named `executing`. */
export function execError(
  executing: string,
  node: Node | undefined,
  message: string,
  cause?: unknown,
): TemplateError {
  if (node === undefined) {
    return new TemplateError('exec', `template: ${executing}: ${message}`, executing, undefined, undefined, {
      cause,
    });
  }
  const { line, column } = locate(node.src.text, node.pos);
  const location = `${node.src.name}:${line}:${column}`;
  const text = `template: ${location}: executing ${goQuote(executing)} at <${nodeString(node)}>: ${message}`;
  return new TemplateError('exec', text, node.src.name, line, column, { cause });
}
