import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { compileTemplate } from '../../plugins/template/core/engine.js';
import { base64Decode, base64Encode } from '../../plugins/template/core/functions/base64.js';
import { MISSING } from '../../plugins/template/core/functions/data-source.js';
import { marshalJSON, unmarshalJSON } from '../../plugins/template/core/functions/json.js';
import { sha256Hex } from '../../plugins/template/core/functions/sha256.js';
import { healthServices, keyPairs } from '../../plugins/template/core/functions/shapes.js';
import { marshalYAML } from '../../plugins/template/core/functions/yaml.js';
import { GoNumber, goFloat, goStruct } from '../../plugins/template/core/values.js';

const SERVICES = healthServices(
  [
    {
      Node: { Node: 'n1', Address: '10.0.0.1' },
      Service: { ID: 'web-1', Service: 'web', Tags: ['v1', 'blue'], Port: 80 },
      Checks: [],
    },
    {
      Node: { Node: 'n2', Address: '10.0.0.2' },
      Service: { ID: 'web-2', Service: 'web', Tags: ['v2', 'blue'], Port: 80 },
      Checks: [],
    },
  ],
  { filters: ['passing'] },
);

const TREE = keyPairs(
  [
    { Key: 'svc/a', Value: '1' },
    { Key: 'svc/sub/c', Value: '3' },
    { Key: 'svc/sub/d', Value: '4' },
  ],
  'svc/',
);

const data = new Map<string, unknown>([
  ['health.service(web|passing)', SERVICES],
  ['kv.list(svc/)', TREE],
]);

const dataSource = {
  fetch: (d: { id: string }) => (data.has(d.id) ? data.get(d.id) : MISSING),
  env: () => undefined,
  now: () => Date.UTC(2024, 1, 29, 13, 4, 5),
} as never;

function render(src: string): string {
  const r = compileTemplate(src, { name: 't' }).render(dataSource);
  if (r.error) throw r.error;
  return r.output;
}

function failure(src: string): string {
  const r = compileTemplate(src, { name: 't' }).render(dataSource);
  assert.ok(r.error, `expected ${src} to fail`);
  return r.error.message.replace(/^template: t:\d+:\d+: executing "t" at <[^>]*>: /, '');
}

