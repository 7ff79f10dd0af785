import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { TribuneError } from '../../core/errors.js';
import { ENTRY_OVERHEAD_BYTES, limitSize, RaftLog } from '../../plugins/raft/core/log.js';
import { MemoryStorage } from '../../plugins/raft/core/memory-storage.js';
import type { Entry } from '../../plugins/raft/core/types.js';

function entry(index: number, term: number, data = ''): Entry {
  return { index, term, type: 'normal', data: new TextEncoder().encode(data) };
}

/** A log whose storage holds entries 1..terms.length with those terms. */
function logWith(terms: number[]): { log: RaftLog; storage: MemoryStorage } {
  const storage = new MemoryStorage();
  storage.append(terms.map((t, i) => entry(i + 1, t)));
  return { log: new RaftLog(storage), storage };
}

function termsOf(log: RaftLog): (number | undefined)[] {
  const out: (number | undefined)[] = [];
  for (let i = log.firstIndex(); i <= log.lastIndex(); i++) out.push(log.term(i));
  return out;
}

test('term() covers the snapshot point and stops at both ends', () => {
  const storage = MemoryStorage.withSnapshot({
    metadata: { index: 5, term: 2, confState: { voters: ['1'], learners: [] } },
    data: new Uint8Array(0),
  });
  storage.append([entry(6, 2), entry(7, 3)]);
  const log = new RaftLog(storage);
  assert.equal(log.firstIndex(), 6);
  assert.equal(log.lastIndex(), 7);
  assert.equal(log.term(5), 2, 'the snapshot point has a term');
  assert.equal(log.term(4), undefined, 'compacted');
  assert.equal(log.term(8), undefined, 'past the end');
  assert.equal(log.committed, 5, 'the snapshot is committed by definition');
  assert.equal(log.applied, 5);
});

test('isUpToDate: a higher last term wins, then a longer log (§5.4.1)', () => {
  const { log } = logWith([1, 1, 2]); // last = (3, term 2)
  assert.equal(log.isUpToDate(3, 2), true, 'equal');
  assert.equal(log.isUpToDate(4, 2), true, 'longer, same term');
  assert.equal(log.isUpToDate(2, 2), false, 'shorter, same term');
  assert.equal(log.isUpToDate(1, 3), true, 'higher term beats length');
  assert.equal(log.isUpToDate(9, 1), false, 'lower term loses whatever the length');
});

test('findConflict: first entry that differs or is new; 0 when all are held', () => {
  const { log } = logWith([1, 1, 2, 2]);
  assert.equal(log.findConflict([entry(2, 1), entry(3, 2)]), 0);
  assert.equal(log.findConflict([entry(3, 2), entry(4, 3)]), 4);
  assert.equal(log.findConflict([entry(4, 2), entry(5, 2)]), 5);
  assert.equal(log.findConflict([entry(1, 5)]), 1);
});

test('findConflictByTerm: the last index at or before `index` whose term is <= `term`', () => {
  const { log } = logWith([1, 1, 3, 3, 5, 5]);
  assert.deepEqual(log.findConflictByTerm(6, 5), { index: 6, term: 5 });
  assert.deepEqual(log.findConflictByTerm(6, 4), { index: 4, term: 3 });
  assert.deepEqual(log.findConflictByTerm(6, 2), { index: 2, term: 1 });
  assert.deepEqual(log.findConflictByTerm(6, 0), { index: 0, term: 0 });
});

test('maybeAppend: keeps what matches, truncates from the first conflict, commits up to the new last', () => {
  const { log } = logWith([1, 1, 1, 1]);
  assert.equal(log.maybeAppend(2, 9, 4, [entry(3, 9)]), undefined, 'previous entry mismatch');
  assert.equal(log.maybeAppend(2, 1, 10, [entry(3, 2), entry(4, 2), entry(5, 2)]), 5);
  assert.deepEqual(termsOf(log), [1, 1, 2, 2, 2]);
  assert.equal(log.committed, 5, 'commit is min(leader commit, last new index)');
  // A stale, shorter MsgApp whose entries all match changes nothing (no truncation of 5).
  assert.equal(log.maybeAppend(2, 1, 3, [entry(3, 2)]), 3);
  assert.equal(log.lastIndex(), 5);
});

test('maybeAppend refuses to rewrite committed entries', () => {
  const { log } = logWith([1, 1, 1]);
  log.commitTo(3);
  assert.throws(() => log.maybeAppend(1, 1, 3, [entry(2, 2)]), TribuneError);
});

test('commitTo never moves back and never past the last index', () => {
  const { log } = logWith([1, 1, 1]);
  log.commitTo(2);
  log.commitTo(1);
  assert.equal(log.committed, 2);
  assert.throws(() => log.commitTo(4), /past the last index/);
});

test('maybeCommit commits only an entry of the given term', () => {
  const { log } = logWith([1, 1, 2]);
  assert.equal(log.maybeCommit(2, 2), false, 'entry 2 is of term 1');
  assert.equal(log.committed, 0);
  assert.equal(log.maybeCommit(3, 2), true);
  assert.equal(log.committed, 3);
});

