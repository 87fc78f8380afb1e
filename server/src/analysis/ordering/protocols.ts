/**
 * A weak barrier that guards the load of a store-buffering protocol whose
 * store is made somewhere else: earlier in the same function, by a caller
 * before it calls this function, or by the earlier version of that caller in
 * the same patch series (a later patch's hunk shows only part of it).
 *
 *   caller:  pin_user_pages_fast(...)       <- FOLL_PIN: a store to the pin count
 *            ...
 *            if (helper(folio))             <- call
 *   helper:  smp_wmb();                     <- orders stores against stores only
 *            return !folio_test_writeback(folio);   <- protocol load
 *
 * and the other side of the protocol (the "mirror": stores PG_writeback, then
 * loads the pin count) with the barrier that orders it, when the document has
 * it. Which calls are which accesses, which acquisitions are stores and which
 * locations form a protocol all come from the catalog (OrderingFacts).
 */
import type { SbProtocol } from '../../catalog';
import { isFence, type Ev, type UnitEvents } from './events';
import { callSitesOf, eventsOf } from './docIndex';
import { searchFrom } from './search';
import type { OrderingContext, OrderingUnit } from './types';
import type { RebuiltFunction } from '../../c/model';
import { directCalleesOf } from '../../c/cfg';
import { dependsOn, idOf, replay, tracking, untracked, withDeps, type DepRecord } from '../deps';
import { dependsOnOrdering, dependsOnSide } from './events';

/** How far up the call chain (callers of callers) a protocol store is looked for. */
const MAX_CALL_DEPTH = 2;

export interface StoreSite {
  unit: OrderingUnit;
  ev: Ev;
  /** Location key of the store. */
  loc: string;
  /** The catalogued acquisition whose effect is the store (pin_user_pages_fast), if that is how it is made. */
  acquire?: { api: string; label: string };
  /** The calls from the store's function down to the weak barrier's function, outermost first (the last one calls the barrier's function). */
  calls: { unit: OrderingUnit; ev: Ev }[];
}

export interface MirrorSite {
  unit: OrderingUnit;
  /** The mirror's function name. */
  fn: string;
  store: Ev;
  load: Ev;
  /** What orders the mirror's store before its load (undefined: nothing does). */
  barrier?: Ev;
}

export interface WeakProtocolHit {
  weak: Ev;
  load: Ev;
  protocol: SbProtocol;
  store: StoreSite;
}

// ---------------------------------------------------------------------------
// backward search for a protocol store

/** The location a protocol store event writes, if it writes one of `locs`. */
function storeKey(e: Ev, ctx: OrderingContext, locs: ReadonlySet<string>): { loc: string; acquire?: StoreSite['acquire'] } | undefined {
  if ((e.kind === 'store' || e.kind === 'rmw') && e.loc && locs.has(e.loc) && e.ordering !== 'full' && e.ordering !== 'acquire') return { loc: e.loc };
  if (e.op.kind !== 'call' || e.op.indirect) return undefined;
  const spec = ctx.catalog.api(e.op.name);
  for (const eff of spec?.effects ?? []) {
    if (eff.op !== 'acquire') continue;
    const loc = ctx.catalog.acquireStore(eff.kind);
    if (loc && locs.has(loc)) return { loc, acquire: { api: e.op.name, label: ctx.catalog.kind(eff.kind).label } };
  }
  return undefined;
}

interface BackResult {
  found?: { ev: Ev; loc: string; acquire?: StoreSite['acquire'] };
  /** The function's entry is reachable backwards with nothing ordering it. */
  entry: boolean;
}

/**
 * Walk backwards from `start` (exclusive) over every path: the first event
 * that stores one of `locs` with nothing ordering it before `start`. Stops at
 * full barriers, at smp_mb__after_atomic() once an RMW precedes it, at
 * smp_mb__before_atomic() followed by an RMW, and at code the hunks do not
 * show (a gap node): a barrier may hide there.
 */
