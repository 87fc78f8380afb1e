/**
 * Lockless lookups and the context a function runs in: the facts the
 * spec-ref rules read.
 *
 *  - lookups(): variables holding the result of a lockless lookup (a
 *    catalogued lookup such as xas_load, or a catalogued idiom such as
 *    `pte = ptep_get(ptep)` outside the page-table lock), and the variables
 *    derived from them (`page = pte_page(pte)`, `folio = page_folio(page)`);
 *  - revalidationAt(): a branch that re-checks a lookup after a speculative get;
 *  - inheritedContext(): whether every caller in the document calls a function
 *    inside a section (RCU, IRQs off, a page-table lock).
 */
import type { CfgNode, CallOp } from '../c/cfg';
import type { ApiSpec, Catalog, ContextRequirement } from '../catalog';
import { callSleeps, comparisonAt, branchIsCall, mentions, callValue, identifierValue, uncast } from '../c/facts';
import { maybeHeld, type ResourceAnalysis, type State } from './resources';
import type { AnalysisContext, Unit } from './unit';
import { resourcesOf } from './summaries';
import { dependsOn, tracking, untracked } from './deps';

export interface Lookup {
  node: CfgNode;
  api: string;
  line: number;
  col: number;
  op: CallOp;
  /** How messages name it: `xas_load()`, or an idiom's call as written (`ptep_get(src_pte)`). */
  shown: string;
}

const lookupCache = new WeakMap<ResourceAnalysis, { any?: Map<string, Lookup[]>; byCallerPtl: Map<boolean, Map<string, Lookup[]>> }>();

/**
 * Lookups per analysed function: every spec-ref rule asks, so compute once per
 * analysis. The result depends on the callers' page-table lock only when an
 * idiom read happens outside one here; then it is kept per answer.
 * `callerPtl`: does every caller of the function in this document hold a page-table lock when calling it?
 */
export function lookups(a: ResourceAnalysis, cat: Catalog, callerPtl: () => boolean): Map<string, Lookup[]> {
  let entry = lookupCache.get(a);
  if (!entry) lookupCache.set(a, (entry = { byCallerPtl: new Map() }));
  if (entry.any) return entry.any;
  if (entry.byCallerPtl.size) {
    const hit = entry.byCallerPtl.get(callerPtl());
    if (hit) return hit;
  }
  let asked: boolean | undefined;
  const map = computeLookups(a, cat, () => (asked ??= callerPtl()));
  if (asked === undefined) entry.any = map;
  else entry.byCallerPtl.set(asked, map);
  return map;
}

