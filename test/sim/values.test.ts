/**
 * Exact litmus values (server/src/sim/values.ts), names that are
 * Object.prototype members, and the budget's clock: the unit-level side of
 * test/hostile/litmus-values.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arith, bitnot, canon, neg, parseIntLiteral, publicValue } from 'mm-review-server/sim/values';
import { Budget, Bound } from 'mm-review-server/sim/budget';
import { formatHerd, runLitmus } from 'mm-review-server/sim/index';

test('values: canonical exact integers (a number while safe, a bigint beyond)', () => {
  assert.equal(parseIntLiteral('42'), 42);
  assert.equal(parseIntLiteral('9007199254740991'), Number.MAX_SAFE_INTEGER);
  assert.equal(parseIntLiteral('9007199254740993'), 9007199254740993n);
  assert.equal(parseIntLiteral('0x10'), 16);
  assert.equal(parseIntLiteral('-0xffffffffffffffff'), -18446744073709551615n);
  assert.equal(parseIntLiteral('12x'), null);
  assert.equal(canon(5n), 5); // never a bigint when a number is exact
  assert.equal(arith('+', Number.MAX_SAFE_INTEGER, 2), 9007199254740993n);
  assert.equal(arith('-', 9007199254740993n, 2), Number.MAX_SAFE_INTEGER);
  assert.equal(arith('*', 2 ** 40, 2 ** 20), 2n ** 60n);
  assert.equal(arith('/', -7, 2), -3); // C truncates
  assert.equal(arith('%', -7, 2), -1);
  assert.equal(arith('&', 2 ** 40 + 1, 1), 1); // not truncated to 32 bits
  assert.equal(arith('|', 2 ** 33, 1), 2 ** 33 + 1);
  assert.equal(arith('<<', 1, 70), 2n ** 70n);
  assert.equal(arith('==', 9007199254740993n, 9007199254740992), 0);
  assert.equal(neg(9007199254740993n), -9007199254740993n);
  assert.equal(bitnot(2 ** 40), -(2 ** 40) - 1);
  assert.equal(publicValue(9007199254740993n), '9007199254740993');
  assert.equal(publicValue(7), 7);
});

test('values: a location named __proto__ prints like any other', () => {
  const r = runLitmus('C p\n{ __proto__ = 1; }\nP0(int *__proto__)\n{\n\tWRITE_ONCE(*__proto__, 9007199254740993);\n}\nexists (__proto__ = 9007199254740993)\n');
  assert.equal(r.observation, 'Always');
  assert.match(formatHerd(r), /^__proto__=9007199254740993;$/m);
  assert.deepEqual(Object.keys(r.states[0].values), ['__proto__']);
});

test('budget: the clock is read after a fixed amount of work and the deadline throws Bound', () => {
  let now = 0;
  const b = Budget.start(10, () => now);
  b.tick(1000);
  assert.equal(b.polls, 0); // no clock read for small work
  now = 5;
  b.tick(70000); // past the poll threshold: one clock read, before the deadline
  assert.equal(b.polls, 1);
  now = 11;
  assert.throws(() => b.tick(70000), (e: unknown) => e instanceof Bound && /time bound of 10 ms/.test(e.message));
  assert.ok(b.maxGapUnits >= 70000);
});
