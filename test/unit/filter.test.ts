import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RE2JS } from 're2js';
import { TribuneError } from '../../core/errors.js';
import {
  applyFilter,
  compileFilter,
  filterCacheSize,
  filterMapValues,
  MAX_FILTER_BYTES,
  MAX_FILTER_DEPTH,
} from '../../core/filter/index.js';

/** A /v1/health/service entry: Node, Service and a Checks list. */
function serviceEntry(
  id: string,
  overrides: { env?: string; statuses?: string[]; tags?: string[]; port?: number },
) {
  const statuses = overrides.statuses ?? ['passing'];
  return {
    Node: {
      ID: `node-${id}`,
      Node: `host-${id}`,
      Address: '10.0.0.1',
      Datacenter: 'dc1',
      TaggedAddresses: { lan: '10.0.0.1', wan: '192.0.2.1' },
      Meta: { rack: 'r1', 'consul-network-segment': '' },
    },
    Service: {
      ID: id,
      Service: 'web',
      Tags: overrides.tags ?? ['primary', 'v1'],
      Address: '',
      Meta: overrides.env === undefined ? {} : { env: overrides.env },
      Port: overrides.port ?? 8080,
      Weights: { Passing: 1, Warning: 1 },
      EnableTagOverride: false,
      Kind: '',
      Proxy: null,
    },
    Checks: statuses.map((status, i) => ({
      Node: `host-${id}`,
      CheckID: i === 0 ? 'serfHealth' : `service:${id}:${i}`,
      Name: i === 0 ? 'Serf Health Status' : 'HTTP check',
      Status: status,
      Output: status === 'passing' ? 'HTTP GET http://localhost: 200 OK' : '',
      ServiceID: i === 0 ? '' : id,
      ServiceName: i === 0 ? '' : 'web',
      ServiceTags: i === 0 ? [] : ['primary', 'v1'],
    })),
  };
}

const entry = serviceEntry('web-1', { env: 'prod', statuses: ['passing', 'critical'] });

/** /v1/agent/services values. */
const agentService = {
  ID: 'redis-1',
  Service: 'redis',
  Tags: ['cache', 'v2'],
  Meta: { version: '7.2', 'team.owner': 'data', in: 'keyword-key' },
  Port: 6379,
  Address: '127.0.0.1',
  TaggedAddresses: { lan_ipv4: { Address: '127.0.0.1', Port: 6379 } },
  Weights: { Passing: 10, Warning: 1 },
  EnableTagOverride: true,
  Datacenter: 'dc1',
  Ratio: 0.5,
  Offset: -3,
};

/** A /v1/kv entry. */
const kvEntry = {
  Key: 'web/config/port',
  Flags: 42,
  Value: 'ODA4MA==',
  LockIndex: 0,
  Session: '',
  CreateIndex: 12,
};

function assertBadRequest(run: () => unknown, ...fragments: string[]): void {
  assert.throws(run, (err: unknown) => {
    assert.ok(err instanceof TribuneError, `expected a TribuneError, got ${String(err)}`);
    assert.equal(err.code, 'BAD_REQUEST');
    assert.equal(err.httpStatus, 400);
    assert.ok(
      err.message.startsWith('Failed to create boolean expression evaluator: '),
      `message lacks Consul's prefix: ${err.message}`,
    );
    for (const fragment of fragments)
      assert.ok(err.message.includes(fragment), `"${err.message}" lacks "${fragment}"`);
    return true;
  });
}

function check(cases: ReadonlyArray<readonly [string, boolean]>, item: unknown): void {
  for (const [expression, expected] of cases) {
    assert.equal(compileFilter(expression)(item), expected, expression);
  }
}

