/** Structural integrity of the catalog data: names, kinds, pairings, argument indexes. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Catalog, catalog, argMatches, resolveEffects, type ApiSpec, type Effect } from 'mm-review-server/catalog/index';
import { DATA } from 'mm-review-server/catalog/data/index';
import { KINDS } from 'mm-review-server/catalog/data/kinds';

const all = catalog.all();

/** Every argument index an entry mentions, with where it came from. */
function argRefs(a: ApiSpec): { where: string; idx: number }[] {
  const out: { where: string; idx: number }[] = [];
  const eff = (e: Effect, i: number): void => {
    const w = `effect ${i} (${e.op} ${e.kind})`;
    if (typeof e.object === 'number') out.push({ where: `${w}.object`, idx: e.object });
    if (e.array !== undefined) out.push({ where: `${w}.array`, idx: e.array });
    if (e.count !== undefined && typeof e.count !== 'number') out.push({ where: `${w}.count`, idx: e.count.arg });
    if (e.stateArg !== undefined) out.push({ where: `${w}.stateArg`, idx: e.stateArg });
    if (e.when) out.push({ where: `${w}.when`, idx: e.when.arg });
    if (e.op === 'acquire' && e.replaces !== undefined) out.push({ where: `${w}.replaces`, idx: e.replaces });
  };
  (a.effects ?? []).forEach(eff);
  for (const acc of a.access ?? []) out.push({ where: 'access', idx: acc.arg });
  if (a.sleepsUnlessArg) out.push({ where: 'sleepsUnlessArg', idx: a.sleepsUnlessArg.arg });
  if (a.synchronizes?.whenArgNonZero !== undefined) out.push({ where: 'synchronizes', idx: a.synchronizes.whenArgNonZero });
  return out;
}

describe('catalog integrity', () => {
  it('has a substantial, deduplicated set of entries', () => {
    assert.ok(all.length >= 300, `only ${all.length} entries`);
    const names = new Set<string>();
    for (const a of DATA) {
      for (const n of [a.name, ...(a.aliases ?? [])]) {
        assert.ok(!names.has(n), `duplicate name or alias ${n}`);
        names.add(n);
      }
    }
    assert.equal(catalog.names().length, names.size);
  });

  it('rejects a duplicate alias when built', () => {
    const dup: ApiSpec[] = [{ name: 'a', summary: 'x' }, { name: 'b', summary: 'y', aliases: ['a'] }];
    assert.throws(() => new Catalog(dup, KINDS), /duplicate alias a/);
  });

  it('every entry has a summary, a source and a domain', () => {
    for (const a of all) {
      assert.ok(a.summary.length > 10, `${a.name}: summary`);
      assert.ok(a.source, `${a.name}: source`);
      assert.ok(a.domain, `${a.name}: domain`);
    }
  });

  it('every pairsWith name is catalogued', () => {
    for (const a of all) for (const p of a.pairsWith ?? []) assert.ok(catalog.has(p), `${a.name} pairs with unknown ${p}`);
  });

  it('every effect kind, alsoDrops kind, requirement and synchronized kind is a known kind', () => {
    const known = new Set(catalog.allKinds().map((k) => k.kind));
    for (const a of all) {
      for (const e of a.effects ?? []) {
        assert.ok(known.has(e.kind), `${a.name}: unknown kind ${e.kind}`);
        if (e.op === 'release') for (const k of e.alsoDrops ?? []) assert.ok(known.has(k), `${a.name}: alsoDrops ${k}`);
      }
      for (const k of a.synchronizes?.kinds ?? []) assert.ok(known.has(k), `${a.name}: synchronizes ${k}`);
      for (const r of a.requires ?? []) assert.ok(catalog.kindsProviding(r).length > 0 || ['mmap-locked', 'page-locked', 'ptl-held'].includes(r), `${a.name}: nothing provides ${r}`);
    }
    for (const k of catalog.allKinds()) for (const r of k.releases ?? []) assert.ok(known.has(r), `${k.kind}.releases ${r}`);
  });

  it('every kind some API acquires has at least one compatible releaser', () => {
    const acquired = new Set(all.flatMap((a) => (a.effects ?? []).filter((e) => e.op === 'acquire').map((e) => e.kind)));
    assert.ok(acquired.size >= 20);
    for (const k of acquired) assert.ok(catalog.compatibleReleasersOf(k).length > 0, `nothing releases ${k}`);
  });

  it('every release of a counted kind has an acquirer', () => {
    const released = new Set(all.flatMap((a) => (a.effects ?? []).filter((e) => e.op === 'release').map((e) => e.kind)));
    for (const k of released) assert.ok(catalog.acquirersOf(k).length > 0, `nothing acquires ${k}`);
  });

  it('every release pairs with an acquire of a compatible kind, or says it releases a caller\'s reference', () => {
    // the ordering table (barrier facts: raw atomics on counters) is kept by the barrier rules
    let checked = 0;
    for (const a of all) {
      if (a.domain === 'ordering' || a.releasesCallersRef) continue;
      const rels = (a.effects ?? []).filter((e) => e.op === 'release');
      if (!rels.length) continue;
      const cands = [a.name, ...(a.pairsWith ?? [])];
      for (const r of rels) {
        const ok = cands.some((n) => catalog.allEffects(n).some((e) => e.op === 'acquire' && catalog.compatible(e.kind, r.kind)));
        assert.ok(ok, `${a.name}: nothing in pairsWith acquires what it releases (${r.kind})`);
        checked++;
      }
    }
    assert.ok(checked > 100, `only ${checked} releases checked`);
  });

  it('new optional facts are well-formed', () => {
    for (const a of all) {
      if (a.nonSleepingForm) assert.ok(catalog.has(a.nonSleepingForm), `${a.name}.nonSleepingForm`);
      if (a.sleepingForm) assert.ok(catalog.has(a.sleepingForm), `${a.name}.sleepingForm`);
      if (a.debugOnly) assert.match(a.debugOnly, /^CONFIG_[A-Z0-9_]+$/, a.name);
      if (a.sleepsOnLastPut) assert.ok(a.sleeps && (a.effects ?? []).some((e) => e.op === 'release'), `${a.name}: sleepsOnLastPut without sleeps / a release`);
      if (a.iteratorCursor !== undefined) assert.ok(a.arity && a.iteratorCursor < Math.max(...a.arity), `${a.name}.iteratorCursor`);
    }
    for (const c of catalog.gotoLabelConventions()) {
      assert.doesNotThrow(() => new RegExp(c.pattern), c.pattern);
      assert.ok(c.examples.length > 0, c.pattern);
      for (const k of c.kinds ?? []) assert.ok(c.releases.includes(catalog.kind(k).family), `${c.pattern}: kind ${k} outside its families`);
    }
  });

  it('argument indexes fit the recorded arities', () => {
    let checked = 0;
    for (const a of all) {
      if (!a.arity) continue;
      const max = Math.max(...a.arity);
      for (const r of argRefs(a)) {
        assert.ok(r.idx >= 0 && r.idx < max, `${a.name}: ${r.where} = ${r.idx} but arity ${a.arity.join('/')}`);
        checked++;
      }
      for (const e of a.effects ?? []) {
        for (const [n, i] of Object.entries(e.arrayByArity ?? {})) {
          assert.ok(a.arity.includes(Number(n)), `${a.name}: arrayByArity for unrecorded arity ${n}`);
          assert.ok(i < Number(n), `${a.name}: array ${i} beyond ${n} args`);
        }
      }
    }
    assert.ok(checked > 300, `only ${checked} indexes checked`);
  });

  it('most entries record their arity', () => {
    const withArity = all.filter((a) => a.arity).length;
    assert.ok(withArity / all.length > 0.9, `${withArity}/${all.length}`);
  });

  it('conditional effects come with a default reading', () => {
    for (const a of all) {
      const effs = a.effects ?? [];
      if (!effs.some((e) => e.fallback)) continue;
      assert.ok(effs.some((e) => e.when), `${a.name}: fallback without when`);
    }
  });

  it('re-validation patterns and lockless idioms are machine-usable', () => {
    const pats = catalog.revalidationPatterns();
    assert.ok(pats.length >= 6);
    for (const p of pats) {
      assert.ok(p.operators?.length && p.recompute?.length && p.other && p.object, p.name);
      if (p.other === 'same-call') assert.ok(p.rereadCalls?.length, `${p.name}: rereadCalls`);
    }
    for (const i of catalog.locklessIdioms()) assert.ok(i.call && i.argShape && i.value, i.name);
  });
});

