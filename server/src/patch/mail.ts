/**
 * Splitting a document into messages.
 *
 * Recognised containers, tried in this order:
 *   - a mail that lost its line breaks (one huge line of headers and body);
 *   - a lore.kernel.org flat thread page (`From: X @ 2017-04-20 21:46 UTC (permalink / raw)`
 *     ... `^ permalink raw reply`);
 *   - a patchwork patch page ("diff mbox series", "Commit Message", "Comments", "Patch");
 *   - an mbox (`From <sender> <asctime>` separator lines; git format-patch --stdout);
 *   - a lore.kernel.org message page (header blocks whose Message-ID ends in `(raw)`);
 *   - a single RFC 822 mail (the document starts with a header block);
 *   - otherwise plain text: one message without headers (a bare diff, a pasted reply).
 *
 * Only offsets into the original document come out of here; decoding of bodies
 * happens later (parse.ts / mime.ts).
 */
import type { DocumentFormat, ParseDiagnostic, Span } from './model';
import { headerLine, parseHeaderBlock, type Header } from './headers';
import { Lines } from './view';

export interface RawMessage {
  span: Span;
  headerSpan?: Span;
  headers: Header[];
  /** Body regions in the original document, in order. */
  bodies: Span[];
  /** Values a page format gives directly (lore flat thread, patchwork). */
  subject?: string;
  author?: string;
  date?: string;
  messageId?: string;
  /** A comment on a patchwork page: a reply even without a subject. */
  replyHint?: boolean;
  /** The bodies are mbox bodies (`>From ` escaped). */
  mboxrd?: boolean;
}

export interface Split {
  format: DocumentFormat;
  messages: RawMessage[];
  diagnostics: ParseDiagnostic[];
}

const MONTHS = 'Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec';
const MBOX_FROM = new RegExp(
  `^From \\S+\\s+(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)\\s+(?:${MONTHS})\\s+\\d{1,2}\\s+\\d{1,2}:\\d\\d(?::\\d\\d)?\\s+(?:[A-Za-z]{2,5}\\s+|[+-]\\d{4}\\s+)?\\d{4}\\s*$`,
);
const LORE_FLAT_FROM = /^From: (.+?) @ (\d{4}-\d\d-\d\d +\d{1,2}:\d\d(?::\d\d)?) UTC \(permalink \/ raw\)\s*$/;
const LORE_PERMALINK = /^\^ permalink raw reply/;
const LORE_RAW_MSGID = /^Message-ID: <[^>]*> \(raw\)\s*$/i;
const LORE_FOOTER = /^(?:\s+parent reply index\s*$|Thread overview: |\^ permalink raw reply|Reply instructions:\s*$|end of thread, other threads|\s+reply\s+other threads)/;
const PW_MONTHS = 'January|February|March|April|May|June|July|August|September|October|November|December';
const PW_DATE = `(?:${PW_MONTHS}) \\d{1,2}, \\d{4}, (?:\\d{1,2}(?::\\d\\d)? [ap]\\.m\\.|noon|midnight) UTC`;
const PW_AUTHOR = new RegExp(`^(.+?) (${PW_DATE})$`);
const PW_COMMENT = new RegExp(`^(.+?) (${PW_DATE}) \\| #(\\d+)$`);

/** Sample-based check for binary data: control characters and U+FFFD. */
export function looksBinary(text: string): boolean {
  const n = Math.min(text.length, 65536);
  if (n === 0) return false;
  let bad = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if ((c < 32 && c !== 9 && c !== 10 && c !== 13 && c !== 12 && c !== 27) || c === 0xfffd || (c >= 0x7f && c < 0xa0)) bad++;
  }
  return bad / n > 0.1;
}

