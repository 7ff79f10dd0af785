import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Command } from '../../core/hooks.js';
import { StateStore } from '../../core/state/store.js';
import { stringifyJson } from '../../core/util/json.js';
import { applyKvOpCommand, invalidateSessionKeys, StoreKvView } from '../../plugins/kv/fsm.js';
import {
  getKey,
  keysHeldBySession,
  kvTableIndex,
  listKeys,
  listPrefix,
  prefixIndex,
  toKvPair,
} from '../../plugins/kv/queries.js';
import {
  type KvOp,
  type KvRow,
  type KvTombstone,
  kvOp,
  TABLE_KV,
  TABLE_SESSIONS,
  TABLE_TOMBSTONE_ORDER,
  TABLE_TOMBSTONES,
} from '../../plugins/kv/types.js';

/** Applies commands the way the kernel does: one log index each, then finishApply. */
function kvMachine() {
  const store = new StateStore();
  let index = 0;
  return {
    store,
    get index() {
      return index;
    },
    apply(fields: Partial<KvOp> & { verb: string; key: string }, time = 1_000): unknown {
      index += 1;
      const command: Command = { type: `kv.${fields.verb}`, op: kvOp(fields) };
      try {
        return applyKvOpCommand(store, command, { index, term: 1, time, store });
      } finally {
        store.finishApply(index);
      }
    },
    row(key: string): KvRow | undefined {
      return store.table<KvRow>(TABLE_KV).get(key);
    },
    addSession(id: string): void {
      store.table<{ ID: string }>(TABLE_SESSIONS).set(id, { ID: id });
    },
  };
}

const bytes = (text: string) => new Uint8Array(Buffer.from(text));
const text = (row: KvRow | undefined) => Buffer.from(row?.Value ?? new Uint8Array()).toString();

describe('kv set', () => {
  test('creates a key at the entry index and keeps CreateIndex on update', () => {
    const kv = kvMachine();
    assert.equal(kv.apply({ verb: 'set', key: 'web/a', value: bytes('one'), flags: '7' }), true);
    assert.deepEqual(kv.row('web/a'), {
      Key: 'web/a',
      CreateIndex: 1,
      ModifyIndex: 1,
      LockIndex: 0,
      Flags: '7',
      Value: bytes('one'),
    });
    kv.apply({ verb: 'set', key: 'web/a', value: bytes('two') });
    const row = kv.row('web/a');
    assert.equal(row?.CreateIndex, 1);
    assert.equal(row?.ModifyIndex, 2);
    assert.equal(row?.Flags, '0');
    assert.equal(text(row), 'two');
  });

  test('an identical write changes nothing: same ModifyIndex, no topic bump', () => {
    const kv = kvMachine();
    kv.apply({ verb: 'set', key: 'k', value: bytes('v'), flags: '3' });
    kv.apply({ verb: 'set', key: 'other', value: bytes('x') });
    assert.equal(kv.apply({ verb: 'set', key: 'k', value: bytes('v'), flags: '3' }), true);
    assert.equal(kv.row('k')?.ModifyIndex, 1);
    assert.equal(kv.store.topicIndex('kv/k'), 1);
    assert.equal(kvTableIndex(kv.store), 2);
  });

  test('the stored value is a copy: reusing the log entry buffer cannot change it', () => {
    const kv = kvMachine();
    const logBuffer = bytes('original');
    kv.apply({ verb: 'set', key: 'k', value: logBuffer });
    logBuffer.fill(0x21);
    assert.equal(text(kv.row('k')), 'original');
  });

  test('flags beyond 2^53 stay exact and print as a bare integer', () => {
    const kv = kvMachine();
    const max = '18446744073709551615';
    const lockFlag = 0x2ddccbc058a50c18n.toString();
    kv.apply({ verb: 'set', key: 'a', flags: max });
    kv.apply({ verb: 'set', key: 'b', flags: lockFlag });
    assert.equal(kv.row('a')?.Flags, max);
    assert.equal(stringifyJson(toKvPair(kv.row('a')!)).includes(`"Flags":${max},`), true);
    assert.equal(toKvPair(kv.row('b')!).Flags, 0x2ddccbc058a50c18n);
  });
});