describe('consul-template helpers', () => {
  const cases: Array<[string, string]> = [
    // strings
    ['{{ "a,b,c" | split "," }}', '[a b c]'],
    ['{{ "  a, b ,c " | split "," }}', '[a  b  c]'],
    ['{{ "" | split "," | len }}', '0'],
    ['{{ split "" "héllo" }}', '[h é l l o]'],
    ['{{ "a,b" | split "," | join "-" }}', 'a-b'],
    ['{{ "aaa" | replaceAll "a" "b" }}', 'bbb'],
    [
      '{{ "abc" | regexMatch "^a.c$" }} {{ regexMatch "b" "abc" }} {{ regexMatch "^b" "abc" }}',
      'true true false',
    ],
    // Go's Expand: $name, ${1}, "$1x" is the (missing) group named 1x, $$ is a dollar.
    [
      `{{ "me@host" | regexReplaceAll "(\\\\w+)@(?P<h>\\\\w+)" "$h at $\u007b1}x $1x $$" }}`,
      'host at mex  $',
    ],
    ['{{ "a.b.c" | regexReplaceAll "\\\\." "/" }}', 'a/b/c'],
    [
      '{{ toLower "HéLLO" }} {{ toUpper "straße" }} {{ toTitle "hello world-foo bar_baz" }}',
      'héllo STRAßE Hello World-Foo Bar_baz',
    ],
    ['[{{ trimSpace "  \\t x y \\n" }}]', '[x y]'],
    ['{{ trim "xy" "xyaxyx" }} {{ trimPrefix "ab" "abc" }} {{ trimSuffix "bc" "abc" }}', 'a c a'],
    ['{{ indent 2 "a\\nb\\n\\nc" }}', '  a\n  b\n\n  c'],
    // parsing
    ['{{ parseBool "true" }} {{ parseBool "0" }} {{ parseBool "" }}', 'true false false'],
    ['{{ parseInt "42" }} {{ printf "%T" (parseInt "-7") }} {{ parseInt "" }}', '42 int64 0'],
    ['{{ parseUint "42" }} {{ printf "%T" (parseUint "7") }}', '42 uint64'],
    [
      '{{ parseFloat "1.5" }} {{ printf "%T %v" (parseFloat "1") (parseFloat "1e6") }} {{ parseFloat "" }}',
      '1.5 float64 1e+06 0',
    ],
    [
      '{{ with parseJSON "{\\"a\\":{\\"b\\":[1,2]},\\"c\\":true}" }}{{ .a.b }} {{ index .a.b 1 }} {{ .c }}{{ end }}',
      '[1 2] 2 true',
    ],
    ['{{ parseJSON "" }}', 'map[]'],
    ['{{ printf "%T" (index (parseJSON "[1]") 0) }}', 'float64'],
    // encodings
    [
      '{{ base64Encode "hello" }} {{ base64Decode "aGVsbG8=" }} {{ base64URLEncode "??>" }}',
      'aGVsbG8= hello Pz8-',
    ],
    ['{{ sha256Hex "hello" }}', '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824'],
    [
      '{{ parseJSON "{\\"b\\":1,\\"a\\":[1,2.5,\\"<x>\\"]}" | toJSON }}',
      '{"a":[1,2.5,"\\u003cx\\u003e"],"b":1}',
    ],
    ['{{ parseJSON "{\\"b\\":1,\\"a\\":[1]}" | toJSONPretty }}', '{\n  "a": [\n    1\n  ],\n  "b": 1\n}'],
    [
      '{{ parseJSON "{\\"b\\":{\\"c\\":[1,\\"x\\"]},\\"a\\":\\"true\\",\\"d\\":\\"\\",\\"e\\":null}" | toYAML }}',
      'a: "true"\nb:\n  c:\n  - 1\n  - x\nd: ""\ne: null',
    ],
    // collections
    [
      '{{ "a,b" | split "," | contains "b" }} {{ contains "z" (split "," "a,b") }} {{ in "hello" "ell" }}',
      'true false true',
    ],
    [
      '{{ containsAll (split "," "a,b") (split "," "a,b,c") }} {{ containsAll (split "," "a,z") (split "," "a,b") }}',
      'true false',
    ],
    [
      '{{ containsAny (split "," "x,b") (split "," "a,b") }} {{ containsNone (split "," "x") (split "," "a") }}',
      'true true',
    ],
    ['{{ containsNotAll (split "," "a,x") (split "," "a,b") }}', 'true'],
    [
      '{{ range $tag, $s := service "web" | byTag }}{{ $tag }}:{{ range $s }}{{ .ID }},{{ end }} {{ end }}',
      'blue:web-1,web-2, v1:web-1, v2:web-2, ',
    ],
    [
      '{{ range $k, $pairs := tree "svc/" | byKey }}{{ $k }}=[{{ range $pairs }}{{ .Key }}:{{ .Value }} {{ end }}]{{ end }}',
      'sub=[c:3 d:4 ]',
    ],
    ['{{ with tree "svc/" | explode }}{{ .a }} {{ .sub.c }} {{ .sub }}{{ end }}', '1 3 map[c:3 d:4]'],
    [
      '{{ range loop 3 }}{{ . }}{{ end }} {{ range $i := loop 2 5 }}{{ $i }}{{ end }} {{ range loop "2" "4" }}{{ . }}{{ end }}',
      '012 234 23',
    ],
    ['{{ printf "%T" (index (loop 1) 0) }}', 'int64'],
    // math
    [
      '{{ add 1 2 }} {{ printf "%T" (add 1 2) }} {{ 10 | subtract 3 }} {{ multiply 2.5 2 }} {{ printf "%T" (multiply 2.5 2) }}',
      '3 int64 7 5 float64',
    ],
    [
      '{{ divide 2 7 }} {{ divide 2.0 7 }} {{ modulo 2 7 }} {{ minimum 3 5 }} {{ maximum 3 5.5 }} {{ add 1 (parseFloat "1.5") }}',
      '3 3.5 1 3 5.5 2.5',
    ],
    [
      '{{ add (parseUint "1") (parseUint "2") }} {{ printf "%T" (add (parseUint "1") (parseUint "2")) }} {{ subtract 3 -2 }}',
      '3 uint64 -5',
    ],
    // time (injected clock)
    [
      '{{ timestamp }} {{ timestamp "unix" }} {{ timestamp "2006/01/02 3PM" }}',
      '2024-02-29T13:04:05Z 1709211845 2024/02/29 1PM',
    ],
  ];
  for (const [src, want] of cases) test(src, () => assert.equal(render(src), want));

  const errors: Array<[string, string]> = [
    [
      '{{ parseBool "x" }}',
      'error calling parseBool: parseBool: strconv.ParseBool: parsing "x": invalid syntax',
    ],
    [
      '{{ parseInt "4.2" }}',
      'error calling parseInt: parseInt: strconv.ParseInt: parsing "4.2": invalid syntax',
    ],
    [
      '{{ parseInt "99999999999999999999" }}',
      'error calling parseInt: parseInt: strconv.ParseInt: parsing "99999999999999999999": value out of range',
    ],
    [
      '{{ parseFloat "x" }}',
      'error calling parseFloat: parseFloat: strconv.ParseFloat: parsing "x": invalid syntax',
    ],
    ['{{ parseJSON "x" }}', "error calling parseJSON: invalid character 'x' looking for beginning of value"],
    ['{{ parseJSON "{\\"a\\" 1}" }}', "error calling parseJSON: invalid character '1' after object key"],
    [
      '{{ parseJSON "[1,]" }}',
      "error calling parseJSON: invalid character ']' looking for beginning of value",
    ],
    ['{{ parseJSON "[1" }}', 'error calling parseJSON: unexpected end of JSON input'],
    [
      '{{ base64Decode "!!" }}',
      'error calling base64Decode: base64Decode: illegal base64 data at input byte 0',
    ],
    ['{{ regexMatch "[" "x" }}', 'error calling regexMatch: error parsing regexp: missing closing ]: `[`'],
    ['{{ add "a" 1 }}', 'error calling add: add: unknown type for "a" (string)'],
    ['{{ add 1 nil }}', 'error calling add: add: unknown type for <invalid reflect.Value> (<nil>)'],
    ['{{ modulo 2 1.5 }}', 'error calling modulo: modulo: unknown type for %!q(float64=1.5) (float64)'],
    ['{{ divide 0 1 }}', 'error calling divide: runtime error: integer divide by zero'],
    ['{{ loop 1 2 3 }}', 'error calling loop: loop: wrong number of arguments, expected 1 or 2, but got 3'],
    ['{{ loop 1.5 }}', 'error calling loop: loop: bad argument type: float64'],
    ['{{ byTag "x" }}', 'error calling byTag: byTag: wrong argument type string'],
    ['{{ join "," 1 }}', "can't handle 1 for arg of type []string"],
    ['{{ join "," .x }}', 'invalid value; expected []string'],
    ['{{ indent -1 "x" }}', 'error calling indent: indent value must be a positive integer'],
    [
      '{{ timestamp "a" "b" }}',
      'error calling timestamp: timestamp: wrong number of arguments, expected 0 or 1, but got 2',
    ],
    ['{{ toJSON (parseFloat "NaN") }}', 'error calling toJSON: toJSON: json: unsupported value: NaN'],
    [
      '{{ scratch.MapSet "k" "a" 1 }}{{ scratch.Set "s" 1 }}{{ scratch.MapSet "s" "a" 1 }}',
      'error calling MapSet: "s" is not a map',
    ],
  ];
  for (const [src, message] of errors) test(`${src} fails`, () => assert.equal(failure(src), message));

  test('a "__proto__" key is an ordinary map key (no prototype pollution)', () => {
    assert.equal(
      render('{{ with parseJSON "{\\"__proto__\\":{\\"x\\":1}}" }}{{ .__proto__.x }} {{ len . }}{{ end }}'),
      '1 1',
    );
    assert.equal(render('{{ scratch.MapSet "m" "__proto__" 5 }}{{ scratch.MapValues "m" }}'), '[5]');
    const kv = keyPairs([{ Key: 'p/__proto__/x', Value: '1' }], 'p/');
    data.set('kv.list(p/)', kv);
    assert.equal(render('{{ (tree "p/" | explode).__proto__.x }}'), '1');
    assert.equal(Object.getPrototypeOf(unmarshalJSON('{"__proto__":{"polluted":true}}')), Object.prototype);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  test('the scratch pad: Key, Get, Set, SetX, MapSet, MapSetX, MapValues', () => {
    assert.equal(
      render(
        [
          '{{ scratch.Key "a" }} {{ scratch.Set "a" 1 }}{{ scratch.Key "a" }} {{ scratch.Get "a" }}',
          '{{ scratch.SetX "a" 2 }}{{ scratch.Get "a" }} {{ scratch.Get "nope" }}',
          '{{ scratch.MapSet "m" "z" 1 }}{{ scratch.MapSet "m" "a" 2 }}{{ scratch.MapSetX "m" "a" 3 }}{{ scratch.MapValues "m" }}',
          '{{ range service "web" }}{{ scratch.MapSetX "ids" .Node .ID }}{{ end }}{{ scratch.MapValues "ids" | join "," }}',
          '{{ scratch.MapValues "a" }}',
        ].join('|'),
      ),
      'false true 1|1 <no value>|[2 1]|web-1,web-2|[]',
    );
  });
});

describe('encodings match Go', () => {
  test('json.Marshal of floats, strings, structs and maps', () => {
    assert.equal(
      marshalJSON([goFloat(1e21), 1e-7, 123456789, goFloat(1), 0.1, -0]),
      '[1e+21,1e-7,123456789,1,0.1,0]',
    );
    assert.equal(
      marshalJSON('<&>\u2028"\\\n\t\b\u0001é'),
      '"\\u003c\\u0026\\u003e\\u2028\\"\\\\\\n\\t\\b\\u0001é"',
    );
    assert.equal(marshalJSON(goStruct('S', { B: 1, A: [] })), '{"B":1,"A":[]}');
    assert.equal(
      marshalJSON({ b: null, a: new GoNumber('uint64', 18446744073709551615n) }),
      '{"a":18446744073709551615,"b":null}',
    );
    assert.equal(
      marshalJSON(
        new Map([
          [10, 'x'],
          [9, 'y'],
        ]),
      ),
      '{"10":"x","9":"y"}',
    );
    assert.equal(marshalJSON({}, '  '), '{}');
    assert.equal(marshalJSON({ a: { b: [] } }, '  '), '{\n  "a": {\n    "b": []\n  }\n}');
  });

  test('json.Unmarshal errors', () => {
    const cases: Array<[string, string]> = [
      ['', 'unexpected end of JSON input'],
      ['tru', 'unexpected end of JSON input'],
      ['trux', "invalid character 'x' in literal true (expecting 'e')"],
      ['{"a":1 "b"', "invalid character '\"' after object key:value pair"],
      ['[1 2]', "invalid character '2' after array element"],
      ['{1:2}', "invalid character '1' looking for beginning of object key string"],
      ['"a\nb"', "invalid character '\\n' in string literal"],
      ['"\\x"', "invalid character 'x' in string escape code"],
      ['01', "invalid character '1' after top-level value"],
      ['1.', 'unexpected end of JSON input'],
      ['1.x', "invalid character 'x' after decimal point in numeric literal"],
      ['1e', 'unexpected end of JSON input'],
      ['-x', "invalid character 'x' in numeric literal"],
      ["'", "invalid character '\\'' looking for beginning of value"],
    ];
    for (const [input, message] of cases) assert.throws(() => unmarshalJSON(input), { message }, input);
  });

  test('Marshal(Unmarshal(text)) denotes the same JSON value (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const text = JSON.stringify(v);
        return deepEqualJson(JSON.parse(marshalJSON(unmarshalJSON(text))), JSON.parse(text));
      }),
    );
  });

  test('yaml.v2 style: block sequences under keys, natural key order, quoting', () => {
    assert.equal(
      marshalYAML({
        b: [{ x: 1, y: [1, 2] }, 'a: b', '- x', 'yes', '1.5', '', 'multi\nline', 'ok'],
        a10: 1,
        a2: 2,
        A: goFloat(1e6),
      }),
      [
        'A: 1e+06',
        'a2: 2',
        'a10: 1',
        'b:',
        '- x: 1',
        '  "y":',
        '  - 1',
        '  - 2',
        "- 'a: b'",
        "- '- x'",
        '- "yes"',
        '- "1.5"',
        '- ""',
        '- |-',
        '  multi',
        '  line',
        '- ok',
        '',
      ].join('\n'),
    );
    assert.equal(marshalYAML([]), '[]\n');
    assert.equal(marshalYAML({ e: {}, l: [], n: null, t: true }), 'e: {}\nl: []\n"n": null\nt: true\n');
    assert.equal(marshalYAML(goStruct('S', { Name: 'x', Port: 1 })), 'name: x\nport: 1\n');
  });

  test('base64 round trip and sha256 of known vectors', () => {
    fc.assert(
      fc.property(
        fc.string(),
        (s) =>
          base64Decode(base64Encode(s)) === s.replace(/[\ud800-\udfff]/g, '\ufffd') ||
          /[\ud800-\udfff]/.test(s),
      ),
    );
    assert.equal(sha256Hex(''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    assert.equal(sha256Hex('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    assert.equal(
      sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'),
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
    assert.throws(() => base64Decode('YQ=a'), { message: 'illegal base64 data at input byte 2' });
    assert.throws(() => base64Decode('YQ'), { message: 'illegal base64 data at input byte 0' });
    assert.equal(base64Decode('YW\nJj'), 'abc');
  });
});

function deepEqualJson(a: unknown, b: unknown): boolean {
  try {
    assert.deepEqual(a, b);
    return true;
  } catch {
    return false;
  }
}
