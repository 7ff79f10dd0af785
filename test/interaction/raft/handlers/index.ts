/** The interaction commands, one handler file each. */
import { addNodes } from './add-nodes.js';
import { campaign } from './campaign.js';
import { compact } from './compact.js';
import { addNode, removeNode } from './conf-change.js';
import { deliverMsgs } from './deliver-msgs.js';
import { logLevel } from './log-level.js';
import { heal, partition } from './partition.js';
import { processReady } from './process-ready.js';
import { propose } from './propose.js';
import { raftLog } from './raft-log.js';
import { raftState } from './raft-state.js';
import { readIndex, readStates } from './read-index.js';
import { restart } from './restart.js';
import { stabilize } from './stabilize.js';
import { status } from './status.js';
import { tick, tickElection, tickHeartbeat } from './tick.js';
import { transferLeader } from './transfer-leader.js';
import type { Handler } from './types.js';

export const HANDLERS: Readonly<Record<string, Handler>> = {
  'add-nodes': addNodes,
  campaign,
  'tick-election': tickElection,
  'tick-heartbeat': tickHeartbeat,
  tick,
  stabilize,
  'process-ready': processReady,
  'deliver-msgs': deliverMsgs,
  propose,
  partition,
  heal,
  status,
  'raft-state': raftState,
  'raft-log': raftLog,
  compact,
  'add-node': addNode,
  'remove-node': removeNode,
  'transfer-leader': transferLeader,
  'read-index': readIndex,
  'read-states': readStates,
  restart,
  'log-level': logLevel,
};
