#!/usr/bin/env node
'use strict';
/*
 * The raw tree-sitter-c parse that bench/check compares the analysis with:
 * parse each C file once, whole, with the same tree-sitter and grammar the
 * engine uses, and nothing else. Reports the parse loop's CPU and wall time
 * (through bench/lib/usage.js, which adds the whole process's numbers).
 *
 *   node --require bench/lib/usage.js bench/lib/rawparse.js FILE...
 */
const fs = require('node:fs');
const path = require('node:path');

const server = path.join(__dirname, '..', '..', 'server');
const Parser = require(require.resolve('tree-sitter', { paths: [server] }));
const C = require(require.resolve('tree-sitter-c', { paths: [server] }));

const texts = process.argv.slice(2).map((f) => fs.readFileSync(f, 'utf8'));
const parser = new Parser();
parser.setLanguage(C);
const c0 = process.cpuUsage();
const t0 = performance.now();
let nodes = 0;
for (const t of texts) nodes += parser.parse(t).rootNode.descendantCount;
const c = process.cpuUsage(c0);
globalThis.__mmBenchExtra = { loopCpuMs: (c.user + c.system) / 1000, loopWallMs: performance.now() - t0, nodes, lines: texts.reduce((s, t) => s + t.split('\n').length, 0) };
