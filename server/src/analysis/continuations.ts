/**
 * Paths that meet in code out of sight must agree on what they hold.
 *
 * A `goto out` to a label the hunk does not show, a `break` or `continue`
 * whose loop is not shown: every jump of one group enters the same unseen
 * code. When a jump the patch leaves alone (a context line: it was there
 * before, so the unseen code was written for it) enters with the object
 * released or never taken, that code does not release it; a jump the patch
 * adds that enters holding it leaks it. The classic shape is an early exit
 * added inside an iterator loop:
 *
 *     if (!folio_try_get(folio))
 *             continue;                 // enters the next iteration holding nothing
 *  +  if (folio_test_dropbehind(folio))
 *  +          continue;                 // ... holding the reference just taken
 *
 * or, with the get out of sight, the sibling `folio_put(folio); break;` next
 * to an added `break;` reached from the same place. Only the states the text
 * shows decide (an unknown state on the added jump counts as held only when
 * a release on the old jump's path proves the object was held where the two
 * paths part, with nothing taken or released between).
 */
import type { CfgNode } from '../c/cfg';
import { searchForward } from '../c/dataflow';
import { inJumpScope, jumpScope, mentions, testOf, uncast } from '../c/facts';
import type { Catalog } from '../catalog';
import { isAddedLine, isDeletedLine } from './diff';
import { labelTail } from './deletions';
import { definitelyHeld, HELD, N, R, F, X, Q, U, type KeyInfo, type ReleaseEvent, type ResourceAnalysis } from './resources';
import type { Leak } from './leaks';
import { anticipation } from './anticipation';
import type { Hunk, HunkLine } from '../patch/model';
import type { Unit } from './unit';

/** Groups of jumps into the same code out of sight, keyed by label or by loop. */
function groups(a: ResourceAnalysis): Map<string, CfgNode[]> {
  const out = new Map<string, CfgNode[]>();
  const add = (k: string, n: CfgNode) => {
    const g = out.get(k);
    if (g) g.push(n);
    else out.set(k, [n]);
  };
  for (const n of a.cfg.nodes) {
    if (!n.succs.some((e) => e.kind === 'unresolved')) continue;
    if (n.kind === 'label') {
      // a label written in code that did not parse: its code is in the text, unread, and may be
      // what the other paths run (their release): nothing can be inferred from it
      if (n.role === 'gap') continue;
      for (const e of n.preds) if (e.from.kind === 'goto') add(`label:${n.id}`, e.from);
      continue;
    }
    const t = (n.stmt ?? n.ast)?.text.trim() ?? '';
    const kind = /^break\b/.test(t) ? 'break' : /^continue\b/.test(t) ? 'continue' : null;
    if (!kind) continue;
    add(`${kind}:${jumpScope(n.stmt ?? n.ast)}`, n);
  }
  return out;
}

const NOT_HELD = N | R | F | X | Q;

/** Does the test of branch `b` decide whether `k` is held (`if (!folio)`, `if (!folio_try_get(f))`, a flag)? */
function decidesHeld(a: ResourceAnalysis, b: CfgNode, k: KeyInfo, cat: Catalog): boolean {
  for (const e of b.succs) {
    const t = testOf(e);
    if (!t) continue;
    const s = uncast(t.subject);
    if (k.obj && s.norm === k.obj) return true;
    if (s.k === 'call') {
      const spec = cat.api(s.name);
      if (spec?.effects?.some((x) => x.op === 'acquire' || x.op === 'release')) return true;
      continue;
    }
    if (s.k === 'id' && !mentions(s.text, k.obj)) {
      const type = (a.types.get(s.name) ?? '').trim();
      if (type === 'bool' || type === '_Bool') return true;
    }
  }
  return false;
}

/**
 * The jump statements on the lines the patch deletes from this function (`goto out`, `break`): jumps it
 * moves, not new ones. The same for every configuration of a side: computed once per function and image.
 */
