/** compact <id> <index>: snapshot the state machine at <index> (≤ applied) and drop the log up to it. */
import { encodeState } from '../env.js';
import { type Handler, requireWord } from './types.js';

export const compact: Handler = (env, args) => {
  const n = env.get(requireWord(args, 0, 'node id'));
  const index = Number(requireWord(args, 1, 'index'));
  if (index !== n.appliedIndex)
    throw new Error(`compact: the state machine is at ${n.appliedIndex}, not ${index}`);
  n.storage.createSnapshot(index, n.node.status().confState, encodeState(n.applied));
  n.storage.compact(index);
};
