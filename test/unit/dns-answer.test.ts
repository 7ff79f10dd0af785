/**
 * Golden answers of the pure DNS core: every name form, return code and record type, decoded with
 * dns-packet and compared line by line with what dig would print.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import dnsPacket from 'dns-packet';
import { type AnswerOptions, answer, extraResponse } from '../../plugins/dns/core/answer.js';
import { encodeMessage } from '../../plugins/dns/core/encode.js';
import { encodeWithinLimits, responseLimits } from '../../plugins/dns/core/fit.js';
import { compileServiceTtls, serviceTtl } from '../../plugins/dns/core/ttl.js';
import { type DnsQuery, RecordType, ResponseCode } from '../../plugins/dns/core/types.js';
import type { DnsCatalogView } from '../../plugins/dns/core/view.js';
import {
  answerOptions,
  catalogInstances,
  catalogNodes,
  catalogView,
  fixedView,
  instance,
  makeQuery,
  node,
  type Rendered,
  render,
  seeded,
} from '../helpers/dns-fixtures.js';

const SOA = 'consul 0 SOA ns.consul hostmaster.consul 1700000000 3600 600 86400 0';

function ask(
  name: string,
  type: keyof typeof RecordType | number = 'A',
  opts: {
    view?: DnsCatalogView;
    options?: Partial<AnswerOptions>;
    transport?: 'udp' | 'tcp';
    ednsSize?: number;
  } = {},
): Rendered {
  const query = makeQuery(name, type, { transport: opts.transport ?? 'tcp', ednsSize: opts.ednsSize });
  const message = answer(query, opts.view ?? catalogView, answerOptions(opts.options));
  const limits = responseLimits(query, { udpAnswerLimit: 3, enableTruncate: true, compress: true });
  return render(encodeWithinLimits(message, limits).bytes);
}

function golden(
  rcode: string,
  answerLines: string[],
  authority: string[] = [],
  additional: string[] = [],
  flags = ['aa', 'rd'],
): Rendered {
  return { rcode, flags, answer: answerLines, authority, additional };
}

describe('service lookups', () => {
  test('A: one record per healthy instance, service address over node address, critical left out', () => {
    assert.deepEqual(
      ask('web.service.consul'),
      golden('NOERROR', [
        'web.service.consul 0 A 10.0.0.1',
        'web.service.consul 0 A 10.1.1.1',
        'web.service.consul 0 A 10.0.0.2',
      ]),
    );
  });

  test('AAAA for a service with only IPv4 instances is NODATA: NOERROR, no answer, SOA', () => {
    assert.deepEqual(ask('web.service.consul', 'AAAA'), golden('NOERROR', [], [SOA]));
  });

  test('AAAA answers an IPv6 instance; its SRV target gets AAAA glue', () => {
    assert.deepEqual(
      ask('v6.service.consul', 'AAAA'),
      golden('NOERROR', ['v6.service.consul 0 AAAA 2001:db8::3']),
    );
    assert.deepEqual(
      ask('v6.service.consul', 'SRV'),
      golden(
        'NOERROR',
        ['v6.service.consul 0 SRV 1 1 443 web-3.node.dc1.consul'],
        [],
        ['web-3.node.dc1.consul 0 AAAA 2001:db8::3'],
      ),
    );
  });

  test('SRV: weights by health, node and addr targets, A glue and node meta TXT in additional', () => {
    assert.deepEqual(
      ask('web.service.consul', 'SRV'),
      golden(
        'NOERROR',
        [
          'web.service.consul 0 SRV 1 1 80 web-1.node.dc1.consul',
          'web.service.consul 0 SRV 1 1 90 0a010101.addr.dc1.consul',
          'web.service.consul 0 SRV 1 3 81 web-2.node.dc1.consul',
        ],
        [],
        [
          'web-1.node.dc1.consul 0 A 10.0.0.1',
          'web-1.node.dc1.consul 0 TXT "rack=a"',
          'web-1.node.dc1.consul 0 TXT "plain text"',
          '0a010101.addr.dc1.consul 0 A 10.1.1.1',
          'web-2.node.dc1.consul 0 A 10.0.0.2',
        ],
      ),
    );
  });

  test('enable_additional_node_meta_txt=false leaves the TXT out of the additional section', () => {
    const rendered = ask('web.service.consul', 'SRV', { options: { nodeMetaTxt: false } });
    assert.deepEqual(rendered.additional, [
      'web-1.node.dc1.consul 0 A 10.0.0.1',
      '0a010101.addr.dc1.consul 0 A 10.1.1.1',
      'web-2.node.dc1.consul 0 A 10.0.0.2',
    ]);
  });

  test('a tag filters; tags may contain dots (all leading labels are the tag)', () => {
    assert.deepEqual(
      ask('primary.web.service.consul'),
      golden('NOERROR', ['primary.web.service.consul 0 A 10.0.0.1']),
    );
    assert.deepEqual(
      ask('v1.2.web.service.consul'),
      golden('NOERROR', ['v1.2.web.service.consul 0 A 10.0.0.1', 'v1.2.web.service.consul 0 A 10.0.0.2']),
    );
    assert.deepEqual(ask('nosuchtag.web.service.consul'), golden('NXDOMAIN', [], [SOA]));
  });

  test('RFC 2782 names: _svc._tag, _svc._tcp (no tag filter), and without .service for SRV only', () => {
    assert.deepEqual(ask('_web._primary.service.consul', 'SRV').answer, [
      '_web._primary.service.consul 0 SRV 1 1 80 web-1.node.dc1.consul',
    ]);
    assert.equal(ask('_web._tcp.service.consul', 'SRV').answer.length, 3);
    assert.deepEqual(ask('_web._tcp.consul', 'SRV').answer, [
      '_web._tcp.consul 0 SRV 1 1 80 web-1.node.dc1.consul',
      '_web._tcp.consul 0 SRV 1 1 90 0a010101.addr.dc1.consul',
      '_web._tcp.consul 0 SRV 1 3 81 web-2.node.dc1.consul',
    ]);
    assert.equal(ask('_web._tcp.dc1.consul', 'SRV').answer.length, 3);
    assert.deepEqual(ask('_web._tcp.consul', 'A'), golden('NXDOMAIN', [], [SOA]));
  });

  test('any case: the answer keeps the name as asked', () => {
    assert.deepEqual(ask('WEB.Service.CONSUL').answer, [
      'WEB.Service.CONSUL 0 A 10.0.0.1',
      'WEB.Service.CONSUL 0 A 10.1.1.1',
      'WEB.Service.CONSUL 0 A 10.0.0.2',
    ]);
    assert.deepEqual(ask('PRIMARY.web.SERVICE.consul').answer, ['PRIMARY.web.SERVICE.consul 0 A 10.0.0.1']);
  });

  test('datacenter forms: .dc1 and .dc1.dc are ours; another datacenter or a longer suffix is NXDOMAIN', () => {
    assert.equal(ask('web.service.dc1.consul').answer.length, 3);
    assert.equal(ask('web.service.dc1.dc.consul').answer.length, 3);
    assert.equal(ask('web.service.DC1.consul').answer.length, 3);
    assert.deepEqual(ask('web.service.dc2.consul'), golden('NXDOMAIN', [], [SOA]));
    assert.deepEqual(ask('web.service.a.b.consul'), golden('NXDOMAIN', [], [SOA]));
  });

  test('a service with no healthy instance left, or no instance at all, is NXDOMAIN with the SOA', () => {
    assert.deepEqual(ask('down.service.consul'), golden('NXDOMAIN', [], [SOA]));
    assert.deepEqual(ask('nope.service.consul', 'SRV'), golden('NXDOMAIN', [], [SOA]));
  });

  test('only_passing also drops instances in warning', () => {
    assert.deepEqual(ask('web.service.consul', 'A', { options: { onlyPassing: true } }).answer, [
      'web.service.consul 0 A 10.0.0.1',
      'web.service.consul 0 A 10.1.1.1',
    ]);
  });

  test('one A per address and one SRV per node:address:port', () => {
    assert.deepEqual(ask('dup.service.consul').answer, ['dup.service.consul 0 A 10.0.0.1']);
    assert.deepEqual(ask('dup.service.consul', 'SRV').answer, [
      'dup.service.consul 0 SRV 1 1 7000 web-1.node.dc1.consul',
    ]);
  });

  test('a hostname address: CNAME for A, the hostname as SRV target with no glue', () => {
    assert.deepEqual(
      ask('api.service.consul'),
      golden('NOERROR', ['api.service.consul 0 CNAME api.example.com']),
    );
    assert.deepEqual(
      ask('api.service.consul', 'SRV'),
      golden('NOERROR', ['api.service.consul 0 SRV 1 1 9000 api.example.com']),
    );
    assert.deepEqual(ask('db.service.consul', 'SRV').answer, [
      'db.service.consul 0 SRV 1 1 5432 db.example.com',
    ]);
  });

  test('TXT for a service: the meta of its nodes; none is NODATA; other types are NODATA', () => {
    assert.deepEqual(ask('primary.web.service.consul', 'TXT').answer, [
      'primary.web.service.consul 0 TXT "rack=a"',
      'primary.web.service.consul 0 TXT "plain text"',
    ]);
    assert.deepEqual(ask('api.service.consul', 'TXT'), golden('NOERROR', [], [SOA]));
    assert.deepEqual(ask('web.service.consul', 15 /* MX */), golden('NOERROR', [], [SOA]));
  });

  test('a_record_limit caps A records after the shuffle', () => {
    assert.deepEqual(ask('web.service.consul', 'A', { options: { aRecordLimit: 1 } }).answer, [
      'web.service.consul 0 A 10.0.0.1',
    ]);
    // SRV is not an address answer: not capped.
    assert.equal(ask('web.service.consul', 'SRV', { options: { aRecordLimit: 1 } }).answer.length, 3);
  });

  test('answers are shuffled with the injected PRNG: same seed, same order; every order holds the same set', () => {
    const many = Array.from({ length: 12 }, (_, i) =>
      instance(node(`n${i}`, `10.9.0.${i + 1}`), 'big', { id: `big-${i}` }),
    );
    const view = fixedView(many, []);
    const firstRecords = new Set<string>();
    for (let seed = 1; seed <= 20; seed++) {
      const once = ask('big.service.consul', 'A', { view, options: { random: seeded(seed) } }).answer;
      const again = ask('big.service.consul', 'A', { view, options: { random: seeded(seed) } }).answer;
      assert.deepEqual(once, again);
      assert.equal(once.length, 12);
      assert.deepEqual([...once].sort(), many.map((i) => `big.service.consul 0 A ${i.node.address}`).sort());
      firstRecords.add(once[0] as string);
    }
    assert.ok(
      firstRecords.size > 3,
      `the first record should vary with the seed (${firstRecords.size} seen)`,
    );
  });
});

