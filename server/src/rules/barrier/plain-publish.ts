/**
 * barrier/plain-publish: an object initialised and then made reachable by
 * other CPUs with a plain store and nothing ordering the two (message
 * passing, LKMM MP): a pointer stored into a global variable, a slot of a
 * global array, or a field another CPU reads locklessly; or a page table
 * linked with a catalogued publisher (pmd_populate()) with no smp_wmb()
 * before it.
 *
 * Not publications: stores into the function's own objects (locals, fresh
 * allocations), stores through this CPU's per-CPU pointer, and stores made
 * while a lock or an IRQ/preemption-off section is held on every path (the
 * readers take it too). The initialisation must belong to the object that is
 * published: a reassignment of the pointer in between ends the search.
 */
import { docIndex, eventsOf, globalName, lockHeldAt, readersOf, underLock, type Ev, type UnitEvents } from '../../analysis/ordering';
import type { CallOp, CfgNode, Operation } from '../../c/cfg';
import type { RawFinding, Rule, RuleContext, Unit } from '../api';
import { commentedBarrier, insertBefore, pos } from './shared';
import { publishTrace } from '../common/trace';
import { isAddedLine, isDeletedLine, patchLineOf, preUnitOf } from '../../analysis/diff';
import { reachableAvoiding } from '../../analysis/leaks';

interface Local {
  fresh: boolean;
  pointer: boolean;
}

/** A publication site: a store event, or a plain store to a global variable (no memory event: it is not through a pointer). */
interface Site {
  node: CfgNode;
  /** Index in node.ops of the storing operation. */
  opIdx: number;
  ev?: Ev;
  /** What is stored. */
  value: string;
  /** Where, as written. */
  target: string;
  key: string;
  publisher?: string;
  /** Shared because it is global (a variable or a slot of a global array): lockless readers must be shown. */
  global?: { global: string } | { loc: string };
  line: number;
  col: number;
  endCol?: number;
}

function opEvents(ue: UnitEvents): Map<Operation, Ev[]> {
  const m = new Map<Operation, Ev[]>();
  for (const e of ue.all) {
    let l = m.get(e.op);
    if (!l) m.set(e.op, (l = []));
    l.push(e);
  }
  return m;
}

/** The operation assigns `p` (a new object, or another one): `p = ...`, `T *p = ...`. */
function assigns(op: Operation, p: string): boolean {
  if (op.kind === 'assign') return op.lhs.replace(/\s+/g, '') === p;
  if (op.kind === 'decl') return op.name === p && !!op.init;
  return false;
}

/**
 * Walk backwards from a publication: an initialisation of p reachable with no
 * smp_wmb()/full barrier/release store in between, and no reassignment of p.
 */
function initBefore(ue: UnitEvents, byOp: Map<Operation, Ev[]>, site: Site, p: string, isInit: (e: Ev) => boolean): Ev | undefined {
  const visited = new Set<number>();
  const stack: { node: CfgNode; i: number }[] = [{ node: site.node, i: site.opIdx - 1 }];
  let budget = 20000;
  while (stack.length && budget-- > 0) {
    const { node, i } = stack.pop()!;
    // code the hunks do not show may hold the barrier: unknown
    let stopped = node.role === 'gap';
    for (let k = i; k >= 0 && !stopped; k--) {
      const op = node.ops[k];
      if (assigns(op, p)) {
        // `p = pte_alloc_one(mm)`: the assignment of an initialiser's result is the initialisation
        const prev = k > 0 ? node.ops[k - 1] : undefined;
        const init = prev && prev.kind === 'call' ? (byOp.get(prev) ?? []).find(isInit) : undefined;
        if (init) return init;
        if (op.kind === 'decl') {
          const inDecl = node.ops.slice(0, k).reverse().find((o) => o.kind === 'call' && o.result.kind === 'assigned' && o.result.to.trim() === p);
          const e = inDecl ? (byOp.get(inDecl) ?? []).find(isInit) : undefined;
          if (e) return e;
        }
        stopped = true;
        break;
      }
      const evs = byOp.get(op) ?? [];
      for (let j = evs.length - 1; j >= 0; j--) {
        const e = evs[j];
        if (e.kind === 'fence' && (e.ordering === 'full' || e.ordering === 'wmb')) {
          stopped = true;
          break;
        }
        if ((e.kind === 'store' || e.kind === 'rmw') && (e.ordering === 'release' || e.ordering === 'full')) {
          stopped = true;
          break;
        }
        if (isInit(e)) return e;
      }
    }
    if (stopped) continue;
    for (const edge of node.preds) {
      if (visited.has(edge.from.id)) continue;
      visited.add(edge.from.id);
      stack.push({ node: edge.from, i: edge.from.ops.length - 1 });
    }
  }
  return undefined;
}

