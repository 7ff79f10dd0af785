import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import {
  discoverConfig,
  lineAndColumn,
  locateJsonError,
  parseJsonConfig,
  readConfigPaths,
} from '../../core/config/files.js';

let root: string;
let counter = 0;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'tribune-config-files-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A fresh directory with the given files (paths relative to it). */
async function fixture(files: Record<string, string>): Promise<string> {
  counter++;
  const dir = join(root, `case-${counter}`);
  await mkdir(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), content);
  }
  return dir;
}

describe('readConfigPaths', () => {
  test('a directory yields its *.json files in lexical order, not recursively', async () => {
    const dir = await fixture({
      'b.json': '{"node_name": "b"}',
      'a.json': '{"node_name": "a"}',
      '10-x.json': '{"node_name": "10"}',
      'README.md': 'not config',
      'notes.txt': '{',
      '.hidden.json': '{',
      'sub/inner.json': '{"node_name": "inner"}',
    });
    const result = await readConfigPaths([dir]);
    assert.deepEqual(result.issues, []);
    assert.deepEqual(
      result.sources.map((s) => s.name),
      [join(dir, '10-x.json'), join(dir, 'a.json'), join(dir, 'b.json')],
    );
    assert.deepEqual(result.sources[1]?.data, { node_name: 'a' });
    assert.deepEqual(result.dirs, [dir]);
    assert.deepEqual(result.files, []);
  });

  test('files and directories load in the order given; relative paths resolve against cwd', async () => {
    const dir = await fixture({ 'main.json': '{"a": 1}', 'd/x.json': '{"b": 2}', 'last.json': '{"c": 3}' });
    const result = await readConfigPaths(['main.json', 'd', join(dir, 'last.json')], { cwd: dir });
    assert.deepEqual(
      result.sources.map((s) => s.data),
      [{ a: 1 }, { b: 2 }, { c: 3 }],
    );
    assert.deepEqual(result.files, [join(dir, 'main.json'), join(dir, 'last.json')]);
    assert.deepEqual(result.dirs, [join(dir, 'd')]);
  });

  test('a JSON syntax error names the file, the line and the column', async () => {
    const dir = await fixture({ 'bad.json': '{\n  "node_name": "x",\n  "server": tru\n}\n' });
    const result = await readConfigPaths([join(dir, 'bad.json')]);
    assert.equal(result.sources.length, 0);
    assert.equal(result.issues.length, 1);
    assert.equal(result.issues[0]?.file, join(dir, 'bad.json'));
    assert.match(result.issues[0]?.message ?? '', /^invalid JSON at line 3, column 13: /);
  });

  test('every broken file is reported, and good files still load', async () => {
    const dir = await fixture({
      'a.json': '{"x": 1,}',
      'b.json': '{"ok": true}',
      'c.json': '[1, 2]',
      'd.json': '',
    });
    const result = await readConfigPaths([dir]);
    assert.deepEqual(
      result.issues.map((i) => [i.file, i.message]),
      [
        [join(dir, 'a.json'), 'invalid JSON at line 1, column 9: trailing comma before "}"'],
        [join(dir, 'c.json'), 'a config file must hold a JSON object'],
        [join(dir, 'd.json'), 'invalid JSON at line 1, column 1: unexpected end of input'],
      ],
    );
    assert.deepEqual(
      result.sources.map((s) => s.name),
      [join(dir, 'b.json')],
    );
  });

  test('HCL is refused with a clear message, in a directory or named directly', async () => {
    const dir = await fixture({ 'a.hcl': 'server = true', 'b.json': '{}' });
    const fromDir = await readConfigPaths([dir]);
    assert.deepEqual(fromDir.issues, [
      {
        file: join(dir, 'a.hcl'),
        pointer: '',
        message: 'HCL configuration is not supported yet; convert this file to JSON',
      },
    ]);
    const direct = await readConfigPaths([join(dir, 'a.hcl')]);
    assert.match(direct.issues[0]?.message ?? '', /HCL configuration is not supported yet/);
  });

  test('a file without .json needs -config-format=json', async () => {
    const dir = await fixture({ 'agent.conf': '{"server": true}' });
    const plain = await readConfigPaths([join(dir, 'agent.conf')]);
    assert.match(plain.issues[0]?.message ?? '', /missing or invalid file extension/);
    const forced = await readConfigPaths([join(dir, 'agent.conf')], { format: 'json' });
    assert.deepEqual(forced.issues, []);
    assert.deepEqual(forced.sources[0]?.data, { server: true });
  });

  test('a missing path is an issue naming it', async () => {
    const missing = join(root, 'does-not-exist.json');
    const result = await readConfigPaths([missing]);
    assert.deepEqual(result.issues, [
      { file: missing, pointer: '', message: 'cannot read config path: no such file or directory' },
    ]);
  });

  test('a UTF-8 byte order mark is tolerated', async () => {
    const dir = await fixture({ 'bom.json': '\uFEFF{"server": true}' });
    const result = await readConfigPaths([dir]);
    assert.deepEqual(result.issues, []);
    assert.deepEqual(result.sources[0]?.data, { server: true });
  });
});

