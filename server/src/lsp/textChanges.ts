/**
 * Where an open document's text changed, taken from the `didChange` content
 * changes themselves (the editor says which range it replaced), so that the
 * text posted to the analysis worker is a change of the text posted before
 * (analysisWorker.ts TextEdit) without comparing the two texts: on a
 * 5k-line series that comparison (util/text.ts commonEnds) was ~1.3 ms of the
 * message loop per keystroke, and the worker did it once more.
 *
 * Per document, the changes since a *base* text are composed into one range
 * ([start, oldEnd) of the base became [start, newEnd) of the current text).
 * `take(uri, before, text)` answers only when `before` is that base and
 * `text` the current text (the range then describes exactly that change);
 * otherwise the caller compares the texts as before. The range may be wider
 * than the characters that really differ (an editor may replace a line with
 * itself): the keystroke path accepts any range that covers the change.
 */
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver';
import type { TextEdit } from './analysisWorker';

interface Composed {
  base: string;
  text: string;
  /** Nothing changed since the base. */
  empty: boolean;
  start: number;
  oldEnd: number;
  newEnd: number;
}

const composed = new Map<string, Composed>();

/** Fold the replacement of [s, e) of the current text by `len` characters into the composed range. */
function fold(c: Composed, s: number, e: number, len: number): void {
  if (c.empty) {
    c.empty = false;
    c.start = s;
    c.oldEnd = e;
    c.newEnd = s + len;
    return;
  }
  const delta = c.newEnd - c.oldEnd; // of a current offset after the composed range, against the base
  const start = Math.min(c.start, s);
  const oldEnd = Math.max(c.oldEnd, e >= c.newEnd ? e - delta : c.oldEnd);
  const newEnd = Math.max(c.newEnd, e) + len - (e - s);
  c.start = start;
  c.oldEnd = oldEnd;
  c.newEnd = newEnd;
}

/**
 * TextDocument.update (the TextDocuments configuration), recording the range of each change: offsets
 * made as update() makes them (each change against the text the changes before it left; a reversed
 * range is made well-formed).
 */
export function updateTracked(doc: TextDocument, changes: TextDocumentContentChangeEvent[], version: number): TextDocument {
  const before = doc.getText();
  let c = composed.get(doc.uri);
  if (!c || c.text !== before) c = { base: before, text: before, empty: true, start: 0, oldEnd: 0, newEnd: 0 };
  for (const ch of changes) {
    const range = 'range' in ch && ch.range ? ch.range : undefined;
    if (range) {
      const a = doc.offsetAt(range.start);
      const b = doc.offsetAt(range.end);
      doc = TextDocument.update(doc, [ch], version);
      fold(c, Math.min(a, b), Math.max(a, b), ch.text.length);
    } else {
      const old = doc.getText().length;
      doc = TextDocument.update(doc, [ch], version);
      fold(c, 0, old, doc.getText().length);
    }
  }
  if (changes.length === 0) doc = TextDocument.update(doc, changes, version);
  c.text = doc.getText();
  composed.set(doc.uri, c);
  return doc;
}

/** The documents' configuration for TextDocuments: TextDocument's, with the changes recorded. */
export const trackedTextDocument = { create: TextDocument.create, update: updateTracked };

/**
 * The change from `before` to `text` when the recorded changes say it (`before` the base they were
 * composed on, `text` the document's text after them); `text` is then the base of the next changes.
 * Undefined otherwise (compare the texts).
 */
export function takeChange(uri: string, before: string, text: string): TextEdit | undefined {
  const c = composed.get(uri);
  if (!c || c.text !== text || c.base !== before) return undefined;
  const e: TextEdit = c.empty ? { start: 0, end: 0, text: '', length: text.length } : { start: c.start, end: c.oldEnd, text: text.slice(c.start, c.newEnd), length: text.length };
  // a last check of the arithmetic: the lengths must add up
  const ok = e.start >= 0 && e.start <= e.end && e.end <= before.length && before.length - (e.end - e.start) + e.text.length === text.length;
  c.base = text;
  c.empty = true;
  c.start = c.oldEnd = c.newEnd = 0;
  return ok ? e : undefined;
}

/** A closed document: forget its changes. */
export function forgetChanges(uri: string): void {
  composed.delete(uri);
}
