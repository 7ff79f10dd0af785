import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { nodeString } from '../../plugins/template/core/ast.js';
import { BUILTINS } from '../../plugins/template/core/builtins.js';
import { TemplateError } from '../../plugins/template/core/errors.js';
import { parseTemplates } from '../../plugins/template/core/parser.js';

const hasFunction = (name: string): boolean => BUILTINS.has(name);

function parseError(name: string, text: string): string {
  try {
    parseTemplates(name, text, { hasFunction });
  } catch (err) {
    assert.ok(err instanceof TemplateError, 'a parse failure is a TemplateError');
    assert.equal(err.phase, 'parse');
    return err.message;
  }
  assert.fail(`expected a parse error for ${JSON.stringify(text)}`);
}

/** Round trip through Go's Node.String(): the tree prints back as its (normalised) source. */
function roundTrip(text: string, name = 't'): string {
  const tree = parseTemplates(name, text, { hasFunction }).get(name);
  assert.ok(tree);
  return nodeString(tree.root);
}

describe('parse errors read as Go text/template reports them, with the line', () => {
  // The cases of Go's own parser error tests, with the full message Go produces.
  const cases: Array<[string, string, string]> = [
    ['unclosed1', 'line1\n{{', 'template: unclosed1:2: unclosed action'],
    ['unclosed2', 'line1\n{{define `x`}}line2\n{{', 'template: unclosed2:3: unclosed action'],
    ['unclosed3', 'line1\n{{"x"\n"y"\n', 'template: unclosed3:4: unclosed action started at unclosed3:2'],
    ['unclosed4', '{{\n\n\n\n\n', 'template: unclosed4:6: unclosed action started at unclosed4:1'],
    ['var1', 'line1\n{{\nx\n}}', 'template: var1:3: function "x" not defined'],
    ['function', '{{foo}}', 'template: function:1: function "foo" not defined'],
    ['comment1', '{{/*}}', 'template: comment1:1: unclosed comment'],
    ['comment2', '{{/*\nhello\n}}', 'template: comment2:1: unclosed comment'],
    ['comment3', '{{/* a */ x}}', 'template: comment3:1: comment ends before closing delimiter'],
    ['lparen', '{{.X (1 2 3}}', 'template: lparen:1: unclosed left paren'],
    ['rparen', '{{.X 1 2 3 ) }}', 'template: rparen:1: unexpected right paren'],
    ['rparen2', '{{(.X 1 2 3', 'template: rparen2:1: unclosed action'],
    ['space', '{{`x`3}}', 'template: space:1: unexpected "3" in operand'],
    ['idchar', '{{a#}}', "template: idchar:1: bad character U+0023 '#'"],
    ['charconst', "{{'a}}", 'template: charconst:1: unterminated character constant'],
    ['stringconst', '{{"a}}', 'template: stringconst:1: unterminated quoted string'],
    ['rawstringconst', '{{`a}}', 'template: rawstringconst:1: unterminated raw quoted string'],
    ['number', '{{0xi}}', 'template: number:1: illegal number syntax: "0xi"'],
    [
      'multidefine',
      '{{define `a`}}a{{end}}{{define `a`}}b{{end}}',
      'template: multidefine:1: template: multiple definition of template "a"',
    ],
    ['eof', '{{range .X}}', 'template: eof:1: unexpected EOF'],
    [
      'variable',
      '{{$x := 23}}{{with $x.y := 3}}{{$x 23}}{{end}}',
      'template: variable:1: unexpected ":=" in operand',
    ],
    ['multidecl', '{{$a,$b,$c := 23}}', 'template: multidecl:1: too many declarations in command'],
    ['undefvar', '{{$a}}', 'template: undefvar:1: undefined variable "$a"'],
    ['wrongdot', '{{true.any}}', 'template: wrongdot:1: unexpected . after term "true"'],
    [
      'wrongpipeline',
      '{{12|false}}',
      'template: wrongpipeline:1: non executable command in pipeline stage 2',
    ],
    ['emptypipeline', '{{ ( ) }}', 'template: emptypipeline:1: missing value for parenthesized pipeline'],
    ['multilinerawstring', '{{ $v := `\n` }} {{', 'template: multilinerawstring:2: unclosed action'],
    ['rangeundefvar', '{{range $k}}{{end}}', 'template: rangeundefvar:1: undefined variable "$k"'],
    ['rangeundefvars', '{{range $k, $v}}{{end}}', 'template: rangeundefvars:1: undefined variable "$v"'],
    ['rangemissingvalue1', '{{range $k,}}{{end}}', 'template: rangemissingvalue1:1: missing value for range'],
    [
      'rangemissingvalue2',
      '{{range $k, $v := }}{{end}}',
      'template: rangemissingvalue2:1: missing value for range',
    ],
    [
      'rangenotvariable1',
      '{{range $k, .}}{{end}}',
      'template: rangenotvariable1:1: range can only initialize variables',
    ],
    [
      'rangenotvariable2',
      '{{range $k, 123 := .}}{{end}}',
      'template: rangenotvariable2:1: range can only initialize variables',
    ],
    [
      'toomanyrange',
      '{{range $a, $b, $c := .}}{{end}}',
      'template: toomanyrange:1: too many declarations in range',
    ],
    [
      'X',
      'hello\n\n{{`unterminated\n\n\n\n}}\n some more\n\n',
      'template: X:3: unterminated raw quoted string',
    ],
    ['end', 'a\n{{end}}', 'template: end:2: unexpected {{end}}'],
    ['else', '{{else}}', 'template: else:1: unexpected {{else}}'],
    ['elseelse', '{{if 1}}{{else}}{{else}}{{end}}', 'template: elseelse:1: expected end; found {{else}}'],
    [
      'defineelse',
      '{{define "a"}}{{else}}{{end}}',
      'template: defineelse:1: unexpected {{else}} in define clause',
    ],
    ['break', '{{break}}', 'template: break:1: {{break}} outside {{range}}'],
    [
      'continue',
      '{{range .}}{{else}}{{continue}}{{end}}',
      'template: continue:1: {{continue}} outside {{range}}',
    ],
    [
      'overflow',
      '{{99999999999999999999}}',
      'template: overflow:1: integer overflow: "99999999999999999999"',
    ],
    ['badoctal', '{{089}}', 'template: badoctal:1: integer overflow: "089"'],
    ['hexnodigits', '{{0x}}', 'template: hexnodigits:1: illegal number syntax: "0x"'],
    ['badnumber', '{{3k}}', 'template: badnumber:1: bad number syntax: "3k"'],
    ['dollar', '{{.X$}}', "template: dollar:1: bad character U+0024 '$'"],
    ['rune', "{{'ab'}}", "template: rune:1: malformed character constant: 'ab'"],
    ['escape', '{{"\\q"}}', 'template: escape:1: invalid syntax'],
    ['empty', '{{}}', 'template: empty:1: missing value for command'],
    ['templatename', '{{template .X}}', 'template: templatename:1: unexpected ".X" in template clause'],
    ['brace', '{{ .Name }', 'template: brace:1: unexpected "}" in operand'],
    ['control', '{{\u0001}}', 'template: control:1: unrecognized character in action: U+0001'],
    [
      'longtoken',
      '{{.A "abcdefghijklmnop" | 3}}',
      'template: longtoken:1: non executable command in pipeline stage 2',
    ],
    ['quotedlong', '{{if}} {{"abcdefghijklmnop" 1 (}}', 'template: quotedlong:1: missing value for if'],
  ];
  for (const [name, text, want] of cases) {
    test(`${name}: ${JSON.stringify(text)}`, () => assert.equal(parseError(name, text), want));
  }

  test('a token longer than ten runes is quoted shortened, as Go quotes items', () => {
    assert.equal(
      parseError('t', '{{template 12}}{{"x"}}'),
      'template: t:1: unexpected "12" in template clause',
    );
    assert.equal(
      parseError('t', '{{with "abcdefghijklm" := 1}}{{end}}'),
      'template: t:1: unexpected ":=" in operand',
    );
    assert.equal(parseError('t', '{{define 1}}{{end}}'), 'template: t:1: unexpected "1" in define clause');
    assert.equal(
      parseError('t', '{{define "x" "abcdefghijklmnopq"}}{{end}}'),
      'template: t:1: unexpected "\\"abcdefghi"... in define clause',
    );
  });

  test('complex constants are refused with a clear message', () => {
    assert.equal(
      parseError('t', '{{1+2i}}'),
      'template: t:1: complex number constants are not supported: "1+2i"',
    );
    assert.equal(
      parseError('t', '{{3i}}'),
      'template: t:1: complex number constants are not supported: "3i"',
    );
  });

  test('a function unknown to the flavour is refused at parse time, a known one accepted', () => {
    assert.equal(parseError('t', '{{service "web"}}'), 'template: t:1: function "service" not defined');
    const trees = parseTemplates('t', '{{service "web"}}', { hasFunction: (n) => n === 'service' });
    assert.deepEqual([...trees.keys()], ['t']);
  });

  test('break and continue are plain identifiers when a function of that name exists', () => {
    const trees = parseTemplates('t', '{{break}}', { hasFunction: (n) => n === 'break' });
    assert.equal(nodeString(trees.get('t')?.root ?? assert.fail()), '{{break}}');
  });
});

