/**
 * The kv plugin: Consul's key/value store and KV transactions. Single-key writes and transactions are
 * replicated commands applied by fsm.ts / txn.ts; routes.ts serves `/v1/kv/*` and `/v1/txn`;
 * queries.ts holds the reads other plugins (DNS, templates) may reuse.
 */
import { definePlugin } from '../../core/plugin.js';
import { getHttpHooks } from '../http/index.js';
import { applyKvOpCommand } from './fsm.js';
import { registerKvRoutes } from './routes.js';
import { kvConfigSchema } from './schema.js';
import { applyKvTxnCommand } from './txn.js';
import { KV_COMMANDS } from './types.js';

export function createKvPlugin() {
  return definePlugin({
    name: 'kv',
    dependencies: ['http'],
    configSchema: kvConfigSchema,
    commands: KV_COMMANDS,
    apply(kernel) {
      for (const type of KV_COMMANDS) {
        const handler = type === 'kv.txn' ? applyKvTxnCommand : applyKvOpCommand;
        kernel.hooks.onApply.for(type).tap('kv', (command, ctx) => handler(ctx.store, command, ctx));
      }
      getHttpHooks(kernel).routes.tap('kv', (routes) => registerKvRoutes(routes, kernel));
    },
  });
}
