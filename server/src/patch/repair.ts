/**
 * Mangled-diff recovery.
 *
 * Mail clients and web archives damage diffs: long lines are wrapped (hunk
 * headers and `diff --git` lines too), context lines lose their leading space,
 * blank context lines disappear, tabs become spaces, whole blocks get shifted
 * one column to the right. The hunk header's line counts are the oracle: a
 * hunk whose body matches its counts is taken as is; otherwise each line that
 * is not a diff line ("foreign") is either the continuation of a wrapped line
 * or a context line that lost its space, dropped blank context lines are
 * re-inserted, and the interpretation (and end of the hunk) that makes the
 * counts match at the lowest cost wins. Whitespace repairs (tabs, shift) do
 * not change counts and are decided per file from the evidence of its lines.
 *
 * Every repair is reported with the exact original characters it touched.
 */
import type { HunkLine, LineKind, Repair, RepairKind, Seg, Severity, Span } from './model';
import type { Lines, View } from './view';

/**
 * A hunk body under construction: the final HunkLine objects (line numbers
 * are filled in at the end) plus, per line, what the whitespace repairs need
 * to know about the physical line. Kept apart so no line is built twice.
 */
export interface Body {
  lines: HunkLine[];
  /** Display columns in front of the text on the physical line (the marker, plus a shift). */
  prefix: number[];
  /** The physical line had its ' ', '+' or '-' marker. */
  marker: boolean[];
}

export function newBody(): Body {
  return { lines: [], prefix: [], marker: [] };
}

export function pushLine(b: Body, kind: LineKind, text: string, segs: Seg[], span: Span, prefix: number, marker: boolean): HunkLine {
  const l: HunkLine = { kind, text, src: { segs }, span };
  b.lines.push(l);
  b.prefix.push(prefix);
  b.marker.push(marker);
  return l;
}

export interface HeaderInfo {
  oldStart: number;
  oldCount: number;
  newStart: number;
  newCount: number;
  section: string;
  /** Header line index in the view. */
  line: number;
}

export interface RepairResult {
  body: Body;
  repairs: Repair[];
  /** Line index just after the hunk. */
  next: number;
  /** Extra physical lines that belonged to the header (wrapped header). */
  headerLines: number;
  /** Text appended to the section heading by a header rejoin. */
  sectionExtra: string;
  /** Counts actually found in the body (differ from the header when mismatched). */
  oldCount: number;
  newCount: number;
  /** The body matched the counts after repair. */
  matched: boolean;
  /** Nothing usable was found: drop the hunk. */
  dropped: boolean;
}

export function displayWidth(s: string): number {
  let w = 0;
  for (let i = 0; i < s.length; i++) w = s.charCodeAt(i) === 9 ? (w + 8) & ~7 : w + 1;
  return w;
}

const CODE_START =
  /^(?:if|else|for|while|do|switch|case|default|return|goto|break|continue|struct|union|enum|static|extern|const|volatile|unsigned|signed|int|long|short|char|void|bool|float|double|u8|u16|u32|u64|s8|s16|s32|s64|size_t|ssize_t|pgoff_t|gfp_t|vm_fault_t|typedef|inline|asm|EXPORT_SYMBOL\w*|config|menuconfig|bool|tristate|depends|select|help|endmenu|endif|obj-\S*)\b/;

