/**
 * Sizes and truncation: udp_answer_limit without EDNS, the 512-byte and EDNS-advertised limits, the
 * TC bit (on whenever answers were dropped, off with enable_truncate=false), TCP's 64 KiB.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import dnsPacket from 'dns-packet';
import { answer } from '../../plugins/dns/core/answer.js';
import { encodeWithinLimits, type FittedResponse, responseLimits } from '../../plugins/dns/core/fit.js';
import type { Transport } from '../../plugins/dns/core/types.js';
import { answerOptions, fixedView, instance, makeQuery, node } from '../helpers/dns-fixtures.js';

function fleet(count: number, nodeName = (i: number) => `n${i}`) {
  return fixedView(
    Array.from({ length: count }, (_, i) =>
      instance(
        node(nodeName(i), `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, { zone: `z${i % 3}` }),
        'web',
        {
          id: `web-${i}`,
          port: 8000 + (i % 1000),
        },
      ),
    ),
    [],
  );
}

interface Ask {
  count: number;
  type?: 'A' | 'SRV';
  transport?: Transport;
  ednsSize?: number;
  udpAnswerLimit?: number;
  enableTruncate?: boolean;
  compress?: boolean;
  nodeName?: (i: number) => string;
}

function fit(opts: Ask): FittedResponse & { decoded: dnsPacket.DecodedPacket } {
  const query = makeQuery('web.service.consul', opts.type ?? 'A', {
    transport: opts.transport ?? 'udp',
    ednsSize: opts.ednsSize,
  });
  const message = answer(query, fleet(opts.count, opts.nodeName), answerOptions());
  const limits = responseLimits(query, {
    udpAnswerLimit: opts.udpAnswerLimit ?? 3,
    enableTruncate: opts.enableTruncate ?? true,
    compress: opts.compress ?? true,
  });
  const fitted = encodeWithinLimits(message, limits);
  return { ...fitted, decoded: dnsPacket.decode(Buffer.from(fitted.bytes)) };
}

describe('UDP without EDNS', () => {
  test('answers are cut to udp_answer_limit (3) and TC is set', () => {
    const r = fit({ count: 10 });
    assert.equal(r.decoded.answers?.length, 3);
    assert.equal(r.decoded.flag_tc, true);
    assert.equal(r.droppedAnswers, 7);
  });

  test('enable_truncate=false: the same three answers, silently (Consul compatibility)', () => {
    const r = fit({ count: 10, enableTruncate: false });
    assert.equal(r.decoded.answers?.length, 3);
    assert.equal(r.decoded.flag_tc, false);
    assert.equal(r.truncated, false);
  });

  test('no more answers than the limit means no TC', () => {
    const r = fit({ count: 3 });
    assert.equal(r.decoded.answers?.length, 3);
    assert.equal(r.decoded.flag_tc, false);
  });

  test('udp_answer_limit is honoured and capped at 8', () => {
    assert.equal(fit({ count: 20, udpAnswerLimit: 5 }).decoded.answers?.length, 5);
    assert.equal(fit({ count: 20, udpAnswerLimit: 50 }).decoded.answers?.length, 8);
  });

  test('SRV additional records follow the answers that were kept', () => {
    const r = fit({ count: 10, type: 'SRV' });
    const targets = new Set(
      (r.decoded.answers ?? []).map((a) => ((a as { data?: unknown }).data as { target: string }).target),
    );
    assert.equal(targets.size, 3);
    for (const extra of r.decoded.additionals ?? [])
      assert.ok(targets.has(extra.name), `${extra.name} glue kept`);
    assert.equal(r.decoded.flag_tc, true);
  });

  test('the 512-byte limit cuts further when three answers do not fit, and sets TC', () => {
    const longName = (i: number) => `${'x'.repeat(60)}.${'y'.repeat(60)}.${i}`;
    const r = fit({ count: 10, type: 'SRV', nodeName: longName });
    assert.ok(r.bytes.length <= 512, `${r.bytes.length} bytes`);
    assert.ok((r.decoded.answers?.length ?? 0) < 3);
    assert.equal(r.decoded.flag_tc, true);
  });
});

describe('UDP with EDNS0', () => {
  test('the advertised size replaces the answer limit: all ten A records fit in 4096 bytes', () => {
    const r = fit({ count: 10, ednsSize: 4096 });
    assert.equal(r.decoded.answers?.length, 10);
    assert.equal(r.decoded.flag_tc, false);
  });

  test('too many for the advertised size: as many as fit, TC set, within the size', () => {
    const r = fit({ count: 300, type: 'SRV', ednsSize: 1232 });
    assert.ok(r.bytes.length <= 1232, `${r.bytes.length} bytes`);
    const kept = r.decoded.answers?.length ?? 0;
    assert.ok(kept > 3 && kept < 300, `${kept} answers`);
    assert.equal(r.decoded.flag_tc, true);
    assert.equal(r.droppedAnswers, 300 - kept);
  });

  test('a size below 512 counts as 512 (and keeps the answer limit); the cap is 65467', () => {
    assert.equal(
      responseLimits(makeQuery('x', 'A', { ednsSize: 100 }), {
        udpAnswerLimit: 3,
        enableTruncate: true,
        compress: true,
      }).maxBytes,
      512,
    );
    assert.equal(fit({ count: 10, ednsSize: 100 }).decoded.answers?.length, 3);
    assert.equal(
      responseLimits(makeQuery('x', 'A', { ednsSize: 65535 }), {
        udpAnswerLimit: 3,
        enableTruncate: true,
        compress: true,
      }).maxBytes,
      65467,
    );
  });

  test('enable_truncate=false trims to the size without TC', () => {
    const r = fit({ count: 300, type: 'SRV', ednsSize: 1232, enableTruncate: false });
    assert.ok(r.bytes.length <= 1232);
    assert.equal(r.decoded.flag_tc, false);
    assert.ok(r.droppedAnswers > 0);
  });
});

describe('TCP', () => {
  test('every answer over TCP when it fits in 64 KiB', () => {
    const r = fit({ count: 300, type: 'SRV', transport: 'tcp' });
    assert.equal(r.decoded.answers?.length, 300);
    assert.equal(r.decoded.flag_tc, false);
  });

  test('beyond 64 KiB: trimmed to 65535 bytes with TC', () => {
    const longName = (i: number) => `${'n'.repeat(50)}-${i}`;
    const r = fit({ count: 3000, type: 'SRV', transport: 'tcp', nodeName: longName });
    assert.ok(r.bytes.length <= 65535, `${r.bytes.length} bytes`);
    assert.ok((r.decoded.answers?.length ?? 0) < 3000);
    assert.equal(r.decoded.flag_tc, true);
  });
});

describe('compression', () => {
  test('compressed answers are smaller and decode to the same records', () => {
    const compressed = fit({ count: 50, type: 'SRV', transport: 'tcp' });
    const plain = fit({ count: 50, type: 'SRV', transport: 'tcp', compress: false });
    assert.ok(
      compressed.bytes.length < plain.bytes.length * 0.6,
      `${compressed.bytes.length} vs ${plain.bytes.length}`,
    );
    assert.deepEqual(compressed.decoded.answers, plain.decoded.answers);
    assert.deepEqual(compressed.decoded.additionals, plain.decoded.additionals);
  });

  test('compression lets more answers into the same UDP size', () => {
    const compressed = fit({ count: 300, type: 'SRV', ednsSize: 1232 });
    const plain = fit({ count: 300, type: 'SRV', ednsSize: 1232, compress: false });
    assert.ok((compressed.decoded.answers?.length ?? 0) > (plain.decoded.answers?.length ?? 0));
  });
});
