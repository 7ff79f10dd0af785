import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TribuneError } from '../../core/errors.js';
import {
  deriveGossipConfig,
  GOSSIP_LAN,
  GOSSIP_LOCAL,
  GOSSIP_PROFILES,
  GOSSIP_WAN,
  validateGossipConfig,
} from '../../plugins/gossip/core/config.js';

// performance-anchors.md 6.2 (memberlist config.go): LAN, WAN, Local.
const TABLE = {
  probeIntervalMs: [1000, 5000, 1000],
  probeTimeoutMs: [500, 3000, 200],
  gossipIntervalMs: [200, 500, 100],
  gossipNodes: [3, 4, 3],
  indirectChecks: [3, 3, 1],
  retransmitMult: [4, 4, 2],
  suspicionMult: [4, 6, 3],
  suspicionMaxTimeoutMult: [6, 6, 6],
  pushPullIntervalMs: [30_000, 60_000, 15_000],
  tcpTimeoutMs: [10_000, 30_000, 1000],
  awarenessMaxMultiplier: [8, 8, 8],
  gossipToTheDeadMs: [30_000, 60_000, 15_000],
  udpBufferSize: [1400, 1400, 1400],
} as const;

describe('gossip profiles', () => {
  for (const [key, [lan, wan, local]] of Object.entries(TABLE) as [keyof typeof TABLE, readonly number[]][]) {
    test(`${key}: LAN ${lan}, WAN ${wan}, LOCAL ${local}`, () => {
      assert.equal(GOSSIP_LAN[key], lan);
      assert.equal(GOSSIP_WAN[key], wan);
      assert.equal(GOSSIP_LOCAL[key], local);
    });
  }

  test('WAN and LOCAL keep every LAN value they do not override', () => {
    for (const key of [
      'awarenessMaxMultiplier',
      'udpBufferSize',
      'reconnectTimeoutMs',
      'eventBufferSize',
    ] as const) {
      assert.equal(GOSSIP_WAN[key], GOSSIP_LAN[key]);
      assert.equal(GOSSIP_LOCAL[key], GOSSIP_LAN[key]);
    }
  });

  test("Serf and Consul's membership settings", () => {
    assert.equal(GOSSIP_LAN.reconnectTimeoutMs, 72 * 3600 * 1000);
    assert.equal(GOSSIP_LAN.tombstoneTimeoutMs, 24 * 3600 * 1000);
    assert.ok(
      GOSSIP_LAN.tombstoneTimeoutMs < GOSSIP_LAN.reconnectTimeoutMs,
      'left members are reaped sooner',
    );
    assert.equal(GOSSIP_LAN.reconnectIntervalMs, 30_000);
    assert.equal(GOSSIP_LAN.eventBufferSize, 512);
    assert.equal(GOSSIP_LAN.userEventSizeLimit, 512);
    assert.equal(GOSSIP_LAN.deadNodeReclaimMs, 30_000);
  });

  test('profiles are frozen and valid', () => {
    for (const profile of Object.values(GOSSIP_PROFILES)) {
      assert.ok(Object.isFrozen(profile));
      validateGossipConfig(profile);
    }
    assert.throws(() => {
      (GOSSIP_LAN as { probeIntervalMs: number }).probeIntervalMs = 1;
    }, TypeError);
  });

  test('derive replaces only the given values', () => {
    const tuned = deriveGossipConfig(GOSSIP_LAN, { gossipNodes: 5, probeIntervalMs: undefined });
    assert.equal(tuned.gossipNodes, 5);
    assert.equal(tuned.probeIntervalMs, 1000);
    assert.equal(GOSSIP_LAN.gossipNodes, 3);
  });

  test('invalid values are configuration errors', () => {
    const bad: [Partial<typeof GOSSIP_LAN>, RegExp][] = [
      [{ gossipNodes: -1 }, /gossipNodes must be an integer of at least 0/],
      [{ probeIntervalMs: 1.5 }, /probeIntervalMs must be an integer/],
      [{ awarenessMaxMultiplier: 0 }, /awarenessMaxMultiplier/],
      [
        { probeTimeoutMs: 1000 },
        /probe timeout \(1000ms\) must be shorter than the probe interval \(1000ms\)/,
      ],
    ];
    for (const [overrides, message] of bad) {
      assert.throws(
        () => deriveGossipConfig(GOSSIP_LAN, overrides),
        (err: unknown) =>
          err instanceof TribuneError && err.code === 'CONFIG_INVALID' && message.test(err.message),
      );
    }
  });
});
