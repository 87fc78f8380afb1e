'use strict';
/*
 * Shared helpers of the real-data benchmarks (bench/realfix.js,
 * bench/mainline-mutants.js, bench/mainline.js, bench/mmotm-forward.js):
 * where the git-ignored cache is, how a bench says that it is missing,
 * loading the compiled engine, and what counts as a "serious" finding.
 *
 * The cache is laid out by scripts/cache.js (see bench/README.md).
 */
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..', '..');
const SOURCES = JSON.parse(fs.readFileSync(path.join(ROOT, 'bench', 'data', 'sources.json'), 'utf8'));

/** The cache root: $MM_BENCH_CACHE, else .cache/ in the repository root. */
function cacheRoot() {
  return path.resolve(process.env.MM_BENCH_CACHE || path.join(ROOT, '.cache'));
}

/** .cache/linux-6.19 (the whole v6.19 tree). */
function linuxDir() {
  return path.join(cacheRoot(), SOURCES.linux.cacheDir);
}

/** .cache/mmotm (patches/ and manifest.json). */
function mmotmDir() {
  return path.join(cacheRoot(), SOURCES.mmotm.cacheDir);
}

/** .cache/lore (one <id>.eml per lore case of bench/data/realfix.json). */
function loreDir() {
  return path.join(cacheRoot(), SOURCES.lore.cacheDir);
}

/**
 * Say clearly that the cache a bench needs is absent, and exit 0: CI has no
 * mirrors, and a missing cache is not a failure of the code under test.
 */
function skipMissing(bench, what, dir) {
  console.log(`${bench}: ${what} is not in the cache (${dir} is missing); nothing measured.`);
  console.log(`${bench}: lay the cache out with \`node scripts/cache.js\` (needs local mirrors of the repositories in bench/data/sources.json; see bench/README.md).`);
  process.exit(0);
}

function haveLinux() {
  const d = linuxDir();
  return fs.existsSync(path.join(d, 'mm')) && fs.existsSync(path.join(d, 'include', 'linux'));
}

function haveMmotm() {
  const d = mmotmDir();
  return fs.existsSync(path.join(d, 'manifest.json')) && fs.existsSync(path.join(d, 'patches'));
}

/** At least one cached lore message. */
function haveLore() {
  const d = loreDir();
  return fs.existsSync(d) && fs.readdirSync(d).some((f) => f.endsWith('.eml'));
}

/** The compiled engine (npx tsc -b first). */
function loadEngine() {
  const p = path.join(ROOT, 'server', 'out', 'engine', 'index.js');
  if (!fs.existsSync(p)) {
    console.error(`bench: ${p} is missing; build first with \`npx tsc -b\`.`);
    process.exit(2);
  }
  return require(p);
}

function loadKernelTree() {
  return require(path.join(ROOT, 'server', 'out', 'engine', 'kernelTree.js'));
}

const SEV = { hint: 0, info: 1, warning: 2, error: 3 };

/** A finding a reviewer is asked to act on: warning or error, not an input diagnostic. */
function serious(f) {
  return f.category !== 'input' && SEV[f.severity] >= SEV.warning;
}

/** analyze() that never takes the bench down: an engine crash becomes a result. */
function safeAnalyze(engine, text, uri, opts) {
  try {
    return { a: engine.analyze(text, uri, opts) };
  } catch (e) {
    return { crash: (e && e.stack) || String(e) };
  }
}

/** One line per finding: line in the document, rule, severity, function, message. */
function fmtFinding(f) {
  return `L${f.range.start.line + 1} ${f.rule} [${f.severity}]${f.function ? ` in ${f.function}()` : ''}: ${f.message.split('\n')[0]}`;
}

/** Minimal argv parsing: --name, --name=value, --name value (for the names in `valued`). */
function parseArgs(argv, valued = []) {
  const opts = {};
  const rest = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) {
      rest.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    if (eq > 0) opts[a.slice(2, eq)] = a.slice(eq + 1);
    else if (valued.includes(a.slice(2)) && i + 1 < argv.length) opts[a.slice(2)] = argv[++i];
    else opts[a.slice(2)] = true;
  }
  return { opts, rest };
}

const pct = (n, d) => (d ? `${((100 * n) / d).toFixed(0)}%` : '-');

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : 0;
}

/**
 * The Node options of a bin script's `#!` line (`#!/usr/bin/env -S [-u VAR] node FLAGS...`):
 * the benches start `node FLAGS... BIN` so that the program runs with the flags a user's
 * `mm-review` / `mm-review-lsp` gets (the heap sizes of docs/performance.md), while
 * keeping this Node and their own preload options. [] when the line names no flags.
 */
function shebangNodeArgs(bin) {
  let first;
  try {
    first = fs.readFileSync(bin, 'utf8').split('\n', 1)[0];
  } catch {
    return [];
  }
  if (!first.startsWith('#!')) return [];
  const words = first.slice(2).trim().split(/\s+/);
  const i = words.findIndex((w) => w === 'node' || w.endsWith('/node'));
  return i < 0 ? [] : words.slice(i + 1).filter((w) => w.startsWith('-'));
}

module.exports = {
  ROOT,
  shebangNodeArgs,
  SOURCES,
  SEV,
  cacheRoot,
  linuxDir,
  mmotmDir,
  loreDir,
  skipMissing,
  haveLinux,
  haveMmotm,
  haveLore,
  loadEngine,
  loadKernelTree,
  serious,
  safeAnalyze,
  fmtFinding,
  parseArgs,
  pct,
  median,
};
