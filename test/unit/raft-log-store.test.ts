import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import fc from 'fast-check';
import { open } from 'lmdb';
import { TribuneError } from '../../core/errors.js';
import { LmdbLogStore } from '../../plugins/raft/storage/log-store.js';
import { MemoryLogStore } from '../../plugins/raft/storage/memory-log-store.js';
import type { LogEntry, LogStore } from '../../plugins/raft/storage/types.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tribune-raft-log-'));
  dirs.push(dir);
  return dir;
}
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function entry(index: number, term = 1, text = `cmd-${index}`): LogEntry {
  return { index, term, time: 1_700_000_000_000 + index, data: Buffer.from(text) };
}

function range(lo: number, hi: number, term = 1): LogEntry[] {
  return Array.from({ length: hi - lo + 1 }, (_, i) => entry(lo + i, term));
}

function summary(entries: LogEntry[]) {
  return entries.map((e) => ({
    index: e.index,
    term: e.term,
    time: e.time,
    data: Buffer.from(e.data).toString(),
  }));
}

const kinds: [string, () => LogStore][] = [
  ['lmdb', () => LmdbLogStore.open(tempDir())],
  ['memory', () => new MemoryLogStore()],
];

for (const [kind, make] of kinds) {
  describe(`${kind} log store`, () => {
    test('a new log is empty', async () => {
      const log = make();
      assert.equal(log.firstIndex(), 1);
      assert.equal(log.lastIndex(), 0);
      assert.deepEqual(log.hardState(), { term: 0, vote: '', commit: 0 });
      assert.deepEqual(log.entries(1, 10), []);
      assert.equal(log.term(0), 0);
      assert.equal(log.term(1), undefined);
      assert.equal(log.findGap(), undefined);
      await log.close();
    });

    test('append then read ranges and terms', async () => {
      const log = make();
      await log.append(range(1, 5, 1));
      await log.append(range(6, 9, 2), { term: 2, vote: 'me', commit: 9 });
      assert.equal(log.lastIndex(), 9);
      assert.deepEqual(summary(log.entries(1, 10)), summary([...range(1, 5, 1), ...range(6, 9, 2)]));
      assert.deepEqual(summary(log.entries(3, 7)), summary([...range(3, 5, 1), ...range(6, 6, 2)]));
      assert.deepEqual(
        log.entries(8, 100).map((e) => e.index),
        [8, 9],
      );
      assert.equal(log.term(5), 1);
      assert.equal(log.term(6), 2);
      assert.equal(log.term(10), undefined);
      assert.deepEqual(log.hardState(), { term: 2, vote: 'me', commit: 9 });
      await log.close();
    });

    test('append replaces a stale suffix', async () => {
      const log = make();
      await log.append(range(1, 6, 1));
      await log.append([entry(4, 2, 'new-4'), entry(5, 2, 'new-5')]);
      assert.equal(log.lastIndex(), 5);
      assert.deepEqual(
        log.entries(1, 10).map((e) => [e.index, e.term, Buffer.from(e.data).toString()]),
        [
          [1, 1, 'cmd-1'],
          [2, 1, 'cmd-2'],
          [3, 1, 'cmd-3'],
          [4, 2, 'new-4'],
          [5, 2, 'new-5'],
        ],
      );
      await log.close();
    });

    test('refuses appends that leave a hole, go backwards or are not contiguous', async () => {
      const log = make();
      await log.append(range(1, 3));
      await assert.rejects(
        log.append([entry(5)]),
        (err: unknown) => err instanceof TribuneError && err.code === 'INTERNAL',
      );
      await assert.rejects(log.append([entry(4), entry(6)]), /not contiguous/);
      await assert.rejects(log.append([entry(4, 3), entry(5, 2)]), /not contiguous/);
      assert.equal(log.lastIndex(), 3);
      await log.truncatePrefix({ index: 2, term: 1 });
      await assert.rejects(log.append([entry(2)]), /does not fit/);
      await log.close();
    });

    test('truncatePrefix drops entries up to the point and keeps its term', async () => {
      const log = make();
      await log.append(range(1, 10, 3));
      await log.truncatePrefix({ index: 4, term: 3 });
      assert.equal(log.firstIndex(), 5);
      assert.equal(log.lastIndex(), 10);
      assert.equal(log.term(4), 3);
      assert.equal(log.term(3), undefined);
      assert.deepEqual(
        log.entries(5, 11).map((e) => e.index),
        [5, 6, 7, 8, 9, 10],
      );
      assert.throws(() => log.entries(3, 6), /compacted/);
      await log.truncatePrefix({ index: 2, term: 3 }); // already gone: nothing changes
      assert.equal(log.firstIndex(), 5);
      await log.append([entry(11, 3)]);
      assert.equal(log.lastIndex(), 11);
      assert.equal(log.findGap(), undefined);
      await log.close();
    });

    test('truncatePrefix past the last entry restarts the log after it', async () => {
      const log = make();
      await log.append(range(1, 3, 1));
      await log.truncatePrefix({ index: 7, term: 2 });
      assert.equal(log.firstIndex(), 8);
      assert.equal(log.lastIndex(), 7);
      assert.equal(log.term(7), 2);
      assert.deepEqual(log.entries(8, 20), []);
      await log.append([entry(8, 2)]);
      assert.deepEqual(
        log.entries(8, 9).map((e) => e.index),
        [8],
      );
      await log.close();
    });

    test('setHardState alone leaves the entries', async () => {
      const log = make();
      await log.append(range(1, 2));
      await log.setHardState({ term: 7, vote: 'x', commit: 2 });
      assert.deepEqual(log.hardState(), { term: 7, vote: 'x', commit: 2 });
      assert.equal(log.lastIndex(), 2);
      await log.close();
    });

    test('behaves like a plain array model under random appends and truncations', async () => {
      const op = fc.oneof(
        fc.record({
          kind: fc.constant('append' as const),
          back: fc.nat(4),
          count: fc.integer({ min: 1, max: 5 }),
        }),
        fc.record({ kind: fc.constant('truncate' as const), upTo: fc.nat(30) }),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(op, { maxLength: 12 }), async (ops) => {
          const log = make();
          let model: LogEntry[] = []; // model[i] has index first + i
          let first = 1;
          let term = 1;
          let seq = 0;
          try {
            for (const step of ops) {
              const last = first + model.length - 1;
              if (step.kind === 'append') {
                const start = Math.max(first, last + 1 - step.back);
                term++;
                const fresh = Array.from({ length: step.count }, (_, i) =>
                  entry(start + i, term, `v${seq++}`),
                );
                await log.append(fresh);
                model = [...model.slice(0, start - first), ...fresh];
              } else if (step.upTo >= first && step.upTo <= last) {
                const at = model[step.upTo - first]!;
                await log.truncatePrefix({ index: at.index, term: at.term });
                model = model.slice(step.upTo - first + 1);
                first = step.upTo + 1;
              }
              assert.equal(log.firstIndex(), first);
              assert.equal(log.lastIndex(), first + model.length - 1);
              assert.deepEqual(summary(log.entries(first, first + model.length)), summary(model));
            }
          } finally {
            await log.close();
          }
        }),
        { numRuns: kind === 'lmdb' ? 25 : 200 },
      );
    });
  });
}

