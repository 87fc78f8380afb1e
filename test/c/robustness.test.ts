/** Bad input never throws: mutated seed threads through parse, rebuild, CFG and the solver. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseDocument } from 'mm-review-server/patch/parse';
import { FunctionCache, rebuildDocument } from 'mm-review-server/c/rebuild';
import { buildCfg } from 'mm-review-server/c/cfg';
import { solveForward } from 'mm-review-server/c/dataflow';
import { seed } from './fixtures';

const SNIPPETS = ['#ifdef X', '#else', '#endif', '}', '{', '\tfor_each_x(a) {', '\t} else {', '/*', '*/', '\tgoto out;', 'out:', '\tswitch (x) {', '\tcase 1:', '\tdo {', '\t} while (0);', '\tx = ({ a; });'];

describe('robustness', () => {
  it('400 deterministic mutations of seeds 001/003/004: no exception, line counts and columns preserved', () => {
    const seeds = [seed(1), seed(3), seed(4)];
    let state = 12345;
    const rnd = () => {
      state = (state * 1103515245 + 12345) & 0x7fffffff;
      return state / 0x7fffffff;
    };
    const cache = new FunctionCache(256);
    let functions = 0;
    let withErrors = 0;
    for (let i = 0; i < 400; i++) {
      const lines = seeds[Math.floor(rnd() * seeds.length)].split('\n');
      for (let j = 0, k = 1 + Math.floor(rnd() * 6); j < k; j++) {
        const at = Math.floor(rnd() * lines.length);
        const op = Math.floor(rnd() * 6);
        if (op === 0) lines.splice(at, 1);
        else if (op === 1) lines.splice(at, 0, lines[Math.floor(rnd() * lines.length)]);
        else if (op === 2) lines[at] = lines[at].slice(0, Math.floor(rnd() * lines[at].length));
        else if (op === 3) lines[at] = lines[at].replace(/[{}()]/, '');
        else if (op === 4) lines[at] = (lines[at][0] ?? ' ') + SNIPPETS[Math.floor(rnd() * SNIPPETS.length)];
        else lines[at] = lines[at].split('').reverse().join('');
      }
      const res = rebuildDocument(parseDocument(lines.join('\n'), 'fuzz'), { cache });
      assert.deepEqual(res.problems, [], `mutation ${i}`);
      for (const f of res.functions) {
        functions++;
        for (const img of [f.pre, f.post]) {
          if (!img) continue;
          const n = img.text.split('\n').length;
          assert.equal(img.origin.length, n);
          for (const v of img.variants) {
            assert.equal(v.text.split('\n').length, n);
            assert.equal(v.parseText.length, v.text.length);
            if (v.errorLines.length) withErrors++;
            const cfg = buildCfg(v);
            if (cfg) {
              const r = solveForward<number>(cfg, { lattice: { join: (a, b) => Math.max(a, b), equals: (a, b) => a === b }, entry: 0, transfer: (_n, s) => s });
              assert.equal(r.converged, true);
            }
          }
        }
      }
    }
    assert.ok(functions > 1000, `functions ${functions}`);
    assert.ok(withErrors > 0, 'some mutations must produce parse errors');
  });
});
