import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { criticalSince, servicesToReap } from '../../plugins/health/core/reaper.js';
import { initialStagger, nextSlot } from '../../plugins/health/core/stagger.js';
import { ttlExpiredOutput, ttlStarted, ttlTick, ttlUpdated } from '../../plugins/health/core/ttl.js';

describe('TTL expiry', () => {
  test('expires at the deadline, once, with "TTL expired"', () => {
    let state = ttlStarted(1000, 500);
    assert.equal(ttlTick(state, 1499).report, undefined);
    const first = ttlTick(state, 1500);
    assert.equal(first.report, 'TTL expired');
    state = first.state;
    assert.equal(ttlTick(state, 5000).report, undefined, 'reported once until the next update');
  });

  test('an update restarts the clock and the expiry quotes the last output', () => {
    let state = ttlStarted(0, 100);
    state = ttlUpdated(90, 100, 'all good');
    assert.equal(ttlTick(state, 150).report, undefined);
    assert.equal(ttlTick(state, 190).report, 'TTL expired (last output before timeout follows): all good');
    assert.equal(ttlExpiredOutput(''), 'TTL expired');
  });

  test('property: never expired before the deadline, always at or after it', () => {
    fc.assert(
      fc.property(
        fc.nat(1e9),
        fc.integer({ min: 1, max: 1e9 }),
        fc.integer({ min: -1e9, max: 1e9 }),
        (start, ttl, delta) => {
          const state = ttlStarted(start, ttl);
          const now = start + ttl + delta;
          assert.equal(ttlTick(state, now).report !== undefined, delta >= 0);
        },
      ),
    );
  });
});

describe('stagger and fixed-rate slots', () => {
  test('the first run lands within the interval', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 86_400_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (interval, r) => {
          const offset = initialStagger(interval, r);
          assert.ok(
            Number.isInteger(offset) && offset >= 0 && offset < interval,
            `${offset} for ${interval}`,
          );
        },
      ),
    );
    assert.equal(initialStagger(0, 0.5), 0);
    assert.equal(initialStagger(1000, Number.NaN), 0);
    assert.equal(initialStagger(1000, 0.25), 250);
  });

  test('slots keep a fixed rate; a late slot runs at once; wholly missed ones are dropped', () => {
    assert.deepEqual(nextSlot(1000, 200, 1010), { at: 1200, dropped: 0 });
    assert.deepEqual(nextSlot(1000, 200, 1350), { at: 1200, dropped: 0 }, 'late by 150ms: runs at once');
    assert.deepEqual(nextSlot(1000, 200, 1650), { at: 1600, dropped: 2 });
  });

  test('property: the next slot is on the grid, after the last, and less than one interval late', () => {
    fc.assert(
      fc.property(
        fc.nat(1e9),
        fc.integer({ min: 1, max: 1e6 }),
        fc.integer({ min: 0, max: 1e8 }),
        (planned, interval, elapsed) => {
          const now = planned + elapsed;
          const { at, dropped } = nextSlot(planned, interval, now);
          assert.equal(at, planned + (dropped + 1) * interval);
          assert.ok(at > planned);
          assert.ok(now - at < interval);
          assert.ok(dropped >= 0);
        },
      ),
    );
  });
});

describe('deregister_critical_service_after', () => {
  test('the critical clock starts when a check turns critical and stops when it leaves', () => {
    assert.equal(criticalSince(undefined, 'critical', 100), 100);
    assert.equal(criticalSince(100, 'critical', 500), 100);
    assert.equal(criticalSince(100, 'warning', 500), undefined);
    assert.equal(criticalSince(undefined, 'passing', 500), undefined);
  });

  test('a service is reaped once one of its checks has been critical for longer than its setting', () => {
    const reaped = servicesToReap(
      [
        { checkId: 'a1', serviceId: 'a', criticalSince: 0, deregisterAfterMs: 60_000 },
        { checkId: 'a2', serviceId: 'a', criticalSince: 0, deregisterAfterMs: 1 },
        { checkId: 'b', serviceId: 'b', criticalSince: 0, deregisterAfterMs: 61_000 },
        { checkId: 'c', serviceId: 'c', criticalSince: undefined, deregisterAfterMs: 1 },
        { checkId: 'd', serviceId: 'd', criticalSince: 0, deregisterAfterMs: 0 },
        { checkId: 'node', serviceId: '', criticalSince: 0, deregisterAfterMs: 1 },
      ],
      60_001,
    );
    assert.deepEqual(reaped, [{ serviceId: 'a', checkId: 'a1' }]);
    assert.deepEqual(
      servicesToReap([{ checkId: 'x', serviceId: 'x', criticalSince: 0, deregisterAfterMs: 100 }], 100),
      [],
      'exactly the setting is not yet too long',
    );
  });
});
