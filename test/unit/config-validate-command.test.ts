import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runValidate } from '../../core/cli/commands/validate.js';

let root: string;
let counter = 0;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'tribune-validate-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

async function fixture(files: Record<string, unknown>): Promise<string> {
  counter++;
  const dir = join(root, `case-${counter}`);
  await mkdir(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    await writeFile(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return dir;
}

async function run(args: string[], opts: Parameters<typeof runValidate>[2] = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runValidate(args, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) }, opts);
  return { code, stdout, stderr };
}

describe('tribune validate', () => {
  test('a valid directory of service definitions (no data_dir needed) is valid', async () => {
    const dir = await fixture({ 'web.json': { service: { name: 'web', port: 80 } }, 'notes.md': '#' });
    const result = await run([dir]);
    assert.deepEqual(result, { code: 0, stdout: 'Configuration is valid!\n', stderr: '' });
  });

  test('-quiet prints nothing on success, in any flag spelling', async () => {
    const dir = await fixture({ 'a.json': { server: true, bootstrap_expect: 3 } });
    for (const flag of ['-quiet', '--quiet', '-quiet=true']) {
      assert.deepEqual(await run([flag, dir]), { code: 0, stdout: '', stderr: '' });
    }
    assert.equal((await run(['-quiet=false', dir])).stdout, 'Configuration is valid!\n');
  });

  test('each problem is printed as file: pointer: reason, exit 1', async () => {
    const dir = await fixture({
      'a.json': { ports: { http: 'x' } },
      'b.json': { checks: [{ name: 'disk', args: ['df'], interval: '10s' }] },
    });
    const result = await run([dir]);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    assert.equal(
      result.stderr,
      [
        `${join(dir, 'b.json')}: /checks/0/args: Scripts are disabled on this agent; to enable, configure 'enable_script_checks' or 'enable_local_script_checks' to true`,
        `${join(dir, 'a.json')}: /ports/http: must be integer`,
        '',
      ].join('\n'),
    );
  });

  test('files and directories can be mixed; only the given paths are read', async () => {
    const dir = await fixture({
      'a.json': { enable_script_checks: true },
      'b.json': { datacenter: 'bad dc' },
    });
    const onlyA = await run([join(dir, 'a.json')]);
    assert.equal(onlyA.code, 0);
    const both = await run([join(dir, 'a.json'), join(dir, 'b.json')]);
    assert.equal(both.code, 1);
    assert.match(both.stderr, /b\.json: \/datacenter: datacenter can only contain/);
  });

  test('a JSON syntax error names the file, line and column', async () => {
    const dir = await fixture({ 'broken.json': '{\n  "server": true,\n}\n' });
    const result = await run([dir]);
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      `${join(dir, 'broken.json')}: invalid JSON at line 3, column 1: trailing comma before "}"\n`,
    );
  });

  test('accepted-but-unused Consul keys warn on stderr and still validate', async () => {
    const dir = await fixture({ 'a.json': { telemetry: {} } });
    const result = await run([dir]);
    assert.equal(result.code, 0);
    assert.equal(result.stdout, 'Configuration is valid!\n');
    assert.match(result.stderr, /^Warning: .*a\.json: \/telemetry: accepted for compatibility/);
  });

  test('plugin schemas make plugin keys valid', async () => {
    const dir = await fixture({ 'a.json': { my_config: { a: 1 } } });
    assert.equal((await run([dir])).code, 1);
    const withPlugin = await run([dir], { pluginSchemas: { mine: { my_config: { type: 'object' } } } });
    assert.equal(withPlugin.code, 0);
  });

  test('usage errors', async () => {
    const none = await run([]);
    assert.equal(none.code, 1);
    assert.equal(none.stderr, 'Must specify at least one config file or directory\n');
    const unknown = await run(['-verbose', 'x']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /^flag provided but not defined: -verbose\n/);
    const help = await run(['-h']);
    assert.equal(help.code, 0);
    assert.match(help.stderr, /Usage: tribune validate/);
    const missing = await run([join(root, 'nope.json')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /nope\.json: cannot read config path: no such file or directory/);
  });
});
