/**
 * Path searches over a unit's events.
 *
 * `searchFrom` walks forward from a store: which loads can it reach with no
 * full ordering in between (LKMM: a store is ordered before a later load of
 * another location only by smp_mb(), a fully ordered RMW or store, or
 * smp_mb__before_atomic()/smp_mb__after_atomic() bracketing an unordered
 * RMW on the way), and which weak barriers sit on those paths: smp_wmb(),
 * smp_rmb(), and the atomic fences where no RMW makes them full
 * (smp_mb__after_atomic() after a plain store, smp_mb__before_atomic() with
 * no RMW after it).
 *
 * `walkEventsBack` walks backward from an event over every path, carrying
 * a per-path state that its caller's step decides (the waker's condition
 * store, waker.ts; the sleeper's task-state store, sleeper.ts).
 *
 * `isRacyUpdate` recognises a store of a racy hint or statistic: one made
 * only when a test of the same location says so (`if (new > READ_ONCE(x))
 * WRITE_ONCE(x, new)`): such a store orders nothing and announces nothing.
 */
import type { CfgNode } from '../../c/cfg';
import type { Ev, UnitEvents } from './events';

export interface LoadOutcome {
  load: Ev;
  /** Some path reaches the load with no barrier at all. */
  bare: boolean;
  /** The first weak barrier on a path that has one. */
  weak?: Ev;
  /** On a path, the weak barrier sits right between the store and the load (no other access around it). */
  adjacentWeak: boolean;
}

export interface SearchResult {
  loads: Map<Ev, LoadOutcome>;
  /** The exit is reachable without a full barrier. */
  exitReached: boolean;
  /** Lock events met on the way. */
  locks: Ev[];
}

interface St {
  weak: Ev | null;
  /** An unordered RMW since the start (the start included). */
  rmw: boolean;
  /** A pending smp_mb__before_atomic() with no RMW after it yet. */
  before: Ev | null;
  /** 0: nothing since the store; 1: only a weak barrier since; 2: other accesses. */
  adj: 0 | 1 | 2;
}

/** Does `e` order everything before it against everything after it on its own? */
export function isFullOrder(e: Ev): boolean {
  return (e.kind === 'fence' && e.ordering === 'full') || ((e.kind === 'rmw' || e.kind === 'store') && e.ordering === 'full');
}

/** Weak for store→load: smp_wmb(), smp_rmb(). */
export function isWeakFence(e: Ev): boolean {
  return e.kind === 'fence' && (e.ordering === 'wmb' || e.ordering === 'rmb');
}

/**
 * Forward search from `start` (an event of the unit): every load reachable
 * without crossing a full barrier (mode 'unordered'), or every load reachable
 * at all (mode 'any').
 */
export function searchFrom(ue: UnitEvents, start: Ev, mode: 'unordered' | 'any'): SearchResult {
  const loads = new Map<Ev, LoadOutcome>();
  const locks: Ev[] = [];
  let exitReached = false;
  const startRmw = start.kind === 'rmw' && start.ordering !== 'full';
  const visited = new Set<string>();
  const stack: { node: CfgNode; i: number; st: St }[] = [];
  const startIdx = ue.byNode[start.node.id].indexOf(start);
  stack.push({ node: start.node, i: startIdx + 1, st: { weak: null, rmw: startRmw, before: null, adj: 0 } });
  let budget = 20000;
  const weakSeen = (st: St, e: Ev) => {
    if (!st.weak) st.weak = e;
    st.adj = st.adj === 0 ? 1 : 2;
  };
  while (stack.length && budget-- > 0) {
    const { node, i, st: st0 } = stack.pop()!;
    const st: St = { ...st0 };
    const evs = ue.byNode[node.id];
    // code the hunks do not show may hold a barrier: unknown, not unordered
    let stopped = mode === 'unordered' && node.role === 'gap';
    for (let k = i; k < evs.length && !stopped; k++) {
      const e = evs[k];
      if (mode === 'unordered') {
        if (isFullOrder(e)) {
          stopped = true;
          break;
        }
        if (e.kind === 'fence' && e.ordering === 'after-atomic' && st.rmw) {
          stopped = true;
          break;
        }
        if (e.kind === 'rmw' && e.ordering !== 'full' && st.before) {
          stopped = true;
          break;
        }
      }
      switch (e.kind) {
        case 'fence':
          if (e.ordering === 'before-atomic') {
            st.before = e;
            st.adj = st.adj === 0 ? 1 : 2;
          } else if (e.ordering === 'wmb' || e.ordering === 'rmb') weakSeen(st, e);
          else if (e.ordering === 'after-atomic' && !st.rmw) weakSeen(st, e);
          break;
        case 'rmw':
          if (e.ordering !== 'full') st.rmw = true; // (any RMW not fully ordered itself: clear_bit_unlock(); smp_mb__after_atomic() is clear_and_wake_up_bit())
          st.adj = 2;
          break;
        case 'load': {
          // smp_mb__before_atomic() with no RMW between it and this load orders nothing here
          if (st.before && !st.weak) st.weak = st.before;
          if (e.loc !== start.loc) {
            let o = loads.get(e);
            if (!o) loads.set(e, (o = { load: e, bare: false, adjacentWeak: false }));
            if (!st.weak) o.bare = true;
            else {
              if (!o.weak) o.weak = st.weak;
              if (st.adj === 1) o.adjacentWeak = true;
            }
          }
          st.adj = 2;
          break;
        }
        case 'lock':
          locks.push(e);
          st.adj = 2;
          break;
        default:
          st.adj = 2;
      }
    }
    if (stopped) continue;
    if (node === ue.unit.cfg.exit) exitReached = true;
    const key = `${st.weak ? st.weak.id : -1}|${st.rmw ? 1 : 0}|${st.before ? st.before.id : -1}|${st.adj}`;
    for (const edge of node.succs) {
      const vk = `${edge.to.id}:${mode === 'any' ? '' : key}`;
      if (visited.has(vk)) continue;
      visited.add(vk);
      stack.push({ node: edge.to, i: 0, st });
    }
  }
  return { loads, exitReached, locks };
}

