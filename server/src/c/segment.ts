/**
 * Which functions does a hunk touch? Split each side of each hunk into the
 * pieces that belong to one function ("parts"), estimate how deep in braces
 * a hunk starts when its first lines are inside a function, and group the
 * parts of one function across hunks.
 *
 * Works on text alone (lexer.ts), no tree-sitter: it runs on every keystroke.
 */
import { blankBlockComments, cutLineComment } from '../util/text';
import type { FilePatch, Hunk, HunkLine } from '../patch/model';
import type { LineOrigin } from './model';
import { DepthTracker, LineScan, alignedContinuation, indentOf, newScanState, scanLine } from './lexer';
import { ANNOTATION_CALLS, C_KEYWORDS, LOOP_MACRO, STATEMENT_KEYWORDS, SYSCALL_DEFINE } from './kernelMacros';

/** One line of source for an image, before synthesis. */
export interface SrcLine {
  text: string;
  origin: LineOrigin;
  /** An added (post side) or deleted (pre side) line. */
  changed: boolean;
  /** 1-based line number in this side's file, when known. */
  fileLine?: number;
}

export interface ScannedLine extends SrcLine {
  scan: LineScan;
  depthBefore: number;
  depthAfter: number;
}

/** The lines of one function in one hunk, on one side. */
export interface Part {
  lines: ScannedLine[];
  /** Brace depth before the first line (0 when the part starts at the function's header). */
  startDepth: number;
  startsInComment: boolean;
  endsInComment: boolean;
  /** The part starts with the function's complete opening line(s). */
  hasHeader: boolean;
  /** A heading must be synthesized (from the section) before the part. */
  needsHeading: boolean;
  /** The part ends with the function's closing brace. */
  closed: boolean;
  touched: boolean;
  hunkIndex: number;
}

export type Side = 'pre' | 'post';

export interface FnSpan {
  side: Side;
  name: string;
  kind: 'continuation' | 'definition';
  /** The section names something that is not a function (struct, initializer): not a function. */
  notFunction: boolean;
  part: Part;
  /** Index in hunk.lines of the span's first line (for ordering). */
  order: number;
}

export interface FunctionGroup {
  name: string;
  /** Heading to synthesize when the opening line is not shown. */
  heading: string;
  hunks: number[];
  pre: Part[];
  post: Part[];
}

// ---------------------------------------------------------------------------
// Signatures

/** Balance of ( ) in a code string. */
function parenBalance(s: string): number {
  let b = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 40) b++;
    else if (c === 41) b--;
  }
  return b;
}

// (?<!\w): a match starts only where an identifier starts (linear on a long identifier)
const IDENT_CALL = /(?<!\w)([A-Za-z_]\w*)\s*\(/g;

/**
 * The function name declared by a header (code text up to the `{`), or
 * null when the text is not a function definition's header.
 */
export function parseHeader(code: string): string | null {
  const s = code.replace(/\s+/g, ' ').trim();
  if (!s.endsWith(')')) return null;
  const first = /^[A-Za-z_]\w*/.exec(s);
  if (!first) return null;
  if (STATEMENT_KEYWORDS.has(first[0]) || first[0] === 'typedef') return null;
  // an `=` at parenthesis depth 0 means an initializer, not a function
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '=' && depth === 0) {
      const prev = s[i - 1];
      const next = s[i + 1];
      if (next !== '=' && prev !== '=' && prev !== '!' && prev !== '<' && prev !== '>') return null;
    }
  }
  IDENT_CALL.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = IDENT_CALL.exec(s))) {
    const name = m[1];
    if (parenBalance(s.slice(0, m.index)) !== 0) continue;
    if (ANNOTATION_CALLS.has(name) || name === '__attribute__' || name === '__declspec') continue;
    if (C_KEYWORDS.has(name)) return null;
    if (SYSCALL_DEFINE.test(name)) {
      const arg = /^\s*([A-Za-z_]\w*)/.exec(s.slice(m.index + m[0].length));
      return arg ? 'sys_' + arg[1] : name;
    }
    if (LOOP_MACRO.test(name)) return null;
    return name;
  }
  return null;
}

