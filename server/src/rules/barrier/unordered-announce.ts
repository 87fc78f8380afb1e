/**
 * barrier/unordered-announce: a non-returning atomic RMW (atomic_inc(),
 * set_bit()) that announces something other CPUs check, with no
 * smp_mb__after_atomic() after it: the loads that follow can be satisfied
 * before the announcement is visible. Evidence: a guarded store→load pair
 * (analysis/ordering/storeLoad), a catalogued protocol whose side A is an
 * announcement, or a function that opens a section other functions check.
 */
import { docIndex, eventsOf, isPrimitive, searchFrom, storeLoadHits, type Ev, type UnitEvents } from '../../analysis/ordering';
import type { RawFinding, RawRelated, Rule, RuleContext } from '../api';
import { commentedBarrier, insertAfter, mirrorOf, mirrorRelated, pos } from './shared';
import { announceTrace } from '../common/trace';

function others(set: Set<string> | undefined, self: string): string[] {
  return set ? [...set].filter((n) => n !== self).sort() : [];
}

function isBracketOpener(ctx: RuleContext, name: string): boolean {
  const s = ctx.catalog.api(name);
  return !!s?.effects?.some((e) => e.op === 'acquire' && ctx.catalog.kind(e.kind).family === 'bracket');
}

function isBracketCloser(ctx: RuleContext, name: string): boolean {
  const s = ctx.catalog.api(name);
  return !!s?.effects?.some((e) => e.op === 'release' && ctx.catalog.kind(e.kind).family === 'bracket');
}

/** No memory access (load, store, RMW) can precede `s` in its function: it opens the function's work. */
function firstAccess(ue: UnitEvents, s: Ev): boolean {
  const before = new Set<number>();
  const work = [s.node];
  const seen = new Set([s.node.id]);
  const own = ue.byNode[s.node.id];
  for (const e of own) {
    if (e === s) break;
    if (counts(e)) return false;
  }
  while (work.length) {
    const n = work.pop()!;
    for (const edge of n.preds) {
      if (seen.has(edge.from.id)) continue;
      seen.add(edge.from.id);
      before.add(edge.from.id);
      work.push(edge.from);
    }
  }
  for (const id of before) if (ue.byNode[id]?.some(counts)) return false;
  return true;
}

/** An access that does shared work: marked accesses and plain stores (plain loads mostly compute addresses: current->mm). */
function counts(e: Ev): boolean {
  return e.kind === 'rmw' || e.kind === 'store' || (e.kind === 'load' && e.marked);
}

export const unorderedAnnounce: Rule = {
  id: 'barrier/unordered-announce',
  category: 'barrier',
  severity: 'warning',
  title: 'Non-returning atomic announces something without smp_mb__after_atomic()',
  description:
    'A non-returning atomic RMW (atomic_inc(), atomic_add(), set_bit()) is not ordered: the loads that follow it can be satisfied before other CPUs see the new value. When it announces something another CPU checks (a lockless-walker count, a pin count), it needs smp_mb__after_atomic() (or a value-returning, fully ordered RMW). Seed 003: the walker count increment must be followed by smp_mb() before the page-table walk.',
  check(unit, ctx) {
    const F = ctx.catalog.repairs();
    const out: RawFinding[] = [];
    if (isPrimitive(unit, ctx)) return out;
    const ue = eventsOf(unit, ctx);
    const idx = docIndex(ctx, unit.side);
    const self = unit.fn.name;
    const hits = storeLoadHits(unit, ctx);
    for (const s of ue.all) {
      if (s.kind !== 'rmw' || s.ordering !== 'none' || !s.marked || !s.loc) continue;
      const guardedHit = hits.some((h) => h.store === s && h.bare);
      if (!guardedHit && !ctx.catalog.protocolOf(s.loc)?.announce && !isBracketOpener(ctx, self)) continue;
      const r = searchFrom(ue, s, 'unordered');
      // (a) loads it protects, with protocol evidence, on a path with no barrier at all
      const guarded = hits.find((h) => h.store === s && h.bare);
      const readers = others(idx.readers.get(s.loc), self);
      const proto = ctx.catalog.protocolOf(s.loc) ?? (guarded?.protocol);
      let reason: string | undefined;
      let other: Ev | undefined;
      if (guarded) {
        other = guarded.load;
        reason = guarded.protocol
          ? `${guarded.protocol.name}: ${guarded.protocol.why}`
          : `${guarded.mirror.join(', ')} stores ${guarded.load.locText} and then reads ${s.locText}`;
      } else if (
        unit.image.complete &&
        r.exitReached &&
        !hits.some((h) => h.store === s) &&
        firstAccess(ue, s) &&
        !isBracketCloser(ctx, self) &&
        (ctx.catalog.protocolOf(s.loc)?.announce || isBracketOpener(ctx, self)) &&
        (readers.length > 0 || ctx.catalog.protocolOf(s.loc)?.announce)
      ) {
        // (b) the function opens a bracket / a known protocol: the announcement must be visible before the caller's accesses
        reason = ctx.catalog.protocolOf(s.loc)?.announce
          ? `${ctx.catalog.protocolOf(s.loc)!.name}: ${ctx.catalog.protocolOf(s.loc)!.why}`
          : `${self}() opens a section that ${readers.join(', ')} check${readers.length === 1 ? 's' : ''} through ${s.locText}`;
      }
      // Not reported: a counter merely read elsewhere and followed by unrelated loads (statistics,
      // page flags): on whole mainline mm files that pattern is almost always benign.
      if (!reason) continue;
      const related: RawRelated[] = [{ message: `unordered ${s.name}() on ${s.locText}`, at: pos(s) }];
      if (other) related.push({ message: `load of ${other.locText} can pass it`, at: pos(other) });
      const mirror = guarded ? mirrorOf(unit, ctx, guarded) : undefined;
      if (mirror) related.push(mirrorRelated(mirror));
      out.push({
        rule: 'barrier/unordered-announce',
        message: `${s.name}() on ${s.locText} is a non-returning atomic and is not ordered; it announces something other CPUs check (${reason}). Add ${F.afterAtomic}() after it.`,
        at: pos(s),
        related,
        scenario: 'S3',
        scenarioParams: { function: self, location: s.locText ?? '', ...(other ? { other: other.locText ?? '' } : {}), ...(readers.length ? { reader: readers[0] } : {}), ...(proto ? { protocol: proto.name } : {}) },
        fixes: [{ title: `Insert ${F.afterAtomic}() after ${s.name}()`, edits: [insertAfter(unit, s, commentedBarrier(F.afterAtomic, `order ${s.name}() on ${s.locText} before the accesses that follow${other ? ` (the load of ${other.locText})` : ''}`))] }],
        trace: announceTrace(unit, ctx, s, other, mirror, proto, F.afterAtomic),
        fingerprint: `barrier/unordered-announce|${s.name}|${s.loc}`,
      });
    }
    return out;
  },
};
