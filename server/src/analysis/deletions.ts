/**
 * Rules on what a patch deletes: the most common shape of a real bug is a
 * patch that removes a release (an unlock, a put, an rcu_read_unlock) from
 * one path while the acquire — often far above the hunk — stays. The deleted
 * line itself is the evidence that the object was held there; what the
 * post-image does from the same place decides whether it still is released.
 *
 * deletedReleases(): releases on deleted lines whose place in the post-image
 * now reaches a visible exit with no release, hand-over or code not shown on
 * the way, where the patch neither removed the acquire nor added a release of
 * the same object.
 */
import type { CallOp, CfgNode } from '../c/cfg';
import { searchBackward, searchForward } from '../c/dataflow';
import type { AcquireEffect, Catalog, ResourceKind } from '../catalog';
import { assigns, mentions, normObject, usage, textOutsideCalls, statementText, isBackwardGoto, enclosingTests, callEffects, describedCall, debugOnlyWrapper, cursorMinusOneAfterBreak, ifOfTest, leaves, equalities, readsMemory, calledNames, type IfParts } from '../c/facts';
import type { CNode } from '../c/cnode';
import { R, X, U, N, HELD, P, Q, definitelyHeld, type KeyInfo, type ReleaseEvent, type ResourceAnalysis } from './resources';
import { changeRun, isAddedLine, isDeletedLine, patchLineOf, postNodeAfter, preNodeAt, replacedCalls } from './diff';
import type { AnalysisContext, Unit } from './unit';
import { aliasesOf } from './lookups';
import { resourcesOf } from './summaries';

export interface DeletedRelease {
  /** The release the patch deleted (pre-image event). */
  deleted: ReleaseEvent;
  kind: ResourceKind;
  obj: string;
  /** Where the deleted line was, in the post-image. */
  at: CfgNode;
  /** The exit the post-image now reaches with the object still held. */
  exit: CfgNode;
  exitText: string;
  /**
   * 'exit': leaves the function holding it; 'retake': goes back to code that takes it again (or overwrites
   * the pointer) first; 'partial': some paths into the old place release it, others no longer do.
   */
  how: 'exit' | 'retake' | 'partial' | 'unseen';
  /** For 'retake': the node that takes it again. */
  retake?: CfgNode;
}