describe('node and addr lookups', () => {
  test('A with the node meta as TXT in additional; TXT alone; ANY both', () => {
    assert.deepEqual(
      ask('web-1.node.consul'),
      golden(
        'NOERROR',
        ['web-1.node.consul 0 A 10.0.0.1'],
        [],
        ['web-1.node.consul 0 TXT "rack=a"', 'web-1.node.consul 0 TXT "plain text"'],
      ),
    );
    assert.deepEqual(
      ask('web-1.node.dc1.consul', 'TXT'),
      golden('NOERROR', ['web-1.node.dc1.consul 0 TXT "rack=a"', 'web-1.node.dc1.consul 0 TXT "plain text"']),
    );
    assert.deepEqual(ask('WEB-1.NODE.consul', 'ANY').answer, [
      'WEB-1.NODE.consul 0 A 10.0.0.1',
      'WEB-1.NODE.consul 0 TXT "rack=a"',
      'WEB-1.NODE.consul 0 TXT "plain text"',
    ]);
  });

  test('NODATA for a type the node lacks; NXDOMAIN for an unknown node', () => {
    assert.deepEqual(ask('web-2.node.consul', 'TXT'), golden('NOERROR', [], [SOA]));
    assert.deepEqual(ask('web-3.node.consul', 'A'), golden('NOERROR', [], [SOA]));
    assert.deepEqual(ask('web-1.node.consul', 'SRV'), golden('NOERROR', [], [SOA]));
    assert.deepEqual(ask('nope.node.consul'), golden('NXDOMAIN', [], [SOA]));
    assert.deepEqual(ask('web-1.node.dc9.consul'), golden('NXDOMAIN', [], [SOA]));
  });

  test('IPv6 nodes, hostname nodes (CNAME) and node names with dots', () => {
    assert.deepEqual(ask('web-3.node.consul', 'AAAA').answer, ['web-3.node.consul 0 AAAA 2001:db8::3']);
    assert.deepEqual(ask('db-host.node.consul').answer, ['db-host.node.consul 0 CNAME db.example.com']);
    assert.deepEqual(ask('my.dotted.node.node.consul').answer, ['my.dotted.node.node.consul 0 A 10.0.0.9']);
  });

  test('<hex>.addr decodes the address; the other family is NODATA with the address as additional', () => {
    assert.deepEqual(
      ask('0a000001.addr.dc1.consul'),
      golden('NOERROR', ['0a000001.addr.dc1.consul 0 A 10.0.0.1']),
    );
    assert.deepEqual(ask('20010db8000000000000000000000003.addr.consul', 'AAAA').answer, [
      '20010db8000000000000000000000003.addr.consul 0 AAAA 2001:db8::3',
    ]);
    assert.deepEqual(
      ask('0a000001.addr.consul', 'AAAA'),
      golden('NOERROR', [], [SOA], ['0a000001.addr.consul 0 A 10.0.0.1']),
    );
    assert.deepEqual(ask('0a0001.addr.consul'), golden('NXDOMAIN', [], [SOA]));
    assert.deepEqual(ask('zzzzzzzz.addr.consul'), golden('NXDOMAIN', [], [SOA]));
    assert.deepEqual(ask('a.0a000001.addr.consul'), golden('NXDOMAIN', [], [SOA]));
  });
});

