import type { RawFinding, Rule } from '../api';
import { posOf, callSleeps } from '../../c/facts';
import { definitelyHeld, U, HELD, type KeyInfo } from '../../analysis/resources';
import { anticipation } from '../../analysis/anticipation';
import { analysisOf } from '../common/resources';
import { replacedSleepTrace, sleepTrace } from '../common/trace';
import { replacementsOf } from '../common/replacements';
import type { RawFinding as RF, RuleContext, Unit } from '../api';
import { reachableAvoiding } from '../../analysis/leaks';
import { sleepingCallees, type SleepingCallee } from '../../analysis/summaries';
import type { CallOp } from '../../c/cfg';
import type { ApiSpec } from '../../catalog';
import { changeRun, isAddedLine, isDeletedLine, patchLineOf, preUnitOf } from '../../analysis/diff';
import type { ReleaseEvent } from '../../analysis/resources';
import { asExplained, replacementExplained } from '../common/explained';
import { fileFunctions, untracked } from '../../analysis/deps';

/**
 * A call that did not sleep replaced by one that may (GFP_ATOMIC → GFP_KERNEL,
 * mmput_async() → mmput()): the code it replaces chose not to sleep, the usual
 * sign of an atomic context that the hunk may not show. Quiet when the visible
 * code proves the context may sleep (another sleeping call on the same path).
 */
/**
 * A block that took a lock with its try form (`if (!folio_trylock(folio)) continue;`) replaced by a call of a
 * helper the patch defines that takes it with the sleeping form (`folio_lock()`): the code it replaces chose
 * not to sleep.
 */
function trylockIntoHelper(unit: Unit, ctx: RuleContext, reported: readonly RF[]): RF[] {
  const out: RF[] = [];
  const pre = preUnitOf(unit, ctx.unitsOf);
  if (!pre) return out;
  const adds = unit.cfg.nodes.flatMap((n) => n.ops.filter((o): o is CallOp => o.kind === 'call' && !o.indirect && isAddedLine(unit.image, o.line)).map((op) => ({ n, op })));
  if (!adds.length) return out;
  // the sleeping calls of each helper the patch defines in this file, on any path (the try form it replaces
  // ran on those paths only: that it sleeps on some is enough)
  const callsOf = (name: string): string[] =>
    fileFunctions(ctx, unit.fn.path)
      .flatMap((fn) => untracked(() => ctx.unitsOf(fn, 'post')))
      .filter((u) => u.cfg.name === name)
      .flatMap((u) => u.cfg.nodes.flatMap((m) => m.ops.filter((o): o is CallOp => o.kind === 'call' && !o.indirect).filter((o) => { const sp = ctx.catalog.api(o.name); return !!sp && callSleeps(sp, o); }).map((o) => o.name)));
  for (const { n, op } of adds) {
    if (ctx.catalog.api(op.name) || reported.some((f) => f.at.line === op.line)) continue;
    const sleeping = callsOf(op.name);
    if (!sleeping.length) continue;
    const h = { via: '' };
    const here = patchLineOf(unit.image, op.line);
    if (!here) continue;
    const run = changeRun(here.hunk, here.line);
    // a deleted call of the same run that took the same lock with its try form
    const tried = pre.cfg.nodes.flatMap((m) => m.ops).find((o): o is CallOp => {
      if (o.kind !== 'call' || o.indirect) return false;
      const pl = patchLineOf(pre.image, o.line);
      if (!pl || pl.hunk !== here.hunk || !run.dels.includes(pl.line)) return false;
      const spec = ctx.catalog.api(o.name);
      if (!spec || callSleeps(spec, o) || !o.name.includes('trylock')) return false;
      const v = sleeping.find((x) => x === o.name.replace('trylock', 'lock'));
      if (v) h.via = v;
      return !!v;
    });
    if (!tried) continue;
    out.push({
      rule: 'atomic-sleep/sleep-in-atomic',
      severity: 'warning',
      message: `${tried.name}() is replaced by ${op.name}(), which may sleep (it calls ${h.via}()): the code it replaces chose not to sleep, the usual sign of an atomic context (a lock or RCU held above the hunk).`,
      at: posOf(op, op.node),
      related: [{ message: `${tried.name}() did not sleep before the patch`, at: posOf(tried, tried.node), unit: pre }],
      scenarioParams: { function: unit.cfg.name, location: op.callee },
      fingerprint: `atomic-sleep/sleep-in-atomic|trylock-helper|${tried.name}|${op.name}`,
    });
    void n;
  }
  return out;
}

