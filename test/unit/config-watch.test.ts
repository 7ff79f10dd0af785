import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ConfigWatcher, watchConfig } from '../../core/config/watch.js';

let root: string;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'tribune-config-watch-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Polls until `condition` holds, for at most `timeoutMs` (a bound, not a pass/fail timing). */
async function waitFor(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** Replaces a file the way editors and config-management tools do: write a temp file, rename it over. */
async function atomicWrite(path: string, content: string): Promise<void> {
  const temp = join(path, '..', `.${Date.now()}.tmp`);
  await writeFile(temp, content);
  await rename(temp, path);
}

describe('watchConfig', () => {
  let confDir: string;
  let namedFile: string;
  let watcher: ConfigWatcher;
  let changes = 0;

  before(async () => {
    confDir = join(root, 'conf.d');
    await mkdir(confDir);
    await mkdir(join(root, 'etc'));
    namedFile = join(root, 'etc', 'agent.json');
    await writeFile(namedFile, '{}');
    await writeFile(join(root, 'etc', 'unrelated.json'), '{}');
    watcher = watchConfig({ dirs: [confDir], files: [namedFile] }, () => changes++, { debounceMs: 50 });
    await watcher.ready;
  });
  after(async () => {
    await watcher.close();
  });

  test('files that are not config do not signal', async () => {
    await writeFile(join(confDir, 'README.md'), 'notes');
    await writeFile(join(root, 'etc', 'unrelated.json'), '{"x": 1}');
    await mkdir(join(confDir, 'sub'));
    await writeFile(join(confDir, 'sub', 'nested.json'), '{}');
    await sleep(600);
    assert.equal(changes, 0);
  });

  test('creating a *.json file in a config dir signals', async () => {
    const before = changes;
    await writeFile(join(confDir, 'web.json'), '{"service": {"name": "web"}}');
    await waitFor(() => changes > before, 'create');
  });

  test('replacing it by atomic rename signals', async () => {
    await sleep(200); // let the previous burst settle so this change is counted on its own
    const before = changes;
    await atomicWrite(join(confDir, 'web.json'), '{"service": {"name": "web", "port": 80}}');
    await waitFor(() => changes > before, 'atomic rename');
  });

  test('deleting it signals', async () => {
    await sleep(200);
    const before = changes;
    await unlink(join(confDir, 'web.json'));
    await waitFor(() => changes > before, 'delete');
  });

  test('a file named directly signals when replaced atomically or edited in place', async () => {
    await sleep(200);
    let before = changes;
    await atomicWrite(namedFile, '{"server": true}');
    await waitFor(() => changes > before, 'atomic rename of a named file');
    await sleep(200);
    before = changes;
    await writeFile(namedFile, '{"server": false}');
    await waitFor(() => changes > before, 'in-place edit of a named file');
  });

  test('a burst of writes is debounced into fewer signals', async () => {
    await sleep(200);
    const before = changes;
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        writeFile(join(confDir, `burst-${String(i).padStart(2, '0')}.json`), '{}'),
      ),
    );
    await waitFor(() => changes > before, 'burst');
    await sleep(400);
    assert.ok(changes - before < 20, `expected coalescing, got ${changes - before} signals for 20 files`);
  });
});

test('no signal after close', async () => {
  const dir = join(root, 'closing');
  await mkdir(dir);
  let changes = 0;
  const watcher = watchConfig({ dirs: [dir], files: [] }, () => changes++, { debounceMs: 20 });
  await watcher.ready;
  await writeFile(join(dir, 'a.json'), '{}');
  await waitFor(() => changes > 0, 'first change');
  await watcher.close();
  const seen = changes;
  await writeFile(join(dir, 'b.json'), '{}');
  await sleep(400);
  assert.equal(changes, seen);
});
