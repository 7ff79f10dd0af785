import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { TribuneError } from '../../core/errors.js';
import {
  decodeCommand,
  decodeEntry,
  decodeHardState,
  encodeCommand,
  encodeEntry,
  encodeHardState,
} from '../../plugins/raft/codec.js';

// Plain data as commands carry it: no undefined (msgpack has no such value), no -0.
const scalar = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.double({ noNaN: true }).filter((n) => !Object.is(n, -0)),
  fc.bigInt({ min: -(2n ** 200n), max: 2n ** 200n }),
  fc.boolean(),
  fc.constant(null),
  fc.uint8Array({ maxLength: 32 }),
);
const value = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small' }, scalar, tie('array'), tie('object')),
  array: fc.array(tie('node'), { maxLength: 4 }),
  object: fc.dictionary(fc.string({ maxLength: 8 }), tie('node'), { maxKeys: 4, noNullPrototype: true }),
})).node;

test('commands round-trip: numbers stay numbers, bigints stay bigints at any size', () => {
  fc.assert(
    fc.property(
      fc.string({ minLength: 1 }),
      fc.dictionary(fc.string({ maxLength: 8 }), value, { noNullPrototype: true }),
      (type, fields) => {
        const command = { ...fields, type };
        assert.deepEqual(decodeCommand(encodeCommand(command)), command);
      },
    ),
    { numRuns: 300 },
  );
  const decoded = decodeCommand(encodeCommand({ type: 't', small: 1n, big: 2n ** 100n, n: 2 ** 53 - 1 }));
  assert.equal(decoded.small, 1n);
  assert.equal(decoded.big, 2n ** 100n);
  assert.equal(decoded.n, 2 ** 53 - 1);
});

test('entries and hard states round-trip', () => {
  fc.assert(
    fc.property(
      fc.nat(),
      fc.nat(),
      fc.integer({ min: 0, max: 2 ** 50 }),
      fc.uint8Array({ maxLength: 64 }),
      (index, term, time, data) => {
        const entry = decodeEntry(encodeEntry({ index, term, time, data }));
        assert.deepEqual(
          { ...entry, data: Buffer.from(entry.data) },
          { index, term, time, data: Buffer.from(data) },
        );
      },
    ),
  );
  assert.deepEqual(decodeHardState(encodeHardState({ term: 9, vote: 'node-1', commit: 120 })), {
    term: 9,
    vote: 'node-1',
    commit: 120,
  });
});

test('bytes that are not what they claim are STORAGE_CORRUPT', () => {
  const corrupt = (err: unknown) => err instanceof TribuneError && err.code === 'STORAGE_CORRUPT';
  assert.throws(() => decodeEntry(Buffer.from([0xc1])), corrupt);
  assert.throws(() => decodeEntry(encodeHardState({ term: 1, vote: '', commit: 0 })), corrupt);
  assert.throws(() => decodeCommand(Buffer.from([0x01])), corrupt);
  assert.throws(
    () => decodeHardState(encodeEntry({ index: 1, term: 1, time: 1, data: Buffer.alloc(0) })),
    corrupt,
  );
});

test('a command msgpack cannot carry is refused at encode time, naming its type', () => {
  assert.throws(
    () => encodeCommand({ type: 'kv.set', key: Symbol('nope') }),
    (err: unknown) =>
      err instanceof TribuneError && err.code === 'INTERNAL' && err.message.includes("'kv.set'"),
  );
});