describe('kv cas', () => {
  test('index 0 creates only when the key is missing', () => {
    const kv = kvMachine();
    assert.equal(kv.apply({ verb: 'cas', key: 'k', value: bytes('first'), index: 0 }), true);
    assert.equal(kv.apply({ verb: 'cas', key: 'k', value: bytes('second'), index: 0 }), false);
    assert.equal(text(kv.row('k')), 'first');
  });

  test('a non-zero index must equal the current ModifyIndex', () => {
    const kv = kvMachine();
    assert.equal(kv.apply({ verb: 'cas', key: 'missing', index: 5 }), false);
    assert.equal(kv.row('missing'), undefined);
    kv.apply({ verb: 'set', key: 'k', value: bytes('a') });
    const current = kv.row('k')!.ModifyIndex;
    assert.equal(kv.apply({ verb: 'cas', key: 'k', value: bytes('b'), index: current + 1 }), false);
    assert.equal(kv.apply({ verb: 'cas', key: 'k', value: bytes('b'), index: current }), true);
    assert.equal(text(kv.row('k')), 'b');
    assert.equal(kv.row('k')?.CreateIndex, current);
  });
});

describe('kv locks', () => {
  test('acquire needs a session that exists', () => {
    const kv = kvMachine();
    assert.deepEqual(kv.apply({ verb: 'lock', key: 'k', session: '' }), { error: 'missing session' });
    assert.deepEqual(kv.apply({ verb: 'lock', key: 'k', session: 's1' }), { error: 'invalid session "s1"' });
    assert.equal(kv.row('k'), undefined);
  });

  test('acquire, re-acquire, contend, release and re-acquire move LockIndex and Session as Consul', () => {
    const kv = kvMachine();
    kv.addSession('s1');
    kv.addSession('s2');
    assert.equal(kv.apply({ verb: 'lock', key: 'lead', value: bytes('me'), session: 's1' }), true);
    assert.deepEqual(
      { ...kv.row('lead'), Value: text(kv.row('lead')) },
      { Key: 'lead', CreateIndex: 1, ModifyIndex: 1, LockIndex: 1, Flags: '0', Value: 'me', Session: 's1' },
    );
    assert.deepEqual(keysHeldBySession(kv.store, 's1'), ['lead']);

    // The holder may acquire again: value updated, LockIndex unchanged.
    assert.equal(kv.apply({ verb: 'lock', key: 'lead', value: bytes('me2'), session: 's1' }), true);
    assert.equal(kv.row('lead')?.LockIndex, 1);
    assert.equal(text(kv.row('lead')), 'me2');

    assert.equal(kv.apply({ verb: 'lock', key: 'lead', value: bytes('you'), session: 's2' }), false);
    assert.equal(kv.apply({ verb: 'unlock', key: 'lead', session: 's2' }), false);
    assert.equal(kv.row('lead')?.Session, 's1');

    const beforeRelease = kv.row('lead')!.ModifyIndex;
    assert.equal(kv.apply({ verb: 'unlock', key: 'lead', value: bytes('bye'), session: 's1' }), true);
    const released = kv.row('lead')!;
    assert.equal(released.Session, undefined);
    assert.equal('Session' in released, false);
    assert.equal(released.LockIndex, 1);
    assert.ok(released.ModifyIndex > beforeRelease);
    assert.equal(text(released), 'bye');
    assert.deepEqual(keysHeldBySession(kv.store, 's1'), []);
    assert.equal(toKvPair(released).Session, undefined);

    assert.equal(kv.apply({ verb: 'lock', key: 'lead', session: 's2' }), true);
    assert.equal(kv.row('lead')?.LockIndex, 2);
    assert.equal(kv.row('lead')?.Session, 's2');
    assert.deepEqual(keysHeldBySession(kv.store, 's2'), ['lead']);
  });

  test('release of a missing key is false; a plain set keeps the holder and stores LockIndex 0', () => {
    const kv = kvMachine();
    kv.addSession('s1');
    assert.equal(kv.apply({ verb: 'unlock', key: 'nothing', session: 's1' }), false);
    kv.apply({ verb: 'lock', key: 'k', session: 's1' });
    kv.apply({ verb: 'set', key: 'k', value: bytes('plain') });
    assert.equal(kv.row('k')?.Session, 's1');
    assert.equal(kv.row('k')?.LockIndex, 0);
    assert.deepEqual(keysHeldBySession(kv.store, 's1'), ['k']);
  });

  test('session invalidation releases held keys and applies the lock delay by leader time', () => {
    const kv = kvMachine();
    kv.addSession('s1');
    kv.addSession('s2');
    kv.apply({ verb: 'lock', key: 'a', session: 's1' });
    kv.apply({ verb: 'lock', key: 'b', session: 's1' });
    kv.apply({ verb: 'set', key: 'c', value: bytes('free') });
    const at = { index: kv.index + 1, time: 10_000 };
    invalidateSessionKeys(kv.store, at, 's1', 'release', 15_000);
    kv.store.finishApply(at.index);
    for (const key of ['a', 'b']) {
      assert.equal(kv.row(key)?.Session, undefined);
      assert.equal(kv.row(key)?.LockIndex, 1);
      assert.equal(kv.row(key)?.ModifyIndex, at.index);
    }
    assert.deepEqual(keysHeldBySession(kv.store, 's1'), []);
    assert.equal(kv.apply({ verb: 'lock', key: 'a', session: 's2' }, 24_999), false);
    assert.equal(kv.apply({ verb: 'lock', key: 'c', session: 's2' }, 24_999), true);
    assert.equal(kv.apply({ verb: 'lock', key: 'a', session: 's2' }, 25_000), true);
    assert.equal(kv.row('a')?.LockIndex, 2);
  });

  test('session invalidation with behavior delete removes held keys and tombstones them', () => {
    const kv = kvMachine();
    kv.addSession('s1');
    kv.apply({ verb: 'lock', key: 'svc/leader', session: 's1' });
    kv.apply({ verb: 'set', key: 'svc/other' });
    const at = { index: kv.index + 1, time: 0 };
    invalidateSessionKeys(kv.store, at, 's1', 'delete', 0);
    kv.store.finishApply(at.index);
    assert.equal(kv.row('svc/leader'), undefined);
    assert.equal(getKey(kv.store, 'svc/leader').index, at.index);
    assert.equal(prefixIndex(kv.store, 'svc/'), at.index);
  });
});

