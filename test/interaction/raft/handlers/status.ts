/** status <id>: the node's state and, on a leader, its view of every peer. */
import {
  describeConfState,
  describeHardState,
  describeSoftState,
} from '../../../../plugins/raft/core/describe.js';
import { type Handler, requireWord } from './types.js';

export const status: Handler = (env, args) => {
  const n = env.get(requireWord(args, 0, 'node id'));
  const s = n.node.status();
  env.print(`${describeSoftState(s.softState)} ${describeHardState(s.hardState)}`);
  env.print(
    `Applied:${s.applied} First:${s.firstIndex} Last:${s.lastIndex} ${describeConfState(s.confState)}`,
  );
  if (s.leadTransferee) env.print(`LeadTransferee:${s.leadTransferee}`);
  for (const [id, pr] of s.progress) {
    const extra = [
      pr.learner ? ' learner' : '',
      pr.pendingSnapshot ? ` pendingSnap=${pr.pendingSnapshot}` : '',
    ];
    env.print(
      `${id}: ${pr.state} match=${pr.match} next=${pr.next} inflight=${pr.inflight}${extra.join('')}`,
    );
  }
};