describe('SOA, NS, return codes', () => {
  const nsAnswer = ['consul 0 NS server-1.node.dc1.consul'];
  const glue = ['server-1.node.dc1.consul 0 A 10.0.0.100'];

  test('SOA for any in-domain name: SOA answer, servers as NS, their addresses as glue', () => {
    assert.deepEqual(ask('consul', 'SOA'), golden('NOERROR', [SOA], nsAnswer, glue));
    assert.deepEqual(ask('web.service.consul', 'SOA'), golden('NOERROR', [SOA], nsAnswer, glue));
  });

  test('NS: the servers (healthy instances of the consul service, at most three)', () => {
    assert.deepEqual(ask('consul', 'NS'), golden('NOERROR', nsAnswer, [], glue));
    const servers = Array.from({ length: 5 }, (_, i) =>
      instance(node(`s${i}`, `10.8.0.${i + 1}`), 'consul', {
        id: 'consul',
        health: i === 0 ? 'critical' : 'passing',
      }),
    );
    const rendered = ask('consul', 'NS', { view: fixedView(servers, []), options: { random: seeded(7) } });
    assert.equal(rendered.answer.length, 3);
    assert.ok(
      !rendered.answer.includes('consul 0 NS s0.node.dc1.consul'),
      'a critical server is no nameserver',
    );
    assert.equal(rendered.additional.length, 3);
  });

  test('the apex exists: A for the domain itself is NODATA, ANY gives SOA and NS', () => {
    assert.deepEqual(ask('consul', 'A'), golden('NOERROR', [], [SOA]));
    assert.deepEqual(ask('consul', 'ANY'), golden('NOERROR', [SOA, ...nsAnswer], [], glue));
  });

  test('SOA fields and the negative TTL come from dns_config.soa', () => {
    const soa = { refresh: 100, retry: 20, expire: 3000, minTtl: 60 };
    assert.deepEqual(ask('nope.service.consul', 'A', { options: { soa } }).authority, [
      'consul 60 SOA ns.consul hostmaster.consul 1700000000 100 20 3000 60',
    ]);
  });

  test('AXFR and IXFR are NOTIMP; an invalid name or an unserved kind is NXDOMAIN', () => {
    assert.equal(ask('consul', RecordType.AXFR).rcode, 'NOTIMP');
    assert.equal(ask('consul', RecordType.IXFR).rcode, 'NOTIMP');
    assert.deepEqual(ask('whatever.consul'), golden('NXDOMAIN', [], [SOA]));
    assert.deepEqual(ask('service.consul'), golden('NXDOMAIN', [], [SOA]));
    assert.deepEqual(ask('geo.query.consul'), golden('NXDOMAIN', [], [SOA]));
  });

  test('outside our domains without recursors: REFUSED, not authoritative; RA only with recursors', () => {
    assert.deepEqual(ask('example.com'), golden('REFUSED', [], [], [], ['rd']));
    assert.deepEqual(
      ask('example.com', 'A', { options: { recursionAvailable: true } }),
      golden('REFUSED', [], [], [], ['rd', 'ra']),
    );
    assert.deepEqual(ask('web.service.consul', 'A', { options: { recursionAvailable: true } }).flags, [
      'aa',
      'rd',
      'ra',
    ]);
    // A name that merely ends in the domain's letters is not in it.
    assert.equal(ask('notconsul').rcode, 'REFUSED');
  });

  test('a class other than IN or ANY is REFUSED', () => {
    const query = makeQuery('web.service.consul', 'A', { qclass: 3 });
    const message = answer(query, catalogView, answerOptions());
    assert.equal(message.rcode, ResponseCode.REFUSED);
  });

  test('SERVFAIL when the catalog cannot be read', () => {
    const failing = fixedView(catalogInstances, catalogNodes, true);
    assert.deepEqual(ask('web.service.consul', 'A', { view: failing }), golden('SERVFAIL', []));
    assert.deepEqual(ask('web-1.node.consul', 'A', { view: failing }), golden('SERVFAIL', []));
  });

  test('alt_domain: answers and targets use the domain that was asked', () => {
    const options = { domains: ['consul', 'alt.test'] };
    assert.deepEqual(ask('web.service.alt.test', 'SRV', { options }).answer, [
      'web.service.alt.test 0 SRV 1 1 80 web-1.node.dc1.alt.test',
      'web.service.alt.test 0 SRV 1 1 90 0a010101.addr.dc1.alt.test',
      'web.service.alt.test 0 SRV 1 3 81 web-2.node.dc1.alt.test',
    ]);
    assert.deepEqual(ask('nope.service.ALT.test', 'A', { options }).authority, [
      'alt.test 0 SOA ns.alt.test hostmaster.alt.test 1700000000 3600 600 86400 0',
    ]);
    assert.equal(ask('web.service.consul', 'A', { options }).answer.length, 3);
  });
});

