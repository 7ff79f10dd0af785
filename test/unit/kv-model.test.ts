/**
 * Model-based test: random sequences of KV writes (single-key commands and small transactions)
 * applied to the real state machine and to a plain Map model must agree on every answer, every row,
 * and every index a blocking query would see.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { Command } from '../../core/hooks.js';
import { StateStore } from '../../core/state/store.js';
import { applyKvOpCommand } from '../../plugins/kv/fsm.js';
import { getKey, kvTableIndex, listKeys, prefixIndex } from '../../plugins/kv/queries.js';
import { applyKvTxnCommand } from '../../plugins/kv/txn.js';
import { type KvOp, type KvRow, kvOp, TABLE_KV } from '../../plugins/kv/types.js';

const KEYS = ['a', 'a/b', 'a/c', 'ab', 'b', 'b/a'] as const;
const PREFIXES = ['', 'a', 'a/', 'b/', 'c'] as const;

interface ModelEntry {
  value: string;
  flags: string;
  create: number;
  modify: number;
}

/** The obvious implementation: a Map, tombstones as a Map, the table index as a number. */
class Model {
  rows = new Map<string, ModelEntry>();
  tombstones = new Map<string, number>();
  tableIndex = 0;

  clone(): Model {
    const copy = new Model();
    copy.rows = new Map([...this.rows].map(([k, v]) => [k, { ...v }]));
    copy.tombstones = new Map(this.tombstones);
    copy.tableIndex = this.tableIndex;
    return copy;
  }

  private del(key: string, index: number): void {
    this.rows.delete(key);
    this.tombstones.set(key, index);
    this.tableIndex = index;
  }

  /** Returns false when the operation fails (and then it changed nothing). */
  run(op: KvOp, index: number): boolean {
    if (op.key === '' && op.verb !== 'delete-tree') return false;
    const existing = this.rows.get(op.key);
    const value = Buffer.from(op.value).toString();
    switch (op.verb) {
      case 'cas':
        if (op.index === 0 ? existing !== undefined : existing?.modify !== op.index) return false;
        return this.run({ ...op, verb: 'set' }, index);
      case 'set':
        if (existing && existing.value === value && existing.flags === op.flags) return true;
        this.rows.set(op.key, { value, flags: op.flags, create: existing?.create ?? index, modify: index });
        this.tombstones.delete(op.key);
        this.tableIndex = index;
        return true;
      case 'delete':
        if (existing) this.del(op.key, index);
        return true;
      case 'delete-cas':
        if (!existing) return true;
        if (existing.modify !== op.index) return false;
        this.del(op.key, index);
        return true;
      case 'delete-tree':
        for (const key of [...this.rows.keys()].filter((k) => k.startsWith(op.key))) this.del(key, index);
        return true;
      case 'get':
        return existing !== undefined;
      case 'check-index':
        return existing?.modify === op.index;
      default:
        throw new Error(`model has no verb ${op.verb}`);
    }
  }

  prefixIndex(prefix: string): number {
    if (prefix === '') return this.tableIndex;
    let max = 0;
    for (const [key, entry] of this.rows) if (key.startsWith(prefix)) max = Math.max(max, entry.modify);
    for (const [key, index] of this.tombstones) if (key.startsWith(prefix)) max = Math.max(max, index);
    return max === 0 ? this.tableIndex : max;
  }
}

type IndexChoice = 'zero' | 'current' | 'stale';
interface Step {
  verb: 'set' | 'cas' | 'delete' | 'delete-cas' | 'delete-tree' | 'get' | 'check-index';
  key: string;
  value: string;
  flags: string;
  index: IndexChoice;
}

const stepArb: fc.Arbitrary<Step> = fc.record({
  verb: fc.constantFrom('set', 'cas', 'delete', 'delete-cas', 'delete-tree', 'get', 'check-index'),
  key: fc.constantFrom(...KEYS, ...PREFIXES),
  value: fc.constantFrom('', 'x', 'y'),
  flags: fc.constantFrom('0', '1', '18446744073709551615'),
  index: fc.constantFrom<IndexChoice>('zero', 'current', 'stale'),
});

const writeVerbs = new Set(['set', 'cas', 'delete', 'delete-cas', 'delete-tree']);

/** A command is one write, or a transaction of one to four operations of any kind. */
const commandArb = fc.oneof(
  stepArb.filter((s) => writeVerbs.has(s.verb)).map((s) => [s]),
  fc.array(stepArb, { minLength: 1, maxLength: 4 }),
);

function resolve(step: Step, model: Model): KvOp {
  const current = model.rows.get(step.key)?.modify ?? 0;
  const index = step.index === 'zero' ? 0 : step.index === 'current' ? current : current + 1;
  return kvOp({
    verb: step.verb,
    key: step.key,
    value: new Uint8Array(Buffer.from(step.value)),
    flags: step.flags,
    index,
  });
}

test('random KV command sequences agree with a Map model', () => {
  fc.assert(
    fc.property(fc.array(commandArb, { maxLength: 40 }), (commands) => {
      const store = new StateStore();
      let model = new Model();
      let index = 0;
      for (const steps of commands) {
        index += 1;
        const ctx = { index, term: 1, time: 0, store };
        const isTxn = steps.length > 1 || !writeVerbs.has(steps[0]!.verb);
        // Operations inside one transaction resolve their CAS indexes against the state before it.
        const ops = steps.map((step) => resolve(step, model));
        let actual: boolean;
        if (isTxn) {
          const command: Command = { type: 'kv.txn', ops };
          actual = applyKvTxnCommand(store, command, ctx).errors === null;
        } else {
          const command: Command = { type: `kv.${ops[0]!.verb}`, op: ops[0] };
          actual = applyKvOpCommand(store, command, ctx) === true;
        }
        store.finishApply(index);

        const next = model.clone();
        const expected = ops.every((op) => next.run(op, index));
        if (expected) model = next;
        assert.equal(actual, expected, `command ${index}: ${JSON.stringify(steps)}`);

        const rows = [...store.table<KvRow>(TABLE_KV).values()].map((row) => [
          row.Key,
          {
            value: Buffer.from(row.Value).toString(),
            flags: row.Flags,
            create: row.CreateIndex,
            modify: row.ModifyIndex,
          },
        ]);
        assert.deepEqual(
          rows,
          [...model.rows].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        );
        assert.equal(kvTableIndex(store), model.tableIndex);
        for (const prefix of PREFIXES) {
          assert.equal(prefixIndex(store, prefix), model.prefixIndex(prefix), `prefix "${prefix}"`);
          assert.deepEqual(
            listKeys(store, prefix).value,
            [...model.rows.keys()].filter((k) => k.startsWith(prefix)).sort(),
          );
        }
        for (const key of KEYS) {
          const expectedIndex = model.rows.get(key)?.modify ?? model.tombstones.get(key) ?? model.tableIndex;
          assert.equal(getKey(store, key).index, expectedIndex, `key ${key}`);
        }
      }
    }),
    { numRuns: 300 },
  );
});
