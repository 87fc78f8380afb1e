/**
 * Graph algorithms over a Cfg for the rule engine: orders, dominators, a
 * worklist dataflow solver with edge refinement and widening, and bounded
 * path enumeration (for explaining a finding, never for the analysis itself).
 */
import type { Cfg, CfgEdge, CfgNode } from './cfg';

/** Nodes reachable from the entry, in reverse postorder (the entry first). */
export function reversePostorder(cfg: Cfg): CfgNode[] {
  const seen = new Uint8Array(cfg.nodes.length);
  const post: CfgNode[] = [];
  // iterative DFS (functions can be long; no recursion limits)
  const stack: { n: CfgNode; i: number }[] = [{ n: cfg.entry, i: 0 }];
  seen[cfg.entry.id] = 1;
  while (stack.length) {
    const top = stack[stack.length - 1];
    if (top.i < top.n.succs.length) {
      const to = top.n.succs[top.i++].to;
      if (!seen[to.id]) {
        seen[to.id] = 1;
        stack.push({ n: to, i: 0 });
      }
    } else {
      post.push(top.n);
      stack.pop();
    }
  }
  return post.reverse();
}

/** Nodes reachable from `from` (forward) or reaching it (backward). */
export function reachable(from: CfgNode, direction: 'forward' | 'backward' = 'forward'): Set<CfgNode> {
  const out = new Set<CfgNode>([from]);
  const work = [from];
  while (work.length) {
    const n = work.pop()!;
    const edges = direction === 'forward' ? n.succs : n.preds;
    for (const e of edges) {
      const m = direction === 'forward' ? e.to : e.from;
      if (!out.has(m)) {
        out.add(m);
        work.push(m);
      }
    }
  }
  return out;
}

/**
 * Immediate dominators (Cooper, Harvey & Kennedy's iterative algorithm).
 * idom[entry] = entry; unreachable nodes get undefined.
 */
export function dominators(cfg: Cfg): (CfgNode | undefined)[] {
  return idoms(cfg.nodes.length, reversePostorder(cfg), cfg.entry, (n) => n.preds.map((e) => e.from));
}

/** Immediate post-dominators (dominators of the reversed graph from the exit). */
export function postDominators(cfg: Cfg): (CfgNode | undefined)[] {
  // reverse postorder of the reversed graph
  const seen = new Uint8Array(cfg.nodes.length);
  const post: CfgNode[] = [];
  const stack: { n: CfgNode; i: number }[] = [{ n: cfg.exit, i: 0 }];
  seen[cfg.exit.id] = 1;
  while (stack.length) {
    const top = stack[stack.length - 1];
    if (top.i < top.n.preds.length) {
      const m = top.n.preds[top.i++].from;
      if (!seen[m.id]) {
        seen[m.id] = 1;
        stack.push({ n: m, i: 0 });
      }
    } else {
      post.push(top.n);
      stack.pop();
    }
  }
  return idoms(cfg.nodes.length, post.reverse(), cfg.exit, (n) => n.succs.map((e) => e.to));
}

function idoms(count: number, rpo: CfgNode[], root: CfgNode, predsOf: (n: CfgNode) => CfgNode[]): (CfgNode | undefined)[] {
  const order = new Int32Array(count).fill(-1);
  rpo.forEach((n, i) => (order[n.id] = i));
  const idom: (CfgNode | undefined)[] = new Array(count).fill(undefined);
  idom[root.id] = root;
  const intersect = (a: CfgNode, b: CfgNode) => {
    while (a !== b) {
      while (order[a.id] > order[b.id]) a = idom[a.id]!;
      while (order[b.id] > order[a.id]) b = idom[b.id]!;
    }
    return a;
  };
  let changed = true;
  while (changed) {
    changed = false;
    for (const n of rpo) {
      if (n === root) continue;
      let nd: CfgNode | undefined;
      for (const p of predsOf(n)) {
        if (order[p.id] < 0 || !idom[p.id]) continue;
        nd = nd ? intersect(p, nd) : p;
      }
      if (nd && idom[n.id] !== nd) {
        idom[n.id] = nd;
        changed = true;
      }
    }
  }
  return idom;
}

type Search<T> = { found: T | undefined; seen: Set<number> };

