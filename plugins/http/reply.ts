/** Turns a handler's ApiReply into Consul's wire form: headers, JSON (pretty on request), errors as text. */
import type { Context } from 'koa';
import type { ConsensusStatus, ReadMode } from '../../core/consensus.js';
import { stringifyJson } from '../../core/util/json.js';
import type { ApiReply } from './request.js';

export interface ReplyMeta {
  pretty: boolean;
  consensus: ConsensusStatus | undefined;
  effectiveConsistency: ReadMode | undefined;
}

export function writeReply(ctx: Context, reply: ApiReply, meta: ReplyMeta): void {
  ctx.status = reply.status ?? 200;
  for (const [name, value] of Object.entries(reply.headers ?? {})) ctx.set(name, value);
  if (reply.index !== undefined) {
    ctx.set('X-Consul-Index', String(Math.max(1, reply.index)));
    const status = meta.consensus;
    ctx.set('X-Consul-KnownLeader', status?.knownLeader ? 'true' : 'false');
    ctx.set('X-Consul-LastContact', String(Math.max(0, Math.round(status?.lastContactMs ?? 0))));
    if (meta.effectiveConsistency) {
      ctx.set(
        'X-Consul-Effective-Consistency',
        meta.effectiveConsistency === 'default' ? 'leader' : meta.effectiveConsistency,
      );
    }
  }
  if (reply.raw !== undefined) {
    ctx.body = reply.raw;
    ctx.set('Content-Type', reply.contentType ?? 'application/octet-stream');
    return;
  }
  if (reply.text !== undefined) {
    ctx.body = reply.text;
    ctx.set('Content-Type', reply.contentType ?? 'text/plain; charset=utf-8');
    return;
  }
  if (reply.body === undefined) {
    ctx.body = '';
    ctx.remove('Content-Type');
    return;
  }
  ctx.body = meta.pretty ? `${stringifyJson(reply.body, '    ')}\n` : stringifyJson(reply.body);
  // Consul sends bare `application/json`; koa's ctx.type would add a charset.
  ctx.set('Content-Type', 'application/json');
}

export function writeError(ctx: Context, status: number, message: string): void {
  ctx.status = status;
  ctx.type = 'text/plain; charset=utf-8';
  ctx.body = message;
}