function backFind(ue: UnitEvents, start: Ev, locs: ReadonlySet<string>, ctx: OrderingContext): BackResult {
  const visited = new Set<string>();
  const stack: { node: Ev['node']; i: number; afterAtomic: boolean; rmwSeen: boolean }[] = [];
  stack.push({ node: start.node, i: ue.byNode[start.node.id].indexOf(start) - 1, afterAtomic: false, rmwSeen: false });
  let entry = false;
  let budget = 20000;
  while (stack.length && budget-- > 0) {
    const cur = stack.pop()!;
    let { afterAtomic, rmwSeen } = cur;
    const evs = ue.byNode[cur.node.id];
    let stopped = cur.node.role === 'gap';
    for (let k = cur.i; k >= 0 && !stopped; k--) {
      const e = evs[k];
      if (e.kind === 'fence') {
        if (e.ordering === 'full') stopped = true;
        else if (e.ordering === 'after-atomic') afterAtomic = true;
        else if (e.ordering === 'before-atomic' && rmwSeen) stopped = true;
        continue;
      }
      if ((e.kind === 'store' || e.kind === 'rmw') && e.ordering === 'full') {
        stopped = true;
        continue;
      }
      const key = storeKey(e, ctx, locs);
      // an acquisition that stores (a pin) is an unordered RMW as far as the atomic fences go
      const rmw = (e.kind === 'rmw' && e.ordering !== 'full') || !!key?.acquire;
      // smp_mb__after_atomic() after an RMW orders it and everything before it
      if (rmw && afterAtomic) {
        stopped = true;
        continue;
      }
      if (key) return { found: { ev: e, ...key }, entry };
      if (rmw) rmwSeen = true;
    }
    if (stopped) continue;
    if (cur.node === ue.unit.cfg.entry) entry = true;
    for (const edge of cur.node.preds) {
      const vk = `${edge.from.id}|${afterAtomic ? 1 : 0}${rmwSeen ? 1 : 0}`;
      if (visited.has(vk)) continue;
      visited.add(vk);
      stack.push({ node: edge.from, i: ue.byNode[edge.from.id].length - 1, afterAtomic, rmwSeen });
    }
  }
  return { entry };
}

/**
 * The earlier version of a partially shown function, in the same document: a
 * patch series where patch 1/3 adds pin_user_pages_stable() and patch 3/3
 * changes a few lines of it. Matched by path and name in an earlier message,
 * and validated by the first context line of this image: the file line it
 * had before this message must hold the same text in that version. Returns
 * the units of that version with the image line of the anchor.
 */
export function priorVersion(ctx: OrderingContext, unit: OrderingUnit): { unit: OrderingUnit; line: number }[] {
  if (unit.image.complete) return [];
  const origin = unit.image.origin;
  const lines = unit.image.text.split('\n');
  let anchor = -1;
  for (let i = 0; i < origin.length; i++) {
    const o = origin[i];
    if (o.kind === 'patch' && o.line.kind === 'context' && o.line.oldLine !== undefined && lines[i].trim()) {
      anchor = i;
      break;
    }
  }
  if (anchor < 0) return [];
  const a = origin[anchor];
  if (a.kind !== 'patch') return [];
  const fileLine = a.line.oldLine;
  const me = unit.fn;
  const text = lines[anchor].trim();
  // a query over the functions of this file (analysis/deps.ts): the earlier version by object, and its anchor line
  const found = untracked(() => earlierVersion(ctx, me.path, me.name, me.message.index, fileLine, text));
  if (tracking()) {
    dependsOn(`prior|${me.path}|${me.name}|${me.message.index}|${fileLine}|${text}`, priorFp(found), priorAgain(me.path, me.name, me.message.index, fileLine, text), { ctx, path: me.path });
    // its events are read with the post-image side's ordering facts
    if (found) dependsOnSide(ctx, 'post');
  }
  if (!found) return [];
  return untracked(() => ctx.unitsOf(found.fn, 'post')).map((u) => ({ unit: u, line: found.line }));
}

