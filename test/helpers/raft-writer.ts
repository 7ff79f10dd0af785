/**
 * A child process for durability tests: boots a kernel with the raft plugin and the test-set plugin
 * on a data dir, then proposes writes in a burst and prints `ack <key> <index>` for each one the
 * moment it is acknowledged. The parent kills it with SIGKILL mid-burst.
 *   node --import tsx test/helpers/raft-writer.ts <data_dir> <count> <concurrency> [snapshot_threshold] [trailing_logs]
 */
import pino from 'pino';
import { Kernel } from '../../core/kernel.js';
import { createRaftPlugin } from '../../plugins/raft/index.js';
import { testConfig } from './test-config.js';
import { createTestSetPlugin, setCommand } from './test-set-plugin.js';

const [dataDir, countText = '1000', concurrencyText = '32', threshold, trailing] = process.argv.slice(2);
if (!dataDir) {
  console.error(
    'usage: raft-writer.ts <data_dir> <count> <concurrency> [snapshot_threshold] [trailing_logs]',
  );
  process.exit(2);
}
const count = Number(countText);
const concurrency = Number(concurrencyText);

// stdout to a pipe is synchronous on Linux: a line is in the pipe before the next write is proposed.
function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

const kernel = new Kernel({
  config: testConfig({
    data_dir: dataDir,
    ...(threshold ? { raft_snapshot_threshold: Number(threshold) } : {}),
    ...(trailing ? { raft_trailing_logs: Number(trailing) } : {}),
  }),
  logger: pino({ level: 'silent' }),
});
kernel.use([createRaftPlugin(), createTestSetPlugin()]);
await kernel.start();
say(`ready ${kernel.consensus.status().term} ${kernel.store.lastIndex}`);

let next = 0;
const run = process.pid;
async function worker(): Promise<void> {
  while (next < count) {
    const key = `w${run}-${next++}`;
    const { index } = await kernel.propose(setCommand(key, key));
    say(`ack ${key} ${index}`);
  }
}
await Promise.all(Array.from({ length: concurrency }, () => worker()));
say('done');
await kernel.stop();
