/**
 * Leader leases, for reads that skip the heartbeat round (Consul's default consistency mode).
 *
 * Why it is safe: with check-quorum on, a follower that heard from its leader ignores every vote
 * and pre-vote request (except a leadership transfer the leader started) until it has ticked
 * `electionTimeout` times without hearing from it again. The leader stamps each MsgApp,
 * MsgHeartbeat and MsgSnap with its own tick count; followers echo the stamp. If a quorum of
 * voters echoed stamps >= s, no other leader can be elected before each of them has ticked
 * `electionTimeout` times after receiving stamp s — so while the leader's own count is within
 * `leaseTicks` of s, nobody else can have committed anything, and its commit index is current.
 *
 * The bound: leaseTicks = electionTimeout - 2 - driftTicks.
 *  - 2 ticks cover tick granularity: the follower may tick just after receiving (so it waits
 *    only electionTimeout - 1 whole periods), and the leader's count lags real time by up to one.
 *  - driftTicks covers clocks running at different rates: if a follower's ticks may come up to
 *    a factor (1 + ρ) faster than the leader's, driftTicks >= (electionTimeout - 1)·ρ/(1 + ρ)
 *    is enough. The default, ceil(electionTimeout / 10), tolerates ρ ≈ 11 %.
 * The driver must deliver every elapsed tick on the leader (tick again for each interval missed
 * while the event loop stalled, by the monotonic clock) — a leader that under-counts time would
 * overrun its lease. A restarted server forgets whom it heard from, so after a restart the core
 * ignores votes for its first electionTimeout ticks (raft.ts, `inLease`).
 * The lease is void in a term in which the leader sent MsgTimeoutNow, and before the leader has
 * committed an entry of its own term (its commit index may be behind until then).
 */
import { majorityValue } from './quorum.js';
import type { NodeId } from './types.js';

export function defaultLeaseDriftTicks(electionTimeout: number): number {
  return Math.max(1, Math.ceil(electionTimeout / 10));
}

export function leaseTicks(electionTimeout: number, driftTicks: number): number {
  return electionTimeout - 2 - driftTicks;
}

/**
 * Whether the lease holds at tick `now`: the stamp a quorum of voters has echoed (the leader's
 * own counts as `now`) is less than `lease` ticks old.
 */
export function leaseHolds(
  now: number,
  lease: number,
  self: NodeId,
  voters: Iterable<NodeId>,
  stampOf: (id: NodeId) => number,
): boolean {
  if (lease <= 0) return false;
  const quorumStamp = majorityValue(voters, (id) => (id === self ? now : stampOf(id)));
  return now - quorumStamp < lease;
}
