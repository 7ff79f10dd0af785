import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BUILTINS } from '../../plugins/template/core/builtins.js';
import { TemplateError } from '../../plugins/template/core/errors.js';
import { execute, type MissingKey } from '../../plugins/template/core/exec.js';
import { FuncError, fn, type GoFunction, variadicFn } from '../../plugins/template/core/func-spec.js';
import { parseTemplates } from '../../plugins/template/core/parser.js';
import { sprint } from '../../plugins/template/core/printf.js';
import { GoNumber, goFloat, goStruct, goTyped } from '../../plugins/template/core/values.js';

/** Test functions like those of Go's exec tests. */
const TEST_FUNCS = new Map<string, GoFunction>([
  ...BUILTINS,
  ['add', variadicFn([], 'int', (args) => args.reduce((a: number, b) => a + Number(b), 0))],
  ['echo', fn(['any'], ([a]) => a)],
  [
    'die',
    fn([], () => {
      throw new FuncError('die');
    }),
  ],
  [
    'makemap',
    variadicFn([], 'string', (args) => {
      const m: Record<string, unknown> = {};
      for (let i = 0; i < args.length; i += 2) m[args[i] as string] = args[i + 1];
      return goTyped('map[string]string', m);
    }),
  ],
  ['oneArg', fn(['string'], ([a]) => `oneArg=${a}`)],
  ['twoArgs', fn(['string', 'string'], ([a, b]) => `twoArgs=${a}${b}`)],
  ['zeroArgs', fn([], () => 'zeroArgs')],
  ['dddArg', variadicFn(['int'], 'string', ([a, ...b]) => `${a} [${b.join(' ')}]\n`)],
  ['mapOfThree', fn([], () => ({ three: 3 }))],
  ['returnInt', fn([], () => 7)],
  ['getFunc', fn([], () => (a: unknown, b: unknown) => `[${String(a)}=${String(b)}]`)],
  [
    'getVariadic',
    fn(
      [],
      () =>
        (...s: unknown[]) =>
          `<${s.join('+')}>`,
    ),
  ],
  ['valueString', fn(['string'], () => 'value is ignored')],
]);

const U = goStruct('*template.U', { V: 'v' });
/** Data in the spirit of Go's tVal. */
const tVal = goStruct('*template.T', {
  True: true,
  I: 17,
  U16: new GoNumber('uint16', 16),
  X: 'x',
  S: 'xyz',
  U,
  FloatZero: goFloat(0),
  SI: [3, 4, 5],
  SIEmpty: [],
  SB: [true, false],
  AI: [3, 4, 5],
  MSI: { one: 1, two: 2, three: 3 },
  MSIone: { one: 1 },
  MSIEmpty: {},
  MXI: {},
  SMSI: [
    { one: 1, two: 2 },
    { eleven: 11, twelve: 12 },
  ],
  Empty0: null,
  Empty1: 3,
  Empty3: [7, 8],
  Empty4: goStruct('template.UinEmpty', { V: 'UinEmpty' }),
  NIL: null,
  Method0: () => 'M0',
  Method1: (a: unknown) => a,
  Method2: (a: unknown, b: unknown) => `Method2: ${sprint([a])} ${sprint([b])}`,
  Method3: (a: unknown) => `Method3: ${a === null ? '<nil>' : a}`,
  MAdd: (a: unknown, list: unknown) => (list as number[]).map((x) => x + Number(a)),
  GetU: () => U,
  TrueFalse: (b: unknown) => (b ? 'true' : ''),
  MyError: (fail: unknown) => {
    if (fail) throw new Error('my error');
    return false;
  },
  BinaryFunc: (a: unknown, b: unknown) => `[${a}=${b}]`,
  VariadicFunc: (...s: unknown[]) => `<${s.join('+')}>`,
  Str: { [Symbol.for('tribune.template.goString')]: () => 'foozle' },
  Err: new Error('erroozle'),
});

