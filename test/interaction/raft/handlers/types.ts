import type { CmdArg } from '../datadriven.js';
import type { InteractionEnv } from '../env.js';

export type Handler = (env: InteractionEnv, args: readonly CmdArg[]) => void;

export function nodeIds(env: InteractionEnv, args: readonly CmdArg[]): string[] {
  const ids = args.filter((a) => a.values.length === 0).map((a) => a.key);
  return ids.length > 0 ? ids : [...env.nodes.keys()];
}

export function requireWord(args: readonly CmdArg[], at: number, what: string): string {
  const bare = args.filter((a) => a.values.length === 0);
  const word = bare[at]?.key;
  if (word === undefined) throw new Error(`missing ${what}`);
  return word;
}
