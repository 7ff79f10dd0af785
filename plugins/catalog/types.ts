/**
 * Catalog rows and commands, in Consul's field names so that the API shapes fall out of them.
 * Tables: 'nodes' keyed by node name; 'services' keyed `<node>/<serviceID>`; 'checks' keyed `<node>/<checkID>`.
 */
import type { CheckStatus } from '../../core/hooks.js';

export interface NodeRow {
  ID: string;
  Node: string;
  Address: string;
  Datacenter: string;
  TaggedAddresses: Record<string, string>;
  Meta: Record<string, string>;
  CreateIndex: number;
  ModifyIndex: number;
}

export interface ServiceAddress {
  Address: string;
  Port: number;
}

export interface ServiceRow {
  Node: string;
  Kind: string;
  ID: string;
  /** The service name (Consul calls the field Service). */
  Service: string;
  Tags: string[];
  Address: string;
  TaggedAddresses: Record<string, ServiceAddress> | null;
  Meta: Record<string, string>;
  Port: number;
  SocketPath: string;
  Weights: { Passing: number; Warning: number };
  EnableTagOverride: boolean;
  CreateIndex: number;
  ModifyIndex: number;
}

export interface CheckDefinitionRow {
  HTTP?: string;
  Header?: Record<string, string[]>;
  Method?: string;
  Body?: string;
  TLSServerName?: string;
  TLSSkipVerify?: boolean;
  TCP?: string;
  UDP?: string;
  GRPC?: string;
  GRPCUseTLS?: boolean;
  Interval?: string;
  Timeout?: string;
  DeregisterCriticalServiceAfter?: string;
}

export interface CheckRow {
  Node: string;
  CheckID: string;
  Name: string;
  Status: CheckStatus;
  Notes: string;
  Output: string;
  ServiceID: string;
  ServiceName: string;
  ServiceTags: string[];
  Type: string;
  Interval: string;
  Timeout: string;
  ExposedPort: number;
  Definition: CheckDefinitionRow;
  CreateIndex: number;
  ModifyIndex: number;
}

/** Input rows: what a register carries, before the indexes are stamped at apply. */
export type NodeInput = Omit<NodeRow, 'CreateIndex' | 'ModifyIndex'>;
export type ServiceInput = Omit<ServiceRow, 'Node' | 'CreateIndex' | 'ModifyIndex'>;
export type CheckInput = Omit<
  CheckRow,
  'Node' | 'ServiceName' | 'ServiceTags' | 'CreateIndex' | 'ModifyIndex'
>;

/** Consul's RegisterRequest: a node, optionally one service, and any checks, in one atomic write. */
export interface CatalogRegisterCommand {
  type: 'catalog.register';
  node: NodeInput;
  /** When true the node row is left as it is (only created if missing). */
  skipNodeUpdate: boolean;
  service: ServiceInput | null;
  checks: CheckInput[];
}

/** Consul's DeregisterRequest: with neither id, the node and everything on it. */
export interface CatalogDeregisterCommand {
  type: 'catalog.deregister';
  node: string;
  serviceId: string | null;
  checkId: string | null;
}

export const nodeKey = (node: string): string => node;
export const serviceKey = (node: string, serviceId: string): string => `${node}/${serviceId}`;
export const checkKey = (node: string, checkId: string): string => `${node}/${checkId}`;
