/**
 * Hunk placement, the way `git apply` / `git am` place a hunk: by its
 * content, not only by its header.
 *
 * The line numbers of a hunk's lines (`HunkLine.oldLine` / `newLine`) are
 * where the hunk applies:
 *  - within one file patch, the new side follows from the old side and the
 *    hunks before it (git never reads the `+c` of `@@ -a,b +c,d @@`); a hunk
 *    whose `+c` is stale (an earlier hunk of the file grew by hand) is not
 *    misplaced;
 *  - in a series, a later patch of a file applies on top of the earlier
 *    patches of the same series in the document. Their post-images are known
 *    in part (the lines their hunks show); a later hunk is looked for there
 *    by its context and removed lines: at its stated line first, then at an
 *    offset (`Hunk #2 succeeded at 181 (offset 2 lines)`), ignoring up to two
 *    context lines at either end (fuzz) when nothing else fits. A hunk that
 *    moved keeps its findings: the functions rebuilt across patches of the
 *    series are matched by these numbers.
 *
 * Placement is a pass over the whole document (also after an incremental
 * re-parse), recomputed from the stated headers each time, so it is
 * idempotent. It returns the messages whose numbers changed.
 */
import type { FilePatch, Hunk, HunkPlacement as Placement, Message, ParsedDocument } from './model';

const MAX_FUZZ = 2;
/** At most this many candidate offsets are tried per hunk (bounded work on repetitive text). */
const MAX_CANDIDATES = 64;
/** At most this many occurrences of one line text are considered. */
const MAX_OCCURRENCES = 16;

/** What is known of a file after the patches so far: line number -> text (trailing blanks trimmed). */
type Known = Map<number, string>;

/** The line without trailing blanks (a loop: a `/[ \t]+$/` regex is quadratic on long runs of blanks). */
function norm(s: string): string {
  let e = s.length;
  while (e > 0) {
    const c = s.charCodeAt(e - 1);
    if (c !== 32 && c !== 9 && c !== 13) break;
    e--;
  }
  return e === s.length ? s : s.slice(0, e);
}

/** A line distinctive enough to anchor a hunk (not blank, not a lone brace or `return 0;`). */
function distinctive(t: string): boolean {
  const s = t.trim();
  return s.length >= 6 && /[A-Za-z_]{3}/.test(s);
}

/** The old-side lines of a hunk (context and removed), in order. */
function preLines(h: Hunk): string[] {
  const out: string[] = [];
  for (const l of h.lines) if (l.kind !== 'add') out.push(norm(l.text));
  return out;
}

function countSides(h: Hunk): { old: number; new: number } {
  let o = 0;
  let n = 0;
  for (const l of h.lines) {
    if (l.kind !== 'add') o++;
    if (l.kind !== 'del') n++;
  }
  return { old: o, new: n };
}

interface Score {
  offset: number;
  fuzz: number;
  matches: number;
}

/** Conflicts and matches of the hunk's old side placed at line `start` against what is known. */
function evaluate(pre: string[], leadCtx: number, trailCtx: number, start: number, known: Known): Score & { ok: boolean } {
  // fuzz: how many context lines at each end may disagree
  let worstLead = 0;
  let worstTrail = 0;
  let matches = 0;
  let inner = false;
  for (let k = 0; k < pre.length; k++) {
    const t = known.get(start + k);
    if (t === undefined) continue;
    if (t === pre[k]) {
      matches++;
      continue;
    }
    const fromStart = k + 1;
    const fromEnd = pre.length - k;
    if (k < leadCtx && fromStart <= MAX_FUZZ) worstLead = Math.max(worstLead, fromStart);
    else if (pre.length - 1 - k < trailCtx && fromEnd <= MAX_FUZZ) worstTrail = Math.max(worstTrail, fromEnd);
    else inner = true;
  }
  return { offset: 0, fuzz: Math.max(worstLead, worstTrail), matches, ok: !inner };
}

