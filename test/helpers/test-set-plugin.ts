/**
 * A tiny plugin with replicated commands, for testing consensus providers: `test.set` writes a row
 * to table `test` (stamped with the entry's index, term and time) and returns whether the key was
 * new; `test.fail` throws, as a broken invariant would. Every applied index is recorded in order.
 */
import type { Command } from '../../core/hooks.js';
import { definePlugin } from '../../core/plugin.js';

export interface TestRow {
  key: string;
  value: unknown;
  CreateIndex: number;
  ModifyIndex: number;
  term: number;
  time: number;
}

export interface TestSetProbe {
  applied: number[];
}

export function setCommand(key: string, value: unknown = key): Command {
  return { type: 'test.set', key, value };
}

export function createTestSetPlugin(probe: TestSetProbe = { applied: [] }) {
  return definePlugin({
    name: 'test-set',
    commands: ['test.set', 'test.fail'],
    apply(kernel) {
      kernel.hooks.onApply.for('test.set').tap('test-set', (command, ctx) => {
        probe.applied.push(ctx.index);
        const table = ctx.store.table<TestRow>('test');
        const key = String(command.key);
        const previous = table.get(key);
        table.set(key, {
          key,
          value: command.value,
          CreateIndex: previous?.CreateIndex ?? ctx.index,
          ModifyIndex: ctx.index,
          term: ctx.term,
          time: ctx.time,
        });
        ctx.store.bump(`test/${key}`, ctx.index);
        return previous === undefined;
      });
      kernel.hooks.onApply.for('test.fail').tap('test-set', (_command, ctx) => {
        probe.applied.push(ctx.index);
        throw new Error(`test.fail applied at ${ctx.index}`);
      });
    },
  });
}
