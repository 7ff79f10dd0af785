import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { StateStore } from '../../core/state/store.js';
import {
  applyCatalogDeregister,
  applyCatalogRegister,
  registerWouldChange,
} from '../../plugins/catalog/fsm.js';
import {
  catalogTables,
  checksOfNode,
  instancesOfService,
  nodeTopic,
  serviceTopic,
} from '../../plugins/catalog/queries.js';
import type {
  CatalogDeregisterCommand,
  CatalogRegisterCommand,
  CheckInput,
  ServiceInput,
} from '../../plugins/catalog/types.js';

/** A store and a log: each command applies at the next index, as the kernel does. */
function catalog() {
  const store = new StateStore();
  let index = 0;
  return {
    store,
    get index() {
      return index;
    },
    apply(cmd: CatalogRegisterCommand | CatalogDeregisterCommand) {
      index++;
      const result =
        cmd.type === 'catalog.register'
          ? applyCatalogRegister(store, cmd, index)
          : applyCatalogDeregister(store, cmd, index);
      store.finishApply(index);
      return result;
    },
  };
}

function service(name: string, overrides: Partial<ServiceInput> = {}): ServiceInput {
  return {
    Kind: '',
    ID: name,
    Service: name,
    Tags: [],
    Address: '',
    TaggedAddresses: null,
    Meta: {},
    Port: 80,
    SocketPath: '',
    Weights: { Passing: 1, Warning: 1 },
    EnableTagOverride: false,
    ...overrides,
  };
}

function check(id: string, overrides: Partial<CheckInput> = {}): CheckInput {
  return {
    CheckID: id,
    Name: id,
    Status: 'passing',
    Notes: '',
    Output: '',
    ServiceID: '',
    Type: '',
    Interval: '',
    Timeout: '',
    ExposedPort: 0,
    Definition: {},
    ...overrides,
  };
}

function register(
  node: string,
  opts: {
    service?: ServiceInput;
    checks?: CheckInput[];
    address?: string;
    id?: string;
    meta?: Record<string, string>;
    skip?: boolean;
  } = {},
): CatalogRegisterCommand {
  return {
    type: 'catalog.register',
    node: {
      ID: opts.id ?? '',
      Node: node,
      Address: opts.address ?? '10.0.0.1',
      Datacenter: 'dc1',
      TaggedAddresses: {},
      Meta: opts.meta ?? {},
    },
    skipNodeUpdate: opts.skip ?? false,
    service: opts.service ?? null,
    checks: opts.checks ?? [],
  };
}

function deregister(
  node: string,
  ids: { serviceId?: string; checkId?: string } = {},
): CatalogDeregisterCommand {
  return { type: 'catalog.deregister', node, serviceId: ids.serviceId ?? null, checkId: ids.checkId ?? null };
}

/** Every topic a catalog write can bump, with its current index. */
function topicIndexes(store: StateStore, extra: string[] = []): Record<string, number> {
  const topics = ['nodes', 'services', 'checks', ...extra];
  return Object.fromEntries(topics.map((topic) => [topic, store.topicIndex(topic)]));
}

