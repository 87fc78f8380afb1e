/**
 * Acquire/release balance over the resource dataflow: the facts the
 * ref-balance, spec-ref and bracket rules report.
 *
 *  - leaks(): a key definitely held where a visible exit leaves, with nothing
 *    on the way releasing or handing it over, on an error exit (or, for locks
 *    and sections, where other exits release it);
 *  - siblingLeaks(): the same with the acquire out of sight: at a branch, every
 *    path of one side releases the key (so it is held there) while the other
 *    side reaches a different, visible error exit that does not;
 *  - releaseFaults(): a second release on a path, a release after the
 *    conditional acquire failed;
 *  - retryRelocks(): `goto again` with a lock held, back to code that takes it;
 *  - borrowedReleases(): a put on a page a lookup returned without a reference.
 *
 * Precision first: a finding rests only on text the reviewer has. Code not
 * shown (above a hunk, between hunks, past its end) is unknown (bit U) and no
 * path through it proves anything.
 */
import type { CfgEdge, CfgNode, CallOp } from '../c/cfg';
import { searchForward } from '../c/dataflow';
import type { ApiSpec, Catalog } from '../catalog';
import { callValue, describedCall, isBackwardGoto, isFailureEdge, mentions, normObject, negativeErrnoValue, pointerState, testOf, uncast, type ExitFact } from '../c/facts';
import {
  definitelyHeld,
  exitPoints,
  undroppedPathToExit,
  type KeyInfo,
  type ResourceAnalysis,
  type ReleaseEvent,
  type AcquireEvent,
  type Bits,
  type LadderEnd,
  type ExitPoint,
  N,
  P,
  R,
  U,
  H,
  H2,
  HELD,
  X,
  E,
  F,
  Q,
} from './resources';
import { anticipation } from './anticipation';

export interface Leak {
  key: KeyInfo;
  exit: CfgNode;
  exitText: string;
  error: boolean;
  /** 'held': the acquire is visible and every path here holds it; 'sibling': inferred from sibling exits that release it. */
  how: 'held' | 'sibling';
  /** A section opened with a lock by one call, where this path released the lock only: that release. */
  partnerRelease?: ReleaseEvent;
  /** For sibling leaks: the branch and a release on the releasing side. */
  branch?: CfgNode;
  siblingRelease?: ReleaseEvent;
  /** For leaks into code out of sight: the jump the patch kept that enters the same code not holding it. */
  joins?: CfgNode;
  /** Why the way out leaks it, when it is not the usual (an error path, other paths release it). */
  reason?: string;
}

const leakCache = new WeakMap<ResourceAnalysis, Leak[]>();

/** Functions that implement a catalogued primitive are its definition, not a use. */
export function isCatalogPrimitive(name: string, cfgName: string, cat: Catalog): boolean {
  return cat.has(name) || cat.has(cfgName);
}

/**
 * A lock or section held on some path into `exit` and handed to code out of
 * sight on others (`mmap_read_lock(mm); retry: vma = vma_lookup(mm, ..); if
 * (!vma) return -EFAULT; ret = follow_fault_pfn(vma, mm, ..); if (ret ==
 * -EAGAIN) goto retry;`: the first pass reaches the return with the lock
 * taken above and nothing between): the union of the states says "held or
 * handed over", but one path from the acquire reaches the exit through no
 * node that releases or hands it over, and on that path it is held. Only
 * when the other paths handed it over (no unknown history, no release).
 * References are left out: passing one to a helper on some paths is how
 * ownership moves, and which path a reference takes is the caller's contract.
 * Only at a return: the search does not follow the branch correlations the
 * dataflow does, and a goto's ladder may release under a test that matches
 * the one the lock was taken under (`done: if (!(si->flags & SWP_SOLIDSTATE))
 * spin_unlock(..)`).
 */
function heldOnACleanPath(a: ResourceAnalysis, id: string, b: Bits, exit: CfgNode): boolean {
  if (!(b & HELD) || (b & ~(HELD | E)) !== 0) return false;
  const k = a.keys.get(id)!;
  if (k.family === 'ref' || !k.acquires.length) return false;
  const drops = a.drops.get(id);
  if (drops?.has(exit.id)) return false;
  for (const acq of k.acquires) {
    if (drops?.has(acq.node.id)) continue;
    const found = searchForward(acq.node, (n) => (n === exit ? true : n !== acq.node && (drops?.has(n.id) || a.takes.get(id)?.has(n.id)) ? 'prune' : undefined));
    if (found.found) return true;
  }
  return false;
}

