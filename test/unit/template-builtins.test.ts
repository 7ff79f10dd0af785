import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BUILTINS } from '../../plugins/template/core/builtins.js';
import { TemplateError } from '../../plugins/template/core/errors.js';
import { htmlEscape, jsEscape, urlQueryEscape } from '../../plugins/template/core/escape.js';
import { execute } from '../../plugins/template/core/exec.js';
import { FuncError, fn, type GoFunction } from '../../plugins/template/core/func-spec.js';
import { parseTemplates } from '../../plugins/template/core/parser.js';
import { GoNumber, goFloat, goStruct, goTyped } from '../../plugins/template/core/values.js';

const FUNCS = new Map<string, GoFunction>([
  ...BUILTINS,
  [
    'die',
    fn([], () => {
      throw new FuncError('die');
    }),
  ],
]);

const data = {
  Uthree: new GoNumber('uint', 3),
  Ufour: new GoNumber('uint', 4),
  NegOne: -1,
  Three: 3,
  SI: [3, 4, 5],
  S: 'xyz',
  MSI: goTyped('map[string]int', { one: 1, two: 2, three: 3 }),
  MXI: { a: 'x' },
  SMSI: [goTyped('map[string]int', { one: 1 }), goTyped('map[string]int', { eleven: 11 })],
  MI: new Map([
    [2, 'two'],
    [3, 'three'],
  ]),
  Map: {},
  V1: goStruct('V', { j: 1 }),
  V2: goStruct('V', { j: 1 }),
  P1: goStruct('*P', { j: 1 }),
  P2: goStruct('*P', { j: 1 }),
  Bytes: new Uint8Array([104, 105]),
};

function run(text: string, dot: unknown = data): string {
  const trees = parseTemplates('t', text, { hasFunction: (n) => FUNCS.has(n) });
  return execute(trees, 't', dot, FUNCS);
}

function failure(text: string, dot: unknown = data): string {
  try {
    run(text, dot);
  } catch (err) {
    assert.ok(err instanceof TemplateError);
    return err.message.replace(/^template: t:\d+:\d+: executing "t" at <[^>]*>: /, '');
  }
  return assert.fail(`expected ${text} to fail`);
}

describe('comparison builtins follow Go basic-kind rules', () => {
  // Go's TestComparison cases, with JS stand-ins for the struct fields.
  const truths: Array<[string, boolean]> = [
    ['eq true true', true],
    ['eq true false', false],
    ['eq 1.5 1.5', true],
    ['eq 1.5 2.5', false],
    ['eq 1 1', true],
    ['eq 1 2', false],
    ['eq `xy` `xy`', true],
    ['eq `xy` `xyz`', false],
    ['eq .Uthree .Uthree', true],
    ['eq .Uthree .Ufour', false],
    ['eq 3 4 5 6 3', true],
    ['eq 3 4 5 6 7', false],
    ['ne true true', false],
    ['ne 1.5 2.5', true],
    ['ne `xy` `xyz`', true],
    ['lt 1.5 1.5', false],
    ['lt 1.5 2.5', true],
    ['lt 1 2', true],
    ['lt `xy` `xyz`', true],
    ['lt .Uthree .Ufour', true],
    ['le 1.5 1.5', true],
    ['le 2.5 1.5', false],
    ['le `xyz` `xy`', false],
    ['le .Ufour .Uthree', false],
    ['gt 1 1', false],
    ['gt 2 1', true],
    ['gt `xy` `xyz`', false],
    ['gt .Ufour .Uthree', true],
    ['ge 1.5 1.5', true],
    ['ge 1 2', false],
    ['ge `xyz` `xy`', true],
    ['eq .Uthree .Three', true],
    ['eq .Three .Uthree', true],
    ['le .Uthree .Three', true],
    ['lt .Uthree .Three', false],
    ['gt .Ufour .Three', true],
    ['eq .NegOne .Uthree', false],
    ['ne .NegOne .Uthree', true],
    ['lt .NegOne .Uthree', true],
    ['lt .Uthree .NegOne', false],
    ['gt .Uthree .NegOne', true],
    ["eq (index `x` 0) 'x'", true],
    ["eq (index `x` 0) 'y'", false],
    ['eq .V1 .V2', true],
    ['eq .P1 .P1', true],
    ['eq .P1 .P2', false],
    ['eq .Missing 0', false],
    ['eq 0 .Missing', false],
    ['eq .Missing .AlsoMissing', true],
    ['eq .Map nil', false],
    ['eq "é" "é"', true],
    ['lt "\uffff" "\u{10000}"', true],
  ];
  for (const [expr, truth] of truths) {
    test(expr, () => assert.equal(run(`{{if ${expr}}}true{{else}}false{{end}}`), String(truth)));
  }

  const errors: Array<[string, string]> = [
    ['eq `xy` 1', 'error calling eq: incompatible types for comparison: string and int'],
    ['eq 2 2.0', 'error calling eq: incompatible types for comparison: int and float64'],
    ['lt true true', 'error calling lt: invalid type for comparison'],
    ['lt .SI 1', 'error calling lt: invalid type for comparison'],
    ['eq .SI 1', 'error calling eq: incompatible types for comparison: []interface {} and int'],
    ['eq .Map .V1', 'error calling eq: non-comparable types map[]: map[string]interface {}, V: {1}'],
    [
      'eq .SI .SI',
      'error calling eq: non-comparable type [%!s(int=3) %!s(int=4) %!s(int=5)]: []interface {}',
    ],
    ['eq 1', 'error calling eq: missing argument for comparison'],
    ['gt "a" 1', 'error calling gt: incompatible types for comparison: string and int'],
  ];
  for (const [expr, message] of errors) {
    test(`${expr} fails`, () => assert.equal(failure(`{{${expr}}}`), message));
  }
});

