import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { TribuneError } from '../../core/errors.js';
import { deriveGossipConfig, GOSSIP_LAN, type GossipConfig } from '../../plugins/gossip/core/config.js';
import type { GossipMessage, MemberSnapshot, SimpleMessage } from '../../plugins/gossip/core/messages.js';
import type { GossipOutput, OutPacket } from '../../plugins/gossip/core/output.js';
import { createRandom } from '../../plugins/gossip/core/prng.js';
import { GossipCore } from '../../plugins/gossip/core/swim.js';

const addr = (name: string) => `${name}:8301`;

function snapshot(name: string, incarnation = 1, state: MemberSnapshot['state'] = 'alive'): MemberSnapshot {
  return { name, address: addr(name), meta: {}, incarnation, state };
}

/** A member of a formed cluster, its own start-up join already taken out. */
function core(others: string[], config: Readonly<GossipConfig> = GOSSIP_LAN, name = 'self'): GossipCore {
  const created = new GossipCore({
    name,
    address: addr(name),
    meta: { role: 'node', dc: 'dc1' },
    config,
    random: createRandom(7),
    nowMs: 0,
    initialMembers: [snapshot(name), ...others.map((o) => snapshot(o))],
    stagger: false,
    announce: false,
  });
  assert.deepEqual(eventNames(created.tick(0)), [`join:${name}`]);
  return created;
}

function parts(message: GossipMessage): SimpleMessage[] {
  return message.type === 'compound' ? [...message.parts] : [message];
}

function sent(output: GossipOutput, type: SimpleMessage['type']): OutPacket[] {
  return output.packets.filter((p) => parts(p.message).some((m) => m.type === type));
}

function eventNames(output: GossipOutput): string[] {
  return output.events.map((e) => {
    if (e.type === 'user-event') return `user-event:${e.name}`;
    if (e.type === 'conflict') return `conflict:${e.other.name}`;
    return `${e.type}:${e.member.name}`;
  });
}

describe('gossip core: lifecycle', () => {
  test('the first output carries our own join; a new member announces itself', () => {
    const fresh = new GossipCore({
      name: 'n',
      address: addr('n'),
      meta: {},
      config: GOSSIP_LAN,
      random: createRandom(1),
      nowMs: 100,
    });
    assert.deepEqual(eventNames(fresh.tick(100)), ['join:n']);
    assert.equal(fresh.pendingBroadcasts, 1);
    assert.deepEqual(
      fresh.members().map((m) => [m.name, m.state, m.incarnation]),
      [['n', 'alive', 1]],
    );
    assert.ok(Number.isFinite(fresh.nextWakeMs()) && fresh.nextWakeMs() >= 100);
  });

  test('join sends our full state over TCP to each address but our own', () => {
    const c = core(['a']);
    const out = c.join([addr('x'), addr('self'), addr('y')], 10);
    assert.deepEqual(
      out.packets.map((p) => [p.to, p.reliable, p.message.type]),
      [
        [addr('x'), true, 'push-pull'],
        [addr('y'), true, 'push-pull'],
      ],
    );
  });

  test('time never runs backwards inside the core', () => {
    const c = core(['a']);
    c.tick(5000);
    const out = c.receive(addr('a'), { type: 'suspect', node: 'a', incarnation: 1, from: 'b' }, 10);
    assert.equal(c.member('a')?.stateChangeMs, 5000);
    assert.equal(out.events.length, 0);
  });
});

