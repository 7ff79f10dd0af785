/**
 * Anti-entropy: keeps the catalog's view of this node equal to the agent's local state. Local
 * changes are pushed at once (`syncChanges`); a periodic full sync (1 min up to 128 nodes, scaled
 * up past that, randomly staggered) compares the catalog with the local state, re-registers what is
 * missing or different and deregisters services and checks of this node the agent does not know.
 * Best effort: failures are logged and retried, never thrown at the caller.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Logger } from 'pino';
import type { Kernel } from '../../core/kernel.js';
import { proposeCatalog } from '../catalog/fsm.js';
import { localNodeInput } from '../catalog/leader.js';
import {
  type CatalogDeregisterCommand,
  type CatalogRegisterCommand,
  type CheckInput,
  type CheckRow,
  type NodeInput,
  type NodeRow,
  nodeKey,
  type ServiceInput,
  type ServiceRow,
} from '../catalog/types.js';
import type { LocalCheckRow } from './definitions.js';
import type { LocalCheckEntry, LocalState } from './local-state.js';

/** Catalog entries of this node that belong to the servers, not to the agent's local state. */
const SERF_HEALTH_CHECK_ID = 'serfHealth';
const CONSUL_SERVICE_ID = 'consul';

const DEFAULT_INTERVAL_MS = 60_000;
const RETRY_INTERVAL_MS = 15_000;
const SCALE_THRESHOLD = 128;
/** A sync pass always ends; this only guards against a caller that never stops requesting. */
const MAX_PASSES_PER_DRAIN = 10_000;

/** Consul's aeScale factor: 1 up to 128 nodes, then one more per doubling. */
export function syncScaleFactor(nodes: number): number {
  if (nodes <= SCALE_THRESHOLD) return 1;
  return Math.ceil(Math.log2(nodes) - Math.log2(SCALE_THRESHOLD)) + 1;
}

function toCheckInput(row: LocalCheckRow): CheckInput {
  const { ServiceName: _name, ServiceTags: _tags, ...input } = row;
  return input;
}

function sameNode(local: NodeInput, remote: NodeRow): boolean {
  return (
    local.ID === remote.ID &&
    local.Address === remote.Address &&
    isDeepStrictEqual(local.TaggedAddresses, { ...remote.TaggedAddresses }) &&
    isDeepStrictEqual(local.Meta, { ...remote.Meta })
  );
}

const emptyToNull = <T extends object>(value: T | null | undefined): T | null =>
  value && Object.keys(value).length > 0 ? value : null;

function sameService(local: ServiceInput, remote: ServiceRow): boolean {
  return (
    local.Kind === remote.Kind &&
    local.ID === remote.ID &&
    local.Service === remote.Service &&
    isDeepStrictEqual([...local.Tags], [...remote.Tags]) &&
    local.Address === remote.Address &&
    isDeepStrictEqual(emptyToNull(local.TaggedAddresses), emptyToNull(remote.TaggedAddresses)) &&
    isDeepStrictEqual({ ...local.Meta }, { ...remote.Meta }) &&
    local.Port === remote.Port &&
    local.SocketPath === remote.SocketPath &&
    local.Weights.Passing === remote.Weights.Passing &&
    local.Weights.Warning === remote.Weights.Warning &&
    local.EnableTagOverride === remote.EnableTagOverride
  );
}

function sameCheck(local: LocalCheckRow, remote: CheckRow, ignoreOutput: boolean): boolean {
  return (
    local.CheckID === remote.CheckID &&
    local.Name === remote.Name &&
    local.Status === remote.Status &&
    local.Notes === remote.Notes &&
    (ignoreOutput || local.Output === remote.Output) &&
    local.ServiceID === remote.ServiceID &&
    local.Type === remote.Type &&
    local.Interval === remote.Interval &&
    local.Timeout === remote.Timeout &&
    isDeepStrictEqual({ ...local.Definition }, { ...remote.Definition })
  );
}

