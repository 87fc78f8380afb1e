import type { RawFinding, Rule } from '../api';
import { posOf } from '../../c/facts';
import type { AcquireEvent } from '../../analysis/resources';
import { heldProviding, inheritedContext } from '../../analysis/lookups';
import { specView } from './common';
import { outsideSectionTrace } from '../common/trace';
import { isDeletedLine, patchLineOf, preUnitOf } from '../../analysis/diff';
import type { RuleContext, Unit } from '../api';
import type { ContextRequirement } from '../../catalog';

/**
 * The section the patch deleted around a get it keeps: the same get (its line
 * a context line) ran inside a section providing `req` in the pre-image, opened
 * by a call on a deleted line.
 */
function deletedSection(pre: Unit, pv: NonNullable<ReturnType<typeof specView>>, post: Unit, ev: AcquireEvent, req: ContextRequirement, ctx: RuleContext): AcquireEvent | null {
  const pl = patchLineOf(post.image, ev.op.line);
  if (!pl || pl.line.kind !== 'context') return null;
  const pe = pv.gets.find((g) => g.ev.op.name === ev.op.name && patchLineOf(pre.image, g.ev.op.line)?.line === pl.line);
  if (!pe || !heldProviding(ctx.catalog, pv.a, pe.ev.before, req)) return null;
  const open = pv.a.events.find((e): e is AcquireEvent => e.t === 'acquire' && !!ctx.catalog.kind(e.key.kind).provides?.includes(req) && isDeletedLine(pre.image, e.op.line));
  return open ?? null;
}

export const outsideRcu: Rule = {
  id: 'spec-ref/outside-rcu',
  category: 'spec-ref',
  severity: 'error',
  title: 'Speculative get outside RCU / IRQs-off',
  description:
    'page_cache_get_speculative() and try_grab_folio() are only safe while the page cannot be freed to the allocator and reused as something else without a grace period: inside rcu_read_lock() or with IRQs off (GUP-fast). Reported when the function opens such sections itself but not around this call, or when every caller in the patch calls it outside one.',
  scenario: 'S5',
  check(unit, ctx) {
    const v = specView(unit, ctx);
    if (!v) return [];
    const { a, fn } = v;
    const cat = ctx.catalog;
    const out: RawFinding[] = [];
    // the pre-image of this function, for sections the patch deletes around a get it keeps
    const pre = unit.side === 'post' ? preUnitOf(unit, ctx.unitsOf) : null;
    const pv = pre ? specView(pre, ctx) : null;
    for (const { ev, lookup } of v.gets) {
      const k = ev.key;
      const req = ev.spec.requires?.find((r) => r === 'rcu-or-irq-off' || r === 'rcu' || r === 'irq-off');
      if (!req || heldProviding(cat, a, ev.before, req)) continue;
      const removed = pre && pv ? deletedSection(pre, pv, unit, ev, req, ctx) : null;
      if (removed) {
        const what = req === 'rcu-or-irq-off' ? 'an RCU read section or with IRQs disabled' : req === 'rcu' ? 'an RCU read section' : 'IRQs disabled';
        out.push({
          rule: this.id,
          message: `This patch removes ${removed.op.callee}() (${ctx.where(pre!, removed.op.line)} before the patch), and ${ev.op.callee}() must run inside ${what}: the page could be freed and reallocated under the speculative get.`,
          at: posOf(ev.op, ev.op.node),
          related: [{ message: `${removed.op.callee}() removed here`, at: posOf(removed.op, removed.op.node), unit: pre! }],
          scenario: 'S5',
          scenarioParams: { function: fn, object: k.obj, acquire: ev.op.name },
          trace: outsideSectionTrace(unit, ctx, a, ev, lookup, req),
          fingerprint: `${this.id}|deleted-section|${k.obj}|${ev.op.name}`,
        });
        continue;
      }
      // with the function's start out of sight, a section opened above the hunk is unknown, not absent
      if (!a.facts.visibility.entry) continue;
      const selfManaged = a.events.some((e) => e.t === 'acquire' && cat.kind(e.key.kind).provides?.includes(req));
      const inherited = selfManaged ? 'no' : inheritedContext(ctx, unit.fn.path, fn, req);
      if (inherited !== 'no') continue;
      const what = req === 'rcu-or-irq-off' ? 'an RCU read section or with IRQs disabled' : req === 'rcu' ? 'an RCU read section' : 'IRQs disabled';
      out.push({
        rule: this.id,
        message: `${ev.op.callee}() must run inside ${what} (the page could otherwise be freed and reallocated under the speculative get), but it is reached outside one${selfManaged ? ' of the sections this function opens' : ' on every call path in this patch'}.`,
        at: posOf(ev.op, ev.op.node),
        related: a.events
          .filter((e): e is AcquireEvent => e.t === 'acquire' && !!cat.kind(e.key.kind).provides?.includes(req))
          .slice(0, 2)
          .map((e) => ({ message: `${e.op.callee}() opens the section elsewhere`, at: posOf(e.op, e.op.node) })),
        scenario: 'S5',
        scenarioParams: { function: fn, object: k.obj, acquire: ev.op.name },
        trace: outsideSectionTrace(unit, ctx, a, ev, lookup, req),
        fingerprint: `${this.id}|${k.obj}|${ev.op.name}`,
      });
    }
    return out;
  },
};