describe('gossip core: suspicion, last call, death', () => {
  test('a suspicion runs out, the suspect gets a last call, and only then is declared dead', () => {
    const c = core(['a', 'b']); // n = 3: no confirmations expected, 4s flat
    c.receive(addr('b'), { type: 'suspect', node: 'a', incarnation: 1, from: 'b' }, 0);
    assert.equal(c.member('a')?.state, 'suspect');
    const expiry = c.tick(4000);
    const calls = expiry.packets
      .filter((p) => p.to === addr('a') && parts(p.message).some((m) => m.type === 'ping'))
      .map((p) => [
        p.reliable,
        parts(p.message)
          .slice(0, 2)
          .map((m) => m.type),
      ]);
    assert.ok(
      calls.some(([reliable, types]) => !reliable && String(types) === 'suspect,ping'),
      'over UDP, telling a it is suspected',
    );
    assert.ok(
      calls.some(([reliable, types]) => reliable && String(types) === 'suspect,ping'),
      'and over TCP (a plain fallback ping carries no suspicion)',
    );
    assert.deepEqual(eventNames(expiry), []);
    const death = c.tick(4500);
    assert.deepEqual(eventNames(death), ['fail:a']);
    assert.equal(c.member('a')?.state, 'dead');
    assert.equal(sent(death, 'dead').length > 0 || c.pendingBroadcasts > 0, true);
  });

  test('a refutation arriving during the last call saves the member', () => {
    const c = core(['a', 'b']);
    c.receive(addr('b'), { type: 'suspect', node: 'a', incarnation: 1, from: 'b' }, 0);
    c.tick(4000);
    const reply = c.receive(
      addr('a'),
      {
        type: 'compound',
        parts: [
          { type: 'ack', seq: 1 },
          { type: 'alive', node: 'a', address: addr('a'), incarnation: 2, meta: {} },
        ],
      },
      4100,
      true,
    );
    assert.deepEqual(eventNames(reply), []);
    assert.deepEqual(eventNames(c.tick(4500)), []);
    assert.deepEqual([c.member('a')?.state, c.member('a')?.incarnation], ['alive', 2]);
  });

  test('without the last call (0), death comes at the suspicion timeout', () => {
    const c = core(['a', 'b'], deriveGossipConfig(GOSSIP_LAN, { lastCallTimeoutMs: 0 }));
    c.receive(addr('b'), { type: 'suspect', node: 'a', incarnation: 1, from: 'b' }, 0);
    assert.deepEqual(eventNames(c.tick(4000)), ['fail:a']);
  });

  test('Lifeguard: independent confirmations bring the timeout down from 24s to 4s (n = 10)', () => {
    const others = Array.from({ length: 9 }, (_, i) => `m${i}`);
    const lastCallAt = (confirmers: string[]): number => {
      const c = core(others, deriveGossipConfig(GOSSIP_LAN, { lastCallTimeoutMs: 0 }));
      c.receive(addr('m1'), { type: 'suspect', node: 'm0', incarnation: 1, from: 'm1' }, 0);
      for (const from of confirmers)
        c.receive(addr(from), { type: 'suspect', node: 'm0', incarnation: 1, from }, 10);
      for (let t = 0; t <= 30_000; t += 100) {
        if (c.tick(t).events.some((e) => e.type === 'fail')) return t;
      }
      return -1;
    };
    assert.equal(lastCallAt([]), 24_000);
    assert.equal(lastCallAt(['m2']), 11_400, '24s - log(2)/log(3) x 20s, to the next 100ms');
    assert.equal(lastCallAt(['m2', 'm2', 'm1']), 11_400, 'repeats and the raiser do not count');
    assert.equal(lastCallAt(['m2', 'm3']), 4000);
  });

  test('a newer alive clears a suspicion; an older or equal one does not', () => {
    const c = core(['a', 'b']);
    c.receive(addr('b'), { type: 'suspect', node: 'a', incarnation: 3, from: 'b' }, 0);
    c.receive(addr('b'), { type: 'alive', node: 'a', address: addr('a'), incarnation: 3, meta: {} }, 1);
    assert.equal(c.member('a')?.state, 'suspect');
    c.receive(addr('b'), { type: 'alive', node: 'a', address: addr('a'), incarnation: 4, meta: {} }, 2);
    assert.equal(c.member('a')?.state, 'alive');
    assert.deepEqual(eventNames(c.tick(10_000)), []);
  });

  test('a remote "dead" in push-pull only makes us suspect; a remote "left" is taken as is', () => {
    const c = core(['a', 'b']);
    const out = c.receive(
      addr('b'),
      {
        type: 'push-pull',
        join: false,
        reply: false,
        members: [snapshot('a', 1, 'dead'), snapshot('b', 1, 'left')],
        eventClock: 0,
        events: [],
      },
      0,
    );
    assert.equal(c.member('a')?.state, 'suspect');
    assert.equal(c.member('b')?.state, 'left');
    assert.deepEqual(eventNames(out), ['leave:b']);
    const reply = sent(out, 'push-pull');
    assert.equal(reply.length, 1);
    assert.equal(reply[0]?.reliable, true);
    const message = reply[0]?.message;
    assert.ok(message?.type === 'push-pull' && message.reply);
    assert.deepEqual(
      message.members.map((m) => `${m.name}:${m.state}`).sort(),
      ['a:alive', 'b:alive', 'self:alive'],
      'the answer is our state from before the merge',
    );
  });
});