export const plainPublish: Rule = {
  id: 'barrier/plain-publish',
  category: 'barrier',
  severity: 'warning',
  title: 'Initialised object published with a plain store',
  description:
    'A new object is initialised and then made reachable (a pointer stored into a global variable, a slot of a global array or a field other CPUs read locklessly; a page table linked with pmd_populate()) with a plain store and no smp_wmb()/release in between: another CPU can follow the new pointer and see the old (uninitialised) contents. Use rcu_assign_pointer()/smp_store_release(), or smp_wmb() before the store (WRITE_ONCE() for the store itself), or smp_wmb() before populating a page table (mm/memory.c __pte_alloc()). Stores into the function\'s own objects, through this CPU\'s per-CPU pointer, or under a lock held on every path are not publications. Seed 001 keeps the smp_wmb() after pte_alloc_one().',
  check(unit, ctx) {
    const cat = ctx.catalog;
    const F = cat.repairs();
    const out: RawFinding[] = [];
    const ue = eventsOf(unit, ctx);
    const idx = docIndex(ctx, unit.side);
    const byOp = opEvents(ue);
    // locals: declared in the function (not parameters); every name declared here, parameters included
    const locals = new Map<string, Local>();
    const declared = new Set<string>();
    for (const n of unit.cfg.nodes)
      for (const op of n.ops) {
        if (op.kind !== 'decl') continue;
        declared.add(op.name);
        if (!op.param) locals.set(op.name, { fresh: false, pointer: op.type.includes('*') });
      }
    // fresh: holds a new object from a catalogued allocator (kmalloc(), pte_alloc_one()), which nobody else can reach
    // yet. A name the visible text does not declare (declared above the hunk) is taken as a local pointer.
    const isGlobal = globalName(ctx, unit);
    for (const e of ue.all)
      if (e.op.kind === 'call' && e.op.result.kind === 'assigned' && e.api && cat.allocates(e.api)) {
        const to = e.op.result.to.trim();
        const v = locals.get(to);
        if (v) v.fresh = true;
        else if (!declared.has(to) && !isGlobal(to) && !unit.image.complete && /^[A-Za-z_]\w*$/.test(to)) locals.set(to, { fresh: true, pointer: true });
      }
    // boot-only code (`__init`): what it publishes has no concurrent reader yet
    if (bootOnly(unit, ctx)) return out;
    const isInitOf = (p: string) => (e: Ev): boolean => {
      if (e.kind === 'store' && e.op.kind === 'write' && !e.marked && e.op.lvalue.base === p && e.op.lvalue.kind !== 'var') return true;
      if (e.kind === 'call' && e.op.kind === 'call' && e.op.result.kind === 'assigned' && e.op.result.to.trim() === p && cat.initialisesResult(e.api ?? e.op.name)) return true;
      return false;
    };
    const sites: Site[] = [];
    for (const n of unit.cfg.nodes) {
      n.ops.forEach((op, opIdx) => {
        // a plain store to a global variable: `cache = p;`
        if (op.kind === 'assign' && op.op === '=' && op.target.kind === 'var' && op.rhs && isGlobal(op.target.text.trim())) {
          const g = op.target.text.trim();
          sites.push({ node: n, opIdx, value: op.rhs.trim(), target: g, key: g, global: { global: g }, line: op.line, col: op.col });
          return;
        }
        for (const e of byOp.get(op) ?? []) {
          if (e.op.kind === 'call') {
            const arg = cat.publishedArg(e.api ?? e.op.name);
            if (arg !== undefined && e.kind === 'store') {
              const call = e.op as CallOp;
              // populating a page-table entry on the stack (`&__pmd`) publishes nothing
              const dest = /^\s*&\s*([A-Za-z_]\w*)\s*$/.exec(call.args[1]?.text ?? '');
              if (dest && locals.has(dest[1])) continue;
              sites.push({ node: n, opIdx, ev: e, value: call.args[arg]?.text.trim() ?? '', target: e.locText ?? '', key: e.loc ?? e.name ?? '', publisher: e.name, line: e.line, col: e.col, endCol: e.endCol });
              continue;
            }
          }
          if (e.kind !== 'store' || (e.ordering !== 'plain' && e.ordering !== 'none') || !e.valueText || !e.loc) continue;
          if (e.perCpu) continue;
          const target = e.op.kind === 'write' ? e.op.lvalue : undefined;
          const text = target ? target.text : e.op.kind === 'call' ? e.op.args[0]?.text ?? '' : '';
          const base = target ? target.base : /^[A-Za-z_]\w*/.exec(text.replace(/^[\s&(]+/, ''))?.[0];
          const throughField = target ? target.kind === 'field' && !!target.arrow : /->\s*[A-Za-z_]\w*\s*$/.test(text);
          const fieldSlot = (target?.kind === 'index' || /\]\s*$/.test(text)) && /->/.test(text);
          const globalSlot = (target?.kind === 'index' || /\]\s*$/.test(text)) && !!base && isGlobal(base) && !/->/.test(text);
          // WRITE_ONCE(global, p): a marked store to a global variable
          const gname = !target && /^\s*[A-Za-z_]\w*\s*$/.test(text) ? text.trim() : undefined;
          const globalVar = !!gname && isGlobal(gname);
          if (globalVar) {
            sites.push({ node: n, opIdx, ev: e, value: e.valueText.trim(), target: gname!, key: e.loc, global: { global: gname! }, line: e.line, col: e.col, endCol: e.endCol });
            continue;
          }
          if (!throughField && !fieldSlot && !globalSlot) continue; // `*out = p` (an out-parameter), a local
          if (base && locals.get(base)) continue; // storing into a local object (new, or on the stack)
          // A field or a field's slot is shared when other CPUs read it locklessly: a marked store
          // (WRITE_ONCE), or a marked load of it somewhere in the document.
          // A field name too generic to pair functions by (`next`, `data`) is no evidence: another
          // structure's field of the same name is read there.
          if (!globalSlot && !e.marked && (cat.isGenericLocation(e.loc) || !idx.readers.get(e.loc)?.size)) continue;
          sites.push({ node: n, opIdx, ev: e, value: e.valueText.trim(), target: e.locText ?? text, key: e.loc, ...(globalSlot ? { global: { loc: e.loc } } : {}), line: e.line, col: e.col, endCol: e.endCol });
        }
      });
    }
    for (const site of sites) {
      const p = site.value;
      if (!p || !/^[A-Za-z_]\w*$/.test(p)) continue;
      const local = locals.get(p);
      if (!local || (!site.publisher && (!local.fresh || !local.pointer))) continue;
      // readers serialised with the writer by a lock (or IRQs/preemption off for per-CPU data)
      if (!site.publisher && site.ev && underLock(ctx, ue, site.ev, true)) continue;
      if (!site.publisher && !site.ev && (heldAtOp(ue, byOp, site) || underLock(ctx, ue, site.node))) continue;
      const init = initBefore(ue, byOp, site, p, isInitOf(p));
      if (!init) continue;
      // A global is shared: published unless every reader the document shows takes a lock (then the
      // writer's callers take it too). The writer preparing the object (`n->next = head`) is no reader.
      if (site.global) {
        const prep = (u: Unit, n: CfgNode) => u === unit && (n === site.node || ue.byNode[n.id].some((x) => (x.kind === 'store' || x.kind === 'rmw') && x.base === p));
        const readers = readersOf(ctx, unit.side, site.global, (u, n) => prep(u as Unit, n), unit.fn.path);
        if (readers.length && readers.every((r) => r.locked)) continue;
      }
      out.push(finding(unit, ctx, site, p, init));
    }
    out.push(...movedPublications(unit, ctx, ue, isInitOf));
    return out;
  },
};