export interface AntiEntropyOptions {
  kernel: Kernel;
  state: LocalState;
  logger: Logger;
  random: () => number;
  /** The full-sync interval before scaling and stagger (Consul: 1 minute). */
  intervalMs?: number;
}

interface Waiter {
  generation: number;
  resolve: () => void;
}

export class AntiEntropy {
  private readonly kernel: Kernel;
  private readonly state: LocalState;
  private readonly logger: Logger;
  private readonly random: () => number;
  private readonly intervalMs: number;
  private nodeInSync = false;
  private lastNode: NodeInput | undefined;
  private stopped = true;
  private requested = 0;
  private completed = 0;
  private fullWanted = false;
  private loop: Promise<void> | undefined;
  private waiters: Waiter[] = [];
  private fullTimer: NodeJS.Timeout | undefined;
  private readonly deferredOutputs = new Map<string, NodeJS.Timeout>();

  constructor(opts: AntiEntropyOptions) {
    this.kernel = opts.kernel;
    this.state = opts.state;
    this.logger = opts.logger;
    this.random = opts.random;
    this.intervalMs = opts.intervalMs ?? DEFAULT_INTERVAL_MS;
  }

  /** Starts the periodic full sync; the first one runs at once. */
  start(): void {
    this.stopped = false;
    this.scheduleFull(0);
  }

  /** Stops the timers and waits for a sync under way to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.fullTimer) clearTimeout(this.fullTimer);
    this.fullTimer = undefined;
    for (const timer of this.deferredOutputs.values()) clearTimeout(timer);
    this.deferredOutputs.clear();
    await this.loop;
  }

  /** Pushes every local change the catalog has not seen. Resolves once a pass started after this call ends. */
  syncChanges(): Promise<void> {
    return this.request(false);
  }

  /** Compares the whole catalog entry of this node with the local state and repairs it. */
  syncFull(): Promise<void> {
    return this.request(true);
  }

  /**
   * An output-only change of `checkId` reaches the catalog after `delayMs` (check_update_interval),
   * unless a status change pushes it earlier. A delay of 0 pushes it at once.
   */
  deferOutput(checkId: string, delayMs: number): void {
    const entry = this.state.check(checkId);
    if (!entry) return;
    if (delayMs <= 0) {
      entry.inSync = false;
      void this.syncChanges();
      return;
    }
    if (this.deferredOutputs.has(checkId)) return;
    entry.outputDeferred = true;
    const timer = setTimeout(() => {
      this.deferredOutputs.delete(checkId);
      const current = this.state.check(checkId);
      if (!current || this.stopped) return;
      current.outputDeferred = false;
      current.inSync = false;
      void this.syncChanges();
    }, delayMs);
    timer.unref?.();
    this.deferredOutputs.set(checkId, timer);
  }

  /** Forgets a pending deferred output (the check was pushed or removed). */
  cancelDeferredOutput(checkId: string): void {
    const timer = this.deferredOutputs.get(checkId);
    if (timer) clearTimeout(timer);
    this.deferredOutputs.delete(checkId);
  }

  private request(full: boolean): Promise<void> {
    const generation = ++this.requested;
    if (full) this.fullWanted = true;
    const done = new Promise<void>((resolve) => this.waiters.push({ generation, resolve }));
    this.kick();
    return done;
  }

  /** Starts draining unless a drain is under way; a request that arrives as one ends starts the next. */
  private kick(): void {
    if (this.loop) return;
    this.loop = this.drain().finally(() => {
      this.loop = undefined;
      if (this.completed < this.requested) this.kick();
    });
  }

