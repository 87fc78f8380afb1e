/**
 * Hard bounds in the engine, on generated hostile inputs: per-function caps,
 * the document budget (10,000 functions within one file), linear
 * preprocessor evaluation and leak-path search. Work is asserted by the
 * engine's own counters (budget, preprocessor work, path-search states),
 * never by wall time. The 20 MB hunk goes through the language server in
 * lsp.test.ts.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, reanalyze } from 'mm-review-server/engine/index';
import { chooseConfigurations, condStructure, type DirectiveLine } from 'mm-review-server/c/preproc';
import { pathSearchStats } from 'mm-review-server/analysis/resources';
import { LineIndex } from 'mm-review-server/util/lineIndex';
import { bigFunctions, gotoMesh, hugeLine, manyFunctions, nestedIfdef, newFilePatch } from './gen';

/** 0-based line of the first `@@` hunk header of a generated patch. */
function hunkLine(text: string): number {
  return text.split('\n').findIndex((l) => l.startsWith('@@ '));
}

describe('hostile: budgets', () => {
  it('a 10 MB C line: its function is skipped with a located input/function-too-large', () => {
    const text = hugeLine(10_000_000);
    const a = analyze(text, 'line.patch');
    const f = a.findings.filter((x) => x.rule === 'input/function-too-large');
    assert.equal(f.length, 1);
    assert.equal(f[0].range.start.line, hunkLine(text));
    assert.match(f[0].message, /^line\(\) in mm\/line\.c was not analysed: it has [\d,]+ characters \(the limit is 524,288\)/);
    assert.equal(a.budget.functions, 0);
    assert.equal(a.budget.work, 0);
    assert.deepEqual(a.budget.skipped.map((s) => s.reason), ['function-bytes']);
  });

  it('a function over the line cap is skipped; the functions beside it are analysed', () => {
    const body = ['static int small(int a)', '{', '\treturn a;', '}', ''];
    const text = newFilePatch('mm/two.c', [...body, 'static int big(void)', '{', ...Array.from({ length: 12_000 }, (_, i) => `\tx(${i});`), '}']);
    const a = analyze(text, 'two.patch');
    assert.deepEqual(a.functions.map((f) => f.name), ['small']);
    const f = a.findings.find((x) => x.rule === 'input/function-too-large');
    assert.ok(f, 'a diagnostic for the skipped function');
    assert.match(f.message, /^big\(\) in mm\/two\.c was not analysed: it has 12,00\d lines \(the limit is 10,000\)/);
  });

  it('100,000 functions in one file: 10,000 analysed, the rest skipped with one located input/too-many-functions', () => {
    const text = manyFunctions(100_000);
    const a = analyze(text, 'many.patch');
    assert.equal(a.budget.functions, 10_000);
    assert.equal(a.functions.length, 10_000);
    assert.equal(a.budget.exhausted, 'functions');
    assert.equal(a.budget.skipped.length, 90_000);
    const f = a.findings.filter((x) => x.rule === 'input/too-many-functions');
    assert.equal(f.length, 1);
    assert.match(f[0].message, /f10000\(\) and the 89,999 functions after it \(in 1 file\) were not analysed/);
    assert.equal(f[0].range.start.line, hunkLine(text));
  });

  it('the document work budget: the functions after it runs out are skipped, with one diagnostic', () => {
    // 6 functions of 1,000 lines against a budget of 3,500 units
    const text = bigFunctions(6, 1000);
    const a = analyze(text, 'big.patch', { limits: { maxWork: 3_500 } });
    assert.equal(a.budget.exhausted, 'work');
    assert.ok(a.budget.work <= 3_500, `work ${a.budget.work}`);
    assert.deepEqual(a.functions.map((f) => f.name), ['big0', 'big1', 'big2']);
    const f = a.findings.filter((x) => x.rule === 'input/work-budget');
    assert.equal(f.length, 1);
    assert.match(f[0].message, /big3\(\) and the 2 functions after it \(in 1 file\) were not analysed/);
  });

  it('the keystroke path enforces the function limit exactly as a fresh analysis', () => {
    // a series of 8 mails of 5 functions each, a limit of 22 functions
    const mails = Array.from({ length: 8 }, (_, m) =>
      newFilePatch(`mm/m${m}.c`, Array.from({ length: 5 }, (_, i) => [`static int m${m}f${i}(int a)`, '{', `\treturn a + ${i};`, '}', '']).flat(), `mail ${m}`),
    );
    const limits = { maxFunctions: 22 };
    const same = (x: ReturnType<typeof analyze>, y: ReturnType<typeof analyze>) => {
      assert.deepEqual(x.functions.map((f) => f.name), y.functions.map((f) => f.name));
      assert.deepEqual(JSON.parse(JSON.stringify(x.findings)), JSON.parse(JSON.stringify(y.findings)));
    };
    // under the limit: 4 mails (20 functions); then an edit inside mail 2 adds 5 functions (25 > 22)
    let text = mails.slice(0, 4).join('');
    let prev = reanalyze(undefined, text, 's.mbox', { limits });
    assert.equal(prev.budget.exhausted, undefined);
    const extra = Array.from({ length: 5 }, (_, i) => [`static int extra${i}(int a)`, '{', '\treturn a;', '}', '']).flat();
    const mail2 = newFilePatch('mm/m2.c', [...Array.from({ length: 5 }, (_, i) => [`static int m2f${i}(int a)`, '{', `\treturn a + ${i};`, '}', '']).flat(), ...extra], 'mail 2');
    text = mails[0] + mails[1] + mail2 + mails[3];
    const inc = reanalyze(prev, text, 's.mbox', { limits });
    const fresh = analyze(text, 's.mbox', { limits });
    assert.equal(fresh.budget.exhausted, 'functions');
    assert.equal(fresh.functions.length, 22);
    same(inc, fresh);
    assert.ok(inc.findings.some((f) => f.rule === 'input/too-many-functions'));
    // and an edit far from the limit keeps matching a fresh analysis
    prev = inc;
    const text2 = text.replace('return a + 1;', 'return a + 11;');
    same(reanalyze(prev, text2, 's.mbox', { limits }), analyze(text2, 's.mbox', { limits }));
  });

  it('2,000 nested #ifdefs: configuration choice is linear (x2 depth, about x2 work)', () => {
    const work = (depth: number) => {
      const lines: string[] = [];
      const dirs: DirectiveLine[] = [];
      for (let i = 0; i < depth; i++) {
        dirs.push({ line: lines.length, kind: 'ifdef', text: `#ifdef CONFIG_H${i}` });
        lines.push(`#ifdef CONFIG_H${i}`, `\tstep(${i});`);
      }
      for (let i = 0; i < depth; i++) {
        dirs.push({ line: lines.length, kind: 'endif', text: '#endif' });
        lines.push('#endif');
      }
      const c = chooseConfigurations(condStructure(lines.length, dirs), 8);
      assert.deepEqual(c.uncovered, []);
      return c.work;
    };
    const w1 = work(1000);
    const w2 = work(2000);
    assert.ok(w2 / w1 < 2.3, `work ${w1} -> ${w2}`);
    const a = analyze(nestedIfdef(2000), 'nested.patch');
    assert.equal(a.functions.length, 1);
    assert.ok(a.units.length >= 2, 'the default and the all-enabled configurations');
  });

  it('a mesh of goto ladders: the leak search is linear (x2 gotos, about x2 states) and finds the leak', () => {
    const states = (n: number) => {
      const before = { ...pathSearchStats };
      const a = analyze(gotoMesh(n), 'mesh.patch');
      assert.ok(a.findings.some((f) => f.rule === 'ref-balance/leak'), 'the path to `fail` that forgets the reference');
      return pathSearchStats.ladderStates - before.ladderStates + pathSearchStats.errorReturnNodes - before.errorReturnNodes;
    };
    // 1,500 and 3,000 gotos (9,000 lines: under the 10,000-line function cap)
    const s1 = states(1500);
    const s2 = states(3000);
    assert.ok(s1 > 1500, `states ${s1}`);
    assert.ok(s2 / s1 < 2.3, `states ${s1} -> ${s2}`);
  });

  it('a lone CR is a line end for every position the engine reports', () => {
    const text = gotoMesh(20).replace('Subject: [PATCH] hostile input', 'Subject: [PATCH] hostile\rinput');
    const idx = new LineIndex(text);
    const crAt = text.indexOf('\r');
    assert.deepEqual(idx.positionAt(crAt + 1), { line: idx.positionAt(crAt).line + 1, character: 0 });
    assert.equal(idx.lineEnd(idx.positionAt(crAt).line), crAt);
    const a = analyze(text, 'cr.patch');
    const b = analyze(text.replace('\r', ' '), 'cr.patch');
    // same findings, every one a line further down
    assert.ok(b.findings.length > 0);
    assert.equal(a.findings.length, b.findings.length);
    for (let i = 0; i < a.findings.length; i++) assert.equal(a.findings[i].range.start.line, b.findings[i].range.start.line + 1);
  });
});
