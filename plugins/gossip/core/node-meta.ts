/**
 * A member's tags as Consul's agents gossip them (its Serf tags): role "consul" for a server and "node"
 * for a client, the datacenter, the node ID, the build, and for servers the server RPC port. Extra tags
 * pass through. Reading is tolerant: a tag missing or malformed reads as absent.
 */
import type { NodeMeta } from './messages.js';

export interface NodeMetaFields {
  server: boolean;
  datacenter: string;
  nodeId: string;
  build: string;
  /** The server RPC port (servers only). */
  serverPort?: number;
  extra?: Readonly<Record<string, string>>;
}

export function nodeMeta(fields: NodeMetaFields): NodeMeta {
  const meta: Record<string, string> = {
    ...fields.extra,
    role: fields.server ? 'consul' : 'node',
    dc: fields.datacenter,
    id: fields.nodeId,
    build: fields.build,
  };
  if (fields.server && fields.serverPort !== undefined) meta.port = String(fields.serverPort);
  return Object.freeze(meta);
}

export interface ParsedNodeMeta {
  server: boolean;
  datacenter: string | undefined;
  nodeId: string | undefined;
  build: string | undefined;
  serverPort: number | undefined;
}

export function readNodeMeta(meta: NodeMeta): ParsedNodeMeta {
  const port = meta.port === undefined ? Number.NaN : Number(meta.port);
  return {
    server: meta.role === 'consul',
    datacenter: meta.dc,
    nodeId: meta.id,
    build: meta.build,
    serverPort: Number.isInteger(port) && port > 0 && port < 65536 ? port : undefined,
  };
}