/** A heading of the length `diff -p` (40) or git (80) cuts at, with no `(` left. */
function cutBeforeParen(section: string): boolean {
  const t = section.trimEnd();
  return !t.includes('(') && (t.length === 40 || t.length >= 79);
}

/** A return type (at least one word before the name) and a name, nothing else: `static int *foo_b`. (Split, not one regex: linear.) */
function cutDeclarator(s: string): boolean {
  const words = s.replace(/\*/g, ' ').trim().split(/\s+/);
  return words.length >= 2 && words.every((w) => /^[A-Za-z_]\w*$/.test(w));
}

/**
 * Make a one-line signature out of a section heading that may be cut short
 * (`static int gup_pmd_range(pud_t pud, unsigned` -> `... (pud_t pud)`).
 * Returns null when the section is not a function's opening line.
 */
export function repairSignature(section: string): string | null {
  let s = cutLineComment(blankBlockComments(section)).trim();
  if (s.endsWith('{')) s = s.slice(0, -1).trimEnd();
  if (!s || s.endsWith(';') || s.endsWith(':') || s.startsWith('#')) return null;
  if (/^(struct|union|enum)\s+\w+\s*$/.test(s) || /^typedef\b/.test(s)) return null;
  // a heading cut short before its `(`: GNU `diff -p` (quilt, akpm's scripts) keeps 40 characters and git
  // 80 (`static inline struct page *migration_ent`): a return type and the start of a name. The name stays
  // cut; the body below is still the function's.
  if (cutBeforeParen(section) && cutDeclarator(s)) s += '(void)';
  let open = parenBalance(s);
  if (open < 0) return null;
  if (open > 0) {
    if (s.endsWith(',')) s = s.slice(0, -1);
    else if (!s.endsWith('(')) {
      // drop the partial last parameter
      let depth = 0;
      let cut = -1;
      for (let i = 0; i < s.length; i++) {
        const c = s[i];
        if (c === '(') depth++;
        else if (c === ')') depth--;
        else if (c === ',' && depth === open) cut = i;
      }
      if (cut > 0) s = s.slice(0, cut);
    }
    s = s.trimEnd();
    if (s.endsWith('(')) s += 'void';
    open = parenBalance(s);
    s += ')'.repeat(Math.max(0, open));
  }
  return parseHeader(s) ? s : null;
}

/** A section heading that is a goto label (`out_unlock:`, `retry:  `). */
export function isLabelHeading(section: string): boolean {
  const t = section.trim();
  return t.endsWith(':') && /^[A-Za-z_]\w*$/.test(t.slice(0, -1).trimEnd());
}

/** Name of the function a section heading opens, or null. */
export function sectionFunction(section: string): { name: string; heading: string } | null {
  const heading = repairSignature(section);
  if (!heading) return null;
  const name = parseHeader(heading);
  return name ? { name, heading } : null;
}

/** The section names a non-function container (struct body, initializer, enum). */
function sectionIsData(section: string): boolean {
  const s = section.trim();
  if (!s) return false;
  if (/^(typedef\s+)?(struct|union|enum)\b[^(]*$/.test(s)) return true; // `[^(]*` also takes a final `{`
  if (s.endsWith('=') || (s.endsWith('{') && s.slice(0, -1).trimEnd().endsWith('='))) return true; // `= {` at the end (s is trimmed)
  if (/^(static\s+)?(const\s+)?(struct|union|enum)\s+\w+\s+\w+(\[\w*\])?\s*=/.test(s)) return true;
  return false;
}

export const UNKNOWN_FUNCTION = '<unknown>';
export const UNKNOWN_HEADING = 'void __mm_review_unknown_function(void)';

// ---------------------------------------------------------------------------
// Scanning a side

export function scanSide(lines: SrcLine[], startDepth: number, inComment: boolean): ScannedLine[] {
  const st = newScanState(inComment);
  const dt = new DepthTracker(startDepth);
  const out: ScannedLine[] = new Array(lines.length);
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    const scan = scanLine(l.text, st);
    const before = dt.depth;
    if (scan.directive) {
      if (scan.directiveKind !== undefined) dt.directive(scan.directiveKind);
    } else dt.depth += scan.braceDelta;
    out[i] = { text: l.text, origin: l.origin, changed: l.changed, fileLine: l.fileLine, scan, depthBefore: before, depthAfter: dt.depth };
  }
  return out;
}

