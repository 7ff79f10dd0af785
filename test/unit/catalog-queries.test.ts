import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TribuneError } from '../../core/errors.js';
import { StateStore } from '../../core/state/store.js';
import { applyCatalogRegister } from '../../plugins/catalog/fsm.js';
import {
  hasAllTags,
  parseNodeMetaFilters,
  queryNodeServiceList,
  queryNodeServices,
  queryNodes,
  queryServiceNodes,
  queryServices,
  serviceTopic,
} from '../../plugins/catalog/queries.js';
import { healthCheckJson } from '../../plugins/catalog/shapes.js';
import type { CatalogRegisterCommand, ServiceInput } from '../../plugins/catalog/types.js';

function service(id: string, name: string, tags: string[], extra: Partial<ServiceInput> = {}): ServiceInput {
  return {
    Kind: '',
    ID: id,
    Service: name,
    Tags: tags,
    Address: '',
    TaggedAddresses: null,
    Meta: {},
    Port: 8080,
    SocketPath: '',
    Weights: { Passing: 1, Warning: 1 },
    EnableTagOverride: false,
    ...extra,
  };
}

function register(
  node: string,
  meta: Record<string, string>,
  svc: ServiceInput | null,
): CatalogRegisterCommand {
  return {
    type: 'catalog.register',
    node: {
      ID: '',
      Node: node,
      Address: `10.0.0.${node.slice(1)}`,
      Datacenter: 'dc1',
      TaggedAddresses: { wan: '192.0.2.1', lan: `10.0.0.${node.slice(1)}` },
      Meta: meta,
    },
    skipNodeUpdate: false,
    service: svc,
    checks: [],
  };
}

/** n1 (rack a) runs web v1+primary and api; n2 (rack b) runs web v1; n3 (rack a) runs nothing. */
function fixture(): StateStore {
  const store = new StateStore();
  const commands = [
    register(
      'n1',
      { rack: 'a', env: 'prod' },
      service('web-1', 'web', ['primary', 'v1'], { Meta: { z: '1', a: '2' } }),
    ),
    register('n1', { rack: 'a', env: 'prod' }, service('api', 'api', ['v2', 'v2', 'beta'], { Port: 9090 })),
    register('n2', { rack: 'b', env: 'prod' }, service('web-2', 'web', ['V1'])),
    register('n3', { rack: 'a' }, null),
  ];
  commands.forEach((cmd, i) => {
    assert.equal(applyCatalogRegister(store, cmd, i + 1), true);
    store.finishApply(i + 1);
  });
  return store;
}

describe('queryServiceNodes', () => {
  test('lists instances by node with Consul fields, empty tags as [] and meta keys sorted', () => {
    const { value, index, watch } = queryServiceNodes(fixture(), 'web');
    assert.deepEqual(
      value.map((s) => [s.Node, s.ServiceID]),
      [
        ['n1', 'web-1'],
        ['n2', 'web-2'],
      ],
    );
    assert.equal(index, 3);
    assert.deepEqual(watch, { topics: ['service/web'] });
    const first = value[0]!;
    assert.deepEqual(Object.keys(first.ServiceMeta), ['a', 'z']);
    assert.deepEqual(Object.keys(first.TaggedAddresses), ['lan', 'wan']);
    assert.deepEqual(first.ServiceProxy, { Mode: '', MeshGateway: {}, Expose: {} });
    assert.deepEqual(first.ServiceConnect, {});
    assert.equal(first.ServiceTaggedAddresses, undefined);
    assert.deepEqual(first.NodeMeta, { env: 'prod', rack: 'a' });
  });

  test('?tag is an AND of tags, compared case-insensitively', () => {
    const store = fixture();
    const ids = (tags: string[]) => queryServiceNodes(store, 'web', { tags }).value.map((s) => s.ServiceID);
    assert.deepEqual(ids(['v1']), ['web-1', 'web-2']);
    assert.deepEqual(ids(['v1', 'primary']), ['web-1']);
    assert.deepEqual(ids(['primary', 'missing']), []);
    assert.equal(hasAllTags(['A'], ['a']), true);
  });

  test('?node-meta keeps instances on nodes with every pair', () => {
    const store = fixture();
    const ids = (pairs: string[]) =>
      queryServiceNodes(store, 'web', { nodeMeta: parseNodeMetaFilters(pairs) }).value.map(
        (s) => s.ServiceID,
      );
    assert.deepEqual(ids(['rack:b']), ['web-2']);
    assert.deepEqual(ids(['rack:a', 'env:prod']), ['web-1']);
    assert.deepEqual(ids(['rack:a', 'env:dev']), []);
  });

  test('?filter runs on the CatalogService fields, including those the JSON leaves out', () => {
    const store = fixture();
    const ids = (filter: string) => queryServiceNodes(store, 'web', { filter }).value.map((s) => s.ServiceID);
    assert.deepEqual(ids('NodeMeta.rack == b'), ['web-2']);
    assert.deepEqual(ids('"primary" in ServiceTags'), ['web-1']);
    assert.deepEqual(ids('ServiceTaggedAddresses is empty and ServiceKind == ""'), ['web-1', 'web-2']);
    assert.throws(
      () => queryServiceNodes(store, 'web', { filter: 'ServiceID ==' }),
      (err: unknown) => err instanceof TribuneError && err.code === 'BAD_REQUEST',
    );
  });

  test('an unknown service is an empty list at index 0, watching its own topic', () => {
    const result = queryServiceNodes(fixture(), 'nope');
    assert.deepEqual(result, { index: 0, value: [], watch: { topics: [serviceTopic('nope')] } });
  });

  test('names match case-insensitively', () => {
    assert.equal(queryServiceNodes(fixture(), 'WEB').value.length, 2);
  });
});