describe('JSON error location', () => {
  const cases: Array<[string, number, RegExp]> = [
    ['{"a" 1}', 5, /expected ":" after key/],
    ['{a: 1}', 1, /expected a double-quoted key/],
    ['{"a": 1', 7, /expected "," or "}"/],
    ['{"a": [1, 2,]}', 12, /trailing comma before "]"/],
    ['{"a": tru}', 6, /unexpected character "t"/],
    ['{"a": 01}', 6, /invalid number/],
    ['{"a": "x\ny"}', 8, /control character in string/],
    ['{"a": "\\q"}', 7, /invalid escape/],
    ['{} {}', 3, /after the end of the document/],
    ['{"a": "unterminated', 19, /unterminated string/],
  ];
  for (const [text, offset, reason] of cases) {
    test(JSON.stringify(text), () => {
      const found = locateJsonError(text);
      assert.equal(found?.offset, offset);
      assert.match(found?.reason ?? '', reason);
    });
  }

  test('valid JSON has no error, and JSON.parse agrees with the locator on random text', () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        assert.equal(locateJsonError(text), undefined);
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), (text) => {
        let valid = true;
        try {
          JSON.parse(text);
        } catch {
          valid = false;
        }
        assert.equal(locateJsonError(text) === undefined, valid, text);
      }),
      { numRuns: 1000 },
    );
  });

  test('lines and columns are 1-based', () => {
    assert.deepEqual(lineAndColumn('ab\ncd', 0), { line: 1, column: 1 });
    assert.deepEqual(lineAndColumn('ab\ncd', 4), { line: 2, column: 2 });
  });

  test('parseJsonConfig wants an object', () => {
    assert.deepEqual(parseJsonConfig('{"a": 1}'), { ok: true, data: { a: 1 } });
    assert.deepEqual(parseJsonConfig('"x"'), { ok: false, message: 'a config file must hold a JSON object' });
  });
});

describe('discoverConfig (cosmiconfig)', () => {
  test('finds tribune.config.json in the start directory', async () => {
    const dir = await fixture({
      'package.json': '{"name": "x"}',
      'tribune.config.json': '{"node_name": "found"}',
    });
    const result = await discoverConfig(dir);
    assert.deepEqual(result.issues, []);
    assert.deepEqual(result.sources, [
      { name: join(dir, 'tribune.config.json'), data: { node_name: 'found' } },
    ]);
    assert.deepEqual(result.files, [join(dir, 'tribune.config.json')]);
  });

  test('reads .tribunerc as YAML or JSON, and .tribunerc.yaml', async () => {
    const yamlRc = await fixture({
      'package.json': '{}',
      '.tribunerc': 'node_name: yaml-rc\nports:\n  http: 9500\n',
    });
    assert.deepEqual((await discoverConfig(yamlRc)).sources[0]?.data, {
      node_name: 'yaml-rc',
      ports: { http: 9500 },
    });
    const jsonRc = await fixture({ 'package.json': '{}', '.tribunerc': '{"node_name": "json-rc"}' });
    assert.deepEqual((await discoverConfig(jsonRc)).sources[0]?.data, { node_name: 'json-rc' });
    const yamlFile = await fixture({ 'package.json': '{}', '.tribunerc.yaml': 'server: true\n' });
    assert.deepEqual((await discoverConfig(yamlFile)).sources[0]?.data, { server: true });
    const jsonFile = await fixture({ 'package.json': '{}', '.tribunerc.json': '{"server": false}' });
    assert.deepEqual((await discoverConfig(jsonFile)).sources[0]?.data, { server: false });
  });

  test('uses the tribune key of package.json, which comes first', async () => {
    const dir = await fixture({
      'package.json': '{"name": "app", "tribune": {"node_name": "from-pkg"}}',
      'tribune.config.json': '{"node_name": "from-file"}',
    });
    const result = await discoverConfig(dir);
    assert.deepEqual(result.sources, [{ name: join(dir, 'package.json'), data: { node_name: 'from-pkg' } }]);
  });

  test('searches upwards from a subdirectory to the project root', async () => {
    const dir = await fixture({
      'package.json': '{}',
      '.tribunerc.json': '{"node_name": "up"}',
      'src/deep/.keep': '',
    });
    const result = await discoverConfig(join(dir, 'src', 'deep'));
    assert.equal(result.sources[0]?.name, join(dir, '.tribunerc.json'));
  });

  test('finds nothing without a config file', async () => {
    const dir = await fixture({ 'package.json': '{"name": "no-config"}' });
    assert.deepEqual(await discoverConfig(dir), { sources: [], issues: [], files: [], dirs: [] });
  });

  test('syntax errors name the file with line and column', async () => {
    const badJson = await fixture({ 'package.json': '{}', 'tribune.config.json': '{\n "a": }' });
    const jsonResult = await discoverConfig(badJson);
    assert.equal(jsonResult.issues[0]?.file, join(badJson, 'tribune.config.json'));
    assert.match(jsonResult.issues[0]?.message ?? '', /^invalid JSON at line 2, column 7/);
    const badYaml = await fixture({ 'package.json': '{}', '.tribunerc.yaml': 'a: [1, 2\nb: c\n' });
    const yamlResult = await discoverConfig(badYaml);
    assert.equal(yamlResult.issues[0]?.file, join(badYaml, '.tribunerc.yaml'));
    assert.match(yamlResult.issues[0]?.message ?? '', /^invalid YAML at line \d+, column \d+/);
  });

  test('a config that is not an object is an issue', async () => {
    const dir = await fixture({ 'package.json': '{}', '.tribunerc.yaml': '- a\n- b\n' });
    const result = await discoverConfig(dir);
    assert.deepEqual(result.issues, [
      { file: join(dir, '.tribunerc.yaml'), pointer: '', message: 'the config must be an object' },
    ]);
  });
});
