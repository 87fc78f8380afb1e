'use strict';
/*
 * bench/check --mainline DIR: the analysis of whole kernel files, measured
 * as processes (wall, CPU, peak RSS), beside a raw tree-sitter-c parse of the
 * same C and checkpatch.pl on the same patches. See bench/check.js.
 *
 * Every measured program runs in its own process, in alternating rounds (one
 * of each per round), so that a loaded machine slows them alike; medians are
 * reported with the load average before and after.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { median, shebangNodeArgs } = require('./common');

const ROOT = path.join(__dirname, '..', '..');
const USAGE = path.join(__dirname, 'usage.js');
const CLI = path.join(ROOT, 'server', 'bin', 'mm-review.js');

/** The 24 files of issue 11 (68,357 lines of v6.19 as new-file patches). */
const FILES_24 = [
  ...['gup', 'filemap', 'memory', 'swap', 'huge_memory', 'migrate', 'rmap', 'memremap', 'page_alloc', 'mmap', 'khugepaged', 'userfaultfd', 'madvise', 'mlock', 'vmscan', 'truncate', 'readahead', 'page-writeback', 'hmm', 'mprotect'].map((f) => `mm/${f}.c`),
  ...['mm', 'pagemap', 'page_ref', 'rcupdate'].map((f) => `include/linux/${f}.h`),
];

function chooseFiles(tree, spec) {
  if (spec === '24') return FILES_24;
  if (spec === 'mm') return fs.readdirSync(path.join(tree, 'mm')).filter((f) => f.endsWith('.c')).sort().map((f) => `mm/${f}`);
  return spec.split(',').map((s) => s.trim()).filter(Boolean);
}

/** A whole file as a new-file patch (what `git format-patch` writes for an added file, without the mail). */
function newFilePatch(rel, text) {
  const ls = text.replace(/\n$/, '').split('\n');
  return [`diff --git a/${rel} b/${rel}`, 'new file mode 100644', '--- /dev/null', `+++ b/${rel}`, `@@ -0,0 +1,${ls.length} @@`, ...ls.map((l) => '+' + l)].join('\n') + '\n';
}

/**
 * Run `node FLAGS --require usage.js ARGS` and return what the child reported about itself.
 * FLAGS: those of the script's #! line (the CLI's heap sizes: as a user runs it), else --expose-gc.
 */
