/**
 * What user plugins import (`import { definePlugin, getHttpHooks } from 'tribune/plugin'`): the
 * manifest helper, the hooks other plugins publish, the error type and the types they carry.
 */

export { getHttpHooks } from '../plugins/http/hooks.js';
export type { ApiReply, ApiRequest } from '../plugins/http/request.js';
export type { RouteDefinition, RouteRegistrar } from '../plugins/http/routes.js';
export { type ErrorCode, TribuneError } from './errors.js';
export type { ApplyContext, CheckTransition, Command, KernelHooks, LeaderContext, Member } from './hooks.js';
export type { Kernel } from './kernel.js';
export { definePlugin, type PluginContext, type PluginManifest } from './plugin.js';
export { definePluginHooks } from './plugin-hooks.js';
export type { QueryResult } from './state/blocking.js';