/** Does a line that lost its diff marker look like source code (so: a context line)? */
export function looksLikeCode(text: string): boolean {
  const t = text.trim();
  if (t === '') return false;
  if (t.length > 400) return false;
  if (/^#\s*(?:if|ifdef|ifndef|else|elif|endif|define|undef|include|pragma|error|warning)\b/.test(t)) return true;
  if (/^(?:\/\*|\*\/|\*(?:\s|$))/.test(t)) return true;
  if (endsLikeStatement(t) && !/[.!?]\s*$/.test(t)) return true;
  if (/(?:&&|\|\||[,(=+\-*/|&])\s*$/.test(t) && /[()=]/.test(t)) return true;
  if (CODE_START.test(t) && !/[.!?:]$/.test(t)) return true;
  if (looksLikeCall(t) && !/\s\w+\s\w+\s\w+/.test(withoutParens(t))) return true;
  return false;
}

/**
 * `/[;{}]\s*(?:\/\*.*\*\/\s*)?$/` on a trimmed line, in one pass: it ends in
 * `;`, `{` or `}`, or in a block comment that follows one of them.
 */
function endsLikeStatement(t: string): boolean {
  const last = t.charCodeAt(t.length - 1);
  if (last === 59 || last === 123 || last === 125) return true;
  if (!t.endsWith('*/')) return false;
  let prev = 0; // last non-blank character seen
  let lineStart = 0; // `.` does not cross a line break: the comment is on the last line
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c === 10 || c === 13 || c === 0x2028 || c === 0x2029) lineStart = i + 1;
  }
  for (let i = 0; i + 4 <= t.length; i++) {
    const c = t.charCodeAt(i);
    if (c === 47 && t.charCodeAt(i + 1) === 42 && i >= lineStart && (prev === 59 || prev === 123 || prev === 125)) return true;
    if (!/\s/.test(t[i])) prev = c;
  }
  return false;
}

/** `/^[A-Za-z_]\w*\s*\(.*\)\s*[;{]?\s*$/` on a trimmed one-line text: `name(...)`, `name(...);`, `name(...) {`. */
function looksLikeCall(t: string): boolean {
  const m = /^[A-Za-z_]\w*\s*\(/.exec(t);
  if (!m) return false;
  let end = t;
  if (end.endsWith(';') || end.endsWith('{')) end = end.slice(0, -1).trimEnd();
  return end.endsWith(')') && end.length - 1 >= m[0].length;
}

/** `t.replace(/\(.*\)/, '')` on one-line text: drop from the first `(` to the last `)` after it. */
function withoutParens(t: string): string {
  const open = t.indexOf('(');
  const close = t.lastIndexOf(')');
  return open >= 0 && close > open ? t.slice(0, open) + t.slice(close + 1) : t;
}

function parenBalance(s: string): number {
  let b = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 40) b++;
    else if (c === 41) b--;
  }
  return b;
}

type ItemKind = 'ctx' | 'add' | 'del' | 'nonl' | 'empty' | 'foreign';

interface Item {
  kind: ItemKind;
  line: number;
  /** foreign: cost of joining to the previous physical line (Infinity = not allowed). */
  join: number;
  /** foreign: cost of taking it as a context line that lost its space. */
  ctx: number;
}

const BLANK_COST = 1.2;

/** A physical line is a hard stop for a hunk body. */
export function isHardStop(lines: Lines, i: number, isHunkHeader: (line: string) => boolean): boolean {
  const c = lines.c0(i);
  if (c === 64 /* @ */) return lines.startsWith(i, '@@ -') && isHunkHeader(lines.line(i));
  if (c === 100 /* d */) return lines.startsWith(i, 'diff --git ');
  if (c === 62 /* > */) return true;
  if (c === 73 /* I */) return lines.startsWith(i, 'Index: ');
  if (c === 45 /* - */) {
    if (lines.len(i) === 3 && lines.startsWith(i, '-- ')) return true;
    if (lines.startsWith(i, '--- ') && i + 1 < lines.count && lines.startsWith(i + 1, '+++ ')) return true;
  }
  return false;
}

function classify(lines: Lines, i: number): ItemKind {
  const c = lines.c0(i);
  if (c === -1) return 'empty';
  if (c === 32) return 'ctx';
  if (c === 43) return 'add';
  if (c === 45) return 'del';
  if (c === 92) return 'nonl';
  return 'foreign';
}

/**
 * Read a hunk body that did not match its header counts, trying the repairs.
 * `first` is the line after the header, `limit` the first line that cannot
 * belong to the hunk.
 */