describe('catalog.register', () => {
  test('creates the node, service and check at the entry index and bumps their topics', () => {
    const c = catalog();
    const result = c.apply(
      register('n1', {
        service: service('web', { Tags: ['v1'] }),
        checks: [check('web-ok', { ServiceID: 'web' })],
      }),
    );
    assert.equal(result, true);
    const t = catalogTables(c.store);
    assert.deepEqual(
      [
        t.nodes.get('n1')?.CreateIndex,
        t.services.get('n1/web')?.ModifyIndex,
        t.checks.get('n1/web-ok')?.CreateIndex,
      ],
      [1, 1, 1],
    );
    const row = t.checks.get('n1/web-ok');
    assert.equal(row?.ServiceName, 'web');
    assert.deepEqual(row?.ServiceTags, ['v1']);
    assert.deepEqual(topicIndexes(c.store, [nodeTopic('n1'), serviceTopic('web')]), {
      nodes: 1,
      services: 1,
      checks: 1,
      'node/n1': 1,
      'service/web': 1,
    });
  });

  test('re-registering the same content changes no index and wakes no watcher', async () => {
    const c = catalog();
    const cmd = register('n1', {
      service: service('web'),
      checks: [check('serfHealth'), check('w', { ServiceID: 'web' })],
    });
    c.apply(cmd);
    const before = topicIndexes(c.store, [nodeTopic('n1'), serviceTopic('web')]);
    const rowsBefore = [...catalogTables(c.store).checks.values()].map((r) => r.ModifyIndex);
    const live = new AbortController();
    const liveWaiter = c.store.watch.wait({ prefixes: [''] }, 60_000, live.signal);
    assert.equal(registerWouldChange(c.store, cmd), false);
    assert.equal(c.apply(cmd), true);
    assert.equal(c.index, 2);
    assert.deepEqual(topicIndexes(c.store, [nodeTopic('n1'), serviceTopic('web')]), before);
    assert.deepEqual(
      [...catalogTables(c.store).checks.values()].map((r) => r.ModifyIndex),
      rowsBefore,
    );
    assert.equal(catalogTables(c.store).nodes.get('n1')?.ModifyIndex, 1);
    // The catch-all waiter is still waiting: nothing fired.
    assert.equal(c.store.watch.waiterCount, 1);
    live.abort();
    assert.equal(await liveWaiter, 'aborted');
  });

  test('a tag change bumps the services list; a port change bumps only the service', () => {
    const c = catalog();
    c.apply(register('n1', { service: service('web', { Tags: ['a'] }) }));
    c.apply(register('n1', { service: service('web', { Tags: ['a'], Port: 81 }) }));
    assert.equal(c.store.topicIndex('services'), 1);
    assert.equal(c.store.topicIndex(serviceTopic('web')), 2);
    c.apply(register('n1', { service: service('web', { Tags: ['a', 'b'], Port: 81 }) }));
    assert.equal(c.store.topicIndex('services'), 3);
    // A second instance with the same tags does not change the list.
    c.apply(register('n2', { service: service('web', { Tags: ['b'] }) }));
    assert.equal(c.store.topicIndex('services'), 3);
    assert.equal(c.store.topicIndex(serviceTopic('web')), 4);
    assert.equal(c.store.topicIndex('nodes'), 4);
  });

  test('a node-level check bumps the topic of every service on its node, and only those', () => {
    const c = catalog();
    c.apply(register('n1', { service: service('web') }));
    c.apply(register('n1', { service: service('api') }));
    c.apply(register('n2', { service: service('db') }));
    c.apply(register('n1', { checks: [check('disk', { Status: 'warning' })] }));
    assert.equal(c.store.topicIndex(serviceTopic('web')), 4);
    assert.equal(c.store.topicIndex(serviceTopic('api')), 4);
    assert.equal(c.store.topicIndex(serviceTopic('db')), 3);
    assert.equal(c.store.topicIndex('checks'), 4);
    assert.equal(c.store.topicIndex('services'), 3);
    // Its removal concerns them too.
    c.apply(deregister('n1', { checkId: 'disk' }));
    assert.equal(c.store.topicIndex(serviceTopic('web')), 5);
    assert.equal(c.store.topicIndex(serviceTopic('db')), 3);
  });

  test('a service-level check bumps its own service only', () => {
    const c = catalog();
    c.apply(register('n1', { service: service('web') }));
    c.apply(register('n1', { service: service('api') }));
    c.apply(register('n1', { checks: [check('web-http', { ServiceID: 'web', Status: 'critical' })] }));
    assert.equal(c.store.topicIndex(serviceTopic('web')), 3);
    assert.equal(c.store.topicIndex(serviceTopic('api')), 2);
    assert.equal(c.store.topicIndex(nodeTopic('n1')), 3);
  });

  test('a check naming a service the node does not have is refused and changes nothing', () => {
    const c = catalog();
    const result = c.apply(register('n1', { checks: [check('c', { ServiceID: 'ghost' })] }));
    assert.deepEqual(result, { error: "Unknown service ID 'ghost' for check ID 'c'" });
    assert.equal(catalogTables(c.store).nodes.size, 0);
    assert.deepEqual(topicIndexes(c.store), { nodes: 0, services: 0, checks: 0 });
    // The service of the same request, or one already on the node, is fine.
    assert.equal(
      c.apply(register('n1', { service: service('web'), checks: [check('c', { ServiceID: 'web' })] })),
      true,
    );
    assert.equal(c.apply(register('n1', { checks: [check('d', { ServiceID: 'web' })] })), true);
    // ... but not a service on another node.
    assert.deepEqual(c.apply(register('n2', { checks: [check('e', { ServiceID: 'web' })] })), {
      error: "Unknown service ID 'web' for check ID 'e'",
    });
  });

  test('skipNodeUpdate leaves an existing node alone but creates a missing one', () => {
    const c = catalog();
    c.apply(register('n1', { address: '10.0.0.1', meta: { rack: 'a' } }));
    c.apply(register('n1', { address: '', skip: true, service: service('web') }));
    const node = catalogTables(c.store).nodes.get('n1');
    assert.equal(node?.Address, '10.0.0.1');
    assert.deepEqual(node?.Meta, { rack: 'a' });
    assert.equal(node?.ModifyIndex, 1);
    c.apply(register('n9', { address: '10.0.0.9', skip: true }));
    assert.equal(catalogTables(c.store).nodes.get('n9')?.Address, '10.0.0.9');
  });

  test('a node change keeps CreateIndex and bumps the services running on it', () => {
    const c = catalog();
    c.apply(register('n1', { service: service('web') }));
    c.apply(register('n1', { address: '10.0.0.2' }));
    const node = catalogTables(c.store).nodes.get('n1');
    assert.deepEqual([node?.CreateIndex, node?.ModifyIndex, node?.Address], [1, 2, '10.0.0.2']);
    assert.equal(c.store.topicIndex(serviceTopic('web')), 2);
    assert.equal(c.store.topicIndex('services'), 1);
  });

  test('renaming a service by its ID moves it between names and refreshes its checks', () => {
    const c = catalog();
    c.apply(
      register('n1', { service: service('web', { ID: 's1' }), checks: [check('c', { ServiceID: 's1' })] }),
    );
    c.apply(register('n1', { service: service('www', { ID: 's1', Tags: ['new'] }) }));
    assert.deepEqual(instancesOfService(c.store, 'web'), []);
    assert.deepEqual(
      instancesOfService(c.store, 'www').map((s) => s.ID),
      ['s1'],
    );
    assert.equal(c.store.topicIndex(serviceTopic('web')), 2);
    const refreshed = catalogTables(c.store).checks.get('n1/c');
    assert.deepEqual(
      [refreshed?.ServiceName, refreshed?.ServiceTags, refreshed?.ModifyIndex],
      ['www', ['new'], 2],
    );
  });

  test('service names compare case-insensitively, as Consul indexes them', () => {
    const c = catalog();
    c.apply(register('n1', { service: service('Web') }));
    assert.deepEqual(
      instancesOfService(c.store, 'web').map((s) => s.Service),
      ['Web'],
    );
    assert.equal(c.store.topicIndex(serviceTopic('WEB')), 1);
  });

  test('a node ID held by another name renames that node; a live node keeps its name', () => {
    const id = '11111111-2222-3333-4444-555555555555';
    const other = '99999999-2222-3333-4444-555555555555';
    const c = catalog();
    c.apply(register('old', { id, service: service('web') }));
    assert.equal(c.apply(register('new', { id })), true);
    assert.equal(catalogTables(c.store).nodes.has('old'), false);
    assert.deepEqual(instancesOfService(c.store, 'web'), []);
    // `new` is alive (serfHealth passing) with ID `id`: another ID may not take its name.
    c.apply(register('new', { id, checks: [check('serfHealth')] }));
    const clash = c.apply(register('new', { id: other, address: '10.9.9.9' }));
    assert.deepEqual(clash, {
      error: `failed inserting node: Error while renaming Node ID: "${other}": Node name new is reserved by node ${id} with name new (10.0.0.1)`,
    });
    // Once it is critical, the name may be taken over.
    c.apply(register('new', { id, checks: [check('serfHealth', { Status: 'critical' })] }));
    assert.equal(c.apply(register('new', { id: other })), true);
    assert.equal(catalogTables(c.store).nodes.get('new')?.ID, other);
  });
});

