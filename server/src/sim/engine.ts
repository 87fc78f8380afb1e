/**
 * The enumeration engine: from a parsed litmus test to herd7-style results.
 *
 * 1. Value domains: each location's possible values are computed by a
 *    fixpoint (run every process with reads drawn from the current domains,
 *    add the values written), bounded by the number of store sites, which is
 *    the longest possible chain of value derivations.
 * 2. Paths: each process is run once per combination of read values
 *    (./interp.ts), giving its events, dependencies and final registers.
 * 3. Counting search (default): paths are grouped into shapes and, for one
 *    shape per process, the rf-driven search (./search.ts) visits every
 *    allowed execution once, pruning partial executions the LKMM already
 *    forbids; identical threads are reduced by symmetry and the counts
 *    reconstructed exactly.
 * 4. When the counting search cannot finish within its share of the bound,
 *    verdict-directed searches look for one allowed execution that satisfies
 *    the condition and one that does not, each cutting every branch whose
 *    registers already decide the other way. They settle the verdict
 *    (Never / Sometimes / Always) without counting, or at least rule one out.
 * 5. Reference (strategy 'product'): for each choice of one path per
 *    process, each location is solved on its own (co permutations and
 *    same-value rf, pruned for coherence and atomicity) and the product over
 *    locations gives the candidates. Kept for differential tests and for
 *    finding forbidden candidates that explain a Never verdict.
 *
 * Exploration is bounded by a number of candidates and by time (./budget.ts),
 * in every phase; hitting a bound makes the result incomplete, and the
 * result then says only what the exploration established.
 */
import { Cond, CondVar, Expr, LitmusTest, Stmt, Value } from './litmus/ast';
import { Path, TEvent, ThreadContext, enumeratePaths } from './interp';
import { PRIMITIVES } from './primitives';
import { StaticPart, checkExecution, describeEvent, staticPart } from './lkmm';
import { Rel } from './relation';
import { Bound, Budget } from './budget';
import {
  GEvent, Leaf, RawExecution, Shape, SymClass, buildSkeleton, condVarKey, condVars, evalCond, groupShapes, progressFraction, searchCombo,
} from './search';

export { condVarKey, evalCond, groupShapes } from './search';
export type { GEvent, RawExecution, TrieNode, Shape } from './search';

export type Observation = 'Never' | 'Sometimes' | 'Always';

