/** process-ready [ids...]: carry out one Ready per node (persist, send, apply, advance). */
import { type Handler, nodeIds } from './types.js';

export const processReady: Handler = (env, args) => {
  for (const id of nodeIds(env, args)) env.processReady(id);
};
