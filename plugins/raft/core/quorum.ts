/**
 * Majority arithmetic over a set of voters, as pure functions (table-tested in unit tests).
 */
import type { NodeId } from './types.js';

export type VoteResult = 'won' | 'lost' | 'pending';

export function quorumSize(voters: number): number {
  return Math.floor(voters / 2) + 1;
}

/**
 * The largest value that a majority of voters has reached, e.g. the highest index a quorum has
 * replicated. 0 for an empty voter set (nothing can be committed without voters).
 */
export function majorityValue(voters: Iterable<NodeId>, value: (id: NodeId) => number): number {
  const values = [...voters].map(value).sort((a, b) => b - a);
  if (values.length === 0) return 0;
  return values[quorumSize(values.length) - 1] ?? 0;
}

/** Whether the recorded votes already decide an election among `voters`. */
export function voteResult(voters: Iterable<NodeId>, votes: ReadonlyMap<NodeId, boolean>): VoteResult {
  let granted = 0;
  let missing = 0;
  let total = 0;
  for (const id of voters) {
    total++;
    const vote = votes.get(id);
    if (vote === undefined) missing++;
    else if (vote) granted++;
  }
  const q = quorumSize(total);
  if (granted >= q) return 'won';
  if (granted + missing >= q) return 'pending';
  return 'lost';
}
