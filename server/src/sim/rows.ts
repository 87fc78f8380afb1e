/**
 * Relations on at most 32 events as one 32-bit word per row (row a = the
 * events a is related to): the word operations the model check and the
 * relation algebra share on small graphs (every kernel litmus test).
 */
const clz32 = Math.clz32;

/** The union of `rows[i]` over the bits `i` of `mask`. */
export function unionOfRows(rows: ArrayLike<number>, mask: number): number {
  let m = mask;
  let acc = 0;
  while (m !== 0) {
    const t = m & -m;
    acc |= rows[31 - clz32(t)];
    m ^= t;
  }
  return acc;
}

/** out[a] = (x ; [keep] ; y)[a], the union of y's rows over x's row a (restricted to `keep`). `out` may be `x`, never `y`. */
export function seqRowsInto(x: ArrayLike<number>, y: ArrayLike<number>, n: number, out: Uint32Array, keep = -1): Uint32Array {
  for (let a = 0; a < n; a++) out[a] = unionOfRows(y, x[a] & keep);
  return out;
}

/**
 * The nodes of `r` into `order`, every node after all its successors; false
 * when `r` has a cycle. Peels the sinks of what remains, all at once: as many
 * passes as the longest path, a few word operations per node each (cheaper
 * before the JIT warms up than a depth-first search with a stack).
 */
export function postOrderRows(r: ArrayLike<number>, n: number, order: { [i: number]: number }): boolean {
  let rem = n === 32 ? -1 : (1 << n) - 1;
  let done = 0;
  while (rem !== 0) {
    let sinks = 0;
    for (let a = 0; a < n; a++) {
      const bit = 1 << a;
      if ((rem & bit) !== 0 && (r[a] & rem) === 0) {
        sinks |= bit;
        order[done++] = a;
      }
    }
    if (sinks === 0) return false;
    rem &= ~sinks;
  }
  return true;
}

/** out = r+ (or r* with `reflexive`) of acyclic rows, given their post-order. */
export function closureRowsInto(r: ArrayLike<number>, n: number, order: ArrayLike<number>, out: Uint32Array, reflexive: boolean): Uint32Array {
  for (let x = 0; x < n; x++) {
    const a = order[x];
    const acc = r[a] | unionOfRows(out, r[a]);
    out[a] = reflexive ? acc | (1 << a) : acc;
  }
  return out;
}
