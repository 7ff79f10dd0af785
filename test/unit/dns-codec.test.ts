/**
 * The wire codec: name compression (written by us: dns-packet 5.6 writes names in full), reading
 * compressed names with pointer-loop refusal, query decoding with its drop and reject cases, IP text.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import dnsPacket from 'dns-packet';
import fc from 'fast-check';
import { ByteWriter } from '../../plugins/dns/core/bytes.js';
import { isEncodableName, NameCompressor, parseName, readName } from '../../plugins/dns/core/compress.js';
import { parseQuery } from '../../plugins/dns/core/decode.js';
import { formatIPv6, hexToIp, ipToHex, parseIPv4, parseIPv6 } from '../../plugins/dns/core/ip.js';
import { matchDomain, normalizeDomain, parseLookup, splitLabels } from '../../plugins/dns/core/names.js';
import { DnsWireError, RecordType, ResponseCode } from '../../plugins/dns/core/types.js';
import { optRecord } from '../helpers/dns-fixtures.js';

/** dns-packet's own name decoder (exported, but missing from its type definitions). */
const decodeNameWithDnsPacket = (buf: Buffer, offset: number): string =>
  (dnsPacket as unknown as { name: { decode(b: Buffer, o: number): string } }).name.decode(buf, offset);

function writeNames(
  names: string[],
  compress: boolean,
  mayPoint = true,
): { bytes: Uint8Array; offsets: number[] } {
  const out = new ByteWriter();
  const compressor = new NameCompressor(compress);
  const offsets: number[] = [];
  out.bytes(new Uint8Array(12)); // a header's worth, as in a message
  for (const name of names) {
    offsets.push(out.pos);
    compressor.write(out, name, mayPoint);
  }
  return { bytes: out.finish(), offsets };
}

describe('dns-packet 5.6 does not compress names (why compress.ts exists)', () => {
  test('the same name twice is written twice in full', () => {
    const packet = dnsPacket.encode({
      type: 'response',
      id: 1,
      questions: [{ type: 'A', name: 'web.service.consul' }],
      answers: [{ type: 'A', name: 'web.service.consul', data: '10.0.0.1' }],
    });
    const text = Buffer.from(packet).toString('latin1');
    assert.equal(text.split('service').length - 1, 2);
  });
});

