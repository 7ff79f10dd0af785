import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Consul from 'consul';
import {
  createAgentPlugin,
  getAgentRuntime,
  setReloadStatus,
  syncAgentState,
} from '../../plugins/agent/index.js';
import { createCatalogPlugin } from '../../plugins/catalog/index.js';
import type { CheckRow } from '../../plugins/catalog/types.js';
import { createHttpPlugin } from '../../plugins/http/index.js';
import { startTestKernel, type TestKernel } from '../helpers/test-kernel.js';

let agent: TestKernel;
let reloadFailure: Error | undefined;
let reloads = 0;
let leaveCalled: () => void = () => {};
const leaveRequested = new Promise<void>((resolve) => {
  leaveCalled = resolve;
});

before(async () => {
  agent = await startTestKernel({
    plugins: [
      createHttpPlugin(),
      createCatalogPlugin(),
      createAgentPlugin({
        random: () => 0,
        reload: async () => {
          reloads++;
          if (reloadFailure) throw reloadFailure;
        },
        leave: async () => leaveCalled(),
      }),
    ],
    config: {
      encrypt: 'c2VjcmV0LXNlY3JldC1zZWNyZXQ=',
      node_meta: { rack: 'r1' },
      services: [{ name: 'from-file', token: 'file-token-secret' }],
    },
  });
});
after(async () => {
  await agent.stop();
});

interface Reply {
  status: number;
  text: string;
  headers: Headers;
  json: () => unknown;
}

async function call(method: string, path: string, body?: unknown): Promise<Reply> {
  const init: RequestInit = { method };
  if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
  const res = await fetch(`${agent.url}${path}`, init);
  const text = await res.text();
  return { status: res.status, text, headers: res.headers, json: () => JSON.parse(text) };
}

async function ok(method: string, path: string, body?: unknown): Promise<Reply> {
  const reply = await call(method, path, body);
  assert.equal(reply.status, 200, `${method} ${path}: ${reply.text}`);
  return reply;
}

async function fails(
  method: string,
  path: string,
  status: number,
  text: string,
  body?: unknown,
): Promise<void> {
  const reply = await call(method, path, body);
  assert.equal(reply.status, status, `${method} ${path}: ${reply.text}`);
  assert.equal(reply.text, text);
}

type Json = Record<string, unknown>;

const catalogCheck = (id: string) => agent.kernel.store.table<CheckRow>('checks').get(`test-node/${id}`);

