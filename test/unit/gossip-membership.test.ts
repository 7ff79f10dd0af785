import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { MemberTable } from '../../plugins/gossip/core/membership.js';
import type { MemberState } from '../../plugins/gossip/core/messages.js';
import { nodeMeta, readNodeMeta } from '../../plugins/gossip/core/node-meta.js';
import { createRandom } from '../../plugins/gossip/core/prng.js';
import { Suspicion } from '../../plugins/gossip/core/suspicion.js';
import { LamportClock, UserEventBuffer } from '../../plugins/gossip/core/user-events.js';

function table(names: string[], seed = 1): MemberTable {
  const t = new MemberTable('self', createRandom(seed));
  for (const name of ['self', ...names]) {
    t.add({ name, address: `${name}:8301`, meta: {}, incarnation: 1, state: 'alive', stateChangeMs: 0 });
  }
  return t;
}

describe('member table', () => {
  test('each probe round visits every live member once, never ourselves, reshuffled', () => {
    const names = Array.from({ length: 20 }, (_, i) => `m${i}`);
    const t = table(names);
    t.setState(t.get('m3')!, 'dead', 0);
    t.setState(t.get('m4')!, 'left', 0);
    t.setState(t.get('m5')!, 'suspect', 0);
    const rounds: string[][] = [];
    for (let round = 0; round < 3; round++) {
      rounds.push(Array.from({ length: 18 }, () => t.nextProbeTarget()?.name ?? '?'));
    }
    // The first round also walks the order built as members were added (dead ones are skipped).
    for (const round of rounds.slice(1)) {
      assert.deepEqual([...round].sort(), names.filter((n) => n !== 'm3' && n !== 'm4').sort());
    }
    assert.notDeepEqual(rounds[1], rounds[2]);
  });

  test('no probe target when nobody else is live', () => {
    const t = table(['a']);
    t.setState(t.get('a')!, 'dead', 0);
    assert.equal(t.nextProbeTarget(), undefined);
  });

  test('random members are distinct, accepted, and at most k', () => {
    const t = table(Array.from({ length: 30 }, (_, i) => `m${i}`));
    for (let i = 0; i < 50; i++) {
      const chosen = t.randomMembers(3, (r) => r.name !== 'self' && r.name !== 'm0');
      assert.equal(chosen.length, 3);
      assert.equal(new Set(chosen).size, 3);
      assert.ok(chosen.every((r) => r.name !== 'self' && r.name !== 'm0'));
    }
    assert.deepEqual(
      t.randomMembers(3, () => false),
      [],
    );
    assert.equal(t.randomMembers(100, () => true).length, 31);
  });

  test('property: counts and lookups stay right through adds, removes and state changes', () => {
    const states: MemberState[] = ['alive', 'suspect', 'dead', 'left'];
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.constantFrom('add', 'remove', 'state'),
            fc.integer({ min: 0, max: 9 }),
            fc.constantFrom(...states),
          ),
          { maxLength: 60 },
        ),
        (ops) => {
          const t = new MemberTable('self', createRandom(3));
          const model = new Map<string, MemberState>();
          for (const [op, i, state] of ops) {
            const name = `m${i}`;
            if (op === 'add' && !model.has(name)) {
              t.add({ name, address: name, meta: {}, incarnation: 1, state, stateChangeMs: 0 });
              model.set(name, state);
            } else if (op === 'remove') {
              assert.equal(t.remove(name)?.name, model.has(name) ? name : undefined);
              model.delete(name);
            } else if (op === 'state' && model.has(name)) {
              t.setState(t.get(name)!, state, 1);
              model.set(name, state);
            }
          }
          assert.equal(t.size, model.size);
          for (const state of states) {
            assert.equal(t.count(state), [...model.values()].filter((s) => s === state).length);
          }
          for (const [name, state] of model) assert.equal(t.get(name)?.state, state);
          assert.deepEqual(
            t.values().map((r) => r.index),
            t.values().map((_, i) => i),
          );
        },
      ),
    );
  });
});

