/**
 * Incremental re-parse for the language server's keystroke path.
 *
 * A review document is usually an mbox series: many independent messages. On
 * an edit inside one message only that message is parsed again; the others
 * keep their objects (and so their rebuilt functions, parse trees and CFGs),
 * with their offsets shifted in place by the edit's length change. Anything
 * that could change the message structure (an edit touching a message's first
 * line or a boundary, a format other than mbox, a chunk that no longer parses
 * as exactly one message) falls back to a full parse. `test/engine/
 * incremental.test.ts` checks the result equals a full parse on many edits.
 *
 * Hand-written because no library knows this model's offsets.
 */
import { parseDocument } from '../patch/parse';
import { placeHunks } from '../patch/placement';
import type { Message, ParsedDocument } from '../patch/model';
import { commonEnds } from '../util/text';

export interface Reparse {
  doc: ParsedDocument;
  /** Messages that were parsed again (all of them after a full parse). */
  changed: Set<Message>;
  full: boolean;
  /** Why a full parse was needed (for tests and the server log). */
  reason?: string;
  /** The edit, when not a full parse: [start, oldEnd) of the previous text became [start, newEnd) of this one. */
  edit?: { start: number; oldEnd: number; newEnd: number };
}

/** Marks an object as already shifted in the current pass (symbol keys are invisible to JSON and for-in). */
const SHIFTED = Symbol('mm-review.shifted');
let pass = 0;

/** Start a shifting pass: objects reached twice in one pass (shared spans) are shifted once. */
export function newShiftPass(): number {
  return ++pass;
}

/** What shiftOffsets() changes under a root: its spans and its segments, each object once. */
interface Shiftable {
  spans: { start: number; end: number }[];
  segs: { off: number }[];
}
/**
 * Per root object (a message, a diagnostic), collected on its first shift:
 * a keystroke shifts every later message of the series, and walking their
 * whole object graphs each time (allocating a key list per object) was ~8 ms
 * per edit on a 50k-line series. A message's objects do not change once
 * parsed (placement only replaces line-number records, which hold no offsets).
 */
const shiftables = new WeakMap<object, Shiftable>();

function collect(root: unknown): Shiftable {
  const out: Shiftable = { spans: [], segs: [] };
  const seen = new Set<object>();
  const stack: unknown[] = [root];
  while (stack.length) {
    const o = stack.pop() as (Record<string | symbol, unknown> & object) | null | undefined;
    if (!o || typeof o !== 'object' || seen.has(o)) continue;
    seen.add(o);
    if (Array.isArray(o)) {
      for (const x of o) if (x && typeof x === 'object') stack.push(x);
      continue;
    }
    if (typeof o.start === 'number' && typeof o.end === 'number' && o.off === undefined && Object.keys(o).length === 2) {
      out.spans.push(o as unknown as { start: number; end: number });
      continue;
    }
    if (typeof o.off === 'number' && typeof o.offLen === 'number') {
      out.segs.push(o as unknown as { off: number });
      continue;
    }
    for (const k in o) {
      const v = o[k];
      if (v && typeof v === 'object') stack.push(v);
    }
  }
  return out;
}

/**
 * Shift every document offset in `root` (spans' start/end, segments' off) by
 * delta, each object once per pass (objects shared by two roots are shifted
 * once). A pass mark on the objects instead of a visited set keeps the
 * keystroke path from allocating one set per edit.
 */
export function shiftOffsets(root: unknown, delta: number, passId: number = newShiftPass()): void {
  if (delta === 0 || !root || typeof root !== 'object') return;
  let c = shiftables.get(root);
  if (!c) shiftables.set(root, (c = collect(root)));
  for (const o of c.spans) {
    const m = o as unknown as Record<symbol, number>;
    if (m[SHIFTED] === passId) continue;
    m[SHIFTED] = passId;
    o.start += delta;
    o.end += delta;
  }
  for (const o of c.segs) {
    const m = o as unknown as Record<symbol, number>;
    if (m[SHIFTED] === passId) continue;
    m[SHIFTED] = passId;
    o.off += delta;
  }
}

/** A string with its own storage (not a slice of a larger one): a flattened concatenation, minus its first character. */
function ownCopy(s: string): string {
  return (' ' + s).slice(1);
}

function full(text: string, uri: string, reason = 'first parse'): Reparse {
  const doc = parseDocument(text, uri);
  return { doc, changed: new Set(doc.messages), full: true, reason };
}

