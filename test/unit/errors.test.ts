import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ERROR_TABLE, exitCodeOf, httpStatusOf, Rcode, rcodeOf, TribuneError } from '../../core/errors.js';

test('every error code maps to an HTTP status, an rcode and an exit code', () => {
  for (const [code, mapping] of Object.entries(ERROR_TABLE)) {
    const err = new TribuneError(code as keyof typeof ERROR_TABLE, 'x');
    assert.equal(err.httpStatus, mapping.http, code);
    assert.equal(err.rcode, mapping.rcode, code);
    assert.equal(err.exitCode, mapping.exit, code);
  }
});

test('foreign errors map to 500 / SERVFAIL / exit 1', () => {
  const err = new Error('boom');
  assert.equal(httpStatusOf(err), 500);
  assert.equal(rcodeOf(err), Rcode.SERVFAIL);
  assert.equal(exitCodeOf(err), 1);
  assert.equal(httpStatusOf(new TribuneError('NOT_FOUND', 'gone')), 404);
  assert.equal(exitCodeOf(new TribuneError('NOTHING_MATCHED', 'none')), 2);
});
