/**
 * Views: a (possibly decoded) text together with a map back to the original
 * document.
 *
 * Every stage that changes text (quoted-printable, base64, charset decoding,
 * format=flowed, mboxrd `>From ` un-escaping) produces a new View whose segs
 * compose the old map, so any column of the final text still points at the
 * exact characters of the document the user has open. This is why the
 * decoders in mime.ts are hand-written rather than taken from a mail library:
 * none of them reports where a decoded character came from.
 */
import type { Seg, Span } from './model';

/** Decoded text [d, d+dLen) comes from original text [o, o+oLen). */
export interface VSeg {
  d: number;
  dLen: number;
  o: number;
  oLen: number;
}

/** Accumulates segs, merging neighbours that continue each other at the same ratio. */
export class SegBuilder {
  readonly segs: VSeg[] = [];

  push(d: number, dLen: number, o: number, oLen: number): void {
    if (dLen <= 0 && oLen <= 0) return;
    const n = this.segs.length;
    if (n > 0 && dLen > 0) {
      const p = this.segs[n - 1];
      if (p.d + p.dLen === d && p.o + p.oLen === o && p.dLen > 0 && p.dLen * oLen === dLen * p.oLen) {
        p.dLen += dLen;
        p.oLen += oLen;
        return;
      }
    }
    if (dLen <= 0) return; // nothing decoded from these original chars
    this.segs.push({ d, dLen, o, oLen });
  }
}

export class View {
  private lastSeg = 0;

  constructor(
    readonly text: string,
    readonly segs: VSeg[],
  ) {}

  /** The original text [start, end) as a view of itself. */
  static identity(doc: string, start: number, end: number): View {
    const s = Math.max(0, Math.min(start, doc.length));
    const e = Math.max(s, Math.min(end, doc.length));
    const text = s === 0 && e === doc.length ? doc : doc.slice(s, e);
    return new View(text, e > s ? [{ d: 0, dLen: e - s, o: s, oLen: e - s }] : [{ d: 0, dLen: 0, o: s, oLen: 0 }]);
  }

  /** Index of the last seg with seg.d <= i (0 when none). */
  private find(i: number): number {
    const segs = this.segs;
    // fast path: sequential access is the common case
    const h = this.lastSeg;
    if (h < segs.length && segs[h].d <= i && (h + 1 >= segs.length || segs[h + 1].d > i)) return h;
    let lo = 0;
    let hi = segs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (segs[mid].d <= i) lo = mid;
      else hi = mid - 1;
    }
    this.lastSeg = lo;
    return lo;
  }

  /** Original offset where decoded character i starts. */
  origStart(i: number): number {
    if (this.segs.length === 0) return 0;
    const s = this.segs[this.find(i)];
    if (i <= s.d) return s.o;
    const rel = i - s.d;
    if (rel >= s.dLen) return s.o + s.oLen;
    if (s.dLen === s.oLen) return s.o + rel;
    return s.o + Math.min(s.oLen, Math.floor((rel * s.oLen) / s.dLen));
  }

  /** Original offset just past decoded character i-1 (the end of a range ending at i). */
  origEnd(i: number): number {
    if (this.segs.length === 0) return 0;
    if (i <= 0) return this.origStart(0);
    const s = this.segs[this.find(i - 1)];
    if (i - 1 < s.d) return s.o;
    const rel = i - s.d;
    if (rel >= s.dLen) return s.o + s.oLen;
    if (s.dLen === s.oLen) return s.o + rel;
    return s.o + Math.min(s.oLen, Math.ceil((rel * s.oLen) / s.dLen));
  }

  /** Original span of decoded range [a, b). */
  span(a: number, b: number): Span {
    const start = this.origStart(a);
    if (b <= a) return { start, end: start };
    return { start, end: Math.max(start, this.origEnd(b)) };
  }

  /** Model segs for decoded range [a, b), with columns relative to a. */
  segsFor(a: number, b: number): Seg[] {
    const out: Seg[] = [];
    if (b <= a || this.segs.length === 0) return out;
    let k = this.find(a);
    const segs = this.segs;
    for (; k < segs.length; k++) {
      const s = segs[k];
      if (s.d >= b) break;
      const x = Math.max(a, s.d);
      const y = Math.min(b, s.d + s.dLen);
      if (y <= x) continue;
      let o: number;
      let oEnd: number;
      if (s.dLen === s.oLen) {
        o = s.o + (x - s.d);
        oEnd = s.o + (y - s.d);
      } else {
        o = s.o + Math.floor(((x - s.d) * s.oLen) / s.dLen);
        oEnd = s.o + Math.ceil(((y - s.d) * s.oLen) / s.dLen);
      }
      out.push({ col: x - a, len: y - x, off: o, offLen: Math.max(0, oEnd - o) });
    }
    return out;
  }

  /**
   * A new view whose text is the concatenation of the given [start, end)
   * pieces of this view's text, in order.
   */
  compose(pieces: Array<[number, number]>): View {
    const parts: string[] = [];
    const b = new SegBuilder();
    let d = 0;
    for (const [x, y] of pieces) {
      if (y <= x) continue;
      parts.push(this.text.slice(x, y));
      for (const s of this.segsFor(x, y)) b.push(d + s.col, s.len, s.off, s.offLen);
      d += y - x;
    }
    return new View(parts.join(''), b.segs);
  }
}

/** Line table of a view: content ranges without the line terminator. */
export class Lines {
  /** Start of each line (typed arrays: a 50 MB document has a million lines). */
  readonly starts: Int32Array;
  /** End of each line's content, excluding '\n' and a '\r' before it. */
  readonly ends: Int32Array;
  private readonly n: number;

  constructor(readonly text: string) {
    const t = text;
    const len = t.length;
    let cap = 1024;
    let starts = new Int32Array(cap);
    let ends = new Int32Array(cap);
    let n = 0;
    let s = 0;
    for (;;) {
      let nl = t.indexOf('\n', s);
      if (nl === -1) nl = len;
      let e = nl;
      if (e > s && t.charCodeAt(e - 1) === 13) e--;
      if (n === cap) {
        cap *= 2;
        const ns = new Int32Array(cap);
        ns.set(starts);
        starts = ns;
        const ne = new Int32Array(cap);
        ne.set(ends);
        ends = ne;
      }
      starts[n] = s;
      ends[n] = e;
      n++;
      if (nl >= len) break;
      s = nl + 1;
      // a final '\n' does not open another line
      if (s === len) break;
    }
    this.starts = starts;
    this.ends = ends;
    this.n = n;
  }

  get count(): number {
    return this.n;
  }

  line(i: number): string {
    return this.text.slice(this.starts[i], this.ends[i]);
  }

  len(i: number): number {
    return this.ends[i] - this.starts[i];
  }

  /** Offset just after line i's terminator (start of line i+1). */
  next(i: number): number {
    return i + 1 < this.n ? this.starts[i + 1] : this.text.length;
  }

  /** First character code of line i, or -1 for an empty line. */
  c0(i: number): number {
    return this.ends[i] > this.starts[i] ? this.text.charCodeAt(this.starts[i]) : -1;
  }

  startsWith(i: number, prefix: string): boolean {
    return this.ends[i] - this.starts[i] >= prefix.length && this.text.startsWith(prefix, this.starts[i]);
  }

  /** Line i is blank (empty or whitespace only). */
  blank(i: number): boolean {
    const t = this.text;
    for (let k = this.starts[i]; k < this.ends[i]; k++) {
      const c = t.charCodeAt(k);
      if (c !== 32 && c !== 9 && c !== 12 && c !== 11) return false;
    }
    return true;
  }
}
