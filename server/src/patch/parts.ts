/**
 * MIME structure: which parts of a message carry text to read.
 *
 *   multipart/alternative -> its text/plain part (HTML is never read);
 *   multipart/mixed, /signed, /related -> every readable part, in order;
 *   text/plain -> body text (inline or attached);
 *   text/x-patch, text/x-diff, application/x-patch, or any attachment named
 *     *.patch / *.diff -> an attached diff;
 *   message/rfc822 -> the forwarded message's own parts.
 *
 * Each readable part comes out as a View (decoded, offsets preserved).
 */
import type { Span } from './model';
import type { DiagSink } from './limits';
import { getHeader, parseContentType, parseHeaderBlock, partFilename, type ContentType, type Header } from './headers';
import { decodeBody, decodeFlowed } from './mime';
import { Lines, View } from './view';

export interface Part {
  view: View;
  attachment: boolean;
  filename?: string;
  contentType: string;
  encoding?: string;
  charset?: string;
}

const DIFF_TYPES = new Set(['text/x-patch', 'text/x-diff', 'text/x-diff-patch', 'application/x-patch', 'application/x-diff', 'text/diff', 'text/patch']);
const MAX_DEPTH = 8;

export function messageParts(doc: string, headers: Header[], body: Span, diags: DiagSink, depth = 0): Part[] {
  const ct = parseContentType(getHeader(headers, 'content-type'));
  const type = ct ? `${ct.type}/${ct.subtype}` : 'text/plain';
  const cte = (getHeader(headers, 'content-transfer-encoding') ?? '').trim().toLowerCase();
  const disposition = (getHeader(headers, 'content-disposition') ?? '').trim().toLowerCase();
  const filename = partFilename(headers, ct);
  const attachment = disposition.startsWith('attachment') || (filename !== undefined && !disposition.startsWith('inline'));

  if (ct?.type === 'multipart' && depth < MAX_DEPTH) {
    const boundary = ct.params['boundary'];
    if (!boundary) {
      diags.push({ code: 'input/mime', severity: 'warning', message: 'multipart message without a boundary; read as plain text.', span: body });
      return [textPart(doc, body, cte, ct, type, false, filename)];
    }
    const subs = splitMultipart(doc, body, boundary);
    if (subs.length === 0) {
      diags.push({ code: 'input/mime', severity: 'warning', message: `MIME boundary "${boundary}" not found; read as plain text.`, span: body });
      return [textPart(doc, body, '', undefined, 'text/plain', false, undefined)];
    }
    const parts: Part[][] = subs.map((s) => messageParts(doc, s.headers, s.body, diags, depth + 1));
    if (ct.subtype === 'alternative') {
      const plain = parts.find((p) => p.length > 0 && p.every((x) => x.contentType === 'text/plain'));
      return plain ?? parts.find((p) => p.length > 0) ?? [];
    }
    return parts.flat();
  }
  if (type === 'message/rfc822' && depth < MAX_DEPTH) {
    const v = View.identity(doc, body.start, body.end);
    const lines = new Lines(v.text);
    const hb = parseHeaderBlock(lines, 0, lines.count, body.start);
    const start = hb.end < lines.count ? body.start + lines.next(hb.end) : body.end;
    return messageParts(doc, hb.headers, { start, end: body.end }, diags, depth + 1);
  }
  if (type === 'text/plain' || DIFF_TYPES.has(type) || (filename !== undefined && /\.(?:patch|diff)$/i.test(filename))) {
    return [textPart(doc, body, cte, ct, type, attachment || DIFF_TYPES.has(type), filename)];
  }
  if (!ct) return [textPart(doc, body, cte, ct, type, false, filename)];
  return [];
}

function textPart(doc: string, body: Span, cte: string, ct: ContentType | undefined, type: string, attachment: boolean, filename: string | undefined): Part {
  const charset = ct?.params['charset'];
  let view = decodeBody(doc, body.start, body.end, cte || '7bit', charset);
  if (ct?.params['format']?.toLowerCase() === 'flowed') view = decodeFlowed(view, (ct.params['delsp'] ?? '').toLowerCase() === 'yes');
  const p: Part = { view, attachment, contentType: type };
  if (filename !== undefined) p.filename = filename;
  if (cte) p.encoding = cte;
  if (charset) p.charset = charset.toLowerCase();
  return p;
}

/** Split a multipart body at `--boundary` lines. */
function splitMultipart(doc: string, body: Span, boundary: string): Array<{ headers: Header[]; body: Span }> {
  const v = View.identity(doc, body.start, body.end);
  const lines = new Lines(v.text);
  const delim = '--' + boundary;
  const marks: Array<{ line: number; close: boolean }> = [];
  for (let i = 0; i < lines.count; i++) {
    if (lines.c0(i) !== 45 || !lines.startsWith(i, delim)) continue;
    const rest = lines.text.slice(lines.starts[i] + delim.length, lines.ends[i]);
    if (/^\s*$/.test(rest)) marks.push({ line: i, close: false });
    else if (/^--\s*$/.test(rest)) marks.push({ line: i, close: true });
  }
  const out: Array<{ headers: Header[]; body: Span }> = [];
  for (let k = 0; k < marks.length; k++) {
    if (marks[k].close) break;
    const a = marks[k].line + 1;
    const b = k + 1 < marks.length ? marks[k + 1].line : lines.count;
    const hb = parseHeaderBlock(lines, a, b, body.start);
    const bodyStartLine = hb.end < b && lines.blank(hb.end) ? hb.end + 1 : hb.end;
    const start = body.start + (bodyStartLine < lines.count ? lines.starts[bodyStartLine] : lines.text.length);
    // the line break before the next delimiter belongs to the delimiter
    let end = body.start + (b < lines.count ? lines.starts[b] : lines.text.length);
    if (b < lines.count && end > start) {
      end--;
      if (end > start && doc.charCodeAt(end - 1) === 13) end--;
    }
    out.push({ headers: hb.headers, body: { start: Math.min(start, end), end } });
  }
  return out;
}