describe('gossip core: refutation and awareness', () => {
  test('suspect or dead about ourselves: refute with a higher incarnation, and doubt our health', () => {
    const c = core(['a']);
    c.receive(addr('a'), { type: 'suspect', node: 'self', incarnation: 1, from: 'a' }, 0);
    assert.equal(c.incarnation, 2);
    assert.equal(c.awarenessScore, 1);
    c.receive(addr('a'), { type: 'dead', node: 'self', incarnation: 5, from: 'a' }, 1);
    assert.equal(c.incarnation, 6);
    assert.equal(c.awarenessScore, 2);
    assert.equal(c.member('self')?.state, 'alive');
    const gossip = c.tick(200);
    const alive = gossip.packets.flatMap((p) => parts(p.message)).filter((m) => m.type === 'alive');
    assert.ok(alive.some((m) => m.type === 'alive' && m.node === 'self' && m.incarnation === 6));
  });

  test('stale news about ourselves is answered by announcing our alive again, without a new incarnation', () => {
    const c = core(['a', 'b']);
    c.receive(addr('a'), { type: 'suspect', node: 'self', incarnation: 1, from: 'a' }, 0);
    c.tick(200);
    c.tick(400);
    c.tick(600);
    c.tick(800);
    const before = c.pendingBroadcasts;
    c.receive(addr('b'), { type: 'suspect', node: 'self', incarnation: 1, from: 'b' }, 900);
    assert.equal(c.incarnation, 2);
    assert.equal(c.awarenessScore, 1);
    assert.equal(c.pendingBroadcasts, before + 1);
  });

  test('successful probes lower the score; failed ones without nacks raise it, up to max - 1', () => {
    const c = core(['a'], deriveGossipConfig(GOSSIP_LAN, { awarenessMaxMultiplier: 3 }));
    let now = 0;
    for (let i = 0; i < 5; i++) {
      // Probe, get no answer at all (no helpers exist), fail: +1 each time.
      now = c.nextWakeMs();
      while (now < 100_000) {
        const out = c.tick(now);
        if (out.packets.some((p) => p.to === addr('a') && parts(p.message).some((m) => m.type === 'ping')))
          break;
        now = c.nextWakeMs();
      }
      now += 30_000;
      c.tick(now);
      // Keep a from being declared dead so it stays probeable.
      c.receive(
        addr('a'),
        { type: 'alive', node: 'a', address: addr('a'), incarnation: 10 + i, meta: {} },
        now,
      );
    }
    assert.equal(c.awarenessScore, 2);
    // Now a successful probe.
    now = c.nextWakeMs();
    let seq = -1;
    for (let guard = 0; guard < 50 && seq < 0; guard++) {
      const out = c.tick(now);
      for (const p of out.packets) {
        for (const m of parts(p.message)) if (m.type === 'ping' && m.node === 'a') seq = m.seq;
      }
      if (seq < 0) now = c.nextWakeMs();
    }
    c.receive(addr('a'), { type: 'ack', seq }, now + 5);
    assert.equal(c.awarenessScore, 1);
  });
});