describe('queryServices', () => {
  test('maps names to their deduplicated, sorted tags, names in order', () => {
    const { value, index, watch } = queryServices(fixture());
    assert.deepEqual(value, { api: ['beta', 'v2'], web: ['V1', 'primary', 'v1'] });
    assert.deepEqual(Object.keys(value), ['api', 'web']);
    assert.equal(index, 3);
    assert.deepEqual(watch, { topics: ['services'] });
  });

  test('?node-meta and ?filter narrow by instance and watch every service', () => {
    const store = fixture();
    const byMeta = queryServices(store, { nodeMeta: { rack: 'b' } });
    assert.deepEqual(byMeta.value, { web: ['V1'] });
    assert.deepEqual(byMeta.watch, { topics: ['services', 'nodes'], prefixes: ['service/'] });
    assert.equal(byMeta.index, 4);
    assert.deepEqual(queryServices(store, { filter: 'ServicePort == 9090' }).value, { api: ['beta', 'v2'] });
  });
});

describe('queryNodes', () => {
  test('lists every node, narrowed by ?node-meta and ?filter', () => {
    const store = fixture();
    assert.deepEqual(
      queryNodes(store).value.map((n) => n.Node),
      ['n1', 'n2', 'n3'],
    );
    assert.deepEqual(
      queryNodes(store, { nodeMeta: { rack: 'a' } }).value.map((n) => n.Node),
      ['n1', 'n3'],
    );
    assert.deepEqual(
      queryNodes(store, { filter: 'Meta.env is empty' }).value.map((n) => n.Node),
      ['n3'],
    );
    assert.deepEqual(queryNodes(store).watch, { topics: ['nodes'] });
    assert.equal(queryNodes(store).index, 4);
  });
});

describe('queryNodeServices and queryNodeServiceList', () => {
  test('a known node: its services by ID (map) or in order (list), filtered on the service fields', () => {
    const store = fixture();
    const map = queryNodeServices(store, 'n1');
    assert.deepEqual(Object.keys(map.value?.Services ?? {}), ['api', 'web-1']);
    assert.equal(map.value?.Node.Node, 'n1');
    assert.equal(map.index, 2);
    assert.deepEqual(map.watch, { topics: ['node/n1'] });
    const web = map.value?.Services['web-1'];
    assert.deepEqual(web, {
      Kind: undefined,
      ID: 'web-1',
      Service: 'web',
      Tags: ['primary', 'v1'],
      Address: '',
      TaggedAddresses: undefined,
      Meta: { a: '2', z: '1' },
      Port: 8080,
      SocketPath: undefined,
      Weights: { Passing: 1, Warning: 1 },
      EnableTagOverride: false,
      Proxy: { Mode: '', MeshGateway: {}, Expose: {} },
      Connect: {},
      PeerName: '',
      CreateIndex: 1,
      ModifyIndex: 1,
    });
    const filtered = queryNodeServices(store, 'n1', { filter: 'Kind == "" and Port == 9090' });
    assert.deepEqual(Object.keys(filtered.value?.Services ?? {}), ['api']);
    const list = queryNodeServiceList(store, 'n1', { filter: 'Service == web' });
    assert.deepEqual(
      list.value.Services?.map((s) => s.ID),
      ['web-1'],
    );
  });

  test('a known node without services has empty collections', () => {
    const store = fixture();
    assert.deepEqual(queryNodeServices(store, 'n3').value?.Services, {});
    assert.deepEqual(queryNodeServiceList(store, 'n3').value.Services, []);
  });

  test('an unknown node is null for /node and {Node: null, Services: null} for /node-services', () => {
    const store = fixture();
    assert.equal(queryNodeServices(store, 'ghost').value, null);
    assert.deepEqual(queryNodeServiceList(store, 'ghost').value, { Node: null, Services: null });
  });
});

test('parseNodeMetaFilters splits at the first colon and keeps a bare key as an empty value', () => {
  assert.deepEqual(parseNodeMetaFilters(['a:b:c', 'k', 'x:1', 'x:2']), { a: 'b:c', k: '', x: '2' });
});

test('healthCheckJson writes Consul HealthCheck fields, the definition durations first', () => {
  const json = healthCheckJson({
    Node: 'n1',
    CheckID: 'web-http',
    Name: 'HTTP',
    Status: 'passing',
    Notes: '',
    Output: 'ok',
    ServiceID: 'web',
    ServiceName: 'web',
    ServiceTags: [],
    Type: 'http',
    Interval: '',
    Timeout: '',
    ExposedPort: 0,
    Definition: { HTTP: 'http://x/', Header: { b: ['2'], a: ['1'] }, Interval: '10s' },
    CreateIndex: 3,
    ModifyIndex: 4,
  });
  assert.deepEqual(Object.keys(json), [
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
  assert.equal(
    JSON.stringify(json.Definition),
    '{"Interval":"10s","HTTP":"http://x/","Header":{"a":["1"],"b":["2"]}}',
  );
});
