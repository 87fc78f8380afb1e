/** The outline of an analysed document: messages → files → hunks → functions. */
import { SymbolKind, type DocumentSymbol } from 'vscode-languageserver/node';
import type { Analysis } from '../engine/index';
import { summarize } from '../engine/summary';
import type { Span } from '../patch/model';
import type { LineIndex, Range } from '../util/lineIndex';

export function outline(a: Analysis): DocumentSymbol[] {
  const s = summarize(a.doc);
  const idx: LineIndex = a.index;
  const rng = (sp: Span): Range => idx.rangeOf(sp.start, sp.end);
  const sym = (name: string, kind: SymbolKind, sp: Span, detail: string | undefined, children: DocumentSymbol[] = [], sel?: Span): DocumentSymbol => {
    const range = rng(sp);
    const selectionRange = sel ? rng(sel) : { start: range.start, end: range.start };
    return { name: name || '(unnamed)', kind, range, selectionRange, detail, children };
  };
  return s.messages.map((m) =>
    sym(
      m.subject ?? `message ${m.index + 1}`,
      SymbolKind.Module,
      m.span,
      m.author,
      m.files.map((f) =>
        sym(
          f.newPath ?? f.oldPath ?? '(unknown)',
          SymbolKind.File,
          f.span,
          f.status,
          f.hunks.map((h) =>
            sym(
              `@@ -${h.oldStart},${h.oldCount} +${h.newStart},${h.newCount} @@`,
              SymbolKind.Namespace,
              h.span,
              h.section || undefined,
              h.functions.map((fn) => sym(fn.name, SymbolKind.Function, h.span, fn.change)),
            ),
          ),
        ),
      ),
    ),
  );
}
