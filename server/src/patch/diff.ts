/**
 * Unified diff parsing inside a (decoded) message body: `git diff` file
 * headers (modes, renames, copies, binary), plain `---`/`+++` diffs, hunks
 * (read strictly by their counts, or handed to repair.ts), quoted diffs that
 * are counted and skipped, and hunks without a file header.
 */
import type { FilePatch, FileStatus, Hunk, Repair, Span } from './model';
import type { Budget, DiagSink } from './limits';
import { isHardStop, newBody, pushLine, repairHunk, repairWhitespace, type Body, type HeaderInfo } from './repair';
import { TextDecoder } from 'node:util';
import type { Lines, View } from './view';
import { hasLineTerminator, trimEndSpaceTab } from '../util/text';

const HUNK_RE = /^@@ -(\d{1,10})(?:,(\d{1,10}))? \+(\d{1,10})(?:,(\d{1,10}))? @@(.*)$/;
const MAX_COUNT = 50_000_000;

export function parseHunkHeader(line: string): Omit<HeaderInfo, 'line'> | undefined {
  if (line.length > 10000) return undefined;
  const m = HUNK_RE.exec(line);
  if (!m) return undefined;
  const oldStart = Math.min(+m[1], MAX_COUNT);
  const oldCount = m[2] === undefined ? 1 : Math.min(+m[2], MAX_COUNT);
  const newStart = Math.min(+m[3], MAX_COUNT);
  const newCount = m[4] === undefined ? 1 : Math.min(+m[4], MAX_COUNT);
  // keep trailing blanks: a wrapped header is rejoined at them (trimmed in finishHunk)
  return { oldStart, oldCount, newStart, newCount, section: m[5].replace(/^\s+/, '') };
}

const isHunkHeader = (l: string) => HUNK_RE.test(l);

export interface ScanResult {
  files: FilePatch[];
  quotedDiffs: number;
  /** First view line of the first diff (file header), or -1. */
  firstDiffLine: number;
}

export class DiffScanner {
  constructor(
    private readonly view: View,
    private readonly lines: Lines,
    private readonly diags: DiagSink,
    private readonly budget: Budget,
  ) {}

  private span(i: number): Span {
    return this.view.span(this.lines.starts[i], this.lines.ends[i]);
  }

  private spanLines(a: number, b: number): Span {
    return this.view.span(this.lines.starts[a], this.lines.ends[Math.max(a, b)]);
  }

  scan(from: number, to: number): ScanResult {
    const L = this.lines;
    const out: ScanResult = { files: [], quotedDiffs: 0, firstDiffLine: -1 };
    let i = from;
    while (i < to) {
      if (this.budget.exhausted) break;
      const c = L.c0(i);
      if (c === 62 /* > */) {
        let j = i;
        while (j < to && L.c0(j) === 62) j++;
        out.quotedDiffs += this.countQuoted(i, j);
        i = j;
        continue;
      }
      if (c === 100 /* d */ && (L.startsWith(i, 'diff --cc ') || L.startsWith(i, 'diff --combined '))) {
        this.diags.push({
          code: 'input/combined-diff',
          severity: 'info',
          message: 'Combined (merge) diffs are not analysed; only two-way unified diffs are.',
          span: this.span(i),
        });
        i++;
        continue;
      }
      if (c === 100 /* d */ && L.startsWith(i, 'diff --git ')) {
        const r = this.readFile(i, i, to, true);
        if (out.firstDiffLine < 0) out.firstDiffLine = i;
        if (r.file) out.files.push(r.file);
        i = Math.max(i + 1, r.next);
        continue;
      }
      if (c === 45 /* - */ && L.startsWith(i, '--- ') && i + 1 < to && L.startsWith(i + 1, '+++ ')) {
        // include a preceding `diff ...` / `Index:` / `====` line in the header span
        let hs = i;
        while (hs > from && i - hs < 3 && /^(?:diff |Index: |={10,}|RCS file: |retrieving revision )/.test(L.line(hs - 1))) hs--;
        const r = this.readFile(hs, i, to, false);
        if (out.firstDiffLine < 0) out.firstDiffLine = hs;
        if (r.file) out.files.push(r.file);
        i = Math.max(i + 1, r.next);
        continue;
      }
      if (c === 64 /* @ */ && L.startsWith(i, '@@ -')) {
        const hdr = parseHunkHeader(L.line(i));
        if (hdr) {
          const r = this.readHunk({ ...hdr, line: i }, to);
          this.diags.push({
            code: 'input/orphan-hunk',
            severity: 'info',
            message: 'Hunk without a file header (a fragment pasted into the text); it is not analysed.',
            span: this.span(i),
          });
          i = Math.max(i + 1, r.next);
          continue;
        }
      }
      i++;
    }
    return out;
  }