function minDepth(scanned: ScannedLine[]): number {
  let m = 0;
  for (const l of scanned) {
    const low = l.scan.directive ? l.depthAfter : l.depthBefore + l.scan.braceMin;
    if (low < m) m = low;
    if (l.depthAfter < m) m = l.depthAfter;
  }
  return m;
}

/** Does the hunk start inside a block comment? */
export function startsInComment(texts: string[]): boolean {
  for (const t of texts) {
    if (/^\s*$/.test(t)) continue;
    if (/^\s*\*(\s|\/|$)/.test(t)) return true;
    break;
  }
  const st = newScanState(false);
  for (const t of texts) {
    const open = t.indexOf('/*');
    const s = scanLine(t, st);
    if (s.strayCommentEnd) {
      const close = t.indexOf('*/');
      return open < 0 || close < open;
    }
    if (open >= 0) return false;
  }
  return false;
}

const LABEL = /^\s*[A-Za-z_]\w*\s*:(?!:)/;

function firstWord(code: string): string {
  const m = /^\s*([A-Za-z_]\w*)/.exec(code);
  return m ? m[1] : '';
}

function lastCodeChar(code: string): string {
  for (let i = code.length - 1; i >= 0; i--) {
    const c = code[i];
    if (c !== ' ' && c !== '\t') return c;
  }
  return '';
}

/** A header of a braceless body: `if (...)`, `for (...)`, `else`, `for_each_x(...)`. */
function opensBracelessBody(code: string): boolean {
  const t = code.trim();
  if (/^(\}\s*)?else$/.test(t)) return true;
  if (!t.endsWith(')')) return false;
  const w = firstWord(t.replace(/^\}\s*else\s+/, ''));
  return w === 'if' || w === 'for' || w === 'while' || LOOP_MACRO.test(w);
}

/**
 * How many braces are open before the first line of the hunk: the larger of
 * what the brace balance proves (a `}` closing a block the hunk did not
 * open) and what the kernel tab indentation of the first statements shows.
 */
export function estimateStartDepth(sides: ScannedLine[][], sectionIsFunction: boolean): number {
  let dBrace = 0;
  for (const s of sides) dBrace = Math.max(dBrace, -minDepth(s));
  let dIndent = 0;
  let keyword = false;
  let anchors = 0;
  let firstCommentIndent = -1;
  for (const side of sides) {
    let paren = 0;
    let prevCode: string | null = null;
    for (const l of side) {
      if (anchors >= 3) break;
      const sc = l.scan;
      if (sc.directive) continue;
      if (sc.noCode) {
        if (firstCommentIndent < 0 && sc.hasComment && l.text.trim()) firstCommentIndent = indentOf(l.text);
        continue;
      }
      const code = sc.code;
      const parenBefore = paren;
      paren += sc.parenDelta;
      const last = lastCodeChar(code);
      if (last === ';' || last === '{' || last === '}') {
        if (paren < 0) paren = 0;
      }
      const continuation =
        parenBefore > 0 ||
        sc.parenMin + parenBefore < 0 ||
        (prevCode !== null && !/[;{}:]$/.test(prevCode.trim()) && !opensBracelessBody(prevCode) && prevCode.trim() !== '') ||
        (prevCode === null && alignedContinuation(l.text)) ||
        /^\s*(&&|\|\||\?|:|\+|-(?!-)|\*(?!\w)|\/|%|==|!=|<|>|\||&(?!\w))/.test(code);
      const w = firstWord(code);
      const isLabel = LABEL.test(code) && w !== 'default';
      if (!continuation && !isLabel && w !== 'case' && w !== 'default') {
        let est = indentOf(l.text) - (l.depthBefore);
        if (/^\s*\}/.test(code)) est += 1;
        if (prevCode !== null && opensBracelessBody(prevCode) && !/^\s*\{/.test(code)) est -= 1;
        if (est > dIndent) dIndent = est;
        if (anchors === 0 && STATEMENT_KEYWORDS.has(w)) keyword = true;
        anchors++;
      }
      if (anchors === 0 && (w === 'case' || w === 'default' || isLabel)) keyword = true;
      prevCode = code;
    }
    if (anchors > 0) break;
  }
  let d = Math.max(dBrace, dIndent, keyword ? 1 : 0);
  if (anchors === 0 && d === 0 && sectionIsFunction && firstCommentIndent > 0) d = firstCommentIndent;
  // Kernel style puts a top-level definition's closing brace, and only that, in column 0:
  // the first such `}` closes depth 1. Indentation can overestimate the start depth (the
  // first line may be the body of a braceless `if` the hunk does not show); this caps it.
  let cap = Infinity;
  for (const side of sides) {
    const l = side.find((x) => !x.scan.noCode && !x.scan.directive && /^\};?\s*$/.test(x.text));
    if (l) cap = Math.min(cap, 1 - l.depthBefore);
  }
  if (cap >= dBrace && cap >= 1 && cap < d) d = cap;
  return d;
}

