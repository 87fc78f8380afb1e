#!/usr/bin/env node
/*
 * bench/check: how fast the whole analysis (parse, rebuild, rules) runs.
 * Prints numbers; asserts nothing.
 *
 * Own series (default), in this process, each timed N times (median reported):
 *   examples/*             the demo mails
 *   seeds                  test/patch/fixtures/seeds/*
 *   corpus                 test/corpus/*.patch (one analyze per file)
 *   series                 one synthetic mbox of >= 70k lines built from the
 *                          corpus patches and the examples, repeated (about
 *                          200+ patches in one document)
 *
 * Whole kernel files (--mainline DIR, DIR a kernel tree such as
 * .cache/linux-6.19): each file becomes a new-file patch, and separate
 * processes, in alternating rounds, run
 *   - `mm-review check --format json` on all the patches (the shipped CLI),
 *   - the same on a one-line patch (start-up, subtracted for "analysis CPU"),
 *   - a raw tree-sitter-c parse of the same C files, whole (bench/lib/rawparse.js),
 *   - `scripts/checkpatch.pl --no-tree --no-signoff` on the same patches,
 *     when DIR has it (perl),
 * and prints wall time, CPU time, peak RSS and the ratios (medians).
 *   --files 24 (default: the 24 files of issue 11) | mm (all mm/*.c) | a,b,c
 *   --checkpatch-runs N (default: --runs), --no-checkpatch, --series (also the own series)
 *   --baseline ROOT: also run ROOT/server/bin/mm-review.js (another build, e.g. a
 *     worktree of the commit before a change) in the same rounds, for before/after
 *
 * Usage: node bench/check.js [--runs=5] [--lines=70000] [--mainline DIR [--files 24|mm|LIST]]
 * Build first: npx tsc -b && node scripts/bundle.js
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const a = args.find((x) => x.startsWith(`--${name}=`));
  if (a) return a.slice(name.length + 3);
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length && !args[i + 1].startsWith('--') ? args[i + 1] : dflt;
};
const RUNS = Number(opt('runs', '5'));
const SERIES_LINES = Number(opt('lines', '70000'));
const mainlineDir = opt('mainline', undefined);

if (mainlineDir) {
  require('./lib/mainlineCheck').run({
    tree: path.resolve(mainlineDir),
    files: opt('files', '24'),
    runs: Number(opt('runs', '3')),
    baseline: opt('baseline', undefined) && path.resolve(opt('baseline', undefined)),
    checkpatchRuns: args.includes('--no-checkpatch') ? 0 : Number(opt('checkpatch-runs', opt('runs', '3'))),
  });
  if (!args.includes('--series')) return;
}

const { analyze } = require(path.join(root, 'server', 'out', 'engine', 'index.js'));
const { defaultCache } = require(path.join(root, 'server', 'out', 'c', 'treesitter.js'));

const read = (p) => fs.readFileSync(p, 'utf8');
const list = (dir, re) => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => re.test(f)).sort().map((f) => path.join(dir, f)) : []);
const countLines = (s) => s.split('\n').length;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function timeDocs(name, docs) {
  const lines = docs.reduce((s, d) => s + countLines(d.text), 0);
  const times = [];
  let findings = 0;
  const stages = { parse: [], rebuild: [], rules: [] };
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    let n = 0;
    const st = { parse: 0, rebuild: 0, rules: 0 };
    // cold caches: every run parses every function again (no parse-tree or CFG reuse across runs)
    defaultCache.clear();
    for (const d of docs) {
      const a = analyze(d.text, d.uri);
      n += a.findings.length;
      for (const k of Object.keys(st)) st[k] += a.timings[k];
    }
    times.push(performance.now() - t0);
    for (const k of Object.keys(st)) stages[k].push(st[k]);
    findings = n;
  }
  const ms = median(times);
  return { name, docs: docs.length, lines, ms, linesPerSec: (lines / ms) * 1000, findings, parse: median(stages.parse), rebuild: median(stages.rebuild), rules: median(stages.rules), min: Math.min(...times), max: Math.max(...times) };
}

const examples = list(path.join(root, 'examples'), /\.(eml|mbox|patch|diff)$/).map((p) => ({ uri: p, text: read(p) }));
const seeds = list(path.join(root, 'test', 'patch', 'fixtures', 'seeds'), /\.txt$/).map((p) => ({ uri: p, text: read(p) }));
const corpus = list(path.join(root, 'test', 'corpus'), /\.patch$/).map((p) => ({ uri: p, text: read(p) }));

// The synthetic series: corpus mails (each starts with a "From <hash> ..." mbox line) and examples, repeated.
// Every copy gets its own function names (and so its own C text), so no function
// is a parse-cache hit of an earlier copy: the series costs what fresh code costs.
const parts = [...corpus.map((d) => d.text), ...examples.map((d) => (d.text.startsWith('From ') ? d.text : `From mm-review-bench Mon Sep 17 00:00:00 2001\n${d.text}`))];
function uniqueCopy(text, i) {
  const names = new Set();
  for (const m of text.matchAll(/^[+ -]?(?:static\s+)?(?:inline\s+|noinline\s+)*(?:const\s+)?(?:struct\s+)?[a-z_][a-z0-9_]*\s*\**\s*([a-z_][a-z0-9_]*)\(/gm)) names.add(m[1]);
  for (const m of text.matchAll(/^@@ [^@]*@@ .*?\b([a-z_][a-z0-9_]*)\(/gm)) names.add(m[1]);
  let t = text;
  for (const n of names) if (n.length > 3) t = t.replace(new RegExp(`\\b${n}\\b`, 'g'), `${n}_${i}`);
  return t;
}
let series = '';
let patches = 0;
while (countLines(series) < SERIES_LINES && parts.length) {
  for (const p of parts) {
    const t = uniqueCopy(p, patches);
    series += (t.endsWith('\n') ? t : t + '\n') + '\n';
    patches++;
  }
}
const seriesDoc = { uri: 'series.mbox', text: series };

const results = [];
const rssBefore = process.memoryUsage().rss;
results.push(timeDocs('examples', examples));
results.push(timeDocs('seeds', seeds));
results.push(timeDocs('corpus', corpus));
results.push(timeDocs(`series (${patches} mails)`, [seriesDoc]));

// tree-sitter-c alone on the series' C: the post-image lines of every hunk, one text per file patch
function seriesC(text) {
  const out = [];
  let cur = null;
  for (const l of text.split('\n')) {
    if (l.startsWith('diff --git ')) {
      cur = [];
      out.push(cur);
    } else if (cur && (l.startsWith('+') || l.startsWith(' ')) && !l.startsWith('+++')) cur.push(l.slice(1));
  }
  return out.map((c) => c.join('\n'));
}
function timeTreeSitter(texts) {
  const Parser = require(require.resolve('tree-sitter', { paths: [path.join(root, 'server')] }));
  const C = require(require.resolve('tree-sitter-c', { paths: [path.join(root, 'server')] }));
  const parser = new Parser();
  parser.setLanguage(C);
  const times = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    for (const t of texts) parser.parse(t);
    times.push(performance.now() - t0);
  }
  return { lines: texts.reduce((s, t) => s + countLines(t), 0), ms: median(times) };
}
const seriesRaw = timeTreeSitter(seriesC(series));
const seriesResult = results[results.length - 1];

const peakRssMB = process.resourceUsage().maxRSS / 1024;
console.log(`bench/check: median of ${RUNS} runs, Node ${process.version}, ${require('node:os').cpus().length} CPUs`);
console.log('');
console.log('| input | documents | lines | median ms | lines/s | parse / rebuild / rules ms | findings |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of results) {
  console.log(`| ${r.name} | ${r.docs} | ${r.lines} | ${r.ms.toFixed(1)} | ${Math.round(r.linesPerSec)} | ${r.parse.toFixed(0)} / ${r.rebuild.toFixed(0)} / ${r.rules.toFixed(0)} | ${r.findings} |`);
}
console.log('');
console.log(`series: tree-sitter-c alone on its ${seriesRaw.lines} lines of post-image C: ${seriesRaw.ms.toFixed(0)} ms median; whole analysis ${seriesResult.ms.toFixed(0)} ms = ${(seriesResult.ms / seriesRaw.ms).toFixed(2)}x the raw parse`);
console.log('');
console.log(`peak RSS: ${peakRssMB.toFixed(0)} MB (RSS before timing: ${(rssBefore / 1048576).toFixed(0)} MB)`);