describe('matching operators on a ServiceEntry', () => {
  test('== and != on strings, numbers and booleans, converting the literal to the field type', () => {
    check(
      [
        ['Service.Service == "web"', true],
        ['Service.Service == "db"', false],
        ['Service.Service != "db"', true],
        ['Service.Service != web', false],
        ['Node.Node == "host-web-1"', true],
        ['Service.Port == 8080', true],
        ['Service.Port == "8080"', true],
        ['Service.Port == `8080`', true],
        ['Service.Port != 8081', true],
        ['Service.Port == 8080.0', true],
        ['Service.EnableTagOverride == false', true],
        ['Service.EnableTagOverride == "false"', true],
        ['Service.EnableTagOverride == F', true],
        ['Service.EnableTagOverride == 0', true],
        ['Service.EnableTagOverride != true', true],
        ['Service.Weights.Passing == 1', true],
        ['Service.Kind == ""', true],
      ],
      entry,
    );
  });

  test('is empty / is not empty on strings, lists, maps and null', () => {
    check(
      [
        ['Service.Kind is empty', true],
        ['Service.Service is empty', false],
        ['Service.Service is not empty', true],
        ['Service.Tags is not empty', true],
        ['Service.Meta is not empty', true],
        ['Service.Proxy is empty', true],
        ['Node.Meta is empty', false],
        ['Node.Meta["consul-network-segment"] is empty', true],
      ],
      entry,
    );
    check([['Service.Meta is empty', true]], serviceEntry('x', {}));
  });

  test('in / not in / contains / not contains on lists, maps and strings', () => {
    check(
      [
        ['"primary" in Service.Tags', true],
        ['"canary" in Service.Tags', false],
        ['"canary" not in Service.Tags', true],
        ['primary in Service.Tags', true],
        ['Service.Tags contains "v1"', true],
        ['Service.Tags not contains "v1"', false],
        ['Service.Tags contains v2', false],
        ['"env" in Service.Meta', true],
        ['"prod" in Service.Meta', false],
        ['Service.Meta contains env', true],
        ['"lan" in Node.TaggedAddresses', true],
        ['"host" in Node.Node', true],
        ['Node.Node contains "web-1"', true],
        ['Node.Node not contains "db"', true],
        ['"" in Node.Node', true],
      ],
      entry,
    );
  });

  test('matches / not matches use a regular expression, unanchored like Go', () => {
    check(
      [
        ['Service.Service matches "^we"', true],
        ['Service.Service matches "eb"', true],
        ['Service.Service matches "^eb"', false],
        ['Service.Service not matches "^db"', true],
        ['Node.Address matches `^10\\.0\\.0\\.\\d+$`', true],
        ['Node.Address matches "^10\\\\.0"', true],
        ['Service.ID matches "web-[0-9]+"', true],
      ],
      entry,
    );
  });
});

describe('boolean logic', () => {
  const a = { A: 'x', B: 'x', C: 'x' };
  const cases = [
    // or binds loosest: A or (B and C)
    ['A == x or B == y and C == y', { ...a }, true],
    ['A == y or B == x and C == x', { ...a }, true],
    ['(A == y or B == x) and C == y', { ...a }, false],
    ['A == y or B == x and C == y', { ...a }, false],
    // not binds tightest: (not A) and B
    ['not A == y and B == x', { ...a }, true],
    ['not A == x and B == x', { ...a }, false],
    ['not (A == x and B == y)', { ...a }, true],
    ['not not A == x', { ...a }, true],
    ['not (not (A == x))', { ...a }, true],
    ['((((A == x))))', { ...a }, true],
    ['A == x and B == x and C == x and A != y', { ...a }, true],
    ['A == y or B == y or C == y or C == x', { ...a }, true],
    ['A == y or B == y or C == y', { ...a }, false],
    ['not A == y and not B == y or C == y', { ...a }, true],
    ['\n\t A == x\r\n and\n B == x ', { ...a }, true],
  ] as const;
  for (const [expression, item, expected] of cases) {
    test(`${JSON.stringify(expression)} is ${expected}`, () => {
      assert.equal(compileFilter(expression)(item), expected);
    });
  }

  test('and / or short-circuit, so a type error on the right is not reached', () => {
    assert.equal(compileFilter('A == y and Tags == x')({ A: 'x', Tags: [] }), false);
    assert.equal(compileFilter('A == x or Tags == x')({ A: 'x', Tags: [] }), true);
  });

  test('keywords may be used as map keys, as values and as a prefix of names', () => {
    check(
      [
        ['Meta.in == "keyword-key"', true],
        ['Meta.in == keyword', false],
        ['notes is empty', true],
        ['Service == redis and ordering is empty', true],
        ['Meta.version == "7.2"', true],
        ['Meta["team.owner"] == data', true],
        ['Meta.team.owner is empty', true],
      ],
      agentService,
    );
    assert.equal(compileFilter('Status == and')({ Status: 'and' }), true);
    assert.equal(compileFilter('not == "x"')({ not: 'x' }), true);
  });
});

