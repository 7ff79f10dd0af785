/**
 * Membership changes as log entries: one server at a time (add voter, add learner, promote a
 * learner with add-voter, remove), encoded as UTF-8 JSON in a conf-change entry.
 */
import { TribuneError } from '../../../core/errors.js';
import type { ConfChange, ConfChangeType, ConfState } from './types.js';

const TYPES: readonly ConfChangeType[] = ['add-voter', 'add-learner', 'remove-node'];

export function encodeConfChange(change: ConfChange): Uint8Array {
  const body: Record<string, string> = { type: change.type, nodeId: change.nodeId };
  if (change.context !== undefined) body.context = change.context;
  return new TextEncoder().encode(JSON.stringify(body));
}

export function decodeConfChange(data: Uint8Array): ConfChange {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(data));
  } catch (err) {
    throw new TribuneError('STORAGE_CORRUPT', 'raft conf-change entry is not valid JSON', {}, { cause: err });
  }
  if (typeof parsed !== 'object' || parsed === null) {
    throw new TribuneError('STORAGE_CORRUPT', 'raft conf-change entry is not an object');
  }
  const { type, nodeId, context } = parsed as Record<string, unknown>;
  const known = TYPES.find((t) => t === type);
  if (!known || typeof nodeId !== 'string' || nodeId === '') {
    throw new TribuneError('STORAGE_CORRUPT', 'raft conf-change entry has no valid type and nodeId');
  }
  if (context !== undefined && typeof context !== 'string') {
    throw new TribuneError('STORAGE_CORRUPT', 'raft conf-change context must be a string');
  }
  return context === undefined ? { type: known, nodeId } : { type: known, nodeId, context };
}

/** Why `change` cannot apply to `conf`, or undefined when it can. */
export function confChangeProblem(conf: ConfState, change: ConfChange): string | undefined {
  const voter = conf.voters.includes(change.nodeId);
  const learner = conf.learners.includes(change.nodeId);
  switch (change.type) {
    case 'add-voter':
      return voter ? `${change.nodeId} is already a voter` : undefined;
    case 'add-learner':
      if (voter) return `${change.nodeId} is a voter; demotion is not supported`;
      return learner ? `${change.nodeId} is already a learner` : undefined;
    case 'remove-node':
      if (!voter && !learner) return `${change.nodeId} is not a member`;
      return voter && conf.voters.length === 1 ? 'cannot remove the last voter' : undefined;
  }
}

export function describeConfChange(change: ConfChange): string {
  return `${change.type} ${change.nodeId}`;
}
