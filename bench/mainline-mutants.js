#!/usr/bin/env node
/**
 * Recall on real kernel code, by mutation: in whole mainline mm files, delete
 * one release call that directly precedes an error return or a goto (an
 * unlock, a put, an unmap...), analyse the file as an all-added patch, and
 * count the mutants that get a warning-or-error finding within 40 lines.
 * A checker that is quiet on mainline (bench/mainline.js) must not be deaf:
 * this prints how many injected leaks it still sees.
 *
 * Usage: node bench/mainline-mutants.js DIR [--max 400]   (DIR holds mm/*.c; see docs/evaluation.md)
 * The release spellings below only pick mutation sites; the rules never see this list.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { analyze } = require(path.join(__dirname, '..', 'server', 'out', 'engine', 'index.js'));

const dir = process.argv[2];
const maxAt = process.argv.indexOf('--max');
const MAX = maxAt > 0 ? Number(process.argv[maxAt + 1]) : 400;
if (!dir || !fs.existsSync(path.join(dir, 'mm'))) {
  console.log(`bench/mainline-mutants: no mm/ under ${dir ?? '(no DIR given)'}; skipped`);
  process.exit(0);
}
const RELEASE = /^\s*(spin_unlock(_irq|_irqrestore|_bh)?|mutex_unlock|rcu_read_unlock|unlock_page|folio_unlock|put_page|folio_put|pte_unmap_unlock|fput|kunmap|put_dev_pagemap|local_irq_restore|local_irq_enable|preempt_enable)\(.*\);\s*$/;
const EXIT = /^\s*(return -E|return NULL|goto )/;
const files = fs.readdirSync(path.join(dir, 'mm')).filter((f) => f.endsWith('.c')).sort().map((f) => path.join(dir, 'mm', f));
let tried = 0;
let found = 0;
const missed = [];
const t0 = performance.now();
outer: for (const f of files) {
  const ls = fs.readFileSync(f, 'utf8').split('\n');
  const rel = path.relative(dir, f);
  for (let i = 0; i < ls.length - 1; i++) {
    if (!RELEASE.test(ls[i]) || !EXIT.test(ls[i + 1])) continue;
    const mut = [...ls];
    mut.splice(i, 1);
    const patch = [`diff --git a/${rel} b/${rel}`, 'new file mode 100644', '--- /dev/null', `+++ b/${rel}`, `@@ -0,0 +1,${mut.length} @@`, ...mut.map((l) => '+' + l), ''].join('\n');
    const a = analyze(patch, 'mutant.patch', { all: true });
    const hit = a.findings.some((x) => (x.severity === 'warning' || x.severity === 'error') && Math.abs(x.range.start.line - 5 - i) <= 40);
    tried++;
    if (hit) found++;
    else missed.push(`${rel}:${i + 1} ${ls[i].trim()} / ${ls[i + 1].trim()}`);
    if (tried >= MAX) break outer;
  }
}
console.log(`bench/mainline-mutants: ${tried} mutants (a release deleted before an error exit), ${found} flagged = ${((100 * found) / Math.max(1, tried)).toFixed(0)}%, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
console.log('first unflagged mutants:');
for (const m of missed.slice(0, 15)) console.log('  ' + m);
