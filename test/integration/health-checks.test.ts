/**
 * The health plugin running real checks against real listeners on loopback: HTTP (200/429/500,
 * headers, redirects, TLS), TCP, UDP, scripts (exit codes, timeout killing the whole process
 * group), gRPC health, TTL expiry, alias checks, deregister_critical_service_after, and the
 * catalog following each status change. Intervals are short; every wait is bounded polling.
 */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import type { CheckTransition } from '../../core/hooks.js';
import { createAgentPlugin, getLocalState } from '../../plugins/agent/index.js';
import { createCatalogPlugin } from '../../plugins/catalog/index.js';
import { checksOfNode, servicesOfNode } from '../../plugins/catalog/queries.js';
import type { CheckRow } from '../../plugins/catalog/types.js';
import { createHealthPlugin, getHealthScheduler } from '../../plugins/health/index.js';
import { createHttpPlugin } from '../../plugins/http/index.js';
import { startTestKernel, type TestKernel } from '../helpers/test-kernel.js';

const NODE = 'test-node';
const WAIT_MS = 15_000;

let agent: TestKernel;
let dir: string;
const transitions: CheckTransition[] = [];

function healthPlugin() {
  return createHealthPlugin({
    random: () => 0,
    minIntervalMs: 10,
    minDeregisterAfterMs: 0,
    reapIntervalMs: 100,
    aliasRefreshMs: 5000,
  });
}

function plugins() {
  return [createHttpPlugin(), createCatalogPlugin(), createAgentPlugin({ random: () => 0 }), healthPlugin()];
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tribune-health-'));
  agent = await startTestKernel({ plugins: plugins(), config: { enable_script_checks: true } });
  agent.kernel.hooks.onCheck.tap('test', (t) => {
    transitions.push(t);
  });
});

after(async () => {
  await agent.stop();
  await rm(dir, { recursive: true, force: true });
});

// ---- helpers --------------------------------------------------------------------------------------

async function put(path: string, body?: unknown, target: TestKernel = agent): Promise<void> {
  const res = await fetch(`${target.url}${path}`, {
    method: 'PUT',
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  assert.equal(res.status, 200, `PUT ${path}: ${text}`);
}

function registerService(service: Record<string, unknown>, target: TestKernel = agent): Promise<void> {
  return put('/v1/agent/service/register', service, target);
}

function localCheck(id: string, target: TestKernel = agent) {
  return getLocalState(target.kernel)?.check(id)?.check;
}

function catalogCheck(id: string): CheckRow | undefined {
  return checksOfNode(agent.kernel.store, NODE).find((c) => c.CheckID === id);
}

/** Polls `read` until `ok` holds (every 20ms, at most WAIT_MS); fails with the last value seen. */
async function waitFor<T>(what: string, read: () => T, ok: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  let last = read();
  for (let i = 0; i < WAIT_MS / 20 + 1 && !ok(last); i++) {
    if (Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
    last = read();
  }
  assert.ok(ok(last), `${what}: last seen ${JSON.stringify(last)}`);
  return last;
}

async function waitStatus(id: string, status: string, target: TestKernel = agent) {
  const check = await waitFor(
    `${id} ${status}`,
    () => localCheck(id, target),
    (c) => c?.Status === status,
  );
  assert.ok(check);
  return check;
}

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
  });
}

function close(server: net.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    if (server instanceof http.Server) server.closeAllConnections();
  });
}

/** Whether `pid` is a live process (a zombie waiting for its parent counts as dead). */
async function isAlive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).charAt(0) !== 'Z';
  } catch {
    return false;
  }
}

async function waitGone(pid: number): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline && (await isAlive(pid))) await new Promise((r) => setTimeout(r, 20));
  assert.equal(await isAlive(pid), false, `process ${pid} should be gone`);
}

async function readPid(path: string): Promise<number> {
  const deadline = Date.now() + WAIT_MS;
  let text = '';
  while (text === '' && Date.now() < deadline) {
    text = await readFile(path, 'utf8').then(
      (content) => content.trim(),
      () => '',
    );
    if (text === '') await new Promise((r) => setTimeout(r, 20));
  }
  const pid = Number(text);
  assert.ok(Number.isInteger(pid) && pid > 0, `a pid in ${path}, got ${JSON.stringify(text)}`);
  return pid;
}

