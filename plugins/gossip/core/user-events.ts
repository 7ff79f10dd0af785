/**
 * User events, as Serf orders and de-duplicates them: a Lamport clock stamps each event; a ring of the
 * last `size` Lamport times remembers which (name, payload) pairs were seen at each, so an event that
 * arrives again by another gossip path, or inside a push-pull, is delivered once. Events older than the
 * ring, or older than the clock we joined at, are dropped.
 */
import type { UserEventMessage } from './messages.js';

export class LamportClock {
  private value = 0;

  get time(): number {
    return this.value;
  }

  increment(): number {
    this.value += 1;
    return this.value;
  }

  /** Moves past a time seen from another member. */
  witness(time: number): void {
    if (time >= this.value) this.value = time + 1;
  }
}

interface Slot {
  ltime: number;
  events: UserEventMessage[];
}

/** A slot keeps at most this many distinct events for one Lamport time; beyond it they are dropped. */
const MAX_EVENTS_PER_LTIME = 64;

function samePayload(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class UserEventBuffer {
  private readonly slots: (Slot | undefined)[];
  /** Events below this Lamport time are ignored (set when joining without replaying old events). */
  private minTime = 0;

  constructor(private readonly size: number) {
    this.slots = new Array<Slot | undefined>(size);
  }

  get minimumTime(): number {
    return this.minTime;
  }

  ignoreBefore(time: number): void {
    if (time > this.minTime) this.minTime = time;
  }

  /**
   * Records the event if it is new and recent enough relative to `clockTime` (the clock after
   * witnessing it). True when it should be delivered and re-gossiped.
   */
  accept(event: UserEventMessage, clockTime: number): boolean {
    if (event.ltime < this.minTime) return false;
    if (clockTime > this.size && event.ltime < clockTime - this.size) return false;
    const index = event.ltime % this.size;
    const slot = this.slots[index];
    if (slot && slot.ltime === event.ltime) {
      for (const seen of slot.events) {
        if (seen.name === event.name && samePayload(seen.payload, event.payload)) return false;
      }
      if (slot.events.length >= MAX_EVENTS_PER_LTIME) return false;
      slot.events.push(event);
      return true;
    }
    this.slots[index] = { ltime: event.ltime, events: [event] };
    return true;
  }

  /** Everything remembered, oldest Lamport time first (for push-pull). */
  recent(): UserEventMessage[] {
    const slots = this.slots.filter((slot): slot is Slot => slot !== undefined);
    slots.sort((a, b) => a.ltime - b.ltime);
    return slots.flatMap((slot) => slot.events);
  }
}
