/** transfer-leader <at> <to>: ask node <at> (normally the leader) to hand leadership to <to>. */
import { type Handler, requireWord } from './types.js';

export const transferLeader: Handler = (env, args) => {
  env.get(requireWord(args, 0, 'node id')).node.transferLeader(requireWord(args, 1, 'transferee'));
};
