/**
 * Hooks that a plugin publishes for others to tap (http `routes`, dns `resolve`, …), kept per kernel
 * in a WeakMap as webpack does, and instrumented like the kernel's own.
 */
import { type InterceptableHook, instrumentHook } from './instrument.js';
import type { Kernel } from './kernel.js';

type HookTable = Record<string, InterceptableHook>;

export function definePluginHooks<T extends HookTable>(
  pluginName: string,
  create: () => T,
): (kernel: Kernel) => T {
  const perKernel = new WeakMap<Kernel, T>();
  return (kernel) => {
    let hooks = perKernel.get(kernel);
    if (!hooks) {
      hooks = Object.freeze(create());
      for (const [name, hook] of Object.entries(hooks)) instrumentHook(hook, `${pluginName}.${name}`);
      perKernel.set(kernel, hooks);
    }
    return hooks;
  };
}