function run(text: string, data: unknown = tVal, missingKey: MissingKey = 'default', name = 'test'): string {
  const trees = parseTemplates(name, text, { hasFunction: (n) => TEST_FUNCS.has(n) });
  return execute(trees, name, data, TEST_FUNCS, { missingKey });
}

function runError(
  text: string,
  data: unknown = tVal,
  missingKey: MissingKey = 'default',
  name = 'test',
): string {
  try {
    run(text, data, missingKey, name);
  } catch (err) {
    assert.ok(err instanceof TemplateError, `expected a TemplateError, got ${String(err)}`);
    assert.equal(err.phase, 'exec');
    return err.message;
  }
  return assert.fail(`expected an execution error for ${JSON.stringify(text)}`);
}

describe('execution: Go text/template semantics', () => {
  // [name, template, expected output] — expected outputs are what Go's text/template prints.
  const cases: Array<[string, string, string, unknown?]> = [
    ['empty', '', ''],
    ['text', 'some text', 'some text'],
    ['dot int', '<{{.}}>', '<17>', 17],
    ['dot string', '<{{.}}>', '<hello>', 'hello'],
    ['dot slice', '<{{.}}>', '<[-1 -2 -3]>', [-1, -2, -3]],
    ['dot map', '<{{.}}>', '<map[one:1 two:2]>', { two: 2, one: 1 }],
    ['dot float', '<{{.}}>', '<2.5>', 2.5],
    ['dot struct', '<{{.}}>', '<{v}>', goStruct('S', { a: 'v' })],
    ['$ int', '{{$}}', '123', 123],
    ['$.I', '{{$.I}}', '17'],
    ['$.U.V', '{{$.U.V}}', 'v'],
    ['declare in action', '{{$x := $.U.V}}{{$x}}', 'v'],
    ['simple assignment', '{{$x := 2}}{{$x = 3}}{{$x}}', '3'],
    ['nested assignment', '{{$x := 2}}{{if true}}{{$x = 3}}{{end}}{{$x}}', '3'],
    [
      'nested assignment changes the last declaration',
      '{{$x := 1}}{{if true}}{{$x := 2}}{{$x = 3}}{{end}}{{$x}}',
      '1',
    ],
    ['.X', '-{{.X}}-', '-x-'],
    ['.U.V', '-{{.U.V}}-', '-v-'],
    ['map .one', '{{.MSI.one}}', '1'],
    ['map .two', '{{.MSI.two}}', '2'],
    ['map .NO', '{{.MSI.NO}}', '<no value>'],
    ['map .one interface', '{{.MXI.one}}', '<no value>'],
    ['NIL', '{{.NIL}}', '<no value>'],
    ['empty nil', '{{.Empty0}}', '<no value>'],
    ['empty with int', '{{.Empty1}}', '3'],
    ['empty with slice', '{{.Empty3}}', '[7 8]'],
    ['empty with struct', '{{.Empty4}}', '{UinEmpty}'],
    ['empty with struct, field', '{{.Empty4.V}}', 'UinEmpty'],
    ['field on interface', '{{.foo}}', '<no value>', null],
    ['field on parenthesized interface', '{{(.).foo}}', '<no value>', null],
    ['parenthesized non-function with no args', '{{(1)}}', '1'],
    ['.Method0', '-{{.Method0}}-', '-M0-'],
    ['.Method1(1234)', '-{{.Method1 1234}}-', '-1234-'],
    ['.Method1(.I)', '-{{.Method1 .I}}-', '-17-'],
    ['.Method2(3, .X)', '-{{.Method2 3 .X}}-', '-Method2: 3 x-'],
    ['.Method2(.U16, `str`)', '-{{.Method2 .U16 `str`}}-', '-Method2: 16 str-'],
    ['.Method3(nil constant)', '-{{.Method3 nil}}-', '-Method3: <nil>-'],
    ['.Method3(nil value)', '-{{.Method3 .MXI.unset}}-', '-Method3: <nil>-'],
    ['method on var', '{{if $x := .}}-{{$x.Method2 .U16 $x.X}}{{end}}-', '-Method2: 16 x-'],
    ['chained method', '{{range .MSIone}}{{if $.GetU.V}}{{$.U.V}}{{else}}WRONG{{end}}{{end}}', 'v'],
    ['call of a function value', '{{call getFunc `1` `2`}}', '[1=2]'],
    ['call of a variadic function value', '{{call getVariadic `he` `llo`}}', '<he+llo>'],
    ['a function-valued property is called like a method', '{{.BinaryFunc `1` `2`}}', '[1=2]'],
    ['pipeline', '-{{.Method0 | .Method2 .U16}}-', '-Method2: 16 M0-'],
    ['pipeline func', '-{{call getVariadic `llo` | call getVariadic `he` }}-', '-<he+<llo>>-'],
    ['parens in pipeline', '{{printf `%d %d %d` (1) (2 | add 3) (add 4 (add 5 6))}}', '1 5 15'],
    ['parens: $ in paren', '{{($).X}}', 'x'],
    ['parens: $.GetU in paren', '{{($.GetU).V}}', 'v'],
    ['parens: $ in paren in pipe', '{{($ | echo).X}}', 'x'],
    ['parens: spaces and args', '{{(makemap "up" "down" "left" "right").left}}', 'right'],
    ['if true', '{{if true}}TRUE{{end}}', 'TRUE'],
    ['if false', '{{if false}}TRUE{{else}}FALSE{{end}}', 'FALSE'],
    ['if 1', '{{if 1}}NON-ZERO{{else}}ZERO{{end}}', 'NON-ZERO'],
    ['if 0', '{{if 0}}NON-ZERO{{else}}ZERO{{end}}', 'ZERO'],
    ['if 1.5', '{{if 1.5}}NON-ZERO{{else}}ZERO{{end}}', 'NON-ZERO'],
    ['if 0.0', '{{if .FloatZero}}NON-ZERO{{else}}ZERO{{end}}', 'ZERO'],
    ['if nilPointer', '{{if .NIL}}NON-ZERO{{else}}ZERO{{end}}', 'ZERO'],
    ['if emptystring', '{{if ``}}NON-EMPTY{{else}}EMPTY{{end}}', 'EMPTY'],
    ['if string', '{{if `notempty`}}NON-EMPTY{{else}}EMPTY{{end}}', 'NON-EMPTY'],
    ['if emptyslice', '{{if .SIEmpty}}NON-EMPTY{{else}}EMPTY{{end}}', 'EMPTY'],
    ['if slice', '{{if .SI}}NON-EMPTY{{else}}EMPTY{{end}}', 'NON-EMPTY'],
    ['if emptymap', '{{if .MSIEmpty}}NON-EMPTY{{else}}EMPTY{{end}}', 'EMPTY'],
    ['if map', '{{if .MSI}}NON-EMPTY{{else}}EMPTY{{end}}', 'NON-EMPTY'],
    ['if map unset', '{{if .MXI.none}}NON-ZERO{{else}}ZERO{{end}}', 'ZERO'],
    ['if map not unset', '{{if not .MXI.none}}ZERO{{else}}NON-ZERO{{end}}', 'ZERO'],
    ['if struct', '{{if .U}}TRUE{{end}}', 'TRUE'],
    ['if $x with $y int', '{{if $x := true}}{{with $y := .I}}{{$x}},{{$y}}{{end}}{{end}}', 'true,17'],
    ['if $x with $x int', '{{if $x := true}}{{with $x := .I}}{{$x}},{{end}}{{$x}}{{end}}', '17,true'],
    ['if else if', '{{if false}}FALSE{{else if true}}TRUE{{end}}', 'TRUE'],
    ['if else chain', '{{if eq 1 3}}1{{else if eq 2 3}}2{{else if eq 3 3}}3{{end}}', '3'],
    ['print', '{{print "hello, print"}}', 'hello, print'],
    ['print 123', '{{print 1 2 3}}', '1 2 3'],
    ['print nil', '{{print nil}}', '<nil>'],
    ['println', '{{println 1 2 3}}', '1 2 3\n'],
    ['printf int', '{{printf "%04x" 127}}', '007f'],
    ['printf float', '{{printf "%g" 3.5}}', '3.5'],
    ['printf string', '{{printf "%s" "hello"}}', 'hello'],
    ['printf function', '{{printf "%#q" zeroArgs}}', '`zeroArgs`'],
    ['printf field', '{{printf "%s" .U.V}}', 'v'],
    ['printf method', '{{printf "%s" .Method0}}', 'M0'],
    ['printf dot', '{{with .I}}{{printf "%d" .}}{{end}}', '17'],
    ['printf var', '{{with $x := .I}}{{printf "%d" $x}}{{end}}', '17'],
    ['printf lots', '{{printf "%d %s %g %s" 127 "hello" 7.5 .Method0}}', '127 hello 7.5 M0'],
    ['printf of a missing value', '{{printf "%v|%d" .MXI.none .MXI.none}}', '<nil>|%!d(<nil>)'],
    ['with true', '{{with true}}{{.}}{{end}}', 'true'],
    ['with false', '{{with false}}{{.}}{{else}}FALSE{{end}}', 'FALSE'],
    ['with 1', '{{with 1}}{{.}}{{else}}ZERO{{end}}', '1'],
    ['with 0', '{{with 0}}{{.}}{{else}}ZERO{{end}}', 'ZERO'],
    ['with 1.5', '{{with 1.5}}{{.}}{{else}}ZERO{{end}}', '1.5'],
    ['with emptystring', '{{with ``}}{{.}}{{else}}EMPTY{{end}}', 'EMPTY'],
    ['with string', '{{with `notempty`}}{{.}}{{else}}EMPTY{{end}}', 'notempty'],
    ['with emptyslice', '{{with .SIEmpty}}{{.}}{{else}}EMPTY{{end}}', 'EMPTY'],
    ['with slice', '{{with .SI}}{{.}}{{else}}EMPTY{{end}}', '[3 4 5]'],
    ['with map', '{{with .MSIone}}{{.}}{{else}}EMPTY{{end}}', 'map[one:1]'],
    ['with $x int', '{{with $x := .I}}{{$x}}{{end}}', '17'],
    ['with $x struct.U.V', '{{with $x := $}}{{$x.U.V}}{{end}}', 'v'],
    ['with variable and action', '{{with $x := $}}{{$y := $.U.V}}{{$y}}{{end}}', 'v'],
    ['with else with', '{{with 0}}{{.}}{{else with true}}{{.}}{{end}}', 'true'],
    [
      'with else with chain',
      '{{with 0}}{{.}}{{else with false}}{{.}}{{else with `notempty`}}{{.}}{{end}}',
      'notempty',
    ],
    ['range []int', '{{range .SI}}-{{.}}-{{end}}', '-3--4--5-'],
    ['range empty no else', '{{range .SIEmpty}}-{{.}}-{{end}}', ''],
    ['range []int else', '{{range .SI}}-{{.}}-{{else}}EMPTY{{end}}', '-3--4--5-'],
    ['range empty else', '{{range .SIEmpty}}-{{.}}-{{else}}EMPTY{{end}}', 'EMPTY'],
    ['range []int break else', '{{range .SI}}-{{.}}-{{break}}NOTREACHED{{else}}EMPTY{{end}}', '-3-'],
    [
      'range []int continue else',
      '{{range .SI}}-{{.}}-{{continue}}NOTREACHED{{else}}EMPTY{{end}}',
      '-3--4--5-',
    ],
    ['range []bool', '{{range .SB}}-{{.}}-{{end}}', '-true--false-'],
    ['range []int method', '{{range .SI | .MAdd .I}}-{{.}}-{{end}}', '-20--21--22-'],
    ['range map', '{{range .MSI}}-{{.}}-{{end}}', '-1--3--2-'],
    ['range empty map no else', '{{range .MSIEmpty}}-{{.}}-{{end}}', ''],
    ['range map else', '{{range .MSI}}-{{.}}-{{else}}EMPTY{{end}}', '-1--3--2-'],
    ['range empty map else', '{{range .MSIEmpty}}-{{.}}-{{else}}EMPTY{{end}}', 'EMPTY'],
    ['range empty interface', '{{range .Empty3}}-{{.}}-{{else}}EMPTY{{end}}', '-7--8-'],
    ['range empty nil', '{{range .Empty0}}-{{.}}-{{end}}', ''],
    ['range $x SI', '{{range $x := .SI}}<{{$x}}>{{end}}', '<3><4><5>'],
    ['range $x $y SI', '{{range $x, $y := .SI}}<{{$x}}={{$y}}>{{end}}', '<0=3><1=4><2=5>'],
    ['range $x MSIone', '{{range $x := .MSIone}}<{{$x}}>{{end}}', '<1>'],
    ['range $x $y MSIone', '{{range $x, $y := .MSIone}}<{{$x}}={{$y}}>{{end}}', '<one=1>'],
    ['declare in range', '{{range $x := .SI}}<{{$foo:=$x}}{{$x}}>{{end}}', '<3><4><5>'],
    ['range 5', '{{range $v := 5}}{{printf "%T%d" $v $v}}{{end}}', 'int0int1int2int3int4'],
    [
      'range uint8',
      '{{range $v := .}}{{printf "%T%d" $v $v}}{{end}}',
      'uint80uint81',
      new GoNumber('uint8', 2),
    ],
    ['range 0 else', '{{range 0}}x{{else}}none{{end}}', 'none'],
    ['range nested break', '{{range .SI}}{{range $.SB}}{{break}}{{end}}{{.}}{{end}}', '345'],
    ['issue56490', '{{$i := 0}}{{$x := 0}}{{range $i = .AI}}{{end}}{{$i}}', '5'],
    ['issue60801', '{{$k := 0}}{{$v := 0}}{{range $k, $v = .AI}}{{$k}}={{$v}} {{end}}', '0=3 1=4 2=5 '],
    ['or as if true', '{{or .SI "slice is empty"}}', '[3 4 5]'],
    ['or as if false', '{{or .SIEmpty "slice is empty"}}', 'slice is empty'],
    ['error method, no error', '{{.MyError false}}', 'false'],
    ['decimal', '{{print 1234}}', '1234'],
    ['decimal _', '{{print 12_34}}', '1234'],
    ['binary', '{{print 0b101}}', '5'],
    ['binary _', '{{print 0b_1_0_1}}', '5'],
    ['BINARY', '{{print 0B101}}', '5'],
    ['octal0', '{{print 0377}}', '255'],
    ['octal', '{{print 0o377}}', '255'],
    ['octal _', '{{print 0o_3_7_7}}', '255'],
    ['OCTAL', '{{print 0O377}}', '255'],
    ['hex', '{{print 0x123}}', '291'],
    ['hex _', '{{print 0x1_23}}', '291'],
    ['HEX', '{{print 0X123ABC}}', '1194684'],
    ['float', '{{print 123.4}}', '123.4'],
    ['float _', '{{print 0_0_1_2_3.4}}', '123.4'],
    ['hex float', '{{print +0x1.ep+2}}', '7.5'],
    ['hex float _', '{{print +0x_1.e_0p+0_2}}', '7.5'],
    ['HEX float', '{{print +0X1.EP+2}}', '7.5'],
    ['print multi', '{{print 1_2_3_4 7.5_00_00_00}}', '1234 7.5'],
    ['print multi2', '{{print 1234 0x0_1.e_0p+02}}', '1234 7.5'],
    ['rune', "{{'a'}} {{'\\n'}} {{'\\x41'}} {{'\\u263a'}}", '97 10 65 9786'],
    [
      'float literal stays float',
      '{{1.0}} {{1e6}} {{printf "%T" 1.0}} {{printf "%T" 0xef}}',
      '1 1e+06 float64 int',
    ],
    ['strings with escapes', '{{"a\\tb\\u00e9\\x41"}}|{{`raw\\n`}}', 'a\tbéA|raw\\n'],
    ['byte escapes form UTF-8', '{{"\\xe2\\x82\\xac"}}', '€'],
    ['negative numbers', '{{-3}} {{-1.5}} {{+4}}', '-3 -1.5 4'],
    ['big int', '{{9223372036854775807}} {{printf "%T" 9223372036854775807}}', '9223372036854775807 int'],
    ['bug0', '{{range .MSIone}}{{if $.Method1 .}}X{{end}}{{end}}', 'X'],
    ['bug3', '{{with $}}{{.Method0}}{{end}}', 'M0'],
    ['bug4', '{{if .Empty0}}non-nil{{else}}nil{{end}}', 'nil'],
    ['Stringer', '{{.Str}}', 'foozle'],
    ['error value', '{{.Err}}', 'erroozle'],
    ['bug9', '{{.cause}}', 'neglect', { cause: 'neglect' }],
    ['bug10', '{{mapOfThree.three}}-{{(mapOfThree).three}}', '3-3'],
    ['bug13', '{{print (.U).V}}', 'v'],
    ['bug16g', '{{"aaa" |twoArgs "bbb"}}', 'twoArgs=bbbaaa'],
    ['bug16i', '{{"aaa"|oneArg}}', 'oneArg=aaa'],
    ['bug16k', '{{"aaa"|printf }}', 'aaa'],
    ['bug18a', "{{eq . '.'}}", 'true', 46],
    [
      'template with data',
      '{{define "x"}}[{{.}}]{{end}}{{template "x" .I}}{{template "x"}}',
      '[17][<no value>]',
    ],
    ['template sees no outer variables', '{{define "x"}}{{$}}{{end}}{{$v := 1}}{{template "x" 2}}', '2'],
    ['block default body', 'a({{block "inner" .}}bar({{.}})baz{{end}})b', 'a(bar(hello)baz)b', 'hello'],
    ['whitespace trimming', '{{23 -}} < {{- 45}}', '23<45'],
    ['trimming across lines', 'x\n  {{- if true -}}\n  y\n{{- end}}\nz', 'xy\nz'],
    ['comment', 'a{{/* c */}}b{{- /* d */ -}} c', 'abc'],
  ];
  for (const [name, text, want, data] of cases) {
    test(`${name}: ${JSON.stringify(text)}`, () =>
      assert.equal(run(text, data === undefined ? tVal : data), want));
  }

  test('the Go tree example with custom delimiters and trimming', () => {
    type T = { Val: number; Left?: T | null; Right?: T | null };
    const node = (Val: number, Left: T | null = null, Right: T | null = null): T =>
      goStruct('*template.Tree', { Val, Left, Right });
    const tree = node(
      1,
      node(2, node(3, node(4)), node(5, node(6))),
      node(7, node(8, node(9)), node(10, node(11))),
    );
    const text = `
\t(- define "tree" -)
\t[
\t\t(- .Val -)
\t\t(- with .Left -)
\t\t\t(template "tree" . -)
\t\t(- end -)
\t\t(- with .Right -)
\t\t\t(- template "tree" . -)
\t\t(- end -)
\t]
\t(- end -)
`;
    const trees = parseTemplates('root', text, {
      hasFunction: (n) => TEST_FUNCS.has(n),
      leftDelim: '(',
      rightDelim: ')',
    });
    assert.equal(execute(trees, 'tree', tree, TEST_FUNCS), '[1[2[3[4]][5[6]]][7[8[9]][10[11]]]]');
  });
});

