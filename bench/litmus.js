#!/usr/bin/env node
// Litmus engine benchmark: runs every ../shared/litmus test and test/litmus
// N times (default 5) in one process; prints the median ms per test, the
// median total for each set, the many-thread chains (5-8 CPUs) on their
// own, executions/second and peak RSS.
// Usage: node bench/litmus.js [N] [--product]      (after `npx tsc -b`)
//   --product  use the reference per-location product instead of the
//              rf-driven search (the engine before the search; slow on chains)
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { parseLitmus, runParsed } = require('../server/out/sim/index.js');
const { runEngine } = require('../server/out/sim/engine.js');

const args = process.argv.slice(2);
const product = args.includes('--product');
const N = Number(args.find((a) => /^\d+$/.test(a)) || 5);
const root = path.join(__dirname, '..');
const sets = {
  kernel: process.env.MM_LITMUS_DIR || path.join(root, '..', 'shared', 'litmus'),
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
const run = (test) => {
  if (!product) return runParsed(test);
  const r = runEngine(test, { maxExecutions: 200000, timeoutMs: 10000, maxWitnesses: 3, maxForbidden: 3, strategy: 'product' });
  return { complete: r.complete, observation: r.positive === 0 ? 'Never' : r.negative === 0 ? 'Always' : 'Sometimes', stats: { candidates: r.candidates } };
};

const perTest = new Map();
const info = new Map();
const totals = { kernel: [], own: [] };
let candidates = 0, candMs = 0;
for (let i = 0; i < N; i++) {
  for (const [set, dir] of Object.entries(sets)) {
    const t0 = process.hrtime.bigint();
    for (const f of files(dir)) {
      const src = fs.readFileSync(f, 'utf8');
      const t = process.hrtime.bigint();
      const test = parseLitmus(src);
      const r = run(test);
      const ms = Number(process.hrtime.bigint() - t) / 1e6;
      const key = `${set}/${path.relative(dir, f)}`;
      if (!perTest.has(key)) perTest.set(key, []);
      perTest.get(key).push(ms);
      info.set(key, { threads: test.procs.length, complete: r.complete, observation: r.observation, candidates: r.stats.candidates });
      candidates += r.stats.candidates;
      candMs += ms;
    }
    totals[set].push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
}
const rows = [...perTest].map(([k, v]) => [k, median(v)]).sort((a, b) => b[1] - a[1]);
console.log(`strategy: ${product ? 'product (reference)' : 'search'}`);
console.log(`per-test median over ${N} runs (ms), slowest first:`);
for (const [k, v] of rows) console.log(`  ${v.toFixed(2).padStart(8)}  ${k}`);
console.log(`many-thread chains (5-8 CPUs), median ms, verdict, candidates:`);
for (const [k, v] of rows) {
  const x = info.get(k);
  if (x.threads < 5) continue;
  console.log(`  ${v.toFixed(1).padStart(8)}  ${k} (${x.threads} CPUs) ${x.complete ? x.observation : 'Incomplete'} ${x.candidates}`);
}
for (const [set, t] of Object.entries(totals)) {
  console.log(`${set} set (${files(sets[set]).length} tests): median total ${median(t).toFixed(1)} ms (runs: ${t.map((x) => x.toFixed(0)).join(', ')})`);
}
console.log(`candidate executions/second: ${Math.round(candidates / (candMs / 1000))}`);
console.log(`peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(1)} MB`);
