import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { TribuneError } from '../../core/errors.js';
import {
  checkRegistration,
  checkType,
  checkTypeProblem,
  decodeCheckBody,
  decodeServiceBody,
  maintenanceCheck,
  metadataProblem,
  scriptCheckRefusal,
  serviceRegistration,
  validateCheckRegistration,
  validateServiceRegistration,
} from '../../plugins/agent/definitions.js';

function rejects(fn: () => unknown, code: string, message: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof TribuneError);
    assert.equal(err.code, code);
    assert.equal(err.message, message);
    return true;
  });
}

describe('service definitions → rows', () => {
  test('defaults: ID is the name, weights 1/1, empty tags and meta, no tagged addresses without an IP', () => {
    const reg = serviceRegistration(decodeServiceBody({ Name: 'web' }));
    assert.deepEqual(reg.service, {
      Kind: '',
      ID: 'web',
      Service: 'web',
      Tags: [],
      Address: '',
      TaggedAddresses: null,
      Meta: {},
      Port: 0,
      SocketPath: '',
      Weights: { Passing: 1, Warning: 1 },
      EnableTagOverride: false,
    });
    assert.deepEqual(reg.checks, []);
    assert.equal(reg.token, '');
  });

  test('PascalCase, snake_case and camelCase bodies give the same rows', () => {
    const pascal = decodeServiceBody({
      ID: 'web-1',
      Name: 'web',
      Tags: ['a'],
      Port: 80,
      EnableTagOverride: true,
      Meta: { Version: '1' },
      Check: { TTL: '10s', DeregisterCriticalServiceAfter: '90m' },
    });
    const snake = decodeServiceBody({
      id: 'web-1',
      name: 'web',
      tags: ['a'],
      port: 80,
      enable_tag_override: true,
      meta: { Version: '1' },
      check: { ttl: '10s', deregister_critical_service_after: '90m' },
    });
    const camel = decodeServiceBody({
      id: 'web-1',
      name: 'web',
      tags: ['a'],
      port: 80,
      enableTagOverride: true,
      meta: { Version: '1' },
      check: { ttl: '10s', deregisterCriticalServiceAfter: '90m' },
    });
    assert.deepEqual(serviceRegistration(snake), serviceRegistration(pascal));
    assert.deepEqual(serviceRegistration(camel), serviceRegistration(pascal));
    // Meta keys are user data and keep their case.
    assert.deepEqual(serviceRegistration(pascal).service.Meta, { Version: '1' });
    assert.equal(serviceRegistration(pascal).service.EnableTagOverride, true);
  });

  test('an IPv4 address adds lan_ipv4 and wan_ipv4, an IPv6 one the ipv6 pair; explicit ones win', () => {
    const v4 = serviceRegistration(
      decodeServiceBody({
        Name: 'db',
        Address: '10.0.0.5',
        Port: 5432,
        TaggedAddresses: { wan_ipv4: { Address: '1.2.3.4', Port: 15432 } },
      }),
    );
    assert.deepEqual(v4.service.TaggedAddresses, {
      wan_ipv4: { Address: '1.2.3.4', Port: 15432 },
      lan_ipv4: { Address: '10.0.0.5', Port: 5432 },
    });
    const v6 = serviceRegistration(decodeServiceBody({ Name: 'db', Address: '::1', Port: 1 }));
    assert.deepEqual(Object.keys(v6.service.TaggedAddresses ?? {}).sort(), ['lan_ipv6', 'wan_ipv6']);
    const host = serviceRegistration(decodeServiceBody({ Name: 'db', Address: 'db.example.com' }));
    assert.equal(host.service.TaggedAddresses, null);
  });

  test('one check is service:<id>; several are service:<id>:<n> from 1, `check` first', () => {
    const one = serviceRegistration(decodeServiceBody({ Name: 'web', ID: 'w1', Check: { TTL: '5s' } }));
    assert.deepEqual(
      one.checks.map((c) => c.row.CheckID),
      ['service:w1'],
    );
    const many = serviceRegistration(
      decodeServiceBody({
        Name: 'web',
        ID: 'w1',
        Check: { TTL: '5s' },
        Checks: [
          { HTTP: 'http://127.0.0.1/', Interval: '10s' },
          { TTL: '1m', CheckID: 'own', Name: 'Mine' },
        ],
      }),
    );
    assert.deepEqual(
      many.checks.map((c) => [c.row.CheckID, c.row.Name, c.row.Type]),
      [
        ['service:w1:1', "Service 'web' check", 'ttl'],
        ['service:w1:2', "Service 'web' check", 'http'],
        ['own', 'Mine', 'ttl'],
      ],
    );
    for (const check of many.checks) {
      assert.equal(check.row.ServiceID, 'w1');
      assert.equal(check.row.ServiceName, 'web');
      assert.equal(check.row.Status, 'critical');
      assert.equal(check.statusGiven, false);
      assert.equal(check.definition.service_id, 'w1');
    }
  });

  test('an empty Check block is ignored, as Go ignores a zero CheckType', () => {
    const reg = serviceRegistration(decodeServiceBody({ Name: 'web', Check: {}, Checks: null }));
    assert.deepEqual(reg.checks, []);
  });

  test('service check rows: Go durations, "" when unset, Definition block per type', () => {
    const reg = serviceRegistration(
      decodeServiceBody({
        Name: 'api',
        Check: {
          HTTP: 'https://127.0.0.1:8443/health',
          Method: 'POST',
          Header: { 'X-A': ['1'] },
          Interval: '90s',
          Timeout: '1500ms',
          TLSSkipVerify: true,
          DeregisterCriticalServiceAfter: '90m',
          Status: 'passing',
          Notes: 'n',
        },
      }),
    );
    const row = reg.checks[0]!.row;
    assert.equal(row.Interval, '1m30s');
    assert.equal(row.Timeout, '1.5s');
    assert.equal(row.Status, 'passing');
    assert.equal(row.Notes, 'n');
    assert.equal(reg.checks[0]!.statusGiven, true);
    assert.deepEqual(row.Definition, {
      HTTP: 'https://127.0.0.1:8443/health',
      Header: { 'X-A': ['1'] },
      Method: 'POST',
      TLSSkipVerify: true,
      Interval: '1m30s',
      Timeout: '1.5s',
      DeregisterCriticalServiceAfter: '1h30m0s',
    });
    const ttl = serviceRegistration(decodeServiceBody({ Name: 'x', Check: { TTL: '30s' } })).checks[0]!.row;
    assert.equal(ttl.Interval, '');
    assert.equal(ttl.Timeout, '');
    assert.deepEqual(ttl.Definition, {});
  });

  test('durations may be numbers of nanoseconds, as Go decodes them', () => {
    const def = decodeCheckBody({ Name: 'n', TTL: 15_000_000_000 });
    assert.equal(def.ttl, '15s');
  });

  test('property: check IDs are unique and follow the service:<id>[:<n>] rule for any count', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 12 }), fc.integer({ min: 0, max: 6 }), (id, count) => {
        const checks = Array.from({ length: count }, () => ({ TTL: '10s' }));
        const reg = serviceRegistration(decodeServiceBody({ Name: 'svc', ID: id, Checks: checks }));
        const ids = reg.checks.map((c) => c.row.CheckID);
        assert.equal(new Set(ids).size, count);
        const expected =
          count === 1 ? [`service:${id}`] : Array.from({ length: count }, (_, i) => `service:${id}:${i + 1}`);
        assert.deepEqual(ids, expected);
      }),
      { numRuns: 200 },
    );
  });
});