/** The latest earlier version (an earlier message) of function `name` of `path` whose image has `text` at file line `fileLine`. */
function earlierVersion(ctx: OrderingContext, path: string, name: string, before: number, fileLine: number | undefined, text: string): { fn: RebuiltFunction; line: number } | undefined {
  let e: RebuiltFunction | undefined;
  for (const f of ctx.functions) if (f.post && f.path === path && f.name === name && f.message.index < before && (!e || f.message.index > e.message.index)) e = f;
  if (!e || !e.post) return undefined;
  const eLines = e.post.text.split('\n');
  const j = e.post.origin.findIndex((o, k) => ((o.kind === 'patch' && o.line.newLine === fileLine) || (o.kind === 'tree' && o.fileLine === fileLine)) && eLines[k].trim() === text);
  return j < 0 ? undefined : { fn: e, line: j };
}
const priorFp = (r: { fn: RebuiltFunction; line: number } | undefined) => (r ? `${idOf(r.fn)}@${r.line}` : '-');
/** The query's `again`: closes over its question only, never a document's context (analysis/deps.ts). */
function priorAgain(path: string, name: string, before: number, fileLine: number | undefined, text: string): (c: OrderingContext) => string {
  return (c) => priorFp(untracked(() => earlierVersion(c, path, name, before, fileLine, text)));
}

/** The first event at or after image line `line` (in text order). */
function firstEventFrom(ue: UnitEvents, line: number): Ev | undefined {
  let best: Ev | undefined;
  for (const e of ue.all) if (e.line >= line && (!best || e.line < best.line || (e.line === best.line && e.col < best.col))) best = e;
  return best;
}

/**
 * A store to one of `locs` that reaches `start` in `unit` with nothing
 * ordering it: in the unit itself, in the earlier version of a partially
 * shown function, or in a caller before its call of this function.
 */
export function findProtocolStore(ctx: OrderingContext, unit: OrderingUnit, start: Ev, locs: ReadonlySet<string>, depth = 0, seen: Set<string> = new Set()): StoreSite | undefined {
  // in the unit itself: its events (a caller's, below the first level: the callers query names it by its function)
  if (depth === 0) dependsOnOrdering(ctx, unit);
  else dependsOnSide(ctx, unit.side);
  const ue = depth === 0 ? eventsOf(unit, ctx) : untracked(() => eventsOf(unit, ctx));
  const b = backFind(ue, start, locs, ctx);
  if (b.found) return { unit, ev: b.found.ev, loc: b.found.loc, acquire: b.found.acquire, calls: [] };
  if (!b.entry) return undefined;
  // the part of the function this message's hunks do not show, from the earlier patch of the series
  for (const pv of priorVersion(ctx, unit)) {
    const pue = untracked(() => eventsOf(pv.unit, ctx));
    const from = firstEventFrom(pue, pv.line);
    if (!from) continue;
    const r = backFind(pue, from, locs, ctx);
    if (r.found) return { unit: pv.unit, ev: r.found.ev, loc: r.found.loc, acquire: r.found.acquire, calls: [] };
  }
  if (depth >= MAX_CALL_DEPTH) return undefined;
  const name = unit.fn.name;
  if (seen.has(name)) return undefined;
  seen.add(name);
  // the callers: a query naming the units the walk visited (callersFp), recorded once the walk is done
  const sites = untracked(() => callSitesOf(ctx, unit.side, name));
  let found: StoreSite | undefined;
  let last: OrderingUnit | undefined;
  for (const { unit: cu, ev: ce } of sites) {
    if (cu.fn.name === name) continue;
    last = cu;
    const s = findProtocolStore(ctx, cu, ce, locs, depth + 1, seen);
    if (s) {
      s.calls.push({ unit: cu, ev: ce });
      found = s;
      break;
    }
  }
  if (tracking()) {
    // the walk stopped at a store found in `last`'s call: what it saw is the callers up to that unit
    const all = callersOf(ctx, unit.side, name);
    const n = found && last ? all.indexOf(unitId(last)) + 1 : all.length;
    const upTo = found && last && n > 0 ? n : -1;
    dependsOn(`callers|${unit.side}|${name}|${upTo}`, callersFp(all, upTo), callersAgain(unit.side, name, upTo));
  }
  return found;
}

