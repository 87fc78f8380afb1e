/**
 * Store→load pairs with protocol evidence: a store followed (on some path,
 * with no full ordering in between) by a load of another location, where
 * something says the two are meant to be ordered:
 * - a known store-buffering protocol of the catalog covers both locations;
 * - a mirror: another function of the document stores the load's location
 *   and then loads the store's (marked accesses, specific locations);
 * - a weak or misused barrier placed right between them (smp_wmb(),
 *   smp_mb__after_atomic() after a plain store) shows the author wanted
 *   them ordered, when the load decides something.
 * Racy hint updates, per-CPU data and catalogued primitives' own bodies are
 * not candidates.
 */
import type { SbProtocol } from '../../catalog';
import type { Ev } from './events';
import { docIndex, eventsOf } from './docIndex';
import { isRacyUpdate, searchFrom } from './search';
import type { OrderingContext, OrderingUnit } from './types';
import { untracked } from '../deps';
import { dependsOnOrdering } from './events';

export interface SlHit {
  store: Ev;
  load: Ev;
  weak?: Ev;
  bare: boolean;
  mirror: string[];
  protocol?: SbProtocol;
  adjacentWeak: boolean;
}

function others(set: Set<string> | undefined, self: string): string[] {
  return set ? [...set].filter((n) => n !== self).sort() : [];
}

/**
 * The unit is the definition of a catalogued accessor (page_ref_add() in
 * page_ref.h is an RMW by definition): not a user of it. A helper the catalog
 * calls a barrier (start_lockless_pgtbl_walk) is checked: its body is what
 * makes it one.
 */
export function isPrimitive(unit: OrderingUnit, ctx: OrderingContext): boolean {
  return !!ctx.catalog.api(unit.fn.name)?.access?.length;
}

const hitsCache = new WeakMap<OrderingUnit, SlHit[]>();

/** Every store→load pair of the unit that is unordered and has protocol evidence (one per location pair). */
export function storeLoadHits(unit: OrderingUnit, ctx: OrderingContext): SlHit[] {
  // the unit's events and the document index only (dependsOnOrdering: their fingerprint)
  dependsOnOrdering(ctx, unit);
  let hits = hitsCache.get(unit);
  if (!hits) hitsCache.set(unit, (hits = untracked(() => computeStoreLoadHits(unit, ctx))));
  return hits;
}

function computeStoreLoadHits(unit: OrderingUnit, ctx: OrderingContext): SlHit[] {
  if (isPrimitive(unit, ctx)) return [];
  const cat = ctx.catalog;
  const ue = eventsOf(unit, ctx);
  const idx = docIndex(ctx, unit.side);
  const self = unit.fn.name;
  const hits: SlHit[] = [];
  // weak-barrier evidence needs a weak or misused barrier in the function
  const hasWeak = ue.all.some((e) => e.kind === 'fence' && e.ordering !== 'full');
  const pairs = new Set<string>(); // one finding per (A, B) per unit: the first store
  for (const s of ue.all) {
    if (s.kind !== 'store' && s.kind !== 'rmw') continue;
    if (s.ordering === 'full' || s.ordering === 'acquire' || !s.loc) continue;
    if (s.perCpu || isRacyUpdate(ue, s)) continue;
    // prune: no protocol with this location, no other function loading it after a store, no weak barrier
    const mirrorPossible = s.marked && !cat.isGenericLocation(s.loc) && others(idx.mirroredLoads.get(s.loc), self).length > 0;
    if (!hasWeak && !mirrorPossible && !cat.inProtocol(s.loc)) continue;
    const r = searchFrom(ue, s, 'unordered');
    const seen = new Set<string>();
    const loads = [...r.loads.values()].sort((a, b) => a.load.id - b.load.id);
    for (const o of loads) {
      const l = o.load;
      if (!l.loc || seen.has(l.loc) || pairs.has(`${s.loc}>${l.loc}`)) continue;
      if (l.perCpu) continue;
      // a lockless test for sleepers belongs to the sleep/wake-up protocol (waker.ts)
      if (cat.protocolWith(l.loc)?.conditionStore) continue;
      const protocol = cat.protocolFor(s.loc, l.loc);
      const specific = !cat.isGenericLocation(s.loc) && !cat.isGenericLocation(l.loc);
      const mirror = s.marked && l.marked && specific ? others(idx.mirrors.get(`${l.loc}>${s.loc}`), self) : [];
      // A weak barrier right between them shows intent, when the load decides something (marked, or
      // tested) and is not just the input of another store (`WRITE_ONCE(s->seq, s->seq + 1)`).
      const feedsStore = ue.byNode[l.node.id].some((x) => x.id > l.id && (x.kind === 'store' || x.kind === 'rmw'));
      const weakEvidence = !!o.weak && o.adjacentWeak && (l.marked || l.op.inCondition) && !feedsStore;
      if (!protocol && mirror.length === 0 && !weakEvidence) continue;
      seen.add(l.loc);
      pairs.add(`${s.loc}>${l.loc}`);
      hits.push({ store: s, load: l, weak: o.bare ? undefined : o.weak, bare: o.bare, mirror, protocol, adjacentWeak: o.adjacentWeak });
    }
  }
  return hits;
}