describe('gossip core: probing for others', () => {
  test('a ping for us is acked to its source; a ping for another name is ignored', () => {
    const c = core(['a']);
    const ack = c.receive(
      addr('x'),
      { type: 'ping', seq: 9, node: 'self', sourceName: 'a', sourceAddress: addr('a') },
      0,
    );
    assert.deepEqual(
      ack.packets.map((p) => [p.to, parts(p.message)[0]]),
      [[addr('a'), { type: 'ack', seq: 9 }]],
    );
    const wrong = c.receive(
      addr('a'),
      { type: 'ping', seq: 10, node: 'other', sourceName: 'a', sourceAddress: addr('a') },
      0,
    );
    assert.deepEqual(wrong.packets, []);
    assert.equal(c.stats().misdirectedPings, 1);
  });

  test('over TCP the ack brings our current alive along', () => {
    const c = core(['a']);
    const out = c.receive(
      addr('a'),
      { type: 'ping', seq: 3, node: 'self', sourceName: 'a', sourceAddress: addr('a') },
      0,
      true,
    );
    assert.equal(out.packets.length, 1);
    assert.equal(out.packets[0]?.reliable, true);
    assert.deepEqual(
      parts(out.packets[0]!.message).map((m) => m.type),
      ['ack', 'alive'],
    );
  });

  test('an indirect ping is relayed: the ack goes back under the original number, else a nack at 80%', () => {
    const c = core(['a', 'b']);
    const relay = c.receive(
      addr('a'),
      {
        type: 'indirect-ping',
        seq: 77,
        node: 'b',
        address: addr('b'),
        wantNack: true,
        sourceName: 'a',
        sourceAddress: addr('a'),
      },
      1000,
    );
    const ping = parts(relay.packets[0]!.message)[0];
    assert.equal(relay.packets[0]?.to, addr('b'));
    assert.ok(ping?.type === 'ping' && ping.node === 'b');
    const forwarded = c.receive(addr('b'), { type: 'ack', seq: ping.seq }, 1010);
    assert.deepEqual(
      forwarded.packets.map((p) => [p.to, parts(p.message)[0]]),
      [[addr('a'), { type: 'ack', seq: 77 }]],
    );

    const second = c.receive(
      addr('a'),
      {
        type: 'indirect-ping',
        seq: 78,
        node: 'b',
        address: addr('b'),
        wantNack: true,
        sourceName: 'a',
        sourceAddress: addr('a'),
      },
      2000,
    );
    assert.equal(second.packets.length, 1);
    assert.equal(c.nextWakeMs() <= 2400, true);
    const nack = c.tick(2400);
    assert.ok(
      nack.packets.some(
        (p) => p.to === addr('a') && parts(p.message).some((m) => m.type === 'nack' && m.seq === 78),
      ),
    );
  });
});

