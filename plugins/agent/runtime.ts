/**
 * One agent plugin runtime per kernel: local state, persistence, anti-entropy, maintenance and TTL
 * updates. The manifest in index.ts creates it and the routes call it.
 */
import type { Logger } from 'pino';
import { readVersionInfo } from '../../core/cli/commands/version.js';
import { canonicalCheckDefinition, canonicalServiceDefinition } from '../../core/config/canonical.js';
import type { AgentConfig, ServiceCheckDefinition } from '../../core/config/types.js';
import { TribuneError } from '../../core/errors.js';
import type { CheckStatus, Member } from '../../core/hooks.js';
import type { Kernel } from '../../core/kernel.js';
import { parseGoDuration, parseGoDurationNs } from '../../core/util/duration.js';
import { AntiEntropy } from './anti-entropy.js';
import {
  type CheckRegistration,
  checkRegistration,
  maintenanceCheck,
  NODE_MAINTENANCE_CHECK_ID,
  SERVICE_MAINTENANCE_PREFIX,
  type ServiceRegistration,
  scriptCheckRefusal,
  serviceCheckDefinitions,
  serviceRegistration,
} from './definitions.js';
import { type AgentPluginOptions, getAgentHooks, getReloadStatus } from './hooks.js';
import { type EntrySource, LocalState } from './local-state.js';
import { AgentPersistence } from './persist.js';
import { type BuildInfo, localMember } from './shapes.js';

const DEFAULT_CHECK_UPDATE_INTERVAL_MS = 5 * 60_000;
export const DEFAULT_OUTPUT_MAX_SIZE = 4096;

function durationSetting(value: unknown, fallbackMs: number): number {
  if (typeof value !== 'string' || value === '') return fallbackMs;
  try {
    return parseGoDuration(value);
  } catch {
    return fallbackMs;
  }
}

/** Consul's output cap: the first `max` bytes and a note of how much there was. */
function truncateOutput(output: string, max: number): string {
  const bytes = Buffer.from(output, 'utf8');
  if (bytes.length <= max) return output;
  return `${bytes.subarray(0, max).toString('utf8')} ... (captured ${max} of ${bytes.length} bytes)`;
}

const quote = (value: string): string => JSON.stringify(value);

export class AgentRuntime {
  readonly state: LocalState;
  readonly sync: AntiEntropy;
  readonly logger: Logger;
  private persistence: AgentPersistence | undefined;
  private build: BuildInfo | undefined;

  constructor(
    readonly kernel: Kernel,
    readonly options: AgentPluginOptions,
  ) {
    this.logger = kernel.logger.child({ plugin: 'agent' });
    this.state = new LocalState((err) => this.logger.error({ err }, 'a local state listener failed'));
    this.sync = new AntiEntropy({
      kernel,
      state: this.state,
      logger: this.logger,
      random: options.random ?? Math.random,
      ...(options.antiEntropyIntervalMs !== undefined ? { intervalMs: options.antiEntropyIntervalMs } : {}),
    });
  }

  get config(): AgentConfig {
    return this.kernel.config;
  }

  now(): number {
    return (this.options.now ?? Date.now)();
  }

  buildInfo(): BuildInfo {
    this.build ??= readVersionInfo();
    return this.build;
  }

  /** The gossip pool as the gossip plugin reports it, or this agent alone until there is one. */
  members(wan: boolean, segment: string): Member[] {
    const reported = getAgentHooks(this.kernel).members.call({ wan, segment });
    if (reported) return reported;
    if (wan) return this.config.server ? [localMember(this.config, this.buildInfo(), true)] : [];
    return [localMember(this.config, this.buildInfo())];
  }

  /** Joins through the gossip plugin; undefined while no gossip plugin handles joins. */
  join(address: string, wan: boolean): Promise<number | undefined> {
    return getAgentHooks(this.kernel).join.promise({ address, wan });
  }

  /** The last config reload's error as the kernel recorded it, or null. */
  reloadError(): string | null {
    return getReloadStatus(this.kernel)?.error ?? null;
  }

  async start(): Promise<void> {
    const config = this.config;
    if (!config.dev && typeof config.data_dir === 'string' && config.data_dir !== '') {
      this.persistence = new AgentPersistence(config.data_dir);
      await this.persistence.init();
    }
    // As Consul loads them: services (files, then data_dir), then checks (files, then data_dir),
    // so that a configured check may name a service registered over the API.
    const problems: string[] = [];
    const embedded = await this.applyFileServices(config, problems);
    await this.restorePersistedServices();
    await this.applyFileChecks(config, problems, embedded);
    await this.restorePersistedChecks();
    for (const problem of problems) this.logger.error({ problem }, 'skipped a configured service or check');
    this.sync.start();
  }

