/**
 * The first log of a new cluster: one committed conf-change entry per initial member, in term 1.
 *
 * The initial membership must live in the log, not only in a snapshot at index 0: a server that
 * joins later starts with an empty log and no configuration, and a leader that never compacted
 * sends it entries from index 1 — replaying them has to rebuild the membership from nothing.
 * Every initial server writes this same log before its first start (and only then); servers
 * that join later start empty.
 */
import { TribuneError } from '../../../core/errors.js';
import { encodeConfChange } from './conf-change.js';
import type { ConfState, Entry, HardState } from './types.js';

export interface BootstrapLog {
  readonly entries: readonly Entry[];
  /** Term 1, no vote, everything committed. */
  readonly hardState: HardState;
}

export function bootstrapLog(conf: ConfState): BootstrapLog {
  if (conf.voters.length === 0)
    throw new TribuneError('CONFIG_INVALID', 'raft: a new cluster needs at least one voter');
  const changes = [
    ...conf.voters.map((nodeId) => ({ type: 'add-voter' as const, nodeId })),
    ...conf.learners.map((nodeId) => ({ type: 'add-learner' as const, nodeId })),
  ];
  const entries = changes.map(
    (change, i): Entry => ({ index: i + 1, term: 1, type: 'conf-change', data: encodeConfChange(change) }),
  );
  return { entries, hardState: { term: 1, vote: '', commit: entries.length } };
}