/** Every leaking exit of a unit (all families), acquires in view. */
export function leaks(a: ResourceAnalysis, addedExit?: (n: CfgNode) => boolean, replacedJump?: (n: CfgNode) => boolean): Leak[] {
  const hit = leakCache.get(a);
  if (hit) return hit;
  const out: Leak[] = [];
  // nothing tracked, nothing leaks (most units: their exits are never computed)
  if (!a.keyList.length) {
    leakCache.set(a, out);
    return out;
  }
  const exits = exitPoints(a).filter((x) => x.visible);
  // exits where each key is definitely released, on a successful path
  const releasedOk = new Map<string, boolean>();
  for (const x of exits) for (const [id, b] of x.state) if (!x.error && b === R) releasedOk.set(id, true);
  for (const x of exits) {
    for (const [id, b] of x.state) {
      if (!definitelyHeld(b) && !(x.kind === 'return' && heldOnACleanPath(a, id, b, x.node))) continue;
      const k = a.keys.get(id)!;
      // a lock the header says the caller holds and this function releases (`__releases(ptl)`) counts as taken
      // at the entry; one it must keep (`__must_hold()`) is the caller's to release
      if (!k.acquires.length && !(k.onEntry && a.facts.heldOnEntry.some((h) => h.releases && h.obj === k.obj))) continue;
      // a reference taken straight into a structure the caller passed (`req->ki_filp = fget(fd)`) is
      // that structure's: its owner drops it when it frees the structure (fs/aio.c __io_submit_one()),
      // unless this function itself drops it on some path
      if (k.family === 'ref' && storedInCallersObject(a, k)) continue;
      // the caller's lock (or section), dropped and taken again here (`spin_unlock(&d->d_lock); spin_lock(&i->i_lock);
      // spin_lock(&d->d_lock);`: fs/dcache.c lock_for_kill()): held at a way out is how it came in
      // (an unconditional release: one under a test, `if (locked) unlock(locked)`, may be of this function's own)
      if (k.family !== 'ref' && a.events.some((e) => e.t === 'release' && e.key === k && (e.bits & (N | U)) !== 0 && !guardedRelease(e.node))) continue;
      // the caller's lock released on the paths that return one value and kept on those that return another
      // (`__releases(&current->sighand->siglock)`, released when it returns true: kernel/signal.c
      // do_signal_stop()): the caller tells which by the result
      if (k.onEntry && k.family !== 'ref' && releasedByResult(a, k, exits)) continue;
      let path: LadderEnd | null;
      if (x.kind === 'goto') {
        const label = x.node.succs.find((e) => e.kind === 'goto')!.to;
        path = a.drops.get(id)?.has(label.id) ? null : undroppedPathToExit(a, label, id, x.node);
      } else if (x.kind === 'fall' && !a.facts.visibility.end) path = null;
      else path = { reachesReturn: false, releasedAtAReturn: false };
      if (!path) continue;
      const error = x.error;
      // a section opened by the same call as a lock that this exit has released (spin_lock_irq() ...
      // spin_unlock()): the lock went, the section stays (IRQs left off): never the caller's contract
      const partnerReleased =
        k.family === 'bracket' &&
        [...x.state].some(([lid, lb]) => {
          const l = a.keys.get(lid)!;
          return l.family === 'lock' && lb === R && l.acquires.some((la) => k.acquires.some((ka) => ka.op === la.op));
        });
      // an early exit from inside an iterator loop (`list_for_each_entry`, `xas_for_each`) with a lock
      // or section the loop body holds and the code after the loop releases: the shortcut forgot it
      const earlyFromIterator = k.family !== 'ref' && earlyIteratorExit(a, x.node, id);
      // refs are routinely returned held on success (ownership transfer); locks and brackets are not
      // a lock or section still held where the goto's ladder ends, while other paths arrive there released
      // (not for a lock the caller holds on entry, which the function drops and re-takes: scan_swap_map_slots)
      const callerHeld = a.events.some((e) => e.t === 'release' && e.key === k && (e.bits & (N | U)) !== 0);
      const endsMixed = k.family !== 'ref' && x.kind === 'goto' && !callerHeld && releasedWhereLadderEnds(a, path, id);
      // a way out the patch adds, holding a lock or section the function releases elsewhere (`if (!pte_same(..))
      // return 0;` after pte_offset_map_lock()): the shortcut skips the release, success or not
      const addedShortcut = k.family !== 'ref' && !!addedExit && addedExit(x.node);
      if (!error && !partnerReleased && !earlyFromIterator && !addedShortcut && (k.family === 'ref' || (!releasedOk.get(id) && !endsMixed))) continue;
      // a lock or section this function never closes on its way out is taken for its caller
      // (seq_file ->start, *_lock() helpers, page_ext_get): the caller's unlock pairs with it.
      // Dropping it only to retry (`unlock; goto again;`) is not closing it.
      // With the function's end out of sight and no release of it in view, whether the function keeps
      // a lock for its caller is unknown; but a negative errno returned with it held (`return -EAGAIN;`)
      // is not how a function hands a lock to its caller, whatever the code out of sight does.
      const errnoWithUnseenEnd =
        x.kind === 'return' && !a.facts.visibility.end && !a.facts.statesReturnsHolding && returnsNegativeErrno(x.node) && !a.events.some((e) => e.t === 'release' && e.key === k);
      // an added return where the patch deleted a goto into code out of sight: that code was written for
      // what the goto held (it closed it), so the function does not keep it for its caller on this path
      const jumpReplaced = !!addedShortcut && !!replacedJump && replacedJump(x.node) && !a.events.some((e) => e.t === 'release' && e.key === k);
      if (k.family !== 'ref' && !partnerReleased && !errnoWithUnseenEnd && !jumpReplaced && takenForCaller(a, k)) continue;
      // a section opened by the same call as such a lock (spin_lock_irqsave) goes with it
      if (
        k.family === 'bracket' &&
        [...x.state].some(([lid, lb]) => {
          const l = a.keys.get(lid)!;
          return l.family === 'lock' && definitelyHeld(lb) && l.acquires.some((la) => k.acquires.some((ka) => ka.op === la.op)) && takenForCaller(a, l);
        })
      )
        continue;
      let partnerRelease: ReleaseEvent | undefined;
      if (partnerReleased)
        partnerRelease = a.events.find(
          (e): e is ReleaseEvent => e.t === 'release' && !!e.key && e.key.family === 'lock' && e.key.acquires.some((la) => k.acquires.some((ka) => ka.op === la.op)),
        );
      const reason = jumpReplaced ? 'the patch put this return where a `goto` went on into code it does not show, which was written for what the goto held' : undefined;
      out.push({ key: k, exit: x.node, exitText: x.text, error, how: 'held', partnerRelease, reason });
    }
  }
  // a return inside the ladder that a leaking goto of the same key runs into is the same
  // defect: report the goto only (the return is reached from nowhere else)
  // (per key: the leaking gotos, and what the entry reaches without them, computed once)
  const reach = new Map<KeyInfo, Set<number> | null>();
  const kept = out.filter((l) => {
    if (l.exit.kind !== 'return') return true;
    let r = reach.get(l.key);
    if (r === undefined) {
      const gotos = new Set(out.filter((g) => g.key === l.key && g.exit.kind === 'goto').map((g) => g.exit.id));
      reach.set(l.key, (r = gotos.size ? reachableSetAvoiding(a.cfg.entry, gotos) : null));
    }
    return r === null || r.has(l.exit.id);
  });
  kept.push(...continueLeaks(a));
  leakCache.set(a, kept);
  return kept;
}