describe('catalog.deregister', () => {
  test('a service goes with its checks; node checks stay', () => {
    const c = catalog();
    c.apply(
      register('n1', {
        service: service('web'),
        checks: [check('serfHealth'), check('w1', { ServiceID: 'web' }), check('w2', { ServiceID: 'web' })],
      }),
    );
    c.apply(deregister('n1', { serviceId: 'web' }));
    assert.deepEqual(
      checksOfNode(c.store, 'n1').map((r) => r.CheckID),
      ['serfHealth'],
    );
    assert.equal(catalogTables(c.store).services.size, 0);
    assert.deepEqual(topicIndexes(c.store, [serviceTopic('web'), nodeTopic('n1')]), {
      nodes: 1,
      services: 2,
      checks: 2,
      'service/web': 2,
      'node/n1': 2,
    });
  });

  test('a node goes with all its services and checks; other nodes are untouched', () => {
    const c = catalog();
    c.apply(
      register('n1', {
        service: service('web'),
        checks: [check('serfHealth'), check('w', { ServiceID: 'web' })],
      }),
    );
    c.apply(register('n1', { service: service('api') }));
    c.apply(register('n2', { service: service('web') }));
    c.apply(deregister('n1'));
    const t = catalogTables(c.store);
    assert.deepEqual(
      [...t.nodes.values()].map((n) => n.Node),
      ['n2'],
    );
    assert.deepEqual(
      [...t.services.values()].map((s) => `${s.Node}/${s.ID}`),
      ['n2/web'],
    );
    assert.equal(t.checks.size, 0);
    assert.equal(t.serviceNames.size, 1);
    assert.equal(c.store.topicIndex(serviceTopic('api')), 4);
    assert.equal(c.store.topicIndex(serviceTopic('web')), 4);
    // api disappeared from the list, so the list changed.
    assert.equal(c.store.topicIndex('services'), 4);
  });

  test('ServiceID wins over CheckID; unknown things are a no-op that bumps nothing', () => {
    const c = catalog();
    c.apply(register('n1', { service: service('web'), checks: [check('serfHealth')] }));
    c.apply(deregister('n1', { serviceId: 'web', checkId: 'serfHealth' }));
    assert.deepEqual(
      checksOfNode(c.store, 'n1').map((r) => r.CheckID),
      ['serfHealth'],
    );
    const before = topicIndexes(c.store, [nodeTopic('n1'), nodeTopic('ghost')]);
    assert.equal(c.apply(deregister('n1', { serviceId: 'nope' })), true);
    assert.equal(c.apply(deregister('n1', { checkId: 'nope' })), true);
    assert.equal(c.apply(deregister('ghost')), true);
    assert.deepEqual(topicIndexes(c.store, [nodeTopic('n1'), nodeTopic('ghost')]), before);
  });
});

