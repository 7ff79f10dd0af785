/**
 * The packet path without sockets: stale reads and the read barrier, resolve taps, recursion only
 * outside our domains, the synchronous fast path, and SERVFAIL instead of a throw.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import dnsPacket from 'dns-packet';
import pino from 'pino';
import type { AgentConfig } from '../../core/config/types.js';
import type { Consensus, ConsensusStatus } from '../../core/consensus.js';
import { TribuneError } from '../../core/errors.js';
import { Kernel } from '../../core/kernel.js';
import { applyCatalogRegister } from '../../plugins/catalog/fsm.js';
import type { CatalogRegisterCommand } from '../../plugins/catalog/types.js';
import { DnsHandler } from '../../plugins/dns/handler.js';
import { getDnsHooks } from '../../plugins/dns/hooks.js';
import { rcodeOf } from '../helpers/dns-fixtures.js';
import { testConfig } from '../helpers/test-config.js';

function register(kernel: Kernel, index: number, node: string, address: string, service?: string): void {
  const command: CatalogRegisterCommand = {
    type: 'catalog.register',
    node: { ID: '', Node: node, Address: address, Datacenter: 'dc1', TaggedAddresses: {}, Meta: {} },
    skipNodeUpdate: false,
    service: service
      ? {
          Kind: '',
          ID: service,
          Service: service,
          Tags: [],
          Address: '',
          TaggedAddresses: null,
          Meta: {},
          Port: 80,
          SocketPath: '',
          Weights: { Passing: 1, Warning: 1 },
          EnableTagOverride: false,
        }
      : null,
    checks: [],
  };
  applyCatalogRegister(kernel.store, command, index);
  kernel.store.finishApply(index);
}

function fakeConsensus(status: Partial<ConsensusStatus>, barrier: () => Promise<void>): Consensus {
  return {
    propose: async () => ({ index: 0, result: undefined }),
    status: () => ({
      leader: '',
      isLeader: false,
      knownLeader: false,
      lastContactMs: 0,
      peers: [],
      term: 1,
      commitIndex: 0,
      appliedIndex: 0,
      ...status,
    }),
    readBarrier: barrier,
  };
}

function kernelWith(config: Partial<AgentConfig> = {}, consensus?: Consensus): Kernel {
  const kernel = new Kernel({ config: testConfig(config), logger: pino({ level: 'silent' }) });
  if (consensus) kernel.setConsensus(consensus);
  register(kernel, 1, 'web-1', '10.0.0.1', 'web');
  return kernel;
}

function query(name: string, type: dnsPacket.RecordType = 'A'): Uint8Array {
  return new Uint8Array(dnsPacket.encode({ type: 'query', id: 3, questions: [{ type, name }] }));
}

async function ask(handler: DnsHandler, name: string, type: dnsPacket.RecordType = 'A') {
  const reply = await handler.handle(query(name, type), 'udp');
  assert.ok(reply, 'an answer');
  return dnsPacket.decode(Buffer.from(reply));
}

const noLeader = () => Promise.reject(new TribuneError('NO_LEADER', 'No cluster leader'));

describe('reads', () => {
  test('stale by default: answered from this store with no consensus at all, synchronously', () => {
    const handler = new DnsHandler({ kernel: kernelWith() });
    const reply = handler.handle(query('web.service.consul'), 'udp');
    assert.ok(reply instanceof Uint8Array, 'the common case answers in the same tick');
    assert.equal(dnsPacket.decode(Buffer.from(reply)).answers?.length, 1);
  });

  test('allow_stale=false waits for the leader; SERVFAIL when there is none', async () => {
    const leaderless = new DnsHandler({
      kernel: kernelWith({ dns_config: { allow_stale: false } }, fakeConsensus({}, noLeader)),
    });
    assert.equal(rcodeOf(await ask(leaderless, 'web.service.consul')), 'SERVFAIL');
    let barriers = 0;
    const led = new DnsHandler({
      kernel: kernelWith(
        { dns_config: { allow_stale: false } },
        fakeConsensus({ isLeader: true }, async () => {
          barriers++;
        }),
      ),
    });
    assert.equal((await ask(led, 'web.service.consul')).answers?.length, 1);
    assert.equal(barriers, 1);
  });

  test('a follower staler than max_stale asks the leader; a fresher one does not', async () => {
    let barriers = 0;
    const counting = async () => {
      barriers++;
    };
    const stale = new DnsHandler({
      kernel: kernelWith(
        { dns_config: { max_stale: '5s' } },
        fakeConsensus({ lastContactMs: 10_000 }, counting),
      ),
    });
    await ask(stale, 'web.service.consul');
    assert.equal(barriers, 1);
    const fresh = new DnsHandler({
      kernel: kernelWith(
        { dns_config: { max_stale: '5s' } },
        fakeConsensus({ lastContactMs: 1_000 }, counting),
      ),
    });
    await ask(fresh, 'web.service.consul');
    assert.equal(barriers, 1);
    const cut = new DnsHandler({
      kernel: kernelWith(
        { dns_config: { max_stale: '5s' } },
        fakeConsensus({ lastContactMs: 10_000 }, noLeader),
      ),
    });
    assert.equal(rcodeOf(await ask(cut, 'web.service.consul')), 'SERVFAIL');
  });

  test('settings follow the live config (a reload swaps the config object)', async () => {
    const kernel = kernelWith();
    const handler = new DnsHandler({ kernel });
    for (let i = 2; i <= 6; i++) register(kernel, i, `web-${i}`, `10.0.0.${i}`, 'web');
    assert.equal((await ask(handler, 'web.service.consul')).answers?.length, 3);
    kernel.setConfig({ ...kernel.config, dns_config: { udp_answer_limit: 5 } });
    assert.equal((await ask(handler, 'web.service.consul')).answers?.length, 5);
    kernel.setConfig({ ...kernel.config, domain: 'example.internal.' });
    assert.equal(rcodeOf(await ask(handler, 'web.service.consul')), 'REFUSED');
    assert.equal((await ask(handler, 'web.service.example.internal')).answers?.length, 5);
  });
});

describe('resolve hook', () => {
  test('a tap answers first; undefined passes on; a failing tap is SERVFAIL, not a throw', async () => {
    const kernel = kernelWith();
    const handler = new DnsHandler({ kernel });
    const seen: string[] = [];
    getDnsHooks(kernel).resolve.tapPromise('first', async (question) => {
      seen.push(`${question.name}|${question.domain}|${question.labels.join(',')}|${question.type}`);
      if (question.name === 'boom.consul') throw new Error('tap broke');
      return question.name === 'x.query.consul'
        ? { answers: [{ name: question.name, type: 'TXT', ttl: 1, data: ['hello'] }] }
        : undefined;
    });
    const extra = await ask(handler, 'x.query.consul', 'TXT');
    assert.equal(extra.answers?.length, 1);
    assert.equal((await ask(handler, 'web.service.consul')).answers?.length, 1);
    assert.equal(rcodeOf(await ask(handler, 'boom.consul')), 'SERVFAIL');
    assert.equal(rcodeOf(await ask(handler, 'example.com')), 'REFUSED');
    assert.deepEqual(seen, [
      'x.query.consul|consul|x,query|16',
      'web.service.consul|consul|web,service|1',
      'boom.consul|consul|boom|1',
      'example.com|undefined|example,com|1',
    ]);
  });
});

describe('recursion', () => {
  test('only names outside our domains go to recursors; all of them failing is SERVFAIL with RA', async () => {
    // 127.0.0.1:9 (discard) answers nothing: connection refused or a timeout, both failures.
    const kernel = kernelWith({ recursors: ['127.0.0.1:9'], dns_config: { recursor_timeout: '200ms' } });
    const handler = new DnsHandler({ kernel });
    const ours = handler.handle(query('web.service.consul'), 'udp');
    assert.ok(ours instanceof Uint8Array, 'in-domain names never wait for a recursor');
    const decoded = dnsPacket.decode(Buffer.from(ours));
    assert.equal(decoded.flag_ra, true);
    const outside = await ask(handler, 'example.com');
    assert.equal(rcodeOf(outside), 'SERVFAIL');
    assert.equal(outside.flag_ra, true);
  });
});

describe('rejected and dropped packets', () => {
  test('FORMERR and NOTIMP go back with the ID; junk gets nothing', async () => {
    const handler = new DnsHandler({ kernel: kernelWith() });
    const two = new Uint8Array(
      dnsPacket.encode({
        type: 'query',
        id: 9,
        questions: [
          { type: 'A', name: 'a' },
          { type: 'A', name: 'b' },
        ],
      }),
    );
    const reply = await handler.handle(two, 'tcp');
    assert.ok(reply);
    const decoded = dnsPacket.decode(Buffer.from(reply));
    assert.equal(decoded.id, 9);
    assert.equal(rcodeOf(decoded), 'FORMERR');
    assert.equal(await handler.handle(new Uint8Array([1, 2, 3]), 'udp'), undefined);
  });
});
