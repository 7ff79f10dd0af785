import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { open } from 'lmdb';
import pino from 'pino';
import type { AgentConfig } from '../../core/config/types.js';
import { TribuneError } from '../../core/errors.js';
import { Kernel } from '../../core/kernel.js';
import { definePlugin } from '../../core/plugin.js';
import { createRaftPlugin, type RaftPluginOptions } from '../../plugins/raft/index.js';
import { SingleNodeRaft } from '../../plugins/raft/single-node.js';
import { LmdbLogStore } from '../../plugins/raft/storage/log-store.js';
import { testConfig } from '../helpers/test-config.js';
import { startTestKernel, type TestKernel } from '../helpers/test-kernel.js';
import {
  createTestSetPlugin,
  setCommand,
  type TestRow,
  type TestSetProbe,
} from '../helpers/test-set-plugin.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tribune-raft-node-'));
  dirs.push(dir);
  return dir;
}
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

interface Booted extends TestKernel {
  probe: TestSetProbe;
  driver: SingleNodeRaft;
}

async function boot(
  config: Partial<AgentConfig>,
  options: RaftPluginOptions = {},
  extra: ReturnType<typeof definePlugin>[] = [],
): Promise<Booted> {
  const probe: TestSetProbe = { applied: [] };
  const booted = await startTestKernel({
    consensus: 'plugin',
    plugins: [createRaftPlugin(options), createTestSetPlugin(probe), ...extra],
    config,
  });
  const driver = booted.kernel.consensus;
  assert.ok(driver instanceof SingleNodeRaft);
  return { ...booted, probe, driver };
}

function isCode(code: string, message?: RegExp) {
  return (err: unknown) =>
    err instanceof TribuneError && err.code === code && (!message || message.test(err.message));
}

function rows(booted: TestKernel): TestRow[] {
  return [...booted.kernel.store.table<TestRow>('test').values()];
}

/** Proposes `count` writes in groups of `group`, each group concurrently, the groups one after another. */
async function writeInGroups(booted: TestKernel, prefix: string, count: number, group: number) {
  const outcomes = [];
  for (let start = 0; start < count; start += group) {
    const size = Math.min(group, count - start);
    outcomes.push(
      ...(await Promise.all(
        Array.from({ length: size }, (_, i) =>
          booted.kernel.propose(setCommand(`${prefix}${start + i}`, start + i)),
        ),
      )),
    );
  }
  return outcomes;
}

function flipByte(file: string, offset: number): void {
  const bytes = readFileSync(file);
  bytes[offset]! ^= 0xff;
  writeFileSync(file, bytes);
}

function snapshotFiles(dataDir: string): string[] {
  return readdirSync(join(dataDir, 'raft', 'snapshots')).sort();
}

