/**
 * Small set/relation algebra over event ids 0..n-1, used to evaluate the
 * LKMM (see ./lkmm.ts). Hand-written because the model needs exactly the
 * cat operators (; | & \ ^-1 + * ? [S]) on tiny dense graphs (tens of
 * events), where row bitsets are both the simplest and the fastest choice;
 * no general graph library offers these operators.
 *
 * Values are immutable: every operator returns a new object.
 *
 * Every operator charges its work to the active budget (./budget.ts); on
 * large graphs (hundreds of events) the quadratic and cubic ones charge row
 * by row, so the engine's time bound interrupts even a single operation.
 */
import { closureRowsInto, postOrderRows, seqRowsInto } from './rows';
import { charge } from './budget';

/** Math.clz32 as a module binding: one load instead of a global and a property lookup per use in interpreted code. */
const clz32 = Math.clz32;

/** Above this many events, operators charge their work row by row. */
const BIG = 256;

/** Reused work arrays of the depth-first search (acyclicity and closures run very often). */
function newScratch(n: number) {
  const m = Math.max(64, n * 2);
  return { state: new Uint8Array(m), order: new Int32Array(m), stack: new Int32Array(m), next: new Int32Array(m) };
}
let scratch = newScratch(64);

/** A set of event ids, as a bitset. */
export class EvSet {
  constructor(readonly n: number, readonly bits: Uint32Array) {}

  static empty(n: number): EvSet {
    return new EvSet(n, new Uint32Array((n + 31) >>> 5));
  }
  static of(n: number, ids: Iterable<number>): EvSet {
    const s = EvSet.empty(n);
    for (const i of ids) s.bits[i >>> 5] |= 1 << (i & 31);
    return s;
  }
  static where(n: number, pred: (i: number) => boolean): EvSet {
    const s = EvSet.empty(n);
    for (let i = 0; i < n; i++) if (pred(i)) s.bits[i >>> 5] |= 1 << (i & 31);
    return s;
  }
  has(i: number): boolean {
    return (this.bits[i >>> 5] & (1 << (i & 31))) !== 0;
  }
  union(o: EvSet): EvSet {
    const b = this.bits.slice();
    for (let k = 0; k < b.length; k++) b[k] |= o.bits[k];
    return new EvSet(this.n, b);
  }
  inter(o: EvSet): EvSet {
    const b = this.bits.slice();
    for (let k = 0; k < b.length; k++) b[k] &= o.bits[k];
    return new EvSet(this.n, b);
  }
  minus(o: EvSet): EvSet {
    const b = this.bits.slice();
    for (let k = 0; k < b.length; k++) b[k] &= ~o.bits[k];
    return new EvSet(this.n, b);
  }
  /** ~S: the complement within 0..n-1. */
  complement(): EvSet {
    return EvSet.where(this.n, (i) => !this.has(i));
  }
  isEmpty(): boolean {
    for (let k = 0; k < this.bits.length; k++) if (this.bits[k] !== 0) return false;
    return true;
  }
  ids(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.n; i++) if (this.has(i)) out.push(i);
    return out;
  }
}

/** A binary relation over 0..n-1: row i is the bitset of successors of i. */
export class Rel {
  readonly w: number;
  constructor(readonly n: number, readonly bits: Uint32Array) {
    this.w = (n + 31) >>> 5;
  }

  static empty(n: number): Rel {
    return new Rel(n, new Uint32Array(n * ((n + 31) >>> 5)));
  }
  static fromPairs(n: number, pairs: Iterable<readonly [number, number]>): Rel {
    const r = Rel.empty(n);
    for (const [a, b] of pairs) r.addMut(a, b);
    return r;
  }
  static where(n: number, pred: (a: number, b: number) => boolean): Rel {
    const r = Rel.empty(n);
    charge(n);
    for (let a = 0; a < n; a++) {
      if (n >= BIG) charge(n);
      for (let b = 0; b < n; b++) if (pred(a, b)) r.addMut(a, b);
    }
    return r;
  }
  /** [S]: the identity restricted to S. */
  static id(s: EvSet): Rel {
    const r = Rel.empty(s.n);
    for (let i = 0; i < s.n; i++) if (s.has(i)) r.addMut(i, i);
    return r;
  }
  /** S * T: the cartesian product. */
  static cross(s: EvSet, t: EvSet): Rel {
    const r = Rel.empty(s.n);
    for (let i = 0; i < s.n; i++) if (s.has(i)) r.bits.set(t.bits, i * r.w);
    return r;
  }

