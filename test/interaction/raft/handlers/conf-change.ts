/**
 * add-node <at> <id> [learner]: propose adding <id> as a voter (promoting it if a learner) or a
 * learner. remove-node <at> <id>: propose removing it.
 */
import type { ConfChange } from '../../../../plugins/raft/core/types.js';
import type { InteractionEnv } from '../env.js';
import { type Handler, requireWord } from './types.js';

function proposeChange(env: InteractionEnv, at: string, change: ConfChange): void {
  const result = env.get(at).node.proposeConfChange(change);
  if (!result.ok) env.print(`conf change rejected: ${result.reason}`);
}

export const addNode: Handler = (env, args) => {
  const at = requireWord(args, 0, 'proposing node');
  const nodeId = requireWord(args, 1, 'node to add');
  const learner = args.some((a) => a.key === 'learner');
  proposeChange(env, at, { type: learner ? 'add-learner' : 'add-voter', nodeId });
};

export const removeNode: Handler = (env, args) => {
  const at = requireWord(args, 0, 'proposing node');
  proposeChange(env, at, { type: 'remove-node', nodeId: requireWord(args, 1, 'node to remove') });
};
