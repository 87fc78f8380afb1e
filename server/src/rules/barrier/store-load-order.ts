/**
 * barrier/store-load-order: a store to one shared location followed by a
 * load of another with no full barrier between them (or only a weak one),
 * where the two are shown to form a store-buffering protocol:
 * - a known protocol of the catalog, or a mirror function in the document,
 *   or a weak barrier placed right between them (analysis/ordering/storeLoad);
 * - a weak barrier guarding a protocol load whose store is made before it,
 *   in a caller or by a catalogued acquisition (analysis/ordering/protocols);
 * - the waker side of a sleep/wake-up protocol: the condition store not
 *   ordered before a lockless test for sleepers (analysis/ordering/waker).
 */
import { findMirror, otherSide, sleeperHits, storeLoadHits, wakerHits, weakProtocolHits, type SleeperHit, type WakerHit, type WeakProtocolHit } from '../../analysis/ordering';
import type { RawFinding, RawRelated, Rule, RuleContext, Unit } from '../api';
import { commentedBarrier, insertAfter, mirrorOf, mirrorRelated, pos, renameCall, weakWhy } from './shared';
import { sleeperTrace, storeLoadTrace, wakerTrace, weakProtocolTrace } from '../common/trace';

export const storeLoadOrder: Rule = {
  id: 'barrier/store-load-order',
  category: 'barrier',
  severity: 'warning',
  title: 'Store then load of another shared location without a full barrier',
  description:
    'A store to one shared location is followed by a load of another with no full barrier between them (or only smp_wmb()/smp_rmb()/smp_store_release(), or an smp_mb__before_atomic()/smp_mb__after_atomic() with no atomic RMW to attach to, none of which order a store before a later load), while another CPU does the mirror image (store the second, load the first). This is store buffering: both CPUs can read the old values and miss each other. Seed 000 (pin count vs PG_writeback) and seed 003 (lockless walker count vs pmd) need smp_mb() on both sides; so does a waker that sets the wake-up condition and then tests waitqueue_active() (use smp_mb() or wq_has_sleeper(); the sleeper\'s prepare_to_wait() has its barrier), and a sleeper that sets its task state with __set_current_state() (a plain store) before testing the wait condition and calling schedule() (use set_current_state()).',
  check(unit, ctx) {
    const F = ctx.catalog.repairs();
    const out: RawFinding[] = [];
    for (const h of storeLoadHits(unit, ctx)) {
      const { store: s, load: l } = h;
      // A bare non-returning RMW is the announce rule's finding.
      if (h.bare && s.kind === 'rmw' && s.ordering === 'none') continue;
      const weakName = h.weak?.name;
      const why = h.protocol
        ? `${h.protocol.name}: ${h.protocol.why}`
        : h.mirror.length
          ? `${h.mirror.join(', ')} stores ${l.locText} and then loads ${s.locText}: store buffering, both CPUs can miss each other's store`
          : `the ${weakName}() placed between them shows the two accesses are meant to be ordered`;
      const release = s.ordering === 'release' ? ` (${s.name}() orders earlier accesses before the store, not the store before a later load)` : '';
      const atomicFence = h.weak && (h.weak.ordering === 'before-atomic' || h.weak.ordering === 'after-atomic');
      const between = h.bare
        ? `with no full barrier between them${release}`
        : atomicFence
          ? `with only ${weakName}() between them, which ${weakWhy(h.weak!).replace(/^\S+ /, '')}`
          : `with only ${weakName}() between them, which does not order a store before a later load`;
      const related: RawRelated[] = [
        { message: `store to ${s.locText}`, at: pos(s) },
        { message: `load of ${l.locText}`, at: pos(l) },
      ];
      if (h.weak) related.push({ message: weakWhy(h.weak), at: pos(h.weak) });
      const mirror = mirrorOf(unit, ctx, h);
      if (mirror) related.push(mirrorRelated(mirror));
      const fixes = h.weak
        ? [{ title: `Replace ${weakName}() with ${F.full}()`, edits: [renameCall(h.weak, F.full)] }]
        : [{ title: `Insert ${F.full}() after the store`, edits: [insertAfter(unit, s, commentedBarrier(F.full, `order the store to ${s.locText} before the load of ${l.locText}${mirror ? `; pairs with ${mirror.fn}()` : ''}`))] }];
      out.push({
        rule: 'barrier/store-load-order',
        message: `The store to ${s.locText} is followed by a load of ${l.locText} ${between}; ${why}. Use ${F.full}() between them (and on the other side).`,
        at: pos(s),
        related,
        scenario: h.protocol?.scenario ?? 'S1',
        scenarioParams: { function: unit.fn.name, location: s.locText ?? '', other: l.locText ?? '', ...(weakName ? { barrier: weakName } : {}), ...(h.mirror.length ? { mirror: h.mirror[0] } : {}) },
        fixes,
        trace: storeLoadTrace(unit, ctx, h, mirror, F.full + '()', h.weak ? `${F.full}() instead of ${weakName}()` : `${F.full}() after the store`),
        fingerprint: `barrier/store-load-order|${s.loc}|${l.loc}|${weakName ?? 'none'}`,
      });
    }
    const own = storeLoadHits(unit, ctx);
    for (const h of weakProtocolHits(unit, ctx)) {
      // a store→load pair of this function with the same load is reported above, at its store
      if (own.some((x) => x.load === h.load)) continue;
      out.push(weakProtocolFinding(unit, ctx, h));
    }
    for (const h of wakerHits(unit, ctx)) out.push(wakerFinding(unit, ctx, h));
    for (const h of sleeperHits(unit, ctx)) out.push(sleeperFinding(unit, ctx, h));
    return out;
  },
};

