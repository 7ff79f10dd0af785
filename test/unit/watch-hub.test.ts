import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import { runBlockingQuery } from '../../core/state/blocking.js';
import { StateStore } from '../../core/state/store.js';
import { type WakeReason, WatchHub } from '../../core/state/watch.js';

function listener() {
  const heard: WakeReason[] = [];
  return { heard, wake: (reason: WakeReason) => heard.push(reason) };
}

test('timeouts end in deadline order from the one hub timer, whatever order they were parked in', async () => {
  const hub = new WatchHub();
  const order: string[] = [];
  const started = performance.now();
  const waits = [
    hub.wait({ topics: ['a'] }, 60).then((r) => order.push(`60:${r}`)),
    hub.wait({ topics: ['b'] }, 20).then((r) => order.push(`20:${r}`)),
    hub.wait({ topics: ['c'] }, 40).then((r) => order.push(`40:${r}`)),
  ];
  await Promise.all(waits);
  assert.deepEqual(order, ['20:timeout', '40:timeout', '60:timeout']);
  assert.ok(performance.now() - started >= 58, 'no wait ends before its time');
  assert.equal(hub.waiterCount, 0);
});

test('several waiters on one topic all wake; cancel ends one wait with aborted and only once', () => {
  const hub = new WatchHub();
  const [first, second, third] = [listener(), listener(), listener()];
  hub.park({ topics: ['kv/x'] }, 60_000, first);
  const ticket = hub.park({ topics: ['kv/x'] }, 60_000, second);
  hub.park({ prefixes: ['kv/'] }, 60_000, third);
  hub.cancel(ticket);
  hub.cancel(ticket);
  assert.deepEqual(second.heard, ['aborted']);
  assert.equal(hub.waiterCount, 2);
  hub.fire(['kv/x']);
  assert.deepEqual([first.heard, second.heard, third.heard], [['changed'], ['aborted'], ['changed']]);
  assert.equal(hub.waiterCount, 0);
  // Nothing is left armed or indexed: a later fire wakes nobody.
  hub.fire(['kv/x']);
  assert.deepEqual(first.heard, ['changed']);
});

test('a waiter watching a topic and a prefix of it hears one wake', () => {
  const hub = new WatchHub();
  const both = listener();
  hub.park({ topics: ['kv/a/b'], prefixes: ['kv/a/'] }, 60_000, both);
  hub.fire(['kv/a/b']);
  assert.deepEqual(both.heard, ['changed']);
});

test('a full hub refuses a park with RATE_LIMITED and leaves the others parked', () => {
  const hub = new WatchHub(1);
  const parked = listener();
  hub.park({ topics: ['t'] }, 60_000, parked);
  assert.throws(() => hub.park({ topics: ['u'] }, 60_000, listener()), /Too many blocking queries/);
  assert.equal(hub.waiterCount, 1);
  hub.fireAll();
  assert.deepEqual(parked.heard, ['changed']);
});

test('a blocking query whose caller closes stops waiting and stops listening', async () => {
  const store = new StateStore();
  const caller = new EventEmitter();
  let runs = 0;
  const pending = runBlockingQuery(store, { minIndex: 5, waitMs: 60_000, closed: caller }, () => {
    runs++;
    return { index: 1, value: runs, watch: { topics: ['t'] } };
  });
  assert.equal(store.watch.waiterCount, 1);
  assert.equal(caller.listenerCount('close'), 1);
  caller.emit('close');
  const result = await pending;
  assert.deepEqual([result.index, result.value], [1, 2]);
  assert.equal(store.watch.waiterCount, 0);
  assert.equal(caller.listenerCount('close'), 0);
});

test('a blocking query answered by a change leaves no close listener behind', async () => {
  const store = new StateStore();
  const caller = new EventEmitter();
  const pending = runBlockingQuery(store, { minIndex: 1, waitMs: 60_000, closed: caller }, () => ({
    index: store.topicIndex('t'),
    value: null,
    watch: { topics: ['t'] },
  }));
  store.bump('t', 2);
  store.finishApply(2);
  assert.equal((await pending).index, 2);
  assert.equal(caller.listenerCount('close'), 0);
});

test('a query that throws rejects, at once or after a wake', async () => {
  const store = new StateStore();
  await assert.rejects(
    runBlockingQuery(store, { minIndex: 1, waitMs: 1000 }, () => {
      throw new Error('boom');
    }),
    /boom/,
  );
  let calls = 0;
  const later = runBlockingQuery(store, { minIndex: 1, waitMs: 60_000 }, () => {
    if (calls++ > 0) throw new Error('second run failed');
    return { index: 0, value: null, watch: { topics: ['t'] } };
  });
  store.bump('t', 3);
  store.finishApply(3);
  await assert.rejects(later, /second run failed/);
  assert.equal(store.watch.waiterCount, 0);
});