describe('and, or, not', () => {
  const cases: Array<[string, string]> = [
    ['{{not true}} {{not false}}', 'false true'],
    ['{{and false 0}} {{and 1 0}} {{and 0 true}} {{and 1 1}}', 'false 0 0 1'],
    ['{{or 0 0}} {{or 1 0}} {{or 0 true}} {{or 1 1}}', '0 1 true 1'],
    ['{{or 0 1 (die)}}', '1'],
    ['{{and 1 0 (die)}}', '0'],
    ['{{1 | and 1}}', '1'],
    ['{{0 | and 1}}', '0'],
    ['{{1 | or 0}}', '1'],
    ['{{0 | or 0}}', '0'],
    ['{{and 1 .Unknown}}', '<no value>'],
    ['{{or 0 .Unknown}}', '<no value>'],
    ['{{if and true 1 `hi`}}TRUE{{else}}FALSE{{end}}', 'TRUE'],
    ['{{if and true 1 `hi` | not}}TRUE{{else}}FALSE{{end}}', 'FALSE'],
    ['{{if true | not | and 1}}TRUE{{else}}FALSE{{end}}', 'FALSE'],
  ];
  for (const [text, want] of cases) test(text, () => assert.equal(run(text), want));
  test('and/or need an argument, not one', () => {
    assert.equal(failure('{{and}}'), 'wrong number of args for and: want at least 1 got 0');
    assert.equal(failure('{{not 1 2}}'), 'wrong number of args for not: want 1 got 2');
  });
});

describe('index, slice and len', () => {
  const cases: Array<[string, string]> = [
    ['{{index .SI 0}}', '3'],
    ['{{index .SI 1}}', '4'],
    ['{{index .MSI `one`}}', '1'],
    ['{{index .MSI `XXX`}}', '0'],
    ['{{index .MSI ``}}', '0'],
    ['{{index .MXI `nope`}}', '<no value>'],
    ['{{index .SMSI 1 `eleven`}}', '11'],
    ['{{index .MI 3}}', 'three'],
    ['{{index .S 1}} {{printf "%T" (index .S 1)}}', '121 uint8'],
    ['{{index .Bytes 0}}', '104'],
    ['{{index .SI}}', '[3 4 5]'],
    ['{{slice .SI}}', '[3 4 5]'],
    ['{{slice .SI 1}}', '[4 5]'],
    ['{{slice .SI 1 2}}', '[4]'],
    ['{{slice .SI 1 2 3}}', '[4]'],
    ['{{slice .S}}', 'xyz'],
    ['{{slice .S 0 1}}', 'x'],
    ['{{slice .S 1}}', 'yz'],
    ['{{slice .S 1 2}}', 'y'],
    ['{{slice "héllo" 1 3}}', 'é'],
    ['{{len .SI}}', '3'],
    ['{{len .MSI}}', '3'],
    ['{{len .S}}', '3'],
    ['{{len "日本"}}', '6'],
    ['{{len .Bytes}}', '2'],
  ];
  for (const [text, want] of cases) test(text, () => assert.equal(run(text), want));

  const errors: Array<[string, string]> = [
    ['{{index .SI 10}}', 'error calling index: index out of range: 10'],
    ['{{index .SI 3}}', 'error calling index: reflect: slice index out of range'],
    ['{{index .SI `hello`}}', 'error calling index: cannot index slice/array with type string'],
    ['{{index .SI nil}}', 'error calling index: cannot index slice/array with nil'],
    ['{{index .MSI nil}}', 'error calling index: value is nil; should be of type string'],
    ['{{index .MSI 10}}', 'error calling index: value has type int; should be string'],
    ['{{index nil 1}}', 'error calling index: index of untyped nil'],
    ['{{index .Three 1}}', "error calling index: can't index item of type int"],
    ['{{slice .SI -1}}', 'error calling slice: index out of range: -1'],
    ['{{slice .SI 1 -2}}', 'error calling slice: index out of range: -2'],
    ['{{slice .SI 2 1}}', 'error calling slice: invalid slice index: 2 > 1'],
    ['{{slice .SI 2 2 1}}', 'error calling slice: invalid slice index: 2 > 1'],
    ['{{slice .SI 4 5}}', 'error calling slice: index out of range: 4'],
    ['{{slice .S 1 5}}', 'error calling slice: index out of range: 5'],
    ['{{slice .S 1 2 2}}', 'error calling slice: cannot 3-index slice a string'],
    ['{{slice .SI 1 2 3 4}}', 'error calling slice: too many slice indexes: 4'],
    ['{{slice .Three}}', "error calling slice: can't slice item of type int"],
    ['{{len 3}}', 'error calling len: len of type int'],
    ['{{len .Nothing}}', 'error calling len: reflect: call of reflect.Value.Type on zero Value'],
  ];
  for (const [text, message] of errors) test(`${text} fails`, () => assert.equal(failure(text), message));
});

