import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { CheckStatus } from '../../core/hooks.js';
import {
  applyResult,
  type CheckResult,
  initialCounters,
  type Thresholds,
  thresholdsOf,
} from '../../plugins/health/core/thresholds.js';

const LETTER: Readonly<Record<string, CheckStatus>> = { P: 'passing', W: 'warning', C: 'critical' };

/** Feeds `results` (letters P/W/C) and returns what was recorded at each step ('-' for nothing). */
function run(thresholds: Thresholds, results: readonly CheckStatus[]): (CheckResult | undefined)[] {
  let counters = initialCounters(thresholds);
  return results.map((status, i) => {
    const step = applyResult(thresholds, counters, { status, output: `out ${i}` });
    counters = step.counters;
    return step.record;
  });
}

function letters(records: (CheckResult | undefined)[]): string {
  return records.map((r) => (r ? r.status.charAt(0).toUpperCase() : '-')).join('');
}

describe('thresholdsOf', () => {
  test('failures_before_warning defaults to failures_before_critical (0 counts as unset, as in Consul)', () => {
    assert.deepEqual(thresholdsOf({}), {
      successBeforePassing: 0,
      failuresBeforeWarning: 0,
      failuresBeforeCritical: 0,
    });
    assert.deepEqual(thresholdsOf({ failures_before_critical: 3 }), {
      successBeforePassing: 0,
      failuresBeforeWarning: 3,
      failuresBeforeCritical: 3,
    });
    assert.deepEqual(
      thresholdsOf({ success_before_passing: 2, failures_before_warning: 1, failures_before_critical: 3 }),
      { successBeforePassing: 2, failuresBeforeWarning: 1, failuresBeforeCritical: 3 },
    );
    assert.equal(
      thresholdsOf({ failures_before_warning: 0, failures_before_critical: 4 }).failuresBeforeWarning,
      4,
    );
    assert.equal(thresholdsOf({ success_before_passing: -1 }).successBeforePassing, 0);
  });
});

describe('applyResult: consecutive-result thresholds', () => {
  const cases: {
    name: string;
    def: Parameters<typeof thresholdsOf>[0];
    results: string;
    recorded: string;
  }[] = [
    {
      name: 'no thresholds: every result is recorded as it is',
      def: {},
      results: 'PCWCP',
      recorded: 'PCWCP',
    },
    {
      name: 'success_before_passing 2: the first result is recorded at once, later ones need 2 in a row',
      def: { success_before_passing: 2 },
      results: 'CPPCPWP',
      recorded: 'C-PC-WP',
    },
    {
      name: 'a check that starts passing is recorded at once (counters start at the thresholds)',
      def: { success_before_passing: 3 },
      results: 'PPP',
      recorded: 'PPP',
    },
    {
      name: 'failures_before_critical 3: two failures change nothing, the third is critical',
      def: { failures_before_critical: 3 },
      results: 'PCCCCP',
      recorded: 'P--CCP',
    },
    {
      name: 'failures_before_warning 1 then critical at 3',
      def: { failures_before_warning: 1, failures_before_critical: 3 },
      results: 'PCCCP',
      recorded: 'PWWCP',
    },
    {
      name: 'a success breaks a run of failures',
      def: { failures_before_critical: 2 },
      results: 'PCPCC',
      recorded: 'P-P-C',
    },
    {
      name: 'a warning result counts as a success and is recorded as a warning',
      def: { success_before_passing: 2 },
      results: 'CWWP',
      recorded: 'C-WP',
    },
    {
      name: 'a critical run from the start is recorded at once',
      def: { failures_before_critical: 5 },
      results: 'CCP',
      recorded: 'CCP',
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const results = [...c.results].map((l) => LETTER[l] as CheckStatus);
      const records = run(thresholdsOf(c.def), results);
      assert.equal(letters(records), c.recorded);
      records.forEach((r, i) => {
        if (r) assert.equal(r.output, `out ${i}`, 'the output recorded is the result that triggered it');
      });
    });
  }
});

const statuses = fc.constantFrom<CheckStatus>('passing', 'warning', 'critical');
const thresholdsArb = fc
  .record({ s: fc.nat(5), w: fc.nat(5), c: fc.nat(5) })
  .filter(({ w, c }) => w <= c || w === 0)
  .map(({ s, w, c }) =>
    thresholdsOf({ success_before_passing: s, failures_before_warning: w, failures_before_critical: c }),
  );

describe('applyResult properties', () => {
  test('a status is recorded only once the configured number of results in a row agree', () => {
    fc.assert(
      fc.property(thresholdsArb, fc.array(statuses, { minLength: 1, maxLength: 60 }), (t, results) => {
        const records = run(t, results);
        // Independent model: the length of the run of same-kind results (critical or not) ending at i,
        // and whether that run started with the very first result.
        let runLength = 0;
        results.forEach((status, i) => {
          const failing = status === 'critical';
          const previous = results[i - 1];
          runLength =
            i > 0 && previous !== undefined && (previous === 'critical') === failing ? runLength + 1 : 1;
          const fromStart = runLength === i + 1;
          const record = records[i];
          if (!failing) {
            const due = fromStart || runLength >= t.successBeforePassing;
            assert.equal(record?.status, due ? status : undefined);
          } else if (fromStart || runLength >= t.failuresBeforeCritical) {
            assert.equal(record?.status, 'critical');
          } else if (runLength >= t.failuresBeforeWarning) {
            assert.equal(record?.status, 'warning');
          } else {
            assert.equal(record, undefined);
          }
        });
      }),
      { numRuns: 500 },
    );
  });

  test('enough identical results in a row always bring the check to that status', () => {
    fc.assert(
      fc.property(thresholdsArb, fc.array(statuses, { maxLength: 30 }), statuses, (t, prefix, final) => {
        const needed = Math.max(t.successBeforePassing, t.failuresBeforeCritical, 1);
        const records = run(t, [...prefix, ...Array.from({ length: needed }, () => final)]);
        assert.equal(records.at(-1)?.status, final);
      }),
      { numRuns: 300 },
    );
  });

  test('counters stay bounded however long a run is', () => {
    const t = thresholdsOf({ success_before_passing: 2, failures_before_critical: 3 });
    let counters = initialCounters(t);
    for (let i = 0; i < 10_000; i++)
      counters = applyResult(t, counters, { status: 'passing', output: '' }).counters;
    assert.ok(counters.successes <= 3);
  });
});