test('slice spans storage and the unstable tail, limited by size but never empty', () => {
  const { log } = logWith([1, 1]);
  log.append([entry(3, 2, 'xxxx'), entry(4, 2, 'yyyy')]);
  assert.deepEqual(
    log.slice(1, 5).map((e) => e.index),
    [1, 2, 3, 4],
  );
  const one = ENTRY_OVERHEAD_BYTES;
  assert.deepEqual(
    log.slice(2, 5, one * 2 + 4).map((e) => e.index),
    [2, 3],
    'entry 2 (no data) and 3 (4 bytes) fit exactly; 4 would not',
  );
  assert.deepEqual(
    log.slice(2, 5, one * 2 + 3).map((e) => e.index),
    [2],
    'one byte short for entry 3',
  );
  assert.deepEqual(
    log.slice(3, 5, 1).map((e) => e.index),
    [3],
    'at least one entry even when it alone is too big',
  );
  assert.equal(limitSize([], 10).length, 0);
});

test('committed entries are handed out once (applying), and none while a snapshot is pending', () => {
  const { log, storage } = logWith([1, 1, 1]);
  log.commitTo(2);
  assert.deepEqual(
    log.nextCommittedEntries().map((e) => e.index),
    [1, 2],
  );
  log.acceptApplying(2);
  assert.deepEqual(log.nextCommittedEntries(), []);
  log.commitTo(3);
  assert.deepEqual(
    log.nextCommittedEntries().map((e) => e.index),
    [3],
  );
  log.appliedTo(2);
  assert.equal(log.applied, 2);
  assert.throws(() => log.appliedTo(1), /applied 1 outside/);
  const snapshot = {
    metadata: { index: 10, term: 4, confState: { voters: ['1'], learners: [] } },
    data: new Uint8Array(0),
  };
  log.restore(snapshot);
  assert.equal(log.committed, 10);
  assert.equal(log.firstIndex(), 11, 'the pending snapshot defines the log start');
  assert.equal(log.term(10), 4);
  assert.deepEqual(log.nextCommittedEntries(), [], 'the snapshot comes first');
  storage.applySnapshot(snapshot); // the driver persists it, then advances
  log.appliedSnapshot(10);
  assert.equal(log.applied, 10);
  assert.equal(log.firstIndex(), 11);
});

test('stableTo ignores entries replaced while their write was in flight', () => {
  const { log, storage } = logWith([1]);
  log.append([entry(2, 1), entry(3, 1)]);
  const handed = log.unstable.nextEntries();
  log.unstable.acceptInProgress();
  // A new leader overwrites 3 before the driver reports the write done.
  log.append([entry(3, 2)]);
  storage.append(handed);
  log.unstable.stableTo(3, 1);
  assert.equal(log.term(3), 2, 'the replacement still wins');
  assert.deepEqual(
    log.unstable.nextEntries().map((e) => [e.index, e.term]),
    [[3, 2]],
    'and is handed out again',
  );
});

/**
 * Model-based: any sequence of leader-style appends (never below commit), persists and commits
 * leaves the log reading exactly like a plain array with the same operations applied.
 */
test('RaftLog matches a plain array model under appends, persists and commits', () => {
  type Op =
    | { kind: 'append'; back: number; terms: number[] }
    | { kind: 'persist' }
    | { kind: 'commit'; back: number };
  const op = fc.oneof(
    fc.record({
      kind: fc.constant('append' as const),
      back: fc.nat(4),
      terms: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 4 }),
    }),
    fc.record({ kind: fc.constant('persist' as const) }),
    fc.record({ kind: fc.constant('commit' as const), back: fc.nat(3) }),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 40 }), (ops: Op[]) => {
      const storage = new MemoryStorage();
      const log = new RaftLog(storage);
      const model: number[] = []; // model[i] = term of index i + 1
      let term = 1;
      for (const o of ops) {
        if (o.kind === 'append') {
          // Start anywhere from just after the commit point to the end.
          const from = Math.max(log.committed + 1, model.length + 1 - o.back);
          term = Math.max(term, ...o.terms);
          const entries = o.terms.map((_, i) => entry(from + i, term));
          log.append(entries);
          model.length = from - 1;
          for (const e of entries) model.push(e.term);
        } else if (o.kind === 'persist') {
          const next = log.unstable.nextEntries();
          log.unstable.acceptInProgress();
          storage.append(next);
          const last = next[next.length - 1];
          if (last) log.unstable.stableTo(last.index, last.term);
        } else {
          log.commitTo(Math.max(log.committed, model.length - o.back));
        }
        assert.equal(log.lastIndex(), model.length);
        assert.deepEqual(termsOf(log), model);
        assert.ok(log.committed <= log.lastIndex());
      }
    }),
    { numRuns: 300, seed: 7 },
  );
});