/** The last name of an object's text (`bufs` of `pipe->bufs`, of `(void *)bufs`, of `bufs[i]`), scanned from the end. */
function lastName(t: string): string {
  let e = t.length;
  const skip = () => {
    while (e > 0 && (t[e - 1] === ' ' || t[e - 1] === '\t' || t[e - 1] === ')')) e--;
  };
  skip();
  if (t[e - 1] === ']') {
    const open = t.lastIndexOf('[', e - 1);
    if (open < 0) return '';
    e = open;
    skip();
  }
  let b = e;
  while (b > 0 && /\w/.test(t[b - 1])) b--;
  return b < e && !/\d/.test(t[b]) ? t.slice(b, e) : '';
}

/**
 * Does the patch (any function of the same message) replace an allocation (`x->bufs = kcalloc(..)` ->
 * `kvcalloc(..)`) whose result goes to a place named like the freed object (`bufs`)?
 */
function allocatorReplaced(unit: Unit, ctx: RuleContext, freed: string): boolean {
  const name = lastName(freed);
  if (!name) return false;
  const seen = new Set<Unit['fn']>();
  for (const u of ctx.units) {
    if (u.side !== 'post' || u.fn.message !== unit.fn.message || seen.has(u.fn)) continue;
    seen.add(u.fn);
    for (const r of replacementsOf(u, ctx)) {
      if (!r.del.spec?.allocates || !r.add.spec?.allocates || r.add.op.name === r.del.op.name) continue;
      if (r.add.op.result.kind === 'assigned' && lastName(r.add.op.result.to) === name) return true;
    }
  }
  return false;
}

/** Does one argument of the call go from a GFP mask that never sleeps to one that allows direct reclaim? */
function gfpTurnedBlocking(cat: RuleContext['catalog'], del: CallOp, add: CallOp): boolean {
  return add.args.some((a, i) => !!cat.blockingGfp(a.text) && !!del.args[i] && cat.nonBlockingGfp(del.args[i].text) !== undefined);
}

