/**
 * Acquires and releases a patch moves out of a block: the deleted call sat
 * inside a block (an `if` arm, an `else`, a `case`, or a block whose opener
 * lies above the hunk) and the same call, on the same object, is added after
 * the block's closing brace, which both images share. Before the patch it ran
 * only on the paths through that block; now it runs on every path that
 * reaches the join, including those that skipped the block. Unless the patch
 * also changes what those other paths take or drop, an acquire moved out
 * takes a reference (or enters a section) there that nothing releases, and a
 * release moved out drops one they never took.
 *
 * Evidence from the text shown: the deleted and added lines, and the closing
 * brace between them (a context line). When the block's opener is visible,
 * the other way into the join (the `if` not taken, the other arm) must reach
 * it without the call, and that other arm must not do the same thing itself.
 * When the opener lies above the hunk (the rebuilt image opens the block
 * synthetically), the brace still shows the call left a block the function
 * entered on some paths only — a kernel function does not wrap straight-line
 * code in a bare block — so the finding says what it rests on and stays a
 * warning (see moveFindings in rules/common/report.ts).
 */
import type { CfgNode } from '../c/cfg';
import type { CNode } from '../c/cnode';
import { searchBackward, searchForward } from '../c/dataflow';
import { enclosingTests, blocksAround, blockRole, inside, ifOfTest, innermostIf, conditionsAround, hasCall, type IfParts } from '../c/facts';
import type { Catalog, ResourceKind } from '../catalog';
import type { AcquireEvent, ReleaseEvent, ResourceAnalysis } from './resources';
import { changeRun, isAddedLine, isDeletedLine, patchLineOf } from './diff';
import { disjuncts, rewrittenIfs } from './deletions';
import type { Unit } from './unit';

export interface MovedOut {
  t: 'acquire' | 'release';
  /** The deleted call (pre-image). */
  from: AcquireEvent | ReleaseEvent;
  /** The added call (post-image). */
  to: AcquireEvent | ReleaseEvent;
  kind: ResourceKind;
  obj: string;
  /** What the block was: an `if` arm, an `else` arm, a `case`, or a block whose opener is not shown. */
  block: 'if' | 'else' | 'case' | 'unseen';
  /** Pre-image line of the block's opener (the `if`, the `case`; for 'unseen' the closing brace). */
  blockLine: number;
  /** The block's test as written (`!pmd_migration`), when the opener is shown. */
  test?: string;
}

const norm = (s: string) => s.replace(/\s+/g, '');

export function movedOutOfBlocks(pre: Unit, preA: ResourceAnalysis, post: Unit, postA: ResourceAnalysis, cat: Catalog): MovedOut[] {
  const out: MovedOut[] = [];
  const objOf = (e: AcquireEvent | ReleaseEvent) => (e.t === 'acquire' ? e.key.obj : e.obj);
  const movable = (e: AcquireEvent | ReleaseEvent | { t: 'call' }): e is AcquireEvent | ReleaseEvent =>
    (e.t === 'acquire' || e.t === 'release') && !(e.t === 'release' && (e.element || e.mismatch)) && e.eff.array === undefined;
  const preEvents = preA.events.filter(movable).filter((e) => isDeletedLine(pre.image, e.op.line));
  const postEvents = postA.events.filter(movable).filter((e) => isAddedLine(post.image, e.op.line));
  for (const from of preEvents) {
    const kind = from.eff.kind;
    const family = cat.kind(kind).family;
    const obj = family === 'bracket' ? '' : objOf(from);
    if (family !== 'bracket' && !obj) continue;
    const same = (e: AcquireEvent | ReleaseEvent) => (cat.compatible(kind, e.eff.kind) || cat.compatible(e.eff.kind, kind)) && (family === 'bracket' || objOf(e) === obj);
    // one deleted and one added call of this thing, the same call text: a move, nothing else changed about it
    const text = norm(from.op.node.text);
    const dels = preEvents.filter(same);
    const adds = postEvents.filter(same);
    if (dels.length !== 1 || adds.length !== 1) continue;
    const to = adds[0];
    if (to.t !== from.t || to.op.name !== from.op.name || norm(to.op.node.text) !== text) continue;
    // and the opposite operation on the same thing is neither added nor deleted anywhere
    const opposite = (e: AcquireEvent | ReleaseEvent) => e.t !== from.t && same(e);
    if (preEvents.some(opposite) || postEvents.some(opposite)) continue;
    const block = blocksAround(from.op.node)[0];
    if (!block) continue;
    const close = block.endPosition.row;
    const pl = patchLineOf(pre.image, close);
    if (!pl || pl.line.kind !== 'context' || !/^\s*}\s*$/.test(pl.line.text)) continue;
    // the brace in the post-image, and the added call after it, outside that block
    const postClose = postLineOf(post, pl.line);
    if (postClose < 0 || to.op.line <= postClose) continue;
    const toBlocks = blocksAround(to.op.node);
    if (toBlocks.some((b) => b.endPosition.row === postClose)) continue;
    if (toBlocks.length >= blocksAround(from.op.node).length) continue;
    const what = blockKind(pre, block);
    if (!what) continue;
    // the added call sits under the tests the deleted one had, less the block's own (a patch that re-nests
    // the code, dropping an outer test, moves nothing out of this block)
    const preTests = enclosingTests(from.op.node, true);
    const postTests = enclosingTests(to.op.node, true);
    const outer = enclosingTests(blockRole(block).scope, true);
    const own = new Map([...preTests].filter(([t, v]) => outer.get(t) !== v));
    if (what.block !== 'unseen' && !own.size) continue;
    if (postTests.size !== preTests.size - own.size) continue;
    if ([...postTests].some(([t, v]) => preTests.get(t) !== v || own.has(t))) continue;
    // an opener the rebuilt image supplied stands for the real one only with no gap between them: the block
    // opens above this hunk, and the deleted call is in the hunk that shows its closing brace
    if (what.block === 'unseen' && !sameHunkFromStart(pre, block.startPosition.row, close)) continue;
    // a shown opener with its block shown whole (a gap could close it and open another)
    if (what.block !== 'unseen' && !oneHunk(pre, what.line, close)) continue;
    if (what.block !== 'unseen') {
      // the other way into the join reaches it without the call, and does not do the same itself
      const other = what.other;
      if (other && preA.events.some((e) => movable(e) && e.t === from.t && same(e) && inside(e.op.node, other))) continue;
      const join = firstNodeAfter(preA, close);
      if (!join || !reachedAvoiding(preA, join, from.node)) continue;
    }
    out.push({ t: from.t, from, to, kind, obj, block: what.block, blockLine: what.line, test: what.test });
  }
  return out;
}