export interface EngineResult {
  /** The counting enumeration finished: states and counts are exact. */
  complete: boolean;
  incompleteReason?: string;
  /**
   * The observations not ruled out. One element when the verdict is exact
   * (always so when `complete`; also when a verdict-directed search settled it).
   */
  possible: Observation[];
  candidates: number;
  allowed: number;
  positive: number;
  negative: number;
  states: { values: Map<string, Value>; count: number }[];
  witnesses: RawExecution[];
  forbidden: { execution: RawExecution; violated: string[] }[];
  flags: string[];
  observed: string[];
  /** Symmetry reduction used: each visited execution stood for `symmetry` executions (1: none). */
  symmetry: number;
  /** The bound's own counters (see budget.ts). */
  budget: { polls: number; units: number; maxGapUnits: number; maxGapMs: number; ms: number };
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
  /** Look for forbidden candidates that explain a Never verdict (default true). */
  explain?: boolean;
  /** Symmetry reduction of identical threads (default true). */
  symmetry?: boolean;
  /** Verdict-directed searches when counting does not finish (default true). */
  directed?: boolean;
  /** The clock the time bound reads (tests inject a fake one). */
  clock?: () => number;
  /** Largest execution graph the model is evaluated on (default 4096 events). */
  maxEvents?: number;
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

class Stop extends Error {}

function factorial(k: number): number {
  let f = 1;
  for (let i = 2; i <= k; i++) f *= i;
  return f;
}

function observationOf(p: number, n: number): Observation {
  return p === 0 ? 'Never' : n === 0 ? 'Always' : 'Sometimes';
}

export function runEngine(test: LitmusTest, opt: EngineOptions): EngineResult {
  const budget = Budget.start(opt.timeoutMs, opt.clock);
  const t0 = budget.now();
  return budget.run(() => engine(test, opt, budget, t0));
}

function engine(test: LitmusTest, opt: EngineOptions, budget: Budget, t0: number): EngineResult {
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
    complete: true, possible: [], candidates: 0, allowed: 0, positive: 0, negative: 0, states: [], witnesses: [], forbidden: [],
    flags: [], observed: [...observed].sort(stateKeyOrder), symmetry: 1,
    budget: { polls: 0, units: 0, maxGapUnits: 0, maxGapMs: 0, ms: 0 },
  };
  const stateIndex = new Map<string, { values: Map<string, Value>; count: number }>();
  const flagSet = new Set<string>();
  /** Count an execution the model allows (standing for `weight` executions): its final state, its flags, and a witness. */
  const recordAllowed = (sat: boolean, flags: Iterable<string>, final: Map<string, Value>, witness: () => RawExecution, weight = 1): void => {
    res.allowed += weight;
    if (sat) res.positive += weight;
    else res.negative += weight;
    for (const f of flags) flagSet.add(f);
    const vals = new Map<string, Value>();
    let key = '';
    for (const k of res.observed) {
      const v = final.get(k) ?? initVals.get(k) ?? 0;
      vals.set(k, v);
      key += `${k}=${typeof v}:${String(v)};`;
    }
    const s = stateIndex.get(key);
    if (s) s.count += weight;
    else stateIndex.set(key, { values: vals, count: weight });
    if (sat && res.witnesses.length < opt.maxWitnesses) res.witnesses.push(witness());
  };
  const resetCounts = (): void => {
    res.allowed = res.positive = res.negative = res.candidates = 0;
    stateIndex.clear();
    flagSet.clear();
  };
  const finish = (): EngineResult => {
    res.states = [...stateIndex.values()];
    res.flags = [...flagSet].sort();
    if (res.complete) res.possible = [observationOf(res.positive, res.negative)];
    budget.flush();
    res.budget = { polls: budget.polls, units: budget.units, maxGapUnits: budget.maxGapUnits, maxGapMs: budget.maxGapMs, ms: budget.now() - t0 };
    return res;
  };
  const incomplete = (e: unknown): void => {
    if (!(e instanceof Bound)) throw e;
    res.complete = false;
    res.incompleteReason ??= e.reason;
  };

