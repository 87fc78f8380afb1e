/**
 * The rf-driven search over one choice of a shape per process.
 *
 * Paths of a process that perform the same events (same kinds, locations,
 * annotations, dependencies) and differ only in the values read form one
 * *shape*; a shape keeps its paths in a trie keyed by the values read, in
 * program order. For one shape per process, the search decides each read's
 * source write (rf) one read at a time. Values follow rf: a thread's trie
 * advances as soon as the source of its next read has a known value, which
 * fixes the values of the writes before its following read. co is mostly
 * implied by rf (coherence: init first, po-loc write order, CoRW, CoWR, CoRR)
 * and only the remaining freedom is enumerated at the end. After every
 * decision the partial execution is checked: the values must match, two RMWs
 * may not read the same write (atomicity), and the LKMM axioms that are
 * monotone in rf and co (coherence, atomic, happens-before, propagation,
 * rcu) must hold. A violation persists in every completion, so the subtree
 * is cut. Lock reads and RMW reads are decided first: their sources form
 * chains (critical-section orders, RMW orders), which fix co and most values.
 *
 * Two more prunings, both exact (docs/simulator.md gives the arguments):
 * - a *target* proposition (the filter, or filter and condition in a
 *   verdict-directed search) is evaluated three-valued on the registers that
 *   every path below the current trie nodes agrees on; a branch where it is
 *   already false is cut;
 * - *symmetry breaking*: for a class of identical threads that all write a
 *   location L, only executions in which their first writes to L appear in
 *   co in thread order are visited; each stands for k! executions.
 */
import { Cond, CondVar, LitmusTest, Value } from './litmus/ast';
import { Path, TEvent } from './interp';
import { MEvent, Skeleton, StaticPart, checkExecution, staticPart } from './lkmm';
import { Rel } from './relation';
import { Budget } from './budget';

export interface GEvent extends MEvent {
  value?: Value;
  line: number;
  column: number;
  text: string;
  addrDeps: number[];
  dataDeps: number[];
  ctrlDeps: number[];
}

export interface RawExecution {
  events: GEvent[];
  rf: [number, number][]; // [read, write]
  co: Map<string, number[]>; // per location, writes in co order (initial write first)
  final: Map<string, Value>; // locations and "T:reg"
}

/** Paths of one process grouped by shape (same events up to the values), each with a trie of its read values. */
export interface TrieNode {
  depth: number;
  /** Any path of the subtree: it fixes the values of every event before the depth-th read. */
  rep: Path;
  children: Map<Value, TrieNode>;
  /**
   * Per event, the value it has in every path of the subtree (undefined when
   * paths differ); null while the subtree holds one path (rep's values).
   */
  fixed: (Value | undefined)[] | null;
  /**
   * Final registers with the same value in every path of the subtree; while
   * the subtree holds one path, rep's own map (read only: a node makes its own
   * copy when a second path joins it).
   */
  regs: Map<string, Value>;
}
export interface Shape {
  events: TEvent[];
  /** Indices (in events) of the reads, in program order. */
  readPos: number[];
  trie: TrieNode;
}

/** A node holding one path so far: nothing copied until a second path joins it (most nodes never see one). */
function newNode(depth: number, p: Path): TrieNode {
  return { depth, rep: p, children: new Map(), fixed: null, regs: p.regs };
}

function shapeKey(p: Path): string {
  let key = '';
  for (const e of p.events) {
    key += `${e.kind},${e.loc ?? ''},${e.ann},${e.lock ?? ''},${e.rmwClass ? 1 : 0},${e.rmwPartner ?? ''},${e.addr.join('.')},${e.data.join('.')},${e.ctrl.join('.')},${e.line},${e.column}|`;
  }
  return key;
}

