/**
 * Shared by the replay tests: the cases (a corpus patch per rule), a finding's
 * replay in both variants, and a compact, reviewable form of a replay: one
 * line per step (CPU, origin, kind, the patch's expression, what it read and
 * wrote), the lanes, the invariant, the verdict and the fixed variant's reason.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze, type Analysis } from 'mm-review-server/engine/index';
import type { Finding } from 'mm-review-server/engine/findings';
import { requestOf, type Replay, type ReplayStep } from 'mm-review-server/protocol/replay';
import { replayRequest } from 'mm-review-server/sim/replay';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const CORPUS = path.join(ROOT, 'test', 'corpus');


/** One case per rule: a corpus patch (or a fixture), the line the finding starts on. */
export interface Case {
  rule: string;
  file: string;
  line: number;
}

export const CASES: Case[] = [
  { rule: 'ref-balance/leak', file: 'test/corpus/02-folio-leak-large.buggy.patch', line: 46 },
  { rule: 'ref-balance/double-release', file: 'test/corpus/03-gup-double-put.buggy.patch', line: 42 },
  { rule: 'ref-balance/release-without-acquire', file: 'test/corpus/06-put-after-failed-tryget.buggy.patch', line: 39 },
  { rule: 'ref-kind/mismatched-release', file: 'test/corpus/07-pin-put-page.buggy.patch', line: 34 },
  { rule: 'ref-kind/bias-mismatch', file: 'test/corpus/10-pin-bias-writeback.buggy.patch', line: 32 },
  { rule: 'spec-ref/get-on-lockless-lookup', file: 'test/corpus/11-readahead-folio-get.buggy.patch', line: 39 },
  { rule: 'spec-ref/no-revalidation', file: 'test/corpus/13-filemap-no-reload.buggy.patch', line: 34 },
  { rule: 'spec-ref/revalidation-leak', file: 'test/corpus/15-filemap-reload-leak.buggy.patch', line: 36 },
  { rule: 'spec-ref/outside-rcu', file: 'test/corpus/17-find-get-page-no-rcu.buggy.patch', line: 39 },
  { rule: 'spec-ref/pgmap-hook-skipped', file: 'test/corpus/19-x86-gup-devmap-speculative.buggy.patch', line: 51 },
  { rule: 'spec-ref/pgmap-leak', file: 'test/corpus/21-pgmap-leak-driver.buggy.patch', line: 31 },
  { rule: 'barrier/store-load-order', file: 'test/corpus/23-pin-writeback-wmb.buggy.patch', line: 28 },
  { rule: 'barrier/unordered-announce', file: 'test/corpus/25-walk-count-announce.buggy.patch', line: 24 },
  { rule: 'barrier/plain-publish', file: 'test/corpus/27-pte-populate-no-wmb.buggy.patch', line: 33 },
  // the corpus's removals are explained by their changelogs (information); this one is not
  { rule: 'barrier/removed', file: 'test/replay/fixtures/removed-wmb.patch', line: 19 },
  { rule: 'bracket/unbalanced', file: 'test/corpus/34-ptl-unbalanced-return.buggy.patch', line: 42 },
  { rule: 'bracket/flags-mismatch', file: 'test/corpus/37-irq-restore-pointer.buggy.patch', line: 36 },
  { rule: 'bracket/mixed-irq-style', file: 'test/corpus/39-irq-save-enable.buggy.patch', line: 30 },
  { rule: 'bracket/use-after-close', file: 'test/corpus/42-rcu-pointer-after-unlock.buggy.patch', line: 30 },
  // the seed-003 patch itself: `#ifdef LOCKLESS_PAGE_TABLE_WALK_TRACKING` compiles the walker count out
  { rule: 'bracket/kconfig-prefix', file: 'test/patch/fixtures/seeds/003_bb755003174c4176.txt', line: 217 },
  { rule: 'atomic-sleep/sleep-in-atomic', file: 'test/corpus/44-folio-lock-under-rcu.buggy.patch', line: 37 },
  // not a race: the replay says why it has none
  { rule: 'ref-kind/wrong-type', file: 'test/corpus/78-folio-convert-put-page.buggy.patch', line: 34 },
  { rule: 'ref-kind/narrowed-flags', file: 'test/corpus/80-foll-pin-narrowed.buggy.patch', line: 25 },
];

/** Second cases where a rule's findings take another shape. */
export const MORE_CASES: Case[] = [
  { rule: 'atomic-sleep/sleep-in-atomic', file: 'test/corpus/45-alloc-under-spinlock.buggy.patch', line: 27 },
  { rule: 'bracket/unbalanced', file: 'test/corpus/33-rcu-unbalanced-return.buggy.patch', line: 30 },
  { rule: 'ref-balance/release-without-acquire', file: 'test/corpus/05-put-unreferenced-page.buggy.patch', line: 36 },
  { rule: 'ref-kind/mismatched-release', file: 'test/corpus/08-gup-unpin.buggy.patch', line: 35 },
  { rule: 'bracket/use-after-close', file: 'test/corpus/41-pte-use-after-unlock.buggy.patch', line: 33 },
  { rule: 'spec-ref/outside-rcu', file: 'test/corpus/18-spec-get-irqs-on.buggy.patch', line: 37 },
  // a call the patch replaces: the release, the get, the allocation (no acquire or lock in sight)
  { rule: 'ref-kind/mismatched-release', file: 'test/replay/fixtures/replaced-kind.patch', line: 19 },
  { rule: 'ref-balance/leak', file: 'test/replay/fixtures/replaced-kind.patch', line: 20 },
  { rule: 'atomic-sleep/sleep-in-atomic', file: 'test/replay/fixtures/replaced-sleep.patch', line: 19 },
  { rule: 'spec-ref/get-on-lockless-lookup', file: 'test/replay/fixtures/replaced-get.patch', line: 21 },
  { rule: 'ref-kind/wrong-type', file: 'test/corpus/79-kunmap-local-address.buggy.patch', line: 28 },
];

