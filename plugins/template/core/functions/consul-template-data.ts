/**
 * consul-template's data functions: key, keyExists, keyOrDefault, ls, safeLs, tree, safeTree, service,
 * services, node, nodes, datacenters, file, env, and the per-render scratch pad.
 *
 * Each records its dependency in the render context and, until the data arrives, returns the same
 * placeholder consul-template returns (an empty string or list, nil for node), so a first render
 * completes and lists everything the template needs.
 */
import { FuncError, fn, type GoFunction, variadicFn } from '../func-spec.js';
import { goTyped } from '../values.js';
import type { Dependency, KeyPair } from './data-source.js';
import { MISSING } from './data-source.js';
import {
  catalogNodeDependency,
  catalogNodesDependency,
  catalogServicesDependency,
  healthServiceDependency,
  kvGetDependency,
  kvListDependency,
} from './dependencies.js';
import { goTrimSpace } from './go-strings.js';
import type { RenderContext } from './render-context.js';
import { Scratch } from './scratch.js';

const KEY_PAIR_LIST = '[]*dependency.KeyPair';

function list(ctx: RenderContext, s: string, safe: boolean, keep: (pair: KeyPair) => boolean): unknown {
  const empty = goTyped(KEY_PAIR_LIST, [] as KeyPair[]);
  if (s === '') return empty;
  const dep = kvListDependency(s);
  const pairs = ctx.fetch(dep);
  if (pairs === MISSING) return empty;
  const result = pairs.filter(keep);
  // safeLs / safeTree refuse to render on an empty prefix: the data counts as not yet arrived.
  if (result.length === 0 && safe) ctx.refuse(dep);
  return goTyped(KEY_PAIR_LIST, result);
}

const topLevel = (pair: KeyPair): boolean => pair.Key !== '' && !pair.Key.includes('/');
const notFolder = (pair: KeyPair): boolean => pair.Key !== '' && !pair.Key.endsWith('/');

export function consulTemplateDataFunctions(ctx: RenderContext): Record<string, GoFunction> {
  const scratch = new Scratch();
  return {
    datacenters: variadicFn([], 'bool', (args) => {
      if (args.length > 1) {
        throw new FuncError(
          `datacenters: wrong number of arguments, expected 0 or 1, but got ${args.length}`,
        );
      }
      const ignoreFailing = args[0] === true;
      const dep: Dependency = { kind: 'catalog.datacenters', id: 'catalog.datacenters', ignoreFailing };
      const r = ctx.fetch(dep);
      return goTyped('[]string', r === MISSING ? [] : [...(r as readonly string[])]);
    }),
    env: fn(['string'], ([name]) => ctx.data.env(name as string) ?? ''),
    file: fn(['string'], ([s]) => {
      if (s === '') return '';
      const path = goTrimSpace(s as string);
      const r = ctx.fetch({ kind: 'file', id: `file(${path})`, path });
      return r === MISSING || r === null ? '' : r;
    }),
    key: fn(['string'], ([s]) => {
      if (s === '') return '';
      const dep = kvGetDependency(s as string, true);
      const r = ctx.fetch(dep);
      if (r === MISSING) return '';
      // `key` blocks until the key exists: an absent key keeps the template from rendering.
      if (r === null) {
        ctx.refuse(dep);
        return '';
      }
      return r;
    }),
    keyExists: fn(['string'], ([s]) => {
      if (s === '') return false;
      const r = ctx.fetch(kvGetDependency(s as string, false));
      return r !== MISSING && r !== null;
    }),
    keyOrDefault: fn(['string', 'string'], ([s, def]) => {
      if (s === '') return def;
      const r = ctx.fetch(kvGetDependency(s as string, false));
      return r === MISSING || r === null || r === '' ? def : r;
    }),
    ls: fn(['string'], ([s]) => list(ctx, s as string, false, topLevel)),
    safeLs: fn(['string'], ([s]) => list(ctx, s as string, true, topLevel)),
    tree: fn(['string'], ([s]) => list(ctx, s as string, false, notFolder)),
    safeTree: fn(['string'], ([s]) => list(ctx, s as string, true, notFolder)),
    node: variadicFn([], 'string', (args) => {
      const r = ctx.fetch(catalogNodeDependency(args.join('')));
      return r === MISSING ? null : r;
    }),
    nodes: variadicFn([], 'string', (args) => {
      const r = ctx.fetch(catalogNodesDependency(args.join('')));
      return goTyped('[]*dependency.Node', r === MISSING ? [] : [...r]);
    }),
    service: variadicFn([], 'string', (args) => {
      const empty = goTyped('[]*dependency.HealthService', []);
      if (args.length === 0 || args[0] === '') return empty;
      const r = ctx.fetch(healthServiceDependency(args.join('|')));
      return r === MISSING ? empty : goTyped('[]*dependency.HealthService', [...r]);
    }),
    services: variadicFn([], 'string', (args) => {
      const r = ctx.fetch(catalogServicesDependency(args.join('')));
      return goTyped('[]*dependency.CatalogSnippet', r === MISSING ? [] : [...r]);
    }),
    scratch: fn([], () => scratch),
  };
}
