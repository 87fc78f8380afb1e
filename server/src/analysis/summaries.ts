/**
 * Resource analysis of a unit with summaries of the document's own functions:
 * a call to a function of the same file that, on every path, releases a lock,
 * section or reference it never took (hugetlb_no_page() unlocking the fault
 * mutex hugetlb_fault() took) releases it in the caller too. Every rule that
 * reads the resource dataflow goes through resourcesOf(), so they all see the
 * same result.
 *
 * Determinism: a function's summaries come only from functions of the same
 * file and side that the function itself calls (keyed by name), so its
 * findings never depend on unrelated functions of the document — and, on the
 * post side, from functions the patch adds to another file it changes (a
 * helper the patch introduces: the release it does was moved there). A file
 * the patch creates is not consulted from other files, so a series of new
 * files is judged file by file.
 */
import type { AnalysisContext, Unit, Side } from './unit';
import type { RebuiltFunction } from '../c/model';
import { factsOf } from './unit';
import { analyzeResources, summarizeFunction, H, H2, type CalleeSummary, type ResourceAnalysis, type Summaries } from './resources';
import { callSleeps, functionFacts, type FunctionFacts } from '../c/facts';
import { buildCfg, directCalleesOf, type Cfg } from '../c/cfg';
import { dominators, dominates } from '../c/dataflow';
import type { CallOp, CfgNode } from '../c/cfg';
import type { ApiSpec } from '../catalog';
import { dependsOn, idOf, tracking, untracked } from './deps';

const MAX_DEPTH = 4;
const tables = new WeakMap<readonly Unit[], Map<string, Definitions>>();
const summaryCache = new WeakMap<readonly Unit[], Map<string, Map<string, CalleeSummary | null>>>();

/** A file's definitions by name (see definitions()): the facts, null when ambiguous or catalogued, undefined when none. */
interface Definitions {
  get(name: string): FunctionFacts | null | undefined;
  /** Holds a function of another file (queries over it read more than their own file). */
  crossFile: boolean;
}

/** One function the patch adds to a file it changes (not creates): a helper callers in other files may see. */
interface AddedHelper {
  path: string;
  /** Its facts, or null when the catalog describes the name. */
  facts: FunctionFacts | null;
}

/**
 * What definitions() reads of the whole document, made once per document: its functions by file, and
 * the helpers added to changed files by name (in document order). A file's table then reads its own
 * functions and only the added helpers of its own names; scanning every added helper for every file
 * (with their units and facts) was ~10 ms per keystroke on a 50k-line series of ~180 files.
 */
interface DocumentDefinitions {
  byPath: Map<string, RebuiltFunction[]>;
  added: Map<string, AddedHelper[]>;
  /** The names of each file's added helpers. */
  addedIn: Map<string, Set<string>>;
  /** Names of the added helpers whose entry, over all files, is one uncatalogued definition. */
  uniqueHelpers: Set<string>;
}
const documentTables = new WeakMap<readonly Unit[], DocumentDefinitions>();
function documentDefinitions(ctx: AnalysisContext): DocumentDefinitions {
  let t = documentTables.get(ctx.units);
  if (t) return t;
  t = { byPath: new Map(), added: new Map(), addedIn: new Map(), uniqueHelpers: new Set() };
  for (const fn of ctx.functions) {
    let l = t.byPath.get(fn.path);
    if (!l) t.byPath.set(fn.path, (l = []));
    l.push(fn);
    if (fn.change !== 'added' || fn.file.status === 'added') continue;
    const u = ctx.unitsOf(fn, 'post')[0];
    if (!u) continue;
    let a = t.added.get(u.cfg.name);
    if (!a) t.added.set(u.cfg.name, (a = []));
    a.push({ path: fn.path, facts: catalogued(ctx, u) ? null : factsOf(u, ctx.catalog) });
    let names = t.addedIn.get(fn.path);
    if (!names) t.addedIn.set(fn.path, (names = new Set()));
    names.add(u.cfg.name);
  }
  for (const [name, a] of t.added) if (a.length === 1 && a[0].facts) t.uniqueHelpers.add(name);
  documentTables.set(ctx.units, t);
  return t;
}