describe('kv delete and tombstones', () => {
  test('a delete leaves a tombstone: the prefix index and the missing key index move to it', () => {
    const kv = kvMachine();
    kv.apply({ verb: 'set', key: 'app/a' });
    kv.apply({ verb: 'set', key: 'app/b' });
    kv.apply({ verb: 'set', key: 'zzz' });
    assert.equal(prefixIndex(kv.store, 'app/'), 2);
    assert.equal(kv.apply({ verb: 'delete', key: 'app/b' }), true);
    assert.equal(prefixIndex(kv.store, 'app/'), 4);
    assert.equal(listPrefix(kv.store, 'app/').index, 4);
    assert.deepEqual(
      listPrefix(kv.store, 'app/').value.map((row) => row.Key),
      ['app/a'],
    );
    assert.deepEqual(getKey(kv.store, 'app/b'), {
      index: 4,
      value: undefined,
      watch: { topics: ['kv/app/b'] },
    });
    // Recreating drops the tombstone; the live row carries the index now.
    kv.apply({ verb: 'set', key: 'app/b' });
    assert.equal(kv.store.table<KvTombstone>(TABLE_TOMBSTONES).has('app/b'), false);
    assert.equal(prefixIndex(kv.store, 'app/'), 5);
  });

  test('deleting a missing key changes nothing', () => {
    const kv = kvMachine();
    kv.apply({ verb: 'set', key: 'k' });
    assert.equal(kv.apply({ verb: 'delete', key: 'missing' }), true);
    assert.equal(kvTableIndex(kv.store), 1);
    assert.equal(kv.store.table(TABLE_TOMBSTONES).size, 0);
  });

  test('a missing key that never existed answers the table index and watches its own topic', () => {
    const kv = kvMachine();
    assert.equal(getKey(kv.store, 'nothing').index, 0);
    kv.apply({ verb: 'set', key: 'a' });
    kv.apply({ verb: 'set', key: 'b' });
    assert.deepEqual(getKey(kv.store, 'nothing'), {
      index: 2,
      value: undefined,
      watch: { topics: ['kv/nothing'] },
    });
  });

  test('delete-tree removes exactly the prefix and moves only its index', () => {
    const kv = kvMachine();
    for (const key of ['t/a', 't/b/c', 't/b/d', 'u/a', 't']) kv.apply({ verb: 'set', key });
    assert.equal(kv.apply({ verb: 'delete-tree', key: 't/' }), true);
    assert.deepEqual(
      [...kv.store.table<KvRow>(TABLE_KV).values()].map((row) => row.Key),
      ['t', 'u/a'],
    );
    assert.equal(prefixIndex(kv.store, 't/'), 6);
    assert.equal(prefixIndex(kv.store, 't/b/'), 6);
    assert.equal(prefixIndex(kv.store, 'u/'), 4);
    assert.equal(getKey(kv.store, 't/b/c').index, 6);
  });

  test('delete-cas: a missing key succeeds, a stale index fails, the current index deletes', () => {
    const kv = kvMachine();
    assert.equal(kv.apply({ verb: 'delete-cas', key: 'missing', index: 0 }), true);
    kv.apply({ verb: 'set', key: 'k' });
    assert.equal(kv.apply({ verb: 'delete-cas', key: 'k', index: 0 }), false);
    assert.equal(kv.apply({ verb: 'delete-cas', key: 'k', index: 99 }), false);
    assert.ok(kv.row('k'));
    assert.equal(kv.apply({ verb: 'delete-cas', key: 'k', index: kv.row('k')!.ModifyIndex }), true);
    assert.equal(kv.row('k'), undefined);
  });

  test('the empty prefix uses the table index, which counts deletions', () => {
    const kv = kvMachine();
    kv.apply({ verb: 'set', key: 'a' });
    kv.apply({ verb: 'set', key: 'b' });
    kv.apply({ verb: 'delete-tree', key: '' });
    assert.deepEqual(listPrefix(kv.store, '').value, []);
    assert.equal(listPrefix(kv.store, '').index, 3);
  });

  test('tombstones are reaped oldest first beyond the limit, keeping both tables in step', () => {
    const store = new StateStore();
    for (let index = 1; index <= 6; index++) {
      const view = new StoreKvView(store, index, 3);
      view.write({
        Key: `k${index}`,
        CreateIndex: index,
        ModifyIndex: index,
        LockIndex: 0,
        Flags: '0',
        Value: new Uint8Array(),
      });
    }
    for (let index = 7; index <= 11; index++) new StoreKvView(store, index, 3).remove(`k${index - 6}`);
    const stones = [...store.table<KvTombstone>(TABLE_TOMBSTONES).values()];
    assert.deepEqual(
      stones.map((stone) => [stone.Key, stone.Index]),
      [
        ['k3', 9],
        ['k4', 10],
        ['k5', 11],
      ],
    );
    assert.deepEqual([...store.table<string>(TABLE_TOMBSTONE_ORDER).values()], ['k3', 'k4', 'k5']);
  });
});

