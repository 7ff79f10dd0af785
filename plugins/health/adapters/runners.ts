/**
 * One runner per check kind. Interval checks (HTTP, TCP, UDP, gRPC, script) run at a fixed rate
 * after a random first offset within the interval, with one probe in flight at a time (a run that
 * finds the previous one still going is skipped), and their results go through the threshold core.
 * TTL checks expire to critical unless updated; alias checks follow the catalog. Every runner's
 * stop() ends its timers and cancels its probe (a script's process group is killed).
 */
import type { Logger } from 'pino';
import type { CheckStatus } from '../../../core/hooks.js';
import type { Kernel } from '../../../core/kernel.js';
import type { LocalCheckEntry } from '../../agent/index.js';
import type { CheckPlan } from '../core/check-plan.js';
import { errorLike } from '../core/net-errors.js';
import { critical } from '../core/results.js';
import { initialStagger, nextSlot } from '../core/stagger.js';
import { applyResult, type CheckResult, type Counters, initialCounters } from '../core/thresholds.js';
import { type TtlState, ttlStarted, ttlTick, ttlUpdated } from '../core/ttl.js';
import { AliasRunner } from './alias.js';
import { probeGrpc } from './grpc-probe.js';
import { probeHttp } from './http-probe.js';
import { probeScript } from './script-probe.js';
import { probeTcp } from './tcp-probe.js';
import { probeUdp } from './udp-probe.js';

export type Probe = (signal: AbortSignal) => Promise<CheckResult>;

export interface Runner {
  readonly plan: CheckPlan;
  start(): void;
  stop(): Promise<void>;
}

/** setTimeout takes at most 2^31-1 ms; longer waits re-arm until they are due. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** A probe that overruns its own timeout by this much is abandoned (each probe enforces its timeout itself). */
const PROBE_GRACE_MS = 5000;

function armAt(at: number, clock: () => number, fire: () => void): { cancel(): void } {
  let timer: NodeJS.Timeout;
  const arm = () => {
    const delay = at - clock();
    if (delay <= 0) {
      timer = setTimeout(fire, 0);
      return;
    }
    timer = setTimeout(delay > MAX_TIMER_MS ? arm : fire, Math.min(delay, MAX_TIMER_MS));
  };
  arm();
  return { cancel: () => clearTimeout(timer) };
}

/** Interval checks: fixed rate, random first offset, one probe in flight, thresholds applied. */
export class IntervalRunner implements Runner {
  private timer: { cancel(): void } | undefined;
  private inFlight: Promise<void> | undefined;
  private readonly controller = new AbortController();
  private counters: Counters;
  private planned = 0;
  private stopped = false;
  skipped = 0;

  constructor(
    private readonly checkId: string,
    readonly plan: CheckPlan,
    private readonly probe: Probe,
    private readonly env: RunnerEnv,
  ) {
    this.counters = initialCounters(plan.thresholds);
  }

  start(): void {
    this.planned = this.env.clock() + initialStagger(this.plan.intervalMs, this.env.random());
    this.timer = armAt(this.planned, this.env.clock, () => this.fire());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    this.controller.abort();
    await this.inFlight;
  }

  private fire(): void {
    if (this.stopped) return;
    const started = this.env.clock();
    if (this.inFlight) this.skipped++;
    else {
      this.env.onProbeStart?.(this.checkId, this.planned, started);
      this.inFlight = this.runOnce().finally(() => {
        this.inFlight = undefined;
      });
    }
    this.planned = nextSlot(this.planned, this.plan.intervalMs, started).at;
    this.timer = armAt(this.planned, this.env.clock, () => this.fire());
  }

  private async runOnce(): Promise<void> {
    const run = new AbortController();
    const cancel = () => run.abort();
    this.controller.signal.addEventListener('abort', cancel, { once: true });
    const guard = setTimeout(cancel, this.plan.timeoutMs + PROBE_GRACE_MS);
    let result: CheckResult;
    try {
      result = await this.probe(run.signal);
    } catch (err) {
      result = critical(errorLike(err).message);
    } finally {
      clearTimeout(guard);
      this.controller.signal.removeEventListener('abort', cancel);
    }
    if (this.stopped) return;
    const { counters, record } = applyResult(this.plan.thresholds, this.counters, result);
    this.counters = counters;
    if (record) this.env.report(this.checkId, record.status, record.output);
  }
}

