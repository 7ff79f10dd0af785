import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { SyncHook } from 'tapable';
import { TribuneError } from '../../core/errors.js';
import { Kernel } from '../../core/kernel.js';
import { commandOwners, orderPlugins } from '../../core/loader.js';
import { definePlugin, type PluginManifest } from '../../core/plugin.js';
import { definePluginHooks } from '../../core/plugin-hooks.js';
import { testConfig } from '../helpers/test-config.js';

const plugin = (
  name: string,
  dependencies: string[] = [],
  extra: Partial<PluginManifest> = {},
): PluginManifest => definePlugin({ name, dependencies, apply() {}, ...extra });

function newKernel(): Kernel {
  return new Kernel({ config: testConfig(), logger: pino({ level: 'silent' }) });
}

function hasCode(code: string, pattern?: RegExp) {
  return (err: unknown) =>
    err instanceof TribuneError && err.code === code && (!pattern || pattern.test(err.message));
}

test('plugins are ordered after their dependencies, stably', () => {
  const order = orderPlugins([
    plugin('kv', ['http', 'raft']),
    plugin('http'),
    plugin('raft'),
    plugin('dns', ['http']),
  ]);
  assert.deepEqual(
    order.map((p) => p.name),
    ['http', 'raft', 'kv', 'dns'],
  );
});

test('a missing dependency is refused with a clear message', () => {
  assert.throws(
    () => orderPlugins([plugin('kv', ['raft'])]),
    hasCode('PLUGIN_DEP_MISSING', /plugin 'kv' depends on 'raft', which is not loaded/),
  );
});

test('a cycle is refused and named', () => {
  assert.throws(
    () => orderPlugins([plugin('a', ['b']), plugin('b', ['c']), plugin('c', ['a']), plugin('d')]),
    hasCode('PLUGIN_CYCLE', /cycle: a -> b -> c -> a/),
  );
});

test('a plugin loaded twice is refused', () => {
  assert.throws(() => orderPlugins([plugin('a'), plugin('a')]), hasCode('PLUGIN_DUPLICATE'));
});

test('two owners of one command type are refused', () => {
  assert.throws(
    () =>
      commandOwners([
        plugin('kv', [], { commands: ['kv.set'] }),
        plugin('evil', [], { commands: ['kv.set'] }),
      ]),
    hasCode('PLUGIN_COMMAND_OWNER', /'kv.set' is claimed by both 'kv' and 'evil'/),
  );
});

test('only the declared owner may tap a command type, and only once', () => {
  const kernel = newKernel();
  const owner = plugin('kv', [], {
    commands: ['kv.set'],
    apply(k) {
      k.hooks.onApply.for('kv.set').tap('kv', () => true);
    },
  });
  const intruder = plugin('intruder', [], {
    apply(k) {
      k.hooks.onApply.for('kv.set').tap('intruder', () => false);
    },
  });
  assert.throws(
    () => kernel.use([owner, intruder]),
    hasCode('PLUGIN_HOOK_FAILED', /'intruder'.*belongs to 'kv'/),
  );
  const undeclared = plugin('sneaky', [], {
    apply(k) {
      k.hooks.onApply.for('sneaky.op').tap('sneaky', () => 1);
    },
  });
  assert.throws(() => newKernel().use([undeclared]), /without declaring it/);
});

test('a failure inside a tap names the plugin and the hook', () => {
  const kernel = newKernel();
  kernel.use([
    plugin('webhook', [], {
      apply(k) {
        k.hooks.onCheck.tap('webhook', () => {
          throw new Error('socket hang up');
        });
      },
    }),
  ]);
  assert.throws(
    () =>
      kernel.hooks.onCheck.call({
        node: 'n',
        checkId: 'c',
        serviceId: '',
        previous: 'passing',
        status: 'critical',
        output: '',
      }),
    hasCode('PLUGIN_HOOK_FAILED', /plugin 'webhook' failed in hook 'onCheck': socket hang up/),
  );
});

