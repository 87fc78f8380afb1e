/**
 * Backward analyses over the resource keys of one unit.
 *
 * mustRelease(n, k): every path from the start of node n releases key k
 * before it leaves the visible code, takes k again, or hands k over. A
 * release proves the key held just before it (in code that is otherwise
 * right), so a point from which every path releases k holds k — even when the
 * acquire is above the hunk. This is how a three-line-context patch shows a
 * lock held around a new sleeping call, or a reference that one new error
 * exit forgets while its sibling exits drop it.
 *
 * cleanExit(n, k): some path from n reaches a visible exit without releasing,
 * taking or handing over k, and without crossing code that is not shown;
 * gives one such exit (preferring error exits).
 *
 * Both are linear dataflow problems (one bit per node and key, iterated to a
 * fixpoint), never path enumeration.
 */
import type { CfgNode } from '../c/cfg';
import type { KeyInfo, ResourceAnalysis } from './resources';

const enum Ev {
  None = 0,
  Release = 1,
  Kill = 2,
}

export interface Anticipation {
  /** Every path from the start of `n` releases `k` before leaving the visible code. */
  mustReleaseIn(n: CfgNode, k: KeyInfo): boolean;
  /** The same, from just after operation `opIndex` of `n`. */
  mustReleaseAfter(n: CfgNode, opIndex: number, k: KeyInfo): boolean;
  /** A visible exit reachable from the start of `n` with `k` untouched, or null; `errorOnly` keeps error exits. */
  cleanExit(n: CfgNode, k: KeyInfo, errorOnly: boolean): CfgNode | null;
}

const cache = new WeakMap<ResourceAnalysis, Anticipation>();

