/**
 * Leader-only catalog upkeep: the leader keeps every member's node, its `serfHealth` check and, for
 * servers, the `consul` service in the catalog. Each reconcile first compares with what the catalog
 * holds and writes only a difference, so repeating it (every election, every gossip event) is free.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { AgentConfig } from '../../core/config/types.js';
import { type Member, MemberStatus } from '../../core/hooks.js';
import type { Kernel } from '../../core/kernel.js';
import { proposeCatalog, registerWouldChange } from './fsm.js';
import { getNode } from './queries.js';
import type {
  CatalogDeregisterCommand,
  CatalogRegisterCommand,
  CheckInput,
  NodeInput,
  ServiceInput,
} from './types.js';

export const SERF_CHECK_ID = 'serfHealth';
export const SERF_CHECK_NAME = 'Serf Health Status';
export const SERF_ALIVE_OUTPUT = 'Agent alive and reachable';
export const SERF_FAILED_OUTPUT = 'Agent not live or unreachable';
export const CONSUL_SERVICE_ID = 'consul';

/** The LAN address this agent advertises; a wildcard bind advertises loopback. */
function advertiseAddress(config: AgentConfig): string {
  if (config.advertise_addr) return config.advertise_addr;
  const bind = config.bind_addr ?? '';
  return bind === '0.0.0.0' || bind === '::' ? '127.0.0.1' : bind;
}

/** Node meta key Consul adds for the network segment ('' outside Enterprise). */
const SEGMENT_META_KEY = 'consul-network-segment';

/**
 * This agent's own node as the catalog should hold it: the single definition that the leader's
 * reconcile and the agent's anti-entropy must share, so that they never undo each other.
 */
export function localNodeInput(config: AgentConfig): NodeInput {
  const lan = advertiseAddress(config);
  const advertiseWan = config.advertise_addr_wan;
  const wan = typeof advertiseWan === 'string' && advertiseWan !== '' ? advertiseWan : lan;
  const tagged: Record<string, string> = { lan, wan };
  if (isIPv4(lan)) tagged.lan_ipv4 = lan;
  if (isIPv6(lan)) tagged.lan_ipv6 = lan;
  if (isIPv4(wan)) tagged.wan_ipv4 = wan;
  if (isIPv6(wan)) tagged.wan_ipv6 = wan;
  return {
    ID: config.node_id ?? '',
    Node: config.node_name,
    Address: lan,
    Datacenter: config.datacenter,
    TaggedAddresses: tagged,
    Meta: { ...(config.node_meta ?? {}), [SEGMENT_META_KEY]: '' },
  };
}

/** This server (or client) as gossip would report it, for reconciling the local node. */
export function localMember(config: AgentConfig): Member {
  return {
    name: config.node_name,
    addr: advertiseAddress(config),
    port: config.ports?.serf_lan ?? 8301,
    tags: {
      role: config.server ? 'consul' : 'node',
      dc: config.datacenter,
      id: config.node_id ?? '',
      port: String(config.ports?.server ?? 8300),
    },
    status: MemberStatus.alive,
  };
}

function serfCheck(alive: boolean): CheckInput {
  return {
    CheckID: SERF_CHECK_ID,
    Name: SERF_CHECK_NAME,
    Status: alive ? 'passing' : 'critical',
    Notes: '',
    Output: alive ? SERF_ALIVE_OUTPUT : SERF_FAILED_OUTPUT,
    ServiceID: '',
    Type: '',
    Interval: '',
    Timeout: '',
    ExposedPort: 0,
    Definition: {},
  };
}

function consulService(port: number): ServiceInput {
  return {
    Kind: '',
    ID: CONSUL_SERVICE_ID,
    Service: CONSUL_SERVICE_ID,
    Tags: [],
    Address: '',
    TaggedAddresses: null,
    Meta: {},
    Port: port,
    SocketPath: '',
    Weights: { Passing: 1, Warning: 1 },
    EnableTagOverride: false,
  };
}

/**
 * The command that brings the catalog in line with `member`, or null when the member's state asks
 * for nothing (leaving, unknown, or our own departure, which the agent handles itself).
 */
export function memberCommand(
  kernel: Kernel,
  member: Member,
): CatalogRegisterCommand | CatalogDeregisterCommand | null {
  const config = kernel.config;
  const isSelf = member.name === config.node_name;
  const existing = getNode(kernel.store, member.name);
  switch (member.status) {
    case MemberStatus.alive: {
      const node: NodeInput = isSelf
        ? localNodeInput(config)
        : {
            ID: member.tags.id ?? '',
            Node: member.name,
            Address: member.addr,
            Datacenter: config.datacenter,
            TaggedAddresses: {},
            Meta: {},
          };
      // As in Consul, a node already in the catalog keeps the tagged addresses and meta its own
      // agent registered: the leader vouches for liveness, not for the agent's settings.
      if (existing) {
        node.TaggedAddresses = { ...existing.TaggedAddresses };
        node.Meta = { ...existing.Meta };
      }
      const port = Number(member.tags.port ?? config.ports?.server ?? 8300);
      return {
        type: 'catalog.register',
        node,
        skipNodeUpdate: false,
        service: member.tags.role === 'consul' ? consulService(port) : null,
        checks: [serfCheck(true)],
      };
    }
    case MemberStatus.failed:
      return {
        type: 'catalog.register',
        node: {
          ID: member.tags.id ?? '',
          Node: member.name,
          Address: member.addr,
          Datacenter: config.datacenter,
          TaggedAddresses: {},
          Meta: {},
        },
        // A failed node keeps what it registered; only its serfHealth turns critical.
        skipNodeUpdate: true,
        service: null,
        checks: [serfCheck(false)],
      };
    case MemberStatus.left:
      if (isSelf || !existing) return null;
      return { type: 'catalog.deregister', node: member.name, serviceId: null, checkId: null };
    default:
      return null;
  }
}

/** Writes the member's catalog entry if it differs from what the catalog holds. Leader only. */
export async function reconcileMember(kernel: Kernel, member: Member): Promise<void> {
  const command = memberCommand(kernel, member);
  if (!command) return;
  if (command.type === 'catalog.register' && !registerWouldChange(kernel.store, command)) return;
  await proposeCatalog(kernel, command);
}

/** On election, the new leader registers its own node, serfHealth and (as a server) the consul service. */
export function tapLeaderReconcile(kernel: Kernel): void {
  kernel.hooks.onLeaderElected.tapPromise('catalog', async (leader) => {
    if (leader.signal.aborted) return;
    try {
      await reconcileMember(kernel, localMember(kernel.config));
    } catch (err) {
      if (!leader.signal.aborted) kernel.logger.warn({ err }, 'catalog: reconciling the local node failed');
    }
  });
}
