/** deliver-msgs [drop=(ids)] [ids...]: deliver (or drop) the messages pending for these nodes. */
import { type Handler, nodeIds } from './types.js';

export const deliverMsgs: Handler = (env, args) => {
  const drop = args.find((a) => a.key === 'drop')?.values ?? [];
  for (const id of drop) env.deliverMessages(id, true);
  const rest = args.filter((a) => a.key !== 'drop');
  if (drop.length > 0 && rest.length === 0) return;
  for (const id of nodeIds(env, rest)) env.deliverMessages(id);
};
