/**
 * barrier/removed: the patch deletes a barrier (or weakens an ordered
 * access: smp_store_release() -> WRITE_ONCE(), smp_mb() -> smp_wmb()) and
 * nothing takes over its ordering.
 *
 * Silent when the ordering is still provided:
 * - the same barrier, or one at least as strong, is added in the function
 *   (a barrier moved within the function);
 * - a primitive that orders is added: a lock or unlock, an acquire/release
 *   access, a fully ordered RMW (xchg(), cmpxchg(), test_and_set_bit(), a
 *   value-returning atomic), a call that synchronises internally
 *   (percpu_ref_kill(), complete(), synchronize_rcu()), all from the catalog;
 * - a function the document defines provides it: newly called here, or one
 *   this function calls that the patch gives the barrier;
 * - the accesses it ordered are deleted with it (nothing left to order).
 * When the commit message explains the removal, the finding is information
 * and quotes the sentence.
 */
import { changelogOf, docIndex, eventsOf, explainsRemoval, strengthOf, type Ev } from '../../analysis/ordering';
import type { Hunk, HunkLine } from '../../patch/model';
import type { RawFinding, RawRelated, Rule, RuleContext, Unit } from '../api';
import { barrierCallsOn, indentOf, lineText, nearestAccess, patchLineOf, pos, type BarrierCall } from './shared';
import { removedTrace } from '../common/trace';

/** The post-image line nearest to where a deleted line was: the next surviving line of its hunk, else the previous. */
function postAnchor(unit: Unit, del: HunkLine, hunks: readonly Hunk[]): number | undefined {
  const origin = unit.image.origin;
  const lineOf = (hl: HunkLine) => origin.findIndex((o) => o.kind === 'patch' && o.line === hl);
  for (const h of hunks) {
    const i = h.lines.indexOf(del);
    if (i < 0) continue;
    for (let j = i + 1; j < h.lines.length; j++) {
      if (h.lines[j].kind === 'del') continue;
      const l = lineOf(h.lines[j]);
      if (l >= 0 && lineText(unit, l).trim()) return l;
    }
    for (let j = i - 1; j >= 0; j--) {
      if (h.lines[j].kind === 'del') continue;
      const l = lineOf(h.lines[j]);
      if (l >= 0) return l;
    }
  }
  return undefined;
}

/** The message of an unexplained removal: with the ordered accesses when that stays short (the detail is in the related locations). */
function unexplained(barrier: string, fn: string, before: Ev | undefined, after: Ev | undefined): string {
  const tail = 'Say in the changelog what orders them now.';
  const pair = before && after ? `the ${describe(before)} before the ${describe(after)}` : before ? `the ${describe(before)} before what follows` : after ? `what precedes it before the ${describe(after)}` : '';
  const long = pair ? `The patch removes ${barrier}() from ${fn}(), which ordered ${pair}; nothing added orders them. ${tail}` : '';
  if (long && long.length <= 200) return long;
  return `The patch removes ${barrier}() from ${fn}() and adds nothing that orders these accesses instead. ${tail}`;
}

function describe(e: Ev): string {
  return `${e.kind === 'load' ? 'load of' : 'store to'} ${e.locText}`;
}

/** The same barrier (or a stronger fence) on an added line of another function of the same patch message. */
function movedElsewhere(ctx: RuleContext, unit: Unit, d: BarrierCall): BarrierCall | undefined {
  const need = Math.max(1, strengthOf(ctx, d.name));
  for (const f of ctx.functions) {
    if (f === unit.fn || f.message !== unit.fn.message || !f.post) continue;
    const b = barrierCallsOn(ctx.unitsOf(f, 'post'), ctx, 'add').find((a) => a.name === d.name || strengthOf(ctx, a.name) === 3 || strengthOf(ctx, a.name) >= need + 2);
    if (b) return b;
  }
  return undefined;
}

/**
 * A call on an added line of the same hunk, within three lines of the
 * removed barrier, to a function neither the catalog nor the document
 * defines: the ordering may have moved into it, and its body is code the
 * patch does not show.
 */