// ---- HTTP -------------------------------------------------------------------------------------------

describe('HTTP checks', () => {
  let server: http.Server;
  let port = 0;
  let code = 200;
  const seen: http.IncomingHttpHeaders[] = [];
  const seenBodies: string[] = [];
  const seenMethods: string[] = [];

  before(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        if (req.url === '/redirect') {
          res.writeHead(302, { Location: '/health' });
          res.end('moved');
          return;
        }
        if (req.url === '/loop') {
          res.writeHead(307, { Location: '/loop' });
          res.end();
          return;
        }
        if (req.url === '/big') {
          res.writeHead(200);
          res.end(`${'x'.repeat(10_000)}THE-END`);
          return;
        }
        seen.push(req.headers);
        seenBodies.push(body);
        seenMethods.push(req.method ?? '');
        res.writeHead(code, { 'Content-Type': 'text/plain' });
        res.end(`code ${code}`);
      });
    });
    port = await listen(server);
  });
  after(async () => {
    await put('/v1/agent/service/deregister/web');
    await put('/v1/agent/service/deregister/redirects');
    await close(server);
  });

  test('2xx passing, 429 warning, 500 critical, with Consul output; the catalog follows', async () => {
    const url = `http://127.0.0.1:${port}/health`;
    await registerService({
      Name: 'web',
      Port: port,
      Check: {
        HTTP: url,
        Interval: '200ms',
        Method: 'POST',
        Header: { 'X-Probe': ['yes'] },
        Body: '{"ping":true}',
      },
    });
    const passing = await waitStatus('service:web', 'passing');
    assert.equal(passing.Output, `HTTP POST ${url}: 200 OK Output: code 200`);
    await waitFor(
      'catalog passing',
      () => catalogCheck('service:web')?.Status,
      (s) => s === 'passing',
    );

    const headers = seen.at(-1);
    assert.equal(headers?.['user-agent'], 'Consul Health Check');
    assert.equal(headers?.accept, 'text/plain, text/*, */*');
    assert.equal(headers?.['x-probe'], 'yes');
    assert.equal(seenBodies.at(-1), '{"ping":true}');
    assert.equal(seenMethods.at(-1), 'POST');

    code = 429;
    const warning = await waitStatus('service:web', 'warning');
    assert.equal(warning.Output, `HTTP POST ${url}: 429 Too Many Requests Output: code 429`);
    await waitFor(
      'catalog warning',
      () => catalogCheck('service:web')?.Status,
      (s) => s === 'warning',
    );

    code = 500;
    const failing = await waitStatus('service:web', 'critical');
    assert.equal(failing.Output, `HTTP POST ${url}: 500 Internal Server Error Output: code 500`);
    await waitFor(
      'catalog critical',
      () => catalogCheck('service:web')?.Status,
      (s) => s === 'critical',
    );

    code = 200;
    await waitStatus('service:web', 'passing');
  });

  test('onCheck fires once per transition, never for an unchanged status', () => {
    const mine = transitions.filter((t) => t.checkId === 'service:web');
    assert.deepEqual(
      mine.map((t) => t.status),
      ['passing', 'warning', 'critical', 'passing'],
    );
    for (const t of mine) assert.notEqual(t.previous, t.status);
  });

  test('redirects are followed unless disable_redirects; loops stop after 10; bodies keep their tail', async () => {
    code = 200;
    await registerService({
      Name: 'redirects',
      Checks: [
        { CheckID: 'follow', HTTP: `http://127.0.0.1:${port}/redirect`, Interval: '200ms' },
        {
          CheckID: 'no-follow',
          HTTP: `http://127.0.0.1:${port}/redirect`,
          Interval: '200ms',
          DisableRedirects: true,
        },
        { CheckID: 'loop', HTTP: `http://127.0.0.1:${port}/loop`, Interval: '200ms' },
        { CheckID: 'big', HTTP: `http://127.0.0.1:${port}/big`, Interval: '200ms', OutputMaxSize: 16 },
      ],
    });
    const followed = await waitStatus('follow', 'passing');
    assert.equal(followed.Output, `HTTP GET http://127.0.0.1:${port}/redirect: 200 OK Output: code 200`);
    const stopped = await waitFor(
      'no-follow ran',
      () => localCheck('no-follow'),
      (c) => c?.Output !== '',
    );
    assert.equal(stopped?.Status, 'critical');
    assert.equal(stopped?.Output, `HTTP GET http://127.0.0.1:${port}/redirect: 302 Found Output: moved`);
    const loop = await waitFor(
      'loop ran',
      () => localCheck('loop'),
      (c) => c?.Output !== '',
    );
    assert.equal(loop?.Status, 'critical');
    assert.match(loop?.Output ?? '', /^Get "http:\/\/127\.0\.0\.1:\d+\/loop": stopped after 10 redirects$/);
    const big = await waitStatus('big', 'passing');
    assert.equal(big.Output, `HTTP GET http://127.0.0.1:${port}/big: 200 OK Output: xxxxxxxxxTHE-END`);
  });

  test('a refused connection is critical with the dial error', async () => {
    const spare = net.createServer();
    const deadPort = await listen(spare);
    await close(spare);
    await registerService({
      Name: 'dead-http',
      Check: { HTTP: `http://127.0.0.1:${deadPort}/`, Interval: '200ms' },
    });
    const dead = await waitFor(
      'dead-http ran',
      () => localCheck('service:dead-http'),
      (c) => c?.Output !== '',
    );
    assert.equal(dead?.Status, 'critical');
    assert.equal(
      dead?.Output,
      `Get "http://127.0.0.1:${deadPort}/": dial tcp 127.0.0.1:${deadPort}: connect: connection refused`,
    );
    await put('/v1/agent/service/deregister/dead-http');
  });
});

