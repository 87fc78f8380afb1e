/**
 * The findings are identical before and after a performance change (issue
 * 11): the JSON of `mm-review check` on the rule corpus and examples/, in
 * differential mode and with --all, equals test/engine/golden/check.json.
 *
 * The golden file was written by the engine before the performance work
 * (scripts/golden.js); it is regenerated only when a change of the rules or
 * analyses is merged, from that merged engine.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..', '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const golden = require(path.join(ROOT, 'scripts', 'golden.js')) as { current(): Record<string, { files: { path: string; findings: unknown[] }[] }>; FILE: string };

describe('findings golden file (corpus + examples)', () => {
  it('mm-review check --format json gives exactly the golden findings, in both modes', () => {
    const want = JSON.parse(fs.readFileSync(golden.FILE, 'utf8'));
    const got = golden.current();
    assert.deepEqual(Object.keys(got), Object.keys(want));
    for (const mode of Object.keys(want)) {
      const w = want[mode].files;
      const g = got[mode].files;
      assert.deepEqual(g.map((f) => f.path), w.map((f: { path: string }) => f.path), `${mode}: the same files`);
      for (let i = 0; i < w.length; i++) assert.deepEqual(g[i].findings, w[i].findings, `${mode}: ${w[i].path}`);
    }
  });
});