  async stop(): Promise<void> {
    await this.sync.stop();
    this.state.releaseWaiters();
  }

  // -------------------------------------------------------------------------------------------
  // Writes. Each changes the local state, persists API entries, then pushes to the catalog
  // (a failed push is logged and retried by anti-entropy, never an error for the caller).

  async registerService(
    reg: ServiceRegistration,
    source: EntrySource,
    opts: { replaceExistingChecks: boolean; push?: boolean },
  ): Promise<void> {
    const id = reg.service.ID;
    const before = this.state.service(id);
    const previousChecks = this.state.checksOfService(id);
    this.state.upsertService({ service: reg.service, source, token: reg.token });
    for (const check of reg.checks) this.addCheckEntry(check, source, reg.token);
    const kept = new Set(reg.checks.map((c) => c.row.CheckID));
    const dropped = opts.replaceExistingChecks
      ? previousChecks.filter((c) => !kept.has(c.check.CheckID))
      : [];
    for (const entry of dropped) this.dropCheckEntry(entry.check.CheckID);

    if (this.persistence) {
      if (source === 'api') {
        await this.persistence.saveService({ Service: reg.service, Token: reg.token });
        for (const check of reg.checks) {
          await this.persistence.saveCheck({
            Check: check.row,
            Definition: check.definition,
            Token: reg.token,
          });
        }
      } else if (before?.source === 'api') {
        await this.persistence.removeService(id);
      }
      for (const entry of dropped) await this.persistence.removeCheck(entry.check.CheckID);
    }
    if (opts.push !== false) await this.sync.syncChanges();
  }

  async deregisterService(id: string, opts: { push?: boolean } = {}): Promise<boolean> {
    const removed = this.state.removeService(id);
    if (!removed) return false;
    for (const entry of removed.checks) this.sync.cancelDeferredOutput(entry.check.CheckID);
    if (this.persistence) {
      if (removed.service.source === 'api') await this.persistence.removeService(id);
      for (const entry of removed.checks) await this.persistence.removeCheck(entry.check.CheckID);
    }
    if (opts.push !== false) await this.sync.syncChanges();
    return true;
  }

  async registerCheck(
    reg: CheckRegistration,
    source: EntrySource,
    token: string,
    opts: { push?: boolean } = {},
  ): Promise<void> {
    const before = this.state.check(reg.row.CheckID);
    this.addCheckEntry(reg, source, token);
    if (this.persistence) {
      if (source === 'api')
        await this.persistence.saveCheck({ Check: reg.row, Definition: reg.definition, Token: token });
      else if (before?.source === 'api') await this.persistence.removeCheck(reg.row.CheckID);
    }
    if (opts.push !== false) await this.sync.syncChanges();
  }

  async deregisterCheck(id: string, opts: { push?: boolean } = {}): Promise<boolean> {
    const removed = this.dropCheckEntry(id);
    if (!removed) return false;
    await this.persistence?.removeCheck(id);
    if (opts.push !== false) await this.sync.syncChanges();
    return true;
  }

  /**
   * Records a check result (the health plugin's entry point). A status change fires onCheck and
   * goes to the catalog at once; an output-only change waits for check_update_interval.
   */
  setCheckStatus(id: string, status: CheckStatus, output: string, push = true): boolean {
    if (this.config.discard_check_output === true) output = '';
    const update = this.state.setCheckStatus(id, status, output);
    const entry = this.state.check(id);
    if (!update || !entry) return false;
    if (update.statusChanged) {
      this.sync.cancelDeferredOutput(id);
      try {
        this.kernel.hooks.onCheck.call({
          node: this.config.node_name,
          checkId: id,
          serviceId: entry.check.ServiceID,
          previous: update.previous,
          status,
          output,
        });
      } catch (err) {
        this.logger.error({ err, checkId: id }, 'an onCheck tap failed');
      }
      if (push) void this.sync.syncChanges();
    } else if (update.outputChanged) {
      this.sync.deferOutput(
        id,
        durationSetting(this.config.check_update_interval, DEFAULT_CHECK_UPDATE_INTERVAL_MS),
      );
    }
    return true;
  }