const unitId = (u: OrderingUnit) => `${idOf(u.fn)}.${idOf(u.variant)}`;
/**
 * The callers query's fingerprint: the units of one side (in document order) whose CFG calls `name`
 * directly, by function object and configuration; with `upTo` > 0 only the first `upTo` of them (the
 * walk returned at a call in the last one: the callers after it were not looked at). With the side's
 * ordering facts the same (recorded too), their events, and so the call sites callSitesOf() gives up
 * to there, are the same.
 */
function callersFp(all: readonly string[], upTo: number): string {
  return (upTo > 0 ? all.slice(0, upTo) : all).join(',') + (upTo > 0 ? '|' : '|all');
}
function callersAgain(side: OrderingUnit['side'], name: string, upTo: number): (c: OrderingContext) => string {
  return (c) => callersFp(callersOf(c, side, name), upTo);
}

/** The units of one side (in document order) whose CFG calls `name` directly (unitId), from each CFG's called names (kept per CFG): not from every unit's events. */
function callersOf(ctx: OrderingContext, side: OrderingUnit['side'], name: string): readonly string[] {
  let per = callersIndex.get(ctx);
  if (!per) callersIndex.set(ctx, (per = new Map()));
  let byName = per.get(side);
  if (!byName) {
    byName = new Map();
    for (const u of untracked(() => ctx.units)) {
      if (u.side !== side) continue;
      const id = unitId(u);
      for (const n of directCalleesOf(u.cfg)) {
        const l = byName.get(n);
        if (l) l.push(id);
        else byName.set(n, [id]);
      }
    }
    per.set(side, byName);
  }
  return byName.get(name) ?? [];
}
const callersIndex = new WeakMap<OrderingContext, Map<OrderingUnit['side'], Map<string, string[]>>>();
// ---------------------------------------------------------------------------
// the weak-barrier analysis

export function protocolWith(ctx: OrderingContext, loc: string): SbProtocol | undefined {
  return ctx.catalog.protocolWith(loc);
}

/** The protocol's locations on the other side from `loc`. */
export function otherSide(p: SbProtocol, loc: string): string[] {
  return p.a.includes(loc) ? p.b : p.a;
}

// per document context: a unit's hits depend on the other units (its callers)
const hitCache = new WeakMap<OrderingContext, WeakMap<OrderingUnit, { hits: WeakProtocolHit[]; deps: DepRecord }>>();

/**
 * Every pure weak barrier (smp_wmb/smp_rmb) of the unit followed, with no
 * full barrier, by a marked load of a protocol location whose other side's
 * store is made before the barrier (here, in a caller, or in the earlier
 * version of a caller). One hit per (barrier, load location).
 */
export function weakProtocolHits(unit: OrderingUnit, ctx: OrderingContext): WeakProtocolHit[] {
  dependsOnOrdering(ctx, unit);
  let perCtx = hitCache.get(ctx);
  if (!perCtx) hitCache.set(ctx, (perCtx = new WeakMap()));
  const hit = perCtx.get(unit);
  if (hit) {
    replay(hit.deps); // what finding them read (callers, earlier versions, when it looked there)
    return hit.hits;
  }
  const out: WeakProtocolHit[] = [];
  // set first (a recursive ask gets the list being filled), as document-wide until it is done
  const entry = { hits: out, deps: { document: true, queries: new Map() } as DepRecord };
  perCtx.set(unit, entry);
  entry.deps = withDeps(() => weakHits(unit, ctx, out)).deps;
  return out;
}

