import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { createLogger, humanLine, pinoLevel } from '../../core/logger.js';

function capture(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

test('secrets are redacted from log lines', async () => {
  const out = capture();
  const logger = createLogger({ level: 'info', json: true, destination: out.stream });
  logger.info(
    { token: 'b1a2-secret', headers: { 'x-consul-token': 'abc-secret' }, acl: { token: 'x-secret' } },
    'request',
  );
  await new Promise((r) => setImmediate(r));
  assert.doesNotMatch(out.text(), /secret/);
  assert.match(out.text(), /<hidden>/);
});

test('human lines read like Consul logs and respect the level', async () => {
  const out = capture();
  const logger = createLogger({ level: 'warn', json: false, destination: out.stream });
  logger.info('hidden');
  logger.warn({ path: '/v1/kv/a b' }, 'request failed');
  await new Promise((r) => setImmediate(r));
  const text = out.text();
  assert.doesNotMatch(text, /hidden/);
  assert.match(text, /^\d{4}-\d\d-\d\dT[\d:.]+Z \[WARN\] {2}agent: request failed: path="\/v1\/kv\/a b"\n$/);
  assert.equal(humanLine('not json'), 'not json');
  assert.equal(pinoLevel('DEBUG'), 'debug');
  assert.equal(pinoLevel('loud'), 'info');
});
