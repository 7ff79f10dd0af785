import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileTemplate } from '../../plugins/template/core/engine.js';
import { TemplateError } from '../../plugins/template/core/errors.js';
import {
  type DataSource,
  type Dependency,
  type DependencyResults,
  MISSING,
  type Missing,
} from '../../plugins/template/core/functions/data-source.js';
import {
  type ConsulHealthEntry,
  catalogNode,
  catalogNodes,
  catalogSnippets,
  healthServices,
  keyPairs,
} from '../../plugins/template/core/functions/shapes.js';

/** A data source backed by a map of dependency id → data; anything else has not arrived. */
class FakeDataSource implements DataSource {
  readonly data = new Map<string, unknown>();
  readonly asked: string[] = [];
  env_: Record<string, string> = {};
  clock = 0;

  fetch<D extends Dependency>(dependency: D): DependencyResults[D['kind']] | Missing {
    this.asked.push(dependency.id);
    if (!this.data.has(dependency.id)) return MISSING;
    return this.data.get(dependency.id) as DependencyResults[D['kind']];
  }
  env(name: string): string | undefined {
    return this.env_[name];
  }
  now(): number {
    return this.clock;
  }
  set(id: string, value: unknown): this {
    this.data.set(id, value);
    return this;
  }
}

function entry(
  node: string,
  address: string,
  id: string,
  port: number,
  opts: Partial<{
    serviceAddress: string;
    tags: string[];
    statuses: string[];
    meta: Record<string, string>;
  }> = {},
): ConsulHealthEntry {
  return {
    Node: {
      ID: `${node}-id`,
      Node: node,
      Address: address,
      Datacenter: 'dc1',
      TaggedAddresses: {},
      Meta: {},
    },
    Service: {
      ID: id,
      Service: id.split('-')[0] as string,
      Tags: opts.tags ?? [],
      Address: opts.serviceAddress ?? '',
      Meta: opts.meta ?? {},
      Port: port,
    },
    Checks: (opts.statuses ?? ['passing']).map((Status, i) => ({
      Node: node,
      CheckID: i === 0 ? 'serfHealth' : `service:${id}`,
      Name: 'check',
      Status,
      Output: '',
      ServiceID: i === 0 ? '' : id,
      ServiceName: '',
    })),
  };
}

const NGINX = `upstream web {
{{- range service "web" }}
  server {{ .Address }}:{{ .Port }};
{{- else }}
  server 127.0.0.1:65535; # no healthy backend
{{- end }}
}
`;

const HAPROXY = `{{- scratch.Set "balance" (keyOrDefault "haproxy/balance" "roundrobin") -}}
backend api
    balance {{ scratch.Get "balance" }}
{{- range $i, $s := service "api" }}
    server api-{{ $i }} {{ $s.Address }}:{{ $s.Port }} check{{ if $s.Tags | contains "backup" }} backup{{ end }}
{{- end }}
`;

