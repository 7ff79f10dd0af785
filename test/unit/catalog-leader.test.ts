import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import pino from 'pino';
import type { AgentConfig } from '../../core/config/types.js';
import { type Member, MemberStatus } from '../../core/hooks.js';
import { Kernel } from '../../core/kernel.js';
import { proposeCatalog } from '../../plugins/catalog/fsm.js';
import { createCatalogPlugin } from '../../plugins/catalog/index.js';
import { localNodeInput, reconcileMember } from '../../plugins/catalog/leader.js';
import { catalogTables, checksOfNode, queryServices, servicesOfNode } from '../../plugins/catalog/queries.js';
import { createHttpPlugin } from '../../plugins/http/index.js';
import { MemoryConsensus } from '../helpers/memory-consensus.js';
import { testConfig } from '../helpers/test-config.js';

/** A kernel with the catalog applied and a memory consensus; nothing is started, so no I/O. */
function leaderKernel(config: Partial<AgentConfig> = {}) {
  const kernel = new Kernel({
    config: testConfig({ node_meta: { rack: 'r1' }, advertise_addr: '127.0.0.9', ...config }),
    logger: pino({ level: 'silent' }),
  });
  kernel.use([createHttpPlugin(), createCatalogPlugin()]);
  const consensus = new MemoryConsensus(kernel, () => 1_700_000_000_000);
  kernel.setConsensus(consensus);
  const elect = (signal = new AbortController().signal) =>
    kernel.hooks.onLeaderElected.promise({ term: 1, signal });
  return { kernel, consensus, elect };
}

function member(name: string, status: MemberStatus, tags: Record<string, string> = {}): Member {
  return { name, addr: '127.0.0.20', port: 8301, tags, status };
}

describe('leader reconcile of the local server', () => {
  test('registers the node, its serfHealth check and the consul service', async () => {
    const { kernel, elect } = leaderKernel();
    await elect();
    const node = catalogTables(kernel.store).nodes.get('test-node');
    assert.deepEqual(
      { ...node, CreateIndex: 0, ModifyIndex: 0 },
      {
        ID: '11111111-2222-3333-4444-555555555555',
        Node: 'test-node',
        Address: '127.0.0.9',
        Datacenter: 'dc1',
        TaggedAddresses: { lan: '127.0.0.9', lan_ipv4: '127.0.0.9', wan: '127.0.0.9', wan_ipv4: '127.0.0.9' },
        Meta: { rack: 'r1', 'consul-network-segment': '' },
        CreateIndex: 0,
        ModifyIndex: 0,
      },
    );
    const [serf] = checksOfNode(kernel.store, 'test-node');
    assert.deepEqual(
      [serf?.CheckID, serf?.Name, serf?.Status, serf?.Output, serf?.Type, serf?.ServiceID],
      ['serfHealth', 'Serf Health Status', 'passing', 'Agent alive and reachable', '', ''],
    );
    const [consul] = servicesOfNode(kernel.store, 'test-node');
    assert.deepEqual(
      [consul?.ID, consul?.Service, consul?.Port, consul?.Tags],
      ['consul', 'consul', 8300, []],
    );
    assert.deepEqual(queryServices(kernel.store).value, { consul: [] });
  });

  test('is idempotent: a second election writes nothing', async () => {
    const { kernel, consensus, elect } = leaderKernel();
    await elect();
    const entries = consensus.log.length;
    const image = JSON.stringify(kernel.store.image());
    await elect();
    assert.equal(consensus.log.length, entries);
    assert.equal(JSON.stringify(kernel.store.image()), image);
  });

  test("keeps the tagged addresses and meta the node's agent registered", async () => {
    const { kernel, consensus, elect } = leaderKernel();
    await proposeCatalog(kernel, {
      type: 'catalog.register',
      node: { ...localNodeInput(kernel.config), Meta: { set: 'by-agent' } },
      skipNodeUpdate: false,
      service: null,
      checks: [],
    });
    await elect();
    assert.deepEqual(catalogTables(kernel.store).nodes.get('test-node')?.Meta, { set: 'by-agent' });
    assert.equal(catalogTables(kernel.store).nodes.get('test-node')?.ModifyIndex, 1);
    assert.equal(consensus.log.length, 2);
  });

  test('localNodeInput tags only the address families that apply', () => {
    const { kernel } = leaderKernel({ advertise_addr: '::1', advertise_addr_wan: '198.51.100.7' });
    assert.deepEqual(localNodeInput(kernel.config).TaggedAddresses, {
      lan: '::1',
      wan: '198.51.100.7',
      lan_ipv6: '::1',
      wan_ipv4: '198.51.100.7',
    });
  });

  test('an aborted leadership writes nothing', async () => {
    const { consensus, elect } = leaderKernel();
    await elect(AbortSignal.abort());
    assert.equal(consensus.log.length, 0);
  });

  test('a client agent gets no consul service', async () => {
    const { kernel, elect } = leaderKernel({ server: false });
    await elect();
    assert.deepEqual(servicesOfNode(kernel.store, 'test-node'), []);
    assert.equal(checksOfNode(kernel.store, 'test-node').length, 1);
  });
});

describe('reconcileMember for other members', () => {
  test('alive registers the member, keeping the meta its own agent registered', async () => {
    const { kernel } = leaderKernel();
    await reconcileMember(kernel, member('peer', MemberStatus.alive, { role: 'consul', port: '8305' }));
    const tables = catalogTables(kernel.store);
    assert.equal(tables.nodes.get('peer')?.Address, '127.0.0.20');
    assert.equal(tables.services.get('peer/consul')?.Port, 8305);
    // The peer's agent registers its node meta (anti-entropy); the leader must not undo it.
    await proposeCatalog(kernel, {
      type: 'catalog.register',
      node: {
        ...localNodeInput(kernel.config),
        ID: '',
        Node: 'peer',
        Address: '127.0.0.20',
        Meta: { own: 'yes' },
      },
      skipNodeUpdate: false,
      service: null,
      checks: [],
    });
    await reconcileMember(kernel, member('peer', MemberStatus.alive, { role: 'consul', port: '8305' }));
    assert.deepEqual(tables.nodes.get('peer')?.Meta, { own: 'yes' });
  });

  test('failed turns serfHealth critical and keeps the node; left removes it, but never ourselves', async () => {
    const { kernel, elect } = leaderKernel();
    await elect();
    await reconcileMember(kernel, member('peer', MemberStatus.alive, { role: 'node' }));
    await reconcileMember(kernel, member('peer', MemberStatus.failed));
    const serf = catalogTables(kernel.store).checks.get('peer/serfHealth');
    assert.deepEqual([serf?.Status, serf?.Output], ['critical', 'Agent not live or unreachable']);
    assert.equal(catalogTables(kernel.store).nodes.get('peer')?.Address, '127.0.0.20');
    await reconcileMember(kernel, member('peer', MemberStatus.left));
    assert.equal(catalogTables(kernel.store).nodes.has('peer'), false);
    await reconcileMember(kernel, member('test-node', MemberStatus.left));
    assert.equal(catalogTables(kernel.store).nodes.has('test-node'), true);
  });
});
