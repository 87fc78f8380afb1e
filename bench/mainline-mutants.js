#!/usr/bin/env node
/*
 * bench/mainline-mutants: recall on real kernel code, by mutation.
 *
 * Over all mm/*.c of the cached Linux v6.19 tree (.cache/linux-6.19), list
 * every site where one small edit introduces a bug of a known category
 * (bench/lib/mutate.js), sample them deterministically and spread over
 * files, and score each mutant two ways:
 *
 *   DIFF-ONLY  the mutant as a `git format-patch` mail (a/mm/x.c b/mm/x.c,
 *              3 lines of context, git's hunk headings), analysed in the
 *              default differential mode: all a reviewer sees is the mail.
 *   TREE       the same mail with the engine's kernel-tree option on the
 *              cached tree, where the original file is the pre-image.
 *
 * A mutant is found when a warning-or-error finding of the mutant's category
 * (or an accepted one, e.g. a leaked pte map is bracket or ref-balance) lies
 * in the mutated function (by the post-image file line the engine reports,
 * else by function name). "Any category" counts any warning-or-error
 * finding there.
 *
 * Operators (category): delete-release, exit-above-release, double-release
 * (bracket for locks and sections, ref-balance for references);
 * swap-release-kind (ref-kind); flags-mismatch (bracket);
 * speculative-get-unconditional (spec-ref); drop-barrier, weaken-barrier
 * (barrier); sleep-in-atomic (atomic-sleep). Only mutants whose file keeps
 * the same braces are kept.
 *
 * Usage: node bench/mainline-mutants.js [--max 600] [--seed 1] [--misses]
 *          [--json] [--op OP] [--files mm/gup.c,...] [--no-tree] [--dump DIR]
 * Needs the cache (node scripts/cache.js); without it, says so and exits 0.
 * Build first: npx tsc -b
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const C = require('./lib/common');
const { unifiedDiff, asMail } = require('./lib/patch');
const { sitesOf, applySite, looksLikeC } = require('./lib/mutate');

const { opts } = C.parseArgs(process.argv.slice(2), ['max', 'seed', 'op', 'files', 'dump']);
const MAX = Number(opts.max ?? 600);
const SEED = String(opts.seed ?? 1);

if (!C.haveLinux()) C.skipMissing('bench/mainline-mutants', 'the Linux v6.19 tree', C.linuxDir());
const engine = C.loadEngine();
const { kernelTreeReader } = C.loadKernelTree();
const treeRoot = C.linuxDir();

// Share of the sample per operator; operators with fewer sites give their
// share to the others (in this order).
const QUOTA = [
  ['delete-release', 0.21],
  ['exit-above-release', 0.15],
  ['double-release', 0.12],
  ['swap-release-kind', 0.11],
  ['sleep-in-atomic', 0.15],
  ['flags-mismatch', 0.08],
  ['drop-barrier', 0.06],
  ['weaken-barrier', 0.04],
  ['speculative-get-unconditional', 0.08],
];

const hash = (s) => crypto.createHash('sha1').update(SEED + '\0' + s).digest('hex');

// ---- sites
let files = fs.readdirSync(path.join(treeRoot, 'mm')).filter((f) => f.endsWith('.c')).sort().map((f) => `mm/${f}`);
if (typeof opts.files === 'string') files = opts.files.split(',').filter(Boolean);
const texts = new Map();
const byOp = new Map();
for (const rel of files) {
  const text = fs.readFileSync(path.join(treeRoot, rel), 'utf8');
  texts.set(rel, text);
  for (const s of sitesOf(text, rel)) {
    if (typeof opts.op === 'string' && s.op !== opts.op) continue;
    if (!looksLikeC(text, applySite(text, s), s)) continue; // only mutants that still look like C
    s.id = `${rel}:${s.line + 1}:${s.op}:${s.edit.insert.length}`;
    if (!byOp.has(s.op)) byOp.set(s.op, []);
    byOp.get(s.op).push(s);
  }
}

/** Round-robin over files (in hashed order), each file's sites in hashed order. */
function spread(sites) {
  const byFile = new Map();
  for (const s of sites) {
    if (!byFile.has(s.file)) byFile.set(s.file, []);
    byFile.get(s.file).push(s);
  }
  const queues = [...byFile.entries()].sort((a, b) => hash(a[0]).localeCompare(hash(b[0]))).map(([, xs]) => xs.sort((a, b) => hash(a.id).localeCompare(hash(b.id))));
  const out = [];
  for (let k = 0; queues.some((q) => k < q.length); k++) for (const q of queues) if (k < q.length) out.push(q[k]);
  return out;
}

