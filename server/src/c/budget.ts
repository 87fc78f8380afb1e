/**
 * Budgets instead of hopes: how much C one document may make the engine
 * rebuild, parse and analyse. Memory and time grow with the C text parsed
 * (tree-sitter trees, CFGs and rule states are kept for the rules), once per
 * preprocessor configuration, so that is what is counted:
 *
 *  - per function: an image (pre or post) of more than `maxFunctionLines`
 *    lines or `maxFunctionBytes` bytes is not rebuilt (a 1,000,000-line hunk,
 *    a 10 MB line); the function is skipped with a located diagnostic;
 *  - per document: at most `maxFunctions` functions and `maxWork` work units
 *    (image lines x configurations); the functions after the budget runs out
 *    are skipped, with one located diagnostic at the first of them.
 *
 * Real code is far below: the longest function of mm/ is ~700 lines; the
 * 73,893-line series of bench/check (1,443 mails, 1,651 functions) uses
 * 36,231 work units. A unit costs 6-11 KB of memory (trees, CFGs, states):
 * 250,000 units is about 7x that series and stays under ~2.5 GB.
 */
import type { FilePatch, Hunk, Message } from '../patch/model';
import type { RebuiltFunction } from './model';

export interface RebuildLimits {
  maxFunctionLines: number;
  maxFunctionBytes: number;
  maxFunctions: number;
  maxWork: number;
}

export const DEFAULT_LIMITS: Readonly<RebuildLimits> = {
  maxFunctionLines: 10_000,
  maxFunctionBytes: 512 * 1024,
  maxFunctions: 10_000,
  maxWork: 250_000,
};

export type SkipReason = 'function-lines' | 'function-bytes' | 'functions' | 'work';

/** A function that was not rebuilt, and why. */
export interface SkippedFunction {
  name: string;
  message: Message;
  file: FilePatch;
  /** Where to report it: the function's first hunk. */
  hunk: Hunk | undefined;
  reason: SkipReason;
  /** Lines and bytes of its larger image (for the per-function reasons). */
  lines: number;
  bytes: number;
}

/** Raised by `RebuildBudget.check()` when the caller abandoned the analysis (a newer edit in the editor). */
export class AnalysisCancelled extends Error {
  constructor() {
    super('analysis cancelled');
  }
}

export class RebuildBudget {
  readonly limits: RebuildLimits;
  /** Functions rebuilt so far. */
  functions = 0;
  /** Work units used so far (image lines x configurations). */
  work = 0;
  /** Functions not rebuilt: per-function caps, and everything after the document budget ran out. */
  readonly skipped: SkippedFunction[] = [];
  /** Why the document budget ran out (then every later function is skipped), if it did. */
  exhausted: 'functions' | 'work' | undefined;

  constructor(limits: Partial<RebuildLimits> = {}, private readonly cancelled?: () => boolean) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  /** Throws AnalysisCancelled when the caller gave up on this analysis. */
  check(): void {
    if (this.cancelled?.()) throw new AnalysisCancelled();
  }

  /**
   * May a function with these images be rebuilt? Returns false (and records
   * the skip) when it is over a per-function cap or the document budget is
   * spent. `lines` and `bytes` are the larger image's (bytes: UTF-16 code
   * units); `estimate` is the work it will take at least (its lines, both sides).
   */
  admit(fn: Omit<SkippedFunction, 'reason'>, estimate = fn.lines): boolean {
    this.check();
    const l = this.limits;
    let reason: SkipReason | undefined;
    if (this.exhausted) reason = this.exhausted;
    else if (fn.lines > l.maxFunctionLines) reason = 'function-lines';
    else if (fn.bytes > l.maxFunctionBytes) reason = 'function-bytes';
    else if (this.functions >= l.maxFunctions) reason = this.exhausted = 'functions';
    else if (this.work + estimate > l.maxWork) reason = this.exhausted = 'work';
    if (!reason) return true;
    this.skipped.push({ ...fn, reason });
    return false;
  }

  /** A function was rebuilt: count it and its work. */
  spend(fn: RebuiltFunction): void {
    this.functions++;
    this.work += functionWork(fn);
  }
}

/** Work of a rebuilt function: image lines x configurations, both sides. */
export function functionWork(fn: RebuiltFunction): number {
  let w = 0;
  for (const img of [fn.pre, fn.post]) if (img) w += img.origin.length * img.variants.length;
  return w;
}

/** Lines and bytes of a list of text lines (the larger side's, for `admit`). */
export function sizeOf(lines: readonly { text: string }[]): { lines: number; bytes: number } {
  let bytes = 0;
  for (const l of lines) bytes += l.text.length + 1;
  return { lines: lines.length, bytes };
}
