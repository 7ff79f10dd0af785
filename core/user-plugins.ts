/**
 * Loads the plugins named by `plugins: ["./my-plugin.js"]` in config files. Paths arrive absolute
 * (resolved next to the file that named them). A module's default export is a manifest, or a function
 * returning one.
 */
import { pathToFileURL } from 'node:url';
import { TribuneError } from './errors.js';
import { isPluginManifest, type PluginManifest } from './plugin.js';

export async function loadUserPlugin(path: string): Promise<PluginManifest> {
  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(path).href)) as { default?: unknown };
  } catch (err) {
    throw new TribuneError(
      'PLUGIN_LOAD_FAILED',
      `cannot load plugin ${path}: ${(err as Error).message}`,
      { path },
      { cause: err },
    );
  }
  const exported =
    typeof module.default === 'function' ? (module.default as () => unknown)() : module.default;
  if (!isPluginManifest(exported)) {
    throw new TribuneError(
      'PLUGIN_LOAD_FAILED',
      `plugin ${path} must export a plugin manifest (an object with a name and an apply function) as its default export`,
      { path },
    );
  }
  return exported;
}

export async function loadUserPlugins(paths: readonly string[]): Promise<PluginManifest[]> {
  const plugins: PluginManifest[] = [];
  for (const path of paths) plugins.push(await loadUserPlugin(path));
  return plugins;
}
