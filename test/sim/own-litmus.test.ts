/**
 * Our own litmus tests (test/litmus/*.litmus): each states the verdict the
 * LKMM gives, with a one-line justification from the model, in a
 * `Result:` line. Forbidden outcomes must also name the violated axiom.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatHerd, runLitmus } from 'mm-review-server/sim/index';
import { OWN_LITMUS, expected, litmusFiles } from './helpers';

const files = litmusFiles(OWN_LITMUS);

test('at least 40 own litmus tests', () => {
  assert.ok(files.length >= 40, `found ${files.length}`);
});

for (const f of files) {
  test(`own litmus: ${path.basename(f)}`, () => {
    const src = fs.readFileSync(f, 'utf8');
    const r = runLitmus(src);
    assert.equal(r.complete, true);
    assert.equal(r.observation, expected(src), formatHerd(r));
    if (r.observation === 'Never' && r.kind === 'exists') {
      assert.ok(r.witnesses.length === 0);
    }
    if (r.observation !== 'Never') assert.ok(r.witnesses.length > 0, 'a reachable outcome has a witness');
  });
}

const axiomOf = (name: string) => {
  const r = runLitmus(fs.readFileSync(path.join(OWN_LITMUS, name), 'utf8'));
  return r.forbidden.flatMap((f) => f.violated.map((v) => v.split(':')[0]));
};

test('forbidden outcomes name the violated LKMM axiom', () => {
  assert.ok(axiomOf('SB+storembs.litmus').includes('propagation'));
  assert.ok(axiomOf('LB+data+ctrl.litmus').includes('happens-before'));
  assert.ok(axiomOf('RCU-MP+sync.litmus').includes('rcu'));
  assert.ok(axiomOf('CoRR+rmw.litmus').includes('coherence'));
  assert.ok(axiomOf('get-unless-zero-vs-put.litmus').some((a) => a === 'atomic' || a === 'coherence'));
  assert.ok(axiomOf('trylock+exclusion.litmus').length > 0);
});

test('plain accesses racing raise the data-race flag, marked ones do not', () => {
  const racy = runLitmus(fs.readFileSync(path.join(OWN_LITMUS, 'plain-race.litmus'), 'utf8'));
  assert.deepEqual(racy.flags, ['data-race']);
  assert.match(formatHerd(racy), /^Flag data-race$/m);
  const marked = runLitmus(fs.readFileSync(path.join(OWN_LITMUS, 'SB+mb+po.litmus'), 'utf8'));
  assert.deepEqual(marked.flags, []);
});
