/**
 * Properties: every answer the core encodes decodes with dns-packet, fits its limits and says what
 * the message said; and the server's packet path (the exported handler, no sockets) never throws on
 * random bytes or on mutated valid queries, answering only with well-formed replies to the sender's ID.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import dnsPacket from 'dns-packet';
import fc from 'fast-check';
import { getMetricsRegistry } from '../../plugins/agent/index.js';
import { createCatalogPlugin } from '../../plugins/catalog/index.js';
import { answer } from '../../plugins/dns/core/answer.js';
import { isEncodableName } from '../../plugins/dns/core/compress.js';
import { encodeWithinLimits, responseLimits } from '../../plugins/dns/core/fit.js';
import { RecordType } from '../../plugins/dns/core/types.js';
import type { DnsServiceInstance, InstanceHealth } from '../../plugins/dns/core/view.js';
import { createDnsPlugin, getDnsHandler } from '../../plugins/dns/index.js';
import { createHttpPlugin } from '../../plugins/http/index.js';
import { answerOptions, fixedView, makeQuery, node, optRecord, seeded } from '../helpers/dns-fixtures.js';
import { startTestKernel, type TestKernel } from '../helpers/test-kernel.js';

const label = fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/);
const longLabel = fc.stringMatching(/^[a-z]{60,70}$/);
const dottedName = fc
  .array(fc.oneof({ weight: 6, arbitrary: label }, { weight: 1, arbitrary: longLabel }), {
    minLength: 1,
    maxLength: 3,
  })
  .map((labels) => labels.join('.'));
const ipv4 = fc.ipV4();
const ipv6 = fc.ipV6();
const hostname = fc.array(label, { minLength: 2, maxLength: 4 }).map((labels) => labels.join('.'));
const address = fc.oneof(ipv4, ipv6, hostname, fc.constant(''));
const health = fc.constantFrom<InstanceHealth>('passing', 'warning', 'critical');
const metaValue = fc.oneof(fc.string({ maxLength: 20 }), fc.string({ minLength: 250, maxLength: 600 }));
const meta = fc.dictionary(fc.stringMatching(/^[a-zA-Z0-9=` _-]{1,16}$/), metaValue, { maxKeys: 4 });
const serviceName = fc.constantFrom('web', 'api', 'db', 'consul');
const tag = fc.constantFrom('v1', 'v1.2', 'primary', 'Canary');

const instanceArb = fc
  .record({
    nodeName: dottedName,
    nodeAddress: address,
    nodeMeta: meta,
    service: serviceName,
    tags: fc.array(tag, { maxLength: 3 }),
    address,
    port: fc.integer({ min: 0, max: 65535 }),
    passing: fc.integer({ min: 1, max: 100 }),
    warning: fc.integer({ min: 0, max: 100 }),
    health,
  })
  .map(
    (r): DnsServiceInstance => ({
      node: node(r.nodeName, r.nodeAddress, r.nodeMeta),
      id: `${r.service}-${r.port}`,
      service: r.service,
      tags: r.tags,
      address: r.address,
      port: r.port,
      weights: { passing: r.passing, warning: r.warning },
      health: r.health,
    }),
  );

const queryName = fc
  .oneof(
    fc
      .tuple(fc.option(tag), serviceName, fc.option(fc.constantFrom('dc1', 'dc2', 'dc1.dc')))
      .map(([t, s, dc]) => [t, s, 'service', dc, 'consul'].filter((p) => p !== null).join('.')),
    fc.tuple(serviceName, fc.constantFrom('_tcp', '_v1', '_primary')).map(([s, t]) => `_${s}.${t}.consul`),
    fc
      .tuple(dottedName, fc.option(fc.constant('dc1')))
      .map(([n, dc]) => [n, 'node', dc, 'consul'].filter((p) => p !== null).join('.')),
    ipv4.map(
      (ip) =>
        `${ip
          .split('.')
          .map((o) => Number(o).toString(16).padStart(2, '0'))
          .join('')}.addr.consul`,
    ),
    fc.constantFrom('consul', 'CONSUL', 'example.com', 'x.query.consul', 'Web.Service.Consul'),
  )
  .filter(isEncodableName); // names off the wire always are
const queryType = fc.constantFrom(
  RecordType.A,
  RecordType.AAAA,
  RecordType.SRV,
  RecordType.TXT,
  RecordType.ANY,
  RecordType.SOA,
  RecordType.NS,
  15,
  RecordType.AXFR,
);

describe('every encoded answer decodes with dns-packet', () => {
  test('random catalogs, names, types, transports and limits', () => {
    fc.assert(
      fc.property(
        fc.array(instanceArb, { maxLength: 40 }),
        queryName,
        queryType,
        fc.constantFrom<'udp' | 'tcp'>('udp', 'tcp'),
        fc.option(fc.integer({ min: 0, max: 65535 })),
        fc.record({
          udpAnswerLimit: fc.integer({ min: 1, max: 10 }),
          enableTruncate: fc.boolean(),
          compress: fc.boolean(),
          onlyPassing: fc.boolean(),
          nodeMetaTxt: fc.boolean(),
          aRecordLimit: fc.integer({ min: 0, max: 5 }),
          nodeTtl: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
          seed: fc.integer(),
        }),
        (instances, name, type, transport, ednsSize, settings) => {
          const view = fixedView(
            instances,
            instances.map((i) => i.node),
          );
          const query = makeQuery(name, type, { transport, ednsSize: ednsSize ?? undefined, id: 999 });
          let state = settings.seed;
          const random = () => {
            state = (state * 1103515245 + 12345) & 0x7fffffff;
            return state / 0x80000000;
          };
          const message = answer(
            query,
            view,
            answerOptions({
              onlyPassing: settings.onlyPassing,
              nodeMetaTxt: settings.nodeMetaTxt,
              aRecordLimit: settings.aRecordLimit,
              nodeTtl: settings.nodeTtl,
              random,
            }),
          );
          const limits = responseLimits(query, settings);
          const fitted = encodeWithinLimits(message, limits);
          const decoded = dnsPacket.decode(Buffer.from(fitted.bytes));
          assert.equal(decoded.id, 999);
          assert.equal(decoded.type, 'response');
          assert.equal(decoded.questions?.[0]?.name, name);
          assert.ok(fitted.bytes.length <= limits.maxBytes);
          assert.equal(decoded.flag_tc, fitted.droppedAnswers > 0 && settings.enableTruncate);
          const kept = decoded.answers ?? [];
          assert.equal(kept.length, message.answers.length - fitted.droppedAnswers);
          kept.forEach((record, i) => {
            const sent = message.answers[i];
            assert.equal(record.type, sent?.type);
            assert.equal(record.name, sent?.name);
          });
          // Every answer record is for the name asked, except SOA/NS, which are the domain's.
          for (const record of kept) {
            if (record.type !== 'SOA' && record.type !== 'NS') assert.equal(record.name, name);
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe('building only what the transport can carry', () => {
  test('answerLimit and answerBytes change nothing on the wire: same bytes, same TC bit', () => {
    fc.assert(
      fc.property(
        fc.array(instanceArb, { maxLength: 60 }),
        queryName,
        queryType,
        fc.constantFrom<'udp' | 'tcp'>('udp', 'tcp'),
        fc.option(fc.integer({ min: 0, max: 4096 })),
        fc.record({
          udpAnswerLimit: fc.integer({ min: 1, max: 10 }),
          enableTruncate: fc.boolean(),
          compress: fc.boolean(),
          aRecordLimit: fc.integer({ min: 0, max: 12 }),
          seed: fc.integer({ min: 1, max: 2 ** 30 }),
        }),
        (instances, name, type, transport, ednsSize, settings) => {
          const view = fixedView(
            instances,
            instances.map((i) => i.node),
          );
          const query = makeQuery(name, type, { transport, ednsSize: ednsSize ?? undefined });
          const limits = responseLimits(query, settings);
          const run = (bounded: boolean) => {
            const options = answerOptions({
              aRecordLimit: settings.aRecordLimit,
              random: seeded(settings.seed),
            });
            if (bounded) {
              options.answerLimit = limits.maxAnswers;
              options.answerBytes = limits.maxBytes;
            }
            return encodeWithinLimits(answer(query, view, options), limits);
          };
          const full = run(false);
          const bounded = run(true);
          assert.deepEqual(bounded.bytes, full.bytes);
          assert.equal(bounded.truncated, full.truncated);
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe("the server's packet path never throws", () => {
  let agent: TestKernel;

  before(async () => {
    agent = await startTestKernel({
      plugins: [createHttpPlugin(), createCatalogPlugin(), createDnsPlugin()],
    });
    for (let i = 0; i < 12; i++) {
      const res = await fetch(`${agent.url}/v1/catalog/register`, {
        method: 'PUT',
        body: JSON.stringify({
          Node: `node-${i}`,
          Address: i % 3 === 0 ? `2001:db8::${i + 1}` : `10.0.0.${i + 1}`,
          NodeMeta: { rack: `r${i % 2}` },
          Service: {
            Service: 'web',
            Tags: ['v1.2'],
            Port: 8000 + i,
            Address: i === 5 ? 'svc.example.com' : '',
          },
        }),
      });
      assert.equal(res.status, 200);
    }
  });
  after(async () => {
    await agent.stop();
  });

  const validQuery = fc
    .record({
      id: fc.integer({ min: 0, max: 0xffff }),
      name: fc.constantFrom(
        'web.service.consul',
        '_web._tcp.consul',
        'node-1.node.consul',
        'consul',
        'example.com',
        'v1.2.web.service.consul',
      ),
      type: fc.constantFrom(
        'A',
        'AAAA',
        'SRV',
        'TXT',
        'SOA',
        'NS',
        'MX',
        'ANY',
      ) as fc.Arbitrary<dnsPacket.RecordType>,
      edns: fc.option(fc.integer({ min: 0, max: 65535 })),
      subnet: fc.boolean(),
    })
    .map(
      (q) =>
        new Uint8Array(
          dnsPacket.encode({
            type: 'query',
            id: q.id,
            flags: dnsPacket.RECURSION_DESIRED,
            questions: [{ type: q.type, name: q.name }],
            additionals:
              q.edns === null
                ? []
                : [optRecord(q.edns, q.subnet ? [{ code: 8, ip: '192.0.2.0', sourcePrefixLength: 24 }] : [])],
          }),
        ),
    );

  type Mutation =
    | { kind: 'flip'; at: number; value: number }
    | { kind: 'cut'; at: number }
    | { kind: 'append'; bytes: Uint8Array }
    | { kind: 'count'; at: number; value: number }
    | { kind: 'pointer'; at: number; target: number };

  const mutation: fc.Arbitrary<Mutation> = fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('append' as const), bytes: fc.uint8Array({ maxLength: 40 }) }),
    fc.record({
      kind: fc.constant('count' as const),
      at: fc.integer({ min: 0, max: 3 }),
      value: fc.integer({ min: 0, max: 0xffff }),
    }),
    fc.record({ kind: fc.constant('pointer' as const), at: fc.nat(), target: fc.nat() }),
  );

  function mutate(packet: Uint8Array, mutations: Mutation[]): Uint8Array {
    let bytes = Uint8Array.from(packet);
    for (const m of mutations) {
      if (bytes.length === 0) break;
      if (m.kind === 'flip') bytes[m.at % bytes.length] = m.value;
      else if (m.kind === 'cut') bytes = bytes.slice(0, m.at % bytes.length);
      else if (m.kind === 'append') bytes = Uint8Array.from([...bytes, ...m.bytes]);
      else if (m.kind === 'count' && bytes.length >= 12) {
        bytes[4 + m.at * 2] = m.value >> 8;
        bytes[5 + m.at * 2] = m.value & 0xff;
      } else if (m.kind === 'pointer' && bytes.length >= 14) {
        const at = 12 + (m.at % (bytes.length - 13));
        bytes[at] = 0xc0 | ((m.target >> 8) & 0x3f);
        bytes[at + 1] = m.target & 0xff;
      }
    }
    return bytes;
  }

  async function checkReply(packet: Uint8Array, transport: 'udp' | 'tcp'): Promise<void> {
    const handler = getDnsHandler(agent.kernel);
    assert.ok(handler);
    const reply = await handler.handle(packet, transport);
    if (reply === undefined) return;
    assert.ok(packet.length >= 12, 'only a packet with a header gets an answer');
    assert.equal(reply[0], packet[0]);
    assert.equal(reply[1], packet[1]);
    assert.ok(((reply[2] ?? 0) & 0x80) !== 0, 'QR set');
    assert.ok(reply.length <= (transport === 'tcp' ? 65535 : 65467));
    dnsPacket.decode(Buffer.from(reply));
  }

  test('random bytes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 700 }),
        fc.constantFrom<'udp' | 'tcp'>('udp', 'tcp'),
        checkReply,
      ),
      { numRuns: 1500 },
    );
  });

  test('mutated valid queries (flipped bytes, cuts, junk, huge counts, pointer loops)', async () => {
    await fc.assert(
      fc.asyncProperty(
        validQuery,
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        fc.constantFrom<'udp' | 'tcp'>('udp', 'tcp'),
        (packet, mutations, transport) => checkReply(mutate(packet, mutations), transport),
      ),
      { numRuns: 1500 },
    );
  });

  test('valid queries always get an answer, and dropped packets are counted', async () => {
    const handler = getDnsHandler(agent.kernel);
    assert.ok(handler);
    await fc.assert(
      fc.asyncProperty(validQuery, async (packet) => {
        const reply = await handler.handle(packet, 'udp');
        assert.ok(reply, 'a valid query is answered');
        dnsPacket.decode(Buffer.from(reply));
      }),
      { numRuns: 200 },
    );
    const metric = getMetricsRegistry(agent.kernel).getSingleMetric('tribune_dns_dropped_packets');
    const before = (await metric?.get())?.values.reduce((sum, v) => sum + v.value, 0) ?? 0;
    assert.equal(await handler.handle(new Uint8Array(5), 'udp'), undefined);
    assert.equal(
      await handler.handle(
        Uint8Array.from([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1]),
        'udp',
      ),
      undefined,
    );
    const values = (await metric?.get())?.values ?? [];
    const total = values.reduce((sum, v) => sum + v.value, 0);
    assert.equal(total - before, 2);
    assert.ok(values.some((v) => v.labels.reason === 'short' && v.labels.transport === 'udp'));
    assert.ok(values.some((v) => v.labels.reason === 'malformed'));
  });
});