  /** PUT /v1/agent/check/{pass,warn,fail,update}/:id — TTL checks only, as in Consul. */
  async updateTtlCheck(id: string, status: CheckStatus, output: string): Promise<void> {
    const entry = this.state.check(id);
    if (!entry) {
      throw new TribuneError(
        'NOT_FOUND',
        `Unknown check ID ${quote(id)}. Ensure that the check ID is passed, not the check name.`,
      );
    }
    if (entry.check.Type !== 'ttl') {
      throw new TribuneError('INTERNAL', `CheckID ${quote(id)} does not have associated TTL`);
    }
    const configured = Number(this.config.check_output_max_size) || DEFAULT_OUTPUT_MAX_SIZE;
    const own = entry.definition.output_max_size ?? 0;
    const max = own > 0 && own < configured ? own : configured;
    const capped = truncateOutput(output, max);
    this.setCheckStatus(id, status, capped, false);
    try {
      getAgentHooks(this.kernel).ttlUpdated.call({ checkId: id, status, output: capped });
    } catch (err) {
      this.logger.error({ err, checkId: id }, 'a ttlUpdated tap failed');
    }
    if (this.persistence) {
      const ttlMs = Number(parseGoDurationNs(entry.definition.ttl ?? '0s') / 1_000_000n);
      await this.persistence.saveCheckState({
        CheckID: id,
        Status: status,
        Output: this.state.check(id)?.check.Output ?? '',
        Expires: this.now() + ttlMs,
      });
    }
    await this.sync.syncChanges();
  }

  /** Adds or removes the `_service_maintenance:<id>` check; the service must exist. */
  async setServiceMaintenance(
    serviceId: string,
    enable: boolean,
    reason: string,
    token: string,
  ): Promise<void> {
    const entry = this.state.service(serviceId);
    if (!entry) throw new TribuneError('NOT_FOUND', `No service registered with ID ${quote(serviceId)}`);
    const checkId = `${SERVICE_MAINTENANCE_PREFIX}${serviceId}`;
    if (enable) {
      if (this.state.check(checkId)) return;
      await this.registerCheck(maintenanceCheck(entry.service, reason), 'api', token);
      this.logger.info({ serviceId }, 'service entered maintenance mode');
    } else if (await this.deregisterCheck(checkId)) {
      this.logger.info({ serviceId }, 'service left maintenance mode');
    }
  }

  /** Adds or removes the `_node_maintenance` check. */
  async setNodeMaintenance(enable: boolean, reason: string, token: string): Promise<void> {
    if (enable) {
      if (this.state.check(NODE_MAINTENANCE_CHECK_ID)) return;
      await this.registerCheck(maintenanceCheck(undefined, reason), 'api', token);
      this.logger.info('node entered maintenance mode');
    } else if (await this.deregisterCheck(NODE_MAINTENANCE_CHECK_ID)) {
      this.logger.info('node left maintenance mode');
    }
  }

  /**
   * Makes the 'file' entries equal to `config.services` / `config.checks`; API entries stay. An
   * entry that cannot be registered is skipped with a logged reason, which is also returned.
   */
  async applyConfig(config: AgentConfig, push = true): Promise<{ problems: string[] }> {
    const problems: string[] = [];
    const embedded = await this.applyFileServices(config, problems);
    await this.applyFileChecks(config, problems, embedded);
    for (const problem of problems) this.logger.error({ problem }, 'skipped a configured service or check');
    if (push) await this.sync.syncChanges();
    return { problems };
  }

  /**
   * The services of config files (with the checks they carry) replace the previous file services.
   * Returns the IDs of the checks those services carry.
   */
  private async applyFileServices(config: AgentConfig, problems: string[]): Promise<Set<string>> {
    const services = new Map<string, ServiceRegistration>();
    for (const raw of config.services ?? []) {
      const def = canonicalServiceDefinition(raw);
      const refusal = scriptCheckRefusal(serviceCheckDefinitions(def), 'file', config);
      if (typeof def.name !== 'string' || def.name === '') problems.push('service definition without a name');
      else if (refusal) problems.push(`Failed to register service ${quote(def.name)}: ${refusal}`);
      else {
        const reg = serviceRegistration(def);
        services.set(reg.service.ID, reg);
      }
    }
    for (const entry of this.state.services()) {
      if (entry.source === 'file' && !services.has(entry.service.ID))
        await this.deregisterService(entry.service.ID, { push: false });
    }
    const wantedChecks = new Set<string>();
    for (const reg of services.values()) {
      for (const check of reg.checks) wantedChecks.add(check.row.CheckID);
      const current = this.state.service(reg.service.ID);
      const unchanged =
        current?.source === 'file' &&
        current.token === reg.token &&
        JSON.stringify(current.service) === JSON.stringify(reg.service);
      if (!unchanged) {
        await this.registerService(reg, 'file', { replaceExistingChecks: false, push: false });
        continue;
      }
      for (const check of reg.checks) {
        if (!this.isCurrentFileCheck(check))
          await this.registerCheck(check, 'file', reg.token, { push: false });
      }
    }
    return wantedChecks;
  }