describe('suspicion', () => {
  const base = { suspect: 'x', from: 'a', incarnation: 1, k: 2, minMs: 4000, maxMs: 24000, startMs: 1000 };

  test('starts at the maximum and falls to the minimum with k independent confirmations', () => {
    const s = new Suspicion(base);
    assert.equal(s.deadlineMs, 25000);
    assert.equal(s.confirm('a'), false, 'the member who raised it does not confirm it');
    assert.equal(s.confirm('x'), false, 'nor does the suspect');
    assert.equal(s.confirm('b'), true);
    assert.equal(s.deadlineMs, 1000 + 24000 - Math.ceil((Math.log(2) / Math.log(3)) * 20000));
    assert.equal(s.confirm('b'), false, 'each member confirms once');
    assert.equal(s.confirm('c'), true);
    assert.equal(s.deadlineMs, 5000);
    assert.equal(s.confirm('d'), false, 'no more than k');
    assert.equal(s.confirmations, 2);
  });

  test('k = 0: the minimum from the start', () => {
    assert.equal(new Suspicion({ ...base, k: 0 }).deadlineMs, 5000);
  });

  test('a last call fixes the deadline', () => {
    const s = new Suspicion(base);
    s.lastCall(25000, 500);
    assert.ok(s.lastCallMade);
    assert.equal(s.deadlineMs, 25500);
    s.confirm('b');
    assert.equal(s.deadlineMs, 25500);
  });
});

describe('user events', () => {
  const event = (ltime: number, name = 'deploy', payload = 'v1') => ({
    type: 'user-event' as const,
    ltime,
    name,
    payload: new TextEncoder().encode(payload),
    coalesce: true,
  });

  test('Lamport clock: increments, and witnessing moves past what was seen', () => {
    const clock = new LamportClock();
    assert.equal(clock.increment(), 1);
    clock.witness(10);
    assert.equal(clock.time, 11);
    clock.witness(3);
    assert.equal(clock.time, 11);
  });

  test('each (ltime, name, payload) is accepted once', () => {
    const buffer = new UserEventBuffer(8);
    assert.equal(buffer.accept(event(1), 2), true);
    assert.equal(buffer.accept(event(1), 2), false);
    assert.equal(buffer.accept(event(1, 'deploy', 'v2'), 2), true, 'another payload at the same time');
    assert.equal(buffer.accept(event(1, 'other'), 2), true);
    assert.deepEqual(
      buffer.recent().map((e) => e.name),
      ['deploy', 'deploy', 'other'],
    );
  });

  test('events older than the buffer, or than the join point, are dropped', () => {
    const buffer = new UserEventBuffer(8);
    assert.equal(buffer.accept(event(1), 20), false, 'older than clock - size');
    assert.equal(buffer.accept(event(12), 20), true);
    buffer.ignoreBefore(15);
    assert.equal(buffer.accept(event(14), 20), false);
    assert.equal(buffer.accept(event(15), 20), true);
  });

  test('a slot reused by a later Lamport time forgets the earlier one', () => {
    const buffer = new UserEventBuffer(4);
    assert.equal(buffer.accept(event(1), 2), true);
    assert.equal(buffer.accept(event(5), 6), true);
    assert.deepEqual(
      buffer.recent().map((e) => e.ltime),
      [5],
    );
  });
});

describe('node metadata (Consul tags)', () => {
  test('a server carries role "consul" and its RPC port; a client role "node" and none', () => {
    const server = nodeMeta({
      server: true,
      datacenter: 'dc1',
      nodeId: 'id-1',
      build: '1.2.3',
      serverPort: 8300,
    });
    assert.deepEqual({ ...server }, { role: 'consul', dc: 'dc1', id: 'id-1', build: '1.2.3', port: '8300' });
    const client = nodeMeta({
      server: false,
      datacenter: 'dc2',
      nodeId: 'id-2',
      build: '1.2.3',
      serverPort: 8300,
      extra: { rack: 'r1', role: 'x' },
    });
    assert.deepEqual({ ...client }, { rack: 'r1', role: 'node', dc: 'dc2', id: 'id-2', build: '1.2.3' });
    assert.ok(Object.isFrozen(client));
  });

  test('reading back is tolerant of missing and malformed tags', () => {
    assert.deepEqual(
      readNodeMeta(nodeMeta({ server: true, datacenter: 'dc1', nodeId: 'i', build: 'b', serverPort: 8300 })),
      {
        server: true,
        datacenter: 'dc1',
        nodeId: 'i',
        build: 'b',
        serverPort: 8300,
      },
    );
    assert.deepEqual(readNodeMeta({ role: 'node', port: 'x' }), {
      server: false,
      datacenter: undefined,
      nodeId: undefined,
      build: undefined,
      serverPort: undefined,
    });
  });
});