describe('TTLs', () => {
  test('service_ttl: exact name beats the longest prefix*, which beats *', () => {
    const table = compileServiceTtls({ '*': 5, 'we*': 10, 'weather*': 15, web: 20 });
    assert.equal(serviceTtl(table, 'web'), 20);
    assert.equal(serviceTtl(table, 'WEB'), 20);
    assert.equal(serviceTtl(table, 'webhook'), 10);
    assert.equal(serviceTtl(table, 'weatherman'), 15);
    assert.equal(serviceTtl(table, 'api'), 5);
    assert.equal(serviceTtl(compileServiceTtls({}), 'api'), 0);
  });

  test('service records use the service TTL; node records use node_ttl', () => {
    const options = { nodeTtl: 30, serviceTtls: compileServiceTtls({ 'we*': 10 }) };
    assert.deepEqual(ask('primary.web.service.consul', 'SRV', { options }), {
      rcode: 'NOERROR',
      flags: ['aa', 'rd'],
      answer: ['primary.web.service.consul 10 SRV 1 1 80 web-1.node.dc1.consul'],
      authority: [],
      additional: [
        'web-1.node.dc1.consul 10 A 10.0.0.1',
        'web-1.node.dc1.consul 10 TXT "rack=a"',
        'web-1.node.dc1.consul 10 TXT "plain text"',
      ],
    });
    assert.deepEqual(ask('web-2.node.consul', 'A', { options }).answer, ['web-2.node.consul 30 A 10.0.0.2']);
    assert.deepEqual(ask('api.service.consul', 'A', { options }).answer, [
      'api.service.consul 0 CNAME api.example.com',
    ]);
  });
});

