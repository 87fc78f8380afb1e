/**
 * spec-ref: speculative references on pages found by lockless lookups.
 *
 *  - get-on-lockless-lookup: a plain get (refcount must already be > 0) on an
 *    object a lockless lookup returned;
 *  - no-revalidation: a speculative get with no re-check of the lookup after it;
 *  - revalidation-leak: the re-check fails and the path retries or leaves
 *    without dropping the speculative reference;
 *  - outside-rcu: a speculative get that needs RCU or IRQs off, outside such a
 *    section (known from the function itself or from its callers in the same document);
 *  - pgmap-hook-skipped (seed 004): a primitive that skips the ZONE_DEVICE
 *    pgmap hook, paired with a put that drops a pgmap ref, in code that handles
 *    device pages;
 *  - pgmap-leak: get_dev_pagemap not matched by put_dev_pagemap on a path.
 */
import type { RawFinding, Rule, Unit, RuleContext } from './api';
import type { CfgNode, CfgEdge } from '../c/cfg';
import type { CNode } from '../c/cnode';
import type { Catalog, ContextRequirement } from '../catalog';
import { definitelyHeld, maybeHeld, type ResourceAnalysis, type AcquireEvent, type KeyInfo, type State } from './resources';
import { resourcesOf } from './summaries';
import { leakFindings, acquireRelated, isCatalogPrimitive } from './balance';
import { posOf, mentions, nodePos, stripParens, reachableAvoiding } from './util';
import { callSleeps } from './atomicSleep';

const REFS = new Set(['page-ref', 'folio-ref', 'gup-get', 'gup-pin']);

interface Lookup {
  node: CfgNode;
  api: string;
  line: number;
  col: number;
  op: import('../c/cfg').CallOp;
  /** How messages name it: `xas_load()`, or an idiom's call as written (`ptep_get(src_pte)`). */
  shown: string;
}

/**
 * Variables holding the result of a lockless lookup: assigned from a
 * catalogued lookup (xas_load, ptep_get_lockless ...) or a catalogued
 * LocklessIdiom (`pte = READ_ONCE(*ptep)` with no page-table lock held), and
 * the variables derived from them (`page = pte_page(pte)`,
 * `head = compound_head(page)`, `folio = page_folio(page)`, a plain copy).
 */
/**
 * Lookups per analysed function: every spec-ref rule asks, so compute once per
 * analysis. The result depends on the callers' page-table lock only when an
 * idiom read happens outside one here; then it is kept per answer.
 */
const lookupCache = new WeakMap<ResourceAnalysis, { any?: Map<string, Lookup[]>; byCallerPtl: Map<boolean, Map<string, Lookup[]>> }>();

