/**
 * SWIM failure detection with Lifeguard's local-health-aware probe. Each probe interval one member,
 * in shuffled round-robin order, gets a direct ping; without an ack within the probe timeout, k others
 * are asked to ping it (and to nack if they cannot reach it either) while a TCP ping is tried; without
 * any ack by the end of the window the member is suspected. The window is the probe interval scaled by
 * our awareness score, which missed nacks raise and successful probes lower. Also the helper's side:
 * answering pings and relaying indirect ones.
 */
import { applyAwarenessDelta, scaleByAwareness } from './math.js';
import { aliveOf, type MemberRecord, type MemberTable } from './membership.js';
import type { IndirectPingMessage, PingMessage, SuspectMessage } from './messages.js';
import type { Outbox } from './outbox.js';

/** Indirect pings carried out at once for others; more are refused (a bound, not a tuning knob). */
export const MAX_PENDING_RELAYS = 1024;

/**
 * A helper sends its nack at this fraction of the probe timeout: the indirect ping reaches it a probe
 * timeout into the prober's window, so waiting the whole timeout would land the nack after the window
 * closes and the prober would wrongly blame itself.
 */
export const NACK_AT_FRACTION = 0.8;

export interface ProbeSettings {
  readonly probeIntervalMs: number;
  readonly probeTimeoutMs: number;
  readonly indirectChecks: number;
  readonly awarenessMaxMultiplier: number;
}

interface ActiveProbe {
  readonly seq: number;
  readonly target: string;
  readonly address: string;
  readonly startMs: number;
  readonly timeoutAtMs: number;
  readonly deadlineMs: number;
  indirect: boolean;
  expectedNacks: number;
  nacks: number;
}

/** An indirect ping we are carrying out for another member. */
interface Relay {
  readonly originSeq: number;
  readonly source: string;
  /** When to tell the prober we got no answer either (if it asked), unless an ack came first. */
  nackAtMs: number | undefined;
  /** When to stop waiting for the target's ack. */
  readonly expiresAtMs: number;
}

export class Prober {
  private probe: ActiveProbe | undefined;
  private readonly relays = new Map<number, Relay>();
  private seq = 0;
  private score = 0;
  private nextProbeAt: number;

  constructor(
    private readonly settings: ProbeSettings,
    private readonly self: MemberRecord,
    private readonly table: MemberTable,
    private readonly outbox: Outbox,
    firstProbeAtMs: number,
    /** Called when a probe fails: suspect the member (as ourselves). */
    private readonly onFailure: (target: MemberRecord) => void,
  ) {
    this.nextProbeAt = firstProbeAtMs;
  }

  /** Lifeguard's local health score: 0 is healthy. */
  get awareness(): number {
    return this.score;
  }

  adjustAwareness(delta: number): void {
    this.score = applyAwarenessDelta(this.score, delta, this.settings.awarenessMaxMultiplier);
  }

  nextWakeMs(probing: boolean): number {
    let wake = Number.POSITIVE_INFINITY;
    if (this.probe) wake = this.probe.indirect ? this.probe.deadlineMs : this.probe.timeoutAtMs;
    else if (probing) wake = this.nextProbeAt;
    for (const relay of this.relays.values()) wake = Math.min(wake, relay.nackAtMs ?? relay.expiresAtMs);
    return wake;
  }

  /** Probe and relay timeouts due at `now`: indirect probing, failures, nacks. */
  expire(now: number): void {
    const probe = this.probe;
    if (probe) {
      if (!probe.indirect && now >= probe.timeoutAtMs) this.probeIndirectly(probe);
      if (now >= probe.deadlineMs) this.fail(probe, now);
    }
    this.expireRelays(now);
  }

  /** Starts the next probe if one is due; when not probing (we left), drops any probe in flight. */
  startIfDue(now: number, probing: boolean): void {
    if (!probing) this.probe = undefined;
    else if (!this.probe && now >= this.nextProbeAt) this.start(now);
  }

  onPing(from: string, ping: PingMessage, reliable: boolean): void {
    // A ping meant for another name reached our address (a reused address): say nothing.
    if (ping.node !== '' && ping.node !== this.self.name) {
      this.outbox.counters.misdirectedPings += 1;
      return;
    }
    // Over a stream the answer goes back on that stream, and as nothing is piggybacked there, the ack
    // brings our current alive explicitly: a prober falling back to TCP may have missed our refutation.
    if (reliable) {
      this.outbox.sendReliable(from, {
        type: 'compound',
        parts: [{ type: 'ack', seq: ping.seq }, aliveOf(this.self)],
      });
    } else {
      this.outbox.sendUnreliable(ping.sourceAddress || from, { type: 'ack', seq: ping.seq });
    }
  }

  onAck(seq: number, reliable: boolean, now: number): void {
    const probe = this.probe;
    if (probe && probe.seq === seq) {
      this.probe = undefined;
      this.nextProbeAt = Math.max(now, probe.startMs + this.settings.probeIntervalMs);
      // Only a UDP ack is evidence that our own packets flow; the stream fallback proves nothing more.
      if (!reliable) this.adjustAwareness(-1);
      return;
    }
    const relay = this.relays.get(seq);
    if (relay) {
      this.relays.delete(seq);
      this.outbox.sendUnreliable(relay.source, { type: 'ack', seq: relay.originSeq });
    }
  }

