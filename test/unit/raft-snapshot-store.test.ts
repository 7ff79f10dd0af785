import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { TribuneError } from '../../core/errors.js';
import { SNAPSHOT_HEADER_BYTES, SnapshotStore } from '../../plugins/raft/storage/snapshot-store.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tribune-raft-snap-'));
  dirs.push(dir);
  return dir;
}
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function openStore(dir = tempDir(), retain?: number): Promise<SnapshotStore> {
  const store = new SnapshotStore(join(dir, 'snapshots'), retain);
  await store.open();
  return store;
}

function isCorrupt(file: string) {
  return (err: unknown) =>
    err instanceof TribuneError && err.code === 'STORAGE_CORRUPT' && err.message.includes(file);
}

test('a written snapshot reads back with its header and leaves no temp file', async () => {
  const store = await openStore();
  const body = Buffer.from('state of the store at 42');
  const meta = await store.write(42, 3, body);
  assert.equal(meta.index, 42);
  assert.equal(meta.term, 3);
  assert.equal(meta.length, body.length);
  assert.match(meta.checksum, /^[0-9a-f]{64}$/);
  assert.deepEqual(readdirSync(store.dir), ['snapshot-00000000000000000042-3.snap']);
  const refs = await store.list();
  assert.deepEqual(refs, [{ index: 42, term: 3, file: meta.file }]);
  const read = await store.read(refs[0]!);
  assert.deepEqual(read.body, body);
  assert.deepEqual(read.meta, meta);
});

test('open removes temp files a crash left behind and list ignores other files', async () => {
  const dir = tempDir();
  const first = await openStore(dir);
  await first.write(5, 1, Buffer.from('five'));
  writeFileSync(join(first.dir, 'snapshot-00000000000000000009-1.snap.tmp'), 'half written');
  writeFileSync(join(first.dir, 'notes.txt'), 'not a snapshot');
  const reopened = await openStore(dir);
  assert.deepEqual(readdirSync(reopened.dir).sort(), ['notes.txt', 'snapshot-00000000000000000005-1.snap']);
  assert.deepEqual(
    (await reopened.list()).map((r) => r.index),
    [5],
  );
});

test('keeps only the newest two, newest first', async () => {
  const store = await openStore();
  for (const index of [10, 20, 30, 40]) await store.write(index, 1, Buffer.from(`at ${index}`));
  assert.deepEqual(
    (await store.list()).map((r) => r.index),
    [40, 30],
  );
  assert.equal(readdirSync(store.dir).length, 2);
});

test('a flipped byte anywhere in the file is detected, naming the file', async () => {
  const store = await openStore();
  const body = Buffer.from(JSON.stringify({ rows: Array.from({ length: 20 }, (_, i) => `row-${i}`) }));
  const meta = await store.write(77, 2, body);
  const pristine = readFileSync(meta.file);
  await fc.assert(
    fc.asyncProperty(fc.nat(pristine.length - 1), fc.integer({ min: 1, max: 255 }), async (offset, mask) => {
      const damaged = Buffer.from(pristine);
      damaged[offset]! ^= mask;
      writeFileSync(meta.file, damaged);
      await assert.rejects(store.read({ index: 77, term: 2, file: meta.file }), isCorrupt(meta.file));
    }),
    { numRuns: 150 },
  );
  writeFileSync(meta.file, pristine);
  assert.deepEqual((await store.read(meta)).body, body);
});

test('a truncated file, or one whose name disagrees with its header, is corrupt', async () => {
  const store = await openStore();
  const meta = await store.write(8, 1, Buffer.from('eight eight eight'));
  const pristine = readFileSync(meta.file);
  writeFileSync(meta.file, pristine.subarray(0, pristine.length - 3));
  await assert.rejects(store.read(meta), /header says 17 body bytes/);
  writeFileSync(meta.file, pristine.subarray(0, SNAPSHOT_HEADER_BYTES - 1));
  await assert.rejects(store.read(meta), isCorrupt(meta.file));
  writeFileSync(meta.file, pristine);
  await assert.rejects(store.read({ index: 9, term: 1, file: meta.file }), /the name says 9/);
});

test('an empty body round-trips', async () => {
  const store = await openStore();
  const meta = await store.write(1, 1, Buffer.alloc(0));
  assert.equal((await store.read(meta)).body.length, 0);
});
