#!/usr/bin/env node
/*
 * The findings golden file (test/engine/golden/check.json): the JSON of
 * `mm-review check` on the rule corpus (test/corpus/) and examples/, in
 * differential mode and with --all. test/engine/golden.test.ts compares the
 * current engine's output with it, so a change meant to make the engine
 * faster or leaner cannot change what it finds.
 *
 * Regenerate it only with an engine whose findings are known to be right:
 * after merging a change of the rules or analyses, from that merged engine
 * (never to make a performance change pass).
 *
 *   npx tsc -b && node scripts/golden.js [--check]
 */
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const BIN = path.join(ROOT, 'server', 'bin', 'mm-review.js');
const FILE = path.join(ROOT, 'test', 'engine', 'golden', 'check.json');
const INPUTS = ['test/corpus', 'examples'];
const MODES = { default: [], all: ['--all'] };

function run(extra) {
  const r = spawnSync(process.execPath, [BIN, 'check', '--format', 'json', '--exit-zero', ...extra, ...INPUTS], { cwd: ROOT, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`mm-review check ${extra.join(' ')} exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

function current() {
  const out = {};
  for (const [mode, extra] of Object.entries(MODES)) out[mode] = run(extra);
  return out;
}

module.exports = { current, FILE };

if (require.main === module) {
  const now = current();
  if (process.argv.includes('--check')) {
    const same = JSON.stringify(now) === JSON.stringify(JSON.parse(fs.readFileSync(FILE, 'utf8')));
    console.log(same ? 'golden: identical' : 'golden: DIFFERENT');
    process.exit(same ? 0 : 1);
  }
  fs.mkdirSync(path.dirname(FILE), { recursive: true });
  fs.writeFileSync(FILE, JSON.stringify(now, null, 1) + '\n');
  const n = Object.values(now).reduce((s, r) => s + r.files.reduce((a, f) => a + f.findings.length, 0), 0);
  console.log(`wrote ${path.relative(ROOT, FILE)}: ${n} findings over ${Object.keys(MODES).length} modes`);
}
