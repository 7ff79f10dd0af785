import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TribuneError } from '../../core/errors.js';
import { StateStore } from '../../core/state/store.js';
import { applyKvOpCommand } from '../../plugins/kv/fsm.js';
import { kvTableIndex, toKvPair } from '../../plugins/kv/queries.js';
import { goEncodeQuery, keyValidationError, parseUint64 } from '../../plugins/kv/routes.js';
import {
  applyKvTxnCommand,
  decodeStdBase64,
  decodeTxnBody,
  dryRunTxn,
  MAX_TXN_OPS,
  readTxn,
  txnCannotSucceed,
} from '../../plugins/kv/txn.js';
import {
  type KvOp,
  type KvRow,
  type KvTxnOutcome,
  kvOp,
  TABLE_KV,
  TABLE_SESSIONS,
  TABLE_TOMBSTONES,
} from '../../plugins/kv/types.js';

const MAX_VALUE = 512 * 1024;
const body = (value: unknown) => Buffer.from(JSON.stringify(value));
const bytes = (text: string) => new Uint8Array(Buffer.from(text));

function rejects(fn: () => unknown, code: TribuneError['code'], message: string | RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof TribuneError);
    assert.equal(err.code, code);
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  });
}

function machine() {
  const store = new StateStore();
  let index = 0;
  return {
    store,
    set(key: string, value = '') {
      index += 1;
      applyKvOpCommand(
        store,
        { type: 'kv.set', op: kvOp({ verb: 'set', key, value: bytes(value) }) },
        {
          index,
          term: 1,
          time: 0,
          store,
        },
      );
      store.finishApply(index);
    },
    txn(ops: KvOp[], time = 0): KvTxnOutcome {
      index += 1;
      try {
        return applyKvTxnCommand(store, { type: 'kv.txn', ops }, { index, term: 1, time, store });
      } finally {
        store.finishApply(index);
      }
    },
    keys: () => keysOf(store),
    row: (key: string) => store.table<KvRow>(TABLE_KV).get(key),
  };
}

function keysOf(store: StateStore): string[] {
  return [...store.table<KvRow>(TABLE_KV).keysWithPrefix('')];
}