describe('EDNS', () => {
  function rawResponse(query: DnsQuery): dnsPacket.DecodedPacket {
    const message = answer(query, catalogView, answerOptions());
    return dnsPacket.decode(Buffer.from(encodeMessage(message, { compress: true })));
  }

  test('an EDNS query gets an OPT record back; a plain one does not', () => {
    const withEdns = rawResponse(makeQuery('web.service.consul', 'A', { ednsSize: 1232 }));
    assert.equal(withEdns.additionals?.filter((r) => r.type === 'OPT').length, 1);
    const plain = rawResponse(makeQuery('web.service.consul', 'A'));
    assert.equal(plain.additionals?.length, 0);
  });

  test('an unknown EDNS version is BADVERS (extended rcode 1 in OPT, 0 in the header)', () => {
    const query = makeQuery('web.service.consul', 'A', { ednsSize: 1232 });
    const bytes = encodeMessage(
      answer(
        { ...query, edns: { udpSize: 1232, version: 1, dnssecOk: false, options: [] } },
        catalogView,
        answerOptions(),
      ),
      { compress: true },
    );
    const decoded = dnsPacket.decode(Buffer.from(bytes));
    assert.equal(decoded.answers?.length, 0);
    const opt = decoded.additionals?.find((r) => r.type === 'OPT') as { extendedRcode?: number } | undefined;
    assert.equal(opt?.extendedRcode, 1);
    assert.equal((bytes[3] ?? 0) & 0x0f, 0);
  });

  test('EDNS client subnet is echoed with scope 0', () => {
    const subnet = Uint8Array.from([0, 1, 24, 0, 192, 0, 2]);
    const query = makeQuery('web.service.consul', 'A', { ednsSize: 1232 });
    const response = answer(
      {
        ...query,
        edns: { udpSize: 1232, version: 0, dnssecOk: false, options: [{ code: 8, data: subnet }] },
      },
      catalogView,
      answerOptions(),
    );
    assert.deepEqual(response.edns?.options, [{ code: 8, data: Uint8Array.from([0, 1, 24, 0, 192, 0, 2]) }]);
    const decoded = dnsPacket.decode(Buffer.from(encodeMessage(response, { compress: true })));
    const opt = decoded.additionals?.find((r) => r.type === 'OPT') as
      | { options?: { code: number }[] }
      | undefined;
    assert.equal(opt?.options?.[0]?.code, 8);
  });
});

describe('answers supplied by a resolve hook', () => {
  test('records go out as given; an empty in-domain answer gets the SOA', () => {
    const query = makeQuery('geo.query.consul');
    const ok = extraResponse(
      query,
      { answers: [{ name: 'geo.query.consul', type: 'A', ttl: 5, data: '10.5.5.5' }] },
      answerOptions(),
    );
    assert.deepEqual(
      render(encodeMessage(ok, { compress: true })),
      golden('NOERROR', ['geo.query.consul 5 A 10.5.5.5']),
    );
    const missing = extraResponse(query, { rcode: ResponseCode.NXDOMAIN, answers: [] }, answerOptions());
    assert.deepEqual(render(encodeMessage(missing, { compress: true })), golden('NXDOMAIN', [], [SOA]));
    const outside = extraResponse(makeQuery('x.example'), { answers: [] }, answerOptions());
    assert.deepEqual(
      render(encodeMessage(outside, { compress: true })),
      golden('NOERROR', [], [], [], ['rd']),
    );
  });
});