export function repairHunk(
  view: View,
  lines: Lines,
  hdr: HeaderInfo,
  first: number,
  limit: number,
  isHunkHeader: (line: string) => boolean,
): RepairResult {
  const items: Item[] = [];
  const headerText = lines.line(hdr.line);
  // Collect the window: up to a hard stop, a line that can be neither a
  // diff line nor repaired into one, or past what the counts allow.
  let foreign = 0;
  let defOld = 0;
  let defNew = 0;
  for (let i = first; i < limit; i++) {
    if (isHardStop(lines, i, isHunkHeader)) {
      break;
    }
    const kind = classify(lines, i);
    const it: Item = { kind, line: i, join: Infinity, ctx: Infinity };
    if (kind === 'foreign') {
      const text = lines.line(i);
      const prevIt = items[items.length - 1];
      const prevText = prevIt ? lines.line(prevIt.line) : headerText;
      const prevOk = !prevIt || (prevIt.kind !== 'nonl' && prevIt.kind !== 'empty');
      if (prevOk) {
        const pw = displayWidth(prevText);
        if (/[ \t]$/.test(prevText) && pw >= 30) it.join = 0.2;
        else if (!prevIt && parenBalance(hdr.section) > 0 && pw >= 30) it.join = 0.5;
        else if (pw >= 60) it.join = 1.0;
        else if (pw >= 45 && parenBalance(prevText) > 0) it.join = 0.8;
      }
      if (looksLikeCode(text)) it.ctx = 1.0;
      // diff lines almost never end in whitespace: a line that does was wrapped there
      if (it.ctx !== Infinity && it.join !== Infinity && /[ \t]$/.test(prevText)) it.ctx += 1.5;
      if (it.join === Infinity && it.ctx === Infinity) {
        break;
      }
      if (++foreign > 64) {
        break;
      }
    } else if (kind === 'ctx' || kind === 'empty') {
      defOld++;
      defNew++;
    } else if (kind === 'del') defOld++;
    else if (kind === 'add') defNew++;
    items.push(it);
    if (defOld > hdr.oldCount + 64 && defNew > hdr.newCount + 64) {
      break;
    }
  }

  // Evaluate every possible end e (number of items taken). The foreign lines
  // before e are either forced (only one reading allowed) or choosable; a
  // choosable line starts joined and is flipped to a context line when that
  // is cheaper than re-inserting a blank line. With the flip deltas sorted
  // and prefix-summed, each end costs O(1) (the foreign set changes at most
  // 64 times).
  interface Choice {
    e: number;
    cost: number;
    flips: number;
    blanks: number;
  }
  let best: Choice | undefined;
  let allowBlanks = true;
  let fIdx: number[] = [];
  let forcedCtx = 0;
  let forcedCost = 0;
  let sumJoin = 0;
  let deltas: number[] = []; // sorted ctx-join deltas of the choosable lines
  let prefix: number[] = [0];
  const refreshForeign = () => {
    forcedCtx = 0;
    forcedCost = 0;
    sumJoin = 0;
    deltas = [];
    for (const k of fIdx) {
      const it = items[k];
      if (it.join === Infinity) {
        forcedCtx++;
        forcedCost += it.ctx;
      } else if (it.ctx === Infinity) forcedCost += it.join;
      else {
        sumJoin += it.join;
        deltas.push(it.ctx - it.join);
      }
    }
    deltas.sort((a, b) => a - b);
    prefix = [0];
    for (const d of deltas) prefix.push(prefix[prefix.length - 1] + d);
  };
  const consider = (e: number, dOld: number, dNew: number) => {
    if (e > 0 && items[e - 1].kind === 'nonl' && e < items.length && items[e].kind === 'nonl') return;
    const mOld = hdr.oldCount - dOld;
    if (mOld !== hdr.newCount - dNew) return;
    const need = mOld - forcedCtx; // context lines still to find among choosable lines and blanks
    if (need < 0) return;
    // Blank lines can only be re-inserted among real lines, and only a few:
    // a hunk that is mostly missing is truncated, not mangled.
    const real = e - fIdx.length + forcedCtx + deltas.length;
    if (real === 0 || need > Math.max(1, Math.floor(real / 3)) + deltas.length) return;
    let flips = 0;
    while (flips < need && flips < deltas.length && deltas[flips] < BLANK_COST) flips++;
    const blanks = need - flips;
    if (blanks > 0 && !allowBlanks) return;
    const cost = forcedCost + sumJoin + prefix[flips] + blanks * BLANK_COST;
    if (!best || cost < best.cost - 1e-9 || (Math.abs(cost - best.cost) < 1e-9 && e > best.e)) best = { e, cost, flips, blanks };
  };
  const select = () => {
    best = undefined;
    fIdx = [];
    refreshForeign();
    let dOld = 0;
    let dNew = 0;
    consider(0, 0, 0);
    for (let k = 0; k < items.length; k++) {
      const it = items[k];
      if (it.kind === 'ctx' || it.kind === 'empty') {
        dOld++;
        dNew++;
      } else if (it.kind === 'del') dOld++;
      else if (it.kind === 'add') dNew++;
      else if (it.kind === 'foreign') {
        fIdx.push(k);
        refreshForeign();
      }
      if (dOld > hdr.oldCount || dNew > hdr.newCount) break;
      consider(k + 1, dOld, dNew);
    }
  };
  /** Which foreign lines of the first e items are taken as context lines. */
  const contextLines = (c: Choice): Set<number> => {
    const set = new Set<number>();
    const choosable: Array<{ k: number; d: number }> = [];
    for (let k = 0; k < c.e; k++) {
      const it = items[k];
      if (it.kind !== 'foreign') continue;
      if (it.join === Infinity) set.add(k);
      else if (it.ctx !== Infinity) choosable.push({ k, d: it.ctx - it.join });
    }
    choosable.sort((a, b) => a.d - b.d || a.k - b.k);
    for (let i = 0; i < c.flips; i++) set.add(choosable[i].k);
    return set;
  };
  select();
  if (best && best.blanks > 0 && !blanksHaveAPlace(lines, items, best.e, contextLines(best), hdr)) {
    // nowhere plausible to put the missing blank lines: the hunk is truncated, not mangled
    allowBlanks = false;
    select();
  }
  // Diff lines (` `, `+`, `-`) after the end the counts allow mean the body is
  // longer than its header says (a line added by hand without updating the
  // counts), not mail damage: git reads such a hunk as a count mismatch, and
  // ending the hunk early would drop real lines (and the findings on them).
  let lastMarker = -1;
  for (let k = items.length - 1; k >= 0; k--) {
    const kd = items[k].kind;
    if (kd === 'ctx' || kd === 'add' || kd === 'del') {
      lastMarker = k;
      break;
    }
  }
  if (best && lastMarker >= best.e) best = undefined;

  const result: RepairResult = {
    body: newBody(),
    repairs: [],
    next: first,
    headerLines: 0,
    sectionExtra: '',
    oldCount: hdr.oldCount,
    newCount: hdr.newCount,
    matched: best !== undefined,
    dropped: false,
  };

  let take: number;
  let ctxSet: Set<number>;
  let blanks: number;
  const chosen = best as Choice | undefined;
  if (chosen) {
    take = chosen.e;
    ctxSet = contextLines(chosen);
    blanks = chosen.blanks;
  } else {
    // No interpretation matches the counts: the body is what it is. Keep every
    // line up to the last diff line (a foreign line in between is read the
    // cheaper way), and recompute the counts from it (a count mismatch).
    take = lastMarker + 1;
    ctxSet = new Set();
    for (let k = 0; k < take; k++) {
      const it = items[k];
      if (it.kind === 'foreign' && (it.ctx <= it.join || it.join === Infinity)) ctxSet.add(k);
    }
    // trailing empty lines are more likely separators than context
    while (take > 0 && items[take - 1].kind === 'empty') take--;
    blanks = 0;
  }
  // a `\ No newline` marker right after the hunk belongs to it
  while (take < items.length && items[take].kind === 'nonl') take++;

  const rep = (kind: RepairKind, message: string, span: Span, severity: Severity = 'info') => {
    result.repairs.push({ kind, message, span, severity });
  };

  // Build the lines.
  const body = result.body;
  const out = body.lines;
  // line index -> it is a context line that lost its space (for blank placement)
  const fromForeignCtx: boolean[] = [];
  for (let k = 0; k < take; k++) {
    const it = items[k];
    const s = lines.starts[it.line];
    const e = lines.ends[it.line];
    if (it.kind === 'nonl') {
      if (out.length) out[out.length - 1].noNewlineAtEof = true;
      continue;
    }
    if (it.kind === 'foreign') {
      if (ctxSet.has(k)) {
        const l = pushLine(body, 'context', view.text.slice(s, e), view.segsFor(s, e), view.span(s, e), 0, false);
        l.repaired = true;
        fromForeignCtx[out.length - 1] = true;
        rep('lost-leading-space', 'Context line lost its leading space; taken as a context line.', view.span(s, e));
      } else if (out.length === 0) {
        // continuation of the hunk header
        const sep = /[ \t]$/.test(headerText) || result.sectionExtra !== '' ? '' : ' ';
        result.sectionExtra += sep + view.text.slice(s, e);
        result.headerLines++;
        rep('wrapped-header', 'Hunk header was wrapped by the mail client; rejoined.', view.span(s, e));
      } else {
        const d = out[out.length - 1];
        const prevPhys = k > 0 ? lines.line(items[k - 1].line) : '';
        const sep = /[ \t]$/.test(prevPhys) ? '' : ' ';
        const base = d.text.length + sep.length;
        for (const g of view.segsFor(s, e)) d.src.segs.push({ col: g.col + base, len: g.len, off: g.off, offLen: g.offLen });
        d.text += sep + view.text.slice(s, e);
        const sp = view.span(s, e);
        d.span = { start: d.span.start, end: Math.max(d.span.end, sp.end) };
        d.repaired = true;
        rep('wrapped-line', 'Long line was wrapped by the mail client; rejoined.', sp);
      }
      continue;
    }
    if (it.kind === 'empty') {
      pushLine(body, 'context', '', [], view.span(s, s), 1, false);
      continue;
    }
    const kind = it.kind === 'ctx' ? 'context' : it.kind === 'add' ? 'add' : 'del';
    pushLine(body, kind, view.text.slice(s + 1, e), view.segsFor(s + 1, e), view.span(s, e), 1, true);
  }

  if (blanks > 0) {
    const positions = placeBlanks(gapTexts(body), fromForeignCtx, blanks, hdr);
    // insert from the back so indices stay valid
    positions.sort((a, b) => b - a);
    for (const g of positions) {
      const at = g < out.length ? out[g].span.start : out.length ? out[out.length - 1].span.end : view.span(lines.starts[hdr.line], lines.ends[hdr.line]).end;
      const sp = { start: at, end: at };
      const l: HunkLine = { kind: 'context', text: '', src: { segs: [] }, span: sp, repaired: true };
      out.splice(g, 0, l);
      body.prefix.splice(g, 0, 1);
      body.marker.splice(g, 0, false);
      rep('dropped-blank', 'A blank context line was dropped by the mail client; re-inserted here.', sp);
    }
    result.repairs.sort((a, b) => a.span.start - b.span.start);
  }

  // Counts actually present.
  let o = 0;
  let n = 0;
  let real = 0;
  for (let i = 0; i < out.length; i++) {
    const d = out[i];
    if (d.kind !== 'add') o++;
    if (d.kind !== 'del') n++;
    if (body.marker[i]) real++;
  }
  result.oldCount = o;
  result.newCount = n;
  result.next = take < items.length ? items[take].line : items.length ? items[items.length - 1].line + 1 : first;
  if (take === 0) result.next = first + result.headerLines;
  if (!chosen) {
    if (real === 0) {
      result.dropped = true;
    } else {
      const hs = view.span(lines.starts[hdr.line], lines.ends[hdr.line]);
      rep(
        'count-mismatch',
        `Hunk body does not match its header (-${hdr.oldStart},${hdr.oldCount} +${hdr.newStart},${hdr.newCount}): found ${o} old and ${n} new lines; counts recomputed from the body.`,
        hs,
        'warning',
      );
    }
  }
  return result;
}