test('async tap failures and start failures are named too', async () => {
  const kernel = newKernel();
  kernel.use([
    plugin('slow', [], {
      apply(k) {
        k.hooks.onLeaderElected.tapPromise('slow', async () => {
          throw new Error('no quorum');
        });
      },
      async start() {
        throw new Error('port in use');
      },
    }),
  ]);
  await assert.rejects(
    kernel.hooks.onLeaderElected.promise({ term: 1, signal: new AbortController().signal }),
    hasCode('PLUGIN_HOOK_FAILED', /'slow' failed in hook 'onLeaderElected': no quorum/),
  );
  await assert.rejects(
    kernel.start(),
    hasCode('PLUGIN_HOOK_FAILED', /'slow' failed in hook 'start': port in use/),
  );
});

test('domain errors thrown by a tap keep their code', () => {
  const kernel = newKernel();
  kernel.use([
    plugin('kv', [], {
      apply(k) {
        k.hooks.onCheck.tap('kv', () => {
          throw new TribuneError('NOT_FOUND', 'gone');
        });
      },
    }),
  ]);
  assert.throws(
    () =>
      kernel.hooks.onCheck.call({
        node: '',
        checkId: '',
        serviceId: '',
        previous: undefined,
        status: 'passing',
        output: '',
      }),
    hasCode('NOT_FOUND'),
  );
});

test('applyCommitted runs the owner and fires the watch sets of what it bumped', async () => {
  const kernel = newKernel();
  kernel.use([
    plugin('kv', [], {
      commands: ['kv.set'],
      apply(k) {
        k.hooks.onApply.for('kv.set').tap('kv', (cmd, ctx) => {
          ctx.store.table<string>('kv').set(String(cmd.key), String(cmd.value));
          ctx.store.bump(`kv/${String(cmd.key)}`, ctx.index);
          return true;
        });
      },
    }),
  ]);
  const woken = kernel.store.watch.wait({ topics: ['kv/a'] }, 5_000);
  const result = kernel.applyCommitted(
    { type: 'kv.set', key: 'a', value: '1' },
    { index: 7, term: 1, time: 0 },
  );
  assert.equal(result, true);
  assert.equal(await woken, 'changed');
  assert.equal(kernel.store.lastIndex, 7);
  assert.equal(kernel.store.topicIndex('kv/a'), 7);
  assert.throws(
    () => kernel.applyCommitted({ type: 'nope' }, { index: 8, term: 1, time: 0 }),
    /no plugin applies/,
  );
});

test('proposals fail with No cluster leader until a consensus provider exists', async () => {
  const kernel = newKernel();
  kernel.use([plugin('kv', [], { commands: ['kv.set'], apply() {} })]);
  await assert.rejects(kernel.propose({ type: 'kv.set' }), hasCode('NO_LEADER', /^No cluster leader$/));
});

test('plugin-published hooks are per kernel and instrumented', () => {
  const getHooks = definePluginHooks('dns', () => ({ resolve: new SyncHook<[string]>(['name']) }));
  const a = newKernel();
  const b = newKernel();
  assert.equal(getHooks(a), getHooks(a));
  assert.notEqual(getHooks(a), getHooks(b));
  assert.ok(Object.isFrozen(getHooks(a)));
  getHooks(a).resolve.tap('broken', () => {
    throw new Error('bad');
  });
  assert.throws(() => getHooks(a).resolve.call('x'), /plugin 'broken' failed in hook 'dns.resolve': bad/);
});

test('kernel hooks are frozen', () => {
  const kernel = newKernel();
  assert.ok(Object.isFrozen(kernel.hooks));
  assert.throws(() => {
    (kernel.hooks as unknown as Record<string, unknown>).onJoin = null;
  }, TypeError);
});

test('stop runs every plugin stop in reverse order even when one fails', async () => {
  const kernel = newKernel();
  const events: string[] = [];
  const mk = (name: string, deps: string[], fail = false) =>
    plugin(name, deps, {
      async start() {
        events.push(`start ${name}`);
      },
      async stop() {
        events.push(`stop ${name}`);
        if (fail) throw new Error('x');
      },
    });
  kernel.use([mk('b', ['a'], true), mk('a', [])]);
  await kernel.start();
  await kernel.stop();
  assert.deepEqual(events, ['start a', 'start b', 'stop b', 'stop a']);
});