export function splitDocument(text: string, lines: Lines): Split {
  const diagnostics: ParseDiagnostic[] = [];
  const whole: Span = { start: 0, end: text.length };
  if (text.trim() === '') {
    diagnostics.push({ code: 'input/empty', severity: 'info', message: 'The document is empty: there is nothing to review.', span: { start: 0, end: 0 } });
    return { format: 'empty', messages: [], diagnostics };
  }
  if (looksBinary(text)) {
    diagnostics.push({
      code: 'input/binary',
      severity: 'error',
      message: 'The document is binary data, not a patch or a mail: nothing was parsed.',
      span: { start: 0, end: Math.min(text.length, 1) },
    });
    return { format: 'binary', messages: [], diagnostics };
  }
  const flat = splitFlattened(text, lines, diagnostics);
  if (flat) return { format: 'flattened', messages: flat, diagnostics };

  // Cheap pre-scan of line starts.
  let loreFlat = 0;
  let mbox = 0;
  let loreRaw = 0;
  let pw = 0;
  for (let i = 0; i < lines.count; i++) {
    const c = lines.c0(i);
    if (c === 70 /* F */) {
      if (lines.startsWith(i, 'From: ') && lines.len(i) < 400 && LORE_FLAT_FROM.test(lines.line(i))) loreFlat++;
      else if (lines.startsWith(i, 'From ') && lines.len(i) < 400 && isMboxSeparator(lines, i)) mbox++;
    } else if (c === 77 /* M */) {
      if (lines.len(i) < 1000 && LORE_RAW_MSGID.test(lines.line(i))) loreRaw++;
    } else if (c === 100 /* d */ && lines.startsWith(i, 'diff mbox series')) pw++;
  }
  if (loreFlat > 0) return { format: 'lore-thread', messages: splitLoreFlat(text, lines), diagnostics };
  if (pw > 0) {
    const m = splitPatchwork(text, lines);
    if (m) return { format: 'patchwork', messages: m, diagnostics };
  }
  if (mbox > 0) return { format: 'mbox', messages: splitMbox(text, lines), diagnostics };
  if (loreRaw > 0) return { format: 'lore-message', messages: splitLoreMessages(text, lines), diagnostics };
  const single = singleMail(text, lines);
  if (single) return { format: 'mail', messages: [single], diagnostics };
  return { format: 'text', messages: [{ span: whole, headers: [], bodies: [whole] }], diagnostics };
}

function isMboxSeparator(lines: Lines, i: number): boolean {
  const l = lines.line(i);
  if (MBOX_FROM.test(l)) return true;
  // looser: `From <token> ...` at the start or after a blank line, followed by a header
  if (!/^From \S+ /.test(l)) return false;
  if (i > 0 && !lines.blank(i - 1)) return false;
  return i + 1 < lines.count && headerLine(lines.line(i + 1)) !== undefined;
}

/** An mbox: `From ` separators, a header block, a body. */
function splitMbox(text: string, lines: Lines): RawMessage[] {
  const seps: number[] = [];
  for (let i = 0; i < lines.count; i++) {
    if (lines.c0(i) === 70 && lines.startsWith(i, 'From ') && lines.len(i) < 400 && isMboxSeparator(lines, i)) seps.push(i);
  }
  const out: RawMessage[] = [];
  for (let k = 0; k < seps.length; k++) {
    const first = seps[k];
    const last = k + 1 < seps.length ? seps[k + 1] : lines.count;
    const start = lines.starts[first];
    const end = k + 1 < seps.length ? lines.starts[last] : text.length;
    const hb = parseHeaderBlock(lines, first + 1, last);
    const bodyStart = hb.end < last ? lines.next(hb.end) : end;
    out.push({
      span: { start, end },
      headerSpan: hb.end > first + 1 ? { start: lines.starts[first + 1], end: lines.ends[hb.end - 1] } : undefined,
      headers: hb.headers,
      bodies: [{ start: Math.min(bodyStart, end), end }],
      mboxrd: true,
    });
  }
  return out;
}

/** One mail: the document starts with a header block. */
function singleMail(text: string, lines: Lines): RawMessage | undefined {
  let i = 0;
  while (i < lines.count && lines.blank(i) && i < 50) i++;
  const hb = parseHeaderBlock(lines, i, Math.min(lines.count, i + 2000));
  if (hb.headers.length < 2) return undefined;
  const names = new Set(hb.headers.map((h) => h.name));
  if (!names.has('from') && !names.has('subject')) return undefined;
  if (!(names.has('from') || names.has('date') || names.has('message-id') || names.has('to'))) return undefined;
  const bodyStart = hb.end < lines.count ? lines.next(hb.end) : text.length;
  return {
    span: { start: lines.starts[i], end: text.length },
    headerSpan: { start: lines.starts[i], end: lines.ends[hb.end - 1] },
    headers: hb.headers,
    bodies: [{ start: bodyStart, end: text.length }],
  };
}

