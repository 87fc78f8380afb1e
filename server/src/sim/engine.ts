/**
 * The enumeration engine: from a parsed litmus test to herd7-style results.
 *
 * 1. Value domains: each location's possible values are computed by a
 *    fixpoint (run every process with reads drawn from the current domains,
 *    add the values written), bounded by the number of store sites, which is
 *    the longest possible chain of value derivations.
 * 2. Paths: each process is run once per combination of read values
 *    (./interp.ts), giving its events, dependencies and final registers.
 * 3. Search (default): paths are grouped into shapes (same events up to
 *    the values) and, for one shape per process, an rf-driven depth-first
 *    search decides each read's source; values follow rf, co is implied by
 *    coherence, and every partial execution is checked against the LKMM
 *    axioms that are monotone in rf and co, so inconsistent branches are cut
 *    before they multiply (see the comment above `searchCombo`).
 * 4. Reference (strategy 'product'): for each choice of one path per
 *    process, each location is solved on its own (co permutations and
 *    same-value rf, pruned for coherence and atomicity) and the product over
 *    locations gives the candidates. Kept for differential tests and for
 *    finding forbidden candidates that explain a Never verdict.
 * 5. At the leaves the filter and the final condition are evaluated on the
 *    final state and the LKMM (./lkmm.ts) decides whether the execution is
 *    allowed.
 *
 * Exploration is bounded by a number of candidates and by time; hitting a
 * bound makes the result incomplete, and no verdict is given.
 */
import { Cond, CondVar, LitmusTest, Value } from './litmus/ast';
import { Path, TEvent, ThreadContext, enumeratePaths } from './interp';
import { MEvent, Skeleton, StaticPart, checkExecution, describeEvent, staticPart } from './lkmm';
import { Rel } from './relation';

export interface GEvent extends MEvent {
  value?: Value;
  line: number;
  column: number;
  text: string;
  addrDeps: number[];
  dataDeps: number[];
  ctrlDeps: number[];
}

export interface RawExecution {
  events: GEvent[];
  rf: [number, number][]; // [read, write]
  co: Map<string, number[]>; // per location, writes in co order (initial write first)
  final: Map<string, Value>; // locations and "T:reg"
}

export interface EngineResult {
  complete: boolean;
  incompleteReason?: string;
  candidates: number;
  allowed: number;
  positive: number;
  negative: number;
  states: { values: Map<string, Value>; count: number }[];
  witnesses: RawExecution[];
  forbidden: { execution: RawExecution; violated: string[] }[];
  flags: string[];
  observed: string[];
}

export interface EngineOptions {
  maxExecutions: number;
  timeoutMs: number;
  maxWitnesses: number;
  maxForbidden: number;
  /**
   * 'search' (default): the rf-driven search with pruning of partial
   * executions; 'product': the per-location product (kept as a reference
   * implementation for differential tests).
   */
  strategy?: 'search' | 'product';
}

class Bound extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

export function condVarKey(v: CondVar): string {
  return v.thread === null ? v.name : `${v.thread}:${v.name}`;
}

export function evalCond(c: Cond, state: Map<string, Value>): boolean {
  switch (c.k) {
    case 'true': return true;
    case 'false': return false;
    case 'atom': {
      const v = state.get(condVarKey(c.v)) ?? 0;
      return c.op === '=' ? v === c.value : v !== c.value;
    }
    case 'eqvar': return (state.get(condVarKey(c.a)) ?? 0) === (state.get(condVarKey(c.b)) ?? 0);
    case 'not': return !evalCond(c.c, state);
    case 'and': return evalCond(c.a, state) && evalCond(c.b, state);
    case 'or': return evalCond(c.a, state) || evalCond(c.b, state);
    case 'imp': return !evalCond(c.a, state) || evalCond(c.b, state);
  }
}

function condVars(c: Cond, out: CondVar[]): void {
  switch (c.k) {
    case 'atom': out.push(c.v); return;
    case 'eqvar': out.push(c.a, c.b); return;
    case 'not': condVars(c.c, out); return;
    case 'and': case 'or': case 'imp': condVars(c.a, out); condVars(c.b, out); return;
    default: return;
  }
}

/** Location names mentioned as values (addresses) in the condition. */
function condAddresses(c: Cond, out: Set<string>): void {
  if (c.k === 'atom' && typeof c.value === 'string') out.add(c.value);
  if (c.k === 'not') condAddresses(c.c, out);
  if (c.k === 'and' || c.k === 'or' || c.k === 'imp') {
    condAddresses(c.a, out);
    condAddresses(c.b, out);
  }
}