describe('name compression', () => {
  test('a repeated suffix becomes a pointer and reads back the same', () => {
    const names = [
      'web.service.consul',
      'web-1.node.dc1.consul',
      'web.service.consul',
      'dc1.consul',
      'consul',
    ];
    const { bytes, offsets } = writeNames(names, true);
    const plain = writeNames(names, false).bytes;
    assert.ok(bytes.length < plain.length);
    names.forEach((name, i) => {
      assert.equal(readName(bytes, offsets[i] as number).name, name);
    });
    // The third name is one pointer (2 bytes) back to the first.
    assert.equal((offsets[3] as number) - (offsets[2] as number), 2);
    assert.equal(bytes[offsets[2] as number], 0xc0);
  });

  test('suffixes match exactly, case included, so a pointer never changes how a name reads', () => {
    const { bytes, offsets } = writeNames(['WEB.Service.CONSUL', 'web.service.consul'], true);
    assert.equal(readName(bytes, offsets[1] as number).name, 'web.service.consul');
    assert.equal(readName(bytes, offsets[0] as number).name, 'WEB.Service.CONSUL');
  });

  test('names that may not point (SRV targets) are written in full but can be pointed into', () => {
    const out = new ByteWriter();
    const compressor = new NameCompressor(true);
    out.bytes(new Uint8Array(12));
    compressor.write(out, 'dc1.consul');
    const targetAt = out.pos;
    compressor.write(out, 'web-1.node.dc1.consul', false);
    const glueAt = out.pos;
    compressor.write(out, 'web-1.node.dc1.consul');
    const bytes = out.finish();
    // The target holds its labels up to dc1.consul, which it may not point to … in full, then.
    assert.equal(glueAt - targetAt, 'web-1.node.dc1.consul'.length + 2);
    assert.equal(bytes.length - glueAt, 2);
    assert.equal(readName(bytes, glueAt).name, 'web-1.node.dc1.consul');
  });

  test('escapes: dots and backslashes inside labels, bytes as \\DDD', () => {
    const name = 'a\\.b.c\\\\d.\\000\\255x';
    const parsed = parseName(name);
    assert.deepEqual(
      parsed.labels.map((l) => [...l]),
      [
        [0x61, 0x2e, 0x62],
        [0x63, 0x5c, 0x64],
        [0, 255, 0x78],
      ],
    );
    const { bytes, offsets } = writeNames([name], true);
    assert.equal(readName(bytes, offsets[0] as number).name, name);
  });

  test('invalid names are refused: empty labels, labels over 63 bytes, names over 255 bytes', () => {
    assert.equal(isEncodableName('a..b'), false);
    assert.equal(isEncodableName('x'.repeat(64)), false);
    assert.equal(isEncodableName('x'.repeat(63)), true);
    assert.equal(isEncodableName(Array.from({ length: 5 }, () => 'y'.repeat(63)).join('.')), false);
    assert.equal(isEncodableName(''), true);
    assert.throws(() => parseName('bad\\'), DnsWireError);
    assert.throws(() => parseName('bad\\999'), DnsWireError);
  });

  test('round trip: random names decode the same through our reader and through dns-packet', () => {
    const label = fc.stringMatching(/^[a-z0-9_-]{1,20}$/);
    const name = fc.array(label, { minLength: 1, maxLength: 5 }).map((labels) => labels.join('.'));
    fc.assert(
      fc.property(fc.array(name, { minLength: 1, maxLength: 30 }), fc.boolean(), (names, compress) => {
        const { bytes, offsets } = writeNames(names, compress);
        names.forEach((n, i) => {
          const ours = readName(bytes, offsets[i] as number);
          assert.equal(ours.name, n);
          assert.equal(decodeNameWithDnsPacket(Buffer.from(bytes), offsets[i] as number), n);
        });
      }),
      { numRuns: 300 },
    );
  });

  test('round trip of arbitrary label bytes through presentation escapes', () => {
    const label = fc.uint8Array({ minLength: 1, maxLength: 20 });
    fc.assert(
      fc.property(fc.array(label, { minLength: 1, maxLength: 4 }), (labels) => {
        const wire = new ByteWriter();
        for (const l of labels) {
          wire.u8(l.length);
          wire.bytes(l);
        }
        wire.u8(0);
        const bytes = wire.finish();
        const { name } = readName(bytes, 0);
        const again = writeNames([name], false).bytes.subarray(12);
        assert.deepEqual([...again], [...bytes]);
      }),
      { numRuns: 300 },
    );
  });
});

describe('reading names: pointers and hostile input', () => {
  const at12 = (...tail: number[]) => Uint8Array.from([...new Array(12).fill(0), ...tail]);

  test('a pointer to itself, two pointers to each other, and a forward pointer are refused', () => {
    assert.throws(() => readName(at12(0xc0, 12), 12), DnsWireError);
    assert.throws(() => readName(at12(0xc0, 14, 0xc0, 12), 12), DnsWireError);
    assert.throws(() => readName(at12(0xc0, 20, 0, 0, 0, 0, 0, 0, 1, 0x61, 0), 12), DnsWireError);
    // A label then a pointer back to that label's start: a loop through a label.
    assert.throws(() => readName(at12(1, 0x61, 0xc0, 12), 12), DnsWireError);
    // … and through two names: each pointer goes back, but not past what was read.
    assert.throws(() => readName(at12(1, 0x61, 0xc0, 16, 1, 0x62, 0xc0, 12), 16), DnsWireError);
  });

  test('a backward chain of pointers reads through', () => {
    const bytes = at12(6, ...Buffer.from('consul'), 0, 3, ...Buffer.from('dc1'), 0xc0, 12, 1, 0x61, 0xc0, 20);
    assert.equal(readName(bytes, 26).name, 'a.dc1.consul');
    assert.equal(readName(bytes, 26).next, 30);
  });

  test('truncated labels and pointers, reserved label types and over-long names are refused', () => {
    assert.throws(() => readName(at12(5, 0x61), 12), DnsWireError);
    assert.throws(() => readName(at12(0xc0), 12), DnsWireError);
    assert.throws(() => readName(at12(0x40, 0), 12), DnsWireError);
    assert.throws(() => readName(at12(1, 0x61), 12), DnsWireError);
    const long: number[] = [];
    for (let i = 0; i < 5; i++) long.push(63, ...new Array(63).fill(0x61));
    assert.throws(() => readName(at12(...long, 0), 12), DnsWireError);
  });
});