  /**
   * The stand-alone checks of config files replace the previous ones; a file check that is neither
   * one of them nor carried by a file service (`embedded`) goes.
   */
  private async applyFileChecks(
    config: AgentConfig,
    problems: string[],
    embedded: Set<string>,
  ): Promise<void> {
    const wantedChecks = new Set(embedded);
    const checks: CheckRegistration[] = [];
    for (const raw of config.checks ?? []) {
      const def: ServiceCheckDefinition = canonicalCheckDefinition(raw);
      const refusal = scriptCheckRefusal([def], 'file', config);
      const owner = def.service_id ? this.state.service(def.service_id) : undefined;
      if (typeof def.name !== 'string' || def.name === '') problems.push('check definition without a name');
      else if (refusal) problems.push(`Failed to register check ${quote(def.name)}: ${refusal}`);
      else if (def.service_id && !owner) problems.push(`ServiceID ${quote(def.service_id)} does not exist`);
      else {
        const reg = checkRegistration(def, owner?.service);
        wantedChecks.add(reg.row.CheckID);
        checks.push(reg);
      }
    }
    for (const entry of this.state.checks()) {
      if (entry.source === 'file' && !wantedChecks.has(entry.check.CheckID)) {
        await this.deregisterCheck(entry.check.CheckID, { push: false });
      }
    }
    for (const reg of checks) {
      if (!this.isCurrentFileCheck(reg)) await this.registerCheck(reg, 'file', '', { push: false });
    }
  }

  // -------------------------------------------------------------------------------------------

  /** True when `reg` is already held, from config files, exactly as defined (its result aside). */
  private isCurrentFileCheck(reg: CheckRegistration): boolean {
    const current = this.state.check(reg.row.CheckID);
    if (current?.source !== 'file') return false;
    const withoutResult = (row: object) =>
      JSON.stringify({ ...row, Status: '', Output: '', ServiceTags: [] });
    return (
      withoutResult(current.check) === withoutResult(reg.row) &&
      JSON.stringify(current.definition) === JSON.stringify(reg.definition)
    );
  }

  /** A re-registered check keeps its current result unless the definition sets a status. */
  private addCheckEntry(reg: CheckRegistration, source: EntrySource, token: string): void {
    const previous = this.state.check(reg.row.CheckID);
    const row =
      previous && !reg.statusGiven
        ? { ...reg.row, Status: previous.check.Status, Output: previous.check.Output }
        : reg.row;
    this.sync.cancelDeferredOutput(reg.row.CheckID);
    this.state.upsertCheck({ check: row, definition: reg.definition, source, token });
  }

  private dropCheckEntry(id: string) {
    this.sync.cancelDeferredOutput(id);
    return this.state.removeCheck(id);
  }

  /** API services from data_dir; a config service with the same ID wins and the file is purged. */
  private async restorePersistedServices(): Promise<void> {
    const persistence = this.persistence;
    if (!persistence) return;
    const services = await persistence.loadServices();
    for (const problem of services.problems)
      this.logger.warn(problem, 'skipped an unreadable persisted service');
    for (const saved of services.entries) {
      if (this.state.service(saved.Service.ID)) {
        await persistence.removeService(saved.Service.ID);
        continue;
      }
      this.state.upsertService({ service: saved.Service, source: 'api', token: saved.Token });
    }
  }

  /** API checks from data_dir, and the last result of every TTL check still within its TTL. */
  private async restorePersistedChecks(): Promise<void> {
    const persistence = this.persistence;
    if (!persistence) return;
    const checks = await persistence.loadChecks();
    for (const problem of checks.problems) this.logger.warn(problem, 'skipped an unreadable persisted check');
    for (const saved of checks.entries) {
      const id = saved.Check.CheckID;
      const orphan = saved.Check.ServiceID !== '' && !this.state.service(saved.Check.ServiceID);
      if (this.state.check(id) || orphan) {
        await persistence.removeCheck(id);
        continue;
      }
      this.state.upsertCheck({
        check: saved.Check,
        definition: saved.Definition,
        source: 'api',
        token: saved.Token,
      });
    }
    // A TTL check restarted within its TTL keeps the status it was last given.
    for (const entry of this.state.checks()) {
      if (entry.check.Type !== 'ttl') continue;
      const saved = await persistence.loadCheckState(entry.check.CheckID, this.now());
      if (saved) this.state.setCheckStatus(entry.check.CheckID, saved.Status, saved.Output);
    }
  }
}
