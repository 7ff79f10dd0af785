import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { defaultConfig, devModeConfig, listenerEnabled } from '../../core/config/defaults.js';
import { type ConfigSource, mergeConfig } from '../../core/config/merge.js';
import {
  buildConfigValidator,
  type ConfigIssue,
  comparePointers,
  findUnknownKeys,
  formatConfigIssue,
  type PluginSchemas,
  type ValidationResult,
} from '../../core/config/schema.js';
import { TribuneError } from '../../core/errors.js';

const core = buildConfigValidator();

/** Validates files over the defaults, with a data_dir and node name so the basics pass. */
function check(
  files: Array<[string, Record<string, unknown>]>,
  validator = core,
  base: Record<string, unknown> = { data_dir: '/var/lib/tribune', node_name: 'n1' },
): ValidationResult {
  const sources: ConfigSource[] = [{ data: defaultConfig() }, { data: base }];
  for (const [name, data] of files) sources.push({ name, data });
  const { value, provenance } = mergeConfig(sources);
  return validator.validate(value, provenance);
}

describe('the core schema', () => {
  test('the defaults plus a data_dir are valid and come back unchanged', () => {
    const result = check([]);
    assert.deepEqual(result.issues, []);
    assert.deepEqual(result.warnings, []);
    assert.equal(result.config.datacenter, 'dc1');
    assert.equal(result.config.domain, 'consul.');
    assert.deepEqual(result.config.ports, {
      dns: 8600,
      http: 8500,
      https: -1,
      grpc: -1,
      serf_lan: 8301,
      serf_wan: 8302,
      server: 8300,
    });
    assert.equal(result.config.client_addr, '127.0.0.1');
    assert.equal(result.config.bind_addr, '0.0.0.0');
    assert.equal(result.config.log_level, 'info');
    assert.equal(result.config.default_query_time, '300s');
    assert.equal(result.config.max_query_time, '600s');
    assert.equal(result.config.limits.kv_max_value_size, 524288);
    assert.equal(result.config.limits.txn_max_req_len, 524288);
    assert.equal(result.config.performance.rpc_hold_timeout, '7s');
  });

  test('the merged input is not mutated', () => {
    const { value, provenance } = mergeConfig([
      { data: defaultConfig() },
      { data: { ports: { http: '1' } } },
    ]);
    const copy = structuredClone(value);
    core.validate(value, provenance);
    assert.deepEqual(value, copy);
  });

  test('a type error names the file that supplied the value, the JSON pointer and the reason', () => {
    const result = check([
      ['/etc/tribune.d/agent.json', { services: [{ name: 'db', port: 5432 }] }],
      ['/etc/tribune.d/web.json', { service: { name: 'web', port: 'eighty' } }],
    ]);
    assert.deepEqual(result.issues, [
      { file: '/etc/tribune.d/web.json', pointer: '/services/1/port', message: 'must be integer' },
    ]);
    assert.equal(
      formatConfigIssue(result.issues[0] as ConfigIssue),
      '/etc/tribune.d/web.json: /services/1/port: must be integer',
    );
  });

  test('every problem is reported at once', () => {
    const result = check([
      ['a.json', { ports: { http: 70000 }, server: 'maybe' }],
      ['b.json', { retry_interval: 'soon', services: [{ port: 1 }] }],
    ]);
    assert.deepEqual(
      result.issues.map(formatConfigIssue).sort(),
      [
        'a.json: /ports/http: must be <= 65535',
        'a.json: /server: must be boolean',
        'b.json: /retry_interval: invalid duration "soon" (want e.g. "10s", "1m30s")',
        "b.json: /services/0: must have required property 'name'",
      ].sort(),
    );
  });

  test('strings coerce to numbers and booleans; scalars coerce to lists', () => {
    const result = check([
      ['a.json', { ports: { http: '8080' }, server: 'true', retry_join: '10.0.0.1' }],
      ['b.json', { checks: [{ name: 'h', http: 'http://x', interval: '5s', header: { A: 'b' } }] }],
    ]);
    assert.deepEqual(result.issues, []);
    assert.equal(result.config.ports.http, 8080);
    assert.equal(result.config.server, true);
    assert.deepEqual(result.config.retry_join, ['10.0.0.1']);
    assert.deepEqual(result.config.checks[0]?.header, { A: ['b'] });
  });

  test('a port of -1 turns a listener off; below -1 or above 65535 is an error', () => {
    const off = check([['a.json', { ports: { dns: -1, http: -1 } }]]);
    assert.deepEqual(off.issues, []);
    assert.equal(listenerEnabled(off.config.ports.dns), false);
    assert.equal(listenerEnabled(off.config.ports.server), true);
    const bad = check([['a.json', { ports: { dns: -2 } }]]);
    assert.deepEqual(bad.issues, [{ file: 'a.json', pointer: '/ports/dns', message: 'must be >= -1' }]);
  });

  test('unknown keys are errors naming the key, at the top level and in core blocks', () => {
    const result = check([['typo.json', { node_nmae: 'x', ports: { htp: 1 }, limits: { kv_max: 1 } }]]);
    assert.deepEqual(result.issues, [
      { file: 'typo.json', pointer: '/limits/kv_max', message: 'invalid config key limits.kv_max' },
      { file: 'typo.json', pointer: '/node_nmae', message: 'invalid config key node_nmae' },
      { file: 'typo.json', pointer: '/ports/htp', message: 'invalid config key ports.htp' },
    ]);
  });

  test('keys Consul knows but Tribune does not use load with a warning', () => {
    const result = check([
      ['consul.json', { telemetry: { prometheus_retention_time: '1m' }, leave_on_terminate: true }],
    ]);
    assert.deepEqual(result.issues, []);
    assert.deepEqual(
      result.warnings.map((w) => `${w.file} ${w.pointer}`),
      ['consul.json /telemetry', 'consul.json /leave_on_terminate'],
    );
    assert.deepEqual(result.config.telemetry, { prometheus_retention_time: '1m' });
  });

  test('datacenter and log level are lower-cased, then checked', () => {
    const ok = check([['a.json', { datacenter: 'EAST-1', log_level: 'DEBUG' }]]);
    assert.deepEqual(ok.issues, []);
    assert.equal(ok.config.datacenter, 'east-1');
    assert.equal(ok.config.log_level, 'debug');
    const bad = check([['a.json', { datacenter: 'east.1', log_level: 'loud' }]]);
    assert.deepEqual(bad.issues.map(formatConfigIssue), [
      'a.json: /datacenter: datacenter can only contain lowercase alphanumeric, - or _ characters.',
      'a.json: /log_level: invalid log level "loud"; valid levels are trace, debug, info, warn, error',
    ]);
  });

  test('data_dir is required unless in dev mode', () => {
    const missing = check([], core, { node_name: 'n1' });
    assert.deepEqual(missing.issues, [{ pointer: '/data_dir', message: 'data_dir cannot be empty' }]);
    const dev = check([], core, { node_name: 'n1', dev: true, ...devModeConfig() });
    assert.deepEqual(dev.issues, []);
  });

  test("bootstrap rules follow Consul's", () => {
    const messages = (data: Record<string, unknown>) =>
      check([['a.json', data]]).issues.map((i) => i.message);
    assert.deepEqual(messages({ bootstrap_expect: 3 }), ["'bootstrap_expect > 0' requires 'server = true'"]);
    assert.deepEqual(messages({ bootstrap: true }), ["'bootstrap = true' requires 'server = true'"]);
    assert.deepEqual(messages({ server: true, bootstrap: true, bootstrap_expect: 3 }), [
      "'bootstrap_expect > 0' and 'bootstrap = true' are mutually exclusive",
    ]);
    assert.deepEqual(messages({ server: true, bootstrap_expect: 3 }), []);
  });

  test('node_meta follows Consul’s metadata rules', () => {
    const result = check([
      ['meta.json', { node_meta: { good: 'v', 'bad key': 'v', 'consul-x': 'v', long: 'x'.repeat(513) } }],
    ]);
    assert.deepEqual(result.issues.map(formatConfigIssue), [
      'meta.json: /node_meta/bad key: Key contains invalid characters',
      "meta.json: /node_meta/consul-x: Key prefix 'consul-' is reserved for internal use",
      'meta.json: /node_meta/long: Value is too long (limit: 512 characters)',
    ]);
  });

  test('node_id must be a UUID; encrypt must be a 16/24/32-byte base64 key', () => {
    const result = check([['a.json', { node_id: 'nope', encrypt: 'c2hvcnQ=' }]]);
    assert.deepEqual(result.issues.map(formatConfigIssue), [
      'a.json: /encrypt: encrypt has invalid key: it must be 16, 24 or 32 bytes, base64-encoded',
      'a.json: /node_id: "nope" is not a valid UUID',
    ]);
    const good = check([['a.json', { encrypt: Buffer.alloc(32, 7).toString('base64') }]]);
    assert.deepEqual(good.issues, []);
  });
});

