/**
 * C-model benchmark (not a test: run it by hand after `npx tsc -b`):
 *
 *   node test/out/c/bench.js [runs]
 *
 * Prints medians of:
 * - rebuild + parse + CFG per function of seed 004's new arch/x86/mm/gup.c
 *   (cold: nothing cached; the cache off), and the CFG alone;
 * - the whole seed 004 thread (5,400 lines, 48 messages): cold, and warm after
 *   a one-character edit inside one function (the language server's keystroke
 *   path: parseDocument + rebuildAll with the cache).
 */
import { parseDocument } from 'mm-review-server/patch/parse';
import { FunctionCache, rebuildAll } from 'mm-review-server/c/rebuild';
import { buildCfg } from 'mm-review-server/c/cfg';
import { functionImage } from 'mm-review-server/c/rebuild';
import { variantRoot } from 'mm-review-server/c/cnode';
import { seed } from './fixtures';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}
function p95(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * 0.95))];
}
const ms = (x: number) => x.toFixed(3).padStart(8) + ' ms';

const runs = Math.max(3, Number(process.argv[2] ?? 21));
const text = seed(4);
const doc = parseDocument(text, 'seed004');

// warm up the parser, the query and the JIT
for (let i = 0; i < 3; i++) rebuildAll(doc, { cache: new FunctionCache() });

// --- per function of arch/x86/mm/gup.c ------------------------------------
const gupMsg = doc.messages.find((m) => m.files.some((f) => f.newPath === 'arch/x86/mm/gup.c'))!;
const gupFile = gupMsg.files.find((f) => f.newPath === 'arch/x86/mm/gup.c')!;
const single = { ...doc, messages: [{ ...gupMsg, files: [gupFile] }] };
const totals: number[] = [];
const cfgTimes: number[] = [];
const mirrorTimes: number[] = [];
let fnCount = 0;
let lineCount = 0;
for (let r = 0; r < runs; r++) {
  const t0 = performance.now();
  const fns = rebuildAll(single, { cache: new FunctionCache() });
  let cfgMs = 0;
  let mirrorMs = 0;
  for (const f of fns) {
    for (const v of f.post!.variants) {
      const a = performance.now();
      variantRoot(v);
      const b = performance.now();
      buildCfg(v);
      cfgMs += performance.now() - b;
      mirrorMs += b - a;
    }
  }
  totals.push(performance.now() - t0);
  cfgTimes.push(cfgMs);
  mirrorTimes.push(mirrorMs);
  fnCount = fns.length;
  lineCount = fns.reduce((n, f) => n + f.post!.text.split('\n').length, 0);
}
console.log(`arch/x86/mm/gup.c: ${fnCount} functions, ${lineCount} lines, ${runs} runs`);
console.log(`  rebuild+parse+CFG, all functions   median ${ms(median(totals))}  per function ${ms(median(totals) / fnCount)}`);
console.log(`  CNode mirror (tree copy)            median ${ms(median(mirrorTimes))}  per function ${ms(median(mirrorTimes) / fnCount)}`);
console.log(`  CFG + operations                    median ${ms(median(cfgTimes))}  per function ${ms(median(cfgTimes) / fnCount)}`);

// the largest function alone
{
  const fns = rebuildAll(single, { cache: new FunctionCache() });
  const big = fns.reduce((a, b) => (a.post!.text.length > b.post!.text.length ? a : b));
  const v = big.post!.variants[0];
  const t: number[] = [];
  for (let r = 0; r < runs; r++) {
    const copy = { ...v };
    const a = performance.now();
    buildCfg(copy);
    t.push(performance.now() - a);
  }
  console.log(`  largest (${big.name}, ${big.post!.text.split('\n').length} lines): mirror+CFG median ${ms(median(t))}`);
}

// a 200-line function: get_user_pages_fast's body three times (labels renamed)
{
  const fns = rebuildAll(single, { cache: new FunctionCache() });
  const g = fns.find((f) => f.name === 'get_user_pages_fast')!.post!.variants[0].text.split('\n');
  const body = g.slice(3, g.length - 1);
  const copies = [0, 1, 2].map((k) => ['\t{', ...body.map((l) => l.replace(/\bslow(_irqon)?\b/g, (m) => `${m}${k}`).replace(/^/, '\t')), '\t}']);
  const text200 = ['int big(unsigned long start, int nr_pages, int write, struct page **pages)', '{', ...copies.flat(), '\treturn 0;', '}'].join('\n');
  const t: number[] = [];
  const total: number[] = [];
  let n = 0;
  for (let r = 0; r < runs; r++) {
    const a = performance.now();
    const img = functionImage(text200, { cache: new FunctionCache() });
    const b = performance.now();
    const cfg = buildCfg(img.variants[0])!;
    const c = performance.now();
    t.push(c - b);
    total.push(c - a);
    n = cfg.nodes.length;
  }
  console.log(`  synthetic ${text200.split('\n').length}-line function (${n} CFG nodes): image+parse median ${ms(median(total) - median(t))}, mirror+CFG median ${ms(median(t))}`);
}

// --- the whole thread: cold, and the keystroke path ------------------------
{
  const cold: number[] = [];
  for (let r = 0; r < Math.min(runs, 7); r++) {
    const t0 = performance.now();
    rebuildAll(parseDocument(text, 'seed004'), { cache: new FunctionCache() });
    cold.push(performance.now() - t0);
  }
  const cache = new FunctionCache();
  const fns0 = rebuildAll(parseDocument(text, 'seed004'), { cache });
  // edit: one character inside gup_pte_range's body, alternating so each text is new
  const anchor = text.indexOf('\t\tSetPageReferenced(page);\n', text.indexOf('gup_pte_range(pmd_t pmd'));
  const warm: number[] = [];
  const warmRebuild: number[] = [];
  for (let r = 0; r < runs * 3; r++) {
    const edited = text.slice(0, anchor) + `\t\tx${r};\n` + text.slice(anchor);
    const t0 = performance.now();
    const d = parseDocument(edited, 'seed004');
    const t1 = performance.now();
    rebuildAll(d, { cache });
    const t2 = performance.now();
    warm.push(t2 - t0);
    warmRebuild.push(t2 - t1);
  }
  const lines = text.split('\n').length;
  console.log(`seed 004 thread: ${lines} lines, ${fns0.length} function rebuilds`);
  console.log(`  cold parseDocument+rebuildAll       median ${ms(median(cold))}`);
  console.log(`  keystroke (edit one function, cache) median ${ms(median(warm))}  p95 ${ms(p95(warm))}`);
  console.log(`    of which rebuildAll               median ${ms(median(warmRebuild))}  p95 ${ms(p95(warmRebuild))}`);
  console.log(`  cache: ${cache.size} parses (${cache.hits} hits, ${cache.misses} misses); images ${cache.imageHits} hits, ${cache.imageMisses} misses`);
}