export function groupShapes(paths: Path[], budget?: Budget): Shape[] {
  const byKey = new Map<string, Shape>();
  for (const p of paths) {
    budget?.tick(8 * p.events.length + 8);
    // one path (most processes): one shape, no key needed
    const key = paths.length === 1 ? '' : shapeKey(p);
    let sh = byKey.get(key);
    if (!sh) {
      const readPos: number[] = [];
      for (let i = 0; i < p.events.length; i++) if (p.events[i].kind === 'R') readPos.push(i);
      sh = { events: p.events, readPos, trie: newNode(0, p) };
      byKey.set(key, sh);
      // the first path through each new node initialises it; nothing to merge
      let node = sh.trie;
      for (let d = 0; d < readPos.length; d++) {
        const c = newNode(d + 1, p);
        node.children.set(p.events[readPos[d]].value ?? 0, c);
        node = c;
      }
      continue;
    }
    let node = sh.trie;
    for (let d = 0; ; d++) {
      if (node.fixed === null) {
        // a second path joins this node: its own copies of the values and registers
        const repEvents = node.rep.events;
        const fixed: (Value | undefined)[] = [];
        for (let i = 0; i < repEvents.length; i++) fixed.push(repEvents[i].value);
        node.fixed = fixed;
        const own = new Map<string, Value>();
        node.regs.forEach((v, r) => own.set(r, v));
        node.regs = own;
      }
      const fixed = node.fixed;
      for (let i = 0; i < fixed.length; i++) if (fixed[i] !== p.events[i].value) fixed[i] = undefined;
      const regs = node.regs;
      regs.forEach((v, r) => {
        if ((p.regs.get(r) ?? 0) !== v) regs.delete(r);
      });
      if (d === sh.readPos.length) break;
      const v = p.events[sh.readPos[d]].value ?? 0;
      let c = node.children.get(v);
      if (!c) {
        node.children.set(v, (c = newNode(d + 1, p)));
        // a fresh node holds one path so far: below it nothing to merge
        let m = c;
        for (let d2 = d + 1; d2 < sh.readPos.length; d2++) {
          const c2 = newNode(d2 + 1, p);
          m.children.set(p.events[sh.readPos[d2]].value ?? 0, c2);
          m = c2;
        }
        break;
      }
      node = c;
    }
  }
  return [...byKey.values()];
}

/** Global events of one choice of a path per thread: initial writes first, then each thread's events, with their dependencies. */
export function buildSkeleton(chosen: readonly { events: readonly TEvent[] }[], finalLocs: Iterable<string>, initVals: Map<string, Value>): { events: GEvent[]; sk: Skeleton; initId: Map<string, number>; locs: string[] } {
  const events: GEvent[] = [];
  const locsUsed = new Set<string>(finalLocs);
  for (let t = 0; t < chosen.length; t++) {
    const evs = chosen[t].events;
    for (let i = 0; i < evs.length; i++) if (evs[i].loc !== undefined && evs[i].kind !== 'F') locsUsed.add(evs[i].loc!);
  }
  const initId = new Map<string, number>();
  const locs: string[] = [];
  locsUsed.forEach((l) => locs.push(l));
  locs.sort();
  for (let li = 0; li < locs.length; li++) {
    const loc = locs[li];
    initId.set(loc, events.length);
    events.push({
      id: events.length, thread: -1, po: 0, kind: 'W', loc, ann: 'IW', rmwClass: false, init: true,
      value: initVals.get(loc) ?? 0, line: 0, column: 0, text: 'initial value', addrDeps: [], dataDeps: [], ctrlDeps: [],
    });
  }
  const sk: Skeleton = { events, addr: [], data: [], ctrl: [] };
  const shift = (xs: readonly number[], base: number): number[] => {
    const out: number[] = [];
    for (let i = 0; i < xs.length; i++) out.push(base + xs[i]);
    return out;
  };
  for (let t = 0; t < chosen.length; t++) {
    const base = events.length;
    const evs = chosen[t].events;
    for (let i = 0; i < evs.length; i++) {
      const e = evs[i];
      const id = base + i;
      const g: GEvent = {
        id, thread: t, po: i, kind: e.kind, loc: e.loc, ann: e.ann, lock: e.lock, rmwClass: e.rmwClass,
        rmwPartner: e.rmwPartner === undefined ? undefined : base + e.rmwPartner, init: false, value: e.value,
        line: e.line, column: e.column, text: e.text,
        addrDeps: shift(e.addr, base), dataDeps: shift(e.data, base), ctrlDeps: shift(e.ctrl, base),
      };
      events.push(g);
      for (let k = 0; k < g.addrDeps.length; k++) sk.addr.push([g.addrDeps[k], id]);
      if (e.kind === 'W') for (let k = 0; k < g.dataDeps.length; k++) sk.data.push([g.dataDeps[k], id]);
      for (let k = 0; k < g.ctrlDeps.length; k++) sk.ctrl.push([g.ctrlDeps[k], id]);
    }
  }
  return { events, sk, initId, locs };
}

