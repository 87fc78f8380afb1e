/**
 * Scores the engine on the evaluation corpus (test/corpus/, built by
 * test/corpus/gen.js): recall on the buggy patches and false positives on the
 * fixed and clean ones.  Shared by corpus.test.ts and the docs table.
 *
 * Matching: an expected finding {rule, line, alt?} is found when the engine
 * reports that rule with its range starting on `line` or on one of the `alt`
 * lines (1-based lines of the patch file).  A reported finding satisfies at
 * most one expectation.  A false positive is a finding of a category other
 * than `input`, at warning or above, on a fixed or clean patch.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze } from 'mm-review-server/engine/index';
import { SEVERITY_RANK, type Finding } from 'mm-review-server/engine/findings';

export interface Expectation { rule: string; line: number; text: string; alt?: number[] }
export interface CorpusCase { kind: 'pair' | 'clean'; note: string; kernelVersion?: string; buggy?: string; fixed?: string; file?: string; expect?: Expectation[] }
export interface Corpus { dir: string; cases: Record<string, CorpusCase> }

/** The rule ids of the shared contract; every one must be covered by the corpus. */
export const CONTRACT_RULES = [
  'ref-balance/leak', 'ref-balance/double-release', 'ref-balance/release-without-acquire',
  'ref-kind/mismatched-release', 'ref-kind/bias-mismatch', 'ref-kind/wrong-type',
  'spec-ref/get-on-lockless-lookup', 'spec-ref/no-revalidation', 'spec-ref/revalidation-leak', 'spec-ref/outside-rcu',
  'spec-ref/pgmap-hook-skipped', 'spec-ref/pgmap-leak',
  'barrier/store-load-order', 'barrier/unordered-announce', 'barrier/plain-publish', 'barrier/removed', 'barrier/uncommented',
  'bracket/unbalanced', 'bracket/flags-mismatch', 'bracket/mixed-irq-style', 'bracket/use-after-close',
  'atomic-sleep/sleep-in-atomic',
  'ref-kind/narrowed-flags',
] as const;

export function corpusDir(): string {
  // compiled to test/out/engine/; the corpus stays in test/corpus/
  return path.resolve(__dirname, '..', '..', 'corpus');
}

/** The kernel version a corpus file's code belongs to (the case's `kernel:`), or undefined (current mainline). */
export function kernelVersionOf(corpus: Corpus, file: string): string | undefined {
  const base = path.basename(file);
  for (const c of Object.values(corpus.cases)) if (c.buggy === base || c.fixed === base || c.file === base) return c.kernelVersion;
  return undefined;
}

export function loadCorpus(dir = corpusDir()): Corpus {
  const j = JSON.parse(fs.readFileSync(path.join(dir, 'expectations.json'), 'utf8')) as { cases: Record<string, CorpusCase> };
  return { dir, cases: j.cases };
}

export interface Miss { caseName: string; rule: string; line: number; text: string; got: string[] }
export interface FalsePositive { caseName: string; file: string; finding: Finding; line: number }
export interface RuleRow { rule: string; expected: number; found: number; fp: number; extra: number }
export interface Score {
  pairs: number;
  clean: number;
  expected: number;
  found: number;
  recall: number;
  misses: Miss[];
  falsePositives: FalsePositive[];
  /** Warning+ findings on buggy patches that match no expectation (not counted as false positives). */
  extras: FalsePositive[];
  rows: RuleRow[];
  ms: number;
}

const serious = (f: Finding) => f.category !== 'input' && SEVERITY_RANK[f.severity] >= SEVERITY_RANK.warning;
const line1 = (f: Finding) => f.range.start.line + 1;

