#!/usr/bin/env node
/*
 * Mainline false-positive measurement (issue 3): whole mainline mm files,
 * each wrapped as a new-file patch (--- /dev/null, every line added), run
 * through analyze() with { all: true } (non-differential).  Prints lines,
 * functions, findings by rule and severity, warning-or-error findings per
 * 5,000 lines (target <= 1) and ms per file, then every warning+ finding.
 *
 * The kernel sources are NOT part of the repository: they live in a cache
 * directory given as the first argument (default /work/mainline-cache), laid
 * out as the kernel tree (mm/gup.c, ...).  When it is missing the script says
 * so and exits 0.
 *
 * Usage: node bench/mainline.js [CACHE_DIR] [--files=mm/gup.c,mm/filemap.c] [--every] [--json]
 *   --every   every .c file under CACHE_DIR/mm instead of the default set
 *   --json    print one JSON object instead of the tables
 * Build first: npx tsc -b
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const args = process.argv.slice(2);
const opt = (name) => {
  const a = args.find((x) => x.startsWith(`--${name}`));
  if (!a) return undefined;
  const i = a.indexOf('=');
  return i < 0 ? true : a.slice(i + 1);
};
const cacheDir = path.resolve(args.find((a) => !a.startsWith('--')) || '/work/mainline-cache');
const DEFAULT_FILES = ['mm/gup.c', 'mm/filemap.c', 'mm/memory.c', 'mm/huge_memory.c', 'mm/memremap.c'];

if (!fs.existsSync(cacheDir)) {
  console.log(`mainline: cache directory ${cacheDir} is missing; nothing measured (put mm/*.c of a kernel tree there).`);
  process.exit(0);
}
const engine = require(path.join(__dirname, '..', 'server', 'out', 'engine', 'index.js'));

let files;
if (typeof opt('files') === 'string') files = opt('files').split(',').filter(Boolean);
else if (opt('every')) files = fs.readdirSync(path.join(cacheDir, 'mm')).filter((f) => f.endsWith('.c')).sort().map((f) => `mm/${f}`);
else files = DEFAULT_FILES;
files = files.filter((f) => {
  const ok = fs.existsSync(path.join(cacheDir, f));
  if (!ok) console.log(`mainline: ${f} not in the cache, skipped`);
  return ok;
});
if (files.length === 0) {
  console.log('mainline: no files to measure.');
  process.exit(0);
}

/** A whole file as a new-file patch. */
function asNewFilePatch(rel, text) {
  const lines = text.replace(/\n$/, '').split('\n');
  return [
    `diff --git a/${rel} b/${rel}`,
    'new file mode 100644',
    '--- /dev/null',
    `+++ b/${rel}`,
    `@@ -0,0 +1,${lines.length} @@`,
    ...lines.map((l) => '+' + l),
    '',
  ].join('\n');
}

const SEV = { hint: 0, info: 1, warning: 2, error: 3 };
const rows = [];
const byRule = new Map();
const serious = [];
let totalLines = 0, totalFns = 0, totalMs = 0;
for (const rel of files) {
  const text = fs.readFileSync(path.join(cacheDir, rel), 'utf8');
  const patch = asNewFilePatch(rel, text);
  const lines = text.split('\n').length;
  const t0 = performance.now();
  const a = engine.analyze(patch, rel, { all: true });
  const ms = performance.now() - t0;
  const fns = new Set(a.functions.map((f) => `${f.path}:${f.name}`)).size;
  let warn = 0;
  for (const f of a.findings) {
    const k = `${f.rule} [${f.severity}]`;
    byRule.set(k, (byRule.get(k) || 0) + 1);
    if (f.category !== 'input' && SEV[f.severity] >= SEV.warning) {
      warn++;
      serious.push({ file: rel, function: f.function, line: f.fileLine ?? f.range.start.line - 4, rule: f.rule, severity: f.severity, message: f.message });
    }
  }
  rows.push({ file: rel, lines, functions: fns, findings: a.findings.length, warnings: warn, ms, timings: a.timings });
  totalLines += lines; totalFns += fns; totalMs += ms;
}
const totalWarn = serious.length;
const per5k = (totalWarn * 5000) / totalLines;
const source = fs.existsSync(path.join(cacheDir, 'SOURCE')) ? fs.readFileSync(path.join(cacheDir, 'SOURCE'), 'utf8').trim() : cacheDir;

if (opt('json')) {
  console.log(JSON.stringify({ source, files: rows, totalLines, totalFunctions: totalFns, warnings: totalWarn, warningsPer5000Lines: per5k, byRule: Object.fromEntries(byRule), findings: serious }, null, 1));
  process.exit(0);
}
console.log(`mainline: ${source}`);
console.log('');
console.log('| file | lines | functions | findings (all severities) | warning+ | ms (parse / rebuild / rules) |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows) {
  const t = r.timings;
  console.log(`| ${r.file} | ${r.lines} | ${r.functions} | ${r.findings} | ${r.warnings} | ${r.ms.toFixed(0)} (${t.parse.toFixed(0)} / ${t.rebuild.toFixed(0)} / ${t.rules.toFixed(0)}) |`);
}
console.log(`| **total** | ${totalLines} | ${totalFns} | ${rows.reduce((s, r) => s + r.findings, 0)} | ${totalWarn} | ${totalMs.toFixed(0)} |`);
console.log('');
console.log(`warning-or-error findings per 5,000 lines: ${per5k.toFixed(2)} (target <= 1)`);
console.log('');
console.log('findings by rule and severity:');
for (const [k, n] of [...byRule].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) console.log(`  ${String(n).padStart(5)}  ${k}`);
if (serious.length) {
  console.log('');
  console.log('warning-or-error findings:');
  for (const s of serious) console.log(`  ${s.file}:${s.line} ${s.function ?? '?'}: ${s.rule} [${s.severity}] ${s.message}`);
}
