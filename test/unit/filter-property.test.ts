import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { TribuneError } from '../../core/errors.js';
import { compileFilter } from '../../core/filter/index.js';

/**
 * Items shaped like Consul listings, every field optional so absent paths come up often, with values
 * drawn from small sets so that matches are frequent.
 */
interface Item {
  Name?: string;
  Port?: number;
  Enabled?: boolean;
  Tags?: string[];
  Meta?: Record<string, string>;
  Checks?: { Status?: string; Output?: string }[];
}

const WORDS = ['web', 'db', 'a', '', 'prod', 'x-1', 'web db'] as const;
const word = fc.constantFrom(...WORDS);
const itemArb: fc.Arbitrary<Item> = fc.record(
  {
    Name: word,
    Port: fc.integer({ min: 0, max: 3 }),
    Enabled: fc.boolean(),
    Tags: fc.array(word, { maxLength: 3 }),
    Meta: fc.dictionary(fc.constantFrom('env', 'team', 'in'), word, { maxKeys: 3 }),
    Checks: fc.array(
      fc.record(
        { Status: fc.constantFrom('passing', 'warning', 'critical'), Output: word },
        { requiredKeys: [] },
      ),
      { maxLength: 3 },
    ),
  },
  { requiredKeys: [] },
);

/** A match expression and, written independently of the implementation, what it should answer. */
interface Leaf {
  readonly text: string;
  readonly expected: (item: Item) => boolean;
}

/** The values a selector reaches; a path through the Checks list reaches one per check, or one absent. */
const SELECTORS: Record<string, (item: Item) => unknown[]> = {
  Name: (item) => [item.Name],
  'Meta.env': (item) => [item.Meta?.env],
  'Meta["team"]': (item) => [item.Meta?.team],
  'Meta.in': (item) => [item.Meta?.in],
  'Checks.Status': (item) => (item.Checks?.length ? item.Checks.map((c) => c.Status) : [undefined]),
  'Checks.Output': (item) => (item.Checks?.length ? item.Checks.map((c) => c.Output) : [undefined]),
  'Missing.Field': () => [undefined],
};

const quote = (value: string): string => (/^[A-Za-z]\w*$/.test(value) ? value : JSON.stringify(value));
const any = (values: unknown[], test: (value: unknown) => boolean): boolean => values.some(test);
const negatable = (text: string, negatedText: string, expected: (item: Item) => boolean) =>
  fc
    .boolean()
    .map(
      (negate): Leaf =>
        negate ? { text: negatedText, expected: (item) => !expected(item) } : { text, expected },
    );

const REGEXES = [
  ['^w', /^w/],
  ['b$', /b$/],
  ['^$', /^$/],
  ['(?i)DB', /db/i],
  ['\\s', /\s/],
] as const;

const stringLeaf: fc.Arbitrary<Leaf> = fc
  .tuple(fc.constantFrom(...Object.keys(SELECTORS)), word, fc.constantFrom(...REGEXES), fc.nat(3))
  .chain(([selector, value, [goPattern, jsPattern], form]) => {
    const reach = SELECTORS[selector]!;
    const isString = (v: unknown): v is string => typeof v === 'string';
    switch (form) {
      case 0:
        return negatable(`${selector} == ${quote(value)}`, `${selector} != ${quote(value)}`, (item) =>
          any(reach(item), (v) => v === value),
        );
      case 1:
        return negatable(`${selector} is empty`, `${selector} is not empty`, (item) =>
          any(reach(item), (v) => v === undefined || v === ''),
        );
      case 2:
        return negatable(
          `${selector} contains ${quote(value)}`,
          `${JSON.stringify(value)} not in ${selector}`,
          (item) => any(reach(item), (v) => isString(v) && v.includes(value)),
        );
      default:
        return negatable(
          `${selector} matches ${JSON.stringify(goPattern)}`,
          `${selector} not matches ${JSON.stringify(goPattern)}`,
          (item) => any(reach(item), (v) => isString(v) && jsPattern.test(v)),
        );
    }
  });

const typedLeaf: fc.Arbitrary<Leaf> = fc.oneof(
  fc
    .integer({ min: 0, max: 3 })
    .chain((n) => negatable(`Port == ${n}`, `Port != "${n}"`, (item) => item.Port === n)),
  fc
    .boolean()
    .chain((b) => negatable(`Enabled == ${b}`, `Enabled != ${b ? 'T' : 'F'}`, (item) => item.Enabled === b)),
  word.chain((w) =>
    negatable(`${JSON.stringify(w)} in Tags`, `Tags not contains ${JSON.stringify(w)}`, (item) =>
      (item.Tags ?? []).includes(w),
    ),
  ),
  negatable('Tags is empty', 'Tags is not empty', (item) => (item.Tags ?? []).length === 0),
  fc
    .constantFrom('env', 'team', 'in', 'other')
    .chain((key) =>
      negatable(`"${key}" in Meta`, `Meta not contains ${key}`, (item) =>
        Object.hasOwn(item.Meta ?? {}, key),
      ),
    ),
  negatable('Meta is empty', 'Meta is not empty', (item) => Object.keys(item.Meta ?? {}).length === 0),
);

