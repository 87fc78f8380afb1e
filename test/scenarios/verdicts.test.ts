// Every scenario through the real litmus engine: buggy variants are
// Sometimes, fixed ones Never; a finding's names change the text but not the
// verdict; the exported litmus round-trips through runLitmus.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runLitmus, parseLitmus } from 'mm-review-server/sim/index';
import { exportLitmus, instantiateScenario, listScenarios } from 'mm-review-server/sim/scenarios/index';

const IDS = listScenarios().map((s) => s.id);

// Names a rule would hand over (see the contract's scenarioParams), including
// ones that need sanitising.
const FINDING = {
  function: 'my_gup_fast',
  object: 'folio',
  location: '&folio->_refcount',
  other: 'vmf->pte, struct page *p',
  acquire: 'folio_try_get',
  release: 'folio_put',
  line: 17,
};

for (const id of IDS) {
  test(`${id}: buggy is Sometimes, fixed is Never (LKMM, complete exploration)`, () => {
    const b = runLitmus(exportLitmus(id, 'buggy'));
    const f = runLitmus(exportLitmus(id, 'fixed'));
    assert.equal(b.complete, true, `${id} buggy complete`);
    assert.equal(f.complete, true, `${id} fixed complete`);
    assert.equal(b.observation, 'Sometimes', `${id} buggy`);
    assert.ok(b.witnesses.length > 0, `${id} buggy has a witness`);
    assert.equal(f.observation, 'Never', `${id} fixed`);
    assert.equal(f.positive, 0);
    assert.ok(f.negative > 0, `${id} fixed: some execution survives (the program is not vacuous)`);
  });

  test(`${id}: a finding's names change the litmus text but not the verdicts`, () => {
    for (const variant of ['buggy', 'fixed'] as const) {
      const plain = instantiateScenario(id, variant);
      const named = instantiateScenario(id, variant, FINDING);
      assert.notEqual(named.litmus, plain.litmus, `${id} ${variant}: names used`);
      assert.ok(named.cpus.some((c) => c.name.includes('my_gup_fast')), `${id}: ${named.cpus.map((c) => c.name)}`);
      const a = runLitmus(plain.litmus);
      const b = runLitmus(named.litmus);
      assert.equal(b.observation, a.observation, `${id} ${variant}`);
      assert.equal(b.positive, a.positive, `${id} ${variant} positive`);
      assert.equal(b.negative, a.negative, `${id} ${variant} negative`);
    }
  });

  test(`${id}: exported litmus parses back to the same test and verdict`, () => {
    for (const variant of ['buggy', 'fixed'] as const) {
      const text = exportLitmus(id, variant, FINDING);
      const parsed = parseLitmus(text);
      assert.equal(parsed.name, `${id}-${variant}`);
      const r = runLitmus(text);
      assert.equal(r.observation, variant === 'buggy' ? 'Sometimes' : 'Never');
      // The header's Result line agrees with the engine (as herd7's test files do).
      assert.match(text, new RegExp(`Result: ${r.observation}`));
    }
  });
}

test('a scenario with a weakened fix is caught: S1 with smp_wmb on both sides is Sometimes', () => {
  // Guards against a vacuous "fixed" variant: the fix is what makes it Never.
  const text = exportLitmus('S1', 'fixed').replace(/smp_mb\(\);/g, 'smp_wmb();');
  assert.equal(runLitmus(text).observation, 'Sometimes');
});
