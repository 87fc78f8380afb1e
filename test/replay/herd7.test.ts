/**
 * The exported `.litmus` of every seed scenario (S1..S9, both variants) and of
 * every finding's replay over the corpus, the examples, the seeds and the
 * replay fixtures:
 *  - is exactly the test the replay ran (export stays exact);
 *  - and, when herd7 is at hand, parses in herd7's kernel litmus dialect and
 *    gets the built-in verdict and counts (Observation, positive, negative).
 *
 * herd7 is not a dependency: set HERD7 to a herd7 binary and HERD7_LKMM to
 * the directory of linux-kernel.cfg (tools/memory-model) to run the second
 * part; it is skipped otherwise. See docs/scenarios.md for how it was run.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { requestOf } from 'mm-review-server/protocol/replay';
import { exportRequestLitmus, replayRequest } from 'mm-review-server/sim/replay';
import { exportLitmus, listScenarios } from 'mm-review-server/sim/scenarios/index';
import { runLitmus } from 'mm-review-server/sim/index';
import { ROOT, analysisOf } from './helpers';

const HERD7 = process.env.HERD7;
const LKMM = process.env.HERD7_LKMM;

function tests(): { name: string; litmus: string }[] {
  const out: { name: string; litmus: string }[] = [];
  for (const s of listScenarios()) for (const v of ['buggy', 'fixed'] as const) out.push({ name: `${s.id}-${v}`, litmus: exportLitmus(s.id, v) });
  const under = (dir: string, re: RegExp) => fs.readdirSync(path.join(ROOT, dir)).filter((f) => re.test(f)).sort().map((f) => `${dir}/${f}`);
  const files = [...under('test/corpus', /\.buggy\.patch$/), ...under('examples', /\.(mbox|eml)$/), ...under('test/patch/fixtures/seeds', /\.txt$/), ...under('test/replay/fixtures', /\.patch$/)];
  for (const file of files) {
    for (const f of analysisOf(file).findings) {
      if (f.category === 'input' || (f.severity !== 'warning' && f.severity !== 'error')) continue;
      for (const v of ['buggy', 'fixed'] as const) {
        const req = requestOf(f, v);
        if ('unavailable' in req) continue;
        const t = exportRequestLitmus(req);
        if (typeof t !== 'string') continue;
        out.push({ name: `${path.basename(file).replace(/\..*$/, '')}-L${f.range.start.line + 1}-${f.rule.replace('/', '-')}-${v}`, litmus: t });
      }
    }
  }
  return out;
}

describe('exported litmus', () => {
  const all = tests();
  it('covers the seed scenarios and every family', () => {
    assert.ok(all.length >= 120, `${all.length} tests`);
    const families = new Set(all.map((t) => /^C (\S+?)-(buggy|fixed)\b/m.exec(t.litmus)?.[1]).filter(Boolean));
    for (const f of ['leak', 'lock-leak', 'double-release', 'wrong-release', 'speculative', 'recheck', 'pgmap', 'store-load', 'publish', 'section', 'sleep']) assert.ok(families.has(f), `no exported ${f} test (${[...families].join(', ')})`);
  });

  it('is exactly the test the replay ran', () => {
    const a = analysisOf('test/corpus/02-folio-leak-large.buggy.patch');
    const f = a.findings.find((x) => x.rule === 'ref-balance/leak')!;
    for (const v of ['buggy', 'fixed'] as const) {
      const req = requestOf(f, v);
      assert.ok(!('unavailable' in req));
      const r = replayRequest(req);
      assert.ok(!('unavailable' in r));
      assert.equal(exportRequestLitmus(req), r.litmus);
    }
  });

  it('herd7 parses every test and gets the built-in verdict and counts', { skip: !HERD7 || !LKMM ? 'set HERD7 and HERD7_LKMM to run herd7' : false, timeout: 30 * 60_000 }, () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-review-herd7-'));
    const differ: string[] = [];
    try {
      for (const t of all) {
        const p = path.join(dir, `${t.name}.litmus`);
        fs.writeFileSync(p, t.litmus);
        const ours = runLitmus(t.litmus, { timeoutMs: 60_000 });
        const out = execFileSync(HERD7!, ['-conf', path.join(LKMM!, 'linux-kernel.cfg'), '-I', LKMM!, p], { encoding: 'utf8', timeout: 120_000 });
        const m = /Observation \S+ (Never|Sometimes|Always) (\d+) (\d+)/.exec(out);
        const herd = m ? `${m[1]} ${m[2]} ${m[3]}` : `no verdict: ${out.slice(0, 200)}`;
        const mine = `${ours.observation} ${ours.positive} ${ours.negative}`;
        if (herd !== mine) differ.push(`${t.name}: herd7 ${herd}, built-in ${mine}`);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    assert.deepEqual(differ, []);
  });
});
