/**
 * The kernel's hook table. Every hook is a tapable hook with explicit argument types; the table is
 * frozen so plugins can tap but never replace a hook. Plugins publish hooks of their own through
 * `definePluginHooks` (plugin-hooks.ts), never by adding keys here.
 */
import { AsyncSeriesHook, HookMap, SyncBailHook, SyncHook } from 'tapable';
import type { ConfigDiff } from './config/diff.js';
import type { StateStore } from './state/store.js';

/** Gossip member states, numbered as Consul's API reports them. */
export const MemberStatus = { none: 0, alive: 1, leaving: 2, left: 3, failed: 4 } as const;
export type MemberStatus = (typeof MemberStatus)[keyof typeof MemberStatus];

export interface Member {
  name: string;
  addr: string;
  port: number;
  tags: Readonly<Record<string, string>>;
  status: MemberStatus;
}

export interface LeaderContext {
  term: number;
  /** Aborted when this server stops being the leader: leader-only loops end with it. */
  signal: AbortSignal;
}

/** A replicated command. `type` selects the single plugin that applies it. */
export interface Command {
  readonly type: string;
  readonly [field: string]: unknown;
}

export interface ApplyContext {
  /** Log index of the entry: every row it touches gets this as its ModifyIndex. */
  index: number;
  term: number;
  /** Milliseconds since the epoch, stamped by the leader when it appended the entry. Never read the local clock in apply. */
  time: number;
  store: StateStore;
}

export type CheckStatus = 'passing' | 'warning' | 'critical';

export interface CheckTransition {
  node: string;
  checkId: string;
  serviceId: string;
  previous: CheckStatus | undefined;
  status: CheckStatus;
  output: string;
}

export function createKernelHooks() {
  return Object.freeze({
    onJoin: new SyncHook<[Member]>(['member']),
    onLeave: new SyncHook<[Member]>(['member']),
    onFail: new SyncHook<[Member]>(['member']),
    onLeaderElected: new AsyncSeriesHook<[LeaderContext]>(['leader']),
    onLeaderLost: new AsyncSeriesHook<[LeaderContext]>(['leader']),
    onApply: new HookMap<SyncBailHook<[Command, ApplyContext], unknown>>(
      () => new SyncBailHook<[Command, ApplyContext], unknown>(['command', 'context']),
    ),
    onCheck: new SyncHook<[CheckTransition]>(['transition']),
    onConfigReload: new AsyncSeriesHook<[ConfigDiff]>(['diff']),
    start: new AsyncSeriesHook<[]>([]),
    stop: new AsyncSeriesHook<[]>([]),
  });
}

export type KernelHooks = ReturnType<typeof createKernelHooks>;
export type KernelHookName = keyof KernelHooks;
