/**
 * Kernel-tree mode: when the workspace is a kernel tree, check each hunk's
 * pre-image against the real file (with an offset, like `patch`), apply the
 * hunks to get the patched file, and take the touched functions whole from
 * both. Lines the patch does not show get origin 'tree'.
 *
 * If the tree already carries the patch (its file matches the post-images),
 * the pre file is rebuilt by applying the hunks in reverse.
 */
import { sizeOf, type RebuildBudget } from './budget';
import type { FilePatch, Hunk, HunkLine, Message } from '../patch/model';
import type { FunctionImage, LineOrigin, RebuiltFunction, TreeHelpers } from './model';
import { draftImage, finishImage, ImageOptions } from './image';
import { FnSpan, scanSide, segmentSide, SrcLine } from './segment';

export type TreeResult = { ok: true; functions: RebuiltFunction[] } | { ok: false; problem?: string };

const norm = (s: string) => s.replace(/\s+/g, ' ').trim();

interface Placement {
  /** 0-based line in the file where the hunk's lines of that side start. */
  start: number;
  offset: number;
}

function sideLines(h: Hunk, side: 'pre' | 'post'): HunkLine[] {
  return h.lines.filter((l) => (side === 'pre' ? l.kind !== 'add' : l.kind !== 'del'));
}

/**
 * Place every hunk in the file, searching outward from its stated line (plus
 * the offset of the previous hunk) up to `window` lines, comparing lines with
 * whitespace runs collapsed (mail clients damage whitespace).
 */
export function placeHunks(
  file: string[],
  hunks: Hunk[],
  side: 'pre' | 'post',
  window = 2000,
): { ok: true; placements: Placement[] } | { ok: false; hunk: number } {
  const normFile = file.map(norm);
  const placements: Placement[] = [];
  let offset = 0;
  let minStart = 0;
  for (let hi = 0; hi < hunks.length; hi++) {
    const h = hunks[hi];
    const want = sideLines(h, side).map((l) => norm(l.text));
    const stated = side === 'pre' ? h.oldStart : h.newStart;
    const count = side === 'pre' ? h.oldCount : h.newCount;
    const expected = (count === 0 ? stated : stated - 1) + offset;
    const fits = (at: number) => {
      if (at < minStart || at + want.length > normFile.length) return false;
      for (let k = 0; k < want.length; k++) if (normFile[at + k] !== want[k]) return false;
      return true;
    };
    let found = -1;
    for (let d = 0; d <= window && found < 0; d++) {
      if (fits(expected - d)) found = expected - d;
      else if (d > 0 && fits(expected + d)) found = expected + d;
    }
    if (found < 0) return { ok: false, hunk: hi };
    placements.push({ start: found, offset: found - (expected - offset) });
    offset = found - (count === 0 ? stated : stated - 1);
    minStart = found + want.length;
  }
  return { ok: true, placements };
}

interface SideFile {
  lines: string[];
  origin: (LineOrigin | null)[];
  changed: boolean[];
}

/** Apply (or reverse) the hunks: from the file of side `from` build the file of the other side. */
function applyHunks(file: string[], hunks: Hunk[], placements: Placement[], from: 'pre' | 'post'): { a: SideFile; b: SideFile } {
  const to = from === 'pre' ? 'post' : 'pre';
  const a: SideFile = { lines: file, origin: new Array(file.length).fill(null), changed: new Array(file.length).fill(false) };
  const b: SideFile = { lines: [], origin: [], changed: [] };
  let cursor = 0;
  hunks.forEach((h, i) => {
    const start = placements[i].start;
    for (; cursor < start; cursor++) {
      b.lines.push(file[cursor]);
      b.origin.push(null);
      b.changed.push(false);
    }
    const fromLines = sideLines(h, from);
    fromLines.forEach((hl, k) => {
      a.origin[start + k] = { kind: 'patch', line: hl, hunk: h };
      a.changed[start + k] = hl.kind !== 'context';
    });
    for (const hl of sideLines(h, to)) {
      b.lines.push(hl.text);
      b.origin.push({ kind: 'patch', line: hl, hunk: h });
      b.changed.push(hl.kind !== 'context');
    }
    cursor = start + fromLines.length;
  });
  for (; cursor < file.length; cursor++) {
    b.lines.push(file[cursor]);
    b.origin.push(null);
    b.changed.push(false);
  }
  return { a, b };
}

function toSrc(f: SideFile): SrcLine[] {
  return f.lines.map((text, i) => ({
    text,
    origin: f.origin[i] ?? { kind: 'tree', fileLine: i + 1 },
    changed: f.changed[i],
    fileLine: i + 1,
  }));
}

/** Top-level function definitions of a whole file (closed ones only). */
export function fileFunctions(src: SrcLine[], side: 'pre' | 'post'): FnSpan[] {
  const scanned = scanSide(src, 0, false);
  const order = src.map((_, i) => i);
  return segmentSide(side, scanned, 0, '', 0, order).filter((s) => s.kind === 'definition' && s.part.closed);
}

/**
 * The functions of the tree file that no hunk touches, by name and side: the
 * same-file helpers a changed function calls (their summaries: what they
 * release, take, or whether they sleep). Images are built when first asked for.
 */
