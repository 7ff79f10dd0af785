/** What changed between two configurations; carried by onConfigReload. Computed by diffConfig in load.ts. */
import type { AgentConfig, ServiceCheckDefinition, ServiceDefinition } from './types.js';

export interface ConfigDiff {
  previous: AgentConfig;
  next: AgentConfig;
  services: { added: ServiceDefinition[]; changed: ServiceDefinition[]; removed: ServiceDefinition[] };
  checks: {
    added: ServiceCheckDefinition[];
    changed: ServiceCheckDefinition[];
    removed: ServiceCheckDefinition[];
  };
  watchesChanged: boolean;
  templatesChanged: boolean;
  pluginsChanged: boolean;
  logLevelChanged: boolean;
  /** Every other top-level key whose value changed. */
  changedKeys: string[];
  /**
   * What a plugin could not apply. Taps append here instead of throwing, so every plugin gets its turn;
   * the reload then reports all of them.
   */
  problems: string[];
}