const leafArb = fc.oneof(stringLeaf, typedLeaf);

/** Leaves that fail on the values they meet: Consul refuses these with a 400 too. */
const badLeafArb = fc.constantFrom(
  'Tags == web',
  'Meta != x',
  'Port contains 1',
  'Port == abc',
  'Enabled matches "t"',
);

type Tree =
  | { kind: 'leaf'; leaf: Leaf }
  | { kind: 'not'; operand: Tree }
  | { kind: 'and' | 'or'; operands: Tree[] };

const treeArb = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.oneof(
    { maxDepth: 4, depthIdentifier: 'tree' },
    leafArb.map((leaf): Tree => ({ kind: 'leaf', leaf })),
    tie('tree').map((operand): Tree => ({ kind: 'not', operand })),
    fc
      .array(tie('tree'), { minLength: 2, maxLength: 3 })
      .map((operands): Tree => ({ kind: 'and', operands })),
    fc.array(tie('tree'), { minLength: 2, maxLength: 3 }).map((operands): Tree => ({ kind: 'or', operands })),
  ),
})).tree;

const PRECEDENCE = { or: 1, and: 2, not: 3, leaf: 4 } as const;

/** Prints with only the parentheses precedence needs (plus optional redundant ones). */
function print(tree: Tree, needed: number, extraParens: boolean): string {
  const text =
    tree.kind === 'leaf'
      ? tree.leaf.text
      : tree.kind === 'not'
        ? `not ${print(tree.operand, PRECEDENCE.not, extraParens)}`
        : tree.operands
            .map((child) => print(child, PRECEDENCE[tree.kind] + 1, extraParens))
            .join(` ${tree.kind} `);
  return PRECEDENCE[tree.kind] < needed || (extraParens && tree.kind !== 'leaf') ? `(${text})` : text;
}

function model(tree: Tree, item: Item): boolean {
  switch (tree.kind) {
    case 'leaf':
      return tree.leaf.expected(item);
    case 'not':
      return !model(tree.operand, item);
    case 'and':
      return tree.operands.every((child) => model(child, item));
    case 'or':
      return tree.operands.some((child) => model(child, item));
  }
}

/** The outcome of running a filter: a boolean, or the fact that it failed with our 400. */
function outcome(expression: string, item: unknown): boolean | 'bad request' {
  try {
    return compileFilter(expression)(item);
  } catch (err) {
    assertOurError(err);
    return 'bad request';
  }
}

function assertOurError(err: unknown): void {
  if (!(err instanceof TribuneError)) throw err;
  assert.equal(err.code, 'BAD_REQUEST');
  assert.ok(err.message.startsWith('Failed to create boolean expression evaluator: '), err.message);
}

test('each simple match answers as its specification says', () => {
  fc.assert(
    fc.property(leafArb, itemArb, (leaf, item) => {
      assert.equal(compileFilter(leaf.text)(item), leaf.expected(item), leaf.text);
    }),
    { numRuns: 2000 },
  );
});

test('not (E) is exactly the negation of E, and fails exactly when E fails', () => {
  const expression = fc.oneof(
    { arbitrary: leafArb.map((leaf) => leaf.text), weight: 3 },
    { arbitrary: badLeafArb, weight: 1 },
    { arbitrary: treeArb.map((tree) => print(tree, 0, false)), weight: 2 },
  );
  fc.assert(
    fc.property(expression, itemArb, (e, item) => {
      const positive = outcome(e, item);
      const negated = outcome(`not (${e})`, item);
      if (positive === 'bad request') assert.equal(negated, 'bad request', e);
      else assert.equal(negated, !positive, e);
    }),
    { numRuns: 1000 },
  );
});

test('and / or / not / parentheses combine matches with not > and > or precedence', () => {
  fc.assert(
    fc.property(treeArb, fc.boolean(), itemArb, (tree, extraParens, item) => {
      const expression = print(tree, 0, extraParens);
      assert.equal(compileFilter(expression)(item), model(tree, item), expression);
    }),
    { numRuns: 1000 },
  );
});

const sampleItems: unknown[] = [
  {
    Name: 'web',
    Port: 1,
    Enabled: true,
    Tags: ['a'],
    Meta: { env: 'prod' },
    Checks: [{ Status: 'passing' }],
  },
  { Tags: [], Meta: {}, Checks: [] },
  null,
  'a string item',
  [1, 'two', { Name: 'three' }],
];

function neverThrowsForeign(expression: string): void {
  let predicate: (item: unknown) => boolean;
  try {
    predicate = compileFilter(expression);
  } catch (err) {
    assertOurError(err);
    return;
  }
  for (const item of sampleItems) {
    try {
      assert.equal(typeof predicate(item), 'boolean');
    } catch (err) {
      assertOurError(err);
    }
  }
}