function unseenCallee(ctx: RuleContext, unit: Unit, d: BarrierCall, added: readonly Ev[]): Ev | undefined {
  const hunk = unit.fn.hunks.find((h) => h.lines.includes(d.hl));
  if (!hunk) return undefined;
  const at = hunk.lines.indexOf(d.hl);
  const defined = new Set(ctx.functions.map((f) => f.name));
  // a call the hunk also deletes was rewritten (a comment or a condition changed), not put in the barrier's place
  const deletedText = hunk.lines.filter((l) => l.kind === 'del').map((l) => l.text).join('\n');
  for (const e of added) {
    if (e.kind !== 'call' || e.op.kind !== 'call' || e.op.indirect || e.api || defined.has(e.op.name)) continue;
    if (deletedText.includes(`${e.op.name}(`)) continue;
    const hl = patchLineOf(unitOf(ctx, unit, e), e.line);
    if (!hl) continue;
    const k = hunk.lines.indexOf(hl);
    if (k >= 0 && Math.abs(k - at) <= 3) return e;
  }
  return undefined;
}

/** The post unit an added event belongs to (events carry their node, and the node its unit's CFG). */
function unitOf(ctx: RuleContext, unit: Unit, e: Ev): Unit {
  return ctx.unitsOf(unit.fn, 'post').find((u) => u.cfg.nodes[e.node.id] === e.node) ?? unit;
}

/** Events on added lines of the post units. */
function addedEvents(posts: readonly Unit[], ctx: RuleContext): Ev[] {
  const out: Ev[] = [];
  for (const u of posts) for (const e of eventsOf(u, ctx).all) if (patchLineOf(u, e.line)?.kind === 'add') out.push(e);
  return out;
}

/** What on the post side takes over the ordering of a removed barrier of strength `need`, if anything (for messages: its name). */
function replacement(ctx: RuleContext, unit: Unit, posts: readonly Unit[], d: BarrierCall, need: number, added: readonly Ev[], addedBarriers: readonly BarrierCall[]): string | undefined {
  const cat = ctx.catalog;
  // the same barrier, or a pure fence as strong (smp_wmb() cannot stand in for smp_rmb())
  // (one added barrier covers every removed one: barriers removed from the arms of an if and added once
  // after it are the common shape)
  const same = addedBarriers.find((a) => a.name === d.name) ?? addedBarriers.find((a) => strengthOf(ctx, a.name) === 3 && need <= 3);
  if (same) return same.name;
  // a catalogued primitive that orders, on an added line
  for (const e of added) {
    if (!e.api || cat.wantsComment(e.api)) continue; // barriers proper are matched above
    const st = strengthOf(ctx, e.api);
    const orders = (e.kind === 'rmw' || e.kind === 'store') && e.ordering === 'full' ? 3 : st;
    if (orders >= 2 || cat.internalSync(e.api) || cat.api(e.api)?.synchronizes) return e.name;
  }
  // a function of the document that provides the ordering
  const idx = docIndex(ctx, 'post');
  const preIdx = docIndex(ctx, 'pre');
  const preCalls = new Set<string>();
  for (const u of ctx.unitsOf(unit.fn, 'pre')) for (const e of eventsOf(u, ctx).all) if (e.name) preCalls.add(e.name);
  for (const u of posts)
    for (const e of eventsOf(u, ctx).all) {
      if (e.op.kind !== 'call' || !e.name || e.name === unit.fn.name) continue;
      const prov = idx.orderingIn.get(e.name);
      if (!prov || prov.strength < Math.min(need, 2)) continue;
      // the helper the ordered store itself moved into, as a plain store: its other ordering is not this one's
      if (d.ev?.loc && movedStoreIn(ctx, e.name, d.ev.loc)) continue;
      // newly called here (the call is added), or the callee gained its barrier in this patch
      const newCall = patchLineOf(u, e.line)?.kind === 'add' || !preCalls.has(e.name);
      const before = preIdx.orderingIn.get(e.name);
      const gained = !before || before.strength < prov.strength || [...prov.names].some((n) => !before.names.has(n));
      if (newCall || gained) return `${e.name}() (${[...prov.names].slice(0, 2).map((n) => `${n}()`).join(', ')})`;
    }
  return undefined;
}

