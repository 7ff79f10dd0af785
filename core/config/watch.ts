/**
 * Signals that the configuration on disk changed. Config directories are watched for their
 * `*.json` files (non-recursive); a file named directly is watched through its parent directory so
 * that atomic replacement (write a temp file, rename it over) is seen like any edit. Events are
 * debounced, and chokidar's awaitWriteFinish holds back a file until its size stops changing.
 * The caller re-reads and re-validates; this module only says "something changed".
 */
import { basename, dirname, resolve } from 'node:path';
import { watch } from 'chokidar';

export interface ConfigWatchPaths {
  files: readonly string[];
  dirs: readonly string[];
}

export interface ConfigWatchOptions {
  /** Quiet time after the last event before onChange fires (default 250 ms). */
  debounceMs?: number;
  /** How long a file's size must hold still before its change counts (default 100 ms). */
  stabilityThresholdMs?: number;
}

export interface ConfigWatcher {
  /** Resolves once the initial scan is done and changes from then on are seen. */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

/** Whether `path` is one we care about: a watched root, a `*.json` in a config dir, or a named file. */
function relevance(dirs: ReadonlySet<string>, files: ReadonlySet<string>, roots: ReadonlySet<string>) {
  return (path: string): boolean => {
    const absolute = resolve(path);
    if (roots.has(absolute) || files.has(absolute)) return true;
    const name = basename(absolute);
    return dirs.has(dirname(absolute)) && name.endsWith('.json') && !name.startsWith('.');
  };
}

export function watchConfig(
  paths: ConfigWatchPaths,
  onChange: () => void,
  opts: ConfigWatchOptions = {},
): ConfigWatcher {
  const debounceMs = opts.debounceMs ?? 250;
  const dirs = new Set(paths.dirs.map((d) => resolve(d)));
  const files = new Set(paths.files.map((f) => resolve(f)));
  const roots = new Set([...dirs, ...[...files].map((f) => dirname(f))]);
  const relevant = relevance(dirs, files, roots);

  const watcher = watch([...roots], {
    ignoreInitial: true,
    depth: 0,
    ignored: (path: string) => !relevant(path),
    awaitWriteFinish: { stabilityThreshold: opts.stabilityThresholdMs ?? 100, pollInterval: 25 },
    atomic: true,
  });

  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const schedule = (): void => {
    if (closed) return;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      if (!closed) onChange();
    }, debounceMs);
  };
  watcher.on('all', (event, path) => {
    if (
      (event === 'add' || event === 'change' || event === 'unlink') &&
      relevant(path) &&
      !roots.has(resolve(path))
    ) {
      schedule();
    }
  });
  // A watch error (a directory removed, permissions) must not crash the agent; the next reload reports it.
  watcher.on('error', () => {});

  const ready = new Promise<void>((resolveReady) => {
    watcher.once('ready', () => resolveReady());
  });

  return {
    ready,
    async close() {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      await watcher.close();
    },
  };
}
