// Replays: the story of a witnessing execution (buggy) or of the closest
// forbidden candidate (fixed), checked against the real engine's results.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { replay, renderReplayText, buildReplay, type Replay } from 'mm-review-server/sim/replay';
import { runLitmus, type Execution, type LitmusResult } from 'mm-review-server/sim/index';
import { instantiateScenario, listScenarios } from 'mm-review-server/sim/scenarios/index';

const IDS = listScenarios().map((s) => s.id);

/** The story is consistent with the execution it tells. */
function checkStory(r: Replay) {
  const lines = r.litmus.split('\n');
  const real = r.steps.filter((s) => s.kind !== 'note');
  assert.ok(real.length > 0, `${r.scenario} ${r.variant}: steps`);
  r.steps.forEach((s, i) => assert.equal(s.index, i + 1, 'steps are numbered 1..n'));
  const lastPerCpu = new Map<number, number>();
  for (const s of real) {
    // Every step names its litmus source line, and that line holds the statement.
    assert.ok(s.litmusLine && s.source, `${r.scenario} step ${s.index} has a source line`);
    assert.equal(lines[s.litmusLine - 1].trim(), s.source.litmus, `${r.scenario} step ${s.index}`);
    assert.ok(s.text.length > 0);
    assert.ok(r.cpus.some((c) => c.id === s.cpu));
    // Program order: each CPU's steps appear in litmus line order (no loops in scenarios).
    assert.ok((lastPerCpu.get(s.cpu) ?? 0) < s.litmusLine, `${r.scenario}: program order on CPU${s.cpu}`);
    lastPerCpu.set(s.cpu, s.litmusLine);
    if (s.readsFrom) {
      assert.ok(s.reads, 'reads mirrors readsFrom');
      if (s.readsFrom.step !== null) {
        const w = r.steps[s.readsFrom.step - 1];
        assert.ok(w.kind === 'write' || w.kind === 'rmw' || w.kind === 'lock' || w.kind === 'unlock', `${r.scenario}: step ${s.index} reads from a write`);
        assert.equal(w.location, s.reads!.location);
        // the value read is the value that write wrote (an RMW's `value` is what it wrote, `reads` what it read)
        assert.equal(s.reads!.value, w.writes?.value ?? w.value, `${r.scenario}: step ${s.index} reads what step ${w.index} wrote`);
        // a forbidden candidate may read ahead of its write (that is why it is forbidden): then the story says so
        assert.ok(s.readsFrom.step < s.index || /out of order/.test(s.readsFrom.description), `${r.scenario}: reads-from points backwards in the story`);
      }
    }
    if (s.stale) {
      const w = r.steps[s.stale.newerStep - 1];
      assert.ok(s.stale.newerStep < s.index, 'the newer write came earlier in the story');
      assert.equal(w.location, s.location);
      // In an allowed execution a CPU always sees its own writes (coherence);
      // a forbidden candidate may break exactly that.
      if (r.story === 'witness') assert.notEqual(w.cpu, s.cpu, 'a CPU always sees its own writes');
    }
  }
}

for (const id of IDS) {
  test(`${id}: buggy replay tells a witness that breaks the invariant`, () => {
    const r = replay(id, 'buggy');
    assert.equal(r.scenario, id);
    assert.equal(r.variant, 'buggy');
    assert.equal(r.verdict.observation, 'Sometimes');
    assert.equal(r.outcome.reachable, true);
    assert.equal(r.story, 'witness');
    assert.ok(r.outcome.invariant.length > 20);
    assert.equal(r.invariant, r.outcome.invariant);
    assert.ok(r.outcome.brokenAtStep !== undefined && r.outcome.brokenAtStep <= r.steps.length, `${id}: brokenAtStep`);
    assert.equal(r.outcome.forbiddenBy, undefined);
    checkStory(r);
  });

  test(`${id}: fixed replay says unreachable and why`, () => {
    const r = replay(id, 'fixed');
    assert.equal(r.verdict.observation, 'Never');
    assert.equal(r.verdict.complete, true);
    assert.equal(r.outcome.reachable, false);
    assert.ok(r.outcome.forbiddenBy && r.outcome.forbiddenBy.length > 0, `${id}: forbiddenBy`);
    for (const f of r.outcome.forbiddenBy!) assert.ok(f.length > 30, f);
    if (r.story === 'forbidden-candidate') {
      assert.equal(r.steps[0].kind, 'note');
      assert.match(r.steps[0].text, /IMPOSSIBLE/);
      checkStory(r);
    } else {
      assert.equal(r.story, 'example', `${id}: a fixed variant shows a forbidden candidate or one allowed execution`);
      assert.match(r.steps[0].text, /^SAFE/);
      checkStory(r);
    }
  });
}