describe('kv key listing', () => {
  test('a separator folds deeper keys into one entry each, as ?keys&separator=/', () => {
    const kv = kvMachine();
    for (const key of ['web/a', 'web/b/c', 'web/b/d', 'web/e/', 'webby']) kv.apply({ verb: 'set', key });
    assert.deepEqual(listKeys(kv.store, 'web/', '/').value, ['web/a', 'web/b/', 'web/e/']);
    assert.deepEqual(listKeys(kv.store, 'web', '/').value, ['web/', 'webby']);
    assert.deepEqual(listKeys(kv.store, '', '/').value, ['web/', 'webby']);
    assert.deepEqual(listKeys(kv.store, 'web/').value, ['web/a', 'web/b/c', 'web/b/d', 'web/e/']);
    assert.deepEqual(listKeys(kv.store, 'nope/', '/').value, []);
    assert.deepEqual(listKeys(kv.store, 'web/', '/').watch, { prefixes: ['kv/web/'] });
  });

  test('the empty value prints null and Session only while locked', () => {
    const kv = kvMachine();
    kv.apply({ verb: 'set', key: 'empty' });
    assert.deepEqual(toKvPair(kv.row('empty')!), {
      LockIndex: 0,
      Key: 'empty',
      Flags: 0n,
      Value: null,
      CreateIndex: 1,
      ModifyIndex: 1,
    });
    assert.equal(
      stringifyJson(toKvPair(kv.row('empty')!)),
      '{"LockIndex":0,"Key":"empty","Flags":0,"Value":null,"CreateIndex":1,"ModifyIndex":1}',
    );
  });
});