  /**
   * Count the diffs in a run of quoted lines [a, b): one per quoted file
   * header, plus one for hunks quoted without any file header.
   */
  private countQuoted(a: number, b: number): number {
    const L = this.lines;
    let n = 0;
    let headerSeen = false;
    let orphan = false;
    let lastGit = -100;
    const strip = (k: number) => {
      const l = L.len(k) > 2000 ? L.text.slice(L.starts[k], L.starts[k] + 2000) : L.line(k);
      return l.replace(/^(?:>[ \t]?)+/, '');
    };
    for (let k = a; k < b; k++) {
      const t = strip(k);
      if (t.startsWith('diff --git ')) {
        n++;
        lastGit = k;
        headerSeen = true;
      } else if (t.startsWith('--- ') && k + 1 < b && strip(k + 1).startsWith('+++ ')) {
        if (k - lastGit > 6) n++;
        headerSeen = true;
      } else if (t.startsWith('@@ -') && HUNK_RE.test(t) && !headerSeen && !orphan) {
        n++;
        orphan = true;
      }
    }
    return n;
  }

  /**
   * Read one file patch. `hs` is the first header line (for the span), `i`
   * the `diff --git` line (git) or the `---` line (plain).
   */
  private readFile(hs: number, i: number, to: number, git: boolean): { file?: FilePatch; next: number } {
    const L = this.lines;
    const repairs: Repair[] = [];
    let oldPath: string | null | undefined;
    let newPath: string | null | undefined;
    let status: FileStatus = 'modified';
    let binary = false;
    let similarity: number | undefined;
    let oldMode: string | undefined;
    let newMode: string | undefined;
    let j = i;
    if (git) {
      const rest = L.line(i).slice(11);
      let paths = splitGitPaths(rest);
      j = i + 1;
      // a `diff --git a/x ` line wrapped before ` b/x`
      if ((!paths || !/ b\//.test(rest)) && j < to && !isExtendedHeader(L.line(j)) && L.c0(j) !== 64 && !L.startsWith(j, '--- ') && !L.blank(j)) {
        const joined = trimEndSpaceTab(rest) + ' ' + L.line(j).trim();
        const p2 = splitGitPaths(joined);
        if (p2 && p2[0] !== '' && p2[1] !== '' && / b\//.test(joined)) {
          paths = p2;
          const r: Repair = { kind: 'wrapped-header', message: 'The `diff --git` line was wrapped by the mail client; rejoined.', span: this.span(j), severity: 'info' };
          repairs.push(r);
          j++;
        }
      }
      if (paths) {
        oldPath = paths[0];
        newPath = paths[1];
      }
    }
    // extended headers and ---/+++
    for (; j < to; j++) {
      const l = L.len(j) > 5000 ? '' : L.line(j);
      let m: RegExpExecArray | null;
      if (l.startsWith('--- ') && j + 1 < to && L.startsWith(j + 1, '+++ ')) {
        const a = parseFilePath(l.slice(4));
        const b = parseFilePath(L.line(j + 1).slice(4));
        if (!git) {
          const [sa, sb] = stripPlainPrefixes(a, b);
          oldPath = sa;
          newPath = sb;
        } else {
          if (a !== undefined) oldPath = a === null ? null : stripAB(a);
          if (b !== undefined) newPath = b === null ? null : stripAB(b);
        }
        j += 2;
        break;
      }
      if (!git) break;
      if ((m = /^old mode (\d+)/.exec(l))) oldMode = m[1];
      else if ((m = /^new mode (\d+)/.exec(l))) newMode = m[1];
      else if ((m = /^deleted file mode (\d+)/.exec(l))) {
        oldMode = m[1];
        status = 'deleted';
      } else if ((m = /^new file mode (\d+)/.exec(l))) {
        newMode = m[1];
        status = 'added';
      } else if ((m = /^(?:dis)?similarity index (\d+)%/.exec(l))) similarity = +m[1];
      else if ((m = /^rename from (.*)$/.exec(l))) {
        oldPath = unquotePath(m[1]);
        status = 'renamed';
      } else if ((m = /^rename to (.*)$/.exec(l))) {
        newPath = unquotePath(m[1]);
        status = 'renamed';
      } else if ((m = /^copy from (.*)$/.exec(l))) {
        oldPath = unquotePath(m[1]);
        status = 'copied';
      } else if ((m = /^copy to (.*)$/.exec(l))) {
        newPath = unquotePath(m[1]);
        status = 'copied';
      } else if ((m = /^index ([0-9a-fA-F]+)\.\.([0-9a-fA-F]+)(?: (\d+))?/.exec(l))) {
        if (m[3]) oldMode = newMode = m[3];
      } else if (/^Binary files .* differ\s*$/.test(l)) {
        binary = true;
      } else if (l === 'GIT binary patch') {
        binary = true;
        j = this.skipBinaryPatch(j + 1, to) - 1;
      } else break;
    }
    if (git && (oldPath === undefined || newPath === undefined) && oldPath === undefined && newPath === undefined) {
      this.diags.push({ code: 'input/bad-file-header', severity: 'warning', message: 'Cannot read the file names of this `diff --git` line.', span: this.span(i) });
    }
    if (oldPath === null && status === 'modified') status = 'added';
    if (newPath === null && status === 'modified') status = 'deleted';
    if (status === 'added') oldPath = null;
    if (status === 'deleted') newPath = null;
    const headerEnd = Math.max(hs, j - 1);
    // hunks
    const hunkDrafts: Array<{ hdr: HeaderInfo; body: Body; repairs: Repair[]; headerLines: number; sectionExtra: string; oldCount: number; newCount: number }> = [];
    for (;;) {
      let k = j;
      // tolerate a blank line or two between hunks
      while (k < to && k - j < 3 && L.blank(k) && hunkDrafts.length > 0) k++;
      if (!(k < to && L.startsWith(k, '@@ -'))) break;
      const h = parseHunkHeader(L.line(k));
      if (!h) break;
      const hdr: HeaderInfo = { ...h, line: k };
      if (this.budget.hunkLines < Math.max(h.oldCount, h.newCount)) {
        if (!this.budget.exhausted) {
          this.budget.exhausted = true;
          this.diags.push({
            code: 'input/too-large',
            severity: 'warning',
            message: 'This document has more diff lines than the parser builds in one go; the diffs from here on were not parsed.',
            span: this.span(k),
          });
        }
        break;
      }
      // never build more lines than the budget allows, even for one enormous hunk
      const cap = Math.min(to, k + 1 + this.budget.hunkLines);
      const r = this.readHunk(hdr, cap);
      this.budget.hunkLines -= Math.max(1, r.body.lines.length);
      if (cap < to && r.next >= cap) this.budget.hunkLines = 0;
      if (r.dropped) {
        this.diags.push({
          code: 'input/unparsable-hunk',
          severity: 'error',
          message: `Hunk -${h.oldStart},${h.oldCount} +${h.newStart},${h.newCount} has no readable body and was dropped.`,
          span: this.span(k),
        });
      } else hunkDrafts.push({ hdr, body: r.body, repairs: r.repairs, headerLines: r.headerLines, sectionExtra: r.sectionExtra, oldCount: r.oldCount, newCount: r.newCount });
      j = Math.max(k + 1, r.next);
    }
    const path = newPath ?? oldPath ?? null;
    repairWhitespace(hunkDrafts, path);
    const hunks: Hunk[] = hunkDrafts.map((h) => this.finishHunk(h));
    const file: FilePatch = {
      oldPath: oldPath === undefined ? (newPath ?? null) : oldPath,
      newPath: newPath === undefined ? (oldPath ?? null) : newPath,
      status,
      binary,
      headerSpan: this.spanLines(hs, headerEnd),
      hunks,
    };
    if (similarity !== undefined) file.similarity = similarity;
    if (oldMode !== undefined) file.oldMode = oldMode;
    if (newMode !== undefined) file.newMode = newMode;
    if (repairs.length) {
      file.repairs = repairs;
      for (const r of repairs) this.diags.push({ code: `input/${r.kind}`, severity: r.severity ?? 'info', message: r.message, span: r.span });
    }
    return { file, next: j };
  }

  private skipBinaryPatch(j: number, to: number): number {
    const L = this.lines;
    // one or two blocks: `literal N` / `delta N`, base85 lines, a blank line
    for (let block = 0; block < 2 && j < to; block++) {
      if (!/^(?:literal|delta) \d+/.test(L.len(j) < 100 ? L.line(j) : '')) break;
      j++;
      while (j < to && !L.blank(j)) j++;
      if (j < to) j++;
    }
    return j;
  }

  private readHunk(hdr: HeaderInfo, to: number) {
    const L = this.lines;
    const first = hdr.line + 1;
    // strict: the body matches the counts
    let ro = hdr.oldCount;
    let rn = hdr.newCount;
    let i = first;
    let ok = true;
    while (i < to && (ro > 0 || rn > 0)) {
      const c = L.c0(i);
      if (c === 32 || c === -1) {
        if (ro <= 0 || rn <= 0) {
          ok = false;
          break;
        }
        ro--;
        rn--;
      } else if (c === 45) {
        if (ro <= 0) {
          ok = false;
          break;
        }
        ro--;
      } else if (c === 43) {
        if (rn <= 0) {
          ok = false;
          break;
        }
        rn--;
      } else if (c !== 92) {
        ok = false;
        break;
      }
      i++;
    }
    if (ok && (ro > 0 || rn > 0)) ok = false;
    if (ok) {
      // a `+`/`-` line right after the counted body: the body is longer than its header (a line added
      // by hand without updating the counts); read it as a count mismatch rather than drop the line
      let j = i;
      while (j < to && L.c0(j) === 92) j++;
      // (a `-` line only when it removes indented code: `--` alone is a signature separator whose blank was stripped)
      if (j < to && !isHardStop(L, j, isHunkHeader) && (L.c0(j) === 43 || (L.c0(j) === 45 && L.len(j) > 1 && L.line(j).charCodeAt(1) === 9))) ok = false;
    }
    if (ok) {
      while (i < to && L.c0(i) === 92) i++;
      const body = newBody();
      for (let k = first; k < i; k++) {
        const s = L.starts[k];
        const e = L.ends[k];
        const c = L.c0(k);
        if (c === 92) {
          if (body.lines.length) body.lines[body.lines.length - 1].noNewlineAtEof = true;
          continue;
        }
        if (c === -1) pushLine(body, 'context', '', [], this.view.span(s, s), 1, false);
        else pushLine(body, c === 32 ? 'context' : c === 43 ? 'add' : 'del', L.text.slice(s + 1, e), this.view.segsFor(s + 1, e), this.view.span(s, e), 1, true);
      }
      return { body, repairs: [] as Repair[], next: i, headerLines: 0, sectionExtra: '', oldCount: hdr.oldCount, newCount: hdr.newCount, dropped: false };
    }
    return repairHunk(this.view, L, hdr, first, to, isHunkHeader);
  }

  private finishHunk(h: { hdr: HeaderInfo; body: Body; repairs: Repair[]; headerLines: number; sectionExtra: string; oldCount: number; newCount: number }): Hunk {
    const { hdr } = h;
    let o = hdr.oldStart;
    let n = hdr.newStart;
    for (const l of h.body.lines) {
      if (l.kind !== 'add') l.oldLine = o++;
      if (l.kind !== 'del') l.newLine = n++;
    }
    for (const r of h.repairs) this.diags.push({ code: `input/${r.kind}`, severity: r.severity ?? 'info', message: r.message, span: r.span });
    return {
      oldStart: hdr.oldStart,
      oldCount: h.oldCount,
      newStart: hdr.newStart,
      newCount: h.newCount,
      section: (hdr.section + h.sectionExtra).trim(),
      headerSpan: this.spanLines(hdr.line, hdr.line + h.headerLines),
      lines: h.body.lines,
      repairs: h.repairs,
    };
  }
}

function isExtendedHeader(l: string): boolean {
  return /^(?:old mode|new mode|deleted file mode|new file mode|similarity index|dissimilarity index|rename from|rename to|copy from|copy to|index [0-9a-f]|Binary files|GIT binary patch)/.test(l);
}

/** Un-quote a C-style quoted path (`"a/f\303\251e"`); plain paths pass through. */
export function unquotePath(p: string): string {
  const t = p.trim();
  if (!t.startsWith('"') || !t.endsWith('"') || t.length < 2) return t;
  const bytes: number[] = [];
  const body = t.slice(1, -1);
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== '\\' || i + 1 >= body.length) {
      const cp = body.codePointAt(i)!;
      if (cp > 0xffff) i++;
      for (const b of Buffer.from(String.fromCodePoint(cp), 'utf8')) bytes.push(b);
      continue;
    }
    const n = body[++i];
    const esc: Record<string, number> = { n: 10, t: 9, r: 13, a: 7, b: 8, f: 12, v: 11, '\\': 92, '"': 34 };
    if (n in esc) bytes.push(esc[n]);
    else if (/[0-7]/.test(n)) {
      let v = 0;
      let k = 0;
      while (k < 3 && i < body.length && /[0-7]/.test(body[i])) {
        v = v * 8 + (body.charCodeAt(i) - 48);
        i++;
        k++;
      }
      i--;
      bytes.push(v & 255);
    } else bytes.push(n.charCodeAt(0) & 255);
  }
  return new TextDecoder('utf-8').decode(Uint8Array.from(bytes));
}