const deletedJumpsMemo = new WeakMap<Unit['image'], { fn: Unit['fn']; jumps: Set<string> }>();
function deletedJumps(unit: Unit): Set<string> {
  const hit = deletedJumpsMemo.get(unit.image);
  if (hit && hit.fn === unit.fn) return hit.jumps;
  const out = new Set<string>();
  // the stretch of each hunk this function's lines span (a new file is one hunk of many functions: only this one's part);
  // a hunk that deletes no jump is passed over (a new file's hunk deletes nothing)
  const span = new Map<Hunk, [number, number]>();
  let lastHunk: Hunk | undefined;
  let x = { pos: new Map<HunkLine, number>(), jumps: [] as { pos: number; text: string }[] };
  for (const img of new Set([unit.fn.pre, unit.fn.post, unit.image]))
    for (const o of img?.origin ?? []) {
      if (!o || o.kind !== 'patch') continue;
      if (o.hunk !== lastHunk) x = hunkIndex((lastHunk = o.hunk));
      if (!x.jumps.length) continue;
      const i = x.pos.get(o.line);
      if (i === undefined) continue;
      const r = span.get(o.hunk);
      if (!r) span.set(o.hunk, [i, i]);
      else {
        if (i < r[0]) r[0] = i;
        if (i > r[1]) r[1] = i;
      }
    }
  for (const [h, [from, to]] of span) {
    // (sorted by position: start at the first one in the stretch)
    const jumps = hunkIndex(h).jumps;
    let lo = 0;
    let hi = jumps.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (jumps[mid].pos < from) lo = mid + 1;
      else hi = mid;
    }
    for (let k = lo; k < jumps.length && jumps[k].pos <= to; k++) out.add(jumps[k].text);
  }
  deletedJumpsMemo.set(unit.image, { fn: unit.fn, jumps: out });
  return out;
}

/** Per hunk, once: each line's position, and the jumps on its deleted lines with their positions. */
const hunkIndexes = new WeakMap<Hunk, { pos: Map<HunkLine, number>; jumps: { pos: number; text: string }[] }>();
function hunkIndex(h: Hunk): { pos: Map<HunkLine, number>; jumps: { pos: number; text: string }[] } {
  let x = hunkIndexes.get(h);
  if (x) return x;
  x = { pos: new Map(), jumps: [] };
  h.lines.forEach((l, i) => {
    x!.pos.set(l, i);
    if (l.kind === 'del') for (const m of l.text.matchAll(/\b(goto\s+[A-Za-z_]\w*|break|continue)\s*;/g)) x!.jumps.push({ pos: i, text: m[1].replace(/\s+/g, ' ') });
  });
  hunkIndexes.set(h, x);
  return x;
}

export function continuationLeaks(unit: Unit, a: ResourceAnalysis, cat: Catalog): Leak[] {
  if (unit.side !== 'post') return [];
  const out: Leak[] = [];
  // a jump the patch only moves or re-indents (`goto out;` deleted here, added there) enters the same code as before
  const moved = deletedJumps(unit);
  const isNew = (j: CfgNode) => isAddedLine(unit.image, j.line) && !moved.has(oneLine(j));
  const gaps = a.facts.visibility.gaps;
  for (const jumps of groups(a).values()) {
    if (jumps.length < 2) {
      // a lone added jump: the sibling side of the branch it leaves from releases the object
      const j = jumps[0];
      if (!isNew(j)) continue;
      for (const k of a.keyList) {
        if (k.array || (!k.obj && k.family !== 'bracket')) continue;
        const touches = new Set<number>([...(a.drops.get(k.key) ?? []), ...(a.takes.get(k.key) ?? [])]);
        out.push(...heldAtParting(a, cat, k, [j], touches));
      }
      continue;
    }
    const added = jumps.filter(isNew);
    const kept = jumps.filter((j) => !isAddedLine(unit.image, j.line) && !isDeletedLine(unit.image, j.line));
    if (!added.length || !kept.length) continue;
    for (const k of a.keyList) {
      if (k.array || (!k.obj && k.family !== 'bracket')) continue;
      const touches = new Set<number>([...(a.drops.get(k.key) ?? []), ...(a.takes.get(k.key) ?? [])]);
      // the unseen code is entered with it not held by a jump that was there before
      const old = kept.find((j) => {
        const b = a.out[j.id]?.get(k.key) ?? a.initial;
        return (b & NOT_HELD) !== 0 && (b & (HELD | U)) === 0;
      });
      if (!old) {
        out.push(...heldAtParting(a, cat, k, added, touches));
        continue;
      }
      for (const j of added) {
        const b = a.out[j.id]?.get(k.key) ?? a.initial;
        let held = definitelyHeld(b);
        let rel: ReleaseEvent | undefined;
        if (!held && b === U) {
          // unknown history: held if the old jump's path released it after a place both paths pass
          rel = releaseBefore(a, old, k);
          held = !!rel && partsAfterHeld(a, j, rel.node, touches, gaps, k, cat);
        }
        if (!held) continue;
        out.push({ key: k, exit: j, exitText: oneLine(j), error: true, how: 'sibling', branch: old, joins: old, siblingRelease: rel ?? releaseBefore(a, old, k) ?? undefined });
      }
    }
  }
  return out;
}

