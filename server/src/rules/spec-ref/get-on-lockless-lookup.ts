import type { RawFinding, Rule } from '../api';
import type { Catalog, Effect } from '../../catalog';
import type { CfgNode } from '../../c/cfg';
import { normObject, posOf, testedCall, testOf } from '../../c/facts';
import { maybeHeld } from '../../analysis/resources';
import { heldProviding, inheritedContext } from '../../analysis/lookups';
import { specView } from './common';
import { replacedGetTrace, specTrace } from '../common/trace';
import { replacementsOf } from '../common/replacements';
import type { RawFinding as RF, RuleContext, Unit } from '../api';

/**
 * A speculative (conditional) get replaced by a plain one on the same object:
 * the pre-image's try-get says the refcount may be zero here (a lockless
 * lookup, often above the hunk), which a plain get assumes it is not.
 */
function replacedGetFindings(unit: Unit, ctx: RuleContext): RF[] {
  const cat = ctx.catalog;
  const out: RF[] = [];
  for (const r of replacementsOf(unit, ctx)) {
    // a page or folio reference, or any other counted reference whose try-get (css_tryget) became a
    // plain get (css_get) of the same kind: the try-get is how the code said the count may be zero
    const counted = (e: Effect) => e.op === 'acquire' && cat.kind(e.kind).family === 'ref';
    // not catalogued as references: a getter whose result the code tested, replaced by the plain form its
    // name gives (kvm_try_get_pfn() -> kvm_get_pfn(), atomic_inc_not_zero() -> atomic_inc()), whose result
    // it does not test
    if (!cat.describesReference(r.del.op.name) && !cat.describesReference(r.add.op.name) && cat.plainFormByName(r.del.op.name, r.add.op.name) && ['condition', 'compared'].includes(r.del.op.result.kind) && !['condition', 'compared'].includes(r.add.op.result.kind)) {
      const obj = r.add.op.args[0]?.text.trim() ?? '';
      out.push({
        rule: 'spec-ref/get-on-lockless-lookup',
        severity: 'warning',
        message: `This patch replaces ${r.del.op.name}(), whose failure the code handled, with ${r.add.op.name}() on \`${obj}\`, whose result it does not test: by the kernel's naming the first is the conditional getter (it fails on a refcount of zero) and the second the plain one, which assumes the refcount is already elevated. The catalog does not describe either as a reference: this rests on their names.`,
        at: posOf(r.add.op, r.add.op.node),
        related: [{ message: `${r.del.op.name}() before the patch, its result tested`, at: posOf(r.del.op, r.del.op.node), unit: r.pre }],
        scenarioParams: { function: unit.cfg.name, object: obj, acquire: r.add.op.name, release: r.del.op.name },
        fingerprint: `spec-ref/get-on-lockless-lookup|replaced-by-name|${r.del.op.name}|${r.add.op.name}|${obj}`,
      });
      continue;
    }
    const dAcq = r.del.effects.filter((e) => counted(e) && (cat.kind(e.kind).pageRef || e.cond === 'bool'));
    const aAcq = r.add.effects.filter((e) => counted(e) && dAcq.some((d) => cat.kind(d.kind).pageRef ? cat.kind(e.kind).pageRef : e.kind === d.kind || cat.compatible(d.kind, e.kind)));
    if (!dAcq.length || !aAcq.length) continue;
    const wasSpeculative = !!r.del.spec?.speculative || dAcq.some((e) => e.cond === 'bool');
    const nowPlain = !r.add.spec?.speculative && aAcq.every((e) => !e.cond);
    if (!wasSpeculative || !nowPlain) continue;
    const obj = r.add.op.args[0]?.text.trim() ?? '';
    out.push({
      rule: 'spec-ref/get-on-lockless-lookup',
      message: `This patch replaces the speculative ${r.del.op.name}() with ${r.add.op.name}() on \`${obj}\`: the code it replaces allowed for a refcount of zero here (a lockless lookup), and ${r.add.op.name}() assumes the refcount is already elevated.`,
      at: posOf(r.add.op, r.add.op.node),
      related: [{ message: `${r.del.op.name}() before the patch`, at: posOf(r.del.op, r.del.op.node), unit: r.pre }],
      scenario: 'S5',
      scenarioParams: { function: unit.cfg.name, object: obj, acquire: r.add.op.name, release: r.del.op.name },
      trace: replacedGetTrace(unit, ctx, r),
      fingerprint: `spec-ref/get-on-lockless-lookup|replaced|${r.del.op.name}|${r.add.op.name}|${obj}`,
    });
  }
  return out;
}

