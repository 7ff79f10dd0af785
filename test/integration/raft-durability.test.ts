/**
 * Durability across kill -9: a child process writes through the raft plugin in a burst and prints
 * each acknowledged write; we SIGKILL it mid-burst, restart the same data dir in this process and
 * check that every acknowledged write is there at the index it was acknowledged with.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createRaftPlugin } from '../../plugins/raft/index.js';
import { startTestKernel } from '../helpers/test-kernel.js';
import { createTestSetPlugin, type TestRow } from '../helpers/test-set-plugin.js';

const WRITER = fileURLToPath(new URL('../helpers/raft-writer.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WAIT_MS = 30_000;

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

interface WriterRun {
  acks: Map<string, number>;
  readyLines: string[];
  exit: { code: number | null; signal: NodeJS.Signals | null };
}

/** Runs the writer until it has acknowledged `killAfter` writes, then SIGKILLs it by pid. */
function runAndKill(dataDir: string, killAfter: number, args: string[]): Promise<WriterRun> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(
      process.execPath,
      ['--import', 'tsx', WRITER, dataDir, '1000000', '64', ...args],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const acks = new Map<string, number>();
    const readyLines: string[] = [];
    let buffered = '';
    let stderr = '';
    let killed = false;
    const kill = () => {
      if (!killed && child.pid !== undefined) {
        killed = true;
        process.kill(child.pid, 'SIGKILL');
      }
    };
    const timer = setTimeout(() => {
      kill();
      reject(new Error(`writer did not reach ${killAfter} acks within ${WAIT_MS} ms (stderr: ${stderr})`));
    }, WAIT_MS);
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const [word, key, index] = line.split(' ');
        if (word === 'ready') readyLines.push(line);
        if (word === 'ack' && key && index) acks.set(key, Number(index));
      }
      if (acks.size >= killAfter) kill();
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      // A torn last line was not a complete acknowledgement; it is dropped with `buffered`.
      resolve({ acks, readyLines, exit: { code, signal } });
    });
    child.on('error', reject);
  });
}

async function checkRestart(dataDir: string, acknowledged: Map<string, number>[]) {
  const restarted = await startTestKernel({
    consensus: 'plugin',
    plugins: [createRaftPlugin(), createTestSetPlugin()],
    config: { data_dir: dataDir },
  });
  try {
    const table = restarted.kernel.store.table<TestRow>('test');
    let checked = 0;
    for (const acks of acknowledged) {
      for (const [key, index] of acks) {
        const row = table.get(key);
        assert.ok(row, `acknowledged write ${key} (index ${index}) is missing after kill -9`);
        assert.equal(
          row.ModifyIndex,
          index,
          `write ${key} came back at ${row.ModifyIndex}, acknowledged at ${index}`,
        );
        checked++;
      }
    }
    // Every write used a fresh key, so the log holds exactly one row per index, with no holes.
    const lastIndex = restarted.kernel.store.lastIndex;
    assert.equal(table.size, lastIndex);
    const indexes = [...table.values()].map((row) => row.ModifyIndex).sort((a, b) => a - b);
    assert.deepEqual(
      indexes,
      Array.from({ length: lastIndex }, (_, i) => i + 1),
    );
    assert.ok(checked > 0);
    return restarted.kernel.consensus.status();
  } finally {
    await restarted.stop();
  }
}

test('every acknowledged write survives kill -9, at its acknowledged index', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tribune-raft-kill-'));
  dirs.push(dataDir);
  const run = await runAndKill(dataDir, 2000, []);
  assert.equal(run.exit.signal, 'SIGKILL');
  assert.ok(run.acks.size >= 2000);
  const status = await checkRestart(dataDir, [run.acks]);
  assert.ok(status.appliedIndex >= Math.max(...run.acks.values()));
});

test('kill -9 across snapshots and log truncation, twice over the same data dir', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tribune-raft-kill-snap-'));
  dirs.push(dataDir);
  const first = await runAndKill(dataDir, 1500, ['200', '50']);
  assert.equal(first.exit.signal, 'SIGKILL');
  const second = await runAndKill(dataDir, 1500, ['200', '50']);
  assert.equal(second.exit.signal, 'SIGKILL');
  // The second run restored what the first acknowledged, in a later term.
  assert.match(second.readyLines[0] ?? '', /^ready 2 \d+$/);
  assert.ok(Number(second.readyLines[0]?.split(' ')[2]) >= Math.max(...first.acks.values()));
  const status = await checkRestart(dataDir, [first.acks, second.acks]);
  assert.equal(status.term, 3);
});