describe('argument conditions', () => {
  const BIAS = { arg: 1, identifiers: ['PAGE_PIN_BIAS', 'GUP_PIN_COUNTING_BIAS'] };
  it('match whole identifiers only', () => {
    assert.equal(argMatches(BIAS, ['page', 'PAGE_PIN_BIAS']), true);
    assert.equal(argMatches(BIAS, ['page', 'refs * GUP_PIN_COUNTING_BIAS']), true);
    assert.equal(argMatches(BIAS, ['page', 'MY_PAGE_PIN_BIAS_X']), false);
    assert.equal(argMatches(BIAS, ['page', 'nr']), false);
    assert.equal(argMatches(BIAS, ['page']), false);
  });
  it('see a unary minus', () => {
    assert.equal(argMatches({ ...BIAS, sign: 'negative' }, ['page', '-PAGE_PIN_BIAS']), true);
    assert.equal(argMatches({ ...BIAS, sign: 'negative' }, ['page', '- (PAGE_PIN_BIAS)']), true);
    assert.equal(argMatches({ ...BIAS, sign: 'negative' }, ['page', 'PAGE_PIN_BIAS']), false);
    assert.equal(argMatches({ ...BIAS, sign: 'positive' }, ['page', '-PAGE_PIN_BIAS']), false);
  });
  it('resolve to the fallback when nothing matches or the arguments are unknown', () => {
    const effs = catalog.allEffects('gup_put_folio');
    assert.deepEqual(resolveEffects(effs, ['f', '1', 'FOLL_GET']).map((e) => e.kind), ['gup-get']);
    assert.deepEqual(resolveEffects(effs, ['f', '1', 'flags']).map((e) => e.kind), ['gup-pin']);
    assert.deepEqual(resolveEffects(effs).map((e) => e.kind), ['gup-pin']);
  });
});