/**
 * Is `exit` an early exit from inside an iterator-macro loop whose lock or
 * section `key` is held when the loop starts, and released by the code after
 * the loop (reached when the loop ends)?
 */
function earlyIteratorExit(a: ResourceAnalysis, exit: CfgNode, key: string): boolean {
  const reach = (from: CfgNode, stop?: CfgNode): Set<number> => searchForward(from, undefined, (e) => e.to !== stop).seen;
  const drops = a.drops.get(key);
  if (!drops) return false;
  for (const head of a.cfg.nodes) {
    if (head.loop?.kind !== 'macro') continue;
    const body = head.succs.find((e) => e.kind === 'loop-body')?.to;
    const after = head.succs.find((e) => e.kind === 'loop-exit')?.to;
    if (!body || !after) continue;
    const inBody = reach(body, head);
    if (!inBody.has(exit.id)) continue;
    const afterLoop = reach(after);
    if (afterLoop.has(exit.id)) continue;
    if (!definitelyHeld(a.in[head.id]?.get(key) ?? a.initial)) continue;
    if ([...drops].some((d) => afterLoop.has(d) && !inBody.has(d))) return true;
  }
  return false;
}

/**
 * A `continue` that goes on to the next iteration holding what this iteration
 * took, while the other paths of the iteration release it (`if (!folio_trylock(f))
 * continue; if (!wanted(f)) continue; ...; folio_unlock(f);`): the next
 * iteration takes another one, and this one is never released. Only when the
 * acquire and a release of the key are both inside the loop, and the way from
 * the continue back to the acquire passes no release (a release in a `for`
 * update clause runs on the continue path too).
 */
function continueLeaks(a: ResourceAnalysis): Leak[] {
  const out: Leak[] = [];
  const seen = new Set<string>();
  for (const n of a.cfg.nodes)
    for (const e of n.succs) {
      if (e.via !== 'continue') continue;
      const st = a.out[n.id];
      if (!st) continue;
      const head = e.to;
      const inLoop = (m: CfgNode) => reachableAvoiding(head, m) && reachableAvoiding(m, head);
      for (const [id, b] of st) {
        if (!definitelyHeld(b)) continue;
        const k = a.keys.get(id)!;
        if (k.family === 'bracket') continue;
        const acq = k.acquires.find((x) => inLoop(x.node));
        if (!acq) continue;
        const rel = a.events.find((x): x is ReleaseEvent => x.t === 'release' && (x.key === k || (!x.key && x.obj === k.obj && x.eff.kind === k.kind)) && inLoop(x.node));
        // with the iteration's release out of sight: held through the cursor of the loop macro (`spin_lock(&vb->lock);
        // ... continue;` in xa_for_each(.., vb)), whose next step names another object: nothing can release it by
        // that name any more
        if (!rel && !(cursorOf(a, head) !== undefined && (k.obj === cursorOf(a, head) || k.obj.startsWith(`${cursorOf(a, head)}->`)))) continue;
        // the loop's own step takes the next one (an iterator: mem_cgroup_iter(), a walk) or drops this one
        const drops = a.drops.get(id) ?? new Set<number>();
        if (drops.has(head.id) || k.acquires.some((x) => x.node === head)) continue;
        if (!reachableAvoiding(head, acq.node, drops)) continue;
        const sid = `${id}|${n.id}`;
        if (seen.has(sid)) continue;
        seen.add(sid);
        const cur = rel ? undefined : cursorOf(a, head);
        out.push({
          key: k,
          exit: n,
          exitText: 'continue',
          error: false,
          how: rel ? 'sibling' : 'held',
          branch: n,
          siblingRelease: rel,
          reason: cur ? `the next step of the loop names another object through \`${cur}\`, so nothing releases this one by that name` : undefined,
        });
      }
    }
  return out;
}

/** The object a loop macro at `head` names anew on every iteration (catalog iteratorCursor), if it is one. */
function cursorOf(a: ResourceAnalysis, head: CfgNode): string | undefined {
  const ev = a.events.find((e) => e.t === 'call' && e.node === head && e.op.loopMacro && e.spec.iteratorCursor !== undefined);
  const arg = ev && ev.op.args[ev.spec.iteratorCursor!];
  if (!arg) return undefined;
  const t = arg.text.replace(/\s+/g, '');
  return /^[A-Za-z_]\w*$/.test(t) ? t : undefined;
}

/**
 * Is `k` taken for the caller? The function never releases it, or releases it
 * only on the way back to a retry (`unlock; goto again;`) and returns it held
 * on a successful exit (folio_memcg_lock()).
 */
function takenForCaller(a: ResourceAnalysis, k: KeyInfo): boolean {
  const rels = a.events.filter((e) => e.t === 'release' && e.key === k);
  if (!rels.length) return true;
  // the text says so ("Returns 1 with preemption disabled", __acquires()): held at a successful exit
  if (a.facts.statesReturnsHolding && exitPoints(a).some((x) => x.visible && !x.error && definitelyHeld(x.state.get(k.key) ?? a.initial))) return true;
  // held on every way out, success and failure alike: returning it held is the function's contract
  // (krc_this_cpu_lock() users that drop the lock to allocate and take it again); with the end out of sight
  // and only error returns in view (`return -EINVAL;` between a local_irq_save() and its restore), nothing
  // says a successful caller gets it
  const outs = exitPoints(a).filter((x) => x.visible);
  if (outs.length && (a.facts.visibility.end || outs.some((x) => !x.error)) && outs.every((x) => definitelyHeld(x.state.get(k.key) ?? a.initial))) return true;
  if (rels.some((e) => !retriesAfter(e.node))) return false;
  return exitPoints(a).some((x) => definitelyHeld(x.state.get(k.key) ?? a.initial) && !x.error);
}

