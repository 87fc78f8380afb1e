/**
 * The document-wide ordering facts of one side of a patch:
 * - summaries of the functions the document defines: which contain a full
 *   barrier (a call to one is a full barrier), and what ordering each one
 *   provides (barriers, locks, primitives that synchronise internally);
 * - an index of which function stores a location and then loads another
 *   (marked accesses), and which functions load a location: the evidence
 *   that two functions form a store-buffering pair, or that a field is read
 *   locklessly.
 * Summaries are keyed by function name; the index only ever pairs functions
 * that touch the same locations.
 */
import type { Cfg, CfgNode } from '../../c/cfg';
import { dependsOnSide, docOf, effectiveCall, eventsKey, isFence, lockHeldAt, setOrderingFp, unitEvents, type Ev, type UnitEvents } from './events';
import { digest, globalsToken, macrosToken } from './macros';
import { isRacyUpdate, markedLoadsAfter } from './search';
import type { OrderingContext, OrderingUnit, Side } from './types';
import { dependsOnDocument, idOf, untracked } from '../deps';

/** Ordering strength classes for comparing barriers: 3 full, 2 acquire/release or a lock/synchronising primitive, 1 wmb/rmb. */
export type Strength = 0 | 1 | 2 | 3;

export interface OrderingProvided {
  /** The strongest ordering the function provides. */
  strength: Strength;
  /** The primitives that provide it (for messages). */
  names: Set<string>;
}

export interface DocIndex {
  /** Functions defined in the document (this side) whose body has a full fence. */
  fullFenceFns: Set<string>;
  /** Function name -> barrier names its body calls (this side). */
  barriersIn: Map<string, Set<string>>;
  /** Function name -> the ordering its body provides (barriers, RMWs, locks, synchronising primitives). */
  orderingIn: Map<string, OrderingProvided>;
  /** `A>B` -> functions that store A then (on some path) load B, marked accesses only. */
  mirrors: Map<string, Set<string>>;
  /** location -> functions that load it with a marked access. */
  readers: Map<string, Set<string>>;
  /** B -> functions that store something and then load B (marked): candidates for a mirror `? > B`. */
  mirroredLoads: Map<string, Set<string>>;
}

const docCache = new WeakMap<object, Map<Side, DocIndex>>();

function add(m: Map<string, Set<string>>, k: string, v: string) {
  let s = m.get(k);
  if (!s) m.set(k, (s = new Set()));
  s.add(v);
}

/** The ordering strength of a catalogued call (by its spec), for removal and summaries. */
export function strengthOf(ctx: OrderingContext, name: string): Strength {
  const cat = ctx.catalog;
  const s = cat.api(name);
  if (!s) return 0;
  const o = s.ordering;
  if (o === 'full' || o === 'before-atomic' || o === 'after-atomic') return 3;
  if (s.synchronizes || s.internalSync === 'grace-period') return 3;
  if (o === 'acquire' || o === 'release' || s.internalSync) return 2;
  if (s.effects?.some((e) => cat.kind(e.kind).family === 'lock')) return 2;
  if (o === 'wmb' || o === 'rmb') return 1;
  return 0;
}

/** What one unit adds to the index, in the order the index is built (replayed per document: same insertion order). */
interface Contribution {
  fences: string[];
  readers: string[];
  provided: [Strength, string][];
  mirrors: [string, string][];
}

/**
 * Per CFG, across keystrokes: whether the unit calls a full fence (by the
 * document's macros), and what its events add to the index (under the key of
 * its events, events.ts eventsKey). The index of an edited document is then
 * rebuilt from the kept functions' parts without analysing them again.
 */
const fenceByCfg = new WeakMap<Cfg, Map<string, boolean>>();
const partByCfg = new WeakMap<Cfg, Map<string, Contribution>>();

function callsFullFence(ctx: OrderingContext, u: OrderingUnit): boolean {
  const key = `${idOf(ctx.catalog)}|${u.side}|${macrosToken(docOf(ctx), u.side)}`;
  let per = fenceByCfg.get(u.cfg);
  if (!per) fenceByCfg.set(u.cfg, (per = new Map()));
  const hit = per.get(key);
  if (hit !== undefined) return hit;
  const cat = ctx.catalog;
  let full = false;
  for (const n of u.cfg.nodes)
    for (const op of n.ops)
      if (op.kind === 'call' && !op.indirect) {
        const eff = effectiveCall(ctx, u, op);
        const s = eff ? cat.api(eff.name) : undefined;
        if (isFence(s) && s!.ordering === 'full') full = true;
      }
  if (per.size > 8) per.clear();
  per.set(key, full);
  return full;
}

