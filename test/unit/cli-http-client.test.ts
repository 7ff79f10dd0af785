import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runLeave } from '../../core/cli/commands/leave.js';
import { runMembers } from '../../core/cli/commands/members.js';
import { runReload } from '../../core/cli/commands/reload.js';
import { captureIO, type FakeAgent, startFakeAgent } from '../helpers/cli-fake-agent.js';

// Self-signed for CN tribune-test, SAN DNS:tribune.test and IP:127.0.0.1, valid until 2126.
const TEST_CERT = `-----BEGIN CERTIFICATE-----
MIIBpDCCAUqgAwIBAgIUMXpoW814aho85FBHWTcdSXsW5kAwCgYIKoZIzj0EAwIw
FzEVMBMGA1UEAwwMdHJpYnVuZS10ZXN0MCAXDTI2MTEyNTE0MTMzMVoYDzIxMjYx
MTAxMTQxMzMxWjAXMRUwEwYDVQQDDAx0cmlidW5lLXRlc3QwWTATBgcqhkjOPQIB
BggqhkjOPQMBBwNCAASjCbGZmLzU/kQhzXEkIH4JcmOtA738MOmnVy9C/45oU3nR
ORw6TcMkfkMmAHNhzQyZCVM+i7C6fM3MJyyM+64Wo3IwcDAdBgNVHQ4EFgQUYyPq
mN8puOtJBdyQBtlIMCOoGuQwHwYDVR0jBBgwFoAUYyPqmN8puOtJBdyQBtlIMCOo
GuQwDwYDVR0TAQH/BAUwAwEB/zAdBgNVHREEFjAUggx0cmlidW5lLnRlc3SHBH8A
AAEwCgYIKoZIzj0EAwIDSAAwRQIgJ2ir2ap9tvuwUOo3YcM162l94V4whL9rUOpZ
k6z0DSMCIQCAGIRxezXkHKl0AEvw2vl1AkewKp38X31ezbTJeIUwyA==
-----END CERTIFICATE-----
`;
const TEST_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgYQVVcyLJQr39QPyx
GoEcGkFCY28GDHTcagc5hPTCZnuhRANCAASjCbGZmLzU/kQhzXEkIH4JcmOtA738
MOmnVy9C/45oU3nRORw6TcMkfkMmAHNhzQyZCVM+i7C6fM3MJyyM+64W
-----END PRIVATE KEY-----
`;

let dir: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'tribune-cli-http-'));
});

after(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A loopback port nothing listens on: bind, note the port, close. */
async function closedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  server.close();
  await once(server, 'close');
  return port;
}

describe('reaching the agent', () => {
  let agent: FakeAgent;
  before(async () => {
    agent = await startFakeAgent({
      'PUT /v1/agent/reload': { body: '' },
      'PUT /prefix/v1/agent/reload': { body: '' },
    });
  });
  after(() => agent.close());

  it('sends -token as X-Consul-Token and -datacenter as dc on every request', async () => {
    agent.requests.length = 0;
    const io = captureIO();
    const code = await runReload(['-http-addr', agent.address, '-token=secret', '-datacenter=dc2'], io);
    assert.equal(code, 0, io.err());
    assert.equal(io.out(), 'Configuration reload triggered\n');
    const [req] = agent.requests;
    assert.equal(req?.method, 'PUT');
    assert.equal(req?.rawPath, '/v1/agent/reload');
    assert.equal(req?.rawQuery, 'dc=dc2');
    assert.equal(req?.headers['x-consul-token'], 'secret');
  });

  it('sends no token header without a token, and accepts host:port without a scheme', async () => {
    agent.requests.length = 0;
    const io = captureIO({ CONSUL_HTTP_ADDR: agent.address.replace('http://', '') });
    assert.equal(await runReload([], io), 0, io.err());
    assert.equal(agent.requests[0]?.headers['x-consul-token'], undefined);
    assert.equal(agent.requests[0]?.rawQuery, '');
  });

  it('takes the token from a token file over -token, and CONSUL_HTTP_TOKEN when no flag', async () => {
    const file = join(dir, 'token');
    writeFileSync(file, '  from-file\n');
    agent.requests.length = 0;
    let io = captureIO({ CONSUL_HTTP_TOKEN_FILE: file });
    assert.equal(await runReload(['-http-addr', agent.address, '-token', 'flag-token'], io), 0, io.err());
    assert.equal(agent.requests[0]?.headers['x-consul-token'], 'from-file');

    const empty = join(dir, 'empty-token');
    writeFileSync(empty, '\n');
    agent.requests.length = 0;
    io = captureIO({ CONSUL_HTTP_TOKEN: 'env-token' });
    assert.equal(await runReload(['-http-addr', agent.address, '-token-file', empty], io), 0, io.err());
    assert.equal(agent.requests[0]?.headers['x-consul-token'], 'env-token');
  });

  it('reports an unreadable token file before sending anything', async () => {
    agent.requests.length = 0;
    const missing = join(dir, 'missing');
    const io = captureIO();
    assert.equal(await runReload(['-http-addr', agent.address, `-token-file=${missing}`], io), 1);
    assert.equal(
      io.err(),
      `Error connecting to Consul agent: Error loading token file: open ${missing}: no such file or directory\n`,
    );
    assert.equal(agent.requests.length, 0);
  });

  it('keeps a path prefix given after the address, and sends basic auth from CONSUL_HTTP_AUTH', async () => {
    agent.requests.length = 0;
    const io = captureIO({ CONSUL_HTTP_AUTH: 'user:pa:ss' });
    assert.equal(await runReload([`-http-addr=${agent.address}/prefix`], io), 0, io.err());
    assert.equal(agent.requests[0]?.rawPath, '/prefix/v1/agent/reload');
    assert.equal(
      agent.requests[0]?.headers.authorization,
      `Basic ${Buffer.from('user:pa:ss').toString('base64')}`,
    );
  });

  it('rejects an unknown scheme as Consul does', async () => {
    const io = captureIO();
    assert.equal(await runReload(['-http-addr', 'ftp://127.0.0.1:1'], io), 1);
    assert.equal(io.err(), 'Error connecting to Consul agent: Unknown protocol scheme: ftp\n');
  });
});

describe('failures on the way', () => {
  it('words a refused connection like Go net/http and exits 1', async () => {
    const port = await closedPort();
    const io = captureIO();
    assert.equal(await runMembers(['-http-addr', `127.0.0.1:${port}`], io), 1);
    assert.equal(
      io.err(),
      `Error retrieving members: Get "http://127.0.0.1:${port}/v1/agent/members?segment=_all": ` +
        `dial tcp 127.0.0.1:${port}: connect: connection refused\n`,
    );
    assert.equal(io.out(), '');
  });

  it('prints a server error as Unexpected response code with the trimmed body', async () => {
    const agent = await startFakeAgent({
      'PUT /v1/agent/leave': { status: 403, body: 'Permission denied\n' },
    });
    try {
      const io = captureIO();
      assert.equal(await runLeave(['-http-addr', agent.address], io), 1);
      assert.equal(io.err(), 'Error leaving: Unexpected response code: 403 (Permission denied)\n');
    } finally {
      await agent.close();
    }
  });
});

describe('TLS and unix sockets', () => {
  it('speaks https with -ca-file, refuses an unknown CA, and skips checks when told to', async () => {
    const agent = await startFakeAgent(
      { 'PUT /v1/agent/reload': { body: '' } },
      { tls: { cert: TEST_CERT, key: TEST_KEY } },
    );
    try {
      const ca = join(dir, 'ca.pem');
      writeFileSync(ca, TEST_CERT);
      let io = captureIO();
      assert.equal(await runReload(['-http-addr', agent.address, '-ca-file', ca], io), 0, io.err());

      io = captureIO();
      assert.equal(await runReload(['-http-addr', agent.address], io), 1);
      assert.match(io.err(), /^Error reloading: Put "https:\/\/127\.0\.0\.1:\d+\/v1\/agent\/reload": /);

      io = captureIO({ CONSUL_HTTP_SSL_VERIFY: 'false', CONSUL_HTTP_SSL: 'true' });
      const hostPort = agent.address.replace('https://', '');
      assert.equal(await runReload(['-http-addr', hostPort], io), 0, io.err());
      assert.equal(agent.requests.length, 2);
    } finally {
      await agent.close();
    }
  });

  it('reaches an agent on unix:///path', async () => {
    const socketPath = join(dir, 'agent.sock');
    const agent = await startFakeAgent({ 'PUT /v1/agent/reload': { body: '' } }, { socketPath });
    try {
      const io = captureIO();
      assert.equal(await runReload(['-http-addr', agent.address], io), 0, io.err());
      assert.equal(agent.requests[0]?.rawPath, '/v1/agent/reload');
    } finally {
      await agent.close();
    }
  });
});