/** `return -EAGAIN;`: a negative errno constant (bare or as an error pointer). */
function returnsNegativeErrno(n: CfgNode): boolean {
  const ret = n.ops.find((o) => o.kind === 'return');
  return !!(ret && ret.kind === 'return' && ret.valueText && negativeErrnoValue(ret.valueText));
}

/** Does control go straight (no test) from `n` to a backward goto (`unlock; goto again;`)? */
function retriesAfter(n: CfgNode): boolean {
  let cur = n;
  for (let i = 0; i < 32; i++) {
    if (cur.kind === 'goto' && isBackwardGoto(cur)) return true;
    if (cur.succs.length !== 1) return false;
    const e = cur.succs[0];
    // a loop body's own unlock before its back edge pairs with the lock at its top: not a retry
    if (e.back || e.cond || e.to.kind === 'exit') return false;
    cur = e.to;
  }
  return false;
}

/** Do other paths reach the returns the ladder ends in (or the end of the function) with `key` released? */
function releasedWhereLadderEnds(a: ResourceAnalysis, end: LadderEnd, key: string): boolean {
  if (end.reachesReturn) return end.releasedAtAReturn;
  return ((a.in[a.cfg.exit.id]?.get(key) ?? a.initial) & R) !== 0;
}

/** The ids of the nodes `from` reaches without entering a node of `avoid` (`from` included). */
function reachableSetAvoiding(from: CfgNode, avoid: ReadonlySet<number>): Set<number> {
  return searchForward(from, undefined, (e) => !avoid.has(e.to.id)).seen;
}

/** Can `to` be reached from `from` without passing one of the `avoid` nodes? */
export function reachableAvoiding(from: CfgNode, to: CfgNode, avoid: ReadonlySet<number> = new Set()): boolean {
  return searchForward(from, (n) => (n === to ? true : undefined), (e) => !avoid.has(e.to.id)).found === true;
}

/** Visible exits reachable from `n` (any kind). */
function exitsFrom(a: ResourceAnalysis, n: CfgNode): Set<number> {
  const ids = new Set(a.facts.exits.map((x) => x.node.id));
  return new Set([...searchForward(n).seen].filter((id) => ids.has(id)));
}

const ERROR_CODE_NAMES = /^(err|error|ret|rc|res|result|status|retval|rv)$/;

/**
 * Could the branch's test decide whether `k` is held (`if (!page)`, `if (locked)`,
 * `if (!spin_trylock(l))`)? Then one side releasing and the other not is no leak.
 */
function testConcernsKey(a: ResourceAnalysis, b: CfgNode, k: KeyInfo, cat: Catalog): boolean {
  for (const e of b.succs) {
    const t = testOf(e);
    if (!t) continue;
    const s = uncast(t.subject);
    if (k.obj && (mentions(s.text, k.obj) || (k.obj.includes('->') && mentions(k.obj, s.norm)))) return true;
    if (t.other && k.obj && mentions(t.other.text, k.obj)) return true;
    if (s.k === 'call') {
      const spec = cat.api(s.name);
      if (spec?.effects?.some((x) => x.op === 'acquire' || x.op === 'release')) return true;
      continue;
    }
    if (s.k === 'id') {
      const type = (a.types.get(s.name) ?? '').trim();
      if (type === 'bool' || type === '_Bool') return true;
      // a flag whose origin is not shown may say whether the lock was taken; error codes do not
      if (!a.types.has(s.name) && !ERROR_CODE_NAMES.test(s.name) && !a.cfg.nodes.some((n) => n.ops.some((o) => o.kind === 'assign' && o.target.text === s.name))) return true;
    }
    // a field that records who holds what (`vrm->mmap_locked`, `fc->pte_held`); other state (`f->dead`) does not
    if (s.k === 'field' && /lock|held|own/i.test(s.field)) return true;
  }
  return false;
}

const siblingCache = new WeakMap<ResourceAnalysis, Leak[]>();

/** Is `n` entered only through one side of a test (`if (locked) unlock(locked)`)? */
function guardedRelease(n: CfgNode): boolean {
  return n.preds.length === 1 && !!n.preds[0].cond;
}

/**
 * Every way out that keeps `k` returns one constant and some way out that
 * released it (or handed it to a helper) returns another: the result says
 * whether it was released.
 */
function releasedByResult(a: ResourceAnalysis, k: KeyInfo, exits: readonly ExitPoint[]): boolean {
  const value = (x: ExitPoint): string | null => {
    if (x.kind !== 'return') return null;
    const r = x.node.ops.find((o) => o.kind === 'return');
    const v = r && r.kind === 'return' ? (r.valueText ?? '').trim() : '';
    return /^(true|false|-?\d+|NULL)$/.test(v) ? v : null;
  };
  const kept = new Set<string | null>();
  const released = new Set<string | null>();
  for (const x of exits) {
    const b = x.state.get(k.key);
    if (b === undefined) continue;
    if (definitelyHeld(b)) kept.add(value(x));
    else if (b === R || b === X || b === E) released.add(value(x));
  }
  if (kept.size !== 1 || kept.has(null)) return false;
  // (a way out where it was handed to a helper, E, may still hold it: one constant apart is enough)
  return [...released].some((v) => v !== null && !kept.has(v));
}

/** A reference named by a member of a parameter (`req->ki_filp`) that this function never releases. */
function storedInCallersObject(a: ResourceAnalysis, k: KeyInfo): boolean {
  const m = /^([A-Za-z_]\w*)->/.exec(k.obj);
  // (the returned pointer stored there; not a reference taken on an object embedded in it: `&s->kobj`)
  return (
    !!m &&
    a.facts.params.includes(m[1]) &&
    k.acquires.length > 0 &&
    k.acquires.every((x) => x.eff.object === 'ret') &&
    !a.events.some((e) => e.t === 'release' && e.key === k)
  );
}