describe('selectors', () => {
  test('dotted paths, ["key"] indexes and numeric list indexes', () => {
    check(
      [
        ['TaggedAddresses.lan_ipv4.Port == 6379', true],
        ['TaggedAddresses["lan_ipv4"].Address == "127.0.0.1"', true],
        ['TaggedAddresses[ "lan_ipv4" ]["Address"] == "127.0.0.1"', true],
        ['Tags.0 == cache', true],
        ['Tags.1 == cache', false],
        ['Tags.7 is empty', true],
      ],
      agentService,
    );
    check([['Checks.1.Status == critical', true]], entry);
  });

  test('field names and map keys are exact and case-sensitive', () => {
    check(
      [
        ['service == redis', false],
        ['Service == redis', true],
        ['Meta.Version is empty', true],
      ],
      agentService,
    );
  });

  test('a selector that finds nothing is absent: empty, equal to nothing, containing nothing', () => {
    check(
      [
        ['Nope == "x"', false],
        ['Nope != "x"', true],
        ['Nope is empty', true],
        ['Nope is not empty', false],
        ['"x" in Nope', false],
        ['"x" not in Nope', true],
        ['Nope contains "x"', false],
        ['Nope matches ".*"', false],
        ['Nope not matches ".*"', true],
        ['Meta.missing == "x"', false],
        ['Meta.missing != "x"', true],
        ['Port.deeper == 1', false],
        ['Service.deeper is empty', true],
      ],
      agentService,
    );
  });

  test('selectors never reach inherited properties', () => {
    check(
      [
        ['Meta.constructor is empty', true],
        ['Meta.toString is empty', true],
        ['Meta["__proto__"] is empty', true],
        ['"constructor" in Meta', false],
        ['"hasOwnProperty" in Meta', false],
        ['Tags.length is empty', true],
      ],
      agentService,
    );
  });

  test('a path through a list matches when ANY element does; negated forms negate that', () => {
    const mixed = entry; // checks: passing, critical
    const healthy = serviceEntry('web-2', { statuses: ['passing', 'passing'] });
    const noChecks = serviceEntry('web-3', { statuses: [] });
    const table = [
      ['Checks.Status == passing', true, true, false],
      ['Checks.Status == critical', true, false, false],
      ['Checks.Status != critical', false, true, true],
      ['Checks.Status != passing', false, false, true],
      ['Checks.CheckID matches "^service:"', true, true, false],
      ['Checks.Output is empty', true, false, true],
      ['Checks.Output is not empty', false, true, false],
      ['Checks.ServiceTags contains "primary"', true, true, false],
      ['"v1" in Checks.ServiceTags', true, true, false],
      ['"v1" not in Checks.ServiceTags', false, false, true],
      ['Checks.Output contains "200 OK"', true, true, false],
    ] as const;
    for (const [expression, onMixed, onHealthy, onNone] of table) {
      assert.equal(compileFilter(expression)(mixed), onMixed, `${expression} on mixed`);
      assert.equal(compileFilter(expression)(healthy), onHealthy, `${expression} on healthy`);
      assert.equal(compileFilter(expression)(noChecks), onNone, `${expression} on no checks`);
    }
  });

  test('lists of lists fan out at every level', () => {
    const item = { Groups: [[{ Name: 'a' }], [{ Name: 'b' }, { Name: 'c' }]] };
    assert.equal(compileFilter('Groups.Name == c')(item), true);
    assert.equal(compileFilter('Groups.Name == d')(item), false);
  });

  test('Map instances work like objects', () => {
    const item = { Meta: new Map([['env', 'prod']]) };
    check(
      [
        ['Meta.env == prod', true],
        ['"env" in Meta', true],
        ['Meta is not empty', true],
        ['Meta.other is empty', true],
      ],
      item,
    );
    assert.equal(compileFilter('Meta is empty')({ Meta: new Map() }), true);
  });

  test('KV entries: numbers and base64 strings', () => {
    check(
      [
        ['Key matches "^web/"', true],
        ['Flags == 42', true],
        ['Flags != 0', true],
        ['LockIndex == 0', true],
        ['Session is empty', true],
        ['Value == "ODA4MA=="', true],
        ['"config" in Key', true],
      ],
      kvEntry,
    );
  });
});

