import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { formatFloat } from '../../plugins/template/core/format-float.js';
import { sprint, sprintf, sprintln } from '../../plugins/template/core/printf.js';
import { GoNumber, goFloat, goStruct } from '../../plugins/template/core/values.js';

const u8 = (n: number) => new GoNumber('uint8', n);

// Expected outputs are Go's fmt.Sprintf results (the cases of Go's own fmt tests, plus ours).
const cases: [string, unknown[], string][] = [
  ['%d', [12345], '12345'],
  ['%.d', [0], ''],
  ['%6.0d', [0], '      '],
  ['%06.0d', [0], '      '],
  ['% d', [12345], ' 12345'],
  ['%+d', [12345], '+12345'],
  ['%b', [-6], '-110'],
  ['%#b', [-6], '-0b110'],
  ['%#o', [0o1234], '01234'],
  ['%O', [-0o1234], '-0o1234'],
  ['%#X', [0], '0X0'],
  ['%x', [0x12abcdef], '12abcdef'],
  ['%.20b', [7], '00000000000000000111'],
  ['%010d', [-12345], '-000012345'],
  ['%20.8d', [-1234], '           -00001234'],
  ['%020.8d', [1234], '            00001234'],
  ['%-#20.8x', [0x1234abc], '0x01234abc          '],
  ['%-#20.8o', [0o1234], '00001234            '],
  ['%U', [0], 'U+0000'],
  ['%U', [-1], 'U+FFFFFFFFFFFFFFFF'],
  ['%#U', [0x263a], "U+263A '☺'"],
  ['%#14.6U', [0x2318], "  U+002318 '⌘'"],
  ['%#-014.6U', [0x2318], "U+002318 '⌘'  "],
  ['%+.3e', [goFloat(0)], '+0.000e+00'],
  ['%+.3x', [goFloat(1)], '+0x1.000p+00'],
  ['%+07.2f', [goFloat(-1)], '-001.00'],
  ['%-07.2f', [goFloat(1)], '1.00   '],
  ['% .3E', [goFloat(-1)], '-1.000E+00'],
  ['%+.3g', [goFloat(0)], '+0'],
  ['% .3g', [goFloat(1)], ' 1'],
  ['%b', [goFloat(1)], '4503599627370496p-52'],
  ['%#g', [1e-323], '1.00000e-323'],
  ['%#g', [goFloat(-1)], '-1.00000'],
  ['%#g', [1.1], '1.10000'],
  ['%#g', [goFloat(123456)], '123456.'],
  ['%#g', [goFloat(1234567)], '1.234567e+06'],
  ['%#g', [goFloat(1230000)], '1.23000e+06'],
  ['%#.0f', [goFloat(1)], '1.'],
  ['%#.0e', [goFloat(1)], '1.e+00'],
  ['%#.0x', [goFloat(1)], '0x1.p+00'],
  ['%#.0g', [goFloat(1100000)], '1.e+06'],
  ['%#.4g', [goFloat(100000)], '1.000e+05'],
  ['%#.4g', [0.012], '0.01200'],
  ['%#.4x', [goFloat(123)], '0x1.ec00p+06'],
  ['%#9.4g', [goFloat(1)], '    1.000'],
  ['%f', [Infinity], '+Inf'],
  ['% f', [NaN], ' NaN'],
  ['%20f', [Infinity], '                +Inf'],
  ['% 20F', [Infinity], '                 Inf'],
  ['% +20E', [NaN], '                +NaN'],
  ['%+020e', [Infinity], '                +Inf'],
  ['%-020E', [NaN], 'NaN                 '],
  ['%e', [goFloat(1)], '1.000000e+00'],
  ['%g', [1234.5678e3], '1.2345678e+06'],
  ['%G', [-1e-9], '-1E-09'],
  ['%20.5s', ['qwertyuiop'], '               qwert'],
  ['%20c', [0x78], '                   x'],
  ['%q', [''], '""'],
  ['%#q', [''], '``'],
  ['%q', ['"'], '"\\""'],
  ['%#q', ['`'], '"`"'],
  ['%+q', ['日本語'], '"\\u65e5\\u672c\\u8a9e"'],
  ['%#+q', ['日本語'], '`日本語`'],
  ['%q', ['\x07\b\f\n\r\t\v"\\'], '"\\a\\b\\f\\n\\r\\t\\v\\"\\\\"'],
  ['%10q', ['⌘'], '       "⌘"'],
  ['%+010q', ['⌘'], '00"\\u2318"'],
  ['%-010q', ['⌘'], '"⌘"       '],
  ['%#-8q', ['\t'], '`\t`     '],
  ['%q', ['\u{10ffff}'], '"\\U0010ffff"'],
  ['%c', [0xe4], 'ä'],
  ['%c', [-1], '�'],
  ['%c', [0xdc80], '�'],
  ['%q', [0], "'\\x00'"],
  ['%q', [0x27], "'\\''"],
  ['%+q', [0xff], "'\\u00ff'"],
  ['%5s', ['abc'], '  abc'],
  ['%05s', ['abc'], '00abc'],
  ['%.0s', ['日本語'], ''],
  ['%.5s', ['日本語日本語'], '日本語日本'],
  ['%08q', ['abc'], '000"abc"'],
  ['%.5x', ['abcdefghijklmnopqrstuvwxyz'], '6162636465'],
  ['%.1x', ['日本語'], 'e6'],
  ['%10.1q', ['日本語日本語'], '       "日"'],
  ['%10v', [null], '     <nil>'],
  ['%-10v', [null], '<nil>     '],
  ['%x', [new Uint8Array([0xab, 0xcd])], 'abcd'],
  ['% 10x', [new Uint8Array([0xab, 0xcd])], '     ab cd'],
  ['%# 010x', [new Uint8Array([0xab, 0xcd])], '00xab 0xcd'],
  ['%#-10X', [new Uint8Array([0xab, 0xcd])], '0XABCD    '],
  ['%# x', ['xyz'], '0x78 0x79 0x7a'],
  ['%v', [[1, 'hello', 2.5, null]], '[1 hello 2.5 <nil>]'],
  ['%v', [goStruct('A', { i: 1, j: 2, s: 'a', x: [1, 2] })], '{1 2 a [1 2]}'],
  ['%+v', [goStruct('A', { i: 1, j: 2, s: 'a', x: [1, 2] })], '{i:1 j:2 s:a x:[1 2]}'],
  ['%#v', [{ a: 1 }], 'map[string]interface {}{"a":1}'],
  ['%#v', [['a', 'b']], '[]interface {}{"a", "b"}'],
  ['%#v', [goFloat(1)], '1'],
  ['%#v', [goFloat(1000000)], '1e+06'],
  ['%#x', [[1, 2, 15]], '[0x1 0x2 0xf]'],
  ['%q', [['a', 'b']], '["a" "b"]'],
  ['%T', [u8(0)], 'uint8'],
  ['%6T', [1], '   int'],
  ['%10T', [null], '     <nil>'],
  ['%p', [27], '%!p(int=27)'],
  ['%p', [null], '%!p(<nil>)'],
  ['', [null], '%!(EXTRA <nil>)'],
  ['', [2], '%!(EXTRA int=2)'],
  ['no args', ['hello'], 'no args%!(EXTRA string=hello)'],
  ['%s %', ['hello'], 'hello %!(NOVERB)'],
  ['%s %.2', ['hello'], 'hello %!(NOVERB)'],
  ['%017091901790959340919092959340919017929593813360', [0], '%!(NOVERB)%!(EXTRA int=0)'],
  ['%010.2', ['12345'], '%!(NOVERB)%!(EXTRA string=12345)'],
  ['%.2f', [goFloat(1)], '1.00'],
  ['% 07.2f', [goFloat(1)], ' 001.00'],
  ['%0-5s', ['abc'], 'abc  '],
  ['%06v', [[goFloat(10), 10]], '[000010 000010]'],
  ['%06v', [[goFloat(-10), 10]], '[-00010 000010]'],
  ['%03.6v', [[1, goFloat(2), 'x']], '[000001 002 00x]'],
  ['%03.0v', [[0, goFloat(2), 'x']], '[    002 000]'],
  ['%.', [3], '%!.(int=3)'],
  ['%[1]d', [1], '1'],
  ['%[2]d', [2, 1], '1'],
  ['%[2]d %[1]d', [1, 2], '2 1'],
  ['%[2]*[1]d', [2, 5], '    2'],
  ['%[3]*.[2]*[1]f', [goFloat(12), 2, 6], ' 12.00'],
  ['%[1]*.[2]*[3]f', [6, 2, goFloat(12)], ' 12.00'],
  ['%[1]*[3]f', [10, 99, goFloat(12)], ' 12.000000'],
  ['%.[1]*[3]f', [6, 99, goFloat(12)], '12.000000'],
  ['%[1]*.[3]f', [6, 3, goFloat(12)], '    12'],
  ['%d %d %d %#[1]o %#o %#o', [11, 12, 13], '11 12 13 013 014 015'],
  ['%[d', [2, 1], '%!d(BADINDEX)'],
  ['%]d', [2, 1], '%!](int=2)d%!(EXTRA int=1)'],
  ['%[]d', [2, 1], '%!d(BADINDEX)'],
  ['%[-3]d', [2, 1], '%!d(BADINDEX)'],
  ['%[99]d', [2, 1], '%!d(BADINDEX)'],
  ['%[3]', [2, 1], '%!(NOVERB)'],
  ['%[1].2d', [5, 6], '%!d(BADINDEX)'],
  ['%[1]2d', [2, 1], '%!d(BADINDEX)'],
  ['%3.[2]d', [7], '%!d(BADINDEX)'],
  ['%.[2]d', [7], '%!d(BADINDEX)'],
  ['%d %d %d %#[1]o %#o %#o %#o', [11, 12, 13], '11 12 13 013 014 015 %!o(MISSING)'],
  ['%[5]d %[2]d %d', [1, 2, 3], '%!d(BADINDEX) 2 3'],
  ['%d %[3]d %d', [1, 2], '1 %!d(BADINDEX) 2'],
  ['%.[]', [], '%!](BADINDEX)'],
  ['%.-3d', [42], '%!-(int=42)3d'],
  ['%2147483648d', [42], '%!(NOVERB)%!(EXTRA int=42)'],
  ['%-2147483648d', [42], '%!(NOVERB)%!(EXTRA int=42)'],
  ['%.2147483648d', [42], '%!(NOVERB)%!(EXTRA int=42)'],
  ['%☠', [null], '%!☠(<nil>)'],
  ['%☠', [0], '%!☠(int=0)'],
  ['%☠', [new Uint8Array([0, 1])], '[%!☠(uint8=0) %!☠(uint8=1)]'],
  ['%☠', ['hello'], '%!☠(string=hello)'],
  ['%☠', [1.2345678], '%!☠(float64=1.2345678)'],
  ['%d', ['x'], '%!d(string=x)'],
  ['%s', [5], '%!s(int=5)'],
  ['%t', [true], 'true'],
  ['%t', [1], '%!t(int=1)'],
  [
    '%v',
    [
      new Map([
        [2, 'b'],
        [1, 'a'],
      ]),
    ],
    'map[1:a 2:b]',
  ],
  ['%v', [{ b: 2, a: 1 }], 'map[a:1 b:2]'],
  ['%d', [9007199254740993n], '9007199254740993'],
  ['%x', [-255], '-ff'],
  ['%X', [new GoNumber('uint64', 18446744073709551615n)], 'FFFFFFFFFFFFFFFF'],
  ['%#v', [new GoNumber('uint64', 18446744073709551615n)], '0xffffffffffffffff'],
];