/**
 * A catalogued name is the catalog's, unless the definition has a form the catalog says it does not
 * describe (an argument count outside its strict arity: the older migration_entry_wait_on_locked()).
 */
function catalogued(ctx: AnalysisContext, u: Unit): boolean {
  const sp = ctx.catalog.api(u.cfg.name);
  return !!sp && !(sp.strictArity && sp.arity && !sp.arity.includes(u.cfg.params.length));
}

/** The document's own functions of one file and side (first configuration of each), by name; null when ambiguous. */
function definitions(ctx: AnalysisContext, path: string, side: Side): Definitions {
  let perDoc = tables.get(ctx.units);
  if (!perDoc) tables.set(ctx.units, (perDoc = new Map()));
  const id = `${side}|${path}`;
  const hit = perDoc.get(id);
  if (hit) return hit;
  const own = new Map<string, FunctionFacts | null>();
  const doc = documentDefinitions(ctx);
  for (const fn of doc.byPath.get(path) ?? []) {
    const u = ctx.unitsOf(fn, side)[0];
    if (!u) continue;
    const name = u.cfg.name;
    // two definitions (#ifdef alternatives) or a catalogued primitive: no summary
    own.set(name, own.has(name) || catalogued(ctx, u) ? null : factsOf(u, ctx.catalog));
  }
  // kernel-tree mode: the file's functions the patch does not touch (same-file helpers out of the hunks)
  const tree = treeDefinitions(ctx, doc.byPath.get(path) ?? [], side);
  const ownOrTree = (name: string) => (own.has(name) ? own.get(name) : tree?.(name));
  let defs: Definitions;
  if (side !== 'post' || doc.added.size === 0) defs = { get: ownOrTree, crossFile: false };
  else {
    // a helper the patch adds to another file it changes (its caller in this file may be new code that
    // now calls it: the release it does was moved there): by name too, when no function here has it
    // (a file the patch creates is left out: a series of new files is judged file by file). Two such
    // helpers of one name (in other files) are ambiguous: null.
    const other = (name: string): FunctionFacts | null | undefined => {
      const a = doc.added.get(name);
      if (!a) return undefined;
      let found: AddedHelper | undefined;
      for (const h of a) {
        if (h.path === path) continue;
        if (found) return null;
        found = h;
      }
      return found ? found.facts : undefined;
    };
    // holds another file's function: an added helper of a name this file neither defines nor adds
    let crossFile = false;
    const mine = new Set([...own.keys(), ...(doc.addedIn.get(path) ?? [])]);
    let covered = 0;
    for (const name of mine) {
      if (doc.uniqueHelpers.has(name)) covered++;
      else if (!own.has(name) && other(name)) crossFile = true;
    }
    if (doc.uniqueHelpers.size > covered) crossFile = true;
    defs = {
      get: (name) => {
        const t = ownOrTree(name);
        return t !== undefined ? t : other(name);
      },
      crossFile,
    };
  }
  perDoc.set(id, defs);
  return defs;
}

/**
 * The facts of a same-file helper the patch does not touch, from the kernel
 * tree (rebuildFromTree's TreeHelpers): its first configuration; a catalogued
 * primitive or an ambiguous name has none (null). Undefined without a tree.
 */
function treeDefinitions(ctx: AnalysisContext, fns: readonly RebuiltFunction[], side: Side): ((name: string) => FunctionFacts | null | undefined) | undefined {
  const helpers = fns.find((f) => f.treeHelpers)?.treeHelpers;
  if (!helpers) return undefined;
  const memo = new Map<string, FunctionFacts | null | undefined>();
  return (name) => {
    if (memo.has(name)) return memo.get(name);
    let out: FunctionFacts | null | undefined;
    const img = helpers.image(name, side);
    if (img === undefined || img === null) out = img;
    else {
      const variant = img.variants[0];
      let cfg: Cfg | null = null;
      try {
        cfg = variant ? buildCfg(variant, { lvalueAccess: ctx.catalog.lvalueAccess }) : null;
      } catch {
        cfg = null;
      }
      const sp = ctx.catalog.api(name);
      out = !cfg || (sp && !(sp.strictArity && sp.arity && !sp.arity.includes(cfg.params.length))) ? null : functionFacts(cfg, img, ctx.catalog);
    }
    memo.set(name, out);
    return out;
  };
}