// A self-signed certificate for "health-test.local" (valid 2026-2126), for the TLS check tests only.
const TEST_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgM9ZDpL4U2kDnTlG8
G5h+8ox2F+6yK01Bsot9LL5wHcehRANCAATzRzBmP1+QVtq8uqkv/ToOBDdOPpEA
s8P7vMG8nWigLPAhJh+Os8m0fdPuqmAmxKtDqzL5yGvKNDkh4faBRgGa
-----END PRIVATE KEY-----
`;
const TEST_CERT = `-----BEGIN CERTIFICATE-----
MIIBrjCCAVOgAwIBAgIUXexHZqT4ke94S5MPG0s2XqHE2/wwCgYIKoZIzj0EAwIw
HDEaMBgGA1UEAwwRaGVhbHRoLXRlc3QubG9jYWwwIBcNMjYxMTI1MTQ0NjI1WhgP
MjEyNjExMDExNDQ2MjVaMBwxGjAYBgNVBAMMEWhlYWx0aC10ZXN0LmxvY2FsMFkw
EwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE80cwZj9fkFbavLqpL/06DgQ3Tj6RALPD
+7zBvJ1ooCzwISYfjrPJtH3T7qpgJsSrQ6sy+chryjQ5IeH2gUYBmqNxMG8wHQYD
VR0OBBYEFCjWwDVxGA/eLf2ltXnWMOr1KxIHMB8GA1UdIwQYMBaAFCjWwDVxGA/e
Lf2ltXnWMOr1KxIHMA8GA1UdEwEB/wQFMAMBAf8wHAYDVR0RBBUwE4IRaGVhbHRo
LXRlc3QubG9jYWwwCgYIKoZIzj0EAwIDSQAwRgIhAMpKrt1LI37BOyH96F7xMuAC
2lahcgjmwd9GuRmlx6EaAiEAx72RdAszSNzBLh1ZqLddELqUbiCl2RatmpWN9W7R
aRU=
-----END CERTIFICATE-----
`;

describe('HTTPS checks', () => {
  let server: https.Server;
  let port = 0;
  const serverNames: string[] = [];

  before(async () => {
    server = https.createServer({ key: TEST_KEY, cert: TEST_CERT }, (_req, res) => res.end('secure'));
    server.on('secureConnection', (socket) => {
      const name = (socket as unknown as { servername?: string | false }).servername;
      if (typeof name === 'string') serverNames.push(name);
    });
    port = await listen(server);
  });
  after(async () => {
    await put('/v1/agent/service/deregister/secure');
    await close(server);
  });

  test('TLS is verified unless tls_skip_verify; tls_server_name is sent as SNI', async () => {
    const url = `https://127.0.0.1:${port}/`;
    await registerService({
      Name: 'secure',
      Checks: [
        { CheckID: 'verified', HTTP: url, Interval: '200ms' },
        {
          CheckID: 'skipped',
          HTTP: url,
          Interval: '200ms',
          TLSSkipVerify: true,
          TLSServerName: 'health-test.local',
        },
      ],
    });
    const skipped = await waitStatus('skipped', 'passing');
    assert.equal(skipped.Output, `HTTP GET ${url}: 200 OK Output: secure`);
    assert.ok(serverNames.includes('health-test.local'));
    const verified = await waitFor(
      'verified ran',
      () => localCheck('verified'),
      (c) => c?.Output !== '',
    );
    assert.equal(verified?.Status, 'critical');
    assert.match(
      verified?.Output ?? '',
      /^Get "https:\/\/127\.0\.0\.1:\d+\/": tls: failed to verify certificate: /,
    );
  });
});

