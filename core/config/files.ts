/**
 * Reading config files. `-config-file` and `-config-dir` each name a file or a directory (as in
 * Consul); a directory contributes its `*.json` files in lexical order, not recursively, other files
 * ignored. HCL is not supported yet and says so. Without any such path, cosmiconfig discovers one
 * main config (`tribune.config.json`, `.tribunerc[.json|.yaml]`, package.json#tribune) from the cwd.
 * Problems are returned as issues naming the file (and line and column for syntax errors) so that
 * every broken file is reported at once.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { cosmiconfig, defaultLoaders } from 'cosmiconfig';
import type { ConfigSource } from './merge.js';
import type { ConfigIssue } from './types.js';

type Plain = Record<string, unknown>;

export interface ReadConfigResult {
  /** Parsed files in load order, each named by its absolute path. */
  sources: ConfigSource[];
  issues: ConfigIssue[];
  /** What to watch for changes: files named directly, and directories. */
  files: string[];
  dirs: string[];
}

export interface ReadConfigOptions {
  /** Relative paths resolve against this (default: process.cwd()). */
  cwd?: string;
  /** `-config-format=json`: read explicitly named files as JSON whatever their extension. */
  format?: 'json';
}

const HCL_UNSUPPORTED = 'HCL configuration is not supported yet; convert this file to JSON';

function isPlainObject(value: unknown): value is Plain {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function emptyResult(): ReadConfigResult {
  return { sources: [], issues: [], files: [], dirs: [] };
}

function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return (err as Error).message;
}

/** Reads every path in order; a directory yields its `*.json` files sorted by name. */
export async function readConfigPaths(
  paths: readonly string[],
  opts: ReadConfigOptions = {},
): Promise<ReadConfigResult> {
  const cwd = opts.cwd ?? process.cwd();
  const result = emptyResult();
  for (const given of paths) {
    const path = resolve(cwd, given);
    let isDir: boolean;
    try {
      isDir = (await stat(path)).isDirectory();
    } catch (err) {
      result.files.push(path);
      result.issues.push({
        file: path,
        pointer: '',
        message: `cannot read config path: ${describeFsError(err)}`,
      });
      continue;
    }
    if (isDir) {
      result.dirs.push(path);
      await readConfigDir(path, result);
      continue;
    }
    result.files.push(path);
    const ext = extname(path).toLowerCase();
    if (ext === '.hcl' && opts.format === undefined) {
      result.issues.push({ file: path, pointer: '', message: HCL_UNSUPPORTED });
    } else if (ext === '.json' || opts.format === 'json') {
      await readJsonFile(path, result);
    } else {
      result.issues.push({
        file: path,
        pointer: '',
        message: 'missing or invalid file extension: use .json (or -config-format=json)',
      });
    }
  }
  return result;
}

async function readConfigDir(dir: string, result: ReadConfigResult): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    result.issues.push({
      file: dir,
      pointer: '',
      message: `cannot read config directory: ${describeFsError(err)}`,
    });
    return;
  }
  // Lexical by code unit, like Go's sort of the names. Hidden files (editor locks such as Emacs's
  // `.#web.json`) are skipped.
  for (const name of names.sort()) {
    if (name.startsWith('.')) continue;
    const ext = extname(name).toLowerCase();
    if (ext !== '.json' && ext !== '.hcl') continue;
    const path = join(dir, name);
    try {
      if (!(await stat(path)).isFile()) continue;
    } catch {
      continue; // vanished between readdir and stat, or a dangling link: not a config file
    }
    if (ext === '.hcl') result.issues.push({ file: path, pointer: '', message: HCL_UNSUPPORTED });
    else await readJsonFile(path, result);
  }
}

async function readJsonFile(path: string, result: ReadConfigResult): Promise<void> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    result.issues.push({
      file: path,
      pointer: '',
      message: `cannot read config file: ${describeFsError(err)}`,
    });
    return;
  }
  const parsed = parseJsonConfig(text);
  if (parsed.ok) result.sources.push({ name: path, data: parsed.data });
  else result.issues.push({ file: path, pointer: '', message: parsed.message });
}

export type ParsedConfig = { ok: true; data: Plain } | { ok: false; message: string };

/** Parses one JSON config document; a syntax error comes back with its line and column. */
export function parseJsonConfig(text: string): ParsedConfig {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (err) {
    return { ok: false, message: describeJsonError(body, err) };
  }
  if (!isPlainObject(value)) return { ok: false, message: 'a config file must hold a JSON object' };
  return { ok: true, data: value };
}

function describeJsonError(text: string, err: unknown): string {
  const located = locateJsonError(text);
  if (located !== undefined) {
    const { line, column } = lineAndColumn(text, located.offset);
    return `invalid JSON at line ${line}, column ${column}: ${located.reason}`;
  }
  return `invalid JSON: ${(err as Error).message}`;
}

/** 1-based line and column of a character offset. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

class JsonSyntaxError extends Error {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

const MAX_DEPTH = 512;

/**
 * Finds the first syntax error in a JSON text: its offset and a reason. V8's JSON.parse messages
 * differ between Node versions and sometimes carry no position, so errors are located here.
 * Returns undefined for valid JSON.
 */
