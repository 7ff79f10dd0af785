import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  APPENDED_LISTS,
  type ConfigSource,
  FLAGS_SOURCE_NAME,
  mergeConfig,
  sourceOf,
} from '../../core/config/merge.js';
import type { ConfigOverrides } from '../../core/config/types.js';

describe('mergeConfig', () => {
  test('later scalars override; objects merge per key; other arrays override', () => {
    const { value } = mergeConfig([
      {
        name: 'a.json',
        data: { node_name: 'a', ports: { http: 1, dns: 2 }, node_meta: { x: '1' }, tags: [1] },
      },
      { name: 'b.json', data: { node_name: 'b', ports: { http: 3 }, node_meta: { y: '2' }, tags: [2, 3] } },
    ]);
    assert.deepEqual(value, {
      node_name: 'b',
      ports: { http: 3, dns: 2 },
      node_meta: { x: '1', y: '2' },
      tags: [2, 3],
    });
  });

  test('services, checks, retry_join, watches, templates, plugins and recursors append', () => {
    const first: Record<string, unknown> = {};
    const second: Record<string, unknown> = {};
    for (const key of APPENDED_LISTS) {
      first[key] = [{ n: 1 }];
      second[key] = [{ n: 2 }, { n: 3 }];
    }
    first.services = [{ name: 'a' }];
    second.services = [{ name: 'b' }, { name: 'c' }];
    first.checks = [{ name: 'a' }];
    second.checks = [{ name: 'b' }, { name: 'c' }];
    const { value } = mergeConfig([{ data: first }, { data: second }]);
    for (const key of APPENDED_LISTS) assert.equal((value[key] as unknown[]).length, 3, key);
    assert.deepEqual(value.services, [{ name: 'a' }, { name: 'b' }, { name: 'c' }]);
  });

  test('service and check singular keys become list entries first', () => {
    const { value } = mergeConfig([
      { name: 'a.json', data: { services: [{ name: 'x' }] } },
      { name: 'b.json', data: { service: { Name: 'y' }, check: { Name: 'c', TTL: '1s' } } },
    ]);
    assert.deepEqual(value.services, [{ name: 'x' }, { name: 'y' }]);
    assert.deepEqual(value.checks, [{ name: 'c', ttl: '1s' }]);
  });

  test('flag overrides go on top', () => {
    const { value } = mergeConfig(
      [{ name: 'a.json', data: { node_name: 'file', ports: { http: 1, dns: 2 }, retry_join: ['a'] } }],
      {
        node_name: 'flag',
        ports: { http: 9 },
        retry_join: ['b'],
      },
    );
    assert.equal(value.node_name, 'flag');
    assert.deepEqual(value.ports, { http: 9, dns: 2 });
    assert.deepEqual(value.retry_join, ['a', 'b']);
  });

  test('inputs are never mutated', () => {
    const data = { ports: { http: 1 }, services: [{ name: 'a' }] };
    const copy = structuredClone(data);
    const { value } = mergeConfig([{ data }, { data: { ports: { dns: 2 }, services: [{ name: 'b' }] } }]);
    (value.services as Array<Record<string, unknown>>)[0]!.name = 'changed';
    assert.deepEqual(data, copy);
  });

  test('__proto__ keys cannot pollute prototypes', () => {
    const data = JSON.parse('{"__proto__": {"polluted": true}, "ports": {"__proto__": {"polluted": true}}}');
    const { value } = mergeConfig([{ data }]);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal((value.ports as Record<string, unknown>).polluted, undefined);
  });
});

describe('provenance', () => {
  test('top-level keys, nested keys and list entries remember their file', () => {
    const { provenance } = mergeConfig(
      [
        { data: { ports: { http: 8500, dns: 8600 }, services: [] } },
        {
          name: '/etc/tribune.d/a.json',
          data: { node_name: 'a', ports: { dns: 53 }, services: [{ name: 'x' }] },
        },
        { name: '/etc/tribune.d/web.json', data: { service: { name: 'web', port: 'eighty' } } },
      ],
      { node_name: 'flagged' },
    );
    assert.equal(sourceOf(provenance, '/services/0'), '/etc/tribune.d/a.json');
    assert.equal(sourceOf(provenance, '/services/1/port'), '/etc/tribune.d/web.json');
    assert.equal(sourceOf(provenance, '/ports/dns'), '/etc/tribune.d/a.json');
    assert.equal(sourceOf(provenance, '/ports/http'), undefined, 'a default has no file');
    assert.equal(sourceOf(provenance, '/node_name'), FLAGS_SOURCE_NAME);
    assert.equal(sourceOf(provenance, '/nothing/here'), undefined);
  });

  test('replacing an object wholesale forgets the provenance beneath it', () => {
    const { provenance } = mergeConfig([
      { name: 'a.json', data: { limits: { kv_max_value_size: 1 } } },
      { name: 'b.json', data: { limits: 'not an object' } },
    ]);
    assert.equal(sourceOf(provenance, '/limits/kv_max_value_size'), 'b.json');
  });
});