function weakHits(unit: OrderingUnit, ctx: OrderingContext, out: WeakProtocolHit[]): void {
  const ue = eventsOf(unit, ctx);
  for (const w of ue.all) {
    if (w.kind !== 'fence' || (w.ordering !== 'wmb' && w.ordering !== 'rmb')) continue;
    if (w.op.kind !== 'call' || w.op.indirect || !isFence(ctx.catalog.api(w.api ?? w.op.name))) continue;
    const r = searchFrom(ue, w, 'unordered');
    const done = new Set<string>();
    for (const o of [...r.loads.values()].sort((x, y) => x.load.id - y.load.id)) {
      const l = o.load;
      if (!l.marked || !l.loc || done.has(l.loc)) continue;
      const p = protocolWith(ctx, l.loc);
      if (p?.conditionStore) continue; // the waker idiom has its own analysis (waker.ts)
      if (!p) continue;
      done.add(l.loc);
      const store = findProtocolStore(ctx, unit, w, new Set(otherSide(p, l.loc)));
      if (store) out.push({ weak: w, load: l, protocol: p, store });
    }
  }
}

// ---------------------------------------------------------------------------
// the other side of the protocol

function orders(f: Ev, store: Ev): boolean {
  if (f.kind === 'fence') return f.ordering === 'full' || (f.ordering === 'after-atomic' && store.kind === 'rmw');
  return (f.kind === 'rmw' || f.kind === 'store') && f.ordering === 'full';
}

/**
 * Another function of the document (same side) that stores one of
 * `storeLocs` and then loads one of `loadLocs` with marked accesses: the
 * other CPU of the store-buffering pair. `only`: that function's name.
 * Prefers a mirror whose pair is ordered (its barrier is what the finding
 * points at).
 */
export function findMirror(ctx: OrderingContext, side: OrderingUnit['side'], storeLocs: ReadonlySet<string>, loadLocs: ReadonlySet<string>, exclude: ReadonlySet<string>, only?: string): MirrorSite | undefined {
  const found = untracked(() => scanMirror(ctx, side, storeLocs, loadLocs, exclude, only));
  // a query (analysis/deps.ts) whose answer is the mirror found, by function object, configuration and events
  // (the mirror's events are the side's ordering facts')
  if (tracking()) {
    const q = [[...storeLocs].sort(), [...loadLocs].sort(), [...exclude].sort()];
    dependsOn(`mirror|${side}|${JSON.stringify(q)}|${only ?? ''}`, mirrorFp(found), mirrorAgain(side, q, only));
    dependsOnSide(ctx, side);
  }
  return found;
}
const mirrorFp = (m: MirrorSite | undefined) => (m ? `${idOf(m.unit.fn)}.${idOf(m.unit.variant)}.${m.store.id}.${m.load.id}.${m.barrier?.id ?? ''}` : '-');
function mirrorAgain(side: OrderingUnit['side'], q: string[][], only: string | undefined): (c: OrderingContext) => string {
  return (c) => mirrorFp(untracked(() => scanMirror(c, side, new Set(q[0]), new Set(q[1]), new Set(q[2]), only)));
}

function scanMirror(ctx: OrderingContext, side: OrderingUnit['side'], storeLocs: ReadonlySet<string>, loadLocs: ReadonlySet<string>, exclude: ReadonlySet<string>, only?: string): MirrorSite | undefined {
  let unordered: MirrorSite | undefined;
  for (const u of ctx.units) {
    if (u.side !== side || (only !== undefined && u.fn.name !== only)) continue;
    const ue = eventsOf(u, ctx);
    for (const x of ue.all) {
      if (!x.marked || !x.loc || (x.kind !== 'store' && x.kind !== 'rmw') || !storeLocs.has(x.loc) || x.ordering === 'acquire') continue;
      const fn = u.fn.name;
      if (exclude.has(fn)) continue;
      const any = searchFrom(ue, x, 'any');
      const ys = [...any.loads.keys()].filter((y) => y.marked && y.loc && loadLocs.has(y.loc)).sort((a, b) => a.id - b.id);
      if (!ys.length) continue;
      const y = ys[0];
      if (x.ordering === 'full') return { unit: u, fn, store: x, load: y, barrier: x };
      const free = searchFrom(ue, x, 'unordered').loads;
      if (free.has(y)) {
        unordered ??= { unit: u, fn, store: x, load: y };
        continue;
      }
      const barrier = ue.all.find((f) => f.id > x.id && f.id < y.id && orders(f, x));
      return { unit: u, fn, store: x, load: y, barrier };
    }
  }
  return unordered;
}