/** What gap scoring looks at: kind, text and the columns in front of it. */
interface GapLine {
  kind: LineKind;
  text: string;
  prefix: number;
}

function gapTexts(b: Body): GapLine[] {
  return b.lines.map((l, i) => ({ kind: l.kind, text: l.text, prefix: b.prefix[i] }));
}

/** Is there a gap with a positive score for the interpretation? */
function blanksHaveAPlace(lines: Lines, items: Item[], take: number, ctxSet: Set<number>, hdr: HeaderInfo): boolean {
  const gl: GapLine[] = [];
  const foreignCtx: boolean[] = [];
  for (let k = 0; k < take; k++) {
    const it = items[k];
    if (it.kind === 'nonl' || (it.kind === 'foreign' && !ctxSet.has(k))) continue;
    const t = lines.line(it.line);
    const kind = it.kind === 'add' ? 'add' : it.kind === 'del' ? 'del' : 'context';
    const marker = it.kind === 'ctx' || it.kind === 'add' || it.kind === 'del';
    gl.push({ kind, text: marker ? t.slice(1) : t, prefix: marker ? 1 : 0 });
    foreignCtx[gl.length - 1] = it.kind === 'foreign';
  }
  return scoreGaps(gl, foreignCtx, hdr).some((g) => g.s > 0);
}

