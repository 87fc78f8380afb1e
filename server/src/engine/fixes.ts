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
import type { Hunk } from '../patch/model';

const HUNK_HEADER = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

/**
 * The document edits for one quick fix (all of its image edits together, so
 * that several edits in one hunk update its header count once).
 */
export function toPatchEdits(text: string, index: LineIndex, unit: Unit, raw: readonly RawEdit[]): TextEdit[] | null {
  const byLine = new Map<number, RawEdit[]>();
  for (const e of raw) {
    const l = byLine.get(e.at.line);
    if (l) l.push(e);
    else byLine.set(e.at.line, [e]);
  }
  const edits: TextEdit[] = [];
  const deltas = new Map<Hunk, number>();
  const imageLines = unit.image.text.split('\n');
  for (const [line, group] of byLine) {
    const o = unit.image.origin[line];
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
    if (imageLines[line] !== hl.text) return null;
    // apply this line's edits right to left; overlapping edits make no fix
    let lineText = hl.text;
    let limit = Infinity;
    for (const e of [...group].sort((x, y) => y.at.col - x.at.col)) {
      if (e.at.endCol < e.at.col || e.at.endCol > hl.text.length || e.at.endCol > limit) return null;
      lineText = lineText.slice(0, e.at.col) + e.newText + lineText.slice(e.at.endCol);
      limit = e.at.col;
    }
    const eol = text.slice(span.end, span.end + 2) === '\r\n' || physical.includes('\r\n') ? '\r\n' : '\n';
    const newLines = lineText.split('\n');
    const added = '+' + newLines.join(`${eol}+`);
    const replacement = hl.kind === 'add' ? added : `-${hl.text}${eol}${added}`;
    const end = physical.endsWith('\r\n') ? span.end - 2 : physical.endsWith('\n') ? span.end - 1 : span.end;
    edits.push({ range: index.rangeOf(span.start, end), newText: replacement });
    deltas.set(o.hunk, (deltas.get(o.hunk) ?? 0) + newLines.length - 1);
  }
  for (const [hunk, delta] of deltas) {
    if (delta === 0) continue;
    const hs = hunk.headerSpan;
    const m = HUNK_HEADER.exec(text.slice(hs.start, hs.end));
    if (!m) return null; // a repaired (wrapped) header: leave the patch alone
    const newCount = (m[4] === undefined ? 1 : Number(m[4])) + delta;
    const start = hs.start + m[0].indexOf(' +');
    const old = ` +${m[3]}${m[4] === undefined ? '' : ',' + m[4]}`;
    edits.push({ range: index.rangeOf(start, start + old.length), newText: ` +${m[3]},${newCount}` });
  }
  return edits;
}
