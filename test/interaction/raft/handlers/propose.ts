/** propose <id> <data>: propose a normal entry at node id. */
import { type Handler, requireWord } from './types.js';

export const propose: Handler = (env, args) => {
  const id = requireWord(args, 0, 'node id');
  const data = requireWord(args, 1, 'data');
  const result = env.get(id).node.propose(new TextEncoder().encode(data));
  if (!result.ok) env.print(`proposal rejected: ${result.reason}`);
};
