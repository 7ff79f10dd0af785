import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { AgentConfig } from '../../core/config/types.js';
import {
  checkRegistration,
  decodeCheckBody,
  decodeServiceBody,
  serviceRegistration,
} from '../../plugins/agent/definitions.js';
import { createAgentPlugin, getAgentRuntime, getLocalState } from '../../plugins/agent/index.js';
import { AgentPersistence, writeFileAtomic } from '../../plugins/agent/persist.js';
import { createCatalogPlugin } from '../../plugins/catalog/index.js';
import { createHttpPlugin } from '../../plugins/http/index.js';
import { startTestKernel } from '../helpers/test-kernel.js';

let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tribune-agent-persist-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function boot(config: Partial<AgentConfig>, now = () => Date.now()) {
  return startTestKernel({
    plugins: [createHttpPlugin(), createCatalogPlugin(), createAgentPlugin({ random: () => 0, now })],
    config,
  });
}

describe('writeFileAtomic', () => {
  test('replaces the file whole and leaves no temporary file behind', async () => {
    const target = join(dir, 'atomic.json');
    await writeFileAtomic(target, '{"a":1}');
    await writeFileAtomic(target, '{"a":2}');
    assert.equal(await readFile(target, 'utf8'), '{"a":2}');
    assert.deepEqual(
      (await readdir(dir)).filter((name) => name.startsWith('atomic')),
      ['atomic.json'],
    );
  });
});

describe('AgentPersistence', () => {
  test('round-trips services, checks and TTL state; unreadable files are reported, not fatal', async () => {
    const dataDir = join(dir, 'unit');
    const store = new AgentPersistence(dataDir);
    await store.init();
    const service = serviceRegistration(decodeServiceBody({ Name: 'web', ID: 'a/b#c.d' })).service;
    await store.saveService({ Service: service, Token: 't' });
    const check = checkRegistration(
      decodeCheckBody({ Name: 'c', TTL: '10s', ServiceID: 'a/b#c.d' }),
      service,
    );
    await store.saveCheck({ Check: check.row, Definition: check.definition, Token: '' });
    await writeFile(join(dataDir, 'services', 'broken.json'), '{not json');
    const services = await store.loadServices();
    assert.deepEqual(services.entries, [{ Service: service, Token: 't' }]);
    assert.equal(services.problems.length, 1);
    assert.deepEqual((await store.loadChecks()).entries, [
      { Check: check.row, Definition: check.definition, Token: '' },
    ]);

    await store.saveCheckState({ CheckID: 'c', Status: 'passing', Output: 'ok', Expires: 2_000 });
    assert.equal((await store.loadCheckState('c', 1_000))?.Status, 'passing');
    assert.equal(await store.loadCheckState('c', 2_000), undefined, 'expired state is ignored');
    await store.removeCheck('c');
    assert.equal(await store.loadCheckState('c', 1_000), undefined);
    assert.deepEqual((await store.loadChecks()).entries, []);
    await store.removeService('a/b#c.d');
    assert.deepEqual((await store.loadServices()).entries, []);
  });
});