/** lore.kernel.org message page(s): header blocks with `Message-ID: <...> (raw)`. */
function splitLoreMessages(text: string, lines: Lines): RawMessage[] {
  const starts: number[] = [];
  for (let i = 0; i < lines.count; i++) {
    if (lines.c0(i) !== 77 || lines.len(i) >= 1000 || !LORE_RAW_MSGID.test(lines.line(i))) continue;
    // walk back to the block's first line
    let s = i;
    while (s > 0 && i - s < 400) {
      const p = s - 1;
      if (lines.blank(p)) break;
      const c = lines.c0(p);
      if (c === 32 || c === 9 || headerLine(lines.line(p))) s = p;
      else break;
    }
    // the block proper starts at its From: line (page chrome above it can look like headers)
    for (let k = s; k <= i; k++) {
      if (lines.startsWith(k, 'From: ')) {
        s = k;
        break;
      }
    }
    while (s < i && (lines.c0(s) === 32 || lines.c0(s) === 9)) s++;
    if (starts.length === 0 || starts[starts.length - 1] !== s) {
      // skip a second Message-ID line of the same block
      if (starts.length > 0 && s <= starts[starts.length - 1]) continue;
      starts.push(s);
    }
  }
  const out: RawMessage[] = [];
  for (let k = 0; k < starts.length; k++) {
    const first = starts[k];
    const limit = k + 1 < starts.length ? starts[k + 1] : lines.count;
    const hb = parseHeaderBlock(lines, first, limit);
    let bodyFirst = hb.end < limit ? hb.end + 1 : limit;
    let last = limit;
    for (let i = bodyFirst; i < limit; i++) {
      if (LORE_FOOTER.test(lines.line(i))) {
        last = i;
        break;
      }
    }
    bodyFirst = Math.min(bodyFirst, last);
    const start = lines.starts[first];
    const end = last < lines.count ? lines.starts[last] : text.length;
    out.push({
      span: { start, end },
      headerSpan: { start, end: lines.ends[Math.max(first, hb.end - 1)] },
      headers: hb.headers,
      bodies: [{ start: bodyFirst < lines.count ? lines.starts[bodyFirst] : end, end }],
    });
  }
  return out;
}

/**
 * lore.kernel.org flat thread page. Each message:
 *   `* <subject>` line, thread-tree lines,
 *   `From: Name @ 2017-04-20 21:46 UTC (permalink / raw)`, indented To:/Cc:,
 *   a blank line, the body, `^ permalink raw reply ...`.
 */
function splitLoreFlat(text: string, lines: Lines): RawMessage[] {
  const froms: number[] = [];
  for (let i = 0; i < lines.count; i++) {
    if (lines.c0(i) === 70 && lines.startsWith(i, 'From: ') && lines.len(i) < 400 && LORE_FLAT_FROM.test(lines.line(i))) froms.push(i);
  }
  const out: RawMessage[] = [];
  let prevEnd = 0; // line index after the previous message
  for (let k = 0; k < froms.length; k++) {
    const f = froms[k];
    const next = k + 1 < froms.length ? froms[k + 1] : lines.count;
    const m = LORE_FLAT_FROM.exec(lines.line(f))!;
    // subject: the first `* ` line between the previous message and this From:
    let subject: string | undefined;
    let first = f;
    for (let i = prevEnd; i < f; i++) {
      if (lines.startsWith(i, '* ')) {
        subject = lines.line(i).slice(2).trim();
        first = i;
        break;
      }
    }
    // indented To:/Cc: lines
    let h = f + 1;
    while (h < next && !lines.blank(h) && (lines.c0(h) === 32 || lines.c0(h) === 9)) h++;
    const bodyFirst = Math.min(h + (h < next && lines.blank(h) ? 1 : 0), next);
    let last = next;
    let after = next;
    for (let i = bodyFirst; i < next; i++) {
      if (lines.c0(i) === 94 /* ^ */ && LORE_PERMALINK.test(lines.line(i))) {
        last = i;
        after = i + 1;
        break;
      }
    }
    if (after === next) {
      // no permalink line: stop before the next message's subject/tree block
      for (let i = bodyFirst; i < next; i++) {
        if (lines.startsWith(i, '* ') && i > bodyFirst && lines.blank(i - 1) && k + 1 < froms.length && looksLikeTreeBlock(lines, i + 1, next)) {
          last = i;
          after = i;
          break;
        }
      }
    }
    const start = lines.starts[first];
    const end = after < lines.count ? (after === last ? lines.starts[after] : lines.ends[after - 1]) : text.length;
    const bodyStart = bodyFirst < lines.count ? lines.starts[bodyFirst] : text.length;
    const bodyEnd = last < lines.count ? lines.starts[last] : text.length;
    out.push({
      span: { start, end: Math.max(start, end) },
      headerSpan: { start: lines.starts[f], end: lines.ends[Math.max(f, h - 1)] },
      headers: [],
      bodies: [{ start: Math.min(bodyStart, bodyEnd), end: bodyEnd }],
      subject,
      author: m[1].trim(),
      date: `${m[2].replace(/\s+/g, ' ')} UTC`,
      mboxrd: true,
    });
    prevEnd = after;
  }
  return out;
}