/**
 * Leaks of keys whose acquire is out of sight: at a visible branch where the
 * key may be held (its history unknown), one side releases it on every path
 * (so it is held at the branch) and the other side reaches a different
 * visible error exit without releasing or handing it over.
 */
export function siblingLeaks(a: ResourceAnalysis, cat: Catalog, addedExit?: (n: CfgNode) => boolean): Leak[] {
  const hit = addedExit ? undefined : siblingCache.get(a);
  if (hit) return hit;
  const out: Leak[] = [];
  if (!a.keyList.length) {
    if (!addedExit) siblingCache.set(a, out);
    return out;
  }
  const an = anticipation(a);
  const seen = new Set<string>();
  // the nearest test first: the exit is reported against the last branch that splits it from a releasing path
  for (const b of [...a.cfg.nodes].reverse()) {
    if (b.succs.length < 2 || b.kind === 'entry') continue;
    const st = a.out[b.id];
    if (!st) continue;
    for (const k of a.keyList) {
      if (!k.obj && k.family !== 'bracket') continue;
      const bits: Bits = st.get(k.key) ?? a.initial;
      if (!(bits & U) || bits & ~(U | H | H2)) continue;
      if (k.array) continue;
      const releasing = b.succs.filter((e) => an.mustReleaseIn(e.to, k));
      if (!releasing.length) continue;
      if (testConcernsKey(a, b, k, cat)) continue;
      const relExits = new Set<number>();
      for (const e of releasing) for (const x of exitsFrom(a, e.to)) relExits.add(x);
      for (const e of b.succs) {
        if (releasing.includes(e)) continue;
        // an error exit; or (differential) a way out the patch adds, whatever it returns: every other way
        // from this test releases, the new one does not
        const x = an.cleanExit(e.to, k, true) ?? (addedExit ? an.cleanExit(e.to, k, false) : null);
        if (!x || relExits.has(x.id)) continue;
        const isError = an.cleanExit(e.to, k, true) === x;
        if (!isError && !addedExit!(x)) continue;
        const id = `${k.key}|${x.id}`;
        if (seen.has(id)) continue;
        seen.add(id);
        const fact = a.facts.exits.find((f) => f.node === x) as ExitFact;
        const rel = firstReleaseFrom(a, releasing[0].to, k);
        out.push({ key: k, exit: x, exitText: fact.text, error: isError, how: 'sibling', branch: b, siblingRelease: rel ?? undefined });
      }
    }
  }
  if (!addedExit) siblingCache.set(a, out);
  return out;
}

/** The first release of `k` met going forward from `n`. */
function firstReleaseFrom(a: ResourceAnalysis, n: CfgNode, k: KeyInfo): ReleaseEvent | null {
  return searchForward(n, (m) => a.events.find((e): e is ReleaseEvent => e.t === 'release' && e.key === k && e.node === m)).found ?? null;
}

export interface Relock {
  key: KeyInfo;
  at: CfgNode;
  again: CallOp;
}

/** `goto again;` with a lock still held, back to code that takes the same lock again before releasing it. */
export function retryRelocks(a: ResourceAnalysis): Relock[] {
  const out: Relock[] = [];
  for (const n of a.cfg.nodes) {
    if (n.kind !== 'goto' || !isBackwardGoto(n)) continue;
    const st = a.out[n.id];
    const label = n.succs.find((e) => e.kind === 'goto')?.to;
    if (!st || !label) continue;
    for (const [id, b] of st) {
      const k = a.keys.get(id)!;
      if (k.family !== 'lock' || !definitelyHeld(b)) continue;
      const again = k.acquires.filter((x) => !x.eff.cond);
      if (!again.length) continue;
      const hit = relockAhead(a, label, id, new Set(again.map((x) => x.node.id)));
      if (!hit) continue;
      const acq = again.find((x) => x.node === hit)!;
      out.push({ key: k, at: n, again: acq.op });
    }
  }
  return out;
}

/** From `start`, the first acquire node (of `acquireNodes`) reached before any node that drops `key`. */
function relockAhead(a: ResourceAnalysis, start: CfgNode, key: string, acquireNodes: Set<number>): CfgNode | null {
  const drops = a.drops.get(key) ?? new Set<number>();
  const k = a.keys.get(key);
  const obj = k && !k.array && /^[A-Za-z_]\w*$/.test(k.obj) ? k.obj : '';
  const visit = (n: CfgNode): CfgNode | 'prune' | undefined => {
    if (a.facts.visibility.gaps.has(n.id)) return 'prune';
    if (acquireNodes.has(n.id)) {
      // released earlier in the same node (`spin_unlock(l); spin_lock(l);`) is not a relock while held
      const ops = n.ops;
      const firstAcq = ops.findIndex((o) => a.events.some((e) => e.t === 'acquire' && e.op === o && e.key.key === key));
      const firstRel = ops.findIndex((o) => a.events.some((e) => e.t === 'release' && e.op === o && e.key?.key === key));
      return firstRel < 0 || firstRel > firstAcq ? n : 'prune';
    }
    return drops.has(n.id) ? 'prune' : undefined;
  };
  // the lock is held through its object, so the object's pointer is not NULL: `if (!src_folio)` is not taken
  return searchForward(start, visit, (e) => !(obj && pointerState(e, obj) === 'null')).found ?? null;
}

export interface ReleaseFault {
  ev: ReleaseEvent;
  key: KeyInfo;
  what: 'twice' | 'failed';
  /** For 'twice': the earlier release. */
  prior?: ReleaseEvent;
}

