/**
 * The enumeration engine: from a parsed litmus test to herd7-style results.
 *
 * 1. Value domains: each location's possible values are computed by a
 *    fixpoint (run every process with reads drawn from the current domains,
 *    add the values written), bounded by the number of store sites, which is
 *    the longest possible chain of value derivations.
 * 2. Paths: each process is run once per combination of read values
 *    (./interp.ts), giving its events, dependencies and final registers.
 * 3. Candidates: for each choice of one path per process, each location is
 *    solved on its own: co (a permutation of its writes after the initial
 *    write) and rf (each read takes a same-value write). Combinations that
 *    break the per-location axioms (coherence, atomicity) are pruned here,
 *    before any cross-location product is built.
 * 4. The product over locations gives whole executions; the filter and the
 *    final condition are evaluated on the final state, and the LKMM
 *    (./lkmm.ts) decides whether the execution is allowed.
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
  for (let iter = 0; ; iter++) {
    paths = test.procs.map((p) => {
      const r = enumeratePaths(ctx, p, pathLimit);
      if (r.truncated) throw new Bound(`more than ${pathLimit} paths in P${p.index}`);
      return r.paths;
    });
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
      paths = test.procs.map((p) => {
        const r = enumeratePaths(ctx, p, pathLimit);
        if (r.truncated) throw new Bound(`more than ${pathLimit} paths in P${p.index}`);
        return r.paths;
      });
      break;
    }
    if (Date.now() > deadline) throw new Bound('time bound hit while computing value domains');
  }

  const res: EngineResult = {
    complete: true, candidates: 0, allowed: 0, positive: 0, negative: 0, states: [], witnesses: [], forbidden: [],
    flags: [], observed: [...observed].sort(stateKeyOrder),
  };
  const stateIndex = new Map<string, { values: Map<string, Value>; count: number }>();
  const flagSet = new Set<string>();

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
  const runSkeleton = (chosen: Path[], prune: boolean, onlyForbidden: boolean, budget: number): void => {
    // build global events: initial writes first
    const events: GEvent[] = [];
    const locsUsed = new Set<string>(finalLocs);
    for (const p of chosen) for (const e of p.events) if (e.loc !== undefined && e.kind !== 'F') locsUsed.add(e.loc);
    for (const loc of [...locsUsed].sort()) {
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

    // ---- per-location solutions ----
    const locs = [...locsUsed].sort();
    const perLoc: { loc: string; sols: LocSolution[] }[] = [];
    for (const loc of locs) {
      const ws = events.filter((e) => e.kind === 'W' && e.loc === loc);
      const rs = events.filter((e) => e.kind === 'R' && e.loc === loc);
      const sols = solveLocation(ws, rs, prune);
      if (sols.length === 0) return; // no candidate at all for this skeleton
      perLoc.push({ loc, sols });
    }
    const st = staticPart(sk);
    const n = events.length;

    // ---- product over locations ----
    const pick = new Array<number>(perLoc.length).fill(0);
    for (;;) {
      if (onlyForbidden) {
        if (++extraCandidates > budget || res.forbidden.length >= opt.maxForbidden) return;
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
          if (v.allowed) {
            res.allowed++;
            if (sat) res.positive++;
            else res.negative++;
            for (const f of v.flags) flagSet.add(f);
            const vals = new Map<string, Value>();
            for (const k of res.observed) vals.set(k, final.get(k) ?? initVals.get(k) ?? 0);
            const key = res.observed.map((k) => `${k}=${vals.get(k)}`).join(';');
            const s = stateIndex.get(key);
            if (s) s.count++;
            else stateIndex.set(key, { values: vals, count: 1 });
            if (sat && res.witnesses.length < opt.maxWitnesses) res.witnesses.push({ events, rf: rfPairs, co: coMap, final });
          } else if (sat && res.forbidden.length < opt.maxForbidden) {
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

  try {
    runSkeletons(true, false, 0);
  } catch (e) {
    if (!(e instanceof Bound)) throw e;
    res.complete = false;
    res.incompleteReason = e.reason;
  }
  // Candidates pruned for coherence/atomicity never reach the model; when
  // the outcome is unreachable, look for a few of them to explain why.
  if (res.complete && res.forbidden.length < opt.maxForbidden && res.positive === 0) {
    try {
      runSkeletons(false, true, 3000);
    } catch (e) {
      if (!(e instanceof Bound)) throw e;
    }
  }
  res.states = [...stateIndex.values()];
  res.flags = [...flagSet].sort();
  return res;
}

/**
 * All (co, rf) solutions for one location. With `prune`, only those that
 * satisfy the per-location axioms: coherence (po-loc | com acyclic, which
 * only relates same-location events) and atomicity (rmw & (fre;coe) empty,
 * i.e. an RMW's write immediately follows, in co, the write its read reads).
 */
function solveLocation(ws: GEvent[], rs: GEvent[], prune: boolean): LocSolution[] {
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
  const dfs = (): void => {
    if (out.length >= cap) return;
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
