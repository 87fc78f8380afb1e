#!/usr/bin/env node
/*
 * bench/realfix: recall and false flags on real mm fixes.
 *
 * The cases (bench/data/realfix.json) are real fixes from two sources, each
 * judged in scope by reading its changelog and diff (category and a one-line
 * reason in the JSON; never chosen by what the engine finds):
 *   mmotm  akpm's mmotm broken-out series (`cases`: .cache/mmotm/patches/NAME)
 *   lore   messages from public mailing-list archives that carry a real fix
 *          (`lore.cases`: .cache/lore/<id>.eml; see bench/lib/lore.js)
 * Each is run twice, diff-only (no tree of each fix's era is at hand), in the
 * default differential mode:
 *
 *   REVERSED  the fix with its +/- sides swapped and its hunk headers fixed:
 *             the patch that introduces the bug. Found when a warning-or-error
 *             finding of the case's category (or one of its `accept`
 *             categories) lies in a function the patch touches.
 *             The reversed mail carries a neutral message (the fix's
 *             changelog describes the fix, not a bug-introducing change).
 *   FORWARD   the real fix, mail as sent. A false flag is any warning-or-error
 *             finding (any category but input).
 *
 *
 * A lore message in quoted-printable is decoded before it is reversed (the
 * forward run gets it as sent: the engine decodes MIME itself).
 *
 * Cases split deterministically by the SHA-1 of the case name (the mmotm
 * patch name, the lore entry's `name`): first byte mod 3 == 0 -> holdout,
 * else dev. Tune on dev only; quote both.
 *
 * Usage: node bench/realfix.js [--split dev|holdout|all] [--source mmotm|lore|all]
 *                              [--case NAME] [--json] [--dump DIR] [--quiet]
 *                              [--data FILE [--lore-dir DIR]]
 *   --case NAME   only cases whose name contains NAME
 *   --dump DIR    write each case's forward and reversed patch to DIR
 *   --quiet       no per-miss engine output
 * Needs the cache (node scripts/cache.js); a source whose part of the cache is
 * absent is skipped with a note; with neither, says so and exits 0.
 * Build first: npx tsc -b
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const C = require('./lib/common');
const { reversePatch } = require('./lib/patch');
const { readLoreCase, decodedForDiff } = require('./lib/lore');

const { opts } = C.parseArgs(process.argv.slice(2), ['split', 'case', 'dump', 'source', 'data', 'lore-dir']);
// --data FILE: another set of cases (the same JSON, or a bare array of lore cases), e.g. one kept out of
// development to measure generalisation; --lore-dir DIR: where its <id>.eml messages are (default: the cache)
const dataFile = opts.data ? path.resolve(opts.data) : path.join(__dirname, 'data', 'realfix.json');
const rawData = JSON.parse(fs.readFileSync(dataFile, 'utf8'));
const DATA = Array.isArray(rawData) ? { cases: [], lore: { cases: rawData } } : rawData;
const loreDir = opts['lore-dir'] ? path.resolve(opts['lore-dir']) : C.loreDir();
const LORE_CASES = (DATA.lore && DATA.lore.cases) || [];

const wantSource = opts.source && opts.source !== 'all' ? opts.source : null;
const useMmotm = (!wantSource || wantSource === 'mmotm') && C.haveMmotm();
const useLore = (!wantSource || wantSource === 'lore') && (opts['lore-dir'] ? fs.existsSync(loreDir) : C.haveLore());
const skipped = [];
if ((!wantSource || wantSource === 'mmotm') && !useMmotm) skipped.push(`mmotm: the mmotm broken-out series is not in the cache (${C.mmotmDir()} is missing); its ${DATA.cases.length} cases are skipped`);
if ((!wantSource || wantSource === 'lore') && !useLore) skipped.push(`lore: no cached lore message (${loreDir} is missing or empty); its ${LORE_CASES.length} cases are skipped`);
if (!useMmotm && !useLore) {
  if (wantSource === 'lore') C.skipMissing('bench/realfix', 'any lore message', loreDir);
  if (wantSource === 'mmotm') C.skipMissing('bench/realfix', 'the mmotm broken-out series', C.mmotmDir());
  C.skipMissing('bench/realfix', 'the real-fix material (the mmotm series, the lore messages)', `${C.mmotmDir()} is missing, ${loreDir}`);
}
const engine = C.loadEngine();

/** dev or holdout, from the case name alone. */
function splitOf(name) {
  return crypto.createHash('sha1').update(name).digest()[0] % 3 === 0 ? 'holdout' : 'dev';
}

const manifest = useMmotm ? JSON.parse(fs.readFileSync(path.join(C.mmotmDir(), 'manifest.json'), 'utf8')) : { patches: [] };
const blobOf = new Map(manifest.patches.map((p) => [p.name, p.blob]));