describe('values', () => {
  test('numbers: negative, fractional, Go integer prefixes when quoted', () => {
    check(
      [
        ['Offset == -3', true],
        ['Offset == "-3"', true],
        ['Ratio == 0.5', true],
        ['Ratio == ".5"', true],
        ['Ratio == "5e-1"', true],
        ['Port == "0x18EB"', true],
        ['Port == "0o14353"', true],
        ['Port == "+6379"', true],
      ],
      agentService,
    );
  });

  test('large integers held as bigint compare exactly', () => {
    const item = { ModifyIndex: 9007199254740993n };
    assert.equal(compileFilter('ModifyIndex == 9007199254740993')(item), true);
    assert.equal(compileFilter('ModifyIndex == 9007199254740992')(item), false);
  });

  test('a number compared with a string field is compared as written', () => {
    assert.equal(compileFilter('Version == 1.10')({ Version: '1.10' }), true);
    assert.equal(compileFilter('Version == 1.1')({ Version: '1.10' }), false);
  });

  test('unquoted values may be dotted names, joined as written', () => {
    assert.equal(compileFilter('Address == example.com')({ Address: 'example.com' }), true);
    assert.equal(compileFilter('Address == true')({ Address: 'true' }), true);
  });

  test('double-quoted strings take Go escapes', () => {
    const cases = [
      ['"a\\"b"', 'a"b'],
      ['"tab\\there"', 'tab\there'],
      ['"line\\nbreak"', 'line\nbreak'],
      ['"back\\\\slash"', 'back\\slash'],
      ['"\\x41\\101\\u00e9\\U0001F600"', 'AAé😀'],
      ['"\\a\\b\\f\\r\\v"', '\x07\b\f\r\v'],
    ] as const;
    for (const [literal, decoded] of cases) {
      assert.equal(compileFilter(`Name == ${literal}`)({ Name: decoded }), true, literal);
    }
  });

  test('backquoted strings are raw: backslashes stay, carriage returns go', () => {
    assert.equal(compileFilter('Name == `a\\nb`')({ Name: 'a\\nb' }), true);
    assert.equal(compileFilter('Name == `two\r\nlines`')({ Name: 'two\nlines' }), true);
    assert.equal(compileFilter('Name == `say "hi"`')({ Name: 'say "hi"' }), true);
  });
});

