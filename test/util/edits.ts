/** Apply LSP-style text edits (0-based line/character ranges) to a text, as an editor would. */
import { LineIndex } from 'mm-review-server/util/lineIndex';

export interface Edit {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  newText: string;
}

export function applyEdits(text: string, edits: readonly Edit[]): string {
  const idx = new LineIndex(text);
  let out = text;
  // from the end, so earlier offsets stay valid
  for (const e of [...edits].sort((a, b) => idx.offsetAt(b.range.start) - idx.offsetAt(a.range.start))) {
    out = out.slice(0, idx.offsetAt(e.range.start)) + e.newText + out.slice(idx.offsetAt(e.range.end));
  }
  return out;
}
