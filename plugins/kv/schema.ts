/** Config keys the kv plugin owns. */
export const kvConfigSchema = {
  /** Consul's opt-out of KV key validation (traversal, leading/trailing spaces); keep it off. */
  disable_kv_key_validation: { type: 'boolean', default: false },
} as const;

export interface KvConfig {
  disable_kv_key_validation?: boolean;
}
