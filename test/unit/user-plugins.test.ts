import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { TribuneError } from '../../core/errors.js';
import { loadUserPlugin, loadUserPlugins } from '../../core/user-plugins.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/plugins/${name}`, import.meta.url));

test('a default export that is a manifest or a factory loads', async () => {
  const [plugin] = await loadUserPlugins([fixture('factory-plugin.js')]);
  assert.equal(plugin?.name, 'from-factory');
});

test('a module that is not a plugin, or is missing, is refused with its path', async () => {
  await assert.rejects(
    loadUserPlugin(fixture('not-a-plugin.js')),
    (err: unknown) =>
      err instanceof TribuneError &&
      err.code === 'PLUGIN_LOAD_FAILED' &&
      /not-a-plugin\.js must export a plugin manifest/.test(err.message),
  );
  await assert.rejects(
    loadUserPlugin(fixture('missing.js')),
    (err: unknown) => err instanceof TribuneError && /cannot load plugin .*missing\.js/.test(err.message),
  );
});