  onNack(seq: number): void {
    if (this.probe && this.probe.seq === seq) this.probe.nacks += 1;
  }

  onIndirectPing(from: string, request: IndirectPingMessage, now: number): void {
    if (this.relays.size >= MAX_PENDING_RELAYS) {
      this.outbox.counters.relaysDropped += 1;
      return;
    }
    const seq = this.nextSeq();
    this.relays.set(seq, {
      originSeq: request.seq,
      source: request.sourceAddress || from,
      nackAtMs: request.wantNack
        ? now + Math.floor(NACK_AT_FRACTION * this.settings.probeTimeoutMs)
        : undefined,
      expiresAtMs: now + this.settings.probeTimeoutMs,
    });
    this.outbox.sendUnreliable(request.address, {
      type: 'ping',
      seq,
      node: request.node,
      sourceName: this.self.name,
      sourceAddress: this.self.address,
    });
  }

  private nextSeq(): number {
    this.seq = (this.seq + 1) % 0x1_0000_0000;
    return this.seq;
  }

  private pingFor(seq: number, target: MemberRecord): PingMessage {
    return {
      type: 'ping',
      seq,
      node: target.name,
      sourceName: this.self.name,
      sourceAddress: this.self.address,
    };
  }

  private start(now: number): void {
    const target = this.table.nextProbeTarget();
    if (!target) {
      this.nextProbeAt = now + this.settings.probeIntervalMs;
      return;
    }
    const seq = this.nextSeq();
    // Lifeguard: a member that doubts its own health gives peers longer before suspecting them.
    const window = scaleByAwareness(this.settings.probeIntervalMs, this.score);
    this.probe = {
      seq,
      target: target.name,
      address: target.address,
      startMs: now,
      timeoutAtMs: now + this.settings.probeTimeoutMs,
      deadlineMs: now + window,
      indirect: false,
      expectedNacks: 0,
      nacks: 0,
    };
    this.outbox.counters.probes += 1;
    const ping = this.pingFor(seq, target);
    if (target.state === 'alive') {
      this.outbox.sendUnreliable(target.address, ping);
      return;
    }
    this.outbox.sendUnreliable(target.address, this.suspectOf(target), ping);
  }

  /**
   * Tells a suspect it is suspected. The suspicion goes first in the packet, so the suspect's
   * refutation is queued before its ack is built and rides back on the ack.
   */
  private suspectOf(target: MemberRecord): SuspectMessage {
    return { type: 'suspect', node: target.name, incarnation: target.incarnation, from: this.self.name };
  }

  /** A suspect's last call before it is declared dead: a direct check over UDP and over TCP. */
  lastCall(target: MemberRecord): void {
    const ping = this.pingFor(this.nextSeq(), target);
    this.outbox.sendUnreliable(target.address, this.suspectOf(target), ping);
    this.outbox.sendReliable(target.address, { type: 'compound', parts: [this.suspectOf(target), ping] });
  }

  private probeIndirectly(probe: ActiveProbe): void {
    probe.indirect = true;
    const helpers = this.table.randomMembers(
      this.settings.indirectChecks,
      (r) => r !== this.self && r.name !== probe.target && r.state === 'alive',
    );
    const request: IndirectPingMessage = {
      type: 'indirect-ping',
      seq: probe.seq,
      node: probe.target,
      address: probe.address,
      wantNack: true,
      sourceName: this.self.name,
      sourceAddress: this.self.address,
    };
    for (const helper of helpers) {
      probe.expectedNacks += 1;
      this.outbox.sendUnreliable(helper.address, request);
    }
    this.outbox.counters.indirectProbes += helpers.length;
    // A member cut off from UDP but reachable over TCP should not be declared failed.
    const target = this.table.get(probe.target);
    if (target) {
      this.outbox.sendReliable(probe.address, this.pingFor(probe.seq, target));
      this.outbox.counters.tcpFallbacks += 1;
    }
  }

  private fail(probe: ActiveProbe, now: number): void {
    this.probe = undefined;
    this.nextProbeAt = Math.max(now, probe.startMs + this.settings.probeIntervalMs);
    this.outbox.counters.probeFailures += 1;
    // Lifeguard: missing nacks mean our own messages are not getting through; without helpers to
    // tell us, every failed probe counts against us.
    const missing = probe.expectedNacks > 0 ? Math.max(0, probe.expectedNacks - probe.nacks) : 1;
    this.adjustAwareness(missing);
    const target = this.table.get(probe.target);
    if (target && (target.state === 'alive' || target.state === 'suspect')) this.onFailure(target);
  }

  private expireRelays(now: number): void {
    for (const [seq, relay] of this.relays) {
      if (relay.nackAtMs !== undefined && now >= relay.nackAtMs) {
        relay.nackAtMs = undefined;
        this.outbox.sendUnreliable(relay.source, { type: 'nack', seq: relay.originSeq });
      }
      if (now >= relay.expiresAtMs) this.relays.delete(seq);
    }
  }
}
