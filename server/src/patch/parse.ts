/**
 * Public entry point of the patch & mail parser.
 *
 *   parseDocument(text, uri) -> ParsedDocument
 *
 * It never throws: an internal error becomes an `input/internal-error`
 * diagnostic and the messages parsed so far are kept. It runs in linear time
 * (every stage is a bounded number of passes over the lines).
 *
 * Pipeline: mail.ts splits the document into messages (mbox, lore pages,
 * patchwork, a single mail, plain text); parts.ts walks the MIME structure and
 * decodes each readable part into a View (mime.ts: QP, base64, charsets,
 * format=flowed, `>From ` un-escaping, all offset-preserving); diff.ts finds
 * diffs in each part (repair.ts fixes mangled hunks); diffstat.ts and
 * subject.ts read the rest.
 */
import type { EmbeddedHeaders, Message, MessageKind, ParseDiagnostic, ParsedDocument, Span } from './model';
import { Budget, CappedDiagnostics, type DiagSink, type ParseOptions } from './limits';
import { DiffScanner } from './diff';
import { findDiffstat } from './diffstat';
import { cleanMessageId, displayName, getHeader, parseContentType, parseHeaderBlock, type Header } from './headers';
import { splitDocument, type RawMessage } from './mail';
import { decodeEncodedWords, unescapeFromLines } from './mime';
import { messageParts, type Part } from './parts';
import { parseSubject } from './subject';
import { placeHunks } from './placement';
import { Lines, type View } from './view';

export type { ParsedDocument } from './model';
export type { ParseOptions } from './limits';

export function parseDocument(text: string, uri = '', options: ParseOptions = {}): ParsedDocument {
  const doc: ParsedDocument = { uri: typeof uri === 'string' ? uri : '', text: typeof text === 'string' ? text : '', messages: [], diagnostics: [] };
  const diags = new CappedDiagnostics(options?.maxDiagnosticsPerCode);
  try {
    const src = doc.text;
    const split = splitDocument(src, new Lines(src));
    doc.format = split.format;
    for (const d of split.diagnostics) diags.push(d);
    const budget = new Budget(options?.maxHunkLines);
    for (const raw of split.messages) {
      const index = doc.messages.length;
      try {
        doc.messages.push(buildMessage(src, raw, index, diags, budget));
      } catch (e) {
        diags.push(internalError(e, raw.span));
        doc.messages.push({ index, kind: 'plain', span: raw.span, files: [], quotedDiffsSkipped: 0 });
      }
    }
  } catch (e) {
    diags.push(internalError(e, { start: 0, end: 0 }));
  }
  try {
    placeHunks(doc);
  } catch (e) {
    diags.push(internalError(e, { start: 0, end: 0 }));
  }
  doc.diagnostics = diags.finish();
  doc.diagnostics.sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
  return doc;
}

function internalError(e: unknown, span: Span): ParseDiagnostic {
  const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return { code: 'input/internal-error', severity: 'error', message: `Internal error while parsing (please report): ${msg}`, span };
}

