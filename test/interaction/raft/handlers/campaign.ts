/** campaign <id>: the node starts an election now. */
import { type Handler, requireWord } from './types.js';

export const campaign: Handler = (env, args) => {
  env.get(requireWord(args, 0, 'node id')).node.campaign();
};
