/**
 * add-nodes N [voters=(1,2,3)] [learners=(4)] [index=I | bootstrap=log] [prevote=b] [checkquorum=b]
 *   [election=E] [heartbeat=H] [max-size-per-msg=B] [max-inflight=N] [lease-drift=T] [random-timeouts=b]
 */
import { bootstrapLog } from '../../../../plugins/raft/core/bootstrap.js';
import { MemoryStorage } from '../../../../plugins/raft/core/memory-storage.js';
import { argValue, confStateOf, encodeState, type NodeOptions } from '../env.js';
import type { Handler } from './types.js';

function flag(value: string | undefined, fallback: boolean): boolean {
  return value === undefined ? fallback : value === 'true';
}

function int(value: string | undefined): number | undefined {
  return value === undefined ? undefined : Number(value);
}

export const addNodes: Handler = (env, args) => {
  const count = Number(args[0]?.key);
  if (!Number.isInteger(count) || count <= 0) throw new Error('add-nodes needs a count');
  const index = int(argValue(args, 'index')) ?? 0;
  const conf = confStateOf(args);
  const maxSizePerMsg = int(argValue(args, 'max-size-per-msg'));
  const maxInflightMsgs = int(argValue(args, 'max-inflight'));
  const leaseDriftTicks = int(argValue(args, 'lease-drift'));
  const options: NodeOptions = {
    electionTick: int(argValue(args, 'election')) ?? 10,
    heartbeatTick: int(argValue(args, 'heartbeat')) ?? 1,
    preVote: flag(argValue(args, 'prevote'), false),
    checkQuorum: flag(argValue(args, 'checkquorum'), false),
    randomTimeouts: flag(argValue(args, 'random-timeouts'), false),
    ...(maxSizePerMsg !== undefined ? { maxSizePerMsg } : {}),
    ...(maxInflightMsgs !== undefined ? { maxInflightMsgs } : {}),
    ...(leaseDriftTicks !== undefined ? { leaseDriftTicks } : {}),
  };
  const fromLog = argValue(args, 'bootstrap') === 'log';
  for (let i = 0; i < count; i++) {
    const id = String(env.nodes.size + 1);
    let storage: MemoryStorage;
    if (fromLog) {
      // As a real cluster starts: the membership as committed conf-change entries 1..n.
      storage = new MemoryStorage();
      const log = bootstrapLog(conf);
      storage.append(log.entries);
      storage.setHardState(log.hardState);
    } else {
      // Every node starts from the same snapshot at `index` holding the initial configuration
      // (a node joining later, with voters=(), starts empty and learns it from its leader).
      storage = MemoryStorage.withSnapshot({
        metadata: { index, term: index > 0 ? 1 : 0, confState: conf },
        data: encodeState([]),
      });
    }
    env.addNode(id, storage, options);
  }
};
