import assert from 'node:assert/strict';
import { test } from 'node:test';
import Router, { type RouterMiddleware } from '@koa/router';
import fc from 'fast-check';
import type { Context } from 'koa';
import { type PathRoute, RouterIndex, requestGroup } from '../../plugins/http/adapters/router-index.js';

// Route shapes as the plugins register them, plus ones whose first segments are not literal.
const PATHS = [
  '/v1/kv/{*key}',
  '/v1/txn',
  '/v1/agent/service/register',
  '/v1/agent/service/deregister/{*id}',
  '/v1/agent/service/{*id}',
  '/v1/agent/self',
  '/v1/status/leader',
  '/v1/catalog/node/{*node}',
  '/v1/:anything/special',
  '/',
  '/v1',
  '/ui/{*rest}',
];

type Hit = { route: string; params: Record<string, string> } | undefined;

function recordingRoutes(hits: { last: Hit }): PathRoute[] {
  return PATHS.map((path) => {
    const handler: RouterMiddleware = (ctx) => {
      hits.last = { route: path, params: { ...ctx.params } };
    };
    return { path, handler };
  });
}

async function route(dispatch: (ctx: Context, next: () => Promise<void>) => unknown, path: string) {
  const ctx = { method: 'GET', path, host: 'localhost', request: {} } as unknown as Context;
  await dispatch(ctx, async () => {});
}

const segment = fc.constantFrom(
  'v1',
  'V1',
  'kv',
  'KV',
  'txn',
  'agent',
  'Agent',
  'service',
  'register',
  'status',
  'leader',
  'catalog',
  'node',
  'special',
  'ui',
  'a%2Fb',
  '%6Bv',
  '',
  'x y',
  'é',
);

test('grouped routers route every path exactly as one router holding all routes', async () => {
  const groupedHits: { last: Hit } = { last: undefined };
  const index = new RouterIndex(recordingRoutes(groupedHits));
  const singleHits: { last: Hit } = { last: undefined };
  const single = new Router();
  for (const { path, handler } of recordingRoutes(singleHits)) single.all(path, handler);
  const singleDispatch = single.routes() as unknown as (ctx: Context, next: () => Promise<void>) => unknown;

  await fc.assert(
    fc.asyncProperty(fc.array(segment, { maxLength: 5 }), fc.boolean(), async (segments, trailing) => {
      const path = `/${segments.join('/')}${trailing ? '/' : ''}`;
      groupedHits.last = undefined;
      singleHits.last = undefined;
      await route(index.routerFor(path), path);
      await route(singleDispatch, path);
      assert.deepEqual(groupedHits.last, singleHits.last, path);
    }),
    { numRuns: 2000 },
  );
});

test('a request group is its first two segments, lower-cased', () => {
  assert.equal(requestGroup('/v1/kv/web/config'), '/v1/kv');
  assert.equal(requestGroup('/V1/KV'), '/v1/kv');
  assert.equal(requestGroup('/v1/kv/'), '/v1/kv');
  assert.equal(requestGroup('/v1'), '/v1');
  assert.equal(requestGroup('/'), '/');
});