function contributionOf(ctx: OrderingContext, u: OrderingUnit, fullFns: ReadonlySet<string>): Contribution {
  const key = eventsKey(u, ctx, fullFns);
  let per = partByCfg.get(u.cfg);
  if (!per) partByCfg.set(u.cfg, (per = new Map()));
  const hit = per.get(key);
  if (hit) return hit;
  const ue = unitEvents(u, ctx, fullFns);
  const self = u.fn.name;
  const c: Contribution = { fences: [], readers: [], provided: [], mirrors: [] };
  for (const e of ue.all) {
    if (e.kind === 'fence' && e.name) c.fences.push(e.name);
    if (e.kind === 'load' && e.marked && e.loc) c.readers.push(e.loc);
    if (e.api && e.name !== self) {
      const st = strengthOf(ctx, e.api);
      if (st > 0) c.provided.push([st, e.name ?? e.api]);
    } else if (e.kind === 'fence' && e.ordering === 'full' && e.name && e.name !== self) {
      c.provided.push([3, e.name]);
    }
  }
  if (ue.all.some((e) => e.marked && e.loc && (e.kind === 'store' || e.kind === 'rmw'))) {
    const after = markedLoadsAfter(ue);
    for (const s of ue.all) {
      if (!s.marked || !s.loc || (s.kind !== 'store' && s.kind !== 'rmw')) continue;
      if (s.perCpu || isRacyUpdate(ue, s)) continue;
      const keys = new Set(after.get(s.node.id));
      for (const e of ue.byNode[s.node.id]) if (e.id > s.id && e.kind === 'load' && e.marked && e.loc) keys.add(e.loc);
      for (const k of keys) if (k !== s.loc) c.mirrors.push([s.loc, k]);
    }
  }
  if (per.size > 8) per.clear();
  per.set(key, c);
  return c;
}

/** The document-wide facts of one side (cached per rule context). */
export function docIndex(ctx: OrderingContext, side: Side): DocIndex {
  const idx = untracked(() => buildIndex(ctx, side));
  // the running rule check depends on the index through its fingerprint (orderingFp), not on the functions
  dependsOnSide(ctx, side);
  return idx;
}

/**
 * Everything a side's ordering facts say, as a digest: the document's macros
 * and file-scope names, and what each unit adds to the document index, in
 * order (the index is made of exactly that). A rule check that read only its
 * own function and these facts gives the same result while this is the same.
 */
function orderingFp(ctx: OrderingContext, side: Side): string {
  buildIndex(ctx, side);
  const f = indexFp.get(ctx)!.get(side)!;
  if (typeof f === 'string') return f;
  const fp = f();
  indexFp.get(ctx)!.set(side, fp);
  return fp;
}
setOrderingFp(orderingFp);
/** Per context and side: the fingerprint, or how to make it (only the keystroke path asks). */
const indexFp = new WeakMap<object, Map<Side, string | (() => string)>>();
const partJson = new WeakMap<Contribution, string>();
function jsonOfPart(c: Contribution): string {
  let j = partJson.get(c);
  if (j === undefined) partJson.set(c, (j = JSON.stringify(c)));
  return j;
}
/** The last fingerprint made per side, with what it was made of (names, full-fence flags, parts: no document objects). */
const lastFp = new Map<Side, { head: string; names: string[]; full: boolean[]; parts: Contribution[]; fp: string }>();

function buildIndex(ctx: OrderingContext, side: Side): DocIndex {
  let per = docCache.get(ctx);
  if (!per) docCache.set(ctx, (per = new Map()));
  const hit = per.get(side);
  if (hit) return hit;
  const idx: DocIndex = { fullFenceFns: new Set(), barriersIn: new Map(), orderingIn: new Map(), mirrors: new Map(), readers: new Map(), mirroredLoads: new Map() };
  const units = ctx.units.filter((u) => u.side === side);
  // Phase 1: document functions whose body calls a full barrier (a call to one is a full barrier).
  const full = units.map((u) => callsFullFence(ctx, u));
  units.forEach((u, i) => {
    if (full[i]) idx.fullFenceFns.add(u.fn.name);
  });
  // Phase 2: barriers, readers and the ordering each function provides; then the store -> load mirrors.
  const parts = units.map((u) => contributionOf(ctx, u, idx.fullFenceFns));
  let fps = indexFp.get(ctx);
  if (!fps) indexFp.set(ctx, (fps = new Map()));
  fps.set(side, () => {
    const head = `${idOf(ctx.catalog)}|${macrosToken(docOf(ctx), side)}|${globalsToken(docOf(ctx), side)}`;
    const names = units.map((u) => u.fn.name);
    // the same content as the last fingerprint made (the previous keystroke's, usually): its digest, found by
    // comparing the parts by object and only the few new ones by content (not a digest of every part)
    const last = lastFp.get(side);
    if (last && last.head === head && last.names.length === names.length) {
      let same = true;
      for (let i = 0; i < names.length && same; i++) {
        same = last.names[i] === names[i] && last.full[i] === full[i] && (last.parts[i] === parts[i] || jsonOfPart(last.parts[i]) === jsonOfPart(parts[i]));
      }
      if (same) {
        lastFp.set(side, { head, names, full, parts, fp: last.fp });
        return last.fp;
      }
    }
    const fp: string[] = [head];
    units.forEach((u, i) => fp.push(`${names[i]}|${full[i] ? 1 : 0}|${jsonOfPart(parts[i])}`));
    const d = digest(fp.join('\n'));
    lastFp.set(side, { head, names, full, parts, fp: d });
    return d;
  });
  units.forEach((u, i) => {
    const c = parts[i];
    const fn = u.fn.name;
    let names = idx.barriersIn.get(fn);
    if (!names) idx.barriersIn.set(fn, (names = new Set()));
    let prov = idx.orderingIn.get(fn);
    if (!prov) idx.orderingIn.set(fn, (prov = { strength: 0, names: new Set() }));
    for (const n of c.fences) names.add(n);
    for (const l of c.readers) add(idx.readers, l, fn);
    for (const [st, n] of c.provided) {
      if (st > prov.strength) prov.strength = st;
      prov.names.add(n);
    }
  });
  units.forEach((u, i) => {
    for (const [s, k] of parts[i].mirrors) {
      add(idx.mirrors, `${s}>${k}`, u.fn.name);
      add(idx.mirroredLoads, k, u.fn.name);
    }
  });
  per.set(side, idx);
  return idx;
}