describe('rendering real-world consul-template templates', () => {
  test('nginx upstream: first render incomplete with its dependency listed, second render complete', () => {
    const tmpl = compileTemplate(NGINX, { name: 'nginx.conf.ctmpl' });
    const ds = new FakeDataSource();

    const first = tmpl.render(ds);
    assert.equal(first.complete, false);
    assert.equal(first.error, undefined);
    assert.deepEqual(
      first.missing.map((d) => d.id),
      ['health.service(web|passing)'],
    );
    assert.deepEqual(first.dependencies, first.missing);
    const dep = first.missing[0];
    assert.ok(dep?.kind === 'health.service');
    assert.equal(dep.name, 'web');
    assert.deepEqual(dep.filters, ['passing']);
    // The placeholder is an empty list, so the {{else}} branch rendered.
    assert.match(first.output, /no healthy backend/);

    ds.set(
      dep.id,
      healthServices(
        [
          entry('node-b', '10.0.0.2', 'web-2', 8081),
          entry('node-a', '10.0.0.1', 'web-1', 8080, { serviceAddress: '192.168.1.1' }),
          entry('node-c', '10.0.0.3', 'web-3', 8082, { statuses: ['passing', 'critical'] }),
        ],
        dep,
      ),
    );
    const second = tmpl.render(ds);
    assert.equal(second.complete, true);
    assert.deepEqual(second.missing, []);
    assert.equal(second.output, 'upstream web {\n  server 192.168.1.1:8080;\n  server 10.0.0.2:8081;\n}\n');
  });

  test('haproxy backend with range $i, $s, scratch and keyOrDefault', () => {
    const tmpl = compileTemplate(HAPROXY, { name: 'haproxy.cfg.ctmpl' });
    const ds = new FakeDataSource();
    const first = tmpl.render(ds);
    assert.equal(first.complete, false);
    assert.deepEqual(
      first.missing.map((d) => d.id),
      ['kv.get(haproxy/balance)', 'health.service(api|passing)'],
    );
    assert.equal(first.output, 'backend api\n    balance roundrobin\n');

    ds.set('kv.get(haproxy/balance)', 'leastconn');
    const dep = { filters: ['passing'] };
    ds.set(
      'health.service(api|passing)',
      healthServices(
        [
          entry('n1', '10.1.0.1', 'api-1', 9000, { tags: ['v1'] }),
          entry('n2', '10.1.0.2', 'api-2', 9000, { tags: ['backup', 'v1'] }),
        ],
        dep,
      ),
    );
    const second = tmpl.render(ds);
    assert.equal(second.complete, true);
    assert.equal(
      second.output,
      'backend api\n    balance leastconn\n    server api-0 10.1.0.1:9000 check\n    server api-1 10.1.0.2:9000 check backup\n',
    );
  });

  test('an empty key value falls back to keyOrDefault’s default; a scratch pad is fresh each render', () => {
    const tmpl = compileTemplate(
      '{{ scratch.SetX "a" "first" }}{{ scratch.Get "a" }}{{ scratch.Set "a" "x" }}',
    );
    const ds = new FakeDataSource();
    assert.equal(tmpl.render(ds).output, 'first');
    assert.equal(tmpl.render(ds).output, 'first');
    const kv = compileTemplate('{{ keyOrDefault "k" "def" }}');
    ds.set('kv.get(k)', '');
    assert.equal(kv.render(ds).output, 'def');
    ds.set('kv.get(k)', null);
    assert.equal(kv.render(ds).output, 'def');
    ds.set('kv.get(k)', 'v');
    assert.equal(kv.render(ds).output, 'v');
  });
});

