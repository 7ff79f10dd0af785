/** `tribune agent …`: runs the agent in the foreground until SIGINT/SIGTERM or a leave request. */
import { type RunningAgent, startAgent } from '../../agent.js';
import { exitCodeOf } from '../../errors.js';
import type { CliIO } from '../io.js';

export async function runAgentCommand(args: string[], io: CliIO): Promise<number> {
  let finish: (code: number) => void = () => {};
  const finished = new Promise<number>((resolve) => {
    finish = resolve;
  });
  let agent: RunningAgent;
  try {
    agent = await startAgent({ argv: args, onLeaveRequested: () => finish(0) });
  } catch (err) {
    io.stderr(`==> ${err instanceof Error ? err.message : String(err)}\n`);
    return exitCodeOf(err);
  }
  let signals = 0;
  const onStop = () => {
    signals++;
    if (signals > 1) process.exit(1);
    finish(0);
  };
  const onHup = () => {
    agent.reload().catch(() => {
      // Logged and reported by the reload path; a bad reload never stops the agent.
    });
  };
  process.on('SIGINT', onStop);
  process.on('SIGTERM', onStop);
  process.on('SIGHUP', onHup);
  const code = await finished;
  process.off('SIGHUP', onHup);
  await agent.stop();
  process.off('SIGINT', onStop);
  process.off('SIGTERM', onStop);
  return code;
}
