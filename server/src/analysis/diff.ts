/**
 * What the patch changes inside one function, as facts the rules on
 * deletions read: which operations sit on deleted or added lines, which
 * deleted lines were replaced by which added ones (a `-`/`+` run of one
 * hunk), and where a deleted line "was" in the post-image (the next
 * surviving line), so a rule can ask what the post-image does from there.
 */
import type { CallOp, CfgNode } from '../c/cfg';
import type { FunctionImage } from '../c/model';
import type { Hunk, HunkLine } from '../patch/model';
import type { Unit } from './unit';

/** The patch line an image line came from, if any. */
export function patchLineOf(img: FunctionImage, line: number): { line: HunkLine; hunk: Hunk } | null {
  const o = img.origin[line];
  return o && o.kind === 'patch' ? { line: o.line, hunk: o.hunk } : null;
}

export function isDeletedLine(img: FunctionImage, line: number): boolean {
  return patchLineOf(img, line)?.line.kind === 'del';
}

export function isAddedLine(img: FunctionImage, line: number): boolean {
  return patchLineOf(img, line)?.line.kind === 'add';
}

/**
 * Call operations of a unit with a line of the given kind in their text
 * (deleted lines in a pre unit, added lines in a post unit): a call whose
 * GFP argument alone changed, on its second line, is a changed call.
 */
export function callsOnChangedLines(unit: Unit, kind: 'del' | 'add'): { node: CfgNode; op: CallOp; line: number }[] {
  const out: { node: CfgNode; op: CallOp; line: number }[] = [];
  for (const n of unit.cfg.nodes)
    for (const op of n.ops) {
      if (op.kind !== 'call') continue;
      const last = op.node.endPosition.row;
      for (let l = op.line; l <= last; l++)
        if (patchLineOf(unit.image, l)?.line.kind === kind) {
          out.push({ node: n, op, line: l });
          break;
        }
    }
  return out;
}

/**
 * The `-`/`+` run of the hunk that a changed line belongs to: the deleted
 * lines and the added lines between the same two context lines.
 */
export function changeRun(hunk: Hunk, line: HunkLine): { dels: HunkLine[]; adds: HunkLine[] } {
  const hit = runsOf(hunk).get(line);
  if (hit) return hit;
  // a context line: the changed lines right before and after it
  const ls = hunk.lines;
  const i = positionsOf(hunk).get(line);
  if (i === undefined) return { dels: [], adds: [] };
  let s = i;
  while (s > 0 && ls[s - 1].kind !== 'context') s--;
  let e = i;
  while (e < ls.length - 1 && ls[e + 1].kind !== 'context') e++;
  const run = ls.slice(s, e + 1);
  return { dels: run.filter((l) => l.kind === 'del'), adds: run.filter((l) => l.kind === 'add') };
}

const posCache = new WeakMap<Hunk, Map<HunkLine, number>>();
function positionsOf(hunk: Hunk): Map<HunkLine, number> {
  let m = posCache.get(hunk);
  if (!m) {
    m = new Map(hunk.lines.map((l, i) => [l, i]));
    posCache.set(hunk, m);
  }
  return m;
}

/** Each line's run of `-`/`+` lines, computed once per hunk (a new file is one hunk: per-call scans were quadratic). */
const runCache = new WeakMap<Hunk, Map<HunkLine, { dels: HunkLine[]; adds: HunkLine[] }>>();
function runsOf(hunk: Hunk): Map<HunkLine, { dels: HunkLine[]; adds: HunkLine[] }> {
  let m = runCache.get(hunk);
  if (m) return m;
  m = new Map();
  const ls = hunk.lines;
  for (let s = 0; s < ls.length; ) {
    if (ls[s].kind === 'context') {
      s++;
      continue;
    }
    let e = s;
    while (e + 1 < ls.length && ls[e + 1].kind !== 'context') e++;
    const run = ls.slice(s, e + 1);
    const r = { dels: run.filter((l) => l.kind === 'del'), adds: run.filter((l) => l.kind === 'add') };
    for (const l of run) m.set(l, r);
    s = e + 1;
  }
  runCache.set(hunk, m);
  return m;
}

