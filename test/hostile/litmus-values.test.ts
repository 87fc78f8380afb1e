/**
 * Hostile litmus inputs for the simulator engine itself (issue 9):
 * - integers beyond 2^53 keep their exact value (a rounded value changed the
 *   verdict);
 * - a location named `__proto__` (or `constructor`, `toString`) is an
 *   ordinary name everywhere in the output;
 * - the time bound is hard in every phase: a test with 5,000 or 20,000
 *   writes ends within one clock poll of its deadline, Incomplete, and with
 *   a fake clock the number of polls (each after a fixed amount of work)
 *   bounds the work. Asserted on the budget's own counters.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatHerd, runLitmus } from 'mm-review-server/sim/index';
import { litmusResultJson as compactResult } from 'mm-review-server/sim/resultJson';

const P53 = 9007199254740992; // 2^53

describe('hostile litmus values: exact integers', () => {
  const src = (init: string, cond: string) => `C big\n{ x = ${init}; }\nP0(int *x)\n{\n\tint r0 = READ_ONCE(*x);\n\tint r1 = r0 + 1;\n\tWRITE_ONCE(*x, r1);\n}\nexists (${cond})\n`;

  it('2^53 + 1 is not 2^53: the verdict depends on the exact value', () => {
    // with doubles, 9007199254740993 rounds to 9007199254740992 and both conditions would hold
    const same = runLitmus(src('9007199254740993', '0:r0=9007199254740993'));
    assert.equal(same.complete, true);
    assert.equal(same.observation, 'Always');
    const rounded = runLitmus(src('9007199254740993', '0:r0=9007199254740992'));
    assert.equal(rounded.observation, 'Never');
    assert.equal(String(P53 + 1), '9007199254740992'); // what a double makes of it
  });

  it('arithmetic beyond 2^53 is exact, and the output prints every digit', () => {
    const r = runLitmus(src('9007199254740993', 'x=9007199254740994 /\\ 0:r1=9007199254740994'));
    assert.equal(r.observation, 'Always');
    const out = formatHerd(r);
    assert.match(out, /^0:r1=9007199254740994; x=9007199254740994;$/m);
    // JSON: integers beyond 2^53 are decimal strings, never rounded numbers
    const j = JSON.parse(JSON.stringify(compactResult(r))) as { states: { values: Record<string, unknown> }[] };
    assert.equal(j.states[0].values['0:r1'], '9007199254740994');
    assert.equal(r.witnesses[0].final['x'], '9007199254740994');
  });

  it('huge, negative and hexadecimal literals', () => {
    const huge = '123456789012345678901234567890';
    assert.equal(runLitmus(src(huge, `0:r1=123456789012345678901234567891`)).observation, 'Always');
    assert.equal(runLitmus(src('-9007199254740995', '0:r1=-9007199254740994')).observation, 'Always');
    assert.equal(runLitmus(src('0xffffffffffffffff', '0:r1=18446744073709551616')).observation, 'Always');
    // bitwise operators do not truncate to 32 bits
    const bits = `C bits\n{ x = 0x100000001; }\nP0(int *x)\n{\n\tint r0 = READ_ONCE(*x);\n\tint r1 = r0 & 0x100000000;\n\tint r2 = r0 ^ 1;\n}\nexists (0:r1=4294967296 /\\ 0:r2=4294967296)\n`;
    assert.equal(runLitmus(bits).observation, 'Always');
  });
});

describe('hostile litmus values: names that are Object.prototype members', () => {
  for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
    it(`a location named ${name} is kept in states, witnesses and JSON`, () => {
      const src = `C proto\n{ ${name} = 1; y = 0; }\nP0(int *${name}, int *y)\n{\n\tWRITE_ONCE(*${name}, 2);\n\tWRITE_ONCE(*y, 1);\n}\nP1(int *${name}, int *y)\n{\n\tint r0 = READ_ONCE(*y);\n\tint r1 = READ_ONCE(*${name});\n}\nlocations [${name}]\nexists (1:r0=1 /\\ 1:r1=1)\n`;
      const r = runLitmus(src);
      assert.equal(r.complete, true);
      assert.equal(r.observation, 'Sometimes');
      assert.match(formatHerd(r), new RegExp(`^1:r0=1; 1:r1=1; ${name}=2;$`, 'm'));
      for (const s of r.states) {
        assert.ok(Object.prototype.hasOwnProperty.call(s.values, name), `${name} missing from ${JSON.stringify(s.values)}`);
        assert.equal(s.values[name], 2);
        assert.equal(Object.getPrototypeOf(s.values), Object.prototype); // an ordinary object otherwise
      }
      const w = r.witnesses[0];
      assert.ok(Object.prototype.hasOwnProperty.call(w.final, name));
      assert.ok(Object.prototype.hasOwnProperty.call(w.co, name));
      assert.deepEqual(Object.keys(w.co).sort(), [name, 'y'].sort());
      const j = JSON.parse(JSON.stringify(compactResult(r))) as { states: { values: Record<string, unknown> }[] };
      assert.ok(j.states.every((s) => Object.prototype.hasOwnProperty.call(s.values, name)));
    });
  }
});

describe('hostile litmus values: the time bound is hard in every phase', () => {
  /** One CPU writing x `n` times, another reading it once. */
  const manyWrites = (n: number) => {
    const lines = ['C many-writes', '{ x = 0; }', 'P0(int *x)', '{'];
    for (let i = 1; i <= n; i++) lines.push(`\tWRITE_ONCE(*x, ${i});`);
    lines.push('}', 'P1(int *x)', '{', '\tint r0 = READ_ONCE(*x);', '}', 'exists (1:r0=0)', '');
    return lines.join('\n');
  };

  for (const n of [5000, 20000]) {
    it(`${n} writes: Incomplete within one clock poll of a 1 s bound`, () => {
      const bound = 1000;
      const r = runLitmus(manyWrites(n), { timeoutMs: bound });
      assert.equal(r.complete, false, formatHerd(r));
      assert.match(r.incompleteReason ?? '', /time bound|events|paths/);
      assert.match(formatHerd(r), /^Incomplete$/m);
      // the engine stopped within a clock read or two of the deadline (the last search notices it at its next read)
      assert.ok(r.stats.ms <= bound + 2 * r.stats.bound.maxGapMs + 200, `${r.stats.ms} ms, largest gap between clock reads ${r.stats.bound.maxGapMs} ms`);
      // and never worked long without reading the clock
      assert.ok(r.stats.bound.maxGapUnits <= 1_000_000, `work between two clock reads: ${r.stats.bound.maxGapUnits} units`);
    });

    it(`${n} writes with a fake clock: the number of clock reads bounds the work`, () => {
      let now = 0;
      const clock = () => (now += 1); // 1 ms per clock read
      const r = runLitmus(manyWrites(n), { timeoutMs: 20, clock });
      if (!r.complete) assert.match(r.incompleteReason ?? '', /time bound of 20 ms|events|paths/);
      // every clock read comes after at most a fixed amount of work, and the
      // deadline is 20 reads away: the run cannot do more than ~22 reads' worth
      assert.ok(r.stats.bound.polls <= 25, `${r.stats.bound.polls} clock reads`);
      assert.ok(r.stats.bound.units <= 25 * r.stats.bound.maxGapUnits + 1, `${r.stats.bound.units} units`);
    });
  }

  it('a bounded run of a model evaluation on a large graph is interrupted inside the relation algebra', () => {
    // 1,500 writes on two locations and a reader of both: the graph is under
    // the event cap, so the model itself runs on ~1,500 events
    const lines = ['C big-graph', '{ x = 0; y = 0; }', 'P0(int *x, int *y)', '{'];
    for (let i = 1; i <= 1500; i++) lines.push(`\tWRITE_ONCE(*${i % 2 ? 'x' : 'y'}, ${i});`);
    lines.push('\tsmp_mb();', '}', 'P1(int *x, int *y)', '{', '\tint r0 = READ_ONCE(*y);', '\tsmp_mb();', '\tint r1 = READ_ONCE(*x);', '}', 'exists (1:r0=1500 /\\ 1:r1=0)', '');
    const bound = 800;
    const r = runLitmus(lines.join('\n'), { timeoutMs: bound });
    assert.ok(r.stats.ms <= bound + 2 * r.stats.bound.maxGapMs + 200, `${r.stats.ms} ms`);
    if (!r.complete) assert.ok(r.possible.length >= 1);
  });
});
