/**
 * partition <group> <group> ...: each group is a comma-separated list of ids; nodes not listed
 * form one more group. Messages between groups are lost: those already in flight when they are
 * delivered, new ones as they are sent. heal: remove partitions.
 */
import type { Handler } from './types.js';

export const partition: Handler = (env, args) => {
  const groups = new Map<string, number>();
  args.forEach((arg, n) => {
    for (const id of arg.key.split(',')) groups.set(id, n);
  });
  for (const id of env.nodes.keys()) if (!groups.has(id)) groups.set(id, args.length);
  env.partition = groups;
};

export const heal: Handler = (env) => {
  env.partition = undefined;
};
