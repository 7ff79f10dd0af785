import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TribuneError } from '../../core/errors.js';
import { parseJson } from '../../core/util/json.js';
import { decodeDeregisterRequest, decodeRegisterRequest } from '../../plugins/catalog/register.js';

const ctx = { datacenter: 'dc1' };

function decode(body: string) {
  return decodeRegisterRequest(parseJson(body), ctx);
}

function refused(fn: () => unknown, code: TribuneError['code'], message: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof TribuneError, String(err));
    assert.equal(err.message, message);
    assert.equal(err.code, code);
    return true;
  });
}

describe('decodeRegisterRequest', () => {
  test('reads Consul field names case-insensitively and fills Consul defaults', () => {
    const cmd = decode(
      JSON.stringify({
        node: 'n1',
        ADDRESS: '10.0.0.1',
        taggedaddresses: { wan: '192.0.2.1' },
        nodemeta: { rack: 'a' },
        service: { service: 'web', tags: ['v1'], port: 80, weights: { passing: 0, warning: 3 } },
        check: { name: 'Web alive', serviceid: 'web' },
      }),
    );
    assert.deepEqual(cmd, {
      type: 'catalog.register',
      node: {
        ID: '',
        Node: 'n1',
        Address: '10.0.0.1',
        Datacenter: 'dc1',
        TaggedAddresses: { wan: '192.0.2.1' },
        Meta: { rack: 'a' },
      },
      skipNodeUpdate: false,
      service: {
        Kind: '',
        ID: 'web',
        Service: 'web',
        Tags: ['v1'],
        Address: '',
        TaggedAddresses: null,
        Meta: {},
        Port: 80,
        SocketPath: '',
        // Passing must be at least 1; Consul falls back to 1/1 for invalid weights.
        Weights: { Passing: 1, Warning: 1 },
        EnableTagOverride: false,
      },
      checks: [
        {
          CheckID: 'Web alive',
          Name: 'Web alive',
          Status: 'critical',
          Notes: '',
          Output: '',
          ServiceID: 'web',
          Type: '',
          Interval: '',
          Timeout: '',
          ExposedPort: 0,
          Definition: {},
        },
      ],
    });
  });

  test('appends the single Check after Checks, and reads service tagged addresses', () => {
    const cmd = decode(
      JSON.stringify({
        Node: 'n1',
        Address: '10.0.0.1',
        Service: {
          ID: 'r1',
          Service: 'redis',
          TaggedAddresses: { wan: { address: '198.18.0.1', port: 80 } },
        },
        Checks: [{ CheckID: 'a', Status: 'passing' }],
        Check: { CheckID: 'b', Status: 'warning' },
      }),
    );
    assert.deepEqual(
      cmd.checks.map((c) => [c.CheckID, c.Status]),
      [
        ['a', 'passing'],
        ['b', 'warning'],
      ],
    );
    assert.deepEqual(cmd.service?.TaggedAddresses, { wan: { Address: '198.18.0.1', Port: 80 } });
  });

  test('normalises definition durations to Go strings and derives the check type', () => {
    const cmd = decode(
      JSON.stringify({
        Node: 'n1',
        Address: '10.0.0.1',
        Checks: [
          { Name: 'http', Definition: { HTTP: 'http://x/', Interval: '90s', Timeout: 1000000000 } },
          {
            Name: 'tcp',
            Definition: { TCP: 'x:1', IntervalDuration: '10s', DeregisterCriticalServiceAfter: '30m' },
          },
          { Name: 'plain', Definition: { TCP: 'x:1' } },
          { Name: 'typed', Type: 'ttl' },
        ],
      }),
    );
    assert.deepEqual(
      cmd.checks.map((c) => [c.Type, c.Definition]),
      [
        ['http', { HTTP: 'http://x/', Interval: '1m30s', Timeout: '1s' }],
        ['tcp', { TCP: 'x:1', Interval: '10s', DeregisterCriticalServiceAfter: '30m0s' }],
        ['', { TCP: 'x:1' }],
        ['ttl', {}],
      ],
    );
  });

  test('decode failures are 400s in Go words', () => {
    refused(() => decodeRegisterRequest(undefined, ctx), 'BAD_REQUEST', 'Request decode failed: EOF');
    refused(
      () => decode('[]'),
      'BAD_REQUEST',
      'Request decode failed: json: cannot unmarshal array into Go value of type structs.RegisterRequest',
    );
    refused(
      () => decode('{"Node":"n","Address":"a","Service":{"Service":"web","Port":"80"}}'),
      'BAD_REQUEST',
      'Request decode failed: json: cannot unmarshal string into Go struct field RegisterRequest.Service.Port of type int',
    );
    refused(
      () => decode('{"Node":"n","Address":"a","TaggedAddresses":{"lan":{"address":"x"}}}'),
      'BAD_REQUEST',
      'Request decode failed: json: cannot unmarshal object into Go struct field RegisterRequest.TaggedAddresses of type string',
    );
    refused(
      () => decode('{"Node":"n","Address":"a","Checks":[{"Name":"c","Definition":{"Interval":"soon"}}]}'),
      'BAD_REQUEST',
      'Request decode failed: time: invalid duration "soon"',
    );
  });

  test("Consul's pre-raft checks, with its texts", () => {
    refused(() => decode('{"Address":"10.0.0.1"}'), 'INTERNAL', 'Must provide node');
    refused(() => decode('{"Node":"n1"}'), 'INTERNAL', 'Must provide address if SkipNodeUpdate is not set');
    assert.equal(decode('{"Node":"n1","SkipNodeUpdate":true}').node.Address, '');
    refused(
      () => decode('{"Node":"n","Address":"a","ID":"abc"}'),
      'INTERNAL',
      'Bad node ID: uuid string is wrong length',
    );
    refused(
      () => decode('{"Node":"n","Address":"a","ID":"11111111-2222-3333-4444-55555555555g"}'),
      'INTERNAL',
      "Bad node ID: encoding/hex: invalid byte: U+0067 'g'",
    );
    refused(
      () => decode('{"Node":"n","Address":"a","Service":{"ID":"x"}}'),
      'INTERNAL',
      'Must provide service name (Service.Service) when service ID is provided',
    );
    refused(
      () => decode('{"Node":"n","Address":"a","Service":{"Service":"x","Address":"0.0.0.0"}}'),
      'INTERNAL',
      'Invalid service address',
    );
    refused(
      () => decode('{"Node":"n1","Address":"a","Check":{"Node":"n2","Name":"c"}}'),
      'INTERNAL',
      "Node 'n2' for check 'c' doesn't match register request node 'n1'",
    );
    refused(
      () => decode('{"Node":"n","Address":"a","Datacenter":"dc9"}'),
      'NO_PATH_TO_DC',
      'No path to datacenter',
    );
    refused(
      () => decode('{"Node":"n","Address":"a","Check":{"Name":"c","Status":"ok"}}'),
      'BAD_REQUEST',
      'Bad check status',
    );
  });
});

describe('decodeDeregisterRequest', () => {
  test('reads Node, ServiceID and CheckID; empty ids are absent', () => {
    assert.deepEqual(decodeDeregisterRequest(parseJson('{"node":"n1","serviceid":"web"}'), ctx), {
      type: 'catalog.deregister',
      node: 'n1',
      serviceId: 'web',
      checkId: null,
    });
    assert.deepEqual(decodeDeregisterRequest(parseJson('{"Node":"n1","CheckID":"","ServiceID":null}'), ctx), {
      type: 'catalog.deregister',
      node: 'n1',
      serviceId: null,
      checkId: null,
    });
  });

  test('a missing node is refused with Consul text', () => {
    refused(
      () => decodeDeregisterRequest(parseJson('{"ServiceID":"web"}'), ctx),
      'INTERNAL',
      'Must provide node',
    );
  });
});