/** Where the old side of `h` (stated at `stated`) applies on `known`, or undefined to keep the stated line. */
function locate(h: Hunk, stated: number, known: Known, byText: Map<string, number[]>): Score | undefined {
  const pre = preLines(h);
  if (pre.length === 0) return undefined;
  let leadCtx = 0;
  while (leadCtx < h.lines.length && h.lines[leadCtx].kind === 'context') leadCtx++;
  let trailCtx = 0;
  while (trailCtx < h.lines.length && h.lines[h.lines.length - 1 - trailCtx].kind === 'context') trailCtx++;
  const here = evaluate(pre, leadCtx, trailCtx, stated, known);
  if (here.ok && here.fuzz === 0 && here.matches > 0) return undefined; // applies where it says
  // candidate offsets: where the hunk's distinctive lines are known
  const cands = new Set<number>();
  for (let k = 0; k < pre.length && cands.size < MAX_CANDIDATES; k++) {
    if (!distinctive(pre[k])) continue;
    for (const line of byText.get(pre[k]) ?? []) {
      const d = line - k - stated;
      if (d !== 0) cands.add(d);
      if (cands.size >= MAX_CANDIDATES) break;
    }
  }
  let best: Score | undefined;
  for (const d of cands) {
    const s = evaluate(pre, leadCtx, trailCtx, stated + d, known);
    if (!s.ok || s.matches < 2) continue;
    // like patch(1): the least fuzz first, then the most evidence, then the nearest
    if (!best || s.fuzz < best.fuzz || (s.fuzz === best.fuzz && (s.matches > best.matches || (s.matches === best.matches && Math.abs(d) < Math.abs(best.offset))))) {
      best = { offset: d, fuzz: s.fuzz, matches: s.matches };
    }
  }
  // the stated line still wins when it fits as well: it is only left for clear evidence
  if (here.ok && (!best || (here.fuzz <= best.fuzz && here.matches >= best.matches))) return here.fuzz > 0 ? { offset: 0, fuzz: here.fuzz, matches: here.matches } : undefined;
  return best;
}

function indexByText(known: Known): Map<string, number[]> {
  const m = new Map<string, number[]>();
  for (const [line, t] of known) {
    if (!distinctive(t)) continue;
    const l = m.get(t);
    if (!l) m.set(t, [line]);
    else if (l.length < MAX_OCCURRENCES) l.push(line);
  }
  return m;
}

/** Number the lines of one file patch's hunks from their placed old start; returns the placements. */
function numberFile(file: FilePatch, known: Known | undefined, against: number): Map<Hunk, Placement | undefined> {
  const out = new Map<Hunk, Placement | undefined>();
  const byText = known && known.size ? indexByText(known) : undefined;
  let delta = 0; // new - old of the hunks before
  for (const h of file.hunks) {
    const c = countSides(h);
    let p: Placement | undefined;
    if (known && byText && file.status !== 'added') {
      const s = locate(h, h.oldStart, known, byText);
      if (s) p = { offset: s.offset, fuzz: s.fuzz, against };
    }
    const oldStart = h.oldStart + (p?.offset ?? 0);
    // git: an empty old side means "after line a", an empty new side "after line c"
    const newStart = (c.old === 0 ? oldStart + 1 : oldStart) + delta - (c.new === 0 ? 1 : 0);
    let o = oldStart;
    let n = newStart;
    for (const l of h.lines) {
      if (l.kind !== 'add') l.oldLine = o++;
      else delete l.oldLine;
      if (l.kind !== 'del') l.newLine = n++;
      else delete l.newLine;
    }
    delta += c.new - c.old;
    out.set(h, p);
  }
  return out;
}

/** `known` after applying the file patch's hunks (as numbered by numberFile). */
function apply(known: Known, file: FilePatch): Known {
  if (file.status === 'deleted') return new Map();
  const ranges: { start: number; end: number; delta: number }[] = [];
  for (const h of file.hunks) {
    const c = countSides(h);
    const first = h.lines.find((l) => l.kind !== 'add');
    const start = first?.oldLine ?? (h.oldStart + 1);
    ranges.push({ start, end: start + c.old, delta: c.new - c.old });
  }
  const next: Known = new Map();
  let r = 0;
  let shift = 0;
  const lines = [...known.keys()].sort((a, b) => a - b);
  for (const line of lines) {
    while (r < ranges.length && ranges[r].end <= line) {
      shift += ranges[r].delta;
      r++;
    }
    if (r < ranges.length && line >= ranges[r].start && line < ranges[r].end) continue; // replaced by the hunk
    next.set(line + shift, known.get(line)!);
  }
  for (const h of file.hunks) for (const l of h.lines) if (l.kind !== 'del' && l.newLine !== undefined) next.set(l.newLine, norm(l.text));
  return next;
}

