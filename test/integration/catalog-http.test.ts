import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Consul from 'consul';
import { createCatalogPlugin } from '../../plugins/catalog/index.js';
import { createHttpPlugin } from '../../plugins/http/index.js';
import type { MemoryConsensus } from '../helpers/memory-consensus.js';
import { startTestKernel, type TestKernel } from '../helpers/test-kernel.js';

let agent: TestKernel;

before(async () => {
  agent = await startTestKernel({ plugins: [createHttpPlugin(), createCatalogPlugin()] });
});
after(async () => {
  await agent.stop();
});

async function put(path: string, body: unknown): Promise<Response> {
  return fetch(`${agent.url}${path}`, {
    method: 'PUT',
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function get(path: string): Promise<{ status: number; index: number; body: unknown; text: string }> {
  const res = await fetch(`${agent.url}${path}`);
  const text = await res.text();
  const type = res.headers.get('content-type') ?? '';
  return {
    status: res.status,
    index: Number(res.headers.get('x-consul-index') ?? 'NaN'),
    body: type.startsWith('application/json') ? JSON.parse(text) : undefined,
    text,
  };
}

async function registerOk(body: unknown): Promise<void> {
  const res = await put('/v1/catalog/register', body);
  assert.equal(res.status, 200, await res.clone().text());
  assert.equal(await res.text(), 'true');
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

describe('catalog writes and reads', () => {
  test('register returns true and /v1/catalog/service/:name answers Consul fields, field for field', async () => {
    await registerOk({
      Datacenter: 'dc1',
      ID: '40e4a748-2192-161a-0510-9bf59fe950b5',
      Node: 'web-node',
      Address: '192.168.10.10',
      TaggedAddresses: { lan: '192.168.10.10', wan: '10.0.10.10' },
      NodeMeta: { somekey: 'somevalue' },
      Service: {
        ID: 'redis1',
        Service: 'redis',
        Tags: ['primary', 'v1'],
        Address: '127.0.0.1',
        TaggedAddresses: { wan: { address: '198.18.0.1', port: 80 } },
        Meta: { redis_version: '4.0' },
        Port: 8000,
      },
      Check: {
        Node: 'web-node',
        CheckID: 'service:redis1',
        Name: 'Redis health check',
        Notes: 'Script based health check',
        Status: 'passing',
        ServiceID: 'redis1',
        Definition: {
          TCP: 'localhost:8888',
          Interval: '5s',
          Timeout: '1s',
          DeregisterCriticalServiceAfter: '30s',
        },
      },
      SkipNodeUpdate: false,
    });
    const res = await fetch(`${agent.url}/v1/catalog/service/redis`);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    const index = Number(res.headers.get('x-consul-index'));
    assert.ok(index >= 1);
    assert.equal(
      await res.text(),
      JSON.stringify([
        {
          ID: '40e4a748-2192-161a-0510-9bf59fe950b5',
          Node: 'web-node',
          Address: '192.168.10.10',
          Datacenter: 'dc1',
          TaggedAddresses: { lan: '192.168.10.10', wan: '10.0.10.10' },
          NodeMeta: { somekey: 'somevalue' },
          ServiceKind: '',
          ServiceID: 'redis1',
          ServiceName: 'redis',
          ServiceTags: ['primary', 'v1'],
          ServiceAddress: '127.0.0.1',
          ServiceTaggedAddresses: { wan: { Address: '198.18.0.1', Port: 80 } },
          ServiceWeights: { Passing: 1, Warning: 1 },
          ServiceMeta: { redis_version: '4.0' },
          ServicePort: 8000,
          ServiceSocketPath: '',
          ServiceEnableTagOverride: false,
          ServiceProxy: { Mode: '', MeshGateway: {}, Expose: {} },
          ServiceConnect: {},
          ServiceLocality: null,
          CreateIndex: index,
          ModifyIndex: index,
        },
      ]),
    );
  });

  test('nodes, services, node and node-services list what was registered', async () => {
    await registerOk({
      Node: 'n-a',
      Address: '10.1.0.1',
      NodeMeta: { rack: 'a' },
      Service: { Service: 'api', Tags: ['v2'] },
    });
    await registerOk({
      Node: 'n-b',
      Address: '10.1.0.2',
      NodeMeta: { rack: 'b' },
      Service: { Service: 'api', Tags: ['v1', 'v2'] },
    });

    const nodes = await get('/v1/catalog/nodes?node-meta=rack:b');
    assert.deepEqual(
      (nodes.body as { Node: string }[]).map((n) => n.Node),
      ['n-b'],
    );
    const services = await get('/v1/catalog/services');
    assert.deepEqual((services.body as Record<string, string[]>).api, ['v1', 'v2']);
    const filtered = await get(`/v1/catalog/services?filter=${encodeURIComponent('NodeMeta.rack == a')}`);
    assert.deepEqual(filtered.body, { api: ['v2'] });

    const tagged = await get('/v1/catalog/service/api?tag=v1&tag=v2&near=_agent');
    assert.deepEqual(
      (tagged.body as { Node: string }[]).map((s) => s.Node),
      ['n-b'],
    );
    const byMeta = await get('/v1/catalog/service/api?node-meta=rack:a');
    assert.deepEqual(
      (byMeta.body as { Node: string }[]).map((s) => s.Node),
      ['n-a'],
    );
    const byFilter = await get(`/v1/catalog/service/api?filter=${encodeURIComponent('"v1" in ServiceTags')}`);
    assert.deepEqual(
      (byFilter.body as { Node: string }[]).map((s) => s.Node),
      ['n-b'],
    );

    const node = await get('/v1/catalog/node/n-a');
    const nodeBody = node.body as {
      Node: { Node: string; Meta: unknown };
      Services: Record<string, unknown>;
    };
    assert.equal(nodeBody.Node.Node, 'n-a');
    assert.deepEqual(Object.keys(nodeBody.Services), ['api']);
    const list = await get('/v1/catalog/node-services/n-a');
    assert.deepEqual(
      (list.body as { Services: { ID: string; Tags: string[] }[] }).Services.map((s) => [s.ID, s.Tags]),
      [['api', ['v2']]],
    );
    const nodeFiltered = await get(`/v1/catalog/node/n-a?filter=${encodeURIComponent('Service == nope')}`);
    assert.deepEqual((nodeFiltered.body as { Services: unknown }).Services, {});
  });

  test('unknown service is [] and unknown node is null, both 200 with an index', async () => {
    const service = await get('/v1/catalog/service/does-not-exist');
    assert.deepEqual([service.status, service.text], [200, '[]']);
    assert.ok(service.index >= 1);
    const node = await get('/v1/catalog/node/does-not-exist');
    assert.deepEqual([node.status, node.text], [200, 'null']);
    const list = await get('/v1/catalog/node-services/does-not-exist');
    assert.deepEqual(list.body, { Node: null, Services: null });
  });

  test('deregister removes a service, then the node with everything on it', async () => {
    await registerOk({
      Node: 'gone',
      Address: '10.2.0.1',
      Service: { Service: 'tmp' },
      Check: { Name: 'serfHealth' },
    });
    const byService = await put('/v1/catalog/deregister', { Node: 'gone', ServiceID: 'tmp' });
    assert.equal(await byService.text(), 'true');
    assert.equal((await get('/v1/catalog/service/tmp')).text, '[]');
    const remaining = (await get('/v1/catalog/node/gone')).body as {
      Node: { Node: string };
      Services: unknown;
    };
    assert.deepEqual([remaining.Node.Node, remaining.Services], ['gone', {}]);
    const byNode = await put('/v1/catalog/deregister', { Node: 'gone' });
    assert.equal(await byNode.text(), 'true');
    assert.equal((await get('/v1/catalog/node/gone')).text, 'null');
  });

  test('datacenters, status leader and peers', async () => {
    assert.deepEqual((await get('/v1/catalog/datacenters')).body, ['dc1']);
    const leader = await get('/v1/status/leader');
    assert.equal(leader.text, '"127.0.0.1:8300"');
    assert.deepEqual((await get('/v1/status/peers')).body, ['127.0.0.1:8300']);
  });

  test('errors carry Consul text and status', async () => {
    const cases: [string, unknown, number, string][] = [
      ['/v1/catalog/register', { Address: '10.0.0.1' }, 500, 'Must provide node'],
      ['/v1/catalog/register', { Node: 'x' }, 500, 'Must provide address if SkipNodeUpdate is not set'],
      [
        '/v1/catalog/register',
        { Node: 'x', Address: '10.0.0.1', Check: { Name: 'c', ServiceID: 'ghost' } },
        500,
        "Unknown service ID 'ghost' for check ID 'c'",
      ],
      ['/v1/catalog/register', '', 400, 'Request decode failed: EOF'],
      [
        '/v1/catalog/register',
        '{"Node":',
        400,
        'Request decode failed: unexpected end of JSON input at offset 8',
      ],
      ['/v1/catalog/deregister', {}, 500, 'Must provide node'],
    ];
    for (const [path, body, status, text] of cases) {
      const res = await put(path, body);
      assert.deepEqual([res.status, await res.text()], [status, text], `${path} ${JSON.stringify(body)}`);
    }
    // The refused register left no node behind.
    assert.equal((await get('/v1/catalog/node/x')).text, 'null');
    const missing = await get('/v1/catalog/service/');
    assert.deepEqual([missing.status, missing.text], [400, 'Missing service name']);
    const badFilter = await get('/v1/catalog/nodes?filter=Node%20%3D%3D');
    assert.equal(badFilter.status, 400);
    const wrongMethod = await fetch(`${agent.url}/v1/catalog/register`, { method: 'GET' });
    assert.equal(wrongMethod.status, 405);
  });
});

describe('blocking queries on /v1/catalog/service/:name', () => {
  test('a change to another service does not wake it; a change to it does', async () => {
    await registerOk({ Node: 'blk', Address: '10.3.0.1', Service: { Service: 'web', Port: 80 } });
    await registerOk({ Node: 'blk', Address: '10.3.0.1', Service: { Service: 'api2', Port: 90 } });
    const start = await get('/v1/catalog/service/web');
    const waiting = get(`/v1/catalog/service/web?index=${start.index}&wait=30s`);
    await waitForWaiters(1);

    await registerOk({ Node: 'blk', Address: '10.3.0.1', Service: { Service: 'api2', Port: 91 } });
    // Still parked: the api2 change fired only api2's topic.
    assert.equal(agent.kernel.store.watch.waiterCount, 1);

    await registerOk({ Node: 'blk', Address: '10.3.0.1', Service: { Service: 'web', Port: 81 } });
    const changed = await waiting;
    const webIndex = agent.kernel.store.lastIndex;
    assert.equal(changed.index, webIndex);
    assert.ok(changed.index > start.index);
    assert.deepEqual(
      (changed.body as { ServicePort: number }[]).map((s) => s.ServicePort),
      [81],
    );
  });

  test('when only another service changes, the wait ends by timeout with the same index and content', async () => {
    await registerOk({ Node: 'blk2', Address: '10.3.0.2', Service: { Service: 'quiet', Port: 1 } });
    const start = await get('/v1/catalog/service/quiet');
    const waiting = get(`/v1/catalog/service/quiet?index=${start.index}&wait=100ms`);
    await waitForWaiters(1);
    await registerOk({ Node: 'blk2', Address: '10.3.0.2', Service: { Service: 'noisy', Port: 2 } });
    const done = await waiting;
    assert.equal(done.index, start.index);
    assert.deepEqual(done.body, start.body);
  });

  test('re-registering identical content does not wake a waiter', async () => {
    const body = { Node: 'blk3', Address: '10.3.0.3', Service: { Service: 'steady', Port: 5 } };
    await registerOk(body);
    const start = await get('/v1/catalog/service/steady');
    const waiting = get(`/v1/catalog/service/steady?index=${start.index}&wait=30s`);
    await waitForWaiters(1);
    await registerOk(body);
    assert.equal(agent.kernel.store.watch.waiterCount, 1);
    await registerOk({ ...body, Service: { Service: 'steady', Port: 6 } });
    assert.ok((await waiting).index > start.index);
  });
});

describe('leader reconcile', () => {
  test('after election /v1/catalog/services includes consul, and a second election writes nothing', async () => {
    await agent.kernel.hooks.onLeaderElected.promise({ term: 1, signal: new AbortController().signal });
    const services = await get('/v1/catalog/services');
    assert.deepEqual((services.body as Record<string, string[]>).consul, []);
    const node = await get('/v1/catalog/node/test-node');
    const consul = (node.body as { Services: Record<string, { Port: number; Tags: string[] }> }).Services
      .consul;
    assert.deepEqual([consul?.Port, consul?.Tags], [8300, []]);
    const log = (agent.kernel.consensus as MemoryConsensus).log.length;
    await agent.kernel.hooks.onLeaderElected.promise({ term: 2, signal: new AbortController().signal });
    assert.equal((agent.kernel.consensus as MemoryConsensus).log.length, log);
  });
});

describe('the consul npm client', () => {
  test('registers and reads through catalog and status', async () => {
    const port = Number(new URL(agent.url).port);
    const consul = new Consul({ host: '127.0.0.1', port });
    await consul.catalog.register({
      node: 'npm-node',
      address: '10.9.0.1',
      service: { id: 'npm-1', service: 'npm-svc', tags: ['x'], port: 7000 },
      check: {
        name: 'npm check',
        serviceid: 'npm-1',
        status: 'passing',
        definition: { tcp: '10.9.0.1:7000', intervalduration: '10s' },
      },
    });
    const instances = (await consul.catalog.service.nodes('npm-svc')) as {
      Node: string;
      ServicePort: number;
    }[];
    assert.deepEqual(
      instances.map((s) => [s.Node, s.ServicePort]),
      [['npm-node', 7000]],
    );
    const nodes = (await consul.catalog.node.list()) as { Node: string }[];
    assert.ok(nodes.some((n) => n.Node === 'npm-node'));
    const services = (await consul.catalog.service.list()) as Record<string, string[]>;
    assert.deepEqual(services['npm-svc'], ['x']);
    assert.deepEqual(await consul.catalog.datacenters(), ['dc1']);
    assert.equal(await consul.status.leader(), '127.0.0.1:8300');
    assert.deepEqual(await consul.status.peers(), ['127.0.0.1:8300']);
    const check = agent.kernel.store
      .table<{ Type: string; Definition: unknown }>('checks')
      .get('npm-node/npm check');
    assert.deepEqual([check?.Type, check?.Definition], ['tcp', { TCP: '10.9.0.1:7000', Interval: '10s' }]);
    await consul.catalog.deregister({ node: 'npm-node' });
    assert.deepEqual(await consul.catalog.service.nodes('npm-svc'), []);
  });
});
