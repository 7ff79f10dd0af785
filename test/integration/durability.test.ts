/**
 * kill -9 during a burst of writes, restart on the same data dir: every acknowledged write is there,
 * with the same ModifyIndex it was acknowledged with.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { startAgentProcess } from '../helpers/agent-process.js';

const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

test('kill -9 mid-burst loses no acknowledged write', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tribune-crash-'));
  dirs.push(dir);
  const args = ['-server', '-bootstrap', '-node', 'crash', '-data-dir', join(dir, 'data')];
  const agent = await startAgentProcess(args);
  const acknowledged = new Map<string, number>();
  let stop = false;
  // 16 concurrent writers; each records a key only once its PUT answered true.
  const writers = Array.from({ length: 16 }, async (_, writer) => {
    for (let i = 0; i < 5_000 && !stop; i++) {
      const key = `burst/${writer}/${i}`;
      try {
        const res = await fetch(`${agent.url}/v1/kv/${key}`, { method: 'PUT', body: `value-${writer}-${i}` });
        if ((await res.text()) === 'true') {
          const get = await fetch(`${agent.url}/v1/kv/${key}`).catch(() => undefined);
          const rows =
            get && get.status === 200 ? ((await get.json()) as { ModifyIndex: number }[]) : undefined;
          acknowledged.set(key, rows?.[0]?.ModifyIndex ?? -1);
        }
      } catch {
        return;
      }
    }
  });
  const killer = (async () => {
    for (let i = 0; i < 200 && acknowledged.size < 300; i++) await new Promise((r) => setTimeout(r, 25));
    await agent.kill9();
    stop = true;
  })();
  await Promise.all([killer, ...writers]);
  assert.ok(acknowledged.size > 0, 'some writes were acknowledged before the kill');

  const restarted = await startAgentProcess(args);
  try {
    for (const [key, index] of acknowledged) {
      const res = await fetch(`${restarted.url}/v1/kv/${key}`);
      assert.equal(res.status, 200, `${key} survived`);
      const [row] = (await res.json()) as { Value: string; ModifyIndex: number }[];
      const [, writer, i] = key.split('/');
      assert.equal(Buffer.from(row!.Value, 'base64').toString(), `value-${writer}-${i}`);
      if (index !== -1) assert.equal(row!.ModifyIndex, index, `${key} kept its index`);
    }
  } finally {
    await restarted.stop();
  }
});