  // ---- value domains (fixpoint) ----
  budget.phase = 'value domains';
  const domains = new Map<string, Value[]>();
  const domainSets = new Map<string, Set<Value>>();
  const addVal = (loc: string, v: Value): boolean => {
    let s = domainSets.get(loc);
    if (!s) {
      const init = initVals.get(loc) ?? 0;
      s = new Set([init]);
      domainSets.set(loc, s);
      domains.set(loc, [init]);
    }
    if (s.has(v)) return false;
    s.add(v);
    domains.get(loc)!.push(v);
    return true;
  };
  for (const g of globals) addVal(g, initVals.get(g) ?? 0);
  // The paths depend on the domains only through the reads: a value added to
  // a location no run has read leaves every path as it is, so it does not
  // call for another round of path enumeration.
  const readLocs = new Set<string>();
  const ctx: ThreadContext = { test, globals, lockLocs, domains, regInit, readLocs };
  const grows = (loc: string, v: Value): boolean => addVal(loc, v) && readLocs.has(loc);
  const pathLimit = Math.max(1000, opt.maxExecutions);
  let paths: Path[][] = [];
  const storeSites = countStoreSites(test);
  let abortedWrites: TEvent[] = [];
  const allPaths = () => {
    abortedWrites = [];
    return test.procs.map((p) => {
      budget.phase = `paths of P${p.index}`;
      const r = enumeratePaths(ctx, p, pathLimit, budget);
      if (r.truncated) throw new Bound(`more than ${pathLimit} paths in P${p.index}`, 'paths');
      for (const w of r.abortedWrites) abortedWrites.push(w);
      return r.paths;
    });
  };
  // A value can reach a read through a cycle that no dependency forbids: a
  // register set to different constants on different branches of a
  // condition on a read, then stored (`r1 = 1; if (READ_ONCE(*x) == 0) r1 =
  // 0; WRITE_ONCE(*y, r1)`). The fixpoint from the initial values alone
  // never produces such a constant, so each store site's location is seeded
  // with the constants that can flow into its value through register
  // assignments. (Values that only a cycle of data dependencies could
  // produce are not seeded: herd7 does not create them either.) Spurious
  // values cost time, never verdicts. Seeded before the first enumeration:
  // in most tests every value written is such a constant, and one
  // enumeration then reaches the fixpoint.
  storedConstants(test, globals).forEach((vals, loc) => {
    if (!lockLocs.has(loc)) vals.forEach((v) => addVal(loc, v));
  });
  try {
    for (let iter = 0; ; iter++) {
      paths = allPaths();
      budget.phase = 'value domains';
      let changed = false;
      let maxWrites = 0;
      for (const ps of paths) {
        let most = 0;
        for (const p of ps) {
          let w = 0;
          budget.tick(p.events.length + 1);
          for (const e of p.events) {
            if (e.kind !== 'W') continue;
            if (!e.lock) w++;
            if (e.loc !== undefined && !lockLocs.has(e.loc) && e.value !== undefined && grows(e.loc, e.value)) changed = true;
          }
          if (w > most) most = w;
        }
        maxWrites += most;
      }
      // values written before a run was abandoned belong to the domains too (see enumeratePaths)
      for (const e of abortedWrites) {
        if (e.loc !== undefined && !lockLocs.has(e.loc) && e.value !== undefined && grows(e.loc, e.value)) changed = true;
      }
      if (!changed) break;
      // A value reaches a read through a chain of distinct writes, so the chain
      // is at most as long as the most writes an execution can contain.
      if (iter + 1 >= Math.min(storeSites, maxWrites + 2)) {
        // bound reached: enumerate once more with the final domains
        paths = allPaths();
        break;
      }
    }
  } catch (e) {
    incomplete(e);
    res.possible = ['Never', 'Sometimes', 'Always'];
    return finish();
  }

  // ---- shapes, graph size, symmetry ----
  let shapes: Shape[][];
  try {
    budget.phase = 'shapes';
    shapes = paths.map((ps) => groupShapes(ps, budget));
    const maxEvents = opt.maxEvents ?? 4096;
    const events = finalLocs.size + globals.size + paths.reduce((a, ps) => a + ps.reduce((m, p) => Math.max(m, p.events.length), 0), 0);
    if (events > maxEvents) throw new Bound(`an execution has up to ${events} events; the model is evaluated on at most ${maxEvents}`, 'paths');
  } catch (e) {
    incomplete(e);
    res.possible = ['Never', 'Sometimes', 'Always'];
    return finish();
  }
  const sym = opt.symmetry === false || opt.strategy === 'product' ? [] : symmetryClasses(test, paths, regInit);
  res.symmetry = sym.reduce((f, c) => f * factorial(c.threads.length), 1);

