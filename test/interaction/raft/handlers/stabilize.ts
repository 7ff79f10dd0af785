/** stabilize [ids...]: process Readys and deliver messages until quiet. */
import { type Handler, nodeIds } from './types.js';

export const stabilize: Handler = (env, args) => {
  env.stabilize(nodeIds(env, args));
};
