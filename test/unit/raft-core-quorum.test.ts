import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { defaultLeaseDriftTicks, leaseHolds, leaseTicks } from '../../plugins/raft/core/lease.js';
import { majorityValue, quorumSize, voteResult } from '../../plugins/raft/core/quorum.js';
import { ReadOnlyQueue } from '../../plugins/raft/core/read-only.js';

test('quorum sizes', () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7].map(quorumSize), [1, 2, 2, 3, 3, 4, 4]);
});

test('majorityValue: the highest value a quorum has reached', () => {
  const match: Record<string, number> = { a: 5, b: 9, c: 7, d: 1, e: 7 };
  const of = (id: string) => match[id] ?? 0;
  assert.equal(majorityValue(['a'], of), 5);
  assert.equal(majorityValue(['a', 'b'], of), 5);
  assert.equal(majorityValue(['a', 'b', 'c'], of), 7);
  assert.equal(majorityValue(['a', 'b', 'c', 'd'], of), 5);
  assert.equal(majorityValue(['a', 'b', 'c', 'd', 'e'], of), 7);
  assert.equal(majorityValue([], of), 0);
});

test('majorityValue: a quorum holds at least it, and no quorum holds more', () => {
  fc.assert(
    fc.property(fc.array(fc.nat(100), { minLength: 1, maxLength: 9 }), (values) => {
      const ids = values.map((_, i) => String(i));
      const v = majorityValue(ids, (id) => values[Number(id)] ?? 0);
      const q = quorumSize(values.length);
      assert.ok(values.filter((x) => x >= v).length >= q);
      assert.ok(values.filter((x) => x > v).length < q);
    }),
  );
});

test('voteResult: won, lost, or still open', () => {
  const voters = ['1', '2', '3'];
  const votes = (entries: [string, boolean][]) => new Map(entries);
  assert.equal(voteResult(voters, votes([['1', true]])), 'pending');
  assert.equal(
    voteResult(
      voters,
      votes([
        ['1', true],
        ['2', true],
      ]),
    ),
    'won',
  );
  assert.equal(
    voteResult(
      voters,
      votes([
        ['1', true],
        ['2', false],
        ['3', false],
      ]),
    ),
    'lost',
  );
  assert.equal(voteResult(voters, votes([['9', true]])), 'pending', 'votes of non-voters do not count');
});

test('lease: electionTick - 2 - drift ticks from the stamp a quorum echoed', () => {
  assert.equal(defaultLeaseDriftTicks(10), 1);
  assert.equal(defaultLeaseDriftTicks(50), 5);
  assert.equal(leaseTicks(10, 1), 7);
  const stamps: Record<string, number> = { '2': 93, '3': 80 };
  const of = (id: string) => stamps[id] ?? Number.NEGATIVE_INFINITY;
  // Leader 1 at tick 100: the quorum {1, 2} echoed 93 at best.
  assert.equal(leaseHolds(99, 7, '1', ['1', '2', '3'], of), true);
  assert.equal(leaseHolds(100, 7, '1', ['1', '2', '3'], of), false, '100 - 93 = 7 is not < 7');
  assert.equal(leaseHolds(100, 0, '1', ['1'], of), false, 'no lease without a positive length');
  assert.equal(leaseHolds(100, 7, '1', ['1'], of), true, 'a lone voter is its own quorum');
  assert.equal(leaseHolds(5, 7, '1', ['1', '4', '5'], of), false, 'never heard from anyone');
});

test('read queue: a quorum of acks for a request releases it and every earlier one', () => {
  const q = new ReadOnlyQueue(3);
  const voters = new Set(['1', '2', '3']);
  assert.equal(q.add('a', 5, '1'), true);
  assert.equal(q.add('b', 6, '2'), true);
  assert.equal(q.add('b', 6, '2'), true, 'duplicates are accepted once');
  assert.equal(q.size, 2);
  q.recvAck('1', 'b');
  assert.deepEqual(q.advance('b', voters), [], 'one ack of three');
  q.recvAck('9', 'b');
  assert.deepEqual(q.advance('b', voters), [], 'acks from non-voters do not count');
  q.recvAck('3', 'b');
  assert.deepEqual(
    q.advance('b', voters).map((r) => [r.requestId, r.index, r.from]),
    [
      ['a', 5, '1'],
      ['b', 6, '2'],
    ],
  );
  assert.equal(q.size, 0);
});

test('read queue: bounded', () => {
  const q = new ReadOnlyQueue(2);
  assert.equal(q.add('a', 1, '1'), true);
  assert.equal(q.add('b', 1, '1'), true);
  assert.equal(q.add('c', 1, '1'), false);
  assert.equal(q.lastRequestId(), 'b');
});
