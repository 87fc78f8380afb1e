/**
 * The barrier rules: missing or too-weak memory barriers in mm patches.
 *
 * - barrier/store-load-order: store A, then load B, with no full barrier
 *   (or only smp_wmb/smp_rmb) between, in a store-buffering protocol.
 * - barrier/unordered-announce: a non-returning atomic RMW announces
 *   something, with no smp_mb__after_atomic after it.
 * - barrier/plain-publish: an initialised object published with a plain store.
 * - barrier/removed: the patch deletes a barrier.
 * - barrier/uncommented: an added barrier without a comment (checkpatch).
 *
 * Precision first: store→load findings need evidence that the two locations
 * form a protocol (a mirror function in the document, a known mm protocol
 * from the catalog, or a weak barrier placed exactly between the two).
 * See docs/rules/barrier--*.md.
 */
import { BARRIER_FACTS } from '../../catalog/data/barrierExtra';
import type { CallOp } from '../../c/cfg';
import type { HunkLine } from '../../patch/model';
import type { RawFinding, RawRelated, Rule, RuleContext, Unit, ImagePos } from '../api';
import { docIndex, eventsOf, indentOf, isFence, lineText, protocolFor, protocolOf, searchFrom, type Ev } from './model';
import { findMirror, otherSide, weakProtocolHits, type MirrorSite, type WeakProtocolHit } from './protocolStore';

const F = BARRIER_FACTS.fixes;
const GENERIC: ReadonlySet<string> = new Set(BARRIER_FACTS.genericLocations);
const PUBLISHERS: ReadonlyMap<string, number> = new Map(Object.entries(BARRIER_FACTS.publishers).map(([k, v]) => [k, v.arg]));
const PROTOCOL_LOCS: ReadonlySet<string> = new Set(BARRIER_FACTS.protocols.flatMap((p) => [...p.a, ...p.b]));
function protocolInvolves(loc: string): boolean {
  return PROTOCOL_LOCS.has(loc);
}

function pos(e: Ev): ImagePos {
  return { line: e.line, col: e.col, endCol: e.endCol };
}

function stmtEnd(unit: Unit, e: Ev): { line: number; col: number } {
  const st = e.node.stmt ?? e.op.node;
  const end = st.endPosition;
  return { line: end.row, col: end.column };
}

/** Insert `text` as a new line after the statement of event e (same indentation as its first line). */
function insertAfter(unit: Unit, e: Ev, text: string) {
  const end = stmtEnd(unit, e);
  const lt = lineText(unit, end.line);
  const indent = indentOf(lineText(unit, e.line));
  return { at: { line: end.line, col: lt.length, endCol: lt.length }, newText: `\n${indent}${text}` };
}

/** Insert `text` as a new line before the line of event e. */
function insertBefore(unit: Unit, e: Ev, text: string) {
  const lt = lineText(unit, e.line);
  const indent = indentOf(lt);
  return { at: { line: e.line, col: indent.length, endCol: indent.length }, newText: `${text}\n${indent}` };
}

function fnOf(unit: Unit): string {
  return unit.fn.name;
}

function others(set: Set<string> | undefined, self: string): string[] {
  return set ? [...set].filter((n) => n !== self).sort() : [];
}

// ---------------------------------------------------------------------------
// store→load

interface SlHit {
  store: Ev;
  load: Ev;
  weak?: Ev;
  bare: boolean;
  mirror: string[];
  protocol?: ReturnType<typeof protocolFor>;
  adjacentWeak: boolean;
}

/** Every store→load pair of the unit that is unordered and has protocol evidence. */
/**
 * The unit is the definition of a catalogued accessor (page_ref_add() in
 * page_ref.h is an RMW by definition): not a user of it. A helper the catalog
 * calls a barrier (start_lockless_pgtbl_walk) is checked: its body is what
 * makes it one.
 */
function isPrimitive(unit: Unit, ctx: RuleContext): boolean {
  return !!ctx.catalog.api(unit.fn.name)?.access?.length;
}