// ---- TCP and UDP ------------------------------------------------------------------------------------

describe('TCP checks', () => {
  test('passing while the listener is up, critical with the dial error once it is gone', async () => {
    const server = net.createServer((socket) => socket.destroy());
    const port = await listen(server);
    const address = `127.0.0.1:${port}`;
    await registerService({ Name: 'tcp-svc', Port: port, Check: { TCP: address, Interval: '200ms' } });
    const up = await waitStatus('service:tcp-svc', 'passing');
    assert.equal(up.Output, `TCP connect ${address}: Success`);
    await close(server);
    const down = await waitStatus('service:tcp-svc', 'critical');
    assert.equal(down.Output, `dial tcp ${address}: connect: connection refused`);
    await waitFor(
      'catalog critical',
      () => catalogCheck('service:tcp-svc')?.Status,
      (s) => s === 'critical',
    );
    await put('/v1/agent/service/deregister/tcp-svc');
  });
});

describe('UDP checks', () => {
  test('a reply or silence is passing; an ICMP port unreachable is critical', async () => {
    const echo = dgram.createSocket('udp4');
    echo.on('message', (msg, rinfo) =>
      echo.send(msg.length > 0 ? msg : Buffer.from('pong'), rinfo.port, rinfo.address),
    );
    await new Promise<void>((resolve) => echo.bind(0, '127.0.0.1', () => resolve()));
    const silent = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', () => resolve()));
    const echoAddress = `127.0.0.1:${echo.address().port}`;
    const silentAddress = `127.0.0.1:${silent.address().port}`;
    await registerService({
      Name: 'udp-svc',
      Checks: [
        { CheckID: 'udp-echo', UDP: echoAddress, Interval: '200ms' },
        { CheckID: 'udp-silent', UDP: silentAddress, Interval: '200ms', Timeout: '100ms' },
      ],
    });
    assert.equal((await waitStatus('udp-echo', 'passing')).Output, `UDP connect ${echoAddress}: Success`);
    assert.equal((await waitStatus('udp-silent', 'passing')).Output, `UDP connect ${silentAddress}: Success`);
    await new Promise<void>((resolve) => echo.close(() => resolve()));
    const down = await waitStatus('udp-echo', 'critical');
    assert.match(
      down.Output,
      new RegExp(`^read udp 127\\.0\\.0\\.1:\\d+->${echoAddress}: read: connection refused$`),
    );
    await put('/v1/agent/service/deregister/udp-svc');
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });
});

// ---- scripts ----------------------------------------------------------------------------------------

