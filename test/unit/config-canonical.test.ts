import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  canonicalCheckDefinition,
  canonicalServiceDefinition,
  canonicalTopLevel,
  completeCheckDefinition,
  completeServiceDefinition,
  foldServiceChecks,
  normalizeKey,
} from '../../core/config/canonical.js';

const SNAKE_SERVICE = {
  id: 'web-1',
  name: 'web',
  tags: ['v1', 'Primary'],
  address: '10.0.0.5',
  port: 8080,
  meta: { Version: '1.0', build_id: '7' },
  tagged_addresses: { lan: { address: '10.0.0.5', port: 8080 }, wan: { address: '1.2.3.4', port: 80 } },
  enable_tag_override: true,
  weights: { passing: 3, warning: 1 },
  token: 't',
  kind: 'connect-proxy',
  socket_path: '/run/web.sock',
  check: {
    id: 'web-http',
    name: 'HTTP on 8080',
    http: 'http://127.0.0.1:8080/health',
    method: 'POST',
    header: { 'X-Token': ['a', 'b'] },
    body: '{}',
    interval: '10s',
    timeout: '1s',
    tls_skip_verify: true,
    tls_server_name: 'web.local',
    disable_redirects: true,
    deregister_critical_service_after: '90m',
    success_before_passing: 2,
    failures_before_warning: 1,
    failures_before_critical: 3,
    output_max_size: 1024,
  },
  checks: [
    { name: 'ttl', ttl: '30s', notes: 'n', status: 'passing' },
    { name: 'tcp', tcp: '127.0.0.1:8080', tcp_use_tls: false, interval: '5s' },
    { name: 'script', args: ['/bin/check', '-v'], interval: '1m' },
    { name: 'grpc', grpc: '127.0.0.1:9000/svc', grpc_use_tls: true, interval: '5s' },
    { name: 'udp', udp: '127.0.0.1:53', interval: '5s' },
    { name: 'alias', alias_service: 'db', alias_node: 'n2' },
  ],
};

const PASCAL_SERVICE = {
  ID: 'web-1',
  Name: 'web',
  Tags: ['v1', 'Primary'],
  Address: '10.0.0.5',
  Port: 8080,
  Meta: { Version: '1.0', build_id: '7' },
  TaggedAddresses: { lan: { Address: '10.0.0.5', Port: 8080 }, wan: { Address: '1.2.3.4', Port: 80 } },
  EnableTagOverride: true,
  Weights: { Passing: 3, Warning: 1 },
  Token: 't',
  Kind: 'connect-proxy',
  SocketPath: '/run/web.sock',
  Check: {
    CheckID: 'web-http',
    Name: 'HTTP on 8080',
    HTTP: 'http://127.0.0.1:8080/health',
    Method: 'POST',
    Header: { 'X-Token': ['a', 'b'] },
    Body: '{}',
    Interval: '10s',
    Timeout: '1s',
    TLSSkipVerify: true,
    TLSServerName: 'web.local',
    DisableRedirects: true,
    DeregisterCriticalServiceAfter: '90m',
    SuccessBeforePassing: 2,
    FailuresBeforeWarning: 1,
    FailuresBeforeCritical: 3,
    OutputMaxSize: 1024,
  },
  Checks: [
    { Name: 'ttl', TTL: '30s', Notes: 'n', Status: 'passing' },
    { Name: 'tcp', TCP: '127.0.0.1:8080', TCPUseTLS: false, Interval: '5s' },
    { Name: 'script', ScriptArgs: ['/bin/check', '-v'], Interval: '1m' },
    { Name: 'grpc', GRPC: '127.0.0.1:9000/svc', GRPCUseTLS: true, Interval: '5s' },
    { Name: 'udp', UDP: '127.0.0.1:53', Interval: '5s' },
    { Name: 'alias', AliasService: 'db', AliasNode: 'n2' },
  ],
};

describe('canonical service and check definitions', () => {
  test('snake_case passes through unchanged', () => {
    assert.deepEqual(canonicalServiceDefinition(SNAKE_SERVICE), SNAKE_SERVICE);
  });

  test('PascalCase (the HTTP API spelling) maps onto the same shape', () => {
    assert.deepEqual(canonicalServiceDefinition(PASCAL_SERVICE), SNAKE_SERVICE);
  });

  test('keys compare without underscores and case', () => {
    assert.equal(normalizeKey('EnableTagOverride'), normalizeKey('enable_tag_override'));
    assert.deepEqual(canonicalCheckDefinition({ service_id: 'a', ServiceID: 'b' }), { service_id: 'b' });
    assert.deepEqual(canonicalCheckDefinition({ ID: 'x', Args: ['a'] }), { id: 'x', args: ['a'] });
    assert.deepEqual(canonicalCheckDefinition({ script_args: ['a'], Tls_Skip_Verify: true }), {
      args: ['a'],
      tls_skip_verify: true,
    });
    assert.deepEqual(canonicalServiceDefinition({ name: 'a', enableTagOverride: true }), {
      name: 'a',
      enable_tag_override: true,
    });
  });

  test('unknown keys are dropped; user data (meta keys, header names) keeps its spelling', () => {
    assert.deepEqual(
      canonicalServiceDefinition({ Name: 'a', Bogus: 1, Connect: {}, Meta: { CamelKey: 'v' } }),
      { name: 'a', meta: { CamelKey: 'v' } },
    );
    assert.deepEqual(canonicalCheckDefinition({ Header: { 'Content-Type': ['x'] }, Nope: 1 }), {
      header: { 'Content-Type': ['x'] },
    });
  });

  test('the catalog spelling Service counts as the name only without Name', () => {
    assert.deepEqual(canonicalServiceDefinition({ Service: 'redis', Port: 1 }), { name: 'redis', port: 1 });
    assert.deepEqual(canonicalServiceDefinition({ Service: 'x', Name: 'y' }), { name: 'y' });
  });

  test('non-objects come back unchanged for the validator to report', () => {
    assert.equal(canonicalServiceDefinition('web') as unknown, 'web');
    assert.equal(canonicalCheckDefinition(null) as unknown, null);
    assert.deepEqual(canonicalServiceDefinition({ name: 'a', checks: 'x' }), { name: 'a', checks: 'x' });
  });

  test('canonicalisation is idempotent for any input', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (raw) => {
        const once = canonicalServiceDefinition(raw);
        assert.deepEqual(canonicalServiceDefinition(once), once);
      }),
      { numRuns: 300 },
    );
  });
});