/**
 * A publishing release the patch moves above the initialisation it ordered
 * (`rcu_assign_pointer(slot, ctx)` moved before `ctx->field = ...`): the
 * release orders only what comes before it, so a reader that follows the new
 * pointer can see the fields written after it uninitialised.
 */
function movedPublications(unit: Unit, ctx: RuleContext, ue: UnitEvents, isInitOf: (p: string) => (e: Ev) => boolean): RawFinding[] {
  const out: RawFinding[] = [];
  if (unit.side !== 'post') return out;
  const pre = preUnitOf(unit, ctx.unitsOf);
  if (!pre) return out;
  const norm = (t: string) => t.replace(/\s+/g, '');
  const preUe = eventsOf(pre, ctx);
  for (const e of ue.all) {
    if (e.op.kind !== 'call' || e.kind !== 'store' || e.ordering !== 'release' || !isAddedLine(unit.image, e.line)) continue;
    const call = e.op as CallOp;
    const p = call.args[call.args.length - 1]?.text.trim() ?? '';
    if (!/^[A-Za-z_]\w*$/.test(p)) continue;
    const d = preUe.all.find((x) => x.op.kind === 'call' && isDeletedLine(pre.image, x.line) && norm((x.op as CallOp).node.text) === norm(call.node.text));
    if (!d) continue;
    const dNode = pre.cfg.nodes.find((n) => n.ops.includes(d.op));
    const eNode = unit.cfg.nodes.find((n) => n.ops.includes(e.op));
    if (!dNode || !eNode) continue;
    // an initialisation of p after the publication now, before it in the pre-image
    const init = ue.all.find((x) => {
      if (!isInitOf(p)(x) || x === e) return false;
      const pl = patchLineOf(unit.image, x.line);
      if (!pl || pl.line.kind !== 'context') return false;
      const xNode = unit.cfg.nodes.find((n) => n.ops.includes(x.op));
      if (!xNode || !(xNode === eNode ? eNode.ops.indexOf(x.op) > eNode.ops.indexOf(e.op) : reachableAvoiding(eNode, xNode))) return false;
      const px = preUe.all.find((y) => y.op.kind === x.op.kind && patchLineOf(pre.image, y.line)?.line === pl.line);
      const pxNode = px && pre.cfg.nodes.find((n) => n.ops.includes(px.op));
      return !!pxNode && (pxNode === dNode ? dNode.ops.indexOf(px!.op) < dNode.ops.indexOf(d.op) : reachableAvoiding(pxNode, dNode));
    });
    if (!init) continue;
    const at = { line: e.line, col: e.col, endCol: e.endCol };
    const text = norm(call.node.text) === call.node.text ? call.node.text : call.node.text.replace(/\s+/g, ' ');
    out.push({
      rule: 'barrier/plain-publish',
      message: `This patch moves \`${text}\` above the initialisation of ${p} (${init.locText ?? init.name}): the release orders only what comes before it, so a reader that follows the new pointer can see ${init.locText ?? p} uninitialised.`,
      at,
      related: [
        { message: `${p} initialised here, after the publication`, at: pos(init) },
        { message: `published here before the patch, after the initialisation`, at: { line: d.line, col: d.col }, unit: pre },
      ],
      scenario: 'S8',
      scenarioParams: { function: unit.fn.name, object: p, location: e.locText ?? e.name ?? '' },
      trace: publishTrace(unit, ctx, init, p, e.locText ?? '', at, text.replace(/;\s*$/, ''), e.name, ctx.catalog.repairs().wmb, []),
      fingerprint: `barrier/plain-publish|moved|${p}|${e.loc ?? e.name ?? ''}`,
    });
  }
  return out;
}