describe('agent restart on the same data_dir', () => {
  test('API services, checks, maintenance and TTL results come back; config-file entries are not persisted', async () => {
    const dataDir = join(dir, 'restart');
    let clock = 1_000_000;
    const config: Partial<AgentConfig> = { data_dir: dataDir, services: [{ name: 'from-file' }] };
    const first = await boot(config, () => clock);
    const runtime = getAgentRuntime(first.kernel)!;
    const reg = serviceRegistration(
      decodeServiceBody({ Name: 'web', ID: 'web/1', Tags: ['x'], Check: { TTL: '60s' } }),
    );
    await runtime.registerService(reg, 'api', { replaceExistingChecks: false });
    await runtime.registerCheck(
      checkRegistration(decodeCheckBody({ Name: 'node-ttl', TTL: '60s' }), undefined),
      'api',
      '',
    );
    await runtime.updateTtlCheck('service:web/1', 'passing', 'fine');
    await runtime.setServiceMaintenance('web/1', true, 'deploying', '');
    await runtime.setNodeMaintenance(true, '', '');
    await first.stop();
    assert.equal((await readdir(join(dataDir, 'services'))).length, 1, 'only the API service is on disk');

    clock += 30_000; // within the TTL
    const second = await boot(config, () => clock);
    try {
      const state = getLocalState(second.kernel)!;
      assert.deepEqual(
        state
          .services()
          .map((s) => [s.service.ID, s.source])
          .sort(),
        [
          ['from-file', 'file'],
          ['web/1', 'api'],
        ],
      );
      assert.deepEqual(state.service('web/1')?.service.Tags, ['x']);
      assert.equal(state.check('service:web/1')?.check.Status, 'passing');
      assert.equal(state.check('service:web/1')?.check.Output, 'fine');
      assert.equal(state.check('node-ttl')?.check.Status, 'critical');
      assert.equal(state.check('_service_maintenance:web/1')?.check.Notes, 'deploying');
      assert.equal(state.check('_node_maintenance')?.check.Status, 'critical');

      // Disabling maintenance and deregistering are persisted too.
      const again = getAgentRuntime(second.kernel)!;
      await again.setServiceMaintenance('web/1', false, '', '');
      await again.deregisterCheck('node-ttl');
    } finally {
      await second.stop();
    }

    clock += 120_000; // past the TTL: the saved result no longer applies
    const third = await boot(config, () => clock);
    try {
      const state = getLocalState(third.kernel)!;
      assert.equal(state.check('_service_maintenance:web/1'), undefined);
      assert.equal(state.check('node-ttl'), undefined);
      assert.ok(state.check('_node_maintenance'));
      assert.equal(state.check('service:web/1')?.check.Status, 'critical');
    } finally {
      await third.stop();
    }
  });

  test('a config-file service with the ID of a persisted one wins, and the persisted file goes', async () => {
    const dataDir = join(dir, 'collision');
    const first = await boot({ data_dir: dataDir });
    await getAgentRuntime(first.kernel)!.registerService(
      serviceRegistration(decodeServiceBody({ Name: 'web', Port: 1 })),
      'api',
      { replaceExistingChecks: false },
    );
    await first.stop();
    const second = await boot({ data_dir: dataDir, services: [{ name: 'web', port: 2 }] });
    try {
      const entry = getLocalState(second.kernel)!.service('web');
      assert.equal(entry?.source, 'file');
      assert.equal(entry?.service.Port, 2);
      assert.deepEqual(await readdir(join(dataDir, 'services')), []);
    } finally {
      await second.stop();
    }
  });

  test('a config-file check may name a service registered over the API before the restart', async () => {
    const dataDir = join(dir, 'order');
    const first = await boot({ data_dir: dataDir });
    await getAgentRuntime(first.kernel)!.registerService(
      serviceRegistration(decodeServiceBody({ Name: 'api-only' })),
      'api',
      { replaceExistingChecks: false },
    );
    await first.stop();
    const second = await boot({
      data_dir: dataDir,
      checks: [{ name: 'probe', service_id: 'api-only', ttl: '9s' }],
    });
    try {
      const check = getLocalState(second.kernel)!.check('probe');
      assert.equal(check?.source, 'file');
      assert.equal(check?.check.ServiceName, 'api-only');
    } finally {
      await second.stop();
    }
  });

  test('nothing is written in -dev mode or without a data_dir', async () => {
    const dataDir = join(dir, 'dev');
    for (const config of [{ dev: true, data_dir: dataDir }, {}] as Partial<AgentConfig>[]) {
      const agent = await boot(config);
      try {
        await getAgentRuntime(agent.kernel)!.registerService(
          serviceRegistration(decodeServiceBody({ Name: 'web' })),
          'api',
          { replaceExistingChecks: false },
        );
      } finally {
        await agent.stop();
      }
    }
    await assert.rejects(readdir(dataDir), { code: 'ENOENT' });
  });
});
