import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { TribuneError } from '../../core/errors.js';
import { StateStore } from '../../core/state/store.js';
import { applyCatalogRegister } from '../../plugins/catalog/fsm.js';
import { serviceTopic } from '../../plugins/catalog/queries.js';
import type { CatalogRegisterCommand, CheckInput, ServiceInput } from '../../plugins/catalog/types.js';
import {
  agentHealthHttpStatus,
  aggregatedStatus,
  isMaintenanceCheck,
} from '../../plugins/health/aggregate.js';
import {
  allChecksPassing,
  instanceChecks,
  parseHealthState,
  queryChecksInState,
  queryNodeHealth,
  queryServiceChecks,
  queryServiceHealth,
  serviceHealth,
} from '../../plugins/health/queries.js';
import { passingParam } from '../../plugins/health/routes.js';

function service(id: string, name: string, tags: string[]): ServiceInput {
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
  };
}

function check(id: string, status: CheckInput['Status'], serviceId = ''): CheckInput {
  return {
    CheckID: id,
    Name: id === 'serfHealth' ? 'Serf Health Status' : `check ${id}`,
    Status: status,
    Notes: '',
    Output: '',
    ServiceID: serviceId,
    Type: serviceId === '' ? '' : 'ttl',
    Interval: '',
    Timeout: '',
    ExposedPort: 0,
    Definition: {},
  };
}

function register(
  node: string,
  meta: Record<string, string>,
  svc: ServiceInput | null,
  checks: CheckInput[],
): CatalogRegisterCommand {
  return {
    type: 'catalog.register',
    node: {
      ID: '',
      Node: node,
      Address: `10.0.0.${node.slice(1)}`,
      Datacenter: 'dc1',
      TaggedAddresses: {},
      Meta: meta,
    },
    skipNodeUpdate: false,
    service: svc,
    checks,
  };
}

class Catalog {
  readonly store = new StateStore();
  private index = 0;

  apply(cmd: CatalogRegisterCommand): number {
    const index = ++this.index;
    assert.equal(applyCatalogRegister(this.store, cmd, index), true);
    this.store.finishApply(index);
    return index;
  }
}

/**
 * n1 (rack a): serfHealth passing, web-1 [primary v1] passing, api critical.
 * n2 (rack b): serfHealth CRITICAL, web-2 [v1] passing.
 * n3 (rack a): serfHealth passing, web-3 [v1 canary] warning.
 * n4 (rack c): serfHealth passing + node maintenance, web-4 [v1] passing.
 * n5 (rack a): serfHealth passing, db only.
 */
function fixture(): Catalog {
  const catalog = new Catalog();
  const rack = (r: string) => ({ rack: r });
  catalog.apply(register('n1', rack('a'), null, [check('serfHealth', 'passing')]));
  catalog.apply(
    register('n1', rack('a'), service('web-1', 'web', ['primary', 'v1']), [
      check('service:web-1', 'passing', 'web-1'),
    ]),
  );
  catalog.apply(
    register('n1', rack('a'), service('api', 'api', []), [check('service:api', 'critical', 'api')]),
  );
  catalog.apply(
    register('n2', rack('b'), service('web-2', 'web', ['v1']), [
      check('serfHealth', 'critical'),
      check('service:web-2', 'passing', 'web-2'),
    ]),
  );
  catalog.apply(
    register('n3', rack('a'), service('web-3', 'web', ['v1', 'canary']), [
      check('serfHealth', 'passing'),
      check('service:web-3', 'warning', 'web-3'),
    ]),
  );
  catalog.apply(
    register('n4', rack('c'), service('web-4', 'web', ['v1']), [
      check('serfHealth', 'passing'),
      check('_node_maintenance', 'critical'),
      check('service:web-4', 'passing', 'web-4'),
    ]),
  );
  catalog.apply(
    register('n5', rack('a'), service('db', 'db', []), [
      check('serfHealth', 'passing'),
      check('service:db', 'passing', 'db'),
    ]),
  );
  return catalog;
}

const serviceIds = (entries: { Service: { ID: string } }[]) => entries.map((e) => e.Service.ID);
const checkIds = (checks: { Node: string; CheckID: string }[]) => checks.map((c) => `${c.Node}/${c.CheckID}`);

