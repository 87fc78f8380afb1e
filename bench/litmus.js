#!/usr/bin/env node
// Litmus engine benchmark: runs every kernel litmus test (test/sim/fixtures/kernel-litmus, from ../shared/litmus) and test/litmus
// N times (default 5) in one process; prints the median ms per test, the
// median total for each set, executions/second and peak RSS.
// Usage: node bench/litmus.js [N]      (after `npx tsc -b`)
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { runLitmus } = require('../server/out/sim/index.js');

const N = Number(process.argv[2] || 5);
const root = path.join(__dirname, '..');
const sets = {
  kernel: process.env.MM_LITMUS_DIR || path.join(root, 'test', 'sim', 'fixtures', 'kernel-litmus'),
  own: path.join(root, 'test', 'litmus'),
};
function files(dir) {
  const out = [];
  (function walk(d) {
    if (!fs.existsSync(d)) return;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.litmus')) out.push(p);
    }
  })(dir);
  return out.sort();
}
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

const perTest = new Map();
const totals = { kernel: [], own: [] };
let candidates = 0, candMs = 0;
for (let i = 0; i < N; i++) {
  for (const [set, dir] of Object.entries(sets)) {
    const t0 = process.hrtime.bigint();
    for (const f of files(dir)) {
      const src = fs.readFileSync(f, 'utf8');
      const t = process.hrtime.bigint();
      const r = runLitmus(src);
      const ms = Number(process.hrtime.bigint() - t) / 1e6;
      const key = `${set}/${path.relative(dir, f)}`;
      if (!perTest.has(key)) perTest.set(key, []);
      perTest.get(key).push(ms);
      candidates += r.stats.candidates;
      candMs += ms;
    }
    totals[set].push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
}
const rows = [...perTest].map(([k, v]) => [k, median(v)]).sort((a, b) => b[1] - a[1]);
console.log(`per-test median over ${N} runs (ms), slowest first:`);
for (const [k, v] of rows) console.log(`  ${v.toFixed(2).padStart(8)}  ${k}`);
for (const [set, t] of Object.entries(totals)) {
  console.log(`${set} set (${files(sets[set]).length} tests): median total ${median(t).toFixed(1)} ms (runs: ${t.map((x) => x.toFixed(0)).join(', ')})`);
}
console.log(`candidate executions/second: ${Math.round(candidates / (candMs / 1000))}`);
console.log(`peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(1)} MB`);
