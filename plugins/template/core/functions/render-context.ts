/**
 * What the data functions of one render share: the data source, and the dependencies seen so far —
 * all of them (used) and those whose data has not arrived (missing), keyed by id in first-use order.
 */
import type { DataSource, Dependency, DependencyResults, Missing } from './data-source.js';
import { MISSING } from './data-source.js';

export class RenderContext {
  readonly used = new Map<string, Dependency>();
  readonly missing = new Map<string, Dependency>();

  constructor(readonly data: DataSource) {}

  /** Records the dependency and returns its data, or MISSING (and records it as missing). */
  fetch<D extends Dependency>(dependency: D): DependencyResults[D['kind']] | Missing {
    this.used.set(dependency.id, dependency);
    const result = this.data.fetch(dependency);
    if (result === MISSING) this.missing.set(dependency.id, dependency);
    return result;
  }

  /** Marks a dependency missing although data arrived (safeLs/safeTree refusing an empty result). */
  refuse(dependency: Dependency): void {
    this.missing.set(dependency.id, dependency);
  }
}

/** A data source with nothing in it, for listing function names (parse time needs only names). */
export const EMPTY_DATA_SOURCE: DataSource = {
  fetch: () => MISSING,
  env: () => undefined,
  now: () => 0,
};
