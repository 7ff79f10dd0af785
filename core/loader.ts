/**
 * Orders plugins by their declared dependencies (a stable topological sort: among plugins whose
 * dependencies are met, the one listed first goes first) and refuses, with a message that says what to
 * fix, a duplicate name, a missing dependency, a cycle, or two plugins owning one command type.
 */
import { TribuneError } from './errors.js';
import type { PluginManifest } from './plugin.js';

export function orderPlugins(plugins: readonly PluginManifest[]): PluginManifest[] {
  const byName = new Map<string, PluginManifest>();
  for (const plugin of plugins) {
    if (byName.has(plugin.name)) {
      throw new TribuneError('PLUGIN_DUPLICATE', `plugin '${plugin.name}' is loaded twice`, {
        plugin: plugin.name,
      });
    }
    byName.set(plugin.name, plugin);
  }
  for (const plugin of plugins) {
    for (const dependency of plugin.dependencies ?? []) {
      if (!byName.has(dependency)) {
        throw new TribuneError(
          'PLUGIN_DEP_MISSING',
          `plugin '${plugin.name}' depends on '${dependency}', which is not loaded`,
          { plugin: plugin.name, dependency },
        );
      }
    }
  }
  const ordered: PluginManifest[] = [];
  const placed = new Set<string>();
  let remaining = [...plugins];
  while (remaining.length > 0) {
    const ready = remaining.find((p) => (p.dependencies ?? []).every((d) => placed.has(d)));
    if (!ready) throw cycleError(remaining, byName);
    ordered.push(ready);
    placed.add(ready.name);
    remaining = remaining.filter((p) => p !== ready);
  }
  return ordered;
}

function cycleError(remaining: PluginManifest[], byName: Map<string, PluginManifest>): TribuneError {
  // Walk unmet dependencies from the first stuck plugin until a name repeats: that loop is the cycle.
  const stuck = new Set(remaining.map((p) => p.name));
  const path: string[] = [];
  let current = remaining[0]!;
  while (!path.includes(current.name)) {
    path.push(current.name);
    const next = (current.dependencies ?? []).find((d) => stuck.has(d));
    current = byName.get(next!)!;
  }
  const cycle = [...path.slice(path.indexOf(current.name)), current.name];
  return new TribuneError('PLUGIN_CYCLE', `plugin dependency cycle: ${cycle.join(' -> ')}`, { cycle });
}

/** Maps each command type to the plugin that applies it; refuses two owners. */
export function commandOwners(plugins: readonly PluginManifest[]): Map<string, string> {
  const owners = new Map<string, string>();
  for (const plugin of plugins) {
    for (const type of plugin.commands ?? []) {
      const existing = owners.get(type);
      if (existing !== undefined) {
        throw new TribuneError(
          'PLUGIN_COMMAND_OWNER',
          `command type '${type}' is claimed by both '${existing}' and '${plugin.name}'`,
          { type, plugins: [existing, plugin.name] },
        );
      }
      owners.set(type, plugin.name);
    }
  }
  return owners;
}