describe('txn body decoding', () => {
  test('field names are case-insensitive; Flags stay exact; Value is base64', () => {
    const raw = Buffer.from(
      '[{"kv":{"verb":"set","KEY":"a","value":"aGVsbG8=","Flags":18446744073709551615,"index":0,"Session":""}},' +
        '{"KV":{"Verb":"get","Key":"a"}},{"KV":{"Verb":"cas","Key":"b","Index":42,"Value":null}}]',
    );
    const ops = decodeTxnBody(raw, MAX_VALUE);
    assert.equal(ops.length, 3);
    assert.equal(ops[0]?.verb, 'set');
    assert.equal(ops[0]?.key, 'a');
    assert.equal(Buffer.from(ops[0]!.value).toString(), 'hello');
    assert.equal(ops[0]?.flags, '18446744073709551615');
    assert.equal(ops[2]?.index, 42);
    assert.equal(ops[2]?.value.length, 0);
  });

  test('malformed bodies are 400 "Failed to parse body: …"', () => {
    rejects(() => decodeTxnBody(Buffer.from(''), MAX_VALUE), 'BAD_REQUEST', 'Failed to parse body: EOF');
    rejects(
      () => decodeTxnBody(Buffer.from('{not json'), MAX_VALUE),
      'BAD_REQUEST',
      /^Failed to parse body: /,
    );
    rejects(
      () => decodeTxnBody(body({ KV: {} }), MAX_VALUE),
      'BAD_REQUEST',
      'Failed to parse body: json: cannot unmarshal object into Go value of type api.TxnOps',
    );
    rejects(
      () => decodeTxnBody(body([{ KV: { Verb: 'set', Key: 'a', Flags: -1 } }]), MAX_VALUE),
      'BAD_REQUEST',
      'Failed to parse body: json: cannot unmarshal number -1 into Go struct field KVTxnOp.KV.Flags of type uint64',
    );
    rejects(
      () =>
        decodeTxnBody(
          Buffer.from('[{"KV":{"Verb":"set","Key":"a","Flags":18446744073709551616}}]'),
          MAX_VALUE,
        ),
      'BAD_REQUEST',
      /of type uint64$/,
    );
    rejects(
      () => decodeTxnBody(body([{ KV: { Verb: 'set', Key: 'a', Value: 'abc' } }]), MAX_VALUE),
      'BAD_REQUEST',
      'Failed to parse body: illegal base64 data at input byte 0',
    );
    rejects(
      () => decodeTxnBody(body([{ KV: { Verb: 'set', Key: 7 } }]), MAX_VALUE),
      'BAD_REQUEST',
      'Failed to parse body: json: cannot unmarshal number 7 into Go struct field KVTxnOp.KV.Key of type string',
    );
  });

  test("more than 128 operations is a 413 with Consul's text", () => {
    const ops = Array.from({ length: MAX_TXN_OPS + 1 }, (_, i) => ({ KV: { Verb: 'get', Key: `k${i}` } }));
    rejects(
      () => decodeTxnBody(body(ops), MAX_VALUE),
      'TOO_LARGE',
      'Transaction contains too many operations (129 > 128)',
    );
    assert.equal(decodeTxnBody(body(ops.slice(0, MAX_TXN_OPS)), MAX_VALUE).length, 128);
  });

  test('a value over kv_max_value_size is a 413 naming the key', () => {
    const value = Buffer.alloc(11).toString('base64');
    rejects(
      () => decodeTxnBody(body([{ KV: { Verb: 'set', Key: 'big', Value: value } }]), 10),
      'TOO_LARGE',
      'Value for key "big" is too large (11 > 10 bytes)',
    );
  });

  test('catalog operations are refused clearly; empty operations are dropped', () => {
    rejects(
      () => decodeTxnBody(body([{ Node: { Verb: 'get', Node: { Node: 'n1' } } }]), MAX_VALUE),
      'BAD_REQUEST',
      /^Node operations in transactions are not supported yet/,
    );
    rejects(
      () => decodeTxnBody(body([{ service: { Verb: 'get' } }]), MAX_VALUE),
      'BAD_REQUEST',
      /^Service operations/,
    );
    assert.deepEqual(decodeTxnBody(body([{}, null, { KV: { Verb: 'get', Key: 'a' } }]), MAX_VALUE).length, 1);
  });

  test("base64 follows Go's StdEncoding: padding required, CR/LF ignored", () => {
    assert.equal(Buffer.from(decodeStdBase64('aGk=')).toString(), 'hi');
    assert.equal(Buffer.from(decodeStdBase64('aG\r\nk=')).toString(), 'hi');
    assert.equal(decodeStdBase64('').length, 0);
    rejects(
      () => decodeStdBase64('aGk'),
      'BAD_REQUEST',
      'Failed to parse body: illegal base64 data at input byte 0',
    );
    rejects(
      () => decodeStdBase64('aGk=aGk='),
      'BAD_REQUEST',
      'Failed to parse body: illegal base64 data at input byte 3',
    );
    rejects(
      () => decodeStdBase64('aG!k'),
      'BAD_REQUEST',
      'Failed to parse body: illegal base64 data at input byte 2',
    );
  });
});