describe('service and check definitions', () => {
  test('a service needs a name; its checks get Consul’s default names and ids, folded into checks', () => {
    const result = check([
      [
        'web.json',
        {
          service: {
            Name: 'web',
            Port: 80,
            Check: { HTTP: 'http://127.0.0.1/health', Interval: '10s' },
            Checks: [{ TTL: '30s' }],
          },
        },
      ],
    ]);
    assert.deepEqual(result.issues, []);
    assert.deepEqual(result.config.services, [
      {
        name: 'web',
        id: 'web',
        port: 80,
        weights: { passing: 1, warning: 1 },
        checks: [
          {
            http: 'http://127.0.0.1/health',
            interval: '10s',
            name: "Service 'web' check",
            id: 'service:web:1',
          },
          { ttl: '30s', name: "Service 'web' check", id: 'service:web:2' },
        ],
      },
    ]);
  });

  test('a top-level check needs a name and gets its id from it', () => {
    const result = check([['c.json', { checks: [{ ttl: '1m' }, { name: 'mem', ttl: '1m' }] }]]);
    assert.deepEqual(result.issues, [
      { file: 'c.json', pointer: '/checks/0', message: "must have required property 'name'" },
    ]);
    assert.equal(result.config.checks[1]?.id, 'mem');
  });

  test('a check needs a kind; polling kinds need an interval; TTL and interval exclude each other', () => {
    const result = check([
      [
        'checks.json',
        {
          checks: [
            { name: 'none' },
            { name: 'http', http: 'http://x' },
            { name: 'tcp', tcp: 'x:1', interval: '0s' },
            { name: 'both', ttl: '10s', interval: '10s' },
            { name: 'zero-ttl', ttl: '0s' },
            { name: 'alias', alias_service: 'db' },
            { name: 'status', ttl: '1s', status: 'unknown' },
          ],
        },
      ],
    ]);
    assert.deepEqual(result.issues.map(formatConfigIssue), [
      'checks.json: /checks/0: check must define one of args, http, tcp, udp, grpc, ttl, alias_service or alias_node',
      'checks.json: /checks/1/interval: Interval must be > 0 for Script, HTTP, H2PING, TCP, UDP or GRPC checks',
      'checks.json: /checks/2/interval: Interval must be > 0 for Script, HTTP, H2PING, TCP, UDP or GRPC checks',
      'checks.json: /checks/3: Interval and TTL cannot both be specified',
      'checks.json: /checks/4/ttl: TTL must be > 0 for TTL checks',
      'checks.json: /checks/6/status: must be equal to one of the allowed values: "passing", "warning", "critical"',
    ]);
  });

  test('script checks from files need enable_script_checks or enable_local_script_checks', () => {
    const script = { name: 'disk', args: ['/usr/bin/check-disk'], interval: '30s' };
    const denied = check([
      ['/etc/tribune.d/disk.json', { checks: [script], service: { name: 's', check: script } }],
    ]);
    assert.deepEqual(denied.issues.map(formatConfigIssue), [
      "/etc/tribune.d/disk.json: /checks/0/args: Scripts are disabled on this agent; to enable, configure 'enable_script_checks' or 'enable_local_script_checks' to true",
      "/etc/tribune.d/disk.json: /services/0/check/args: Scripts are disabled on this agent; to enable, configure 'enable_script_checks' or 'enable_local_script_checks' to true",
    ]);
    assert.deepEqual(check([['a.json', { enable_local_script_checks: true, checks: [script] }]]).issues, []);
    assert.deepEqual(check([['a.json', { enable_script_checks: true, checks: [script] }]]).issues, []);
  });

  test('service meta follows the metadata rules; PascalCase fields are accepted', () => {
    const result = check([
      ['s.json', { services: [{ Name: 'a', Meta: { 'consul-v': '1' }, EnableTagOverride: true }] }],
    ]);
    assert.deepEqual(result.issues.map(formatConfigIssue), [
      "s.json: /services/0/meta/consul-v: Key prefix 'consul-' is reserved for internal use",
    ]);
    assert.equal(result.config.services[0]?.enable_tag_override, true);
  });
});

