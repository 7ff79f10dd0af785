/** Turns a handler's ApiReply into Consul's wire form: headers, JSON (pretty on request), errors as text. */
import type { Context } from 'koa';
import type { ConsensusStatus, ReadMode } from '../../core/consensus.js';
import { stringifyJson } from '../../core/util/json.js';
import type { ApiReply } from './request.js';

// Headers go straight to node's response: koa's ctx.set() builds arrays for every call, which shows
// on every answer. The order they are set in is the order they are sent in.
export function writeReply(
  ctx: Context,
  reply: ApiReply,
  pretty: boolean,
  consensus: ConsensusStatus | undefined,
  effectiveConsistency: ReadMode | undefined,
): void {
  const res = ctx.res;
  // ctx.response rather than koa's ctx delegates (a keyed access V8 cannot cache, on every answer).
  const response = ctx.response;
  response.status = reply.status ?? 200;
  if (reply.headers) for (const name of Object.keys(reply.headers)) res.setHeader(name, reply.headers[name]!);
  if (reply.index !== undefined) {
    res.setHeader('X-Consul-Index', String(Math.max(1, reply.index)));
    res.setHeader('X-Consul-KnownLeader', consensus?.knownLeader ? 'true' : 'false');
    res.setHeader('X-Consul-LastContact', String(Math.max(0, Math.round(consensus?.lastContactMs ?? 0))));
    if (effectiveConsistency) {
      res.setHeader(
        'X-Consul-Effective-Consistency',
        effectiveConsistency === 'default' ? 'leader' : effectiveConsistency,
      );
    }
  }
  // The type goes first so that koa's body setter keeps it (and adds Content-Length after it).
  if (reply.raw !== undefined) {
    res.setHeader('Content-Type', reply.contentType ?? 'application/octet-stream');
    response.body = reply.raw;
    return;
  }
  if (reply.text !== undefined) {
    res.setHeader('Content-Type', reply.contentType ?? 'text/plain; charset=utf-8');
    response.body = reply.text;
    return;
  }
  if (reply.body === undefined) {
    response.body = '';
    response.remove('Content-Type');
    return;
  }
  // Consul sends bare `application/json`; koa's ctx.type would add a charset.
  res.setHeader('Content-Type', 'application/json');
  response.body = pretty ? `${stringifyJson(reply.body, '    ')}\n` : stringifyJson(reply.body);
}

export function writeError(ctx: Context, status: number, message: string): void {
  const response = ctx.response;
  response.status = status;
  response.type = 'text/plain; charset=utf-8';
  response.body = message;
}