  // ---- the counting search ----
  const leafCount = (weight: number) => (l: Leaf): void => {
    res.candidates++;
    if (res.candidates > opt.maxExecutions) throw new Bound(`more than ${opt.maxExecutions} candidate executions`, 'candidates');
    if (test.filter && !evalCond(test.filter, l.final)) return;
    const sat = evalCond(test.cond, l.final);
    let allowed = l.allowed;
    let flags = l.flags;
    if (allowed === undefined) {
      const v = checkExecution(l.st, l.rf, l.co, { explain: false, flags: true });
      allowed = v.allowed;
      flags = v.flags;
    }
    if (allowed) recordAllowed(sat, flags, l.final, l.make, weight);
    else if (sat && res.forbidden.length < opt.maxForbidden) {
      const vx = checkExecution(l.st, l.rf, l.co, { explain: true, flags: false });
      res.forbidden.push({ execution: l.make(), violated: vx.violated });
    }
  };
  const runSearch = (env: Omit<Parameters<typeof searchCombo>[1], 'budget' | 'finalLocs' | 'initVals'>): void => {
    if (shapes.some((s) => s.length === 0)) return;
    const pick = new Array<number>(shapes.length).fill(0);
    const prog = env.progress;
    if (prog) {
      prog.length = 0;
      for (let t = 0; t < shapes.length; t++) prog.push([0, shapes[t].length]);
    }
    for (;;) {
      budget.tick(shapes.length);
      if (prog) {
        prog.length = shapes.length;
        for (let t = 0; t < shapes.length; t++) prog[t] = [pick[t], shapes[t].length];
      }
      searchCombo(pick.map((c, t) => shapes[t][c]), { ...env, budget, finalLocs, initVals });
      let j = pick.length - 1;
      while (j >= 0 && pick[j] + 1 >= shapes[j].length) pick[j--] = 0;
      if (j < 0) return;
      pick[j]++;
    }
  };

  let anyPos = false;
  let anyNeg = false;
  if (opt.strategy === 'product') {
    try {
      budget.phase = 'product';
      runProduct(test, paths, finalLocs, initVals, budget, opt, res, recordAllowed, false, 0);
    } catch (e) {
      incomplete(e);
    }
  } else {
    const directed = opt.directed !== false;
    const full = budget.deadline;
    const directedWitnesses: RawExecution[] = [];
    /** Progress of the last counting search when it stopped (fraction of its tree explored, estimated). */
    let countedFraction = 0;
    /** One counting search until `deadline`: 'done', or why it stopped. */
    const counting = (deadline: number): 'done' | 'time' | 'other' => {
      resetCounts();
      res.witnesses.length = 0;
      res.forbidden.length = 0;
      budget.deadline = deadline;
      budget.phase = 'search';
      const progress: [number, number][] = [];
      try {
        runSearch({ target: test.filter, sym, leaf: leafCount(res.symmetry), progress });
        return 'done';
      } catch (e) {
        if (!(e instanceof Bound)) throw e;
        res.incompleteReason = e.reason;
        countedFraction = progressFraction(progress);
        if (res.positive > 0) anyPos = true;
        if (res.negative > 0) anyNeg = true;
        return e.kind === 'time' ? 'time' : 'other';
      } finally {
        budget.deadline = full;
      }
    };
    /** A verdict-directed search: is there an allowed execution satisfying `target`? undefined at the bound. */
    let directedCandidates = 0;
    const find = (target: Cond, keep: boolean): boolean | undefined => {
      budget.phase = 'verdict-directed search';
      let found = false;
      try {
        runSearch({
          target, sym, leaf: (l: Leaf) => {
            if (++directedCandidates > opt.maxExecutions) throw new Bound(`more than ${opt.maxExecutions} candidate executions`, 'candidates');
            if (!evalCond(target, l.final)) return;
            const allowed = l.allowed ?? checkExecution(l.st, l.rf, l.co, { explain: false, flags: false }).allowed;
            if (!allowed) return;
            found = true;
            if (keep) directedWitnesses.push(l.make());
            throw new Stop();
          },
        });
        return false;
      } catch (e) {
        if (e instanceof Stop && found) return true;
        if (e instanceof Bound) return undefined;
        throw e;
      }
    };
    const withFilter = (c: Cond): Cond => (test.filter ? { k: 'and', a: test.filter, b: c } : c);
    let posNone = false;
    let negNone = false;
    // 1. count, with a share of the time; 2. if that does not finish, settle
    // the verdict with directed searches; 3. count again with what is left
    // (from scratch: a finished count replaces everything).
    const share = directed ? Math.min(full, t0 + Math.max(50, opt.timeoutMs * 0.25)) : full;
    const firstStart = budget.now();
    let outcome = counting(share);
    const firstMs = budget.now() - firstStart;
    if (outcome !== 'done' && directed) {
      if (!anyPos) {
        const r = find(withFilter(test.cond), true);
        if (r === true) anyPos = true;
        else if (r === false) posNone = true;
      }
      if (!anyNeg && !posNone) {
        const r = find(withFilter({ k: 'not', c: test.cond }), false);
        if (r === true) anyNeg = true;
        else if (r === false) negNone = true;
      }
      // Count again with the time left, unless the verdict is settled and the
      // first count's pace says a count from scratch would not fit in it (the
      // estimate may be 1.5x pessimistic: a count that might fit is tried).
      const settled = posNone || (anyPos && anyNeg) || (negNone && anyPos);
      const left = full - budget.now();
      const needed = countedFraction > 0 ? firstMs / countedFraction : Infinity;
      if (outcome === 'time' && left > 0) {
        if (settled && needed > 1.5 * left) {
          res.incompleteReason = `counting stopped after ${(firstMs / 1000).toFixed(1)} s (its share of the ${opt.timeoutMs} ms bound) with the verdict settled: at its pace the whole count needs about ${Math.round(needed / 1000)} s`;
        } else outcome = counting(full);
      }
    }
    if (outcome !== 'done') {
      res.complete = false;
      if (res.positive > 0) anyPos = true;
      if (res.negative > 0) anyNeg = true;
      if (res.witnesses.length === 0) res.witnesses.push(...directedWitnesses.slice(0, opt.maxWitnesses));
      let possible: Observation[] = ['Never', 'Sometimes', 'Always'];
      if (posNone) possible = ['Never'];
      else {
        if (anyPos) possible = possible.filter((o) => o !== 'Never');
        if (anyNeg) possible = possible.filter((o) => o !== 'Always');
        if (negNone) possible = possible.filter((o) => o !== 'Sometimes');
      }
      res.possible = possible;
    }
  }

