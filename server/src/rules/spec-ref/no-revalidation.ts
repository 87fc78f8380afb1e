import type { RawFinding, Rule } from '../api';
import { posOf } from '../../c/facts';
import { findRevalidation } from '../../analysis/lookups';
import { specView } from './common';
import { specTrace } from '../common/trace';

export const noRevalidation: Rule = {
  id: 'spec-ref/no-revalidation',
  category: 'spec-ref',
  severity: 'error',
  title: 'Speculative get without re-checking the lookup',
  description:
    'A speculative get succeeds on any page whose refcount is non-zero, including one that was freed and reallocated after the lockless lookup. The lookup must be re-validated after the get (folio != xas_reload(&xas), pte_same(), folio != page_folio(page)) and the reference dropped when it changed.',
  scenario: 'S5',
  check(unit, ctx) {
    const v = specView(unit, ctx);
    if (!v) return [];
    const out: RawFinding[] = [];
    for (const { ev, lookup: lk } of v.gets) {
      if (!lk || !ev.spec.speculative) continue;
      const k = ev.key;
      if (findRevalidation(v.a, ctx.catalog, ev.node, k.obj)) continue;
      out.push({
        rule: this.id,
        message: `${ev.op.callee}(${k.obj}) takes a speculative reference on the result of the lockless lookup ${lk.shown} (${ctx.where(unit, lk.line)}) but the lookup is never re-checked afterwards: \`${k.obj}\` may have been freed and reused for another file, index or mapping before the reference was taken.`,
        at: posOf(ev.op, ev.op.node),
        related: [{ message: `lockless lookup of \`${k.obj}\``, at: posOf(lk.op, lk.op.node) }],
        scenario: 'S5',
        scenarioParams: { function: v.fn, object: k.obj, acquire: ev.op.name, location: lk.api },
        trace: specTrace('recheck', unit, ctx, ev, lk),
        fingerprint: `${this.id}|${k.obj}|${ev.op.name}|${lk.api}`,
      });
    }
    return out;
  },
};