export function locateJsonError(text: string): { offset: number; reason: string } | undefined {
  let pos = 0;
  const describe = (at: number): string =>
    at >= text.length ? 'unexpected end of input' : `unexpected character ${JSON.stringify(text[at])}`;
  const fail = (reason: string, at = pos): never => {
    throw new JsonSyntaxError(at, reason);
  };
  const skipSpace = (): void => {
    while (pos < text.length && ' \t\n\r'.includes(text[pos] as string)) pos++;
  };
  const literal = (word: string): void => {
    if (text.startsWith(word, pos)) pos += word.length;
    else fail(describe(pos));
  };
  const string = (): void => {
    pos++; // opening quote
    for (;;) {
      if (pos >= text.length) fail('unterminated string');
      const c = text.charCodeAt(pos);
      if (c === 34) {
        pos++;
        return;
      }
      if (c < 0x20) fail('control character in string (escape it, e.g. \\n)');
      if (c === 92) {
        const next = text[pos + 1];
        if (next === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(pos + 2, pos + 6))) fail('invalid \\u escape');
          pos += 6;
        } else if (next !== undefined && '"\\/bfnrt'.includes(next)) {
          pos += 2;
        } else {
          fail('invalid escape in string');
        }
        continue;
      }
      pos++;
    }
  };
  const number = (): void => {
    const start = pos;
    const match = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(pos, pos + 400));
    if (match === null) fail('invalid number', start);
    pos += (match as RegExpExecArray)[0].length;
    if (pos < text.length && /[0-9.eE+-]/.test(text[pos] as string)) fail('invalid number', start);
  };
  const value = (depth: number): void => {
    if (depth > MAX_DEPTH) fail('nesting too deep');
    skipSpace();
    const c = text[pos];
    if (c === '{') object(depth);
    else if (c === '[') array(depth);
    else if (c === '"') string();
    else if (c === 't') literal('true');
    else if (c === 'f') literal('false');
    else if (c === 'n') literal('null');
    else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) number();
    else fail(describe(pos));
  };
  const object = (depth: number): void => {
    pos++;
    skipSpace();
    if (text[pos] === '}') {
      pos++;
      return;
    }
    for (;;) {
      skipSpace();
      if (text[pos] !== '"') {
        fail(
          text[pos] === '}'
            ? 'trailing comma before "}"'
            : `expected a double-quoted key, found ${describe(pos).replace('unexpected ', '')}`,
        );
      }
      string();
      skipSpace();
      if (text[pos] !== ':')
        fail(`expected ":" after key, found ${describe(pos).replace('unexpected ', '')}`);
      pos++;
      value(depth + 1);
      skipSpace();
      if (text[pos] === ',') {
        pos++;
        continue;
      }
      if (text[pos] === '}') {
        pos++;
        return;
      }
      fail(`expected "," or "}" after a value, found ${describe(pos).replace('unexpected ', '')}`);
    }
  };
  const array = (depth: number): void => {
    pos++;
    skipSpace();
    if (text[pos] === ']') {
      pos++;
      return;
    }
    for (;;) {
      skipSpace();
      if (text[pos] === ']') fail('trailing comma before "]"');
      value(depth + 1);
      skipSpace();
      if (text[pos] === ',') {
        pos++;
        continue;
      }
      if (text[pos] === ']') {
        pos++;
        return;
      }
      fail(`expected "," or "]" after a value, found ${describe(pos).replace('unexpected ', '')}`);
    }
  };

  try {
    value(0);
    skipSpace();
    if (pos < text.length) fail(`${describe(pos)} after the end of the document`);
    return undefined;
  } catch (err) {
    if (err instanceof JsonSyntaxError) return { offset: err.offset, reason: err.reason };
    throw err;
  }
}

/** The file names cosmiconfig looks for, in each directory, in this order. */
export const DISCOVERY_PLACES: readonly string[] = [
  'package.json',
  'tribune.config.json',
  '.tribunerc',
  '.tribunerc.json',
  '.tribunerc.yaml',
  '.tribunerc.yml',
];

/** cosmiconfig's JSON loader, swapped for ours so syntax errors read the same everywhere. */
function loadJson(filepath: string, content: string): unknown {
  const body = content.startsWith('\uFEFF') ? content.slice(1) : content;
  try {
    return JSON.parse(body);
  } catch (err) {
    throw Object.assign(new Error(describeJsonError(body, err)), { filepath });
  }
}

function describeDiscoveryError(err: unknown): string {
  const yaml = err as { mark?: { line?: number; column?: number }; reason?: string; name?: string };
  if (yaml.name === 'YAMLException' && yaml.mark !== undefined) {
    return `invalid YAML at line ${(yaml.mark.line ?? 0) + 1}, column ${(yaml.mark.column ?? 0) + 1}: ${yaml.reason ?? 'syntax error'}`;
  }
  return (err as Error).message;
}

/**
 * Looks for a main config from `cwd` upwards to the nearest directory with a package.json. JSON
 * and YAML only — never code. Returns no sources when nothing is found.
 */
export async function discoverConfig(cwd: string): Promise<ReadConfigResult> {
  const result = emptyResult();
  const yaml = defaultLoaders['.yaml'];
  const explorer = cosmiconfig('tribune', {
    searchPlaces: [...DISCOVERY_PLACES],
    mergeSearchPlaces: false,
    searchStrategy: 'project',
    cache: false,
    loaders: { '.json': loadJson, '.yaml': yaml, '.yml': yaml, noExt: yaml },
  });
  let found: Awaited<ReturnType<typeof explorer.search>>;
  try {
    found = await explorer.search(cwd);
  } catch (err) {
    const file = (err as { filepath?: unknown }).filepath;
    const issue: ConfigIssue = { pointer: '', message: describeDiscoveryError(err) };
    if (typeof file === 'string') {
      issue.file = file;
      result.files.push(file);
    }
    result.issues.push(issue);
    return result;
  }
  if (found === null || found.isEmpty === true) return result;
  result.files.push(found.filepath);
  const data: unknown = found.config;
  if (isPlainObject(data)) result.sources.push({ name: found.filepath, data });
  else result.issues.push({ file: found.filepath, pointer: '', message: 'the config must be an object' });
  return result;
}
