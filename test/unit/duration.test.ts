import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { TribuneError } from '../../core/errors.js';
import {
  formatGoDuration,
  formatGoDurationNs,
  parseGoDuration,
  parseGoDurationNs,
} from '../../core/util/duration.js';

describe('parseGoDuration', () => {
  const cases: Array<[string, number]> = [
    ['0', 0],
    ['0s', 0],
    ['300ms', 300],
    ['1.5h', 5_400_000],
    ['1m30s', 90_000],
    ['2h45m', 9_900_000],
    ['10us', 0.01],
    ['10µs', 0.01],
    ['10μs', 0.01],
    ['5ns', 0.000005],
    ['15s', 15_000],
    ['60000ms', 60_000],
    ['.5s', 500],
    ['1.s', 1000],
    ['-1.5s', -1500],
    ['+2m', 120_000],
    ['1h1m1s1ms', 3_661_001],
  ];
  for (const [text, ms] of cases) {
    test(`${text} is ${ms} ms`, () => {
      assert.equal(parseGoDuration(text), ms);
    });
  }

  test('fractions are exact in nanoseconds, as in Go', () => {
    assert.equal(parseGoDurationNs('0.1s'), 100_000_000n);
    assert.equal(parseGoDurationNs('1.0000000001s'), 1_000_000_000n); // sub-ns truncated
  });

  const bad: Array<[string, RegExp]> = [
    ['', /time: invalid duration ""/],
    ['1', /time: missing unit in duration "1"/],
    ['10', /missing unit/],
    ['abc', /time: invalid duration "abc"/],
    ['1x', /time: unknown unit "x" in duration "1x"/],
    ['1d', /unknown unit "d"/],
    ['.s', /invalid duration/],
    ['-', /invalid duration/],
    ['1.5.5s', /missing unit/],
    ['s', /invalid duration/],
    ['9999999999h', /invalid duration/],
    [' 1s', /invalid duration/],
  ];
  for (const [text, message] of bad) {
    test(`${JSON.stringify(text)} is rejected with BAD_REQUEST`, () => {
      assert.throws(
        () => parseGoDuration(text),
        (err: unknown) =>
          err instanceof TribuneError && err.code === 'BAD_REQUEST' && message.test(err.message),
      );
    });
  }
});

describe('formatGoDuration', () => {
  const cases: Array<[number, string]> = [
    [0, '0s'],
    [1500, '1.5s'],
    [90_000, '1m30s'],
    [3_600_000, '1h0m0s'],
    [500, '500ms'],
    [15_000, '15s'],
    [1, '1ms'],
    [1.5, '1.5ms'],
    [0.001, '1µs'],
    [0.000001, '1ns'],
    [9_900_000, '2h45m0s'],
    [-1500, '-1.5s'],
    [300_000, '5m0s'],
    [61_001, '1m1.001s'],
  ];
  for (const [ms, text] of cases) {
    test(`${ms} ms is ${text}`, () => {
      assert.equal(formatGoDuration(ms), text);
    });
  }

  test('nanosecond form', () => {
    assert.equal(formatGoDurationNs(1n), '1ns');
    assert.equal(formatGoDurationNs(1_500n), '1.5µs');
    assert.equal(formatGoDurationNs(-(60n * 60n * 1_000_000_000n)), '-1h0m0s');
  });

  test('non-finite input is rejected', () => {
    assert.throws(() => formatGoDuration(Number.NaN), TribuneError);
  });

  test('format then parse round-trips every whole-millisecond value', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), (ms) => {
        assert.equal(parseGoDuration(formatGoDuration(ms)), ms);
      }),
      { numRuns: 2000 },
    );
  });

  test('parse then format is stable for generated Go strings', () => {
    const unit = fc.constantFrom('h', 'm', 's', 'ms', 'us', 'ns');
    const part = fc.tuple(fc.integer({ min: 0, max: 999 }), unit).map(([n, u]) => `${n}${u}`);
    fc.assert(
      fc.property(fc.array(part, { minLength: 1, maxLength: 4 }), (parts) => {
        const text = parts.join('');
        const once = formatGoDurationNs(parseGoDurationNs(text));
        assert.equal(parseGoDurationNs(once), parseGoDurationNs(text));
        assert.equal(formatGoDurationNs(parseGoDurationNs(once)), once);
      }),
      { numRuns: 500 },
    );
  });
});
