/**
 * The `dns` plugin: Consul's DNS interface (v1 behaviour) on UDP and TCP, `client_addr` (or
 * `addresses.dns`) port `ports.dns` (8600; -1 turns it off). Answers come from the pure core over a
 * snapshot view of the catalog; see plugins/dns/core/answer.ts for the rules.
 */
import type { Kernel } from '../../core/kernel.js';
import { definePlugin } from '../../core/plugin.js';
import { getMetricsRegistry } from '../agent/index.js';
import {
  DEFAULT_TCP_OPTIONS,
  listenTcp,
  type TcpServer,
  type TcpServerOptions,
} from './adapters/tcp-server.js';
import { listenUdp, type UdpServer } from './adapters/udp-server.js';
import { configuredRecursors, DnsHandler } from './handler.js';
import { getDnsHooks } from './hooks.js';
import { createDnsMetrics, type DnsMetrics } from './metrics.js';
import { dnsConfigSchema } from './schema.js';

export interface DnsPluginOptions {
  /** Uniform in [0, 1) for shuffling (tests pin it). */
  random?: () => number;
  /** Wall clock in ms, for the SOA serial (tests pin it). */
  now?: () => number;
  tcp?: Partial<TcpServerOptions>;
}

export interface DnsListenAddress {
  address: string;
  /** The UDP and the TCP listener share it. */
  port: number;
}

const handlers = new WeakMap<Kernel, DnsHandler>();
const bound = new WeakMap<Kernel, DnsListenAddress[]>();

/** Where the DNS server listens (port 0 in tests picks a free port for UDP and TCP together). */
export function dnsListenAddresses(kernel: Kernel): DnsListenAddress[] {
  return bound.get(kernel) ?? [];
}

/** The packet handler of `kernel`'s dns plugin (for tests and benchmarks that bypass sockets). */
export function getDnsHandler(kernel: Kernel): DnsHandler | undefined {
  return handlers.get(kernel);
}

function listenAddressList(specific: string | undefined, clientAddr: string): string[] {
  return (specific ?? clientAddr).split(/\s+/).filter((a) => a !== '');
}

const PORT_ATTEMPTS = 20;

function isAddressInUse(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'EADDRINUSE';
}

export function createDnsPlugin(options: DnsPluginOptions = {}) {
  let handler: DnsHandler | undefined;
  let metrics: DnsMetrics | undefined;
  let udpServers: UdpServer[] = [];
  let tcpServers: TcpServer[] = [];

  async function closeAll(): Promise<void> {
    await Promise.all([...udpServers, ...tcpServers].map((server) => server.close()));
    udpServers = [];
    tcpServers = [];
  }

  return definePlugin({
    name: 'dns',
    dependencies: ['catalog'],
    configSchema: dnsConfigSchema,
    apply(kernel) {
      metrics = createDnsMetrics(getMetricsRegistry(kernel));
      handler = new DnsHandler({
        kernel,
        metrics,
        ...(options.random ? { random: options.random } : {}),
        ...(options.now ? { now: options.now } : {}),
      });
      handlers.set(kernel, handler);
      getDnsHooks(kernel);
      // Answers follow a reload by themselves (the handler reads the live config); listeners do not.
      kernel.hooks.onConfigReload.tapPromise('dns', async (diff) => {
        configuredRecursors(diff.next, (err) =>
          diff.problems.push(err instanceof Error ? err.message : String(err)),
        );
        const { previous, next } = diff;
        const moved =
          previous.ports?.dns !== next.ports?.dns ||
          previous.addresses?.dns !== next.addresses?.dns ||
          previous.client_addr !== next.client_addr;
        if (moved)
          kernel.logger.warn({ plugin: 'dns' }, 'the DNS listener changed; restart the agent to move it');
      });
    },
    async start({ kernel, config }) {
      const port = config.ports?.dns;
      if (typeof port !== 'number' || port < 0 || !handler) return;
      // A bad recursor is a configuration error: refuse to start rather than answer SERVFAIL forever.
      configuredRecursors(config, (err) => {
        throw err;
      });
      const logger = kernel.logger.child({ plugin: 'dns' });
      const active = handler;
      const handle = (packet: Uint8Array, transport: 'udp' | 'tcp') => active.handle(packet, transport);
      const tcpOptions = { ...DEFAULT_TCP_OPTIONS, ...options.tcp };
      const onMalformed = () => metrics?.dropped('malformed', 'tcp');
      const addresses: DnsListenAddress[] = [];
      try {
        for (const address of listenAddressList(config.addresses.dns, config.client_addr)) {
          for (let attempt = 1; ; attempt++) {
            const udp = await listenUdp(address, port, handle, logger);
            try {
              const tcp = await listenTcp(address, udp.port, handle, logger, tcpOptions, onMalformed);
              udpServers.push(udp);
              tcpServers.push(tcp);
              addresses.push({ address: udp.address, port: udp.port });
              break;
            } catch (err) {
              await udp.close();
              // Port 0: UDP got a port whose TCP twin is taken; try another.
              if (port !== 0 || !isAddressInUse(err) || attempt >= PORT_ATTEMPTS) throw err;
            }
          }
        }
      } catch (err) {
        await closeAll();
        throw err;
      }
      bound.set(kernel, addresses);
      logger.info(
        { addresses: addresses.map((a) => `${a.address}:${a.port}`) },
        'DNS server listening (udp, tcp)',
      );
    },
    async stop({ kernel }) {
      await closeAll();
      bound.delete(kernel);
    },
  });
}

/** Lets `plugins: [".../plugins/dns/index.js"]` load it as a user plugin too. */
export default createDnsPlugin;

export type { AnswerOptions, ExtraAnswer } from './core/answer.js';
export type { DnsRecord, Transport } from './core/types.js';
export type { DnsCatalogView, DnsNode, DnsServiceInstance } from './core/view.js';
export { DnsHandler } from './handler.js';
export { type DnsResolveAnswer, type DnsResolveQuestion, getDnsHooks } from './hooks.js';
