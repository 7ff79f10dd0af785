/**
 * A consensus provider for plugin tests: commits every proposal at once, in order, in memory — the
 * commit rule of a lone voter without a disk. Lets a plugin be tested without the raft plugin.
 */
import type { ApplyOutcome, Consensus, ConsensusStatus, ReadMode } from '../../core/consensus.js';
import type { Command } from '../../core/hooks.js';
import type { Kernel } from '../../core/kernel.js';

export class MemoryConsensus implements Consensus {
  private index: number;
  readonly log: { index: number; command: Command }[] = [];

  constructor(
    private readonly kernel: Kernel,
    private readonly clock: () => number = Date.now,
  ) {
    this.index = kernel.store.lastIndex;
  }

  async propose(command: Command): Promise<ApplyOutcome> {
    const index = ++this.index;
    this.log.push({ index, command });
    const result = this.kernel.applyCommitted(command, { index, term: 1, time: this.clock() });
    return { index, result };
  }

  status(): ConsensusStatus {
    return {
      leader: '127.0.0.1:8300',
      isLeader: true,
      knownLeader: true,
      lastContactMs: 0,
      peers: ['127.0.0.1:8300'],
      term: 1,
      commitIndex: this.index,
      appliedIndex: this.index,
    };
  }

  async readBarrier(_mode: ReadMode): Promise<void> {}
}
