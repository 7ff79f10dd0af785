/**
 * The member table: one record per known name, counts per state kept as states change, O(1) random
 * sampling, and the probe order (a shuffled round-robin over live members, reshuffled every round; a
 * newcomer is swapped into a random place so it is probed within about one round).
 */
import type { AliveMessage, MemberSnapshot, MemberState, NodeMeta } from './messages.js';
import { type Random, randomInt, shuffleInPlace } from './prng.js';

export interface MemberRecord {
  readonly name: string;
  address: string;
  meta: NodeMeta;
  incarnation: number;
  state: MemberState;
  stateChangeMs: number;
  /** Position in the table's list, for O(1) removal. */
  index: number;
}

/** A copy of a member for callers: never the live record. */
export interface MemberView extends MemberSnapshot {
  readonly stateChangeMs: number;
}

export function viewOf(record: MemberRecord): MemberView {
  return {
    name: record.name,
    address: record.address,
    meta: record.meta,
    incarnation: record.incarnation,
    state: record.state,
    stateChangeMs: record.stateChangeMs,
  };
}

export function snapshotOf(record: MemberRecord): MemberSnapshot {
  return {
    name: record.name,
    address: record.address,
    meta: record.meta,
    incarnation: record.incarnation,
    state: record.state,
  };
}

/** The alive message announcing a member as we hold it. */
export function aliveOf(record: MemberRecord): AliveMessage {
  const { name: node, address, incarnation, meta } = record;
  return { type: 'alive', node, address, incarnation, meta };
}

export function isLive(state: MemberState): boolean {
  return state === 'alive' || state === 'suspect';
}

export class MemberTable {
  private readonly list: MemberRecord[] = [];
  private readonly byName = new Map<string, MemberRecord>();
  private readonly counts: Record<MemberState, number> = { alive: 0, suspect: 0, dead: 0, left: 0 };
  private probeOrder: string[] = [];
  private probeIndex = 0;

  constructor(
    private readonly selfName: string,
    private readonly random: Random,
  ) {}

  get size(): number {
    return this.list.length;
  }

  count(state: MemberState): number {
    return this.counts[state];
  }

  get(name: string): MemberRecord | undefined {
    return this.byName.get(name);
  }

  values(): readonly MemberRecord[] {
    return this.list;
  }

  add(member: Omit<MemberRecord, 'index'>): MemberRecord {
    const record: MemberRecord = { ...member, index: this.list.length };
    this.list.push(record);
    this.byName.set(record.name, record);
    this.counts[record.state] += 1;
    if (record.name !== this.selfName) {
      // Append, then swap with a random slot: O(1), and the newcomer lands anywhere in the round.
      this.probeOrder.push(record.name);
      const last = this.probeOrder.length - 1;
      const slot = randomInt(this.random, last + 1);
      this.probeOrder[last] = this.probeOrder[slot] as string;
      this.probeOrder[slot] = record.name;
    }
    return record;
  }

  remove(name: string): MemberRecord | undefined {
    const record = this.byName.get(name);
    if (!record) return undefined;
    const last = this.list.pop() as MemberRecord;
    if (last !== record) {
      this.list[record.index] = last;
      last.index = record.index;
    }
    this.byName.delete(name);
    this.counts[record.state] -= 1;
    return record;
  }

  setState(record: MemberRecord, state: MemberState, nowMs: number): void {
    if (record.state === state) return;
    this.counts[record.state] -= 1;
    this.counts[state] += 1;
    record.state = state;
    record.stateChangeMs = nowMs;
  }

  /**
   * Up to k distinct members passing `accept`, chosen at random. Rejection sampling, bounded at 3 tries
   * per member, so it stays cheap when most members qualify and terminates when few do.
   */
  randomMembers(k: number, accept: (record: MemberRecord) => boolean): MemberRecord[] {
    const chosen: MemberRecord[] = [];
    if (k <= 0 || this.list.length === 0) return chosen;
    const tries = 3 * this.list.length + 3 * k;
    for (let i = 0; i < tries && chosen.length < k; i++) {
      const candidate = this.list[randomInt(this.random, this.list.length)] as MemberRecord;
      if (!chosen.includes(candidate) && accept(candidate)) chosen.push(candidate);
    }
    return chosen;
  }

  /** The next member to probe: live, not ourselves; undefined when there is none. */
  nextProbeTarget(): MemberRecord | undefined {
    for (let guard = 0; guard <= 2 * (this.probeOrder.length + 1); guard++) {
      if (this.probeIndex >= this.probeOrder.length) {
        if (!this.resetProbeOrder()) return undefined;
      }
      const name = this.probeOrder[this.probeIndex++] as string;
      const record = this.byName.get(name);
      if (record && name !== this.selfName && isLive(record.state)) return record;
    }
    return undefined;
  }

  /** A new shuffled round over the live members; false when there are none to probe. */
  private resetProbeOrder(): boolean {
    this.probeOrder = [];
    for (const record of this.list) {
      if (record.name !== this.selfName && isLive(record.state)) this.probeOrder.push(record.name);
    }
    shuffleInPlace(this.probeOrder, this.random);
    this.probeIndex = 0;
    return this.probeOrder.length > 0;
  }
}