/** Second releases on a path, and releases on a path where the conditional acquire failed. */
export function releaseFaults(a: ResourceAnalysis, cat?: Catalog): ReleaseFault[] {
  const out: ReleaseFault[] = [];
  for (const ev of a.events) {
    if (ev.t !== 'release' || ev.mismatch || !ev.key) continue;
    // element-wise releases of a GUP array (put_page(pages[i]) in a loop) are not tracked per element,
    // but the same call on the same element written twice in a row is a double release all the same
    if (ev.key.array && (ev.element || ev.op.loopMacro)) {
      if (sameCallJustBefore(a, ev)) out.push({ ev, key: ev.key, what: 'twice', prior: a.events.find((e): e is ReleaseEvent => e.t === 'release' && e.key === ev.key && e !== ev && e.node === ev.node) });
      continue;
    }
    const k = ev.key;
    // released on every path (some may have handed it over too: the released ones release it twice),
    // or an earlier release leads here with no decision in between (`put_page(p); goto out_put;`)
    // (a lock the caller held, released twice, is X then X: released twice all the same; not a reference or a
    // context section, which the caller may hold twice: those count as released out of sight, below)
    const gone = k.family === 'lock' ? R | X : R;
    const earlier = ev.bits & (U | Q | E | X) && !sameCallJustBefore(a, ev) && cat ? sameReleaseOnAPathBefore(a, ev, cat) : null;
    if ((ev.bits & gone && !(ev.bits & ~(gone | E))) || (ev.bits & gone && straightAfterRelease(a, ev)) || (ev.bits & (U | Q | E | X) && sameCallJustBefore(a, ev)) || earlier) {
      const prior = earlier ?? a.events.find((e): e is ReleaseEvent => e.t === 'release' && e.key === k && e !== ev && e.bits !== R);
      out.push({ ev, key: k, what: 'twice', prior });
    } else if (ev.bits === F && k.acquires.length) out.push({ ev, key: k, what: 'failed' });
  }
  return out;
}

/**
 * With the count out of sight (U; X: the caller's count), or the object handed to a callee that may have released it (E), a second put is a double put only when it
 * repeats the same call on the same object straight after the first, with
 * nothing between that could take another reference (`put_page(p); put_page(p);`):
 * two different releases in a row (putback_lru_page(p); put_page(p)) may drop
 * two references.
 */
function sameCallJustBefore(a: ResourceAnalysis, ev: ReleaseEvent): boolean {
  const text = ev.op.node.text.replace(/\s+/g, '');
  let n = ev.node;
  let idx = n.ops.indexOf(ev.op);
  for (let steps = 0; steps < 16; steps++) {
    for (let i = idx - 1; i >= 0; i--) {
      const o = n.ops[i];
      if (o.kind === 'call' && o.node.text.replace(/\s+/g, '') === text) return true;
      if (o.kind === 'call' || o.kind === 'assign' || o.kind === 'decl') return false;
    }
    if (n.preds.length !== 1 || n.preds[0].cond || a.facts.visibility.gaps.has(n.id)) return false;
    n = n.preds[0].from;
    idx = n.ops.length;
  }
  return false;
}

/**
 * With the count out of sight, the same release call on the same object earlier
 * on the way to `ev`, with nothing between that could take another reference on
 * the object: no acquire of it, no call the catalog does not describe that is
 * handed the object itself (`helper(folio)`; a field, `folio->swap`, hands over
 * no reference), no assignment to it, no loop back edge and no code out of
 * sight. Branch tests are no reason: a test takes no reference. Two puts on one
 * path may still drop two references the function holds on different
 * conditions, so the earlier release must be certain on the way: either every
 * way into `ev` comes through it (`fput(f); if (ret) { fput(f); ... }`; an
 * if/else that merges before the second put), or every way out of it runs
 * into `ev` and it is what a failure branch does (`if (err) { mmput(mm); ... }
 * mmput(mm);`). References only: a
 * lock released twice is judged by its own states. Returns the earlier release.
 */
