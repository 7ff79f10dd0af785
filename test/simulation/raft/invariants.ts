/**
 * The safety properties checked while a simulation runs (Raft paper, Figure 3, plus reads):
 *  - election safety: at most one leader per term;
 *  - log matching: two logs holding an entry with the same index and term hold the same entry
 *    and agree on the term of the entry before it (so, inductively, on the whole prefix);
 *  - leader completeness: a new leader holds every entry known to be committed;
 *  - state machine safety: every server applies the same entry at an index, so applied
 *    prefixes are identical (checked through a running hash);
 *  - monotonic commit and apply within a server's lifetime, and of its synced commit index;
 *  - read safety: a read's index is at least every commit index observed before it was asked.
 */
import type { Entry, NodeId } from '../../../plugins/raft/core/types.js';
import { type MachineState, mixHash } from './sim-node.js';

export class InvariantViolation extends Error {}

function violation(message: string): never {
  throw new InvariantViolation(message);
}

function entryKey(e: Entry): string {
  return `${e.type}:${[...e.data].join(',')}`;
}

interface LogFact {
  readonly key: string;
  /** Term of the previous entry, or -1 where the logger could not tell (compacted). */
  readonly prevTerm: number;
}

export class InvariantChecker {
  private readonly leaders = new Map<number, NodeId>();
  /** (index, term) -> what the entry is. */
  private readonly logFacts = new Map<string, LogFact>();
  /**
   * index -> term of the entry committed there, and the term of the server that first saw it
   * committed: the leader that committed it (followers learn commits only a message later).
   */
  private readonly committedTerms = new Map<number, { term: number; committedIn: number }>();
  /** index -> the entry applied there and the machine hash after it. */
  private readonly applied = new Map<number, { key: string; term: number; hash: number }>();
  /** The highest commit index any server has reached. */
  maxCommit = 0;
  /** Leaders seen, for statistics. */
  leaderTerms = 0;

  /** Election safety (and leader completeness, the first time a leader is seen in its term). */
  leader(id: NodeId, term: number, termOf: (index: number) => number | undefined, firstIndex: number): void {
    const known = this.leaders.get(term);
    if (known === id) return;
    if (known !== undefined) violation(`two leaders in term ${term}: ${known} and ${id}`);
    this.leaders.set(term, id);
    this.leaderTerms++;
    // Raft guarantees entries committed in earlier terms; an older term's leader may still
    // commit after this one won, without this one holding those entries.
    for (const [index, c] of this.committedTerms) {
      if (index < firstIndex || c.committedIn >= term) continue;
      const t = termOf(index);
      if (t !== c.term) {
        violation(`leader ${id} of term ${term} lacks committed entry ${c.term}/${index} (has term ${t})`);
      }
    }
  }

  /** Log matching, for entries a server is about to persist. */
  entries(id: NodeId, entries: readonly Entry[], termOf: (index: number) => number | undefined): void {
    for (const e of entries) {
      const fact: LogFact = { key: entryKey(e), prevTerm: termOf(e.index - 1) ?? -1 };
      const name = `${e.index}/${e.term}`;
      const known = this.logFacts.get(name);
      if (!known) {
        this.logFacts.set(name, fact);
        continue;
      }
      if (known.key !== fact.key)
        violation(`log matching: ${id} holds a different entry at ${e.term}/${e.index}`);
      if (known.prevTerm >= 0 && fact.prevTerm >= 0 && known.prevTerm !== fact.prevTerm) {
        violation(`log matching: ${id} has term ${fact.prevTerm} before ${name}, others ${known.prevTerm}`);
      }
    }
  }

  /** A server's commit index moved: record the terms it committed and check them. */
  committed(
    id: NodeId,
    currentTerm: number,
    from: number,
    to: number,
    termOf: (index: number) => number | undefined,
  ): void {
    for (let i = from + 1; i <= to; i++) {
      const t = termOf(i);
      if (t === undefined) continue;
      const known = this.committedTerms.get(i);
      if (known === undefined) this.committedTerms.set(i, { term: t, committedIn: currentTerm });
      else if (known.term !== t)
        violation(`${id} committed term ${t} at ${i}, another server term ${known.term}`);
    }
    if (to > this.maxCommit) this.maxCommit = to;
  }

  /** State machine safety: applying `e` on top of `before`; returns the new machine state. */
  apply(id: NodeId, before: MachineState, e: Entry): MachineState {
    if (e.index !== before.index + 1) violation(`${id} applied ${e.index} right after ${before.index}`);
    const hash = mixHash(before.hash, e);
    const key = entryKey(e);
    const known = this.applied.get(e.index);
    if (!known) {
      this.applied.set(e.index, { key, term: e.term, hash });
    } else if (known.key !== key || known.term !== e.term) {
      violation(`${id} applied a different entry at ${e.index} (term ${e.term} vs ${known.term})`);
    } else if (known.hash !== hash) {
      violation(`${id} reached a different state at ${e.index}: applied prefixes differ`);
    }
    return { index: e.index, hash };
  }

  /** A state machine restored from a snapshot must equal the one every server had there. */
  restored(id: NodeId, state: MachineState): void {
    const known = this.applied.get(state.index);
    if (known && known.hash !== state.hash)
      violation(`${id} restored a snapshot at ${state.index} with another state`);
  }

  monotonic(id: NodeId, what: string, before: number, after: number): void {
    if (after < before) violation(`${id} ${what} went backwards: ${before} -> ${after}`);
  }

  read(id: NodeId, requestId: string, index: number, atLeast: number): void {
    if (index < atLeast) {
      violation(
        `${id} read ${requestId} at index ${index}, but ${atLeast} was committed before it was asked`,
      );
    }
  }
}