/** Does the document's function `name` store to `loc` on an added line with no ordering of its own (a moved smp_store_release() turned WRITE_ONCE())? */
function movedStoreIn(ctx: RuleContext, name: string, loc: string): boolean {
  for (const u of ctx.units) {
    if (u.side !== 'post' || u.fn.name !== name) continue;
    for (const e of eventsOf(u, ctx).all)
      if (e.kind === 'store' && e.loc === loc && e.ordering !== 'release' && e.ordering !== 'full' && patchLineOf(u, e.line)?.kind === 'add') return true;
  }
  return false;
}

/**
 * The accesses the barrier ordered are deleted with it: the nearest access
 * on one side of it is on a deleted line, and no added line accesses that
 * location again.
 */
function deletedTogether(d: BarrierCall, ctx: RuleContext, added: readonly Ev[], unit: Unit): boolean {
  const near = [nearestAccess(d.unit, ctx, d.op.line, -1), nearestAccess(d.unit, ctx, d.op.line, 1)];
  const addedLocs = new Set(added.map((e) => e.loc).filter(Boolean));
  // code moved into another function of the same patch (a new helper) takes its accesses along: the barrier is
  // needed there, not gone with them
  for (const u of ctx.units) {
    if (u.side !== 'post' || u.fn === unit.fn || u.fn.message !== unit.fn.message || u.fn.path !== unit.fn.path) continue;
    for (const e of eventsOf(u, ctx).all) if (e.loc && patchLineOf(u, e.line)?.kind === 'add') addedLocs.add(e.loc);
  }
  if (d.ev?.loc && addedLocs.has(d.ev.loc)) return false;
  return near.some((e) => !!e && patchLineOf(d.unit, e.line)?.kind === 'del' && !addedLocs.has(e.loc));
}

export const removed: Rule = {
  id: 'barrier/removed',
  category: 'barrier',
  severity: 'warning',
  title: 'The patch removes a memory barrier',
  description:
    'A barrier call on a deleted line has no counterpart on the added lines of the same function: not the same barrier or a stronger one, not a primitive that orders (a lock, an acquire/release access, a fully ordered RMW, a call that synchronises internally such as percpu_ref_kill() or complete()), not a helper of the patch that provides the barrier. A barrier moved within the function, or deleted together with the accesses it ordered, is not reported. Removing a barrier is sometimes right, but it always needs an explanation of what ordered those accesses before and why it is no longer needed: when the commit message gives one, the finding is information and quotes it.',
  check(unit, ctx) {
    const fn = unit.fn;
    if (unit.side !== 'post' || !fn.pre || !fn.post) return [];
    const posts = ctx.unitsOf(fn, 'post');
    if (posts[0] !== unit) return [];
    const dels = barrierCallsOn(ctx.unitsOf(fn, 'pre'), ctx, 'del');
    const addedBarriers = barrierCallsOn(posts, ctx, 'add');
    const added = addedEvents(posts, ctx);
    const out: RawFinding[] = [];
    for (const d of dels) {
      const need = Math.max(1, strengthOf(ctx, d.name));
      if (replacement(ctx, unit, posts, d, need, added, addedBarriers)) continue;
      if (deletedTogether(d, ctx, added, unit)) continue;
      const at = postAnchor(unit, d.hl, fn.hunks);
      if (at === undefined) continue;
      // the accesses it ordered: the nearest before it, and the nearest after it of another location
      // (smp_wmb() orders stores, smp_rmb() loads)
      const o = ctx.catalog.api(d.name)?.ordering;
      const kinds = o === 'wmb' ? 'stores' : o === 'rmb' ? 'loads' : 'any';
      const before = nearestAccess(d.unit, ctx, d.op.line, -1, undefined, kinds);
      const next = nearestAccess(d.unit, ctx, d.op.line, 1, before?.loc, kinds) ?? (before ? undefined : nearestAccess(d.unit, ctx, d.op.line, 1, undefined, kinds));
      // two locations that read the same ("the store to page->flags before the store to page->flags") say nothing
      const after = next && before && describe(next) === describe(before) ? undefined : next;
      const related: RawRelated[] = [];
      if (d.ev) related.push({ message: `${d.name}() was here`, at: pos(d.ev), unit: d.unit });
      if (before) related.push({ message: `it ordered the ${describe(before)} ...`, at: pos(before), unit: d.unit });
      if (after) related.push({ message: `... before the ${describe(after)}`, at: pos(after), unit: d.unit });
      const explained = explainsRemoval(changelogOf(ctx.doc, fn.message), d.name);
      // the same barrier added in another function of the same patch: moved, perhaps to where it belongs
      const movedTo = !explained ? movedElsewhere(ctx, unit, d) : undefined;
      if (movedTo) related.push({ message: `${movedTo.name}() added in ${movedTo.unit.fn.name}()`, at: pos(movedTo.ev ?? d.ev!), unit: movedTo.unit });
      // a call added in its place to a function the patch does not show: its body may order them (unknown)
      const unseen = !explained && !movedTo ? unseenCallee(ctx, unit, d, added) : undefined;
      if (unseen) related.push({ message: `${unseen.name}() is called here; its body is not in the patch`, at: pos(unseen) });
      if (explained) related.push({ message: `the changelog: “${explained}”`, at: { line: at, col: 0 } });
      const quote = explained && explained.length > 110 ? cutAtLastSpace(explained.slice(0, 107)) + '…' : explained;
      out.push({
        rule: 'barrier/removed',
        ...(explained || movedTo || unseen ? { severity: 'info' as const } : {}),
        message: explained
          ? `The patch removes ${d.name}() from ${fn.name}(); the changelog explains: “${quote}”`
          : movedTo
            ? `The patch moves ${d.name}() from ${fn.name}() to ${movedTo.unit.fn.name}(): check that it still orders ${before && after ? `the ${describe(before)} before the ${describe(after)}` : 'what it ordered here'}.`
            : unseen
              ? `The patch replaces ${d.name}() in ${fn.name}() with a call to ${unseen.name}(), whose body is not in the patch: check that it orders these accesses.`
              : unexplained(d.name, fn.name, before, after),
        at: { line: at, col: Math.max(0, indentOf(lineText(unit, at)).length) },
        related,
        scenarioParams: { function: fn.name, barrier: d.name, ...(before ? { location: before.locText ?? '' } : {}), ...(after ? { other: after.locText ?? '' } : {}) },
        trace: removedTrace(unit, ctx, { name: d.name, ordering: o, ev: d.ev, unit: d.unit }, before, after),
        fingerprint: `barrier/removed|${d.name}|${before?.loc ?? ''}|${after?.loc ?? ''}`,
      });
    }
    out.push(...weakened(unit, ctx, posts, added));
    return out;
  },
};

