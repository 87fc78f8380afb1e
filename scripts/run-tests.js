#!/usr/bin/env node
// Runs the compiled node:test suites under test/out (built by `tsc -b`).
// Usage: node scripts/run-tests.js [area ...]   e.g. `node scripts/run-tests.js patch sim`
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..', 'test', 'out');
const areas = process.argv.slice(2);
const files = [];
(function walk(dir) {
  if (!fs.existsSync(dir)) return;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.name.endsWith('.test.js')) files.push(p);
  }
})(root);
const chosen = files
  .filter((f) => areas.length === 0 || areas.some((a) => path.relative(root, f).startsWith(a)))
  .sort();
if (chosen.length === 0) {
  console.error(`no test files found under ${root}${areas.length ? ' for ' + areas.join(', ') : ''}`);
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...chosen], { stdio: 'inherit' });
process.exit(r.status ?? 1);
