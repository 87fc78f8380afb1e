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
 * findings never depend on unrelated functions of the document.
 */
import type { AnalysisContext, Unit, Side } from './unit';
import { factsOf } from './unit';
import { analyzeResources, summarizeFunction, type CalleeSummary, type ResourceAnalysis, type Summaries } from './resources';
import type { FunctionFacts } from '../c/facts';

const MAX_DEPTH = 4;
const tables = new WeakMap<readonly Unit[], Map<string, Map<string, FunctionFacts | null>>>();
const summaryCache = new WeakMap<readonly Unit[], Map<string, Map<string, CalleeSummary | null>>>();

/** The document's own functions of one file and side (first configuration of each), by name; null when ambiguous. */
function definitions(ctx: AnalysisContext, path: string, side: Side): Map<string, FunctionFacts | null> {
  let perDoc = tables.get(ctx.units);
  if (!perDoc) tables.set(ctx.units, (perDoc = new Map()));
  const id = `${side}|${path}`;
  const hit = perDoc.get(id);
  if (hit) return hit;
  const defs = new Map<string, FunctionFacts | null>();
  for (const fn of ctx.functions) {
    if (fn.path !== path) continue;
    const u = ctx.unitsOf(fn, side)[0];
    if (!u) continue;
    const name = u.cfg.name;
    // two definitions (#ifdef alternatives) or a catalogued primitive: no summary
    defs.set(name, defs.has(name) || ctx.catalog.has(name) ? null : factsOf(u, ctx.catalog));
  }
  perDoc.set(id, defs);
  return defs;
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

/** The names a CFG calls directly, each once, in the order of their first call (computed once per CFG). */
const directCallees = new WeakMap<FunctionFacts['cfg'], string[]>();
function directCalleesOf(cfg: FunctionFacts['cfg']): string[] {
  let names = directCallees.get(cfg);
  if (!names) {
    const seen = new Set<string>();
    for (const n of cfg.nodes) for (const o of n.ops) if (o.kind === 'call' && !o.indirect) seen.add(o.name);
    directCallees.set(cfg, (names = [...seen]));
  }
  return names;
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

/** Summaries of the document's functions that a unit calls. */
export function summariesFor(ctx: AnalysisContext, unit: Unit): Summaries {
  return calleeSummaries(ctx, unit.fn.path, unit.side, factsOf(unit, ctx.catalog), 0, new Set([unit.cfg.name]));
}

export function resourcesOf(unit: Unit, ctx: AnalysisContext): ResourceAnalysis {
  return analyzeResources(factsOf(unit, ctx.catalog), ctx.catalog, summariesFor(ctx, unit));
}
