import type { RawFinding, Rule } from '../api';
import { posOf } from '../../c/facts';
import { maybeHeld } from '../../analysis/resources';
import { heldProviding, inheritedContext } from '../../analysis/lookups';
import { specView } from './common';
import { specTrace } from '../common/trace';

export const getOnLocklessLookup: Rule = {
  id: 'spec-ref/get-on-lockless-lookup',
  category: 'spec-ref',
  severity: 'error',
  title: 'Plain get on a page or folio found by a lockless lookup',
  description:
    'get_page()/folio_get() require the refcount to be already elevated. On an object returned by a lockless lookup (xas_load, xa_load, radix_tree_lookup under RCU, no lock held) the object may be being freed: use a speculative get (folio_try_get, get_page_unless_zero) and re-check the lookup.',
  scenario: 'S5',
  check(unit, ctx) {
    const v = specView(unit, ctx);
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
      if (locked || referenced || irqSafe) continue;
      const pairs = new Set(ev.spec.pairsWith ?? []);
      const cands = cat.all().filter((s) => s.speculative && s.effects?.some((e) => e.op === 'acquire' && e.kind === k.kind && e.object === 0 && e.cond === 'bool' && e.count === undefined));
      const alt = cands.find((s) => (s.pairsWith ?? []).some((p) => pairs.has(p))) ?? cands[0];
      out.push({
        rule: this.id,
        message: `${ev.op.callee}(${k.obj}) assumes the refcount is already elevated, but \`${k.obj}\` comes from the lockless lookup ${lk.shown} at ${ctx.where(unit, lk.line)}: it may be being freed (refcount 0) right now. Take a speculative reference${alt ? ` (${alt.name}())` : ''} and re-check the lookup.`,
        at: posOf(ev.op, ev.op.node),
        related: [{ message: `lockless lookup of \`${k.obj}\``, at: posOf(lk.op, lk.op.node) }],
        scenario: 'S5',
        scenarioParams: { function: fn, object: k.obj, acquire: ev.op.name, location: lk.api, release: alt?.name ?? '' },
        trace: specTrace('speculative', unit, ctx, ev, lk, alt?.name),
        fingerprint: `${this.id}|${k.obj}|${ev.op.name}|${lk.api}`,
      });
    }
    return out;
  },
};