test('S1 buggy: the store-buffering story has exactly one stale read, of the pin', () => {
  const r = replay('S1', 'buggy');
  const stale = r.steps.filter((s) => s.stale);
  assert.equal(stale.length, 1);
  const s = stale[0];
  assert.equal(s.text, 'page_pinned(page)');
  assert.equal(s.value, 1);
  assert.equal(s.readsFrom!.step, null, 'reads the initial refcount');
  assert.equal(r.steps[s.stale!.newerStep - 1].text, 'page_ref_add(page, PAGE_PIN_BIAS)');
  assert.equal(r.steps[s.stale!.newerStep - 1].value, 1025);
  assert.equal(r.outcome.brokenAtStep, r.steps.length);
});

test('S1 fixed: forbidden by the propagation axiom, in words, with the fix named', () => {
  const r = replay('S1', 'fixed');
  assert.equal(r.story, 'forbidden-candidate');
  assert.ok(r.outcome.forbiddenBy!.some((f) => /^smp_mb\(\) in get_user_pages_fast and in test_set_page_writeback: the propagation axiom \(pb\)/.test(f)), r.outcome.forbiddenBy!.join('\n'));
});

test('S7 fixed: forbidden by the RCU axiom; S3 and S4 fixed by propagation (a reordering is what the buggy outcome needs)', () => {
  assert.ok(replay('S7', 'fixed').outcome.forbiddenBy!.some((f) => f.includes('the RCU axiom (rcu)')));
  for (const id of ['S3', 'S4']) {
    const r = replay(id, 'fixed');
    assert.ok(r.outcome.forbiddenBy!.some((f) => f.includes('the propagation axiom (pb)')), `${id}: ${r.outcome.forbiddenBy}`);
    // the buggy outcome needs a reordering: its witness has a stale read
    assert.ok(replay(id, 'buggy').steps.some((s) => s.stale), `${id}: the buggy witness reads a stale value`);
  }
});

test('S6 fixed is the seed-004 thread\'s fix: the pgmap reference goes with the page\'s final put', () => {
  const f = replay('S6', 'fixed');
  assert.ok(f.steps.some((s) => /__put_page\(\) -> put_dev_pagemap/.test(s.text)), f.steps.map((s) => s.text).join('\n'));
  assert.ok(!f.litmus.includes('put_zone_device_page'), 'the fix removes {get,put}_zone_device_page()');
  assert.ok(replay('S6', 'buggy').steps.some((s) => /put_zone_device_page/.test(s.text)));
});

test('RMW steps: what was read and what was written are separate (the view shows both)', () => {
  const r = replay('S1', 'buggy');
  const pin = r.steps.find((s) => s.kind === 'rmw')!;
  assert.deepEqual([pin.reads!.value, pin.writes!.value], [1, 1025]);
  assert.equal(pin.reads!.from, null);
});

test('S5 buggy: a plain interleaving (no stale reads): free, reuse, then the speculative get succeeds', () => {
  const r = replay('S5', 'buggy');
  assert.equal(r.steps.filter((s) => s.stale).length, 0);
  const texts = r.steps.map((s) => `${s.cpu}:${s.text}`);
  const at = (t: string) => texts.indexOf(t);
  assert.ok(at('1:alloc_page(): set_page_refcounted(page)') >= 0, texts.join('\n'));
  assert.ok(at('1:alloc_page(): set_page_refcounted(page)') < at('0:page_cache_get_speculative(page)'));
  const get = r.steps[at('0:page_cache_get_speculative(page)')];
  assert.equal(get.kind, 'rmw');
  assert.equal(get.reads!.value, 1, 'the get reads the new owner\'s refcount');
  assert.equal(get.value, 2);
  assert.equal(r.steps[get.readsFrom!.step! - 1].text, 'alloc_page(): set_page_refcounted(page)');
});

