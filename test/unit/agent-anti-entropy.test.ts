import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildConfigValidator } from '../../core/config/schema.js';
import type { AgentConfig } from '../../core/config/types.js';
import type { ApplyOutcome, Consensus } from '../../core/consensus.js';
import type { CheckTransition, Command } from '../../core/hooks.js';
import type { Kernel } from '../../core/kernel.js';
import { syncScaleFactor } from '../../plugins/agent/anti-entropy.js';
import {
  checkRegistration,
  decodeCheckBody,
  decodeServiceBody,
  serviceRegistration,
} from '../../plugins/agent/definitions.js';
import {
  applyConfigServices,
  createAgentPlugin,
  getAgentRuntime,
  getLocalState,
  syncAgentState,
  updateCheckStatus,
} from '../../plugins/agent/index.js';
import { createCatalogPlugin } from '../../plugins/catalog/index.js';
import type { CheckRow, NodeRow, ServiceRow } from '../../plugins/catalog/types.js';
import { createHttpPlugin } from '../../plugins/http/index.js';
import { MemoryConsensus } from '../helpers/memory-consensus.js';
import { startTestKernel, type TestKernel } from '../helpers/test-kernel.js';

const NODE = 'test-node';

const webService = {
  name: 'web',
  port: 80,
  tags: ['a'],
  checks: [{ ttl: '10s' }],
} satisfies AgentConfig['services'][number];

async function boot(config: Partial<AgentConfig> = {}, consensus: 'memory' | 'plugin' = 'memory') {
  return startTestKernel({
    plugins: [createHttpPlugin(), createCatalogPlugin(), createAgentPlugin({ random: () => 0 })],
    config,
    consensus,
  });
}

async function withAgent(
  config: Partial<AgentConfig>,
  body: (agent: TestKernel) => Promise<void>,
  consensus: 'memory' | 'plugin' = 'memory',
): Promise<void> {
  const agent = await boot(config, consensus);
  try {
    await body(agent);
  } finally {
    await agent.stop();
  }
}

const catalogService = (kernel: Kernel, id: string) =>
  kernel.store.table<ServiceRow>('services').get(`${NODE}/${id}`);
const catalogCheck = (kernel: Kernel, id: string) =>
  kernel.store.table<CheckRow>('checks').get(`${NODE}/${id}`);

/** Writes straight into the catalog, as a user of /v1/catalog/register would. */
async function catalogWrite(kernel: Kernel, command: Record<string, unknown>): Promise<void> {
  const outcome = await kernel.propose(command as Command);
  assert.equal(outcome.result, true, JSON.stringify(outcome.result));
}

const nodeInput = {
  ID: '',
  Node: NODE,
  Address: '127.0.0.1',
  Datacenter: 'dc1',
  TaggedAddresses: {},
  Meta: {},
};

