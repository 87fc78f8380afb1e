/**
 * Quick fixes as edits of the patch the user has open.
 *
 * Rules propose edits of the C function image ("insert `unpin_user_pages(pages,
 * pinned);` before this return"). The document is a diff, so an edit must stay
 * a valid diff: new lines become `+` lines, a changed context line becomes a
 * `-` line plus `+` lines, and the hunk header's new-side count follows. Lines
 * whose text does not map 1:1 onto the document (quoted-printable, repaired
 * mail damage) get no fix: rewriting them verbatim could corrupt the mail.
 */
import type { TextEdit } from './findings';
import type { LineIndex } from '../util/lineIndex';
import type { RawEdit, Unit } from '../rules/api';

const HUNK_HEADER = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

export function toPatchEdits(text: string, index: LineIndex, unit: Unit, e: RawEdit): TextEdit[] | null {
  const o = unit.image.origin[e.at.line];
  if (!o || o.kind !== 'patch') return null;
  const hl = o.line;
  if (hl.kind === 'del') return null;
  // The physical line(s) of this hunk line in the document, marker included. Repaired
  // mail damage (wrapped lines, expanded tabs) is replaced by the clean line; encoded
  // text (quoted-printable escapes, base64) is left alone: its bytes are not the line.
  const span = hl.span;
  const physical = text.slice(span.start, span.end);
  const squash = (x: string) => x.replace(/\s+/g, '');
  if (/=[0-9A-F]{2}|=\r?$/m.test(physical) || squash(physical.slice(1)) !== squash(hl.text)) return null;
  const imageLine = unit.image.text.split('\n')[e.at.line];
  if (imageLine !== hl.text || e.at.endCol < e.at.col || e.at.endCol > hl.text.length) return null;

  const eol = text.slice(span.end, span.end + 2) === '\r\n' || physical.includes('\r\n') ? '\r\n' : '\n';
  const newLines = (hl.text.slice(0, e.at.col) + e.newText + hl.text.slice(e.at.endCol)).split('\n');
  const added = '+' + newLines.join(`${eol}+`);
  const replacement = hl.kind === 'add' ? added : `-${hl.text}${eol}${added}`;
  const end = physical.endsWith('\r\n') ? span.end - 2 : physical.endsWith('\n') ? span.end - 1 : span.end;
  const edits: TextEdit[] = [{ range: index.rangeOf(span.start, end), newText: replacement }];

  const delta = newLines.length - 1;
  if (delta !== 0) {
    const hs = o.hunk.headerSpan;
    const header = text.slice(hs.start, hs.end);
    const m = HUNK_HEADER.exec(header);
    if (!m) return null; // a repaired (wrapped) header: leave the patch alone
    const newCount = (m[4] === undefined ? 1 : Number(m[4])) + delta;
    const start = hs.start + m[0].indexOf(' +');
    const old = ` +${m[3]}${m[4] === undefined ? '' : ',' + m[4]}`;
    edits.push({ range: index.rangeOf(start, start + old.length), newText: ` +${m[3]},${newCount}` });
  }
  return edits;
}