describe('gossip core: leave, force-leave, reap, conflicts', () => {
  test('a graceful leave is broadcast at once; afterwards news about us is not refuted', () => {
    const c = core(['a', 'b']);
    const out = c.leave(100);
    assert.ok(c.hasLeft);
    assert.equal(c.member('self')?.state, 'left');
    assert.ok(out.packets.some((p) => parts(p.message).some((m) => m.type === 'leave' && m.node === 'self')));
    c.receive(addr('a'), { type: 'dead', node: 'self', incarnation: 1, from: 'a' }, 200);
    assert.equal(c.incarnation, 1);
    // No more probes once we left.
    for (let t = 300; t < 5000; t += 100) {
      assert.deepEqual(
        c.tick(t).packets.filter((p) => parts(p.message).some((m) => m.type === 'ping')),
        [],
      );
    }
  });

  test('joining again after leaving makes us a live member with a new incarnation', () => {
    const c = core(['a']);
    c.leave(0);
    c.join([addr('a')], 10);
    assert.equal(c.member('self')?.state, 'alive');
    assert.equal(c.incarnation, 2);
  });

  test('force-leave marks a failed member left (and prunes it); unknown names are reported', () => {
    const c = core(['a', 'b'], deriveGossipConfig(GOSSIP_LAN, { lastCallTimeoutMs: 0 }));
    c.receive(addr('b'), { type: 'dead', node: 'a', incarnation: 1, from: 'b' }, 0);
    const left = c.forceLeave('a', 10);
    assert.equal(left.found, true);
    assert.deepEqual(eventNames(left), ['leave:a']);
    assert.equal(c.member('a')?.state, 'left');
    const pruned = c.forceLeave('b', 20, true);
    assert.deepEqual(eventNames(pruned), ['leave:b', 'reap:b']);
    assert.equal(c.member('b'), undefined);
    assert.equal(c.forceLeave('nobody', 30).found, false);
  });

  test('failed members are reaped after the reconnect timeout, departed ones after the shorter tombstone', () => {
    const config = deriveGossipConfig(GOSSIP_LAN, {
      reconnectTimeoutMs: 60_000,
      tombstoneTimeoutMs: 20_000,
      reapIntervalMs: 1000,
    });
    const c = core(['a', 'b', 'c'], config);
    c.receive(addr('b'), { type: 'dead', node: 'a', incarnation: 1, from: 'b' }, 0);
    c.receive(addr('b'), { type: 'leave', node: 'b', incarnation: 1 }, 0);
    const reaped: string[] = [];
    for (let t = 1000; t <= 61_000; t += 1000) {
      for (const name of eventNames(c.tick(t))) if (name.startsWith('reap')) reaped.push(`${t}:${name}`);
    }
    assert.deepEqual(reaped, ['20000:reap:b', '60000:reap:a']);
    assert.deepEqual(
      c
        .members()
        .map((m) => m.name)
        .sort(),
      ['c', 'self'],
    );
  });

  test('two addresses claiming one name: a conflict event, the first claim kept', () => {
    const c = core(['a']);
    const out = c.receive(
      addr('z'),
      { type: 'alive', node: 'a', address: addr('z'), incarnation: 9, meta: {} },
      0,
    );
    assert.deepEqual(eventNames(out), ['conflict:a']);
    assert.equal(c.member('a')?.address, addr('a'));
    const self = c.receive(
      addr('z'),
      { type: 'alive', node: 'self', address: addr('z'), incarnation: 9, meta: {} },
      0,
    );
    assert.deepEqual(eventNames(self), ['conflict:self']);
    assert.equal(c.incarnation, 1);
  });

  test("a dead member's name can be reclaimed by a new address after deadNodeReclaimMs", () => {
    const c = core(['a', 'b'], deriveGossipConfig(GOSSIP_LAN, { lastCallTimeoutMs: 0 }));
    c.receive(addr('b'), { type: 'dead', node: 'a', incarnation: 4, from: 'b' }, 0);
    const early = c.receive(
      addr('z'),
      { type: 'alive', node: 'a', address: addr('z'), incarnation: 1, meta: {} },
      29_999,
    );
    assert.deepEqual(eventNames(early), ['conflict:a']);
    const later = c.receive(
      addr('z'),
      { type: 'alive', node: 'a', address: addr('z'), incarnation: 1, meta: {} },
      30_000,
    );
    assert.deepEqual(eventNames(later), ['join:a']);
    assert.equal(c.member('a')?.address, addr('z'));
  });

  test('new tags take a new incarnation; others see an update', () => {
    const a = core(['b'], GOSSIP_LAN, 'a');
    const out = a.setMeta({ role: 'consul', dc: 'dc2', port: '8300' }, 0);
    assert.deepEqual(eventNames(out), ['update:a']);
    const b = core(['a'], GOSSIP_LAN, 'b');
    const seen = b.receive(
      addr('a'),
      { type: 'alive', node: 'a', address: addr('a'), incarnation: a.incarnation, meta: a.member('a')!.meta },
      1,
    );
    assert.deepEqual(eventNames(seen), ['update:a']);
    assert.equal(b.member('a')?.meta.dc, 'dc2');
  });
});