describe('catalog invariants under random writes', () => {
  const nodes = ['n1', 'n2', 'n3'];
  const names = ['web', 'api', 'db'];
  const arbService = fc.record({
    id: fc.constantFrom('s1', 's2'),
    name: fc.constantFrom(...names),
    tags: fc.subarray(['a', 'b', 'c']),
    port: fc.constantFrom(80, 81),
  });
  const arbCheck = fc.record({
    id: fc.constantFrom('c1', 'c2', 'serfHealth'),
    serviceId: fc.constantFrom('', 's1', 's2'),
    status: fc.constantFrom('passing' as const, 'warning' as const, 'critical' as const),
  });
  const arbCommand = fc.oneof(
    fc
      .record({
        node: fc.constantFrom(...nodes),
        address: fc.constantFrom('10.0.0.1', '10.0.0.2'),
        service: fc.option(arbService, { nil: undefined }),
        checks: fc.array(arbCheck, { maxLength: 2 }),
        skip: fc.boolean(),
      })
      .map((r) =>
        register(r.node, {
          address: r.address,
          skip: r.skip,
          service: r.service
            ? service(r.service.name, { ID: r.service.id, Tags: r.service.tags, Port: r.service.port })
            : undefined,
          checks: r.checks.map((k) => check(k.id, { ServiceID: k.serviceId, Status: k.status })),
        }),
      ),
    fc
      .record({
        node: fc.constantFrom(...nodes),
        serviceId: fc.constantFrom('', 's1', 's2'),
        checkId: fc.constantFrom('', 'c1', 'serfHealth'),
      })
      .map((r) =>
        deregister(r.node, { serviceId: r.serviceId || undefined, checkId: r.checkId || undefined }),
      ),
  );

  function allTopics(store: StateStore): Record<string, number> {
    return topicIndexes(store, [...nodes.map(nodeTopic), ...names.map(serviceTopic)]);
  }

  test('applying any command a second time changes nothing, and the derived indexes stay exact', () => {
    fc.assert(
      fc.property(fc.array(arbCommand, { maxLength: 25 }), (commands) => {
        const c = catalog();
        for (const cmd of commands) {
          c.apply(cmd);
          const topics = allTopics(c.store);
          const rows = JSON.stringify(c.store.image().tables);
          c.apply(cmd);
          assert.deepEqual(allTopics(c.store), topics);
          assert.equal(JSON.stringify(c.store.image().tables), rows);
        }
        const t = catalogTables(c.store);
        const indexed = [...t.serviceNames.values()].sort();
        const services = [...t.services.entries()].map(([key]) => key).sort();
        assert.deepEqual(indexed, services);
        for (const row of t.services.values()) assert.ok(t.nodes.has(row.Node), 'service on a missing node');
        for (const row of t.checks.values()) {
          assert.ok(t.nodes.has(row.Node), 'check on a missing node');
          if (row.ServiceID === '') continue;
          const owner = t.services.get(`${row.Node}/${row.ServiceID}`);
          assert.ok(owner, 'check of a missing service');
          assert.equal(row.ServiceName, owner.Service);
          assert.deepEqual(row.ServiceTags, owner.Tags);
        }
      }),
      { numRuns: 200 },
    );
  });
});