function treeHelpersOf(preFns: FnSpan[], postFns: FnSpan[], opts: ImageOptions): TreeHelpers {
  const index = (fns: FnSpan[]) => {
    const m = new Map<string, FnSpan[]>();
    for (const f of fns) {
      if (f.part.touched) continue;
      const l = m.get(f.name);
      if (l) l.push(f);
      else m.set(f.name, [f]);
    }
    return m;
  };
  const byName = { pre: index(preFns), post: index(postFns) };
  const built = { pre: new Map<string, FunctionImage | null>(), post: new Map<string, FunctionImage | null>() };
  return {
    image(name, side) {
      const hit = built[side].get(name);
      if (hit !== undefined) return hit;
      const spans = byName[side].get(name);
      if (!spans) return undefined;
      let img: FunctionImage | null = null;
      if (spans.length === 1) {
        try {
          img = finishImage(draftImage([spans[0].part], ''), opts);
        } catch {
          img = null; // a helper that does not rebuild has no summary; the changed function is still judged
        }
      }
      built[side].set(name, img);
      return img;
    },
  };
}

export function rebuildFromTree(
  msg: Message,
  file: FilePatch,
  treeFile: (path: string) => string | undefined,
  opts: ImageOptions,
  window?: number,
  budget?: RebuildBudget,
): TreeResult {
  const text = treeFile(file.oldPath!);
  if (text === undefined) return { ok: false };
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  if (lines.length > 0 && lines[lines.length - 1] === '' && text.endsWith('\n')) lines.pop();
  let pre: SideFile;
  let post: SideFile;
  const asPre = placeHunks(lines, file.hunks, 'pre', window);
  if (asPre.ok) {
    const r = applyHunks(lines, file.hunks, asPre.placements, 'pre');
    pre = r.a;
    post = r.b;
  } else {
    const asPost = placeHunks(lines, file.hunks, 'post', window);
    if (!asPost.ok) {
      const h = file.hunks[asPre.hunk];
      return {
        ok: false,
        problem:
          `kernel tree: hunk @@ -${h.oldStart},${h.oldCount} +${h.newStart},${h.newCount} @@ does not match ` +
          `${file.oldPath} (searched ${window ?? 2000} lines around line ${h.oldStart}); rebuilt from the patch alone`,
      };
    }
    const r = applyHunks(lines, file.hunks, asPost.placements, 'post');
    post = r.a;
    pre = r.b;
  }
  const preSrc = toSrc(pre);
  const postSrc = toSrc(post);
  const preFns = fileFunctions(preSrc, 'pre');
  const postFns = fileFunctions(postSrc, 'post');

  // map a pre line (0-based) to the post file through the hunks
  const shifts: { at: number; delta: number }[] = [];
  let delta = 0;
  for (const h of file.hunks) {
    delta += h.newCount - h.oldCount;
    const startInPre = pre.origin.findIndex((o) => o !== null && o.kind === 'patch' && o.hunk === h);
    shifts.push({ at: startInPre < 0 ? Infinity : startInPre, delta });
  }
  const toPost = (preLine: number) => {
    let d = 0;
    for (const s of shifts) if (s.at <= preLine) d = s.delta;
    return preLine + d;
  };
  const startOf = (s: FnSpan) => (s.part.lines[0].fileLine ?? 1) - 1;

  const usedPost = new Set<FnSpan>();
  const pairs: { pre: FnSpan | null; post: FnSpan | null }[] = [];
  // candidates by name (comparing every pre function with every post one was quadratic)
  const postByName = new Map<string, FnSpan[]>();
  for (const b of postFns) {
    const l = postByName.get(b.name);
    if (l) l.push(b);
    else postByName.set(b.name, [b]);
  }
  for (const a of preFns) {
    const want = toPost(startOf(a));
    let best: FnSpan | null = null;
    for (const b of postByName.get(a.name) ?? []) {
      if (usedPost.has(b)) continue;
      if (!best || Math.abs(startOf(b) - want) < Math.abs(startOf(best) - want)) best = b;
    }
    if (best) usedPost.add(best);
    if (a.part.touched || best?.part.touched) pairs.push({ pre: a, post: best });
  }
  for (const b of postFns) if (!usedPost.has(b) && b.part.touched) pairs.push({ pre: null, post: b });

  const helpers = treeHelpersOf(preFns, postFns, opts);
  const functions: RebuiltFunction[] = [];
  for (const { pre: a, post: b } of pairs) {
    const hunkSet = new Set<Hunk>();
    for (const s of [a, b]) {
      if (!s) continue;
      for (const l of s.part.lines) if (l.origin.kind === 'patch') hunkSet.add(l.origin.hunk);
    }
    const hunks = file.hunks.filter((h) => hunkSet.has(h));
    if (budget) {
      const x = sizeOf(a?.part.lines ?? []);
      const y = sizeOf(b?.part.lines ?? []);
      const fn = { name: (a ?? b)!.name, message: msg, file, hunk: hunks[0], lines: Math.max(x.lines, y.lines), bytes: Math.max(x.bytes, y.bytes) };
      if (!budget.admit(fn, x.lines + y.lines)) continue;
    }
    const preImg = a ? finishImage(draftImage([a.part], ''), opts) : null;
    const postImg = b ? finishImage(draftImage([b.part], ''), opts) : null;
    const fn: RebuiltFunction = {
      name: (a ?? b)!.name,
      message: msg,
      file,
      hunks,
      pre: preImg,
      post: postImg,
      source: 'tree' as const,
      problems: [],
      change: preImg && postImg ? ('modified' as const) : preImg ? ('deleted' as const) : ('added' as const),
      path: (file.newPath ?? file.oldPath)!,
      treeHelpers: helpers,
    };
    budget?.spend(fn);
    functions.push(fn);
  }
  return { ok: true, functions };
}