function sameReleaseOnAPathBefore(a: ResourceAnalysis, ev: ReleaseEvent, cat: Catalog): ReleaseEvent | null {
  const k = ev.key;
  // a catalogued put on a named object (a helper's summarised release says less about which reference it drops)
  if (!k || k.array || ev.element || k.family !== 'ref' || !/^[A-Za-z_][\w>.-]*$/.test(k.obj) || k.obj === 'NULL' || !describedCall(cat, ev.op)) return null;
  const obj = k.obj;
  const gaps = a.facts.visibility.gaps;
  // loop edges, and a `goto again` back to a label above (the same put on the next round is another object)
  const back = (e: CfgEdge): boolean => !!e.back || isBackwardGoto(e.from);
  const handsObject = (o: CallOp): boolean =>
    o.args.some((x) => {
      const t = x.text.replace(/\s+/g, '');
      return normObject(x.text).obj === obj || (mentions(t, obj) && !t.startsWith(`${obj}->`) && !t.startsWith(`${obj}.`));
    });
  // scanning one node backwards from `from`: the earlier release, 'stop' when the path proves nothing, 'on'
  const scan = (n: CfgNode, from: number): ReleaseEvent | 'stop' | 'on' => {
    if (gaps.has(n.id)) return 'stop';
    for (let i = from - 1; i >= 0; i--) {
      const o = n.ops[i];
      const evs = a.events.filter((e) => e.op === o);
      // the first release may have found no tracked key (the object came from a call the catalog does not describe)
      const rel = evs.find((e): e is ReleaseEvent => e.t === 'release' && (e.key === k || (!e.key && e.obj === ev.obj && e.eff.kind === ev.eff.kind)));
      if (rel) return rel.op.kind === 'call' && rel.op.name === ev.op.name && !rel.element ? rel : 'stop';
      if (evs.some((e) => e.t === 'acquire' && e.key === k)) return 'stop';
      if (o.kind === 'assign' && o.lhs.replace(/\s+/g, '') === obj) return 'stop';
      if (o.kind === 'decl' && o.name === obj) return 'stop';
      if (o.kind === 'call' && handsObject(o) && (!describedCall(cat, o) || evs.some((e) => e.t === 'acquire'))) return 'stop';
    }
    return 'on';
  };
  let budget = 512;
  // every way into (n, from) comes through an earlier release
  const memo = new Map<number, ReleaseEvent | null>();
  const allBack = (n: CfgNode, from: number, top: boolean): ReleaseEvent | null => {
    if (!top && memo.has(n.id)) return memo.get(n.id)!;
    if (!top) memo.set(n.id, null); // a cycle proves nothing
    if (--budget < 0) return null;
    const r = scan(n, from);
    let res: ReleaseEvent | null = null;
    if (r !== 'stop' && r !== 'on') res = r;
    else if (r === 'on') {
      const preds = n.preds.filter((e) => !back(e));
      if (preds.length && !n.preds.some(back)) {
        res = allBack(preds[0].from, preds[0].from.ops.length, false);
        for (const e of preds.slice(1)) if (res && !allBack(e.from, e.from.ops.length, false)) res = null;
      }
    }
    if (!top) memo.set(n.id, res);
    return res;
  };
  const all = allBack(ev.node, ev.node.ops.indexOf(ev.op), true);
  if (all) return all;
  // some way in comes through an earlier release, and every way out of that release runs into `ev`
  const seen = new Set<number>();
  const anyBack = (n: CfgNode, from: number): ReleaseEvent | null => {
    if (--budget < 0) return null;
    const r = scan(n, from);
    if (r === 'stop') return null;
    if (r !== 'on') return r;
    if (seen.has(n.id)) return null;
    seen.add(n.id);
    for (const e of n.preds) {
      if (back(e)) continue;
      const found = anyBack(e.from, e.from.ops.length);
      if (found) return found;
    }
    return null;
  };
  const first = anyBack(ev.node, ev.node.ops.indexOf(ev.op));
  if (!first) return null;
  // memoised per node; a node met again while its own walk is still open is a cycle: proves nothing
  const fdone = new Map<number, boolean>();
  const runsInto = (n: CfgNode): boolean => {
    if (n === ev.node) return true;
    const known = fdone.get(n.id);
    if (known !== undefined) return known;
    if (--budget < 0 || gaps.has(n.id)) return false;
    fdone.set(n.id, false);
    const succs = n.succs.filter((e) => !back(e));
    // the pointer the first put was handed is not NULL: `if (folio) folio_put(folio);` takes its put
    const r = succs.length > 0 && succs.length === n.succs.length && succs.every((e) => pointerState(e, obj) === 'null' || runsInto(e.to));
    fdone.set(n.id, r);
    return r;
  };
  if (first.node === ev.node) return first;
  // and the earlier release is what a failure branch does (`if (do_madvise(...)) { mmput(mm); ... }`): a flag
  // (`if (extra) folio_put(folio);`) may say the caller handed over two references
  let up = first.node;
  for (let i = 0; i < 32 && up.preds.length === 1 && !up.preds[0].cond; i++) up = up.preds[0].from;
  if (up.preds.length !== 1 || !isFailureEdge(up.preds[0], a.types)) return null;
  const succs = first.node.succs;
  return succs.length && succs.every((e) => !back(e) && (pointerState(e, obj) === 'null' || runsInto(e.to))) ? first : null;
}

/**
 * Does another release of the same key reach `ev` along unconditional edges, with nothing dropping or re-taking it between?
 * A section kept per pointer (`kunmap_local(kaddr)`) is one mapping: unmapped twice whatever the paths above say. A
 * section of a context (RCU, IRQs off) nests, so the first release must find it open at most once (no H2, no unknown count).
 */
function straightAfterRelease(a: ResourceAnalysis, ev: ReleaseEvent): boolean {
  const k = ev.key!;
  const drops = a.drops.get(k.key) ?? new Set<number>();
  const acquireNodes = new Set(k.acquires.map((x) => x.node.id));
  for (const first of a.events) {
    if (first.t !== 'release' || first === ev || first.key !== k || first.element) continue;
    if (k.family === 'bracket' && !k.obj && first.bits & (H2 | U | Q)) continue;
    if (first.node === ev.node) {
      if (first.node.ops.indexOf(first.op) < ev.node.ops.indexOf(ev.op)) return true;
      continue;
    }
    let cur = first.node;
    for (let i = 0; i < 64; i++) {
      if (cur.succs.length !== 1 || cur.succs[0].cond || cur.succs[0].back) break;
      cur = cur.succs[0].to;
      if (a.facts.visibility.gaps.has(cur.id)) break;
      if (cur === ev.node) {
        const idx = cur.ops.indexOf(ev.op);
        // nothing before the release in its own node re-takes the object
        if (!a.events.some((e) => e.node === cur && e.t === 'acquire' && e.key === k && cur.ops.indexOf(e.op) < idx)) return true;
        break;
      }
      if (drops.has(cur.id) || acquireNodes.has(cur.id)) break;
    }
  }
  return false;
}

export interface BorrowedRelease {
  ev: ReleaseEvent;
  obj: string;
  source: CallOp;
}

/**
 * A put on an object this function got from a call that takes no reference
 * (vm_normal_page, pfn_to_page ...) on every path, with no acquire and no
 * unknown call handling the object in between: the put drops a reference
 * that belongs to someone else (the mapping, the page cache).
 */
export function borrowedReleases(a: ResourceAnalysis, cat: Catalog): BorrowedRelease[] {
  const out: BorrowedRelease[] = [];
  for (const ev of a.events) {
    if (ev.t !== 'release' || ev.mismatch || ev.key) continue;
    if (ev.element || ev.eff.array !== undefined || cat.kind(ev.eff.kind).family !== 'ref') continue;
    if (!/^[A-Za-z_]\w*$/.test(ev.obj)) continue;
    const r = borrowedSource(a, cat, ev);
    if (r) out.push({ ev, obj: ev.obj, source: r });
  }
  return out;
}

