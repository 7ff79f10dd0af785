import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { type AliasedCheck, aliasHealth } from '../../plugins/health/core/alias.js';
import { planCheck } from '../../plugins/health/core/check-plan.js';
import {
  decodeHealthCheckRequest,
  decodeHealthCheckResponse,
  encodeHealthCheckRequest,
  encodeHealthCheckResponse,
} from '../../plugins/health/core/grpc-health-codec.js';
import {
  connectErrorText,
  dialErrorText,
  splitHostPort,
  urlErrorText,
} from '../../plugins/health/core/net-errors.js';
import { TailBuffer } from '../../plugins/health/core/output.js';
import {
  grpcErrorText,
  grpcServingResult,
  httpResult,
  httpStatusOf,
  redirectMethod,
  scriptStartErrorText,
  scriptStatusOf,
  scriptTimeoutOutput,
  tcpSuccessOutput,
} from '../../plugins/health/core/results.js';

describe('result → status, per kind', () => {
  test('HTTP: 2xx passing, 429 warning, anything else critical', () => {
    const table: [number, string][] = [
      [200, 'passing'],
      [204, 'passing'],
      [299, 'passing'],
      [300, 'critical'],
      [302, 'critical'],
      [404, 'critical'],
      [428, 'critical'],
      [429, 'warning'],
      [500, 'critical'],
      [503, 'critical'],
      [199, 'critical'],
    ];
    for (const [code, status] of table) assert.equal(httpStatusOf(code), status, String(code));
  });

  test("HTTP output is Consul's line", () => {
    assert.deepEqual(httpResult('GET', 'http://127.0.0.1:8080/health', 200, 'OK', 'fine'), {
      status: 'passing',
      output: 'HTTP GET http://127.0.0.1:8080/health: 200 OK Output: fine',
    });
    assert.equal(httpResult('POST', 'http://x/', 299, '', '').output, 'HTTP POST http://x/: 299 Output: ');
  });

  test("redirects change the method as Go's client does", () => {
    assert.deepEqual(redirectMethod(302, 'POST'), { method: 'GET', keepBody: false });
    assert.deepEqual(redirectMethod(301, 'HEAD'), { method: 'HEAD', keepBody: false });
    assert.deepEqual(redirectMethod(307, 'POST'), { method: 'POST', keepBody: true });
    assert.deepEqual(redirectMethod(308, 'PUT'), { method: 'PUT', keepBody: true });
  });

  test('scripts: exit 0 passing, 1 warning, anything else or a signal critical', () => {
    assert.equal(scriptStatusOf(0), 'passing');
    assert.equal(scriptStatusOf(1), 'warning');
    assert.equal(scriptStatusOf(2), 'critical');
    assert.equal(scriptStatusOf(127), 'critical');
    assert.equal(scriptStatusOf(null), 'critical');
    assert.equal(scriptTimeoutOutput(30_000, ''), 'Timed out (30s) running check');
    assert.equal(scriptTimeoutOutput(1500, 'partial'), 'Timed out (1.5s) running check\n\npartial');
    assert.equal(
      scriptStartErrorText('nope', 'ENOENT', 'spawn nope ENOENT'),
      'exec: "nope": executable file not found in $PATH',
    );
    assert.equal(
      scriptStartErrorText('/bin/nope', 'ENOENT', 'x'),
      'fork/exec /bin/nope: no such file or directory',
    );
  });

  test('gRPC: SERVING passing, other statuses and call errors critical', () => {
    assert.deepEqual(grpcServingResult('127.0.0.1:5000/svc', 1), {
      status: 'passing',
      output: 'gRPC check 127.0.0.1:5000/svc: success',
    });
    assert.deepEqual(grpcServingResult('h:1', 2), {
      status: 'critical',
      output: 'gRPC h:1 serving status: NOT_SERVING',
    });
    assert.equal(grpcServingResult('h:1', 0).status, 'critical');
    assert.equal(grpcServingResult('h:1', 3).output, 'gRPC h:1 serving status: SERVICE_UNKNOWN');
    assert.equal(
      grpcErrorText(14, 'No connection established'),
      'rpc error: code = Unavailable desc = No connection established',
    );
    assert.equal(grpcErrorText(12, ''), 'rpc error: code = Unimplemented desc = ');
  });

  test('TCP output', () => {
    assert.equal(tcpSuccessOutput('127.0.0.1:22', false), 'TCP connect 127.0.0.1:22: Success');
    assert.equal(tcpSuccessOutput('127.0.0.1:443', true), 'TCP+TLS connect 127.0.0.1:443: Success');
  });
});

