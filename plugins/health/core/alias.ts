/**
 * Alias checks: the aggregate health of another service instance (alias_service on alias_node,
 * default this node) or of a node (alias_node alone). The checks that count are the node's own
 * checks and the aliased service's checks: any critical → critical, else any warning → warning,
 * else passing. A service that is not registered on that node makes the alias critical. Pure.
 */
import type { CheckStatus } from '../../../core/hooks.js';
import type { CheckResult } from './thresholds.js';

export interface AliasedCheck {
  Node: string;
  CheckID: string;
  Name: string;
  Status: CheckStatus;
  Output: string;
  ServiceID: string;
}

export interface AliasTarget {
  node: string;
  /** '' aliases the node itself. */
  serviceId: string;
}

export interface AliasFacts {
  /** The node's checks (any order; others are ignored). */
  checks: readonly AliasedCheck[];
  /** Whether the target (the service on that node, or the node) is registered. */
  targetExists: boolean;
  /** The alias check itself, when it lives on the aliased node: never counted. */
  self?: { node: string; checkId: string };
}

const sameNode = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

export function aliasHealth(target: AliasTarget, facts: AliasFacts): CheckResult {
  let status: CheckStatus = 'passing';
  let output = 'No checks found.';
  let targetSeen = false;
  for (const check of facts.checks) {
    if (!sameNode(check.Node, target.node)) continue;
    if (facts.self && sameNode(check.Node, facts.self.node) && check.CheckID === facts.self.checkId) continue;
    if (check.ServiceID !== '' && check.ServiceID !== target.serviceId) continue;
    if (check.ServiceID === target.serviceId) targetSeen = true;
    if (check.Status === 'critical') {
      return finish(target, facts, true, 'critical', failing(check));
    }
    if (check.Status === 'warning') {
      status = 'warning';
      output = failing(check);
    } else if (status === 'passing') {
      output = 'All checks passing.';
    }
  }
  return finish(target, facts, targetSeen, status, output);
}

function failing(check: AliasedCheck): string {
  return `Aliased check ${JSON.stringify(check.Name)} failing: ${check.Output}`;
}

function finish(
  target: AliasTarget,
  facts: AliasFacts,
  targetSeen: boolean,
  status: CheckStatus,
  output: string,
): CheckResult {
  if (!targetSeen && !facts.targetExists) {
    const missing =
      target.serviceId === ''
        ? `Node ${target.node} could not be found`
        : `Service ${target.serviceId} could not be found on node ${target.node}`;
    return { status: 'critical', output: missing };
  }
  return { status, output };
}