describe('txn apply', () => {
  test('operations see the ones before them and commit together at one index', () => {
    const kv = machine();
    kv.set('old', 'x');
    const outcome = kv.txn([
      kvOp({ verb: 'set', key: 'a', value: bytes('1'), flags: '5' }),
      kvOp({ verb: 'get', key: 'a' }),
      kvOp({ verb: 'delete', key: 'old' }),
      kvOp({ verb: 'check-not-exists', key: 'old' }),
      kvOp({ verb: 'get-tree', key: 'a' }),
    ]);
    assert.equal(outcome.errors, null);
    const pairs = outcome.results!.map((result) => toKvPair(result.row, result.withValue));
    assert.deepEqual(pairs, [
      { LockIndex: 0, Key: 'a', Flags: 5n, Value: null, CreateIndex: 2, ModifyIndex: 2 },
      { LockIndex: 0, Key: 'a', Flags: 5n, Value: 'MQ==', CreateIndex: 2, ModifyIndex: 2 },
      { LockIndex: 0, Key: 'a', Flags: 5n, Value: 'MQ==', CreateIndex: 2, ModifyIndex: 2 },
    ]);
    assert.deepEqual(kv.keys(), ['a']);
    assert.equal(kv.store.table(TABLE_TOMBSTONES).has('old'), true);
    assert.equal(kvTableIndex(kv.store), 2);
  });

  test('one failing operation rolls everything back and reports every failure', () => {
    const kv = machine();
    kv.set('k', 'v');
    const before = { keys: kv.keys(), table: kvTableIndex(kv.store), topic: kv.store.topicIndex('kv/new') };
    const outcome = kv.txn([
      kvOp({ verb: 'set', key: 'new', value: bytes('n') }),
      kvOp({ verb: 'delete', key: 'k' }),
      kvOp({ verb: 'cas', key: 'k', index: 99 }),
      kvOp({ verb: 'get', key: 'missing' }),
      kvOp({ verb: 'check-index', key: 'k', index: 7 }),
      kvOp({ verb: 'frobnicate', key: 'k' }),
    ]);
    assert.equal(outcome.results, null);
    assert.deepEqual(outcome.errors, [
      { OpIndex: 2, What: 'failed to set key "k", index is stale' },
      { OpIndex: 3, What: 'key "missing" doesn\'t exist' },
      { OpIndex: 4, What: 'failed to check index, key "k" doesn\'t exist' },
      { OpIndex: 5, What: 'unknown KV verb "frobnicate"' },
    ]);
    assert.deepEqual(kv.keys(), before.keys);
    assert.equal(kvTableIndex(kv.store), before.table);
    assert.equal(kv.store.topicIndex('kv/new'), before.topic);
    assert.equal(kv.store.table(TABLE_TOMBSTONES).size, 0);
  });

  test('check operations return the entry without its value; checks that fail say why', () => {
    const kv = machine();
    kv.store.table(TABLE_SESSIONS).set('s1', { ID: 's1' });
    kv.set('k', 'secret');
    const index = kv.row('k')!.ModifyIndex;
    const ok = kv.txn([
      kvOp({ verb: 'check-index', key: 'k', index }),
      kvOp({ verb: 'check-session', key: 'k', session: '' }),
      kvOp({ verb: 'lock', key: 'k', session: 's1' }),
      kvOp({ verb: 'check-session', key: 'k', session: 's1' }),
    ]);
    assert.equal(ok.errors, null);
    assert.deepEqual(
      ok.results!.map((r) => [r.row.Key, r.withValue, r.row.Session ?? '']),
      [
        ['k', false, ''],
        ['k', false, ''],
        ['k', false, 's1'],
        ['k', false, 's1'],
      ],
    );
    const bad = kv.txn([
      kvOp({ verb: 'check-index', key: 'k', index: 1 }),
      kvOp({ verb: 'check-session', key: 'k', session: 'other' }),
      kvOp({ verb: 'check-not-exists', key: 'k' }),
      kvOp({ verb: 'unlock', key: 'k', session: 'other' }),
      kvOp({ verb: 'lock', key: 'k', session: 'nope' }),
      kvOp({ verb: 'delete-cas', key: 'k', index: 1 }),
    ]);
    assert.deepEqual(bad.errors, [
      { OpIndex: 0, What: `failed index check for key "k", current modify index ${index + 1} != 1` },
      { OpIndex: 1, What: 'failed session check for key "k", current session "s1" != "other"' },
      { OpIndex: 2, What: 'key "k" exists' },
      { OpIndex: 3, What: 'failed to unlock key "k", lock isn\'t held, or is held by another session' },
      { OpIndex: 4, What: 'invalid session "nope"' },
      { OpIndex: 5, What: 'failed to delete key "k", index is stale' },
    ]);
  });

  test('get-or-empty answers the request entry for a missing key; an empty key is refused before apply', () => {
    const kv = machine();
    const outcome = readTxn(kv.store, [kvOp({ verb: 'get-or-empty', key: 'nope', flags: '9', index: 4 })]);
    assert.deepEqual(
      outcome.results!.map((r) => toKvPair(r.row, r.withValue)),
      [{ LockIndex: 0, Key: 'nope', Flags: 9n, Value: null, CreateIndex: 0, ModifyIndex: 4 }],
    );
    assert.deepEqual(
      readTxn(kv.store, [kvOp({ verb: 'get', key: 'a' }), kvOp({ verb: 'get-tree', key: '' })]).errors,
      [{ OpIndex: 1, What: 'Must provide key' }],
    );
    // delete-tree alone may have an empty key: it empties the store.
    kv.set('a');
    assert.equal(kv.txn([kvOp({ verb: 'delete-tree', key: '' })]).errors, null);
    assert.deepEqual(keysOf(kv.store), []);
  });

  test('a key deleted and recreated in one transaction ends up present at the transaction index', () => {
    const kv = machine();
    kv.set('k', 'a');
    const outcome = kv.txn([
      kvOp({ verb: 'delete', key: 'k' }),
      kvOp({ verb: 'set', key: 'k', value: bytes('b') }),
    ]);
    assert.equal(outcome.errors, null);
    assert.equal(kv.row('k')?.ModifyIndex, 2);
    assert.equal(kv.row('k')?.CreateIndex, 2);
  });

  test('a doomed transaction is recognised before proposing, and its dry run changes nothing', () => {
    const kv = machine();
    kv.set('k');
    const ops = [kvOp({ verb: 'delete', key: 'k' }), kvOp({ verb: 'lock', key: 'k', session: '' })];
    assert.equal(txnCannotSucceed(ops), true);
    assert.equal(txnCannotSucceed([kvOp({ verb: 'set', key: 'k' })]), false);
    assert.deepEqual(dryRunTxn(kv.store, ops, 0).errors, [{ OpIndex: 1, What: 'missing session' }]);
    assert.deepEqual(keysOf(kv.store), ['k']);
    assert.equal(kv.store.table(TABLE_TOMBSTONES).size, 0);
  });
});