const want = opts.split && opts.split !== 'all' ? opts.split : null;
const allCases = [
  ...(useMmotm ? DATA.cases.map((c) => ({ ...c, source: 'mmotm', name: c.patch })) : []),
  ...(useLore ? LORE_CASES.map((c) => ({ ...c, source: 'lore' })) : []),
];
const cases = allCases
  .map((c) => ({ ...c, split: splitOf(c.name) }))
  .filter((c) => (!want || c.split === want) && (typeof opts.case !== 'string' || c.name.includes(opts.case)));

function neutralMessage(c) {
  return [
    'From: mm-review realfix <bench@localhost>',
    `Subject: [PATCH] realfix case ${c.name.replace(/\.patch$/, '')} (reversed)`,
    '',
    'A change laid out by bench/realfix.js from a real fix; its changelog is withheld.',
    '',
    '---',
  ].join('\n');
}

/** Functions the patch touches: rebuilt functions with an added or removed line in their images. */
function touched(a) {
  const names = new Set();
  const changed = (img, kind) => img && img.origin.some((o) => o && o.kind === 'patch' && o.line.kind === kind);
  for (const fn of a.functions) if (changed(fn.pre, 'del') || changed(fn.post, 'add')) names.add(fn.name);
  return names;
}

const results = [];
const crashes = [];
const t0 = performance.now();
for (const c of cases) {
  let forward;
  let forReverse;
  let blobChanged = false;
  if (c.source === 'mmotm') {
    const file = path.join(C.mmotmDir(), 'patches', c.patch);
    if (!fs.existsSync(file)) {
      results.push({ ...c, missing: true });
      continue;
    }
    forward = fs.readFileSync(file, 'utf8');
    forReverse = forward;
    blobChanged = blobOf.get(c.patch) !== c.blob;
  } else {
    const got = readLoreCase(loreDir, c);
    if (got.missing) {
      results.push({ ...c, missing: true });
      continue;
    }
    forward = got.text;
    forReverse = decodedForDiff(got.text);
    blobChanged = got.changed;
  }
  let reversed;
  try {
    reversed = reversePatch(forReverse, { message: neutralMessage(c) });
  } catch (e) {
    results.push({ ...c, error: `cannot reverse: ${e.message}` });
    continue;
  }
  if (typeof opts.dump === 'string') {
    fs.mkdirSync(opts.dump, { recursive: true });
    const base = path.join(opts.dump, `${c.split}-${c.name.replace(/\.patch$/, '')}`);
    fs.writeFileSync(`${base}.forward.patch`, forward);
    fs.writeFileSync(`${base}.reversed.patch`, reversed);
  }
  const accept = new Set([c.category, ...(c.accept || [])]);
  const rev = C.safeAnalyze(engine, reversed, `${c.name}.reversed`, {});
  const fwd = C.safeAnalyze(engine, forward, c.name, {});
  if (rev.crash) crashes.push({ name: c.name, side: 'reversed', error: rev.crash });
  if (fwd.crash) crashes.push({ name: c.name, side: 'forward', error: fwd.crash });
  const r = { ...c, blobChanged };
  if (rev.a) {
    const fns = touched(rev.a);
    r.functionsRebuilt = [...fns];
    r.reversedFindings = rev.a.findings;
    r.hits = rev.a.findings.filter((f) => C.serious(f) && accept.has(f.category) && f.function && fns.has(f.function));
    r.anyCategoryHits = rev.a.findings.filter((f) => C.serious(f) && f.function && fns.has(f.function));
    r.found = r.hits.length > 0;
    r.inputProblems = rev.a.findings.filter((f) => f.category === 'input' && C.SEV[f.severity] >= C.SEV.warning);
  } else r.found = false;
  if (fwd.a) {
    r.forwardFlags = fwd.a.findings.filter(C.serious);
    r.forwardFindings = fwd.a.findings;
  } else r.forwardFlags = [];
  results.push(r);
}
const seconds = (performance.now() - t0) / 1000;

// ---- scoring
const CATS = ['ref-balance', 'ref-kind', 'spec-ref', 'barrier', 'bracket', 'atomic-sleep'];
function table(split, source = 'all') {
  const rows = [];
  const rs = results.filter((r) => !r.missing && !r.error && (split === 'all' || r.split === split) && (source === 'all' || r.source === source));
  for (const cat of [...CATS, 'all']) {
    const xs = rs.filter((r) => cat === 'all' || r.category === cat);
    rows.push({
      category: cat,
      cases: xs.length,
      found: xs.filter((r) => r.found).length,
      anyCategory: xs.filter((r) => r.anyCategoryHits && r.anyCategoryHits.length).length,
      forwardFlagged: xs.filter((r) => r.forwardFlags.length).length,
      reversedInputProblems: xs.filter((r) => r.inputProblems && r.inputProblems.length).length,
    });
  }
  return rows;
}
const SOURCES_RUN = [...(useMmotm ? ['mmotm'] : []), ...(useLore ? ['lore'] : [])];
const summary = { dev: table('dev'), holdout: table('holdout'), all: table('all'), bySource: {} };
for (const src of SOURCES_RUN) summary.bySource[src] = { dev: table('dev', src), holdout: table('holdout', src), all: table('all', src) };