/** Order for state variables: registers by thread, then locations, as herd7 prints them. */
function stateKeyOrder(a: string, b: string): number {
  const ra = /^(\d+):(.*)$/.exec(a);
  const rb = /^(\d+):(.*)$/.exec(b);
  if (ra && rb) return Number(ra[1]) - Number(rb[1]) || (ra[2] < rb[2] ? -1 : ra[2] > rb[2] ? 1 : 0);
  if (ra) return -1;
  if (rb) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

interface LocSolution {
  rf: [number, number][];
  co: number[]; // non-init writes in co order
}

export function runEngine(test: LitmusTest, opt: EngineOptions): EngineResult {
  const t0 = Date.now();
  const deadline = t0 + opt.timeoutMs;

  // ---- locations, initial values ----
  const globals = new Set<string>();
  const initVals = new Map<string, Value>();
  const regInit = new Map<string, Value>();
  const lockLocs = new Set<string>();
  for (const it of test.init) {
    if (it.k === 'loc') {
      globals.add(it.name);
      initVals.set(it.name, it.value ?? 0);
      if (it.type && /spinlock_t/.test(it.type)) lockLocs.add(it.name);
      if (typeof it.value === 'string') globals.add(it.value);
    } else {
      regInit.set(`${it.thread}:${it.name}`, it.value);
      if (typeof it.value === 'string') globals.add(it.value);
    }
  }
  for (const p of test.procs) {
    for (const prm of p.params) {
      globals.add(prm.name);
      if (/spinlock_t/.test(prm.type)) lockLocs.add(prm.name);
    }
  }
  condAddresses(test.cond, globals);

  const observedVars: CondVar[] = [];
  for (const v of test.locations) observedVars.push(v);
  condVars(test.cond, observedVars);
  const observed = [...new Set(observedVars.map(condVarKey))];
  const filterVars: CondVar[] = [];
  if (test.filter) condVars(test.filter, filterVars);
  const finalLocs = new Set<string>();
  for (const v of [...observedVars, ...filterVars]) if (v.thread === null) finalLocs.add(v.name);

  const res: EngineResult = {
    complete: true, candidates: 0, allowed: 0, positive: 0, negative: 0, states: [], witnesses: [], forbidden: [],
    flags: [], observed: [...observed].sort(stateKeyOrder),
  };
  const stateIndex = new Map<string, { values: Map<string, Value>; count: number }>();
  const flagSet = new Set<string>();
  /** Count an execution the model allows: its final state, its flags, and a witness of the condition. */
  const recordAllowed = (sat: boolean, flags: Iterable<string>, final: Map<string, Value>, witness: () => RawExecution): void => {
    res.allowed++;
    if (sat) res.positive++;
    else res.negative++;
    for (const f of flags) flagSet.add(f);
    const vals = new Map<string, Value>();
    for (const k of res.observed) vals.set(k, final.get(k) ?? initVals.get(k) ?? 0);
    const key = res.observed.map((k) => `${k}=${vals.get(k)}`).join(';');
    const s = stateIndex.get(key);
    if (s) s.count++;
    else stateIndex.set(key, { values: vals, count: 1 });
    if (sat && res.witnesses.length < opt.maxWitnesses) res.witnesses.push(witness());
  };
  const finish = (): EngineResult => {
    res.states = [...stateIndex.values()];
    res.flags = [...flagSet].sort();
    return res;
  };

  // ---- value domains (fixpoint) ----
  const domains = new Map<string, Value[]>();
  const addVal = (loc: string, v: Value): boolean => {
    let d = domains.get(loc);
    if (!d) domains.set(loc, (d = [initVals.get(loc) ?? 0]));
    if (d.includes(v)) return false;
    d.push(v);
    return true;
  };
  for (const g of globals) addVal(g, initVals.get(g) ?? 0);
  const ctx: ThreadContext = { test, globals, lockLocs, domains, regInit };
  const pathLimit = Math.max(1000, opt.maxExecutions);
  let paths: Path[][] = [];
  const storeSites = countStoreSites(test);
  const allPaths = () => test.procs.map((p) => {
    const r = enumeratePaths(ctx, p, pathLimit, deadline);
    if (r.timedOut) throw new Bound(`time bound of ${opt.timeoutMs} ms hit while enumerating the paths of P${p.index}`);
    if (r.truncated) throw new Bound(`more than ${pathLimit} paths in P${p.index}`);
    return r.paths;
  });
  try {
  for (let iter = 0; ; iter++) {
    paths = allPaths();
    let changed = false;
    for (const ps of paths) for (const p of ps) for (const e of p.events) {
      if (e.kind === 'W' && e.loc !== undefined && !lockLocs.has(e.loc) && e.value !== undefined) {
        if (addVal(e.loc, e.value)) changed = true;
      }
    }
    // A value reaches a read through a chain of distinct writes, so the chain
    // is at most as long as the most writes an execution can contain.
    const maxWrites = paths.reduce((acc, ps) => acc + Math.max(0, ...ps.map((p) => p.events.filter((e) => e.kind === 'W' && !e.lock).length)), 0);
    if (!changed) break;
    if (iter + 1 >= Math.min(storeSites, maxWrites + 2)) {
      // bound reached: enumerate once more with the final domains
      paths = allPaths();
      break;
    }
    if (Date.now() > deadline) throw new Bound(`time bound of ${opt.timeoutMs} ms hit while computing value domains`);
  }
  } catch (e) {
    if (!(e instanceof Bound)) throw e;
    res.complete = false;
    res.incompleteReason = e.reason;
    return finish();
  }


  // ---- skeletons: one path per process ----
  const choice = new Array<number>(paths.length).fill(0);
  const runSkeletons = (prune: boolean, onlyForbidden: boolean, budget: number): void => {
    choice.fill(0);
    if (paths.some((p) => p.length === 0)) return;
    for (;;) {
      const chosen = choice.map((c, i) => paths[i][c]);
      runSkeleton(chosen, prune, onlyForbidden, budget);
      let j = choice.length - 1;
      while (j >= 0 && choice[j] + 1 >= paths[j].length) choice[j--] = 0;
      if (j < 0) return;
      choice[j]++;
    }
  };

  let extraCandidates = 0;
  let explainDeadline = deadline;
  const runSkeleton = (chosen: Path[], prune: boolean, onlyForbidden: boolean, budget: number): void => {
    // build global events: initial writes first
    const { events, sk, locs } = buildSkeleton(chosen, finalLocs, initVals);

    // ---- per-location solutions ----
    const perLoc: { loc: string; sols: LocSolution[] }[] = [];
    for (const loc of locs) {
      const ws = events.filter((e) => e.kind === 'W' && e.loc === loc);
      const rs = events.filter((e) => e.kind === 'R' && e.loc === loc);
      const sols = solveLocation(ws, rs, prune, onlyForbidden ? explainDeadline : deadline);
      if (sols.length === 0) return; // no candidate at all for this skeleton
      perLoc.push({ loc, sols });
    }
    const st = staticPart(sk);
    const n = events.length;

    // ---- product over locations ----
    const pick = new Array<number>(perLoc.length).fill(0);
    for (;;) {
      if (onlyForbidden) {
        if (++extraCandidates > budget || res.forbidden.length >= opt.maxForbidden) throw new Bound('explanation budget spent');
        if ((extraCandidates & 63) === 0 && Date.now() > explainDeadline) throw new Bound('explanation time spent');
      } else {
        res.candidates++;
        if (res.candidates > opt.maxExecutions) throw new Bound(`more than ${opt.maxExecutions} candidate executions`);
        if ((res.candidates & 255) === 0 && Date.now() > deadline) throw new Bound(`time bound of ${opt.timeoutMs} ms hit`);
      }
      const rfPairs: [number, number][] = [];
      const coMap = new Map<string, number[]>();
      const final = new Map<string, Value>();
      const coPairs: [number, number][] = [];
      perLoc.forEach((pl, i) => {
        const s = pl.sols[pick[i]];
        for (const p of s.rf) rfPairs.push(p);
        const iw = events.find((e) => e.init && e.loc === pl.loc)!.id;
        const order = [iw, ...s.co];
        coMap.set(pl.loc, order);
        for (let a = 0; a < order.length; a++) for (let b = a + 1; b < order.length; b++) coPairs.push([order[a], order[b]]);
        final.set(pl.loc, events[order[order.length - 1]].value ?? 0);
      });
      chosen.forEach((p, t) => {
        for (const [r, v] of p.regs) final.set(`${t}:${r}`, v);
      });
      const passes = !test.filter || evalCond(test.filter, final);
      if (passes) {
        const sat = evalCond(test.cond, final);
        const rf = Rel.fromPairs(n, rfPairs.map(([r, w]) => [w, r] as [number, number]));
        const co = Rel.fromPairs(n, coPairs);
        if (onlyForbidden) {
          if (sat) {
            const v = checkExecution(st, rf, co, { explain: true, flags: false });
            if (!v.allowed) res.forbidden.push({ execution: { events, rf: rfPairs, co: coMap, final }, violated: v.violated });
          }
        } else {
          const v = checkExecution(st, rf, co, { explain: false, flags: true });
          if (v.allowed) recordAllowed(sat, v.flags, final, () => ({ events, rf: rfPairs, co: coMap, final }));
          else if (sat && res.forbidden.length < opt.maxForbidden) {
            const vx = checkExecution(st, rf, co, { explain: true, flags: false });
            res.forbidden.push({ execution: { events, rf: rfPairs, co: coMap, final }, violated: vx.violated });
          }
        }
      }
      let j = pick.length - 1;
      while (j >= 0 && pick[j] + 1 >= perLoc[j].sols.length) pick[j--] = 0;
      if (j < 0) return;
      pick[j]++;
    }
  };

  // ---- the rf-driven search (default strategy) ----
  //
  // Paths of a process that perform the same events (same kinds, locations,
  // annotations, dependencies) and differ only in the values read form one
  // *shape*; a shape keeps its paths in a trie keyed by the values read, in
  // program order. For one shape per process, the search decides each
  // read's source write (rf) one read at a time. Values follow rf: a
  // thread's trie advances as soon as the source of its next read has a
  // known value, which fixes the values of the writes before its following
  // read. co is mostly implied by rf (coherence: init first, po-loc
  // write order, CoRW, CoWR, CoRR) and only the remaining freedom is
  // enumerated at the end. After every decision the partial execution is
  // checked: the values must match, two RMWs may not read the same write
  // (atomicity), and the LKMM axioms that are monotone in rf and co
  // (coherence, atomic, happens-before, propagation, rcu) must hold. A
  // violation persists in every completion, so the subtree is cut. Lock
  // reads and RMW reads are decided first: their sources form chains
  // (critical-section orders, RMW orders), which fix co and most values.
  let ticks = 0;
  const tick = (): void => {
    if ((++ticks & 255) === 0 && Date.now() > deadline) throw new Bound(`time bound of ${opt.timeoutMs} ms hit`);
  };
  const recordCandidate = (final: Map<string, Value>, st: StaticPart, rf: Rel, co: Rel, mk: () => RawExecution): void => {
    res.candidates++;
    if (res.candidates > opt.maxExecutions) throw new Bound(`more than ${opt.maxExecutions} candidate executions`);
    if (test.filter && !evalCond(test.filter, final)) return;
    const sat = evalCond(test.cond, final);
    const v = checkExecution(st, rf, co, { explain: false, flags: true });
    if (v.allowed) recordAllowed(sat, v.flags, final, mk);
    else if (sat && res.forbidden.length < opt.maxForbidden) {
      const vx = checkExecution(st, rf, co, { explain: true, flags: false });
      res.forbidden.push({ execution: mk(), violated: vx.violated });
    }
  };

  const searchCombo = (chosen: Shape[]): void => {
    const { events, sk, initId, locs } = buildSkeleton(chosen, finalLocs, initVals);
    const n = events.length;
    const st = staticPart(sk);
    // lock.cat's po-only axioms forbid every candidate of this combination
    if (st.staticViolations.length > 0) return;

    const nodes: TrieNode[] = chosen.map((sh) => sh.trie);
    const readPos = chosen.map((sh) => sh.readPos);
    const src = new Int32Array(n).fill(-1);
    const rmwTaken = new Uint8Array(n);
    const writesAt = new Map<string, number[]>();
    for (const loc of locs) writesAt.set(loc, []);
    const readIds: number[] = [];
    for (const e of events) {
      if (e.kind === 'W') writesAt.get(e.loc!)!.push(e.id);
      else if (e.kind === 'R') readIds.push(e.id);
    }

    const eventBase: number[] = [];
    {
      let b = locs.length;
      for (const sh of chosen) {
        eventBase.push(b);
        b += sh.events.length;
      }
    }
    const valueOf = (g: number): Value | undefined => {
      const e = events[g];
      if (e.init) return e.value;
      const node = nodes[e.thread];
      const rp = readPos[e.thread];
      if (node.depth === rp.length || e.po < rp[node.depth]) return node.rep.events[e.po].value;
      return node.fixed[e.po];
    };
    /** Advance each thread's trie while its next read has a source of known value; false on a value clash. */
    const propagate = (): boolean => {
      for (let changed = true; changed;) {
        changed = false;
        for (let t = 0; t < nodes.length; t++) {
          const rp = readPos[t];
          for (;;) {
            const node = nodes[t];
            if (node.depth === rp.length) break;
            const s = src[eventBase[t] + rp[node.depth]];
            if (s < 0) break;
            const v = valueOf(s);
            if (v === undefined) break;
            const c = node.children.get(v);
            if (!c) return false;
            nodes[t] = c;
            changed = true;
          }
        }
      }
      return true;
    };

    // Coherence facts used to imply co from rf (per read, same thread and location).
    const wBefore = new Map<number, number[]>();
    const wAfter = new Map<number, number[]>();
    const rAfter = new Map<number, number[]>();
    for (const r of readIds) {
      const R = events[r];
      const same = events.filter((e) => !e.init && e.thread === R.thread && e.loc === R.loc && e.id !== r && e.kind !== 'F');
      wBefore.set(r, same.filter((e) => e.kind === 'W' && e.po < R.po).map((e) => e.id));
      wAfter.set(r, same.filter((e) => e.kind === 'W' && e.po > R.po).map((e) => e.id));
      rAfter.set(r, same.filter((e) => e.kind === 'R' && e.po > R.po).map((e) => e.id));
    }
    const coStatic = Rel.empty(n);
    for (const loc of locs) {
      const ws = writesAt.get(loc)!;
      const iw = initId.get(loc)!;
      for (const a of ws) {
        if (a !== iw) coStatic.addMut(iw, a);
        for (const b of ws) {
          const A = events[a];
          const B = events[b];
          if (!A.init && !B.init && A.thread === B.thread && A.po < B.po) coStatic.addMut(a, b);
        }
      }
    }
    /** co edges every coherent completion has, given the rf decided so far (transitively closed). */
    const impliedCo = (): Rel => {
      const c = new Rel(n, coStatic.bits.slice());
      for (const r of readIds) {
        const s = src[r];
        if (s < 0) continue;
        for (const w of wAfter.get(r)!) c.addMut(s, w);
        for (const w of wBefore.get(r)!) if (w !== s) c.addMut(w, s);
        for (const r2 of rAfter.get(r)!) {
          const s2 = src[r2];
          if (s2 >= 0 && s2 !== s) c.addMut(s, s2);
        }
      }
      return c.plus();
    };
    const rfRel = (): Rel => {
      const r = Rel.empty(n);
      for (const x of readIds) if (src[x] >= 0) r.addMut(src[x], x);
      return r;
    };
    /** hb* of the last partial execution that passed (used to order decisions and to cut rf edges against it). */
    let hbStar: Rel = Rel.empty(n);
    const partialOk = (): boolean => {
      const co = impliedCo();
      if (!co.irreflexive()) return false;
      const v = checkExecution(st, rfRel(), co, { explain: false, flags: false, partial: true });
      if (v.allowed) hbStar = v.hbStar!;
      return v.allowed;
    };

    const group = (e: GEvent) => (e.lock ? 0 : e.rmwClass ? 1 : 2);
    const order = [...readIds].sort((a, b) => {
      const A = events[a];
      const B = events[b];
      return group(A) - group(B) || A.thread - B.thread || A.po - B.po;
    });

    const restore = (saved: TrieNode[]) => {
      for (let i = 0; i < saved.length; i++) nodes[i] = saved[i];
    };

    // ---- leaves: remaining co freedom, then values, then the model ----
    const coPhase = (): void => {
      const co0 = impliedCo();
      const rf = rfRel();
      const rmwNext = new Int32Array(n).fill(-1);
      for (const r of readIds) if (events[r].rmwPartner !== undefined) rmwNext[src[r]] = events[r].rmwPartner!;
      const coOrder = new Map<string, number[]>();
      const leaf = (co: Rel): void => {
        const saved = nodes.slice();
        const solve = (): void => {
          if (!propagate()) return;
          let t = -1;
          for (let i = 0; i < nodes.length; i++) if (nodes[i].depth < readPos[i].length) { t = i; break; }
          if (t >= 0) {
            // a cycle of values (e.g. load buffering with data dependencies): try each value the path allows
            const node = nodes[t];
            for (const child of node.children.values()) {
              const s2 = nodes.slice();
              nodes[t] = child;
              solve();
              restore(s2);
            }
            return;
          }
          for (const r of readIds) if (valueOf(r) !== valueOf(src[r])) return;
          tick();
          const final = new Map<string, Value>();
          for (const loc of locs) {
            const o = coOrder.get(loc)!;
            final.set(loc, valueOf(o[o.length - 1]) ?? 0);
          }
          nodes.forEach((nd, t2) => {
            for (const [r, v] of nd.rep.regs) final.set(`${t2}:${r}`, v);
          });
          recordCandidate(final, st, rf, co, () => {
            const evs = events.map((e) => (e.init ? e : { ...e, value: nodes[e.thread].rep.events[e.po].value }));
            const rfPairs: [number, number][] = [];
            for (const loc of locs) for (const r of readIds) if (events[r].loc === loc) rfPairs.push([r, src[r]]);
            const coMap = new Map<string, number[]>();
            for (const loc of locs) coMap.set(loc, [...coOrder.get(loc)!]);
            return { events: evs, rf: rfPairs, co: coMap, final };
          });
        };
        solve();
        restore(saved);
      };
      const step = (li: number, acc: Rel): void => {
        if (li === locs.length) {
          leaf(acc);
          return;
        }
        const loc = locs[li];
        const iw = initId.get(loc)!;
        const ws = writesAt.get(loc)!.filter((w) => w !== iw);
        const perm: number[] = [];
        const placed = new Uint8Array(n);
        const ext = (): void => {
          tick();
          if (perm.length === ws.length) {
            const full = [iw, ...perm];
            coOrder.set(loc, full);
            const c = new Rel(n, acc.bits.slice());
            for (let a = 0; a < full.length; a++) for (let b = a + 1; b < full.length; b++) c.addMut(full[a], full[b]);
            // an order already implied by rf adds nothing the last partial check did not see
            let implied = true;
            for (let a = 1; a < full.length && implied; a++) if (!co0.has(full[a - 1], full[a])) implied = false;
            if (implied || checkExecution(st, rf, c, { explain: false, flags: false, partial: true }).allowed) step(li + 1, c);
            return;
          }
          const last = perm.length ? perm[perm.length - 1] : iw;
          for (const w of ws) {
            if (placed[w]) continue;
            let blocked = false;
            for (const o of ws) if (!placed[o] && o !== w && co0.has(o, w)) { blocked = true; break; }
            if (blocked) continue;
            // atomicity: an RMW's write immediately follows the write its read takes
            if (rmwNext[last] >= 0 && rmwNext[last] !== w) continue;
            const p = events[w].rmwPartner;
            if (p !== undefined && events[p].kind === 'R' && src[p] !== last) continue;
            placed[w] = 1;
            perm.push(w);
            ext();
            perm.pop();
            placed[w] = 0;
          }
        };
        ext();
      };
      step(0, co0);
    };

    const decided = new Uint8Array(n);
    const marked = (e: GEvent) => st.Marked.has(e.id);
    /**
     * The next read to decide: the first undecided read of the lowest group
     * with no undecided read of that group hb-before it. Deciding reads in
     * happens-before order lets the sources of earlier reads imply the co
     * edges (CoRW) that make stale sources of later reads fail at once.
     */
    const nextRead = (): number => {
      let g = 3;
      for (const r of order) if (!decided[r]) g = Math.min(g, group(events[r]));
      for (const r of order) {
        if (decided[r] || group(events[r]) !== g) continue;
        let minimal = true;
        for (const o of order) if (o !== r && !decided[o] && group(events[o]) === g && hbStar.has(o, r)) { minimal = false; break; }
        if (minimal) return r;
      }
      return order.find((r) => !decided[r])!;
    };
    const dfs = (k: number): void => {
      tick();
      if (k === order.length) {
        coPhase();
        return;
      }
      const r = nextRead();
      const R = events[r];
      const hbHere = hbStar;
      const isRmw = R.rmwPartner !== undefined;
      const t = R.thread;
      for (const w of writesAt.get(R.loc!)!) {
        const W = events[w];
        if (!W.init && W.thread === t && W.po > R.po) continue;
        if (isRmw && rmwTaken[w]) continue;
        // w hb-after r: the rfe edge w -> r would close an hb cycle
        if (W.thread !== t && marked(W) && marked(R) && hbHere.has(r, w)) continue;
        const wv = valueOf(w);
        if (wv !== undefined) {
          const rv = valueOf(r);
          if (rv !== undefined) {
            if (rv !== wv) continue;
          } else {
            const node = nodes[t];
            if (node.depth < readPos[t].length && readPos[t][node.depth] === R.po && !node.children.has(wv)) continue;
          }
        }
        const saved = nodes.slice();
        src[r] = w;
        decided[r] = 1;
        if (isRmw) rmwTaken[w] = 1;
        if (propagate() && partialOk()) dfs(k + 1);
        src[r] = -1;
        decided[r] = 0;
        if (isRmw) rmwTaken[w] = 0;
        hbStar = hbHere;
        restore(saved);
      }
    };
    if (propagate() && partialOk()) dfs(0);
  };

  const runSearch = (): void => {
    const shapes = paths.map(groupShapes);
    if (shapes.some((s) => s.length === 0)) return;
    const pick = new Array<number>(shapes.length).fill(0);
    for (;;) {
      tick();
      searchCombo(pick.map((c, t) => shapes[t][c]));
      let j = pick.length - 1;
      while (j >= 0 && pick[j] + 1 >= shapes[j].length) pick[j--] = 0;
      if (j < 0) return;
      pick[j]++;
    }
  };

  try {
    if (opt.strategy === 'product') runSkeletons(true, false, 0);
    else runSearch();
  } catch (e) {
    if (!(e instanceof Bound)) throw e;
    res.complete = false;
    res.incompleteReason = e.reason;
  }
  // Candidates pruned for coherence/atomicity never reach the model; when
  // the outcome is unreachable, look for a few of them to explain why.
  if (res.complete && res.forbidden.length < opt.maxForbidden && res.positive === 0) {
    try {
      explainDeadline = Math.min(deadline, Date.now() + Math.max(200, opt.timeoutMs / 10));
      runSkeletons(false, true, 3000);
    } catch (e) {
      if (!(e instanceof Bound)) throw e;
    }
  }
  return finish();
}

/**
 * All (co, rf) solutions for one location. With `prune`, only those that
 * satisfy the per-location axioms: coherence (po-loc | com acyclic, which
 * only relates same-location events) and atomicity (rmw & (fre;coe) empty,
 * i.e. an RMW's write immediately follows, in co, the write its read reads).
 */
function solveLocation(ws: GEvent[], rs: GEvent[], prune: boolean, deadline: number): LocSolution[] {
  const iw = ws.find((w) => w.init)!;
  const others = ws.filter((w) => !w.init);
  const byId = new Map<number, GEvent>();
  for (const e of [...ws, ...rs]) byId.set(e.id, e);
  // rf candidates: same value, not po-after the read in its own thread
  const cands = rs.map((r) => ws.filter((w) => w.value === r.value && !(w.thread === r.thread && w.po > r.po)));
  if (cands.some((c) => c.length === 0)) return [];
  const out: LocSolution[] = [];
  const cap = prune ? Infinity : 5000;
  const perm: GEvent[] = [];
  const fixedRf = new Map<number, number>(); // RMW read -> its source (the co-predecessor of its write)

  const emit = () => {
    const pos = new Map<number, number>();
    pos.set(iw.id, 0);
    perm.forEach((w, i) => pos.set(w.id, i + 1));
    const choices = rs.map((r, i) => (prune && fixedRf.has(r.id) ? [byId.get(fixedRf.get(r.id)!)!] : cands[i]));
    const pick = new Array<number>(rs.length).fill(0);
    for (;;) {
      if (out.length >= cap) return;
      const rf: [number, number][] = rs.map((r, i) => [r.id, choices[i][pick[i]].id]);
      if (!prune || locationConsistent(ws, rs, rf, pos, perm)) out.push({ rf, co: perm.map((w) => w.id) });
      let j = pick.length - 1;
      while (j >= 0 && pick[j] + 1 >= choices[j].length) pick[j--] = 0;
      if (j < 0) return;
      pick[j]++;
    }
  };
  // Build co one write at a time. With pruning: a write goes after its
  // po-earlier writes (write-write coherence), and an RMW's write goes right
  // after the write its read takes, which must hold the value read
  // (atomicity) - so lock hand-overs are generated, not searched for.
  const placed = new Set<number>();
  let nodes = 0;
  const dfs = (): void => {
    if (out.length >= cap) return;
    if ((++nodes & 1023) === 0 && Date.now() > deadline) throw new Bound(`time bound hit while solving location ${iw.loc}`);
    if (perm.length === others.length) {
      emit();
      return;
    }
    const last = perm.length ? perm[perm.length - 1] : iw;
    for (const w of others) {
      if (placed.has(w.id)) continue;
      if (prune) {
        if (others.some((o) => o !== w && !placed.has(o.id) && o.thread === w.thread && o.po < w.po)) continue;
        if (w.rmwPartner !== undefined) {
          const r = byId.get(w.rmwPartner);
          if (r && r.value !== last.value) continue;
          if (r && last.thread === r.thread && last.po > r.po) continue;
          if (r) fixedRf.set(r.id, last.id);
        }
      }
      placed.add(w.id);
      perm.push(w);
      dfs();
      perm.pop();
      placed.delete(w.id);
      if (w.rmwPartner !== undefined) fixedRf.delete(w.rmwPartner);
    }
  };
  dfs();
  return out;
}

function locationConsistent(ws: GEvent[], rs: GEvent[], rf: [number, number][], pos: Map<number, number>, perm: GEvent[]): boolean {
  // atomicity: the write of an RMW pair immediately follows its read's source in co
  const src = new Map<number, number>();
  for (const [r, w] of rf) src.set(r, w);
  for (const r of rs) {
    if (r.rmwPartner === undefined) continue;
    const w = r.rmwPartner;
    if (pos.get(w)! !== pos.get(src.get(r.id)!)! + 1) return false;
  }
  // coherence on this location: nodes are ws then rs
  const all = [...ws, ...rs];
  const idx = new Map<number, number>();
  all.forEach((e, i) => idx.set(e.id, i));
  const m = all.length;
  const g = Rel.empty(m);
  for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) {
    const ea = all[a];
    const eb = all[b];
    if (a !== b && !ea.init && !eb.init && ea.thread === eb.thread && ea.po < eb.po) g.addMut(a, b); // po-loc
  }
  for (let a = 0; a < perm.length; a++) {
    // co: consecutive edges suffice for cycles; fr needs all co-successors
    const prev = a === 0 ? ws.find((w) => w.init)! : perm[a - 1];
    g.addMut(idx.get(prev.id)!, idx.get(perm[a].id)!);
  }
  for (const [r, w] of rf) {
    g.addMut(idx.get(w)!, idx.get(r)!);
    const p = pos.get(w)!;
    // fr: to the next write in co (transitivity of co covers the rest)
    if (p < perm.length) g.addMut(idx.get(r)!, idx.get(perm[p].id)!);
  }
  return g.acyclic();
}