describe('stand-alone checks', () => {
  test('ID defaults to the name, status to critical, unset durations print as 0s', () => {
    const reg = checkRegistration(decodeCheckBody({ Name: 'mem', TTL: '30s' }), undefined);
    assert.equal(reg.row.CheckID, 'mem');
    assert.equal(reg.row.Name, 'mem');
    assert.equal(reg.row.Status, 'critical');
    assert.equal(reg.row.Type, 'ttl');
    assert.equal(reg.row.Interval, '0s');
    assert.equal(reg.row.Timeout, '0s');
    assert.equal(reg.row.ServiceID, '');
    assert.deepEqual(reg.row.ServiceTags, []);
  });

  test('ID/CheckID and ServiceID spellings; a service check takes the service name and tags', () => {
    const service = serviceRegistration(decodeServiceBody({ Name: 'web', ID: 'web-2', Tags: ['t'] })).service;
    const a = checkRegistration(
      decodeCheckBody({ ID: 'c1', Name: 'n', ServiceID: 'web-2', TTL: '5s' }),
      service,
    );
    const b = checkRegistration(
      decodeCheckBody({ CheckID: 'c1', name: 'n', service_id: 'web-2', ttl: '5s' }),
      service,
    );
    assert.deepEqual(a, b);
    assert.equal(a.row.ServiceID, 'web-2');
    assert.equal(a.row.ServiceName, 'web');
    assert.deepEqual(a.row.ServiceTags, ['t']);
  });

  test('Type follows Consul: grpc, http, ttl, tcp, udp, alias, script, else ""', () => {
    assert.equal(checkType({ grpc: 'x:1', interval: '1s' }), 'grpc');
    assert.equal(checkType({ http: 'http://x', interval: '1s' }), 'http');
    assert.equal(checkType({ ttl: '1s' }), 'ttl');
    assert.equal(checkType({ tcp: 'x:1', interval: '1s' }), 'tcp');
    assert.equal(checkType({ udp: 'x:1', interval: '1s' }), 'udp');
    assert.equal(checkType({ alias_service: 'web' }), 'alias');
    assert.equal(checkType({ args: ['true'], interval: '1s' }), 'script');
    assert.equal(checkType({ http: 'http://x' }), '');
  });

  test('maintenance checks: IDs, names, default reasons, critical', () => {
    const service = serviceRegistration(decodeServiceBody({ Name: 'web' })).service;
    const svc = maintenanceCheck(service, '');
    assert.equal(svc.row.CheckID, '_service_maintenance:web');
    assert.equal(svc.row.Name, 'Service Maintenance Mode');
    assert.equal(
      svc.row.Notes,
      'Maintenance mode is enabled for this service, but no reason was provided. This is a default message.',
    );
    assert.equal(svc.row.Status, 'critical');
    assert.equal(svc.row.ServiceID, 'web');
    const node = maintenanceCheck(undefined, 'patching');
    assert.equal(node.row.CheckID, '_node_maintenance');
    assert.equal(node.row.Name, 'Node Maintenance Mode');
    assert.equal(node.row.Notes, 'patching');
  });
});

