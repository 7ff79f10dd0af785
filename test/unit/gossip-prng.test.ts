import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createRandom, randomInt, shuffleInPlace } from '../../plugins/gossip/core/prng.js';

describe('seeded PRNG', () => {
  test('the same seed gives the same stream; another seed another one', () => {
    const a = createRandom(42);
    const b = createRandom(42);
    const c = createRandom(43);
    const first = Array.from({ length: 5 }, () => a());
    assert.deepEqual(
      first,
      Array.from({ length: 5 }, () => b()),
    );
    assert.notDeepEqual(
      first,
      Array.from({ length: 5 }, () => c()),
    );
  });

  test('values are in [0, 1) and spread over it', () => {
    const random = createRandom(7);
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 10_000; i++) {
      const value = random();
      assert.ok(value >= 0 && value < 1);
      buckets[Math.floor(value * 10)] = (buckets[Math.floor(value * 10)] ?? 0) + 1;
    }
    for (const count of buckets) assert.ok(count > 800 && count < 1200, `bucket count ${count}`);
  });

  test('randomInt stays in range and shuffle is a permutation', () => {
    const random = createRandom(1);
    for (let i = 0; i < 1000; i++) {
      const value = randomInt(random, 3);
      assert.ok(value >= 0 && value < 3 && Number.isInteger(value));
    }
    const items = Array.from({ length: 50 }, (_, i) => i);
    const shuffled = shuffleInPlace([...items], random);
    assert.notDeepEqual(shuffled, items);
    assert.deepEqual(
      [...shuffled].sort((x, y) => x - y),
      items,
    );
  });
});