describe('lmdb log store on disk', () => {
  test('reopening keeps entries, hard state and the compaction point', async () => {
    const dir = tempDir();
    const log = LmdbLogStore.open(dir);
    await log.append(range(1, 20, 4), { term: 4, vote: 'node-a', commit: 20 });
    await log.truncatePrefix({ index: 12, term: 4 });
    await log.close();

    const reopened = LmdbLogStore.open(dir);
    assert.equal(reopened.firstIndex(), 13);
    assert.equal(reopened.lastIndex(), 20);
    assert.equal(reopened.term(12), 4);
    assert.deepEqual(reopened.hardState(), { term: 4, vote: 'node-a', commit: 20 });
    assert.deepEqual(summary(reopened.entries(13, 21)), summary(range(13, 20, 4)));
    await reopened.close();
  });

  test('one append is one lmdb transaction, entries and hard state together', async () => {
    const log = LmdbLogStore.open(tempDir());
    const before = log.lastTransactionId();
    await log.append(range(1, 50), { term: 1, vote: 'a', commit: 50 });
    assert.equal(log.lastTransactionId() - before, 1);
    assert.equal(log.commits, 1);
    await log.close();
  });

  test('findGap reports a hole and entries() refuses to read across it', async () => {
    const dir = tempDir();
    const log = LmdbLogStore.open(dir);
    await log.append(range(1, 6));
    await log.close();
    // Damage the log behind the store's back.
    const root = open({ path: join(dir, 'raft.mdb'), maxDbs: 4 });
    const raw = root.openDB<Buffer, number>('log', { keyEncoding: 'ordered-binary', encoding: 'binary' });
    await raw.remove(4);
    await root.close();

    const damaged = LmdbLogStore.open(dir);
    assert.equal(damaged.findGap(), 4);
    assert.throws(
      () => damaged.entries(1, 7),
      (err: unknown) =>
        err instanceof TribuneError && err.code === 'STORAGE_CORRUPT' && /missing entry 4/.test(err.message),
    );
    await damaged.close();
  });
});