/**
 * Added jumps out of sight reached, with nothing taking or dropping `k` on the
 * way, from a branch whose other side releases `k` on every path (so `k` is
 * held at the branch): `if (bad) break;` added above `if (busy) { folio_put(folio); ... }`.
 * A goto whose label's name says it releases (`goto out_put`) is left alone.
 */
function heldAtParting(a: ResourceAnalysis, cat: Catalog, k: KeyInfo, jumps: CfgNode[], touches: ReadonlySet<number>): Leak[] {
  const out: Leak[] = [];
  const gaps = a.facts.visibility.gaps;
  const an = anticipation(a);
  // held there: unknown (the acquire out of sight) or definitely, taken in view inside the block the jump
  // leaves (this iteration's: a lock taken before the loop is the next iteration's too)
  let scope = '';
  const heldOrUnknown = (n: CfgNode) => {
    const st = a.out[n.id]?.get(k.key) ?? a.initial;
    return st === U || (definitelyHeld(st) && k.acquires.length > 0 && k.acquires.every((x) => inJumpScope(x.op.node, scope)));
  };
  for (const j of jumps) {
    scope = jumpScope(j.stmt ?? j.ast);
    if (!heldOrUnknown(j)) continue;
    if (j.kind === 'goto' && j.label) {
      const r = cat.gotoLabelReleases(j.label);
      if (r.families.includes(k.family)) continue;
    }
    const reach = searchBackwardClean(j, touches, gaps);
    for (const b of reach) {
      if (b.succs.length < 2 || decidesHeld(a, b, k, cat)) continue;
      if (!heldOrUnknown(b)) continue;
      const other = b.succs.filter((e) => !reachesClean(e.to, j, touches, gaps));
      if (!other.length) continue;
      // held at the branch: every path of the other side releases it, or one path does with nothing
      // taken or tested on the way (a release in code that is otherwise right proves it held there)
      let rel: ReleaseEvent | undefined;
      if (!other.every((e) => an.mustReleaseIn(e.to, k))) {
        rel = plainReleaseFrom(a, cat, k, other, touches, gaps);
        if (!rel) continue;
      }
      rel ??= a.events.find((e): e is ReleaseEvent => e.t === 'release' && (e.key === k || e.obj === k.obj) && reachesClean(other[0].to, e.node, new Set(), gaps));
      out.push({ key: k, exit: j, exitText: oneLine(j), error: true, how: 'sibling', branch: b, siblingRelease: rel });
      break;
    }
  }
  return out;
}

/** A release of `k` reached from one of `from` with nothing touching `k`, no code out of sight, and no test of whether it is held. */
function plainReleaseFrom(a: ResourceAnalysis, cat: Catalog, k: KeyInfo, from: readonly { to: CfgNode }[], touches: ReadonlySet<number>, gaps: ReadonlySet<number>): ReleaseEvent | undefined {
  const rels = new Map<number, ReleaseEvent>();
  for (const e of a.events) if (e.t === 'release' && e.key === k && !e.eff.cond) rels.set(e.node.id, e);
  for (const e of from) {
    const hit = searchForward(e.to, (n) => {
      if (rels.has(n.id)) return rels.get(n.id);
      if (touches.has(n.id) || gaps.has(n.id)) return 'prune';
      if (n.succs.length >= 2 && decidesHeld(a, n, k, cat)) return 'prune';
      return undefined;
    }, (x) => !x.back).found;
    if (hit) return hit;
  }
  return undefined;
}

/** Nodes from which `to` is reached going back over nodes that neither touch the key nor are out of sight. */
function searchBackwardClean(to: CfgNode, touches: ReadonlySet<number>, gaps: ReadonlySet<number>): CfgNode[] {
  const out: CfgNode[] = [];
  const seen = new Set<number>([to.id]);
  const work = [to];
  while (work.length && out.length < 256) {
    const n = work.pop()!;
    for (const e of n.preds) {
      const p = e.from;
      if (seen.has(p.id) || touches.has(p.id) || gaps.has(p.id) || e.back) continue;
      seen.add(p.id);
      out.push(p);
      work.push(p);
    }
  }
  return out;
}