function looksLikeTreeBlock(lines: Lines, from: number, to: number): boolean {
  for (let i = from; i < to && i < from + 200; i++) {
    if (lines.startsWith(i, 'From: ')) return true;
    if (!/^(?:\s+\d{4}-|@ \d{4}-|\s+\d+ (?:siblings?|repl)|\s+`|\s+\(\d+ more)/.test(lines.line(i))) return false;
  }
  return false;
}

/**
 * patchwork patch page: title, "Message ID", "Commit Message" (author line,
 * commit message, `---`, diffstat), "Comments" (`Name Date | #N` blocks), and
 * at the bottom "diff mbox series" / "Patch" / the diff.
 */
function splitPatchwork(text: string, lines: Lines): RawMessage[] | undefined {
  let commitLine = -1;
  let commentsLine = -1;
  let patchLine = -1;
  let title: string | undefined;
  let msgId: string | undefined;
  for (let i = 0; i < lines.count; i++) {
    const l = lines.len(i) < 300 ? lines.line(i) : '';
    if (commitLine < 0 && l === 'Commit Message') commitLine = i;
    else if (commitLine >= 0 && commentsLine < 0 && l === 'Comments') commentsLine = i;
    else if (l === 'Patch' && i >= 2 && lines.blank(i - 1) && lines.line(i - 2) === 'diff mbox series') patchLine = i;
    else if (!msgId && l.startsWith('Message ID ')) msgId = l.slice(11).replace(/\(mailing list archive\)/, '').trim();
    else if (title === undefined && i <= 6 && l && l !== 'diff mbox series' && previousNonBlank(lines, i) === 'diff mbox series') title = l.trim();
  }
  if (commitLine < 0) return undefined;
  const out: RawMessage[] = [];
  // the patch itself
  let a = commitLine + 1;
  while (a < lines.count && lines.blank(a)) a++;
  const am = a < lines.count ? PW_AUTHOR.exec(lines.line(a)) : null;
  const bodyFirst = am ? a + 1 : a;
  const commitEnd = commentsLine >= 0 ? commentsLine : patchLine >= 0 ? patchLine - 2 : lines.count;
  const patchMsg: RawMessage = {
    span: { start: 0, end: commitEnd < lines.count ? lines.starts[commitEnd] : text.length },
    headerSpan: am ? { start: lines.starts[a], end: lines.ends[a] } : undefined,
    headers: [],
    bodies: [{ start: bodyFirst < lines.count ? lines.starts[bodyFirst] : text.length, end: commitEnd < lines.count ? lines.starts[commitEnd] : text.length }],
    subject: title,
    author: am ? am[1].trim() : undefined,
    date: am ? am[2] : undefined,
    messageId: msgId,
  };
  if (patchLine >= 0) patchMsg.bodies.push({ start: patchLine + 1 < lines.count ? lines.starts[patchLine + 1] : text.length, end: text.length });
  out.push(patchMsg);
  // the comments
  if (commentsLine >= 0) {
    const stop = patchLine >= 0 ? patchLine - 2 : lines.count;
    const heads: Array<{ line: number; m: RegExpExecArray }> = [];
    for (let i = commentsLine + 1; i < stop; i++) {
      if (lines.len(i) > 300) continue;
      const m = PW_COMMENT.exec(lines.line(i));
      if (m) heads.push({ line: i, m });
    }
    for (let k = 0; k < heads.length; k++) {
      const { line, m } = heads[k];
      const endLine = k + 1 < heads.length ? heads[k + 1].line : stop;
      const start = lines.starts[line];
      const end = endLine < lines.count ? lines.starts[endLine] : text.length;
      out.push({
        span: { start, end },
        headerSpan: { start, end: lines.ends[line] },
        headers: [],
        bodies: [{ start: line + 1 < lines.count ? lines.starts[line + 1] : end, end }],
        author: m[1].trim(),
        date: m[2],
        replyHint: true,
      });
    }
  }
  return out;
}

/** The previous non-blank line before line i, or undefined. */
function previousNonBlank(lines: Lines, i: number): string | undefined {
  let p = i - 1;
  while (p >= 0 && lines.blank(p)) p--;
  return p >= 0 ? lines.line(p) : undefined;
}

const FLAT_HEADERS = [
  'Return-Path', 'Received', 'Authentication-Results', 'DKIM-Signature', 'DMARC-Filter', 'Date', 'From', 'To', 'Cc',
  'Subject', 'Message-ID', 'Message-Id', 'References', 'In-Reply-To', 'MIME-Version', 'Content-Type',
  'Content-Transfer-Encoding', 'Content-Disposition', 'User-Agent', 'Sender', 'Precedence', 'List-ID', 'List-Id',
  'Reply-To', 'Delivered-To', 'Mime-Version',
];
const FLAT_RE = new RegExp(`(?:^|[ \\t])((?:${FLAT_HEADERS.join('|')})|X-[A-Za-z0-9-]+): `, 'g');

/**
 * A message whose line breaks were lost (one enormous line): recover the
 * headers by their names; the body cannot be split into lines, so no diff is
 * looked for. Returns undefined when the document is not such a message.
 */
function splitFlattened(text: string, lines: Lines, diags: ParseDiagnostic[]): RawMessage[] | undefined {
  if (lines.count > 3 || text.length < 1000) return undefined;
  let longest = 0;
  for (let i = 0; i < lines.count; i++) if (lines.len(i) > lines.len(longest)) longest = i;
  const L = lines.len(longest);
  if (L < 1000) return undefined;
  const start = lines.starts[longest];
  const end = lines.ends[longest];
  const head = text.slice(start, Math.min(end, start + 200000));
  if (!/(?:^|\s)Subject: /.test(head) || !/(?:^|\s)From: /.test(head)) return undefined;
  const found: Array<{ name: string; at: number; valueAt: number }> = [];
  FLAT_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  let lastAt = 0;
  while ((m = FLAT_RE.exec(head))) {
    const at = m.index + (m[0].length - m[1].length - 2);
    if (found.length > 0 && at - lastAt > 3000) break; // far from the previous header: we are in the body
    found.push({ name: m[1].toLowerCase(), at, valueAt: m.index + m[0].length });
    lastAt = at;
  }
  const headers: Header[] = [];
  for (let k = 0; k < found.length; k++) {
    const f = found[k];
    const vEnd = k + 1 < found.length ? found[k + 1].at : Math.min(head.length, f.valueAt + 300);
    headers.push({ name: f.name, value: head.slice(f.valueAt, vEnd).trim(), span: { start: start + f.at, end: start + vEnd } });
  }
  let bodyStart = found.length ? start + found[found.length - 1].valueAt : start;
  // the last header's value runs into the body; cut it at the end of its first "word run"
  const lastH = headers[headers.length - 1];
  if (lastH) {
    const cut = /^\S*/.exec(lastH.value)?.[0] ?? '';
    bodyStart = lastH.span.start + (text.slice(lastH.span.start, lastH.span.end).indexOf(lastH.value) + cut.length);
    lastH.value = cut;
  }
  const headerEnd = Math.min(bodyStart, end);
  diags.push({
    code: 'input/lost-line-breaks',
    severity: 'info',
    message: `This message lost its line breaks (one ${L}-character line): headers were recovered by name; the body cannot be split into lines, so no diff can be read from it.`,
    span: { start, end },
  });
  return [
    {
      span: { start: 0, end: text.length },
      headerSpan: { start, end: headerEnd },
      headers,
      bodies: [],
    },
  ];
}
