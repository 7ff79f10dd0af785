import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { TribuneError } from '../../core/errors.js';
import { field, parseJson, stringifyJson } from '../../core/util/json.js';

test('integers beyond 2^53 stay exact through parse and stringify', () => {
  const text = '{"Flags":3304740253564472344,"Small":42,"F":1.5,"E":1e3}';
  const value = parseJson(text) as Record<string, unknown>;
  assert.equal(value.Flags, 3304740253564472344n);
  assert.equal(value.Small, 42);
  assert.equal(value.F, 1.5);
  assert.equal(value.E, 1000);
  assert.equal(stringifyJson(value), '{"Flags":3304740253564472344,"Small":42,"F":1.5,"E":1000}');
});

/** Unsafe integers come back as bigint by design; compare them as the numbers JSON.parse gives. */
function asNumbers(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(asNumbers);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asNumbers(v)]));
  }
  return value;
}

test('parse matches JSON.parse on ordinary documents', () => {
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 4 }), (doc) => {
      const text = JSON.stringify(doc);
      assert.deepEqual(asNumbers(parseJson(text)), JSON.parse(text));
      assert.equal(stringifyJson(JSON.parse(text)), text);
    }),
    { numRuns: 300 },
  );
});

test('pretty output matches JSON.stringify with the same indent', () => {
  const doc = { a: [1, { b: 'x' }, []], c: {}, d: null };
  assert.equal(stringifyJson(doc, '    '), JSON.stringify(doc, null, '    '));
});

test('malformed JSON is a 400 with a position', () => {
  for (const bad of ['{', '{"a":}', '[1,]', '{"a":1}x', '"\u0001"', 'tru']) {
    assert.throws(
      () => parseJson(bad),
      (err: unknown) =>
        err instanceof TribuneError && err.code === 'BAD_REQUEST' && /offset \d+/.test(err.message),
      bad,
    );
  }
});

test('__proto__ keys are plain data, never the prototype', () => {
  const value = parseJson('{"__proto__":{"polluted":true}}') as Record<string, unknown>;
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.deepEqual(Object.keys(value), ['__proto__']);
});

test('field lookup is case-insensitive like Go, snake_case on request', () => {
  const body = { name: 'web', Enable_Tag_Override: true, ID: 'x' };
  assert.equal(field(body, 'Name'), 'web');
  assert.equal(field(body, 'Id'), 'x');
  assert.equal(field(body, 'EnableTagOverride'), undefined);
  assert.equal(field(body, 'EnableTagOverride', true), true);
  assert.equal(field([1], 'x'), undefined);
});