/**
 * For each node, the keys of the marked loads reachable after it (in later
 * nodes), not across a loop's back edge (the next iteration is usually about
 * another object: `c = c->parent`): a backward union over the CFG.
 */
export function markedLoadsAfter(ue: UnitEvents): Map<number, Set<string>> {
  const nodes = ue.unit.cfg.nodes;
  const own = new Map<number, string[]>();
  for (const n of nodes) own.set(n.id, ue.byNode[n.id].filter((e) => e.kind === 'load' && e.marked && e.loc).map((e) => e.loc!));
  const after = new Map<number, Set<string>>();
  for (const n of nodes) after.set(n.id, new Set());
  let changed = true;
  let rounds = 0;
  while (changed && rounds++ < 50) {
    changed = false;
    for (let i = nodes.length - 1; i >= 0; i--) {
      const n = nodes[i];
      const set = after.get(n.id)!;
      const before = set.size;
      for (const e of n.succs) {
        if (e.back) continue;
        for (const k of own.get(e.to.id)!) set.add(k);
        for (const k of after.get(e.to.id)!) set.add(k);
      }
      if (set.size !== before) changed = true;
    }
  }
  return after;
}

const racyCache = new WeakMap<Ev, boolean>();

/**
 * A store made only when a test of the same location (same text) says so,
 * in the branch that immediately guards it: `if (new > READ_ONCE(x))
 * WRITE_ONCE(x, new)` (a racy maximum), `if (READ_ONCE(p->order) < order)
 * WRITE_ONCE(p->order, order)` (a wake-up hint). Such a store is a racy
 * statistic or hint, not an announcement.
 */
export function isRacyUpdate(ue: UnitEvents, s: Ev): boolean {
  const hit = racyCache.get(s);
  if (hit !== undefined) return hit;
  let r = false;
  if ((s.kind === 'store' || s.kind === 'rmw') && s.locText) {
    const text = s.locText.replace(/\s+/g, '');
    const same = (e: Ev) => e.kind === 'load' && e.loc === s.loc && e.locText?.replace(/\s+/g, '') === text;
    // locals holding a copy of the location: `curr = READ_ONCE(p->idx); if (curr < idx) WRITE_ONCE(p->idx, idx);`
    const copies = new Set<string>();
    for (const e of ue.all) {
      if (!same(e) || e.op.kind !== 'call' || e.op.result.kind !== 'assigned') continue;
      copies.add(e.op.result.to.trim());
    }
    const tests = (n: CfgNode): boolean => {
      if (ue.byNode[n.id].some(same)) return true;
      const t = n.ast?.text ?? '';
      for (const v of copies) if (new RegExp(`(?<![A-Za-z0-9_])${v.replace(/[^A-Za-z0-9_]/g, '')}(?![A-Za-z0-9_])`).test(t)) return true;
      return false;
    };
    let node: CfgNode | undefined = s.node;
    for (let depth = 0; node && depth < 6 && !r; depth++) {
      if (node.kind === 'branch' && tests(node)) r = true;
      const preds: CfgNode[] = node.preds.map((e) => e.from);
      if (!preds.length) break;
      const stmt = preds[0].stmt;
      if (stmt && preds.every((p) => p.kind === 'branch' && p.stmt === stmt)) {
        // the condition guarding the store: every operand of it (`a || b` splits into branch nodes)
        r = ue.unit.cfg.nodes.some((n) => n.kind === 'branch' && n.stmt === stmt && tests(n));
        break;
      }
      if (preds.length !== 1) break;
      node = preds[0];
    }
  }
  racyCache.set(s, r);
  return r;
}

/** What a backward walk does at one event: go on (with this path's state), stop this path, or end the walk with a result. */
export type BackStep<S, R> = { go: S } | { stop: true } | { found: R };
export const STOP_PATH: { stop: true } = { stop: true };

/**
 * Walk backwards from `start` over every path of the unit's events, latest
 * first, with a state per path that `step` decides at each event (states
 * are values: a step that changes one returns a new object). A path also
 * ends at code the hunks do not show (a gap node) and at the function's
 * entry (what came before is the caller's: unknown). `key` names a state for
 * the visited set; at most `budget` nodes are visited. The first `found`
 * ends the walk.
 */
export function walkEventsBack<S, R>(ue: UnitEvents, start: Ev, init: S, key: (s: S) => string, step: (e: Ev, s: S) => BackStep<S, R>, budget = 5000): R | undefined {
  const visited = new Set<string>();
  const stack: { node: CfgNode; i: number; s: S }[] = [{ node: start.node, i: ue.byNode[start.node.id].indexOf(start) - 1, s: init }];
  while (stack.length && budget-- > 0) {
    const w = stack.pop()!;
    let s = w.s;
    const evs = ue.byNode[w.node.id];
    let stopped = w.node.role === 'gap';
    for (let k = w.i; k >= 0 && !stopped; k--) {
      const r = step(evs[k], s);
      if ('found' in r) return r.found;
      if ('stop' in r) stopped = true;
      else s = r.go;
    }
    if (stopped || w.node === ue.unit.cfg.entry) continue;
    for (const edge of w.node.preds) {
      const vk = `${edge.from.id}|${key(s)}`;
      if (visited.has(vk)) continue;
      visited.add(vk);
      stack.push({ node: edge.from, i: ue.byNode[edge.from.id].length - 1, s });
    }
  }
  return undefined;
}
