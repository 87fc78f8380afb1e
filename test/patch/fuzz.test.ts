/**
 * Fuzz-style robustness: 10,000+ deterministic mutations of the seeds, the
 * examples and a few MIME documents go through parseDocument. Nothing may
 * throw, no internal error may be reported, and every span and every mapped
 * column must stay inside the document.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseDocument } from 'mm-review-server/patch/parse';
import { checkInvariants, example, seed } from './helpers';

import { MIME_DOC, mutate, prng } from './mutate';

test('20,000 mutated inputs: no throw, no internal error, every span and mapped offset in bounds', () => {
  // deterministic by default; FUZZ_SEED / FUZZ_N allow deeper local runs
  const rnd = prng(Number(process.env.FUZZ_SEED ?? 0x5eed));
  const corpus: string[] = [seed(0), seed(1), seed(2), seed(3), seed(4), example('gup-stable-pin-series.mbox'), example('mangled-pinned-ptes.eml'), example('qp-readahead-order.eml'), MIME_DOC];
  const N = Math.max(20_000, Number(process.env.FUZZ_N ?? 0));
  let withFiles = 0;
  for (let i = 0; i < N; i++) {
    let base = corpus[i % corpus.length];
    if (base.length > 24_000) {
      // a window of a big document (sometimes from its start, so the container format survives)
      const len = 2_000 + Math.floor(rnd() * 22_000);
      const start = rnd() < 0.3 ? 0 : Math.floor(rnd() * (base.length - len));
      base = base.slice(start, start + len);
    }
    const input = mutate(base, rnd);
    try {
      const doc = parseDocument(input, `fuzz-${i}`);
      const internal = doc.diagnostics.filter((d) => d.code === 'input/internal-error');
      assert.deepEqual(internal, [], 'internal error');
      assert.equal(doc.text, input);
      checkInvariants(doc);
      if (doc.messages.some((m) => m.files.length > 0)) withFiles++;
    } catch (e) {
      // keep the failing input for debugging
      const file = path.join(os.tmpdir(), `mm-review-fuzz-${i}.txt`);
      fs.writeFileSync(file, input);
      assert.fail(`iteration ${i} (input saved to ${file}): ${(e as Error).stack}`);
    }
  }
  // the mutations must still leave most inputs with diffs to parse, or the test proves little
  assert.ok(withFiles > N / 3, `only ${withFiles} of ${N} inputs had a diff`);
});