/**
 * Choose where dropped blank context lines most likely were. Strong signal:
 * right before a context line that also lost its indentation (archives that
 * drop a blank line often eat the whitespace after it). Then statement and
 * block boundaries, then the edges of a hunk whose leading/trailing context is
 * shorter than git's usual three lines. Returns gap indices (0..drafts.length).
 */
function placeBlanks(drafts: GapLine[], foreignCtx: boolean[], count: number, hdr: HeaderInfo): number[] {
  const scores = scoreGaps(drafts, foreignCtx, hdr);
  scores.sort((x, y) => y.s - x.s || x.g - y.g);
  const out: number[] = [];
  for (let k = 0; k < count; k++) out.push(scores[k % scores.length].g);
  return out;
}

function scoreGaps(drafts: GapLine[], foreignCtx: boolean[], hdr: HeaderInfo): Array<{ g: number; s: number }> {
  const n = drafts.length;
  let firstChange = n;
  let lastChange = -1;
  for (let i = 0; i < n; i++) {
    if (drafts[i].kind !== 'context') {
      if (firstChange === n) firstChange = i;
      lastChange = i;
    }
  }
  const leading = firstChange;
  const trailing = lastChange >= 0 ? n - 1 - lastChange : 0;
  const indent = (d: GapLine) => displayWidth((/^[ \t]*/.exec(d.text) ?? [''])[0]) + d.prefix - 1;
  const scores: Array<{ g: number; s: number }> = [];
  for (let g = 0; g <= n; g++) {
    const above = g > 0 ? drafts[g - 1] : undefined;
    const below = g < n ? drafts[g] : undefined;
    let s = 0;
    if ((above && above.text.trim() === '') || (below && below.text.trim() === '')) s -= 2;
    if (below && foreignCtx[g]) s += 3;
    if (above && below) {
      const a = above.text.trim();
      const b = below.text.trim();
      const closes = /^[})\]]|^else\b|^#\s*(?:endif|else|elif)\b/.test(b);
      if (!closes && (/[;}]$/.test(a) || indent(above) > indent(below))) s += 1;
    }
    if (leading < 3 && hdr.oldStart > 1) {
      if (g === firstChange && lastChange >= 0) s += 0.75;
      else if (g === 0) s += 0.5;
    }
    if (trailing < 3 && lastChange >= 0) {
      if (g === lastChange + 1) s += 0.75;
      else if (g === n) s += 0.5;
    }
    scores.push({ g, s });
  }
  return scores;
}