export function deletedReleases(pre: Unit, preA: ResourceAnalysis, post: Unit, postA: ResourceAnalysis, cat: Catalog, ctx?: AnalysisContext): DeletedRelease[] {
  const out: DeletedRelease[] = [];
  const seen = new Set<string>();
  for (const ev of preA.events) {
    if (ev.t !== 'release' || ev.mismatch) continue;
    // an element's release (`unpin_user_page(pages[i])`) counts for the array a call in view filled (GUP)
    if (ev.element && !(ev.key?.array && ev.key.acquires.length)) continue;
    if (!isDeletedLine(pre.image, ev.op.line)) continue;
    const kind = ev.eff.kind;
    const family = cat.kind(kind).family;
    if (family !== 'bracket' && !ev.obj) continue;
    if (ev.eff.array !== undefined) continue;
    const obj = family === 'bracket' ? '' : ev.obj;
    const sameThing = (k: ResourceKind, o: string) => (cat.compatible(kind, k) || cat.compatible(k, kind)) && (family === 'bracket' ? cat.kind(k).family === 'bracket' : o === obj);
    // the acquire went too: the pair was removed together
    if (ev.key && ev.key.acquires.some((x) => isDeletedLine(pre.image, x.op.line))) continue;
    if (preA.events.some((e) => e.t === 'acquire' && isDeletedLine(pre.image, e.op.line) && sameThing(e.eff.kind, e.key.obj))) continue;
    // the object itself came from a line the patch deleted (`task = get_proc_task(inode);` replaced by an RCU
    // lookup, `mm = mm_alloc();` gone, the lock handed back by `follow_pte(.., &ptl)`): whatever the deleted
    // release paired with is gone or changed; an unknown getter cannot tell which
    if (ev.obj && originDeleted(pre, preA, post, ev.obj)) continue;
    // the caller's lock (never taken here), whose release the patch moves into a caller: `mmap_read_unlock(mm)`
    // added before the call `lookup_node(mm, addr)` there
    if (ctx && !ev.key?.acquires.length && releaseMovedToCaller(ctx, post, ev, sameThing)) continue;
    // (a release the patch moved is judged by the paths: moved later on the same path it is met on the way
    // out, moved earlier it shows as released below; moved into one branch only, the other branch leaks)
    const start = postNodeAfter(pre, post, ev.op.line);
    if (!start) continue;
    // already released on the way to the next surviving line in the post-image, or never held there
    const join = postNodeAfter(pre, post, ev.op.line, false) ?? start;
    if (!postA.in[join.id] || releasedThere(postA, join, sameThing)) continue;
    // the release moved into some of the paths that reach its old place (`put_page(p)` after an if/else
    // moved into the else branch): the paths into the old place that pass no release the patch added
    // have lost one. Only for a release that was unconditional where it stood.
    const added = postA.events.filter((e) => e.t === 'release' && isAddedLine(post.image, e.op.line) && sameThing(e.eff.kind, e.obj));
    if (added.length) {
      // put under a test that the object exists (`if (rpage) __free_page(rpage)`): the paths that skip it hold nothing
      // (wrapped in place: the same change replaced it)
      const pl = patchLineOf(pre.image, ev.op.line);
      const run = pl ? changeRun(pl.hunk, pl.line).adds : [];
      if (added.every((e) => nullGuarded(e.op.node, obj) && run.includes(patchLineOf(post.image, e.op.line)?.line as never))) continue;
      const preJoin = preNodeAt(pre, post, join);
      // (and every way into that place went through it before the patch: `if (x) { put(p); goto out; }` is not)
      const unconditional = !!preJoin && sameTests(ev.op.node, preJoin) && !reachesAvoiding(preA, preJoin, new Set([ev.node.id]));
      const addedIds = new Set(added.map((e) => e.node.id));
      // (a way on which the patch added code that hands the object over, `gnttab_end_foreign_access(ref, 0,
      // (unsigned long)txs)` on the branch beside the added free, did not lose it)
      const avoid = new Set([...addedIds, ...handOverNodes(postA, cat, obj).filter((n) => isAddedLine(post.image, n.line)).map((n) => n.id)]);
      // moved later on the same path (every way on from the old place meets the added release) is not a loss
      if (unconditional && lostWayIn(pre, post, postA, join, avoid, ev.node) && leavesAvoiding(postA, join, avoid)) {
        const id = `${kind}|${obj}|moved|${join.id}`;
        if (seen.has(id)) continue;
        seen.add(id);
        out.push({ deleted: ev, kind, obj, at: join, exit: join, exitText: 'the paths that do not release it', how: 'partial' });
      }
      continue;
    }
    // a section the deleted call closed together with a lock or reference (`unlock_page_lruvec_irq(lruvec)`:
    // the lock and IRQs-off) goes where that object goes: returned or stored (a function that now returns
    // its lock held, `return lruvec;`, for its caller to unlock), both are
    const partner = family === 'bracket' ? preA.events.find((e): e is ReleaseEvent => e.t === 'release' && e.op === ev.op && !!e.obj && cat.kind(e.eff.kind).family !== 'bracket')?.obj : undefined;
    const found = cleanExitFrom(postA, cat, start, obj, sameThing, partner);
    if (!found) continue;
    // the path leaves the visible text still holding it: the code out of sight ran, before the patch,
    // with the object released (the deleted release led straight there), so a pre-image that was
    // balanced does not release it there either. Only when the deleted line led straight to this
    // place: the old path and the new one enter the unseen code the same way.
    if (found.how === 'unseen' && !ledStraightTo(pre, post, ev.node, start)) continue;
    const exit = found.node;
    // the same exit before the patch: was the object released on every path there? (a release that was
    // itself conditional, `if (rc == SUCCESS) put_page(p)`, leaves the other paths as they were)
    if (found.how === 'exit') {
      const preExit = preNodeAt(pre, post, exit);
      if (preExit) {
        let was = 0;
        for (const k of preA.keyList) if (sameThing(k.kind, k.obj)) was |= preA.out[preExit.id]?.get(k.key) ?? preA.initial;
        if (was & (U | N | HELD | P)) continue;
      }
    }
    const id = `${kind}|${obj}|${exit.id}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const fact = postA.facts.exits.find((x) => x.node === exit);
    out.push({ deleted: ev, kind, obj, at: start, exit, exitText: fact?.text ?? (found.how === 'retake' ? (found.via ? statementText(found.via) : 'the retry') : 'end of function'), how: found.how, retake: found.how === 'retake' ? found.node : undefined });
  }
  out.push(...redirectedGotos(pre, preA, post, postA, cat, seen));
  return out;
}

/**
 * A release under a goto label the patch deleted, whose gotos it replaced by
 * code of their own (`goto out_put_page;` → `{ put(page); return ret; }` on
 * one path, `return 1;` on another): the replacement of a goto that no longer
 * releases on its way out has lost the release. Only when the patch added a
 * release of the same object elsewhere (the release moved into the paths, not
 * dropped as unneeded: the object is still held there).
 */
function redirectedGotos(pre: Unit, preA: ResourceAnalysis, post: Unit, postA: ResourceAnalysis, cat: Catalog, seen: Set<string>): DeletedRelease[] {
  const out: DeletedRelease[] = [];
  for (const ev of preA.events) {
    if (ev.t !== 'release' || ev.mismatch || ev.element || ev.eff.array !== undefined) continue;
    if (!isDeletedLine(pre.image, ev.op.line)) continue;
    const kind = ev.eff.kind;
    const family = cat.kind(kind).family;
    if (family !== 'bracket' && !ev.obj) continue;
    const obj = family === 'bracket' ? '' : ev.obj;
    const sameThing = (k: ResourceKind, o: string) => (cat.compatible(kind, k) || cat.compatible(k, kind)) && (family === 'bracket' ? cat.kind(k).family === 'bracket' : o === obj);
    if (preA.events.some((e) => e.t === 'acquire' && isDeletedLine(pre.image, e.op.line) && sameThing(e.eff.kind, e.key.obj))) continue;
    const added = postA.events.filter((e) => e.t === 'release' && isAddedLine(post.image, e.op.line) && sameThing(e.eff.kind, e.obj));
    if (!added.length) continue;
    for (const g of pre.cfg.nodes) {
      if (g.kind !== 'goto' || isBackwardGoto(g) || !isDeletedLine(pre.image, g.line)) continue;
      if (!reachesRelease(preA, g, ev.node, sameThing)) continue;
      const start = postNodeAfter(pre, post, g.line);
      if (!start) continue;
      if (!postA.in[start.id] || releasedThere(postA, start, sameThing)) continue;
      const found = cleanExitFrom(postA, cat, start, obj, sameThing);
      if (!found || found.how !== 'exit') continue;
      // an exit the pre-image had too must have released it there
      if (preNodeAt(pre, post, found.node)) continue;
      const id = `${kind}|${obj}|${found.node.id}`;
      if (seen.has(id)) continue;
      seen.add(id);
      const fact = postA.facts.exits.find((x) => x.node === found.node);
      out.push({ deleted: ev, kind, obj, at: start, exit: found.node, exitText: fact?.text ?? 'end of function', how: 'exit' });
    }
  }
  return out;
}

/** Does the pre-image goto `g` run into `target` with no release or acquire of the same thing on the way? */
function reachesRelease(a: ResourceAnalysis, g: CfgNode, target: CfgNode, sameThing: (k: ResourceKind, o: string) => boolean): boolean {
  // another release or acquire of the same thing on the way ends that path (the goto's own node is its start)
  const touches = (m: CfgNode) => a.events.some((x) => x.node === m && ((x.t === 'release' && sameThing(x.eff.kind, x.obj)) || (x.t === 'acquire' && sameThing(x.eff.kind, x.key.obj))));
  const visit = (m: CfgNode) => (m === target && m !== g ? true : m !== g && (m === a.cfg.exit || touches(m)) ? 'prune' : undefined);
  return searchForward(g, visit, (e) => e.to === target || !e.back).found === true;
}

/**
 * A visible way out reachable from `start` on which nothing releases, takes,
 * or hands over the object (and no code out of sight lies on the way). Forward
 * gotos are followed into their ladder; a goto to a label not shown stops.
 */
function cleanExitFrom(
  a: ResourceAnalysis,
  cat: Catalog,
  start: CfgNode,
  obj: string,
  sameThing: (k: ResourceKind, o: string) => boolean,
  partner?: string,
): { node: CfgNode; how: 'exit' | 'retake' | 'unseen'; via?: CfgNode } | null {
  const cfg = a.cfg;
  const vis = a.facts.visibility;
  /** The first place the walk leaves the visible text (a goto to a label not shown, the end of the hunk). */
  let boundary: CfgNode | null = null;
  /** 'stop': released, handed over or out of sight; 'retake': taken again or the pointer overwritten first; null: nothing. */
  // a call of the document's own function that releases it, on every path or some (`if (ptep)
  // pte_unmap(ptep)`): the release moved into a helper (one the patch adds, maybe in another file)
  const handed = new Set<number>();
  for (const c of a.plainCalls) {
    const s = c.summary;
    if (!s) continue;
    for (const r of [...s.releases, ...(s.touches ?? [])]) {
      const o = r.param !== undefined ? (c.op.args[r.param] ? normObject(c.op.args[r.param].text).obj + (r.path ?? '') : null) : (r.global ?? '');
      if (o !== null && sameThing(r.kind, o)) handed.add(c.node.id);
    }
  }
  const touches = (n: CfgNode): 'stop' | 'retake' | null => {
    if (vis.gaps.has(n.id)) return 'stop';
    for (const e of a.events) {
      if (e.node !== n || e.t === 'call') continue;
      if (e.t === 'release' && sameThing(e.eff.kind, e.obj)) return 'stop';
      if (e.t === 'acquire' && sameThing(e.eff.kind, e.key.obj)) return 'retake';
    }
    if (!obj && partner) for (const op of n.ops) if (handsOver(op, partner)) return 'stop';
    if (!obj) return handed.has(n.id) ? 'stop' : null;
    for (const op of n.ops) {
      if (op.kind === 'return' && op.value && usage(textOutsideCalls(op.value), obj) === 'whole') return 'stop';
      if (op.kind === 'assign') {
        if (op.rhsNode && usage(textOutsideCalls(op.rhsNode), obj) === 'whole') return 'stop';
        if (op.target.text.replace(/\s+/g, '') === obj) return 'retake';
      }
      if (op.kind === 'call' && !describedCall(cat, op) && op.args.some((x) => mentions(x.text, obj) || mentions(obj, x.text.replace(/\s+/g, '')))) return 'stop';
    }
    return handed.has(n.id) ? 'stop' : null;
  };
  const seen = new Set<number>([start.id]);
  const work: { n: CfgNode; via?: CfgNode }[] = [{ n: start }];
  while (work.length) {
    const { n, via } = work.shift()!;
    if (vis.gaps.has(n.id)) {
      boundary ??= n;
      continue;
    }
    const t = touches(n);
    if (t === 'stop') continue;
    if (t === 'retake' && n !== start) return { node: n, how: 'retake', via };
    if (n.kind === 'return') return { node: n, how: 'exit' };
    if (vis.unresolvedGotos.has(n.id)) boundary ??= n;
    for (const e of n.succs) {
      if (e.kind === 'unresolved') {
        // a jump to a loop or label the text does not show (`continue`, `break` with the loop out of sight)
        boundary ??= n;
        continue;
      }
      if (e.to === cfg.exit) {
        if (e.kind !== 'return' && vis.end) return { node: n, how: 'exit' };
        if (e.kind !== 'return') boundary ??= n;
        continue;
      }
      if (seen.has(e.to.id)) continue;
      seen.add(e.to.id);
      work.push({ n: e.to, via: e.back || (n.kind === 'goto' && isBackwardGoto(n)) ? n : via });
    }
  }
  return boundary ? { node: boundary, how: 'unseen' } : null;
}

export { U };

/**
 * Does a function of the document call `post`'s function right after a release of the same thing on a
 * line the patch adds (the object named through the call's arguments when it is one of the callee's
 * parameters)? The release the callee no longer does moved to its caller.
 */
function releaseMovedToCaller(ctx: AnalysisContext, post: Unit, ev: ReleaseEvent, sameThing: (k: ResourceKind, o: string) => boolean): boolean {
  const name = post.cfg.name;
  const head = /^[A-Za-z_]\w*/.exec(ev.obj)?.[0];
  const param = head ? post.cfg.params.findIndex((p) => p.name === head) : -1;
  const seen = new Set<Unit['fn']>();
  for (const u of ctx.units) {
    if (u.side !== 'post' || u.fn === post.fn || seen.has(u.fn)) continue;
    seen.add(u.fn);
    const calls = u.cfg.nodes.filter((n) => n.ops.some((o) => o.kind === 'call' && !o.indirect && o.name === name));
    if (!calls.length) continue;
    const a = resourcesOf(u, ctx);
    for (const rel of a.events) {
      if (rel.t !== 'release' || !isAddedLine(u.image, rel.op.line)) continue;
      for (const c of calls) {
        const op = c.ops.find((o): o is CallOp => o.kind === 'call' && o.name === name)!;
        // the object the callee released, as the caller names it
        const obj = !ev.obj ? '' : param >= 0 && op.args[param] ? normObject(op.args[param].text).obj + ev.obj.slice(head!.length) : ev.obj;
        if (!sameThing(rel.eff.kind, rel.obj === obj ? ev.obj : '\u0000')) continue;
        if (searchForward(rel.node, (n) => (n === c ? true : undefined), (e) => !e.back).found) return true;
      }
    }
  }
  return false;
}

/** Nodes that hand `obj` over: return or store it, give it to a call the catalog does not describe. */
function handOverNodes(a: ResourceAnalysis, cat: Catalog, obj: string): CfgNode[] {
  if (!obj) return [];
  const out: CfgNode[] = [];
  for (const n of a.cfg.nodes)
    if (n.ops.some((op) => handsOver(op, obj) || (op.kind === 'call' && !describedCall(cat, op) && op.args.some((x) => mentions(x.text, obj) || mentions(obj, x.text.replace(/\s+/g, ''))))))
      out.push(n);
  return out;
}

/** Does `op` hand `obj` itself over as a value (return it, store it)? */
function handsOver(op: CfgNode['ops'][number], obj: string): boolean {
  if (op.kind === 'return') return !!op.value && usage(textOutsideCalls(op.value), obj) === 'whole';
  if (op.kind === 'assign') return !!op.rhsNode && usage(textOutsideCalls(op.rhsNode), obj) === 'whole';
  return false;
}

/**
 * Did the pre-image go from the deleted release straight to the post-image's
 * `start` (only deleted lines between, no branch), so that every path the
 * post-image takes from `start` is one the pre-image took after the release?
 */
function ledStraightTo(pre: Unit, post: Unit, from: CfgNode, start: CfgNode): boolean {
  const target = preNodeAt(pre, post, start);
  if (!target) return false;
  // every way on from the deleted release runs through deleted code only and comes out at the target
  // (a deleted loop of releases leaves it by its one exit): the old code entered what follows the same way
  const seen = new Set<number>([from.id]);
  const work = [from];
  let reached = false;
  while (work.length) {
    const n = work.pop()!;
    for (const e of n.succs) {
      if (e.kind === 'unresolved') return false;
      if (e.to === target) {
        reached = true;
        continue;
      }
      if (e.to.kind === 'exit' || !isDeletedLine(pre.image, e.to.line)) return false;
      if (seen.has(e.to.id)) continue;
      if (seen.size > 256) return false;
      seen.add(e.to.id);
      work.push(e.to);
    }
  }
  return reached;
}

/** Is `n` guarded by nothing but a test that `obj` is set (`if (obj)`, `if (obj != NULL)`)? */
function nullGuarded(n: CNode, obj: string): boolean {
  if (!obj) return false;
  const t = enclosingTests(n, true);
  if (!t.size) return false;
  const o = obj.replace(/\s+/g, '');
  return [...t].every(([k, v]) => (v && k.replace(/\s+/g, '') === o) || (v && k.replace(/\s+/g, '') === `${o}!=NULL`) || (!v && k.replace(/\s+/g, '') === `${o}==NULL`));
}

/**
 * Was `obj` (or the variable it hangs off) assigned, initialised or handed out by address on a line
 * the patch deleted, whose text the patch does not add back (a re-indented line is not a change)?
 */
function originDeleted(pre: Unit, preA: ResourceAnalysis, post: Unit, obj: string): boolean {
  const added = new Set<string>();
  for (const n of post.cfg.nodes) if (isAddedLine(post.image, n.line)) added.add(statementText(n).replace(/\s+/g, ''));
  // (a release given the object's address, `kobject_put(&root->kobj)`, does not say where it came from)
  const releases = new Set(preA.events.filter((e) => e.t === 'release').map((e) => e.node.id));
  return pre.cfg.nodes.some((n) => isDeletedLine(pre.image, n.line) && !releases.has(n.id) && n.ops.some((o) => assigns(o, obj)) && !added.has(statementText(n).replace(/\s+/g, '')));
}

/** Do two places sit under the same enclosing tests (the one is not conditional relative to the other)? */
function sameTests(a: CNode, b: CfgNode): boolean {
  const ta = enclosingTests(a, true);
  const bn = b.stmt ?? b.ast;
  if (!bn) return false;
  const tb = enclosingTests(bn, true);
  if (ta.size !== tb.size) return false;
  for (const [k, v] of ta) if (tb.get(k) !== v) return false;
  return true;
}

/** Is the object (every key `sameThing` accepts) already released, and not possibly held, where `n` starts? */
function releasedThere(a: ResourceAnalysis, n: CfgNode, sameThing: (k: ResourceKind, o: string) => boolean): boolean {
  const st = a.in[n.id];
  if (!st) return false;
  let before = 0;
  for (const k of a.keyList) if (sameThing(k.kind, k.obj)) before |= st.get(k.key) ?? a.initial;
  if (before === 0) before = a.initial;
  return (before & (R | X | Q)) !== 0 && !(before & (U | N | HELD));
}

/** Is `to` reached from the visible start (the entry, or code entered from out of sight) without entering `avoid`? */
function reachesAvoiding(a: ResourceAnalysis, to: CfgNode, avoid: ReadonlySet<number>): boolean {
  const starts = new Set<number>([a.cfg.entry.id, ...a.facts.visibility.hiddenEntries.map((n) => n.id)]);
  return searchBackward(to, (n) => (starts.has(n.id) ? true : undefined), (e) => !avoid.has(e.from.id)).found === true;
}

/**
 * Is the post-image's `join` reached from the visible start by a way that avoids `avoid` (the added
 * releases) and that, before the patch, led to the deleted release `released`? Every line the patch kept
 * on the way must have gone on to that release in the pre-image (forward, no loop back): a way whose kept
 * code did not is new (the patch deleted the `return` that ended it, and the object was never held on it).
 * A label no visible goto reaches is no start when an added release goes on into code out of sight (a
 * gap between hunks, the unseen end, a jump to code not shown): the jump to the label may be there, after
 * the added release. (Code past a block whose test is not shown is entered the way the code above it
 * is: a start.)
 */
function lostWayIn(pre: Unit, post: Unit, postA: ResourceAnalysis, join: CfgNode, avoid: ReadonlySet<number>, released: CfgNode): boolean {
  const before = searchBackward(released, undefined, (e) => !e.back).seen;
  const preAt = preNodeMap(pre, post);
  const vis = postA.facts.visibility;
  const jumpMayFollow = [...avoid].some((id) => {
    const rel = postA.cfg.nodes[id]?.id === id ? postA.cfg.nodes[id] : postA.cfg.nodes.find((n) => n.id === id);
    // (an added release no path reaches, written after a jump, runs before nothing)
    if (!rel || !rel.preds.length) return false;
    const out = (n: CfgNode) => vis.gaps.has(n.id) || n.succs.some((e) => e.kind === 'unresolved' || (e.to === postA.cfg.exit && e.kind !== 'return' && !vis.end));
    return searchForward(rel, (n) => (out(n) ? true : undefined)).found === true;
  });
  const starts = new Set([postA.cfg.entry.id, ...vis.hiddenEntries.filter((n) => n.kind !== 'label' || !jumpMayFollow).map((n) => n.id)]);
  const visit = (m: CfgNode) => {
    if (starts.has(m.id)) return true;
    if (m === join) return undefined;
    if (avoid.has(m.id)) return 'prune';
    const pm = preAt(m);
    return pm && !before.has(pm.id) ? 'prune' : undefined;
  };
  return searchBackward(join, visit).found === true;
}

/** preNodeAt() for many nodes of one pair of units: the pre-image node at a post-image node's context line. */
function preNodeMap(pre: Unit, post: Unit): (n: CfgNode) => CfgNode | null {
  const lineOf = new Map<unknown, number>();
  pre.image.origin.forEach((o, i) => {
    if (o.kind === 'patch' && !lineOf.has(o.line)) lineOf.set(o.line, i);
  });
  const nodeAt = new Map<number, CfgNode>();
  for (const n of pre.cfg.nodes) {
    if (n.kind === 'entry' || n.kind === 'exit') continue;
    const b = nodeAt.get(n.line);
    if (!b || n.col < b.col) nodeAt.set(n.line, n);
  }
  return (n) => {
    const o = post.image.origin[n.line];
    if (!o || o.kind !== 'patch' || o.line.kind !== 'context') return null;
    const j = lineOf.get(o.line);
    return j === undefined ? null : nodeAt.get(j) ?? null;
  };
}

/** Does some path from `from` leave the function, or the visible text, without entering `avoid`? */
function leavesAvoiding(a: ResourceAnalysis, from: CfgNode, avoid: ReadonlySet<number>): boolean {
  const vis = a.facts.visibility;
  return (
    searchForward(
      from,
      (n) => (avoid.has(n.id) ? 'prune' : n === a.cfg.exit || vis.gaps.has(n.id) || n.succs.some((e) => e.kind === 'unresolved') ? true : undefined),
    ).found === true
  );
}

/**
 * A goto the patch retargeted (`goto unlock_abort` → `goto abort` in the same
 * `-`/`+` run) to a label the post-image does not show, where the old label's
 * name says it releases what is held at the jump and the new label's name
 * does not. The labels' code is out of sight: the naming convention of error
 * ladders (catalog, a weak signal) is the only evidence, so only a key whose
 * acquire is visible and that every path to the jump holds is reported.
 */
export interface RetargetedGoto {
  key: KeyInfo;
  /** The post-image goto. */
  goto: CfgNode;
  oldLabel: string;
  newLabel: string;
}

const GOTO_LABEL = /\bgoto\s+([A-Za-z_]\w*)/;

/** Are the `_`-separated words of `tail` a proper subset of those of `label`? */
export function labelTail(label: string, tail: string): boolean {
  const words = new Set(label.toLowerCase().split('_').filter(Boolean));
  const t = tail.toLowerCase().split('_').filter(Boolean);
  return t.length > 0 && t.length < words.size && t.every((w) => words.has(w));
}

function gotoLabel(n: CfgNode): string | null {
  const t = (n.stmt ?? n.ast)?.text ?? '';
  const m = GOTO_LABEL.exec(t);
  return m ? m[1] : null;
}

export function retargetedGotos(pre: Unit, post: Unit, postA: ResourceAnalysis, cat: Catalog): RetargetedGoto[] {
  const out: RetargetedGoto[] = [];
  for (const g of post.cfg.nodes) {
    if (g.kind !== 'goto' || !isAddedLine(post.image, g.line)) continue;
    // a label the post-image shows: the dataflow decides, not the name
    if (!postA.facts.visibility.unresolvedGotos.has(g.id)) continue;
    const newLabel = gotoLabel(g);
    const here = patchLineOf(post.image, g.line);
    if (!newLabel || !here) continue;
    const run = changeRun(here.hunk, here.line);
    let oldLabel: string | null = null;
    for (const n of pre.cfg.nodes) {
      if (n.kind !== 'goto') continue;
      const pl = patchLineOf(pre.image, n.line);
      if (!pl || pl.hunk !== here.hunk || !run.dels.includes(pl.line)) continue;
      const l = gotoLabel(n);
      if (l && l !== newLabel) oldLabel = l;
    }
    // the ladder shape `unlock_abort:` falling into `abort:`, `out_unlock:` into `out:`: the new label
    // is the old one without the step that releases (a label of its own, `out_free:`, may fall through
    // into the old one: out of sight, not judged)
    if (!oldLabel || !labelTail(oldLabel, newLabel)) continue;
    const was = cat.gotoLabelReleases(oldLabel);
    const now = cat.gotoLabelReleases(newLabel);
    const st = postA.in[g.id];
    if (!st) continue;
    for (const [id, b] of st) {
      if (!definitelyHeld(b)) continue;
      const k = postA.keys.get(id);
      if (!k || !k.acquires.length) continue;
      const covers = (r: ReturnType<Catalog['gotoLabelReleases']>) => r.families.includes(k.family) && (!r.kinds.length || r.kinds.some((x) => cat.compatible(x, k.kind) || cat.compatible(k.kind, x)));
      if (!covers(was) || covers(now)) continue;
      out.push({ key: k, goto: g, oldLabel, newLabel });
    }
  }
  return out;
}

/**
 * A release written inside the condition of a debug-only assertion
 * (`VM_BUG_ON_PAGE(!put_page_testzero(page), page)`): without the macro's
 * config option the condition is never evaluated, so production kernels
 * never perform the release. The catalog says which macros are debug-only.
 */
export interface DebugOnlyRelease {
  ev: ReleaseEvent;
  macro: string;
  config: string;
}

export function debugOnlyReleases(a: ResourceAnalysis, cat: Catalog): DebugOnlyRelease[] {
  const out: DebugOnlyRelease[] = [];
  for (const ev of a.events) {
    if (ev.t !== 'release' || ev.element) continue;
    const w = debugOnlyWrapper(cat, ev.op);
    if (w) out.push({ ev, macro: w.macro, config: w.config });
  }
  return out;
}

/**
 * An acquire whose object is the call's result, called as a statement
 * (`pte_offset_map_lock(mm, pmd, addr, &ptl);`): nothing holds the object
 * any more, so no path can release it.
 */
export interface DiscardedAcquire {
  node: CfgNode;
  op: CallOp;
  eff: AcquireEffect;
}

export function discardedAcquires(a: ResourceAnalysis): DiscardedAcquire[] {
  const out: DiscardedAcquire[] = [];
  const seen = new Set<CallOp>();
  for (const ev of a.events) {
    const op = ev.op;
    if (seen.has(op) || op.result.kind !== 'discarded' || op.loopMacro || op.blockMacro) continue;
    seen.add(op);
    for (const eff of callEffects(ev.spec, op)) if (eff.op === 'acquire' && eff.object === 'ret') out.push({ node: ev.node, op, eff });
  }
  return out;
}

/**
 * A release given `p - 1` after a loop that advances `p` and can `break`
 * before advancing: on that path the release is given the entry before the
 * one the loop stopped at (before the mapping itself when the break comes at
 * the first entry), not the object the acquire returned.
 */
export interface CursorRelease {
  ev: ReleaseEvent;
  cursor: string;
  /** The loop's break (image line), or -1 when the loop is out of sight. */
  brkLine: number;
  /** The saved pointer the pre-image released there instead. */
  replaced?: string;
}

export function cursorReleases(a: ResourceAnalysis, pre?: Unit | null, post?: Unit): CursorRelease[] {
  const out: CursorRelease[] = [];
  for (const ev of a.events) {
    if (ev.t !== 'release' || ev.element || typeof ev.eff.object !== 'number') continue;
    const c = cursorMinusOneAfterBreak(ev.op, ev.eff.object);
    if (c) out.push({ ev, cursor: c.cursor, brkLine: c.brk.startPosition.row });
  }
  // the loop out of sight: the patch replaced the release of a saved pointer (`mapped_pte`) by `pte - 1`
  if (pre && post)
    for (const r of replacedCalls(pre, post)) {
      const ev = a.events.find((e): e is ReleaseEvent => e.t === 'release' && e.op === r.add.op && typeof e.eff.object === 'number');
      if (!ev || out.some((o) => o.ev === ev)) continue;
      const idx = ev.eff.object as number;
      const m = CURSOR_ARG.exec(r.add.op.args[idx]?.text ?? '');
      const old = (r.del.op.args[idx]?.text ?? '').trim();
      if (!m || !PLAIN_NAME.test(old) || old === m[1]) continue;
      out.push({ ev, cursor: m[1], brkLine: -1, replaced: old });
    }
  return out;
}

const CURSOR_ARG = /^\s*([A-Za-z_]\w*)\s*-\s*1\s*$/;
const PLAIN_NAME = /^[A-Za-z_]\w*$/;

/**
 * A re-check the patch deleted whole (`if (compound_head(p) != head) { ...;
 * goto out; }`) right after a kept acquire whose kind the catalog says must be
 * followed by one (recheckAfter: a page lock, a page reference): a comparison
 * between something re-read from memory and the object taken, whose failing
 * arm leaves. Not when the same change adds a test of the object back (the
 * re-check rewritten, or moved into a helper called in a condition).
 */
export interface DeletedRecheck {
  /** The kept acquire (pre-image event) the re-check followed. */
  acquire: import('./resources').AcquireEvent;
  /** The deleted `if` (pre-image branch node). */
  branch: CfgNode;
  /** The condition as written, on one line. */
  cond: string;
  /** The functions the condition called (for the changelog's account). */
  calls: string[];
  /** The acquire in the post-image. */
  postAcquire: import('./resources').AcquireEvent;
}

/**
 * The `if` statements (without `else`) the patch deletes whole, whose arm leaves (goto, return, break), each
 * once with the first of its tests (a `||` / `&&` operand is a branch of its own).
 */
function deletedLeavingIfs(pre: Unit): { b: CfgNode; ifs: IfParts }[] {
  const out: { b: CfgNode; ifs: IfParts }[] = [];
  const seenIf = new Set<number>();
  let lines: string[] | undefined;
  for (const b of pre.cfg.nodes) {
    if (b.kind !== 'branch' || !b.ast || !isDeletedLine(pre.image, b.line)) continue;
    const ifs = ifOfTest(b.ast);
    if (!ifs || ifs.orelse || seenIf.has(ifs.key)) continue;
    seenIf.add(ifs.key);
    let whole = true;
    for (let l = ifs.startRow; l <= ifs.endRow && whole; l++) if (!isDeletedLine(pre.image, l) && (lines ??= pre.image.text.split('\n'))[l]?.trim()) whole = false;
    if (whole && leaves(ifs.body)) out.push({ b, ifs });
  }
  return out;
}

export function deletedRechecks(pre: Unit, preA: ResourceAnalysis, post: Unit, postA: ResourceAnalysis, cat: Catalog): DeletedRecheck[] {
  const out: DeletedRecheck[] = [];
  for (const { b, ifs } of deletedLeavingIfs(pre)) {
    // comparisons in the condition with a side re-read from memory (a call, a dereference)
    const cmps = equalities(ifs.cond);
    for (const acq of preA.events) {
      if (acq.t !== 'acquire' || !cat.kind(acq.key.kind).recheckAfter || !acq.key.obj) continue;
      if (isDeletedLine(pre.image, acq.op.line) || acq.op.line >= b.line) continue;
      const names = aliasesOf(preA, acq.key.obj);
      const hit = cmps.some(({ left: l, right: r }) => {
        const on = (x: CNode | null) => !!x && names.some((o) => mentions(x.text, o));
        return (on(l) && readsMemory(r)) || (on(r) && readsMemory(l));
      });
      if (!hit) continue;
      // the re-check follows the acquire with the object still held
      const st = preA.in[b.id]?.get(acq.key.key);
      if (st === undefined || !(st & HELD)) continue;
      // and the change does not test the object again
      const pl = patchLineOf(pre.image, b.line);
      if (!pl) continue;
      const run = changeRun(pl.hunk, pl.line);
      if (run.adds.some((l) => /\bif\s*\(|\?/.test(l.text) && names.some((o) => mentions(l.text, o)))) continue;
      const postAcquire = postA.events.find((e) => e.t === 'acquire' && e.op.name === acq.op.name && e.key.obj === acq.key.obj && patchLineOf(post.image, e.op.line)?.line === patchLineOf(pre.image, acq.op.line)?.line);
      if (!postAcquire || postAcquire.t !== 'acquire') continue;
      out.push({ acquire: acq, branch: b, cond: ifs.condText, calls: calledNames(ifs.cond), postAcquire });
      break;
    }
  }
  return out;
}

/**
 * A whole `if` the patch deletes that re-validated a lockless lookup with a
 * catalogued re-validating call (`if (unlikely(folio != xas_reload(&xas)))`,
 * `pte_same()`, `read_seqcount_retry()`) and whose arm drops a reference
 * (`folio_put(folio); ... continue;`): it undid a speculative get, which the
 * patch keeps (the get may be above the hunk, out of sight: the arm's put says
 * it was taken). Not when the same change run adds a test of the object again
 * or deletes the get too. Returns the deleted branch and where it was in the
 * post-image.
 */
export interface DeletedRevalidation {
  branch: CfgNode;
  cond: string;
  calls: string[];
  /** The release in the deleted arm. */
  release: import('./resources').ReleaseEvent;
  /** The first post-image node after the deleted lines. */
  at: CfgNode;
}

export function deletedRevalidations(pre: Unit, preA: ResourceAnalysis, post: Unit, cat: Catalog): DeletedRevalidation[] {
  const out: DeletedRevalidation[] = [];
  for (const { b, ifs } of deletedLeavingIfs(pre)) {
    if (!calledNames(ifs.cond).some((n) => cat.api(n)?.revalidates)) continue;
    // the arm drops a reference on an object the condition compares
    const release = preA.events.find(
      (e): e is import('./resources').ReleaseEvent =>
        e.t === 'release' && e.node.line > ifs.startRow && e.node.line <= ifs.endRow && cat.kind(e.eff.kind).family === 'ref' && !!e.obj && mentions(ifs.condText, e.obj),
    );
    if (!release) continue;
    const pl = patchLineOf(pre.image, b.line);
    if (!pl) continue;
    const run = changeRun(pl.hunk, pl.line);
    // the change tests the object again, or takes the get away with the re-check
    if (run.adds.some((l) => /\bif\s*\(|\?/.test(l.text) && mentions(l.text, release.obj))) continue;
    if (preA.events.some((e) => e.t === 'acquire' && e.key.obj === release.obj && isDeletedLine(pre.image, e.op.line))) continue;
    const at = postNodeAfter(pre, post, ifs.endRow, false);
    if (!at) continue;
    out.push({ branch: b, cond: ifs.condText, calls: calledNames(ifs.cond), release, at });
  }
  return out;
}

/**
 * The `if` statements the patch rewrote: an `if` on added lines whose
 * condition replaces the condition of a deleted `if` in the same change run
 * (one per statement; `branch` is the added test node that found it).
 */
export function rewrittenIfs(pre: Unit, post: Unit): { branch: CfgNode; now: IfParts; old: IfParts }[] {
  const out: { branch: CfgNode; now: IfParts; old: IfParts }[] = [];
  const seen = new Set<number>();
  for (const b of post.cfg.nodes) {
    if (b.kind !== 'branch' || !b.ast || !isAddedLine(post.image, b.line)) continue;
    const now = ifOfTest(b.ast);
    if (!now || seen.has(now.key)) continue;
    seen.add(now.key);
    const pl = patchLineOf(post.image, now.startRow);
    if (!pl) continue;
    const run = changeRun(pl.hunk, pl.line);
    let old: IfParts | null = null;
    for (const n of pre.cfg.nodes) {
      if (n.kind !== 'branch' || !n.ast || !isDeletedLine(pre.image, n.line)) continue;
      const line = patchLineOf(pre.image, n.line)?.line;
      if (line && run.dels.includes(line)) old = ifOfTest(n.ast) ?? old;
    }
    if (old) out.push({ branch: b, now, old });
  }
  return out;
}

/**
 * A re-check the patch narrowed: the condition of an `if` whose arm leaves is
 * rewritten with some of its `||` operands dropped, and a dropped operand is a
 * catalogued re-read comparison (`pmd_val(pmd) != pmd_val(*pmdp)`: a snapshot
 * against memory read again, RevalidationPattern 'same-call'). The operands
 * kept must all have been there. What the dropped one detected (a THP
 * collapse clearing the pmd) now goes unnoticed.
 */
export interface NarrowedRecheck {
  /** The post-image `if` condition node (branch) that replaced it. */
  branch: CfgNode;
  dropped: string[];
  /** The pre-image condition, one line. */
  was: string;
  /** The re-check pattern the dropped operand is (`pmd re-read`). */
  pattern: string;
}

export function narrowedRechecks(pre: Unit, post: Unit, cat: Catalog): NarrowedRecheck[] {
  const out: NarrowedRecheck[] = [];
  for (const { branch: b, now: ifs, old } of rewrittenIfs(pre, post)) {
    if (!leaves(ifs.body) || !leaves(old.body)) continue;
    const was = disjuncts(old.cond.text);
    const is = disjuncts(ifs.cond.text);
    if (!is.every((d) => was.includes(d))) continue;
    const dropped = was.filter((d) => !is.includes(d));
    if (!dropped.length) continue;
    const pattern = dropped.map((d) => rereadPattern(cat, d)).find(Boolean);
    if (!pattern) continue;
    out.push({ branch: b, dropped, was: old.condText, pattern });
  }
  return out;
}

/** The operands of a condition's top-level `||` (or `&&`), blanks and likely()/unlikely() wrappers dropped. */
export function disjuncts(cond: string, op: '||' | '&&' = '||'): string[] {
  const t = unwrap(cond.replace(/\s+/g, ''));
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < t.length; i++) {
    const c = t[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (depth === 0 && c === op[0] && t[i + 1] === op[1]) {
      out.push(t.slice(start, i));
      start = i + 2;
      i++;
    }
  }
  out.push(t.slice(start));
  return out.map(unwrap);
}

/** `unlikely(x)`, `(x)` -> `x`, only when the outer parentheses enclose the whole text. */
function unwrap(t: string): string {
  let s = t;
  for (;;) {
    const m = /^(?:un)?likely\((.*)\)$/.exec(s) ?? /^\((.*)\)$/.exec(s);
    if (!m || !balanced(m[1])) return s;
    s = m[1];
  }
}

function balanced(t: string): boolean {
  let depth = 0;
  for (const c of t) {
    if (c === '(') depth++;
    else if (c === ')' && --depth < 0) return false;
  }
  return depth === 0;
}

/** The catalogued re-read pattern an operand is (`f(snapshot) != f(*p)` or `f(snapshot) != f(reread(p))`), if any. */
function rereadPattern(cat: Catalog, operand: string): string | undefined {
  const cmp = splitComparison(operand);
  if (!cmp) return undefined;
  for (const p of cat.revalidationPatterns()) {
    if (p.other !== 'same-call' || !(p.operators ?? ['!=', '==']).includes(cmp.op)) continue;
    for (const f of p.recompute ?? []) {
      const a = argOfCall(cmp.left, f);
      const b = argOfCall(cmp.right, f);
      if (a === undefined || b === undefined) continue;
      const reread = (x: string) => x.startsWith('*') || (p.rereadCalls ?? []).some((c) => x.startsWith(`${c}(`));
      if (reread(a) !== reread(b)) return p.name;
    }
  }
  return undefined;
}

/** `l == r` / `l != r` at the top level of a blank-free operand. (A scan, not a regex: linear on any input.) */
function splitComparison(t: string): { left: string; op: '==' | '!='; right: string } | undefined {
  let depth = 0;
  for (let i = 0; i < t.length - 1; i++) {
    const c = t[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (depth === 0 && (c === '=' || c === '!') && t[i + 1] === '=' && t[i - 1] !== '=' && t[i + 2] !== '=') return { left: t.slice(0, i), op: c === '=' ? '==' : '!=', right: t.slice(i + 2) };
  }
  return undefined;
}

/** The argument text of `f(...)` when `t` is exactly that call. */
function argOfCall(t: string, f: string): string | undefined {
  if (!t.startsWith(`${f}(`) || !t.endsWith(')')) return undefined;
  const inner = t.slice(f.length + 1, -1);
  let depth = 0;
  for (const c of inner) {
    if (c === '(') depth++;
    else if (c === ')' && --depth < 0) return undefined;
  }
  return depth === 0 ? inner : undefined;
}

/** The names called in an expression's text (`PageHuge(p) || compound_head(p) != head` → PageHuge, compound_head). A scan: linear. */
export function calleesInText(t: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < t.length) {
    const c = t[i];
    if (/[A-Za-z_]/.test(c) && (i === 0 || !/\w/.test(t[i - 1]))) {
      let j = i + 1;
      while (j < t.length && /\w/.test(t[j])) j++;
      let k = j;
      while (k < t.length && t[k] === ' ') k++;
      if (t[k] === '(') out.push(t.slice(i, j));
      i = j;
    } else i++;
  }
  return out;
}

/**
 * A pointer the patch no longer clears after releasing it: before the patch
 * `put(X); X = NULL;`, after it the put stays and the `X = NULL` is gone,
 * where X lives beyond this function (a field, an array slot: `->`, `.`,
 * `[`). The released object is still named there, so whoever later puts what
 * X names (an error ladder, a teardown) releases it twice.
 */
export interface UnclearedPointer {
  /** The kept release (post-image). */
  ev: ReleaseEvent;
  /** The deleted `X = NULL;` (pre-image node). */
  cleared: CfgNode;
}

export function unclearedPointers(pre: Unit, preA: ResourceAnalysis, post: Unit, postA: ResourceAnalysis, cat: Catalog): UnclearedPointer[] {
  const out: UnclearedPointer[] = [];
  const isNull = (t: string | null) => !!t && /^\(?\s*(?:NULL|0|\(\s*void\s*\*\s*\)\s*0)\s*\)?$/.test(t.trim());
  for (const ev of preA.events) {
    if (ev.t !== 'release' || !ev.obj || cat.kind(ev.eff.kind).family !== 'ref') continue;
    // (an element's release names the array: the pointer is the argument as written)
    const obj = ev.objText.replace(/\s+/g, '').replace(/^\((.*)\)$/, '$1');
    if (!/->|\.|\[/.test(obj)) continue;
    // the statement right after the release (same path, nothing between) clears it, on a deleted line
    const next = ev.node.succs.filter((e) => e.kind !== 'unresolved');
    if (next.length !== 1) continue;
    const n = next[0].to;
    const clear = n.ops.find((o) => o.kind === 'assign' && o.op === '=' && o.target.text.replace(/\s+/g, '') === obj && isNull(o.rhs));
    if (!clear || !isDeletedLine(pre.image, n.line)) continue;
    // the same release in the post-image, and no clear of the pointer after it any more
    // (kept as a context line, or deleted and added again as written in the same change)
    const pl = patchLineOf(pre.image, ev.op.line);
    if (!pl) continue;
    const text = ev.op.node.text.replace(/\s+/g, '');
    const run = pl.line.kind === 'del' ? changeRun(pl.hunk, pl.line).adds : [];
    const now = postA.events.find((e): e is ReleaseEvent => {
      if (e.t !== 'release' || e.op.name !== ev.op.name) return false;
      const at = patchLineOf(post.image, e.op.line)?.line;
      return at === pl.line || (!!at && run.includes(at) && e.op.node.text.replace(/\s+/g, '') === text);
    });
    if (!now) continue;
    const clears = (m: CfgNode) => m.ops.some((o) => o.kind === 'assign' && o.target.text.replace(/\s+/g, '') === obj);
    if (searchForward(now.node, (m) => (m !== now.node && clears(m) ? true : undefined)).found) continue;
    out.push({ ev: now, cleared: n });
  }
  return out;
}