/** TTL checks: critical when no update arrived within the TTL. */
export class TtlRunner implements Runner {
  private state: TtlState = { deadline: 0, lastOutput: '', expired: true };
  private timer: { cancel(): void } | undefined;
  private stopped = false;

  constructor(
    private readonly checkId: string,
    readonly plan: CheckPlan,
    private readonly env: RunnerEnv,
  ) {}

  start(): void {
    this.state = ttlStarted(this.env.clock(), this.plan.ttlMs);
    this.arm();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
  }

  updated(output: string): void {
    if (this.stopped) return;
    this.state = ttlUpdated(this.env.clock(), this.plan.ttlMs, output);
    this.arm();
  }

  private arm(): void {
    this.timer?.cancel();
    this.timer = armAt(this.state.deadline, this.env.clock, () => this.expire());
  }

  private expire(): void {
    if (this.stopped) return;
    const { state, report } = ttlTick(this.state, this.env.clock());
    this.state = state;
    if (report !== undefined) {
      this.env.logger.warn({ checkId: this.checkId }, 'check missed its TTL, is now critical');
      this.env.report(this.checkId, 'critical', report);
    } else if (!state.expired) this.arm();
  }
}

class AliasCheckRunner implements Runner {
  private readonly runner: AliasRunner;
  private stopped = false;

  constructor(
    checkId: string,
    readonly plan: CheckPlan,
    entry: LocalCheckEntry,
    env: RunnerEnv,
  ) {
    this.runner = new AliasRunner({
      store: env.kernel.store,
      checkId,
      localNode: () => env.kernel.config.node_name,
      aliasNode: entry.definition.alias_node ?? '',
      aliasService: entry.definition.alias_service ?? '',
      report: (result) => {
        if (!this.stopped) env.report(checkId, result.status, result.output);
      },
      refreshMs: env.aliasRefreshMs,
      onError: (err) => env.logger.warn({ err, checkId }, 'alias check failed to read the catalog'),
    });
  }

  start(): void {
    this.runner.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.runner.stop();
  }
}

export interface RunnerEnv {
  kernel: Kernel;
  logger: Logger;
  random: () => number;
  clock: () => number;
  aliasRefreshMs: number;
  onProbeStart: ((checkId: string, plannedMs: number, startedMs: number) => void) | undefined;
  report: (checkId: string, status: CheckStatus, output: string) => void;
}

/** The probe of an interval check, from its definition. */
function probeFor(plan: CheckPlan, entry: LocalCheckEntry): Probe | undefined {
  const def = entry.definition;
  const tls = { tlsSkipVerify: def.tls_skip_verify === true, tlsServerName: def.tls_server_name ?? '' };
  switch (plan.kind) {
    case 'http':
      return (signal) =>
        probeHttp(
          {
            url: def.http ?? '',
            method: def.method ?? '',
            header: def.header ?? {},
            body: def.body ?? '',
            disableRedirects: def.disable_redirects === true,
            timeoutMs: plan.timeoutMs,
            outputMaxSize: plan.outputMaxSize,
            ...tls,
          },
          signal,
        );
    case 'tcp':
      return (signal) =>
        probeTcp(
          { address: def.tcp ?? '', useTls: def.tcp_use_tls === true, timeoutMs: plan.timeoutMs, ...tls },
          signal,
        );
    case 'udp':
      return (signal) => probeUdp({ address: def.udp ?? '', timeoutMs: plan.timeoutMs }, signal);
    case 'grpc':
      return (signal) =>
        probeGrpc(
          { target: def.grpc ?? '', useTls: def.grpc_use_tls === true, timeoutMs: plan.timeoutMs, ...tls },
          signal,
        );
    case 'script':
      return (signal) =>
        probeScript(
          { args: def.args ?? [], timeoutMs: plan.timeoutMs, outputMaxSize: plan.outputMaxSize },
          signal,
        );
    default:
      return undefined;
  }
}

/** The runner of a check, or undefined for checks nothing runs (maintenance, unknown kinds). */
export function createRunner(
  checkId: string,
  plan: CheckPlan,
  entry: LocalCheckEntry,
  env: RunnerEnv,
): Runner | undefined {
  if (plan.kind === 'ttl') return new TtlRunner(checkId, plan, env);
  if (plan.kind === 'alias') return new AliasCheckRunner(checkId, plan, entry, env);
  const probe = probeFor(plan, entry);
  return probe ? new IntervalRunner(checkId, plan, probe, env) : undefined;
}
