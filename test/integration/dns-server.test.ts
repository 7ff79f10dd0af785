/**
 * The DNS server on real sockets: dig (Debian dnsutils) and dns-packet over node:dgram/node:net
 * against an agent kernel with the catalog on 127.0.0.1, health flipping instances in and out,
 * truncation then the TCP retry, EDNS sizes, TCP framing, and forwarding to small recursors the
 * test starts on 127.0.0.2 and 127.0.0.3.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import dnsPacket from 'dns-packet';
import type { AgentConfig } from '../../core/config/types.js';
import { createAgentPlugin } from '../../plugins/agent/index.js';
import { createCatalogPlugin } from '../../plugins/catalog/index.js';
import { createDnsPlugin, dnsListenAddresses, getDnsHooks } from '../../plugins/dns/index.js';
import { createHttpPlugin } from '../../plugins/http/index.js';
import { freePort } from '../helpers/agent-process.js';
import { rcodeOf } from '../helpers/dns-fixtures.js';
import { testConfig } from '../helpers/test-config.js';
import { startTestKernel, type TestKernel } from '../helpers/test-kernel.js';

const run = promisify(execFile);

/** Fails instead of hanging when `promise` does not settle within `ms`. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

let agent: TestKernel;
let dnsPort: number;
const baseConfig = (port: number): Partial<AgentConfig> => {
  const defaults = testConfig();
  return {
    ports: { ...defaults.ports, dns: port },
    node_meta: { role: 'test' },
    dns_config: { recursor_timeout: '400ms' },
  };
};

async function requireDig(): Promise<void> {
  try {
    await run('dig', ['-v']);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'ENOENT') {
      throw new Error(
        'dig is missing: install Debian dnsutils (apt-get install -y dnsutils; .ci/run does this)',
      );
    }
  }
}

async function register(body: unknown): Promise<void> {
  const res = await fetch(`${agent.url}/v1/catalog/register`, { method: 'PUT', body: JSON.stringify(body) });
  assert.equal(res.status, 200, await res.text());
}

interface DigResult {
  status: string;
  flags: string[];
  answer: string[];
  authority: string[];
  additional: string[];
  retriedOverTcp: boolean;
  transport: string;
  size: number;
  text: string;
}

/** Runs dig against our server and reads its output (records as `name ttl TYPE data`, class dropped). */
async function dig(...args: string[]): Promise<DigResult> {
  const { stdout } = await run('dig', ['@127.0.0.1', '-p', String(dnsPort), '+tries=1', '+time=3', ...args], {
    timeout: 15_000,
  });
  const sections: Record<string, string[]> = { ANSWER: [], AUTHORITY: [], ADDITIONAL: [] };
  let current: string | undefined;
  for (const line of stdout.split('\n')) {
    const header = /^;; (ANSWER|AUTHORITY|ADDITIONAL) SECTION:/.exec(line);
    if (header) {
      current = header[1];
      continue;
    }
    if (line.trim() === '' || line.startsWith(';')) {
      if (line.trim() === '') current = undefined;
      continue;
    }
    if (current) {
      const [name, ttl, , type, ...data] = line.split(/\s+/);
      sections[current]?.push(`${name} ${ttl} ${type} ${data.join(' ')}`);
    }
  }
  return {
    status: /status: (\w+)/.exec(stdout)?.[1] ?? 'none',
    flags: (/;; flags: ([^;]*);/.exec(stdout)?.[1] ?? '').trim().split(/\s+/),
    answer: sections.ANSWER ?? [],
    authority: sections.AUTHORITY ?? [],
    additional: sections.ADDITIONAL ?? [],
    retriedOverTcp: stdout.includes('Truncated, retrying in TCP mode'),
    transport: /;; SERVER: .*\((UDP|TCP)\)/.exec(stdout)?.[1] ?? '',
    size: Number(/MSG SIZE\s+rcvd: (\d+)/.exec(stdout)?.[1] ?? 'NaN'),
    text: stdout,
  };
}

/** One query over UDP with dns-packet; the raw reply bytes too. */
async function udpQuery(
  packet: dnsPacket.Packet,
  port = dnsPort,
  host = '127.0.0.1',
): Promise<{ decoded: dnsPacket.DecodedPacket; bytes: Buffer }> {
  const socket = createSocket('udp4');
  try {
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no UDP answer within 5 s')), 5000);
      socket.on('message', (bytes) => {
        clearTimeout(timer);
        resolve({ decoded: dnsPacket.decode(bytes), bytes });
      });
      socket.on('error', reject);
      socket.send(
        dnsPacket.encode({ type: 'query', id: 7, flags: dnsPacket.RECURSION_DESIRED, ...packet }),
        port,
        host,
      );
    });
  } finally {
    socket.close();
  }
}