/** `callerPtl`: does every caller of the function in this document hold a page-table lock when calling it? */
function lookups(a: ResourceAnalysis, cat: Catalog, callerPtl: () => boolean): Map<string, Lookup[]> {
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
  const calls: { node: CfgNode; op: import('../c/cfg').CallOp; before: State; spec?: import('../catalog').ApiSpec }[] = [
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
  const assigns: { to: string; rhs: import('../c/cnode').CNode }[] = [];
  for (const n of a.cfg.nodes)
    for (const o of n.ops) {
      if (o.kind === 'assign' && o.op === '=' && o.target.kind === 'var' && o.rhsNode) assigns.push({ to: o.target.text, rhs: o.rhsNode });
      if (o.kind === 'decl' && o.init && !o.param) assigns.push({ to: o.name, rhs: o.init });
    }
  for (let changed = true, i = 0; changed && i < 8; i++) {
    changed = false;
    for (const x of assigns) {
      const rhs = stripParens(x.rhs);
      const srcs: string[] = [];
      if (rhs.type === 'identifier') srcs.push(rhs.text);
      else if (rhs.type === 'call_expression') for (const arg of rhs.childForFieldName('arguments')?.namedChildren ?? []) if (stripParens(arg).type === 'identifier') srcs.push(stripParens(arg).text);
      for (const v of srcs) for (const l of out.get(v) ?? []) if (v !== x.to && add(x.to, l)) changed = true;
    }
  }
  return out;
}

function lookupBefore(ls: Lookup[] | undefined, ev: AcquireEvent): Lookup | undefined {
  return ls?.filter((l) => l.line < ev.op.line || (l.line === ev.op.line && l.col < ev.op.col) || l.op.loopMacro).pop();
}

/** A branch that re-checks the lookup of `obj`: a revalidating call, or `obj != f(...)` / `x != *p`. */
function revalidation(cat: Catalog, n: CfgNode, obj: string): { failOn: boolean } | null {
  if (n.kind !== 'branch' || !n.ast) return null;
  let e: CNode = n.ast;
  const call = n.ops.find((o) => o.kind === 'call' && cat.api(o.name)?.revalidates);
  if (e.type === 'binary_expression') {
    const op = e.childForFieldName('operator')?.text;
    if (op === '!=' || op === '==') {
      const l = e.childForFieldName('left')!;
      const r = e.childForFieldName('right')!;
      const rereads = (x: CNode) => x.type === 'call_expression' || x.type === 'pointer_expression' || x.descendantsOfType(['call_expression', 'pointer_expression']).length > 0;
      if (call || (mentions(l.text, obj) && rereads(r)) || (mentions(r.text, obj) && rereads(l)) || (rereads(l) && rereads(r) && n.ops.some((o) => o.kind === 'read')))
        return { failOn: op === '!=' };
    }
  }
  if (call && e.type === 'call_expression') return { failOn: false };
  return null;
}

function findRevalidation(a: ResourceAnalysis, cat: Catalog, from: CfgNode, obj: string): CfgNode | null {
  const seen = new Set<number>();
  const work = [from];
  while (work.length) {
    const n = work.pop()!;
    if (seen.has(n.id)) continue;
    seen.add(n.id);
    if (n !== from && revalidation(cat, n, obj)) return n;
    if (n.ops.some((o) => o.kind === 'call' && cat.api(o.name)?.revalidates)) return n;
    for (const e of n.succs) work.push(e.to);
  }
  return null;
}

function heldProviding(cat: Catalog, a: ResourceAnalysis, st: State, req: ContextRequirement): boolean {
  for (const [id, b] of st) {
    const k = a.keys.get(id)!;
    if (maybeHeld(b) && cat.kind(k.kind).provides?.includes(req)) return true;
  }
  return false;
}

/** Direct calls of the document's own functions (post side), by callee name. */
const callSiteCache = new WeakMap<RuleContext, Map<string, { u: Unit; a: ResourceAnalysis; c: ResourceAnalysis['plainCalls'][number] }[]>>();
function callSites(ctx: RuleContext): Map<string, { u: Unit; a: ResourceAnalysis; c: ResourceAnalysis['plainCalls'][number] }[]> {
  let m = callSiteCache.get(ctx);
  if (m) return m;
  m = new Map();
  for (const u of ctx.units) {
    if (u.side !== 'post') continue;
    const a = resourcesOf(u, ctx);
    for (const c of a.plainCalls) {
      if (c.op.indirect) continue;
      let list = m.get(c.op.name);
      if (!list) m.set(c.op.name, (list = []));
      list.push({ u, a, c });
    }
  }
  callSiteCache.set(ctx, m);
  return m;
}

/** Context inherited from the function's callers in this document: 'yes' all callers provide it, 'no' none does, else unknown. */
const inheritCache = new WeakMap<RuleContext, Map<string, 'yes' | 'no' | 'unknown'>>();
export function inheritedContext(ctx: RuleContext, fn: string, req: ContextRequirement, depth = 0, seen = new Set<string>()): 'yes' | 'no' | 'unknown' {
  let m = inheritCache.get(ctx);
  if (!m) inheritCache.set(ctx, (m = new Map()));
  const key = `${fn}|${req}`;
  if (depth === 0 && m.has(key)) return m.get(key)!;
  if (seen.has(fn) || depth > 6) return 'unknown';
  seen.add(fn);
  let any = false;
  let all = true;
  let none = true;
  for (const { u, a, c } of callSites(ctx).get(fn) ?? []) {
    any = true;
    let ok = heldProviding(ctx.catalog, a, c.before, req);
    if (!ok) {
      let up = inheritedContext(ctx, u.cfg.name, req, depth + 1, seen);
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

function specFindings(unit: Unit, ctx: RuleContext, want: string): RawFinding[] {
  if (isCatalogPrimitive(unit, ctx.catalog)) return [];
  const cat = ctx.catalog;
  const a = resourcesOf(unit, ctx);
  const look = lookups(a, cat, () => inheritedContext(ctx, unit.cfg.name, 'ptl-held') === 'yes');
  const out: RawFinding[] = [];
  const fn = unit.cfg.name;
  for (const ev of a.events) {
    if (ev.t !== 'acquire' || !REFS.has(ev.key.kind)) continue;
    const k = ev.key;
    const lk = lookupBefore(look.get(k.obj), ev);
    const params = { function: fn, object: k.obj, acquire: ev.op.name };

    if (want === 'spec-ref/get-on-lockless-lookup' && lk && !ev.spec.speculative && !ev.eff.cond) {
      const locked = [...ev.before].some(([id, b]) => a.keys.get(id)!.family === 'lock' && maybeHeld(b));
      // a reference already held on the object or on another value of the same lookup makes a plain get safe
      const roots = new Set(look.get(k.obj) ?? []);
      const referenced = [...ev.before].some(([id, b]) => {
        const o = a.keys.get(id)!;
        return o.family === 'ref' && o !== k && maybeHeld(b) && (o.obj === k.obj || (look.get(o.obj) ?? []).some((l) => roots.has(l)));
      });
      // x86-style GUP-fast: IRQs off holds off the TLB-flush IPI that must precede the free
      const irqSafe = cat.irqOffHoldsPages(unit.fn.path) && (heldProviding(cat, a, ev.before, 'irq-off') || inheritedContext(ctx, fn, 'irq-off') !== 'no');
      if (!locked && !referenced && !irqSafe) {
        const pairs = new Set(ev.spec.pairsWith ?? []);
        const cands = cat.all().filter((s) => s.speculative && s.effects?.some((e) => e.op === 'acquire' && e.kind === k.kind && e.object === 0 && e.cond === 'bool' && e.count === undefined));
        const alt = cands.find((s) => (s.pairsWith ?? []).some((p) => pairs.has(p))) ?? cands[0];
        out.push({
          rule: want,
          message: `${ev.op.callee}(${k.obj}) assumes the refcount is already elevated, but \`${k.obj}\` comes from the lockless lookup ${lk.shown} at ${ctx.where(unit, lk.line)}: it may be being freed (refcount 0) right now. Take a speculative reference${alt ? ` (${alt.name}())` : ''} and re-check the lookup.`,
          at: posOf(ev.op, ev.op.node),
          related: [{ message: `lockless lookup of \`${k.obj}\``, at: posOf(lk.op, lk.op.node) }],
          scenario: 'S5',
          scenarioParams: { ...params, location: lk.api, release: alt?.name ?? '' },
          fingerprint: `${want}|${k.obj}|${ev.op.name}|${lk.api}`,
        });
      }
    }

    if (want === 'spec-ref/no-revalidation' && lk && ev.spec.speculative) {
      if (!findRevalidation(a, cat, ev.node, k.obj)) {
        out.push({
          rule: want,
          message: `${ev.op.callee}(${k.obj}) takes a speculative reference on the result of the lockless lookup ${lk.shown} (${ctx.where(unit, lk.line)}) but the lookup is never re-checked afterwards: \`${k.obj}\` may have been freed and reused for another file, index or mapping before the reference was taken.`,
          at: posOf(ev.op, ev.op.node),
          related: [{ message: `lockless lookup of \`${k.obj}\``, at: posOf(lk.op, lk.op.node) }],
          scenario: 'S5',
          scenarioParams: { ...params, location: lk.api },
          fingerprint: `${want}|${k.obj}|${ev.op.name}|${lk.api}`,
        });
      }
    }

    if (want === 'spec-ref/outside-rcu') {
      const req = ev.spec.requires?.find((r) => r === 'rcu-or-irq-off' || r === 'rcu' || r === 'irq-off');
      if (req && !heldProviding(cat, a, ev.before, req)) {
        const selfManaged = a.events.some((e) => e.t === 'acquire' && cat.kind(e.key.kind).provides?.includes(req));
        const inherited = selfManaged ? 'no' : inheritedContext(ctx, fn, req);
        if (inherited === 'no') {
          const what = req === 'rcu-or-irq-off' ? 'an RCU read section or with IRQs disabled' : req === 'rcu' ? 'an RCU read section' : 'IRQs disabled';
          out.push({
            rule: want,
            message: `${ev.op.callee}() must run inside ${what} (the page could otherwise be freed and reallocated under the speculative get), but it is reached outside one${selfManaged ? ' of the sections this function opens' : ' on every call path in this patch'}.`,
            at: posOf(ev.op, ev.op.node),
            related: a.events.filter((e): e is AcquireEvent => e.t === 'acquire' && !!cat.kind(e.key.kind).provides?.includes(req)).slice(0, 2).map((e) => ({ message: `${e.op.callee}() opens the section elsewhere`, at: posOf(e.op, e.op.node) })),
            scenario: 'S5',
            scenarioParams: params,
            fingerprint: `${want}|${k.obj}|${ev.op.name}`,
          });
        }
      }
    }

    if (want === 'spec-ref/pgmap-hook-skipped' && ev.spec.pgmapHook === 'skips') {
      const dropsPgmap = (ev.spec.pairsWith ?? []).some((n) => cat.releases(n).some((r) => r.alsoDrops?.includes('pgmap-ref')));
      // device-page handling counts only where it can lead to this get (memory_failure: the
      // get_dev_pagemap() branch for pfns without an online page never reaches the buddy-page get)
      const devmap = a.events.filter((e) => e.t !== 'call' && e.eff.kind === 'pgmap-ref' && reachableAvoiding(e.node, ev.node));
      if (dropsPgmap && devmap.length && !onlyNonDevice(cat, unit.cfg, ev.node)) {
        const rel = (ev.spec.pairsWith ?? []).find((n) => cat.releases(n).some((r) => r.alsoDrops?.includes('pgmap-ref')))!;
        const takes = cat.all().find((s) => s.pgmapHook === 'takes' && s.effects?.some((e) => e.op === 'acquire' && e.kind === k.kind));
        out.push({
          rule: want,
          message: `${ev.op.callee}(${k.obj}) does not take the ZONE_DEVICE dev_pagemap reference, but the matching ${rel}() drops one for device pages, and this code handles device pages (${devmap[0].op.callee}() at ${ctx.where(unit, devmap[0].op.line)}): every put of a device page taken this way underflows the pgmap refcount.${takes ? ` Use ${takes.name}() for device pages.` : ''}`,
          at: posOf(ev.op, ev.op.node),
          related: devmap.slice(0, 2).map((e) => ({ message: `device-page handling: ${e.op.callee}()`, at: posOf(e.op, e.op.node) })),
          scenario: 'S6',
          scenarioParams: { ...params, release: rel },
          fingerprint: `${want}|${k.obj}|${ev.op.name}`,
        });
      }
    }
  }

  if (want === 'spec-ref/revalidation-leak') {
    const spec = [...a.keys.values()].filter((k) => k.acquires.some((x) => x.spec.speculative));
    for (const n of unit.cfg.nodes) {
      const st = a.out[n.id];
      if (!st) continue;
      for (const k of spec) {
        if (!definitelyHeld(st.get(k.key) ?? 1)) continue;
        const rv = revalidation(cat, n, k.obj);
        if (!rv) continue;
        const fail = n.succs.find((e) => e.cond && e.cond.value === rv.failOn);
        if (!fail) continue;
        const leak = leaksOnRetry(a, fail, k);
        if (!leak) continue;
        const acq = k.acquires[0];
        out.push({
          rule: want,
          message: `When this re-check of \`${k.obj}\` fails, the speculative reference from ${acq.op.callee}() (${ctx.where(unit, acq.op.line)}) is not dropped before ${leak === 'retry' ? 'retrying' : 'leaving'}: the page can never be freed.`,
          at: nodePos(n),
          related: acquireRelated(k),
          scenarioParams: { function: fn, object: k.obj, acquire: acq.op.name },
          fingerprint: `${want}|${k.obj}|${acq.op.name}`,
        });
      }
    }
  }
  return out;
}

/** Is the edge the "not a device page" side of a device-page test (`if (pte_devmap(pte)) ... else`)? */
function nonDeviceEdge(cat: Catalog, e: CfgEdge): boolean {
  if (!e.cond || e.cond.value) return false;
  let x = stripParens(e.cond.expr);
  // likely()/unlikely() wrappers are transparent
  while (x.type === 'call_expression' && !cat.api(x.childForFieldName('function')?.text ?? '')?.devicePageTest) {
    const args = x.childForFieldName('arguments')?.namedChildren ?? [];
    if (args.length !== 1) return false;
    x = stripParens(args[0]);
  }
  return x.type === 'call_expression' && !!cat.api(x.childForFieldName('function')?.text ?? '')?.devicePageTest;
}

/** Is `target` reached only through the non-device side of device-page tests (never on a device page)? */
function onlyNonDevice(cat: Catalog, cfg: import('../c/cfg').Cfg, target: CfgNode): boolean {
  const seen = new Set<number>([target.id]);
  const work = [target];
  while (work.length) {
    const n = work.pop()!;
    if (n === cfg.entry) return false;
    for (const e of n.preds) {
      if (nonDeviceEdge(cat, e) || seen.has(e.from.id)) continue;
      seen.add(e.from.id);
      work.push(e.from);
    }
  }
  return true;
}


/** From the failing edge of a re-check: does a path go back to the loop (or out) without dropping the key? */
function leaksOnRetry(a: ResourceAnalysis, fail: CfgEdge, k: KeyInfo): 'retry' | 'exit' | null {
  const drops = a.drops.get(k.key) ?? new Set<number>();
  const seen = new Set<number>();
  const work: { n: CfgNode; via: CfgEdge }[] = [{ n: fail.to, via: fail }];
  while (work.length) {
    const { n, via } = work.pop()!;
    if (via.back) return 'retry';
    if (seen.has(n.id)) continue;
    // the object variable is overwritten (the next lookup) while the ref is still held
    if (n.ops.some((o) => (o.kind === 'assign' && o.target.kind === 'var' && o.target.text === k.obj) || (o.kind === 'decl' && o.name === k.obj))) return 'retry';
    if (drops.has(n.id)) continue;
    seen.add(n.id);
    if (n === a.cfg.exit) return 'exit';
    if (n.kind === 'goto' || via.via === 'continue') {
      /* follow */
    }
    for (const e of n.succs) work.push({ n: e.to, via: e });
  }
  return null;
}

export const SPEC_REF_RULES: readonly Rule[] = [
  {
    id: 'spec-ref/get-on-lockless-lookup',
    category: 'spec-ref',
    severity: 'error',
    title: 'Plain get on a page or folio found by a lockless lookup',
    description:
      'get_page()/folio_get() require the refcount to be already elevated. On an object returned by a lockless lookup (xas_load, xa_load, radix_tree_lookup under RCU, no lock held) the object may be being freed: use a speculative get (folio_try_get, get_page_unless_zero) and re-check the lookup.',
    check: (u, c) => specFindings(u, c, 'spec-ref/get-on-lockless-lookup'),
  },
  {
    id: 'spec-ref/no-revalidation',
    category: 'spec-ref',
    severity: 'error',
    title: 'Speculative get without re-checking the lookup',
    description:
      'A speculative get succeeds on any page whose refcount is non-zero, including one that was freed and reallocated after the lockless lookup. The lookup must be re-validated after the get (folio != xas_reload(&xas), pte_same(), folio != page_folio(page)) and the reference dropped when it changed.',
    check: (u, c) => specFindings(u, c, 'spec-ref/no-revalidation'),
  },
  {
    id: 'spec-ref/revalidation-leak',
    category: 'spec-ref',
    severity: 'error',
    title: 'Failed re-check does not drop the speculative reference',
    description: 'The re-validation after a speculative get failed, and the path retries or returns without putting the reference it took.',
    check: (u, c) => specFindings(u, c, 'spec-ref/revalidation-leak'),
  },
  {
    id: 'spec-ref/outside-rcu',
    category: 'spec-ref',
    severity: 'error',
    title: 'Speculative get outside RCU / IRQs-off',
    description:
      'page_cache_get_speculative() and try_grab_folio() are only safe while the page cannot be freed to the allocator and reused as something else without a grace period: inside rcu_read_lock() or with IRQs off (GUP-fast). Reported when the function opens such sections itself but not around this call, or when every caller in the patch calls it outside one.',
    check: (u, c) => specFindings(u, c, 'spec-ref/outside-rcu'),
  },
  {
    id: 'spec-ref/pgmap-hook-skipped',
    category: 'spec-ref',
    severity: 'error',
    title: 'Page ref taken without the ZONE_DEVICE pgmap reference (seed 004)',
    description:
      'In the v4.11 era get_page() took a dev_pagemap reference for ZONE_DEVICE pages and put_page() dropped one. page_cache_get_speculative()/get_page_unless_zero() skip that hook, so switching GUP-fast to them for pte_devmap pages made every put_page() drop a pgmap reference that was never taken (the percpu_ref underflow of the seed-004 regression).',
    check: (u, c) => specFindings(u, c, 'spec-ref/pgmap-hook-skipped'),
  },
  {
    id: 'spec-ref/pgmap-leak',
    category: 'spec-ref',
    severity: 'error',
    title: 'get_dev_pagemap() not put on every path',
    description: 'A dev_pagemap reference from get_dev_pagemap() is definitely held on an error / early exit that does not call put_dev_pagemap() (and does not hand the pgmap over): the device can never be unbound.',
    check: (u, c) => leakFindings(u, c, 'spec-ref/pgmap-leak'),
  },
];
