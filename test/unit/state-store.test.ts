import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { runBlockingQuery } from '../../core/state/blocking.js';
import { encodeStore, restoreStore } from '../../core/state/snapshot.js';
import { StateStore } from '../../core/state/store.js';
import { Table } from '../../core/state/table.js';
import { WatchHub } from '../../core/state/watch.js';

test('table prefix scans return exactly the matching keys in order', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.tuple(fc.boolean(), fc.string({ maxLength: 4, unit: fc.constantFrom('a', 'b', '/', 'c') })),
        {
          maxLength: 60,
        },
      ),
      fc.string({ maxLength: 2, unit: fc.constantFrom('a', 'b', '/') }),
      (ops, prefix) => {
        const table = new Table<number>('t');
        const model = new Map<string, number>();
        ops.forEach(([isDelete, key], i) => {
          if (isDelete) {
            assert.equal(table.delete(key), model.delete(key));
          } else {
            table.set(key, i);
            model.set(key, i);
          }
        });
        const expected = [...model.keys()].filter((k) => k.startsWith(prefix)).sort();
        assert.deepEqual([...table.keysWithPrefix(prefix)], expected);
        assert.equal(table.size, model.size);
        assert.deepEqual(
          [...table.entries()].map(([k]) => k),
          [...model.keys()].sort(),
        );
      },
    ),
    { numRuns: 300 },
  );
});

test('a write wakes only the waiters that cover it', async () => {
  const hub = new WatchHub();
  const woken: string[] = [];
  const track = (name: string, p: Promise<string>) => p.then((reason) => woken.push(`${name}:${reason}`));
  const key = track('key', hub.wait({ topics: ['kv/web/config'] }, 200));
  const prefix = track('prefix', hub.wait({ prefixes: ['kv/web/'] }, 200));
  const other = track('other', hub.wait({ topics: ['kv/api/config'] }, 200));
  const otherPrefix = track('otherPrefix', hub.wait({ prefixes: ['kv/api/'] }, 200));
  assert.equal(hub.waiterCount, 4);
  hub.fire(['kv/web/config']);
  await Promise.all([key, prefix]);
  assert.deepEqual(woken.sort(), ['key:changed', 'prefix:changed']);
  assert.equal(hub.waiterCount, 2);
  await Promise.all([other, otherPrefix]);
  assert.deepEqual(woken.slice(2).sort(), ['other:timeout', 'otherPrefix:timeout']);
  assert.equal(hub.waiterCount, 0);
});

test('waits are bounded and abortable', async () => {
  const hub = new WatchHub(1);
  const controller = new AbortController();
  const first = hub.wait({ topics: ['x'] }, 10_000, controller.signal);
  await assert.rejects(hub.wait({ topics: ['y'] }, 10), /Too many blocking queries/);
  controller.abort();
  assert.equal(await first, 'aborted');
  assert.equal(hub.waiterCount, 0);
});

test('blocking query returns at once without an index or when already past it', async () => {
  const store = new StateStore();
  store.bump('t', 5);
  store.finishApply(5);
  let runs = 0;
  const query = () => {
    runs++;
    return { index: store.topicIndex('t'), value: runs, watch: { topics: ['t'] } };
  };
  assert.equal((await runBlockingQuery(store, { minIndex: 0, waitMs: 10_000 }, query)).index, 5);
  assert.equal((await runBlockingQuery(store, { minIndex: 4, waitMs: 10_000 }, query)).index, 5);
  assert.equal(runs, 2);
});

test('blocking query wakes on a covering change and ignores unrelated ones', async () => {
  const store = new StateStore();
  store.bump('a', 3);
  store.finishApply(3);
  const pending = runBlockingQuery(store, { minIndex: 3, waitMs: 10_000 }, () => ({
    index: store.topicIndex('a'),
    value: 'a',
    watch: { topics: ['a'] },
  }));
  store.bump('b', 4);
  store.finishApply(4);
  store.bump('a', 5);
  store.finishApply(5);
  const result = await pending;
  assert.equal(result.index, 5);
});

test('blocking query times out with the current answer', async () => {
  const store = new StateStore();
  store.bump('a', 3);
  store.finishApply(3);
  const result = await runBlockingQuery(store, { minIndex: 3, waitMs: 30 }, () => ({
    index: store.topicIndex('a'),
    value: 'same',
    watch: { topics: ['a'] },
  }));
  assert.equal(result.index, 3);
  assert.equal(result.value, 'same');
});

test('snapshot round-trips every table, index and topic; restore wakes all waiters', async () => {
  const store = new StateStore();
  store
    .table<{ v: number; b: bigint; bytes: Buffer }>('kv')
    .set('a', { v: 1, b: 2n ** 63n, bytes: Buffer.from('hi') });
  store.table<string>('nodes').set('n1', 'x');
  store.bump('kv/a', 9);
  store.finishApply(9);
  const bytes = encodeStore(store);
  const other = new StateStore();
  const waiting = other.watch.wait({ topics: ['nothing'] }, 10_000);
  restoreStore(other, bytes);
  assert.equal(await waiting, 'changed');
  assert.equal(other.lastIndex, 9);
  assert.equal(other.topicIndex('kv/a'), 9);
  const row = other.table<{ v: number; b: bigint; bytes: Uint8Array }>('kv').get('a')!;
  assert.equal(row.v, 1);
  assert.equal(row.b, 2n ** 63n);
  assert.equal(Buffer.from(row.bytes).toString(), 'hi');
  assert.deepEqual(other.tableNames(), ['kv', 'nodes']);
  assert.throws(() => restoreStore(other, Buffer.from('garbage')), /snapshot/);
});