export function scoreCorpus(corpus: Corpus = loadCorpus()): Score {
  const t0 = performance.now();
  const misses: Miss[] = [];
  const fps: FalsePositive[] = [];
  const extras: FalsePositive[] = [];
  const rows = new Map<string, RuleRow>();
  const row = (rule: string) => {
    let r = rows.get(rule);
    if (!r) rows.set(rule, (r = { rule, expected: 0, found: 0, fp: 0, extra: 0 }));
    return r;
  };
  for (const r of CONTRACT_RULES) row(r);
  let pairs = 0, clean = 0, expected = 0, found = 0;
  const run = (file: string) => analyze(fs.readFileSync(path.join(corpus.dir, file), 'utf8'), file, { kernelVersion: kernelVersionOf(corpus, file) }).findings;

  for (const [name, c] of Object.entries(corpus.cases)) {
    const quiet = c.kind === 'pair' ? [c.fixed as string] : [c.file as string];
    if (c.kind === 'pair') {
      pairs++;
      const findings = run(c.buggy as string);
      const used = new Set<Finding>();
      for (const e of c.expect ?? []) {
        expected++;
        row(e.rule).expected++;
        const lines = new Set([e.line, ...(e.alt ?? [])]);
        const hit = findings.find((f) => !used.has(f) && f.rule === e.rule && lines.has(line1(f)));
        if (hit) {
          used.add(hit);
          found++;
          row(e.rule).found++;
        } else {
          misses.push({ caseName: name, rule: e.rule, line: e.line, text: e.text, got: findings.filter((f) => f.category !== 'input').map((f) => `${f.rule}@${line1(f)}`) });
        }
      }
      for (const f of findings) {
        if (!used.has(f) && serious(f)) {
          extras.push({ caseName: name, file: c.buggy as string, finding: f, line: line1(f) });
          row(f.rule).extra++;
        }
      }
    } else clean++;
    for (const file of quiet) {
      for (const f of run(file)) {
        if (!serious(f)) continue;
        fps.push({ caseName: name, file, finding: f, line: line1(f) });
        row(f.rule).fp++;
      }
    }
  }
  return {
    pairs, clean, expected, found,
    recall: expected ? found / expected : 0,
    misses, falsePositives: fps, extras,
    rows: [...rows.values()].sort((a, b) => a.rule.localeCompare(b.rule)),
    ms: performance.now() - t0,
  };
}

const pct = (n: number, d: number) => (d ? `${((100 * n) / d).toFixed(0)}%` : '-');

/** The per-rule table as Markdown (also printed by the test). */
export function formatTable(s: Score): string {
  const out = [
    `Corpus: ${s.pairs} buggy/fixed pairs, ${s.clean} clean patches, ${s.expected} expected findings.`,
    `Recall ${s.found}/${s.expected} = ${(100 * s.recall).toFixed(1)}% (target >= 95%); false positives on fixed+clean: ${s.falsePositives.length} (target 0); unexpected warning+ findings on buggy patches: ${s.extras.length}.`,
    '',
    '| rule | expected | found | recall | false positives (fixed+clean) | unexpected on buggy |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of s.rows) out.push(`| \`${r.rule}\` | ${r.expected} | ${r.found} | ${pct(r.found, r.expected)} | ${r.fp} | ${r.extra} |`);
  out.push(`| **total** | ${s.expected} | ${s.found} | ${pct(s.found, s.expected)} | ${s.falsePositives.length} | ${s.extras.length} |`);
  return out.join('\n');
}

export function formatDetails(s: Score): string {
  const out: string[] = [];
  if (s.misses.length) {
    out.push('Missed:');
    for (const m of s.misses) out.push(`  ${m.caseName}: ${m.rule} at line ${m.line} (${m.text}); reported: ${m.got.join(', ') || 'nothing'}`);
  }
  if (s.falsePositives.length) {
    out.push('False positives:');
    for (const f of s.falsePositives) out.push(`  ${f.file}:${f.line}: ${f.finding.rule} [${f.finding.severity}] ${f.finding.message}`);
  }
  if (s.extras.length) {
    out.push('Unexpected on buggy patches:');
    for (const f of s.extras) out.push(`  ${f.file}:${f.line}: ${f.finding.rule} [${f.finding.severity}] ${f.finding.message}`);
  }
  return out.join('\n');
}
