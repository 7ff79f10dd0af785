import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { TribuneError } from '../../core/errors.js';
import {
  confChangeProblem,
  decodeConfChange,
  encodeConfChange,
} from '../../plugins/raft/core/conf-change.js';
import { resolveConfig } from '../../plugins/raft/core/config.js';
import { MemoryStorage } from '../../plugins/raft/core/memory-storage.js';
import { seededRand } from '../../plugins/raft/core/rand.js';
import { compareIds, sortIds } from '../../plugins/raft/core/types.js';

const base = {
  id: '1',
  storage: new MemoryStorage(),
  rand: seededRand(1),
  electionTick: 10,
  heartbeatTick: 1,
};

test('config: defaults, and a bad timing profile fails up front', () => {
  const c = resolveConfig(base);
  assert.equal(c.preVote, true);
  assert.equal(c.checkQuorum, true);
  assert.equal(c.leaseTicks, 7, '10 - 2 - ceil(10 / 10)');
  assert.equal(resolveConfig({ ...base, checkQuorum: false }).leaseTicks, 0, 'no lease without check-quorum');
  for (const bad of [
    { electionTick: 1, heartbeatTick: 1 },
    { electionTick: 0 },
    { heartbeatTick: 1.5 },
    { id: '' },
    { maxInflightMsgs: 0 },
    { leaseDriftTicks: -1 },
  ]) {
    assert.throws(
      () => resolveConfig({ ...base, ...bad }),
      (err: unknown) => err instanceof TribuneError && err.code === 'CONFIG_INVALID',
      JSON.stringify(bad),
    );
  }
});

test('conf changes round-trip and corrupt ones are refused', () => {
  fc.assert(
    fc.property(
      fc.constantFrom('add-voter' as const, 'add-learner' as const, 'remove-node' as const),
      fc.string({ minLength: 1 }),
      fc.option(fc.string(), { nil: undefined }),
      (type, nodeId, context) => {
        const change = context === undefined ? { type, nodeId } : { type, nodeId, context };
        assert.deepEqual(decodeConfChange(encodeConfChange(change)), change);
      },
    ),
  );
  for (const bad of ['nope', '[]', '{"type":"add-voter"}', '{"type":"promote","nodeId":"2"}']) {
    assert.throws(() => decodeConfChange(new TextEncoder().encode(bad)), /conf-change/);
  }
});

test('conf change validity against the current membership', () => {
  const conf = { voters: ['1', '2'], learners: ['3'] };
  assert.equal(confChangeProblem(conf, { type: 'add-voter', nodeId: '4' }), undefined);
  assert.equal(confChangeProblem(conf, { type: 'add-voter', nodeId: '3' }), undefined, 'promotion');
  assert.match(confChangeProblem(conf, { type: 'add-voter', nodeId: '1' }) ?? '', /already a voter/);
  assert.match(confChangeProblem(conf, { type: 'add-learner', nodeId: '2' }) ?? '', /demotion/);
  assert.match(confChangeProblem(conf, { type: 'remove-node', nodeId: '9' }) ?? '', /not a member/);
  assert.match(
    confChangeProblem({ voters: ['1'], learners: [] }, { type: 'remove-node', nodeId: '1' }) ?? '',
    /last voter/,
  );
});

test('rand: the same seed gives the same stream; int stays in range; split streams differ', () => {
  const a = seededRand(42);
  const b = seededRand(42);
  const xs = Array.from({ length: 50 }, () => a.u32());
  assert.deepEqual(
    xs,
    Array.from({ length: 50 }, () => b.u32()),
  );
  assert.notDeepEqual(
    xs.slice(0, 5),
    Array.from({ length: 5 }, () => seededRand(43).u32()),
  );
  const r = seededRand(7);
  for (let i = 0; i < 1000; i++) {
    const n = r.int(10, 20);
    assert.ok(Number.isInteger(n) && n >= 10 && n < 20);
  }
  const parent = seededRand(9);
  const s1 = parent.split('x');
  const s2 = parent.split('x');
  assert.notEqual(s1.u32(), s2.u32());
  assert.throws(() => r.int(5, 5), RangeError);
});

test('ids sort naturally', () => {
  assert.deepEqual(sortIds(['10', '2', '1', 'b', 'a']), ['1', '2', '10', 'a', 'b']);
  assert.equal(compareIds('2', '2'), 0);
});