describe('/v1/agent/self and members', () => {
  test('self: Config, Member, Stats, Meta, a redacted DebugConfig and the last reload error', async () => {
    const self = (await ok('GET', '/v1/agent/self')).json() as Json;
    const config = self.Config as Json;
    assert.deepEqual(Object.keys(config), [
      'Datacenter',
      'PrimaryDatacenter',
      'NodeName',
      'NodeID',
      'Revision',
      'Server',
      'Version',
      'BuildDate',
    ]);
    assert.equal(config.Datacenter, 'dc1');
    assert.equal(config.PrimaryDatacenter, 'dc1');
    assert.equal(config.NodeName, 'test-node');
    assert.equal(config.NodeID, '11111111-2222-3333-4444-555555555555');
    assert.equal(config.Server, true);
    assert.equal(self.Coord, null);
    const member = self.Member as Json;
    assert.equal(member.Name, 'test-node');
    assert.equal(member.Port, 8301);
    assert.equal(member.Status, 1);
    const tags = member.Tags as Json;
    assert.equal(tags.role, 'consul');
    assert.equal(tags.dc, 'dc1');
    assert.equal(tags.port, '8300');
    assert.equal(tags.vsn, '2');
    assert.equal(tags.segment, '');
    assert.deepEqual(self.Meta, { rack: 'r1', 'consul-network-segment': '' });
    const stats = self.Stats as Record<string, Record<string, unknown>>;
    assert.deepEqual(Object.keys(stats).sort(), ['agent', 'build', 'consul', 'raft', 'runtime', 'serf_lan']);
    for (const section of Object.values(stats)) {
      for (const value of Object.values(section)) assert.equal(typeof value, 'string');
    }
    assert.equal(stats.agent?.services, '1');
    assert.equal(stats.consul?.leader, 'true');
    assert.equal(stats.raft?.state, 'Leader');
    const debug = JSON.stringify(self.DebugConfig);
    assert.ok(!debug.includes('c2VjcmV0'), 'the gossip key is hidden');
    assert.ok(!debug.includes('file-token-secret'), 'service tokens are hidden');
    assert.equal((self.DebugConfig as Json).node_name, 'test-node');
    assert.equal(self.ReloadError, null);
    assert.equal(stats.agent?.last_reload_error, '');

    setReloadStatus(agent.kernel, { error: 'config: bad port', at: 1 });
    const after = (await ok('GET', '/v1/agent/self')).json() as Json;
    assert.equal(after.ReloadError, 'config: bad port');
    assert.equal((after.Stats as Record<string, Json>).agent?.last_reload_error, 'config: bad port');
    setReloadStatus(agent.kernel, { error: null, at: 2 });
  });

  test('members: this agent; ?wan=1 gives <node>.<dc> on a server; a segment with wan is refused', async () => {
    const lan = (await ok('GET', '/v1/agent/members')).json() as Json[];
    assert.equal(lan.length, 1);
    assert.deepEqual(Object.keys(lan[0]!), [
      'Name',
      'Addr',
      'Port',
      'Tags',
      'Status',
      'ProtocolMin',
      'ProtocolMax',
      'ProtocolCur',
      'DelegateMin',
      'DelegateMax',
      'DelegateCur',
    ]);
    assert.equal(lan[0]!.Addr, '127.0.0.1');
    const wan = (await ok('GET', '/v1/agent/members?wan=1')).json() as Json[];
    assert.deepEqual(
      wan.map((m) => [m.Name, m.Port]),
      [['test-node.dc1', 8302]],
    );
    await fails(
      'GET',
      '/v1/agent/members?wan=1&segment=alpha',
      400,
      'Cannot provide a segment with wan=true',
    );
  });
});