describe('execution errors name the template, line, byte column and node, as Go does', () => {
  test('an error inside a nested template (Go TestExecError)', () => {
    const text = `line 1
line 2
line 3
{{template "one" .}}
{{define "one"}}{{template "two" .}}{{end}}
{{define "two"}}{{template "three" .}}{{end}}
{{define "three"}}{{index "hi" $}}{{end}}`;
    assert.equal(
      runError(text, 5, 'default', 'top'),
      'template: top:7:20: executing "three" at <index "hi" $>: error calling index: index out of range: 5',
    );
  });

  const cases: Array<[string, string, string, unknown?]> = [
    [
      'field of an int',
      'hello, {{.X.Y}}',
      'template: test:1:11: executing "test" at <.X.Y>: can\'t evaluate field X in type int',
      0,
    ],
    [
      'missing struct field',
      '{{.MissingField}}',
      'template: test:1:2: executing "test" at <.MissingField>: can\'t evaluate field MissingField in type *template.T',
    ],
    [
      'field of nil',
      '{{.Empty0.X}}',
      'template: test:1:9: executing "test" at <.Empty0.X>: nil pointer evaluating interface {}.X',
    ],
    [
      'column counts bytes',
      '{{"é"}}{{.Nope}}',
      'template: test:1:10: executing "test" at <.Nope>: can\'t evaluate field Nope in type *template.T',
    ],
    [
      'second line',
      'a\n  {{.Nope}}',
      'template: test:2:4: executing "test" at <.Nope>: can\'t evaluate field Nope in type *template.T',
    ],
    [
      'unparenthesized non-function',
      '{{1 2}}',
      'template: test:1:2: executing "test" at <1>: can\'t give argument to non-function 1',
    ],
    [
      'bug7b',
      '{{$x := 1}}{{$x 2}}',
      'template: test:1:13: executing "test" at <$x>: can\'t give argument to non-function $x',
    ],
    [
      'bug7c',
      '{{$x := 1}}{{3 | $x}}',
      'template: test:1:17: executing "test" at <$x>: can\'t give argument to non-function $x',
    ],
    [
      'nil is not a command',
      '{{$x := nil}}',
      'template: test:1:8: executing "test" at <nil>: nil is not a command',
    ],
    [
      'bug14c',
      '{{$x := (1.0)}}{{$y := ("hello")}}{{$x.anything}}{{$y.true}}',
      'template: test:1:38: executing "test" at <$x.anything>: can\'t evaluate field anything in type float64',
    ],
    [
      'bug16a',
      '{{true|printf}}',
      'template: test:1:7: executing "test" at <printf>: wrong type for value; expected string; got bool',
    ],
    [
      'bug16h',
      '{{1|oneArg}}',
      'template: test:1:4: executing "test" at <oneArg>: wrong type for value; expected string; got int',
    ],
    [
      'bug8b',
      '{{4|dddArg 3}}',
      'template: test:1:11: executing "test" at <3>: wrong type for value; expected string; got int',
    ],
    [
      'literal of the wrong type',
      '{{oneArg 3}}',
      'template: test:1:9: executing "test" at <3>: expected string; found 3',
    ],
    [
      'too few args',
      '{{twoArgs "a"}}',
      'template: test:1:2: executing "test" at <twoArgs>: wrong number of args for twoArgs: want 2 got 1',
    ],
    [
      'too few variadic',
      '{{dddArg}}',
      'template: test:1:2: executing "test" at <dddArg>: wrong number of args for dddArg: want at least 1 got 0',
    ],
    [
      'nil to string',
      '{{oneArg nil}}',
      'template: test:1:9: executing "test" at <nil>: cannot assign nil to string',
    ],
    [
      'missing value to string',
      '{{oneArg .MXI.x}}',
      'template: test:1:13: executing "test" at <.MXI.x>: invalid value; expected string',
    ],
    [
      'bug15',
      '{{valueString returnInt}}',
      'template: test:1:14: executing "test" at <returnInt>: wrong type for value; expected string; got int',
    ],
    [
      'error method',
      '{{.MyError true}}',
      'template: test:1:2: executing "test" at <.MyError>: error calling MyError: my error',
    ],
    [
      'function error',
      '{{or 0 0 (die)}}',
      'template: test:1:10: executing "test" at <die>: error calling die: die',
    ],
    [
      'and short-circuit2',
      '{{and 1 1 (die)}}',
      'template: test:1:11: executing "test" at <die>: error calling die: die',
    ],
    [
      'map method with args',
      '{{.MSI.one 1}}',
      'template: test:1:6: executing "test" at <.MSI.one>: one is not a method but has arguments',
    ],
    [
      'struct field with args',
      '{{.X 1}}',
      'template: test:1:2: executing "test" at <.X>: X has arguments but cannot be invoked as function',
    ],
    [
      'range over a string',
      '{{range .X}}{{end}}',
      'template: test:1:8: executing "test" at <.X>: range can\'t iterate over x',
    ],
    [
      'range over int with two variables',
      '{{range $i, $v := 3}}{{end}}',
      'template: test:1:18: executing "test" at <3>: can\'t use 3 to iterate over more than one variable',
    ],
    [
      'undefined template',
      '{{template "nope"}}',
      'template: test:1:11: executing "test" at <{{template "nope"}}>: template "nope" not defined',
    ],
    [
      'recursion limit',
      '{{define "r"}}{{template "r" .}}{{end}}{{template "r"}}',
      'template: test:1:25: executing "r" at <{{template "r" .}}>: exceeded maximum template depth (1000)',
    ],
    [
      'printing a function',
      '{{$f := getFunc}}{{$f}}',
      'template: test:1:19: executing "test" at <{{$f}}>: can\'t print {{$f}} of type func()',
    ],
    [
      'call of nil',
      '{{call nil}}',
      'template: test:1:2: executing "test" at <call nil>: error calling call: call of nil',
    ],
    [
      'call of non-function',
      '{{call .X}}',
      'template: test:1:2: executing "test" at <call .X>: error calling call: non-function .X of type string',
    ],
  ];
  for (const [name, text, want, data] of cases) {
    test(`${name}: ${JSON.stringify(text)}`, () =>
      assert.equal(runError(text, data === undefined ? tVal : data), want));
  }

  test('missingkey=zero gives a typed map its zero value, an interface map <no value>', () => {
    const data = { m: goTyped('map[string]int', { x: 99 }), i: { x: 99 } };
    assert.equal(run('{{.m.x}} {{.m.y}} {{.i.y}}', data, 'zero'), '99 0 <no value>');
    assert.equal(run('{{.m.x}} {{.m.y}}', data, 'default'), '99 <no value>');
  });

  test('missingkey=error names the missing key, and nil data', () => {
    assert.equal(
      runError('{{.x}} {{.y}}', { x: 99 }, 'error'),
      'template: test:1:9: executing "test" at <.y>: map has no entry for key "y"',
    );
    assert.equal(
      runError('{{.x}}', null, 'error'),
      'template: test:1:2: executing "test" at <.x>: nil data; no entry for key "x"',
    );
  });

  test('executing an unknown template name has no location', () => {
    const trees = parseTemplates('t', 'x', { hasFunction: () => false });
    assert.throws(() => execute(trees, 'empty', undefined, TEST_FUNCS), {
      message: 'template: empty: "empty" is an incomplete or empty template',
    });
  });

  test('the error carries its location for the agent to report', () => {
    try {
      run('a\n\n  {{.Nope}}', tVal, 'default', 'web.ctmpl');
      assert.fail('expected an error');
    } catch (err) {
      assert.ok(err instanceof TemplateError);
      assert.equal(err.templateName, 'web.ctmpl');
      assert.equal(err.line, 3);
      assert.equal(err.column, 4);
      assert.equal(err.code, 'BAD_REQUEST');
    }
  });
});