/** What kind of block `b` is, and the other way past it (the other arm of an if/else), when shown. */
function blockKind(pre: Unit, b: CNode): { block: MovedOut['block']; line: number; test?: string; other?: CNode } | null {
  const r = blockRole(b);
  if (r.kind === 'if' || r.kind === 'else' || r.kind === 'case') return { block: r.kind, line: r.line, test: r.test, other: r.other };
  // a block whose opening line the rebuilt image supplied: its opener is above the hunk
  if (r.kind === 'bare' && pre.image.origin[b.startPosition.row]?.kind === 'synthetic') return { block: 'unseen', line: b.endPosition.row };
  return null;
}

/** The post-image line that shows the same patch line (-1 when none does). */
function postLineOf(post: Unit, l: unknown): number {
  const origin = post.image.origin;
  for (let i = 0; i < origin.length; i++) {
    const o = origin[i];
    if (o && o.kind === 'patch' && o.line === l) return i;
  }
  return -1;
}

/** The first CFG node on a line after `line` (the join after a block closing there). */
function firstNodeAfter(a: ResourceAnalysis, line: number): CfgNode | null {
  let best: CfgNode | null = null;
  for (const n of a.cfg.nodes) {
    if (n.kind === 'entry' || n.kind === 'exit' || n.line <= line) continue;
    if (!best || n.line < best.line || (n.line === best.line && n.col < best.col)) best = n;
  }
  return best;
}

/** Is `to` reached from the visible start without passing `avoid`? */
function reachedAvoiding(a: ResourceAnalysis, to: CfgNode, avoid: CfgNode): boolean {
  const starts = new Set<number>([a.cfg.entry.id, ...a.facts.visibility.hiddenEntries.map((n) => n.id)]);
  return searchBackward(to, (n) => (n === avoid ? 'prune' : starts.has(n.id) ? true : undefined)).found === true;
}

/**
 * Are the image lines after `open` up to `close` all from one hunk, and is
 * `open` (a synthetic line) directly above that hunk's first line shown?
 */
function sameHunkFromStart(pre: Unit, open: number, close: number): boolean {
  const origin = pre.image.origin;
  const first = origin[open + 1];
  if (!first || first.kind !== 'patch') return false;
  if (first.hunk.lines[0] !== first.line) return false;
  for (let i = open + 1; i <= close; i++) {
    const o = origin[i];
    if (o && o.kind === 'patch' && o.hunk !== first.hunk) return false;
  }
  return true;
}

/**
 * A release (or acquire) whose guard the patch weakened: the `if` around it
 * is rewritten with some of its `&&` operands dropped and none added, the call
 * itself unchanged. It now also runs when a dropped operand is false — the
 * case the operand kept out (`pte_unmap()` of a HugeTLB pte that was never
 * mapped, a put on a page that holds no reference).
 */
export interface WeakenedGuard {
  ev: AcquireEvent | ReleaseEvent;
  /** The post-image `if` condition branch. */
  branch: CfgNode;
  dropped: string[];
  was: string;
}