describe('kv HTTP parameter rules', () => {
  test('keys: traversal and surrounding spaces are refused, anything else is allowed', () => {
    for (const ok of [
      'a',
      'a/b/c',
      'con..fig',
      '..hidden',
      'a/b..',
      'foo bar',
      'ünïcödé/ключ',
      'a%2Fb',
      'x/',
    ]) {
      assert.equal(keyValidationError(ok), undefined, ok);
    }
    for (const bad of ['..', '../etc', 'a/../b', 'a/..', 'a\\..\\b']) {
      assert.equal(keyValidationError(bad), 'key contains path traversal sequence', bad);
    }
    for (const bad of ['%2e%2e/etc', 'a/%2E%2E%2Fb', 'a/..%2fb', '%252e%252e%252f']) {
      assert.equal(keyValidationError(bad), 'key contains encoded path traversal sequence', bad);
    }
    for (const bad of [' a', 'a ', '\ta']) {
      assert.equal(keyValidationError(bad), 'key must not have leading or trailing spaces', bad);
    }
  });

  test("uint64 parameters parse exactly, with Go's errors", () => {
    assert.equal(parseUint64('18446744073709551615'), 18446744073709551615n);
    assert.equal(parseUint64('007'), 7n);
    rejects(
      () => parseUint64('18446744073709551616'),
      'BAD_REQUEST',
      'strconv.ParseUint: parsing "18446744073709551616": value out of range',
    );
    for (const bad of ['', '-1', '+1', '1.5', 'abc', ' 1']) {
      rejects(
        () => parseUint64(bad),
        'BAD_REQUEST',
        `strconv.ParseUint: parsing ${JSON.stringify(bad)}: invalid syntax`,
      );
    }
  });

  test('the conflicting-flags text encodes the query as Go does', () => {
    assert.equal(goEncodeQuery(new URLSearchParams('cas=0&acquire=abc')), 'acquire=abc&cas=0');
    assert.equal(goEncodeQuery(new URLSearchParams('release=a b&flags=1&cas')), 'cas=&flags=1&release=a+b');
    assert.equal(goEncodeQuery(new URLSearchParams("x=a/b*(c)!'é")), 'x=a%2Fb%2A%28c%29%21%27%C3%A9');
  });
});