// ---------------------------------------------------------------------------
// Spans of one side

interface HunkSideInput {
  lines: SrcLine[];
  /** Index in hunk.lines of each line (for ordering spans). */
  orderOf: number[];
}

/**
 * Do the code lines pending..end-1 form a function declarator with no body
 * yet (`int f(int a)`), and is the next line with code its opening brace?
 */
function awaitsBody(scanned: ScannedLine[], pending: number, end: number): boolean {
  let next = end + 1;
  while (next < scanned.length && scanned[next].scan.noCode) next++;
  if (next >= scanned.length || scanned[next].scan.directive || scanned[next].scan.code.trimStart()[0] !== '{') return false;
  let header = '';
  for (let k = pending; k < end; k++) if (!scanned[k].scan.directive) header += scanned[k].scan.code + ' ';
  return lastCodeChar(header) === ')' && parenBalance(header) === 0 && parseHeader(header) !== null;
}

export function segmentSide(
  side: Side,
  scanned: ScannedLine[],
  startDepth: number,
  section: string,
  hunkIndex: number,
  orderOf: number[],
): FnSpan[] {
  const secFn = sectionFunction(section);
  const spans: FnSpan[] = [];
  type Cur = { start: number; kind: FnSpan['kind']; name: string; hasHeader: boolean; needsHeading: boolean; notFunction: boolean };
  let cur: Cur | null = null;
  const close = (end: number, closed: boolean) => {
    if (!cur) return;
    const lines = scanned.slice(cur.start, end + 1);
    const first = lines[0];
    const last = lines[lines.length - 1];
    spans.push({
      side,
      name: cur.name,
      kind: cur.kind,
      notFunction: cur.notFunction,
      order: orderOf[cur.start] ?? cur.start,
      part: {
        lines,
        startDepth: first ? first.depthBefore : 0,
        startsInComment: first ? first.scan.commentBefore : false,
        endsInComment: last ? last.scan.commentAfter : false,
        hasHeader: cur.hasHeader,
        needsHeading: cur.needsHeading,
        closed,
        touched: lines.some((l) => l.changed),
        hunkIndex,
      },
    });
    cur = null;
  };
  if (startDepth > 0 && scanned.length > 0) {
    cur = {
      start: 0,
      kind: 'continuation',
      // git puts the nearest line starting with a letter in the heading: inside a function that is
      // often a goto label (`out_unlock:`), which names no function
      name: secFn ? secFn.name : isLabelHeading(section) ? UNKNOWN_FUNCTION : section.trim() || UNKNOWN_FUNCTION,
      hasHeader: false,
      needsHeading: true,
      notFunction: !secFn && sectionIsData(section),
    };
  }
  let pending = -1;
  let codeSeen = false;
  for (let i = 0; i < scanned.length; i++) {
    const l = scanned[i];
    const sc = l.scan;
    if (cur) {
      if (!sc.directive && l.depthAfter <= 0 && (l.depthBefore > 0 || sc.firstOpen >= 0)) close(i, true);
      else if (sc.directive && l.depthAfter <= 0 && l.depthBefore > 0) close(i, true);
      continue;
    }
    if (l.depthBefore > 0) {
      // inside a top-level item that is not a function (struct, initializer)
      if (l.depthAfter <= 0) pending = -1;
      continue;
    }
    if (sc.directive) {
      pending = -1;
      continue;
    }
    if (sc.noCode) {
      // a blank line ends what came before, unless that is a complete declarator waiting for its body
      // (`static int madvise_free_pte_range(pmd_t *pmd, ...,\n\t\tstruct mm_walk *walk)\n\n{`: mm/madvise.c)
      if (!sc.hasComment && !(pending >= 0 && awaitsBody(scanned, pending, i))) pending = -1;
      continue;
    }
    if (pending < 0) pending = i;
    const codeSeenBefore = codeSeen;
    codeSeen = true;
    if (sc.firstOpen >= 0) {
      const codeSeen = codeSeenBefore;
      let header = '';
      for (let k = pending; k < i; k++) if (!scanned[k].scan.directive) header += scanned[k].scan.code + ' ';
      header += sc.code.slice(0, sc.firstOpen);
      const name = parseHeader(header);
      const truncated = parenBalance(header) < 0;
      if (name && !truncated) {
        cur = { start: pending, kind: 'definition', name, hasHeader: true, needsHeading: false, notFunction: false };
      } else if (truncated && secFn) {
        cur = { start: pending, kind: 'definition', name: secFn.name, hasHeader: false, needsHeading: true, notFunction: false };
      } else if (secFn && header.trim() === '' && !codeSeen) {
        // the hunk starts at the body's opening brace: the signature is the line above, which
        // git names in the section heading
        cur = { start: pending, kind: 'definition', name: secFn.name, hasHeader: false, needsHeading: true, notFunction: false };
      }
      pending = -1;
      if (cur && l.depthAfter <= 0) close(i, true);
      continue;
    }
    if (l.depthAfter <= 0 && /[;}]\s*$/.test(sc.code)) pending = -1;
  }
  if (cur) close(scanned.length - 1, false);
  return spans;
}