describe("Go's error texts", () => {
  test('dial and URL errors', () => {
    assert.equal(
      dialErrorText('tcp', '127.0.0.1:1', { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }),
      'dial tcp 127.0.0.1:1: connect: connection refused',
    );
    assert.equal(
      dialErrorText('tcp', 'nowhere.invalid:80', {
        code: 'ENOTFOUND',
        message: 'x',
        hostname: 'nowhere.invalid',
      }),
      'dial tcp: lookup nowhere.invalid: no such host',
    );
    assert.equal(
      urlErrorText('GET', 'http://127.0.0.1:1/', 'dial tcp 127.0.0.1:1: connect: connection refused'),
      'Get "http://127.0.0.1:1/": dial tcp 127.0.0.1:1: connect: connection refused',
    );
    assert.equal(urlErrorText('POST', 'http://x/', 'e'), 'Post "http://x/": e');
    assert.match(
      connectErrorText('tcp', 'h:443', {
        code: 'DEPTH_ZERO_SELF_SIGNED_CERT',
        message: 'self-signed certificate',
      }),
      /^tls: failed to verify certificate: /,
    );
  });

  test('host:port splitting as net.SplitHostPort', () => {
    assert.deepEqual(splitHostPort('127.0.0.1:80'), { host: '127.0.0.1', port: '80' });
    assert.deepEqual(splitHostPort('[::1]:53'), { host: '::1', port: '53' });
    assert.equal(splitHostPort('localhost').error, 'address localhost: missing port in address');
    assert.equal(splitHostPort('::1:53').error, 'address ::1:53: too many colons in address');
    assert.equal(splitHostPort('[::1]').error, 'address [::1]: missing port in address');
  });
});

describe('TailBuffer', () => {
  test('property: keeps exactly the last `capacity` bytes and counts them all', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 64 }),
        fc.array(fc.uint8Array({ maxLength: 100 }), { maxLength: 20 }),
        (capacity, chunks) => {
          const buffer = new TailBuffer(capacity);
          for (const chunk of chunks) buffer.write(chunk);
          const all = Buffer.concat(chunks);
          assert.equal(buffer.totalWritten, all.length);
          assert.deepEqual(Buffer.from(buffer.bytes()), all.subarray(Math.max(0, all.length - capacity)));
        },
      ),
    );
  });

  test("over capacity, the text says how much was captured, as Consul's script checks do", () => {
    const buffer = new TailBuffer(4);
    buffer.write(new TextEncoder().encode('abcdefgh'));
    assert.equal(buffer.capturedText(), 'Captured 4 of 8 bytes\n...\nefgh');
    const small = new TailBuffer(10);
    small.write(new TextEncoder().encode('ok'));
    assert.equal(small.capturedText(), 'ok');
  });
});

describe('grpc.health.v1 codec', () => {
  test('property: requests and responses round-trip', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.nat(2 ** 31 - 1), (service, status) => {
        assert.equal(decodeHealthCheckRequest(encodeHealthCheckRequest(service)).service, service);
        assert.equal(decodeHealthCheckResponse(encodeHealthCheckResponse(status)).status, status);
      }),
    );
  });

  test('unknown fields are skipped; truncated messages are refused', () => {
    // field 2 (varint 7), then status = SERVING
    assert.equal(decodeHealthCheckResponse(Uint8Array.from([0x10, 0x07, 0x08, 0x01])).status, 1);
    assert.equal(decodeHealthCheckResponse(new Uint8Array(0)).status, 0);
    assert.throws(() => decodeHealthCheckResponse(Uint8Array.from([0x08])));
    assert.throws(() => decodeHealthCheckRequest(Uint8Array.from([0x0a, 0x05, 0x61])));
  });
});

