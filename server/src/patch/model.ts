/**
 * The patch & mail model: what the parser produces from a document (a plain
 * diff, a `git format-patch` mail, an mbox, a lore thread page, ...).
 *
 * Every piece of text that later stages look at carries a map back to the
 * exact characters of the ORIGINAL document (before MIME decoding, before
 * mangled-diff repair), so that diagnostics land on the right characters.
 *
 * Offsets are UTF-16 code-unit offsets into the original document string, the
 * unit LSP positions use.
 */

/** Half-open range [start, end) of UTF-16 offsets in the original document. */
export interface Span {
  start: number;
  end: number;
}

/**
 * One run of a line's text that maps onto the original document.
 * Columns [col, col+len) of the (decoded, repaired) line text correspond to
 * original offsets [off, off+offLen). Usually len === offLen; they differ where
 * decoding or repair changed the length (QP `=3D` -> `=`, 8 spaces -> 1 tab).
 * Within such a seg the map is clamped/proportional, never out of the seg.
 */
export interface Seg {
  col: number;
  len: number;
  off: number;
  offLen: number;
}

/** Maps columns of a text line back to original-document offsets. */
export interface SourceRef {
  /** Sorted by col, non-overlapping. May be empty for synthesized text. */
  segs: Seg[];
}

export type Severity = 'error' | 'warning' | 'info' | 'hint';

/** Kind of a line inside a hunk. */
export type LineKind = 'context' | 'add' | 'del';

export interface HunkLine {
  kind: LineKind;
  /** Line text without the leading ' ', '+' or '-' marker and without EOL. */
  text: string;
  /** 1-based line number in the pre-image file (context and del lines). */
  oldLine?: number;
  /** 1-based line number in the post-image file (context and add lines). */
  newLine?: number;
  /** A `\ No newline at end of file` marker followed this line. */
  noNewlineAtEof?: boolean;
  /** Where the text (after the marker) sits in the original document. */
  src: SourceRef;
  /** Span of the whole physical line(s) in the original document, marker included. */
  span: Span;
  /** The line was changed by mangled-diff repair (see Hunk.repairs). */
  repaired?: boolean;
}

export type RepairKind =
  | 'wrapped-line'        // a long line was wrapped by the mail client; rejoined
  | 'wrapped-header'      // a hunk header or diff --git line was wrapped; rejoined
  | 'lost-leading-space'  // a context line lost its leading ' '
  | 'dropped-blank'       // a blank context line was dropped; re-inserted
  | 'tabs-to-spaces'      // leading tabs were expanded to spaces; restored
  | 'count-mismatch'      // header counts disagree with the body and were recomputed
  | 'missing-count'       // @@ -a +b @@ without ,count
  | 'leading-space-shift' // every context line was shifted right by one space; shifted back
  | 'unrecoverable';      // the hunk could not be repaired; kept partially or dropped

export interface Repair {
  kind: RepairKind;
  message: string;
  /** The exact original characters that were repaired (zero-width for an insertion point). */
  span: Span;
  /** 'info' for a confident repair, 'warning' when the hunk still does not match its counts. */
  severity?: Severity;
}

/**
 * Where a hunk applies when that is not where its header says (patch/placement.ts):
 * found by its content on top of the earlier patches of the series, as `git am` would.
 */
export interface HunkPlacement {
  /** Lines between the header's `-a` and where the hunk applies. */
  offset: number;
  /** Context lines at the ends that had to be ignored (0–2). */
  fuzz: number;
  /** Index (in ParsedDocument.messages) of the earlier patch it was placed on. */
  against: number;
}

export interface Hunk {
  /** As stated in the header; the lines' oldLine/newLine say where the hunk applies. */
  oldStart: number;
  oldCount: number;
  newStart: number;
  newCount: number;
  /** The section heading after the second `@@` (usually a function signature), trimmed. */
  section: string;
  /** Span of the `@@ ... @@ section` header line(s). */
  headerSpan: Span;
  lines: HunkLine[];
  repairs: Repair[];
  /** Set when the hunk applies elsewhere than its header says (offset or fuzz). */
  placement?: HunkPlacement;
}

export type FileStatus = 'modified' | 'added' | 'deleted' | 'renamed' | 'copied';

export interface FilePatch {
  /** Path without the a/ prefix; null for /dev/null (added files). */
  oldPath: string | null;
  /** Path without the b/ prefix; null for /dev/null (deleted files). */
  newPath: string | null;
  status: FileStatus;
  binary: boolean;
  similarity?: number;
  oldMode?: string;
  newMode?: string;
  /** From the `diff --git` (or `---`) line to the line before the first hunk. */
  headerSpan: Span;
  hunks: Hunk[];
  /** Repairs of the file header itself (a wrapped `diff --git` line). */
  repairs?: Repair[];
}

export interface DiffstatEntry {
  path: string;
  changes: number;
}

export interface Diffstat {
  entries: DiffstatEntry[];
  files: number;
  insertions: number;
  deletions: number;
  span: Span;
}

export type MessageKind = 'patch' | 'cover' | 'reply' | 'plain';

/**
 * A `git format-patch` header block found inside a message body: the
 * `>From <sha> Mon Sep 17 00:00:00 2001` + From/Date/Subject block of a patch
 * pasted below a scissors line, or the in-body `From:` that git send-email adds
 * when the author is not the sender.
 */
