import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Consul from 'consul';
import { definePlugin } from '../../core/plugin.js';
import { createAgentPlugin } from '../../plugins/agent/index.js';
import { createCatalogPlugin } from '../../plugins/catalog/index.js';
import { registerHealthRoutes } from '../../plugins/health/routes.js';
import { createHttpPlugin } from '../../plugins/http/index.js';
import { startTestKernel, type TestKernel } from '../helpers/test-kernel.js';

/** Stands in for the health plugin's manifest: only the routes are under test here. */
function healthRoutesPlugin() {
  return definePlugin({
    name: 'health',
    dependencies: ['http', 'catalog'],
    apply(kernel) {
      registerHealthRoutes(kernel);
    },
  });
}

let agent: TestKernel;

before(async () => {
  agent = await startTestKernel({
    plugins: [
      createHttpPlugin(),
      createCatalogPlugin(),
      createAgentPlugin({ random: () => 0 }),
      healthRoutesPlugin(),
    ],
  });
  await registerFixture();
});
after(async () => {
  await agent.stop();
});

type Json = Record<string, unknown>;

interface Reply {
  status: number;
  index: string | null;
  contentType: string;
  text: string;
  json: () => unknown;
}

async function call(method: string, path: string, body?: unknown): Promise<Reply> {
  const init: RequestInit = { method };
  if (body !== undefined) init.body = JSON.stringify(body);
  const res = await fetch(`${agent.url}${path}`, init);
  const text = await res.text();
  return {
    status: res.status,
    index: res.headers.get('x-consul-index'),
    contentType: res.headers.get('content-type') ?? '',
    text,
    json: () => JSON.parse(text),
  };
}

async function ok(method: string, path: string, body?: unknown): Promise<Reply> {
  const reply = await call(method, path, body);
  assert.equal(reply.status, 200, `${method} ${path}: ${reply.text}`);
  return reply;
}

const get = (path: string) => call('GET', path);

interface CheckBody {
  CheckID: string;
  Status: string;
  ServiceID?: string;
}

async function registerInstance(
  node: string,
  meta: Record<string, string>,
  service: { ID: string; Service: string; Tags?: string[]; Port?: number } | null,
  checks: CheckBody[],
): Promise<void> {
  const reply = await ok('PUT', '/v1/catalog/register', {
    Node: node,
    Address: `10.8.0.${node.slice(1)}`,
    NodeMeta: meta,
    ...(service ? { Service: service } : {}),
    Checks: checks.map((c) => ({ ...c, Name: `check ${c.CheckID}` })),
  });
  assert.equal(reply.text, 'true');
}

