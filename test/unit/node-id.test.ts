import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { resolveNodeId } from '../../core/node-id.js';

test('a node ID is generated once, persisted, and reused', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tribune-nodeid-'));
  try {
    const first = await resolveNodeId(undefined, dir);
    assert.match(first, /^[0-9a-f-]{36}$/);
    assert.equal((await readFile(join(dir, 'node-id'), 'utf8')).trim(), first);
    assert.equal(await resolveNodeId(undefined, dir), first);
    assert.equal(
      await resolveNodeId('AAAAAAAA-1111-2222-3333-444444444444', dir),
      'aaaaaaaa-1111-2222-3333-444444444444',
    );
    await writeFile(join(dir, 'node-id'), 'garbage');
    await assert.rejects(resolveNodeId(undefined, dir), /invalid node ID/);
    assert.notEqual(await resolveNodeId(undefined, undefined), await resolveNodeId(undefined, undefined));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