/** Is `node` reached only through the success of a call that gives `obj` to this code alone (catalog claimsArg)? */
function claimedOnTheWay(cat: Catalog, node: CfgNode, obj: string): boolean {
  let n = node;
  for (let i = 0; i < 64 && n.preds.length === 1; i++) {
    const e = n.preds[0];
    const call = e.cond ? testedCall(e) : null;
    const claims = call ? cat.api(call.name)?.claimsArg : undefined;
    if (call && claims !== undefined && testOf(e)?.holds && normObject(call.args[claims]?.text ?? '').obj === obj) return true;
    n = e.from;
  }
  return false;
}

export const getOnLocklessLookup: Rule = {
  id: 'spec-ref/get-on-lockless-lookup',
  category: 'spec-ref',
  severity: 'error',
  title: 'Plain get on a page or folio found by a lockless lookup',
  description:
    'get_page()/folio_get() require the refcount to be already elevated. On an object returned by a lockless lookup (xas_load, xa_load, radix_tree_lookup under RCU, no lock held) the object may be being freed: use a speculative get (folio_try_get, get_page_unless_zero) and re-check the lookup.',
  scenario: 'S5',
  check(unit, ctx) {
    const v = specView(unit, ctx, true);
    if (!v) return [];
    const { a, look, fn } = v;
    const cat = ctx.catalog;
    const out: RawFinding[] = [];
    for (const { ev, lookup: lk } of v.gets) {
      if (!lk || ev.spec.speculative || ev.eff.cond) continue;
      const k = ev.key;
      const locked = [...ev.before].some(([id, b]) => a.keys.get(id)!.family === 'lock' && maybeHeld(b));
      // a reference already held on the object or on another value of the same lookup makes a plain get safe
      const roots = new Set(look.get(k.obj) ?? []);
      const referenced = [...ev.before].some(([id, b]) => {
        const o = a.keys.get(id)!;
        return o.family === 'ref' && o !== k && maybeHeld(b) && (o.obj === k.obj || (look.get(o.obj) ?? []).some((l) => roots.has(l)));
      });
      // x86-style GUP-fast: IRQs off holds off the TLB-flush IPI that must precede the free
      const irqSafe = cat.irqOffHoldsPages(unit.fn.path) && (heldProviding(cat, a, ev.before, 'irq-off') || inheritedContext(ctx, unit.fn.path, fn, 'irq-off') !== 'no');
      // the object claimed for this code alone on the way here (`if (take_page_off_buddy(p)) page_ref_inc(p);`)
      if (locked || referenced || irqSafe || claimedOnTheWay(cat, ev.node, k.obj)) continue;
      const pairs = new Set(ev.spec.pairsWith ?? []);
      const cands = cat.all().filter((s) => s.speculative && s.effects?.some((e) => e.op === 'acquire' && e.kind === k.kind && e.object === 0 && e.cond === 'bool' && e.count === undefined));
      const alt = cands.find((s) => (s.pairsWith ?? []).some((p) => pairs.has(p))) ?? cands[0];
      out.push({
        rule: this.id,
        message: `${ev.op.callee}(${k.obj}) assumes the refcount is already elevated, but \`${k.obj}\` comes from the lockless lookup ${lk.shown} at ${ctx.where(unit, lk.line)}: it may be being freed (refcount 0) right now. Take a speculative reference${alt ? ` (${alt.name}())` : ''}${cat.api(lk.api)?.fixedLookup ? '' : ' and re-check the lookup'}.`,
        at: posOf(ev.op, ev.op.node),
        related: [{ message: `lockless lookup of \`${k.obj}\``, at: posOf(lk.op, lk.op.node) }],
        scenario: 'S5',
        scenarioParams: { function: fn, object: k.obj, acquire: ev.op.name, location: lk.api, release: alt?.name ?? '' },
        trace: specTrace('speculative', unit, ctx, ev, lk, alt?.name),
        fingerprint: `${this.id}|${k.obj}|${ev.op.name}|${lk.api}`,
      });
    }
    return [...out, ...replacedGetFindings(unit, ctx)];
  },
};
