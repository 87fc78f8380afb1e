#!/usr/bin/env node
/*
 * Lay out the git-ignored benchmark cache (.cache/ at the repository root)
 * from local bare clones ("mirrors") of the public repositories named in
 * bench/data/sources.json.  Nothing laid out here is ever committed: the
 * repository keeps only the list of sources, and bench/data/*.json keep
 * patch names, paths and commits.
 *
 *   .cache/linux-6.19/          the whole Linux v6.19 tree (git archive of the
 *                               pinned commit), so --kernel-tree sees a real
 *                               tree with its Makefile
 *   .cache/linux-6.19/.mm-bench-source   which repository/commit it came from
 *   .cache/mmotm/patches/NAME   the union of broken-out/*.patch over every
 *                               mmotm snapshot up to the pinned commit, the
 *                               newest version of each name
 *   .cache/mmotm/manifest.json  for each name: blob, newest/oldest snapshot
 *                               holding it, number of versions
 *   .cache/lore/<id>.eml        the mail-archive messages of the lore cases
 *                               of bench/data/realfix.json, copied from a
 *                               directory of <id>.eml files (--lore-dir) and
 *                               checked against the SHA-1 each case records
 *
 * Usage: node scripts/cache.js [--linux-mirror DIR] [--mmotm-mirror DIR]
 *                              [--lore-dir DIR] [--cache DIR]
 *                              [--only linux|mmotm|lore] [--force]
 * Mirror paths default to $MM_BENCH_LINUX_MIRROR / $MM_BENCH_MMOTM_MIRROR,
 * then to the defaults in bench/data/sources.json; the cache directory to
 * $MM_BENCH_CACHE, then to .cache/ in the repository root.
 * A mirror that is missing is reported and skipped (exit 0); a mirror that
 * lacks the pinned commit is an error (exit 2). The lore messages have no
 * mirror: --lore-dir (or $MM_BENCH_LORE_DIR) names a directory holding them
 * as <id>.eml (fetched from the mail-archive index by id, or from
 * lore.kernel.org by the Message-ID each case records); without it the lore
 * part only reports what .cache/lore holds.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync, execFileSync } = require('node:child_process');
const { parseArgs } = require('node:util');

const ROOT = path.join(__dirname, '..');
const SOURCES = JSON.parse(fs.readFileSync(path.join(ROOT, 'bench', 'data', 'sources.json'), 'utf8'));

const { values } = parseArgs({
  options: {
    'linux-mirror': { type: 'string' },
    'mmotm-mirror': { type: 'string' },
    'lore-dir': { type: 'string' },
    cache: { type: 'string' },
    only: { type: 'string' },
    force: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(fs.readFileSync(__filename, 'utf8').split('\n').slice(1, 38).map((l) => l.replace(/^ \*? ?/, '')).join('\n'));
  process.exit(0);
}
const cacheRoot = path.resolve(values.cache || process.env.MM_BENCH_CACHE || path.join(ROOT, '.cache'));

function mirrorOf(key, flag) {
  const s = SOURCES[key];
  return path.resolve(values[flag] || process.env[s.mirrorEnv] || s.mirrorDefault);
}

function git(mirror, args, opts = {}) {
  return execFileSync('git', ['--git-dir', mirror, ...args], { maxBuffer: 1 << 30, ...opts });
}

function hasCommit(mirror, commit) {
  const r = spawnSync('git', ['--git-dir', mirror, 'cat-file', '-e', `${commit}^{commit}`]);
  return r.status === 0;
}

function checkMirror(key, flag) {
  const s = SOURCES[key];
  const mirror = mirrorOf(key, flag);
  if (!fs.existsSync(mirror)) {
    console.log(`cache: ${key}: no mirror at ${mirror} (a bare clone of ${s.url}); skipped. Pass --${flag} DIR or set ${s.mirrorEnv}.`);
    return null;
  }
  if (!hasCommit(mirror, s.commit)) {
    console.error(`cache: ${key}: ${mirror} does not hold commit ${s.commit} of ${s.repo}`);
    process.exit(2);
  }
  return mirror;
}

function stampOk(stampFile, commit) {
  try {
    return JSON.parse(fs.readFileSync(stampFile, 'utf8')).commit === commit;
  } catch {
    return false;
  }
}

function layoutLinux() {
  const s = SOURCES.linux;
  const mirror = checkMirror('linux', 'linux-mirror');
  if (!mirror) return;
  const dir = path.join(cacheRoot, s.cacheDir);
  const stamp = path.join(dir, '.mm-bench-source');
  if (!values.force && stampOk(stamp, s.commit)) {
    console.log(`cache: linux: ${dir} already holds ${s.repo}@${s.commit.slice(0, 12)}`);
    return;
  }
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const t0 = Date.now();
  // The tree exactly as committed (what `git archive` gives), written blob by
  // blob: a partial mirror may lack some large blobs (firmware, generated
  // headers); those are listed in .mm-bench-missing instead of failing.
  const entries = [];
  for (const line of git(mirror, ['ls-tree', '-r', '--full-tree', s.commit]).toString().split('\n')) {
    const m = /^(\d+) blob ([0-9a-f]+)\t(.*)$/.exec(line);
    if (m) entries.push({ mode: m[1], sha: m[2], path: m[3] });
  }
  const missing = [];
  const CHUNK = 4000;
  for (let i = 0; i < entries.length; i += CHUNK) {
    const part = entries.slice(i, i + CHUNK);
    const blobs = readBlobs(mirror, part.map((e) => e.sha));
    for (const e of part) {
      const abs = path.join(dir, e.path);
      const data = blobs.get(e.sha);
      if (!data) {
        missing.push(e.path);
        continue;
      }
      fs.mkdirSync(path.dirname(abs), { recursive: true });
      if (e.mode === '120000') {
        try {
          fs.symlinkSync(data.toString('utf8'), abs);
        } catch {
          /* an unusual link target: leave it out */
        }
      } else fs.writeFileSync(abs, data, { mode: e.mode === '100755' ? 0o755 : 0o644 });
    }
  }
  if (missing.length) fs.writeFileSync(path.join(dir, '.mm-bench-missing'), missing.join('\n') + '\n');
  fs.writeFileSync(stamp, JSON.stringify({ repo: s.repo, commit: s.commit, describe: s.describe }, null, 1) + '\n');
  const nC = fs.readdirSync(path.join(dir, 'mm')).filter((f) => f.endsWith('.c')).length;
  console.log(`cache: linux: ${dir} laid out from ${s.repo}@${s.commit.slice(0, 12)}: ${entries.length - missing.length} files (${nC} mm/*.c) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  if (missing.length) {
    const mmMissing = missing.filter((p) => p.startsWith('mm/') || p.startsWith('include/'));
    console.log(`cache: linux: ${missing.length} blobs absent from the mirror (listed in .mm-bench-missing)${mmMissing.length ? `, of which under mm/ or include/: ${mmMissing.join(', ')}` : '; none under mm/ or include/'}`);
  }
}

/** Read many blobs with one `git cat-file --batch`. */
function readBlobs(mirror, shas) {
  const r = spawnSync('git', ['--git-dir', mirror, 'cat-file', '--batch'], { input: shas.join('\n') + '\n', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`git cat-file --batch failed: ${r.stderr}`);
  const out = new Map();
  const buf = r.stdout;
  let at = 0;
  while (at < buf.length) {
    const nl = buf.indexOf(0x0a, at);
    const header = buf.subarray(at, nl).toString('utf8').split(' ');
    if (header[1] === 'missing') {
      at = nl + 1;
      continue;
    }
    const size = Number(header[2]);
    out.set(header[0], buf.subarray(nl + 1, nl + 1 + size));
    at = nl + 1 + size + 1;
  }
  return out;
}

function layoutMmotm() {
  const s = SOURCES.mmotm;
  const mirror = checkMirror('mmotm', 'mmotm-mirror');
  if (!mirror) return;
  const dir = path.join(cacheRoot, s.cacheDir);
  const stamp = path.join(dir, '.mm-bench-source');
  if (!values.force && stampOk(stamp, s.commit)) {
    console.log(`cache: mmotm: ${dir} already holds the union up to ${s.repo}@${s.commit.slice(0, 12)}`);
    return;
  }
  const t0 = Date.now();
  const commits = git(mirror, ['rev-list', s.commit]).toString().trim().split('\n'); // newest first
  const byName = new Map(); // name -> { blob, newest, oldest, blobs:Set }
  for (const c of commits) {
    const date = git(mirror, ['show', '-s', '--format=%cs', c]).toString().trim();
    for (const line of git(mirror, ['ls-tree', c, 'broken-out/']).toString().split('\n')) {
      const m = /^\d+ blob ([0-9a-f]+)\t(.*)$/.exec(line);
      if (!m) continue;
      const name = path.basename(m[2]);
      let e = byName.get(name);
      if (!e) byName.set(name, (e = { name, blob: m[1], newest: c, newestDate: date, oldest: c, oldestDate: date, blobs: new Set() }));
      e.oldest = c;
      e.oldestDate = date;
      e.blobs.add(m[1]);
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
  const pdir = path.join(dir, 'patches');
  fs.mkdirSync(pdir, { recursive: true });
  const entries = [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  const blobs = readBlobs(mirror, entries.map((e) => e.blob));
  const absent = [];
  for (const e of entries) {
    const data = blobs.get(e.blob);
    if (data) fs.writeFileSync(path.join(pdir, e.name), data);
    else absent.push(e.name); // a partial mirror lacks a few huge blobs (linux-next.patch)
  }
  const manifest = {
    repo: s.repo,
    commit: s.commit,
    snapshots: commits.length,
    absent,
    patches: entries.filter((e) => !absent.includes(e.name)).map((e) => ({ name: e.name, blob: e.blob, newest: e.newest, newestDate: e.newestDate, oldest: e.oldest, oldestDate: e.oldestDate, versions: e.blobs.size })),
  };
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 1) + '\n');
  fs.writeFileSync(stamp, JSON.stringify({ repo: s.repo, commit: s.commit, describe: s.describe }, null, 1) + '\n');
  console.log(`cache: mmotm: ${entries.length - absent.length} patches${absent.length ? ` (absent from the mirror: ${absent.join(', ')})` : ''} from ${commits.length} snapshots laid out in ${pdir} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

fs.mkdirSync(cacheRoot, { recursive: true });
/**
 * .cache/lore: copy the <id>.eml of every lore case from --lore-dir (when
 * given), then report which cases are present, missing, or differ from the
 * text judged (SHA-1 in bench/data/realfix.json).
 */
function layoutLore() {
  const s = SOURCES.lore;
  const dir = path.join(cacheRoot, s.cacheDir);
  const data = JSON.parse(fs.readFileSync(path.join(ROOT, 'bench', 'data', 'realfix.json'), 'utf8'));
  const cases = (data.lore && data.lore.cases) || [];
  const { sha1 } = require(path.join(ROOT, 'bench', 'lib', 'lore.js'));
  const from = values['lore-dir'] || process.env[s.dirEnv];
  if (from) {
    if (!fs.existsSync(from)) console.log(`cache: lore: no directory at ${from}; nothing copied`);
    else {
      fs.mkdirSync(dir, { recursive: true });
      let copied = 0;
      for (const c of cases) {
        const src = path.join(from, `${c.id}.eml`);
        const dst = path.join(dir, `${c.id}.eml`);
        if (!fs.existsSync(src) || path.resolve(src) === path.resolve(dst)) continue;
        if (fs.existsSync(dst) && !values.force) continue;
        fs.copyFileSync(src, dst);
        copied++;
      }
      console.log(`cache: lore: ${copied} messages copied from ${from} to ${dir}`);
    }
  }
  const present = [];
  const missing = [];
  const differ = [];
  for (const c of cases) {
    const f = path.join(dir, `${c.id}.eml`);
    if (!fs.existsSync(f)) missing.push(c);
    else if (sha1(fs.readFileSync(f, 'utf8')) !== c.sha1) differ.push(c);
    else present.push(c);
  }
  console.log(`cache: lore: ${present.length} of ${cases.length} messages in ${dir}${differ.length ? `; ${differ.length} differ from the text judged: ${differ.map((c) => c.id).join(', ')}` : ''}`);
  if (missing.length) {
    console.log(`cache: lore: ${missing.length} missing (bench/realfix.js skips them); get each by its id from the mail-archive index, or from https://lore.kernel.org/r/<Message-ID>, keep it from the header the case records as startsAt on (bench/lib/lore.js), and pass the directory with --lore-dir`);
  }
}

if (!values.only || values.only === 'linux') layoutLinux();
if (!values.only || values.only === 'mmotm') layoutMmotm();
if (!values.only || values.only === 'lore') layoutLore();
