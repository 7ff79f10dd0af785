import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, beforeEach, describe, it } from 'node:test';
import { clientCommands } from '../../core/cli/commands/index.js';
import { runInfo } from '../../core/cli/commands/info.js';
import { runJoin } from '../../core/cli/commands/join.js';
import { runLeave } from '../../core/cli/commands/leave.js';
import { formatTcpAddress, runMembers } from '../../core/cli/commands/members.js';
import { runReload } from '../../core/cli/commands/reload.js';
import { runVersion } from '../../core/cli/commands/version.js';
import { captureIO, type FakeAgent, startFakeAgent } from '../helpers/cli-fake-agent.js';

const member = (name: string, addr: string, status: number, tags: Record<string, string>) => ({
  Name: name,
  Addr: addr,
  Port: 8301,
  Tags: tags,
  Status: status,
  ProtocolMin: 1,
  ProtocolMax: 5,
  ProtocolCur: 2,
  DelegateMin: 2,
  DelegateMax: 5,
  DelegateCur: 4,
});

const MEMBERS = [
  member('web-1', '10.0.0.12', 1, { role: 'node', dc: 'dc1', build: '0.1.0:abcdef', vsn: '2', segment: '' }),
  member('zeta', '10.0.0.3', 1, { role: 'consul', dc: 'dc1', build: '0.1.0:abcdef', vsn: '2', port: '8300' }),
  member('alpha', '10.0.0.2', 4, { role: 'consul', dc: 'dc1', build: '0.1.0', vsn: '2', port: '8300' }),
  member('db', '::1', 3, { role: 'node', dc: 'dc1', vsn: '2' }),
  member('odd', 'not-an-ip', 2, { role: 'something' }),
];

let agent: FakeAgent;

before(async () => {
  agent = await startFakeAgent();
});

after(() => agent.close());

beforeEach(() => {
  agent.requests.length = 0;
  agent.routes.clear();
});

const addr = (): string[] => ['-http-addr', agent.address];

describe('members', () => {
  it('prints the standard table, servers first then by name', async () => {
    agent.routes.set('GET /v1/agent/members', { body: MEMBERS });
    const io = captureIO();
    assert.equal(await runMembers(addr(), io), 0, io.err());
    assert.equal(
      io.out(),
      'Node   Address         Status   Type     Build  Protocol  DC   Partition  Segment\n' +
        'alpha  10.0.0.2:8301   failed   server   0.1.0  2         dc1  default    <all>\n' +
        'zeta   10.0.0.3:8301   alive    server   0.1.0  2         dc1  default    <all>\n' +
        'db     [::1]:8301      left     client   < 0.3  2         dc1  default    <default>\n' +
        'odd    :8301           leaving  unknown                                   \n' +
        'web-1  10.0.0.12:8301  alive    client   0.1.0  2         dc1  default    <default>\n',
    );
    assert.equal(agent.requests[0]?.rawQuery, 'segment=_all');
  });

  it('prints -detailed tags sorted as k=v, and passes -wan and -filter', async () => {
    agent.routes.set('GET /v1/agent/members', { body: MEMBERS.slice(0, 2) });
    const io = captureIO();
    assert.equal(
      await runMembers([...addr(), '-detailed', '-wan', '-filter=Name == "zeta"'], io),
      0,
      io.err(),
    );
    assert.equal(
      io.out(),
      'Node   Address         Status  Tags\n' +
        'zeta   10.0.0.3:8301   alive   ap=default,build=0.1.0:abcdef,dc=dc1,port=8300,role=consul,segment=<all>,vsn=2\n' +
        'web-1  10.0.0.12:8301  alive   ap=default,build=0.1.0:abcdef,dc=dc1,role=node,segment=<default>,vsn=2\n',
    );
    const query = agent.requests[0]?.query;
    assert.equal(query?.get('wan'), '1');
    assert.equal(query?.get('filter'), 'Name == "zeta"');
  });

  it('filters by -status regexp and exits 2 when nothing matches', async () => {
    agent.routes.set('GET /v1/agent/members', { body: MEMBERS });
    let io = captureIO();
    assert.equal(await runMembers([...addr(), '-status=fail|left'], io), 0, io.err());
    assert.deepEqual(
      io
        .out()
        .split('\n')
        .map((l) => l.split(/\s+/)[0]),
      ['Node', 'alpha', 'db', ''],
    );
    io = captureIO();
    assert.equal(await runMembers([...addr(), '-status=^none$'], io), 2);
    assert.equal(io.out(), '');
    io = captureIO();
    assert.equal(await runMembers([...addr(), '-status=('], io), 1);
    assert.match(io.err(), /^Failed to compile status regexp: /);
  });

  it('formats addresses as Go net.TCPAddr does', () => {
    assert.equal(formatTcpAddress('10.1.2.3', 8301), '10.1.2.3:8301');
    assert.equal(formatTcpAddress('fe80::1', 8301), '[fe80::1]:8301');
    assert.equal(formatTcpAddress('::ffff:10.1.2.3', 8301), '10.1.2.3:8301');
    assert.equal(formatTcpAddress('', 8301), ':8301');
  });
});