// ---- sample
const ordered = new Map(QUOTA.map(([op]) => [op, spread(byOp.get(op) || [])]));
const take = new Map(QUOTA.map(([op, share]) => [op, Math.min(ordered.get(op).length, Math.floor(share * MAX))]));
let left = MAX - [...take.values()].reduce((a, b) => a + b, 0);
while (left > 0) {
  let gave = false;
  for (const [op] of QUOTA) {
    if (left > 0 && take.get(op) < ordered.get(op).length) {
      take.set(op, take.get(op) + 1);
      left--;
      gave = true;
    }
  }
  if (!gave) break;
}
const mutants = [];
for (const [op] of QUOTA) {
  let n = take.get(op);
  for (const s of ordered.get(op)) {
    if (n <= 0) break;
    mutants.push({ ...s, mutated: applySite(texts.get(s.file), s) });
    n--;
  }
}

// ---- score
const reader = opts['no-tree'] ? null : kernelTreeReader(treeRoot);
const crashes = [];
const t0 = performance.now();
let msDiff = 0;
let msTree = 0;

function score(m, a) {
  const delta = m.mutated.split('\n').length - texts.get(m.file).split('\n').length;
  const lo = m.fnOpen; // 0-based `{` line; the function header is above it
  const hi = m.fnClose + delta;
  const inFn = (f) => (f.fileLine !== undefined ? f.fileLine - 1 >= lo - 3 && f.fileLine - 1 <= hi : f.function === m.fn);
  const mine = a.findings.filter((f) => C.serious(f) && inFn(f));
  return { found: mine.some((f) => m.accept.includes(f.category)), any: mine.length > 0, findings: mine };
}

for (const m of mutants) {
  const diff = unifiedDiff(texts.get(m.file), m.mutated, m.file, { context: 3 });
  m.patch = asMail(diff, `${m.file}: mutant ${hash(m.id).slice(0, 8)}`);
  if (typeof opts.dump === 'string') {
    fs.mkdirSync(opts.dump, { recursive: true });
    fs.writeFileSync(path.join(opts.dump, `${m.id.replace(/[/:]/g, '_')}.patch`), m.patch);
  }
  let t = performance.now();
  const d = C.safeAnalyze(engine, m.patch, `${m.file}.mutant.patch`, {});
  msDiff += performance.now() - t;
  if (d.crash) crashes.push({ id: m.id, mode: 'diff-only', error: d.crash });
  m.diffOnly = d.a ? score(m, d.a) : { found: false, any: false, findings: [], crash: true };
  if (reader) {
    t = performance.now();
    const w = C.safeAnalyze(engine, m.patch, `${m.file}.mutant.patch`, { treeFile: reader });
    msTree += performance.now() - t;
    if (w.crash) crashes.push({ id: m.id, mode: 'tree', error: w.crash });
    m.tree = w.a ? score(m, w.a) : { found: false, any: false, findings: [], crash: true };
    m.treeSources = w.a ? [...new Set(w.a.functions.map((f) => f.source))] : [];
  }
}
const seconds = (performance.now() - t0) / 1000;