describe('validation with Consul texts', () => {
  test('service register refusals', () => {
    const v = (body: unknown) => () => validateServiceRegistration(decodeServiceBody(body));
    rejects(v({}), 'BAD_REQUEST', 'Missing service name');
    rejects(v({ Name: 'a', Address: '0.0.0.0' }), 'BAD_REQUEST', 'Invalid service address');
    rejects(
      v({ Name: 'a', Weights: { Passing: 0 } }),
      'BAD_REQUEST',
      'Invalid Weights: Passing must be greater than 0',
    );
    rejects(
      v({ Name: 'a', Meta: { 'consul-x': 'y' } }),
      'BAD_REQUEST',
      "Invalid Service Meta: Couldn't load metadata pair ('consul-x', 'y'): Key prefix 'consul-' is reserved for internal use",
    );
    rejects(
      v({ Name: 'a', Check: { HTTP: 'http://x' } }),
      'BAD_REQUEST',
      'Invalid check: Interval must be > 0 for Script, HTTP, H2PING, TCP, UDP or OSService checks',
    );
    rejects(
      v({ Name: 'a', Check: { Name: 'only' } }),
      'BAD_REQUEST',
      'Invalid check: TTL must be > 0 for TTL checks',
    );
    rejects(
      v({ Name: 'a', Checks: [{ TTL: '1s', Interval: '1s' }] }),
      'BAD_REQUEST',
      'Invalid check: Interval and TTL cannot both be specified',
    );
    rejects(
      v({ Name: 'a', Check: { TTL: '1s', Status: 'ok' } }),
      'BAD_REQUEST',
      "Status for checks must 'passing', 'warning', 'critical'",
    );
    assert.doesNotThrow(v({ Name: 'a', Check: { TTL: '1s', Status: 'warning' } }));
  });

  test('check register refusals', () => {
    const v = (body: unknown) => () => validateCheckRegistration(decodeCheckBody(body));
    rejects(v({ TTL: '1s' }), 'BAD_REQUEST', 'Missing check name');
    rejects(v({ Name: 'c', TTL: '1s', Status: 'bogus' }), 'BAD_REQUEST', 'Bad check status');
    rejects(
      v({ Name: 'c', AliasService: 'x', TTL: '1s' }),
      'BAD_REQUEST',
      'Invalid check: TTL must be not be set for Alias checks',
    );
    rejects(
      v({ Name: 'c', TTL: '1s', FailuresBeforeWarning: 2 }),
      'BAD_REQUEST',
      "Invalid check: FailuresBeforeWarning can't be higher than FailuresBeforeCritical",
    );
    assert.doesNotThrow(v({ Name: 'c', AliasService: 'web' }));
  });

  test('decode errors are 400s in Go wording', () => {
    rejects(() => decodeServiceBody(undefined), 'BAD_REQUEST', 'Request decode failed: EOF');
    rejects(
      () => decodeServiceBody([1]),
      'BAD_REQUEST',
      'Request decode failed: json: cannot unmarshal array into Go value of type structs.ServiceDefinition',
    );
    rejects(
      () => decodeServiceBody({ Name: 'a', Port: 'eighty' }),
      'BAD_REQUEST',
      'Request decode failed: json: cannot unmarshal string into Go struct field ServiceDefinition.Port of type int',
    );
    rejects(
      () => decodeCheckBody({ Name: 'a', TTL: 'soon' }),
      'BAD_REQUEST',
      'Request decode failed: time: invalid duration "soon"',
    );
  });

  test('metadata rules', () => {
    assert.equal(metadataProblem({ ok_key: 'v' }), undefined);
    assert.match(metadataProblem({ 'bad key': 'v' }) ?? '', /Key contains invalid characters$/);
    assert.match(
      metadataProblem({ k: 'v'.repeat(513) }) ?? '',
      /Value is too long \(limit: 512 characters\)$/,
    );
    const many = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v']));
    assert.equal(metadataProblem(many), 'Node metadata cannot contain more than 64 key/value pairs');
  });

  test('script checks: API needs enable_script_checks; files accept enable_local_script_checks too', () => {
    const script = [{ args: ['/bin/true'], interval: '10s' }];
    assert.equal(
      scriptCheckRefusal(script, 'api', { enable_local_script_checks: true }),
      "Scripts are disabled on this agent from remote calls; to enable, configure 'enable_script_checks' to true",
    );
    assert.equal(scriptCheckRefusal(script, 'api', { enable_script_checks: true }), undefined);
    assert.equal(scriptCheckRefusal(script, 'file', { enable_local_script_checks: true }), undefined);
    assert.equal(
      scriptCheckRefusal(script, 'file', {}),
      "Scripts are disabled on this agent; to enable, configure 'enable_script_checks' or 'enable_local_script_checks' to true",
    );
    assert.equal(scriptCheckRefusal([{ ttl: '1s' }], 'api', {}), undefined);
  });

  test('checkTypeProblem accepts the valid kinds', () => {
    assert.equal(checkTypeProblem({ tcp: 'x:1', interval: '5s' }), undefined);
    assert.equal(checkTypeProblem({ ttl: '5s' }), undefined);
    assert.equal(checkTypeProblem({ alias_node: 'n' }), undefined);
  });
});
