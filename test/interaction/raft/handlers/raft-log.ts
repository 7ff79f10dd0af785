/** raft-log <id>: the node's log, unstable tail included. */
import { describeEntry } from '../../../../plugins/raft/core/describe.js';
import { type Handler, requireWord } from './types.js';

export const raftLog: Handler = (env, args) => {
  const n = env.get(requireWord(args, 0, 'node id'));
  const s = n.node.status();
  if (s.lastIndex < s.firstIndex) {
    env.print(`log is empty: first index=${s.firstIndex}, last index=${s.lastIndex}`);
    return;
  }
  for (const e of n.node.entries(s.firstIndex, s.lastIndex + 1)) env.print(describeEntry(e));
};