export function condVarKey(v: CondVar): string {
  return v.thread === null ? v.name : `${v.thread}:${v.name}`;
}

/** Three-valued evaluation: undefined when the known values do not decide the proposition. */
export function eval3(c: Cond, get: (key: string) => Value | undefined): boolean | undefined {
  switch (c.k) {
    case 'true': return true;
    case 'false': return false;
    case 'atom': {
      const v = get(condVarKey(c.v));
      if (v === undefined) return undefined;
      return c.op === '=' ? v === c.value : v !== c.value;
    }
    case 'eqvar': {
      const a = get(condVarKey(c.a));
      const b = get(condVarKey(c.b));
      return a === undefined || b === undefined ? undefined : a === b;
    }
    case 'not': {
      const x = eval3(c.c, get);
      return x === undefined ? undefined : !x;
    }
    case 'and': {
      const a = eval3(c.a, get);
      if (a === false) return false;
      const b = eval3(c.b, get);
      if (b === false) return false;
      return a === true && b === true ? true : undefined;
    }
    case 'or': {
      const a = eval3(c.a, get);
      if (a === true) return true;
      const b = eval3(c.b, get);
      if (b === true) return true;
      return a === false && b === false ? false : undefined;
    }
    case 'imp': {
      const a = eval3(c.a, get);
      if (a === false) return true;
      const b = eval3(c.b, get);
      if (b === true) return true;
      return a === true && b === false ? false : undefined;
    }
  }
}

/** A class of interchangeable threads and a location each of them writes on every path. */
export interface SymClass {
  threads: number[];
  loc: string;
}

/** What the search hands over at each leaf. */
export interface Leaf {
  final: Map<string, Value>;
  st: StaticPart;
  rf: Rel;
  co: Rel;
  /**
   * The model's verdict when the search already knows it: every leaf has
   * passed the partial checks (coherence, atomic, happens-before,
   * propagation, rcu) on its complete rf and co, so without plain accesses
   * it is allowed. Undefined when plain-coherence must still be checked.
   */
  allowed?: boolean;
  flags: string[];
  make(): RawExecution;
}

export interface SearchEnv {
  finalLocs: Set<string>;
  initVals: Map<string, Value>;
  budget: Budget;
  /** Cut branches where this proposition is already false (on registers). */
  target?: Cond;
  sym: SymClass[];
  leaf(l: Leaf): void;
  /** Where the search is: one [choice index, choices] pair per open decision (for a progress estimate). */
  progress?: [number, number][];
}

/**
 * The fraction of a depth-first search already explored, estimated from the
 * open decisions as if sibling subtrees were the same size (Knuth's
 * estimate along the current path).
 */
export function progressFraction(stack: readonly [number, number][]): number {
  let f = 0;
  let w = 1;
  for (const [i, n] of stack) {
    if (n <= 0) break;
    f += (w * i) / n;
    w /= n;
  }
  return f;
}