describe('data functions: dependencies, placeholders and completeness', () => {
  test('key waits until the key exists; keyExists does not', () => {
    const ds = new FakeDataSource();
    const tmpl = compileTemplate('[{{ key "app/config@dc2" }}][{{ keyExists "app/flag" }}]');
    let r = tmpl.render(ds);
    assert.deepEqual(
      r.dependencies.map((d) => d.id),
      ['kv.block(app/config@dc2)', 'kv.get(app/flag)'],
    );
    const dep = r.dependencies[0];
    assert.ok(dep?.kind === 'kv.get');
    assert.equal(dep.key, 'app/config');
    assert.equal(dep.dc, 'dc2');
    assert.equal(dep.block, true);
    assert.equal(r.output, '[][false]');

    ds.set('kv.block(app/config@dc2)', null).set('kv.get(app/flag)', null);
    r = tmpl.render(ds);
    assert.equal(r.complete, false, 'an absent key keeps `key` waiting');
    assert.deepEqual(
      r.missing.map((d) => d.id),
      ['kv.block(app/config@dc2)'],
    );
    ds.set('kv.block(app/config@dc2)', 'value');
    r = tmpl.render(ds);
    assert.equal(r.complete, true);
    assert.equal(r.output, '[value][false]');
  });

  test('ls lists direct children, tree every leaf; safeLs refuses an empty prefix', () => {
    const pairs = keyPairs(
      [
        { Key: 'svc/', Value: null },
        { Key: 'svc/a', Value: '1' },
        { Key: 'svc/b', Value: '2' },
        { Key: 'svc/sub/', Value: null },
        { Key: 'svc/sub/c', Value: '3' },
      ],
      'svc',
    );
    const ds = new FakeDataSource().set('kv.list(svc)', pairs).set('kv.list(empty)', []);
    const tmpl = compileTemplate(
      '{{ range ls "svc" }}{{ .Key }}={{ .Value }} {{ end }}| {{ range tree "svc" }}{{ .Key }}={{ .Value }} {{ end }}',
    );
    const r = tmpl.render(ds);
    assert.equal(r.output, 'a=1 b=2 | a=1 b=2 sub/c=3 ');
    assert.equal(r.complete, true);
    assert.equal(compileTemplate('{{ ls "empty" }}').render(ds).complete, true);
    const safe = compileTemplate('{{ safeLs "empty" }}{{ safeTree "svc" }}').render(ds);
    assert.equal(safe.complete, false);
    assert.deepEqual(
      safe.missing.map((d) => d.id),
      ['kv.list(empty)'],
    );
  });

  test('service query strings: tag, datacenter, near, filters, query options', () => {
    const tmpl = compileTemplate(
      '{{ service "prod.web@east~node1|passing,warning" }}{{ service "db" "any" }}{{ service "redis?ns=team&partition=p" }}',
    );
    const r = tmpl.render(new FakeDataSource());
    assert.deepEqual(
      r.dependencies.map((d) => d.id),
      [
        'health.service(prod.web@east~node1|passing,warning)',
        'health.service(db|any)',
        'health.service(redis@partition=p@ns=team|passing)',
      ],
    );
    const first = r.dependencies[0];
    assert.ok(first?.kind === 'health.service');
    assert.deepEqual(
      { name: first.name, tag: first.tag, dc: first.dc, near: first.near, filters: first.filters },
      { name: 'web', tag: 'prod', dc: 'east', near: 'node1', filters: ['passing', 'warning'] },
    );
  });

  test('a malformed query is the function’s error', () => {
    const r = compileTemplate('\n  {{ service "web|bogus" }}', { name: 'x.ctmpl' }).render(
      new FakeDataSource(),
    );
    assert.ok(r.error instanceof TemplateError);
    assert.equal(
      r.error.message,
      'template: x.ctmpl:2:5: executing "x.ctmpl" at <service "web|bogus">: error calling service: health.service: invalid filter: "bogus" in "web|bogus"',
    );
    assert.equal(r.complete, false);
    assert.equal(r.output, '');
    const bad = compileTemplate('{{ key "a@b@c" }}').render(new FakeDataSource());
    assert.match(bad.error?.message ?? '', /error calling key: kv.get: invalid format: "a@b@c"$/);
  });

  test('services, node, nodes, datacenters, file and env', () => {
    const ds = new FakeDataSource()
      .set('catalog.services', catalogSnippets({ web: ['b', 'a'], consul: [] }))
      .set(
        'catalog.node(n1)',
        catalogNode({ Node: 'n1', Address: '10.0.0.1' }, [
          { ID: 'web-1', Service: 'web', Port: 80 },
          { ID: 'api-1', Service: 'api', Port: 81 },
        ]),
      )
      .set(
        'catalog.nodes',
        catalogNodes([
          { Node: 'n2', Address: '2' },
          { Node: 'n1', Address: '1' },
        ]),
      )
      .set('catalog.datacenters', ['dc1', 'dc2'])
      .set('file(/etc/motd)', 'hello');
    ds.env_ = { HOME: '/root' };
    const tmpl = compileTemplate(
      [
        '{{ range services }}{{ .Name }}:{{ join "," .Tags }} {{ end }}',
        '{{ with node "n1" }}{{ .Node.Node }} {{ range .Services }}{{ .Service }}/{{ .Port }} {{ end }}{{ end }}',
        '{{ range nodes }}{{ .Node }}={{ .Address }} {{ end }}',
        '{{ datacenters }} {{ file " /etc/motd " }} {{ env "HOME" }}[{{ env "NOPE" }}]',
      ].join('|'),
    );
    const r = tmpl.render(ds);
    assert.equal(r.complete, true);
    assert.equal(r.output, 'consul: web:a,b |n1 api/81 web/80 |n1=1 n2=2 |[dc1 dc2] hello /root[]');
  });

  test('a misspelt field of a service is an error, a missing meta key is empty (missingkey=zero)', () => {
    const ds = new FakeDataSource().set(
      'health.service(web|passing)',
      healthServices([entry('n', '10.0.0.1', 'web-1', 80, { meta: { version: '2' } })], {
        filters: ['passing'],
      }),
    );
    const ok = compileTemplate(
      '{{ range service "web" }}[{{ .ServiceMeta.version }}][{{ .ServiceMeta.nope }}]{{ end }}',
    );
    assert.equal(ok.render(ds).output, '[2][]');
    const bad = compileTemplate('{{ range service "web" }}{{ .Adress }}{{ end }}', { name: 't' }).render(ds);
    assert.equal(
      bad.error?.message,
      'template: t:1:28: executing "t" at <.Adress>: can\'t evaluate field Adress in type *dependency.HealthService',
    );
    const strict = compileTemplate('{{ range service "web" }}{{ .ServiceMeta.nope }}{{ end }}', {
      name: 't',
      errorOnMissingKey: true,
    }).render(ds);
    assert.match(strict.error?.message ?? '', /map has no entry for key "nope"$/);
  });

  test('dependencies are listed once each, in first-use order, across define/template', () => {
    const tmpl = compileTemplate(
      '{{ define "w" }}{{ range service "web" }}{{ .ID }}{{ end }}{{ end }}{{ key "a" }}{{ template "w" }}{{ template "w" }}{{ key "a" }}',
    );
    const r = tmpl.render(new FakeDataSource());
    assert.deepEqual(
      r.dependencies.map((d) => d.id),
      ['kv.block(a)', 'health.service(web|passing)'],
    );
    assert.deepEqual([...tmpl.templates].sort(), ['', 'w']);
  });

  test('executeTemplate renders a named template to a string', () => {
    const tmpl = compileTemplate('{{ define "x" }}<{{ . }}>{{ end }}{{ executeTemplate "x" 5 | toUpper }}');
    assert.equal(tmpl.render(new FakeDataSource()).output, '<5>');
  });

  test('parse errors name the file and line; unknown functions are refused', () => {
    assert.throws(() => compileTemplate('ok\n{{ servce "web" }}', { name: 'web.ctmpl' }), {
      name: 'TemplateError',
      message: 'template: web.ctmpl:2: function "servce" not defined',
    });
    assert.throws(() => compileTemplate('{{ getv "/x" }}'), {
      message: 'template: :1: function "getv" not defined',
    });
  });

  test('custom delimiters and extra functions', () => {
    const tmpl = compileTemplate('[[ shout "hi" ]] {{ untouched }}', {
      leftDelim: '[[',
      rightDelim: ']]',
      functions: { shout: { params: ['string'], call: ([s]) => `${String(s)}!` } },
    });
    assert.equal(tmpl.render(new FakeDataSource()).output, 'hi! {{ untouched }}');
  });
});

