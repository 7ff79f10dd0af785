/**
 * The catalog plugin: the replicated catalog of nodes, services and checks, Consul's
 * /v1/catalog/* and /v1/status/* endpoints, and the leader's reconcile of its own node.
 */
import { definePlugin } from '../../core/plugin.js';
import { getHttpHooks } from '../http/hooks.js';
import { applyCatalogDeregister, applyCatalogRegister } from './fsm.js';
import { tapLeaderReconcile } from './leader.js';
import { addCatalogRoutes } from './routes.js';
import type { CatalogDeregisterCommand, CatalogRegisterCommand } from './types.js';

export function createCatalogPlugin() {
  return definePlugin({
    name: 'catalog',
    dependencies: ['http'],
    commands: ['catalog.register', 'catalog.deregister'],
    apply(kernel) {
      kernel.hooks.onApply
        .for('catalog.register')
        .tap('catalog', (cmd, ctx) =>
          applyCatalogRegister(ctx.store, cmd as unknown as CatalogRegisterCommand, ctx.index),
        );
      kernel.hooks.onApply
        .for('catalog.deregister')
        .tap('catalog', (cmd, ctx) =>
          applyCatalogDeregister(ctx.store, cmd as unknown as CatalogDeregisterCommand, ctx.index),
        );
      getHttpHooks(kernel).routes.tap('catalog', addCatalogRoutes);
      tapLeaderReconcile(kernel);
    },
  });
}
