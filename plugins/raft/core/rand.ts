/**
 * A small seeded PRNG (sfc32, seeded through splitmix32) so that every random choice — election
 * timeouts in the core, faults in the simulator — replays exactly from one seed. `split()` derives
 * an independent stream per component, so adding draws in one place does not shift the others.
 */

export interface Rand {
  /** A uniformly distributed unsigned 32-bit integer. */
  u32(): number;
  /** An integer in [lo, hi). */
  int(lo: number, hi: number): number;
  /** A float in [0, 1). */
  float(): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** A new generator whose stream is independent of this one's later draws. */
  split(label?: string): Rand;
}

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** FNV-1a of a label, to mix component names into split seeds. */
function hashLabel(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

class Sfc32 implements Rand {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    const mix = splitmix32(seed);
    this.a = mix();
    this.b = mix();
    this.c = mix();
    this.d = 1;
    // Discard the first outputs: sfc32 needs a few rounds to decorrelate from the seed.
    for (let i = 0; i < 12; i++) this.u32();
  }

  u32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  float(): number {
    return this.u32() / 4294967296;
  }

  int(lo: number, hi: number): number {
    if (!(Number.isInteger(lo) && Number.isInteger(hi) && hi > lo)) {
      throw new RangeError(`rand.int needs integers lo < hi, got [${lo}, ${hi})`);
    }
    return lo + Math.floor(this.float() * (hi - lo));
  }

  chance(p: number): boolean {
    return p > 0 && this.float() < p;
  }

  split(label = ''): Rand {
    return new Sfc32((this.u32() ^ hashLabel(label)) >>> 0);
  }
}

/** A generator seeded with `seed` (any integer; only its low 32 bits count). */
export function seededRand(seed: number): Rand {
  return new Sfc32(seed >>> 0);
}