export function anticipation(a: ResourceAnalysis): Anticipation {
  const hit = cache.get(a);
  if (hit) return hit;
  const cfg = a.cfg;
  const nN = cfg.nodes.length;
  const vis = a.facts.visibility;
  // the exits only when a query needs them (most units never ask)
  let exitMap: Map<number, (typeof a.facts.exits)[number]> | undefined;
  const exitOf = () => (exitMap ??= new Map(a.facts.exits.map((x) => [x.node.id, x])));

  // per key: the first event of each node (and per op, for mustReleaseAfter)
  const opEvents = new Map<CallOpKey, Ev>();
  const relOps = new Map<string, Set<unknown>>();
  const acqOps = new Map<string, Set<unknown>>();
  for (const e of a.events) {
    if (e.t === 'release' && e.key) add(relOps, e.key.key, e.op);
    if (e.t === 'acquire') add(acqOps, e.key.key, e.op);
  }
  function opEvent(k: KeyInfo, op: unknown): Ev {
    if (relOps.get(k.key)?.has(op)) return Ev.Release;
    if (acqOps.get(k.key)?.has(op)) return Ev.Kill;
    return Ev.None;
  }
  void opEvents;

  /** The first event of node n for key k: Release, Kill (acquire, escape, code not shown) or None. */
  function firstEvent(n: CfgNode, k: KeyInfo, from = 0): Ev {
    if (vis.gaps.has(n.id)) return Ev.Kill;
    for (let i = from; i < n.ops.length; i++) {
      const ev = opEvent(k, n.ops[i]);
      if (ev !== Ev.None) return ev;
    }
    // a drop that is not a release event: an escape (handed over, overwritten)
    if (from === 0 && a.drops.get(k.key)?.has(n.id) && !n.ops.some((o) => relOps.get(k.key)?.has(o))) return Ev.Kill;
    return Ev.None;
  }

  const must = new Map<string, Uint8Array>(); // 1 = must release from node start
  const mustOut = new Map<string, Uint8Array>();
  function solveMust(k: KeyInfo): { inB: Uint8Array; outB: Uint8Array } {
    let inB = must.get(k.key);
    let outB = mustOut.get(k.key);
    if (inB && outB) return { inB, outB };
    inB = new Uint8Array(nN).fill(1);
    outB = new Uint8Array(nN).fill(1);
    const first = new Int8Array(nN);
    for (const n of cfg.nodes) first[n.id] = firstEvent(n, k);
    // out[n] = AND over successor edges; an edge leaving the visible code is 0
    const edgeOk = (n: CfgNode): number => {
      if (n === cfg.exit) return 0;
      let v = 1;
      for (const e of n.succs) {
        if (e.kind === 'unresolved') return 0;
        if (e.to === cfg.exit) return 0;
        v &= inB![e.to.id];
        if (!v) return 0;
      }
      return n.succs.length ? v : 0;
    };
    // greatest fixpoint: start from "releases" everywhere, and lower nodes (0 only ever spreads backwards)
    const work: CfgNode[] = [];
    const lower = (n: CfgNode) => {
      const o = edgeOk(n);
      const iv = first[n.id] === Ev.Release ? 1 : first[n.id] === Ev.Kill ? 0 : o;
      if (o === outB![n.id] && iv === inB![n.id]) return;
      outB![n.id] = o;
      const inChanged = iv !== inB![n.id];
      inB![n.id] = iv;
      if (inChanged) for (const e of n.preds) work.push(e.from);
    };
    for (const n of cfg.nodes) lower(n);
    while (work.length) lower(work.pop()!);
    must.set(k.key, inB);
    mustOut.set(k.key, outB);
    return { inB, outB };
  }

  /** From a goto, is the function's end reached without entering a node that touches the key? */
  function passesClean(g: CfgNode, blocked: Uint8Array): boolean {
    const seen = new Uint8Array(nN);
    const work: CfgNode[] = [];
    for (const e of g.succs) if (!blocked[e.to.id]) work.push(e.to);
    while (work.length) {
      const n = work.pop()!;
      if (seen[n.id]) continue;
      seen[n.id] = 1;
      if (n === cfg.exit) return true;
      for (const e of n.succs) if (!blocked[e.to.id] && !seen[e.to.id]) work.push(e.to);
    }
    return false;
  }

  const clean = new Map<string, Int32Array>();
  function solveClean(k: KeyInfo, errorOnly: boolean): Int32Array {
    const id = `${k.key}|${errorOnly}`;
    let r = clean.get(id);
    if (r) return r;
    r = new Int32Array(nN).fill(-1);
    const blocked = new Uint8Array(nN);
    for (const n of cfg.nodes) if (firstEvent(n, k) !== Ev.None) blocked[n.id] = 1;
    // seeds: visible exits (their own node must not touch k)
    const work: CfgNode[] = [];
    for (const [nid, x] of exitOf()) {
      if (!x.visible || (errorOnly && !x.error) || blocked[nid]) continue;
      // a goto to a label the text shows leaves only if the code from the label can reach the end
      // without releasing (`goto put_folio;` to `put_folio: put(folio); pte_unmap: ...` does not)
      if (x.kind === 'goto' && !passesClean(x.node, blocked)) continue;
      r[nid] = nid;
      work.push(x.node);
    }
    while (work.length) {
      const n = work.pop()!;
      for (const e of n.preds) {
        const p = e.from;
        if (r[p.id] >= 0 || blocked[p.id]) continue;
        r[p.id] = r[n.id];
        work.push(p);
      }
    }
    clean.set(id, r);
    return r;
  }

  const an: Anticipation = {
    mustReleaseIn(n, k) {
      return solveMust(k).inB[n.id] === 1;
    },
    mustReleaseAfter(n, opIndex, k) {
      if (vis.gaps.has(n.id)) return false;
      for (let i = opIndex + 1; i < n.ops.length; i++) {
        const ev = opEvent(k, n.ops[i]);
        if (ev === Ev.Release) return true;
        if (ev === Ev.Kill) return false;
      }
      return solveMust(k).outB[n.id] === 1;
    },
    cleanExit(n, k, errorOnly) {
      const r = solveClean(k, errorOnly)[n.id];
      return r >= 0 ? cfg.nodes[r] : null;
    },
  };
  cache.set(a, an);
  return an;
}

type CallOpKey = unknown;

function add(m: Map<string, Set<unknown>>, k: string, v: unknown) {
  let s = m.get(k);
  if (!s) m.set(k, (s = new Set()));
  s.add(v);
}