function replacedSleepFindings(unit: Unit, ctx: RuleContext): RF[] {
  const out: RF[] = [];
  const reps = replacementsOf(unit, ctx);
  if (!reps.length) return out;
  const a = analysisOf(unit, ctx);
  // calls the patch itself turned into sleeping ones are no proof that the context may sleep
  const changed = new Set(reps.map((r) => r.add.op));
  const helpers = reps.some((r) => !r.add.spec) ? sleepingCallees(ctx, unit) : undefined;
  for (const r of reps) {
    // a call the catalog does not know whose GFP mask the patch turns from one that never sleeps into one that
    // allows direct reclaim (`dma_alloc_coherent(.., GFP_ATOMIC)` -> `(.., GFP_KERNEL)`): the gfp_t convention
    // says it allocates with it, so the old call did not sleep and the new one may
    const gfpTurned = !r.del.spec && !r.add.spec && r.del.op.name === r.add.op.name && gfpTurnedBlocking(ctx.catalog, r.del.op, r.add.op);
    if (!r.del.spec && !gfpTurned) continue;
    // the new call: catalogued, or a function of the document that sleeps (`folio_trylock()` replaced by a helper
    // the patch adds around `folio_lock()`)
    const helper = !r.add.spec ? helpers?.get(r.add.op.name) : undefined;
    if (r.del.spec) {
      if (!r.add.spec && !helper) continue;
      if (callSleeps(r.del.spec, r.del.op) || (r.add.spec && !callSleeps(r.add.spec, r.add.op))) continue;
      // a deferred release replaced by its synchronous form (mmput_async() -> mmput()) is the wrong release
      // call: ref-kind/mismatched-release reports it
      if (r.del.spec.sleepingForm === r.add.op.name && r.del.effects.some((e) => e.op === 'release') && r.add.effects.some((e) => e.op === 'release')) continue;
    }
    // a release of one reference kind replaced by the release of another (`mmdrop()` -> `mmput()`): the call
    // follows the reference the function holds, not the context; ref-kind/mismatched-release judges the pair
    const dRel = r.del.effects.filter((e) => e.op === 'release');
    const aRel = r.add.effects.filter((e) => e.op === 'release');
    if (dRel.length && aRel.length && !aRel.some((x) => dRel.some((d) => ctx.catalog.compatible(d.kind, x.kind) || ctx.catalog.compatible(x.kind, d.kind)))) continue;
    // a free replaced by another free of memory the patch now allocates another way (`kcalloc()` ->
    // `kvcalloc()` of the same buffer, in any function of the patch): the free follows the allocator
    if (r.del.spec?.freesMemoryOnly && r.add.spec?.freesMemoryOnly && allocatorReplaced(unit, ctx, r.add.op.args[0]?.text ?? '')) continue;
    // another call that sleeps on a path through this one, not changed by the patch: the context may sleep
    const otherSleeper = a.events.find(
      (e) => e.t === 'call' && e.op !== r.add.op && !changed.has(e.op) && callSleeps(e.spec, e.op) && (reachableAvoiding(e.node, r.add.node) || reachableAvoiding(r.add.node, e.node)),
    );
    if (otherSleeper) continue;
    // the old call sat inside an atomic section the patch takes away (`xas_lock_irq()` deleted): that section,
    // not the caller's context, is why it did not sleep
    const preA = analysisOf(r.pre, ctx);
    const preSt = preA.in[r.del.node.id];
    const removedSection =
      !!preSt &&
      [...preSt].some(([id, b]) => {
        const k = preA.keys.get(id);
        return !!k && (b & HELD) !== 0 && !!ctx.catalog.kind(k.kind).atomic && k.acquires.length > 0 && k.acquires.every((x) => isDeletedLine(r.pre.image, x.op.line));
      });
    if (removedSection) continue;
    const changedArg = r.del.op.name === r.add.op.name ? r.add.op.args.findIndex((x, i) => x.text.replace(/\s+/g, '') !== (r.del.op.args[i]?.text ?? '').replace(/\s+/g, '')) : -1;
    const how =
      changedArg >= 0
        ? `${r.add.op.name}() may now sleep (${r.del.op.args[changedArg]?.text.trim()} → ${r.add.op.args[changedArg].text.trim()})`
        : `${r.del.op.name}() is replaced by ${r.add.op.name}(), which may sleep${helper ? ` (it calls ${helper.via}())` : ''}`;
    // the author says why (`use mmput() instead of mmput_async()`, a GFP flag named in the changelog)
    // (for a changed argument: the changelog names both masks, `GFP_NOIO is available rather than GFP_ATOMIC`)
    const why =
      changedArg >= 0
        ? replacementExplained(ctx, unit, r.del.op.args[changedArg]?.text.trim() ?? '', r.add.op.args[changedArg].text.trim())
        : replacementExplained(ctx, unit, r.del.op.name, r.add.op.name);
    out.push(asExplained({
      rule: 'atomic-sleep/sleep-in-atomic',
      severity: 'warning',
      message: `${how}: the code it replaces chose not to sleep, the usual sign of an atomic context (a lock or RCU held above the hunk).`,
      at: posOf(r.add.op, r.add.op.node),
      related: [{ message: `did not sleep before the patch`, at: posOf(r.del.op, r.del.op.node), unit: r.pre }],
      scenarioParams: { function: unit.cfg.name, location: r.add.op.callee },
      trace: replacedSleepTrace(unit, ctx, r),
      fingerprint: `atomic-sleep/sleep-in-atomic|replaced|${r.del.op.name}|${r.add.op.name}`,
    }, why));
  }
  return out;
}

/**
 * A sleeping call the patch moves from after an unlock to before it (`spin_unlock(&l); kvfree(old);` →
 * `kvfree(p); ... spin_unlock(&l);`): the pre-image deferred it past the unlock on purpose; the lock is
 * taken out of sight, the unlock that stays in the patch is the evidence that it is held.
 */