/** Image line (0-based) of a patch line in an image, or -1. */
export function imageLineOf(img: FunctionImage, l: HunkLine): number {
  for (let i = 0; i < img.origin.length; i++) {
    const o = img.origin[i];
    if (o.kind === 'patch' && o.line === l) return i;
  }
  return -1;
}

/**
 * Where a pre-image line "is" in the post-image: the first line after it in
 * the pre-image that survives (a context line), found in the post-image.
 * Returns the post CFG node that starts on or after that line, or null.
 */
export function postNodeAfter(pre: Unit, post: Unit, preLine: number, replacement = true): CfgNode | null {
  // a deleted line replaced by added lines (`mmdrop(mm)` → `mmdrop_lazy_tlb(mm)`): its place is where they start
  const here = patchLineOf(pre.image, preLine);
  if (replacement && here && here.line.kind === 'del') {
    const run = changeRun(here.hunk, here.line);
    for (const a of run.adds) {
      const j = imageLineOf(post.image, a);
      if (j < 0) continue;
      let first: CfgNode | null = null;
      for (const n of post.cfg.nodes) {
        if (n.kind === 'entry' || n.kind === 'exit' || n.line < j) continue;
        if (!first || n.line < first.line || (n.line === first.line && n.col < first.col)) first = n;
      }
      if (first) return first;
    }
  }
  for (let i = preLine + 1; i < pre.image.origin.length; i++) {
    const o = pre.image.origin[i];
    if (o.kind === 'synthetic') continue;
    if (o.kind === 'tree') {
      // kernel-tree images: tree lines are shared; find the same file line in the post-image only for context
      continue;
    }
    if (o.line.kind !== 'context') continue;
    const j = imageLineOf(post.image, o.line);
    if (j < 0) return null;
    let best: CfgNode | null = null;
    for (const n of post.cfg.nodes) {
      if (n.kind === 'entry' || n.kind === 'exit' || n.line < j) continue;
      if (!best || n.line < best.line || (n.line === best.line && n.col < best.col)) best = n;
    }
    return best && best.line === j ? best : best;
  }
  return null;
}

/** The pre-image unit matching a post-image unit (same function, same configuration when there is one). */
export function preUnitOf(post: Unit, unitsOf: (fn: Unit['fn'], side: 'pre' | 'post') => readonly Unit[]): Unit | null {
  const pres = unitsOf(post.fn, 'pre');
  if (!pres.length) return null;
  return pres.find((u) => u.variant.label === post.variant.label) ?? pres[0];
}

export interface ReplacedCall {
  /** The call on a deleted line (pre-image unit). */
  del: { node: CfgNode; op: CallOp };
  /** The call on an added line of the same `-`/`+` run (post-image unit). */
  add: { node: CfgNode; op: CallOp };
}

/** First argument of a call, normalised (`&folio->page` and `folio->page` alike), or ''. */
function objectArg(op: CallOp): string {
  const t = op.args[0]?.text ?? '';
  return t.replace(/\s+/g, '').replace(/^&/, '');
}

/**
 * Calls the patch replaced: a call on a deleted line and a call on an added
 * line of the same `-`/`+` run of one hunk, with the same first argument (the
 * object), or, when the name is kept, the same callee (`kmalloc(.., GFP_ATOMIC)`
 * → `kmalloc(.., GFP_KERNEL)`). Each deleted call pairs with at most one added call.
 * Among added calls on the same object, one that `alike` says plays the same
 * part is preferred (`unpin_user_pages_dirty_lock(&page, ..)` replaced by
 * `set_page_dirty_lock(page); put_page(page);` pairs with the put, not with
 * the first call on `page`).
 */