/** Waits (bounded in time and count) until `count` blocking queries are parked in the store. */
async function waitForWaiters(count: number): Promise<void> {
  const deadline = Date.now() + 5_000;
  for (let i = 0; i < 1_000 && Date.now() < deadline; i++) {
    if (agent.kernel.store.watch.waiterCount >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  assert.fail(`expected ${count} blocking queries to be waiting`);
}

const serviceIds = (entries: unknown) => (entries as { Service: { ID: string } }[]).map((e) => e.Service.ID);
const checkKeys = (checks: unknown) =>
  (checks as { Node: string; CheckID: string }[]).map((c) => `${c.Node}/${c.CheckID}`);

/**
 * h1 (rack a): serfHealth passing; web-1 [primary v1] passing; api-1 critical.
 * h2 (rack b): serfHealth critical; web-2 [v1] passing.
 * h3 (rack a): serfHealth passing; web-3 [v1 canary] warning.
 */
async function registerFixture(): Promise<void> {
  await registerInstance('h1', { rack: 'a' }, { ID: 'web-1', Service: 'web', Tags: ['primary', 'v1'] }, [
    { CheckID: 'serfHealth', Status: 'passing' },
    { CheckID: 'service:web-1', Status: 'passing', ServiceID: 'web-1' },
  ]);
  await registerInstance('h1', { rack: 'a' }, { ID: 'api-1', Service: 'api' }, [
    { CheckID: 'service:api-1', Status: 'critical', ServiceID: 'api-1' },
  ]);
  await registerInstance('h2', { rack: 'b' }, { ID: 'web-2', Service: 'web', Tags: ['v1'] }, [
    { CheckID: 'serfHealth', Status: 'critical' },
    { CheckID: 'service:web-2', Status: 'passing', ServiceID: 'web-2' },
  ]);
  await registerInstance('h3', { rack: 'a' }, { ID: 'web-3', Service: 'web', Tags: ['v1', 'canary'] }, [
    { CheckID: 'serfHealth', Status: 'passing' },
    { CheckID: 'service:web-3', Status: 'warning', ServiceID: 'web-3' },
  ]);
}

describe('GET /v1/health/node/:node', () => {
  test("the node's checks in Consul's HealthCheck shape, with X-Consul-Index", async () => {
    const reply = await ok('GET', '/v1/health/node/h1');
    assert.equal(reply.contentType, 'application/json');
    assert.ok(Number(reply.index) >= 1);
    const checks = reply.json() as Json[];
    assert.deepEqual(checkKeys(checks), ['h1/serfHealth', 'h1/service:api-1', 'h1/service:web-1']);
    const web = checks[2]!;
    assert.deepEqual(Object.keys(web), [
      'Node',
      'CheckID',
      'Name',
      'Status',
      'Notes',
      'Output',
      'ServiceID',
      'ServiceName',
      'ServiceTags',
      'Type',
      'Interval',
      'Timeout',
      'ExposedPort',
      'Definition',
      'CreateIndex',
      'ModifyIndex',
    ]);
    assert.deepEqual([web.ServiceName, web.ServiceTags, web.Status], ['web', ['primary', 'v1'], 'passing']);
  });

  test('?filter, an unknown node, a missing name', async () => {
    const filtered = await ok('GET', `/v1/health/node/h1?filter=${encodeURIComponent('ServiceName == api')}`);
    assert.deepEqual(checkKeys(filtered.json()), ['h1/service:api-1']);
    const unknown = await ok('GET', '/v1/health/node/nowhere');
    assert.equal(unknown.text, '[]');
    assert.equal(unknown.index, '1');
    const bad = await get('/v1/health/node/h1?filter=ServiceName%20%3D%3D');
    assert.equal(bad.status, 400);
  });
});

describe('GET /v1/health/checks/:service', () => {
  test('the checks of every instance, no node-level ones; ?filter and ?node-meta', async () => {
    assert.deepEqual(checkKeys((await ok('GET', '/v1/health/checks/web')).json()), [
      'h1/service:web-1',
      'h2/service:web-2',
      'h3/service:web-3',
    ]);
    const warning = await ok(
      'GET',
      `/v1/health/checks/web?filter=${encodeURIComponent('Status == warning')}`,
    );
    assert.deepEqual(checkKeys(warning.json()), ['h3/service:web-3']);
    const rackB = await ok('GET', '/v1/health/checks/web?node-meta=rack:b');
    assert.deepEqual(checkKeys(rackB.json()), ['h2/service:web-2']);
    assert.equal((await ok('GET', '/v1/health/checks/nothing')).text, '[]');
  });
});

describe('GET /v1/health/service/:service', () => {
  test('entries of Node, Service and Checks (node-level first), field for field', async () => {
    const reply = await ok('GET', '/v1/health/service/web?near=_agent');
    const entries = reply.json() as { Node: Json; Service: Json; Checks: Json[] }[];
    assert.deepEqual(serviceIds(entries), ['web-1', 'web-2', 'web-3']);
    const first = entries[0]!;
    assert.deepEqual(Object.keys(first), ['Node', 'Service', 'Checks']);
    assert.deepEqual(Object.keys(first.Node), [
      'ID',
      'Node',
      'Address',
      'Datacenter',
      'TaggedAddresses',
      'Meta',
      'CreateIndex',
      'ModifyIndex',
    ]);
    assert.deepEqual(Object.keys(first.Service), [
      'ID',
      'Service',
      'Tags',
      'Address',
      'Meta',
      'Weights',
      'EnableTagOverride',
      'Proxy',
      'Connect',
      'PeerName',
      'CreateIndex',
      'ModifyIndex',
    ]);
    assert.deepEqual(
      [first.Node.Node, first.Node.Meta, first.Service.Tags],
      ['h1', { rack: 'a' }, ['primary', 'v1']],
    );
    assert.deepEqual(
      first.Checks.map((c) => c.CheckID),
      ['serfHealth', 'service:web-1'],
    );
    assert.equal(reply.index, String(agent.kernel.store.topicIndex('service/web')));
  });

  test('?passing in every spelling drops instances with any non-passing check', async () => {
    for (const query of ['passing', 'passing=', 'passing=1', 'passing=true']) {
      const reply = await ok('GET', `/v1/health/service/web?${query}`);
      // web-2: its node's serfHealth is critical; web-3: its own check warns.
      assert.deepEqual(serviceIds(reply.json()), ['web-1'], query);
    }
    for (const query of ['passing=false', 'passing=0']) {
      assert.equal(serviceIds((await ok('GET', `/v1/health/service/web?${query}`)).json()).length, 3, query);
    }
    const bad = await get('/v1/health/service/web?passing=maybe');
    assert.deepEqual([bad.status, bad.text], [400, 'Invalid value for ?passing']);
  });

  test('?tag (repeatable, AND), ?filter on entries, ?node-meta, unknown service', async () => {
    const tags = await ok('GET', '/v1/health/service/web?tag=v1&tag=canary');
    assert.deepEqual(serviceIds(tags.json()), ['web-3']);
    const critical = await ok(
      'GET',
      `/v1/health/service/web?filter=${encodeURIComponent('Checks.Status == critical')}`,
    );
    assert.deepEqual(serviceIds(critical.json()), ['web-2']);
    const tagged = await ok(
      'GET',
      `/v1/health/service/web?filter=${encodeURIComponent('Service.Tags contains "primary"')}`,
    );
    assert.deepEqual(serviceIds(tagged.json()), ['web-1']);
    const metaFilter = await ok(
      'GET',
      `/v1/health/service/web?filter=${encodeURIComponent('Node.Meta.rack == a')}`,
    );
    assert.deepEqual(serviceIds(metaFilter.json()), ['web-1', 'web-3']);
    const nodeMeta = await ok('GET', '/v1/health/service/web?node-meta=rack:a&passing');
    assert.deepEqual(serviceIds(nodeMeta.json()), ['web-1']);
    const unknown = await ok('GET', '/v1/health/service/unknown-service');
    assert.deepEqual([unknown.text, unknown.index], ['[]', '1']);
    const missing = await get('/v1/health/service/');
    assert.deepEqual([missing.status, missing.text], [400, 'Missing service name']);
  });
});

describe('GET /v1/health/state/:state', () => {
  test('checks in a state; any is every check; other states are a 400', async () => {
    const critical = await ok('GET', '/v1/health/state/critical');
    assert.deepEqual(checkKeys(critical.json()), ['h1/service:api-1', 'h2/serfHealth']);
    const warning = await ok('GET', '/v1/health/state/warning?node-meta=rack:a');
    assert.deepEqual(checkKeys(warning.json()), ['h3/service:web-3']);
    const any = (await ok('GET', '/v1/health/state/any')).json() as Json[];
    const all = agent.kernel.store.table('checks').values();
    assert.equal(any.length, [...all].length);
    assert.ok(any.length >= 7);
    const filtered = await ok('GET', `/v1/health/state/any?filter=${encodeURIComponent('Node == h2')}`);
    assert.deepEqual(checkKeys(filtered.json()), ['h2/serfHealth', 'h2/service:web-2']);
    const bad = await get('/v1/health/state/bogus');
    assert.deepEqual([bad.status, bad.text], [400, 'Unsupported state: bogus']);
    const missing = await get('/v1/health/state/');
    assert.deepEqual([missing.status, missing.text], [400, 'Missing check state']);
  });
});

describe('blocking /v1/health/service/web', () => {
  test('a change to api does not return it early; a change to a web check does', async () => {
    const start = await ok('GET', '/v1/health/service/web?passing');
    const waiting = ok('GET', `/v1/health/service/web?passing&index=${start.index}&wait=30s`);
    await waitForWaiters(1);

    await registerInstance('h1', { rack: 'a' }, null, [
      { CheckID: 'service:api-1', Status: 'passing', ServiceID: 'api-1' },
    ]);
    assert.equal(agent.kernel.store.watch.waiterCount, 1, 'the api change left the web query parked');

    await registerInstance('h3', { rack: 'a' }, null, [
      { CheckID: 'service:web-3', Status: 'passing', ServiceID: 'web-3' },
    ]);
    const changed = await waiting;
    assert.equal(Number(changed.index), agent.kernel.store.lastIndex, 'answered at the web change');
    assert.ok(Number(changed.index) > Number(start.index));
    assert.deepEqual(serviceIds(changed.json()), ['web-1', 'web-3']);
  });

  test('when only api changes, the wait ends by timeout with the same index and content', async () => {
    const start = await ok('GET', '/v1/health/service/web');
    const waiting = ok('GET', `/v1/health/service/web?index=${start.index}&wait=150ms`);
    await waitForWaiters(1);
    await registerInstance('h1', { rack: 'a' }, null, [
      { CheckID: 'service:api-1', Status: 'warning', ServiceID: 'api-1' },
    ]);
    const done = await waiting;
    assert.equal(done.index, start.index);
    assert.equal(done.text, start.text);
  });

  test('a node-level check of a node running web wakes it', async () => {
    const start = await ok('GET', '/v1/health/service/web?passing');
    const waiting = ok('GET', `/v1/health/service/web?passing&index=${start.index}&wait=30s`);
    await waitForWaiters(1);
    await registerInstance('h2', { rack: 'b' }, null, [{ CheckID: 'serfHealth', Status: 'passing' }]);
    const changed = await waiting;
    assert.ok(Number(changed.index) > Number(start.index));
    assert.ok(serviceIds(changed.json()).includes('web-2'));
  });
});

describe('GET /v1/agent/health/service/{id,name}', () => {
  const pass = (id: string) => ok('PUT', `/v1/agent/check/pass/${encodeURIComponent(id)}`);
  const warn = (id: string) => ok('PUT', `/v1/agent/check/warn/${encodeURIComponent(id)}`);
  const fail = (id: string) => ok('PUT', `/v1/agent/check/fail/${encodeURIComponent(id)}`);

  before(async () => {
    await ok('PUT', '/v1/agent/service/register', {
      Name: 'lb',
      ID: 'lb-1',
      Port: 81,
      Check: { TTL: '60s' },
    });
    await ok('PUT', '/v1/agent/service/register', {
      Name: 'lb',
      ID: 'lb-2',
      Port: 82,
      Check: { TTL: '60s' },
    });
    await pass('service:lb-1');
    await pass('service:lb-2');
  });

  test('by id: 200 passing with AggregatedStatus, the AgentService and its checks; no index', async () => {
    const reply = await ok('GET', '/v1/agent/health/service/id/lb-1');
    assert.equal(reply.index, null);
    const body = reply.json() as { AggregatedStatus: string; Service: Json; Checks: Json[] };
    assert.deepEqual(Object.keys(body), ['AggregatedStatus', 'Service', 'Checks']);
    assert.equal(body.AggregatedStatus, 'passing');
    assert.deepEqual([body.Service.ID, body.Service.Service, body.Service.Port], ['lb-1', 'lb', 81]);
    assert.equal(body.Service.Datacenter, 'dc1');
    assert.deepEqual(
      body.Checks.map((c) => [c.CheckID, c.Status, c.Node, c.ServiceID]),
      [['service:lb-1', 'passing', 'test-node', 'lb-1']],
    );
    const text = await ok('GET', '/v1/agent/health/service/id/lb-1?format=text');
    assert.deepEqual([text.text, text.contentType], ['passing', 'text/plain']);
  });

  test('warning is 429, critical is 503, in JSON and in text', async () => {
    await warn('service:lb-1');
    let reply = await get('/v1/agent/health/service/id/lb-1');
    assert.deepEqual([reply.status, (reply.json() as Json).AggregatedStatus], [429, 'warning']);
    reply = await get('/v1/agent/health/service/id/lb-1?format=text');
    assert.deepEqual([reply.status, reply.text], [429, 'warning']);
    await fail('service:lb-1');
    reply = await get('/v1/agent/health/service/id/lb-1');
    assert.deepEqual([reply.status, (reply.json() as Json).AggregatedStatus], [503, 'critical']);
    reply = await get('/v1/agent/health/service/id/lb-1?format=text');
    assert.deepEqual([reply.status, reply.text], [503, 'critical']);
    await pass('service:lb-1');
  });

  test('by name: every local instance, the worst one decides the code', async () => {
    let reply = await get('/v1/agent/health/service/name/lb');
    assert.equal(reply.status, 200);
    const body = reply.json() as { AggregatedStatus: string; Service: Json }[];
    assert.deepEqual(
      body.map((e) => [e.Service.ID, e.AggregatedStatus]),
      [
        ['lb-1', 'passing'],
        ['lb-2', 'passing'],
      ],
    );
    await warn('service:lb-2');
    reply = await get('/v1/agent/health/service/name/lb?format=text');
    assert.deepEqual([reply.status, reply.text], [429, 'warning']);
    await fail('service:lb-1');
    reply = await get('/v1/agent/health/service/name/lb');
    assert.equal(reply.status, 503);
    assert.deepEqual(
      (reply.json() as { AggregatedStatus: string }[]).map((e) => e.AggregatedStatus),
      ['critical', 'warning'],
    );
    await pass('service:lb-1');
    await pass('service:lb-2');
  });

  test('maintenance counts as critical: 503 with AggregatedStatus maintenance', async () => {
    await ok('PUT', '/v1/agent/service/maintenance/lb-2?enable=true&reason=deploy');
    let reply = await get('/v1/agent/health/service/id/lb-2');
    const body = reply.json() as { AggregatedStatus: string; Checks: Json[] };
    assert.deepEqual([reply.status, body.AggregatedStatus], [503, 'maintenance']);
    assert.deepEqual(
      body.Checks.map((c) => c.CheckID),
      ['_service_maintenance:lb-2', 'service:lb-2'],
    );
    assert.equal((await get('/v1/agent/health/service/id/lb-1')).status, 200);
    reply = await get('/v1/agent/health/service/name/lb?format=text');
    assert.deepEqual([reply.status, reply.text], [503, 'maintenance']);
    await ok('PUT', '/v1/agent/service/maintenance/lb-2?enable=false');

    // Node maintenance is a node-level check: it reaches every local service.
    await ok('PUT', '/v1/agent/maintenance?enable=true');
    reply = await get('/v1/agent/health/service/id/lb-1?format=text');
    assert.deepEqual([reply.status, reply.text], [503, 'maintenance']);
    await ok('PUT', '/v1/agent/maintenance?enable=false');
    assert.equal((await get('/v1/agent/health/service/id/lb-1')).status, 200);
  });

  test("unknown: 404 with Consul's texts; missing: 400", async () => {
    let reply = await get('/v1/agent/health/service/id/ghost');
    assert.equal(reply.status, 404);
    assert.deepEqual(reply.json(), { AggregatedStatus: 'critical', Service: null, Checks: null });
    reply = await get('/v1/agent/health/service/id/ghost?format=text');
    assert.deepEqual([reply.status, reply.text], [404, 'ServiceId ghost not found']);
    reply = await get('/v1/agent/health/service/name/ghost');
    assert.deepEqual([reply.status, reply.text], [404, '[]']);
    reply = await get('/v1/agent/health/service/name/ghost?format=text');
    assert.deepEqual([reply.status, reply.text], [404, 'ServiceName ghost Not Found']);
    reply = await get('/v1/agent/health/service/id/');
    assert.deepEqual([reply.status, reply.text], [400, 'Missing serviceID']);
    reply = await get('/v1/agent/health/service/name/');
    assert.deepEqual([reply.status, reply.text], [400, 'Missing service Name']);
  });
});

describe('the consul npm client', () => {
  test('health.service with passing, health.node, health.checks, health.state', async () => {
    await registerInstance('h4', {}, { ID: 'web-4', Service: 'web' }, [
      { CheckID: 'serfHealth', Status: 'passing' },
      { CheckID: 'service:web-4', Status: 'critical', ServiceID: 'web-4' },
    ]);
    const consul = new Consul({ host: '127.0.0.1', port: Number(new URL(agent.url).port) });
    const passing = (await consul.health.service({ service: 'web', passing: true })) as {
      Service: { ID: string };
    }[];
    const all = (await consul.health.service('web')) as { Checks: { Status: string }[] }[];
    assert.ok(passing.length > 0 && passing.length < all.length);
    assert.ok(!serviceIds(passing).includes('web-4'));
    for (const entry of passing as unknown as { Checks: { Status: string }[] }[]) {
      assert.ok(entry.Checks.every((c) => c.Status === 'passing'));
    }
    assert.ok(all.some((entry) => entry.Checks.some((c) => c.Status !== 'passing')));

    const node = (await consul.health.node('h2')) as { CheckID: string }[];
    assert.deepEqual(
      node.map((c) => c.CheckID),
      ['serfHealth', 'service:web-2'],
    );
    const checks = (await consul.health.checks('web')) as { ServiceName: string }[];
    assert.ok(checks.length === 4 && checks.every((c) => c.ServiceName === 'web'));
    const critical = (await consul.health.state('critical')) as { Status: string }[];
    assert.ok(critical.every((c) => c.Status === 'critical'));
    const any = (await consul.health.state('any')) as unknown[];
    assert.ok(any.length > critical.length);
  });
});
