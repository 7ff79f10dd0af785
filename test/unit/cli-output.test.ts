import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { goPathEscape, goQueryEscape, Query } from '../../core/cli/http-client.js';
import {
  columnize,
  decodeGoBase64,
  goFsErrorText,
  goJsonString,
  runeLength,
  tabwrite,
  uint64Text,
} from '../../core/cli/output.js';

describe('columnize', () => {
  it('pads every column but the last to its widest cell plus two spaces', () => {
    const text = columnize([
      ['Node', 'Address', 'Status'],
      ['server-long-name', '10.0.0.1:8301', 'alive'],
      ['c', '10.0.0.22:8301', 'failed'],
    ]);
    assert.equal(
      text,
      'Node              Address         Status\n' +
        'server-long-name  10.0.0.1:8301   alive\n' +
        'c                 10.0.0.22:8301  failed',
    );
  });

  it('trims cells and counts code points, not UTF-16 units', () => {
    assert.equal(
      columnize([
        [' a ', 'x'],
        ['😀é', 'y'],
      ]),
      'a   x\n😀é  y',
    );
    assert.equal(runeLength('😀é'), 2);
  });

  it('pads cells before an empty last column (trailing spaces, as Go)', () => {
    assert.equal(
      columnize([
        ['ab', 'c', ''],
        ['a', 'cd', ''],
      ]),
      'ab  c   \na   cd  ',
    );
  });
});

describe('tabwrite (Go text/tabwriter, minwidth 0, padding 6)', () => {
  it('aligns a key/value block and leaves the last cell alone', () => {
    const text = tabwrite('CreateIndex\t5\nFlags\t0\nKey\tfoo\nValue\tbar', { minWidth: 0, padding: 6 });
    assert.equal(text, 'CreateIndex      5\nFlags            0\nKey              foo\nValue            bar');
  });

  it('ends a column block at a line without a tab', () => {
    const text = tabwrite('a\t1\nlong-line\nabcdef\t2\n', { minWidth: 0, padding: 2 });
    assert.equal(text, 'a  1\nlong-line\nabcdef  2\n');
  });

  it('pads an empty trailing cell (two-column service list)', () => {
    const text = tabwrite('consul\t\nweb\tprimary,v1\n', { minWidth: 0, padding: 6 });
    assert.equal(text, 'consul      \nweb         primary,v1\n');
  });
});

describe('goJsonString', () => {
  it('escapes as encoding/json does, HTML-safe', () => {
    assert.equal(
      goJsonString('a"b\\c\n\t<>&\u2028\u0001'),
      '"a\\"b\\\\c\\n\\t\\u003c\\u003e\\u0026\\u2028\\u0001"',
    );
    assert.equal(goJsonString('héllo 😀'), '"héllo 😀"');
  });

  it('always decodes back to the same string with JSON.parse', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        assert.equal(JSON.parse(goJsonString(s)), s);
      }),
      { numRuns: 300 },
    );
  });
});

describe('decodeGoBase64', () => {
  it('round-trips any bytes encoded with padding', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const encoded = Buffer.from(bytes).toString('base64');
        assert.deepEqual(decodeGoBase64(encoded), Buffer.from(bytes));
      }),
      { numRuns: 300 },
    );
  });

  it('skips CR and LF but rejects everything else out of place, naming the byte', () => {
    assert.equal(decodeGoBase64('aGVs\r\nbG8=').toString(), 'hello');
    assert.throws(() => decodeGoBase64('aGVsbG8'), /illegal base64 data at input byte 4/);
    assert.throws(() => decodeGoBase64('aG!sbG8='), /illegal base64 data at input byte 2/);
    assert.throws(() => decodeGoBase64('aGVsbG8=aa'), /illegal base64 data at input byte 8/);
    assert.throws(() => decodeGoBase64('a==='), /illegal base64 data at input byte 1/);
  });
});

describe('small Go-isms', () => {
  it('formats file errors as the os package does', () => {
    const enoent = Object.assign(new Error('x'), { code: 'ENOENT' });
    assert.equal(goFsErrorText('open', '/nope', enoent), 'open /nope: no such file or directory');
  });

  it('keeps uint64 values exact', () => {
    assert.equal(uint64Text(18446744073709551615n), '18446744073709551615');
    assert.equal(uint64Text(42), '42');
    assert.equal(uint64Text(undefined), '0');
  });

  it('escapes query values and paths like net/url', () => {
    assert.equal(goQueryEscape("a b/c:d&e=f!'()*~"), 'a+b%2Fc%3Ad%26e%3Df%21%27%28%29%2A~');
    assert.equal(goPathEscape('/v1/kv/a b/c:d@e?f#g%'), '/v1/kv/a%20b/c:d@e%3Ff%23g%25');
    assert.equal(goPathEscape('/v1/kv/é'), '/v1/kv/%C3%A9');
  });

  it('encodes query keys sorted, empty values as key=', () => {
    const q = new Query().set('stale', '').set('dc', 'dc1').add('node-meta', 'a:1').add('node-meta', 'b:2');
    assert.equal(q.encode(), 'dc=dc1&node-meta=a%3A1&node-meta=b%3A2&stale=');
  });
});