/**
 * A weak barrier guarding a protocol load whose store is made before it in
 * this function, in a caller before the call, or by a catalogued acquisition
 * (a FOLL_PIN pin): reported at the weak barrier.
 */
function weakProtocolFinding(unit: Unit, ctx: RuleContext, h: WeakProtocolHit): RawFinding {
  const F = ctx.catalog.repairs();
  const { weak: w, load: l, protocol: p, store: st } = h;
  const wn = w.name ?? 'the barrier';
  const stUnit = st.unit as Unit;
  const caller = st.calls.length ? st.calls[st.calls.length - 1].unit.fn.name : unit.fn.name;
  const storeFn = stUnit === unit ? unit.fn.name : stUnit.fn.name;
  const what = st.acquire ? `the ${st.acquire.label} taken by ${st.acquire.api}() (a store to ${st.loc})` : `the store to ${st.ev.locText}`;
  // line numbers of another patch of the series are that patch's: say which
  const ser = stUnit.fn.message !== unit.fn.message ? stUnit.fn.message.series : undefined;
  const where = `${stUnit === unit ? '' : ` in ${storeFn}()`} at ${ctx.where(stUnit, st.ev.line)}${ser ? ` (patch ${ser.index}/${ser.total})` : ''}`;
  // the calls from the store's function down to this one, outermost first
  const chain = st.calls;
  const viaCalls = chain.length ? `, which then calls ${chain.map((c) => `${c.ev.name}() at ${ctx.where(c.unit as Unit, c.ev.line)}`).join(', which calls ')}` : '';
  const mirror = findMirror(ctx, unit.side, new Set(otherSide(p, st.loc)), new Set(otherSide(p, l.loc!)), new Set([unit.fn.name, storeFn, caller]));
  const mirrorText = mirror
    ? mirror.barrier
      ? ` The other side, ${mirror.fn}() at ${ctx.where(mirror.unit as Unit, mirror.store.line)}, orders its store to ${mirror.store.locText} before its load of ${mirror.load.locText} with ${mirror.barrier.name}(); that pairing only works with a full barrier on this side too, otherwise both CPUs can miss each other's store.`
      : ` The other side, ${mirror.fn}() at ${ctx.where(mirror.unit as Unit, mirror.store.line)}, stores ${mirror.store.locText} and then loads ${mirror.load.locText} with no full barrier either.`
    : '';
  const weakOrders = w.ordering === 'wmb' ? 'orders only stores against stores' : 'orders only loads against loads';
  const related: RawRelated[] = [
    { message: `${wn}() ${weakOrders}`, at: pos(w) },
    { message: `load of ${l.locText}`, at: pos(l) },
    { message: st.acquire ? `${st.acquire.api}() stores ${st.loc} (${st.acquire.label})` : `store to ${st.ev.locText}`, at: pos(st.ev), ...(stUnit !== unit ? { unit: stUnit } : {}) },
    ...chain.map((c) => ({ message: `${c.ev.name}() called here, after the store`, at: pos(c.ev), unit: c.unit as Unit })),
  ];
  if (mirror) related.push(mirrorRelated(mirror));
  return {
    rule: 'barrier/store-load-order',
    message:
      `${wn}() at ${ctx.where(unit, w.line)} does not order ${what}${where}${viaCalls}, before the load of ${l.locText} at ${ctx.where(unit, l.line)}: ` +
      `${wn}() ${weakOrders}, and a store followed by a load of another location needs a full barrier. ${p.name}: ${p.why}.${mirrorText} Use ${F.full}() here.`,
    at: pos(w),
    related,
    scenario: p.scenario,
    scenarioParams: {
      function: unit.fn.name,
      location: st.acquire ? st.loc : st.ev.locText ?? st.loc,
      other: l.locText ?? '',
      barrier: wn,
      ...(chain.length ? { caller: chain[chain.length - 1].unit.fn.name } : {}),
      ...(mirror ? { mirror: mirror.fn } : {}),
    },
    fixes: [{ title: `Replace ${wn}() with ${F.full}()`, edits: [renameCall(w, F.full)] }],
    trace: weakProtocolTrace(unit, ctx, h, mirror, F.full),
    fingerprint: `barrier/store-load-order|${st.loc}|${l.loc}|${wn}`,
  };
}