function computeLookups(a: ResourceAnalysis, cat: Catalog, callerPtl: () => boolean): Map<string, Lookup[]> {
  const out = new Map<string, Lookup[]>();
  const add = (v: string, l: Lookup) => {
    const list = out.get(v) ?? [];
    if (list.includes(l)) return false;
    list.push(l);
    out.set(v, list);
    return true;
  };
  const ptlHeld = (st: State) => [...st].some(([id, b]) => maybeHeld(b) && cat.kind(a.keys.get(id)!.kind).provides?.includes('ptl-held'));
  const idioms = cat.locklessIdioms();
  const calls: { node: CfgNode; op: CallOp; before: State; spec?: ApiSpec }[] = [
    ...a.events.filter((e) => e.t === 'call').map((e) => ({ node: e.node, op: e.op, before: e.before, spec: e.spec })),
    ...a.plainCalls,
  ];
  for (const c of calls) {
    const l = { node: c.node, api: c.op.name, line: c.op.line, col: c.op.col, op: c.op, shown: `${c.op.name}()` };
    if (c.spec?.locklessLookup) {
      if (c.op.result.kind === 'assigned') add(c.op.result.to.trim(), l);
      if (c.op.loopMacro)
        for (const arg of c.op.args) {
          const t = arg.text.trim();
          if (/^[A-Za-z_]\w*$/.test(t) && (a.types.get(t) ?? '').includes('*')) add(t, l);
        }
      continue;
    }
    if (c.op.result.kind !== 'assigned' || c.op.indirect) continue;
    const arg = c.op.args[0]?.text.trim() ?? '';
    const to = c.op.result.to.trim();
    const type = a.types.get(to) ?? '';
    const idiom = idioms.find(
      (i) => i.call === c.op.name && (i.argShape === 'deref' ? arg.startsWith('*') : /^[A-Za-z_][\w>.-]*$/.test(arg)) && new RegExp(`(^|[^\\w])${i.value}_t($|[^\\w])`).test(type),
    );
    if (!idiom) continue;
    // the lock held here, or by every caller in this document (copy_pte_range -> copy_nonpresent_pte)
    if (idiom.lockless === 'unless-ptl-held' && (ptlHeld(c.before) || callerPtl())) continue;
    add(to, { ...l, api: idiom.name, shown: c.op.node.text.replace(/\s+/g, ' ') });
  }
  if (!out.size) return out;
  // derived values: `v = f(..x..)` / `v = x` with x a lookup result (flow-insensitive, to a fixpoint)
  const assigns: { to: string; srcs: string[] }[] = [];
  for (const n of a.cfg.nodes)
    for (const o of n.ops) {
      const to = o.kind === 'assign' && o.op === '=' && o.target.kind === 'var' ? o.target.text : o.kind === 'decl' && o.init && !o.param ? o.name : null;
      const rhs = o.kind === 'assign' ? o.rhsNode : o.kind === 'decl' ? o.init : null;
      if (!to || !rhs) continue;
      const srcs: string[] = [];
      const id = identifierValue(rhs);
      if (id) srcs.push(id);
      const call = callValue(rhs);
      if (call) for (const arg of call.args) if (uncast(arg).k === 'id' && arg.k === 'id') srcs.push(arg.name);
      assigns.push({ to, srcs });
    }
  for (let changed = true, i = 0; changed && i < 8; i++) {
    changed = false;
    for (const x of assigns) for (const v of x.srcs) for (const l of out.get(v) ?? []) if (v !== x.to && add(x.to, l)) changed = true;
  }
  return out;
}

/** The latest lookup of a list written before the acquire (or in a loop header). */
export function lookupBefore(ls: Lookup[] | undefined, op: CallOp): Lookup | undefined {
  return ls?.filter((l) => l.line < op.line || (l.line === op.line && l.col < op.col) || l.op.loopMacro).pop();
}

/** A branch that re-checks the lookup of `obj`: a revalidating call, or `obj != f(...)` / `x != *p`. */
export function revalidationAt(cat: Catalog, n: CfgNode, obj: string | readonly string[]): { failOn: boolean } | null {
  if (n.kind !== 'branch' || !n.ast) return null;
  const call = n.ops.find((o) => o.kind === 'call' && cat.api(o.name)?.revalidates);
  const cmp = comparisonAt(n);
  if (cmp) {
    const names = typeof obj === 'string' ? [obj] : obj;
    const on = (t: string) => names.some((o) => mentions(t, o));
    // the object as it is held, against a fresh read (`folio != xas_reload(&xas)`, `page_folio(page) != folio`); a
    // comparison of two fresh reads of the object's own state (`folio_expected_ref_count(folio) + 1 != folio_ref_count(folio)`)
    // re-checks no lookup
    if (call || (on(cmp.left) && !cmp.leftRereads && cmp.rightRereads) || (on(cmp.right) && !cmp.rightRereads && cmp.leftRereads) || (cmp.leftRereads && cmp.rightRereads && n.ops.some((o) => o.kind === 'read')))
      return { failOn: cmp.op === '!=' };
  }
  if (call && branchIsCall(n)) return { failOn: false };
  return null;
}

/** The first re-check of `obj` (or revalidating call) reachable from `from`. */
export function findRevalidation(a: ResourceAnalysis, cat: Catalog, from: CfgNode, obj: string): CfgNode | null {
  // the object under each of its names (`folio = page_folio(page)`: `page_folio(page) != folio` re-checks it)
  const names = aliasesOf(a, obj);
  const seen = new Set<number>();
  const work = [from];
  while (work.length) {
    const n = work.pop()!;
    if (seen.has(n.id)) continue;
    seen.add(n.id);
    if (n !== from && revalidationAt(cat, n, names)) return n;
    if (n.ops.some((o) => o.kind === 'call' && cat.api(o.name)?.revalidates)) return n;
    for (const e of n.succs) work.push(e.to);
  }
  return null;
}