describe('planCheck', () => {
  const limits = { minIntervalMs: 1000, minDeregisterAfterMs: 60_000, outputMaxSize: 4096 };

  test("Consul's defaults and floors", () => {
    const script = planCheck('script', { args: ['true'], interval: '10s' }, limits);
    assert.equal(script.kind, 'script');
    assert.equal(script.timeoutMs, 30_000);
    assert.equal(script.intervalMs, 10_000);
    const http = planCheck('http', { http: 'http://x/', interval: '200ms', timeout: '2s' }, limits);
    assert.equal(http.intervalMs, 1000, 'intervals below 1s are raised to 1s');
    assert.equal(http.timeoutMs, 2000);
    assert.equal(planCheck('tcp', { tcp: 'h:1', interval: '5s' }, limits).timeoutMs, 10_000);
    const ttl = planCheck('ttl', { ttl: '15s', deregister_critical_service_after: '10s' }, limits);
    assert.equal(ttl.ttlMs, 15_000);
    assert.equal(ttl.intervalMs, 0);
    assert.equal(ttl.deregisterAfterMs, 60_000, 'deregister_critical_service_after is at least 1m');
    assert.equal(planCheck('', { name: 'maintenance' }, limits).kind, 'none');
  });

  test('output_max_size may lower the agent-wide cap, never raise it', () => {
    assert.equal(planCheck('http', { output_max_size: 100 }, limits).outputMaxSize, 100);
    assert.equal(planCheck('http', { output_max_size: 10_000 }, limits).outputMaxSize, 4096);
    assert.equal(planCheck('http', {}, { ...limits, outputMaxSize: 0 }).outputMaxSize, 4096);
  });
});

describe('alias aggregate', () => {
  const check = (over: Partial<AliasedCheck>): AliasedCheck => ({
    Node: 'n1',
    CheckID: 'c',
    Name: 'c',
    Status: 'passing',
    Output: '',
    ServiceID: '',
    ...over,
  });
  const target = { node: 'n1', serviceId: 'web' };

  test('critical beats warning beats passing; other services and nodes do not count', () => {
    const checks = [
      check({ CheckID: 'serfHealth', Name: 'Serf Health Status' }),
      check({ CheckID: 'w', Name: 'slow', Status: 'warning', Output: 'slow', ServiceID: 'web' }),
      check({ CheckID: 'api', Status: 'critical', ServiceID: 'api' }),
      check({ CheckID: 'other', Node: 'n2', Status: 'critical', ServiceID: 'web' }),
    ];
    assert.deepEqual(aliasHealth(target, { checks, targetExists: true }), {
      status: 'warning',
      output: 'Aliased check "slow" failing: slow',
    });
    const failing = [
      ...checks,
      check({ CheckID: 'x', Name: 'down', Status: 'critical', Output: 'refused', ServiceID: 'web' }),
    ];
    assert.deepEqual(aliasHealth(target, { checks: failing, targetExists: true }), {
      status: 'critical',
      output: 'Aliased check "down" failing: refused',
    });
  });

  test('a node check counts for the aliased service; all passing says so', () => {
    const checks = [check({ CheckID: 'serfHealth' }), check({ CheckID: 'h', ServiceID: 'web' })];
    assert.deepEqual(aliasHealth(target, { checks, targetExists: true }), {
      status: 'passing',
      output: 'All checks passing.',
    });
    const nodeDown = [
      check({ CheckID: 'serfHealth', Name: 'Serf Health Status', Status: 'critical', Output: 'gone' }),
    ];
    assert.equal(aliasHealth(target, { checks: nodeDown, targetExists: true }).status, 'critical');
  });

  test('a service without checks is passing; a missing service is critical', () => {
    assert.deepEqual(aliasHealth(target, { checks: [], targetExists: true }), {
      status: 'passing',
      output: 'No checks found.',
    });
    assert.deepEqual(aliasHealth(target, { checks: [], targetExists: false }), {
      status: 'critical',
      output: 'Service web could not be found on node n1',
    });
    assert.equal(
      aliasHealth({ node: 'n9', serviceId: '' }, { checks: [], targetExists: false }).status,
      'critical',
    );
  });

  test('the alias check never counts itself', () => {
    const self = check({ CheckID: 'alias', Status: 'critical' });
    const result = aliasHealth(target, {
      checks: [self, check({ CheckID: 'h', ServiceID: 'web' })],
      targetExists: true,
      self: { node: 'n1', checkId: 'alias' },
    });
    assert.equal(result.status, 'passing');
  });
});
