#!/usr/bin/env node
// Writes docs/rules/input--*.md from server/src/engine/inputRules.ts (run after `npx tsc -b`).
// Usage: node scripts/gen-input-docs.js [--check]   (--check: exit 1 if a page is missing or stale)
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const root = path.join(__dirname, '..');
const { INPUT_RULES } = require(path.join(root, 'server', 'out', 'engine', 'inputRules.js'));
const check = process.argv.includes('--check');
let stale = 0;
for (const r of INPUT_RULES) {
  const file = path.join(root, 'docs', 'rules', r.id.replace(/\//g, '--') + '.md');
  const md = `# \`${r.id}\`\n\n**${r.title}** (default severity: ${r.severity})\n\n## What it means\n\n${r.description}\n\n## What to do\n\n${r.action}\n\n## Notes\n\nThis is a diagnostic about the input text, not about the kernel code: see docs/input-formats.md for how mails, MIME and mangled diffs are read and repaired, and how every position maps back to the original text. Input diagnostics can be hidden with the setting \`mmReview.categories\` (remove \`input\`) or \`--category\` on the command line.\n`;
  const cur = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
  if (cur === md) continue;
  stale++;
  if (!check) fs.writeFileSync(file, md);
}
if (check && stale) {
  console.error(`${stale} input rule page(s) missing or stale: run node scripts/gen-input-docs.js`);
  process.exit(1);
}
console.log(check ? 'input rule pages up to date' : `wrote ${stale} page(s)`);
