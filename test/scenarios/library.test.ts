// The scenario library without the engine: listing, instantiation with a
// finding's names, identifier sanitising, and the litmus text's shape.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listScenarios, exportLitmus, instantiateScenario, litmusIdent, getScenario, scenarioDefs } from 'mm-review-server/sim/scenarios/index';

const IDS = ['S1', 'S2', 'S3', 'S4', 'S5', 'S6', 'S7', 'S8', 'S9'];

test('listScenarios: S1..S9 with title, seed and both variants', () => {
  const list = listScenarios();
  assert.deepEqual(
    list.map((s) => s.id),
    IDS,
  );
  const seeds = Object.fromEntries(list.map((s) => [s.id, s.seed]));
  assert.deepEqual(seeds, { S1: '000', S2: '000', S3: '003', S4: '003', S5: '004', S6: '004', S7: '001', S8: '', S9: '002' });
  for (const s of list) {
    assert.deepEqual(Object.keys(s).sort(), ['id', 'seed', 'title', 'variants']);
    assert.ok(s.title.length > 10, s.id);
    assert.deepEqual(s.variants, ['buggy', 'fixed']);
  }
});

test('getScenario: case-insensitive; unknown ids throw with the known list', () => {
  assert.equal(getScenario('s5').id, 'S5');
  assert.throws(() => getScenario('S99'), /unknown scenario 'S99' \(known: S1, S2/);
  assert.throws(() => exportLitmus('S1', 'broken' as 'buggy'), /unknown variant/);
});

test('every variant renders a well-formed litmus test with the expected Result line', () => {
  for (const id of IDS) {
    for (const variant of ['buggy', 'fixed'] as const) {
      const text = exportLitmus(id, variant);
      const lines = text.split('\n');
      assert.equal(lines[0], `C ${id}-${variant}`);
      assert.ok(text.includes(`Result: ${variant === 'buggy' ? 'Sometimes' : 'Never'}`), `${id} ${variant}`);
      assert.match(text, /\nexists \(.+\)\n$/);
      assert.match(text, /\nP0\(/);
      // Balanced braces, every statement line ends with ; { or }.
      assert.equal((text.match(/\{/g) ?? []).length, (text.match(/\}/g) ?? []).length, `${id} ${variant} braces`);
      // No template placeholders left behind.
      assert.doesNotMatch(text, /\$[a-z]|\{[a-z]+\}/, `${id} ${variant} unfilled template`);
    }
  }
});

test('buggy and fixed variants differ in code, not in the bad outcome', () => {
  for (const id of IDS) {
    const b = instantiateScenario(id, 'buggy');
    const f = instantiateScenario(id, 'fixed');
    assert.equal(b.condition, f.condition, id);
    assert.notEqual(b.litmus.replace(/buggy/g, 'fixed'), f.litmus, id);
    assert.ok(f.fix && f.fix.length > 5, `${id} fixed variant states its fix`);
  }
});

test('instantiation maps litmus lines to statements in the kernel language', () => {
  const inst = instantiateScenario('S5', 'buggy');
  const lines = inst.litmus.split('\n');
  for (const [line, info] of inst.lines) {
    assert.equal(lines[line - 1].trim(), info.kind === 'if' ? `${info.litmus} {` : info.litmus, `line ${line}`);
  }
  const texts = [...inst.lines.values()].map((l) => l.text);
  assert.ok(texts.includes('page_cache_get_speculative(page)'));
  assert.ok(texts.includes('put_page(page)'));
  assert.deepEqual(
    inst.cpus.map((c) => c.name),
    ['CPU0: gup_pte_range (GUP-fast)', 'CPU1: zap_pte_range (unmaps, frees, page reused)'],
  );
});

test("a finding's names replace the defaults in CPU names, step texts and litmus identifiers", () => {
  const params = { function: 'follow_page_fast', object: 'folio', acquire: 'folio_try_get', release: 'folio_put', location: 'folio->_refcount', other: 'vmf->pte', line: 42 };
  const inst = instantiateScenario('S5', 'buggy', params);
  assert.equal(inst.cpus[0].name, 'CPU0: follow_page_fast (GUP-fast)');
  const texts = [...inst.lines.values()].map((l) => l.text);
  assert.ok(texts.includes('folio_try_get(folio)'), texts.join('|'));
  assert.ok(texts.includes('put_page(folio)'));
  assert.ok(inst.litmus.includes('atomic_add_unless(folio_refcount, 1, 0)'));
  assert.ok(inst.litmus.includes('READ_ONCE(*vmf_pte)'));
  assert.ok(inst.litmus.includes('folio_refcount=1;'));
  // The finding's own line is attached to the subject CPU's statement.
  const withLine = [...inst.lines.values()].filter((l) => l.patchLine !== undefined);
  assert.deepEqual(
    withLine.map((l) => [l.cpu, l.text, l.patchLine]),
    [[0, 'folio_try_get(folio)', 42]],
  );
  assert.equal(inst.invariant, 'follow_page_fast hands out folio after it was freed and reused by a new owner');
  // Unknown keys are ignored, not errors.
  assert.doesNotThrow(() => instantiateScenario('S1', 'buggy', { nonsense: 'x' }));
});

test('litmusIdent: sanitises names into fresh identifiers', () => {
  assert.equal(litmusIdent('page->_refcount', 'x'), 'page_refcount');
  assert.equal(litmusIdent('&mm->context.lockless_pgtbl_walk_count', 'x'), 'mm_context_lockless_pgtbl_walk_count');
  assert.equal(litmusIdent('***', 'fallback'), 'fallback');
  assert.equal(litmusIdent('0day', 'x'), 'v_0day');
  assert.equal(litmusIdent('r0', 'x'), 'v_r0');
  assert.equal(litmusIdent('P1', 'x'), 'v_P1');
  assert.equal(litmusIdent('int', 'x'), 'v_int');
  assert.equal(litmusIdent('exists', 'x'), 'v_exists');
  assert.equal(litmusIdent('smp_mb', 'x'), 'v_smp_mb');
  assert.match(litmusIdent('a'.repeat(200), 'x'), /^a{48}$/);
});

test('hostile names cannot break the litmus text', () => {
  const nasty = { function: 'f(*) \n exists (0:r0=1)', object: 'p*)', location: 'r1', other: 'r1, r1', acquire: 'x;\ny' };
  for (const id of IDS) {
    for (const variant of ['buggy', 'fixed'] as const) {
      const inst = instantiateScenario(id, variant, nasty);
      const text = inst.litmus;
      assert.equal((text.match(/^exists /gm) ?? []).length, 1, `${id}: one exists clause`);
      const comment = text.slice(text.indexOf('(*') + 2, text.indexOf('*)'));
      assert.ok(!comment.includes('(*'), `${id}: comment stays closed`);
      // Location identifiers are distinct and valid.
      const ids = Object.values(inst.locName);
      assert.equal(new Set(ids).size, ids.length, `${id}: distinct locations ${ids}`);
      for (const x of ids) assert.match(x, /^[A-Za-z_][A-Za-z0-9_]*$/);
      for (const c of inst.cpus) assert.doesNotMatch(c.name, /\n/);
    }
  }
});

test('every scenario names its race and invariant; every seed thread has a scenario', () => {
  for (const d of scenarioDefs()) {
    assert.ok(d.race.length > 80, d.id);
    assert.ok(d.invariant.length > 20, d.id);
  }
  assert.deepEqual([...new Set(scenarioDefs().map((d) => d.seed).filter(Boolean))].sort(), ['000', '001', '002', '003', '004']);
});

test('S3 models the seed-003 patch: smp_mb() on the walker side in both variants, the splitter\'s barrier is the fix', () => {
  const b = instantiateScenario('S3', 'buggy').litmus;
  const f = instantiateScenario('S3', 'fixed').litmus;
  const p0 = (t: string) => t.slice(t.indexOf('P0('), t.indexOf('P1('));
  const p1 = (t: string) => t.slice(t.indexOf('P1('), t.indexOf('exists'));
  assert.match(p0(b), /atomic_inc\([^)]*\);\n\tsmp_mb\(\);/);
  assert.doesNotMatch(p1(b), /smp_mb/);
  assert.match(p1(f), /smp_mb\(\);/);
});

test('S4: the pte read depends on the pmd read (an address dependency)', () => {
  const t = instantiateScenario('S4', 'buggy').litmus;
  assert.match(t, /r0 = READ_ONCE\(\*pmd\);\n\tr1 = READ_ONCE\(\*r0\);/);
  assert.match(t, /int \*r0;/);
});

test('S9 (seed 002): a fault vs mmap(MAP_FIXED); the fixed variant takes the range lock on both sides', () => {
  const b = instantiateScenario('S9', 'buggy');
  const f = instantiateScenario('S9', 'fixed');
  assert.doesNotMatch(b.litmus, /spin_lock/);
  assert.equal((f.litmus.match(/spin_lock\(range_lock\)/g) ?? []).length, 2);
  assert.ok([...b.lines.values()].some((l) => /MAP_FIXED|mmap_region/.test(l.text)));
});