function stripAB(p: string): string {
  return /^[abciwo12]\//.test(p) ? p.slice(2) : p;
}

/** Paths of `diff --git a/X b/Y` (prefixes removed). */
export function splitGitPaths(rest: string): [string, string] | undefined {
  const r = trimEndSpaceTab(rest);
  if (r.startsWith('"')) {
    const m = /^("(?:[^"\\]|\\.)*")\s+/.exec(r);
    const second = m ? r.slice(m[0].length) : '';
    if (!m || hasLineTerminator(second)) return undefined;
    const a = unquotePath(m[1]);
    const b = second.startsWith('"') ? unquotePath(second) : second;
    return [stripAB(a), stripAB(b)];
  }
  const q = r.lastIndexOf(' "');
  if (q > 0 && r.endsWith('"')) return [stripAB(r.slice(0, q)), stripAB(unquotePath(r.slice(q + 1)))];
  // the usual case: the same path on both sides
  let first = -1;
  for (let k = r.indexOf(' b/'); k !== -1; k = r.indexOf(' b/', k + 1)) {
    if (first < 0) first = k;
    const a = r.slice(0, k);
    const b = r.slice(k + 1);
    if (stripAB(a) === stripAB(b)) return [stripAB(a), stripAB(b)];
  }
  if (first > 0) return [stripAB(r.slice(0, first)), stripAB(r.slice(first + 1))];
  // --no-prefix: "x x"
  const sp = r.indexOf(' ');
  if (sp > 0) {
    const half = (r.length - 1) / 2;
    if (Number.isInteger(half) && r[half] === ' ' && r.slice(0, half) === r.slice(half + 1)) return [r.slice(0, half), r.slice(half + 1)];
  }
  return undefined;
}