describe('printf: Go fmt verbs, flags, widths and error strings', () => {
  for (const [format, args, want] of cases) {
    test(`Sprintf(${JSON.stringify(format)}, ${JSON.stringify(args, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))})`, () => {
      assert.equal(sprintf(format, args), want);
    });
  }
});

describe('print and println', () => {
  test('Sprint puts a space between operands only when neither is a string', () => {
    assert.equal(sprint([1, 2, 'a', 'b', 3]), '1 2ab3');
    assert.equal(sprint(['a', 1, 2, 'b']), 'a1 2b');
    assert.equal(sprint([null, undefined]), '<nil> <nil>');
  });
  test('Sprintln always separates and ends with a newline', () => {
    assert.equal(sprintln([1, 'a', true]), '1 a true\n');
    assert.equal(sprintln([]), '\n');
  });
  test('%v of floats uses the shortest representation and %e beyond 21 digits of exponent 6', () => {
    assert.equal(sprint([goFloat(100000)]), '100000');
    assert.equal(sprint([goFloat(1000000)]), '1e+06');
    assert.equal(sprint([123456789.5]), '1.234567895e+08');
    assert.equal(sprint([0.0001]), '0.0001');
    assert.equal(sprint([0.00001]), '1e-05');
    assert.equal(sprint([-0]), '0');
    assert.equal(sprint([goFloat(-0)]), '-0');
  });
});

