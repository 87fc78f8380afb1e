/**
 * For every rule, a corpus case whose replay is checked event by event
 * against a reviewed golden file (test/replay/golden/<rule>.json): the lanes,
 * each step's CPU, origin (a line of the patch, the fix, a counterpart),
 * expression, what it read (and from which step) and wrote, the broken
 * invariant, the verdicts, and the fixed variant's reason. The goldens were
 * written by this test with MM_UPDATE_GOLDEN=1 and read line by line before
 * they were committed; a change in any story fails here until it is reviewed
 * the same way.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { ALL_RULES } from 'mm-review-server/rules/index';
import { CASES, MORE_CASES, goldenFile, goldenOf, shapeSuffix, type Case } from './helpers';

const update = process.env.MM_UPDATE_GOLDEN === '1';

function check(c: Case, suffix: string) {
  const got = goldenOf(c);
  const file = goldenFile(c.rule, suffix);
  if (update) fs.writeFileSync(file, JSON.stringify(got, null, 2) + '\n');
  const want = JSON.parse(fs.readFileSync(file, 'utf8'));
  assert.deepEqual(got, want, `${c.file}:${c.line} (${c.rule}): the replay differs from ${file}`);
}

describe('replays of the corpus, event by event (golden)', () => {
  it('every rule that reports warnings or errors has a case', () => {
    const rules = ALL_RULES.filter((r) => r.severity !== 'info' && r.severity !== 'hint').map((r) => r.id).sort();
    assert.deepEqual([...new Set(CASES.map((c) => c.rule))].sort(), rules);
  });
  for (const c of CASES) it(`${c.rule}: ${c.file}:${c.line}`, () => check(c, ''));
  for (const c of MORE_CASES) it(`${c.rule} (another shape): ${c.file}:${c.line}`, () => check(c, shapeSuffix(c)));

  it('the goldens tell the races the issue asks for', () => {
    const g = (rule: string, suffix = '') => JSON.parse(fs.readFileSync(goldenFile(rule, suffix), 'utf8'));
    // a folio series replays with folio APIs: no 2019 PAGE_PIN_BIAS / TestSetPageWriteback story
    const leak = g('ref-balance/leak');
    assert.ok(leak.buggy.steps.some((s: string) => s.includes('folio_get(folio)')));
    assert.ok(!JSON.stringify(leak).includes('PAGE_PIN_BIAS') && !JSON.stringify(leak).includes('TestSetPageWriteback'));
    // the speculative-get fix is folio_try_get() plus the re-check, not a re-check after folio_get()
    const spec = g('spec-ref/get-on-lockless-lookup');
    assert.ok(spec.fixed.steps.some((s: string) => / fix@L39 rmw folio_try_get\(folio\)/.test(s)));
    assert.match(spec.fixed.reason, /folio_try_get\(\) never takes a reference on a refcount of 0/);
    // sleeping in an atomic section is about the section: RCU's grace period, or a spinlock's holder scheduled out
    assert.equal(g('atomic-sleep/sleep-in-atomic').family, 'sleep');
    assert.match(g('atomic-sleep/sleep-in-atomic').buggy.invariant, /grace period ends while filemap_prefault_range\(\) sleeps/);
    assert.match(g('atomic-sleep/sleep-in-atomic', '.45').buggy.invariant, /scheduled out while another task on its CPU spins on resv->lock/);
    // a wrong release kind: the pin count is corrupted and folio_maybe_dma_pinned()/page_maybe_dma_pinned() lies
    assert.match(g('ref-kind/mismatched-release').buggy.invariant, /"maybe pinned" is a lie/);
  });
});
