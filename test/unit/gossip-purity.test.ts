import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const CORE = join(import.meta.dirname, '..', '..', 'plugins', 'gossip', 'core');

// The core must be a pure state machine: time, randomness and I/O come in from the adapter.
const FORBIDDEN: [RegExp, string][] = [
  [/from\s+['"]node:/, 'a node:* import'],
  [/require\(/, 'require()'],
  [/\bDate\b/, 'Date'],
  [/Math\.random/, 'Math.random'],
  [/\b(setTimeout|setInterval|setImmediate|queueMicrotask)\b/, 'a timer'],
  [/\bperformance\b/, 'performance'],
  [/\bawait\b|\basync\b/, 'async code'],
  [/\bprocess\./, 'process'],
  [
    /from\s+['"](?!\.\/|\.\.\/\.\.\/\.\.\/core\/errors\.js)/,
    'an import from outside the core (other than core/errors)',
  ],
];

test('plugins/gossip/core is pure', () => {
  const files = readdirSync(CORE).filter((f) => f.endsWith('.ts'));
  assert.ok(files.length >= 10);
  for (const file of files) {
    const code = readFileSync(join(CORE, file), 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/\/\/.*$/gm, '');
    for (const [pattern, what] of FORBIDDEN) assert.ok(!pattern.test(code), `${file} uses ${what}`);
  }
});