/** Paths of one process grouped by shape (same events up to the values), each with a trie of its read values. */
export interface TrieNode {
  depth: number;
  /** Any path of the subtree: it fixes the values of every event before the depth-th read. */
  rep: Path;
  children: Map<Value, TrieNode>;
  /** Per event, the value it has in every path of the subtree (undefined when paths differ). */
  fixed: (Value | undefined)[];
}
export interface Shape {
  events: TEvent[];
  /** Indices (in events) of the reads, in program order. */
  readPos: number[];
  trie: TrieNode;
}

function newNode(depth: number, p: Path): TrieNode {
  return { depth, rep: p, children: new Map(), fixed: p.events.map((e) => e.value) };
}

export function groupShapes(paths: Path[]): Shape[] {
  const byKey = new Map<string, Shape>();
  for (const p of paths) {
    const key = p.events.map((e) => [e.kind, e.loc ?? '', e.ann, e.lock ?? '', e.rmwClass ? 1 : 0, e.rmwPartner ?? '',
      e.addr.join('.'), e.data.join('.'), e.ctrl.join('.'), e.line, e.column].join(',')).join('|');
    let sh = byKey.get(key);
    if (!sh) {
      const readPos: number[] = [];
      p.events.forEach((e, i) => {
        if (e.kind === 'R') readPos.push(i);
      });
      sh = { events: p.events, readPos, trie: newNode(0, p) };
      byKey.set(key, sh);
    }
    let node = sh.trie;
    for (let d = 0; ; d++) {
      for (let i = 0; i < node.fixed.length; i++) if (node.fixed[i] !== p.events[i].value) node.fixed[i] = undefined;
      if (d === sh.readPos.length) break;
      const v = p.events[sh.readPos[d]].value ?? 0;
      let c = node.children.get(v);
      if (!c) node.children.set(v, (c = newNode(d + 1, p)));
      node = c;
    }
  }
  return [...byKey.values()];
}

