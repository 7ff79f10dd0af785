import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { diffConfig, isEmptyDiff, loadConfig, reloadConfig } from '../../core/config/load.js';
import type { ConfigIssue } from '../../core/config/schema.js';
import type { AgentConfig } from '../../core/config/types.js';
import { TribuneError } from '../../core/errors.js';

let root: string;
let counter = 0;
const fixedHost = { hostname: () => 'test-host' };

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'tribune-config-load-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

async function fixture(files: Record<string, unknown>): Promise<string> {
  counter++;
  const dir = join(root, `case-${counter}`);
  await mkdir(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return dir;
}

function configInvalid(check: (issues: ConfigIssue[], message: string) => void) {
  return (err: unknown) => {
    assert.ok(err instanceof TribuneError, String(err));
    assert.equal(err.code, 'CONFIG_INVALID');
    check(err.details?.issues as ConfigIssue[], err.message);
    return true;
  };
}

describe('loadConfig', () => {
  test('files merge in order over the defaults, and flags beat files', async () => {
    const dir = await fixture({
      'conf.d/10-agent.json': { data_dir: '/data', node_name: 'from-file', ports: { http: 8501, dns: 8653 } },
      'conf.d/20-web.json': { service: { name: 'web', port: 80 }, retry_join: ['10.0.0.1'] },
      'extra.json': { services: [{ name: 'db', port: 5432 }], log_level: 'warn' },
    });
    const loaded = await loadConfig(
      [
        '-config-dir',
        'conf.d',
        '-config-file=extra.json',
        '-node',
        'from-flag',
        '-http-port=9500',
        '-retry-join=10.0.0.2',
      ],
      { cwd: dir, ...fixedHost },
    );
    const { config } = loaded;
    assert.equal(config.node_name, 'from-flag');
    assert.deepEqual(config.ports, { ...config.ports, http: 9500, dns: 8653 });
    assert.equal(config.ports.server, 8300);
    assert.equal(config.log_level, 'warn');
    assert.deepEqual(
      config.services.map((s) => s.id),
      ['web', 'db'],
    );
    assert.deepEqual(config.retry_join, ['10.0.0.1', '10.0.0.2']);
    assert.deepEqual(loaded.sources, [
      join(dir, 'conf.d/10-agent.json'),
      join(dir, 'conf.d/20-web.json'),
      join(dir, 'extra.json'),
    ]);
    assert.deepEqual(loaded.watch, { files: [join(dir, 'extra.json')], dirs: [join(dir, 'conf.d')] });
    assert.deepEqual(loaded.watchPaths.sort(), [join(dir, 'conf.d'), join(dir, 'extra.json')].sort());
  });

  test('the node name defaults to the host name', async () => {
    const dir = await fixture({ 'a.json': { data_dir: '/d' } });
    const { config } = await loadConfig(['-config-file', join(dir, 'a.json')], fixedHost);
    assert.equal(config.node_name, 'test-host');
  });

  test('-dev implies server, bootstrap, ui and debug logging, needs no data_dir, and files still win', async () => {
    const dir = await fixture({ 'package.json': '{}' });
    const { config } = await loadConfig(['-dev'], { cwd: dir, ...fixedHost });
    assert.equal(config.dev, true);
    assert.equal(config.server, true);
    assert.equal(config.bootstrap, true);
    assert.equal(config.ui, true);
    assert.equal(config.log_level, 'debug');
    assert.equal(config.data_dir, undefined);

    const withFlag = await loadConfig(['-dev', '-log-level=warn'], { cwd: dir, ...fixedHost });
    assert.equal(withFlag.config.log_level, 'warn');
    const fileDir = await fixture({ 'a.json': { log_level: 'error' } });
    const withFile = await loadConfig(['-dev', '-config-dir', fileDir], fixedHost);
    assert.equal(withFile.config.log_level, 'error');
  });

  test('without config paths, cosmiconfig discovers the main config from cwd', async () => {
    const dir = await fixture({
      'package.json': { name: 'app', tribune: { data_dir: '/from-pkg', datacenter: 'West' } },
    });
    const loaded = await loadConfig(['-node=n'], { cwd: dir });
    assert.equal(loaded.config.data_dir, '/from-pkg');
    assert.equal(loaded.config.datacenter, 'west');
    assert.deepEqual(loaded.sources, [join(dir, 'package.json')]);
    assert.deepEqual(loaded.watch.files, [join(dir, 'package.json')]);
  });

  test('an invalid config throws CONFIG_INVALID with every issue, each naming its file', async () => {
    const dir = await fixture({
      'a.json': { data_dir: '/d', ports: { http: 'x' } },
      'b.json': { service: { port: 1 }, nonsense: true },
    });
    await assert.rejects(
      loadConfig(['-config-dir', dir], fixedHost),
      configInvalid((issues, message) => {
        assert.deepEqual(issues, [
          { file: join(dir, 'b.json'), pointer: '/nonsense', message: 'invalid config key nonsense' },
          { file: join(dir, 'a.json'), pointer: '/ports/http', message: 'must be integer' },
          {
            file: join(dir, 'b.json'),
            pointer: '/services/0',
            message: "must have required property 'name'",
          },
        ]);
        assert.equal(
          message,
          [
            `${join(dir, 'b.json')}: /nonsense: invalid config key nonsense`,
            `${join(dir, 'a.json')}: /ports/http: must be integer`,
            `${join(dir, 'b.json')}: /services/0: must have required property 'name'`,
          ].join('\n'),
        );
      }),
    );
  });

  test('an unreadable file stops the load before validation', async () => {
    const dir = await fixture({ 'a.json': '{"data_dir": ' });
    await assert.rejects(
      loadConfig(['-config-dir', dir]),
      configInvalid((issues) => {
        assert.equal(issues.length, 1);
        assert.equal(issues[0]?.file, join(dir, 'a.json'));
        assert.match(issues[0]?.message ?? '', /^invalid JSON at line 1, column 14/);
      }),
    );
  });

  test('flag values are validated too, attributed to the command line', async () => {
    const dir = await fixture({ 'a.json': { data_dir: '/d' } });
    await assert.rejects(
      loadConfig(['-config-dir', dir, '-http-port=70000'], fixedHost),
      configInvalid((issues) => {
        assert.deepEqual(issues, [
          { file: 'command-line flags', pointer: '/ports/http', message: 'must be <= 65535' },
        ]);
      }),
    );
  });

  test('usage errors: unknown flags, stray arguments, help', async () => {
    await assert.rejects(loadConfig(['-bogus']), /flag provided but not defined: -bogus/);
    await assert.rejects(
      loadConfig(['-server', 'false']),
      (err: unknown) =>
        err instanceof TribuneError &&
        err.code === 'USAGE' &&
        /unexpected argument "false"/.test(err.message),
    );
    await assert.rejects(
      loadConfig(['-help']),
      (err: unknown) => err instanceof TribuneError && err.code === 'USAGE',
    );
  });

  test('plugin schemas may come from a function given the merged plugin list; relative plugin paths resolve beside their file', async () => {
    const dir = await fixture({
      'conf/a.json': {
        data_dir: '/d',
        plugins: ['./plugins/hook.js', 'some-package'],
        hook_config: { url: 'x' },
      },
    });
    let seen: readonly string[] = [];
    const loaded = await loadConfig(['-config-dir', join(dir, 'conf')], {
      ...fixedHost,
      pluginSchemas: async (plugins) => {
        seen = plugins;
        return { hook: { hook_config: { type: 'object', properties: { url: { type: 'string' } } } } };
      },
    });
    assert.deepEqual(seen, [join(dir, 'conf', 'plugins', 'hook.js'), 'some-package']);
    assert.deepEqual(loaded.config.plugins, seen);
    assert.deepEqual(loaded.config.hook_config, { url: 'x' });
    assert.deepEqual(loaded.warnings, []);
  });

  test('reloadConfig re-reads everything the same way', async () => {
    const dir = await fixture({ 'a.json': { data_dir: '/d', log_level: 'info' } });
    const first = await loadConfig(['-config-dir', dir, '-node=n'], fixedHost);
    await writeFile(join(dir, 'a.json'), JSON.stringify({ data_dir: '/d', log_level: 'debug' }));
    await writeFile(join(dir, 'b.json'), JSON.stringify({ service: { name: 'new' } }));
    const second = await reloadConfig(first.argv, fixedHost);
    assert.equal(second.config.log_level, 'debug');
    assert.equal(second.config.node_name, 'n');
    const diff = diffConfig(first.config, second.config);
    assert.equal(diff.logLevelChanged, true);
    assert.deepEqual(
      diff.services.added.map((s) => s.id),
      ['new'],
    );
  });
});

function baseConfig(extra: Partial<AgentConfig> = {}): AgentConfig {
  return {
    dev: false,
    server: false,
    bootstrap: false,
    bootstrap_expect: 0,
    datacenter: 'dc1',
    node_name: 'n',
    node_meta: {},
    bind_addr: '0.0.0.0',
    client_addr: '127.0.0.1',
    addresses: {},
    ports: { dns: 8600, http: 8500, https: -1, grpc: -1, serf_lan: 8301, serf_wan: 8302, server: 8300 },
    domain: 'consul.',
    recursors: [],
    retry_join: [],
    log_level: 'info',
    log_json: false,
    enable_script_checks: false,
    enable_local_script_checks: false,
    ui: false,
    default_query_time: '300s',
    max_query_time: '600s',
    limits: { kv_max_value_size: 524288, txn_max_req_len: 524288, http_max_conns_per_client: 200 },
    performance: { raft_multiplier: 5, rpc_hold_timeout: '7s' },
    services: [],
    checks: [],
    watches: [],
    templates: [],
    plugins: [],
    ...extra,
  };
}

describe('diffConfig', () => {
  test('identical configs give an empty diff', () => {
    const diff = diffConfig(baseConfig(), baseConfig());
    assert.equal(isEmptyDiff(diff), true);
    assert.deepEqual(diff.changedKeys, []);
  });

  test('services are matched by id (the name when no id) into added, changed and removed', () => {
    const previous = baseConfig({
      services: [
        { name: 'web', port: 80 },
        { name: 'db', id: 'db-1', port: 5432 },
        { name: 'cache', port: 6379 },
      ],
    });
    const next = baseConfig({
      services: [
        { name: 'web', port: 8080 },
        { name: 'db', id: 'db-1', port: 5432 },
        { name: 'queue', port: 5672 },
      ],
    });
    const diff = diffConfig(previous, next);
    assert.deepEqual(diff.services.added, [{ name: 'queue', port: 5672 }]);
    assert.deepEqual(diff.services.changed, [{ name: 'web', port: 8080 }]);
    assert.deepEqual(diff.services.removed, [{ name: 'cache', port: 6379 }]);
    assert.equal(isEmptyDiff(diff), false);
  });

  test('checks likewise', () => {
    const diff = diffConfig(
      baseConfig({
        checks: [
          { id: 'a', name: 'a', ttl: '1s' },
          { name: 'b', ttl: '1s' },
        ],
      }),
      baseConfig({
        checks: [
          { id: 'a', name: 'a', ttl: '2s' },
          { name: 'c', ttl: '1s' },
        ],
      }),
    );
    assert.deepEqual(
      diff.checks.added.map((c) => c.name),
      ['c'],
    );
    assert.deepEqual(
      diff.checks.changed.map((c) => c.ttl),
      ['2s'],
    );
    assert.deepEqual(
      diff.checks.removed.map((c) => c.name),
      ['b'],
    );
  });

  test('watches, templates, plugins and log level are flagged; everything else lands in changedKeys', () => {
    const diff = diffConfig(
      baseConfig(),
      baseConfig({
        watches: [{ type: 'key', key: 'x', args: ['true'] }],
        templates: [{ source: 'a', destination: 'b' }],
        plugins: ['./p.js'],
        log_level: 'debug',
        node_meta: { rack: 'r1' },
        ports: { dns: 8600, http: 9999, https: -1, grpc: -1, serf_lan: 8301, serf_wan: 8302, server: 8300 },
        dns_config: { allow_stale: false },
      }),
    );
    assert.equal(diff.watchesChanged, true);
    assert.equal(diff.templatesChanged, true);
    assert.equal(diff.pluginsChanged, true);
    assert.equal(diff.logLevelChanged, true);
    assert.deepEqual(diff.changedKeys, ['dns_config', 'node_meta', 'ports']);
    assert.equal(diff.previous.log_level, 'info');
    assert.equal(diff.next.log_level, 'debug');
  });
});
