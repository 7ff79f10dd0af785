/**
 * What `npm start` runs: a dev agent on config.d.example. The web service from web.json is in the
 * catalog, and the example plugin (loaded from `plugins` in a config file) records check transitions.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type AgentProcess, runCli, startAgentProcess, waitFor } from '../helpers/agent-process.js';

let agent: AgentProcess;

before(async () => {
  agent = await startAgentProcess(['-dev', '-config-dir', 'config.d.example']);
});
after(async () => {
  await agent?.stop();
});

test('the example web service is registered with its TTL check', async () => {
  const nodes = await waitFor('web in the catalog', async () => {
    const res = await fetch(`${agent.url}/v1/catalog/service/web`);
    const body = (await res.json()) as { ServiceTags: string[]; ServicePort: number; Node: string }[];
    return body.length > 0 ? body : undefined;
  });
  assert.deepEqual(nodes[0]?.ServiceTags, ['rails']);
  assert.equal(nodes[0]?.ServicePort, 80);
  assert.equal(nodes[0]?.Node, 'tribune-dev');
  const checks = (await (await fetch(`${agent.url}/v1/agent/checks`)).json()) as Record<
    string,
    { Status: string }
  >;
  assert.equal(checks['web-alive']?.Status, 'critical');
});

test('the example plugin records check transitions', async () => {
  const before = (await (await fetch(`${agent.url}/v1/example/check-events`)).json()) as unknown[];
  assert.deepEqual(before, []);
  const pass = await fetch(`${agent.url}/v1/agent/check/pass/web-alive?note=deployed`, { method: 'PUT' });
  assert.equal(pass.status, 200);
  const events = (await (await fetch(`${agent.url}/v1/example/check-events`)).json()) as {
    checkId: string;
    previous: string;
    status: string;
  }[];
  assert.equal(events.length, 1);
  assert.equal(events[0]?.checkId, 'web-alive');
  assert.equal(events[0]?.previous, 'critical');
  assert.equal(events[0]?.status, 'passing');
});

test('tribune validate accepts the example directory and rejects a broken one', () => {
  const ok = runCli(['validate', 'config.d.example']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stdout, 'Configuration is valid!\n');
  const bad = runCli(['validate', 'test/fixtures/bad-config']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr + bad.stdout, /bad-port\.json/);
  assert.match(bad.stderr + bad.stdout, /\/services\/0\/port/);
});