  // Candidates pruned for coherence/atomicity never reach the model; when
  // the outcome is unreachable, look for a few of them to explain why.
  if (opt.explain !== false && res.complete && res.forbidden.length < opt.maxForbidden && res.positive === 0) {
    const saved = budget.deadline;
    try {
      budget.phase = 'explanation';
      budget.deadline = Math.min(saved, budget.now() + Math.max(200, opt.timeoutMs / 10));
      runProduct(test, paths, finalLocs, initVals, budget, opt, res, recordAllowed, true, 3000);
    } catch (e) {
      if (!(e instanceof Bound) && !(e instanceof Stop)) throw e;
    } finally {
      budget.deadline = saved;
    }
  }
  return finish();
}

/**
 * Classes of interchangeable threads: identical bodies and parameters, the
 * same initial registers, registers that neither the condition, the filter
 * nor `locations` mention, and a location that every path of the thread
 * writes (so that co orders their first writes to it: no two threads of a
 * class can be swapped without changing the execution, hence every orbit has
 * exactly k! members). See docs/simulator.md, "Symmetry reduction".
 */
export function symmetryClasses(test: LitmusTest, paths: Path[][], regInit: Map<string, Value>): SymClass[] {
  const mentioned = new Set<number>();
  const vars: CondVar[] = [...test.locations];
  condVars(test.cond, vars);
  if (test.filter) condVars(test.filter, vars);
  for (const v of vars) if (v.thread !== null) mentioned.add(v.thread);
  // cheap first cut: parameters and number of statements
  const quick = test.procs.map((p) => JSON.stringify(p.params) + p.body.length);
  const keyOf = (t: number): string | null => {
    if (mentioned.has(t)) return null;
    if (quick.filter((x) => x === quick[t]).length < 2) return null;
    const p = test.procs[t];
    const inits = [...regInit].filter(([k]) => k.startsWith(`${t}:`)).map(([k, v]) => `${k.slice(k.indexOf(':'))}=${typeof v}:${String(v)}`).sort();
    const body = (s: unknown): string => JSON.stringify(s, (k, v) => (k === 'pos' || k === 'text' ? undefined : typeof v === 'bigint' ? `${v}n` : v));
    return JSON.stringify(p.params) + '|' + inits.join(',') + '|' + body(p.body);
  };
  const byKey = new Map<string, number[]>();
  test.procs.forEach((_, t) => {
    const k = keyOf(t);
    if (k === null) return;
    const l = byKey.get(k);
    if (l) l.push(t);
    else byKey.set(k, [t]);
  });
  const out: SymClass[] = [];
  for (const threads of byKey.values()) {
    if (threads.length < 2) continue;
    // a location written on every path of (each, hence all, of) these threads
    const ps = paths[threads[0]];
    if (ps.length === 0) continue;
    let common: string[] | null = null;
    for (const p of ps) {
      const w = new Set<string>();
      for (const e of p.events) if (e.kind === 'W' && e.loc !== undefined) w.add(e.loc);
      common = common === null ? [...w] : common.filter((x) => w.has(x));
    }
    const locs = [...(common ?? [])].sort();
    if (locs.length > 0) out.push({ threads, loc: locs[0] });
  }
  return out;
}

