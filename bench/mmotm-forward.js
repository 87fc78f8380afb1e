#!/usr/bin/env node
/*
 * bench/mmotm-forward: every patch of akpm's mmotm broken-out series (the
 * union over its snapshots, .cache/mmotm/patches), as sent, through the
 * engine in the default differential mode: how many patches get a
 * warning-or-error finding, by rule, and which. These are mostly false
 * positives to judge; some may be real bugs of the patches (the series was
 * in flux: some were fixed by later -fix patches).
 *
 * Usage: node bench/mmotm-forward.js [--grep TEXT] [--mm-only] [--json] [--quiet]
 *   --grep TEXT  only patches whose name contains TEXT
 *   --mm-only    only patches that touch mm/ or include/linux/
 *   --quiet      no list, only the counts
 * Needs the cache (node scripts/cache.js); without it, says so and exits 0.
 * Build first: npx tsc -b
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const C = require('./lib/common');

const { opts } = C.parseArgs(process.argv.slice(2), ['grep']);
if (!C.haveMmotm()) C.skipMissing('bench/mmotm-forward', 'the mmotm broken-out series', C.mmotmDir());
const engine = C.loadEngine();

const manifest = JSON.parse(fs.readFileSync(path.join(C.mmotmDir(), 'manifest.json'), 'utf8'));
let names = manifest.patches.map((p) => p.name).filter((n) => n.endsWith('.patch'));
if (typeof opts.grep === 'string') names = names.filter((n) => n.includes(opts.grep));

const touchesMm = (text) => /^\+\+\+ [ab]\/(mm\/|include\/linux\/)/m.test(text);
const flagged = [];
const byRule = new Map();
const crashes = [];
let analysed = 0;
let withDiff = 0;
let mmPatches = 0;
let lines = 0;
const t0 = performance.now();
for (const name of names) {
  const text = fs.readFileSync(path.join(C.mmotmDir(), 'patches', name), 'utf8');
  const mm = touchesMm(text);
  if (opts['mm-only'] && !mm) continue;
  analysed++;
  if (/^@@ /m.test(text)) withDiff++;
  if (mm) mmPatches++;
  lines += text.split('\n').length;
  const r = C.safeAnalyze(engine, text, name, {});
  if (r.crash) {
    crashes.push({ patch: name, error: r.crash });
    continue;
  }
  const serious = r.a.findings.filter(C.serious);
  if (!serious.length) continue;
  const rules = new Set();
  for (const f of serious) rules.add(f.rule);
  for (const rule of rules) byRule.set(rule, (byRule.get(rule) || 0) + 1);
  flagged.push({ patch: name, mm, findings: serious });
}
const seconds = (performance.now() - t0) / 1000;

if (opts.json) {
  const slim = (f) => ({ rule: f.rule, severity: f.severity, file: f.file, function: f.function, line: f.range.start.line + 1, message: f.message });
  console.log(JSON.stringify({ source: C.SOURCES.mmotm, analysed, withDiff, mmPatches, lines, seconds, flaggedPatches: flagged.length, byRule: Object.fromEntries(byRule), flagged: flagged.map((x) => ({ patch: x.patch, mm: x.mm, findings: x.findings.map(slim) })), crashes }, null, 1));
  process.exit(0);
}

console.log(`bench/mmotm-forward: ${analysed} mmotm patches (${withDiff} with hunks, ${mmPatches} touching mm/ or include/linux/; ${lines} lines), default differential mode, ${seconds.toFixed(1)} s`);
console.log(`patches with a warning-or-error finding: ${flagged.length} (${C.pct(flagged.length, withDiff)} of those with hunks); findings: ${flagged.reduce((s, x) => s + x.findings.length, 0)}`);
console.log('');
console.log('| rule | patches |');
console.log('| --- | ---: |');
for (const [rule, n] of [...byRule].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) console.log(`| ${rule} | ${n} |`);
if (crashes.length) {
  console.log('');
  console.log(`ENGINE CRASHES (${crashes.length}):`);
  for (const c of crashes) console.log(`  ${c.patch}: ${c.error.split('\n').slice(0, 3).join(' | ')}`);
}
if (!opts.quiet && flagged.length) {
  console.log('');
  console.log('flagged patches:');
  for (const x of flagged) {
    console.log(`- ${x.patch}`);
    for (const f of x.findings) console.log(`    ${f.file ?? '?'} ${C.fmtFinding(f)}`);
  }
}