describe('confd flavour', () => {
  const store = new Map([
    ['/app/db/host', 'db.local'],
    ['/app/db/port', '5432'],
    ['/app/upstream/a', '10.0.0.1:80'],
    ['/app/upstream/b', '10.0.0.2:80'],
    ['/app/name', 'demo'],
  ]);

  test('store functions render once the store has arrived', () => {
    const tmpl = compileTemplate(
      [
        'name={{ getv "/app/name" }} port={{ getv "/app/db/port" }} missing={{ getv "/app/nope" "dflt" }}',
        '{{ range gets "/app/upstream/*" }}server {{ base .Key }} {{ .Value }};{{ end }}',
        '{{ range getvs "/app/upstream/*" }}[{{ . }}]{{ end }} {{ ls "/app" }} {{ lsdir "/app" }}',
        '{{ if exists "/app/db/host" }}{{ (get "/app/db/host").Value }}{{ end }}',
      ].join('\n'),
      { flavour: 'confd', name: 'app.conf.tmpl' },
    );
    const ds = new FakeDataSource();
    const first = tmpl.render(ds);
    assert.equal(first.complete, false);
    assert.deepEqual(
      first.missing.map((d) => d.id),
      ['confd.store'],
    );
    ds.set('confd.store', store);
    const second = tmpl.render(ds);
    assert.equal(second.error, undefined);
    assert.equal(second.complete, true);
    assert.equal(
      second.output,
      [
        'name=demo port=5432 missing=dflt',
        'server a 10.0.0.1:80;server b 10.0.0.2:80;',
        '[10.0.0.1:80][10.0.0.2:80] [db name upstream] [db upstream]',
        'db.local',
      ].join('\n'),
    );
  });

  test('a key that does not exist is an error once the store is there', () => {
    const ds = new FakeDataSource().set('confd.store', store);
    const r = compileTemplate('{{ getv "/nope" }}', { flavour: 'confd', name: 'c' }).render(ds);
    assert.equal(
      r.error?.message,
      'template: c:1:3: executing "c" at <getv "/nope">: error calling getv: key does not exist: /nope',
    );
  });

  test('confd helpers keep confd’s argument order and missingkey default', () => {
    const ds = new FakeDataSource().set('confd.store', store);
    ds.env_ = { HOST: 'h1' };
    const tmpl = compileTemplate(
      [
        '{{ join (split "a,b,c" ",") "-" }} {{ replace "aaa" "a" "b" 2 }} {{ contains "hello" "ell" }}',
        '{{ toUpper "abc" }} {{ toLower "ÀB" }} {{ dir "/a/b/c" }} {{ base "/a/b/" }}',
        '{{ add 1 2 }} {{ sub 1 2 }} {{ mul 3 4 }} {{ div 7 2 }} {{ mod 7 2 }} {{ seq 1 3 }} {{ atoi "42" }}',
        '{{ $m := json "{\\"a\\":1,\\"b\\":[true,null]}" }}{{ $m.a }} {{ $m.b }} {{ index (jsonArray "[1,2]") 1 }}',
        '{{ getenv "HOST" }} {{ getenv "NOPE" "def" }} {{ base64Encode "hi" }} {{ base64Decode "aGk=" }}',
        '{{ reverse (split "a,b" ",") }} {{ sortByLength (split "ccc,a,bb" ",") }} {{ (map "k" 1).k }} {{ .nope }}',
        '{{ range sortKVByLength (gets "/app/*/*") }}{{ .Key }} {{ end }}',
      ].join('\n'),
      { flavour: 'confd' },
    );
    const r = tmpl.render(ds);
    assert.equal(r.error, undefined);
    assert.equal(
      r.output,
      [
        'a-b-c bba true',
        'ABC àb /a/b b',
        '3 -1 12 3 1 [1 2 3] 42',
        '1 [true <nil>] 2',
        'h1 def aGk= hi',
        '[b a] [a bb ccc] 1 <no value>',
        '/app/db/host /app/db/port /app/upstream/a /app/upstream/b ',
      ].join('\n'),
    );
  });

  test('confd errors read as confd’s (Go strconv and encoding/json)', () => {
    const ds = new FakeDataSource().set('confd.store', store);
    const err = (src: string) =>
      compileTemplate(src, { flavour: 'confd', name: 'c' }).render(ds).error?.message ?? '';
    assert.match(err('{{ atoi "x" }}'), /error calling atoi: strconv.Atoi: parsing "x": invalid syntax$/);
    assert.match(
      err('{{ json "[1]" }}'),
      /error calling json: json: cannot unmarshal array into Go value of type map\[string\]interface \{\}$/,
    );
    assert.match(err('{{ json "{" }}'), /error calling json: unexpected end of JSON input$/);
    assert.match(err('{{ div 1 0 }}'), /error calling div: runtime error: integer divide by zero$/);
    assert.match(err('{{ map "a" }}'), /error calling map: invalid map call$/);
    assert.match(
      err('{{ base64Decode "a" }}'),
      /error calling base64Decode: illegal base64 data at input byte 0$/,
    );
    assert.match(err('{{ gets "/app/[" }}'), /error calling gets: syntax error in pattern$/);
  });

  test('lookupIP and lookupSRV are dependencies resolved by the caller', () => {
    const tmpl = compileTemplate(
      '{{ lookupIP "db.local" }} {{ range lookupSRV "http" "tcp" "web.local" }}{{ .Target }}:{{ .Port }} {{ end }}',
      {
        flavour: 'confd',
      },
    );
    const ds = new FakeDataSource();
    const first = tmpl.render(ds);
    assert.deepEqual(
      first.missing.map((d) => d.id),
      ['dns.ip(db.local)', 'dns.srv(_http._tcp.web.local)'],
    );
    ds.set('dns.ip(db.local)', ['10.0.0.9', '10.0.0.10']).set('dns.srv(_http._tcp.web.local)', [
      { Target: 'b.', Port: 80, Priority: 1, Weight: 1 },
      { Target: 'a.', Port: 81, Priority: 1, Weight: 1 },
    ]);
    const second = tmpl.render(ds);
    assert.equal(second.output, '[10.0.0.10 10.0.0.9] a.:81 b.:80 ');
  });

  test('datetime uses the injected clock, formatted with Go layouts', () => {
    const ds = new FakeDataSource();
    ds.clock = Date.UTC(2024, 1, 29, 13, 4, 5, 678);
    const tmpl = compileTemplate(
      '{{ datetime.Format "2006-01-02T15:04:05Z07:00" }} {{ (datetime).Format "Jan _2 03:04PM .000 Mon" }} {{ datetime }}',
      {
        flavour: 'confd',
      },
    );
    assert.equal(
      tmpl.render(ds).output,
      '2024-02-29T13:04:05Z Feb 29 01:04PM .678 Thu 2024-02-29 13:04:05.678 +0000 UTC',
    );
  });
});
