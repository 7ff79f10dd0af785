/**
 * One status for a set of checks, as Consul's api.HealthChecks.AggregatedStatus computes it:
 * maintenance > critical > warning > passing. A maintenance check counts by its ID whatever its
 * status; a status Consul does not know makes the whole answer '' (which the agent endpoints treat
 * as critical). No checks at all is passing.
 */

/** Consul's check ID for node maintenance (api.NodeMaint). */
export const NODE_MAINTENANCE_ID = '_node_maintenance';
/** Prefix of a service maintenance check's ID (api.ServiceMaintPrefix). */
export const SERVICE_MAINTENANCE_ID_PREFIX = '_service_maintenance:';

export type AggregatedStatus = 'passing' | 'warning' | 'critical' | 'maintenance' | '';

export interface StatusOfCheck {
  readonly CheckID: string;
  readonly Status: string;
}

export function isMaintenanceCheck(checkId: string): boolean {
  return checkId === NODE_MAINTENANCE_ID || checkId.startsWith(SERVICE_MAINTENANCE_ID_PREFIX);
}

export function aggregatedStatus(checks: Iterable<StatusOfCheck>): AggregatedStatus {
  let warning = false;
  let critical = false;
  let maintenance = false;
  for (const check of checks) {
    if (isMaintenanceCheck(check.CheckID)) {
      maintenance = true;
      continue;
    }
    if (check.Status === 'warning') warning = true;
    else if (check.Status === 'critical') critical = true;
    else if (check.Status !== 'passing') return '';
  }
  if (maintenance) return 'maintenance';
  if (critical) return 'critical';
  if (warning) return 'warning';
  return 'passing';
}

/**
 * The HTTP status the agent's health endpoints answer for an aggregated status, for load balancers:
 * 200 passing, 429 warning, 503 anything else (critical, maintenance, unknown).
 */
export function agentHealthHttpStatus(status: AggregatedStatus): 200 | 429 | 503 {
  if (status === 'passing') return 200;
  if (status === 'warning') return 429;
  return 503;
}
