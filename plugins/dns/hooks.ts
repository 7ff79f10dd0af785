/**
 * Hooks the dns plugin publishes. `resolve` lets another plugin answer names the DNS server does not
 * know (prepared queries, PTR, names outside the domain): it runs before the built-in answer and
 * before recursion, and the first tap to return an answer wins; undefined passes the question on.
 */
import { AsyncSeriesBailHook } from 'tapable';
import { definePluginHooks } from '../../core/plugin-hooks.js';
import type { ExtraAnswer } from './core/answer.js';
import type { Transport } from './core/types.js';
import type { DnsCatalogView } from './core/view.js';

export interface DnsResolveQuestion {
  /** The name as asked (presentation form, no trailing dot, case kept). */
  name: string;
  /** Query type and class numbers (1 = A, 33 = SRV, …; 1 = IN). */
  type: number;
  class: number;
  transport: Transport;
  /** The domain the name is in (`consul`, or the alt_domain), or undefined outside them. */
  domain: string | undefined;
  /** The labels in front of the domain (all of them when outside). */
  labels: string[];
}

/** What a tap returns: records (and an rcode, NOERROR by default) to send, sized like any answer. */
export type DnsResolveAnswer = ExtraAnswer;

export const getDnsHooks = definePluginHooks('dns', () => ({
  resolve: new AsyncSeriesBailHook<[DnsResolveQuestion, DnsCatalogView], DnsResolveAnswer | undefined>([
    'question',
    'view',
  ]),
}));