export interface EmbeddedHeaders {
  author?: string;
  date?: string;
  subject?: string;
  span: Span;
}

export interface Message {
  index: number;
  kind: MessageKind;
  /** The raw subject, RFC 2047-decoded, e.g. "Re: [PATCH v2 3/7] mm/gup: fix ...". */
  subject?: string;
  /** The subject without `Re:`/`Fwd:` and `[...]` tags, e.g. "mm/gup: fix ...". */
  title?: string;
  /** The subject starts with Re:/Aw:/Sv: (or the message is a patchwork comment). */
  isReply?: boolean;
  /** v2 in `[PATCH v2]`, also when there is no N/M. */
  version?: number;
  author?: string;
  date?: string;
  messageId?: string;
  /** [PATCH v2 3/7] -> { version: 2, index: 3, total: 7 } */
  series?: { version?: number; index: number; total: number };
  /**
   * The whole message (headers + body) in the original document. On a
   * patchwork page the patch message spans the commit message; its diff sits
   * in the page's "Patch" section below the comments (see FilePatch.headerSpan).
   */
  span: Span;
  /** The header block, when the message has one. */
  headerSpan?: Span;
  /** A format-patch header block pasted inside the body, if any. */
  embedded?: EmbeddedHeaders;
  files: FilePatch[];
  /** The diffstat the mail carries below `---`, when present. */
  diffstat?: Diffstat;
  /**
   * Diffs quoted with `> ` that were skipped, not analysed: one per quoted file
   * header (`diff --git`, or a `---`/`+++` pair), plus one for a quoted run of
   * hunks that has no file header of its own.
   */
  quotedDiffsSkipped: number;
  /** Content-Transfer-Encoding / charset as decoded, for information. */
  encoding?: string;
  charset?: string;
}

export interface ParseDiagnostic {
  /** Stable code, e.g. 'input/wrapped-line', 'input/unparsable-hunk'. */
  code: string;
  severity: Severity;
  message: string;
  span: Span;
}

export type DocumentFormat =
  | 'empty'          // nothing but whitespace
  | 'binary'         // not text
  | 'text'           // a plain diff or plain text, no mail headers
  | 'mail'           // one RFC 822 message (an .eml, a format-patch file without the From line)
  | 'mbox'           // `From ` separated messages (git format-patch --stdout, b4, lore mbox)
  | 'lore-message'   // a lore.kernel.org message page (`Message-ID: <...> (raw)`)
  | 'lore-thread'    // a lore.kernel.org flat thread page (`From: X @ date UTC (permalink / raw)`)
  | 'patchwork'      // a patchwork patch page ("diff mbox series", "Commit Message", "Patch")
  | 'flattened';     // a mail that lost its line breaks

export interface ParsedDocument {
  /** Path or URI the text came from (informational). */
  uri: string;
  /** What the parser recognised the document as. */
  format?: DocumentFormat;
  /** The original document text, exactly as given. */
  text: string;
  messages: Message[];
  diagnostics: ParseDiagnostic[];
}

/** Map column `col` of a line with source ref `ref` to an original-document offset. */
export function mapColumn(ref: SourceRef, col: number): number | undefined {
  const segs = ref.segs;
  if (segs.length === 0) return undefined;
  // binary search for the last seg with seg.col <= col
  let lo = 0;
  let hi = segs.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (segs[mid].col <= col) lo = mid;
    else hi = mid - 1;
  }
  const s = segs[lo];
  if (col < s.col) return s.off;
  const rel = col - s.col;
  if (rel >= s.len) return s.off + s.offLen; // past the end of this seg
  if (s.len === s.offLen) return s.off + rel;
  // length changed inside this seg (decoding/repair): proportional, clamped
  return s.off + Math.min(s.offLen, Math.floor((rel * s.offLen) / Math.max(1, s.len)));
}

/**
 * Map the END of column range [.., col) to an original-document offset: just
 * past all the original characters of decoded column col-1 (for `=3D` -> `=`
 * that is after the `D`). For a column inside a gap (synthesized text) it is
 * the end of the preceding seg.
 */
export function mapColumnEnd(ref: SourceRef, col: number): number | undefined {
  const segs = ref.segs;
  if (segs.length === 0) return undefined;
  if (col <= 0) return mapColumn(ref, 0);
  const last = col - 1;
  let lo = 0;
  let hi = segs.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (segs[mid].col <= last) lo = mid;
    else hi = mid - 1;
  }
  const s = segs[lo];
  if (last < s.col) return s.off;
  const rel = last - s.col;
  if (rel >= s.len) return s.off + s.offLen;
  if (s.len === s.offLen) return s.off + rel + 1;
  return s.off + Math.min(s.offLen, Math.ceil(((rel + 1) * s.offLen) / Math.max(1, s.len)));
}

/**
 * Map a column range [startCol, endCol) of a line to an original-document span.
 * The end covers every original character of the last column (all three of
 * `=3D`, all eight spaces a restored tab stands for).
 */
export function mapRange(ref: SourceRef, startCol: number, endCol: number, fallback: Span): Span {
  const a = mapColumn(ref, startCol);
  if (a === undefined) return fallback;
  const b = endCol > startCol ? mapColumnEnd(ref, endCol) : a;
  const end = b === undefined ? a : Math.max(a, b);
  return { start: a, end };
}
