/**
 * The agent's logger: pino, JSON with -log-json, otherwise one human line per entry in Consul's style
 * (`2026-11-25T14:00:00.000Z [INFO]  agent: message: key=value`). Secrets are redacted by path so a
 * token never reaches a log line.
 */
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';

const LEVEL_NAMES: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};
const SECRET_PATHS = [
  'token',
  '*.token',
  'secret',
  '*.SecretID',
  'SecretID',
  'encrypt',
  '*.encrypt',
  'config.acl.tokens',
  'headers["x-consul-token"]',
  'headers.authorization',
];
const RESERVED = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'name', 'v']);

/** Consul accepts trace|debug|info|warn|error; pino spells them the same, in lower case. */
export function pinoLevel(level: string): string {
  const lower = level.toLowerCase();
  return ['trace', 'debug', 'info', 'warn', 'error'].includes(lower) ? lower : 'info';
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return /\s/.test(value) ? JSON.stringify(value) : value;
  if (value && typeof value === 'object' && 'message' in value)
    return JSON.stringify((value as Error).message);
  return JSON.stringify(value);
}

export function humanLine(json: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const time = typeof entry.time === 'number' ? new Date(entry.time).toISOString() : '';
  const level = `[${LEVEL_NAMES[Number(entry.level)] ?? 'INFO'}]`.padEnd(7);
  const name = typeof entry.name === 'string' ? `${entry.name}: ` : 'agent: ';
  const fields = Object.entries(entry)
    .filter(([key]) => !RESERVED.has(key))
    .map(([key, value]) => `${key}=${formatValue(value)}`);
  return `${time} ${level} ${name}${String(entry.msg ?? '')}${fields.length ? `: ${fields.join(' ')}` : ''}`;
}

export function createLogger(opts: {
  level: string;
  json: boolean;
  destination?: NodeJS.WritableStream;
}): Logger {
  const destination = opts.destination ?? process.stderr;
  const options = {
    level: pinoLevel(opts.level),
    redact: { paths: SECRET_PATHS, censor: '<hidden>' },
    base: undefined,
  };
  if (opts.json) return pino(options, destination);
  const human = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const lines = chunk
        .toString('utf8')
        .split('\n')
        .filter((l) => l !== '');
      destination.write(`${lines.map(humanLine).join('\n')}\n`);
      done();
    },
  });
  return pino(options, human);
}
