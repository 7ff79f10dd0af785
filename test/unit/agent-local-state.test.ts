import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeServiceBody, serviceRegistration } from '../../plugins/agent/definitions.js';
import { type LocalChange, LocalState } from '../../plugins/agent/local-state.js';

function web(tags: string[] = []) {
  return serviceRegistration(
    decodeServiceBody({ Name: 'web', Tags: tags, Checks: [{ TTL: '10s' }, { TTL: '20s' }] }),
  );
}

function seeded(): LocalState {
  const state = new LocalState();
  const reg = web(['v1']);
  state.upsertService({ service: reg.service, source: 'api', token: '' });
  for (const check of reg.checks) {
    state.upsertCheck({ check: check.row, definition: check.definition, source: 'api', token: '' });
  }
  return state;
}

describe('LocalState', () => {
  test('entries start out of sync and carry their source', () => {
    const state = seeded();
    assert.equal(state.service('web')?.source, 'api');
    assert.equal(state.service('web')?.inSync, false);
    assert.deepEqual(
      state.checksOfService('web').map((c) => c.check.CheckID),
      ['service:web:1', 'service:web:2'],
    );
    assert.ok(state.checks().every((c) => !c.inSync && !c.outputDeferred));
  });

  test('re-registering a service with new tags updates the tags its checks carry', () => {
    const state = seeded();
    state.upsertService({ service: web(['v2']).service, source: 'api', token: '' });
    for (const entry of state.checksOfService('web')) assert.deepEqual(entry.check.ServiceTags, ['v2']);
  });

  test('removing a service removes its checks; only the service is left to deregister in the catalog', () => {
    const state = seeded();
    const removed = state.removeService('web');
    assert.equal(removed?.checks.length, 2);
    assert.equal(state.checks().length, 0);
    assert.deepEqual([...state.pendingServiceRemovals], ['web']);
    assert.deepEqual([...state.pendingCheckRemovals], []);
    assert.equal(state.removeService('web'), undefined);
  });

  test('adding back what was removed cancels its pending removal', () => {
    const state = seeded();
    const check = state.removeCheck('service:web:1');
    assert.deepEqual([...state.pendingCheckRemovals], ['service:web:1']);
    state.upsertCheck({ check: check!.check, definition: check!.definition, source: 'api', token: '' });
    assert.deepEqual([...state.pendingCheckRemovals], []);
  });

  test('a status change marks the check out of sync; output alone does not', () => {
    const state = seeded();
    const entry = state.check('service:web:1')!;
    entry.inSync = true;
    const outputOnly = state.setCheckStatus('service:web:1', 'critical', 'still down');
    assert.deepEqual(outputOnly, { previous: 'critical', statusChanged: false, outputChanged: true });
    assert.equal(state.check('service:web:1')!.inSync, true);
    assert.equal(state.check('service:web:1')!.check.Output, 'still down');
    const flip = state.setCheckStatus('service:web:1', 'passing', 'ok');
    assert.deepEqual(flip, { previous: 'critical', statusChanged: true, outputChanged: true });
    assert.equal(state.check('service:web:1')!.inSync, false);
    assert.equal(state.setCheckStatus('missing', 'passing', ''), undefined);
  });

  test('listeners hear every change; a throwing listener is reported and does not stop the change', () => {
    const errors: unknown[] = [];
    const state = new LocalState((err) => errors.push(err));
    const seen: LocalChange[] = [];
    state.onChange(() => {
      throw new Error('listener bug');
    });
    const off = state.onChange((change) => seen.push(change));
    const reg = web();
    state.upsertService({ service: reg.service, source: 'file', token: '' });
    state.upsertCheck({
      check: reg.checks[0]!.row,
      definition: reg.checks[0]!.definition,
      source: 'file',
      token: '',
    });
    state.setCheckStatus('service:web:1', 'warning', '');
    off();
    state.removeService('web');
    assert.deepEqual(seen, [
      { kind: 'service', id: 'web', op: 'upsert' },
      { kind: 'check', id: 'service:web:1', op: 'upsert' },
      { kind: 'check', id: 'service:web:1', op: 'status' },
    ]);
    assert.equal(errors.length, 5);
    assert.ok(state.service('web') === undefined);
  });

  test('waitForChange resolves on a change, on abort, and at its timeout', async () => {
    const state = new LocalState();
    const before = state.version;
    const waiting = state.waitForChange(60_000);
    state.upsertService({ service: web().service, source: 'api', token: '' });
    await waiting;
    assert.ok(state.version > before);

    const abort = new AbortController();
    const aborted = state.waitForChange(60_000, abort.signal);
    abort.abort();
    await aborted;

    await state.waitForChange(1);
    const released = state.waitForChange(60_000);
    state.releaseWaiters();
    await released;
  });
});