describe('services', () => {
  test('register (PascalCase), list, read with ContentHash, and the catalog follows', async () => {
    await ok('PUT', '/v1/agent/service/register', {
      ID: 'redis1',
      Name: 'redis',
      Tags: ['primary', 'v1'],
      Address: '127.0.0.1',
      Port: 8000,
      Meta: { redis_version: '4.0' },
      EnableTagOverride: false,
      Weights: { Passing: 10, Warning: 1 },
      Check: { TTL: '30s', DeregisterCriticalServiceAfter: '90m' },
    });
    const list = (await ok('GET', '/v1/agent/services')).json() as Record<string, Json>;
    assert.deepEqual(list.redis1, {
      ID: 'redis1',
      Service: 'redis',
      Tags: ['primary', 'v1'],
      Meta: { redis_version: '4.0' },
      Port: 8000,
      Address: '127.0.0.1',
      TaggedAddresses: {
        lan_ipv4: { Address: '127.0.0.1', Port: 8000 },
        wan_ipv4: { Address: '127.0.0.1', Port: 8000 },
      },
      Weights: { Passing: 10, Warning: 1 },
      EnableTagOverride: false,
      Datacenter: 'dc1',
    });
    const one = await ok('GET', '/v1/agent/service/redis1');
    const body = one.json() as Json;
    assert.equal(typeof body.ContentHash, 'string');
    assert.equal(one.headers.get('x-consul-contenthash'), body.ContentHash);
    const catalog = (await ok('GET', '/v1/catalog/service/redis')).json() as Json[];
    assert.deepEqual(
      catalog.map((s) => [s.Node, s.ServiceID, s.ServicePort]),
      [['test-node', 'redis1', 8000]],
    );
    await fails('GET', '/v1/agent/service/nope', 404, 'unknown service ID: nope');
  });

  test('snake_case bodies and ?filter on service values', async () => {
    await ok('PUT', '/v1/agent/service/register', {
      name: 'api',
      id: 'api-1',
      port: 9000,
      enable_tag_override: true,
      tags: ['blue'],
    });
    const filtered = (
      await ok('GET', `/v1/agent/services?filter=${encodeURIComponent('"blue" in Tags')}`)
    ).json();
    assert.deepEqual(Object.keys(filtered as Json), ['api-1']);
    assert.equal(((filtered as Record<string, Json>)['api-1'] as Json).EnableTagOverride, true);
    const bad = await call('GET', `/v1/agent/services?filter=${encodeURIComponent('Port ==')}`);
    assert.equal(bad.status, 400);
    assert.match(bad.text, /^Failed to create boolean expression evaluator/);
  });

  test('hash blocking: returns when the service changes, or with the same hash when the wait ends', async () => {
    const first = (await ok('GET', '/v1/agent/service/api-1')).json() as Json;
    const hash = String(first.ContentHash);
    const timedOut = (await ok('GET', `/v1/agent/service/api-1?hash=${hash}&wait=50ms`)).json() as Json;
    assert.equal(timedOut.ContentHash, hash);

    const blocked = call('GET', `/v1/agent/service/api-1?hash=${hash}&wait=30s`);
    // An unrelated change wakes the wait but does not end it.
    await ok('PUT', '/v1/agent/service/register', { Name: 'unrelated' });
    await ok('PUT', '/v1/agent/service/register', { name: 'api', id: 'api-1', port: 9001, tags: ['blue'] });
    const changed = await blocked;
    assert.equal(changed.status, 200);
    const body = changed.json() as Json;
    assert.equal(body.Port, 9001);
    assert.notEqual(body.ContentHash, hash);
    await fails('GET', '/v1/agent/service/api-1?hash=x&wait=soon', 400, 'Invalid wait time');
  });

  test('Consul refusals: missing name, bad address, bad check, script checks, decode errors', async () => {
    await fails('PUT', '/v1/agent/service/register', 400, 'Missing service name', { Port: 1 });
    await fails('PUT', '/v1/agent/service/register', 400, 'Invalid service address', {
      Name: 'x',
      Address: '0.0.0.0',
    });
    await fails('PUT', '/v1/agent/service/register', 400, 'Invalid check: TTL must be > 0 for TTL checks', {
      Name: 'x',
      Check: { Notes: 'no kind' },
    });
    await fails(
      'PUT',
      '/v1/agent/service/register',
      500,
      "Scripts are disabled on this agent from remote calls; to enable, configure 'enable_script_checks' to true",
      { Name: 'x', Check: { Args: ['/bin/true'], Interval: '10s' } },
    );
    await fails('PUT', '/v1/agent/service/register', 400, 'Request decode failed: EOF');
    const garbled = await call('PUT', '/v1/agent/service/register', '{"Name":');
    assert.equal(garbled.status, 400);
    assert.match(garbled.text, /^Request decode failed: /);
  });

  test('IDs with /, # and . round-trip URL-encoded; unknown IDs are 404 with Consul text', async () => {
    const id = 'a/b#c.d';
    await ok('PUT', '/v1/agent/service/register', { Name: 'odd', ID: id, Check: { TTL: '10s' } });
    const read = (await ok('GET', `/v1/agent/service/${encodeURIComponent(id)}`)).json() as Json;
    assert.equal(read.ID, id);
    await ok('PUT', `/v1/agent/check/pass/${encodeURIComponent(`service:${id}`)}`);
    await ok('PUT', `/v1/agent/service/deregister/${encodeURIComponent(id)}`);
    await fails('GET', `/v1/agent/service/${encodeURIComponent(id)}`, 404, `unknown service ID: ${id}`);
    await fails(
      'PUT',
      '/v1/agent/service/deregister/ghost',
      404,
      'Unknown service ID "ghost". Ensure that the service ID is passed, not the service name.',
    );
    const checks = (await ok('GET', '/v1/agent/checks')).json() as Json;
    assert.ok(!Object.hasOwn(checks, `service:${id}`), 'its checks went with it');
  });

  test('?replace-existing-checks drops checks the new definition does not have', async () => {
    await ok('PUT', '/v1/agent/service/register', {
      Name: 'rep',
      Checks: [{ TTL: '10s' }, { TTL: '20s' }],
    });
    await ok('PUT', '/v1/agent/service/register', {
      Name: 'rep',
      Checks: [{ CheckID: 'service:rep:1', TTL: '10s' }],
    });
    let checks = Object.keys((await ok('GET', '/v1/agent/checks')).json() as Json).filter((k) =>
      k.includes(':rep'),
    );
    assert.deepEqual(checks.sort(), ['service:rep:1', 'service:rep:2']);
    await ok('PUT', '/v1/agent/service/register?replace-existing-checks', {
      Name: 'rep',
      Checks: [{ CheckID: 'service:rep:1', TTL: '10s' }],
    });
    checks = Object.keys((await ok('GET', '/v1/agent/checks')).json() as Json).filter((k) =>
      k.includes(':rep'),
    );
    assert.deepEqual(checks, ['service:rep:1']);
  });

  test('service and node maintenance', async () => {
    await ok('PUT', '/v1/agent/service/register', { Name: 'maint' });
    await fails('PUT', '/v1/agent/service/maintenance/maint', 400, 'Missing value for enable');
    await fails(
      'PUT',
      '/v1/agent/service/maintenance/maint?enable=maybe',
      400,
      'Invalid value for enable: "maybe"',
    );
    await fails(
      'PUT',
      '/v1/agent/service/maintenance/ghost?enable=true',
      404,
      'Unknown service ID "ghost". Ensure that the service ID is passed, not the service name.',
    );
    await ok('PUT', '/v1/agent/service/maintenance/maint?enable=true');
    let checks = (await ok('GET', '/v1/agent/checks')).json() as Record<string, Json>;
    assert.deepEqual(
      [checks['_service_maintenance:maint']?.Status, checks['_service_maintenance:maint']?.Notes],
      [
        'critical',
        'Maintenance mode is enabled for this service, but no reason was provided. This is a default message.',
      ],
    );
    assert.equal(checks['_service_maintenance:maint']?.ServiceID, 'maint');
    await ok('PUT', '/v1/agent/service/maintenance/maint?enable=false');
    await ok('PUT', '/v1/agent/maintenance?enable=1&reason=patching');
    checks = (await ok('GET', '/v1/agent/checks')).json() as Record<string, Json>;
    assert.equal(checks['_service_maintenance:maint'], undefined);
    assert.equal(checks._node_maintenance?.Name, 'Node Maintenance Mode');
    assert.equal(checks._node_maintenance?.Notes, 'patching');
    await syncAgentState(agent.kernel, 'changes');
    assert.equal(catalogCheck('_node_maintenance')?.Status, 'critical');
    await ok('PUT', '/v1/agent/maintenance?enable=false');
    checks = (await ok('GET', '/v1/agent/checks')).json() as Record<string, Json>;
    assert.equal(checks._node_maintenance, undefined);
  });

  test('wrong method on a specific service path is a 405, not a service lookup', async () => {
    const reply = await call('GET', '/v1/agent/service/register');
    assert.equal(reply.status, 405);
    assert.equal(reply.headers.get('allow'), 'OPTIONS,PUT');
  });
});

