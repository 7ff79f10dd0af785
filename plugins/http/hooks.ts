/** Hooks the http plugin publishes: other plugins tap `routes` to add their endpoints. */
import { SyncHook } from 'tapable';
import { definePluginHooks } from '../../core/plugin-hooks.js';
import type { RouteRegistrar } from './routes.js';

export const getHttpHooks = definePluginHooks('http', () => ({
  routes: new SyncHook<[RouteRegistrar]>(['routes']),
}));