describe('script checks', () => {
  test('exit 0 passing, 1 warning, 2 critical; stdout and stderr are captured', async () => {
    const codeFile = join(dir, 'exit-code');
    await writeFile(codeFile, '0');
    await registerService({
      Name: 'script-svc',
      Check: {
        Args: ['sh', '-c', `c=$(cat '${codeFile}'); echo "out $c"; echo "err $c" >&2; exit $c`],
        Interval: '200ms',
      },
    });
    const ok = await waitStatus('service:script-svc', 'passing');
    assert.match(ok.Output, /out 0/);
    assert.match(ok.Output, /err 0/);
    await writeFile(codeFile, '1');
    assert.match((await waitStatus('service:script-svc', 'warning')).Output, /out 1/);
    await writeFile(codeFile, '2');
    assert.match((await waitStatus('service:script-svc', 'critical')).Output, /err 2/);
    await put('/v1/agent/service/deregister/script-svc');
  });

  test('at the timeout the script and the children it started are killed', async () => {
    const pidFile = join(dir, 'script.pid');
    const childFile = join(dir, 'child.pid');
    await registerService({
      Name: 'sleepy',
      Check: {
        Args: [
          'sh',
          '-c',
          `echo $$ > '${pidFile}'; sleep 30 & echo $! > '${childFile}'; echo started; sleep 30`,
        ],
        Interval: '1h',
        Timeout: '500ms',
      },
    });
    const shellPid = await readPid(pidFile);
    const childPid = await readPid(childFile);
    const timedOut = await waitFor(
      'sleepy timed out',
      () => localCheck('service:sleepy'),
      (c) => c?.Output.startsWith('Timed out') === true,
    );
    assert.equal(timedOut?.Status, 'critical');
    assert.equal(timedOut?.Output, 'Timed out (500ms) running check\n\nstarted\n');
    await waitGone(shellPid);
    await waitGone(childPid);
    await put('/v1/agent/service/deregister/sleepy');
  });

  test('a program that does not exist is critical with the exec error', async () => {
    await registerService({
      Name: 'missing-script',
      Check: { Args: ['tribune-no-such-program'], Interval: '200ms' },
    });
    const failed = await waitFor(
      'missing ran',
      () => localCheck('service:missing-script'),
      (c) => c?.Output !== '',
    );
    assert.equal(failed?.Status, 'critical');
    assert.equal(failed?.Output, 'exec: "tribune-no-such-program": executable file not found in $PATH');
    await put('/v1/agent/service/deregister/missing-script');
  });
});

// ---- gRPC -------------------------------------------------------------------------------------------

/** grpc.health.v1 by hand: HealthCheckRequest{service=1}, HealthCheckResponse{status=1}. */
const healthService: grpc.ServiceDefinition = {
  Check: {
    path: '/grpc.health.v1.Health/Check',
    requestStream: false,
    responseStream: false,
    requestSerialize: (value: { service: string }) => {
      const name = Buffer.from(value.service);
      return name.length === 0 ? Buffer.alloc(0) : Buffer.concat([Buffer.from([0x0a, name.length]), name]);
    },
    requestDeserialize: (bytes: Buffer) => ({
      service: bytes.length > 2 && bytes[0] === 0x0a ? bytes.subarray(2, 2 + (bytes[1] ?? 0)).toString() : '',
    }),
    responseSerialize: (value: { status: number }) => Buffer.from([0x08, value.status]),
    responseDeserialize: (bytes: Buffer) => ({ status: bytes[1] ?? 0 }),
  },
};

describe('gRPC checks', () => {
  let server: grpc.Server;
  let port = 0;
  const statuses = new Map<string, number>([
    ['', 1],
    ['web', 1],
  ]);

  before(async () => {
    server = new grpc.Server();
    server.addService(healthService, {
      Check: (
        call: grpc.ServerUnaryCall<{ service: string }, { status: number }>,
        callback: grpc.sendUnaryData<{ status: number }>,
      ) => {
        const status = statuses.get(call.request.service);
        if (status === undefined) callback({ code: grpc.status.NOT_FOUND, details: 'unknown service' });
        else callback(null, { status });
      },
    });
    port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, bound) =>
        err ? reject(err) : resolve(bound),
      ),
    );
  });
  after(async () => {
    await put('/v1/agent/service/deregister/grpc-svc');
    server.forceShutdown();
  });

  test('SERVING passing, NOT_SERVING critical, call errors critical', async () => {
    const target = `127.0.0.1:${port}/web`;
    await registerService({
      Name: 'grpc-svc',
      Checks: [
        { CheckID: 'grpc-web', GRPC: target, Interval: '200ms' },
        { CheckID: 'grpc-all', GRPC: `127.0.0.1:${port}`, Interval: '200ms' },
        { CheckID: 'grpc-unknown', GRPC: `127.0.0.1:${port}/nope`, Interval: '200ms' },
      ],
    });
    assert.equal((await waitStatus('grpc-web', 'passing')).Output, `gRPC check ${target}: success`);
    await waitStatus('grpc-all', 'passing');
    const unknown = await waitFor(
      'grpc-unknown ran',
      () => localCheck('grpc-unknown'),
      (c) => c?.Output !== '',
    );
    assert.equal(unknown?.Status, 'critical');
    assert.equal(unknown?.Output, 'rpc error: code = NotFound desc = unknown service');
    statuses.set('web', 2);
    assert.equal(
      (await waitStatus('grpc-web', 'critical')).Output,
      `gRPC ${target} serving status: NOT_SERVING`,
    );
    await waitFor(
      'catalog critical',
      () => catalogCheck('grpc-web')?.Status,
      (s) => s === 'critical',
    );
  });
});