describe('checks', () => {
  test('register, list with the HealthCheck shape, filter, TTL updates, deregister', async () => {
    await ok('PUT', '/v1/agent/check/register', { Name: 'mem', TTL: '15s', Notes: 'memory' });
    const list = (await ok('GET', '/v1/agent/checks')).json() as Record<string, Json>;
    assert.deepEqual(list.mem, {
      Node: 'test-node',
      CheckID: 'mem',
      Name: 'mem',
      Status: 'critical',
      Notes: 'memory',
      Output: '',
      ServiceID: '',
      ServiceName: '',
      ServiceTags: [],
      Type: 'ttl',
      Interval: '0s',
      Timeout: '0s',
      ExposedPort: 0,
      Definition: {},
      CreateIndex: 0,
      ModifyIndex: 0,
    });
    await ok('PUT', '/v1/agent/check/pass/mem?note=all%20good');
    let mem = ((await ok('GET', '/v1/agent/checks')).json() as Record<string, Json>).mem!;
    assert.deepEqual([mem.Status, mem.Output], ['passing', 'all good']);
    await ok('PUT', '/v1/agent/check/warn/mem');
    await ok('PUT', '/v1/agent/check/update/mem', { Status: 'critical', Output: 'oom' });
    mem = ((await ok('GET', '/v1/agent/checks')).json() as Record<string, Json>).mem!;
    assert.deepEqual([mem.Status, mem.Output], ['critical', 'oom']);
    await ok('PUT', '/v1/agent/check/fail/mem?note=x');
    const critical = (
      await ok('GET', `/v1/agent/checks?filter=${encodeURIComponent('Status == "critical"')}`)
    ).json();
    assert.ok(Object.hasOwn(critical as Json, 'mem'));
    await syncAgentState(agent.kernel, 'changes');
    assert.equal(catalogCheck('mem')?.Status, 'critical');
    // critical → critical with a new note is an output-only change: it waits for check_update_interval.
    assert.equal(catalogCheck('mem')?.Output, 'oom');
    await ok('PUT', '/v1/agent/check/deregister/mem');
    assert.ok(!Object.hasOwn((await ok('GET', '/v1/agent/checks')).json() as Json, 'mem'));
  });

  test('refusals with Consul texts', async () => {
    const unknown = 'Unknown check ID "ghost". Ensure that the check ID is passed, not the check name.';
    await fails('PUT', '/v1/agent/check/pass/ghost', 404, unknown);
    await fails('PUT', '/v1/agent/check/deregister/ghost', 404, unknown);
    await fails('PUT', '/v1/agent/check/update/ghost', 404, unknown, { Status: 'passing' });
    await fails('PUT', '/v1/agent/check/update/ghost', 400, "Invalid check status: 'fine'", {
      Status: 'fine',
    });
    await fails('PUT', '/v1/agent/check/register', 400, 'Missing check name', { TTL: '1s' });
    await fails('PUT', '/v1/agent/check/register', 400, 'Bad check status', {
      Name: 'c',
      TTL: '1s',
      Status: 'up',
    });
    await fails('PUT', '/v1/agent/check/register', 404, 'ServiceID "ghost" does not exist', {
      Name: 'c',
      TTL: '1s',
      ServiceID: 'ghost',
    });
    await ok('PUT', '/v1/agent/check/register', {
      Name: 'web-http',
      HTTP: 'http://127.0.0.1:1/',
      Interval: '10s',
    });
    await fails(
      'PUT',
      '/v1/agent/check/pass/web-http',
      500,
      'CheckID "web-http" does not have associated TTL',
    );
    await ok('PUT', '/v1/agent/check/deregister/web-http');
  });

  test("TTL output beyond check_output_max_size (or the check's own cap) is cut as Consul cuts it", async () => {
    await ok('PUT', '/v1/agent/check/register', { Name: 'big', TTL: '15s' });
    await ok('PUT', '/v1/agent/check/update/big', { Status: 'passing', Output: 'x'.repeat(5000) });
    let output = String(((await ok('GET', '/v1/agent/checks')).json() as Record<string, Json>).big?.Output);
    assert.equal(output, `${'x'.repeat(4096)} ... (captured 4096 of 5000 bytes)`);
    await ok('PUT', '/v1/agent/check/register', { Name: 'small', TTL: '15s', OutputMaxSize: 10 });
    await ok('PUT', `/v1/agent/check/warn/small?note=${'y'.repeat(12)}`);
    output = String(((await ok('GET', '/v1/agent/checks')).json() as Record<string, Json>).small?.Output);
    assert.equal(output, `${'y'.repeat(10)} ... (captured 10 of 12 bytes)`);
    await ok('PUT', '/v1/agent/check/deregister/big');
    await ok('PUT', '/v1/agent/check/deregister/small');
  });

  test('a check attached to a service takes its name and tags', async () => {
    await ok('PUT', '/v1/agent/service/register', { Name: 'svc', Tags: ['t1'] });
    await ok('PUT', '/v1/agent/check/register', {
      Name: 'svc-ttl',
      ServiceID: 'svc',
      TTL: '10s',
      Status: 'passing',
    });
    const check = ((await ok('GET', '/v1/agent/checks')).json() as Record<string, Json>)['svc-ttl']!;
    assert.deepEqual([check.ServiceName, check.ServiceTags, check.Status], ['svc', ['t1'], 'passing']);
  });
});