export function weakenedGuards(pre: Unit, preA: ResourceAnalysis, post: Unit, postA: ResourceAnalysis, cat: Catalog): WeakenedGuard[] {
  const out: WeakenedGuard[] = [];
  for (const { branch: b, now: ifs, old } of rewrittenIfs(pre, post)) {
    if (ifs.orelse || old.orelse) continue;
    const was = disjuncts(old.cond.text, '&&');
    const is = disjuncts(ifs.cond.text, '&&');
    if (!is.every((d) => was.includes(d))) continue;
    // (an operand moved to an enclosing test, the code re-nested, is not dropped)
    const around = new Set(conditionsAround(ifs.node).flatMap((c) => disjuncts(c, '&&')));
    const dropped = was.filter((d) => !is.includes(d) && !around.has(d));
    if (!dropped.length || disjuncts(old.cond.text).length > 1) continue;
    // the calls the guard keeps: the same acquire or release, as written, in both bodies
    for (const ev of postA.events) {
      if ((ev.t !== 'acquire' && ev.t !== 'release') || !inside(ev.op.node, ifs.body)) continue;
      // guarded by this test itself: no other `if` between them
      if (innermostIf(ev.op.node)?.key !== ifs.key) continue;
      // and shown with it: no gap between the test and the call (code out of sight may close the block)
      if (!oneHunk(post, ifs.startRow, ev.op.line)) continue;
      const text = norm(ev.op.node.text);
      const before = preA.events.find((e) => e.t === ev.t && e.op.name === ev.op.name && inside(e.op.node, old.body) && norm(e.op.node.text) === text);
      if (!before) continue;
      if (cat.kind(ev.eff.kind).family === 'ref' && !(ev.t === 'acquire' ? ev.key.obj : ev.obj)) continue;
      out.push({ ev, branch: b, dropped, was: old.condText });
      break;
    }
  }
  return out;
}

/** Are the image lines `from`..`to` all shown by one hunk (no gap, no synthetic line between)? */
function oneHunk(u: Unit, from: number, to: number): boolean {
  const origin = u.image.origin;
  const first = origin[from];
  if (!first || first.kind !== 'patch') return false;
  for (let i = from; i <= to; i++) {
    const o = origin[i];
    if (!o || o.kind !== 'patch' || o.hunk !== first.hunk) return false;
  }
  return true;
}

/**
 * A release of a section or lock taken elsewhere (the caller, a `_start()`
 * helper) whose guard the patch changed from a flag that recorded whether it
 * was taken (`if (!rcu_locked) return;`) to a fresh evaluation of the
 * condition the taking side tested (`if (cgroup_subsys_on_dfl(...)) return;`).
 * If that condition changes in between, the release is skipped or done
 * without the acquire: whether a section was entered must be remembered, not
 * recomputed.
 */
export interface RecomputedGuard {
  ev: ReleaseEvent;
  /** The post-image test that now decides. */
  branch: CfgNode;
  /** The flag the pre-image tested, and the expression tested now. */
  flag: string;
  now: string;
}

export function recomputedGuards(pre: Unit, preA: ResourceAnalysis, post: Unit, postA: ResourceAnalysis, cat: Catalog): RecomputedGuard[] {
  const out: RecomputedGuard[] = [];
  const plain = (c: CNode) => !hasCall(c) && /^[!\s()A-Za-z_0-9.>*-]+$/.test(c.text);
  const calls = hasCall;
  for (const ev of postA.events) {
    if (ev.t !== 'release' || cat.kind(ev.eff.kind).family === 'ref') continue;
    if (ev.key && ev.key.acquires.length) continue;
    const text = norm(ev.op.node.text);
    const was = preA.events.find((e): e is ReleaseEvent => e.t === 'release' && e.op.name === ev.op.name && norm(e.op.node.text) === text);
    if (!was) continue;
    for (const b of postA.cfg.nodes) {
      if (b.kind !== 'branch' || !b.ast || !isAddedLine(post.image, b.line) || !calls(b.ast)) continue;
      // the test decides the release: one way reaches it, the other leaves without it
      const reaches = b.succs.map((e) => searchForward(e.to, (m) => (m === ev.node ? true : m === postA.cfg.exit ? 'prune' : undefined)).found === true);
      if (!(reaches.includes(true) && reaches.includes(false))) continue;
      // the test it replaces, in the same change: a flag (no call) that decided the same release
      const pl = patchLineOf(post.image, b.line);
      if (!pl) continue;
      const run = changeRun(pl.hunk, pl.line);
      const old = preA.cfg.nodes.find((n) => {
        if (n.kind !== 'branch' || !n.ast || !plain(n.ast)) return false;
        const l = patchLineOf(pre.image, n.line)?.line;
        if (!l || !run.dels.includes(l)) return false;
        const r = n.succs.map((e) => searchForward(e.to, (m) => (m === was.node ? true : m === preA.cfg.exit ? 'prune' : undefined)).found === true);
        return r.includes(true) && r.includes(false);
      });
      if (!old?.ast) continue;
      // the flag is gone: no test of the post-image reads it any more
      const words = old.ast.text.match(/[A-Za-z_]\w*/g) ?? [];
      if (postA.cfg.nodes.some((n) => n.kind === 'branch' && !!n.ast && words.some((w) => new Set(n.ast!.text.match(/[A-Za-z_]\w*/g) ?? []).has(w)))) continue;
      out.push({ ev, branch: b, flag: old.ast.text.replace(/\s+/g, ' ').trim(), now: b.ast.text.replace(/\s+/g, ' ').trim() });
      break;
    }
  }
  return out;
}