describe('reload', () => {
  it('prints the confirmation on 200', async () => {
    agent.routes.set('PUT /v1/agent/reload', { body: '' });
    const io = captureIO();
    assert.equal(await runReload(addr(), io), 0);
    assert.equal(io.out(), 'Configuration reload triggered\n');
    assert.equal(agent.requests[0]?.method, 'PUT');
  });

  it('prints the validation errors the agent answers with and exits 1', async () => {
    const body = 'Failed reloading: config.d/web.json: /services/0/port: must be integer\n';
    agent.routes.set('PUT /v1/agent/reload', { status: 400, body });
    const io = captureIO();
    assert.equal(await runReload(addr(), io), 1);
    assert.equal(
      io.err(),
      'Error reloading: Unexpected response code: 400 (Failed reloading: config.d/web.json: /services/0/port: must be integer)\n',
    );
    assert.equal(io.out(), '');
  });
});

describe('join and leave', () => {
  it('joins each address, counts successes and reports failures', async () => {
    agent.routes.set('PUT /v1/agent/join/10.0.0.5:8301', { body: '' });
    agent.routes.set('PUT /v1/agent/join/10.0.0.6', { status: 500, body: '1 error occurred: dial failed' });
    agent.routes.set('PUT /v1/agent/join/%5B::1%5D:8302', { body: '' });
    const io = captureIO();
    assert.equal(
      await runJoin([...addr(), '-wan', '10.0.0.5:8301', '10.0.0.6', '[::1]:8302'], io),
      0,
      io.err(),
    );
    assert.equal(io.out(), 'Successfully joined cluster by contacting 2 nodes.\n');
    assert.equal(
      io.err(),
      "Error joining address '10.0.0.6': Unexpected response code: 500 (1 error occurred: dial failed)\n",
    );
    assert.deepEqual(
      agent.requests.map((r) => `${r.method} ${r.rawPath}?${r.rawQuery}`),
      [
        'PUT /v1/agent/join/10.0.0.5:8301?wan=1',
        'PUT /v1/agent/join/10.0.0.6?wan=1',
        'PUT /v1/agent/join/%5B::1%5D:8302?wan=1',
      ],
    );
  });

  it('fails when no address joined or none was given', async () => {
    agent.routes.set('PUT /v1/agent/join/x', { status: 500, body: 'no' });
    let io = captureIO();
    assert.equal(await runJoin([...addr(), 'x'], io), 1);
    assert.equal(
      io.err(),
      "Error joining address 'x': Unexpected response code: 500 (no)\nFailed to join any nodes.\n",
    );
    io = captureIO();
    assert.equal(await runJoin(addr(), io), 1);
    assert.match(io.err(), /^At least one address to join must be specified\.\n\nUsage: tribune join/);
  });

  it('leaves gracefully and refuses positional arguments', async () => {
    agent.routes.set('PUT /v1/agent/leave', { body: '' });
    let io = captureIO();
    assert.equal(await runLeave(addr(), io), 0);
    assert.equal(io.out(), 'Graceful leave complete\n');
    io = captureIO();
    assert.equal(await runLeave([...addr(), 'now', 'please'], io), 1);
    assert.equal(io.err(), 'Error found unexpected args: [now please]\n');
    assert.match(io.out(), /^Usage: tribune leave/);
    assert.equal(agent.requests.length, 1);
  });
});

