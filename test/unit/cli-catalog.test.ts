import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import {
  runCatalogDatacenters,
  runCatalogNodes,
  runCatalogServices,
} from '../../core/cli/commands/catalog.js';
import {
  parseServiceAddress,
  runServicesDeregister,
  runServicesRegister,
} from '../../core/cli/commands/services.js';
import { captureIO, type FakeAgent, startFakeAgent } from '../helpers/cli-fake-agent.js';

const NODES = [
  {
    ID: '40e4a748-2192-161a-0510-9bf59fe950b5',
    Node: 'server-1',
    Address: '10.0.0.1',
    Datacenter: 'dc1',
    TaggedAddresses: { wan: '198.18.0.1', lan: '10.0.0.1' },
    Meta: { 'consul-network-segment': '', rack: 'r1' },
    CreateIndex: 5,
    ModifyIndex: 9,
  },
  {
    ID: '',
    Node: 'ext',
    Address: '192.168.1.20',
    Datacenter: 'dc1',
    TaggedAddresses: null,
    Meta: null,
    CreateIndex: 7,
    ModifyIndex: 7,
  },
];

let agent: FakeAgent;
let dir: string;

before(async () => {
  agent = await startFakeAgent();
  dir = mkdtempSync(join(tmpdir(), 'tribune-cli-catalog-'));
});

after(async () => {
  await agent.close();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  agent.requests.length = 0;
  agent.routes.clear();
});

const addr = (): string[] => ['-http-addr', agent.address];

describe('catalog datacenters', () => {
  it('prints one datacenter per line and refuses arguments', async () => {
    agent.routes.set('GET /v1/catalog/datacenters', { body: ['dc1', 'dc2'] });
    let io = captureIO();
    assert.equal(await runCatalogDatacenters(addr(), io), 0, io.err());
    assert.equal(io.out(), 'dc1\ndc2\n');
    io = captureIO();
    assert.equal(await runCatalogDatacenters([...addr(), 'extra'], io), 1);
    assert.equal(io.err(), 'Too many arguments (expected 0, got 1)\n');
  });
});

describe('catalog nodes', () => {
  it('prints Node ID Address DC with the ID cut at its first dash', async () => {
    agent.routes.set('GET /v1/catalog/nodes', { body: NODES });
    const io = captureIO();
    assert.equal(await runCatalogNodes(addr(), io), 0, io.err());
    assert.equal(
      io.out(),
      'Node      ID        Address       DC\nserver-1  40e4a748  10.0.0.1      dc1\next                 192.168.1.20  dc1\n',
    );
  });

  it('adds full IDs, TaggedAddresses and Meta with -detailed', async () => {
    agent.routes.set('GET /v1/catalog/nodes', { body: NODES.slice(0, 1) });
    const io = captureIO();
    assert.equal(await runCatalogNodes([...addr(), '-detailed'], io), 0, io.err());
    assert.equal(
      io.out(),
      'Node      ID                                    Address   DC   TaggedAddresses               Meta\n' +
        'server-1  40e4a748-2192-161a-0510-9bf59fe950b5  10.0.0.1  dc1  lan=10.0.0.1, wan=198.18.0.1  consul-network-segment=, rack=r1\n',
    );
  });

  it('sends -near, -node-meta, -filter (from a file) and -stale; -service reads the service', async () => {
    agent.routes.set('GET /v1/catalog/service/web', {
      body: [
        {
          ID: 'abcd1234-0000',
          Node: 'n2',
          Address: '10.0.0.2',
          Datacenter: 'dc1',
          TaggedAddresses: {},
          NodeMeta: { env: 'prod' },
          ServiceName: 'web',
        },
      ],
    });
    const filterFile = join(dir, 'filter.txt');
    writeFileSync(filterFile, 'Node.Meta.env == "prod"');
    const io = captureIO();
    const args = [...addr(), '-service=web', '-near=_agent', '-node-meta', 'env=prod', '-node-meta=rack=r1'];
    assert.equal(await runCatalogNodes([...args, `-filter=@${filterFile}`, '-stale'], io), 0, io.err());
    assert.equal(io.out(), 'Node  ID        Address   DC\nn2    abcd1234  10.0.0.2  dc1\n');
    const query = agent.requests[0]?.query;
    assert.equal(query?.get('near'), '_agent');
    assert.deepEqual(query?.getAll('node-meta'), ['env:prod', 'rack:r1']);
    assert.equal(query?.get('filter'), 'Node.Meta.env == "prod"');
    assert.equal(query?.has('stale'), true);
  });

  it('says nothing matched on an empty list (exit 0) and reports errors per mode', async () => {
    agent.routes.set('GET /v1/catalog/nodes', { body: [] });
    let io = captureIO();
    assert.equal(await runCatalogNodes(addr(), io), 0);
    assert.equal(io.err(), 'No nodes match the given query - try expanding your search.\n');
    assert.equal(io.out(), '');
    agent.routes.set('GET /v1/catalog/service/web', { status: 500, body: 'No cluster leader' });
    io = captureIO();
    assert.equal(await runCatalogNodes([...addr(), '-service', 'web'], io), 1);
    assert.equal(
      io.err(),
      'Error listing nodes for service: Unexpected response code: 500 (No cluster leader)\n',
    );
  });
});