  /** Runs passes until every request is served; one pass at a time, so writes never interleave. */
  private async drain(): Promise<void> {
    for (let pass = 0; pass < MAX_PASSES_PER_DRAIN && this.completed < this.requested; pass++) {
      const target = this.requested;
      const full = this.fullWanted;
      this.fullWanted = false;
      const failures = await this.runPass(full);
      this.completed = target;
      if (full) this.scheduleFull(failures > 0 ? this.retryDelay() : this.fullSyncDelay());
      else if (failures > 0) this.scheduleFull(this.retryDelay());
      const ready = this.waiters.filter((w) => w.generation <= target);
      this.waiters = this.waiters.filter((w) => w.generation > target);
      for (const waiter of ready) waiter.resolve();
    }
  }

  /** One pass; returns how many writes failed. Never throws. */
  private async runPass(full: boolean): Promise<number> {
    try {
      if (!this.kernel.hasConsensus()) throw new Error('No cluster leader');
      if (full) this.compareWithCatalog();
      return await this.pushChanges();
    } catch (err) {
      this.logger.warn({ err }, 'failed to sync remote state');
      return 1;
    }
  }

  /** Marks what differs from the catalog, adopts catalog tags where enable_tag_override says so. */
  private compareWithCatalog(): void {
    const store = this.kernel.store;
    const node = this.kernel.config.node_name;
    const prefix = `${node}/`;
    const remoteNode = store.table<NodeRow>('nodes').get(nodeKey(node));
    const nodeNow = localNodeInput(this.kernel.config);
    this.nodeInSync = remoteNode !== undefined && sameNode(nodeNow, remoteNode);
    if (this.nodeInSync) this.lastNode = nodeNow;

    const remoteServices = new Map<string, ServiceRow>();
    for (const [, row] of store.table<ServiceRow>('services').scanPrefix(prefix))
      remoteServices.set(row.ID, row);
    const remoteChecks = new Map<string, CheckRow>();
    for (const [, row] of store.table<CheckRow>('checks').scanPrefix(prefix))
      remoteChecks.set(row.CheckID, row);

    for (const entry of this.state.services()) {
      const remote = remoteServices.get(entry.service.ID);
      if (!remote) {
        entry.inSync = false;
        continue;
      }
      if (entry.service.EnableTagOverride && !isDeepStrictEqual([...entry.service.Tags], [...remote.Tags])) {
        // Someone changed the tags in the catalog on purpose: the agent takes them.
        entry.service = { ...entry.service, Tags: [...remote.Tags] };
        for (const check of this.state.checksOfService(entry.service.ID)) {
          check.check = { ...check.check, ServiceTags: [...remote.Tags] };
        }
      }
      entry.inSync = sameService(entry.service, remote);
    }
    for (const id of remoteServices.keys()) {
      if (id !== CONSUL_SERVICE_ID && !this.state.service(id)) this.state.pendingServiceRemovals.add(id);
    }
    for (const id of [...this.state.pendingServiceRemovals]) {
      if (!remoteServices.has(id)) this.state.pendingServiceRemovals.delete(id);
    }

    for (const entry of this.state.checks()) {
      const remote = remoteChecks.get(entry.check.CheckID);
      entry.inSync = remote !== undefined && sameCheck(entry.check, remote, entry.outputDeferred);
    }
    for (const [id, remote] of remoteChecks) {
      if (id === SERF_HEALTH_CHECK_ID || this.state.check(id)) continue;
      // A check of a service that goes away goes with it.
      if (remote.ServiceID !== '' && this.state.pendingServiceRemovals.has(remote.ServiceID)) continue;
      this.state.pendingCheckRemovals.add(id);
    }
    for (const id of [...this.state.pendingCheckRemovals]) {
      if (!remoteChecks.has(id)) this.state.pendingCheckRemovals.delete(id);
    }
  }

