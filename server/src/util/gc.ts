/**
 * A full garbage collection between two documents of a batch (the CLI, the
 * benchmarks): everything one document's analysis built (images, CFGs,
 * dataflow states) is garbage once its findings are out, but it has lived
 * long enough to be promoted, and V8 grows the old generation rather than
 * collect it. Without a collection the heap of a 24-file run climbs to
 * ~150 MB of dead analyses; with one after a document once the heap is large
 * it stays nearer the largest single document (issue 11, docs/performance.md).
 *
 * `gc` is node's own, present when node runs with --expose-gc: the
 * installed `mm-review` and `mm-review-lsp` start node with it (their
 * shebang), and the VS Code client starts the bundled server with it. Started
 * any other way, there is no `gc` and these calls do nothing (the heap is
 * then collected when V8 decides). Nothing is evaluated to reach it.
 */
import * as v8 from 'node:v8';

function gcFunction(): (() => void) | null {
  const g = (globalThis as { gc?: unknown }).gc;
  return typeof g === 'function' ? (g as () => void) : null;
}

/**
 * The heap used (bytes) above which collectIfLarge collects. Each collection
 * costs ~30 ms (mark-compact of the ~25 MB start-up and catalog hold): at
 * 64 MB a run over all 128 mm/*.c files collected after nearly every file and
 * spent ~4 s more CPU; at 80 MB it collects a few times per 24 files (peak
 * RSS 180 MB, 330 MB without) at no measurable CPU cost (docs/performance.md).
 */
export const COLLECT_ABOVE = 80 * 1024 * 1024;

/** Collect now when the JS heap holds more than `above` bytes; true when it did. */
export function collectIfLarge(above = COLLECT_ABOVE): boolean {
  if (process.memoryUsage().heapUsed <= above) return false;
  const gc = gcFunction();
  if (!gc) return false;
  gc();
  return true;
}

/** This isolate's (thread's) live heap after the last collection made here. */
let liveAfterLast = 0;

/**
 * For a long-running thread (the language server's analysis workers): collect
 * when this isolate's heap holds more than `factor` times what was live after
 * the previous collection (and more than `floor` bytes), so the resident set
 * stays near a multiple of the live data instead of climbing with the
 * garbage of superseded analyses until V8 decides to look. Meant to run after
 * an answer is sent, not on the way to it.
 */
export function collectIfGrown(factor = 2, floor = 48 * 1024 * 1024): boolean {
  const used = v8.getHeapStatistics().used_heap_size;
  if (used <= floor || used <= liveAfterLast * factor) return false;
  const gc = gcFunction();
  if (!gc) return false;
  gc();
  liveAfterLast = v8.getHeapStatistics().used_heap_size;
  return true;
}
