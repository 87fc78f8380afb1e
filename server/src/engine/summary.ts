/**
 * The structure of a parsed document, as `mm-review parse` prints it and the
 * language server's documentSymbol outline shows it: messages → files →
 * hunks → functions touched.
 */
import type { ParsedDocument, Span } from '../patch/model';
import { functionsTouched } from '../c/rebuild';

export interface HunkSummary {
  oldStart: number;
  oldCount: number;
  newStart: number;
  newCount: number;
  section: string;
  functions: { name: string; change: string }[];
  repairs: { kind: string; message: string }[];
  span: Span;
}

export interface FileSummary {
  oldPath: string | null;
  newPath: string | null;
  status: string;
  binary: boolean;
  hunks: HunkSummary[];
  span: Span;
}

export interface MessageSummary {
  index: number;
  kind: string;
  subject?: string;
  author?: string;
  date?: string;
  series?: { version?: number; index: number; total: number };
  files: FileSummary[];
  quotedDiffsSkipped: number;
  span: Span;
}

export interface DocumentSummary {
  uri: string;
  format?: string;
  messages: MessageSummary[];
  diagnostics: { code: string; severity: string; message: string; span: Span }[];
}

export function summarize(doc: ParsedDocument): DocumentSummary {
  return {
    uri: doc.uri,
    format: doc.format,
    messages: doc.messages.map((m) => ({
      index: m.index,
      kind: m.kind,
      subject: m.subject,
      author: m.author,
      date: m.date,
      series: m.series,
      quotedDiffsSkipped: m.quotedDiffsSkipped,
      span: m.span,
      files: m.files.map((f) => {
        const end = f.hunks.length ? f.hunks[f.hunks.length - 1] : undefined;
        const lastLine = end?.lines[end.lines.length - 1];
        return {
          oldPath: f.oldPath,
          newPath: f.newPath,
          status: f.status,
          binary: f.binary,
          span: { start: f.headerSpan.start, end: lastLine ? lastLine.span.end : f.headerSpan.end },
          hunks: f.hunks.map((h) => {
            let functions: { name: string; change: string }[] = [];
            try {
              functions = /\.(c|h)$/.test(f.newPath ?? f.oldPath ?? '') ? functionsTouched(h).map((t) => ({ name: t.name, change: t.change })) : [];
            } catch {
              functions = [];
            }
            const last = h.lines[h.lines.length - 1];
            return {
              oldStart: h.oldStart,
              oldCount: h.oldCount,
              newStart: h.newStart,
              newCount: h.newCount,
              section: h.section,
              functions,
              repairs: h.repairs.map((r) => ({ kind: r.kind, message: r.message })),
              span: { start: h.headerSpan.start, end: last ? last.span.end : h.headerSpan.end },
            };
          }),
        };
      }),
    })),
    diagnostics: doc.diagnostics.map((d) => ({ code: d.code, severity: d.severity, message: d.message, span: d.span })),
  };
}

export function formatSummaryText(path: string, s: DocumentSummary): string {
  const out: string[] = [`${path}: ${s.format ?? 'text'}, ${s.messages.length} message(s)`];
  for (const m of s.messages) {
    const head = m.subject ? `"${m.subject}"` : '(no subject)';
    out.push(`  message ${m.index + 1} [${m.kind}] ${head}${m.author ? ` from ${m.author}` : ''}${m.quotedDiffsSkipped ? `, ${m.quotedDiffsSkipped} quoted diff(s) skipped` : ''}`);
    for (const f of m.files) {
      const name = f.status === 'renamed' || f.status === 'copied' ? `${f.oldPath} -> ${f.newPath}` : (f.newPath ?? f.oldPath);
      out.push(`    ${f.status} ${name}${f.binary ? ' (binary)' : ''}`);
      for (const h of f.hunks) {
        const fns = h.functions.map((x) => (x.change === 'modified' ? x.name : `${x.name} (${x.change})`));
        out.push(`      @@ -${h.oldStart},${h.oldCount} +${h.newStart},${h.newCount} @@${h.section ? ' ' + h.section : ''}`);
        if (fns.length) out.push(`        functions: ${fns.join(', ')}`);
        for (const r of h.repairs) out.push(`        repaired (${r.kind}): ${r.message}`);
      }
    }
  }
  for (const d of s.diagnostics) out.push(`  ${d.severity}: ${d.message} [${d.code}]`);
  return out.join('\n') + '\n';
}