  /** Sends what is out of sync; returns how many writes failed. */
  private async pushChanges(): Promise<number> {
    let failures = 0;
    const attempt = async (what: string, write: () => Promise<void>) => {
      try {
        await write();
      } catch (err) {
        failures++;
        this.logger.warn({ err, what }, 'failed to sync remote state');
      }
    };
    const node = this.kernel.config.node_name;

    for (const id of [...this.state.pendingServiceRemovals]) {
      await attempt(`service ${id}`, async () => {
        await this.propose({ type: 'catalog.deregister', node, serviceId: id, checkId: null });
        this.state.pendingServiceRemovals.delete(id);
      });
    }
    for (const id of [...this.state.pendingCheckRemovals]) {
      await attempt(`check ${id}`, async () => {
        await this.propose({ type: 'catalog.deregister', node, serviceId: null, checkId: id });
        this.state.pendingCheckRemovals.delete(id);
      });
    }
    const nodeNow = localNodeInput(this.kernel.config);
    // node_meta or addresses changed by a reload: the node row goes again.
    if (!isDeepStrictEqual(nodeNow, this.lastNode)) this.nodeInSync = false;
    if (!this.nodeInSync) {
      await attempt('node', async () => {
        await this.register(null, [], false);
        this.nodeInSync = true;
        this.lastNode = nodeNow;
      });
    }
    for (const entry of this.state.services()) {
      if (entry.inSync) continue;
      // Rows are replaced, never mutated: what was sent is what these references hold.
      const service = entry.service;
      const sent = this.state.checksOfService(service.ID).map((check) => ({ check, row: check.check }));
      await attempt(`service ${service.ID}`, async () => {
        await this.register(
          service,
          sent.map((s) => s.row),
          this.nodeInSync,
        );
        if (entry.service === service) entry.inSync = true;
        for (const { check, row } of sent) this.markCheckSynced(check, row);
      });
    }
    for (const entry of this.state.checks()) {
      if (entry.inSync) continue;
      const owner = entry.check.ServiceID ? this.state.service(entry.check.ServiceID) : undefined;
      // The catalog refuses a check of a service it does not know, so the service goes along.
      await attempt(`check ${entry.check.CheckID}`, async () => {
        const row = entry.check;
        await this.register(owner?.service ?? null, [row], this.nodeInSync);
        this.markCheckSynced(entry, row);
      });
    }
    return failures;
  }

  /** A write pushed `row`; the entry is in sync only if nothing changed it since. */
  private markCheckSynced(entry: LocalCheckEntry, row: LocalCheckRow): void {
    if (entry.check !== row) return;
    entry.inSync = true;
    entry.outputDeferred = false;
    this.cancelDeferredOutput(row.CheckID);
  }

  private async register(
    service: ServiceInput | null,
    checks: readonly LocalCheckRow[],
    skipNodeUpdate: boolean,
  ): Promise<void> {
    const command: CatalogRegisterCommand = {
      type: 'catalog.register',
      node: localNodeInput(this.kernel.config),
      skipNodeUpdate,
      service,
      checks: checks.map(toCheckInput),
    };
    await this.propose(command);
  }

  private async propose(command: CatalogRegisterCommand | CatalogDeregisterCommand): Promise<void> {
    // A copy: the command enters the raft log and the catalog's rows, the local rows stay ours.
    // A refusal by the catalog (e.g. a node ID clash) comes back as an error to log and retry.
    await proposeCatalog(this.kernel, structuredClone(command));
  }

  private fullSyncDelay(): number {
    const nodes = Math.max(1, this.kernel.store.table<NodeRow>('nodes').size);
    const base = this.intervalMs * syncScaleFactor(nodes);
    return base + Math.floor(this.random() * base);
  }

  private retryDelay(): number {
    return RETRY_INTERVAL_MS + Math.floor(this.random() * RETRY_INTERVAL_MS);
  }

  private scheduleFull(delayMs: number): void {
    if (this.stopped) return;
    if (this.fullTimer) clearTimeout(this.fullTimer);
    this.fullTimer = setTimeout(() => {
      this.fullTimer = undefined;
      void this.syncFull();
    }, delayMs);
    this.fullTimer.unref?.();
  }
}