/** The events of a unit, with the document's helper functions taken into account. */
export function eventsOf(unit: OrderingUnit, ctx: OrderingContext): UnitEvents {
  return unitEvents(unit, ctx, untracked(() => buildIndex(ctx, unit.side)).fullFenceFns);
}

const callerCache = new WeakMap<object, Map<string, boolean>>();
const siteCache = new WeakMap<object, Map<Side, Map<string, CallSite[]>>>();

/** A direct call of a document function in another unit (same side), with the caller's events. */
export interface CallSite {
  unit: OrderingUnit;
  ue: UnitEvents;
  ev: Ev;
}

/**
 * Every direct call in the document's units of one side, by callee name, in
 * the order of the units and of their events (the order a scan of
 * ctx.units would meet them): built once per document instead of one scan of
 * every unit's events per function asked about. The caller makes its check
 * document-wide (these are other functions).
 */
export function callSitesOf(ctx: OrderingContext, side: Side, name: string): readonly CallSite[] {
  let per = siteCache.get(ctx);
  if (!per) siteCache.set(ctx, (per = new Map()));
  let m = per.get(side);
  if (!m) {
    const built = new Map<string, CallSite[]>();
    untracked(() => {
      for (const u of ctx.units) {
        if (u.side !== side) continue;
        const ue = eventsOf(u, ctx);
        for (const ev of ue.all) {
          if (ev.op.kind !== 'call' || ev.op.indirect) continue;
          let l = built.get(ev.op.name);
          if (!l) built.set(ev.op.name, (l = []));
          l.push({ unit: u, ue, ev });
        }
      }
    });
    per.set(side, (m = built));
  }
  return m.get(name) ?? [];
}

/**
 * Every call of the unit's function in the document (same side, at least
 * one) is made with a lock held, and the function itself releases no lock:
 * its body runs under the caller's lock (summarised by name, like the
 * helpers' barriers).
 */
export function callersHoldLock(ctx: OrderingContext, unit: OrderingUnit): boolean {
  dependsOnDocument(); // its result depends on other functions of the document (analysis/deps.ts)
  let per = callerCache.get(ctx);
  if (!per) callerCache.set(ctx, (per = new Map()));
  const key = `${unit.side}:${unit.fn.name}`;
  const hit = per.get(key);
  if (hit !== undefined) return hit;
  per.set(key, false); // recursion guard
  let sites = 0;
  let all = true;
  for (const c of callSitesOf(ctx, unit.side, unit.fn.name)) {
    if (c.unit.fn.name === unit.fn.name) continue;
    sites++;
    if (!lockHeldAt(c.ue, c.ev)) all = false;
  }
  const own = eventsOf(unit, ctx);
  const releases = own.all.some((e) => e.kind === 'lock' && !e.section && e.lockOp === 'release');
  const r = sites > 0 && all && !releases;
  per.set(key, r);
  return r;
}

/** A lock (or, with sectionsToo, an IRQ/preemption-off section) is held at `at`: taken in the function, or by every caller. */
export function underLock(ctx: OrderingContext, ue: UnitEvents, at: Ev | CfgNode, sectionsToo = false): boolean {
  return lockHeldAt(ue, at, sectionsToo) || callersHoldLock(ctx, ue.unit);
}