const scalar = fc.oneof(fc.integer(), fc.string({ maxLength: 5 }), fc.boolean());
const block = fc.dictionary(fc.constantFrom('x', 'y', 'z'), scalar, { maxKeys: 3 });
/**
 * Layers as files give them: each key keeps one shape across layers (scalars stay scalars, blocks
 * stay objects, list keys hold lists), which is what a schema-conforming config looks like.
 */
const layer = fc.record(
  {
    a: scalar,
    node_name: scalar,
    datacenter: scalar,
    ports: block,
    limits: block,
    services: fc.array(fc.record({ name: fc.string({ maxLength: 3 }) }), { maxLength: 2 }),
    retry_join: fc.array(fc.string({ maxLength: 3 }), { maxLength: 2 }),
    watches: fc.array(block, { maxLength: 2 }),
  },
  { requiredKeys: [] },
) as fc.Arbitrary<Record<string, unknown>>;

describe('merge properties', () => {
  test('merging is associative: (a·b)·c = a·(b·c)', () => {
    fc.assert(
      fc.property(layer, layer, layer, (a, b, c) => {
        const left = mergeConfig([
          { data: mergeConfig([{ data: a }, { data: b }]).value },
          { data: c },
        ]).value;
        const right = mergeConfig([
          { data: a },
          { data: mergeConfig([{ data: b }, { data: c }]).value },
        ]).value;
        assert.deepEqual(left, right);
      }),
      { numRuns: 300 },
    );
  });

  test('layers with disjoint keys commute', () => {
    fc.assert(
      fc.property(layer, layer, (a, b) => {
        const bOnly = Object.fromEntries(Object.entries(b).filter(([key]) => !(key in a)));
        const ab = mergeConfig([{ data: a }, { data: bOnly }]).value;
        const ba = mergeConfig([{ data: bOnly }, { data: a }]).value;
        assert.deepEqual(ab, ba);
      }),
      { numRuns: 300 },
    );
  });

  test('appended list lengths add up', () => {
    const lists = fc.array(fc.record({ name: fc.string({ maxLength: 4 }) }), { maxLength: 5 });
    fc.assert(
      fc.property(
        fc.array(fc.record({ services: lists, retry_join: fc.array(fc.string(), { maxLength: 3 }) })),
        (layers) => {
          const sources: ConfigSource[] = layers.map((data, i) => ({ name: `f${i}.json`, data }));
          const { value, provenance } = mergeConfig(sources);
          const expected = layers.reduce((sum, l) => sum + l.services.length, 0);
          assert.equal(((value.services as unknown[] | undefined) ?? []).length, expected);
          assert.equal(
            ((value.retry_join as unknown[] | undefined) ?? []).length,
            layers.reduce((sum, l) => sum + l.retry_join.length, 0),
          );
          // Every service entry is attributed to the file that listed it.
          let index = 0;
          layers.forEach((l, i) => {
            for (let k = 0; k < l.services.length; k++) {
              assert.equal(sourceOf(provenance, `/services/${index}`), `f${i}.json`);
              index++;
            }
          });
        },
      ),
      { numRuns: 200 },
    );
  });

  test('flags always win over every file for scalar keys', () => {
    const overrides = fc.record(
      {
        node_name: fc.string({ maxLength: 5 }),
        datacenter: fc.string({ maxLength: 5 }),
        server: fc.boolean(),
        ports: fc.record({ http: fc.integer({ min: -1, max: 65535 }) }, { requiredKeys: [] }),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.array(layer, { maxLength: 4 }), overrides, (layers, flags) => {
        const { value } = mergeConfig(
          layers.map((data) => ({ data })),
          flags as ConfigOverrides,
        );
        for (const [key, flagValue] of Object.entries(flags)) {
          if (key === 'ports') {
            for (const [port, n] of Object.entries(flagValue as Record<string, number>)) {
              assert.equal((value.ports as Record<string, unknown>)[port], n);
            }
          } else {
            assert.deepEqual(value[key], flagValue);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