describe('gossip core: user events', () => {
  test('delivered locally and once per copy received, with Lamport times', () => {
    const a = core(['b'], GOSSIP_LAN, 'a');
    const b = core(['a'], GOSSIP_LAN, 'b');
    const fired = a.fireEvent('deploy', new TextEncoder().encode('v1'), 0);
    assert.deepEqual(eventNames(fired), ['user-event:deploy']);
    const gossip = a.tick(200);
    const event = gossip.packets.flatMap((p) => parts(p.message)).find((m) => m.type === 'user-event');
    assert.ok(event);
    assert.deepEqual(eventNames(b.receive(addr('a'), event, 201)), ['user-event:deploy']);
    assert.deepEqual(eventNames(b.receive(addr('a'), event, 202)), []);
    const next = b.fireEvent('deploy', new TextEncoder().encode('v2'), 300);
    const ltime = next.events[0]?.type === 'user-event' ? next.events[0].ltime : -1;
    assert.equal(ltime, 1, 'b witnessed ltime 0, so its next event is later');
  });

  test("name and payload over the limit are refused with Serf's message", () => {
    const a = core([]);
    assert.throws(
      () => a.fireEvent('e', new Uint8Array(512), 0),
      (err: unknown) =>
        err instanceof TribuneError &&
        err.code === 'TOO_LARGE' &&
        err.message === 'user event exceeds configured limit of 512 bytes before encoding',
    );
    assert.doesNotThrow(() => a.fireEvent('e', new Uint8Array(511), 0));
  });

  test('joining does not replay old events unless asked to', () => {
    for (const replayEvents of [false, true]) {
      const c = core([]);
      c.join([addr('seed')], 0, { replayEvents });
      const old = {
        type: 'user-event' as const,
        ltime: 3,
        name: 'old',
        payload: new Uint8Array(0),
        coalesce: true,
      };
      const out = c.receive(
        addr('seed'),
        {
          type: 'push-pull',
          join: true,
          reply: true,
          members: [snapshot('seed')],
          eventClock: 5,
          events: [old],
        },
        1,
      );
      assert.deepEqual(
        eventNames(out).filter((e) => e.startsWith('user-event')),
        replayEvents ? ['user-event:old'] : [],
      );
      const own = c.fireEvent('new', new Uint8Array(0), 2);
      assert.equal(
        own.events[0]?.type === 'user-event' && own.events[0].ltime >= 5,
        true,
        'the clock was adopted',
      );
    }
  });
});

describe('gossip core: invariants under random input', () => {
  test('property: no throw; counts match the table; we stay alive with a rising incarnation', () => {
    const names = ['a', 'b', 'c', 'd'];
    const name = fc.constantFrom(...names, 'self');
    const message = fc.oneof(
      fc.record({
        type: fc.constant('alive' as const),
        node: name,
        address: fc.constantFrom(addr('a'), addr('z')),
        incarnation: fc.nat(6),
        meta: fc.constant({}),
      }),
      fc.record({ type: fc.constant('suspect' as const), node: name, incarnation: fc.nat(6), from: name }),
      fc.record({ type: fc.constant('dead' as const), node: name, incarnation: fc.nat(6), from: name }),
      fc.record({ type: fc.constant('leave' as const), node: name, incarnation: fc.nat(6) }),
      fc.record({ type: fc.constant('ack' as const), seq: fc.nat(20) }),
      fc.record({ type: fc.constant('nack' as const), seq: fc.nat(20) }),
    );
    const step = fc.oneof(
      fc.record({ kind: fc.constant('receive' as const), message, dt: fc.nat(3000) }),
      fc.record({ kind: fc.constant('tick' as const), dt: fc.nat(5000) }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 80 }), (steps) => {
        const c = core(names);
        let now = 0;
        let incarnation = c.incarnation;
        for (const s of steps) {
          now += s.dt;
          const out = s.kind === 'tick' ? c.tick(now) : c.receive(addr('a'), s.message, now);
          for (const packet of out.packets) assert.equal(typeof packet.to, 'string');
          const members = c.members();
          const counts = c.memberCounts();
          for (const state of ['alive', 'suspect', 'dead', 'left'] as const) {
            assert.equal(counts[state], members.filter((m) => m.state === state).length);
          }
          assert.equal(c.member('self')?.state, 'alive');
          assert.ok(c.incarnation >= incarnation);
          incarnation = c.incarnation;
          assert.ok(c.awarenessScore >= 0 && c.awarenessScore < GOSSIP_LAN.awarenessMaxMultiplier);
          assert.ok(Number.isFinite(c.nextWakeMs()));
        }
      }),
    );
  });
});
