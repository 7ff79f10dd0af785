/**
 * A real agent process: HTTP, TCP, script and TTL checks flip instances of a service in and out of the
 * answers `dig` gets from the agent's DNS interface.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type AgentProcess, freePort, startAgentProcess, waitFor } from '../helpers/agent-process.js';

let dir: string;
let agent: AgentProcess;
let dnsPort: number;
let httpStatus = 200;
let httpServer: Server;
let tcpServer: TcpServer | undefined;
let tcpPort: number;
let scriptExit: string;

function dig(name: string, type = 'A'): string[] {
  const out = execFileSync(
    'dig',
    ['@127.0.0.1', '-p', String(dnsPort), name, type, '+short', '+tcp', '+time=2', '+tries=1'],
    {
      encoding: 'utf8',
      timeout: 10_000,
    },
  );
  return out
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .sort();
}

async function startTcp(): Promise<void> {
  tcpServer = createTcpServer((socket) => socket.end());
  await new Promise<void>((resolve) => tcpServer!.listen(tcpPort, '127.0.0.1', resolve));
}

before(async () => {
  try {
    execFileSync('dig', ['-v'], { stdio: 'ignore' });
  } catch {
    throw new Error('dig is missing: install Debian dnsutils (.ci/run does)');
  }
  dir = await mkdtemp(join(tmpdir(), 'tribune-health-dns-'));
  const conf = join(dir, 'conf');
  await mkdir(conf);
  httpServer = createHttpServer((_req, res) => {
    res.statusCode = httpStatus;
    res.end('ok');
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const httpAddress = httpServer.address();
  const httpPort = typeof httpAddress === 'object' && httpAddress ? httpAddress.port : 0;
  tcpPort = await freePort();
  await startTcp();
  scriptExit = join(dir, 'exit-code');
  await writeFile(scriptExit, '0');
  dnsPort = await freePort();
  const service = (id: string, address: string, check: Record<string, unknown>) => ({
    id,
    name: 'web',
    address,
    port: 80,
    check: { id: `${id}-check`, name: `${id} check`, interval: '1s', timeout: '1s', ...check },
  });
  await writeFile(
    join(conf, 'web.json'),
    JSON.stringify({
      services: [
        service('web-http', '127.0.1.1', { http: `http://127.0.0.1:${httpPort}/health` }),
        service('web-tcp', '127.0.1.2', { tcp: `127.0.0.1:${tcpPort}` }),
        service('web-script', '127.0.1.3', { args: ['sh', '-c', `exit $(cat ${scriptExit})`] }),
        {
          id: 'web-ttl',
          name: 'web',
          address: '127.0.1.4',
          port: 80,
          check: { id: 'web-ttl-check', name: 'ttl', ttl: '30s' },
        },
      ],
    }),
  );
  agent = await startAgentProcess([
    '-server',
    '-bootstrap',
    '-node',
    'dns-node',
    '-data-dir',
    join(dir, 'data'),
    '-config-dir',
    conf,
    '-enable-local-script-checks',
    '-dns-port',
    String(dnsPort),
  ]);
});

after(async () => {
  await agent?.stop();
  httpServer?.close();
  tcpServer?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const untilAnswers = (expected: string[]) =>
  waitFor(`dig web.service.consul = ${expected.join(',')}`, async () => {
    const got = dig('web.service.consul');
    return got.join(',') === expected.join(',') ? got : undefined;
  });

test('passing checks put instances in DNS; failing ones take them out', async () => {
  // The TTL check starts critical: three instances answer.
  await untilAnswers(['127.0.1.1', '127.0.1.2', '127.0.1.3']);
  const pass = await fetch(`${agent.url}/v1/agent/check/pass/web-ttl-check`, { method: 'PUT' });
  assert.equal(pass.status, 200);
  await untilAnswers(['127.0.1.1', '127.0.1.2', '127.0.1.3', '127.0.1.4']);

  httpStatus = 500;
  await untilAnswers(['127.0.1.2', '127.0.1.3', '127.0.1.4']);
  httpStatus = 200;

  await new Promise<void>((resolve) => tcpServer!.close(() => resolve()));
  await untilAnswers(['127.0.1.1', '127.0.1.3', '127.0.1.4']);
  await startTcp();

  await writeFile(scriptExit, '2');
  await untilAnswers(['127.0.1.1', '127.0.1.2', '127.0.1.4']);
  await writeFile(scriptExit, '1'); // warning still answers (only_passing is off)
  await untilAnswers(['127.0.1.1', '127.0.1.2', '127.0.1.3', '127.0.1.4']);
});

test('SRV answers carry the port and node targets; an unknown service is NXDOMAIN', () => {
  const srv = dig('web.service.consul', 'SRV');
  assert.ok(srv.length > 0);
  for (const line of srv) assert.match(line, /^1 1 80 [0-9a-f]{8}\.addr\.dc1\.consul\.$/);
  const status = execFileSync(
    'dig',
    ['@127.0.0.1', '-p', String(dnsPort), 'nope.service.consul', 'A', '+tcp'],
    {
      encoding: 'utf8',
      timeout: 10_000,
    },
  );
  assert.match(status, /status: NXDOMAIN/);
});