/** A lock or section held on every path at a store that has no event of its own (a global variable). */
function heldAtOp(ue: UnitEvents, byOp: Map<Operation, Ev[]>, site: Site): boolean {
  // the held set of the first event of the node at or after the store, else the node's entry set
  for (let k = site.opIdx; k < site.node.ops.length; k++) {
    const e = (byOp.get(site.node.ops[k]) ?? [])[0];
    if (e) return lockHeldAt(ue, e, true);
  }
  return lockHeldAt(ue, site.node, true);
}

/** The function carries a boot-only section annotation (`__init`), blanked for the parser. */
function bootOnly(unit: Unit, ctx: RuleContext): boolean {
  const text = unit.variant.text;
  const brace = text.indexOf('{');
  const headLines = brace < 0 ? 0 : text.slice(0, brace).split('\n').length - 1;
  return unit.variant.rewrites.some((r) => r.kind === 'annotation' && r.line <= headLines && ctx.catalog.isBootOnly(r.original.trim()));
}

function finding(unit: Unit, ctx: RuleContext, site: Site, p: string, init: Ev): RawFinding {
  const F = ctx.catalog.repairs();
  const at = { line: site.line, col: site.col, endCol: site.endCol };
  const anchor = site.ev ?? ({ line: site.line, col: site.col } as Ev);
  const what = site.publisher ? `${site.publisher}() links ${p}` : `The plain store of ${p} to ${site.target}`;
  const use = site.publisher ? `${F.wmb}() before ${site.publisher}()` : `${F.release}()/${F.publishRcu}(), or ${F.wmb}() then ${F.marked}()`;
  return {
    rule: 'barrier/plain-publish',
    message: `${what} after initialising it (${init.kind === 'call' ? init.name : init.locText}) with no ${F.wmb}()/release between: another CPU can see ${p} before its contents. Use ${use}.`,
    at,
    related: [
      { message: `${p} initialised here (${init.kind === 'call' ? `${init.name}()` : init.locText})`, at: pos(init) },
      { message: `${p} published here: ${site.publisher ? `${site.publisher}() makes it reachable from the page tables` : `other CPUs read ${site.target} without a lock`}`, at },
    ],
    scenario: 'S8',
    scenarioParams: { function: unit.fn.name, object: p, location: site.target || site.publisher || '' },
    fixes: [{ title: `Insert ${F.wmb}() before ${site.publisher ? `${site.publisher}()` : 'the publishing store'}`, edits: [insertBefore(unit, anchor, commentedBarrier(F.wmb, `initialise ${p} before publishing it${site.publisher ? ` with ${site.publisher}()` : ''}`))] }],
    trace: publishTrace(unit, ctx, init, p, site.target, at, (site.node.stmt ?? site.node.ast)?.text.replace(/;\s*$/, '') ?? site.target, site.publisher, F.wmb, []),
    fingerprint: `barrier/plain-publish|${p}|${site.key}`,
  };
}