/** A TCP connection to our server that sends framed queries and reads framed answers. */
class TcpClient {
  private buffered = Buffer.alloc(0);
  private waiters: Array<(message: Buffer) => void> = [];
  private arrived: Buffer[] = [];
  readonly closed: Promise<void>;
  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      while (this.buffered.length >= 2) {
        const length = this.buffered.readUInt16BE(0);
        if (this.buffered.length < length + 2) return;
        const message = this.buffered.subarray(2, length + 2);
        this.buffered = this.buffered.subarray(length + 2);
        const waiter = this.waiters.shift();
        if (waiter) waiter(message);
        else this.arrived.push(message);
      }
    });
    socket.on('error', () => {});
    this.closed = new Promise((resolve) => socket.on('close', () => resolve()));
  }

  static open(port = dnsPort): Promise<TcpClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port }, () => resolve(new TcpClient(socket)));
      socket.once('error', reject);
    });
  }

  send(raw: Uint8Array): void {
    const frame = Buffer.alloc(raw.length + 2);
    frame.writeUInt16BE(raw.length, 0);
    frame.set(raw, 2);
    this.socket.write(frame);
  }

  next(): Promise<dnsPacket.DecodedPacket> {
    const early = this.arrived.shift();
    if (early) return Promise.resolve(dnsPacket.decode(early));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no TCP answer within 5 s')), 5000);
      this.waiters.push((message) => {
        clearTimeout(timer);
        resolve(dnsPacket.decode(message));
      });
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

before(async () => {
  await requireDig();
  dnsPort = await freePort();
  agent = await startTestKernel({
    plugins: [
      createHttpPlugin(),
      createCatalogPlugin(),
      createAgentPlugin(),
      createDnsPlugin({ tcp: { idleTimeoutMs: 500, maxConnections: 8 } }),
    ],
    config: baseConfig(dnsPort),
  });
  assert.deepEqual(dnsListenAddresses(agent.kernel), [{ address: '127.0.0.1', port: dnsPort }]);
  for (let i = 1; i <= 3; i++) {
    await register({
      Node: `web-${i}`,
      Address: `10.0.0.${i}`,
      NodeMeta: { rack: `r${i}` },
      Service: { ID: 'web', Service: 'web', Tags: ['v1.2', i === 1 ? 'primary' : 'secondary'], Port: 8080 },
    });
  }
  for (let i = 1; i <= 40; i++) {
    await register({
      Node: `many-${i}`,
      Address: `10.1.${i >> 8}.${i & 255}`,
      Service: { ID: 'many', Service: 'many', Port: 9000 + i },
    });
  }
});

after(async () => {
  await agent?.stop();
});

describe('dig against the DNS server', () => {
  test('A over UDP: every healthy instance, authoritative', async () => {
    const r = await dig('web.service.consul', 'A', '+notcp');
    assert.equal(r.status, 'NOERROR');
    assert.equal(r.transport, 'UDP');
    assert.ok(r.flags.includes('aa'));
    assert.ok(!r.flags.includes('ra'), 'no recursors: no RA');
    assert.deepEqual([...r.answer].sort(), [
      'web.service.consul. 0 A 10.0.0.1',
      'web.service.consul. 0 A 10.0.0.2',
      'web.service.consul. 0 A 10.0.0.3',
    ]);
  });

  test('SRV over TCP with A and node meta TXT in the additional section', async () => {
    const r = await dig('web.service.consul', 'SRV', '+tcp');
    assert.equal(r.transport, 'TCP');
    assert.deepEqual([...r.answer].sort(), [
      'web.service.consul. 0 SRV 1 1 8080 web-1.node.dc1.consul.',
      'web.service.consul. 0 SRV 1 1 8080 web-2.node.dc1.consul.',
      'web.service.consul. 0 SRV 1 1 8080 web-3.node.dc1.consul.',
    ]);
    assert.deepEqual([...r.additional].sort(), [
      'web-1.node.dc1.consul. 0 A 10.0.0.1',
      'web-1.node.dc1.consul. 0 TXT "rack=r1"',
      'web-2.node.dc1.consul. 0 A 10.0.0.2',
      'web-2.node.dc1.consul. 0 TXT "rack=r2"',
      'web-3.node.dc1.consul. 0 A 10.0.0.3',
      'web-3.node.dc1.consul. 0 TXT "rack=r3"',
    ]);
  });

  test('RFC 2782 names and tags with dots', async () => {
    assert.deepEqual((await dig('_web._primary.service.consul', 'SRV')).answer, [
      '_web._primary.service.consul. 0 SRV 1 1 8080 web-1.node.dc1.consul.',
    ]);
    assert.equal((await dig('_web._tcp.consul', 'SRV')).answer.length, 3);
    assert.equal((await dig('v1.2.web.service.consul', 'A')).answer.length, 3);
  });

  test('node TXT, NXDOMAIN with SOA, NODATA with SOA, SOA and REFUSED outside the domain', async () => {
    assert.deepEqual((await dig('web-2.node.consul', 'TXT')).answer, ['web-2.node.consul. 0 TXT "rack=r2"']);
    const missing = await dig('nope.service.consul', 'A');
    assert.equal(missing.status, 'NXDOMAIN');
    assert.equal(missing.authority.length, 1);
    assert.match(
      missing.authority[0] as string,
      /^consul\. 0 SOA ns\.consul\. hostmaster\.consul\. \d+ 3600 600 86400 0$/,
    );
    const nodata = await dig('web.service.consul', 'AAAA');
    assert.equal(nodata.status, 'NOERROR');
    assert.deepEqual(nodata.answer, []);
    assert.equal(nodata.authority.length, 1);
    const soa = await dig('consul', 'SOA');
    assert.equal(soa.answer.length, 1);
    const outside = await dig('example.com', 'A');
    assert.equal(outside.status, 'REFUSED');
  });

  test('truncation: 3 answers with TC over plain UDP, then dig retries over TCP and gets all 40', async () => {
    const cut = await dig('many.service.consul', 'A', '+notcp', '+noedns', '+ignore');
    assert.equal(cut.transport, 'UDP');
    assert.ok(cut.flags.includes('tc'), `flags ${cut.flags.join(' ')}`);
    assert.equal(cut.answer.length, 3);
    const retried = await dig('many.service.consul', 'A', '+notcp', '+noedns');
    assert.ok(retried.retriedOverTcp, retried.text);
    assert.equal(retried.transport, 'TCP');
    assert.equal(retried.answer.length, 40);
    assert.ok(!retried.flags.includes('tc'));
  });

  test('EDNS sizes: all 40 A records fit in 4096 bytes; SRV with glue is cut to 512 with TC', async () => {
    const big = await dig('many.service.consul', 'A', '+notcp', '+bufsize=4096');
    assert.equal(big.answer.length, 40);
    assert.ok(!big.flags.includes('tc'));
    const small = await dig('many.service.consul', 'SRV', '+notcp', '+bufsize=1232', '+ignore');
    assert.ok(small.flags.includes('tc'));
    assert.ok(small.size <= 1232, `${small.size} bytes`);
    assert.ok(small.answer.length > 3 && small.answer.length < 40, `${small.answer.length} answers`);
  });

  test('enable_truncate=false: three answers, no TC (Consul compatibility)', async () => {
    const previous = agent.kernel.config;
    agent.kernel.setConfig({ ...previous, dns_config: { enable_truncate: false } });
    try {
      const r = await dig('many.service.consul', 'A', '+notcp', '+noedns', '+ignore');
      assert.equal(r.answer.length, 3);
      assert.ok(!r.flags.includes('tc'));
    } finally {
      agent.kernel.setConfig(previous);
    }
  });

  test('health: a critical service check, then a critical node check, take instances out of answers', async () => {
    const check = (status: string, serviceId: string) => ({
      Node: 'web-3',
      Address: '10.0.0.3',
      Check: { CheckID: serviceId ? 'svc' : 'node-check', Name: 'c', Status: status, ServiceID: serviceId },
    });
    await register(check('critical', 'web'));
    assert.deepEqual([...(await dig('web.service.consul', 'A')).answer].sort(), [
      'web.service.consul. 0 A 10.0.0.1',
      'web.service.consul. 0 A 10.0.0.2',
    ]);
    await register(check('passing', 'web'));
    assert.equal((await dig('web.service.consul', 'A')).answer.length, 3);
    await register(check('critical', ''));
    assert.equal((await dig('web.service.consul', 'A')).answer.length, 2);
    await register(check('warning', ''));
    const warning = await dig('web.service.consul', 'SRV');
    assert.equal(warning.answer.length, 3, 'warning is still served');
    await register(check('passing', ''));
  });
});

describe('dns-packet over sockets', () => {
  test('exact UDP answer: header flags, question echoed in its case, compression used', async () => {
    const { decoded, bytes } = await udpQuery({ questions: [{ type: 'SRV', name: 'WEB.service.Consul' }] });
    assert.equal(decoded.id, 7);
    assert.equal(decoded.flag_aa, true);
    assert.equal(decoded.flag_rd, true);
    assert.equal(decoded.flag_tc, false);
    assert.deepEqual(decoded.questions, [{ name: 'WEB.service.Consul', type: 'SRV', class: 'IN' }]);
    assert.equal(decoded.answers?.length, 3);
    for (const a of decoded.answers ?? []) assert.equal(a.name, 'WEB.service.Consul');
    const uncompressed = dnsPacket.encode({ ...decoded, type: 'response' });
    assert.ok(bytes.length < uncompressed.length, `${bytes.length} < ${uncompressed.length}`);
  });

  test('TCP: several queries on one connection, answered in order', async () => {
    const client = await TcpClient.open();
    try {
      const names = ['web.service.consul', 'many.service.consul', 'nope.service.consul', 'web-1.node.consul'];
      names.forEach((name, i) => {
        client.send(dnsPacket.encode({ type: 'query', id: 100 + i, questions: [{ type: 'A', name }] }));
      });
      const replies = [];
      for (let i = 0; i < names.length; i++) replies.push(await client.next());
      assert.deepEqual(
        replies.map((r) => [r.id, rcodeOf(r), r.answers?.length]),
        [
          [100, 'NOERROR', 3],
          [101, 'NOERROR', 40],
          [102, 'NXDOMAIN', 0],
          [103, 'NOERROR', 1],
        ],
      );
    } finally {
      client.close();
    }
  });

  test('TCP: an idle connection is closed; a zero-length frame ends the connection', async () => {
    const idle = await TcpClient.open();
    await within(idle.closed, 5000, 'the idle connection closed by the server (idle timeout 500 ms)');
    const hostile = await TcpClient.open();
    hostile.socket.write(Buffer.from([0, 0]));
    await within(hostile.closed, 5000, 'the connection closed after a zero-length frame');
  });

  test('TCP: connections beyond the limit (8 here) are closed unanswered', async () => {
    const open = await Promise.all(Array.from({ length: 8 }, () => TcpClient.open()));
    try {
      const extra = await TcpClient.open();
      let answered = false;
      extra.next().then(
        () => {
          answered = true;
        },
        () => {},
      );
      extra.send(
        dnsPacket.encode({ type: 'query', id: 1, questions: [{ type: 'A', name: 'web.service.consul' }] }),
      );
      await within(extra.closed, 5000, 'the ninth connection closed');
      assert.equal(answered, false);
      // The others still work.
      const first = open[0] as TcpClient;
      first.send(
        dnsPacket.encode({ type: 'query', id: 2, questions: [{ type: 'A', name: 'web.service.consul' }] }),
      );
      assert.equal((await first.next()).answers?.length, 3);
    } finally {
      for (const client of open) client.close();
    }
  });

  test('hostile UDP packets get no answer and the server keeps serving', async () => {
    const socket: UdpSocket = createSocket('udp4');
    const replies: Buffer[] = [];
    socket.on('message', (m) => replies.push(m));
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
    const loop = Buffer.from([0, 9, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1]);
    const huge = Buffer.from([0, 9, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 1, 0x61, 0]);
    for (const packet of [Buffer.from([1, 2, 3]), loop, huge]) socket.send(packet, dnsPort, '127.0.0.1');
    const { decoded } = await udpQuery({ questions: [{ type: 'A', name: 'web.service.consul' }] });
    assert.equal(decoded.answers?.length, 3);
    socket.close();
    assert.deepEqual(replies, []);
    const metrics = await (await fetch(`${agent.url}/v1/agent/metrics?format=prometheus`)).text();
    assert.match(metrics, /tribune_dns_dropped_packets\{transport="udp",reason="malformed"\} [1-9]/);
    assert.match(metrics, /tribune_dns_dropped_packets\{transport="udp",reason="counts"\} [1-9]/);
  });

  test('a resolve hook tap answers names of its own', async () => {
    getDnsHooks(agent.kernel).resolve.tapPromise('test-extra', async (question) =>
      question.name.toLowerCase() === 'hello.query.consul'
        ? { answers: [{ name: question.name, type: 'A', ttl: 7, data: '10.7.7.7' }] }
        : undefined,
    );
    assert.deepEqual((await dig('hello.query.consul', 'A')).answer, ['hello.query.consul. 7 A 10.7.7.7']);
    assert.equal((await dig('other.query.consul', 'A')).status, 'NXDOMAIN');
  });
});

/** A tiny authoritative server for `ext.example` (A 192.0.2.10) on UDP and TCP, or one that only says SERVFAIL. */
async function startUpstream(
  host: string,
  mode: 'answer' | 'servfail' | 'silent',
): Promise<{ port: number; close(): Promise<void> }> {
  const respond = (query: Buffer): Buffer => {
    const request = dnsPacket.decode(query);
    const question = request.questions?.[0];
    const known = question?.name === 'ext.example' && question.type === 'A';
    return dnsPacket.encode({
      type: 'response',
      id: request.id,
      flags:
        dnsPacket.RECURSION_DESIRED |
        dnsPacket.RECURSION_AVAILABLE |
        (mode === 'servfail' ? 2 : known ? 0 : 3),
      questions: request.questions,
      answers:
        mode === 'answer' && known ? [{ type: 'A', name: 'ext.example', ttl: 60, data: '192.0.2.10' }] : [],
    });
  };
  const port = await freePort(host);
  const udp = createSocket('udp4');
  udp.on('message', (message, remote) => {
    if (mode !== 'silent') udp.send(respond(message), remote.port, remote.address);
  });
  await new Promise<void>((resolve) => udp.bind(port, host, () => resolve()));
  const tcp: Server = createServer((socket) => {
    let buffered = Buffer.alloc(0);
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length < 2 || buffered.length < buffered.readUInt16BE(0) + 2 || mode === 'silent') return;
      const reply = respond(buffered.subarray(2, buffered.readUInt16BE(0) + 2));
      const frame = Buffer.alloc(reply.length + 2);
      frame.writeUInt16BE(reply.length, 0);
      reply.copy(frame, 2);
      socket.end(frame);
    });
  });
  await new Promise<void>((resolve) => tcp.listen(port, host, () => resolve()));
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        udp.close();
        tcp.close(() => resolve());
      }),
  };
}