function queryBytes(packet: Partial<dnsPacket.Packet>): Uint8Array {
  return new Uint8Array(
    dnsPacket.encode({ type: 'query', id: 77, flags: dnsPacket.RECURSION_DESIRED, questions: [], ...packet }),
  );
}

describe('query decoding', () => {
  test('a plain query', () => {
    const outcome = parseQuery(
      queryBytes({ questions: [{ type: 'SRV', name: 'Web.service.consul' }] }),
      'udp',
    );
    assert.deepEqual(outcome, {
      kind: 'query',
      query: {
        id: 77,
        opcode: 0,
        recursionDesired: true,
        checkingDisabled: false,
        question: { name: 'Web.service.consul', type: RecordType.SRV, class: 1 },
        edns: undefined,
        transport: 'udp',
      },
    });
  });

  test('EDNS: size, version, DO bit and options', () => {
    const bytes = queryBytes({
      questions: [{ type: 'A', name: 'web.service.consul' }],
      additionals: [
        optRecord(1232, [{ code: 8, ip: '192.0.2.0', sourcePrefixLength: 24 }], dnsPacket.DNSSEC_OK),
      ],
    });
    const outcome = parseQuery(bytes, 'tcp');
    assert.equal(outcome.kind, 'query');
    if (outcome.kind !== 'query') return;
    assert.equal(outcome.query.edns?.udpSize, 1232);
    assert.equal(outcome.query.edns?.version, 0);
    assert.equal(outcome.query.edns?.dnssecOk, true);
    assert.equal(outcome.query.edns?.options[0]?.code, 8);
  });

  test('dropped: short header, a response, counts the packet cannot hold, malformed names', () => {
    assert.deepEqual(parseQuery(new Uint8Array(11), 'udp'), { kind: 'drop', reason: 'short' });
    const response = queryBytes({ questions: [{ type: 'A', name: 'x' }] });
    response[2] = (response[2] ?? 0) | 0x80;
    assert.deepEqual(parseQuery(response, 'udp'), { kind: 'drop', reason: 'not-a-query' });
    const huge = queryBytes({ questions: [{ type: 'A', name: 'x' }] });
    huge[4] = 0xff;
    huge[5] = 0xff;
    assert.deepEqual(parseQuery(huge, 'udp'), { kind: 'drop', reason: 'counts' });
    const loop = Uint8Array.from([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1]);
    assert.deepEqual(parseQuery(loop, 'udp'), { kind: 'drop', reason: 'malformed' });
    const cut = queryBytes({ questions: [{ type: 'A', name: 'web.service.consul' }] }).subarray(0, 20);
    assert.deepEqual(parseQuery(cut, 'udp'), { kind: 'drop', reason: 'malformed' });
  });

  test('rejected with an answer: two questions (FORMERR), no question (FORMERR), an opcode other than QUERY (NOTIMP)', () => {
    const two = parseQuery(
      queryBytes({
        questions: [
          { type: 'A', name: 'a' },
          { type: 'A', name: 'b' },
        ],
      }),
      'udp',
    );
    assert.equal(two.kind === 'reject' && two.rcode, ResponseCode.FORMERR);
    const none = parseQuery(queryBytes({ questions: [] }), 'udp');
    assert.equal(none.kind === 'reject' && none.rcode, ResponseCode.FORMERR);
    const update = queryBytes({ questions: [{ type: 'A', name: 'a' }] });
    update[2] = (update[2] ?? 0) | (5 << 3);
    const outcome = parseQuery(update, 'udp');
    assert.equal(outcome.kind === 'reject' && outcome.rcode, ResponseCode.NOTIMP);
    assert.equal(outcome.kind === 'reject' && outcome.header.question?.name, 'a');
  });

  test('two OPT records are a format error', () => {
    const opt = optRecord(1232);
    const outcome = parseQuery(
      queryBytes({ questions: [{ type: 'A', name: 'a' }], additionals: [opt, opt] }),
      'udp',
    );
    assert.equal(outcome.kind === 'reject' && outcome.rcode, ResponseCode.FORMERR);
  });

  test('never throws on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        parseQuery(bytes, 'udp');
      }),
      { numRuns: 2000 },
    );
  });
});

