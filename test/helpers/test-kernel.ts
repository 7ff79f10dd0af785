/**
 * Boots a kernel with the given plugins in isolation, optionally with the HTTP API on an ephemeral
 * loopback port, and a MemoryConsensus unless a raft plugin is among them.
 */
import pino from 'pino';
import type { AgentConfig } from '../../core/config/types.js';
import { Kernel } from '../../core/kernel.js';
import type { PluginManifest } from '../../core/plugin.js';
import { httpListenAddresses } from '../../plugins/http/index.js';
import { MemoryConsensus } from './memory-consensus.js';
import { testConfig } from './test-config.js';

export interface TestKernel {
  kernel: Kernel;
  /** Base URL of the HTTP API (`http://127.0.0.1:<port>`) when the http plugin is loaded. */
  url: string;
  stop(): Promise<void>;
}

export async function startTestKernel(opts: {
  plugins: PluginManifest[];
  config?: Partial<AgentConfig>;
  consensus?: 'memory' | 'plugin';
}): Promise<TestKernel> {
  const config = testConfig(opts.config);
  const kernel = new Kernel({ config, logger: pino({ level: 'silent' }) });
  kernel.use(opts.plugins);
  if ((opts.consensus ?? 'memory') === 'memory') kernel.setConsensus(new MemoryConsensus(kernel));
  await kernel.start();
  const bound = httpListenAddresses(kernel)[0];
  return {
    kernel,
    url: bound ? `http://${bound.address}:${bound.port}` : '',
    stop: () => kernel.stop(),
  };
}