describe('regular expressions (Go RE2 syntax and semantics)', () => {
  const cases = [
    ['(?i)^WEB', 'web-1', true],
    ['a(?i)B', 'ab', true],
    ['a(?i:B)c', 'abC', false],
    ['(?i)k', '\u212a', true], // Kelvin sign folds to k, as in Go
    ['(?is)^a.b$', 'A\nb', true],
    ['^a.b$', 'a\nb', false],
    ['(?m)^b$', 'a\nb\nc', true],
    ['(?U)^a+', 'aaa', true],
    ['(?P<name>x)', 'x', true],
    ['(?P<name>web)-\\d', 'web-1', true],
    ['(?<name>x)y', 'xy', true],
    ['\\Aweb', 'web', true],
    ['\\Aweb', 'a web', false],
    ['web\\z', 'web\n', false],
    ['web$', 'web\n', false],
    ['^[[:digit:]]+$', '123', true],
    ['^[[:alpha:]_]+$', 'ab_c', true],
    ['^[[:alpha:]]+$', 'ab1', false],
    ['^[[:^alpha:]]+$', '12-', true],
    ['^\\pL+$', 'héllo', true],
    ['^\\p{Greek}$', 'λ', true],
    ['^\\d$', '\u0663', false], // \d is ASCII only in RE2
    ['^\\s$', '\u00a0', false], // so is \s
    ['^.$', '\u{1F600}', true], // one code point, two UTF-16 units
    ['^[]a]+$', ']a]', true],
    ['^\\Qa.b\\E$', 'a.b', true],
    ['^\\Qa.b\\E$', 'axb', false],
    ['^\\x{41}\\x{1F600}+$', 'A\u{1F600}\u{1F600}', true],
    ['^\\101$', 'A', true],
    ['a{,2}', 'a{,2}', true],
  ] as const;
  for (const [pattern, subject, expected] of cases) {
    test(`${pattern} against ${JSON.stringify(subject)} is ${expected}`, () => {
      assert.equal(compileFilter(`Name matches ${JSON.stringify(pattern)}`)({ Name: subject }), expected);
      assert.equal(
        compileFilter(`Name not matches ${JSON.stringify(pattern)}`)({ Name: subject }),
        !expected,
      );
    });
  }

  test('a pattern that backtracking engines take exponential time on simply answers (linear-time RE2)', () => {
    // 30 characters: a backtracking RegExp would try about 2^29 ways to split the a's before failing.
    const subject = `${'a'.repeat(29)}b`;
    assert.equal(compileFilter('Name matches "(a+)+$"')({ Name: subject }), false);
    assert.equal(compileFilter('Name not matches "(a+)+$"')({ Name: subject }), true);
    assert.equal(compileFilter('Name matches "(a+)+b$"')({ Name: subject }), true);
  });

  test("patterns Go refuses are a 400 naming the position, the pattern and Go's parse error", () => {
    const refused = [
      ['(?=a)', 'invalid or unsupported Perl syntax: `(?=`'], // lookahead
      ['(?!a)', 'invalid or unsupported Perl syntax: `(?!`'],
      ['(?<=a)b', 'invalid named capture: `(?<=a)b`'], // lookbehind
      ['(?<!a)b', 'invalid named capture: `(?<!a)b`'],
      ['(a)\\1', 'invalid escape sequence: `\\1`'], // backreference
      ['[[:nope:]]', 'invalid character class range: `[:nope:]`'],
      ['(unclosed', 'missing closing ): `(unclosed`'],
      ['a**', 'invalid nested repetition operator: `**`'],
      ['a{1001}', 'invalid repeat count: `{1001}`'],
      ['\\Z', 'invalid escape sequence: `\\Z`'],
      ['(?P<n>a)(?P<n>b)', 'duplicate capture group name: `n`'],
      [`${'('.repeat(1100)}a${')'.repeat(1100)}`, 'expression nests too deeply'],
    ] as const;
    for (const [pattern, goError] of refused) {
      assertBadRequest(
        () => compileFilter(`Name matches ${JSON.stringify(pattern)}`),
        '1:1 (0)',
        `failed to compile regular expression ${JSON.stringify(pattern)}`,
        `error parsing regexp: ${goError}`,
      );
    }
  });

  test('the position named is that of the match expression holding the pattern', () => {
    assertBadRequest(
      () => compileFilter('Service == web and Name not matches "(?=x)"'),
      '1:20 (19)',
      '"(?=x)"',
    );
    assertBadRequest(
      () => compileFilter('Service == web\n  or Name matches "["'),
      '2:6 (20)',
      'missing closing ]',
    );
  });

  test('a pattern is compiled once with its filter: a bad one fails before any item is seen', () => {
    assertBadRequest(() => applyFilter([], 'Name matches "(?!x)"'), 'invalid or unsupported Perl syntax');
  });
});