describe('names', () => {
  test('domains normalise and match by whole labels, in any case', () => {
    assert.equal(normalizeDomain('Consul.'), 'consul');
    assert.equal(normalizeDomain('.alt.Test.'), 'alt.test');
    assert.deepEqual(matchDomain('Web.Service.CONSUL', ['consul']), {
      domain: 'consul',
      labels: ['Web', 'Service'],
    });
    assert.equal(matchDomain('webconsul', ['consul']), undefined);
    assert.deepEqual(matchDomain('a.b.consul', ['consul', 'b.consul'])?.domain, 'b.consul');
    assert.deepEqual(splitLabels('a\\.b.c'), ['a\\.b', 'c']);
  });

  test('lookups', () => {
    const A = RecordType.A;
    const SRV = RecordType.SRV;
    assert.deepEqual(parseLookup([], A), { kind: 'apex' });
    assert.deepEqual(parseLookup(['web', 'service'], A), {
      kind: 'service',
      service: 'web',
      tag: undefined,
      datacenter: undefined,
    });
    assert.deepEqual(parseLookup(['v1', '2', 'web', 'service', 'dc1'], A), {
      kind: 'service',
      service: 'web',
      tag: 'v1.2',
      datacenter: 'dc1',
    });
    assert.deepEqual(parseLookup(['web', 'SERVICE', 'DC1', 'dc'], A), {
      kind: 'service',
      service: 'web',
      tag: undefined,
      datacenter: 'dc1',
    });
    assert.deepEqual(parseLookup(['_web', '_tcp'], SRV), {
      kind: 'service',
      service: 'web',
      tag: undefined,
      datacenter: undefined,
    });
    assert.deepEqual(parseLookup(['_web', '_v2', 'dc1'], SRV), {
      kind: 'service',
      service: 'web',
      tag: 'v2',
      datacenter: 'dc1',
    });
    assert.deepEqual(parseLookup(['_web', '_tcp'], A), { kind: 'invalid' });
    assert.deepEqual(parseLookup(['a', 'b', 'node'], A), {
      kind: 'node',
      node: 'a.b',
      datacenter: undefined,
    });
    assert.deepEqual(parseLookup(['0a000001', 'addr', 'dc1'], A), {
      kind: 'addr',
      hex: '0a000001',
      datacenter: 'dc1',
    });
    assert.deepEqual(parseLookup(['q', 'query'], A), {
      kind: 'unsupported',
      label: 'query',
      datacenter: undefined,
    });
    assert.deepEqual(parseLookup(['service'], A), { kind: 'invalid' });
    assert.deepEqual(parseLookup(['node'], A), { kind: 'invalid' });
    assert.deepEqual(parseLookup(['web', 'service', 'a', 'b'], A), { kind: 'invalid' });
    assert.deepEqual(parseLookup(['nothing'], A), { kind: 'invalid' });
  });
});

describe('IP text', () => {
  test('IPv4 and IPv6 parse strictly; IPv6 prints as RFC 5952', () => {
    assert.deepEqual([...(parseIPv4('10.0.0.255') ?? [])], [10, 0, 0, 255]);
    for (const bad of ['10.0.0', '10.0.0.256', '010.0.0.1', 'a.b.c.d', ''])
      assert.equal(parseIPv4(bad), undefined, bad);
    for (const [text, canonical] of [
      ['2001:db8::3', '2001:db8::3'],
      ['2001:0DB8:0:0:0:0:0:3', '2001:db8::3'],
      ['::', '::'],
      ['::1', '::1'],
      ['1::', '1::'],
      ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
      ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
      ['::ffff:192.0.2.1', '::ffff:c000:201'],
    ]) {
      assert.equal(formatIPv6(parseIPv6(text as string) as Uint8Array), canonical, text);
    }
    for (const bad of ['1:2:3:4:5:6:7:8:9', '1::2::3', 'g::1', '12345::', ':::', '1.2.3.4', 'fe80::1%eth0']) {
      assert.equal(parseIPv6(bad), undefined, bad);
    }
  });

  test('<hex>.addr labels', () => {
    assert.equal(ipToHex('10.1.1.1'), '0a010101');
    assert.equal(ipToHex('2001:db8::3'), '20010db8000000000000000000000003');
    assert.equal(ipToHex('db.example.com'), undefined);
    assert.deepEqual(hexToIp('0A010101'), { family: 4, address: '10.1.1.1' });
    assert.deepEqual(hexToIp('20010db8000000000000000000000003'), { family: 6, address: '2001:db8::3' });
    assert.equal(hexToIp('0a01010'), undefined);
    assert.equal(hexToIp('0a01010g'), undefined);
  });
});
