/**
 * The evaluation corpus (issue 3, "What it must show"): at least 40 buggy/fixed
 * pairs covering every rule of the contract at least twice, plus clean but
 * tricky negatives.  The engine must find >= 95% of the expected findings at
 * the right line with the right rule, and report no warning-or-error finding
 * (other than input diagnostics) on any fixed or clean patch.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze } from 'mm-review-server/engine/index';
import { CONTRACT_RULES, formatDetails, formatTable, loadCorpus, scoreCorpus } from './corpus-score';

const corpus = loadCorpus();
const cases = Object.entries(corpus.cases);

describe('evaluation corpus: the corpus itself', () => {
  test('has at least 40 pairs and 15 clean patches, all files present', () => {
    const pairs = cases.filter(([, c]) => c.kind === 'pair');
    const clean = cases.filter(([, c]) => c.kind === 'clean');
    assert.ok(pairs.length >= 40, `${pairs.length} pairs`);
    assert.ok(clean.length >= 15, `${clean.length} clean patches`);
    for (const [, c] of cases) for (const f of [c.buggy, c.fixed, c.file]) if (f) assert.ok(fs.existsSync(path.join(corpus.dir, f)), f);
  });

  test('covers every contract rule at least twice, and only contract rules', () => {
    const count = new Map<string, number>();
    for (const [, c] of cases) for (const e of c.expect ?? []) count.set(e.rule, (count.get(e.rule) ?? 0) + 1);
    for (const r of CONTRACT_RULES) assert.ok((count.get(r) ?? 0) >= 2, `${r}: ${count.get(r) ?? 0} expected findings`);
    for (const r of count.keys()) assert.ok((CONTRACT_RULES as readonly string[]).includes(r), `unknown rule ${r}`);
  });

  test('every expected line holds the text the expectation names', () => {
    for (const [name, c] of cases) {
      if (!c.buggy) continue;
      const lines = fs.readFileSync(path.join(corpus.dir, c.buggy), 'utf8').split('\n');
      for (const e of c.expect ?? []) {
        const l = lines[e.line - 1] ?? '';
        assert.match(l, /^[-+ ]/, `${name}: line ${e.line} is not a diff line`);
        assert.equal(l.slice(1).trim(), e.text, `${name}: line ${e.line}`);
      }
    }
  });

  test('every patch parses as one mail with a C diff and rebuilds at least one function', () => {
    for (const [name, c] of cases) {
      for (const f of [c.buggy, c.fixed, c.file]) {
        if (!f) continue;
        const a = analyze(fs.readFileSync(path.join(corpus.dir, f), 'utf8'), f, { categories: ['input'] });
        assert.equal(a.doc.messages.length, 1, `${name}: ${f}`);
        assert.ok(a.functions.length >= 1, `${name}: ${f}: no function rebuilt`);
        const errors = a.findings.filter((x) => x.severity === 'error');
        assert.deepEqual(errors.map((x) => x.message), [], `${name}: ${f}`);
      }
    }
  });
});

describe('evaluation corpus: engine results', () => {
  const score = scoreCorpus(corpus);
  console.log(formatTable(score));
  const details = formatDetails(score);
  if (details) console.log(details);

  test('recall >= 95% (expected findings at the right line with the right rule)', () => {
    assert.ok(score.recall >= 0.95, `recall ${(100 * score.recall).toFixed(1)}% (${score.found}/${score.expected}); missed:\n${score.misses.map((m) => `${m.caseName} ${m.rule}@${m.line}`).join('\n')}`);
  });

  test('no warning-or-error finding on fixed and clean patches', () => {
    assert.deepEqual(
      score.falsePositives.map((f) => `${f.file}:${f.line} ${f.finding.rule}: ${f.finding.message}`),
      [],
    );
  });
});
