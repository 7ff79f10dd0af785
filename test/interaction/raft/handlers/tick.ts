/** tick-election <id>, tick-heartbeat <id>, tick <id> [n]: advance logical time. */
import type { InteractionEnv } from '../env.js';
import { type Handler, requireWord } from './types.js';

function tickTimes(env: InteractionEnv, id: string, times: number): void {
  const n = env.get(id);
  for (let i = 0; i < times; i++) n.node.tick();
}

export const tickElection: Handler = (env, args) => {
  const id = requireWord(args, 0, 'node id');
  tickTimes(env, id, env.get(id).options.electionTick);
};

export const tickHeartbeat: Handler = (env, args) => {
  const id = requireWord(args, 0, 'node id');
  tickTimes(env, id, env.get(id).options.heartbeatTick);
};

export const tick: Handler = (env, args) => {
  const id = requireWord(args, 0, 'node id');
  const times = Number(args.filter((a) => a.values.length === 0)[1]?.key ?? '1');
  tickTimes(env, id, times);
};