/**
 * Parse `text`, reusing `prev` where an edit left messages untouched. `edit`: where the text differs
 * from prev's ([start, oldEnd) of prev's text became [start, newEnd)), when the caller knows it (the
 * language server's content changes); any range covering the change will do. Else the texts are compared.
 */
export function reparse(prev: ParsedDocument | undefined, text: string, uri = '', edit?: { start: number; oldEnd: number; newEnd: number }): Reparse {
  if (!prev || prev.format !== 'mbox' || prev.messages.length < 2) return full(text, uri, prev ? 'not an mbox series' : undefined);
  const old = prev.text;
  const msgs = prev.messages;
  // messages must tile the document for the chunk arithmetic below
  for (let i = 1; i < msgs.length; i++) if (msgs[i].span.start !== msgs[i - 1].span.end) return full(text, uri, 'messages do not tile');
  if (msgs[0].span.start !== 0 || msgs[msgs.length - 1].span.end !== old.length) return full(text, uri, 'messages do not tile');

  // the changed region: [p, old.length - s) in the old text, [p, text.length - s) in the new one
  const known = edit && edit.start >= 0 && edit.start <= edit.oldEnd && edit.start <= edit.newEnd && edit.newEnd <= text.length && old.length - edit.oldEnd === text.length - edit.newEnd;
  const { prefix: p, suffix: s } = known ? { prefix: edit.start, suffix: text.length - edit.newEnd } : commonEnds(old, text);
  if (p === old.length && p === text.length) return { doc: { ...prev, text, uri }, changed: new Set(), full: false, edit: { start: p, oldEnd: p, newEnd: p } };
  const oldEnd = old.length - s;
  const delta = text.length - old.length;

  const k = msgs.findIndex((m) => m.span.start <= p && oldEnd <= m.span.end);
  if (k < 0) return full(text, uri, 'edit spans messages');
  const m = msgs[k];
  // keep clear of the message's first line (the mbox `From ` separator) and of its last character
  const firstLineEnd = old.indexOf('\n', m.span.start);
  if (firstLineEnd < 0 || p <= firstLineEnd || oldEnd >= m.span.end) return full(text, uri, 'edit on a message boundary');
  const newEnd = m.span.end + delta;
  // a copy, not a slice: V8's slice of the document would keep this whole version of the text alive
  // for as long as any string of the message's parse (hunk lines, origins) lives, one full text per
  // edited message of a long session (issue 11: +1 MB per edit on a 50k-line series)
  const chunk = ownCopy(text.slice(m.span.start, newEnd));
  if (/\nFrom /.test(text.slice(p, text.length - s))) return full(text, uri, 'new message separator');

  const part = parseDocument(chunk, uri);
  if (part.format !== 'mbox' || part.messages.length !== 1) return full(text, uri, 'chunk is not one message');
  const fresh = part.messages[0];
  if (fresh.span.start !== 0 || fresh.span.end !== chunk.length) return full(text, uri, 'chunk is not one message');
  shiftOffsets(part, m.span.start);
  fresh.index = k;

  const messages = msgs.slice();
  messages[k] = fresh;
  const passId = newShiftPass();
  for (let i = k + 1; i < messages.length; i++) shiftOffsets(messages[i], delta, passId);
  const before = prev.diagnostics.filter((d) => d.span.end <= m.span.start && d.span.start < m.span.start);
  const after = prev.diagnostics.filter((d) => d.span.start >= m.span.end);
  if (before.length + after.length + prev.diagnostics.filter((d) => d.span.start >= m.span.start && d.span.start < m.span.end).length !== prev.diagnostics.length) {
    return full(text, uri, 'a diagnostic spans messages');
  }
  for (const d of after) shiftOffsets(d, delta, passId);
  const diagnostics = [...before, ...part.diagnostics, ...after].sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
  const doc: ParsedDocument = { uri, format: prev.format, text, messages, diagnostics };
  // the edited message may move the hunks of the later patches of its series (git-am placement):
  // the messages whose line numbers changed are rebuilt too
  const changed = new Set<Message>([fresh]);
  // only the edited message's series chain, when the edit left what chains messages alone
  const sameChain = (a: Message, b: Message) =>
    a.kind === b.kind && !!a.isReply === !!b.isReply && (a.files.length > 0) === (b.files.length > 0) && a.version === b.version && JSON.stringify(a.series) === JSON.stringify(b.series);
  for (const m2 of placeHunks(doc, sameChain(m, fresh) ? k : undefined)) changed.add(m2);
  return { doc, changed, full: false, edit: { start: p, oldEnd, newEnd: text.length - s } };
}
