/** The dns plugin's config: the dns_config schema, its defaults, the settings read from it, recursor addresses. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import pino from 'pino';
import { defaultConfig } from '../../core/config/defaults.js';
import type { ConfigDiff } from '../../core/config/diff.js';
import { mergeConfig } from '../../core/config/merge.js';
import { buildConfigValidator } from '../../core/config/schema.js';
import type { AgentConfig } from '../../core/config/types.js';
import { TribuneError } from '../../core/errors.js';
import { Kernel } from '../../core/kernel.js';
import { createCatalogPlugin } from '../../plugins/catalog/index.js';
import { parseRecursor } from '../../plugins/dns/adapters/recursor.js';
import { configuredDomains, configuredRecursors } from '../../plugins/dns/handler.js';
import { createDnsPlugin } from '../../plugins/dns/index.js';
import { dnsSettings } from '../../plugins/dns/schema.js';
import { createHttpPlugin } from '../../plugins/http/index.js';
import { testConfig } from '../helpers/test-config.js';

const validator = buildConfigValidator({ dns: createDnsPlugin().configSchema });

function validate(file: Record<string, unknown>) {
  const { value, provenance } = mergeConfig([
    { data: defaultConfig() },
    { data: { data_dir: '/var/lib/tribune', node_name: 'n1' } },
    { name: 'dns.json', data: file },
  ]);
  return validator.validate(value, provenance);
}

describe('dns_config schema', () => {
  test('the plugin owns dns_config: no "unused" warning, Consul defaults filled in (enable_truncate on)', () => {
    const result = validate({});
    assert.deepEqual(result.issues, []);
    assert.deepEqual(result.warnings, []);
    assert.deepEqual(result.config.dns_config, {
      allow_stale: true,
      max_stale: '87600h',
      node_ttl: '0s',
      service_ttl: {},
      enable_truncate: true,
      only_passing: false,
      recursor_strategy: 'sequential',
      recursor_timeout: '2s',
      disable_compression: false,
      udp_answer_limit: 3,
      a_record_limit: 0,
      enable_additional_node_meta_txt: true,
      soa: { refresh: 3600, retry: 600, expire: 86400, min_ttl: 0 },
      use_cache: false,
      cache_max_age: '0s',
    });
  });

  test('a full block is accepted as written', () => {
    const block = {
      allow_stale: false,
      max_stale: '10s',
      node_ttl: '30s',
      service_ttl: { '*': '5s', 'web*': '10s', api: '1m' },
      enable_truncate: false,
      only_passing: true,
      recursor_strategy: 'random',
      recursor_timeout: '500ms',
      disable_compression: true,
      udp_answer_limit: 5,
      a_record_limit: 2,
      enable_additional_node_meta_txt: false,
      soa: { refresh: 1, retry: 2, expire: 3, min_ttl: 4 },
      use_cache: true,
      cache_max_age: '5s',
    };
    const result = validate({ dns_config: block });
    assert.deepEqual(result.issues, []);
    assert.deepEqual(result.config.dns_config, block);
  });

  test('typos, bad values and bad durations are reported with the file and the pointer', () => {
    const result = validate({
      dns_config: {
        enable_truncat: true,
        recursor_strategy: 'fastest',
        node_ttl: 'soon',
        udp_answer_limit: 0,
        soa: { minttl: 1 },
        service_ttl: { web: 'later' },
      },
    });
    const found = result.issues.map((i) => `${i.file}: ${i.pointer}: ${i.message}`);
    assert.ok(
      found.includes('dns.json: /dns_config/enable_truncat: invalid config key dns_config.enable_truncat'),
      found.join('\n'),
    );
    assert.ok(
      found.includes('dns.json: /dns_config/soa/minttl: invalid config key dns_config.soa.minttl'),
      found.join('\n'),
    );
    assert.ok(
      found.some((f) =>
        f.startsWith('dns.json: /dns_config/recursor_strategy: must be equal to one of the allowed values'),
      ),
    );
    assert.ok(
      found.includes('dns.json: /dns_config/node_ttl: invalid duration "soon" (want e.g. "10s", "1m30s")'),
    );
    assert.ok(
      found.includes(
        'dns.json: /dns_config/service_ttl/web: invalid duration "later" (want e.g. "10s", "1m30s")',
      ),
    );
    assert.ok(found.some((f) => f.startsWith('dns.json: /dns_config/udp_answer_limit:')));
  });
});

describe('settings read from a config', () => {
  test('defaults when the block is missing (hand-built configs skip validation)', () => {
    assert.deepEqual(dnsSettings(testConfig()), {
      allowStale: true,
      maxStaleMs: 87600 * 3600_000,
      nodeTtl: 0,
      serviceTtl: {},
      enableTruncate: true,
      onlyPassing: false,
      recursorStrategy: 'sequential',
      recursorTimeoutMs: 2000,
      disableCompression: false,
      udpAnswerLimit: 3,
      aRecordLimit: 0,
      nodeMetaTxt: true,
      soa: { refresh: 3600, retry: 600, expire: 86400, minTtl: 0 },
    });
  });

  test('durations become seconds (TTLs) and milliseconds (timeouts)', () => {
    const settings = dnsSettings(
      testConfig({
        dns_config: {
          node_ttl: '1m30s',
          service_ttl: { web: '10s', 'db*': '1.5s' },
          recursor_timeout: '250ms',
        },
      } as Partial<AgentConfig>),
    );
    assert.equal(settings.nodeTtl, 90);
    assert.deepEqual(settings.serviceTtl, { web: 10, 'db*': 1 });
    assert.equal(settings.recursorTimeoutMs, 250);
  });

  test('domains: the domain, then a different alt_domain, normalised', () => {
    assert.deepEqual(configuredDomains(testConfig({ domain: 'Consul.' })), ['consul']);
    assert.deepEqual(configuredDomains(testConfig({ domain: 'consul.', alt_domain: 'Alt.Test.' })), [
      'consul',
      'alt.test',
    ]);
    assert.deepEqual(configuredDomains(testConfig({ domain: 'consul.', alt_domain: 'consul' })), ['consul']);
  });
});

describe('recursor addresses', () => {
  test('host, host:port, IPv6 with and without brackets, hostnames', () => {
    assert.deepEqual(parseRecursor('8.8.8.8'), { host: '8.8.8.8', port: 53, text: '8.8.8.8' });
    assert.deepEqual(parseRecursor('127.0.0.2:5353'), {
      host: '127.0.0.2',
      port: 5353,
      text: '127.0.0.2:5353',
    });
    assert.deepEqual(parseRecursor('::1'), { host: '::1', port: 53, text: '::1' });
    assert.deepEqual(parseRecursor('[::1]:5353'), { host: '::1', port: 5353, text: '[::1]:5353' });
    assert.deepEqual(parseRecursor('dns.example:54'), {
      host: 'dns.example',
      port: 54,
      text: 'dns.example:54',
    });
  });

  test('bad addresses are configuration errors', () => {
    for (const bad of ['', '1.2.3.4:', '1.2.3.4:x', '1.2.3.4:70000', 'a b', 'udp://1.2.3.4', '[::1]:0']) {
      assert.throws(
        () => parseRecursor(bad),
        (err: unknown) => err instanceof TribuneError && err.code === 'CONFIG_INVALID',
        bad,
      );
    }
    const invalid: unknown[] = [];
    const parsed = configuredRecursors(testConfig({ recursors: ['1.1.1.1', 'x:y'] }), (err) =>
      invalid.push(err),
    );
    assert.equal(parsed.length, 1);
    assert.equal(invalid.length, 1);
  });
});

describe('config reload', () => {
  test('an invalid recursor in the new config is reported as a reload problem', async () => {
    const kernel = new Kernel({ config: testConfig(), logger: pino({ level: 'silent' }) });
    kernel.use([createHttpPlugin(), createCatalogPlugin(), createDnsPlugin()]);
    const next = testConfig({ recursors: ['1.1.1.1', 'not a recursor'] });
    const diff: ConfigDiff = {
      previous: kernel.config,
      next,
      services: { added: [], changed: [], removed: [] },
      checks: { added: [], changed: [], removed: [] },
      watchesChanged: false,
      templatesChanged: false,
      pluginsChanged: false,
      logLevelChanged: false,
      changedKeys: ['recursors'],
      problems: [],
    };
    await kernel.hooks.onConfigReload.promise(diff);
    assert.deepEqual(diff.problems, ['invalid recursor address "not a recursor"']);
  });
});