describe('catalog services', () => {
  it('prints names sorted, one per line', async () => {
    agent.routes.set('GET /v1/catalog/services', { body: { web: ['v2', 'primary'], consul: [], db: null } });
    const io = captureIO();
    assert.equal(await runCatalogServices(addr(), io), 0, io.err());
    assert.equal(io.out(), 'consul\ndb\nweb\n');
  });

  it('adds sorted comma-separated tags with -tags, aligned like Go tabwriter', async () => {
    agent.routes.set('GET /v1/catalog/services', {
      body: { web: ['v2', 'primary'], consul: [], 'db-main': ['a'] },
    });
    const io = captureIO();
    assert.equal(await runCatalogServices([...addr(), '-tags'], io), 0, io.err());
    assert.equal(io.out(), 'consul       \ndb-main      a\nweb          primary,v2\n');
  });

  it('lists one node’s services with -node, merging tags of instances', async () => {
    agent.routes.set('GET /v1/catalog/node/n1', {
      body: {
        Node: { Node: 'n1' },
        Services: {
          'web-1': { ID: 'web-1', Service: 'web', Tags: ['b'] },
          'web-2': { ID: 'web-2', Service: 'web', Tags: ['a'] },
          redis: { ID: 'redis', Service: 'redis', Tags: null },
        },
      },
    });
    const io = captureIO();
    assert.equal(
      await runCatalogServices([...addr(), '-node=n1', '-tags', '-node-meta=k=v'], io),
      0,
      io.err(),
    );
    assert.equal(io.out(), 'redis      \nweb        a,b\n');
    assert.equal(agent.requests[0]?.query.get('node-meta'), 'k:v');
  });

  it('says nothing matched for an unknown node', async () => {
    agent.routes.set('GET /v1/catalog/node/ghost', { body: null });
    const io = captureIO();
    assert.equal(await runCatalogServices([...addr(), '-node', 'ghost'], io), 0);
    assert.equal(io.err(), 'No services match the given query - try expanding your search.\n');
  });

  it('reads -filter from stdin with -filter=-', async () => {
    agent.routes.set('GET /v1/catalog/services', { body: { web: [] } });
    const io = captureIO({}, Buffer.from('ServiceName == web'));
    assert.equal(await runCatalogServices([...addr(), '-filter', '-'], io), 0, io.err());
    assert.equal(agent.requests[0]?.query.get('filter'), 'ServiceName == web');
  });
});