const hitsCache = new WeakMap<Unit, SlHit[]>();

function storeLoadHits(unit: Unit, ctx: RuleContext): SlHit[] {
  let hits = hitsCache.get(unit);
  if (!hits) hitsCache.set(unit, (hits = computeStoreLoadHits(unit, ctx)));
  return hits;
}

function computeStoreLoadHits(unit: Unit, ctx: RuleContext): SlHit[] {
  if (isPrimitive(unit, ctx)) return [];
  const ue = eventsOf(unit, ctx);
  const idx = docIndex(ctx, unit.side);
  const hits: SlHit[] = [];
  // weak-barrier evidence needs a weak barrier in the function
  const hasWeak = ue.all.some((e) => e.kind === 'fence' && (e.ordering === 'wmb' || e.ordering === 'rmb'));
  const pairs = new Set<string>(); // one finding per (A, B) per unit: the first store
  for (const s of ue.all) {
    if (s.kind !== 'store' && s.kind !== 'rmw') continue;
    if (s.ordering === 'full' || s.ordering === 'acquire' || !s.loc) continue;
    // prune: no protocol with this location, no other function loading it after a store, no weak barrier
    const mirrorPossible = s.marked && !GENERIC.has(s.loc) && others(idx.mirroredLoads.get(s.loc), fnOf(unit)).length > 0;
    if (!hasWeak && !mirrorPossible && !protocolInvolves(s.loc)) continue;
    const r = searchFrom(ue, s, 'unordered');
    const seen = new Set<string>();
    const loads = [...r.loads.values()].sort((a, b) => a.load.id - b.load.id);
    for (const o of loads) {
      const l = o.load;
      if (!l.loc || seen.has(l.loc) || pairs.has(`${s.loc}>${l.loc}`)) continue;
      const protocol = protocolFor(s.loc, l.loc);
      const specific = !GENERIC.has(s.loc) && !GENERIC.has(l.loc);
      const mirror = s.marked && l.marked && specific ? others(idx.mirrors.get(`${l.loc}>${s.loc}`), fnOf(unit)) : [];
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

const storeLoadOrder: Rule = {
  id: 'barrier/store-load-order',
  category: 'barrier',
  severity: 'warning',
  title: 'Store then load of another shared location without a full barrier',
  description:
    'A store to one shared location is followed by a load of another with no full barrier between them (or only smp_wmb()/smp_rmb(), which do not order a store before a later load), while another CPU does the mirror image (store the second, load the first). This is store buffering: both CPUs can read the old values and miss each other. Seed 000 (pin count vs PG_writeback) and seed 003 (lockless walker count vs pmd) need smp_mb() on both sides.',
  check(unit, ctx) {
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
      const between = h.bare ? 'with no full barrier between them' : `with only ${weakName}() between them, which does not order a store before a later load`;
      const related: RawRelated[] = [
        { message: `store to ${s.locText}`, at: pos(s) },
        { message: `load of ${l.locText}`, at: pos(l) },
      ];
      if (h.weak) related.push({ message: `${weakName}() orders only ${h.weak.ordering === 'wmb' ? 'stores against stores' : 'loads against loads'}`, at: pos(h.weak) });
      const mirror = mirrorOf(unit, ctx, h);
      if (mirror) related.push(mirrorRelated(mirror));
      const fixes = h.weak
        ? [{ title: `Replace ${weakName}() with ${F.full}()`, edits: [{ at: { line: h.weak.line, col: h.weak.col, endCol: h.weak.endCol ?? h.weak.col + (weakName?.length ?? 0) }, newText: F.full }] }]
        : [{ title: `Insert ${F.full}() after the store`, edits: [insertAfter(unit, s, `${F.full}();`)] }];
      out.push({
        rule: 'barrier/store-load-order',
        message: `The store to ${s.locText} is followed by a load of ${l.locText} ${between}; ${why}. Use ${F.full}() between them (and on the other side).`,
        at: pos(s),
        related,
        scenario: h.protocol?.scenario ?? 'S1',
        scenarioParams: { function: fnOf(unit), location: s.locText ?? '', other: l.locText ?? '', ...(weakName ? { barrier: weakName } : {}), ...(h.mirror.length ? { mirror: h.mirror[0] } : {}) },
        fixes,
        fingerprint: `barrier/store-load-order|${s.loc}|${l.loc}|${weakName ?? 'none'}`,
      });
    }
    const own = storeLoadHits(unit, ctx);
    for (const h of weakProtocolHits(unit, ctx)) {
      // a store→load pair of this function with the same load is reported above, at its store
      if (own.some((x) => x.load === h.load)) continue;
      out.push(weakProtocolFinding(unit, ctx, h));
    }
    return out;
  },
};

/** The other CPU's side of a store→load hit, in its own function: the mirror named in the message, or the protocol's other side. */
function mirrorOf(unit: Unit, ctx: RuleContext, h: SlHit): MirrorSite | undefined {
  const { store: s, load: l } = h;
  if (!s.loc || !l.loc) return undefined;
  if (h.mirror.length) return findMirror(ctx, unit.side, new Set([l.loc]), new Set([s.loc]), new Set([fnOf(unit)]), h.mirror[0]);
  if (h.protocol) return findMirror(ctx, unit.side, new Set(otherSide(h.protocol, s.loc)), new Set(otherSide(h.protocol, l.loc)), new Set([fnOf(unit)]));
  return undefined;
}

function mirrorRelated(m: MirrorSite): RawRelated {
  return m.barrier
    ? { message: `the other side: ${m.fn}() orders its store to ${m.store.locText} before its load of ${m.load.locText} with ${m.barrier.name}()`, at: pos(m.barrier), unit: m.unit }
    : { message: `the other side: ${m.fn}() stores ${m.store.locText} and then loads ${m.load.locText}, with no full barrier either`, at: pos(m.store), unit: m.unit };
}

/**
 * A weak barrier guarding a protocol load whose store is made before it in
 * this function, in a caller before the call, or by a catalogued acquisition
 * (a FOLL_PIN pin): reported at the weak barrier.
 */
function weakProtocolFinding(unit: Unit, ctx: RuleContext, h: WeakProtocolHit): RawFinding {
  const { weak: w, load: l, protocol: p, store: st } = h;
  const wn = w.name ?? 'the barrier';
  const caller = st.calls.length ? st.calls[st.calls.length - 1].unit.fn.name : fnOf(unit);
  const storeFn = st.unit === unit ? fnOf(unit) : st.unit.fn.name;
  const what = st.acquire ? `the ${st.acquire.label} taken by ${st.acquire.api}() (a store to ${st.loc})` : `the store to ${st.ev.locText}`;
  // line numbers of another patch of the series are that patch's: say which
  const ser = st.unit.fn.message !== unit.fn.message ? st.unit.fn.message.series : undefined;
  const where = `${st.unit === unit ? '' : ` in ${storeFn}()`} at ${ctx.where(st.unit, st.ev.line)}${ser ? ` (patch ${ser.index}/${ser.total})` : ''}`;
  // the calls from the store's function down to this one, outermost first
  const chain = st.calls;
  const viaCalls = chain.length ? `, which then calls ${chain.map((c) => `${c.ev.name}() at ${ctx.where(c.unit, c.ev.line)}`).join(', which calls ')}` : '';
  const mirror = findMirror(ctx, unit.side, new Set(otherSide(p, st.loc)), new Set(otherSide(p, l.loc!)), new Set([fnOf(unit), storeFn, caller]));
  const mirrorText = mirror
    ? mirror.barrier
      ? ` The other side, ${mirror.fn}() at ${ctx.where(mirror.unit, mirror.store.line)}, orders its store to ${mirror.store.locText} before its load of ${mirror.load.locText} with ${mirror.barrier.name}(); that pairing only works with a full barrier on this side too, otherwise both CPUs can miss each other's store.`
      : ` The other side, ${mirror.fn}() at ${ctx.where(mirror.unit, mirror.store.line)}, stores ${mirror.store.locText} and then loads ${mirror.load.locText} with no full barrier either.`
    : '';
  const weakOrders = w.ordering === 'wmb' ? 'orders only stores against stores' : 'orders only loads against loads';
  const related: RawRelated[] = [
    { message: `${wn}() ${weakOrders}`, at: pos(w) },
    { message: `load of ${l.locText}`, at: pos(l) },
    { message: st.acquire ? `${st.acquire.api}() stores ${st.loc} (${st.acquire.label})` : `store to ${st.ev.locText}`, at: pos(st.ev), ...(st.unit !== unit ? { unit: st.unit } : {}) },
    ...chain.map((c) => ({ message: `${c.ev.name}() called here, after the store`, at: pos(c.ev), unit: c.unit })),
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
      function: fnOf(unit),
      location: st.acquire ? st.loc : st.ev.locText ?? st.loc,
      other: l.locText ?? '',
      barrier: wn,
      ...(chain.length ? { caller: chain[chain.length - 1].unit.fn.name } : {}),
      ...(mirror ? { mirror: mirror.fn } : {}),
    },
    fixes: [{ title: `Replace ${wn}() with ${F.full}()`, edits: [{ at: { line: w.line, col: w.col, endCol: w.endCol ?? w.col + wn.length }, newText: F.full }] }],
    fingerprint: `barrier/store-load-order|${st.loc}|${l.loc}|${wn}`,
  };
}

// ---------------------------------------------------------------------------
// unordered announce

function isBracketOpener(ctx: RuleContext, name: string): boolean {
  const s = ctx.catalog.api(name);
  return !!s?.effects?.some((e) => e.op === 'acquire' && ctx.catalog.kind(e.kind).family === 'bracket');
}

function isBracketCloser(ctx: RuleContext, name: string): boolean {
  const s = ctx.catalog.api(name);
  return !!s?.effects?.some((e) => e.op === 'release' && ctx.catalog.kind(e.kind).family === 'bracket');
}

/** No memory access (load, store, RMW) can precede `s` in its function: it opens the function's work. */
function firstAccess(ue: ReturnType<typeof eventsOf>, s: Ev): boolean {
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

const unorderedAnnounce: Rule = {
  id: 'barrier/unordered-announce',
  category: 'barrier',
  severity: 'warning',
  title: 'Non-returning atomic announces something without smp_mb__after_atomic()',
  description:
    'A non-returning atomic RMW (atomic_inc(), atomic_add(), set_bit()) is not ordered: the loads that follow it can be satisfied before other CPUs see the new value. When it announces something another CPU checks (a lockless-walker count, a pin count), it needs smp_mb__after_atomic() (or a value-returning, fully ordered RMW). Seed 003: the walker count increment must be followed by smp_mb() before the page-table walk.',
  check(unit, ctx) {
    const out: RawFinding[] = [];
    if (isPrimitive(unit, ctx)) return out;
    const ue = eventsOf(unit, ctx);
    const idx = docIndex(ctx, unit.side);
    const self = fnOf(unit);
    const hits = storeLoadHits(unit, ctx);
    for (const s of ue.all) {
      if (s.kind !== 'rmw' || s.ordering !== 'none' || !s.marked || !s.loc) continue;
      const guardedHit = hits.some((h) => h.store === s && h.bare);
      if (!guardedHit && !protocolOf(s.loc)?.announce && !isBracketOpener(ctx, self)) continue;
      const r = searchFrom(ue, s, 'unordered');
      // (a) loads it protects, with protocol evidence, on a path with no barrier at all
      const guarded = hits.find((h) => h.store === s && h.bare);
      const readers = others(idx.readers.get(s.loc), self);
      const proto = protocolOf(s.loc) ?? (guarded?.protocol);
      let reason: string | undefined;
      let other: Ev | undefined;
      if (guarded) {
        other = guarded.load;
        reason = guarded.protocol
          ? `${guarded.protocol.name}: ${guarded.protocol.why}`
          : `${guarded.mirror.join(', ')} stores ${guarded.load.locText} and then reads ${s.locText}`;
      } else if (
        r.exitReached &&
        !hits.some((h) => h.store === s) &&
        firstAccess(ue, s) &&
        !isBracketCloser(ctx, self) &&
        (protocolOf(s.loc)?.announce || isBracketOpener(ctx, self)) &&
        (readers.length > 0 || protocolOf(s.loc)?.announce)
      ) {
        // (b) the function opens a bracket / a known protocol: the announcement must be visible before the caller's accesses
        reason = protocolOf(s.loc)?.announce
          ? `${protocolOf(s.loc)!.name}: ${protocolOf(s.loc)!.why}`
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
        fixes: [{ title: `Insert ${F.afterAtomic}() after ${s.name}()`, edits: [insertAfter(unit, s, `${F.afterAtomic}();`)] }],
        fingerprint: `barrier/unordered-announce|${s.name}|${s.loc}`,
      });
    }
    return out;
  },
};

// ---------------------------------------------------------------------------
// plain publish

const plainPublish: Rule = {
  id: 'barrier/plain-publish',
  category: 'barrier',
  severity: 'warning',
  title: 'Initialised object published with a plain store',
  description:
    'A new object is initialised and then made reachable (a pointer stored where other CPUs look, a page table linked with pmd_populate()) with a plain store and no smp_wmb()/release in between: another CPU can follow the new pointer and see the old (uninitialised) contents. Use rcu_assign_pointer()/smp_store_release(), or smp_wmb() before populating a page table (mm/memory.c __pte_alloc()). Seed 001 keeps the smp_wmb() after pte_alloc_one().',
  check(unit, ctx) {
    const out: RawFinding[] = [];
    const ue = eventsOf(unit, ctx);
    const idx = docIndex(ctx, unit.side);
    // locals: declared in the function (not parameters), pointer-typed
    const locals = new Map<string, { fresh: boolean; pointer: boolean; initCall?: CallOp }>();
    let hasLock = false;
    for (const n of unit.cfg.nodes)
      for (const op of n.ops) {
        if (op.kind === 'decl' && !op.param) locals.set(op.name, { fresh: false, pointer: op.type.includes('*') });
        if (op.kind === 'call' && !op.indirect) {
          const s = ctx.catalog.api(op.name);
          // a lock, or an IRQ/preemption-off section (per-CPU data): readers are serialised with the writer
          if (s?.effects?.some((e) => e.op === 'acquire' && (ctx.catalog.kind(e.kind).family === 'lock' || (e.kind !== 'rcu' && ctx.catalog.kind(e.kind).atomic)))) hasLock = true;
        }
      }
    for (const n of unit.cfg.nodes)
      for (const op of n.ops) {
        if (op.kind === 'call' && op.result.kind === 'assigned') {
          const v = locals.get(op.result.to.trim());
          if (v) {
            v.fresh = true;
            if (BARRIER_FACTS.initialisers.includes(op.name)) v.initCall = op;
          }
        }
        if (op.kind === 'call' && op.result.kind === 'assigned' && op.result.declared) {
          const v = locals.get(op.result.to.trim());
          if (v) v.fresh = true;
        }
      }
    const isInitOf = (e: Ev, p: string): boolean => {
      if (e.kind === 'store' && e.op.kind === 'write' && !e.marked && e.op.lvalue.base === p && e.op.lvalue.kind !== 'var') return true;
      if (e.kind === 'call' && e.op.kind === 'call' && e.op.result.kind === 'assigned' && e.op.result.to.trim() === p && BARRIER_FACTS.initialisers.includes(e.op.name)) return true;
      return false;
    };
    for (const e of ue.all) {
      let p: string | undefined;
      let publisher = false;
      const pubArg = e.op.kind === 'call' ? PUBLISHERS.get(e.op.name) : undefined;
      if (e.op.kind === 'call' && pubArg !== undefined) {
        p = e.op.args[pubArg]?.text.trim();
        publisher = true;
        // populating a page-table entry on the stack (`&__pmd`) publishes nothing
        const dest = /^\s*&\s*([A-Za-z_]\w*)\s*$/.exec(e.op.args[1]?.text ?? '');
        if (dest && locals.has(dest[1])) continue;
      } else if (e.kind === 'store' && (e.ordering === 'plain' || e.ordering === 'none') && e.valueText) {
        if (hasLock) continue;
        const target = e.op.kind === 'write' ? e.op.lvalue : undefined;
        // plain `x->ptr = p` or WRITE_ONCE(x->ptr, p); not `*out = p` (an out-parameter)
        if (target && !(target.kind === 'field' && target.arrow)) continue;
        if (!target && !/->\s*[A-Za-z_]\w*\s*$/.test(e.op.kind === 'call' ? e.op.args[0]?.text ?? '' : '')) continue;
        const base = target ? target.base : /^\s*(?:&\s*)?([A-Za-z_]\w*)/.exec(e.op.kind === 'call' ? e.op.args[0].text : '')?.[1];
        if (base && locals.get(base)) continue; // storing into a local object (new, or on the stack)
        // Lockless readers must exist: a marked store (WRITE_ONCE), or a marked load of the field elsewhere.
        if (!e.marked && !(e.loc && idx.readers.get(e.loc)?.size)) continue;
        p = e.valueText.trim();
      }
      if (!p || !/^[A-Za-z_]\w*$/.test(p)) continue;
      const local = locals.get(p);
      if (!local || (!publisher && (!local.fresh || !local.pointer))) continue;
      // backward search from the publish for an initialisation of p with no ordering in between
      const init = initBefore(ue, e, p, isInitOf);
      if (!init) continue;
      const what = publisher ? `${e.name}() links ${p}` : `The plain store of ${p} to ${e.locText}`;
      const fixes = publisher
        ? [{ title: `Insert ${F.wmb}() before ${e.name}()`, edits: [insertBefore(unit, e, `${F.wmb}();`)] }]
        : [{ title: `Insert ${F.wmb}() before the publishing store`, edits: [insertBefore(unit, e, `${F.wmb}();`)] }];
      out.push({
        rule: 'barrier/plain-publish',
        message: `${what} after initialising it (${init.locText ?? init.name}) with no ${F.wmb}()/release between: another CPU can see ${p} before its contents. Use ${publisher ? `${F.wmb}() before ${e.name}()` : `${F.publishRcu}()/${F.release}() or ${F.wmb}() before the store`}.`,
        at: pos(e),
        related: [
          { message: `${p} initialised here`, at: pos(init) },
          { message: `${p} published here`, at: pos(e) },
        ],
        scenario: 'S8',
        scenarioParams: { function: fnOf(unit), object: p, location: e.locText ?? e.name ?? '' },
        fixes,
        fingerprint: `barrier/plain-publish|${p}|${e.loc ?? e.name}`,
      });
    }
    return out;
  },
};

/** Walk backwards from `pub`: an init of p reachable with no wmb/full/release barrier in between. */
function initBefore(ue: ReturnType<typeof eventsOf>, pub: Ev, p: string, isInit: (e: Ev, p: string) => boolean): Ev | undefined {
  const visited = new Set<number>();
  const stack: { node: typeof pub.node; i: number }[] = [{ node: pub.node, i: ue.byNode[pub.node.id].indexOf(pub) - 1 }];
  let budget = 20000;
  while (stack.length && budget-- > 0) {
    const { node, i } = stack.pop()!;
    const evs = ue.byNode[node.id];
    let stopped = false;
    for (let k = i; k >= 0; k--) {
      const e = evs[k];
      if (e.kind === 'fence' && (e.ordering === 'full' || e.ordering === 'wmb')) { stopped = true; break; }
      if ((e.kind === 'store' || e.kind === 'rmw') && (e.ordering === 'release' || e.ordering === 'full')) { stopped = true; break; }
      if (isInit(e, p)) return e;
    }
    if (stopped) continue;
    for (const edge of node.preds) {
      if (visited.has(edge.from.id)) continue;
      visited.add(edge.from.id);
      stack.push({ node: edge.from, i: ue.byNode[edge.from.id].length - 1 });
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// removed

interface BarrierCall {
  name: string;
  hl: HunkLine;
  unit: Unit;
  op: CallOp;
}

function barrierCallsOn(units: readonly Unit[], ctx: RuleContext, kind: 'add' | 'del'): BarrierCall[] {
  const out: BarrierCall[] = [];
  const seen = new Set<string>();
  units.forEach((u) => {
    for (const n of u.cfg.nodes)
      for (const op of n.ops) {
        if (op.kind !== 'call' || op.indirect) continue;
        const s = ctx.catalog.api(op.name);
        if (!isFence(s) && !BARRIER_FACTS.commentedBarriers.includes(op.name)) continue;
        const o = u.image.origin[op.line];
        if (!o || o.kind !== 'patch' || o.line.kind !== kind) continue;
        const key = `${o.line.span.start}:${op.col}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ name: op.name, hl: o.line, unit: u, op });
      }
  });
  return out;
}

/** Strength classes: an added barrier of an equal or stronger class compensates a removed one. */
function strength(ctx: RuleContext, name: string): number {
  const o = ctx.catalog.api(name)?.ordering;
  return o === 'full' || o === 'before-atomic' || o === 'after-atomic' ? 3 : o === 'wmb' || o === 'rmb' ? 1 : 0;
}

function nearestAccess(unit: Unit, ctx: RuleContext, line: number, dir: -1 | 1): Ev | undefined {
  const evs = eventsOf(unit, ctx).all.filter((e) => (e.kind === 'store' || e.kind === 'load' || e.kind === 'rmw') && (dir < 0 ? e.line < line : e.line > line));
  if (!evs.length) return undefined;
  return dir < 0 ? evs[evs.length - 1] : evs[0];
}

const removed: Rule = {
  id: 'barrier/removed',
  category: 'barrier',
  severity: 'warning',
  title: 'The patch removes a memory barrier',
  description:
    'A barrier call on a deleted line has no counterpart (the same barrier, or a stronger one) on an added line of the same function, and no helper the function now calls provides it. A barrier moved within the function is not reported. Removing a barrier is sometimes right, but it always needs an explanation of what ordered those accesses before and why it is no longer needed.',
  check(unit, ctx) {
    const fn = unit.fn;
    if (unit.side !== 'post' || !fn.pre || !fn.post) return [];
    const posts = ctx.unitsOf(fn, 'post');
    if (posts[0] !== unit) return [];
    const dels = barrierCallsOn(ctx.unitsOf(fn, 'pre'), ctx, 'del');
    if (!dels.length) return [];
    const adds = barrierCallsOn(posts, ctx, 'add');
    const idx = docIndex(ctx, 'post');
    // helpers called on added lines that contain barriers
    const helperBarriers = new Set<string>();
    for (const u of posts)
      for (const n of u.cfg.nodes)
        for (const op of n.ops) {
          if (op.kind !== 'call' || op.name === fn.name) continue;
          const o = u.image.origin[op.line];
          if (!o || o.kind !== 'patch' || o.line.kind !== 'add') continue;
          for (const b of idx.barriersIn.get(op.name) ?? []) helperBarriers.add(b);
        }
    const avail = adds.map((a) => a.name).concat([...helperBarriers]);
    const out: RawFinding[] = [];
    for (const d of dels) {
      let k = avail.indexOf(d.name);
      if (k < 0) k = avail.findIndex((a) => strength(ctx, a) >= Math.max(1, strength(ctx, d.name)) && strength(ctx, a) === 3);
      if (k >= 0) {
        avail.splice(k, 1);
        continue;
      }
      const at = postAnchor(unit, d.hl, fn.hunks);
      if (!at) continue;
      const before = nearestAccess(d.unit, ctx, d.op.line, -1);
      const after = nearestAccess(d.unit, ctx, d.op.line, 1);
      const ordered =
        before && after
          ? ` It ordered the ${before.kind === 'load' ? 'load of' : 'store to'} ${before.locText} before the ${after.kind === 'load' ? 'load of' : 'store to'} ${after.locText}.`
          : before
            ? ` It ordered the ${before.kind === 'load' ? 'load of' : 'store to'} ${before.locText} before what follows.`
            : after
              ? ` It ordered what precedes it before the ${after.kind === 'load' ? 'load of' : 'store to'} ${after.locText}.`
              : '';
      out.push({
        rule: 'barrier/removed',
        message: `The patch removes ${d.name}() from ${fn.name}() and adds no equivalent barrier.${ordered} Say in the changelog what orders these accesses now.`,
        at: { line: at, col: Math.max(0, indentOf(lineText(unit, at)).length) },
        related: [],
        scenarioParams: { function: fn.name, barrier: d.name, ...(before ? { location: before.locText ?? '' } : {}), ...(after ? { other: after.locText ?? '' } : {}) },
        fingerprint: `barrier/removed|${d.name}|${before?.loc ?? ''}|${after?.loc ?? ''}`,
      });
    }
    return out;
  },
};

/** The post-image line nearest to where a deleted line was: the next surviving line of its hunk, else the previous. */
function postAnchor(unit: Unit, del: HunkLine, hunks: readonly import('../../patch/model').Hunk[]): number | undefined {
  const origin = unit.image.origin;
  const lineOf = (hl: HunkLine) => origin.findIndex((o) => o.kind === 'patch' && o.line === hl);
  for (const h of hunks) {
    const i = h.lines.indexOf(del);
    if (i < 0) continue;
    for (let j = i + 1; j < h.lines.length; j++) {
      if (h.lines[j].kind === 'del') continue;
      const l = lineOf(h.lines[j]);
      if (l >= 0 && lineText(unit, l).trim()) return l;
    }
    for (let j = i - 1; j >= 0; j--) {
      if (h.lines[j].kind === 'del') continue;
      const l = lineOf(h.lines[j]);
      if (l >= 0) return l;
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// uncommented

/** A comment, or a line inside one (a star then a space or the end of the line): not `*ptr = x;`. */
const COMMENT = /\/\*|\*\/|\/\/|^\s*\*(?:\s|$)/;

const uncommented: Rule = {
  id: 'barrier/uncommented',
  category: 'barrier',
  severity: 'info',
  title: 'Memory barrier without a comment',
  description:
    "checkpatch parity (MEMORY_BARRIER): an added memory barrier should say, in a comment on the same line or just above, what it orders and which barrier it pairs with. Reviewers and later readers cannot check a barrier whose pairing is not written down.",
  check(unit, ctx) {
    if (unit.side !== 'post') return [];
    const posts = ctx.unitsOf(unit.fn, 'post');
    if (posts[0] !== unit) return [];
    const text = unit.image.text.split('\n');
    const out: RawFinding[] = [];
    for (const b of barrierCallsOn(posts, ctx, 'add')) {
      if (!BARRIER_FACTS.commentedBarriers.includes(b.name)) continue;
      const l = b.op.line;
      let commented = false;
      for (let k = l; k >= Math.max(0, l - 3); k--) if (COMMENT.test(text[k] ?? '')) commented = true;
      if (commented) continue;
      const next = nearestAccess(b.unit, ctx, l, 1);
      out.push({
        rule: 'barrier/uncommented',
        message: `${b.name}() without a comment: say what it orders and which barrier it pairs with (checkpatch: memory barrier without comment).`,
        at: { line: l, col: b.op.col, endCol: b.op.calleeNode.endPosition.column },
        fingerprint: `barrier/uncommented|${b.name}|${next?.loc ?? ''}|${text[l]?.trim()}`,
      });
    }
    return out;
  },
};

export const BARRIER_RULES: readonly Rule[] = [storeLoadOrder, unorderedAnnounce, plainPublish, removed, uncommented];
