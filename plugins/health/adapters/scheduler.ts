/**
 * The health plugin's scheduler: one runner (runners.ts) per check of the agent's local state,
 * following it as checks are registered, re-registered (restarted, as Consul does), removed, or
 * made (un)runnable by a config reload; results go into the agent's local state, which fires
 * onCheck and syncs the catalog. A reaper deregisters services whose check stayed critical past
 * deregister_critical_service_after. stop() ends every timer, socket and child process.
 */
import type { Logger } from 'pino';
import type { CheckStatus } from '../../../core/hooks.js';
import type { Kernel } from '../../../core/kernel.js';
import { scriptCheckRefusal } from '../../agent/definitions.js';
import {
  getAgentRuntime,
  getLocalState,
  type LocalChange,
  type LocalCheckEntry,
  type LocalState,
  updateCheckStatus,
} from '../../agent/index.js';
import { type CheckPlan, DEFAULT_OUTPUT_MAX_SIZE, planCheck } from '../core/check-plan.js';
import { criticalSince, type ReapCandidate, servicesToReap } from '../core/reaper.js';
import { createRunner, IntervalRunner, type Runner, type RunnerEnv, TtlRunner } from './runners.js';

export interface SchedulerOptions {
  kernel: Kernel;
  logger: Logger;
  /** In [0, 1): the first-run stagger. */
  random: () => number;
  /** Monotonic milliseconds. */
  clock: () => number;
  /** Floor of check intervals (Consul: 1s). */
  minIntervalMs: number;
  /** Floor of deregister_critical_service_after (Consul: 1m). */
  minDeregisterAfterMs: number;
  /** How often the reaper looks (Consul: 30s). */
  reapIntervalMs: number;
  /** Longest an alias check goes without re-reading the catalog. */
  aliasRefreshMs: number;
  /** Observes each probe start against its planned start (benchmarks). */
  onProbeStart?: (checkId: string, plannedMs: number, startedMs: number) => void;
}

export class HealthScheduler {
  private readonly runners = new Map<string, Runner>();
  /** Runners being stopped; stop() waits for them. */
  private readonly stopping = new Set<Promise<void>>();
  /** Checks that are critical, and since when (monotonic ms). */
  private readonly criticalSinceMs = new Map<string, number>();
  private readonly env: RunnerEnv;
  private unsubscribe: (() => void) | undefined;
  private reapTimer: NodeJS.Timeout | undefined;
  private reaping: Promise<void> | undefined;
  private running = false;

  constructor(private readonly opts: SchedulerOptions) {
    this.env = {
      kernel: opts.kernel,
      logger: opts.logger,
      random: opts.random,
      clock: opts.clock,
      aliasRefreshMs: opts.aliasRefreshMs,
      onProbeStart: opts.onProbeStart,
      report: (checkId, status, output) => this.report(checkId, status, output),
    };
  }

  private get state(): LocalState | undefined {
    return getLocalState(this.opts.kernel);
  }

  /** Starts a runner for every local check and follows the local state from now on. */
  start(): void {
    const state = this.state;
    if (!state || this.running) return;
    this.running = true;
    this.unsubscribe = state.onChange((change) => this.onLocalChange(change));
    for (const entry of state.checks()) {
      this.trackCritical(entry.check.CheckID);
      this.startRunner(entry);
    }
    this.reapTimer = setInterval(() => {
      this.reaping ??= this.reap().finally(() => {
        this.reaping = undefined;
      });
    }, this.opts.reapIntervalMs);
    this.reapTimer.unref?.();
  }