describe('formatFloat rounds exact ties to even, as strconv does', () => {
  const cases: Array<[number, 'e' | 'f' | 'g', number, string]> = [
    [2.5, 'f', 0, '2'],
    [3.5, 'f', 0, '4'],
    [0.125, 'f', 2, '0.12'],
    [0.375, 'f', 2, '0.38'],
    [1.005, 'f', 2, '1.00'],
    [2.675, 'f', 2, '2.67'],
    [1e21, 'f', 0, '1000000000000000000000'],
    [5e-324, 'e', 3, '4.941e-324'],
    [0.5, 'e', 0, '5e-01'],
    [9.5, 'e', 0, '1e+01'],
    [123456, 'g', 3, '1.23e+05'],
  ];
  for (const [x, fmt, prec, want] of cases) {
    test(`FormatFloat(${x}, '${fmt}', ${prec})`, () => assert.equal(formatFloat(x, fmt, prec), want));
  }
});

describe('printf properties', () => {
  const safeInt = fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER });
  test('%d of a safe integer is its decimal text', () => {
    fc.assert(fc.property(safeInt, (n) => sprintf('%d', [n]) === String(n)));
  });
  test('%x and %X round-trip through base-16 parsing', () => {
    fc.assert(
      fc.property(safeInt, (n) => {
        const lower = sprintf('%x', [n]);
        const upper = sprintf('%X', [n]);
        return (
          Number.parseInt(lower, 16) === n &&
          Number.parseInt(upper, 16) === n &&
          upper === lower.toUpperCase()
        );
      }),
    );
  });
  test('%#x, %o and %b agree with JS base conversion', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (n) => {
        return (
          sprintf('%#x', [n]) === `0x${n.toString(16)}` &&
          sprintf('%o', [n]) === n.toString(8) &&
          sprintf('%b', [n]) === n.toString(2)
        );
      }),
    );
  });
  test('%v of any finite float parses back to the same double', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        return Object.is(Number(sprintf('%v', [goFloat(x)])), x === 0 ? x : x);
      }),
    );
  });
  test('%.Nf is within half a unit of the last place', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e9, max: 1e9, noNaN: true }), fc.integer({ min: 0, max: 8 }), (x, p) => {
        const got = Number(sprintf(`%.${p}f`, [goFloat(x)]));
        return Math.abs(got - x) <= 0.5 * 10 ** -p * (1 + 1e-9) + Math.abs(x) * 1e-15;
      }),
    );
  });
  test('a width pads to at least that many runes, left or right', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 0, max: 40 }), (s, w) => {
        const right = sprintf(`%${w}s`, [s]);
        const left = sprintf(`%-${w}s`, [s]);
        const runes = [...s].length;
        return (
          [...right].length === Math.max(w, runes) &&
          [...left].length === Math.max(w, runes) &&
          right.endsWith(s) &&
          left.startsWith(s)
        );
      }),
    );
  });
});