function checkInput(id: string, serviceId = '', status = 'passing') {
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

describe('anti-entropy with the real catalog', () => {
  test('config services, their checks and the node reach the catalog', async () => {
    await withAgent({ services: [webService] }, async ({ kernel }) => {
      await syncAgentState(kernel, 'full');
      const node = kernel.store.table<NodeRow>('nodes').get(NODE);
      assert.equal(node?.Node, NODE);
      assert.equal(node?.ID, '11111111-2222-3333-4444-555555555555');
      const service = catalogService(kernel, 'web');
      assert.equal(service?.Service, 'web');
      assert.equal(service?.Port, 80);
      assert.deepEqual(service?.Tags, ['a']);
      const check = catalogCheck(kernel, 'service:web');
      assert.equal(check?.Status, 'critical');
      assert.equal(check?.ServiceName, 'web');
      assert.equal(check?.Type, 'ttl');
      const local = getLocalState(kernel);
      assert.ok(local?.services().every((s) => s.inSync));
      assert.ok(local?.checks().every((c) => c.inSync));
    });
  });

  test('a full sync deletes what this node has in the catalog but the agent does not know', async () => {
    await withAgent({ services: [webService] }, async ({ kernel }) => {
      await syncAgentState(kernel, 'full');
      const stray = { ...serviceRegistration(decodeServiceBody({ Name: 'stray' })).service };
      await catalogWrite(kernel, {
        type: 'catalog.register',
        node: nodeInput,
        skipNodeUpdate: true,
        service: stray,
        checks: [checkInput('stray-check', 'stray'), checkInput('node-check'), checkInput('serfHealth')],
      });
      await catalogWrite(kernel, {
        type: 'catalog.register',
        node: { ...nodeInput, Node: 'other', Address: '127.0.0.2' },
        skipNodeUpdate: false,
        service: stray,
        checks: [checkInput('elsewhere')],
      });
      await syncAgentState(kernel, 'full');
      assert.equal(catalogService(kernel, 'stray'), undefined);
      assert.equal(catalogCheck(kernel, 'stray-check'), undefined);
      assert.equal(catalogCheck(kernel, 'node-check'), undefined);
      assert.equal(
        catalogCheck(kernel, 'serfHealth')?.Status,
        'passing',
        'serfHealth belongs to the servers',
      );
      assert.ok(kernel.store.table<ServiceRow>('services').get('other/stray'), 'other nodes are not ours');
      assert.ok(catalogService(kernel, 'web'));
    });
  });

  test('a full sync puts back what went missing or was changed behind the agent', async () => {
    await withAgent({ services: [webService] }, async ({ kernel }) => {
      await syncAgentState(kernel, 'full');
      await catalogWrite(kernel, { type: 'catalog.deregister', node: NODE, serviceId: 'web', checkId: null });
      assert.equal(catalogService(kernel, 'web'), undefined);
      await syncAgentState(kernel, 'full');
      assert.equal(catalogService(kernel, 'web')?.Port, 80);
      assert.equal(catalogCheck(kernel, 'service:web')?.Status, 'critical');

      await catalogWrite(kernel, {
        type: 'catalog.register',
        node: nodeInput,
        skipNodeUpdate: true,
        service: null,
        checks: [{ ...checkInput('service:web', 'web', 'passing'), Type: 'ttl' }],
      });
      assert.equal(catalogCheck(kernel, 'service:web')?.Status, 'passing');
      await syncAgentState(kernel, 'full');
      assert.equal(catalogCheck(kernel, 'service:web')?.Status, 'critical');
    });
  });

  test('enable_tag_override: tags changed in the catalog stay, and the agent adopts them', async () => {
    const services = [
      { name: 'tagged', tags: ['mine'], enable_tag_override: true },
      { name: 'plain', tags: ['mine'] },
    ];
    await withAgent({ services }, async ({ kernel }) => {
      await syncAgentState(kernel, 'full');
      for (const id of ['tagged', 'plain']) {
        const row = catalogService(kernel, id)!;
        const { Node: _n, CreateIndex: _c, ModifyIndex: _m, ...input } = row;
        await catalogWrite(kernel, {
          type: 'catalog.register',
          node: nodeInput,
          skipNodeUpdate: true,
          service: { ...input, Tags: ['theirs'] },
          checks: [],
        });
      }
      await syncAgentState(kernel, 'full');
      assert.deepEqual(catalogService(kernel, 'tagged')?.Tags, ['theirs']);
      assert.deepEqual(getLocalState(kernel)?.service('tagged')?.service.Tags, ['theirs']);
      assert.deepEqual(catalogService(kernel, 'plain')?.Tags, ['mine']);
    });
  });

  test('a status change goes to the catalog at once and fires onCheck once per transition', async () => {
    await withAgent({ services: [webService] }, async ({ kernel }) => {
      const transitions: CheckTransition[] = [];
      kernel.hooks.onCheck.tap('test', (t) => {
        transitions.push(t);
      });
      await syncAgentState(kernel, 'full');
      assert.equal(updateCheckStatus(kernel, 'service:web', 'passing', 'ok'), true);
      assert.equal(updateCheckStatus(kernel, 'service:web', 'passing', 'ok'), true);
      assert.equal(updateCheckStatus(kernel, 'nope', 'passing', 'ok'), false);
      await syncAgentState(kernel, 'changes');
      assert.equal(catalogCheck(kernel, 'service:web')?.Status, 'passing');
      assert.equal(catalogCheck(kernel, 'service:web')?.Output, 'ok');
      assert.deepEqual(transitions, [
        {
          node: NODE,
          checkId: 'service:web',
          serviceId: 'web',
          previous: 'critical',
          status: 'passing',
          output: 'ok',
        },
      ]);
    });
  });

  test('concurrent registrations each return only once their own change is in the catalog', async () => {
    await withAgent({}, async ({ kernel }) => {
      const runtime = getAgentRuntime(kernel)!;
      const ids = Array.from({ length: 20 }, (_, i) => `svc-${i}`);
      await Promise.all(
        ids.map(async (id) => {
          const reg = serviceRegistration(decodeServiceBody({ Name: 'many', ID: id }));
          await runtime.registerService(reg, 'api', { replaceExistingChecks: false });
          assert.ok(catalogService(kernel, id), `${id} is in the catalog when its registration returns`);
        }),
      );
    });
  });

  test('an output-only change waits for check_update_interval, even through a full sync', async () => {
    await withAgent({ services: [webService], check_update_interval: '1h' }, async ({ kernel }) => {
      await syncAgentState(kernel, 'full');
      updateCheckStatus(kernel, 'service:web', 'critical', 'new output');
      await syncAgentState(kernel, 'changes');
      await syncAgentState(kernel, 'full');
      assert.equal(catalogCheck(kernel, 'service:web')?.Output, '');
      assert.equal(getLocalState(kernel)?.check('service:web')?.check.Output, 'new output');
      // A status change carries the latest output with it.
      updateCheckStatus(kernel, 'service:web', 'warning', 'newer output');
      await syncAgentState(kernel, 'changes');
      assert.equal(catalogCheck(kernel, 'service:web')?.Output, 'newer output');
      assert.equal(catalogCheck(kernel, 'service:web')?.Status, 'warning');
    });
    await withAgent({ services: [webService], check_update_interval: '0s' }, async ({ kernel }) => {
      await syncAgentState(kernel, 'full');
      updateCheckStatus(kernel, 'service:web', 'critical', 'at once');
      await syncAgentState(kernel, 'changes');
      assert.equal(catalogCheck(kernel, 'service:web')?.Output, 'at once');
    });
  });

  test('without a leader a sync fails quietly; the changes go out once there is one', async () => {
    await withAgent(
      { services: [webService] },
      async ({ kernel }) => {
        await syncAgentState(kernel, 'full');
        assert.equal(catalogService(kernel, 'web'), undefined);
        assert.equal(getLocalState(kernel)?.service('web')?.inSync, false);
        kernel.setConsensus(new MemoryConsensus(kernel));
        await syncAgentState(kernel, 'changes');
        assert.equal(catalogService(kernel, 'web')?.Service, 'web');
      },
      'plugin',
    );
  });

  test('a write that fails is retried by the next pass; the others still go out', async () => {
    await withAgent(
      {},
      async ({ kernel }) => {
        const memory = new MemoryConsensus(kernel);
        let failuresLeft = 1;
        const flaky: Consensus = {
          propose: async (command: Command): Promise<ApplyOutcome> => {
            if (
              command.type === 'catalog.register' &&
              (command.service as { ID?: string } | null)?.ID === 'a'
            ) {
              if (failuresLeft-- > 0) throw new Error('leadership lost');
            }
            return memory.propose(command);
          },
          status: () => memory.status(),
          readBarrier: (mode) => memory.readBarrier(mode),
        };
        kernel.setConsensus(flaky);
        await applyConfigServices(kernel, { ...kernel.config, services: [{ name: 'a' }, { name: 'b' }] });
        assert.equal(catalogService(kernel, 'a'), undefined);
        assert.equal(catalogService(kernel, 'b')?.Service, 'b');
        await syncAgentState(kernel, 'changes');
        assert.equal(catalogService(kernel, 'a')?.Service, 'a');
      },
      'plugin',
    );
  });

  test('applyConfigServices replaces config-file entries and leaves API registrations alone', async () => {
    await withAgent(
      { services: [webService], checks: [{ name: 'disk', ttl: '30s' }] },
      async ({ kernel }) => {
        await syncAgentState(kernel, 'full');
        const runtime = getAgentRuntime(kernel)!;
        await runtime.registerService(serviceRegistration(decodeServiceBody({ Name: 'api-svc' })), 'api', {
          replaceExistingChecks: false,
        });
        updateCheckStatus(kernel, 'service:web', 'passing', '');
        const next = {
          ...kernel.config,
          services: [
            { ...webService, tags: ['b'] },
            { name: 'db', port: 5432 },
          ],
          checks: [],
        };
        const { problems } = await applyConfigServices(kernel, next);
        assert.deepEqual(problems, []);
        const state = getLocalState(kernel)!;
        assert.deepEqual(
          state
            .services()
            .map((s) => [s.service.ID, s.source])
            .sort(),
          [
            ['api-svc', 'api'],
            ['db', 'file'],
            ['web', 'file'],
          ],
        );
        assert.equal(state.check('disk'), undefined);
        assert.equal(catalogCheck(kernel, 'disk'), undefined);
        assert.deepEqual(catalogService(kernel, 'web')?.Tags, ['b']);
        assert.equal(catalogService(kernel, 'db')?.Port, 5432);
        assert.ok(catalogService(kernel, 'api-svc'));
        // A reload does not reset a check's result.
        assert.equal(state.check('service:web')?.check.Status, 'passing');
      },
    );
  });

  test('a file service losing a check loses it on reload; checks added over the API stay', async () => {
    const services = [{ name: 'multi', checks: [{ ttl: '10s' }, { ttl: '20s' }] }];
    await withAgent({ services }, async ({ kernel }) => {
      const runtime = getAgentRuntime(kernel)!;
      const extra = checkRegistration(
        decodeCheckBody({ Name: 'extra', ServiceID: 'multi', TTL: '5s' }),
        getLocalState(kernel)!.service('multi')!.service,
      );
      await runtime.registerCheck(extra, 'api', '');
      await applyConfigServices(kernel, {
        ...kernel.config,
        services: [{ name: 'multi', checks: [{ ttl: '10s' }] }],
      });
      assert.deepEqual(
        getLocalState(kernel)!
          .checksOfService('multi')
          .map((c) => c.check.CheckID)
          .sort(),
        ['extra', 'service:multi'],
      );
      await syncAgentState(kernel, 'full');
      assert.equal(catalogCheck(kernel, 'service:multi:2'), undefined);
      assert.ok(catalogCheck(kernel, 'extra'));
    });
  });

  test('a reload that cannot register something applies the rest and reports the problem', async () => {
    await withAgent({ services: [webService] }, async ({ kernel }) => {
      const next = {
        ...kernel.config,
        services: [{ name: 'db' }],
        checks: [{ name: 'lost', service_id: 'ghost', ttl: '5s' }],
      };
      const diff = {
        previous: kernel.config,
        next,
        services: { added: [], changed: [], removed: [] },
        checks: { added: [], changed: [], removed: [] },
        watchesChanged: false,
        templatesChanged: false,
        pluginsChanged: false,
        logLevelChanged: false,
        changedKeys: [],
        problems: [] as string[],
      };
      await kernel.hooks.onConfigReload.promise(diff);
      assert.deepEqual(diff.problems, [
        'Failed reloading services and checks: ServiceID "ghost" does not exist',
      ]);
      assert.deepEqual(
        getLocalState(kernel)!
          .services()
          .map((s) => s.service.ID),
        ['db'],
      );
    });
  });

  test('config entries the agent cannot take are skipped with a reason', async () => {
    await withAgent({}, async ({ kernel }) => {
      const { problems } = await applyConfigServices(kernel, {
        ...kernel.config,
        services: [{ name: 'sh', checks: [{ args: ['/bin/true'], interval: '10s' }] }],
        checks: [{ name: 'orphan', service_id: 'ghost', ttl: '5s' }],
      });
      assert.deepEqual(problems, [
        `Failed to register service "sh": Scripts are disabled on this agent; to enable, configure 'enable_script_checks' or 'enable_local_script_checks' to true`,
        'ServiceID "ghost" does not exist',
      ]);
      assert.equal(getLocalState(kernel)?.services().length, 0);
    });
  });

  test('discard_check_output keeps no output, locally or in the catalog', async () => {
    await withAgent({ services: [webService], discard_check_output: true }, async ({ kernel }) => {
      updateCheckStatus(kernel, 'service:web', 'passing', 'noisy output');
      await syncAgentState(kernel, 'full');
      assert.equal(getLocalState(kernel)?.check('service:web')?.check.Output, '');
      assert.equal(catalogCheck(kernel, 'service:web')?.Output, '');
      assert.equal(catalogCheck(kernel, 'service:web')?.Status, 'passing');
    });
  });

  test('the config keys the plugin owns validate, default, and raise no "not used" warning', () => {
    const schema = createAgentPlugin().configSchema;
    const validator = buildConfigValidator({ agent: schema });
    const base = { data_dir: '/tmp/x', node_name: 'n' };
    const good = validator.validate({ ...base, check_update_interval: '30s' });
    assert.deepEqual(good.issues, []);
    assert.deepEqual(good.warnings, []);
    assert.equal(good.config.check_output_max_size, 4096);
    assert.equal(good.config.discard_check_output, false);
    const bad = validator.validate({ ...base, check_update_interval: 'often', check_output_max_size: 0 });
    assert.deepEqual(bad.issues.map((i) => i.pointer).sort(), [
      '/check_output_max_size',
      '/check_update_interval',
    ]);
  });

  test('the full-sync interval scales past 128 nodes as Consul does', () => {
    assert.equal(syncScaleFactor(1), 1);
    assert.equal(syncScaleFactor(128), 1);
    assert.equal(syncScaleFactor(129), 2);
    assert.equal(syncScaleFactor(256), 2);
    assert.equal(syncScaleFactor(257), 3);
    assert.equal(syncScaleFactor(1024), 4);
  });
});
