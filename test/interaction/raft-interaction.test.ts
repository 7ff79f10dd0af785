/**
 * Runs every script in test/interaction/raft/*.txt against the pure raft core and compares the
 * output with the expected text in the file. `REWRITE=1` regenerates the expected output —
 * commit that only after reading the diff and agreeing with every change.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseFile, render } from './raft/datadriven.js';
import { InteractionEnv } from './raft/env.js';
import { HANDLERS } from './raft/handlers/index.js';

const dir = join(import.meta.dirname, 'raft');
const rewrite = process.env.REWRITE === '1';

for (const name of readdirSync(dir)
  .filter((f) => f.endsWith('.txt'))
  .sort()) {
  test(`raft interaction: ${name}`, () => {
    const path = join(dir, name);
    const file = parseFile(readFileSync(path, 'utf8'), name);
    const env = new InteractionEnv();
    const outputs: string[] = [];
    for (const block of file.blocks) {
      const handler = HANDLERS[block.cmd];
      if (!handler) throw new Error(`${name}:${block.line}: unknown command ${block.cmd}`);
      try {
        handler(env, block.args);
      } catch (err) {
        env.print(`error: ${err instanceof Error ? err.message : String(err)}`);
      }
      const actual = env.takeOutput();
      outputs.push(actual);
      if (!rewrite) assert.equal(actual, block.expected, `${name}:${block.line}: ${block.command}`);
    }
    if (rewrite) writeFileSync(path, render(file, outputs));
  });
}