describe('reload, metrics, join, leave', () => {
  test('reload runs the kernel reload; its failure is a 500 with the error text', async () => {
    const before = reloads;
    await ok('PUT', '/v1/agent/reload');
    assert.equal(reloads, before + 1);
    reloadFailure = new Error('Failed reloading services: bad definition');
    await fails('PUT', '/v1/agent/reload', 500, 'Failed reloading services: bad definition');
    reloadFailure = undefined;
  });

  test('metrics: go-metrics JSON by default, Prometheus text with ?format=prometheus', async () => {
    const json = (await ok('GET', '/v1/agent/metrics')).json() as Json;
    assert.deepEqual(Object.keys(json), ['Timestamp', 'Gauges', 'Points', 'Counters', 'Samples']);
    assert.match(String(json.Timestamp), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d0 \+0000 UTC$/);
    const gauges = json.Gauges as Json[];
    assert.ok(gauges.some((g) => g.Name === 'consul.runtime.alloc_bytes' && typeof g.Value === 'number'));
    const prom = await ok('GET', '/v1/agent/metrics?format=prometheus');
    assert.match(prom.headers.get('content-type') ?? '', /^text\/plain/);
    assert.match(prom.text, /^# HELP consul_runtime_alloc_bytes /m);
  });

  test('join answers a clear error while there is no gossip', async () => {
    await fails(
      'PUT',
      '/v1/agent/join/127.0.0.2:8301',
      500,
      'gossip is not enabled yet on this agent: cannot join 127.0.0.2:8301',
    );
  });
});

describe('the consul npm client', () => {
  test('agent.self, members, service register/list/deregister, check register/list/pass/deregister', async () => {
    const consul = new Consul({ host: '127.0.0.1', port: Number(new URL(agent.url).port) });
    try {
      const self = (await consul.agent.self()) as Json;
      assert.equal((self.Config as Json).NodeName, 'test-node');
      const members = (await consul.agent.members()) as Json[];
      assert.equal(members[0]?.Name, 'test-node');

      await consul.agent.service.register({
        name: 'npm-svc',
        id: 'npm-1',
        port: 7000,
        tags: ['n'],
        // The client's typings want a name and a timeout; it sends no Timeout for a TTL check.
        check: { name: 'npm ttl', ttl: '20s', timeout: '1s' },
      });
      const services = (await consul.agent.service.list()) as Record<string, Json>;
      assert.equal(services['npm-1']?.Service, 'npm-svc');
      assert.deepEqual(services['npm-1']?.Tags, ['n']);

      await consul.agent.check.register({ name: 'npm-check', ttl: '10s', notes: 'from npm', timeout: '1s' });
      await consul.agent.check.pass({ id: 'npm-check', note: 'ok' });
      const checks = (await consul.agent.check.list()) as unknown as Record<string, Json>;
      assert.deepEqual([checks['npm-check']?.Status, checks['npm-check']?.Output], ['passing', 'ok']);
      assert.deepEqual(
        [checks['service:npm-1']?.Name, checks['service:npm-1']?.ServiceName],
        ['npm ttl', 'npm-svc'],
      );
      assert.equal(checks['npm-check']?.Timeout, '0s', 'no Timeout was sent for the TTL check');

      await consul.agent.check.deregister('npm-check');
      await consul.agent.service.deregister('npm-1');
      const after = (await consul.agent.service.list()) as Json;
      assert.ok(!Object.hasOwn(after, 'npm-1'));
      // The client keeps only short text bodies; ours is Consul's long one, so it says "not found".
      await assert.rejects(
        consul.agent.service.deregister('npm-1'),
        (err: Error & { response?: { statusCode?: number } }) => {
          assert.equal(err.response?.statusCode, 404);
          return true;
        },
      );
    } finally {
      consul.destroy();
    }
  });

  test('leave answers first, then calls the leave callback', async () => {
    await ok('PUT', '/v1/agent/leave');
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 5_000).unref());
    assert.notEqual(await Promise.race([leaveRequested.then(() => 'left' as const), timeout]), 'timeout');
    assert.ok(getAgentRuntime(agent.kernel));
  });
});
