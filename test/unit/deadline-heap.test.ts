import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { DeadlineHeap } from '../../core/state/deadline-heap.js';

interface Item {
  id: number;
  deadline: number;
  heapIndex: number;
}

test('the heap hands out the earliest deadline first, through any mix of pushes and removals', () => {
  const op = fc.oneof(
    fc.record({ kind: fc.constant('push' as const), deadline: fc.integer({ min: 0, max: 50 }) }),
    fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }),
    fc.record({ kind: fc.constant('pop' as const) }),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
      const heap = new DeadlineHeap<Item>();
      const model = new Set<Item>();
      let nextId = 0;
      for (const step of ops) {
        if (step.kind === 'push') {
          const item = { id: nextId++, deadline: step.deadline, heapIndex: -1 };
          heap.push(item);
          model.add(item);
        } else if (step.kind === 'remove' && model.size > 0) {
          const item = [...model][step.pick % model.size]!;
          assert.equal(heap.remove(item), true);
          assert.equal(heap.remove(item), false, 'a second removal finds nothing');
          assert.equal(item.heapIndex, -1);
          model.delete(item);
        } else if (step.kind === 'pop' && model.size > 0) {
          const top = heap.peek()!;
          const earliest = Math.min(...[...model].map((i) => i.deadline));
          assert.equal(top.deadline, earliest);
          heap.remove(top);
          model.delete(top);
        }
        assert.equal(heap.size, model.size);
        const expected = model.size === 0 ? undefined : Math.min(...[...model].map((i) => i.deadline));
        assert.equal(heap.peek()?.deadline, expected);
      }
      assert.deepEqual(new Set(heap.items()), model);
    }),
  );
});