describe('raft plugin, lone durable server', () => {
  test('concurrent proposals get consecutive indexes in proposal order and apply in index order', async () => {
    const node = await boot({ data_dir: tempDir() });
    try {
      const proposals = Array.from({ length: 500 }, (_, i) =>
        node.kernel.propose(setCommand(`k${i % 50}`, i)),
      );
      const outcomes = await Promise.all(proposals);
      assert.deepEqual(
        outcomes.map((o) => o.index),
        Array.from({ length: 500 }, (_, i) => i + 1),
      );
      assert.deepEqual(
        outcomes.slice(0, 50).map((o) => o.result),
        Array(50).fill(true),
      );
      assert.deepEqual(
        outcomes.slice(50).map((o) => o.result),
        Array(450).fill(false),
      );
      assert.deepEqual(
        node.probe.applied,
        Array.from({ length: 500 }, (_, i) => i + 1),
      );
      // The last write to each key wins, stamped with its own index.
      for (const row of rows(node)) assert.equal(row.ModifyIndex, Number(row.value) + 1);
      const status = node.kernel.consensus.status();
      assert.equal(status.commitIndex, 500);
      assert.equal(status.appliedIndex, 500);
      assert.equal(node.kernel.store.lastIndex, 500);
    } finally {
      await node.stop();
    }
  });

  test('group commit: 1,000 proposals arriving over 50 turns take at most 50 lmdb commits', async () => {
    const node = await boot({ data_dir: tempDir() });
    try {
      const log = node.driver.logStore;
      assert.ok(log instanceof LmdbLogStore);
      const txnBefore = log.lastTransactionId();
      const batchesBefore = node.driver.counters.batches;
      const pending = [];
      for (let turn = 0; turn < 50; turn++) {
        for (let i = 0; i < 20; i++) pending.push(node.kernel.propose(setCommand(`t${turn}-${i}`)));
        await new Promise((resolve) => setImmediate(resolve));
      }
      const outcomes = await Promise.all(pending);
      assert.equal(outcomes.length, 1000);
      assert.equal(new Set(outcomes.map((o) => o.index)).size, 1000);
      const commits = log.lastTransactionId() - txnBefore;
      const batches = node.driver.counters.batches - batchesBefore;
      assert.ok(commits <= 50, `expected at most 50 lmdb commits, saw ${commits}`);
      assert.equal(commits, batches);
      // All in one turn: one batch, one commit.
      const txnMid = log.lastTransactionId();
      await Promise.all(
        Array.from({ length: 1000 }, (_, i) => node.kernel.propose(setCommand(`same-turn-${i}`))),
      );
      assert.equal(log.lastTransactionId() - txnMid, 1);
    } finally {
      await node.stop();
    }
  });

  test('the proposal queue is bounded: past it proposals fail with RATE_LIMITED', async () => {
    const node = await boot({ data_dir: tempDir() }, { maxPendingProposals: 10 });
    try {
      const settled = await Promise.allSettled(
        Array.from({ length: 15 }, (_, i) => node.kernel.propose(setCommand(`q${i}`))),
      );
      const accepted = settled.filter((s) => s.status === 'fulfilled');
      const refused = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
      assert.equal(accepted.length, 10);
      assert.equal(refused.length, 5);
      for (const r of refused) assert.ok(isCode('RATE_LIMITED', /rate limit/)(r.reason));
      // Once the queue drains, proposals are accepted again.
      assert.equal((await node.kernel.propose(setCommand('after'))).index, 11);
    } finally {
      await node.stop();
    }
  });

  test('status reports this server as leader and sole peer; each start is a new term', async () => {
    const dataDir = tempDir();
    const config = { data_dir: dataDir, advertise_addr: '127.0.0.7' };
    const first = await boot(config);
    await first.kernel.propose(setCommand('a'));
    assert.deepEqual(first.kernel.consensus.status(), {
      leader: '127.0.0.7:8300',
      isLeader: true,
      knownLeader: true,
      lastContactMs: 0,
      peers: ['127.0.0.7:8300'],
      term: 1,
      commitIndex: 1,
      appliedIndex: 1,
    });
    await first.kernel.readBarrier('consistent');
    await first.stop();
    assert.equal(first.kernel.consensus.status().knownLeader, false);
    await assert.rejects(first.kernel.readBarrier('stale'), isCode('NO_LEADER', /^No cluster leader$/));
    await assert.rejects(first.kernel.propose(setCommand('late')), isCode('NO_LEADER'));

    const second = await boot(config);
    try {
      assert.equal(second.kernel.consensus.status().term, 2);
      const row = second.kernel.store.table<TestRow>('test').get('a');
      assert.equal(row?.term, 1);
      const outcome = await second.kernel.propose(setCommand('b'));
      assert.equal(outcome.index, 2);
      assert.equal(second.kernel.store.table<TestRow>('test').get('b')?.term, 2);
    } finally {
      await second.stop();
    }
  });

  test('before start there is no leader', async () => {
    const kernel = new Kernel({
      config: testConfig({ data_dir: tempDir() }),
      logger: pino({ level: 'silent' }),
    });
    kernel.use([createRaftPlugin(), createTestSetPlugin()]);
    await assert.rejects(kernel.propose(setCommand('x')), isCode('NO_LEADER', /^No cluster leader$/));
    await assert.rejects(kernel.readBarrier('default'), isCode('NO_LEADER'));
    assert.equal(kernel.consensus.status().knownLeader, false);
    assert.equal(kernel.consensus.status().leader, '');
  });

  test('restart restores identical state and indexes (no snapshot)', async () => {
    const dataDir = tempDir();
    const first = await boot({ data_dir: dataDir });
    await writeInGroups(first, 'k', 300, 37);
    await first.kernel.propose(setCommand('k5', 'overwritten'));
    const image = first.kernel.store.image();
    await first.stop();
    assert.equal(existsSync(join(dataDir, 'raft', 'raft.mdb')), true);
    assert.deepEqual(snapshotFiles(dataDir), []);

    const second = await boot({ data_dir: dataDir });
    try {
      assert.deepEqual(second.kernel.store.image(), image);
      assert.deepEqual(
        second.probe.applied,
        Array.from({ length: 301 }, (_, i) => i + 1),
      );
      assert.equal((await second.kernel.propose(setCommand('next'))).index, 302);
    } finally {
      await second.stop();
    }
  });

  test('restart restores identical state from a snapshot plus the log after it', async () => {
    const dataDir = tempDir();
    const config = { data_dir: dataDir, raft_snapshot_threshold: 100, raft_trailing_logs: 30 };
    const first = await boot(config);
    await writeInGroups(first, 'k', 450, 50);
    const image = first.kernel.store.image();
    await first.stop();
    const files = snapshotFiles(dataDir);
    assert.ok(files.length >= 1 && files.length <= 2, `snapshot files: ${files.join(', ')}`);
    assert.ok(first.driver.counters.snapshots >= 2);
    const newest = files.at(-1)!;
    const newestIndex = Number(/snapshot-(\d+)-/.exec(newest)?.[1]);
    assert.ok(first.driver.logStore!.firstIndex() > 1, 'the log prefix was truncated');
    assert.equal(first.driver.logStore!.firstIndex(), newestIndex - 30 + 1);

    const second = await boot(config);
    try {
      assert.deepEqual(second.kernel.store.image(), image);
      // Only the entries after the snapshot were replayed.
      assert.deepEqual(
        second.probe.applied,
        Array.from({ length: 450 - newestIndex }, (_, i) => newestIndex + 1 + i),
      );
      assert.equal((await second.kernel.propose(setCommand('next'))).index, 451);
    } finally {
      await second.stop();
    }
  });

  test('a corrupt newest snapshot falls back to the previous one while the log covers it', async () => {
    const dataDir = tempDir();
    const config = { data_dir: dataDir, raft_snapshot_threshold: 100, raft_trailing_logs: 1000 };
    const first = await boot(config);
    await writeInGroups(first, 'k', 350, 50);
    const image = first.kernel.store.image();
    await first.stop();
    const files = snapshotFiles(dataDir);
    assert.equal(files.length, 2);
    flipByte(join(dataDir, 'raft', 'snapshots', files[1]!), 80);
    const olderIndex = Number(/snapshot-(\d+)-/.exec(files[0]!)?.[1]);

    const second = await boot(config);
    try {
      assert.deepEqual(second.kernel.store.image(), image);
      assert.equal(second.probe.applied[0], olderIndex + 1);
    } finally {
      await second.stop();
    }
  });

  test('a corrupt snapshot the log no longer covers stops startup, naming the file', async () => {
    const dataDir = tempDir();
    const config = { data_dir: dataDir, raft_snapshot_threshold: 100, raft_trailing_logs: 0 };
    const first = await boot(config);
    await writeInGroups(first, 'k', 350, 50);
    await first.stop();
    const files = snapshotFiles(dataDir);
    const newest = join(dataDir, 'raft', 'snapshots', files.at(-1)!);
    flipByte(newest, 100);

    await assert.rejects(boot(config), (err: unknown) => {
      assert.ok(err instanceof TribuneError);
      assert.equal(err.details?.code, 'STORAGE_CORRUPT');
      assert.ok(err.message.includes(newest), err.message);
      assert.match(err.message, /checksum mismatch/);
      return true;
    });
  });

  test('a hole in the log stops startup with a clear message', async () => {
    const dataDir = tempDir();
    const first = await boot({ data_dir: dataDir });
    await writeInGroups(first, 'k', 20, 5);
    await first.stop();
    const root = open({ path: join(dataDir, 'raft', 'raft.mdb'), maxDbs: 4 });
    await root
      .openDB<Buffer, number>('log', { keyEncoding: 'ordered-binary', encoding: 'binary' })
      .remove(12);
    await root.close();

    await assert.rejects(boot({ data_dir: dataDir }), (err: unknown) => {
      assert.ok(err instanceof TribuneError);
      assert.equal(err.details?.code, 'STORAGE_CORRUPT');
      assert.match(err.message, /not contiguous: entry 12 is missing/);
      return true;
    });
  });

  test('with the log lost after a snapshot, the server restarts from the snapshot', async () => {
    const dataDir = tempDir();
    const config = { data_dir: dataDir, raft_snapshot_threshold: 100, raft_trailing_logs: 0 };
    const first = await boot(config);
    await writeInGroups(first, 'k', 100, 100);
    const image = first.kernel.store.image();
    await first.stop();
    rmSync(join(dataDir, 'raft', 'raft.mdb'));
    rmSync(join(dataDir, 'raft', 'raft.mdb-lock'), { force: true });

    const second = await boot(config);
    try {
      assert.deepEqual(second.kernel.store.image(), image);
      assert.equal((await second.kernel.propose(setCommand('next'))).index, 101);
    } finally {
      await second.stop();
    }
  });

  test('stop fails queued proposals with No cluster leader and lets the batch in flight finish', async () => {
    const dataDir = tempDir();
    const first = await boot({ data_dir: dataDir });
    const inFlight = Array.from({ length: 50 }, (_, i) => first.kernel.propose(setCommand(`a${i}`)));
    await new Promise((resolve) => setImmediate(resolve)); // the first batch is now being written
    const queued = Promise.allSettled(
      Array.from({ length: 50 }, (_, i) => first.kernel.propose(setCommand(`b${i}`))),
    );
    await first.stop();
    const done = await Promise.all(inFlight);
    assert.deepEqual(
      done.map((o) => o.index),
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    for (const outcome of await queued) {
      assert.equal(outcome.status, 'rejected');
      assert.ok(isCode('NO_LEADER')(outcome.reason));
    }
    const second = await boot({ data_dir: dataDir });
    try {
      assert.equal(second.kernel.store.lastIndex, 50);
      assert.equal(rows(second).length, 50);
    } finally {
      await second.stop();
    }
  });

  test('an apply that throws fails its proposer and halts the server', async () => {
    const node = await boot({ data_dir: tempDir() });
    try {
      const [ok, failed, later] = await Promise.allSettled([
        node.kernel.propose(setCommand('before')),
        node.kernel.propose({ type: 'test.fail' }),
        node.kernel.propose(setCommand('after')),
      ]);
      assert.equal(ok.status, 'fulfilled');
      assert.equal(failed.status, 'rejected');
      assert.match(String((failed as PromiseRejectedResult).reason), /test\.fail applied at 2/);
      assert.equal(later.status, 'rejected');
      assert.deepEqual(node.probe.applied, [1, 2]);
      assert.equal(node.kernel.consensus.status().knownLeader, false);
      await assert.rejects(node.kernel.propose(setCommand('x')), isCode('NO_LEADER'));
    } finally {
      await node.stop();
    }
  });

  test('-dev keeps everything in memory and writes no files', async () => {
    const dataDir = tempDir();
    const node = await boot({
      dev: true,
      data_dir: dataDir,
      raft_snapshot_threshold: 10,
      raft_trailing_logs: 5,
    });
    try {
      await writeInGroups(node, 'k', 60, 7);
      assert.equal(rows(node).length, 60);
      assert.equal(node.kernel.consensus.status().appliedIndex, 60);
      // The memory log is compacted behind the threshold, so it does not grow without bound.
      assert.ok(node.driver.logStore!.firstIndex() > 1);
      assert.equal(node.driver.counters.snapshots, 0);
    } finally {
      await node.stop();
    }
    assert.deepEqual(readdirSync(dataDir), []);
  });

  test('a server needs a data_dir outside -dev', async () => {
    await assert.rejects(boot({}), /data_dir cannot be empty/);
  });

  test('a client agent (server = false) provides no consensus', async () => {
    const kernel = new Kernel({ config: testConfig({ server: false }), logger: pino({ level: 'silent' }) });
    kernel.use([createRaftPlugin()]);
    await kernel.start();
    assert.equal(kernel.hasConsensus(), false);
    await kernel.stop();
  });

  test('leadership is announced after start and withdrawn at stop', async () => {
    const events: string[] = [];
    let signal: AbortSignal | undefined;
    const watcher = definePlugin({
      name: 'leader-watcher',
      apply(kernel) {
        kernel.hooks.onLeaderElected.tapPromise('leader-watcher', async (leader) => {
          events.push(`elected ${leader.term}`);
          signal = leader.signal;
        });
        kernel.hooks.onLeaderLost.tapPromise('leader-watcher', async (leader) => {
          events.push(`lost ${leader.term} aborted=${leader.signal.aborted}`);
        });
      },
    });
    const node = await boot({ data_dir: tempDir() }, {}, [watcher]);
    assert.deepEqual(events, ['elected 1']);
    assert.equal(signal?.aborted, false);
    await node.stop();
    assert.deepEqual(events, ['elected 1', 'lost 1 aborted=true']);
  });
});