/** The sleeper's task state set with a plain store before its lockless test of the wait condition. */
function sleeperFinding(unit: Unit, ctx: RuleContext, h: SleeperHit): RawFinding {
  const { state: s, test: t, sleep } = h;
  const full = (s.api && ctx.catalog.api(s.api)?.fullForm) || ctx.catalog.repairs().full;
  const arg = s.op.kind === 'call' ? s.op.args[0]?.text.trim() ?? '' : '';
  return {
    rule: 'barrier/store-load-order',
    message: `${s.name}(${arg}) sets the task state with a plain store, and the test of ${t.locText} after it can be satisfied before that store is visible: a waker that makes the condition true and then wakes this task can still see it running and skip it, and ${sleep.name}() sleeps with the wake-up lost. Use ${full}(), whose full barrier orders the state before the test.`,
    at: pos(s),
    related: [
      { message: `the test of the wait condition: a load of ${t.locText}`, at: pos(t) },
      { message: `${sleep.name}() sleeps until another task wakes this one`, at: pos(sleep) },
      { message: 'the other side: the waker stores the condition, then reads the task state to decide whether to wake it', at: pos(s) },
    ],
    scenarioParams: { function: unit.fn.name, location: 'task state', other: t.locText ?? '' },
    fixes: [{ title: `Use ${full}()`, edits: [renameCall(s, full)] }],
    trace: sleeperTrace(unit, ctx, h, full),
    fingerprint: `barrier/store-load-order|sleeper|${s.name}|${t.loc}`,
  };
}

/** The waker's condition store not ordered before its lockless test for sleepers. */
function wakerFinding(unit: Unit, ctx: RuleContext, h: WakerHit): RawFinding {
  const cat = ctx.catalog;
  const F = cat.repairs();
  const { store: s, check: c, weak: w, protocol: p } = h;
  const test = `${c.name}()`;
  const rmw = s.kind === 'rmw' && s.ordering === 'none';
  const repair = rmw ? F.afterAtomic : F.full;
  const via = w ? ` (${w.name}() is not enough)` : '';
  const related: RawRelated[] = [
    { message: `the wake-up condition: ${rmw ? `${s.name}() on` : 'store to'} ${s.locText}`, at: pos(s) },
    { message: `${test} tests for sleepers without the wait-queue lock: this load can be satisfied before the store is visible`, at: pos(c) },
  ];
  if (w) related.push({ message: weakWhy(w), at: pos(w) });
  related.push({ message: `the other side: ${p.orderedOtherSide ?? 'the sleeper'}`, at: pos(c) });
  const fixes: RawFinding['fixes'] = [];
  if (w && !rmw) fixes.push({ title: `Replace ${w.name}() with ${F.full}()`, edits: [renameCall(w, F.full)] });
  else if (rmw) fixes.push({ title: `Insert ${repair}() after ${s.name}()`, edits: [insertAfter(unit, s, commentedBarrier(repair, `order ${s.name}() on ${s.locText} before ${test}: the sleeper must see it`))] });
  else fixes.push({ title: `Insert ${F.full}() after the store`, edits: [insertAfter(unit, s, commentedBarrier(F.full, `order the store to ${s.locText} before ${test}: the sleeper must see it`))] });
  // the API that bundles the barrier with this very test (waitqueue_active -> wq_has_sleeper)
  const form = p.orderedForm;
  const bundled = form && c.loc && cat.accessLocation(form) === c.loc && cat.accessLocation(c.api ?? '') === c.loc && form !== c.api ? form : undefined;
  if (bundled && !rmw) fixes.push({ title: `Use ${bundled}()`, edits: [renameCall(c, bundled)] });
  return {
    rule: 'barrier/store-load-order',
    message: `${rmw ? `${s.name}() on` : 'The store to'} ${s.locText} is not ordered before ${test}${via}: the sleeper can miss it and the wake-up is lost. Put ${repair}() between them${bundled && !rmw ? ` or use ${bundled}()` : ''}.`,
    at: pos(s),
    related,
    scenario: p.scenario,
    scenarioParams: { function: unit.fn.name, location: s.locText ?? '', other: c.locText ?? '', ...(w ? { barrier: w.name ?? '' } : {}) },
    fixes,
    trace: wakerTrace(unit, ctx, h, repair),
    fingerprint: `barrier/store-load-order|${s.loc}|${c.loc}|${w?.name ?? 'none'}`,
  };
}