describe('services register', () => {
  it('registers from flags with PascalCase fields', async () => {
    agent.routes.set('PUT /v1/agent/service/register', { body: '' });
    const io = captureIO();
    const args = [
      ...addr(),
      '-name=web',
      '-id=web-1',
      '-address=10.0.0.9',
      '-port=8080',
      '-tag=v1',
      '-tag',
      'primary',
      '-meta=team=core',
      '-tagged-address=wan=198.18.0.9:80',
    ];
    assert.equal(await runServicesRegister(args, io), 0, io.err());
    assert.equal(io.out(), 'Registered service: web\n');
    const req = agent.requests[0];
    assert.equal(req?.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(req?.body.toString() ?? ''), {
      ID: 'web-1',
      Name: 'web',
      Tags: ['v1', 'primary'],
      Port: 8080,
      Address: '10.0.0.9',
      TaggedAddresses: { wan: { Address: '198.18.0.9', Port: 80 } },
      Meta: { team: 'core' },
    });
  });

  it('registers every service of JSON files in their own spelling', async () => {
    agent.routes.set('PUT /v1/agent/service/register', { body: '' });
    const one = join(dir, 'web.json');
    const many = join(dir, 'more.json');
    writeFileSync(
      one,
      JSON.stringify({ service: { name: 'web', port: 80, check: { http: 'http://x', interval: '10s' } } }),
    );
    writeFileSync(
      many,
      JSON.stringify({ services: [{ Name: 'db', ID: 'db-1' }, { name: 'cache' }], datacenter: 'dc1' }),
    );
    const io = captureIO();
    assert.equal(await runServicesRegister([...addr(), one, many], io), 0, io.err());
    assert.equal(io.out(), 'Registered service: web\nRegistered service: db\nRegistered service: cache\n');
    assert.deepEqual(
      agent.requests.map((r) => JSON.parse(r.body.toString())),
      [
        { name: 'web', port: 80, check: { http: 'http://x', interval: '10s' } },
        { Name: 'db', ID: 'db-1' },
        { name: 'cache' },
      ],
    );
  });

  it('checks its arguments and reports agent rejections', async () => {
    let io = captureIO();
    assert.equal(await runServicesRegister(addr(), io), 1);
    assert.equal(io.err(), 'Service registration requires at least one argument or flags.\n');
    io = captureIO();
    assert.equal(await runServicesRegister([...addr(), '-name=x', 'file.json'], io), 1);
    assert.equal(io.err(), 'Service registration requires arguments or -id, not both.\n');
    io = captureIO();
    const missing = join(dir, 'missing.json');
    assert.equal(await runServicesRegister([...addr(), missing], io), 1);
    assert.equal(io.err(), `Error: open ${missing}: no such file or directory\n`);
    io = captureIO();
    assert.equal(await runServicesRegister([...addr(), '-name=x', '-tagged-address=lan=10.0.0.1'], io), 1);
    assert.equal(io.err(), 'Invalid Tagged Address: address 10.0.0.1: missing port in address\n');
    assert.equal(agent.requests.length, 0);

    agent.routes.set('PUT /v1/agent/service/register', {
      status: 400,
      body: 'Invalid service: name required',
    });
    io = captureIO();
    assert.equal(await runServicesRegister([...addr(), '-name=web'], io), 1);
    assert.equal(
      io.err(),
      'Error registering service "web": Unexpected response code: 400 (Invalid service: name required)\n',
    );
  });

  it('parses tagged addresses as host:port', () => {
    assert.deepEqual(parseServiceAddress('[::1]:53'), { Address: '::1', Port: 53 });
    assert.deepEqual(parseServiceAddress('example.com:443'), { Address: 'example.com', Port: 443 });
    assert.throws(() => parseServiceAddress('a:b:c'), /too many colons/);
  });
});

describe('services deregister', () => {
  it('deregisters by -id or by the IDs (else names) in files', async () => {
    agent.routes.set('PUT /v1/agent/service/deregister/web-1', { body: '' });
    agent.routes.set('PUT /v1/agent/service/deregister/cache', { body: '' });
    let io = captureIO();
    assert.equal(await runServicesDeregister([...addr(), '-id=web-1'], io), 0, io.err());
    assert.equal(io.out(), 'Deregistered service: web-1\n');
    const file = join(dir, 'dereg.json');
    writeFileSync(file, JSON.stringify({ services: [{ name: 'web', id: 'web-1' }, { name: 'cache' }, {}] }));
    agent.requests.length = 0;
    io = captureIO();
    assert.equal(await runServicesDeregister([...addr(), file], io), 0, io.err());
    assert.equal(io.out(), 'Deregistered service: web-1\nDeregistered service: cache\n');
    assert.deepEqual(
      agent.requests.map((r) => r.rawPath),
      ['/v1/agent/service/deregister/web-1', '/v1/agent/service/deregister/cache'],
    );
  });

  it('checks its arguments and reports failures', async () => {
    let io = captureIO();
    assert.equal(await runServicesDeregister(addr(), io), 1);
    assert.equal(io.err(), 'Service deregistration requires at least one argument or -id.\n');
    io = captureIO();
    assert.equal(await runServicesDeregister([...addr(), '-id=a', 'f.json'], io), 1);
    assert.equal(io.err(), 'Service deregistration requires arguments or -id, not both.\n');
    agent.routes.set('PUT /v1/agent/service/deregister/x', { status: 403, body: 'Permission denied' });
    io = captureIO();
    assert.equal(await runServicesDeregister([...addr(), '-id', 'x'], io), 1);
    assert.equal(
      io.err(),
      'Error deregistering service "": Unexpected response code: 403 (Permission denied)\n',
    );
  });
});
