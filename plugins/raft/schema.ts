/**
 * The raft plugin's configuration keys, with Consul's names and hashicorp/raft's defaults.
 * Read through readRaftConfig, which also fills the defaults when the config never went through
 * the schema (tests build configs by hand).
 */
import type { AgentConfig } from '../../core/config/types.js';
import { TribuneError } from '../../core/errors.js';
import { parseGoDuration } from '../../core/util/duration.js';

export const raftConfigSchema = {
  raft_snapshot_threshold: {
    type: 'integer',
    minimum: 1,
    default: 8192,
    description: 'Log entries applied since the last snapshot before the next one is taken.',
  },
  raft_snapshot_interval: {
    type: 'string',
    default: '120s',
    description:
      'How often to check whether raft_snapshot_threshold has been reached (Go duration); it is also checked after every write batch.',
  },
  raft_trailing_logs: {
    type: 'integer',
    minimum: 0,
    default: 10240,
    description: 'Log entries kept behind a snapshot when the log is truncated.',
  },
} as const;

export interface RaftConfig {
  snapshotThreshold: number;
  snapshotIntervalMs: number;
  trailingLogs: number;
}

function integer(config: AgentConfig, key: keyof typeof raftConfigSchema, min: number): number {
  const value = config[key] ?? raftConfigSchema[key].default;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new TribuneError(
      'CONFIG_INVALID',
      `${key} must be an integer of at least ${min}, not ${String(value)}`,
    );
  }
  return value;
}

export function readRaftConfig(config: AgentConfig): RaftConfig {
  const interval = config.raft_snapshot_interval ?? raftConfigSchema.raft_snapshot_interval.default;
  if (typeof interval !== 'string') {
    throw new TribuneError(
      'CONFIG_INVALID',
      `raft_snapshot_interval must be a duration, not ${String(interval)}`,
    );
  }
  let snapshotIntervalMs: number;
  try {
    snapshotIntervalMs = parseGoDuration(interval);
  } catch (err) {
    throw new TribuneError(
      'CONFIG_INVALID',
      `raft_snapshot_interval: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  if (snapshotIntervalMs <= 0) {
    throw new TribuneError('CONFIG_INVALID', `raft_snapshot_interval must be positive, not ${interval}`);
  }
  return {
    snapshotThreshold: integer(config, 'raft_snapshot_threshold', 1),
    snapshotIntervalMs,
    trailingLogs: integer(config, 'raft_trailing_logs', 0),
  };
}