// ---- report
const CATS = ['ref-balance', 'ref-kind', 'spec-ref', 'barrier', 'bracket', 'atomic-sleep'];
function rows(key, groups) {
  return groups.map((g) => {
    const xs = mutants.filter((m) => g === 'all' || m[key] === g);
    const n = (mode, f) => xs.filter((m) => m[mode] && m[mode][f]).length;
    return { group: g, mutants: xs.length, diffFound: n('diffOnly', 'found'), diffAny: n('diffOnly', 'any'), treeFound: reader ? n('tree', 'found') : null, treeAny: reader ? n('tree', 'any') : null };
  });
}
const byCategory = rows('category', [...CATS, 'all']).filter((r) => r.mutants);
const byOperator = rows('op', [...QUOTA.map(([op]) => op)]).filter((r) => r.mutants);
const siteCounts = Object.fromEntries([...byOp.entries()].map(([op, xs]) => [op, xs.length]));

if (opts.json) {
  const slim = (f) => ({ rule: f.rule, category: f.category, severity: f.severity, function: f.function, fileLine: f.fileLine, message: f.message });
  console.log(
    JSON.stringify(
      {
        tree: C.SOURCES.linux,
        seed: SEED,
        max: MAX,
        files: files.length,
        sites: siteCounts,
        seconds,
        byCategory,
        byOperator,
        crashes,
        mutants: mutants.map((m) => ({
          id: m.id,
          file: m.file,
          line: m.line + 1,
          function: m.fn,
          op: m.op,
          category: m.category,
          accept: m.accept,
          what: m.what,
          diffOnly: { found: m.diffOnly.found, any: m.diffOnly.any, findings: m.diffOnly.findings.map(slim) },
          tree: m.tree ? { found: m.tree.found, any: m.tree.any, findings: m.tree.findings.map(slim), sources: m.treeSources } : null,
        })),
      },
      null,
      1,
    ),
  );
  process.exit(0);
}

const filesUsed = new Set(mutants.map((m) => m.file)).size;
console.log(`bench/mainline-mutants: ${mutants.length} mutants over ${filesUsed} of ${files.length} mm/*.c files of ${C.SOURCES.linux.repo}@${C.SOURCES.linux.commit.slice(0, 12)} (seed ${SEED}), ${seconds.toFixed(1)} s (engine: diff-only ${(msDiff / 1000).toFixed(1)} s, tree ${(msTree / 1000).toFixed(1)} s)`);
console.log(`sites found: ${Object.entries(siteCounts).map(([k, v]) => `${k} ${v}`).join(', ')}`);
const fmt = (n, d) => `${n}/${d} = ${C.pct(n, d)}`;
for (const [title, table] of [['category', byCategory], ['operator', byOperator]]) {
  console.log('');
  console.log(`| ${title} | mutants | diff-only: found | diff-only: any category | tree: found | tree: any category |`);
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const r of table) {
    const b = r.group === 'all' ? '**' : '';
    console.log(`| ${b}${r.group}${b} | ${r.mutants} | ${fmt(r.diffFound, r.mutants)} | ${r.diffAny} | ${reader ? fmt(r.treeFound, r.mutants) : '-'} | ${reader ? r.treeAny : '-'} |`);
  }
}
if (crashes.length) {
  console.log('');
  console.log(`ENGINE CRASHES (${crashes.length}):`);
  for (const c of crashes.slice(0, 20)) console.log(`  ${c.id} (${c.mode}): ${c.error.split('\n').slice(0, 3).join(' | ')}`);
}
if (opts.misses) {
  const missed = mutants.filter((m) => !(m.tree ? m.tree.found : m.diffOnly.found));
  console.log('');
  console.log(`misses${reader ? ' (with the tree)' : ' (diff-only)'}: ${missed.length}`);
  for (const m of missed) {
    console.log(`- ${m.file}:${m.line + 1} ${m.fn}() [${m.op} -> ${m.accept.join('/')}] ${m.what}`);
    const seen = [...(m.diffOnly.findings || []), ...((m.tree && m.tree.findings) || [])];
    if (!seen.length) console.log('    engine: no warning-or-error finding in the function');
    for (const f of m.diffOnly.findings) console.log(`    diff-only: ${C.fmtFinding(f)}`);
    if (m.tree) for (const f of m.tree.findings) console.log(`    tree: ${C.fmtFinding(f)}`);
  }
}
