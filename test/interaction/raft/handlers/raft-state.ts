/** raft-state: one line per node — role, term, leader, commit, applied. */
import type { Handler } from './types.js';

export const raftState: Handler = (env) => {
  for (const n of env.nodes.values()) {
    const s = n.node.status();
    env.print(
      `${n.id}: ${s.softState.role} term=${s.hardState.term} lead=${s.softState.lead || '0'} ` +
        `commit=${s.hardState.commit} applied=${s.applied} sm=[${n.applied.join(',')}]`,
    );
  }
};