describe('errors', () => {
  test('syntax errors name the position, what was expected and what was found', () => {
    assertBadRequest(() => compileFilter('Service =='), '1:11 (10)', 'expected a value', 'end of input');
    assertBadRequest(() => compileFilter('Service = "web"'), '1:9 (8)', 'unexpected character "="');
    assertBadRequest(
      () => compileFilter('Service "web"'),
      '1:9 (8)',
      'expected "==", "!="',
      'found "\\"web\\""',
    );
    assertBadRequest(() => compileFilter('(Service == web'), 'expected ")" to close the "(" at 1:1 (0)');
    assertBadRequest(() => compileFilter('Service == web)'), '1:15 (14)', 'expected "and", "or" or the end');
    assertBadRequest(() => compileFilter('Service == web and'), 'expected a selector, a value, "not" or "("');
    assertBadRequest(() => compileFilter('Service == web or or'), '1:21 (20)', 'expected "=="');
    assertBadRequest(() => compileFilter('Tags is'), 'expected "empty" or "not empty"');
    assertBadRequest(() => compileFilter('Tags is not full'), 'expected "empty"', 'found "full"');
    assertBadRequest(
      () => compileFilter('Tags not equals x'),
      'expected "in", "contains" or "matches" after "not"',
    );
    assertBadRequest(() => compileFilter('"web" Tags'), 'expected "in" or "not in" after a value');
    assertBadRequest(() => compileFilter('"web" in "Tags"'), 'expected a selector');
    assertBadRequest(() => compileFilter('Meta[env] == x'), 'expected a quoted map key');
    assertBadRequest(() => compileFilter('Meta["env" == x'), 'expected "]"');
    assertBadRequest(() => compileFilter('Meta. == x'), 'expected a field name after "."');
    assertBadRequest(() => compileFilter('Meta .env == x'), 'expected "==", "!="');
    assertBadRequest(() => compileFilter('Port == 80x'), '1:9 (8)', 'invalid number literal');
    assertBadRequest(() => compileFilter('Port == 080'), 'invalid number literal');
    assertBadRequest(() => compileFilter('Name == "open'), '1:9 (8)', 'unterminated string literal');
    assertBadRequest(() => compileFilter('Name == `open'), 'unterminated string literal');
    assertBadRequest(() => compileFilter('Name == "a\\qb"'), 'invalid escape sequence \\q');
    assertBadRequest(() => compileFilter('Name == "\\uD800"'), 'invalid escape sequence \\uD800');
    assertBadRequest(() => compileFilter('Name == "\\x4"'), 'invalid escape sequence');
    assertBadRequest(() => compileFilter('Name == "a\nb"'), 'newline in string literal');
    assertBadRequest(() => compileFilter(''), 'expected a selector');
    assertBadRequest(() => compileFilter('   '), 'expected a selector');
    assertBadRequest(() => compileFilter('A == x and\n  B === y'), '2:7 (17)', 'unexpected character "="');
  });

  test('type errors are raised when the match meets the value', () => {
    const run = (expression: string) => () => compileFilter(expression)(agentService);
    assertBadRequest(run('Port == abc'), 'selector "Port" holds a number', '"abc" does not convert');
    assertBadRequest(run('EnableTagOverride == yes'), 'holds a boolean');
    assertBadRequest(run('Tags == cache'), 'cannot use "==" on selector "Tags", which holds a list');
    assertBadRequest(run('Meta != x'), 'cannot use "!=" on selector "Meta", which holds a map');
    assertBadRequest(run('Port contains 6'), 'cannot use "in/contains"', 'a number');
    assertBadRequest(run('Port is not empty'), 'cannot use "is not empty"');
    assertBadRequest(run('Port matches "6"'), 'cannot use "matches" on selector "Port"');
    assertBadRequest(run('  Tags == x'), '1:3 (2)');
  });

  test('expressions over the size limit are refused', () => {
    const clause = 'Service == web or ';
    const long = clause.repeat(Math.ceil(MAX_FILTER_BYTES / clause.length)) + 'Service == db';
    assert.ok(long.length > MAX_FILTER_BYTES);
    assertBadRequest(() => compileFilter(long), `limit of ${MAX_FILTER_BYTES} bytes`);
    // Counted in UTF-8 bytes: 1400 three-byte characters are 4200 bytes in 1400 UTF-16 units.
    assertBadRequest(() => compileFilter(`Name == "${'€'.repeat(1400)}"`), 'limit');
    const fits = `Name == "${'x'.repeat(MAX_FILTER_BYTES - 10)}"`;
    assert.equal(fits.length, MAX_FILTER_BYTES);
    assert.equal(compileFilter(fits)({ Name: 'x' }), false);
  });

  test(`nesting is capped at ${MAX_FILTER_DEPTH} levels of parentheses and not`, () => {
    const nested = (levels: number) => `${'('.repeat(levels)}A == x${')'.repeat(levels)}`;
    assert.equal(compileFilter(nested(MAX_FILTER_DEPTH))({ A: 'x' }), true);
    assertBadRequest(() => compileFilter(nested(MAX_FILTER_DEPTH + 1)), 'nested deeper than 64 levels');
    assertBadRequest(() => compileFilter(nested(1000)), 'nested deeper');
    const nots = (levels: number) => `${'not '.repeat(levels)}A == x`;
    assert.equal(compileFilter(nots(MAX_FILTER_DEPTH))({ A: 'x' }), true);
    assert.equal(compileFilter(nots(MAX_FILTER_DEPTH - 1))({ A: 'x' }), false);
    assertBadRequest(() => compileFilter(nots(MAX_FILTER_DEPTH + 1)), 'nested deeper');
    // Long and/or chains are flat, not nested.
    const wide = Array.from({ length: 300 }, (_, i) => `A == v${i}`).join(' or ');
    assert.equal(compileFilter(wide)({ A: 'v299' }), true);
  });
});