describe('recursors', () => {
  let live: { port: number; close(): Promise<void> };
  let failing: { port: number; close(): Promise<void> };
  let silent: { port: number; close(): Promise<void> };
  let deadAddress: string;
  let original: AgentConfig;

  before(async () => {
    live = await startUpstream('127.0.0.2', 'answer');
    failing = await startUpstream('127.0.0.3', 'servfail');
    silent = await startUpstream('127.0.0.3', 'silent');
    deadAddress = `127.0.0.2:${await freePort('127.0.0.2')}`; // nothing listens there
    original = agent.kernel.config;
  });
  after(async () => {
    agent.kernel.setConfig(original);
    await Promise.all([live?.close(), failing?.close(), silent?.close()]);
  });

  const useRecursors = (recursors: string[]) => agent.kernel.setConfig({ ...original, recursors });

  test('a name outside the domain is forwarded; RA is set; our own names are still ours', async () => {
    useRecursors([`127.0.0.2:${live.port}`]);
    const r = await dig('ext.example', 'A');
    assert.equal(r.status, 'NOERROR');
    assert.ok(r.flags.includes('ra'));
    assert.deepEqual(r.answer, ['ext.example. 60 A 192.0.2.10']);
    const over = await dig('ext.example', 'A', '+tcp');
    assert.deepEqual(over.answer, ['ext.example. 60 A 192.0.2.10']);
    assert.equal(over.transport, 'TCP');
    assert.equal(
      (await dig('missing.example', 'A')).status,
      'NXDOMAIN',
      'NXDOMAIN from a recursor is an answer',
    );
    const ours = await dig('web.service.consul', 'A');
    assert.ok(ours.flags.includes('ra') && ours.flags.includes('aa'));
  });

  test('next on failure: a dead recursor, one answering SERVFAIL, one that never answers, then the live one', async () => {
    useRecursors([
      deadAddress,
      `127.0.0.3:${failing.port}`,
      `127.0.0.3:${silent.port}`,
      `127.0.0.2:${live.port}`,
    ]);
    const r = await dig('ext.example', 'A', '+time=5');
    assert.equal(r.status, 'NOERROR');
    assert.deepEqual(r.answer, ['ext.example. 60 A 192.0.2.10']);
  });

  test('SERVFAIL when every recursor fails', async () => {
    useRecursors([deadAddress, `127.0.0.3:${failing.port}`]);
    const { decoded } = await udpQuery({ questions: [{ type: 'A', name: 'ext.example' }] });
    assert.equal(rcodeOf(decoded), 'SERVFAIL');
    assert.equal(decoded.flag_ra, true);
    assert.deepEqual(decoded.questions, [{ name: 'ext.example', type: 'A', class: 'IN' }]);
  });
});
