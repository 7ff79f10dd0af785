#!/usr/bin/env node
// Finds every *.test.ts under test/ (or under the paths given) and runs them with node:test and tsx.
// Node 20's --test neither expands globs nor picks up .ts files by itself, so we list them here.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const roots = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const passThrough = process.argv.slice(2).filter((a) => a.startsWith('-'));

function collect(path, out) {
  const info = statSync(path);
  if (info.isFile()) {
    if (/\.test\.(ts|mjs|js)$/.test(path)) out.push(path);
    return out;
  }
  for (const name of readdirSync(path).sort()) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    collect(join(path, name), out);
  }
  return out;
}

const files = [];
for (const start of roots.length > 0 ? roots : [join(root, 'test')]) collect(start, files);
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
console.log(`running ${files.length} test files`);
const args = [
  '--import',
  'tsx',
  '--test',
  '--test-reporter=spec',
  '--test-concurrency=2',
  ...passThrough,
  ...files.map((f) => relative(process.cwd(), f)),
];
const result = spawnSync(process.execPath, args, { stdio: 'inherit' });
process.exit(result.status ?? 1);