/** The file a query over `path`'s definitions reads, for deps.ts: none when it reads other files too. */
function onlyFile(ctx: AnalysisContext, path: string, side: Side): { ctx: AnalysisContext; path: string } | undefined {
  return untracked(() => definitions(ctx, path, side)).crossFile ? undefined : { ctx, path };
}

function summaryOf(ctx: AnalysisContext, path: string, side: Side, name: string, depth: number, visiting: Set<string>): CalleeSummary | null {
  let perDoc = summaryCache.get(ctx.units);
  if (!perDoc) summaryCache.set(ctx.units, (perDoc = new Map()));
  const id = `${side}|${path}`;
  let m = perDoc.get(id);
  if (!m) perDoc.set(id, (m = new Map()));
  if (m.has(name)) return m.get(name)!;
  const facts = definitions(ctx, path, side).get(name);
  if (!facts || visiting.has(name)) return null;
  visiting.add(name);
  const callees = depth < MAX_DEPTH ? calleeSummaries(ctx, path, side, facts, depth + 1, visiting) : new Map<string, CalleeSummary>();
  visiting.delete(name);
  const s = summarizeFunction(name, facts, ctx.catalog, callees);
  m.set(name, s);
  return s;
}

/** Summaries of the functions `facts` calls that the document defines (callees first, cycles cut, depth bounded). */
function calleeSummaries(ctx: AnalysisContext, path: string, side: Side, facts: FunctionFacts, depth: number, visiting: Set<string>): Summaries {
  const defs = definitions(ctx, path, side);
  const out = new Map<string, CalleeSummary>();
  for (const name of directCalleesOf(facts.cfg)) {
    if (!defs.get(name)) continue;
    const s = summaryOf(ctx, path, side, name, depth, visiting);
    if (s) out.set(name, s);
  }
  return out;
}

const summaryJson = new WeakMap<CalleeSummary, string>();
/** Everything a caller can see of its callees' summaries (engine rule cache, analysis/deps.ts). */
function summariesFp(s: Summaries): string {
  let out = '';
  for (const [name, x] of s) {
    let j = summaryJson.get(x);
    if (j === undefined) summaryJson.set(x, (j = JSON.stringify(x)));
    out += `${name}=${j};`;
  }
  return out;
}

/** Summaries of the document's functions that a unit calls. */
export function summariesFor(ctx: AnalysisContext, unit: Unit): Summaries {
  const { path } = unit.fn;
  const side = unit.side;
  const facts = factsOf(unit, ctx.catalog);
  const name = unit.cfg.name;
  const compute = (c: AnalysisContext) => untracked(() => calleeSummaries(c, path, side, facts, 0, new Set([name])));
  const s = compute(ctx);
  // a function's findings depend on the helpers it calls by name (of its file, or added by the patch to
  // another), through their summaries only
  if (tracking()) dependsOn(`summaries|${idOf(unit.cfg)}|${side}|${path}`, summariesFp(s), (c) => summariesFp(compute(c)), onlyFile(ctx, path, side));
  return s;
}

export function resourcesOf(unit: Unit, ctx: AnalysisContext): ResourceAnalysis {
  return analyzeResources(factsOf(unit, ctx.catalog), ctx.catalog, summariesFor(ctx, unit));
}

/** A document function that may sleep: the sleeping call it makes (directly, or through another such function). */
export interface SleepingCallee {
  /** The catalogued call that sleeps (`wait_event`). */
  via: string;
  /** Its line in the callee's image, and the callee chain (`foo_wait() -> wait_event()`). */
  line: number;
  chain: string;
}

const sleepCache = new WeakMap<readonly Unit[], Map<string, SleepingCallee | null>>();

/**
 * Does the document's function `name` (same file and side) make a call the
 * catalog says may sleep, on some path, outside any atomic section it opens
 * itself? Callees of callees are followed (depth bounded, cycles cut). Only
 * functions the text defines are judged: an unseen function is unknown.
 */