/**
 * The reference per-location product (strategy 'product'), and the
 * explanation pass (onlyForbidden: candidates that satisfy the condition but
 * that the model forbids, without the coherence/atomicity pruning).
 */
function runProduct(
  test: LitmusTest, paths: Path[][], finalLocs: Set<string>, initVals: Map<string, Value>, budget: Budget,
  opt: EngineOptions, res: EngineResult,
  recordAllowed: (sat: boolean, flags: Iterable<string>, final: Map<string, Value>, witness: () => RawExecution) => void,
  onlyForbidden: boolean, limit: number,
): void {
  const prune = !onlyForbidden;
  let extraCandidates = 0;
  const choice = new Array<number>(paths.length).fill(0);
  if (paths.some((p) => p.length === 0)) return;
  for (;;) {
    const chosen = choice.map((c, i) => paths[i][c]);
    runSkeleton(chosen);
    let j = choice.length - 1;
    while (j >= 0 && choice[j] + 1 >= paths[j].length) choice[j--] = 0;
    if (j < 0) return;
    choice[j]++;
  }

  function runSkeleton(chosen: Path[]): void {
    const { events, sk, locs } = buildSkeleton(chosen, finalLocs, initVals);
    const perLoc: { loc: string; sols: LocSolution[] }[] = [];
    for (const loc of locs) {
      const ws = events.filter((e) => e.kind === 'W' && e.loc === loc);
      const rs = events.filter((e) => e.kind === 'R' && e.loc === loc);
      const sols = solveLocation(ws, rs, prune, budget);
      if (sols.length === 0) return; // no candidate at all for this skeleton
      perLoc.push({ loc, sols });
    }
    const st: StaticPart = staticPart(sk);
    const n = events.length;
    const pick = new Array<number>(perLoc.length).fill(0);
    for (;;) {
      budget.tick(n);
      if (onlyForbidden) {
        if (++extraCandidates > limit || res.forbidden.length >= opt.maxForbidden) throw new Stop();
      } else {
        res.candidates++;
        if (res.candidates > opt.maxExecutions) throw new Bound(`more than ${opt.maxExecutions} candidate executions`, 'candidates');
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
  }
}

/**
 * All (co, rf) solutions for one location. With `prune`, only those that
 * satisfy the per-location axioms: coherence (po-loc | com acyclic, which
 * only relates same-location events) and atomicity (rmw & (fre;coe) empty,
 * i.e. an RMW's write immediately follows, in co, the write its read reads).
 */
function solveLocation(ws: GEvent[], rs: GEvent[], prune: boolean, budget: Budget): LocSolution[] {
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
      budget.tick(rs.length + 1);
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
    budget.tick(others.length + 1);
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

/**
 * Per location, the integer constants a store site can write to it as they
 * are: the stored expression is a literal, or a register that some
 * assignment in the same process sets to a literal (`r1 = 1`, `int r1 = 0`,
 * `r1 = c ? 1 : 2`). Store sites: the store primitives of
 * linux-kernel.def with a `*loc` or `loc` location argument, and `*loc = e`.
 */
function storedConstants(test: LitmusTest, globals: Set<string>): Map<string, Set<Value>> {
  const out = new Map<string, Set<Value>>();
  for (const p of test.procs) {
    const regLits = new Map<string, Set<Value>>();
    const stores: { loc: string; e: Expr }[] = [];
    const literal = (e: Expr, into: Set<Value>): void => {
      if (e.k === 'num') into.add(e.v);
      else if (e.k === 'cond') {
        literal(e.a, into);
        literal(e.b, into);
      }
    };
    const locOf = (e: Expr): string | undefined => {
      const x = e.k === 'un' && e.op === '*' ? e.e : e;
      return x.k === 'id' && globals.has(x.name) ? x.name : undefined;
    };
    const setReg = (name: string, e: Expr) => {
      let l = regLits.get(name);
      if (!l) regLits.set(name, (l = new Set()));
      literal(e, l);
    };
    const expr = (e: Expr): void => {
      switch (e.k) {
        case 'assign':
          if (e.lhs.k === 'id' && e.op === '=') setReg(e.lhs.name, e.rhs);
          if (e.lhs.k === 'un' && e.lhs.op === '*') {
            const loc = locOf(e.lhs);
            if (loc) stores.push({ loc, e: e.rhs });
          }
          expr(e.lhs);
          expr(e.rhs);
          return;
        case 'call': {
          const prim = PRIMITIVES.get(e.name);
          if (prim && prim.op === 'store' && e.args[prim.x] && e.args[prim.v]) {
            const loc = locOf(e.args[prim.x]);
            if (loc) stores.push({ loc, e: e.args[prim.v] });
          }
          e.args.forEach(expr);
          return;
        }
        case 'un': expr(e.e); return;
        case 'bin': expr(e.a); expr(e.b); return;
        case 'cond': expr(e.c); expr(e.a); expr(e.b); return;
        default: return;
      }
    };
    const stmt = (st: Stmt): void => {
      switch (st.k) {
        case 'decl': if (st.init) { setReg(st.name, st.init); expr(st.init); } return;
        case 'expr': expr(st.e); return;
        case 'if': expr(st.c); stmt(st.then); if (st.else) stmt(st.else); return;
        case 'block': st.body.forEach(stmt); return;
      }
    };
    p.body.forEach(stmt);
    for (const { loc, e } of stores) {
      const vals = new Set<Value>();
      literal(e, vals);
      if (e.k === 'id') for (const v of regLits.get(e.name) ?? []) vals.add(v);
      if (vals.size === 0) continue;
      let l = out.get(loc);
      if (!l) out.set(loc, (l = new Set()));
      for (const v of vals) l.add(v);
    }
  }
  return out;
}

/** Calls and assignments in the process bodies (each may store): bounds the value-domain fixpoint. */
function countStoreSites(test: LitmusTest): number {
  let n = 0;
  const expr = (e: Expr): void => {
    switch (e.k) {
      case 'call': n++; e.args.forEach(expr); return;
      case 'assign': n++; expr(e.lhs); expr(e.rhs); return;
      case 'un': expr(e.e); return;
      case 'bin': expr(e.a); expr(e.b); return;
      case 'cond': expr(e.c); expr(e.a); expr(e.b); return;
      default: return;
    }
  };
  const stmt = (s: Stmt): void => {
    switch (s.k) {
      case 'decl': if (s.init) expr(s.init); return;
      case 'expr': expr(s.e); return;
      case 'if': expr(s.c); stmt(s.then); if (s.else) stmt(s.else); return;
      case 'block': s.body.forEach(stmt); return;
    }
  };
  for (const p of test.procs) p.body.forEach(stmt);
  return n;
}

export { describeEvent };
export type { StaticPart };
