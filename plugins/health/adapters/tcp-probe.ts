/**
 * TCP checks: passing when a connection (or, with tcp_use_tls, a TLS handshake) to host:port
 * succeeds within the timeout; both address families of a name are tried (happy eyeballs).
 */
import net from 'node:net';
import tls from 'node:tls';
import { connectErrorText, errorLike, portNumber, splitHostPort } from '../core/net-errors.js';
import { type CheckResult, critical, passing, tcpSuccessOutput } from '../core/results.js';

export interface TcpProbeSpec {
  address: string;
  useTls: boolean;
  tlsSkipVerify: boolean;
  tlsServerName: string;
  timeoutMs: number;
}

export function probeTcp(spec: TcpProbeSpec, signal: AbortSignal): Promise<CheckResult> {
  const { host, port, error } = splitHostPort(spec.address);
  if (error !== undefined) return Promise.resolve(critical(`dial tcp ${error}`));
  const portNo = portNumber(port);
  if (portNo === undefined) {
    return Promise.resolve(critical(`dial tcp: lookup tcp/${port}: unknown port`));
  }
  return new Promise((resolve) => {
    let settled = false;
    const settle = (result: CheckResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(result);
    };
    const common = { host, port: portNo, autoSelectFamily: true };
    const socket = spec.useTls
      ? tls.connect({
          ...common,
          rejectUnauthorized: !spec.tlsSkipVerify,
          ...(spec.tlsServerName !== '' ? { servername: spec.tlsServerName } : {}),
        })
      : net.connect(common);
    socket.once(spec.useTls ? 'secureConnect' : 'connect', () =>
      settle(passing(tcpSuccessOutput(spec.address, spec.useTls))),
    );
    socket.once('error', (err) => settle(critical(connectErrorText('tcp', spec.address, errorLike(err)))));
    const timer = setTimeout(() => settle(critical(`dial tcp ${spec.address}: i/o timeout`)), spec.timeoutMs);
    const onAbort = () => settle(critical('check cancelled'));
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