  /** Stops every runner, waiting for probes in flight (they are cancelled: scripts are killed). */
  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    if (this.reapTimer) clearInterval(this.reapTimer);
    this.reapTimer = undefined;
    for (const id of [...this.runners.keys()]) this.stopRunner(id);
    await Promise.all([...this.stopping]);
    await this.reaping;
    this.criticalSinceMs.clear();
  }

  /** A TTL check was updated: its clock restarts. */
  ttlUpdated(checkId: string, output: string): void {
    const runner = this.runners.get(checkId);
    if (runner instanceof TtlRunner) runner.updated(output);
  }

  /** After a config reload: runners for checks that became runnable, none for those that no longer are. */
  reconcile(): void {
    const state = this.state;
    if (!state || !this.running) return;
    for (const id of [...this.runners.keys()]) {
      const entry = state.check(id);
      if (!entry || this.refusal(entry) !== undefined) this.stopRunner(id);
    }
    for (const entry of state.checks()) {
      if (!this.runners.has(entry.check.CheckID)) this.startRunner(entry);
    }
  }

  /** Checks with a runner, and probe runs skipped because the previous one was still going. */
  stats(): { runners: number; skippedRuns: number } {
    let skippedRuns = 0;
    for (const runner of this.runners.values()) {
      if (runner instanceof IntervalRunner) skippedRuns += runner.skipped;
    }
    return { runners: this.runners.size, skippedRuns };
  }

  /** Runs one reaper pass now (tests). */
  reapNow(): Promise<void> {
    return this.reap();
  }

  // -------------------------------------------------------------------------------------------

  private onLocalChange(change: LocalChange): void {
    if (change.kind !== 'check') return;
    const id = change.id;
    if (change.op === 'remove') {
      this.stopRunner(id);
      this.criticalSinceMs.delete(id);
      return;
    }
    this.trackCritical(id);
    if (change.op === 'upsert') {
      // A (re-)registration restarts the check, as Consul does: new stagger, fresh counters.
      this.stopRunner(id);
      const entry = this.state?.check(id);
      if (entry) this.startRunner(entry);
    }
  }

  private trackCritical(checkId: string): void {
    const entry = this.state?.check(checkId);
    const since = entry
      ? criticalSince(this.criticalSinceMs.get(checkId), entry.check.Status, this.opts.clock())
      : undefined;
    if (since === undefined) this.criticalSinceMs.delete(checkId);
    else this.criticalSinceMs.set(checkId, since);
  }

  private plan(entry: LocalCheckEntry): CheckPlan {
    const configured = Number(this.opts.kernel.config.check_output_max_size);
    return planCheck(entry.check.Type, entry.definition, {
      minIntervalMs: this.opts.minIntervalMs,
      minDeregisterAfterMs: this.opts.minDeregisterAfterMs,
      outputMaxSize: Number.isFinite(configured) && configured > 0 ? configured : DEFAULT_OUTPUT_MAX_SIZE,
    });
  }

  /** Why a script check may not run here (the agent refuses to register it; this double-checks). */
  private refusal(entry: LocalCheckEntry): string | undefined {
    return scriptCheckRefusal([entry.definition], entry.source, this.opts.kernel.config);
  }

  private startRunner(entry: LocalCheckEntry): void {
    const id = entry.check.CheckID;
    const plan = this.plan(entry);
    if (plan.kind === 'none') return;
    const refusal = this.refusal(entry);
    if (refusal !== undefined) {
      this.opts.logger.error({ checkId: id }, `not running check: ${refusal}`);
      this.report(id, 'critical', refusal);
      return;
    }
    const runner = createRunner(id, plan, entry, this.env);
    if (!runner) return;
    this.runners.set(id, runner);
    runner.start();
  }

  private stopRunner(id: string): void {
    const runner = this.runners.get(id);
    if (!runner) return;
    this.runners.delete(id);
    const stopped = runner
      .stop()
      .catch((err) => this.opts.logger.error({ err, checkId: id }, 'a check runner failed to stop'))
      .finally(() => this.stopping.delete(stopped));
    this.stopping.add(stopped);
  }

  private report(checkId: string, status: CheckStatus, output: string): void {
    if (!this.running) return;
    try {
      updateCheckStatus(this.opts.kernel, checkId, status, output);
    } catch (err) {
      this.opts.logger.error({ err, checkId }, 'failed to record a check result');
    }
  }

  private async reap(): Promise<void> {
    const state = this.state;
    const runtime = getAgentRuntime(this.opts.kernel);
    if (!state || !runtime) return;
    const candidates: ReapCandidate[] = [];
    for (const entry of state.checks()) {
      const deregisterAfterMs = this.plan(entry).deregisterAfterMs;
      if (deregisterAfterMs <= 0) continue;
      candidates.push({
        checkId: entry.check.CheckID,
        serviceId: entry.check.ServiceID,
        criticalSince: this.criticalSinceMs.get(entry.check.CheckID),
        deregisterAfterMs,
      });
    }
    for (const { serviceId, checkId } of servicesToReap(candidates, this.opts.clock())) {
      if (!this.running) return;
      try {
        await runtime.deregisterService(serviceId);
        this.opts.logger.info(
          { serviceId, checkId },
          'check has been critical for too long; deregistered service',
        );
      } catch (err) {
        this.opts.logger.error(
          { err, serviceId, checkId },
          'unable to deregister service after check has been critical for too long',
        );
      }
    }
  }
}