// ---- TTL, alias, reaping ----------------------------------------------------------------------------

describe('TTL checks', () => {
  test('expire to critical with "TTL expired"; every update restarts the clock', async () => {
    await registerService({ Name: 'ttl-svc', Check: { CheckID: 'ttl-a', TTL: '500ms' } });
    assert.equal(localCheck('ttl-a')?.Status, 'critical', 'critical until the first update');
    const never = await waitFor(
      'first expiry',
      () => localCheck('ttl-a'),
      (c) => c?.Output === 'TTL expired',
    );
    assert.equal(never?.Status, 'critical');

    await put('/v1/agent/check/pass/ttl-a?note=alive');
    // Asserted on the transitions, not the live status: the TTL may already run out again.
    const passed = transitions.filter((t) => t.checkId === 'ttl-a' && t.status === 'passing');
    assert.deepEqual(
      passed.map((t) => t.output),
      ['alive'],
    );
    const expired = await waitStatus('ttl-a', 'critical');
    assert.equal(expired.Output, 'TTL expired (last output before timeout follows): alive');

    // An update after an expiry re-arms the timer: it expires again.
    await put('/v1/agent/check/warn/ttl-a?note=again');
    assert.ok(
      transitions.some((t) => t.checkId === 'ttl-a' && t.status === 'warning' && t.output === 'again'),
    );
    const again = await waitStatus('ttl-a', 'critical');
    assert.equal(again.Output, 'TTL expired (last output before timeout follows): again');
    await waitFor(
      'catalog critical',
      () => catalogCheck('ttl-a')?.Status,
      (s) => s === 'critical',
    );
    await put('/v1/agent/service/deregister/ttl-svc');
  });
});

describe('alias checks', () => {
  test('an alias follows the aggregate health of the aliased service, from the catalog', async () => {
    await registerService({ Name: 'db', Check: { CheckID: 'db-ttl', TTL: '1h' } });
    await registerService({ Name: 'db-proxy', Check: { CheckID: 'db-alias', AliasService: 'db' } });
    const down = await waitStatus('db-alias', 'critical');
    assert.equal(down.Output, 'Aliased check "Service \'db\' check" failing: ');
    await put('/v1/agent/check/pass/db-ttl?note=ok');
    assert.equal((await waitStatus('db-alias', 'passing')).Output, 'All checks passing.');
    await put('/v1/agent/check/warn/db-ttl?note=slow');
    assert.equal(
      (await waitStatus('db-alias', 'warning')).Output,
      'Aliased check "Service \'db\' check" failing: slow',
    );
    await put('/v1/agent/service/deregister/db');
    assert.equal(
      (await waitStatus('db-alias', 'critical')).Output,
      `Service db could not be found on node ${NODE}`,
    );
    await put('/v1/agent/service/deregister/db-proxy');
  });
});

