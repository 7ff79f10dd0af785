/**
 * A real agent process (the built CLI) on loopback, driven by the `consul` npm client as a third-party
 * client, and by the files of its config directory.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Consul from 'consul';
import { type AgentProcess, runCli, startAgentProcess, waitFor } from '../helpers/agent-process.js';

let dir: string;
let confDir: string;
let agent: AgentProcess;
let consul: Consul;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tribune-agent-'));
  confDir = join(dir, 'conf');
  await rm(confDir, { recursive: true, force: true });
  await import('node:fs/promises').then((fs) => fs.mkdir(confDir));
  await writeFile(join(confDir, '00-agent.json'), JSON.stringify({ node_meta: { rack: 'r1' } }));
  agent = await startAgentProcess([
    '-server',
    '-bootstrap',
    '-node',
    'node-one',
    '-data-dir',
    join(dir, 'data'),
    '-config-dir',
    confDir,
  ]);
  consul = new Consul({ host: '127.0.0.1', port: agent.port });
});

after(async () => {
  await agent?.stop();
  await rm(dir, { recursive: true, force: true });
});

test('status and agent/self answer as Consul does', async () => {
  const leader = await consul.status.leader();
  assert.match(leader, /^127\.0\.0\.1:\d+$/);
  assert.deepEqual(await consul.status.peers(), [leader]);
  const self = (await consul.agent.self()) as {
    Config: { NodeName: string; Datacenter: string; Server: boolean };
  };
  assert.equal(self.Config.NodeName, 'node-one');
  assert.equal(self.Config.Datacenter, 'dc1');
  assert.equal(self.Config.Server, true);
  const members = (await consul.agent.members()) as { Name: string; Status: number }[];
  assert.deepEqual(
    members.map((m) => [m.Name, m.Status]),
    [['node-one', 1]],
  );
});

test('kv set, get, cas, keys and delete through the consul client', async () => {
  assert.equal(await consul.kv.set('app/config', 'v1'), true);
  const got = (await consul.kv.get('app/config')) as { Value: string; ModifyIndex: number };
  assert.equal(got.Value, 'v1');
  // The consul client turns a `false` body into undefined, so read the failed CAS on the wire.
  const failed = await fetch(`${agent.url}/v1/kv/app/config?cas=${got.ModifyIndex + 1000}`, {
    method: 'PUT',
    body: 'v2',
  });
  assert.equal(await failed.text(), 'false');
  assert.equal(await consul.kv.set({ key: 'app/config', value: 'v2', cas: got.ModifyIndex }), true);
  await consul.kv.set('app/other', 'x');
  assert.deepEqual(await consul.kv.keys('app/'), ['app/config', 'app/other']);
  assert.equal(await consul.kv.del('app/other'), true);
  assert.equal(await consul.kv.get('app/other'), undefined);
});

test('txn applies atomically and rolls back with 409', async () => {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  // The client's JS takes the operation array itself (its type declarations say otherwise).
  const operations = [
    { KV: { Verb: 'set', Key: 'txn/a', Value: b64('1') } },
    { KV: { Verb: 'set', Key: 'txn/b', Value: b64('2') } },
    { KV: { Verb: 'get', Key: 'txn/a' } },
  ];
  const ok = (await consul.transaction.create(operations as never)) as {
    Results: { KV: { Key: string; Value: string | null } }[];
  };
  assert.equal(ok.Results.length, 3);
  assert.equal(ok.Results[2]?.KV.Value, b64('1'));
  const res = await fetch(`${agent.url}/v1/txn`, {
    method: 'PUT',
    body: JSON.stringify([
      { KV: { Verb: 'set', Key: 'txn/c', Value: b64('3') } },
      { KV: { Verb: 'cas', Key: 'txn/a', Value: b64('x'), Index: 1 } },
    ]),
  });
  assert.equal(res.status, 409);
  const body = (await res.json()) as { Results: null; Errors: { OpIndex: number }[] };
  assert.equal(body.Results, null);
  assert.equal(body.Errors[0]?.OpIndex, 1);
  assert.equal(await consul.kv.get('txn/c'), undefined);
});

test('catalog register and queries through the consul client', async () => {
  await consul.catalog.register({
    node: 'external-db',
    address: '127.0.0.9',
    service: { service: 'postgres', port: 5432, tags: ['primary'] },
  });
  const nodes = (await consul.catalog.service.nodes('postgres')) as { Node: string; ServicePort: number }[];
  assert.deepEqual(
    nodes.map((n) => [n.Node, n.ServicePort]),
    [['external-db', 5432]],
  );
  const services = (await consul.catalog.service.list()) as Record<string, string[]>;
  assert.deepEqual(services.postgres, ['primary']);
  assert.ok('consul' in services, 'the servers register the consul service');
  const catalogNodes = (await consul.catalog.node.list()) as { Node: string; Meta: Record<string, string> }[];
  const self = catalogNodes.find((n) => n.Node === 'node-one');
  assert.equal(self?.Meta.rack, 'r1');
  assert.deepEqual(await consul.catalog.datacenters(), ['dc1']);
});

test('agent service register and deregister through the consul client', async () => {
  await consul.agent.service.register({ name: 'cache', id: 'cache-1', port: 6379, tags: ['redis'] });
  const services = (await consul.agent.service.list()) as Record<string, { Service: string; Port: number }>;
  assert.equal(services['cache-1']?.Port, 6379);
  await waitFor('cache in the catalog', async () => {
    const nodes = (await consul.catalog.service.nodes('cache')) as unknown[];
    return nodes.length === 1 ? true : undefined;
  });
  await consul.agent.service.deregister('cache-1');
  await waitFor('cache gone from the catalog', async () => {
    const nodes = (await consul.catalog.service.nodes('cache')) as unknown[];
    return nodes.length === 0 ? true : undefined;
  });
});

test('config dir hot reload: add a service, break the file, fix it', async () => {
  const webFile = join(confDir, 'web.json');
  await writeFile(webFile, JSON.stringify({ service: { name: 'web', tags: ['rails'], port: 80 } }));
  const started = Date.now();
  await waitFor('web in the catalog', async () => {
    const nodes = (await consul.catalog.service.nodes('web')) as { ServiceTags: string[] }[];
    return nodes.length === 1 ? nodes : undefined;
  });
  const appearedAfterMs = Date.now() - started;
  assert.ok(appearedAfterMs >= 0);

  // An invalid change: the agent keeps serving the last good configuration and reports the error.
  await writeFile(webFile, JSON.stringify({ service: { name: 'web', port: 'eighty' } }));
  const self = await waitFor('the reload error in agent/self', async () => {
    const body = (await (await fetch(`${agent.url}/v1/agent/self`)).json()) as { ReloadError: string | null };
    return body.ReloadError ? body : undefined;
  });
  assert.match(self.ReloadError ?? '', /web\.json/);
  assert.match(self.ReloadError ?? '', /\/services\/0\/port/);
  const reload = runCli(['reload', `-http-addr=${agent.url}`]);
  assert.equal(reload.code, 1);
  assert.match(reload.stderr, /web\.json/);
  const stillThere = (await consul.catalog.service.nodes('web')) as { ServicePort: number }[];
  assert.equal(stillThere[0]?.ServicePort, 80);

  // Fixed: applied, and the error clears.
  await writeFile(webFile, JSON.stringify({ service: { name: 'web', tags: ['rails'], port: 8080 } }));
  await waitFor('web on port 8080', async () => {
    const nodes = (await consul.catalog.service.nodes('web')) as { ServicePort: number }[];
    return nodes[0]?.ServicePort === 8080 ? true : undefined;
  });
  const ok = runCli(['reload', `-http-addr=${agent.url}`]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /Configuration reload triggered/);
  const after = (await (await fetch(`${agent.url}/v1/agent/self`)).json()) as { ReloadError: string | null };
  assert.equal(after.ReloadError, null);

  // Removing the file removes the service.
  await rm(webFile);
  await waitFor('web gone', async () => {
    const nodes = (await consul.catalog.service.nodes('web')) as unknown[];
    return nodes.length === 0 ? true : undefined;
  });
});

test('SIGHUP reloads the configuration', async () => {
  await writeFile(join(confDir, 'hup.json'), JSON.stringify({ service: { name: 'hup', port: 1 } }));
  agent.child.kill('SIGHUP');
  await waitFor('hup in the catalog', async () => {
    const nodes = (await consul.catalog.service.nodes('hup')) as unknown[];
    return nodes.length === 1 ? true : undefined;
  });
  await rm(join(confDir, 'hup.json'));
});

test('the CLI reads the agent: members, kv, catalog', () => {
  const env = { CONSUL_HTTP_ADDR: agent.url };
  const members = runCli(['members'], env);
  assert.equal(members.code, 0, members.stderr);
  assert.match(members.stdout, /^Node\s+Address\s+Status\s+Type/);
  assert.match(members.stdout, /node-one\s+127\.0\.0\.1:\d+\s+alive\s+server/);
  assert.equal(runCli(['kv', 'put', 'cli/key', 'hello'], env).stdout, 'Success! Data written to: cli/key\n');
  assert.equal(runCli(['kv', 'get', 'cli/key'], env).stdout, 'hello\n');
  const missing = runCli(['kv', 'get', 'cli/missing'], env);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /Error! No key exists at: cli\/missing/);
  assert.match(runCli(['catalog', 'services'], env).stdout, /^consul$/m);
});
