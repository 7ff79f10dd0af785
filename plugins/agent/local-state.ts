/**
 * The agent's own view of its services and checks: authoritative for this node, synced to the
 * catalog by anti-entropy. Every entry records where it came from ('file' = config files, replaced
 * on reload; 'api' = registered over HTTP, persisted and untouched by reload) and whether the
 * catalog already has it as it is here.
 */
import type { ServiceCheckDefinition } from '../../core/config/types.js';
import type { CheckStatus } from '../../core/hooks.js';
import type { ServiceInput } from '../catalog/types.js';
import type { DefinitionSource, LocalCheckRow } from './definitions.js';

export type EntrySource = DefinitionSource;

export interface LocalServiceEntry {
  service: ServiceInput;
  source: EntrySource;
  /** The ACL token the service was registered with ('' for none). */
  token: string;
  /** True once the catalog holds this service exactly as it is here. */
  inSync: boolean;
}

export interface LocalCheckEntry {
  check: LocalCheckRow;
  definition: ServiceCheckDefinition;
  source: EntrySource;
  token: string;
  inSync: boolean;
  /** An output-only change is waiting (check_update_interval) before it goes to the catalog. */
  outputDeferred: boolean;
}

/** What changed: `status` is a status or output update of an existing check. */
export interface LocalChange {
  kind: 'service' | 'check';
  id: string;
  op: 'upsert' | 'remove' | 'status';
}

export interface StatusUpdate {
  previous: CheckStatus;
  statusChanged: boolean;
  outputChanged: boolean;
}

type ServiceEntryInit = Omit<LocalServiceEntry, 'inSync'>;
type CheckEntryInit = Omit<LocalCheckEntry, 'inSync' | 'outputDeferred'>;

export class LocalState {
  private readonly serviceEntries = new Map<string, LocalServiceEntry>();
  private readonly checkEntries = new Map<string, LocalCheckEntry>();
  /** Removed here but perhaps still in the catalog: anti-entropy deregisters and clears them. */
  readonly pendingServiceRemovals = new Set<string>();
  readonly pendingCheckRemovals = new Set<string>();
  private readonly listeners = new Set<(change: LocalChange) => void>();
  private readonly changeWaiters = new Set<() => void>();
  private changes = 0;

  /** `onListenerError` hears a throwing listener; the change itself always completes. */
  constructor(private readonly onListenerError: (err: unknown) => void = () => {}) {}

  /** Grows by one on every change; lets a waiter tell whether anything happened. */
  get version(): number {
    return this.changes;
  }

  service(id: string): LocalServiceEntry | undefined {
    return this.serviceEntries.get(id);
  }

  services(): LocalServiceEntry[] {
    return [...this.serviceEntries.values()];
  }

  check(id: string): LocalCheckEntry | undefined {
    return this.checkEntries.get(id);
  }

  checks(): LocalCheckEntry[] {
    return [...this.checkEntries.values()];
  }

  checksOfService(serviceId: string): LocalCheckEntry[] {
    return this.checks().filter((entry) => entry.check.ServiceID === serviceId);
  }

  /** Adds or replaces a service; its checks take the new name and tags. */
  upsertService(init: ServiceEntryInit): void {
    const id = init.service.ID;
    this.serviceEntries.set(id, { ...init, inSync: false });
    this.pendingServiceRemovals.delete(id);
    for (const entry of this.checksOfService(id)) {
      entry.check = {
        ...entry.check,
        ServiceName: init.service.Service,
        ServiceTags: [...init.service.Tags],
      };
    }
    this.changed({ kind: 'service', id, op: 'upsert' });
  }

  /** Removes a service and every check attached to it; returns the removed checks. */
  removeService(id: string): { service: LocalServiceEntry; checks: LocalCheckEntry[] } | undefined {
    const service = this.serviceEntries.get(id);
    if (!service) return undefined;
    const checks = this.checksOfService(id);
    for (const entry of checks) {
      this.checkEntries.delete(entry.check.CheckID);
      // Deregistering the service removes its checks from the catalog too.
      this.pendingCheckRemovals.delete(entry.check.CheckID);
      this.changed({ kind: 'check', id: entry.check.CheckID, op: 'remove' });
    }
    this.serviceEntries.delete(id);
    this.pendingServiceRemovals.add(id);
    this.changed({ kind: 'service', id, op: 'remove' });
    return { service, checks };
  }

  /** Adds or replaces a check; a check of a service takes that service's current name and tags. */
  upsertCheck(init: CheckEntryInit): void {
    const id = init.check.CheckID;
    const owner = init.check.ServiceID ? this.serviceEntries.get(init.check.ServiceID) : undefined;
    const check = owner
      ? { ...init.check, ServiceName: owner.service.Service, ServiceTags: [...owner.service.Tags] }
      : init.check;
    this.checkEntries.set(id, { ...init, check, inSync: false, outputDeferred: false });
    this.pendingCheckRemovals.delete(id);
    this.changed({ kind: 'check', id, op: 'upsert' });
  }

  removeCheck(id: string): LocalCheckEntry | undefined {
    const entry = this.checkEntries.get(id);
    if (!entry) return undefined;
    this.checkEntries.delete(id);
    this.pendingCheckRemovals.add(id);
    this.changed({ kind: 'check', id, op: 'remove' });
    return entry;
  }

  /**
   * Records a check result. A status change makes the check out of sync at once; an output-only
   * change leaves that to the caller (Consul defers it by check_update_interval).
   */
  setCheckStatus(id: string, status: CheckStatus, output: string): StatusUpdate | undefined {
    const entry = this.checkEntries.get(id);
    if (!entry) return undefined;
    const previous = entry.check.Status;
    const statusChanged = previous !== status;
    const outputChanged = entry.check.Output !== output;
    if (!statusChanged && !outputChanged) return { previous, statusChanged, outputChanged };
    entry.check = { ...entry.check, Status: status, Output: output };
    if (statusChanged) {
      entry.inSync = false;
      entry.outputDeferred = false;
    }
    this.changed({ kind: 'check', id, op: 'status' });
    return { previous, statusChanged, outputChanged };
  }

  /** Subscribes to changes; returns the unsubscribe function. */
  onChange(listener: (change: LocalChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves at the next change, after `timeoutMs`, or when `signal` aborts, whichever is first. */
  waitForChange(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted || timeoutMs <= 0) {
        resolve();
        return;
      }
      const finish = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', finish);
        this.changeWaiters.delete(finish);
        resolve();
      };
      const timer = setTimeout(finish, timeoutMs);
      timer.unref?.();
      signal?.addEventListener('abort', finish, { once: true });
      this.changeWaiters.add(finish);
    });
  }

  /** Releases every waiter (the agent is stopping). */
  releaseWaiters(): void {
    for (const wake of [...this.changeWaiters]) wake();
  }

  private changed(change: LocalChange): void {
    this.changes++;
    for (const listener of [...this.listeners]) {
      try {
        listener(change);
      } catch (err) {
        this.onListenerError(err);
      }
    }
    for (const wake of [...this.changeWaiters]) wake();
  }
}
