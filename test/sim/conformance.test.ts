/**
 * Conformance with herd7 + LKMM: every kernel litmus test in ../shared/litmus
 * (tools/memory-model/litmus-tests and Documentation/litmus-tests) must get
 * the verdict of its own `Result:` line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatHerd, runLitmus } from 'mm-review-server/sim/index';
import { KERNEL_LITMUS, expected, litmusFiles } from './helpers';

const files = litmusFiles(KERNEL_LITMUS);

test('the kernel litmus corpus is present', { skip: files.length === 0 && !process.env.CI ? 'no kernel litmus corpus here' : false }, () => {
  assert.ok(files.length >= 47, `expected the 47 kernel tests, found ${files.length}`);
});

for (const f of files) {
  test(`herd7 conformance: ${path.relative(KERNEL_LITMUS, f)}`, () => {
    const src = fs.readFileSync(f, 'utf8');
    const want = expected(src);
    const r = runLitmus(src);
    assert.equal(r.complete, true, `exploration incomplete: ${r.incompleteReason}`);
    if (want === 'DEADLOCK') {
      // herd7: no execution survives the filter: States 0, Observation NAME Never 0 0
      assert.equal(r.states.length, 0);
      assert.equal(r.positive + r.negative, 0);
      assert.match(formatHerd(r), new RegExp(`^Observation ${r.name.replace(/[+.]/g, '\\$&')} Never 0 0$`, 'm'));
    } else {
      assert.equal(r.observation, want, formatHerd(r));
    }
  });
}
