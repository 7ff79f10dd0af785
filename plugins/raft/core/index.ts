/**
 * The pure Raft core's public surface, for the driver (adapters) and tests. Start from RaftNode
 * and the Ready contract written on types.ts#Ready; storage.ts says what the core reads;
 * lease.ts states the clock assumptions behind lease reads.
 */
export { type BootstrapLog, bootstrapLog } from './bootstrap.js';
export { decodeConfChange, encodeConfChange } from './conf-change.js';
export { RAFT_CORE_DEFAULTS, type RaftConfig } from './config.js';
export { describeEntry, describeMessage, describeReady } from './describe.js';
export { defaultLeaseDriftTicks, leaseTicks } from './lease.js';
export { MemoryStorage } from './memory-storage.js';
export { type BasicStatus, RaftNode } from './raft-node.js';
export { type Rand, seededRand } from './rand.js';
export type { InitialState, RaftStorage } from './storage.js';
export * from './types.js';
