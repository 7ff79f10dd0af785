/** restart <id>: crash the node and start it again from what it persisted (volatile state lost). */
import { decodeState } from '../env.js';
import { type Handler, requireWord } from './types.js';

export const restart: Handler = (env, args) => {
  const n = env.get(requireWord(args, 0, 'node id'));
  n.node = env.createNode(n.id, n.storage, n.options);
  const snap = n.storage.snapshot();
  n.applied = decodeState(snap.data);
  n.appliedIndex = snap.metadata.index;
  n.readStates = [];
};