describe('deregister_critical_service_after', () => {
  test('a service whose check stays critical that long is deregistered, locally and in the catalog', async () => {
    await registerService({
      Name: 'doomed',
      Checks: [
        { CheckID: 'doomed-ttl', TTL: '1h', DeregisterCriticalServiceAfter: '1s' },
        { CheckID: 'doomed-other', TTL: '1h', Status: 'passing' },
      ],
    });
    await waitFor(
      'catalog has doomed',
      () => servicesOfNode(agent.kernel.store, NODE).map((s) => s.ID),
      (ids) => ids.includes('doomed'),
    );
    await waitFor(
      'doomed reaped locally',
      () => getLocalState(agent.kernel)?.service('doomed'),
      (s) => s === undefined,
    );
    assert.equal(localCheck('doomed-other'), undefined, 'its other checks go with it');
    await waitFor(
      'doomed gone from the catalog',
      () => servicesOfNode(agent.kernel.store, NODE).map((s) => s.ID),
      (ids) => !ids.includes('doomed'),
    );
  });

  test('a check that recovers in time keeps its service', async () => {
    await registerService({
      Name: 'survivor',
      Check: { CheckID: 'survivor-ttl', TTL: '1h', DeregisterCriticalServiceAfter: '1h', Status: 'passing' },
    });
    await getHealthScheduler(agent.kernel)?.reapNow();
    assert.ok(getLocalState(agent.kernel)?.service('survivor'));
    await put('/v1/agent/service/deregister/survivor');
  });
});

// ---- runtime changes and shutdown -------------------------------------------------------------------

describe('runners follow the local state', () => {
  test('re-registering moves the probe; deregistering stops it', async () => {
    const hits = new Map<string, number>();
    const server = http.createServer((req, res) => {
      hits.set(req.url ?? '', (hits.get(req.url ?? '') ?? 0) + 1);
      res.end('ok');
    });
    const port = await listen(server);
    const scheduler = getHealthScheduler(agent.kernel);
    const before = scheduler?.stats().runners ?? 0;
    await registerService({
      Name: 'moving',
      Check: { HTTP: `http://127.0.0.1:${port}/a`, Interval: '100ms' },
    });
    await waitFor(
      'probe on /a',
      () => hits.get('/a') ?? 0,
      (n) => n > 0,
    );
    await registerService({
      Name: 'moving',
      Check: { HTTP: `http://127.0.0.1:${port}/b`, Interval: '100ms' },
    });
    await waitFor(
      'probe on /b',
      () => hits.get('/b') ?? 0,
      (n) => n > 0,
    );
    await waitFor(
      'two probes on /b',
      () => hits.get('/b') ?? 0,
      (n) => n >= 2,
    );
    const settledA = hits.get('/a') ?? 0;
    await waitFor(
      'several probes on /b',
      () => hits.get('/b') ?? 0,
      (n) => n >= 5,
    );
    assert.equal(hits.get('/a') ?? 0, settledA, 'the old probe stopped');
    assert.equal(scheduler?.stats().runners, before + 1);
    await put('/v1/agent/service/deregister/moving');
    assert.equal(scheduler?.stats().runners, before);
    await close(server);
  });

  test('stopping the agent kills a script in flight', async () => {
    const other = await startTestKernel({ plugins: plugins(), config: { enable_script_checks: true } });
    const pidFile = join(dir, 'inflight.pid');
    try {
      await registerService(
        {
          Name: 'long',
          Check: {
            Args: ['sh', '-c', `echo $$ > '${pidFile}'; exec sleep 30`],
            Interval: '1h',
            Timeout: '1h',
          },
        },
        other,
      );
      const pid = await readPid(pidFile);
      assert.ok(await isAlive(pid));
      await other.stop();
      await waitGone(pid);
      assert.equal(getHealthScheduler(other.kernel)?.stats().runners, 0);
    } finally {
      await other.stop();
    }
  });

  test('a script check no longer allowed after a reload stops running', async () => {
    const other = await startTestKernel({ plugins: plugins(), config: { enable_script_checks: true } });
    try {
      await registerService({ Name: 'scripted', Check: { Args: ['true'], Interval: '100ms' } }, other);
      await waitStatus('service:scripted', 'passing', other);
      const scheduler = getHealthScheduler(other.kernel);
      assert.equal(scheduler?.stats().runners, 1);
      other.kernel.setConfig({ ...other.kernel.config, enable_script_checks: false });
      scheduler?.reconcile();
      assert.equal(scheduler?.stats().runners, 0);
    } finally {
      await other.stop();
    }
  });
});