  has(a: number, b: number): boolean {
    return (this.bits[a * this.w + (b >>> 5)] & (1 << (b & 31))) !== 0;
  }
  /** Mutating add: only for building a fresh relation. */
  addMut(a: number, b: number): void {
    this.bits[a * this.w + (b >>> 5)] |= 1 << (b & 31);
  }

  union(...os: Rel[]): Rel {
    const b = this.bits.slice();
    // indexed loops: cheaper than iterators before the JIT warms up
    for (let i = 0; i < os.length; i++) {
      const ob = os[i].bits;
      for (let k = 0; k < b.length; k++) b[k] |= ob[k];
    }
    return new Rel(this.n, b);
  }
  inter(o: Rel): Rel {
    const b = this.bits.slice();
    for (let k = 0; k < b.length; k++) b[k] &= o.bits[k];
    return new Rel(this.n, b);
  }
  minus(o: Rel): Rel {
    const b = this.bits.slice();
    for (let k = 0; k < b.length; k++) b[k] &= ~o.bits[k];
    return new Rel(this.n, b);
  }
  /** r ; o (composition). */
  seq(o: Rel): Rel {
    const { n, w } = this;
    const out = new Uint32Array(n * w);
    const big = n >= BIG;
    charge(n * w);
    if (w === 1) {
      // one word per row (up to 32 events: every kernel test)
      const bits = this.bits;
      const ob = o.bits;
      seqRowsInto(bits, ob, n, out);
      return new Rel(n, out);
    }
    for (let a = 0; a < n; a++) {
      const base = a * w;
      if (big) charge(n * w);
      for (let k = 0; k < w; k++) {
        let word = this.bits[base + k];
        while (word !== 0) {
          const t = word & -word;
          const b = (k << 5) + (31 - clz32(t));
          word ^= t;
          const ob = b * w;
          for (let j = 0; j < w; j++) out[base + j] |= o.bits[ob + j];
        }
      }
    }
    return new Rel(n, out);
  }
  /** r^-1 ; o, without building the inverse (fr = rf^-1 ; co). */
  invSeq(o: Rel): Rel {
    const { n, w } = this;
    const out = new Uint32Array(n * w);
    charge(n * w);
    for (let a = 0; a < n; a++) {
      const base = a * w;
      const ob = a * w;
      for (let k = 0; k < w; k++) {
        let word = this.bits[base + k];
        while (word !== 0) {
          const t = word & -word;
          const b = (k << 5) + (31 - clz32(t));
          word ^= t;
          // (a, b) in r, so (b, x) in r^-1 ; o for every (a, x) in o
          const rb = b * w;
          for (let j = 0; j < w; j++) out[rb + j] |= o.bits[ob + j];
        }
      }
    }
    return new Rel(n, out);
  }
  /** r \ id */
  /** The complement within 0..n-1 x 0..n-1. */
  complement(): Rel {
    const b = this.bits.slice();
    const { n, w } = this;
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < w; k++) b[i * w + k] = ~b[i * w + k];
      if (n & 31) b[i * w + w - 1] &= (1 << (n & 31)) - 1; // no bits beyond n
    }
    return new Rel(n, b);
  }
  minusId(): Rel {
    const b = this.bits.slice();
    for (let i = 0; i < this.n; i++) b[i * this.w + (i >>> 5)] &= ~(1 << (i & 31));
    return new Rel(this.n, b);
  }
  /** v |= row a (a bitset of w words). */
  orRowInto(a: number, v: Uint32Array): void {
    const base = a * this.w;
    for (let j = 0; j < this.w; j++) v[j] |= this.bits[base + j];
  }
  /** The image of the set v under r: { y | x in v, (x, y) in r }. */
  vecTimes(v: Uint32Array): Uint32Array {
    const { w } = this;
    const out = new Uint32Array(w);
    for (let k = 0; k < w; k++) {
      let word = v[k];
      while (word !== 0) {
        const t = word & -word;
        const b = (k << 5) + (31 - clz32(t));
        word ^= t;
        const ob = b * w;
        for (let j = 0; j < w; j++) out[j] |= this.bits[ob + j];
      }
    }
    return out;
  }
  /** Composition of a chain: r1 ; r2 ; ... */
  static seqAll(first: Rel, ...rest: Rel[]): Rel {
    let r = first;
    for (let i = 0; i < rest.length; i++) r = r.seq(rest[i]);
    return r;
  }
  inv(): Rel {
    const r = Rel.empty(this.n);
    const { n, w } = this;
    charge(n * w);
    for (let a = 0; a < n; a++) {
      for (let k = 0; k < w; k++) {
        let word = this.bits[a * w + k];
        while (word !== 0) {
          const t = word & -word;
          word ^= t;
          r.addMut((k << 5) + (31 - clz32(t)), a);
        }
      }
    }
    return r;
  }
  /** r+ (transitive closure, Warshall on rows). */
  plus(): Rel {
    return this.topoClosure(false) ?? this.warshall(false);
  }
  /** r+ when r is acyclic, null when it has a cycle. */
  closureIfAcyclic(): Rel | null {
    return this.topoClosure(false);
  }
  /** r* when r is acyclic, null when it has a cycle (one depth-first search for both questions). */
  starIfAcyclic(): Rel | null {
    return this.topoClosure(true);
  }
  /** r* (reflexive-transitive closure). */
  star(): Rel {
    return this.topoClosure(true) ?? this.warshall(true);
  }
  /** Transitive closure by Warshall's algorithm (any relation). */
  private warshall(reflexive: boolean): Rel {
    const { n, w } = this;
    const b = this.bits.slice();
    const big = n >= BIG;
    charge(n * w);
    for (let k = 0; k < n; k++) {
      if (big) charge(n * w);
      const kb = k * w;
      const km = 1 << (k & 31);
      const kw = k >>> 5;
      for (let i = 0; i < n; i++) {
        const ib = i * w;
        if (b[ib + kw] & km) for (let j = 0; j < w; j++) b[ib + j] |= b[kb + j];
      }
    }
    const r = new Rel(n, b);
    if (reflexive) for (let i = 0; i < n; i++) r.addMut(i, i);
    return r;
  }
  /**
   * Post-order of a depth-first search (every node after all its
   * successors), or null when the relation has a cycle.
   */
  private postOrder(): Int32Array | null {
    const { n, w, bits } = this;
    if (scratch.state.length < n) scratch = newScratch(n);
    if (w === 1) {
      // one word per row: peel the sinks of what remains, all at once (as
      // many passes as the longest path; cheaper than the search below
      // before the JIT warms up)
      const order = scratch.order;
      charge(n);
      return postOrderRows(bits, n, order) ? order : null;
    }
    const { state, order, stack, next } = scratch; // next: per stacked node, the next successor to look at
    state.fill(0, 0, n); // 0 new, 1 on the stack, 2 done
    let done = 0;
    charge(n * w);
    for (let s = 0; s < n; s++) {
      if (state[s] !== 0) continue;
      let sp = 0;
      stack[sp++] = s;
      state[s] = 1;
      next[s] = 0;
      while (sp > 0) {
        const a = stack[sp - 1];
        let b = next[a];
        let pushed = false;
        const base = a * w;
        while (b < n) {
          const word = bits[base + (b >>> 5)] >>> (b & 31);
          if (word === 0) {
            b = ((b >>> 5) + 1) << 5;
            continue;
          }
          b += 31 - clz32(word & -word);
          if (b >= n) break;
          if (state[b] === 1) return null;
          if (state[b] === 0) {
            next[a] = b + 1;
            state[b] = 1;
            next[b] = 0;
            stack[sp++] = b;
            pushed = true;
            break;
          }
          b++;
        }
        if (!pushed) {
          state[a] = 2;
          order[done++] = a;
          sp--;
        }
      }
    }
    return order;
  }
  /** Closure of an acyclic relation in reverse topological order; null if cyclic. */
  private topoClosure(reflexive: boolean): Rel | null {
    const order = this.postOrder();
    if (!order) return null;
    const { n, w, bits } = this;
    const out = new Uint32Array(n * w);
    charge(n * w);
    if (w === 1) {
      closureRowsInto(bits, n, order, out, reflexive);
      return new Rel(n, out);
    }
    for (let x = 0; x < n; x++) {
      const a = order[x];
      const base = a * w;
      if (n >= BIG) charge(n * w);
      for (let k = 0; k < w; k++) {
        let word = bits[base + k];
        out[base + k] |= word;
        while (word !== 0) {
          const t = word & -word;
          const b = (k << 5) + (31 - clz32(t));
          word ^= t;
          const bb = b * w;
          for (let j = 0; j < w; j++) out[base + j] |= out[bb + j];
        }
      }
      if (reflexive) out[base + (a >>> 5)] |= 1 << (a & 31);
    }
    return new Rel(n, out);
  }
  /** r? (reflexive closure). */
  opt(): Rel {
    const b = this.bits.slice();
    const { n, w } = this;
    for (let i = 0; i < n; i++) b[i * w + (i >>> 5)] |= 1 << (i & 31);
    return new Rel(n, b);
  }
  /** [S] ; r */
  dom(s: EvSet): Rel {
    const b = this.bits.slice();
    const { n, w } = this;
    const sb = s.bits;
    if (w === 1) {
      const m = sb[0];
      for (let i = 0; i < n; i++) if ((m & (1 << i)) === 0) b[i] = 0;
    } else {
      for (let i = 0; i < n; i++) if ((sb[i >>> 5] & (1 << (i & 31))) === 0) b.fill(0, i * w, (i + 1) * w);
    }
    return new Rel(n, b);
  }
  /** r ; [S] */
  ran(s: EvSet): Rel {
    const b = this.bits.slice();
    const { n, w } = this;
    const sb = s.bits;
    if (w === 1) {
      const m = sb[0];
      for (let i = 0; i < n; i++) b[i] &= m;
    } else {
      for (let i = 0; i < n; i++) for (let k = 0; k < w; k++) b[i * w + k] &= sb[k];
    }
    return new Rel(n, b);
  }
  /** [S] ; r ; [T] */
  restrict(s: EvSet, t: EvSet): Rel {
    const { n, w } = this;
    if (w !== 1) return this.dom(s).ran(t);
    const b = this.bits.slice();
    const ms = s.bits[0];
    const mt = t.bits[0];
    for (let i = 0; i < n; i++) b[i] = (ms & (1 << i)) === 0 ? 0 : b[i] & mt;
    return new Rel(n, b);
  }
  domain(): EvSet {
    return EvSet.where(this.n, (i) => {
      for (let k = 0; k < this.w; k++) if (this.bits[i * this.w + k] !== 0) return true;
      return false;
    });
  }
  range(): EvSet {
    const s = EvSet.empty(this.n);
    for (let i = 0; i < this.n; i++) for (let k = 0; k < this.w; k++) s.bits[k] |= this.bits[i * this.w + k];
    return s;
  }
  isEmpty(): boolean {
    for (let k = 0; k < this.bits.length; k++) if (this.bits[k] !== 0) return false;
    return true;
  }
  irreflexive(): boolean {
    for (let i = 0; i < this.n; i++) if (this.has(i, i)) return false;
    return true;
  }
  acyclic(): boolean {
    return this.postOrder() !== null;
  }
  equals(o: Rel): boolean {
    for (let k = 0; k < this.bits.length; k++) if (this.bits[k] !== o.bits[k]) return false;
    return true;
  }
  /** A cycle as a list of nodes (first node not repeated), or null. DFS, colours. */
  findCycle(): number[] | null {
    const n = this.n;
    charge(n * n);
    const colour = new Uint8Array(n);
    const parent = new Int32Array(n).fill(-1);
    for (let s = 0; s < n; s++) {
      if (colour[s] !== 0) continue;
      const stack: [number, number][] = [[s, 0]];
      colour[s] = 1;
      while (stack.length) {
        const top = stack[stack.length - 1];
        const [a] = top;
        let advanced = false;
        for (let b = top[1]; b < n; b++) {
          if (!this.has(a, b)) continue;
          top[1] = b + 1;
          if (colour[b] === 1) {
            const cyc = [b];
            for (let x = a; x !== b; x = parent[x]) cyc.push(x);
            if (a === b) return [a];
            cyc.push(b);
            cyc.shift();
            return cyc.reverse();
          }
          if (colour[b] === 0) {
            colour[b] = 1;
            parent[b] = a;
            stack.push([b, 0]);
            advanced = true;
            break;
          }
        }
        if (!advanced) {
          colour[a] = 2;
          stack.pop();
        }
      }
    }
    return null;
  }
  pairs(): [number, number][] {
    charge(this.n * this.n);
    const out: [number, number][] = [];
    for (let a = 0; a < this.n; a++) for (let b = 0; b < this.n; b++) if (this.has(a, b)) out.push([a, b]);
    return out;
  }
}