/** The golden file's suffix for another shape: the corpus number, or the fixture's name. */
export function shapeSuffix(c: Case): string {
  const m = /\/(\d+)-[^/]*$/.exec(c.file) ?? /\/([\w-]+)\.patch$/.exec(c.file);
  return `.${m ? m[1] : path.basename(c.file)}`;
}

const analyses = new Map<string, Analysis>();

/** A corpus case's code era (its expectations' kernelVersion), for files under test/corpus. */
function corpusKernel(file: string): string | undefined {
  if (!file.includes('test/corpus/')) return undefined;
  const j = JSON.parse(fs.readFileSync(path.resolve(ROOT, 'test/corpus/expectations.json'), 'utf8')) as { cases: Record<string, { kernelVersion?: string; buggy?: string; fixed?: string; file?: string }> };
  const base = path.basename(file);
  for (const c of Object.values(j.cases)) if (c.buggy === base || c.fixed === base || c.file === base) return c.kernelVersion;
  return undefined;
}

export function analysisOf(file: string): Analysis {
  let a = analyses.get(file);
  if (!a) analyses.set(file, (a = analyze(fs.readFileSync(path.resolve(ROOT, file), 'utf8'), file, { kernelVersion: corpusKernel(file) })));
  return a;
}

export function findingOf(c: Case): Finding {
  const f = analysisOf(c.file).findings.find((x) => x.rule === c.rule && x.range.start.line + 1 === c.line);
  if (!f) throw new Error(`${c.file}:${c.line}: no ${c.rule} finding (${analysisOf(c.file).findings.map((x) => `${x.rule}@${x.range.start.line + 1}`).join(', ')})`);
  return f;
}

/** The replay of a finding's race, or the reason there is none. */
export function replayOf(f: Finding, variant: 'buggy' | 'fixed'): Replay | { unavailable: string } {
  const req = requestOf(f, variant);
  if ('unavailable' in req) return req;
  return replayRequest(req, { timeoutMs: 30000 });
}

function originOf(s: ReplayStep): string {
  const o = s.origin;
  if (!o) return '-';
  if (o.kind === 'patch') return `L${o.line}${o.fn ? `@${o.fn}` : ''}`;
  if (o.kind === 'fix') return `fix${o.line ? `@L${o.line}` : ''}`;
  if (o.kind === 'counterpart') return 'counterpart';
  return `seed ${o.seed}`;
}

/** One step as one line: `CPU0 L52 read xa_load(...) [mapping->i_pages[index] = 1 <- init]`. */
export function stepLine(s: ReplayStep): string {
  const from = (n: number | null) => (n === null ? 'init' : `#${n}`);
  const val = s.reads && s.writes
    ? ` [${s.reads.location}: ${s.reads.value} <- ${from(s.reads.from)} -> ${s.writes.value}]`
    : s.reads
      ? ` [${s.reads.location} = ${s.reads.value} <- ${from(s.reads.from)}]`
      : s.writes
        ? ` [${s.writes.location} := ${s.writes.value}]`
        : '';
  return `#${s.index} CPU${s.cpu} ${originOf(s)} ${s.kind} ${s.text}${val}${s.stale ? ' STALE' : ''}`;
}

export interface Golden {
  case: string;
  rule: string;
  family?: string;
  unavailable?: string;
  buggy?: { verdict: string; lanes: string[]; invariant: string; brokenAt?: number; steps: string[] };
  fixed?: { verdict: string; reason?: string; forbiddenBy: string[]; story: string; steps: string[] };
}

export function goldenOf(c: Case): Golden {
  const f = findingOf(c);
  const g: Golden = { case: `${c.file}:${c.line}`, rule: c.rule };
  const b = replayOf(f, 'buggy');
  if ('unavailable' in b) return { ...g, unavailable: b.unavailable };
  const x = replayOf(f, 'fixed');
  if ('unavailable' in x) return { ...g, unavailable: x.unavailable };
  const v = (r: Replay) => `${r.verdict.observation} ${r.verdict.positive} ${r.verdict.negative}${r.verdict.complete ? '' : ' incomplete'}`;
  g.family = b.family;
  g.buggy = { verdict: v(b), lanes: b.cpus.map((l) => `${l.name} (${l.origin ?? '?'}${l.protocol ? `: ${l.protocol}` : ''})`), invariant: b.invariant, ...(b.outcome.brokenAtStep ? { brokenAt: b.outcome.brokenAtStep } : {}), steps: b.steps.map(stepLine) };
  g.fixed = { verdict: v(x), ...(x.fixReason ? { reason: x.fixReason } : {}), forbiddenBy: x.outcome.forbiddenBy ?? [], story: x.story, steps: x.steps.map(stepLine) };
  return g;
}

export function goldenFile(rule: string, suffix = ''): string {
  return path.join(ROOT, 'test', 'replay', 'golden', `${rule.replace(/\//g, '--')}${suffix}.json`);
}
