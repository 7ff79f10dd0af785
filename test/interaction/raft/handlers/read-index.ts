/**
 * read-index <id> <request> [lease]: request a linearizable read at node id.
 * read-states <id>: print (and clear) the read states the node has released.
 */
import { describeReadState } from '../../../../plugins/raft/core/describe.js';
import { type Handler, requireWord } from './types.js';

export const readIndex: Handler = (env, args) => {
  const id = requireWord(args, 0, 'node id');
  const requestId = requireWord(args, 1, 'request id');
  const lease = args.some((a) => a.key === 'lease');
  const result = env.get(id).node.readIndex(requestId, lease ? 'lease' : 'quorum');
  if (!result.ok) env.print(`read rejected: ${result.reason}`);
};

export const readStates: Handler = (env, args) => {
  const n = env.get(requireWord(args, 0, 'node id'));
  for (const rs of n.readStates) env.print(describeReadState(rs));
  n.readStates = [];
};