describe('completing definitions', () => {
  test('service id defaults to name; weights default to 1/1', () => {
    assert.deepEqual(completeServiceDefinition({ name: 'web' }), {
      name: 'web',
      id: 'web',
      weights: { passing: 1, warning: 1 },
    });
  });

  test("one check: id service:<id>, name Service '<name>' check", () => {
    const done = completeServiceDefinition({ name: 'web', id: 'web-1', check: { ttl: '10s' } });
    assert.deepEqual(done.check, { ttl: '10s', id: 'service:web-1', name: "Service 'web' check" });
  });

  test('several checks are numbered from 1, the single check first; explicit ids and names stay', () => {
    const done = completeServiceDefinition({
      name: 'web',
      check: { ttl: '10s' },
      checks: [
        { ttl: '5s', id: 'mine' },
        { ttl: '1s', name: 'named' },
      ],
    });
    assert.equal(done.check?.id, 'service:web:1');
    assert.deepEqual(
      done.checks?.map((c) => [c.id, c.name]),
      [
        ['mine', "Service 'web' check"],
        ['service:web:3', 'named'],
      ],
    );
  });

  test('a top-level check id defaults to its name', () => {
    assert.deepEqual(completeCheckDefinition({ name: 'mem', ttl: '1m' }), {
      name: 'mem',
      ttl: '1m',
      id: 'mem',
    });
    assert.deepEqual(completeCheckDefinition({ name: 'mem', id: 'x' }), { name: 'mem', id: 'x' });
  });

  test('folding puts the single check first in checks', () => {
    assert.deepEqual(foldServiceChecks({ name: 'a', check: { id: '1' }, checks: [{ id: '2' }] }), {
      name: 'a',
      checks: [{ id: '1' }, { id: '2' }],
    });
    assert.deepEqual(foldServiceChecks({ name: 'a' }), { name: 'a' });
  });
});

describe('canonicalTopLevel: legacy spellings', () => {
  test('service and check become list entries, ahead of services and checks', () => {
    const out = canonicalTopLevel({
      services: [{ name: 'b' }],
      service: { Name: 'a', Port: 1 },
      check: { Name: 'c', TTL: '1s' },
      checks: [{ name: 'd', ttl: '1s' }],
    });
    assert.deepEqual(out.services, [{ name: 'a', port: 1 }, { name: 'b' }]);
    assert.deepEqual(out.checks, [
      { name: 'c', ttl: '1s' },
      { name: 'd', ttl: '1s' },
    ]);
    assert.equal('service' in out, false);
    assert.equal('check' in out, false);
  });

  test('start_join joins retry_join; recursor joins recursors', () => {
    const out = canonicalTopLevel({
      start_join: ['a'],
      retry_join: ['b'],
      recursor: '8.8.8.8',
      recursors: ['1.1.1.1'],
    });
    assert.deepEqual(out.retry_join, ['a', 'b']);
    assert.deepEqual(out.recursors, ['8.8.8.8', '1.1.1.1']);
  });

  test('ui_config.enabled is the current spelling of ui and wins over it', () => {
    assert.equal(canonicalTopLevel({ ui: false, ui_config: { enabled: true } }).ui, true);
    assert.equal(canonicalTopLevel({ ui_config: { enabled: false }, ui: true }).ui, false);
    assert.equal(canonicalTopLevel({ ui: true }).ui, true);
    assert.deepEqual(canonicalTopLevel({ ui_dir: '/old', ui_config: { dir: '/new' } }).ui_config, {
      dir: '/new',
    });
    assert.deepEqual(canonicalTopLevel({ ui_content_path: '/x/' }).ui_config, { content_path: '/x/' });
  });

  test('obsolete acl_* tokens and rpc ports/addresses are dropped', () => {
    const out = canonicalTopLevel({
      acl_token: 't',
      acl_datacenter: 'dc1',
      ports: { http: 1, rpc: 8400 },
      addresses: { rpc: '0.0.0.0', http: '127.0.0.1' },
      node_name: 'n',
    });
    assert.deepEqual(out, { ports: { http: 1 }, addresses: { http: '127.0.0.1' }, node_name: 'n' });
  });

  test('the input is not mutated', () => {
    const input = { service: { Name: 'a' }, services: [{ name: 'b' }] };
    const copy = structuredClone(input);
    canonicalTopLevel(input);
    assert.deepEqual(input, copy);
  });
});
