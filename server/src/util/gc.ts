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
 * costs ~30 ms (mark-compact of the ~30 MB that start-up, the catalog and the
 * image cache hold): at 64 MB a run over all 128 mm/*.c files collected after
 * nearly every file and spent ~4 s more CPU; at 80 MB it collects a few times
 * per 24 files. 48 MB (with the CLI's 2 MB semi-spaces) brought the 24 files
 * of issue 11 to a peak of 145–149 MB, but cost 1.1–1.7x the CPU on all
 * 128 mm/*.c files in single paired runs: not adopted (docs/performance.md). Instead `mm-review`
 * runs with --heap-growing-percent=50 (its #! line): V8's own full collections start at 1.5x
 * the live heap, which lowered the 24 files' peak by 20-30 MB at up to ~10 % more CPU.
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

/** This isolate's (thread's) live heap, and the heap it held, after the last collection made here. */
let liveAfterLast = 0;
let committedAfterLast = 0;

/**
 * For a long-running thread (the language server's analysis worker and its
 * message loop): collect when this isolate's heap holds more than `factor`
 * times what was live after the previous collection, or has `slack` bytes
 * more pages than it kept then (and more than `floor` bytes), so that the
 * resident set stays near the live data instead of climbing with the
 * garbage of superseded analyses until V8 decides to look. Meant to run
 * when the editor is quiet, not on the way to an answer.
 *
 * The collection compacts: a full collection alone frees only the pages
 * that hold nothing live, and an editing session leaves the kept analysis
 * spread over many pages (50k-line series: ~70 MB live in ~180 MB of old
 * space after a collection, RSS 340–360 MB after 1,000 edits). V8 compacts
 * on its own only for its memory reducer, ~8 s after the heap stops
 * growing; here `--compact-on-every-full-gc` is switched on for this one
 * collection (node's `v8.setFlagsFromString`, a V8 flag read when a full
 * collection chooses the pages to evacuate; it is process-wide, so a
 * collection another thread makes in that window compacts too, and the flag
 * is set back at once). Costs ~1.5–2× the plain collection's time (a few
 * hundred ms at 50k lines), in the quiet time.
 */
export function collectIfGrown(factor = 2, floor = 48 * 1024 * 1024, slack = 16 * 1024 * 1024): boolean {
  const h = v8.getHeapStatistics();
  const used = h.used_heap_size;
  const committed = h.total_heap_size;
  if (used <= floor && committed <= floor) return false;
  if (used <= liveAfterLast * factor && committed <= committedAfterLast + slack) return false;
  const gc = gcFunction();
  if (!gc) return false;
  v8.setFlagsFromString('--compact-on-every-full-gc');
  try {
    gc();
  } finally {
    v8.setFlagsFromString('--no-compact-on-every-full-gc');
  }
  const after = v8.getHeapStatistics();
  liveAfterLast = after.used_heap_size;
  committedAfterLast = after.total_heap_size;
  return true;
}
