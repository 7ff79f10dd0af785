/**
 * The raft core must stay pure (ARCHITECTURE.md §4): no node:* imports, no clocks, timers,
 * global randomness or awaits — the simulator's determinism depends on it.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const dir = join(import.meta.dirname, '..', '..', 'plugins', 'raft', 'core');

const FORBIDDEN: [RegExp, string][] = [
  [/from\s+['"]node:/, 'node:* import'],
  [/import\(\s*['"]node:/, 'node:* dynamic import'],
  [/\bDate\b/, 'Date'],
  [/Math\.random/, 'Math.random'],
  [/\b(setTimeout|setInterval|setImmediate|queueMicrotask)\b/, 'timer'],
  [/\bperformance\b/, 'performance clock'],
  [/\bprocess\./, 'process'],
  [/\bawait\b|\basync\b/, 'await/async'],
  [/\bcrypto\b/, 'crypto'],
];

test('plugins/raft/core imports nothing impure and uses no clock, timer or global randomness', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
  assert.ok(files.length >= 10, 'the core files are where this test expects them');
  for (const file of files) {
    const code = readFileSync(join(dir, file), 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/\/\/.*$/gm, '');
    for (const [pattern, what] of FORBIDDEN) {
      assert.doesNotMatch(code, pattern, `${file} uses ${what}`);
    }
    for (const m of code.matchAll(/from\s+['"]([^'"]+)['"]/g)) {
      const spec = m[1] ?? '';
      assert.ok(
        spec.startsWith('./') || spec === '../../../core/errors.js',
        `${file} imports ${spec}: only sibling core files and core/errors.js are allowed`,
      );
    }
  }
});
