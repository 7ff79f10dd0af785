/**
 * A small datadriven format (after cockroachdb/datadriven, as etcd-raft's interaction tests use):
 *
 *   # comment
 *   command arg key=value key=(a,b)
 *   ----
 *   expected output (no blank lines; "ok" when the command printed nothing)
 *
 * Blocks are separated by blank lines. `render` writes a file back with actual output (REWRITE=1).
 */

export interface CmdArg {
  readonly key: string;
  /** Empty for a bare word; one element for key=value; several for key=(a,b). */
  readonly values: readonly string[];
}

export interface TestBlock {
  /** Comment and blank lines that precede the command, kept verbatim for rewriting. */
  readonly preamble: readonly string[];
  readonly line: number;
  readonly command: string;
  readonly cmd: string;
  readonly args: readonly CmdArg[];
  readonly expected: string;
}

export interface ParsedFile {
  readonly blocks: readonly TestBlock[];
  /** Comment lines after the last block. */
  readonly trailer: readonly string[];
}

function splitArgs(text: string): string[] {
  const out: string[] = [];
  let current = '';
  let depth = 0;
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (/\s/.test(ch) && depth === 0) {
      if (current) out.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  if (current) out.push(current);
  return out;
}

export function parseArg(token: string): CmdArg {
  const eq = token.indexOf('=');
  if (eq < 0) return { key: token, values: [] };
  const key = token.slice(0, eq);
  const raw = token.slice(eq + 1);
  if (raw.startsWith('(') && raw.endsWith(')')) {
    const inner = raw.slice(1, -1).trim();
    return { key, values: inner === '' ? [] : inner.split(/[,\s]+/) };
  }
  return { key, values: [raw] };
}

export function parseFile(text: string, name: string): ParsedFile {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const blocks: TestBlock[] = [];
  let preamble: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] ?? '';
    if (line.trim() === '' || line.startsWith('#')) {
      preamble.push(line);
      i++;
      continue;
    }
    const commandLine = i + 1;
    const command = line.trim();
    i++;
    if (lines[i] !== '----') throw new Error(`${name}:${commandLine}: expected ---- after "${command}"`);
    i++;
    const expected: string[] = [];
    while (i < lines.length && (lines[i] ?? '') !== '') {
      expected.push(lines[i] ?? '');
      i++;
    }
    const [cmd = '', ...rest] = splitArgs(command);
    blocks.push({
      preamble,
      line: commandLine,
      command,
      cmd,
      args: rest.map(parseArg),
      expected: expected.join('\n'),
    });
    preamble = [];
  }
  return { blocks, trailer: preamble };
}

export function render(file: ParsedFile, outputs: readonly string[]): string {
  const out: string[] = [];
  file.blocks.forEach((block, n) => {
    out.push(...block.preamble, block.command, '----', outputs[n] ?? '');
  });
  out.push(...file.trailer);
  return `${out.join('\n').replace(/\n+$/, '')}\n`;
}