export function replacedCalls(pre: Unit, post: Unit, alike?: (del: CallOp, add: CallOp) => boolean): ReplacedCall[] {
  const dels = callsOnChangedLines(pre, 'del');
  const adds = callsOnChangedLines(post, 'add');
  if (!dels.length || !adds.length) return [];
  const out: ReplacedCall[] = [];
  const used = new Set<CallOp>();
  for (const d of dels) {
    const dl = patchLineOf(pre.image, d.line);
    if (!dl) continue;
    const run = changeRun(dl.hunk, dl.line);
    const inRun = adds.filter((a) => {
      const al = patchLineOf(post.image, a.line);
      return !!al && al.hunk === dl.hunk && run.adds.includes(al.line) && !used.has(a.op);
    });
    const obj = objectArg(d.op);
    const sameObj = (a: (typeof adds)[number]) => obj !== '' && objectArg(a.op) === obj;
    const match =
      inRun.find((a) => a.op.name === d.op.name && sameObj(a)) ??
      (alike ? inRun.find((a) => sameObj(a) && alike(d.op, a.op)) : undefined) ??
      inRun.find(sameObj) ??
      inRun.find((a) => a.op.name === d.op.name);
    if (!match) continue;
    used.add(match.op);
    out.push({ del: { node: d.node, op: d.op }, add: { node: match.node, op: match.op } });
  }
  if (alike) out.push(...convertedCalls(pre, post, dels, adds, used, out, alike));
  return out;
}

/**
 * A call the patch deleted in one place and a call of the same part on the
 * same object it added in another run of the function (`if (!folio_try_get(folio))
 * return false;` deleted above, `folio_get(folio);` added below the test that
 * followed it): a conversion of the call when the deleted name no longer
 * appears on that object in the post-image and the added name did not appear
 * on it in the pre-image.
 */
function convertedCalls(
  pre: Unit,
  post: Unit,
  dels: readonly { node: CfgNode; op: CallOp }[],
  adds: readonly { node: CfgNode; op: CallOp }[],
  used: Set<CallOp>,
  paired: readonly ReplacedCall[],
  alike: (del: CallOp, add: CallOp) => boolean,
): ReplacedCall[] {
  const out: ReplacedCall[] = [];
  const done = new Set(paired.map((r) => r.del.op));
  const calledOn = (u: Unit, name: string, obj: string, skip: (op: CallOp) => boolean) =>
    u.cfg.nodes.some((n) => n.ops.some((o) => o.kind === 'call' && o.name === name && !skip(o) && objectArg(o) === obj));
  for (const d of dels) {
    if (done.has(d.op)) continue;
    const obj = objectArg(d.op);
    if (!obj) continue;
    const cands = adds.filter((a) => !used.has(a.op) && a.op.name !== d.op.name && objectArg(a.op) === obj && alike(d.op, a.op));
    if (cands.length !== 1) continue;
    const a = cands[0];
    if (calledOn(post, d.op.name, obj, () => false) || calledOn(pre, a.op.name, obj, () => false)) continue;
    used.add(a.op);
    out.push({ del: { node: d.node, op: d.op }, add: { node: a.node, op: a.op } });
  }
  return out;
}

/** The pre-image node standing at the same context line as a post-image node (or null). */
export function preNodeAt(pre: Unit, post: Unit, postNode: CfgNode): CfgNode | null {
  const o = post.image.origin[postNode.line];
  if (!o || o.kind !== 'patch' || o.line.kind !== 'context') return null;
  const j = imageLineOf(pre.image, o.line);
  if (j < 0) return null;
  let best: CfgNode | null = null;
  for (const n of pre.cfg.nodes) {
    if (n.kind === 'entry' || n.kind === 'exit' || n.line !== j) continue;
    if (!best || n.col < best.col) best = n;
  }
  return best;
}
