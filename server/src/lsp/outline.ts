/**
 * The outline of an analysed document: messages → files → hunks → functions.
 * A function's symbol covers the function's own lines in that hunk (not the
 * whole hunk), and its selection is its declaration when the hunk shows it:
 * a click lands on the function, and the editor counts each function's
 * problems on its own lines. A function over several hunks appears under
 * each, with its part of each.
 */
import { SymbolKind, type DocumentSymbol } from 'vscode-languageserver/node';
import type { Analysis } from '../engine/index';
import { summarize } from '../engine/summary';
import type { Hunk, Span } from '../patch/model';
import type { LineIndex, Range } from '../util/lineIndex';

/** A function the engine rebuilt (the lsp layer does not import the C model itself). */
type RebuiltFunction = Analysis['functions'][number];

interface Part {
  fn: RebuiltFunction;
  start: number;
  end: number;
  /** The declaration line's span, when this hunk shows it. */
  decl?: Span;
}

/** Each function's extent in each hunk (both sides: removed lines are the function's too). */
function partsByHunk(a: Analysis): Map<Hunk, Part[]> {
  const out = new Map<Hunk, Part[]>();
  for (const fn of a.functions) {
    const mine = new Map<Hunk, Part>();
    for (const img of [fn.post, fn.pre]) {
      if (!img) continue;
      img.origin.forEach((o, i) => {
        if (o.kind !== 'patch') return;
        let p = mine.get(o.hunk);
        if (!p) mine.set(o.hunk, (p = { fn, start: o.line.span.start, end: o.line.span.end }));
        p.start = Math.min(p.start, o.line.span.start);
        p.end = Math.max(p.end, o.line.span.end);
        if (i === img.headerLine && !p.decl) p.decl = o.line.span;
      });
    }
    for (const [h, p] of mine) {
      let l = out.get(h);
      if (!l) out.set(h, (l = []));
      l.push(p);
    }
  }
  for (const l of out.values()) l.sort((x, y) => x.start - y.start);
  return out;
}

export function outline(a: Analysis): DocumentSymbol[] {
  const s = summarize(a.doc);
  const idx: LineIndex = a.index;
  const rng = (sp: Span): Range => idx.rangeOf(sp.start, sp.end);
  const sym = (name: string, kind: SymbolKind, sp: Span, detail: string | undefined, children: DocumentSymbol[] = [], sel?: Span): DocumentSymbol => {
    const range = rng(sp);
    const selectionRange = sel ? rng(sel) : { start: range.start, end: range.start };
    return { name: name || '(unnamed)', kind, range, selectionRange, detail, children };
  };
  const parts = partsByHunk(a);
  return s.messages.map((m, mi) =>
    sym(
      m.subject ?? `message ${m.index + 1}`,
      SymbolKind.Module,
      m.span,
      m.author,
      m.files.map((f, fi) =>
        sym(
          f.newPath ?? f.oldPath ?? '(unknown)',
          SymbolKind.File,
          f.span,
          f.status,
          f.hunks.map((h, hi) => {
            const hunk = a.doc.messages[mi]?.files[fi]?.hunks[hi];
            const own = hunk ? parts.get(hunk) ?? [] : [];
            // the functions the analysis rebuilt, on their own lines; when it rebuilt none here (not C, over the
            // budget), the names the hunk shows, on the hunk
            const fns = own.length
              ? own.map((p) => sym(p.fn.name, SymbolKind.Function, { start: Math.max(p.start, h.span.start), end: Math.min(p.end, h.span.end) }, p.fn.change, [], p.decl ?? { start: p.start, end: p.start }))
              : h.functions.map((x) => sym(x.name, SymbolKind.Function, h.span, x.change));
            return sym(`@@ -${h.oldStart},${h.oldCount} +${h.newStart},${h.newCount} @@`, SymbolKind.Namespace, h.span, h.section || undefined, fns);
          }),
        ),
      ),
    ),
  );
}