/** One rf-driven search over one shape per process (see the file comment). */
export function searchCombo(chosen: Shape[], env: SearchEnv): void {
  const budget = env.budget;
  const tick = (u = 1) => budget.tick(u);
  const { events, sk, initId, locs } = buildSkeleton(chosen, env.finalLocs, env.initVals);
  const n = events.length;
  const st = staticPart(sk);
  // lock.cat's po-only axioms forbid every candidate of this combination
  if (st.staticViolations.length > 0) return;
  const noPlain = st.Plain.isEmpty();

  const nodes: TrieNode[] = chosen.map((sh) => sh.trie);
  const readPos = chosen.map((sh) => sh.readPos);
  const src = new Int32Array(n).fill(-1);
  const rmwTaken = new Uint8Array(n);
  const writesAt = new Map<string, number[]>();
  for (let i = 0; i < locs.length; i++) writesAt.set(locs[i], []);
  const readIds: number[] = [];
  for (let i = 0; i < n; i++) {
    const e = events[i];
    if (e.kind === 'W') writesAt.get(e.loc!)!.push(e.id);
    else if (e.kind === 'R') readIds.push(e.id);
  }

  const eventBase: number[] = [];
  {
    let b = locs.length;
    for (const sh of chosen) {
      eventBase.push(b);
      b += sh.events.length;
    }
  }

  // symmetry breaking: pairs (a, b) of first writes that must be in co order a before b
  const symPairs: [number, number][] = [];
  for (const c of env.sym) {
    const fw = c.threads.map((t) => {
      const i = chosen[t].events.findIndex((e) => e.kind === 'W' && e.loc === c.loc);
      return i < 0 ? -1 : eventBase[t] + i;
    });
    if (fw.some((x) => x < 0)) throw new Error(`internal: symmetry class without a write to ${c.loc}`);
    // every pair, not only neighbours: an implied co edge between any two of
    // them already decides whether the order can still be the canonical one
    for (let i = 0; i < fw.length; i++) for (let j = i + 1; j < fw.length; j++) symPairs.push([fw[i], fw[j]]);
  }

  const valueOf = (g: number): Value | undefined => {
    const e = events[g];
    if (e.init) return e.value;
    const node = nodes[e.thread];
    const rp = readPos[e.thread];
    if (node.depth === rp.length || e.po < rp[node.depth] || node.fixed === null) return node.rep.events[e.po].value;
    return node.fixed[e.po];
  };
  /** Advance each thread's trie while its next read has a source of known value; false on a value clash. */
  const propagate = (): boolean => {
    for (let changed = true; changed;) {
      changed = false;
      for (let t = 0; t < nodes.length; t++) {
        const rp = readPos[t];
        for (;;) {
          const node = nodes[t];
          if (node.depth === rp.length) break;
          const s = src[eventBase[t] + rp[node.depth]];
          if (s < 0) break;
          const v = valueOf(s);
          if (v === undefined) break;
          const c = node.children.get(v);
          if (!c) return false;
          nodes[t] = c;
          changed = true;
        }
      }
    }
    return true;
  };
  /** The target proposition is not already false on the registers every path below agrees on. */
  const target = env.target;
  const regOf = (key: string): Value | undefined => {
    const colon = key.indexOf(':');
    if (colon < 0) return undefined; // memory: known only at the leaves
    const t = Number(key.slice(0, colon));
    const node = nodes[t];
    if (!node) return undefined;
    const r = key.slice(colon + 1);
    if (node.depth === readPos[t].length) return node.rep.regs.get(r) ?? 0;
    return node.regs.get(r);
  };
  const targetOk = (): boolean => !target || eval3(target, regOf) !== false;

  // Coherence facts used to imply co from rf (per read, by event id: the
  // same thread's same-location writes before and after it, and reads after it).
  const wBefore: number[][] = [];
  const wAfter: number[][] = [];
  const rAfter: number[][] = [];
  for (let k = 0; k < readIds.length; k++) {
    const r = readIds[k];
    const R = events[r];
    const b = eventBase[R.thread];
    const wb: number[] = [];
    const wa: number[] = [];
    const ra: number[] = [];
    for (let i = 0, len = chosen[R.thread].events.length; i < len; i++) {
      const e = events[b + i];
      if (e.id === r || e.loc !== R.loc || e.kind === 'F') continue;
      if (e.kind === 'W') (e.po < R.po ? wb : wa).push(e.id);
      else if (e.po > R.po) ra.push(e.id);
    }
    wBefore[r] = wb;
    wAfter[r] = wa;
    rAfter[r] = ra;
  }
  const coStatic = Rel.empty(n);
  for (let li = 0; li < locs.length; li++) {
    const ws = writesAt.get(locs[li])!;
    const iw = initId.get(locs[li])!;
    for (let i = 0; i < ws.length; i++) {
      const a = ws[i];
      if (a !== iw) coStatic.addMut(iw, a);
      const A = events[a];
      if (A.init) continue;
      for (let j = 0; j < ws.length; j++) {
        const B = events[ws[j]];
        if (!B.init && A.thread === B.thread && A.po < B.po) coStatic.addMut(a, ws[j]);
      }
    }
  }
  // The same facts as one-word masks when the graph has at most 32 events
  // (every kernel test): a read's po-later and po-earlier same-location
  // writes, and its po-later same-location reads.
  const small = n <= 32;
  const wAfterM = new Int32Array(small ? n : 0);
  const wBeforeM = new Int32Array(small ? n : 0);
  if (small) {
    for (let k = 0; k < readIds.length; k++) {
      const r = readIds[k];
      const wa = wAfter[r];
      const wb = wBefore[r];
      for (let i = 0; i < wa.length; i++) wAfterM[r] |= 1 << wa[i];
      for (let i = 0; i < wb.length; i++) wBeforeM[r] |= 1 << wb[i];
    }
  }
  const coRows = new Uint32Array(small ? n : 0);
  /**
   * co edges every coherent completion has, given the rf decided so far
   * (transitively closed); null when they form a cycle (no coherent
   * completion).
   */
  const impliedCo = (): Rel | null => {
    if (small) {
      coRows.set(coStatic.bits);
      for (let k = 0; k < readIds.length; k++) {
        const r = readIds[k];
        const s = src[r];
        if (s < 0) continue;
        const sBit = 1 << s;
        coRows[s] |= wAfterM[r];
        let m = wBeforeM[r] & ~sBit;
        while (m !== 0) {
          const t = m & -m;
          coRows[31 - Math.clz32(t)] |= sBit;
          m ^= t;
        }
        const ra = rAfter[r];
        for (let i = 0; i < ra.length; i++) {
          const s2 = src[ra[i]];
          if (s2 >= 0 && s2 !== s) coRows[s] |= 1 << s2;
        }
      }
      return new Rel(n, coRows).closureIfAcyclic();
    }
    const c = new Rel(n, coStatic.bits.slice());
    for (const r of readIds) {
      const s = src[r];
      if (s < 0) continue;
      for (const w of wAfter[r]) c.addMut(s, w);
      for (const w of wBefore[r]) if (w !== s) c.addMut(w, s);
      for (const r2 of rAfter[r]) {
        const s2 = src[r2];
        if (s2 >= 0 && s2 !== s) c.addMut(s, s2);
      }
    }
    const co = c.plus();
    return co.irreflexive() ? co : null;
  };
  const rfRel = (): Rel => {
    const r = Rel.empty(n);
    if (small) {
      const bits = r.bits;
      for (let k = 0; k < readIds.length; k++) {
        const x = readIds[k];
        const s = src[x];
        if (s >= 0) bits[s] |= 1 << x;
      }
      return r;
    }
    for (const x of readIds) if (src[x] >= 0) r.addMut(src[x], x);
    return r;
  };
  /** hb* of the last partial execution that passed (used to order decisions and to cut rf edges against it). */
  let hbStar: Rel = Rel.empty(n);
  /** co and rf of the last partial execution that passed (the leaves reuse them: all reads are decided there). */
  let passedCo: Rel | null = null;
  let passedRf: Rel | null = null;
  const partialOk = (): boolean => {
    tick(n);
    passedCo = passedRf = null;
    const co = impliedCo();
    if (!co) return false;
    for (let i = 0; i < symPairs.length; i++) if (co.has(symPairs[i][1], symPairs[i][0])) return false;
    const rf = rfRel();
    const v = checkExecution(st, rf, co, { explain: false, flags: false, partial: true });
    if (v.allowed) {
      hbStar = v.hbStar!;
      passedCo = co;
      passedRf = rf;
    }
    return v.allowed;
  };

  const group = (e: GEvent) => (e.lock ? 0 : e.rmwClass ? 1 : 2);
  const order = [...readIds].sort((a, b) => {
    const A = events[a];
    const B = events[b];
    return group(A) - group(B) || A.thread - B.thread || A.po - B.po;
  });

  const restore = (saved: TrieNode[]) => {
    for (let i = 0; i < saved.length; i++) nodes[i] = saved[i];
  };

  // ---- leaves: remaining co freedom, then values, then the model ----
  const coPhase = (): void => {
    // entered right after a partial check passed on this very rf (all reads decided)
    const co0 = passedCo ?? impliedCo()!;
    const rf = passedRf ?? rfRel();
    const rmwNext = new Int32Array(n).fill(-1);
    for (let k = 0; k < readIds.length; k++) {
      const p = events[readIds[k]].rmwPartner;
      if (p !== undefined) rmwNext[src[readIds[k]]] = p;
    }
    const coOrder = new Map<string, number[]>();
    const coPos = new Int32Array(n).fill(-1);
    const leaf = (co: Rel): void => {
      for (let i = 0; i < symPairs.length; i++) if (coPos[symPairs[i][0]] > coPos[symPairs[i][1]]) return;
      const saved = nodes.slice();
      const solve = (): void => {
        if (!propagate()) return;
        if (!targetOk()) return;
        let t = -1;
        for (let i = 0; i < nodes.length; i++) if (nodes[i].depth < readPos[i].length) { t = i; break; }
        if (t >= 0) {
          // a cycle of values (e.g. load buffering with data dependencies): try each value the path allows
          const node = nodes[t];
          for (const child of node.children.values()) {
            const s2 = nodes.slice();
            nodes[t] = child;
            solve();
            restore(s2);
          }
          return;
        }
        for (let k = 0; k < readIds.length; k++) if (valueOf(readIds[k]) !== valueOf(src[readIds[k]])) return;
        tick(n);
        const final = new Map<string, Value>();
        for (let li = 0; li < locs.length; li++) {
          const o = coOrder.get(locs[li])!;
          final.set(locs[li], valueOf(o[o.length - 1]) ?? 0);
        }
        for (let t2 = 0; t2 < nodes.length; t2++) nodes[t2].rep.regs.forEach((v, r) => final.set(`${t2}:${r}`, v));
        const snapshot = nodes.slice();
        env.leaf({
          final, st, rf, co, allowed: noPlain ? true : undefined, flags: st.flags,
          make: () => {
            const evs = events.map((e) => (e.init ? e : { ...e, value: snapshot[e.thread].rep.events[e.po].value }));
            const rfPairs: [number, number][] = [];
            for (const loc of locs) for (const r of readIds) if (events[r].loc === loc) rfPairs.push([r, src[r]]);
            const coMap = new Map<string, number[]>();
            for (const loc of locs) coMap.set(loc, [...coOrder.get(loc)!]);
            return { events: evs, rf: rfPairs, co: coMap, final };
          },
        });
      };
      solve();
      restore(saved);
    };
    const step = (li: number, acc: Rel): void => {
      if (li === locs.length) {
        leaf(acc);
        return;
      }
      const loc = locs[li];
      const iw = initId.get(loc)!;
      const ws: number[] = [];
      const atLoc = writesAt.get(loc)!;
      for (let i = 0; i < atLoc.length; i++) if (atLoc[i] !== iw) ws.push(atLoc[i]);
      const perm: number[] = [];
      const placed = new Uint8Array(n);
      const ext = (): void => {
        tick(ws.length + 1);
        if (perm.length === ws.length) {
          const full = [iw];
          for (let i = 0; i < perm.length; i++) full.push(perm[i]);
          coOrder.set(loc, full);
          for (let i = 0; i < full.length; i++) coPos[full[i]] = i;
          const c = new Rel(n, acc.bits.slice());
          for (let a = 0; a < full.length; a++) for (let b = a + 1; b < full.length; b++) c.addMut(full[a], full[b]);
          // an order already implied by rf adds nothing the last partial check did not see
          let implied = true;
          for (let a = 1; a < full.length && implied; a++) if (!co0.has(full[a - 1], full[a])) implied = false;
          if (implied || checkExecution(st, rf, c, { explain: false, flags: false, partial: true }).allowed) step(li + 1, c);
          return;
        }
        const last = perm.length ? perm[perm.length - 1] : iw;
        for (let wi = 0; wi < ws.length; wi++) {
          const w = ws[wi];
          if (placed[w]) continue;
          let blocked = false;
          for (let oi = 0; oi < ws.length; oi++) {
            const o = ws[oi];
            if (!placed[o] && o !== w && co0.has(o, w)) {
              blocked = true;
              break;
            }
          }
          if (blocked) continue;
          // atomicity: an RMW's write immediately follows the write its read takes
          if (rmwNext[last] >= 0 && rmwNext[last] !== w) continue;
          const p = events[w].rmwPartner;
          if (p !== undefined && events[p].kind === 'R' && src[p] !== last) continue;
          placed[w] = 1;
          perm.push(w);
          ext();
          perm.pop();
          placed[w] = 0;
        }
      };
      ext();
    };
    step(0, co0);
  };

  const decided = new Uint8Array(n);
  const marked = (e: GEvent) => st.Marked.has(e.id);
  /**
   * The next read to decide: the first undecided read of the lowest group
   * with no undecided read of that group hb-before it. Deciding reads in
   * happens-before order lets the sources of earlier reads imply the co
   * edges (CoRW) that make stale sources of later reads fail at once.
   */
  const groupOf = new Uint8Array(n);
  for (let k = 0; k < order.length; k++) groupOf[order[k]] = group(events[order[k]]);
  const nextRead = (): number => {
    let g = 3;
    for (let k = 0; k < order.length; k++) if (!decided[order[k]] && groupOf[order[k]] < g) g = groupOf[order[k]];
    for (let k = 0; k < order.length; k++) {
      const r = order[k];
      if (decided[r] || groupOf[r] !== g) continue;
      let minimal = true;
      for (let j = 0; j < order.length; j++) {
        const o = order[j];
        if (o !== r && !decided[o] && groupOf[o] === g && hbStar.has(o, r)) {
          minimal = false;
          break;
        }
      }
      if (minimal) return r;
    }
    return order.find((r) => !decided[r])!;
  };
  const dfs = (k: number): void => {
    tick(order.length + 1);
    if (k === order.length) {
      coPhase();
      return;
    }
    const r = nextRead();
    const R = events[r];
    const hbHere = hbStar;
    const isRmw = R.rmwPartner !== undefined;
    const t = R.thread;
    const cands = writesAt.get(R.loc!)!;
    const prog = env.progress;
    const slot = prog ? prog.push([0, cands.length]) - 1 : -1;
    for (let ci = 0; ci < cands.length; ci++) {
      const w = cands[ci];
      if (prog) prog[slot][0] = ci;
      const W = events[w];
      if (!W.init && W.thread === t && W.po > R.po) continue;
      if (isRmw && rmwTaken[w]) continue;
      // w hb-after r: the rfe edge w -> r would close an hb cycle
      if (W.thread !== t && marked(W) && marked(R) && hbHere.has(r, w)) continue;
      const wv = valueOf(w);
      if (wv !== undefined) {
        const rv = valueOf(r);
        if (rv !== undefined) {
          if (rv !== wv) continue;
        } else {
          const node = nodes[t];
          if (node.depth < readPos[t].length && readPos[t][node.depth] === R.po && !node.children.has(wv)) continue;
        }
      }
      const saved = nodes.slice();
      src[r] = w;
      decided[r] = 1;
      if (isRmw) rmwTaken[w] = 1;
      if (propagate() && targetOk() && partialOk()) dfs(k + 1);
      src[r] = -1;
      decided[r] = 0;
      if (isRmw) rmwTaken[w] = 0;
      hbStar = hbHere;
      restore(saved);
    }
    if (prog) prog.length = slot;
  };
  if (propagate() && targetOk() && partialOk()) dfs(0);
}

/** Filter and condition helpers shared by the engine. */
export function evalCond(c: Cond, state: Map<string, Value>): boolean {
  return eval3(c, (k) => state.get(k) ?? 0)!;
}

export function condVars(c: Cond, out: CondVar[]): void {
  switch (c.k) {
    case 'atom': out.push(c.v); return;
    case 'eqvar': out.push(c.a, c.b); return;
    case 'not': condVars(c.c, out); return;
    case 'and': case 'or': case 'imp': condVars(c.a, out); condVars(c.b, out); return;
    default: return;
  }
}

export type { LitmusTest };
