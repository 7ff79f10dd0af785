/**
 * The raft plugin: the consensus provider every replicated write goes through. For now a lone voter
 * (see single-node.ts) over durable storage under `<data_dir>/raft/` — the log and hard state in
 * lmdb, snapshots as files — or over memory in -dev. It announces leadership through the kernel's
 * onLeaderElected/onLeaderLost hooks once the agent has started, and before it stops.
 */
import { join } from 'node:path';
import type { AgentConfig } from '../../core/config/types.js';
import { TribuneError } from '../../core/errors.js';
import { definePlugin } from '../../core/plugin.js';
import { raftConfigSchema, readRaftConfig } from './schema.js';
import { type RaftStorage, SingleNodeRaft } from './single-node.js';
import { LmdbLogStore } from './storage/log-store.js';
import { MemoryLogStore } from './storage/memory-log-store.js';
import { SnapshotStore } from './storage/snapshot-store.js';

export interface RaftPluginOptions {
  /** Bound on proposals queued or being written (default 10,000). */
  maxPendingProposals?: number;
}

/** This server's RPC address as peers see it. */
export function serverAddress(config: AgentConfig): string {
  return `${config.advertise_addr ?? config.bind_addr}:${config.ports.server}`;
}

/** Where the raft plugin keeps its files; undefined in -dev, which keeps everything in memory. */
export function raftDataDir(config: AgentConfig): string | undefined {
  if (config.dev) return undefined;
  if (!config.data_dir) throw new TribuneError('CONFIG_INVALID', 'data_dir cannot be empty');
  return join(config.data_dir, 'raft');
}

async function openStorage(dir: string | undefined): Promise<RaftStorage> {
  if (dir === undefined) return { log: new MemoryLogStore(), snapshots: undefined };
  const snapshots = new SnapshotStore(join(dir, 'snapshots'));
  await snapshots.open();
  return { log: LmdbLogStore.open(dir), snapshots };
}

export function createRaftPlugin(options: RaftPluginOptions = {}) {
  let driver: SingleNodeRaft | undefined;
  let leadership: AbortController | undefined;
  return definePlugin({
    name: 'raft',
    configSchema: raftConfigSchema,
    apply(kernel, config) {
      if (config.server === false) return;
      const address = serverAddress(config);
      const raftConfig = readRaftConfig(config);
      const node = new SingleNodeRaft(kernel, {
        address,
        serverId: config.node_id ?? address,
        ...raftConfig,
        ...(options.maxPendingProposals === undefined ? {} : { maxPending: options.maxPendingProposals }),
      });
      driver = node;
      kernel.setConsensus(node);
      kernel.hooks.start.tapPromise('raft', async () => {
        if (!node.running) return;
        leadership = new AbortController();
        await kernel.hooks.onLeaderElected.promise({ term: node.currentTerm, signal: leadership.signal });
      });
      kernel.hooks.stop.tapPromise('raft', async () => {
        if (!leadership) return;
        leadership.abort();
        const signal = leadership.signal;
        leadership = undefined;
        await kernel.hooks.onLeaderLost.promise({ term: node.currentTerm, signal });
      });
    },
    async start({ kernel, config }) {
      if (!driver) {
        kernel.logger.info(
          'raft: not a server (server = false); writes go to the servers once gossip joins them',
        );
        return;
      }
      const storage = await openStorage(raftDataDir(config));
      try {
        await driver.start(storage);
      } catch (err) {
        await storage.log.close();
        throw err;
      }
    },
    async stop() {
      await driver?.stop();
    },
  });
}

export { SingleNodeRaft } from './single-node.js';
