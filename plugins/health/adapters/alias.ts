/**
 * Alias check runner: reads the aliased node's checks (and whether the aliased service exists) from
 * the catalog tables, reports the aggregate, then sleeps on a blocking watch of that node's topic,
 * which the catalog bumps whenever the node, its services or its checks change. No polling: it
 * re-reads only on a change, or every `refreshMs` as a safety net.
 */
import type { StateStore } from '../../../core/state/store.js';
import { checksOfNode, getNode, nodeTopic, servicesOfNode } from '../../catalog/queries.js';
import { type AliasTarget, aliasHealth } from '../core/alias.js';
import type { CheckResult } from '../core/thresholds.js';

export interface AliasRunnerOptions {
  store: StateStore;
  checkId: string;
  /** This agent's node name (read on each pass: it is the default alias_node). */
  localNode: () => string;
  aliasNode: string;
  aliasService: string;
  report: (result: CheckResult) => void;
  refreshMs: number;
  onError: (err: unknown) => void;
}

/** One read of the catalog: the alias result and what to watch for the next change. */
export function readAlias(
  store: StateStore,
  target: AliasTarget,
  self: { node: string; checkId: string },
): CheckResult {
  const targetExists =
    target.serviceId === ''
      ? getNode(store, target.node) !== undefined
      : servicesOfNode(store, target.node).some((service) => service.ID === target.serviceId);
  return aliasHealth(target, { checks: checksOfNode(store, target.node), targetExists, self });
}

const RETRY_MS = 1000;

export class AliasRunner {
  private readonly controller = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(private readonly opts: AliasRunnerOptions) {}

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    const { store, opts } = { store: this.opts.store, opts: this.opts };
    const signal = this.controller.signal;
    while (!signal.aborted) {
      const local = opts.localNode();
      const target = { node: opts.aliasNode || local, serviceId: opts.aliasService };
      try {
        opts.report(readAlias(store, target, { node: local, checkId: opts.checkId }));
        // Registered synchronously after the read: no change can slip in between.
        await store.watch.wait({ topics: [nodeTopic(target.node)] }, opts.refreshMs, signal);
      } catch (err) {
        opts.onError(err);
        await pause(RETRY_MS, signal);
      }
    }
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