function buildMessage(src: string, raw: RawMessage, index: number, diags: DiagSink, budget: Budget): Message {
  const h = raw.headers;
  const subject = raw.subject ?? decodeHeader(getHeader(h, 'subject'));
  const fromValue = getHeader(h, 'from');
  const author = raw.author ?? (fromValue !== undefined ? displayName(fromValue) : undefined);
  const date = raw.date ?? getHeader(h, 'date')?.trim();
  const messageId = raw.messageId ?? cleanMessageId(getHeader(h, 'message-id'));

  const msg: Message = { index, kind: 'plain', span: raw.span, files: [], quotedDiffsSkipped: 0 };
  if (subject !== undefined && subject !== '') msg.subject = subject;
  if (author) msg.author = author;
  if (date) msg.date = date;
  if (messageId) msg.messageId = messageId;
  if (raw.headerSpan) msg.headerSpan = raw.headerSpan;

  // Read every body region through its MIME structure.
  const parts: Part[] = [];
  for (const body of raw.bodies) for (const p of messageParts(src, h, body, diags)) parts.push(p);
  if (raw.bodies.length === 0) {
    // a flattened message: report the declared encoding only
    const ct = parseContentType(getHeader(h, 'content-type'));
    const cte = getHeader(h, 'content-transfer-encoding');
    if (cte) msg.encoding = cte.trim().toLowerCase();
    if (ct?.params['charset']) msg.charset = ct.params['charset'].toLowerCase();
  }
  for (const part of parts) {
    if (msg.encoding === undefined && part.encoding && !part.attachment) msg.encoding = part.encoding;
    if (msg.charset === undefined && part.charset && !part.attachment) msg.charset = part.charset;
    const view: View = unescapeFromLines(part.view);
    const lines = new Lines(view.text);
    const scan = new DiffScanner(view, lines, diags, budget).scan(0, lines.count);
    for (const f of scan.files) msg.files.push(f);
    msg.quotedDiffsSkipped += scan.quotedDiffs;
    if (!msg.diffstat && !part.attachment) {
      const ds = findDiffstat(view, lines, 0, scan.firstDiffLine >= 0 ? scan.firstDiffLine : lines.count);
      if (ds) msg.diffstat = ds;
    }
    if (!msg.embedded && !part.attachment) {
      const emb = findEmbedded(view, lines);
      if (emb) msg.embedded = emb;
    }
  }

  const si = msg.subject !== undefined ? parseSubject(msg.subject) : undefined;
  if (si) {
    msg.title = si.title;
    if (si.series) msg.series = si.series;
    if (si.version !== undefined) msg.version = si.version;
  }
  const isReply = !!(si?.isReply || raw.replyHint);
  if (isReply) msg.isReply = true;
  msg.kind = kindOf(msg, isReply, si?.isPatch ?? false);
  return msg;
}

function kindOf(msg: Message, isReply: boolean, isPatchSubject: boolean): MessageKind {
  const cover = !isReply && msg.series?.index === 0;
  if (cover) return 'cover';
  if (msg.files.length > 0) return 'patch';
  if (isReply) return 'reply';
  if (isPatchSubject) return 'patch';
  return 'plain';
}

function decodeHeader(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  return decodeEncodedWords(v).replace(/\s+/g, ' ').trim();
}

const FORMAT_PATCH_FROM = /^From [0-9a-f]{7,40} Mon Sep 17 00:00:00 2001\s*$/;

/**
 * A format-patch header block inside a body: after a `From <sha> Mon Sep 17
 * 00:00:00 2001` line, or a `From:` block at the top of the body (git
 * send-email's in-body From for a patch by someone else).
 */
function findEmbedded(view: View, lines: Lines): EmbeddedHeaders | undefined {
  let firstText = -1;
  for (let i = 0; i < lines.count; i++) {
    if (firstText < 0 && !lines.blank(i)) firstText = i;
    const c = lines.c0(i);
    if (c !== 70 /* F */) continue;
    if (lines.len(i) < 200 && lines.startsWith(i, 'From ') && FORMAT_PATCH_FROM.test(lines.line(i))) {
      const hb = parseHeaderBlock(lines, i + 1, Math.min(lines.count, i + 200));
      const e = embeddedFrom(hb.headers);
      if (e) return { ...e, span: view.span(lines.starts[i], lines.ends[Math.max(i, hb.end - 1)]) };
    }
    if (i === firstText && lines.startsWith(i, 'From: ')) {
      const hb = parseHeaderBlock(lines, i, Math.min(lines.count, i + 20));
      const names = hb.headers.map((x) => x.name);
      if (names.every((n) => n === 'from' || n === 'date' || n === 'subject') && (hb.end >= lines.count || lines.blank(hb.end))) {
        const e = embeddedFrom(hb.headers);
        if (e) return { ...e, span: view.span(lines.starts[i], lines.ends[Math.max(i, hb.end - 1)]) };
      }
    }
  }
  return undefined;
}

function embeddedFrom(headers: Header[]): Omit<EmbeddedHeaders, 'span'> | undefined {
  const from = getHeader(headers, 'from');
  const subject = getHeader(headers, 'subject');
  if (from === undefined && subject === undefined) return undefined;
  const out: Omit<EmbeddedHeaders, 'span'> = {};
  const a = from !== undefined ? displayName(from) : undefined;
  if (a) out.author = a;
  const d = getHeader(headers, 'date');
  if (d) out.date = d;
  if (subject) out.subject = decodeHeader(subject);
  return out;
}