function sleepingOf(ctx: AnalysisContext, path: string, side: Side, name: string, depth: number, visiting: Set<string>): SleepingCallee | null {
  let m = sleepCache.get(ctx.units);
  if (!m) sleepCache.set(ctx.units, (m = new Map()));
  const id = `${side}|${path}|${name}`;
  if (m.has(id)) return m.get(id)!;
  const facts = definitions(ctx, path, side).get(name);
  if (!facts || visiting.has(name) || depth > MAX_DEPTH) return null;
  visiting.add(name);
  let found: SleepingCallee | null = null;
  const a = analyzeResources(facts, ctx.catalog);
  const atomicHeld = (st: ReadonlyMap<string, number>) =>
    [...st].some(([k, b]) => {
      const key = a.keys.get(k);
      return !!key && !!ctx.catalog.kind(key.kind).atomic && (b & (H | H2)) !== 0;
    });
  // Only a function that sleeps whenever it runs is said to: the sleeping call is on every path from its
  // entry to its end (might_sleep() at the top, an unconditional mutex_lock()), its sleep does not depend on
  // an argument the caller chooses (a gfp parameter), and the function does not release an atomic context it
  // did not open (it drops the caller's lock before sleeping: hugetlb_wp(), khugepaged_scan_mm_slot()).
  // (a release of a lock it never took has no key when the function's start is shown: `xas_unlock_irq(xas)`
  // on its parameter, then schedule(): fs/dax.c wait_entry_unlocked())
  const dropsCallers = a.events.some(
    (e) => e.t === 'release' && (e.key ? !!ctx.catalog.kind(e.key.kind).atomic && !e.key.acquires.length : !!ctx.catalog.kind(e.eff.kind).atomic),
  );
  // (the dominator tree only when a call is asked about: most functions have no candidate)
  let idom: ReturnType<typeof dominators> | undefined;
  const always = (n: CfgNode) => facts.visibility.entry && facts.visibility.end && dominates((idom ??= dominators(facts.cfg)), n, facts.cfg.exit);
  const params = new Set(facts.params);
  const argFromCaller = (spec: ApiSpec, op: CallOp) => {
    const u = spec.sleepsUnlessArg;
    const t = u ? op.args[u.arg]?.text : undefined;
    return !!t && [...params].some((p) => new RegExp(`(^|[^\\w])${p}($|[^\\w])`).test(t));
  };
  for (const ev of dropsCallers ? [] : a.events) {
    if (ev.t !== 'call' || !callSleeps(ev.spec, ev.op) || atomicHeld(ev.before) || !always(ev.node) || argFromCaller(ev.spec, ev.op)) continue;
    found = { via: ev.op.name, line: ev.op.line, chain: `${name}() -> ${ev.op.name}()` };
    break;
  }
  if (!found && !dropsCallers)
    for (const c of a.plainCalls) {
      if (c.op.indirect || atomicHeld(c.before) || !always(c.node)) continue;
      const s = sleepingOf(ctx, path, side, c.op.name, depth + 1, visiting);
      if (s) {
        found = { via: s.via, line: c.op.line, chain: `${name}() -> ${s.chain}` };
        break;
      }
    }
  visiting.delete(name);
  m.set(id, found);
  return found;
}

/** The document's functions `unit` calls that may sleep, by name. */
export function sleepingCallees(ctx: AnalysisContext, unit: Unit): Map<string, SleepingCallee> {
  const compute = (c: AnalysisContext) => untracked(() => computeSleepingCallees(c, unit));
  const out = compute(ctx);
  if (tracking()) {
    const fp = (m: Map<string, SleepingCallee>) => JSON.stringify([...m]);
    dependsOn(`sleeping|${idOf(unit.cfg)}|${unit.side}|${unit.fn.path}`, fp(out), (c) => fp(compute(c)), onlyFile(ctx, unit.fn.path, unit.side));
  }
  return out;
}

function computeSleepingCallees(ctx: AnalysisContext, unit: Unit): Map<string, SleepingCallee> {
  const out = new Map<string, SleepingCallee>();
  const facts = factsOf(unit, ctx.catalog);
  for (const n of facts.cfg.nodes)
    for (const o of n.ops) {
      if (o.kind !== 'call' || o.indirect || out.has(o.name) || o.name === unit.cfg.name) continue;
      const s = sleepingOf(ctx, unit.fn.path, unit.side, o.name, 0, new Set([unit.cfg.name]));
      if (s) out.set(o.name, s);
    }
  return out;
}
