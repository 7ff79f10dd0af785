/**
 * UDP checks: send a datagram to host:port; a reply, or silence until the timeout, is passing
 * (UDP cannot tell a quiet service from a missing one). A send error, or an ICMP "port
 * unreachable" surfacing as ECONNREFUSED on the connected socket, is critical.
 */
import dgram from 'node:dgram';
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import { dialErrorText, errorLike, portNumber, readErrorText, splitHostPort } from '../core/net-errors.js';
import { type CheckResult, critical, passing, udpSuccessOutput } from '../core/results.js';

export interface UdpProbeSpec {
  address: string;
  timeoutMs: number;
}

/** Consul sends its (empty) check message; an empty datagram is enough to draw a reply or an ICMP error. */
const PAYLOAD = new Uint8Array(0);

export async function probeUdp(spec: UdpProbeSpec, signal: AbortSignal): Promise<CheckResult> {
  const { host, port, error } = splitHostPort(spec.address);
  if (error !== undefined) return critical(`dial udp ${error}`);
  const portNo = portNumber(port);
  if (portNo === undefined) return critical(`dial udp: lookup udp/${port}: unknown port`);
  let ip = host;
  if (net.isIP(host) === 0) {
    try {
      ip = (await lookup(host)).address;
    } catch (err) {
      return critical(dialErrorText('udp', spec.address, { ...errorLike(err), hostname: host }));
    }
  }
  return new Promise((resolve) => {
    let settled = false;
    const socket = dgram.createSocket(net.isIPv6(ip) ? 'udp6' : 'udp4');
    const settle = (result: CheckResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      try {
        socket.close();
      } catch {
        // already closed
      }
      resolve(result);
    };
    const ok = () => settle(passing(udpSuccessOutput(spec.address)));
    const local = () => {
      try {
        const a = socket.address();
        return `${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
      } catch {
        return '';
      }
    };
    socket.on('message', ok);
    socket.on('error', (err) =>
      settle(critical(readErrorText('udp', local(), spec.address, errorLike(err)))),
    );
    socket.connect(portNo, ip, () => {
      socket.send(PAYLOAD, (err) => {
        if (err) settle(critical(`write udp ${local()}->${spec.address}: ${errorLike(err).message}`));
      });
    });
    const timer = setTimeout(ok, spec.timeoutMs);
    const onAbort = () => settle(critical('check cancelled'));
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
