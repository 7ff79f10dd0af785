import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TribuneError } from '../../core/errors.js';
import { bootstrapLog } from '../../plugins/raft/core/bootstrap.js';
import { MemoryStorage } from '../../plugins/raft/core/memory-storage.js';
import { RaftNode } from '../../plugins/raft/core/raft-node.js';
import { seededRand } from '../../plugins/raft/core/rand.js';
import { message, type Ready } from '../../plugins/raft/core/types.js';

function singleVoter(): { node: RaftNode; storage: MemoryStorage } {
  const storage = MemoryStorage.withSnapshot({
    metadata: { index: 0, term: 0, confState: { voters: ['1'], learners: [] } },
    data: new Uint8Array(0),
  });
  const node = new RaftNode({ id: '1', storage, rand: seededRand(1), electionTick: 10, heartbeatTick: 1 });
  return { node, storage };
}

/** The driver's side of the contract, for a node without peers. */
function handle(node: RaftNode, storage: MemoryStorage): Ready {
  const rd = node.ready();
  if (rd.snapshot) storage.applySnapshot(rd.snapshot);
  storage.append(rd.entries);
  if (rd.hardState) storage.setHardState(rd.hardState);
  node.advance(rd);
  return rd;
}

test('a lone voter elects itself on its election timeout and commits proposals at once', () => {
  const { node, storage } = singleVoter();
  for (let i = 0; i < 20 && node.basicStatus().role !== 'leader'; i++) node.tick();
  assert.equal(node.basicStatus().role, 'leader');
  const first = handle(node, storage);
  assert.equal(first.softState?.role, 'leader');
  assert.equal(first.mustSync, true, 'term and vote must be durable');
  // Its own empty entry is its quorum's: persisted and committed in the same Ready.
  assert.deepEqual(
    first.entries.map((e) => e.index),
    [1],
  );
  assert.deepEqual(
    first.committedEntries.map((e) => e.index),
    [1],
  );
  assert.deepEqual(node.propose(new TextEncoder().encode('x')), { ok: true });
  const rd = handle(node, storage);
  assert.deepEqual(
    rd.committedEntries.map((e) => new TextDecoder().decode(e.data)),
    ['x'],
  );
  assert.equal(node.basicStatus().applied, 2);
  assert.equal(storage.hardState().commit, 2);
});

test('the Ready contract is enforced: one outstanding Ready, advanced with that same object', () => {
  const { node } = singleVoter();
  node.campaign();
  assert.equal(node.hasReady(), true);
  const rd = node.ready();
  assert.equal(node.hasReady(), false, 'nothing more is handed out before advance');
  assert.throws(() => node.ready(), TribuneError);
  assert.throws(() => node.advance({ ...rd }), /not handed out/);
  node.advance(rd);
  assert.throws(() => node.advance(rd), /not handed out/);
});

test('the election timeout is drawn from [election, 2 × election) by the injected PRNG', () => {
  const timeouts = new Set<number>();
  for (let seed = 0; seed < 200; seed++) {
    const { storage } = singleVoter();
    const node = new RaftNode({
      id: '1',
      storage,
      rand: seededRand(seed),
      electionTick: 5,
      heartbeatTick: 1,
    });
    let ticks = 0;
    while (node.basicStatus().role !== 'leader' && ticks < 100) {
      node.tick();
      ticks++;
    }
    timeouts.add(ticks);
  }
  assert.deepEqual(
    [...timeouts].sort((a, b) => a - b),
    [5, 6, 7, 8, 9],
  );
});

test('network steps: local message types and term-less messages are refused', () => {
  const { node } = singleVoter();
  assert.throws(() => node.step(message({ type: 'MsgHup', from: '2', to: '1' })), /local/);
  assert.throws(() => node.step(message({ type: 'MsgApp', from: '2', to: '1' })), /no term/);
});

test('proposals without a leader are refused as values, not thrown', () => {
  const storage = MemoryStorage.withSnapshot({
    metadata: { index: 0, term: 0, confState: { voters: ['1', '2', '3'], learners: [] } },
    data: new Uint8Array(0),
  });
  const node = new RaftNode({ id: '1', storage, rand: seededRand(1), electionTick: 10, heartbeatTick: 1 });
  assert.deepEqual(node.propose(new Uint8Array([1])), { ok: false, reason: 'no-leader' });
  assert.deepEqual(node.readIndex('r'), { ok: false, reason: 'no-leader' });
});

