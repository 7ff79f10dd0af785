/**
 * What the answer logic reads: a read-only snapshot of the catalog, with each service instance's
 * aggregate health. plugins/dns/catalog-view.ts builds it over the state store; tests build it by hand.
 * A method may throw when the data cannot be read: the answer is then SERVFAIL.
 */

export type InstanceHealth = 'passing' | 'warning' | 'critical';

export interface DnsNode {
  name: string;
  /** IP address or hostname. */
  address: string;
  datacenter: string;
  meta: Readonly<Record<string, string>>;
}

export interface DnsServiceInstance {
  node: DnsNode;
  /** The service ID. */
  id: string;
  /** The service name. */
  service: string;
  tags: readonly string[];
  /** The service's own address; '' when it uses the node's. */
  address: string;
  port: number;
  weights: { passing: number; warning: number };
  /** Worst status among the node's checks and the service's own checks (passing when there are none). */
  health: InstanceHealth;
}

export interface DnsCatalogView {
  /** This agent's datacenter (the only one served until federation exists). */
  readonly datacenter: string;
  /** Every instance of the service (name compared case-insensitively), healthy or not. */
  serviceInstances(name: string): readonly DnsServiceInstance[];
  /** The node by name, compared case-insensitively. */
  node(name: string): DnsNode | undefined;
}