function reachesClean(from: CfgNode, to: CfgNode, touches: ReadonlySet<number>, gaps: ReadonlySet<number>): boolean {
  return searchForward(from, (n) => (n === to ? true : touches.has(n.id) || gaps.has(n.id) ? 'prune' : undefined)).found === true;
}

function oneLine(n: CfgNode): string {
  return ((n.stmt ?? n.ast)?.text ?? '').replace(/\s+/g, ' ').replace(/;$/, '').trim();
}

/** The release of `k` on the way into `jump` (the nearest one going back, on a single path). */
function releaseBefore(a: ResourceAnalysis, jump: CfgNode, k: KeyInfo | undefined): ReleaseEvent | undefined {
  let n: CfgNode | undefined = jump;
  for (let i = 0; n && i < 32; i++) {
    const ev = a.events.find((e): e is ReleaseEvent => e.t === 'release' && e.node === n && (!k || e.key === k || (!e.key && e.obj === k.obj && e.eff.kind === k.kind)));
    if (ev) return ev;
    if (n.preds.length !== 1) return undefined;
    n = n.preds[0].from;
  }
  return undefined;
}

/**
 * Is there a branch from which both `jump` and the release `relNode` are
 * reached, with nothing on either way that takes or drops `k` (but the
 * release itself), no code out of sight, and a test that does not decide
 * whether `k` is held?
 */
function partsAfterHeld(a: ResourceAnalysis, jump: CfgNode, relNode: CfgNode, touches: ReadonlySet<number>, gaps: ReadonlySet<number>, k: KeyInfo, cat: Catalog): boolean {
  const clean = (from: CfgNode, to: CfgNode) =>
    searchForward(from, (n) => (n === to ? true : touches.has(n.id) || gaps.has(n.id) ? 'prune' : undefined)).found === true;
  // the branches that reach the added jump: walk back from it over single-entry nodes
  const candidates: CfgNode[] = [];
  const seen = new Set<number>();
  const work: CfgNode[] = [jump];
  while (work.length && candidates.length < 64) {
    const n = work.pop()!;
    for (const e of n.preds) {
      const p = e.from;
      if (seen.has(p.id) || touches.has(p.id) || gaps.has(p.id)) continue;
      seen.add(p.id);
      if (p.succs.length >= 2) candidates.push(p);
      work.push(p);
    }
  }
  for (const b of candidates) {
    if (decidesHeld(a, b, k, cat)) continue;
    if ((a.out[b.id]?.get(k.key) ?? a.initial) !== U) continue;
    if (clean(b, jump) && clean(b, relNode)) return true;
  }
  return false;
}

export interface LadderSkip {
  /** The added goto. */
  jump: CfgNode;
  newLabel: string;
  /** The kept goto of the same ladder, reached from the same place, and its label. */
  sibling: CfgNode;
  oldLabel: string;
  families: ('ref' | 'lock' | 'bracket')[];
  kinds: string[];
}

/**
 * An added `goto out` next to a kept `goto out_unmap` taken from the same
 * place, with nothing taken or released between: both labels are out of
 * sight, and by the error-ladder naming the kept one releases something (a
 * lock, a mapping, a reference) that the new one, a later rung of the same
 * ladder, skips. The labels' code is not shown: the names (catalog
 * conventions) and the kept sibling are the only evidence, so the new label
 * must be the old one's tail (`out` of `out_unmap`, `abort` of `unlock_abort`).
 */