test('restart: the hard state and log come back; a commit past the log is refused', () => {
  const { node, storage } = singleVoter();
  node.campaign();
  handle(node, storage);
  node.propose(new TextEncoder().encode('x'));
  handle(node, storage);
  const again = new RaftNode({ id: '1', storage, rand: seededRand(2), electionTick: 10, heartbeatTick: 1 });
  const s = again.basicStatus();
  assert.deepEqual([s.term, s.commit, s.lastIndex, s.role], [1, 2, 2, 'follower']);
  storage.setHardState({ term: 1, vote: '1', commit: 9 });
  assert.throws(
    () => new RaftNode({ id: '1', storage, rand: seededRand(2), electionTick: 10, heartbeatTick: 1 }),
    (err: unknown) => err instanceof TribuneError && err.code === 'STORAGE_CORRUPT',
  );
});

test('a lone voter answers reads at once, in either mode', () => {
  const { node, storage } = singleVoter();
  node.campaign();
  handle(node, storage);
  node.readIndex('q', 'quorum');
  node.readIndex('l', 'lease');
  const rd = handle(node, storage);
  assert.deepEqual(
    rd.readStates.map((r) => [r.requestId, r.index]),
    [
      ['q', 1],
      ['l', 1],
    ],
  );
  assert.equal(node.leaseValid(), true);
});

test('restart with applied past the snapshot: the membership is replayed from the log, nothing re-applied', () => {
  const storage = new MemoryStorage();
  const log = bootstrapLog({ voters: ['1', '2'], learners: ['3'] });
  storage.append(log.entries);
  storage.setHardState(log.hardState);
  const fresh = new RaftNode({ id: '1', storage, rand: seededRand(1), electionTick: 10, heartbeatTick: 1 });
  assert.deepEqual(fresh.status().confState, { voters: [], learners: [] }, 'not applied yet');
  assert.equal(fresh.ready().committedEntries.length, 3);

  const restarted = new RaftNode({
    id: '1',
    storage,
    rand: seededRand(1),
    electionTick: 10,
    heartbeatTick: 1,
    applied: 3,
  });
  assert.deepEqual(restarted.status().confState, { voters: ['1', '2'], learners: ['3'] });
  assert.equal(restarted.basicStatus().applied, 3);
  assert.equal(restarted.ready().committedEntries.length, 0, 'the state machine already has them');
  assert.throws(
    () =>
      new RaftNode({ id: '1', storage, rand: seededRand(1), electionTick: 10, heartbeatTick: 1, applied: 4 }),
    /past the commit index/,
  );
});

test('the leader bounds what it holds uncommitted; applying frees the budget', () => {
  const storage = MemoryStorage.withSnapshot({
    metadata: { index: 0, term: 0, confState: { voters: ['1', '2', '3'], learners: [] } },
    data: new Uint8Array(0),
  });
  const node = new RaftNode({
    id: '1',
    storage,
    rand: seededRand(1),
    electionTick: 10,
    heartbeatTick: 1,
    preVote: false,
    maxUncommittedBytes: 10,
  });
  node.campaign();
  handle(node, storage);
  for (const from of ['2', '3']) node.step(message({ type: 'MsgVoteResp', from, to: '1', term: 1 }));
  assert.equal(node.basicStatus().role, 'leader');
  const eight = new Uint8Array(8);
  assert.deepEqual(node.propose(eight), { ok: true }, 'the first proposal always fits');
  assert.deepEqual(node.propose(eight), { ok: false, reason: 'too-many-uncommitted' });
  handle(node, storage);
  // Followers acknowledge everything: entries 1 (empty) and 2 commit and get applied.
  for (const from of ['2', '3']) node.step(message({ type: 'MsgAppResp', from, to: '1', term: 1, index: 2 }));
  const rd = handle(node, storage);
  assert.equal(rd.committedEntries.length, 2);
  assert.deepEqual(node.propose(eight), { ok: true }, 'applied entries no longer count');
});