describe('queryServiceHealth', () => {
  test('one entry per instance: node-level checks first, then its own, in Consul field order', () => {
    const { value, index, watch } = queryServiceHealth(fixture().store, 'web');
    assert.deepEqual(serviceIds(value), ['web-1', 'web-2', 'web-3', 'web-4']);
    const n4 = value[3]!;
    assert.deepEqual(
      n4.Checks.map((c) => c.CheckID),
      ['_node_maintenance', 'serfHealth', 'service:web-4'],
    );
    // n1's api check belongs to another instance and stays out of web-1's entry.
    assert.deepEqual(
      value[0]!.Checks.map((c) => c.CheckID),
      ['serfHealth', 'service:web-1'],
    );
    assert.deepEqual(Object.keys(n4), ['Node', 'Service', 'Checks']);
    assert.deepEqual(Object.keys(n4.Node), [
      'ID',
      'Node',
      'Address',
      'Datacenter',
      'TaggedAddresses',
      'Meta',
      'CreateIndex',
      'ModifyIndex',
    ]);
    assert.deepEqual(Object.keys(n4.Checks[0]!), [
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
    const serviceJson = JSON.parse(JSON.stringify(n4.Service)) as Record<string, unknown>;
    assert.equal(serviceJson.Service, 'web');
    assert.deepEqual(serviceJson.Tags, ['v1']);
    assert.equal(serviceJson.Port, 8080);
    assert.equal('Kind' in serviceJson, false, 'an empty Kind is omitted, as Go omitempty does');
    assert.deepEqual(watch, { topics: ['service/web'] });
    assert.equal(index, 6);
  });

  test('?passing drops an instance when any check is not passing, node-level ones included', () => {
    const { value } = queryServiceHealth(fixture().store, 'web', { passingOnly: true });
    // web-2: serfHealth critical; web-3: warning; web-4: node maintenance.
    assert.deepEqual(serviceIds(value), ['web-1']);
  });

  test('?tag: every tag must be present (AND), compared case-insensitively', () => {
    const store = fixture().store;
    const tagged = (tags: string[]) => serviceIds(queryServiceHealth(store, 'web', { tags }).value);
    assert.deepEqual(tagged(['v1', 'primary']), ['web-1']);
    assert.deepEqual(tagged(['V1']), ['web-1', 'web-2', 'web-3', 'web-4']);
    assert.deepEqual(tagged(['v1', 'canary']), ['web-3']);
    assert.deepEqual(tagged(['primary', 'canary']), []);
  });

  test('?filter runs on whole entries: Checks.Status, Service.Tags, Node.Meta', () => {
    const store = fixture().store;
    const filtered = (filter: string) => serviceIds(queryServiceHealth(store, 'web', { filter }).value);
    assert.deepEqual(filtered('Checks.Status == critical'), ['web-2', 'web-4']);
    assert.deepEqual(filtered('Checks.Status != critical'), ['web-1', 'web-3']);
    assert.deepEqual(filtered('Checks.Status == warning'), ['web-3']);
    assert.deepEqual(filtered('Service.Tags contains "canary"'), ['web-3']);
    assert.deepEqual(filtered('Node.Meta.rack == b'), ['web-2']);
    assert.deepEqual(filtered('Service.Kind is empty and Node.Node == n1'), ['web-1']);
    assert.throws(
      () => queryServiceHealth(store, 'web', { filter: 'Checks.Status ==' }),
      (err) => err instanceof TribuneError && err.code === 'BAD_REQUEST',
    );
  });

  test('?node-meta and ?passing combine with the rest', () => {
    const store = fixture().store;
    const rackA = queryServiceHealth(store, 'web', { nodeMeta: { rack: 'a' } }).value;
    assert.deepEqual(serviceIds(rackA), ['web-1', 'web-3']);
    const passingA = queryServiceHealth(store, 'web', { nodeMeta: { rack: 'a' }, passingOnly: true });
    assert.deepEqual(serviceIds(passingA.value), ['web-1']);
  });

  test('an unknown service is [] at index 0, watching its own topic', () => {
    const result = queryServiceHealth(fixture().store, 'nope');
    assert.deepEqual(result, { index: 0, value: [], watch: { topics: ['service/nope'] } });
  });

  test('service names compare case-insensitively', () => {
    assert.deepEqual(serviceIds(queryServiceHealth(fixture().store, 'WEB').value).length, 4);
  });
});

describe('health/service watch specs', () => {
  test("a change to another service's health neither moves the index nor wakes the waiter", async () => {
    const catalog = fixture();
    const { store } = catalog;
    const before = queryServiceHealth(store, 'web');
    const controller = new AbortController();
    const waiting = store.watch.wait(before.watch, 60_000, controller.signal);
    catalog.apply(
      register('n1', { rack: 'a' }, null, [check('service:api', 'passing', 'api')]), // api heals
    );
    // n5 runs only db: its node-level check concerns db, not web.
    catalog.apply(register('n5', { rack: 'a' }, null, [check('serfHealth', 'critical')]));
    assert.equal(store.watch.waiterCount, 1, 'the web waiter is still parked');
    assert.equal(queryServiceHealth(store, 'web').index, before.index);
    assert.ok(store.topicIndex(serviceTopic('api')) > before.index);
    assert.ok(store.topicIndex(serviceTopic('db')) > before.index);

    const changed = catalog.apply(
      register('n3', { rack: 'a' }, null, [check('service:web-3', 'passing', 'web-3')]),
    );
    assert.equal(await waiting, 'changed');
    const after = queryServiceHealth(store, 'web', { passingOnly: true });
    assert.equal(after.index, changed);
    assert.deepEqual(serviceIds(after.value), ['web-1', 'web-3']);
    controller.abort();
  });

  test('a node-level check on a node running web wakes web', async () => {
    const catalog = fixture();
    const { store } = catalog;
    const before = queryServiceHealth(store, 'web');
    const waiting = store.watch.wait(before.watch, 60_000);
    const changed = catalog.apply(register('n2', { rack: 'b' }, null, [check('serfHealth', 'passing')]));
    assert.equal(await waiting, 'changed');
    const after = queryServiceHealth(store, 'web', { passingOnly: true });
    assert.equal(after.index, changed);
    assert.deepEqual(serviceIds(after.value), ['web-1', 'web-2']);
  });
});

describe('the row-level reads DNS and templates use', () => {
  test('serviceHealth and instanceChecks give the rows behind the entries', () => {
    const store = fixture().store;
    const rows = serviceHealth(store, 'web');
    assert.deepEqual(
      rows.map((r) => [r.node.Node, r.service.ID, allChecksPassing(r.checks)]),
      [
        ['n1', 'web-1', true],
        ['n2', 'web-2', false],
        ['n3', 'web-3', false],
        ['n4', 'web-4', false],
      ],
    );
    assert.deepEqual(
      instanceChecks(store, 'n1', 'api').map((c) => c.CheckID),
      ['serfHealth', 'service:api'],
    );
    assert.deepEqual(instanceChecks(store, 'nowhere', 'x'), []);
    assert.equal(allChecksPassing([]), true);
  });
});

describe('queryNodeHealth', () => {
  test("every check of the node, node-level and services', by check ID", () => {
    const result = queryNodeHealth(fixture().store, 'n1');
    assert.deepEqual(checkIds(result.value), ['n1/serfHealth', 'n1/service:api', 'n1/service:web-1']);
    assert.deepEqual(result.watch, { topics: ['node/n1'] });
    assert.equal(result.index, 3);
    assert.deepEqual(result.value[2]!.ServiceTags, ['primary', 'v1']);
    assert.equal(result.value[2]!.ServiceName, 'web');
  });

  test('?filter applies to each check; an unknown node is []', () => {
    const store = fixture().store;
    assert.deepEqual(checkIds(queryNodeHealth(store, 'n1', { filter: 'ServiceName == web' }).value), [
      'n1/service:web-1',
    ]);
    assert.deepEqual(queryNodeHealth(store, 'n9').value, []);
  });
});

describe('queryServiceChecks', () => {
  test("the checks of the service's instances only, node by node", () => {
    const result = queryServiceChecks(fixture().store, 'web');
    assert.deepEqual(checkIds(result.value), [
      'n1/service:web-1',
      'n2/service:web-2',
      'n3/service:web-3',
      'n4/service:web-4',
    ]);
    assert.deepEqual(result.watch, { topics: ['service/web'] });
  });

  test('?filter and ?node-meta', () => {
    const store = fixture().store;
    assert.deepEqual(checkIds(queryServiceChecks(store, 'web', { filter: 'Status != passing' }).value), [
      'n3/service:web-3',
    ]);
    assert.deepEqual(checkIds(queryServiceChecks(store, 'web', { nodeMeta: { rack: 'a' } }).value), [
      'n1/service:web-1',
      'n3/service:web-3',
    ]);
    assert.deepEqual(queryServiceChecks(store, 'nope').value, []);
  });
});

describe('queryChecksInState', () => {
  test('a state selects by status; any selects every check', () => {
    const store = fixture().store;
    const critical = queryChecksInState(store, 'critical');
    assert.deepEqual(checkIds(critical.value), ['n1/service:api', 'n2/serfHealth', 'n4/_node_maintenance']);
    assert.deepEqual(critical.watch, { topics: ['checks'] });
    assert.equal(critical.index, 7);
    assert.deepEqual(checkIds(queryChecksInState(store, 'warning').value), ['n3/service:web-3']);
    assert.equal(queryChecksInState(store, 'any').value.length, 12);
    assert.equal(queryChecksInState(store, 'passing').value.length, 8);
  });

  test('?node-meta also watches nodes; ?filter applies to each check', () => {
    const store = fixture().store;
    const rackA = queryChecksInState(store, 'passing', { nodeMeta: { rack: 'a' } });
    assert.deepEqual(rackA.watch, { topics: ['checks', 'nodes'] });
    assert.ok(rackA.value.every((c) => ['n1', 'n3', 'n5'].includes(c.Node)));
    assert.equal(rackA.value.length, 5);
    assert.deepEqual(checkIds(queryChecksInState(store, 'any', { filter: 'ServiceName == db' }).value), [
      'n5/service:db',
    ]);
  });

  test('parseHealthState accepts the four states, in any case, and nothing else', () => {
    assert.equal(parseHealthState('any'), 'any');
    assert.equal(parseHealthState('passing'), 'passing');
    assert.equal(parseHealthState('Warning'), 'warning');
    assert.equal(parseHealthState('CRITICAL'), 'critical');
    assert.equal(parseHealthState('maintenance'), undefined);
    assert.equal(parseHealthState('bogus'), undefined);
    assert.equal(parseHealthState(''), undefined);
  });
});

describe('?passing parsing', () => {
  const params = (query: string) => {
    const search = new URLSearchParams(query);
    return { has: (n: string) => search.has(n), get: (n: string) => search.get(n) ?? undefined };
  };

  test('bare or Go-true values set it; Go-false values and absence do not; anything else is a 400', () => {
    for (const q of ['passing', 'passing=', 'passing=1', 'passing=true', 'passing=T', 'passing=True']) {
      assert.equal(passingParam(params(q)), true, q);
    }
    for (const q of ['', 'passing=false', 'passing=0', 'passing=F', 'other=1']) {
      assert.equal(passingParam(params(q)), false, q);
    }
    assert.throws(
      () => passingParam(params('passing=yes')),
      (err) => err instanceof TribuneError && err.code === 'BAD_REQUEST' && /\?passing/.test(err.message),
    );
  });
});

describe('aggregatedStatus', () => {
  const c = (CheckID: string, Status: string) => ({ CheckID, Status });

  test('maintenance > critical > warning > passing; no checks is passing', () => {
    assert.equal(aggregatedStatus([]), 'passing');
    assert.equal(aggregatedStatus([c('a', 'passing')]), 'passing');
    assert.equal(aggregatedStatus([c('a', 'passing'), c('b', 'warning')]), 'warning');
    assert.equal(aggregatedStatus([c('a', 'warning'), c('b', 'critical')]), 'critical');
    assert.equal(aggregatedStatus([c('a', 'critical'), c('_node_maintenance', 'critical')]), 'maintenance');
    // A maintenance check counts by its ID, whatever status it carries.
    assert.equal(aggregatedStatus([c('_service_maintenance:web', 'passing')]), 'maintenance');
  });

  test('an unknown status makes the aggregate empty, as in Consul', () => {
    assert.equal(aggregatedStatus([c('a', 'critical'), c('b', 'unknown')]), '');
  });

  test('HTTP status of the agent endpoints: 200, 429, 503 for the rest', () => {
    assert.equal(agentHealthHttpStatus('passing'), 200);
    assert.equal(agentHealthHttpStatus('warning'), 429);
    assert.equal(agentHealthHttpStatus('critical'), 503);
    assert.equal(agentHealthHttpStatus('maintenance'), 503);
    assert.equal(agentHealthHttpStatus(''), 503);
  });

  test('property: order does not matter, and the aggregate is the worst rank present', () => {
    const rank = { passing: 0, warning: 1, critical: 2, maintenance: 3 } as const;
    const arbCheck = fc.record({
      CheckID: fc.oneof(
        fc.constantFrom('_node_maintenance', '_service_maintenance:web', 'serfHealth'),
        fc.string({ maxLength: 12 }),
      ),
      Status: fc.constantFrom('passing', 'warning', 'critical'),
    });
    fc.assert(
      fc.property(fc.array(arbCheck, { maxLength: 12 }), (checks) => {
        const result = aggregatedStatus(checks);
        assert.equal(aggregatedStatus([...checks].reverse()), result);
        const ranks = checks.map((ch) =>
          isMaintenanceCheck(ch.CheckID) ? rank.maintenance : rank[ch.Status as keyof typeof rank],
        );
        const worst = Math.max(0, ...ranks);
        assert.notEqual(result, '');
        assert.equal(rank[result as keyof typeof rank], worst);
      }),
      { numRuns: 300 },
    );
  });
});