describe('applyFilter, filterMapValues and the cache', () => {
  const entries = [
    serviceEntry('web-1', { env: 'prod', statuses: ['passing', 'passing'] }),
    serviceEntry('web-2', { env: 'staging', statuses: ['passing', 'critical'], tags: ['canary'] }),
    serviceEntry('web-3', { statuses: ['passing'], port: 9090 }),
  ];
  const ids = (list: typeof entries) => list.map((e) => e.Service.ID);

  test('no filter returns the list itself', () => {
    assert.equal(applyFilter(entries, undefined), entries);
    assert.equal(applyFilter(entries, ''), entries);
  });

  test('keeps matching items in order', () => {
    assert.deepEqual(ids(applyFilter(entries, 'Service.Meta.env == prod')), ['web-1']);
    assert.deepEqual(ids(applyFilter(entries, 'Service.Meta.env != prod')), ['web-2', 'web-3']);
    assert.deepEqual(ids(applyFilter(entries, 'Checks.Status != critical')), ['web-1', 'web-3']);
    assert.deepEqual(ids(applyFilter(entries, '"canary" in Service.Tags or Service.Port == 9090')), [
      'web-2',
      'web-3',
    ]);
    assert.deepEqual(ids(applyFilter(entries, 'Service.Meta is empty')), ['web-3']);
    assert.deepEqual(applyFilter([], 'Tags == x'), []);
  });

  test('a bad filter fails even on an empty list', () => {
    assertBadRequest(() => applyFilter([], 'Service =='));
  });

  test('filterMapValues keeps the entries whose value matches', () => {
    const services: Record<string, typeof agentService> = {
      'redis-1': agentService,
      'redis-2': { ...agentService, ID: 'redis-2', Tags: ['v1'] },
    };
    // A service may be named "__proto__"; it must stay an ordinary entry.
    Object.defineProperty(services, '__proto__', {
      value: { ...agentService, ID: '__proto__' },
      enumerable: true,
      configurable: true,
      writable: true,
    });
    const kept = filterMapValues(services, '"cache" in Tags');
    assert.deepEqual(Object.keys(kept), ['redis-1', '__proto__']);
    assert.equal(Object.getPrototypeOf(kept), Object.prototype);
    assert.equal(kept['redis-1'], agentService);
    assert.equal(filterMapValues(services, undefined), services);
    assert.deepEqual(filterMapValues(services, 'Service == nothing'), {});
  });

  test('a pattern is compiled once, with its filter, and reused for every item and request', (t) => {
    const compile = t.mock.method(RE2JS, 'compile');
    const expression = 'Service.ID matches "^[a-z]$" and Service.Service not matches "^(?i)DB"';
    const predicate = compileFilter(expression);
    assert.equal(compile.mock.callCount(), 2);
    const items = [serviceEntry('a', {}), serviceEntry('bc', {}), serviceEntry('d', {})];
    assert.deepEqual(applyFilter(items, expression), [items[0], items[2]]);
    assert.deepEqual(applyFilter(items, expression), [items[0], items[2]]);
    assert.equal(compileFilter(expression), predicate);
    assert.equal(compile.mock.callCount(), 2);
  });

  test('compiled filters are cached, and the cache stays bounded', () => {
    const expression = 'Service.Meta.env == cached';
    const original = compileFilter(expression);
    assert.equal(compileFilter(expression), original);
    const kept = compileFilter('Service.Meta.env == kept');
    for (let i = 0; i < 400; i++) {
      compileFilter(`A == v${i}`);
      if (i % 100 === 0) compileFilter('Service.Meta.env == kept');
    }
    assert.equal(filterCacheSize(), 256);
    // What was used recently survives; the least recently used was evicted and compiles afresh.
    assert.equal(compileFilter('Service.Meta.env == kept'), kept);
    const recompiled = compileFilter(expression);
    assert.notEqual(recompiled, original);
    assert.equal(recompiled(entries[0]), false);
    assert.equal(recompiled(serviceEntry('c', { env: 'cached' })), true);
  });
});