function borrowedSource(a: ResourceAnalysis, cat: Catalog, ev: ReleaseEvent): CallOp | null {
  const obj = ev.obj;
  // every key of this object: never acquired anywhere before on any path
  for (const [id, b] of ev.before) {
    const k = a.keys.get(id)!;
    if (k.obj === obj && b !== N) return null;
  }
  // backward: every path from the release must meet `obj = <unreferenced lookup>` first
  let source: CallOp | null = null;
  const seen = new Set<number>();
  const work: { n: CfgNode; upto: number }[] = [{ n: ev.node, upto: ev.node.ops.indexOf(ev.op) }];
  while (work.length) {
    const { n, upto } = work.pop()!;
    if (a.facts.visibility.gaps.has(n.id)) return null;
    let decided = false;
    for (let i = upto - 1; i >= 0 && !decided; i--) {
      const op = n.ops[i];
      if (op.kind === 'call') {
        const spec = cat.api(op.name);
        const mentionsObj = op.args.some((x) => mentions(x.text, obj));
        // may take a ref; a call whose value is only tested (IS_ERR_OR_NULL(page), PageHWPoison(page)) does not
        if (mentionsObj && op.result.kind !== 'condition' && (!spec || (spec.effects ?? []).some((e) => e.op === 'acquire'))) return null;
        if (op.result.kind === 'assigned' && op.result.to.trim() === obj) {
          if (!spec?.returnsUnreferenced && !unreferencedByArgs(cat, spec, op)) return null;
          source ??= op;
          decided = true;
        }
      } else if ((op.kind === 'assign' && op.target.kind === 'var' && op.target.text === obj) || (op.kind === 'decl' && op.name === obj)) {
        if (op.kind === 'decl' && op.param) return null;
        // handled by the call op when the value is a call
        if (!callValue(op.kind === 'assign' ? op.rhsNode : op.init)) return null;
      }
    }
    if (decided) continue;
    if (n === a.cfg.entry || n.kind === 'entry') return null;
    for (const e of n.preds) {
      if (seen.has(e.from.id)) continue;
      seen.add(e.from.id);
      work.push({ n: e.from, upto: e.from.ops.length });
    }
    if (!n.preds.length) return null;
  }
  return source;
}

export { HELD };

/** A release of an array of references by the count the acquire was asked for, not the count it got. */
export interface OverRelease {
  ev: ReleaseEvent;
  key: KeyInfo;
  acquire: AcquireEvent;
  /** The count the acquire was asked for (`nr`), and the variable its result went to (`pinned`). */
  asked: string;
  got: string;
}

/**
 * overReleases(): `pinned = pin_user_pages_fast(addr, nr, .., pages)` may pin
 * fewer than `nr`; `unpin_user_pages(pages, nr)` on a path where `pinned`
 * may be below `nr` drops references that were never taken. A path that
 * passed `pinned == nr` (or `!(pinned < nr)`, `!(pinned != nr)`) is fine.
 */
export function overReleases(a: ResourceAnalysis): OverRelease[] {
  const out: OverRelease[] = [];
  for (const ev of a.events) {
    if (ev.t !== 'release' || !ev.key || ev.eff.array === undefined || typeof ev.eff.count !== 'object') continue;
    const relCount = ev.op.args[ev.eff.count.arg]?.text.replace(/\s+/g, '');
    if (!relCount) continue;
    for (const acq of ev.key.acquires) {
      if (acq.eff.array === undefined || typeof acq.eff.count !== 'object' || acq.eff.cond !== 'count') continue;
      const asked = acq.op.args[acq.eff.count.arg]?.text.replace(/\s+/g, '');
      const got = acq.op.result.kind === 'assigned' ? acq.op.result.to.replace(/\s+/g, '') : '';
      if (!asked || !got || relCount !== asked || relCount === got) continue;
      // an edge that settles `got == asked` (with got <= asked, `got < asked` false says the same)
      const settles = (e: import('../c/cfg').CfgEdge) => {
        const t = testOf(e);
        if (!t || t.kind !== 'cmp' || !t.other) return false;
        const l = uncast(t.subject).norm;
        const r = uncast(t.other).norm;
        if (!((l === got && r === asked) || (l === asked && r === got))) return false;
        const op = l === got ? t.op : ({ '<': '>', '>': '<', '<=': '>=', '>=': '<=' } as Record<string, string>)[t.op ?? ''] ?? t.op;
        return (op === '==' && t.holds) || (op === '!=' && !t.holds) || (op === '<' && !t.holds) || (op === '>=' && t.holds);
      };
      // a path from the acquire to the release that never settles it
      const reached = searchForward(acq.node, (n) => (n === ev.node && n !== acq.node ? true : undefined), (e) => !settles(e)).found === true;
      if (reached) out.push({ ev, key: ev.key, acquire: acq, asked: acq.op.args[acq.eff.count.arg].text.trim(), got: acq.op.result.kind === 'assigned' ? acq.op.result.to : got });
    }
  }
  return out;
}

/**
 * A call whose acquire depends on a flag argument (follow_page(.., FOLL_GET))
 * and whose constant arguments select none: it returns the object without a
 * reference. A flag given as a variable (lower-case name) is unknown.
 */
function unreferencedByArgs(cat: Catalog, spec: ApiSpec | undefined, op: CallOp): boolean {
  if (!spec?.returnsUnreferencedOtherwise || op.name === undefined) return false;
  const args = op.args.map((x) => x.text);
  const conditional = (spec.effects ?? []).filter((e) => e.op === 'acquire' && e.when);
  if (!conditional.length || conditional.some((e) => /[a-z]/.test(args[e.when!.arg] ?? 'x'))) return false;
  return !cat.effects(op.name, args).some((e) => e.op === 'acquire');
}
