/** What every spec-ref rule reads: the resource dataflow, and the lockless lookups of the function. */
import type { Catalog } from '../../catalog';
import type { AcquireEvent, ResourceAnalysis } from '../../analysis/resources';
import { lookups, lookupBefore, inheritedContext, type Lookup } from '../../analysis/lookups';
import type { RuleContext, Unit } from '../api';
import { analysisOf } from '../common/resources';
import { isPrimitive } from '../common/report';

export interface SpecView {
  a: ResourceAnalysis;
  look: Map<string, Lookup[]>;
  fn: string;
  /** Acquires of page/folio references, each with the lockless lookup its object came from (if any). */
  gets: { ev: AcquireEvent; lookup: Lookup | undefined }[];
}

/**
 * `primitives`: judge a catalogued function's own body too. Its references are
 * taken for its callers (so leaks and re-checks are its callers' business), but
 * how it takes them is its own: a plain get on what its lockless lookup found
 * is as wrong inside filemap_get_entry()-like lookups as anywhere.
 */
export function specView(unit: Unit, ctx: RuleContext, primitives = false): SpecView | null {
  if (!primitives && isPrimitive(unit, ctx)) return null;
  const cat: Catalog = ctx.catalog;
  const a = analysisOf(unit, ctx);
  const look = lookups(a, cat, () => inheritedContext(ctx, unit.fn.path, unit.cfg.name, 'ptl-held') === 'yes');
  const gets: SpecView['gets'] = [];
  for (const ev of a.events) {
    if (ev.t !== 'acquire' || !cat.kind(ev.key.kind).pageRef) continue;
    gets.push({ ev, lookup: lookupBefore(look.get(ev.key.obj), ev.op) });
  }
  return { a, look, fn: unit.cfg.name, gets };
}