// ---------------------------------------------------------------------------
// Hunks and files

export function hunkSides(hunk: Hunk): { pre: HunkSideInput; post: HunkSideInput } {
  const pre: HunkSideInput = { lines: [], orderOf: [] };
  const post: HunkSideInput = { lines: [], orderOf: [] };
  hunk.lines.forEach((hl, i) => {
    if (hl.kind !== 'add') {
      pre.lines.push({ text: hl.text, origin: { kind: 'patch', line: hl, hunk }, changed: hl.kind === 'del', fileLine: hl.oldLine });
      pre.orderOf.push(i);
    }
    if (hl.kind !== 'del') {
      post.lines.push({ text: hl.text, origin: { kind: 'patch', line: hl, hunk }, changed: hl.kind === 'add', fileLine: hl.newLine });
      post.orderOf.push(i);
    }
  });
  unwrapMacroFunctions(pre.lines);
  unwrapMacroFunctions(post.lines);
  return { pre, post };
}

const FN_HEADER_START = new Set(['static', 'inline', '__always_inline', 'noinline', 'const', 'void', 'int', 'long', 'bool', 'unsigned', 'ssize_t', 'size_t', 'struct', 'u32', 'u64', 'vm_fault_t']);

/** A function definition's opening line at column 0 (`static int name_##x##_fn(...`): type words, then a name, then `(`. */
function looksLikeFnHeader(t: string): boolean {
  if (!/^[A-Za-z_]/.test(t)) return false;
  const p = t.indexOf('(');
  if (p < 0) return false;
  const words = t.slice(0, p).split(/[\s*]+/).filter(Boolean);
  return words.length >= 2 && FN_HEADER_START.has(words[0]) && /^[A-Za-z_][\w#]*$/.test(words[words.length - 1]);
}

/**
 * Functions generated by a macro (`#define NILFS_DEV_INT_GROUP_FNS(name, ..) \
 * static int nilfs_sysfs_create_##name##_group(..) \ { .. }`): a run of lines
 * continued with `\` that holds a function definition at column 0 is read as
 * that function. The `#define` line is blanked, each trailing `\` and each
 * `##` becomes blanks/underscores of the same width, so every column of the
 * patch still maps (the text is the macro's body with its parameters left as
 * names: `nilfs_sysfs_create___name___group`).
 */
function unwrapMacroFunctions(lines: SrcLine[]): void {
  const cont = (t: string) => /\\\s*$/.test(t);
  for (let i = 0; i < lines.length; ) {
    if (!cont(lines[i].text)) {
      i++;
      continue;
    }
    let j = i;
    while (j < lines.length && cont(lines[j].text)) j++;
    const end = Math.min(j, lines.length - 1);
    // the region starts at its #define when the hunk shows it
    let start = i;
    for (let k = i; k <= end; k++) if (/^\s*#\s*define\b/.test(lines[k].text)) start = k;
    const region = lines.slice(start, end + 1);
    const isFn = region.some((l) => looksLikeFnHeader(l.text)) && region.some((l) => /^\{/.test(l.text));
    if (isFn) {
      for (let k = start; k <= end; k++) {
        const t = lines[k].text;
        const text = /^\s*#\s*define\b/.test(t) ? ' '.repeat(t.length) : t.replace(/\\(\s*)$/, ' $1').replace(/##/g, '__');
        lines[k] = { ...lines[k], text };
      }
    }
    i = j + 1;
  }
}

export interface HunkSegments {
  hunk: Hunk;
  index: number;
  startDepth: number;
  inComment: boolean;
  pre: FnSpan[];
  post: FnSpan[];
}

/** Segment one hunk into function spans on both sides. */
export function segmentHunk(hunk: Hunk, index: number): HunkSegments {
  const { pre, post } = hunkSides(hunk);
  const inComment = startsInComment(hunk.lines.map((l) => l.text));
  const secFn = sectionFunction(hunk.section);
  const pre0 = scanSide(pre.lines, 0, inComment);
  const post0 = scanSide(post.lines, 0, inComment);
  const d = estimateStartDepth([pre0, post0], secFn !== null);
  // starting d braces deeper only shifts every depth by d
  if (d !== 0) {
    for (const side of [pre0, post0]) {
      for (const l of side) {
        l.depthBefore += d;
        l.depthAfter += d;
      }
    }
  }
  const preS = pre0;
  const postS = post0;
  return {
    hunk,
    index,
    startDepth: d,
    inComment,
    pre: segmentSide('pre', preS, d, hunk.section, index, pre.orderOf),
    post: segmentSide('post', postS, d, hunk.section, index, post.orderOf),
  };
}

function contextLines(span: FnSpan): Set<HunkLine> {
  const s = new Set<HunkLine>();
  for (const l of span.part.lines) if (l.origin.kind === 'patch' && l.origin.line.kind === 'context') s.add(l.origin.line);
  return s;
}

/** Pair the pre and post spans of one hunk that are the same function. */
export function pairSpans(seg: HunkSegments): { pre: FnSpan | null; post: FnSpan | null }[] {
  const pairs: { pre: FnSpan | null; post: FnSpan | null }[] = [];
  const usedPost = new Set<FnSpan>();
  const postCtx = seg.post.map((p) => ({ span: p, ctx: contextLines(p) }));
  const preLeft: FnSpan[] = [];
  for (const a of seg.pre) {
    const ctx = contextLines(a);
    let match: FnSpan | null = null;
    for (const b of postCtx) {
      if (usedPost.has(b.span)) continue;
      for (const hl of ctx) {
        if (b.ctx.has(hl)) {
          match = b.span;
          break;
        }
      }
      if (match) break;
    }
    if (match) {
      usedPost.add(match);
      pairs.push({ pre: a, post: match });
    } else preLeft.push(a);
  }
  for (const a of preLeft) {
    const b = seg.post.find((p) => !usedPost.has(p) && p.name === a.name);
    if (b) {
      usedPost.add(b);
      pairs.push({ pre: a, post: b });
    } else pairs.push({ pre: a, post: null });
  }
  for (const b of seg.post) if (!usedPost.has(b)) pairs.push({ pre: null, post: b });
  const orderOf = (p: { pre: FnSpan | null; post: FnSpan | null }) =>
    Math.min(p.pre ? p.pre.order : Infinity, p.post ? p.post.order : Infinity);
  pairs.sort((x, y) => orderOf(x) - orderOf(y));
  return pairs;
}

function isOpen(parts: Part[]): boolean {
  const last = parts[parts.length - 1];
  return last !== undefined && !last.closed;
}

/**
 * Group the spans of all hunks of a file into functions. Only groups with a
 * changed line on some side are returned.
 */
export function groupFunctions(file: FilePatch, segs?: HunkSegments[]): FunctionGroup[] {
  const all = segs ?? file.hunks.map((h, i) => segmentHunk(h, i));
  const groups: FunctionGroup[] = [];
  let open: FunctionGroup | null = null;
  for (const seg of all) {
    const pairs = pairSpans(seg);
    pairs.forEach((pair, k) => {
      const any = (pair.pre ?? pair.post)!;
      if (any.notFunction) return;
      const continuation = (pair.pre ?? pair.post)!.kind === 'continuation';
      const secFn = sectionFunction(seg.hunk.section);
      let g: FunctionGroup | null = null;
      // (a heading cut before its `(` names a prefix of the function the previous hunk left open)
      if (k === 0 && continuation && open && (open.name === any.name || !secFn || (cutBeforeParen(seg.hunk.section) && open.name.startsWith(any.name)))) g = open;
      if (!g) {
        g = {
          name: any.name,
          heading: secFn && secFn.name === any.name ? secFn.heading : UNKNOWN_HEADING,
          hunks: [],
          pre: [],
          post: [],
        };
        groups.push(g);
      }
      if (!g.hunks.includes(seg.index)) g.hunks.push(seg.index);
      if (pair.pre) g.pre.push(pair.pre.part);
      if (pair.post) g.post.push(pair.post.part);
    });
    const last = groups[groups.length - 1];
    open = last && (isOpen(last.pre) || isOpen(last.post)) && last.hunks.includes(seg.index) ? last : null;
  }
  return groups.filter((g) => g.pre.some((p) => p.touched) || g.post.some((p) => p.touched));
}

/** Per-hunk listing for `mm-review parse`: the functions each hunk changes. */
export interface TouchedFunction {
  name: string;
  change: 'added' | 'deleted' | 'modified';
  /** The hunk starts inside the function (its opening line is not shown). */
  continued: boolean;
  /** First changed line of the function in this hunk. */
  firstChange?: HunkLine;
}

export function functionsTouched(hunk: Hunk): TouchedFunction[] {
  const seg = segmentHunk(hunk, 0);
  const out: TouchedFunction[] = [];
  for (const p of pairSpans(seg)) {
    const any = (p.pre ?? p.post)!;
    if (any.notFunction) continue;
    if (!(p.pre?.part.touched || p.post?.part.touched)) continue;
    const changed = [...(p.pre?.part.lines ?? []), ...(p.post?.part.lines ?? [])].find((l) => l.changed);
    out.push({
      name: any.name,
      change: p.pre && p.post ? 'modified' : p.pre ? 'deleted' : 'added',
      continued: any.kind === 'continuation',
      firstChange: changed && changed.origin.kind === 'patch' ? changed.origin.line : undefined,
    });
  }
  return out;
}
