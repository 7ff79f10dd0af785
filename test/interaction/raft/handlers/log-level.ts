/** log-level <debug|info|warn|none>: how much of the nodes' logging the output shows. */
import type { LogLevel } from '../env.js';
import { type Handler, requireWord } from './types.js';

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'none'];

export const logLevel: Handler = (env, args) => {
  const level = LEVELS.find((l) => l === requireWord(args, 0, 'level'));
  if (!level) throw new Error('log-level: debug, info, warn or none');
  env.level = level;
};
