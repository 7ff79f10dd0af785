import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { GOSSIP_LAN } from '../../plugins/gossip/core/config.js';
import {
  applyAwarenessDelta,
  pushPullIntervalMs,
  remainingSuspicionTimeMs,
  retransmitLimit,
  scaleByAwareness,
  suspicionBounds,
  suspicionConfirmationsWanted,
  suspicionTimeoutMs,
} from '../../plugins/gossip/core/math.js';

describe('suspicion timeout (min = mult x max(1, log10 n) x probe interval)', () => {
  // memberlist's own table: suspicionTimeout(3, n, 1s) / 3.
  const perMult: [number, number][] = [
    [5, 1000],
    [10, 1000],
    [50, 1698],
    [100, 2000],
    [500, 2698],
    [1000, 3000],
  ];
  for (const [n, expected] of perMult) {
    test(`n=${n}: ${expected}ms per unit of mult`, () => {
      assert.equal(suspicionTimeoutMs(3, n, 1000) / 3, expected);
    });
  }

  test('never below one interval per mult, even for n = 0 or 1', () => {
    assert.equal(suspicionTimeoutMs(4, 0, 1000), 4000);
    assert.equal(suspicionTimeoutMs(4, 1, 1000), 4000);
  });

  // performance-anchors.md 6.2: computed LAN suspicion timeouts.
  const lan: [number, number, number, number][] = [
    // n, min, max, k
    [3, 4000, 24000, 0],
    [10, 4000, 24000, 2],
    [100, 8000, 48000, 2],
    [1000, 12000, 72000, 2],
    [10000, 16000, 96000, 2],
  ];
  for (const [n, min, max, k] of lan) {
    test(`LAN n=${n}: ${min / 1000}s..${max / 1000}s, k=${k}`, () => {
      assert.deepEqual(suspicionBounds(GOSSIP_LAN, n), { minMs: min, maxMs: max, k });
    });
  }

  test('n=3 on LAN is 4s flat: no confirmations can be expected', () => {
    const { minMs, maxMs, k } = suspicionBounds(GOSSIP_LAN, 3);
    assert.equal(remainingSuspicionTimeMs(0, k, 0, minMs, maxMs), 4000);
  });

  test('confirmations wanted: mult - 2, or 0 when n - 2 is smaller', () => {
    assert.equal(suspicionConfirmationsWanted(4, 4), 2);
    assert.equal(suspicionConfirmationsWanted(4, 3), 0);
    assert.equal(suspicionConfirmationsWanted(6, 100), 4);
    assert.equal(suspicionConfirmationsWanted(1, 100), 0);
  });
});

describe('remaining suspicion time (Lifeguard: max toward min as log(c+1)/log(k+1))', () => {
  // memberlist's table with min 2s, max 30s, k = 3 (ours is cut to whole milliseconds).
  const rows: [number, number, number][] = [
    [0, 0, 30000],
    [1, 2000, 14000],
    [2, 3000, 4810],
    [3, 4000, -2000],
    [4, 5000, -3000],
    [5, 10000, -8000],
  ];
  for (const [confirmations, elapsed, expected] of rows) {
    test(`${confirmations} confirmations after ${elapsed}ms: ${expected}ms`, () => {
      assert.equal(remainingSuspicionTimeMs(confirmations, 3, elapsed, 2000, 30000), expected);
    });
  }

  test('k = 0 means the minimum from the start', () => {
    assert.equal(remainingSuspicionTimeMs(0, 0, 0, 4000, 24000), 4000);
    assert.equal(remainingSuspicionTimeMs(5, 0, 1000, 4000, 24000), 3000);
  });

  test('property: within [min, max], and never longer with more confirmations', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 0, max: 12 }),
        fc.integer({ min: 1, max: 100_000 }),
        fc.integer({ min: 1, max: 10 }),
        (k, c, min, mult) => {
          const max = min * mult;
          const now = remainingSuspicionTimeMs(c, k, 0, min, max);
          const later = remainingSuspicionTimeMs(c + 1, k, 0, min, max);
          assert.ok(now >= min && now <= max);
          assert.ok(later <= now);
          if (c >= k) assert.equal(now, min);
        },
      ),
    );
  });
});

describe('retransmit limit (mult x ceil(log10(n + 1)))', () => {
  const rows: [number, number, number][] = [
    [3, 0, 0],
    [3, 1, 3],
    [3, 99, 6],
    [4, 3, 4],
    [4, 100, 12],
    [4, 10000, 20],
  ];
  for (const [mult, n, expected] of rows) {
    test(`mult ${mult}, n=${n}: ${expected}`, () => assert.equal(retransmitLimit(mult, n), expected));
  }
});

describe('push-pull interval scale', () => {
  const rows: [number, number][] = [
    [1, 1],
    [32, 1],
    [33, 2],
    [64, 2],
    [65, 3],
    [128, 3],
    [129, 4],
    [5000, 9],
  ];
  for (const [n, multiplier] of rows) {
    test(`n=${n}: x${multiplier}`, () => assert.equal(pushPullIntervalMs(30_000, n), 30_000 * multiplier));
  }
});

describe('awareness (Lifeguard local health)', () => {
  test('scales a timeout by score + 1', () => {
    assert.equal(scaleByAwareness(500, 0), 500);
    assert.equal(scaleByAwareness(1000, 3), 4000);
    assert.equal(scaleByAwareness(1000, 7), 8000);
  });

  test('the score stays within [0, max - 1]', () => {
    assert.equal(applyAwarenessDelta(0, -1, 8), 0);
    assert.equal(applyAwarenessDelta(6, 3, 8), 7);
    assert.equal(applyAwarenessDelta(3, -1, 8), 2);
    assert.equal(applyAwarenessDelta(0, 5, 1), 0, 'a max multiplier of 1 disables awareness');
  });

  test('property: the scaled timeout never exceeds timeout x max multiplier', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -5, max: 5 }), { maxLength: 50 }),
        fc.integer({ min: 1, max: 16 }),
        (deltas, max) => {
          let score = 0;
          for (const delta of deltas) {
            score = applyAwarenessDelta(score, delta, max);
            assert.ok(scaleByAwareness(500, score) <= 500 * max);
            assert.ok(score >= 0);
          }
        },
      ),
    );
  });
});