export function ladderSkips(unit: Unit, a: ResourceAnalysis, cat: Catalog): LadderSkip[] {
  if (unit.side !== 'post') return [];
  const out: LadderSkip[] = [];
  const moved = deletedJumps(unit);
  const gotos = a.cfg.nodes.filter((n) => n.kind === 'goto' && n.label && a.facts.visibility.unresolvedGotos.has(n.id));
  const added = gotos.filter((g) => isAddedLine(unit.image, g.line) && !moved.has(oneLine(g)));
  if (!added.length) return out;
  const kept = gotos.filter((g) => !isAddedLine(unit.image, g.line));
  // nodes where anything is taken or released: the two jumps must part with nothing between
  const touches = new Set<number>();
  for (const e of a.events) if (e.t !== 'call') touches.add(e.node.id);
  const gaps = a.facts.visibility.gaps;
  for (const j of added) {
    const newLabel = j.label!;
    const now = cat.gotoLabelReleases(newLabel);
    for (const o of kept) {
      const oldLabel = o.label!;
      if (oldLabel === newLabel || !labelTail(oldLabel, newLabel)) continue;
      const was = cat.gotoLabelReleases(oldLabel);
      const families = was.families.filter((f) => !now.families.includes(f));
      if (!families.length) continue;
      const back = searchBackwardClean(j, touches, gaps);
      // parted at a visible branch, or both entered from the same code out of sight just above
      // (the kept jump sits in the block the hunk opens in, the new one right after it)
      const parted = back.some((b) => b.succs.length >= 2 && reachesClean(b, o, touches, gaps));
      const fromAbove = o.line < j.line && samePatchHunk(unit, o, j) && enteredFromOutOfSight(a, back) && enteredFromOutOfSight(a, searchBackwardClean(o, touches, gaps));
      if (!parted && !fromAbove) continue;
      out.push({ jump: j, newLabel, sibling: o, oldLabel, families: families as LadderSkip['families'], kinds: was.kinds as string[] });
      break;
    }
  }
  return out;
}

/** Does a backward-clean walk reach code the text does not show (the function's unseen start, a gap, a block entered from out of sight)? */
function enteredFromOutOfSight(a: ResourceAnalysis, back: readonly CfgNode[]): boolean {
  const hidden = new Set(a.facts.visibility.hiddenEntries.map((n) => n.id));
  return back.some((n) => n.kind === 'entry' || hidden.has(n.id) || a.facts.visibility.gaps.has(n.id)) && !a.facts.visibility.entry;
}

function samePatchHunk(unit: Unit, x: CfgNode, y: CfgNode): boolean {
  const ox = unit.image.origin[x.line];
  const oy = unit.image.origin[y.line];
  return !!ox && !!oy && ox.kind === 'patch' && oy.kind === 'patch' && ox.hunk === oy.hunk;
}

export interface ReleasedIntoUnseen {
  /** The release the patch added right before the jump. */
  release: ReleaseEvent;
  key: KeyInfo;
  jump: CfgNode;
  /** The kept jump into the same code, taken holding the object. */
  sibling: CfgNode;
}

/**
 * The reverse of continuationLeaks: an added `folio_put(folio); goto next;`
 * where a kept `goto next` from the same place (nothing taken or released
 * between) enters the same unseen code still holding the object. That code
 * was written for the kept jump, so it releases the object (or keeps it):
 * entering it after the put releases it twice, or keeps a dropped one.
 */
export function releasedIntoUnseen(unit: Unit, a: ResourceAnalysis, cat: Catalog): ReleasedIntoUnseen[] {
  if (unit.side !== 'post') return [];
  const out: ReleasedIntoUnseen[] = [];
  const moved = deletedJumps(unit);
  const gaps = a.facts.visibility.gaps;
  for (const jumps of groups(a).values()) {
    const added = jumps.filter((j) => isAddedLine(unit.image, j.line) && !moved.has(oneLine(j)));
    const kept = jumps.filter((j) => !isAddedLine(unit.image, j.line));
    if (!added.length || !kept.length) continue;
    for (const j of added) {
      const rel = releaseBefore(a, j, undefined);
      if (!rel || !rel.key || !isAddedLine(unit.image, rel.node.line) || rel.eff.cond) continue;
      const k = rel.key;
      if (k.array) continue;
      const touches = new Set<number>([...(a.drops.get(k.key) ?? []), ...(a.takes.get(k.key) ?? [])]);
      for (const o of kept) {
        const b = a.out[o.id]?.get(k.key) ?? a.initial;
        if (!(definitelyHeld(b) || b === U)) continue;
        // parted with nothing between: the object was held at the kept jump as it was before the release
        const back = searchBackwardClean(rel.node, touches, gaps);
        const parted = back.some((p) => p.succs.length >= 2 && !decidesHeld(a, p, k, cat) && reachesClean(p, o, touches, gaps));
        if (!parted) continue;
        out.push({ release: rel, key: k, jump: j, sibling: o });
        break;
      }
    }
  }
  return out;
}
