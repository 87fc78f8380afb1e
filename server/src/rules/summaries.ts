/**
 * Resource analysis of a unit with summaries of the document's own functions:
 * a call to a function of the same file that, on every path, releases a lock,
 * section or reference it never took (hugetlb_no_page() unlocking the fault
 * mutex hugetlb_fault() took) releases it in the caller too. Every rule that
 * reads the resource dataflow goes through resourcesOf(), so they all see the
 * same result.
 */
import type { RuleContext, Unit, Side } from './api';
import { analyzeResources, summarizeFunction, type CalleeSummary, type ResourceAnalysis, type Summaries } from './resources';
import type { Cfg } from '../c/cfg';

const MAX_DEPTH = 4;
const tables = new WeakMap<readonly Unit[], Map<string, Summaries>>();

/** Summaries of the functions of one file and side of the document (first configuration of each). */
export function summariesFor(ctx: RuleContext, path: string, side: Side): Summaries {
  let perDoc = tables.get(ctx.units);
  if (!perDoc) tables.set(ctx.units, (perDoc = new Map()));
  const id = `${side}|${path}`;
  const hit = perDoc.get(id);
  if (hit) return hit;
  const cfgs = new Map<string, Cfg | null>();
  for (const fn of ctx.functions) {
    if (fn.path !== path) continue;
    const u = ctx.unitsOf(fn, side)[0];
    if (!u) continue;
    const name = u.cfg.name;
    // two definitions (#ifdef alternatives) or a catalogued primitive: no summary
    cfgs.set(name, cfgs.has(name) || ctx.catalog.has(name) ? null : u.cfg);
  }
  // callees first (a helper that calls the unlocking helper unlocks too), cycles cut, depth bounded
  const out = new Map<string, CalleeSummary>();
  const done = new Set<string>();
  const visit = (name: string, depth: number): void => {
    if (done.has(name)) return;
    done.add(name);
    const cfg = cfgs.get(name);
    if (!cfg) return;
    if (depth < MAX_DEPTH)
      for (const n of cfg.nodes) for (const o of n.ops) if (o.kind === 'call' && !o.indirect && cfgs.get(o.name)) visit(o.name, depth + 1);
    const s = summarizeFunction(name, cfg, ctx.catalog, out);
    if (s) out.set(name, s);
  };
  for (const name of cfgs.keys()) visit(name, 0);
  perDoc.set(id, out);
  return out;
}

export function resourcesOf(unit: Unit, ctx: RuleContext): ResourceAnalysis {
  return analyzeResources(unit.cfg, ctx.catalog, summariesFor(ctx, unit.fn.path, unit.side));
}