describe('plugin schemas', () => {
  const dnsSchema = {
    dns_config: {
      type: 'object',
      default: {},
      additionalProperties: false,
      properties: {
        allow_stale: { type: 'boolean', default: true },
        node_ttl: { type: 'string', format: 'go-duration', default: '0s' },
        udp_answer_limit: { type: 'integer', minimum: 1, default: 3 },
      },
    },
  };

  test('keys a plugin declares are allowed, validated, and get the plugin’s defaults', () => {
    const validator = buildConfigValidator({ dns: dnsSchema });
    const empty = check([], validator);
    assert.deepEqual(empty.issues, []);
    assert.deepEqual(empty.config.dns_config, { allow_stale: true, node_ttl: '0s', udp_answer_limit: 3 });
    assert.deepEqual(empty.warnings, []);

    const bad = check(
      [['dns.json', { dns_config: { udp_answer_limit: 0, node_ttl: '5', alow_stale: true } }]],
      validator,
    );
    assert.deepEqual(bad.issues.map(formatConfigIssue), [
      'dns.json: /dns_config/alow_stale: invalid config key dns_config.alow_stale',
      'dns.json: /dns_config/node_ttl: invalid duration "5" (want e.g. "10s", "1m30s")',
      'dns.json: /dns_config/udp_answer_limit: must be >= 1',
    ]);
  });

  test('a plugin schema may also be an object schema with properties', () => {
    const validator = buildConfigValidator({
      tmpl: { type: 'object', properties: { template_config: { type: 'object' } } },
    });
    assert.deepEqual(check([['t.json', { template_config: { a: 1 } }]], validator).issues, []);
    assert.deepEqual(check([['t.json', { template_config: 3 }]], validator).issues.map(formatConfigIssue), [
      't.json: /template_config: must be object',
    ]);
  });

  test('without the plugin, its non-Consul keys are unknown', () => {
    const result = check([['t.json', { template_config: {} }]]);
    assert.deepEqual(
      result.issues.map((i) => i.message),
      ['invalid config key template_config'],
    );
  });

  test('a plugin may not redeclare a core key, nor two plugins one key', () => {
    const ownsCore: PluginSchemas = { evil: { ports: { type: 'object' } } };
    assert.throws(
      () => buildConfigValidator(ownsCore),
      (err: unknown) =>
        err instanceof TribuneError && /plugin "evil" declares config key "ports"/.test(err.message),
    );
    assert.throws(
      () => buildConfigValidator({ a: { x_config: {} }, b: { x_config: {} } }),
      /plugins "a" and "b" both declare config key "x_config"/,
    );
  });
});

describe('findUnknownKeys', () => {
  test('walks properties, items and additionalProperties maps', () => {
    const schema = {
      type: 'object',
      additionalProperties: false,
      properties: {
        list: {
          type: 'array',
          items: { type: 'object', additionalProperties: false, properties: { a: {} } },
        },
        map: {
          type: 'object',
          additionalProperties: { type: 'object', additionalProperties: false, properties: {} },
        },
        open: { type: 'object' },
      },
    };
    const data = { list: [{ a: 1 }, { b: 2 }], map: { k: { z: 1 } }, open: { anything: 1 }, top: 1 };
    assert.deepEqual(findUnknownKeys(schema, data), [
      { pointer: '/list/1/b', dotted: 'list[1].b' },
      { pointer: '/map/k/z', dotted: 'map.k.z' },
      { pointer: '/top', dotted: 'top' },
    ]);
  });
});

test('pointers sort in document order', () => {
  const sorted = ['/checks/10', '/checks/2/name', '/a', '/checks/2', ''].sort(comparePointers);
  assert.deepEqual(sorted, ['', '/a', '/checks/2', '/checks/2/name', '/checks/10']);
});
