/** The DNS view over the real catalog tables: health from node and service checks, cached per service index. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { StateStore } from '../../core/state/store.js';
import { applyCatalogRegister } from '../../plugins/catalog/fsm.js';
import type { CatalogRegisterCommand, CheckInput } from '../../plugins/catalog/types.js';
import { createCatalogView } from '../../plugins/dns/catalog-view.js';

let index = 0;

function register(
  store: StateStore,
  node: string,
  address: string,
  checks: CheckInput[] = [],
  service = true,
): void {
  const command: CatalogRegisterCommand = {
    type: 'catalog.register',
    node: {
      ID: '',
      Node: node,
      Address: address,
      Datacenter: 'dc1',
      TaggedAddresses: {},
      Meta: { rack: 'a' },
    },
    skipNodeUpdate: false,
    service: service
      ? {
          Kind: '',
          ID: 'web',
          Service: 'Web',
          Tags: ['v1'],
          Address: '',
          TaggedAddresses: null,
          Meta: {},
          Port: 80,
          SocketPath: '',
          Weights: { Passing: 5, Warning: 2 },
          EnableTagOverride: false,
        }
      : null,
    checks,
  };
  index++;
  const result = applyCatalogRegister(store, command, index);
  assert.equal(result, true);
  store.finishApply(index);
}

function check(id: string, status: 'passing' | 'warning' | 'critical', serviceId = ''): CheckInput {
  return {
    CheckID: id,
    Name: id,
    Status: status,
    Notes: '',
    Output: '',
    ServiceID: serviceId,
    Type: '',
    Interval: '',
    Timeout: '',
    ExposedPort: 0,
    Definition: {},
  };
}

describe('catalog view', () => {
  test('instances carry the worst of their node and service checks', () => {
    const store = new StateStore();
    register(store, 'n1', '10.0.0.1');
    register(store, 'n2', '10.0.0.2', [check('svc', 'warning', 'web')]);
    register(store, 'n3', '10.0.0.3', [check('svc', 'passing', 'web'), check('node', 'critical')]);
    const view = createCatalogView(store, 'dc1');
    assert.deepEqual(
      view.serviceInstances('web').map((i) => [i.node.name, i.health, i.port, i.weights.passing, i.tags]),
      [
        ['n1', 'passing', 80, 5, ['v1']],
        ['n2', 'warning', 80, 5, ['v1']],
        ['n3', 'critical', 80, 5, ['v1']],
      ],
    );
    assert.deepEqual(view.serviceInstances('nope'), []);
  });

  test('the materialised instances are reused until the service changes, health included', () => {
    const store = new StateStore();
    register(store, 'n1', '10.0.0.1', [check('svc', 'passing', 'web')]);
    const first = createCatalogView(store, 'dc1').serviceInstances('WEB');
    assert.equal(createCatalogView(store, 'dc1').serviceInstances('web'), first, 'same object: no recompute');
    assert.ok(Object.isFrozen(first));
    register(store, 'n1', '10.0.0.1', [check('svc', 'critical', 'web')]);
    const after = createCatalogView(store, 'dc1').serviceInstances('web');
    assert.notEqual(after, first);
    assert.equal(after[0]?.health, 'critical');
    register(store, 'n1', '10.0.0.9', [], false);
    assert.equal(createCatalogView(store, 'dc1').serviceInstances('web')[0]?.node.address, '10.0.0.9');
  });

  test('nodes by name in any case, with their meta', () => {
    const store = new StateStore();
    register(store, 'Web-Node', '10.0.0.1');
    const view = createCatalogView(store, 'dc1');
    assert.deepEqual(view.node('web-node'), {
      name: 'Web-Node',
      address: '10.0.0.1',
      datacenter: 'dc1',
      meta: { rack: 'a' },
    });
    assert.equal(view.node('WEB-NODE')?.name, 'Web-Node');
    assert.equal(view.node('other'), undefined);
    register(store, 'other', '10.0.0.2');
    assert.equal(createCatalogView(store, 'dc1').node('OTHER')?.address, '10.0.0.2');
  });
});