describe('info', () => {
  it('prints Stats sections and entries sorted, tab-indented', async () => {
    agent.routes.set('GET /v1/agent/self', {
      body: {
        Config: { NodeName: 'n1' },
        Stats: {
          serf_lan: { members: '3', failed: '0' },
          agent: { services: '2', checks: '1' },
          raft: { state: 'Leader', applied_index: '12' },
        },
      },
    });
    const io = captureIO();
    assert.equal(await runInfo([...addr(), '-token=x'], io), 0, io.err());
    assert.equal(
      io.out(),
      'agent:\n\tchecks = 1\n\tservices = 2\nraft:\n\tapplied_index = 12\n\tstate = Leader\n' +
        'serf_lan:\n\tfailed = 0\n\tmembers = 3\n',
    );
    assert.equal(agent.requests[0]?.rawPath, '/v1/agent/self');
  });

  it('fails without a Stats block or on an error answer', async () => {
    agent.routes.set('GET /v1/agent/self', { body: { Config: {} } });
    let io = captureIO();
    assert.equal(await runInfo(addr(), io), 1);
    assert.match(io.err(), /^Agent response did not contain 'Stats' key: /);
    agent.routes.set('GET /v1/agent/self', { status: 403, body: 'Permission denied' });
    io = captureIO();
    assert.equal(await runInfo(addr(), io), 1);
    assert.equal(io.err(), 'Error querying agent: Unexpected response code: 403 (Permission denied)\n');
  });
});

describe('version', () => {
  const pkgVersion = (
    JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    }
  ).version;

  it('prints the package version and protocol lines without any agent', async () => {
    const io = captureIO({ CONSUL_HTTP_ADDR: '127.0.0.1:1' });
    assert.equal(await runVersion([], io), 0);
    const lines = io.out().split('\n');
    assert.equal(lines[0], `Tribune v${pkgVersion}`);
    assert.match(lines[1] ?? '', /^Revision ([0-9a-f]{40,64}|unknown)$/);
    assert.equal(
      lines[2],
      'Protocol 2 spoken by default, understands 2 to 3 (agent will automatically use protocol >2 when speaking to compatible agents)',
    );
    assert.deepEqual(lines.slice(3), ['', '']);
  });

  it('prints -format=json with Go three-space indentation and rejects other formats', async () => {
    let io = captureIO();
    assert.equal(await runVersion(['-format=json'], io), 0);
    const out = io.out();
    assert.match(out, /^\{\n {3}"Version": /);
    const parsed = JSON.parse(out) as Record<string, unknown>;
    assert.deepEqual(Object.keys(parsed), [
      'Version',
      'Revision',
      'Prerelease',
      'FullVersion',
      'BuildDate',
      'RPC',
    ]);
    assert.equal(parsed.FullVersion, pkgVersion);
    assert.deepEqual(parsed.RPC, { Default: 2, Min: 2, Max: 3 });
    io = captureIO();
    assert.equal(await runVersion(['-format=yaml'], io), 1);
    assert.equal(io.err(), 'Unknown format: yaml\n');
  });
});

describe('command table', () => {
  it('offers every client command under its Consul name', () => {
    assert.deepEqual(Object.keys(clientCommands).sort(), [
      'catalog datacenters',
      'catalog nodes',
      'catalog services',
      'info',
      'join',
      'kv delete',
      'kv export',
      'kv get',
      'kv import',
      'kv put',
      'leave',
      'members',
      'reload',
      'services deregister',
      'services register',
      'version',
    ]);
  });

  it('prints usage for -h (exit 0) and a Go-style error for an unknown flag (exit 1)', async () => {
    let io = captureIO();
    assert.equal(await runMembers(['-h'], io), 0);
    assert.match(io.out(), /^Usage: tribune members/);
    io = captureIO();
    assert.equal(await runMembers(['-bogus'], io), 1);
    assert.match(io.err(), /^flag provided but not defined: -bogus\nUsage: tribune members/);
    assert.equal(agent.requests.length, 0);
  });
});