describe('html, js and urlquery escape as Go does', () => {
  test('template calls', () => {
    assert.equal(
      run('{{html "<script>alert(\\"XSS\\");</script>"}}'),
      '&lt;script&gt;alert(&#34;XSS&#34;);&lt;/script&gt;',
    );
    assert.equal(
      run('{{printf "<script>alert(\\"XSS\\");</script>" | html}}'),
      '&lt;script&gt;alert(&#34;XSS&#34;);&lt;/script&gt;',
    );
    assert.equal(run('{{html .Nothing}}'), '&lt;no value&gt;');
    assert.equal(run('{{js .}}', "It'd be nice."), "It\\'d be nice.");
    assert.equal(run('{{"http://www.example.org/"|urlquery}}'), 'http%3A%2F%2Fwww.example.org%2F');
    assert.equal(run('{{urlquery "a" 1 2}}'), 'a1+2');
  });
  test('JS escaping (Go TestJSEscaping)', () => {
    const cases: Array<[string, string]> = [
      ['a', 'a'],
      ["'foo", "\\'foo"],
      ['Go "jump" \\', 'Go \\"jump\\" \\\\'],
      ['Yukihiro says "今日は世界"', 'Yukihiro says \\"今日は世界\\"'],
      ['unprintable \uFFFE', 'unprintable \\uFFFE'],
      ['<html>', '\\u003Chtml\\u003E'],
      ['no = in attributes', 'no \\u003D in attributes'],
      ['&#x27; does not become HTML entity', '\\u0026#x27; does not become HTML entity'],
      ['\x01\n', '\\u0001\\u000A'],
    ];
    for (const [input, want] of cases) assert.equal(jsEscape(input), want);
  });
  test('HTML and query escaping of every special byte', () => {
    assert.equal(htmlEscape(`a\0"'&<>b`), 'a\uFFFD&#34;&#39;&amp;&lt;&gt;b');
    assert.equal(urlQueryEscape('a b/c?d=e&f~g_h.i-j+é'), 'a+b%2Fc%3Fd%3De%26f~g_h.i-j%2B%C3%A9');
  });
});

describe('print family on template values', () => {
  test('print of floats and typed numbers', () => {
    assert.equal(run('{{print 1.5 2.0 1e21}}'), '1.5 2 1e+21');
    assert.equal(run('{{print .}}', goFloat(1e6)), '1e+06');
    assert.equal(run('{{print .}}', new GoNumber('int64', 9007199254740993n)), '9007199254740993');
  });
  test('printf with argument indexes and width from arguments', () => {
    assert.equal(run('{{printf "%*d|%-5s|" 4 7 "x"}}'), '   7|x    |');
    // After %[1]s the next argument is the second: Go's reordering rules, error strings included.
    assert.equal(
      run('{{printf "%[2]s %[1]s|%*d|%-5s|" "a" "b" 4 7 "x"}}'),
      'b a|%!(BADWIDTH)4|%!s(int=7    )|',
    );
  });
});
