/**
 * Wraps every tap of a hook so that a failure inside it names the plugin (the tap's name) and the
 * hook. Applied to the kernel's hooks and to every hook a plugin publishes.
 */
import { TribuneError } from './errors.js';

interface RegisteredTap {
  name: string;
  type: 'sync' | 'async' | 'promise';
  // biome-ignore lint/complexity/noBannedTypes: tapable types a tap's function as Function
  fn: Function;
}

/** Any tapable hook: all we need is to intercept tap registration. */
export interface InterceptableHook {
  // biome-ignore lint/suspicious/noExplicitAny: tapable's interceptor generics differ per hook kind
  intercept(interceptor: { register?: (tap: any) => any }): void;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function wrapTapFailure(pluginName: string, hookName: string, err: unknown): TribuneError {
  if (err instanceof TribuneError && err.code === 'PLUGIN_HOOK_FAILED') return err;
  return new TribuneError(
    'PLUGIN_HOOK_FAILED',
    `plugin '${pluginName}' failed in hook '${hookName}': ${describe(err)}`,
    { plugin: pluginName, hook: hookName, ...(err instanceof TribuneError ? { code: err.code } : {}) },
    { cause: err },
  );
}

/**
 * Domain errors (a TribuneError that is not a plugin failure) pass through unchanged so that callers
 * can still map them to HTTP statuses; anything else is a plugin bug and gets wrapped.
 */
function shouldWrap(err: unknown): boolean {
  return !(err instanceof TribuneError) || err.code === 'PLUGIN_HOOK_FAILED';
}

export function instrumentHook(hook: InterceptableHook, hookName: string): void {
  hook.intercept({
    register(tap: RegisteredTap) {
      const name = tap.name;
      const original = tap.fn as (...args: unknown[]) => unknown;
      if (tap.type === 'sync') {
        tap.fn = (...args: unknown[]) => {
          try {
            return original(...args);
          } catch (err) {
            throw shouldWrap(err) ? wrapTapFailure(name, hookName, err) : err;
          }
        };
      } else if (tap.type === 'promise') {
        tap.fn = async (...args: unknown[]) => {
          try {
            return await original(...args);
          } catch (err) {
            throw shouldWrap(err) ? wrapTapFailure(name, hookName, err) : err;
          }
        };
      } else if (tap.type === 'async') {
        tap.fn = (...args: unknown[]) => {
          const callback = args.pop() as (err?: unknown, result?: unknown) => void;
          try {
            original(...args, (err?: unknown, result?: unknown) =>
              callback(err && shouldWrap(err) ? wrapTapFailure(name, hookName, err) : err, result),
            );
          } catch (err) {
            callback(shouldWrap(err) ? wrapTapFailure(name, hookName, err) : err);
          }
        };
      }
      return tap;
    },
  });
}