function countStoreSites(test: LitmusTest): number {
  let n = 0;
  const walk = (x: unknown): void => {
    if (!x || typeof x !== 'object') return;
    const o = x as Record<string, unknown>;
    if (o.k === 'call' || (o.k === 'assign')) n++;
    for (const v of Object.values(o)) if (v && typeof v === 'object') walk(v);
  };
  walk(test.procs);
  return n;
}

export { describeEvent, StaticPart };

/** Global events of one choice of a path per thread: initial writes first, then each thread's events, with their dependencies. */
function buildSkeleton(chosen: readonly { events: readonly TEvent[] }[], finalLocs: Iterable<string>, initVals: Map<string, number | string>): { events: GEvent[]; sk: Skeleton; initId: Map<string, number>; locs: string[] } {
  const events: GEvent[] = [];
  const locsUsed = new Set<string>(finalLocs);
  for (const p of chosen) for (const e of p.events) if (e.loc !== undefined && e.kind !== 'F') locsUsed.add(e.loc);
  const initId = new Map<string, number>();
  for (const loc of [...locsUsed].sort()) {
    initId.set(loc, events.length);
    events.push({
      id: events.length, thread: -1, po: 0, kind: 'W', loc, ann: 'IW', rmwClass: false, init: true,
      value: initVals.get(loc) ?? 0, line: 0, column: 0, text: 'initial value', addrDeps: [], dataDeps: [], ctrlDeps: [],
    });
  }
  const sk: Skeleton = { events, addr: [], data: [], ctrl: [] };
  chosen.forEach((p, t) => {
    const base = events.length;
    p.events.forEach((e: TEvent, i) => {
      const id = base + i;
      const g: GEvent = {
        id, thread: t, po: i, kind: e.kind, loc: e.loc, ann: e.ann, lock: e.lock, rmwClass: e.rmwClass,
        rmwPartner: e.rmwPartner === undefined ? undefined : base + e.rmwPartner, init: false, value: e.value,
        line: e.line, column: e.column, text: e.text,
        addrDeps: e.addr.map((x) => base + x), dataDeps: e.data.map((x) => base + x), ctrlDeps: e.ctrl.map((x) => base + x),
      };
      events.push(g);
      for (const d of g.addrDeps) sk.addr.push([d, id]);
      for (const d of g.dataDeps) if (e.kind === 'W') sk.data.push([d, id]);
      for (const d of g.ctrlDeps) sk.ctrl.push([d, id]);
    });
  });
  return { events, sk, initId, locs: [...locsUsed].sort() };
}