function movedSleepFindings(unit: Unit, ctx: RuleContext): RF[] {
  const out: RF[] = [];
  if (unit.side !== 'post') return out;
  const pre = preUnitOf(unit, ctx.unitsOf);
  if (!pre) return out;
  const cat = ctx.catalog;
  const preA = analysisOf(pre, ctx);
  const a = analysisOf(unit, ctx);
  const done = new Set<string>();
  for (const d of preA.events) {
    if (d.t !== 'call' || !isDeletedLine(pre.image, d.op.line) || !callSleeps(d.spec, d.op)) continue;
    for (const r of preA.events) {
      if (r.t !== 'release' || !cat.kind(r.eff.kind).atomic) continue;
      const rl = patchLineOf(pre.image, r.op.line);
      if (!rl || rl.line.kind !== 'context' || !reachableAvoiding(r.node, d.node)) continue;
      const r2 = a.events.find((e): e is ReleaseEvent => e.t === 'release' && e.eff.kind === r.eff.kind && patchLineOf(unit.image, e.op.line)?.line === rl.line);
      const key = r2 && (r2.key ?? a.keyList.find((k) => k.obj === r2.obj && (cat.compatible(k.kind, r2.eff.kind) || cat.compatible(r2.eff.kind, k.kind))));
      if (!r2 || !key) continue;
      const add = a.events.find((e) => e.t === 'call' && e.op.name === d.op.name && isAddedLine(unit.image, e.op.line) && callSleeps(e.spec, e.op) && reachableAvoiding(e.node, r2.node) && !reachableAvoiding(r2.node, e.node));
      if (!add) continue;
      const id = `${add.op.line}:${add.op.col}`;
      if (done.has(id)) continue;
      done.add(id);
      const k = key;
      const label = cat.kind(k.kind).label;
      out.push({
        rule: 'atomic-sleep/sleep-in-atomic',
        severity: 'warning',
        message: `This patch moves ${add.op.callee}(), which may sleep, from after ${r.op.callee}() (${ctx.where(pre, d.op.line)} before the patch) to before it: it now runs inside the ${label}${k.obj ? ' `' + k.obj + '`' : ''}.`,
        at: posOf(add.op, add.op.node),
        related: [
          { message: `${label} closed here by ${r2.op.callee}()`, at: posOf(r2.op, r2.op.node) },
          { message: 'called after the unlock before the patch', at: posOf(d.op, d.op.node), unit: pre },
        ],
        scenarioParams: { function: unit.cfg.name, location: add.op.callee, acquire: r2.op.name, other: label },
        trace: sleepTrace(unit, ctx, a, add.op, k, true),
        fingerprint: `atomic-sleep/sleep-in-atomic|moved|${add.op.callee}|${k.kind}`,
      });
    }
  }
  return out;
}

