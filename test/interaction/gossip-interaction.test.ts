/**
 * Runs the gossip interaction scripts in test/interaction/gossip/*.txt: each block is a command, a
 * "----" line and the output it must print. `REWRITE=1` rewrites the expected output from the actual
 * one; read the diff before keeping it.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { GossipHarness } from './gossip/harness.js';

const DIR = join(import.meta.dirname, 'gossip');
const REWRITE = process.env.REWRITE === '1';

interface Block {
  readonly comments: string[];
  readonly command: string;
  readonly expected: string[];
  readonly line: number;
}

function parse(text: string): { blocks: Block[]; trailing: string[] } {
  const lines = text.split('\n');
  const blocks: Block[] = [];
  let comments: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] as string;
    if (line.trim() === '' || line.startsWith('#')) {
      if (line.startsWith('#')) comments.push(line);
      i++;
      continue;
    }
    const command = line;
    const at = i + 1;
    if (lines[i + 1] !== '----') throw new Error(`line ${at}: expected ---- after "${command}"`);
    i += 2;
    const expected: string[] = [];
    while (i < lines.length && (lines[i] as string).trim() !== '') expected.push(lines[i++] as string);
    blocks.push({ comments, command, expected, line: at });
    comments = [];
  }
  return { blocks, trailing: comments };
}

function render(
  blocks: readonly { comments: string[]; command: string; output: string[] }[],
  trailing: string[],
): string {
  const parts = blocks.map((b) => [...b.comments, b.command, '----', ...b.output].join('\n'));
  if (trailing.length > 0) parts.push(trailing.join('\n'));
  return `${parts.join('\n\n')}\n`;
}

for (const file of readdirSync(DIR)
  .filter((f) => f.endsWith('.txt'))
  .sort()) {
  test(`gossip interaction: ${file}`, () => {
    const path = join(DIR, file);
    const { blocks, trailing } = parse(readFileSync(path, 'utf8'));
    assert.ok(blocks.length > 0, 'a script has at least one command');
    const harness = new GossipHarness();
    const results = blocks.map((block) => ({ ...block, output: harness.run(block.command) }));
    if (REWRITE) {
      writeFileSync(path, render(results, trailing));
      return;
    }
    for (const result of results) {
      assert.equal(
        result.output.join('\n'),
        result.expected.join('\n'),
        `${file}:${result.line}: ${result.command}`,
      );
    }
  });
}
