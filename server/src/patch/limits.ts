/**
 * Bounds that keep a pathological document (a 50 MB hunk of one-character
 * lines, a million identical bad headers) from exhausting memory or flooding
 * an editor with diagnostics. Real patches are orders of magnitude below them.
 */
import type { ParseDiagnostic, Span } from './model';

/** Diagnostics kept per code; the rest are counted in one summary diagnostic. */
export const MAX_DIAGNOSTICS_PER_CODE = 2000;
/** Hunk lines built per document; diffs beyond are not parsed (one warning). */
export const MAX_HUNK_LINES = 2_000_000;

export interface DiagSink {
  push(d: ParseDiagnostic): void;
}

export class CappedDiagnostics implements DiagSink {
  readonly list: ParseDiagnostic[] = [];
  private readonly counts = new Map<string, { n: number; last: Span }>();

  constructor(private readonly max = MAX_DIAGNOSTICS_PER_CODE) {}

  push(d: ParseDiagnostic): void {
    const c = this.counts.get(d.code);
    if (!c) this.counts.set(d.code, { n: 1, last: d.span });
    else {
      c.n++;
      c.last = d.span;
    }
    if (!c || c.n <= this.max) this.list.push(d);
  }

  /** The kept diagnostics plus one summary per capped code. */
  finish(): ParseDiagnostic[] {
    for (const [code, c] of this.counts) {
      if (c.n <= this.max) continue;
      this.list.push({
        code,
        severity: 'info',
        message: `${c.n - this.max} more "${code}" diagnostics were not reported (${c.n} in all).`,
        span: { start: c.last.start, end: c.last.end },
      });
    }
    return this.list;
  }
}

/** Shared budget of hunk lines for one document. */
export class Budget {
  exhausted = false;
  constructor(public hunkLines = MAX_HUNK_LINES) {}
}

export interface ParseOptions {
  /** Hunk lines built per document (default 2,000,000). */
  maxHunkLines?: number;
  /** Diagnostics kept per code (default 2,000). */
  maxDiagnosticsPerCode?: number;
}