export const sleepInAtomic: Rule = {
  id: 'atomic-sleep/sleep-in-atomic',
  category: 'atomic-sleep',
  severity: 'error',
  title: 'Sleeping call inside an atomic section',
  description:
    'A call the catalog marks as possibly sleeping (lock_page/folio_lock, mutex_lock, GFP_KERNEL allocations, copy_from_user, a vm_ops->fault handler ...) is reached while an RCU read section, IRQs-off or preemption-off section, spinlock, page-table lock or pagefault-disabled section is held: opened above it on every path, or — when the opening is out of sight — closed below it on every path.',
  check(unit, ctx) {
    const a = analysisOf(unit, ctx);
    const cat = ctx.catalog;
    const an = anticipation(a);
    const out: RawFinding[] = [];
    // catalogued sleeping calls, and calls to the document's own functions that may sleep (their sleeping call named)
    const sleepers = sleepingCallees(ctx, unit);
    const candidates: { node: typeof a.events[number]['node']; op: CallOp; before: ReadonlyMap<string, number>; spec?: ApiSpec; through?: SleepingCallee }[] = [];
    for (const ev of a.events) if (ev.t === 'call' && callSleeps(ev.spec, ev.op) && !(ev.op.indirect && ev.spec.indirect === false)) candidates.push({ node: ev.node, op: ev.op, before: ev.before, spec: ev.spec });
    for (const c of a.plainCalls) {
      const s = !c.op.indirect ? sleepers.get(c.op.name) : undefined;
      if (s) candidates.push({ node: c.node, op: c.op, before: c.before, through: s });
      else {
        // a function handed a GFP mask that allows direct reclaim allocates with it (the gfp_t convention):
        // not a predicate or a mask computed for another call (`gfp = mapping_gfp_constraint(m, GFP_KERNEL)`)
        const r = c.op.result;
        const maskResult = r.kind === 'condition' || r.kind === 'compared' || r.kind === 'argument' || (r.kind === 'assigned' && /\bgfp_t\b/.test(a.types.get(r.to.trim()) ?? ''));
        const mask = maskResult ? undefined : c.op.args.map((x) => cat.blockingGfp(x.text)).find((m) => m !== undefined);
        if (mask) candidates.push({ node: c.node, op: c.op, before: c.before, through: { via: mask, line: c.op.line, chain: `it is passed ${mask} and allocates with it` } });
      }
    }
    for (const ev of candidates) {
      const opIndex = ev.node.ops.indexOf(ev.op);
      const held: { k: KeyInfo; inferred: boolean }[] = [];
      const seen = new Set<string>();
      for (const k of a.keyList) {
        if (!cat.kind(k.kind).atomic) continue;
        const b = ev.before.get(k.key) ?? a.initial;
        if (definitelyHeld(b)) held.push({ k, inferred: false });
        // the section was opened out of sight: it is held here if every path from here closes it
        else if (b & U && !(b & ~(U | HELD)) && an.mustReleaseAfter(ev.node, opIndex, k)) held.push({ k, inferred: true });
        seen.add(k.key);
      }
      if (!held.length) continue;
      // copy_from_user() under pagefault_disable() fails fast instead of faulting in (and sleeping)
      if (ev.spec?.sleepsOnlyByFaulting && held.some(({ k }) => cat.kind(k.kind).provides?.includes('pagefault-disabled'))) continue;
      const { k, inferred } = held[0];
      const acq = k.acquires[0];
      const rel = inferred ? a.events.find((e) => e.t === 'release' && e.key === k) : undefined;
      const label = cat.kind(k.kind).label;
      const opened = acq && !inferred ? `opened by ${acq.op.callee}() at ${ctx.where(unit, acq.op.line)}` : rel ? `closed below by ${rel.op.callee}() at ${ctx.where(unit, rel.op.line)} on every path` : 'held by the caller';
      out.push({
        rule: this.id,
        message: `${ev.op.callee}() may sleep${ev.through ? ` (${ev.through.chain})` : ''}, but it runs inside the ${label}${k.obj ? ' `' + k.obj + '`' : ''} ${opened}${held.length > 1 ? ` (also held: ${held.slice(1).map((h) => cat.kind(h.k.kind).label).join(', ')})` : ''}.`,
        at: posOf(ev.op, ev.op.node),
        related: held.flatMap(({ k: hk, inferred: inf }) => {
          if (!inf) return hk.acquires.slice(0, 1).map((x) => ({ message: `${cat.kind(hk.kind).label} opened here by ${x.op.callee}()`, at: posOf(x.op, x.op.node) }));
          const r = a.events.find((e) => e.t === 'release' && e.key === hk);
          return r ? [{ message: `${cat.kind(hk.kind).label} closed here by ${r.op.callee}()`, at: posOf(r.op, r.op.node) }] : [];
        }),
        scenarioParams: { function: unit.cfg.name, location: ev.op.callee, acquire: acq?.op.name ?? rel?.op.name ?? '', other: label },
        trace: sleepTrace(unit, ctx, a, ev.op, k, inferred),
        fingerprint: `${this.id}|${ev.op.callee}|${held.map((h) => h.k.kind).sort().join(',')}`,
      });
    }
    const moved = movedSleepFindings(unit, ctx).filter((m) => !out.some((f) => f.at.line === m.at.line));
    const replaced = replacedSleepFindings(unit, ctx);
    const all = [...out, ...replaced, ...moved];
    return [...all, ...(unit.side === 'post' ? trylockIntoHelper(unit, ctx, all) : [])];
  },
};