test('arbitrary strings either compile or fail with our 400, never anything else', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary', maxLength: 200 })), neverThrowsForeign),
    { numRuns: 2000 },
  );
});

test('strings made of the language’s own tokens either compile or fail with our 400', () => {
  const token = fc.constantFrom(
    'Name',
    'Tags',
    'Meta',
    'Checks',
    'Port',
    'Enabled',
    '.',
    '.0',
    '.Status',
    '[',
    ']',
    '["env"]',
    '(',
    ')',
    '==',
    '!=',
    '=',
    '!',
    'and',
    'or',
    'not',
    'in',
    'is',
    'empty',
    'contains',
    'matches',
    '"web"',
    '"\\',
    '"\\u12"',
    '`raw`',
    '`',
    '"',
    '1',
    '-2.5',
    '007',
    'true',
    '"(?i)W"',
    '"(a"',
    '"[[:alpha:]]"',
    '"\\\\1"',
    ' ',
    '\n',
  );
  fc.assert(
    fc.property(fc.array(token, { maxLength: 14 }), fc.boolean(), (tokens, spaced) => {
      neverThrowsForeign(tokens.join(spaced ? ' ' : ''));
    }),
    { numRuns: 3000 },
  );
});

// ---- `matches`: Go's RE2 patterns ----------------------------------------------------------------

/** Escapes RE2's metacharacters with a backslash; written here, independently of the implementation. */
function quoteRegExp(text: string): string {
  return text.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

const PATTERN_CHARS = ['a', 'b', '.', '*', '+', '?', '(', ')', '[', ']', '{', '}', '|', '^', '$', '\\'];
const literalText = fc.string({
  unit: fc.constantFrom(...PATTERN_CHARS, '-', ':', ' ', '\n', 'é', '\u{1F600}'),
  maxLength: 8,
});

test('an escaped literal pattern matches exactly the strings that contain the literal', () => {
  const subjectFor = (literal: string) =>
    fc.oneof(
      literalText,
      fc.tuple(literalText, literalText).map(([before, after]) => before + literal + after),
    );
  fc.assert(
    fc.property(
      literalText.chain((literal) => fc.tuple(fc.constant(literal), subjectFor(literal))),
      ([literal, subject]) => {
        const expression = `Name matches ${JSON.stringify(quoteRegExp(literal))}`;
        assert.equal(compileFilter(expression)({ Name: subject }), subject.includes(literal), expression);
      },
    ),
    { numRuns: 1000 },
  );
});

test('on patterns both engines accept, matches agrees with a plain RegExp on short ASCII subjects', () => {
  // Whether a match exists does not depend on leftmost-first versus backtracking order, so where the
  // shared syntax means the same thing the two must agree; subjects stay short so RegExp stays quick.
  // Atoms weigh most, so that most drawn patterns are valid in both syntaxes.
  const token = fc.oneof(
    { arbitrary: fc.constantFrom('a', 'b', '.', '[ab]', '[^a]'), weight: 6 },
    { arbitrary: fc.constantFrom('*', '+', '?', '{2}', '{1,2}'), weight: 2 },
    { arbitrary: fc.constantFrom('|', '(', ')', '^', '$'), weight: 2 },
  );
  const pattern = fc.array(token, { maxLength: 10 }).map((tokens) => tokens.join(''));
  const subject = fc.string({ unit: fc.constantFrom('a', 'b', 'c'), maxLength: 8 });
  fc.assert(
    fc.property(pattern, subject, (source, text) => {
      const ours = outcome(`Name matches ${JSON.stringify(source)}`, { Name: text });
      let native: RegExp;
      try {
        native = new RegExp(source);
      } catch {
        return; // JavaScript refuses it; RE2 may accept it (`^*`) or refuse it: either is fine here
      }
      if (ours !== 'bad request')
        assert.equal(ours, native.test(text), `${source} on ${JSON.stringify(text)}`);
    }),
    { numRuns: 2000 },
  );
});

test('arbitrary patterns either compile or fail with our 400, and never throw when matching', () => {
  const pattern = fc.oneof(
    fc.string({
      unit: fc.constantFrom(...PATTERN_CHARS, 'P', '<', '>', '=', '!', ':', 'i', 'p', 'L', 'x', '1', ','),
      maxLength: 16,
    }),
    fc.string({ maxLength: 16 }),
  );
  fc.assert(
    fc.property(pattern, fc.string({ maxLength: 16 }), (source, text) => {
      for (const operator of ['matches', 'not matches']) {
        const answer = outcome(`Name ${operator} ${JSON.stringify(source)}`, { Name: text });
        assert.ok(answer === 'bad request' || typeof answer === 'boolean');
      }
    }),
    { numRuns: 2000 },
  );
});