/** Path of a `---`/`+++` line: null for /dev/null; timestamps dropped. undefined when empty. */
function parseFilePath(rest: string): string | null | undefined {
  let p = rest;
  const tab = p.indexOf('\t');
  if (tab >= 0) p = p.slice(0, tab);
  // a timestamp at the end (`2024-01-02 10:11:12.123 +0100`): matched once, after the blanks are trimmed
  p = p.trimEnd();
  const ts = /\s\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:\.\d+)?(?: [+-]\d{4})?$/.exec(p);
  if (ts) p = p.slice(0, ts.index);
  p = p.trim();
  if (p === '') return undefined;
  p = unquotePath(p);
  if (p === '/dev/null') return null;
  return p;
}

function stripPlainPrefixes(a: string | null | undefined, b: string | null | undefined): [string | null, string | null] {
  const A = a ?? null;
  const B = b ?? null;
  if (A !== null && B !== null) {
    if (A.startsWith('a/') && B.startsWith('b/')) return [A.slice(2), B.slice(2)];
    const ia = A.indexOf('/');
    const ib = B.indexOf('/');
    if (ia > 0 && ib > 0 && A.slice(ia + 1) === B.slice(ib + 1)) return [A.slice(ia + 1), B.slice(ib + 1)];
    return [A, B];
  }
  if (A !== null) return [stripAB(A), null];
  if (B !== null) return [null, stripAB(B)];
  return [null, null];
}