if (opts.json) {
  const slim = (f) => ({ rule: f.rule, category: f.category, severity: f.severity, function: f.function, line: f.range.start.line + 1, message: f.message });
  console.log(
    JSON.stringify(
      {
        sources: SOURCES_RUN,
        skipped,
        seconds,
        summary,
        crashes,
        cases: results.map((r) => ({
          name: r.name,
          source: r.source,
          id: r.id,
          patch: r.patch,
          split: r.split,
          category: r.category,
          accept: r.accept,
          area: r.area,
          missing: r.missing,
          error: r.error,
          blobChanged: r.blobChanged,
          found: r.found,
          functionsRebuilt: r.functionsRebuilt,
          hits: (r.hits || []).map(slim),
          reversedFindings: (r.reversedFindings || []).map(slim),
          reversedInputProblems: (r.inputProblems || []).map(slim),
          forwardFlags: (r.forwardFlags || []).map(slim),
        })),
      },
      null,
      1,
    ),
  );
  process.exit(0);
}

const perSource = SOURCES_RUN.map((src) => `${cases.filter((c) => c.source === src).length} ${src}`).join(' + ');
console.log(`bench/realfix: ${cases.length} real fixes (${perSource}; ${DATA.cases.length} mmotm + ${LORE_CASES.length} lore in ${path.relative(process.cwd(), dataFile)}), diff-only, default differential mode, ${seconds.toFixed(1)} s`);
for (const note of skipped) console.log(`  skipped: ${note}`);
for (const r of results) {
  if (r.missing) console.log(`  ${r.name}: not in the cache${r.source === 'lore' ? ` (${path.join(loreDir, `${r.id}.eml`)})` : ''}`);
  if (r.error) console.log(`  ${r.name}: ${r.error}`);
  if (r.blobChanged) console.log(`  ${r.name}: the cached version differs from the one judged (${r.source === 'lore' ? `sha1 ${r.sha1.slice(0, 10)}` : `blob ${r.blob.slice(0, 10)}`})`);
  if (r.inputProblems && r.inputProblems.length) console.log(`  ${r.name}: the reversed patch has ${r.inputProblems.length} input problem(s): ${r.inputProblems.map((f) => f.rule).join(', ')}`);
}
function printTable(title, rows) {
  if (!rows[rows.length - 1].cases) return;
  console.log('');
  console.log(`${title}:`);
  console.log('| category | cases | reversed: found (its category) | reversed: any category | forward: flagged |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const x of rows) {
    if (!x.cases) continue;
    const b = x.category === 'all' ? '**' : '';
    console.log(`| ${b}${x.category}${b} | ${x.cases} | ${x.found} (${C.pct(x.found, x.cases)}) | ${x.anyCategory} | ${x.forwardFlagged} |`);
  }
}
for (const split of ['dev', 'holdout', 'all']) printTable(split, summary[split]);
if (SOURCES_RUN.length > 1) {
  for (const src of SOURCES_RUN) for (const split of ['dev', 'holdout', 'all']) printTable(`${src}, ${split}`, summary.bySource[src][split]);
}
if (crashes.length) {
  console.log('');
  console.log(`ENGINE CRASHES (${crashes.length}):`);
  for (const c of crashes) console.log(`  ${c.name} (${c.side}): ${c.error.split('\n').slice(0, 3).join(' | ')}`);
}
const misses = results.filter((r) => !r.missing && !r.error && !r.found);
if (misses.length) {
  console.log('');
  console.log(`misses (${misses.length}):`);
  for (const r of misses) {
    console.log(`- [${r.split}] [${r.source}] ${r.name} (${r.category}${r.accept ? ', or ' + r.accept.join('/') : ''}): ${r.reason}`);
    if (opts.quiet) continue;
    console.log(`    functions rebuilt: ${(r.functionsRebuilt || []).join(', ') || '(none)'}`);
    const fs_ = (r.reversedFindings || []).filter((f) => f.category !== 'input' || C.SEV[f.severity] >= C.SEV.warning);
    if (!fs_.length) console.log('    engine: no finding');
    for (const f of fs_) console.log(`    engine: ${C.fmtFinding(f)}`);
  }
}
const flagged = results.filter((r) => r.forwardFlags && r.forwardFlags.length);
if (flagged.length) {
  console.log('');
  console.log(`forward fixes flagged (${flagged.length}):`);
  for (const r of flagged) {
    console.log(`- [${r.split}] [${r.source}] ${r.name}`);
    if (opts.quiet) continue;
    for (const f of r.forwardFlags) console.log(`    engine: ${C.fmtFinding(f)}`);
  }
}