/** `obj` and the other names the function gives the same object (facts.identity maps each to one). */
export function aliasesOf(a: ResourceAnalysis, obj: string): string[] {
  const out = [obj];
  for (const [name, canon] of a.facts.identity) if (canon === obj && name !== obj) out.push(name);
  return out;
}

/** Is a section that provides `req` (maybe) held in state `st`? */
export function heldProviding(cat: Catalog, a: ResourceAnalysis, st: State, req: ContextRequirement): boolean {
  for (const [id, b] of st) {
    const k = a.keys.get(id)!;
    if (maybeHeld(b) && cat.kind(k.kind).provides?.includes(req)) return true;
  }
  return false;
}

type Site = { u: Unit; a: ResourceAnalysis; c: ResourceAnalysis['plainCalls'][number] };
/** Direct calls of the document's own functions (post side, same file), by callee name. */
const callSiteCache = new WeakMap<AnalysisContext, Map<string, Map<string, Site[]>>>();
function callSites(ctx: AnalysisContext, path: string): Map<string, Site[]> {
  let perFile = callSiteCache.get(ctx);
  if (!perFile) callSiteCache.set(ctx, (perFile = new Map()));
  let m = perFile.get(path);
  if (m) return m;
  m = new Map();
  for (const u of ctx.units) {
    if (u.side !== 'post' || u.fn.path !== path) continue;
    const a = resourcesOf(u, ctx);
    for (const c of a.plainCalls) {
      if (c.op.indirect) continue;
      let list = m.get(c.op.name);
      if (!list) m.set(c.op.name, (list = []));
      list.push({ u, a, c });
    }
  }
  perFile.set(path, m);
  return m;
}

/**
 * Context inherited from the function's callers in the same file of this
 * document: 'yes' all callers provide it, 'no' none does, else unknown.
 * (Callers in other files are not consulted: findings in one file never
 * depend on another file being in the same document.)
 */
const inheritCache = new WeakMap<AnalysisContext, Map<string, 'yes' | 'no' | 'unknown'>>();
export function inheritedContext(ctx: AnalysisContext, path: string, fn: string, req: ContextRequirement): 'yes' | 'no' | 'unknown' {
  const compute = (c: AnalysisContext) => untracked(() => callersContext(c, path, fn, req));
  const r = compute(ctx);
  // the rule cache (analysis/deps.ts): a finding that used it depends on this answer, not on the callers
  if (tracking()) dependsOn(`inherited|${path}|${fn}|${req}`, r, compute, { ctx, path });
  return r;
}

function callersContext(ctx: AnalysisContext, path: string, fn: string, req: ContextRequirement, depth = 0, seen = new Set<string>()): 'yes' | 'no' | 'unknown' {
  let m = inheritCache.get(ctx);
  if (!m) inheritCache.set(ctx, (m = new Map()));
  const key = `${path}|${fn}|${req}`;
  if (depth === 0 && m.has(key)) return m.get(key)!;
  if (seen.has(fn) || depth > 6) return 'unknown';
  seen.add(fn);
  let any = false;
  let all = true;
  let none = true;
  for (const { u, a, c } of callSites(ctx, path).get(fn) ?? []) {
    any = true;
    let ok = heldProviding(ctx.catalog, a, c.before, req);
    if (!ok) {
      let up = callersContext(ctx, path, u.cfg.name, req, depth + 1, seen);
      // a caller that itself may sleep with nothing atomic held runs with IRQs on, outside RCU
      if (up === 'unknown' && a.events.some((e) => e.t === 'call' && callSleeps(e.spec, e.op) && ![...e.before].some(([id, b]) => maybeHeld(b) && ctx.catalog.kind(a.keys.get(id)!.kind).atomic))) up = 'no';
      ok = up === 'yes';
      if (up === 'unknown') {
        all = false;
        none = false;
        continue;
      }
    }
    if (ok) none = false;
    else all = false;
  }
  const r = !any ? 'unknown' : all ? 'yes' : none ? 'no' : 'unknown';
  if (depth === 0) m.set(key, r);
  return r;
}