/**
 * An ordered access replaced by a weaker one of the same location:
 * smp_store_release(&x, v) -> WRITE_ONCE(x, v), smp_load_acquire(&x) ->
 * READ_ONCE(x), a fully ordered RMW -> a non-returning one.
 */
function weakened(unit: Unit, ctx: RuleContext, posts: readonly Unit[], added: readonly Ev[]): RawFinding[] {
  const fn = unit.fn;
  const out: RawFinding[] = [];
  // the ordering of the access's call as the catalog states it (wq_has_sleeper(): a full barrier bundled with the load)
  const rank = (e: Ev): number => {
    const o = e.api ? ctx.catalog.api(e.api)?.ordering ?? e.ordering : e.ordering;
    return o === 'full' ? 3 : o === 'acquire' || o === 'release' ? 2 : o === 'wmb' || o === 'rmb' ? 1 : 0;
  };
  const seen = new Set<string>();
  const addedFences = barrierCallsOn(posts, ctx, 'add');
  for (const pu of ctx.unitsOf(fn, 'pre')) {
    for (const d of eventsOf(pu, ctx).all) {
      // release stores and acquire loads; a value-returning RMW is used for its value as much as for its
      // ordering (atomic_t -> refcount_t conversions keep what refcounting needs): not judged here
      // (a fully ordered RMW whose value is discarded is there for its ordering: xchg(&x, v); -> WRITE_ONCE(x, v);)
      const orderingOnlyRmw = d.kind === 'rmw' && d.op.kind === 'call' && d.op.result.kind === 'discarded';
      if ((d.kind !== 'store' && d.kind !== 'load' && !orderingOnlyRmw) || !d.marked || !d.loc || rank(d) === 0) continue;
      // publishing NULL needs no ordering (rcu_assign_pointer(p, NULL) -> RCU_INIT_POINTER / WRITE_ONCE)
      if (d.kind === 'store' && /^\s*(?:NULL|0|\(\s*void\s*\*\s*\)\s*0)\s*$/.test(d.valueText ?? '')) continue;
      if (patchLineOf(pu, d.line)?.kind !== 'del') continue;
      // the replacement: an access of the same location and kind on an added line, weaker
      let r = added.find((a) => a.loc === d.loc && (a.kind === d.kind || (orderingOnlyRmw && a.kind === 'store')) && rank(a) < rank(d));
      // moved into a helper the patch adds, and weakened on the way
      let movedTo: Unit | undefined;
      if (!r && !added.some((a) => a.loc === d.loc))
        for (const u of ctx.units) {
          if (u.side !== 'post' || u.fn === fn || u.fn.message !== fn.message || u.fn.path !== fn.path || r) continue;
          const evs = eventsOf(u, ctx).all.filter((a) => patchLineOf(u, a.line)?.kind === 'add');
          const m = evs.find((a) => a.loc === d.loc && (a.kind === d.kind || (orderingOnlyRmw && a.kind === 'store')) && rank(a) < rank(d));
          if (m && !evs.some((a) => a.loc === d.loc && rank(a) >= rank(d)) && !barrierCallsOn([u], ctx, 'add').some((b) => strengthOf(ctx, b.name) >= rank(d))) {
            r = m;
            movedTo = u;
          }
        }
      if (!r) continue;
      if (movedTo) {
        const at = postAnchor(unit, patchLineOf(pu, d.line)!, fn.hunks);
        if (at === undefined) continue;
        const key = `${d.name}|${d.loc}|moved`;
        if (seen.has(key)) continue;
        seen.add(key);
        const now = r.marked ? `${r.name}()` : 'a plain access';
        out.push({
          rule: 'barrier/removed',
          message: `The patch moves ${d.name}() on ${d.locText} from ${fn.name}() into ${movedTo.fn.name}() as ${now}, which orders nothing: the ${d.kind === 'store' ? 'RELEASE' : 'ACQUIRE'} it gave is gone.`,
          at: { line: at, col: 0 },
          related: [
            { message: `${d.name}() was here`, at: pos(d), unit: pu },
            { message: `now ${now} in ${movedTo.fn.name}()`, at: pos(r), unit: movedTo },
          ],
          scenarioParams: { function: fn.name, barrier: d.name ?? '', location: d.locText ?? '' },
          fingerprint: `barrier/removed|${d.name}|${d.loc}|moved-weakened`,
        });
        continue;
      }
      if (added.some((a) => a.loc === d.loc && rank(a) >= rank(d))) continue;
      if (addedFences.some((b) => strengthOf(ctx, b.name) >= rank(d))) continue;
      const key = `${d.name}|${d.loc}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const what = rank(d) === 3 ? 'fully ordered' : rank(d) === 1 ? 'with its barrier' : d.kind === 'store' ? 'RELEASE' : 'ACQUIRE';
      const now = r.marked ? `${r.name}()` : 'a plain access';
      out.push({
        rule: 'barrier/removed',
        message: `The patch replaces ${d.name}() on ${d.locText} (${what}) with ${now}, which orders nothing; say in the changelog what orders these accesses now.`,
        at: { line: r.line, col: r.col, endCol: r.endCol },
        related: [
          { message: `${d.name}() was here`, at: pos(d), unit: pu },
          { message: `now ${now}`, at: pos(r) },
        ],
        scenarioParams: { function: fn.name, barrier: d.name ?? '', location: d.locText ?? '' },
        trace: removedTrace(unit, ctx, { name: d.name ?? '', ordering: rank(d) === 3 ? 'full' : d.kind === 'store' ? 'release' : d.kind === 'load' ? 'acquire' : 'full', ev: d, unit: pu }, d.kind === 'load' ? r : nearestAccess(unit, ctx, r.line, -1, r.loc), d.kind === 'load' ? nearestAccess(unit, ctx, r.line, 1, r.loc) : r, unit),
        fingerprint: `barrier/removed|${d.name}|${d.loc}|weakened`,
      });
    }
  }
  return out;
}

/** The text up to its last run of blanks (a quote cut at a word boundary). */
function cutAtLastSpace(t: string): string {
  let i = t.length - 1;
  while (i >= 0 && !/\s/.test(t[i])) i--;
  if (i < 0) return t;
  while (i > 0 && /\s/.test(t[i - 1])) i--;
  return t.slice(0, i);
}