describe('parse trees (Go Node.String round trip)', () => {
  const cases: Array<[string, string]> = [
    ['plain text', 'plain text'],
    ['{{.X}}', '{{.X}}'],
    ['{{.X.Y.Z}}', '{{.X.Y.Z}}'],
    ['{{$x := .A}}{{$x.B}}', '{{$x := .A}}{{$x.B}}'],
    ['{{$ := 1}}', '{{$ := 1}}'],
    ['{{(.A).B}}', '{{(.A).B}}'],
    ['{{(index . 0).Name}}', '{{(index . 0).Name}}'],
    ['{{.A | printf "%s" | print}}', '{{.A | printf "%s" | print}}'],
    ['{{if .A}}a{{else if .B}}b{{else}}c{{end}}', '{{if .A}}a{{else}}{{if .B}}b{{else}}c{{end}}{{end}}'],
    ['{{with .A}}a{{else with .B}}b{{end}}', '{{with .A}}a{{else}}{{with .B}}b{{end}}{{end}}'],
    ['{{range $i, $e := .}}{{$i}}{{end}}', '{{range $i, $e := .}}{{$i}}{{end}}'],
    ['{{$i := 0}}{{range $i = .}}{{end}}', '{{$i := 0}}{{range $i = .}}{{end}}'],
    ['{{template "x" .}}', '{{template "x" .}}'],
    ['{{block "x" .}}body{{end}}', '{{template "x" .}}'],
    ['{{/* a comment */}}x', 'x'],
    ['{{- /* trimmed */ -}}  x', 'x'],
    ['{{`raw` "q\\n" \'a\' 1.5 0x10 nil true}}', '{{`raw` "q\\n" \'a\' 1.5 0x10 nil true}}'],
    ['{{range .}}{{break}}{{continue}}{{end}}', '{{range .}}{{break}}{{continue}}{{end}}'],
    ['{{if\n.A\n}}x{{end}}', '{{if .A}}x{{end}}'],
  ];
  for (const [text, want] of cases) {
    test(JSON.stringify(text), () => assert.equal(roundTrip(text), want));
  }

  test('define and block add named trees beside the top level', () => {
    const trees = parseTemplates('top', '{{define "a"}}A{{end}}x{{block "b" .}}B{{end}}', { hasFunction });
    assert.deepEqual([...trees.keys()].sort(), ['a', 'b', 'top']);
    assert.equal(nodeString(trees.get('a')?.root ?? assert.fail()), 'A');
    assert.equal(nodeString(trees.get('b')?.root ?? assert.fail()), 'B');
  });

  test('an empty redefinition does not replace a template', () => {
    const trees = parseTemplates('t', '{{define "a"}}A{{end}}{{define "a"}}  {{end}}', { hasFunction });
    assert.equal(nodeString(trees.get('a')?.root ?? assert.fail()), 'A');
  });

  test('custom delimiters, including ones that look like the defaults', () => {
    for (const [l, r] of [
      ['<<', '>>'],
      ['|', '|'],
      ['(日)', '(本)'],
      ['[[', ']]'],
    ] as const) {
      const text = `${l}.Str${r}${l}/*comment*/${r}${l}"${l}"${r}`;
      const tree = parseTemplates('d', text, { hasFunction, leftDelim: l, rightDelim: r }).get('d');
      assert.equal(nodeString(tree?.root ?? assert.fail()), `${l}.Str${r}${l}"${l}"${r}`);
    }
  });

  test('trim markers remove the surrounding ASCII white space, "-3" stays a number', () => {
    assert.equal(roundTrip('a \n\t{{- .X -}} \r\n b'), 'a{{.X}}b');
    assert.equal(roundTrip('a {{-3}} b'), 'a {{-3}} b');
    assert.equal(roundTrip('a {{3 -}} b'), 'a {{3}}b');
    assert.equal(roundTrip('a {{- 3}} b'), 'a{{3}} b');
  });

  test('positions and lines of nodes follow the source', () => {
    const tree = parseTemplates('t', 'ab\n{{.X}}', { hasFunction }).get('t') ?? assert.fail();
    const action = tree.root.nodes[1];
    assert.ok(action?.type === 'action');
    assert.equal(action.line, 2);
    assert.equal(action.pos, 5);
  });
});