/**
 * A search from `start` over `step(n)` (the edges out of a node and the node
 * each leads to), each node visited once, breadth first: `visit(n)` returns a
 * value to stop the search with, 'prune' not to go past `n`, or undefined to
 * go on; `follow(e)` may refuse an edge. Gives the value found (if any) and
 * the ids of the nodes visited (`start` included).
 */
function search<T>(start: CfgNode, step: (n: CfgNode) => [CfgEdge, CfgNode][], visit?: (n: CfgNode) => T | 'prune' | undefined, follow?: (e: CfgEdge) => boolean): Search<T> {
  const seen = new Set<number>([start.id]);
  const work = [start];
  for (let i = 0; i < work.length; i++) {
    const n = work[i];
    const v = visit?.(n);
    if (v === 'prune') continue;
    if (v !== undefined) return { found: v, seen };
    for (const [e, m] of step(n)) {
      if (seen.has(m.id) || (follow && !follow(e))) continue;
      seen.add(m.id);
      work.push(m);
    }
  }
  return { found: undefined, seen };
}

/** search() along the edges: from `start` to its successors. */
export function searchForward<T>(start: CfgNode, visit?: (n: CfgNode) => T | 'prune' | undefined, follow?: (e: CfgEdge) => boolean): Search<T> {
  return search(start, (n) => n.succs.map((e) => [e, e.to]), visit, follow);
}

/** search() against the edges: from `start` to its predecessors. */
export function searchBackward<T>(start: CfgNode, visit?: (n: CfgNode) => T | 'prune' | undefined, follow?: (e: CfgEdge) => boolean): Search<T> {
  return search(start, (n) => n.preds.map((e) => [e, e.from]), visit, follow);
}

/** Does `a` dominate `b` (given idom from dominators())? */
export function dominates(idom: (CfgNode | undefined)[], a: CfgNode, b: CfgNode): boolean {
  let n: CfgNode | undefined = b;
  while (n) {
    if (n === a) return true;
    const up: CfgNode | undefined = idom[n.id];
    if (up === n) return false;
    n = up;
  }
  return false;
}

// ---------------------------------------------------------------------------
// Dataflow

export interface Lattice<S> {
  /** Least upper bound of two states reaching the same node. */
  join(a: S, b: S): S;
  equals(a: S, b: S): boolean;
  /**
   * Called instead of join once a node has been visited `widenAfter` times
   * (loops): must reach a fixpoint in finitely many steps (e.g. counts go to
   * "many"). Defaults to join.
   */
  widen?(previous: S, next: S): S;
}

export interface ForwardProblem<S> {
  lattice: Lattice<S>;
  /** State at the function's entry (before the entry node). */
  entry: S;
  /** State after a node, given the state before it. */
  transfer(node: CfgNode, input: S): S;
  /**
   * Refine the state along an edge (e.g. on `if (!get_page_unless_zero(page))`
   * the false edge of atom `get_page_unless_zero(page)` means "acquired").
   * Return null when the edge is infeasible in that state.
   */
  edge?(edge: CfgEdge, out: S): S | null;
  /** Visits of one node before widening (default 3). */
  widenAfter?: number;
  /** Give up after this many node visits in total (default 50 x nodes). */
  maxVisits?: number;
  /** Further nodes entered with the entry state (code reached from text not shown). */
  roots?: readonly CfgNode[];
  /** Further nodes entered with their own state. */
  seeds?: readonly (readonly [CfgNode, S])[];
}

export interface ForwardResult<S> {
  /** State before each node (undefined: unreachable). Indexed by node id. */
  in: (S | undefined)[];
  /** State after each node. */
  out: (S | undefined)[];
  /** False when maxVisits was hit before a fixpoint (results are then partial). */
  converged: boolean;
  visits: number;
}

/**
 * Forward worklist solver in reverse postorder. States are immutable values
 * supplied by the caller; the solver only joins, compares and widens them.
 * Cost is bounded by maxVisits; there is no path enumeration.
 */
