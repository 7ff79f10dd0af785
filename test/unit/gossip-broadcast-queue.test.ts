import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { BroadcastQueue } from '../../plugins/gossip/core/broadcast-queue.js';
import type { SimpleMessage } from '../../plugins/gossip/core/messages.js';
import { estimateSize } from '../../plugins/gossip/core/messages.js';

function alive(node: string, incarnation = 1): SimpleMessage {
  return { type: 'alive', node, address: `${node}:8301`, incarnation, meta: {} };
}

function suspect(node: string, incarnation = 1): SimpleMessage {
  return { type: 'suspect', node, incarnation, from: 'z' };
}

function names(messages: SimpleMessage[]): string[] {
  return messages.map((m) => ('node' in m ? `${m.type}:${m.node}` : m.type));
}

const ROOM = 10_000;

describe('broadcast queue', () => {
  test('least-transmitted first, oldest first among equals', () => {
    const queue = new BroadcastQueue(100);
    queue.push(alive('a'), 'a');
    queue.push(alive('b'), 'b');
    queue.push(alive('c'), 'c');
    const one = estimateSize(alive('a'));
    assert.deepEqual(names(queue.take(2 * one, 0, 10)), ['alive:a', 'alive:b']);
    assert.deepEqual(names(queue.take(2 * one, 0, 10)), ['alive:c', 'alive:a']);
    queue.push(alive('d'), 'd');
    assert.deepEqual(names(queue.take(2 * one, 0, 10)), ['alive:d', 'alive:b']);
  });

  test('a message leaves the queue after the transmit limit', () => {
    const queue = new BroadcastQueue(100);
    queue.push(alive('a'), 'a');
    for (let i = 0; i < 3; i++) assert.equal(queue.take(ROOM, 2, 3).length, 1);
    assert.equal(queue.size, 0);
    assert.deepEqual(queue.take(ROOM, 2, 3), []);
  });

  test('a lower limit (the group shrank) drops what was already sent enough', () => {
    const queue = new BroadcastQueue(100);
    queue.push(alive('a'), 'a');
    queue.push(alive('b'), 'b');
    queue.take(ROOM, 0, 10);
    queue.take(ROOM, 0, 10);
    queue.push(alive('c'), 'c');
    assert.deepEqual(names(queue.take(ROOM, 0, 2)), ['alive:c']);
    assert.equal(queue.size, 1);
  });

  test('a newer message about the same member supersedes the queued one', () => {
    const queue = new BroadcastQueue(100);
    queue.push(alive('a'), 'a');
    queue.take(ROOM, 0, 10);
    queue.push(suspect('a'), 'a');
    queue.push(alive('b'), 'b');
    assert.equal(queue.size, 2);
    assert.ok(queue.has('a'));
    assert.deepEqual(names(queue.take(ROOM, 0, 10)), ['suspect:a', 'alive:b']);
  });

  test('messages without a key never supersede each other', () => {
    const queue = new BroadcastQueue(100);
    const event = (ltime: number): SimpleMessage => ({
      type: 'user-event',
      ltime,
      name: 'deploy',
      payload: new Uint8Array(0),
      coalesce: true,
    });
    queue.push(event(1));
    queue.push(event(1));
    assert.equal(queue.size, 2);
  });

  test('bounded: the oldest are dropped beyond the depth, also when the depth shrinks', () => {
    const queue = new BroadcastQueue(3);
    for (const node of ['a', 'b', 'c', 'd', 'e']) queue.push(alive(node), node);
    assert.equal(queue.size, 3);
    assert.deepEqual(names(queue.take(ROOM, 0, 10)), ['alive:c', 'alive:d', 'alive:e']);
    assert.ok(!queue.has('a'));
    queue.setMaxDepth(1);
    assert.equal(queue.size, 1);
    assert.deepEqual(names(queue.take(ROOM, 0, 10)), ['alive:e']);
  });

  test('skips what does not fit and packs what does', () => {
    const queue = new BroadcastQueue(10);
    const big: SimpleMessage = {
      type: 'alive',
      node: 'big',
      address: 'x',
      incarnation: 1,
      meta: { pad: 'p'.repeat(500) },
    };
    queue.push(big, 'big');
    queue.push(alive('a'), 'a');
    const budget = estimateSize(alive('a')) + 4;
    assert.deepEqual(names(queue.take(budget, 4, 10)), ['alive:a']);
    assert.equal(queue.size, 2);
  });

  test('property: never over the depth, never over the byte budget, never more sends than the limit', () => {
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('push' as const),
        node: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'),
        keyed: fc.boolean(),
      }),
      fc.record({ kind: fc.constant('take' as const), budget: fc.integer({ min: 0, max: 400 }) }),
      fc.record({ kind: fc.constant('depth' as const), depth: fc.integer({ min: 1, max: 8 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), fc.integer({ min: 1, max: 5 }), (ops, limit) => {
        const queue = new BroadcastQueue(4);
        const sends = new Map<SimpleMessage, number>();
        for (const step of ops) {
          if (step.kind === 'push') {
            const message = alive(step.node, sends.size + 1);
            queue.push(message, step.keyed ? step.node : undefined);
          } else if (step.kind === 'depth') {
            queue.setMaxDepth(step.depth);
          } else {
            const taken = queue.take(step.budget, 2, limit);
            const bytes = taken.reduce((sum, m) => sum + estimateSize(m) + 2, 0);
            assert.ok(bytes <= step.budget);
            for (const message of taken) sends.set(message, (sends.get(message) ?? 0) + 1);
          }
          assert.ok(queue.size <= queue.maxDepth);
        }
        for (const count of sends.values()) assert.ok(count <= limit);
      }),
    );
  });
});