test("replay with a finding's params speaks the patch's language and names the patch line", () => {
  const r = replay('S5', 'buggy', { function: 'gup_fast_pte', object: 'folio', acquire: 'folio_try_get', location: 'folio->_refcount', line: 88 });
  assert.equal(r.cpus[0].name, 'CPU0: gup_fast_pte (GUP-fast)');
  const get = r.steps.find((s) => s.text === 'folio_try_get(folio)');
  assert.ok(get, r.steps.map((s) => s.text).join('|'));
  assert.equal(get.source!.patchLine, 88);
  assert.equal(get.location, 'folio->_refcount', 'locations are shown with the patch\'s names');
  assert.deepEqual(r.params, { function: 'gup_fast_pte', object: 'folio', acquire: 'folio_try_get', location: 'folio->_refcount', line: 88 });
  assert.equal(r.verdict.observation, 'Sometimes');
  assert.match(r.invariant, /^gup_fast_pte hands out folio/);
});

test('unknown scenario or variant throws', () => {
  assert.throws(() => replay('S0', 'buggy'), /unknown scenario/);
  assert.throws(() => replay('S1', 'worse' as 'buggy'), /unknown variant/);
});

test('renderReplayText: one column per CPU, reads-from arrows, stale marker, verdict line', () => {
  const r = replay('S1', 'buggy');
  const t = renderReplayText(r);
  const lines = t.split('\n');
  const header = lines.find((l) => l.startsWith(' #  |'))!;
  assert.ok(header.includes('CPU0: get_user_pages_fast'), header);
  assert.equal(header.split('|').length, 3, 'two CPU columns');
  assert.match(t, /reads refcount = 1 <- initial value/);
  assert.match(t, /!! STALE: misses step 1's write\n/);
  assert.match(t, /\*\* invariant broken here/);
  assert.match(t, /^Verdict \(LKMM\): Sometimes - the bad outcome is REACHABLE \(invariant broken at step 6\)\. Positive: 1 Negative: 3$/m);
  // CPU1's steps sit in the second column.
  const s4 = lines.find((l) => /^\s+4 \|/.test(l))!;
  assert.match(s4, /^\s+4 \| {20,}\| TestSetPageWriteback\(page\)/);
  const tf = renderReplayText(replay('S3', 'fixed'));
  assert.match(tf, /^Verdict \(LKMM\): Never - the bad outcome is UNREACHABLE/m);
  assert.match(tf, /forbidden by smp_mb\(\) in the splitter between pmdp_invalidate\(\) and running_lockless_pgtbl_walk\(\)/);
  assert.match(tf, /IMPOSSIBLE/);
  // Three CPUs, three columns.
  const t2 = renderReplayText(replay('S2', 'buggy'));
  assert.equal(t2.split('\n').find((l) => l.startsWith(' #  |'))!.split('|').length, 4);
});

// The linearisation on hand-made executions, independent of the engine's choice of witness.
function fakeResult(exec: Execution, observation: LitmusResult['observation']): LitmusResult {
  return {
    name: 'x', observation, complete: true, possible: [observation], states: [], positive: observation === 'Never' ? 0 : 1, negative: 1, condition: '', kind: 'exists',
    witnesses: observation === 'Never' ? [] : [exec], forbidden: observation === 'Never' ? [{ execution: exec, violated: ['propagation: cycle'] }] : [],
    flags: [], stats: { candidates: 0, allowed: 0, ms: 0, symmetry: 1, bound: { polls: 0, units: 0, maxGapUnits: 0, maxGapMs: 0 } },
  } as LitmusResult;
}

test('linearisation: the story minimises stale reads and keeps po, rf and co', () => {
  // S3 buggy shape, by hand: P0: inc walkers; read pmd=1 (initial). P1: write pmd=0; read walkers=0 (initial).
  const inst = instantiateScenario('S3', 'buggy');
  const lineOf = (re: RegExp) => inst.litmus.split('\n').findIndex((l) => re.test(l)) + 1;
  const ev = (id: number, thread: number, kind: 'R' | 'W' | 'RMW', loc: string, value: number, re: RegExp, poIndex: number, extra = {}) => ({
    id, thread, kind, loc, value, annotation: 'once', line: lineOf(re), column: 1, text: '', poIndex, ...extra,
  });
  const exec: Execution = {
    events: [
      ev(0, 0, 'RMW', 'nr_walkers', 0, /atomic_inc/, 0, { access: 'R', rmwPartner: 1 }),
      ev(1, 0, 'RMW', 'nr_walkers', 1, /atomic_inc/, 1, { access: 'W', rmwPartner: 0 }),
      ev(2, 0, 'R', 'pmd', 1, /READ_ONCE\(\*pmd\)/, 2),
      ev(3, 1, 'W', 'pmd', 0, /WRITE_ONCE\(\*pmd/, 0),
      ev(4, 1, 'R', 'nr_walkers', 0, /atomic_read/, 1),
    ],
    rf: [{ read: 0, write: null }, { read: 2, write: null }, { read: 4, write: null }],
    co: { nr_walkers: [1], pmd: [3] },
    final: {},
  };
  const r = buildReplay(inst, fakeResult(exec, 'Sometimes'));
  assert.deepEqual(
    r.steps.map((s) => [s.cpu, s.kind]),
    [[0, 'rmw'], [0, 'read'], [1, 'write'], [1, 'read']],
    'the RMW halves form one step; CPU0 reads pmd before CPU1 overwrites it',
  );
  assert.equal(r.steps.filter((s) => s.stale).length, 1);
  assert.equal(r.steps[3].stale!.newerStep, 1);
  assert.equal(r.steps[0].reads!.value, 0);
  assert.equal(r.steps[0].value, 1);
  assert.equal(r.outcome.brokenAtStep, 4);

  // The same execution as a forbidden candidate: a leading IMPOSSIBLE note, the numbering shifts by one everywhere.
  const f = buildReplay(instantiateScenario('S3', 'fixed'), fakeResult(exec, 'Never'));
  assert.equal(f.steps[0].kind, 'note');
  assert.equal(f.steps[4].stale!.newerStep, 2);
  assert.match(f.steps[4].stale!.description, /at step 2 /);
});

test('linearisation: a reads-from cycle (load buffering) is told with an out-of-order read', () => {
  // Reuse S8's instance only for line texts; the execution is LB-shaped:
  // P0: r = x (reads P1's write); y = 1.   P1: r = y (reads P0's write); x = 1.
  const inst = instantiateScenario('S8', 'buggy');
  const exec: Execution = {
    events: [
      { id: 0, thread: 0, kind: 'R', loc: 'x', value: 1, annotation: 'once', line: 1, column: 1, text: 'r0 = READ_ONCE(*x)', poIndex: 0 },
      { id: 1, thread: 0, kind: 'W', loc: 'y', value: 1, annotation: 'once', line: 2, column: 1, text: 'WRITE_ONCE(*y, 1)', poIndex: 1 },
      { id: 2, thread: 1, kind: 'R', loc: 'y', value: 1, annotation: 'once', line: 3, column: 1, text: 'r0 = READ_ONCE(*y)', poIndex: 0 },
      { id: 3, thread: 1, kind: 'W', loc: 'x', value: 1, annotation: 'once', line: 4, column: 1, text: 'WRITE_ONCE(*x, 1)', poIndex: 1 },
    ],
    rf: [{ read: 0, write: 3 }, { read: 2, write: 1 }],
    co: { x: [3], y: [1] },
    final: {},
  };
  const r = buildReplay(inst, fakeResult(exec, 'Sometimes'));
  assert.equal(r.steps.length, 4);
  const early = r.steps.filter((s) => /out of order/.test(s.readsFrom?.description ?? ''));
  assert.equal(early.length, 1, 'exactly one read is satisfied ahead of its write');
  assert.ok(early[0].readsFrom!.step! > early[0].index);
});