export function solveForward<S>(cfg: Cfg, p: ForwardProblem<S>): ForwardResult<S> {
  const n = cfg.nodes.length;
  const rpo = reversePostorder(cfg);
  const prio = new Int32Array(n).fill(n);
  rpo.forEach((node, i) => (prio[node.id] = i));
  const inS: (S | undefined)[] = new Array(n).fill(undefined);
  const outS: (S | undefined)[] = new Array(n).fill(undefined);
  const count = new Int32Array(n);
  const widenAfter = p.widenAfter ?? 3;
  const maxVisits = p.maxVisits ?? 50 * Math.max(1, n);
  // priority queue on rpo index (binary heap of node ids)
  const heap: number[] = [];
  const queued = new Uint8Array(n);
  const push = (id: number) => {
    if (queued[id]) return;
    queued[id] = 1;
    heap.push(id);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (prio[heap[parent]] <= prio[heap[i]]) break;
      [heap[parent], heap[i]] = [heap[i], heap[parent]];
      i = parent;
    }
  };
  const pop = (): number => {
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && prio[heap[l]] < prio[heap[m]]) m = l;
        if (r < heap.length && prio[heap[r]] < prio[heap[m]]) m = r;
        if (m === i) break;
        [heap[m], heap[i]] = [heap[i], heap[m]];
        i = m;
      }
    }
    queued[top] = 0;
    return top;
  };

  inS[cfg.entry.id] = p.entry;
  push(cfg.entry.id);
  for (const r of p.roots ?? []) {
    inS[r.id] = p.entry;
    push(r.id);
  }
  for (const [r, st] of p.seeds ?? []) {
    inS[r.id] = st;
    push(r.id);
  }
  let visits = 0;
  let converged = true;
  while (heap.length) {
    if (visits >= maxVisits) {
      converged = false;
      break;
    }
    const id = pop();
    const node = cfg.nodes[id];
    const input = inS[id];
    if (input === undefined) continue;
    visits++;
    const out = p.transfer(node, input);
    outS[id] = out;
    for (const e of node.succs) {
      const s = p.edge ? p.edge(e, out) : out;
      if (s === null) continue;
      const to = e.to.id;
      const old = inS[to];
      let next: S;
      if (old === undefined) next = s;
      else {
        const joined = p.lattice.join(old, s);
        next = count[to] >= widenAfter && p.lattice.widen ? p.lattice.widen(old, joined) : joined;
        if (p.lattice.equals(old, next)) continue;
      }
      inS[to] = next;
      count[to]++;
      push(to);
    }
  }
  return { in: inS, out: outS, converged, visits };
}

// ---------------------------------------------------------------------------
// Paths (for explanations and replays only)

export interface PathOptions {
  /** Stop after this many paths (default 64). */
  maxPaths?: number;
  /** Ignore paths longer than this many nodes (default 4 x nodes). */
  maxLength?: number;
  /** Follow a back edge at most this many times per path (default 1). */
  maxLoopIterations?: number;
}

/**
 * Enumerate acyclic-ish paths from `from` to `to` as edge lists, bounded by
 * the options (the count of paths is exponential in general: never use this
 * for the analysis itself, only to show one or a few witnesses).
 */
export function* paths(cfg: Cfg, from: CfgNode, to: CfgNode, opts: PathOptions = {}): Generator<CfgEdge[]> {
  const maxPaths = opts.maxPaths ?? 64;
  const maxLength = opts.maxLength ?? 4 * cfg.nodes.length;
  const maxLoop = opts.maxLoopIterations ?? 1;
  const canReach = reachable(to, 'backward');
  if (!canReach.has(from)) return;
  let found = 0;
  const path: CfgEdge[] = [];
  const backUses = new Map<CfgEdge, number>();
  const stack: { node: CfgNode; i: number }[] = [{ node: from, i: 0 }];
  while (stack.length) {
    const top = stack[stack.length - 1];
    if (top.node === to && top.i === 0) {
      yield path.slice();
      if (++found >= maxPaths) return;
      top.i = top.node.succs.length; // do not extend past the target
    }
    if (top.i >= top.node.succs.length || path.length >= maxLength) {
      stack.pop();
      const e = path.pop();
      if (e && e.back) backUses.set(e, (backUses.get(e) ?? 1) - 1);
      continue;
    }
    const e = top.node.succs[top.i++];
    if (!canReach.has(e.to)) continue;
    if (e.back) {
      const u = backUses.get(e) ?? 0;
      if (u >= maxLoop) continue;
      backUses.set(e, u + 1);
    }
    path.push(e);
    stack.push({ node: e.to, i: 0 });
  }
}

/** The nodes whose statement starts on a given 0-based line of the variant text. */
export function nodesOnLine(cfg: Cfg, line: number): CfgNode[] {
  return cfg.nodes.filter((n) => n.line === line);
}
