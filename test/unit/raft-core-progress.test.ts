import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Inflights } from '../../plugins/raft/core/inflights.js';
import { Progress } from '../../plugins/raft/core/progress.js';

test('inflights: a bounded window freed in order by acknowledgements', () => {
  const w = new Inflights(3);
  w.add(5, 10);
  w.add(7, 10);
  assert.equal(w.full(), false);
  w.add(9, 10);
  assert.equal(w.full(), true);
  assert.throws(() => w.add(11, 1), /full window/);
  w.freeLE(6);
  assert.equal(w.count, 2, 'only the message ending at 5 is freed by an ack of 6');
  assert.equal(w.totalBytes, 20);
  w.freeLE(100);
  assert.equal(w.count, 0);
  assert.throws(() => new Inflights(0), /positive integer/);
});

test('inflights: indexes must increase, and a byte budget also fills the window', () => {
  const w = new Inflights(10, 25);
  w.add(3, 20);
  assert.throws(() => w.add(3, 1), /not after/);
  w.add(4, 10);
  assert.equal(w.full(), true, '30 bytes in flight >= 25');
});

test('probe: one MsgApp at a time until the follower answers', () => {
  const pr = new Progress(6, 4, false);
  assert.equal(pr.state, 'probe');
  assert.equal(pr.isPaused(), false);
  pr.sentEntries(2, 40);
  assert.equal(pr.isPaused(), true, 'a probe with entries is outstanding');
  assert.equal(pr.next, 6, 'next does not move optimistically while probing');
  assert.equal(pr.maybeUpdate(7), true);
  assert.equal(pr.isPaused(), false);
  assert.equal(pr.next, 8);
});

test('replicate: next advances optimistically; the window pauses the flow', () => {
  const pr = new Progress(1, 2, false);
  pr.maybeUpdate(5);
  pr.becomeReplicate();
  assert.equal(pr.next, 6);
  pr.sentEntries(3, 30); // 6..8
  assert.equal(pr.next, 9);
  assert.equal(pr.isPaused(), false);
  pr.sentEntries(2, 20); // 9..10
  assert.equal(pr.isPaused(), true, 'two messages in flight fill a window of two');
  pr.maybeUpdate(8);
  pr.inflights.freeLE(8);
  assert.equal(pr.inflights.count, 1);
});

test('maybeDecrTo: stale rejections are ignored; fresh ones move next back by the hint', () => {
  const pr = new Progress(11, 4, false);
  pr.match = 3;
  assert.equal(pr.maybeDecrTo(5, 4), false, 'a probe answer for another index is stale');
  assert.equal(pr.maybeDecrTo(10, 6), true);
  assert.equal(pr.next, 7, 'next = hint + 1');
  pr.next = 11;
  assert.equal(pr.maybeDecrTo(10, 1), true);
  assert.equal(pr.next, 4, 'never below match + 1');

  const rep = new Progress(1, 4, false);
  rep.maybeUpdate(8);
  rep.becomeReplicate();
  rep.sentEntries(4, 4); // next 13
  assert.equal(rep.maybeDecrTo(7, 0), false, 'rejection at or below match is stale');
  assert.equal(rep.maybeDecrTo(10, 0), true);
  assert.equal(rep.next, 9, 'replicate falls back to match + 1');
});

test('snapshot: everything paused until the snapshot lands; probing resumes after it', () => {
  const pr = new Progress(1, 4, false);
  pr.match = 2;
  pr.becomeSnapshot(50);
  assert.equal(pr.isPaused(), true);
  assert.equal(pr.pendingSnapshot, 50);
  pr.becomeProbe();
  assert.equal(pr.next, 51, 'probe right after the snapshot');
  assert.equal(pr.pendingSnapshot, 0);
});

test('canBumpCommit: only when the follower may hold the index and was not told yet', () => {
  const pr = new Progress(6, 4, false);
  pr.sentCommitIndex(3);
  assert.equal(pr.canBumpCommit(5), true);
  assert.equal(pr.canBumpCommit(3), false);
  pr.sentCommitIndex(5);
  assert.equal(pr.canBumpCommit(9), false, 'it holds nothing past next - 1 = 5');
});