const PLACED = new WeakMap<Hunk, string>();

/**
 * Place every hunk of the document (see the header). Messages of one series
 * (same version, increasing patch number) build on each other; anything else
 * (a new series, another version, a reply with a diff) starts from nothing.
 * Returns the messages whose line numbers changed since the last placement.
 */
/** Does a message (with files) apply on top of `prev`, the message with files before it (a later patch of the same series)? */
function chainedTo(msg: Message, prev: Message | undefined): boolean {
  const p = prev?.series !== undefined && prev.kind === 'patch' && !prev.isReply ? prev : undefined;
  const lastIndex = p ? p.series!.index : -1;
  const lastVersion = p ? p.version ?? 1 : undefined;
  const s = msg.series;
  return msg.kind === 'patch' && !msg.isReply && s !== undefined && s.index > lastIndex && (msg.version ?? 1) === (lastVersion ?? msg.version ?? 1) && lastIndex >= 0;
}

/**
 * `edited`: the index of the only message whose text changed since the last
 * placement of this document's other messages (the keystroke path): only its
 * series chain is placed again — a message's numbers depend on the earlier
 * patches of its chain alone — with the same result as placing the whole
 * document.
 */
export function placeHunks(doc: ParsedDocument, edited?: number): Set<Message> {
  const changed = new Set<Message>();
  /** path -> what is known of it, and the message that last changed it */
  let known = new Map<string, { lines: Known; by: number }>();
  let lastIndex = -1;
  let lastVersion: number | undefined;
  let from = 0;
  let to = doc.messages.length;
  if (edited !== undefined) {
    const withFiles = doc.messages.map((m, i) => (m.files.length ? i : -1)).filter((i) => i >= 0);
    const at = withFiles.findIndex((i) => i >= edited);
    if (at < 0) return changed;
    // back to the first message of the chain, forward to the message that starts the next one
    let a = at;
    while (a > 0 && chainedTo(doc.messages[withFiles[a]], doc.messages[withFiles[a - 1]])) a--;
    let b = at + 1;
    while (b < withFiles.length && chainedTo(doc.messages[withFiles[b]], doc.messages[withFiles[b - 1]])) b++;
    from = withFiles[a];
    to = b < withFiles.length ? withFiles[b] : doc.messages.length;
  }
  for (let mi = from; mi < to; mi++) {
    const msg = doc.messages[mi];
    if (msg.files.length === 0) continue;
    const s = msg.series;
    const chained = msg.kind === 'patch' && !msg.isReply && s !== undefined && s.index > lastIndex && (msg.version ?? 1) === (lastVersion ?? msg.version ?? 1) && lastIndex >= 0;
    if (!chained) known = new Map();
    for (const f of msg.files) {
      const oldPath = f.oldPath ?? f.newPath;
      const prior = oldPath ? known.get(oldPath) : undefined;
      const k = prior?.lines;
      const placements = numberFile(f, f.status === 'added' ? undefined : k, prior?.by ?? -1);
      for (const h of f.hunks) {
        const p = placements.get(h);
        if (p) h.placement = p;
        else delete h.placement;
        const sig = signature(h);
        if (PLACED.get(h) !== sig) {
          if (PLACED.has(h)) changed.add(msg);
          PLACED.set(h, sig);
        }
      }
      if (msg.kind === 'patch' && !msg.isReply && s !== undefined) {
        const base = f.status === 'added' ? new Map<number, string>() : (k ?? new Map<number, string>());
        const next = apply(base, f);
        if (oldPath && f.newPath !== oldPath) known.delete(oldPath);
        if (f.newPath) known.set(f.newPath, { lines: next, by: msg.index });
      }
    }
    if (s !== undefined && msg.kind === 'patch' && !msg.isReply) {
      lastIndex = s.index;
      lastVersion = msg.version ?? 1;
    } else {
      lastIndex = -1;
      lastVersion = undefined;
    }
  }
  return changed;
}

function signature(h: Hunk): string {
  const a = h.lines.find((l) => l.oldLine !== undefined)?.oldLine;
  const b = h.lines.find((l) => l.newLine !== undefined)?.newLine;
  return `${a}|${b}|${h.placement?.offset ?? 0}|${h.placement?.fuzz ?? 0}`;
}
