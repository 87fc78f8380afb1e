/**
 * Fuzz through the whole `check` pipeline: 10,000 deterministic mutations of
 * the seeds and examples go through analyze() (parse, function rebuild, CFG,
 * every rule, mapping back to the document). Nothing may throw, no rule may
 * fail internally, and every finding range must lie inside the document.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from 'mm-review-server/engine/index';
import { LineIndex } from 'mm-review-server/util/lineIndex';
import { MIME_DOC, mutate, prng } from '../patch/mutate';
import { example, seed } from '../patch/helpers';

test('10,000 mutated inputs through check: no throw, no internal error, ranges inside the document', () => {
  const rnd = prng(Number(process.env.FUZZ_SEED ?? 0xc0ffee));
  const corpus = [seed(0), seed(1), seed(2), seed(3), seed(4), example('gup-stable-pin-series.mbox'), example('mangled-pinned-ptes.eml'), example('qp-readahead-order.eml'), MIME_DOC];
  const N = Math.max(10_000, Number(process.env.FUZZ_N ?? 0));
  let findings = 0;
  let ruleFindings = 0;
  for (let i = 0; i < N; i++) {
    let base = corpus[i % corpus.length];
    if (base.length > 8_000) {
      // a window of a big document (sometimes its start, so the container format survives)
      const len = 1_000 + Math.floor(rnd() * 7_000);
      const start = rnd() < 0.3 ? 0 : Math.floor(rnd() * (base.length - len));
      base = base.slice(start, start + len);
    }
    const input = mutate(base, rnd);
    let a;
    try {
      a = analyze(input, `fuzz-${i}.patch`, { all: i % 2 === 0 });
    } catch (e) {
      assert.fail(`variant ${i} threw: ${(e as Error).stack}`);
    }
    const internal = a.findings.filter((f) => f.rule === 'input/internal-error');
    assert.deepEqual(internal.map((f) => f.message), [], `variant ${i}`);
    const idx = new LineIndex(input);
    const end = idx.positionAt(input.length);
    for (const f of a.findings) {
      for (const r of [f.range, ...f.related.map((x) => x.range)]) {
        assert.ok(r.start.line <= end.line && r.end.line <= end.line, `variant ${i}: ${f.rule} range past the end`);
        assert.ok(r.start.line < r.end.line || (r.start.line === r.end.line && r.start.character <= r.end.character), `variant ${i}: inverted range`);
      }
    }
    findings += a.findings.length;
    ruleFindings += a.findings.filter((f) => f.category !== 'input').length;
  }
  assert.ok(findings > 0, 'the mutations do produce diagnostics');
  console.log(`fuzz-check: ${N} variants, ${findings} findings (${ruleFindings} from rules)`);
});