/**
 * Whitespace repairs over all hunks of one file: a one-column shift of every
 * context line, and tabs that were expanded to spaces. Neither changes the
 * counts, so both are decided on the evidence of the file's lines.
 */
export function repairWhitespace(hunks: Array<{ body: Body; repairs: Repair[] }>, path: string | null): void {
  const p = path ?? '';
  const isC = /\.(?:c|h)$/.test(p);
  const tabby = isC || /\.(?:S|lds|lds\.S)$/.test(p) || /(?:^|\/)(?:Kconfig[^/]*|Makefile[^/]*|Kbuild)$/.test(p);
  if (!tabby) return;
  // 1) one-column shift
  if (isC) {
    let evidence = 0;
    let counter = 0;
    for (const h of hunks)
      h.body.lines.forEach((d, i) => {
        if (d.kind !== 'context' || !h.body.marker[i] || d.text === '') return;
        if (/^ (?:#|\}|\/\*|[A-Za-z_])/.test(d.text) || /^ {2}\* /.test(d.text)) evidence++;
        else if (/^(?:#|\}|\/\*|[A-Za-z_])/.test(d.text) || /^ \*(?: |$)/.test(d.text) || /^\t/.test(d.text)) counter++;
      });
    if (evidence > 0 && counter === 0) {
      for (const h of hunks)
        h.body.lines.forEach((d, i) => {
          if (d.kind !== 'context' || !h.body.marker[i] || d.text.charCodeAt(0) !== 32) return;
          const at = mapStart(d.src.segs, 0, d.span.start);
          d.src.segs = sliceSegs(d.src.segs, 1, d.text.length, 0);
          d.text = d.text.slice(1);
          h.body.prefix[i] += 1;
          d.repaired = true;
          h.repairs.push({
            kind: 'leading-space-shift',
            message: 'Every context line of this file was shifted one column right; shifted back.',
            span: { start: at, end: at + 1 },
            severity: 'info',
          });
        });
    }
  }
  // 2) tabs expanded to spaces
  let hasTab = false;
  let wide = 0;
  for (const h of hunks)
    h.body.lines.forEach((d, i) => {
      const ws = /^[ \t]*/.exec(d.text)![0];
      if (ws.includes('\t')) hasTab = true;
      else if (h.body.prefix[i] + ws.length >= 8 && ws.length > 0) wide++;
    });
  if (hasTab || wide === 0) return;
  for (const h of hunks)
    h.body.lines.forEach((d, i) => {
      const s = /^ */.exec(d.text)![0].length;
      const w = h.body.prefix[i] + s;
      if (s === 0 || w < 8) return;
      const tabs = Math.floor(w / 8);
      const left = w - tabs * 8;
      const consumed = s - left;
      if (consumed <= 0) return;
      const segs = d.src.segs;
      const a = mapStart(segs, 0, d.span.start);
      const b = mapEnd(segs, consumed, a);
      const rest = sliceSegs(segs, consumed, d.text.length, tabs);
      d.src.segs = [{ col: 0, len: tabs, off: a, offLen: Math.max(0, b - a) }, ...rest];
      d.text = '\t'.repeat(tabs) + d.text.slice(consumed);
      d.repaired = true;
      h.repairs.push({
        kind: 'tabs-to-spaces',
        message: `Leading tabs were expanded to spaces by the mail client; ${consumed} spaces restored to ${tabs} tab${tabs > 1 ? 's' : ''}.`,
        span: { start: a, end: b },
        severity: 'info',
      });
    });
  for (const h of hunks) h.repairs.sort((x, y) => x.span.start - y.span.start);
}

function mapStart(segs: Seg[], col: number, fallback: number): number {
  for (const s of segs) {
    if (col < s.col) return s.off;
    if (col < s.col + s.len) return s.len === s.offLen ? s.off + (col - s.col) : s.off + Math.floor(((col - s.col) * s.offLen) / s.len);
  }
  return segs.length ? segs[segs.length - 1].off + segs[segs.length - 1].offLen : fallback;
}

/** Original offset just past column col-1. */
function mapEnd(segs: Seg[], col: number, fallback: number): number {
  if (col <= 0) return mapStart(segs, 0, fallback);
  const last = col - 1;
  let prevEnd = fallback;
  for (const s of segs) {
    if (last < s.col) return prevEnd;
    if (last < s.col + s.len) return s.len === s.offLen ? s.off + (last - s.col) + 1 : s.off + Math.ceil(((last + 1 - s.col) * s.offLen) / s.len);
    prevEnd = s.off + s.offLen;
  }
  return prevEnd;
}

/** Segs for columns [from, to) re-based so that column `from` becomes `newCol`. */
export function sliceSegs(segs: Seg[], from: number, to: number, newCol: number): Seg[] {
  const out: Seg[] = [];
  for (const s of segs) {
    const x = Math.max(from, s.col);
    const y = Math.min(to, s.col + s.len);
    if (y <= x) continue;
    let o: number;
    let oe: number;
    if (s.len === s.offLen) {
      o = s.off + (x - s.col);
      oe = s.off + (y - s.col);
    } else {
      o = s.off + Math.floor(((x - s.col) * s.offLen) / s.len);
      oe = s.off + Math.ceil(((y - s.col) * s.offLen) / s.len);
    }
    out.push({ col: x - from + newCol, len: y - x, off: o, offLen: Math.max(0, oe - o) });
  }
  return out;
}