function measureNode(args, tmp) {
  const out = path.join(tmp, `usage-${process.pid}-${Math.random().toString(36).slice(2)}.json`);
  const flags = shebangNodeArgs(args[0]);
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [...(flags.length ? flags : ['--expose-gc']), '--require', USAGE, ...args], { env: { ...process.env, MM_BENCH_USAGE: out }, encoding: 'utf8', maxBuffer: 1 << 30 });
  const wallMs = performance.now() - t0;
  if (r.status !== 0 && r.status !== 1) throw new Error(`${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
  const u = JSON.parse(fs.readFileSync(out, 'utf8'));
  fs.rmSync(out, { force: true });
  return { ...u, wallMs, stdout: r.stdout };
}

/** Run a non-Node program under sh and read its children's CPU from the shell's `times`. */
function measureProgram(argv) {
  const t0 = performance.now();
  const r = spawnSync('sh', ['-c', '"$@" >/dev/null 2>&1; times', 'sh', ...argv], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const wallMs = performance.now() - t0;
  // `times`: shell user/sys, then children's user/sys, as 0m1.234s
  const lines = r.stdout.trim().split('\n');
  const sec = (t) => {
    const m = /(\d+)m([\d.]+)s/.exec(t);
    return m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
  };
  const [u, s] = (lines[lines.length - 1] ?? '').trim().split(/\s+/);
  return { wallMs, cpuMs: (sec(u) + sec(s)) * 1000 };
}

const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');
const f0 = (x) => (Number.isFinite(x) ? x.toFixed(0) : '-');
const f2 = (x) => (Number.isFinite(x) ? x.toFixed(2) : '-');

function run({ tree, files: spec, runs, checkpatchRuns, baseline }) {
  if (!fs.existsSync(path.join(tree, 'mm'))) {
    console.log(`bench/check --mainline: ${tree} has no mm/ folder; nothing measured.`);
    return;
  }
  const files = chooseFiles(tree, spec).filter((f) => {
    const ok = fs.existsSync(path.join(tree, f));
    if (!ok) console.log(`(${f} is not in ${tree}; left out)`);
    return ok;
  });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-bench-check-'));
  try {
    const pdir = path.join(tmp, 'patches');
    fs.mkdirSync(pdir);
    let lines = 0;
    const patchFiles = [];
    for (const rel of files) {
      const p = newFilePatch(rel, fs.readFileSync(path.join(tree, rel), 'utf8'));
      lines += p.split('\n').length - 1;
      const pf = path.join(pdir, rel.replace(/\//g, '_') + '.patch');
      fs.writeFileSync(pf, p);
      patchFiles.push(pf);
    }
    const one = path.join(tmp, 'one-line.patch');
    fs.writeFileSync(one, 'diff --git a/mm/x.c b/mm/x.c\n--- a/mm/x.c\n+++ b/mm/x.c\n@@ -1,3 +1,3 @@ void f(void)\n {\n-\ta();\n+\tb();\n }\n');
    const checkpatch = path.join(tree, 'scripts', 'checkpatch.pl');
    const haveCheckpatch = checkpatchRuns > 0 && fs.existsSync(checkpatch) && spawnSync('perl', ['-v']).status === 0;

    const loadBefore = load();
    const ours = [];
    const startup = [];
    const raw = [];
    const cp = [];
    const base = [];
    let findings = -1;
    let baseFindings = -1;
    for (let r = 0; r < runs; r++) {
      const o = measureNode([CLI, 'check', '--format', 'json', '--exit-zero', pdir], tmp);
      findings = JSON.parse(o.stdout).files.reduce((s, f) => s + f.findings.length, 0);
      ours.push(o);
      if (baseline) {
        const b = measureNode([path.join(baseline, 'server', 'bin', 'mm-review.js'), 'check', '--format', 'json', '--exit-zero', pdir], tmp);
        baseFindings = JSON.parse(b.stdout).files.reduce((s, f) => s + f.findings.length, 0);
        base.push(b);
      }
      startup.push(measureNode([CLI, 'check', '--format', 'json', '--exit-zero', one], tmp));
      raw.push(measureNode([path.join(__dirname, 'rawparse.js'), ...files.map((f) => path.join(tree, f))], tmp));
      if (haveCheckpatch && r < checkpatchRuns) cp.push(measureProgram(['perl', checkpatch, '--no-tree', '--no-signoff', ...patchFiles]));
    }
    const loadAfter = load();

    const m = (xs, k) => median(xs.map((x) => x[k]));
    const o = { wall: m(ours, 'wallMs'), cpu: m(ours, 'cpuMs'), rss: m(ours, 'maxRssMB'), peak: Math.max(...ours.map((x) => x.maxRssMB)) };
    const st = { wall: m(startup, 'wallMs'), cpu: m(startup, 'cpuMs'), rss: m(startup, 'maxRssMB') };
    const rw = { loop: m(raw, 'loopCpuMs'), loopWall: m(raw, 'loopWallMs'), cpu: m(raw, 'cpuMs'), wall: m(raw, 'wallMs'), rss: m(raw, 'maxRssMB') };
    // per round, so that the subtraction and the ratio pair runs made under the same load
    const analysisCpu = median(ours.map((x, i) => x.cpuMs - startup[i].cpuMs));
    const ratioRaw = median(ours.map((x, i) => (x.cpuMs - startup[i].cpuMs) / raw[i].loopCpuMs));
    const cpu = cp.length ? { wall: m(cp, 'wallMs'), cpu: m(cp, 'cpuMs') } : null;

    const cLines = raw[0]?.lines ?? 0;
    console.log(`bench/check --mainline: ${files.length} whole files of ${tree} as new-file patches (${lines.toLocaleString('en-US')} patch lines, ${cLines.toLocaleString('en-US')} lines of C), ${findings} finding(s)`);
    console.log(`Node options from the #! lines: ${shebangNodeArgs(CLI).join(' ') || '(none)'}${baseline ? `; baseline: ${shebangNodeArgs(path.join(baseline, 'server', 'bin', 'mm-review.js')).join(' ') || '(none)'}` : ''}`);
    console.log(`medians of ${runs} alternating rounds (checkpatch: ${cp.length}); Node ${process.version}, ${os.cpus().length} CPUs; load average ${loadBefore} before, ${loadAfter} after`);
    console.log('');
    console.log('| process | wall ms | CPU ms | peak RSS MB |');
    console.log('| --- | ---: | ---: | ---: |');
    console.log(`| \`mm-review check --format json\` (all patches) | ${f0(o.wall)} | ${f0(o.cpu)} | ${f0(o.rss)} (max ${f0(o.peak)}) |`);
    console.log(`| \`mm-review check\` on a one-line patch (start-up) | ${f0(st.wall)} | ${f0(st.cpu)} | ${f0(st.rss)} |`);
    console.log(`| tree-sitter-c parse of the same C, whole process | ${f0(rw.wall)} | ${f0(rw.cpu)} | ${f0(rw.rss)} |`);
    console.log(`| tree-sitter-c parse loop only | ${f0(rw.loopWall)} | ${f0(rw.loop)} | |`);
    if (cpu) console.log(`| \`checkpatch.pl --no-tree --no-signoff\` (same patches) | ${f0(cpu.wall)} | ${f0(cpu.cpu)} | |`);
    console.log('');
    console.log(`analysis CPU (start-up excluded): ${f0(analysisCpu)} ms = ${f2(ratioRaw)}x the raw tree-sitter parse loop (${f0(rw.loop)} ms)`);
    console.log(`whole process: ${f2(o.cpu / rw.cpu)}x the CPU of the raw-parse process`);
    if (cpu) console.log(`checkpatch.pl --no-tree: ${f2(cpu.cpu / o.cpu)}x the CPU of mm-review (${f2(cpu.wall / o.wall)}x the wall time)`);
    else if (!fs.existsSync(checkpatch)) console.log(`(no ${path.relative(tree, checkpatch)} in the tree: checkpatch not compared)`);
    console.log(`peak RSS: ${f0(o.peak)} MB`);
    if (base.length) {
      const b = { wall: m(base, 'wallMs'), cpu: m(base, 'cpuMs'), peak: Math.max(...base.map((x) => x.maxRssMB)) };
      const bRatio = median(base.map((x, i) => (x.cpuMs - startup[i].cpuMs) / raw[i].loopCpuMs));
      console.log('');
      console.log(`baseline ${baseline} in the same rounds: wall ${f0(b.wall)} ms, CPU ${f0(b.cpu)} ms, peak RSS ${f0(b.peak)} MB, ${baseFindings} finding(s); analysis ${f2(bRatio)}x the raw parse loop; this build uses ${f2(o.cpu / b.cpu)}x its CPU and ${f2(o.peak / b.peak)}x its peak RSS`);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

module.exports = { run, FILES_24, newFilePatch };
