#!/usr/bin/env node
// Litmus engine benchmark (after `npx tsc -b`). Prints medians.
//
//   node bench/litmus.js [N] [--product]
//       The kernel's own tests (the vendored fixtures in
//       test/sim/fixtures/kernel-litmus; MM_LITMUS_DIR overrides) and our own
//       (test/litmus), N rounds (default 5) in one process: median ms per test,
//       median total per set, the many-thread chains, executions/second, RSS.
//       Fails (exit 1) when it finds no kernel tests.
//   node bench/litmus.js --dir DIR [N] [--timeout-ms MS]
//       Every .litmus file under DIR, in one process: accepted / unsupported /
//       syntax-error counts (unsupported by reason), complete / incomplete
//       (and what an incomplete run established), total and median time.
//   --herd7 PATH [--lkmm DIR] [--herd7-timeout S] [--herd7-cache FILE]
//       Also run herd7 (with DIR/linux-kernel.cfg; --lkmm defaults to
//       ../shared/lkmm) and compare verdicts, Positive/Negative counts and
//       state counts. On the kernel set: N interleaved rounds of herd7 with
//       all files in one process, the engine in this process, and the
//       engine's CLI (`mm-review litmus FILE...`, the bin script run as a
//       user runs it, through its #! line) in one process, and the floor of
//       a CLI process (`node -e ''`, `mm-review litmus --help`); medians,
//       with the load average. When NODE_EXTRA_CA_CERTS is set, `node -e ''`
//       is also timed without it (Node parses that file at every start-up;
//       the CLI's #! line leaves it out), and the CLI as `node BIN`, which
//       keeps it.
//       With --dir: herd7 once per file with its -timeout (CPU seconds,
//       default 15; results cached in --herd7-cache, one JSON line per file:
//       {file, status: ok|timeout|error, ms, result}; a cache filled by
//       another runner keeps that runner's limit); with --one-process,
//       also one herd7 process over the files it finished against the engine
//       on the same files.
//   --results FILE  (with --dir) keep each file's engine result in FILE (JSON
//       lines) as it finishes, and reuse the ones already there: a run over a
//       large collection can be stopped and resumed. --saved-only: report on
//       the saved results only (files without one are counted as not run;
//       with --herd7, files without a cached herd7 result are not run either).
//   --product  the reference per-location product instead of the search.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.join(__dirname, '..');
const out = path.join(root, 'server', 'out', 'sim');
if (!fs.existsSync(path.join(out, 'index.js'))) fail(`no compiled engine in ${out}: run \`npx tsc -b\` first`);
const { parseLitmus, runParsed } = require(path.join(out, 'index.js'));
const { runEngine } = require(path.join(out, 'engine.js'));

// ---- arguments ----
const args = process.argv.slice(2);
const opt = { product: false, dir: null, herd7: null, lkmm: null, herd7Timeout: 15, herd7Cache: null, timeoutMs: 10000, rounds: null, oneProcess: false, results: null, savedOnly: false };
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  const val = () => {
    if (i + 1 >= args.length) fail(`${a} needs a value`);
    return args[++i];
  };
  if (a === '--product') opt.product = true;
  else if (a === '--dir') opt.dir = path.resolve(val());
  else if (a === '--herd7') opt.herd7 = path.resolve(val());
  else if (a === '--lkmm') opt.lkmm = path.resolve(val());
  else if (a === '--herd7-timeout') opt.herd7Timeout = Number(val());
  else if (a === '--herd7-cache') opt.herd7Cache = path.resolve(val());
  else if (a === '--timeout-ms') opt.timeoutMs = Number(val());
  else if (a === '--one-process') opt.oneProcess = true;
  else if (a === '--results') opt.results = path.resolve(val());
  else if (a === '--saved-only') opt.savedOnly = true;
  else if (/^\d+$/.test(a)) opt.rounds = Number(a);
  else if (a === '-h' || a === '--help') {
    console.log(fs.readFileSync(__filename, 'utf8').split('\n').filter((l) => l.startsWith('//')).map((l) => l.slice(3)).join('\n'));
    process.exit(0);
  } else fail(`unknown argument ${a} (see --help)`);
}

function fail(msg) {
  console.error(`bench/litmus: ${msg}`);
  process.exit(1);
}

function files(dir) {
  const found = [];
  (function walk(d) {
    if (!fs.existsSync(d)) return;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.litmus')) found.push(p);
    }
  })(dir);
  return found.sort();
}
const median = (xs) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const ms = (t) => Number(process.hrtime.bigint() - t) / 1e6;
const fmt = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

function run(test) {
  if (!opt.product) return runParsed(test, { timeoutMs: opt.timeoutMs, explain: false });
  const r = runEngine(test, { maxExecutions: 200000, timeoutMs: opt.timeoutMs, maxWitnesses: 3, maxForbidden: 3, strategy: 'product', explain: false });
  return {
    complete: r.complete, possible: r.possible, observation: r.positive === 0 ? 'Never' : r.negative === 0 ? 'Always' : 'Sometimes',
    positive: r.positive, negative: r.negative, states: r.states, stats: { candidates: r.candidates },
  };
}

/** herd7's result blocks in its output, by test name. */
function parseHerd(stdout) {
  const res = new Map();
  for (const block of stdout.split(/\n(?=Test )/)) {
    const name = /^Test (\S+)/m.exec(block)?.[1];
    const obs = /^Observation (\S+) (\S+) (\d+) (\d+)/m.exec(block);
    const states = /^States (\d+)/m.exec(block);
    if (name && obs) res.set(name, { observation: obs[2], positive: Number(obs[3]), negative: Number(obs[4]), states: Number(states?.[1] ?? -1) });
  }
  return res;
}

function lkmmDir() {
  const d = opt.lkmm ?? path.join(root, '..', 'shared', 'lkmm');
  if (!fs.existsSync(path.join(d, 'linux-kernel.cfg'))) fail(`no linux-kernel.cfg in ${d}: pass --lkmm DIR (tools/memory-model or a copy of the LKMM files)`);
  return d;
}

function herd(filesList, timeoutS) {
  const t = process.hrtime.bigint();
  const r = spawnSync(opt.herd7, ['-conf', 'linux-kernel.cfg', ...(timeoutS ? ['-timeout', String(timeoutS)] : []), ...filesList], {
    cwd: lkmmDir(), encoding: 'utf8', maxBuffer: 1 << 30,
  });
  if (r.error) fail(`cannot run herd7 (${opt.herd7}): ${r.error.message}`);
  return { wallMs: ms(t), stdout: r.stdout, stderr: r.stderr, status: r.status };
}

function compare(ours, h) {
  if (!ours.complete) return ours.possible.length === 1 && ours.possible[0] === h.observation ? 'verdict' : ours.possible.includes(h.observation) ? 'partial' : 'disagree';
  if (ours.observation !== h.observation) return 'disagree';
  return ours.positive === h.positive && ours.negative === h.negative && ours.states.length === h.states ? 'agree' : 'counts';
}

if (opt.dir) dirMode();
else kernelMode();

// ---- the kernel set and our own tests ----
function kernelMode() {
  const N = opt.rounds ?? 5;
  const loadStart = os.loadavg()[0];
  const kernelDir = process.env.MM_LITMUS_DIR || path.join(root, 'test', 'sim', 'fixtures', 'kernel-litmus');
  const sets = { kernel: kernelDir, own: path.join(root, 'test', 'litmus') };
  const kernelFiles = files(kernelDir);
  if (kernelFiles.length === 0) fail(`no kernel litmus tests found in ${kernelDir} (the vendored fixtures); set MM_LITMUS_DIR to a directory of .litmus files`);
  const srcs = new Map();
  for (const dir of Object.values(sets)) for (const f of files(dir)) srcs.set(f, fs.readFileSync(f, 'utf8'));

  const perTest = new Map();
  const info = new Map();
  const totals = { kernel: [], own: [] };
  const herdTimes = [];
  const cliTimes = [];
  // what a CLI process costs before its first test: Node alone, and `mm-review litmus --help` (Node, the modules, the argument parser)
  const nodeTimes = [];
  const helpTimes = [];
  // NODE_EXTRA_CA_CERTS makes every Node process read and parse that
  // certificate file at start-up, before any script runs (Node 20): when it
  // is set, the CLI and the floor are also timed without it, to show what the
  // environment adds (the ratio to herd7 is the one with it, as set)
  const extraCa = process.env.NODE_EXTRA_CA_CERTS;
  const noCaEnv = { ...process.env };
  delete noCaEnv.NODE_EXTRA_CA_CERTS;
  const cliNoCaTimes = [];
  const nodeNoCaTimes = [];
  const bin = path.join(root, 'server', 'bin', 'mm-review.js');
  // the CLI as a user runs it: the bin script through its #! line (which starts Node without
  // NODE_EXTRA_CA_CERTS), with this Node first on the PATH
  const binEnv = (env) => ({ ...env, PATH: `${path.dirname(process.execPath)}${path.delimiter}${env.PATH ?? ''}` });
  const cliEnv = binEnv(process.env);
  let candidates = 0;
  let candMs = 0;
  for (let i = 0; i < N; i++) {
    if (opt.herd7) {
      const h = herd(kernelFiles, 0);
      herdTimes.push(h.wallMs);
      const t = process.hrtime.bigint();
      const c = spawnSync(bin, ['litmus', ...kernelFiles], { encoding: 'utf8', maxBuffer: 1 << 28, env: cliEnv });
      cliTimes.push(ms(t));
      const t1 = process.hrtime.bigint();
      spawnSync(process.execPath, ['-e', ''], { encoding: 'utf8' });
      nodeTimes.push(ms(t1));
      const t2 = process.hrtime.bigint();
      spawnSync(bin, ['litmus', '--help'], { encoding: 'utf8', env: cliEnv });
      helpTimes.push(ms(t2));
      if (extraCa) {
        const t3 = process.hrtime.bigint();
        spawnSync(process.execPath, [bin, 'litmus', ...kernelFiles], { encoding: 'utf8', maxBuffer: 1 << 28 });
        cliNoCaTimes.push(ms(t3));
        const t4 = process.hrtime.bigint();
        spawnSync(process.execPath, ['-e', ''], { encoding: 'utf8', env: noCaEnv });
        nodeNoCaTimes.push(ms(t4));
      }
      if (i === 0) {
        const hr = parseHerd(h.stdout);
        const cr = parseHerd(c.stdout);
        if (hr.size !== kernelFiles.length) console.log(`herd7 printed ${hr.size} results for ${kernelFiles.length} files${h.stderr ? ': ' + h.stderr.trim().split('\n')[0] : ''}`);
        let same = 0;
        for (const [name, x] of hr) {
          const y = cr.get(name);
          if (y && y.observation === x.observation && y.positive === x.positive && y.negative === x.negative && y.states === x.states) same++;
          else console.log(`  differs: ${name}: herd7 ${JSON.stringify(x)} engine CLI ${JSON.stringify(y)}`);
        }
        console.log(`herd7 vs the engine's CLI on the kernel set: ${same}/${hr.size} identical Observation lines (verdict and Positive/Negative counts) and state counts`);
      }
    }
    for (const [set, dir] of Object.entries(sets)) {
      const t0 = process.hrtime.bigint();
      for (const f of files(dir)) {
        const t = process.hrtime.bigint();
        const test = parseLitmus(srcs.get(f));
        const r = run(test);
        const took = ms(t);
        const key = `${set}/${path.relative(dir, f)}`;
        if (!perTest.has(key)) perTest.set(key, []);
        perTest.get(key).push(took);
        info.set(key, { threads: test.procs.length, complete: r.complete, observation: r.observation, candidates: r.stats.candidates });
        candidates += r.stats.candidates;
        candMs += took;
      }
      totals[set].push(ms(t0));
    }
  }
  const rows = [...perTest].map(([k, v]) => [k, median(v)]).sort((a, b) => b[1] - a[1]);
  console.log(`strategy: ${opt.product ? 'product (reference)' : 'search'}; ${N} rounds; ${os.cpus().length} CPUs, load average ${loadStart.toFixed(2)} at the start, ${os.loadavg()[0].toFixed(2)} at the end`);
  console.log('per-test median (ms), slowest first:');
  for (const [k, v] of rows.slice(0, 25)) console.log(`  ${fmt(v).padStart(8)}  ${k}`);
  if (rows.length > 25) console.log(`  ... ${rows.length - 25} more`);
  console.log('many-thread tests (5+ CPUs), median ms, verdict, candidates:');
  for (const [k, v] of rows) {
    const x = info.get(k);
    if (x.threads < 5) continue;
    console.log(`  ${fmt(v).padStart(8)}  ${k} (${x.threads} CPUs) ${x.complete ? x.observation : 'Incomplete'} ${x.candidates}`);
  }
  for (const [set, t] of Object.entries(totals)) {
    console.log(`${set} set (${files(sets[set]).length} tests), engine in this process: median total ${fmt(median(t))} ms (runs: ${t.map((x) => x.toFixed(0)).join(', ')})`);
  }
  if (opt.herd7) {
    const h = median(herdTimes);
    const c = median(cliTimes);
    const e = median(totals.kernel);
    console.log(`kernel set, one process each, medians of ${N} interleaved rounds:`);
    console.log(`  herd7 ${fmt(h)} ms (runs: ${herdTimes.map((x) => x.toFixed(0)).join(', ')})`);
    console.log(`  engine CLI (mm-review litmus, Node start-up included) ${fmt(c)} ms (runs: ${cliTimes.map((x) => x.toFixed(0)).join(', ')}): ${(h / c).toFixed(1)}x herd7's speed`);
    console.log(`  engine in this process ${fmt(e)} ms: ${(h / e).toFixed(1)}x`);
    const nd = median(nodeTimes);
    const hp = median(helpTimes);
    console.log(`  floor of a CLI process: \`node -e ''\` ${fmt(nd)} ms, \`mm-review litmus --help\` ${fmt(hp)} ms (herd7 / that: ${(h / hp).toFixed(1)}x); the 47 tests cost the CLI ${fmt(c - hp)} ms beyond it`);
    console.log(`  3x herd7's speed for the CLI process needs at most ${fmt(h / 3)} ms: ${c <= h / 3 ? 'met' : 'not met'}`);
    if (extraCa) {
      const cn = median(cliNoCaTimes);
      const nn = median(nodeNoCaTimes);
      console.log(`  NODE_EXTRA_CA_CERTS is set (${extraCa}): Node reads it at every start-up. Without it: \`node -e ''\` ${fmt(nn)} ms (${fmt(nd - nn)} ms less). The CLI's #! line leaves it out; run as \`node ${path.relative(root, bin)}\`, which keeps it: ${fmt(cn)} ms (runs: ${cliNoCaTimes.map((x) => x.toFixed(0)).join(', ')}): ${(h / cn).toFixed(1)}x herd7's speed`);
    }
  }
  console.log(`candidate executions/second: ${Math.round(candidates / (candMs / 1000))}`);
  console.log(`peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(1)} MB`);
}

// ---- a directory tree ----
function dirMode() {
  const N = opt.rounds ?? 1;
  const all = files(opt.dir);
  if (all.length === 0) fail(`no .litmus files under ${opt.dir}`);
  const entries = all.map((f) => ({ f, rel: path.relative(opt.dir, f), src: fs.readFileSync(f, 'utf8') }));
  let cTests = entries.filter((e) => /^\s*C\s/.test(e.src));
  const results = new Map();
  const totals = [];
  const saved = new Map();
  if (opt.results && fs.existsSync(opt.results)) {
    for (const l of fs.readFileSync(opt.results, 'utf8').split('\n')) if (l.trim()) {
      const x = JSON.parse(l);
      saved.set(x.file, x.result);
    }
  }
  for (let i = 0; i < N; i++) {
    const t0 = process.hrtime.bigint();
    let reused = 0;
    for (const e of entries) {
      if (saved.has(e.rel)) {
        results.set(e.rel, saved.get(e.rel));
        reused += median(saved.get(e.rel).times);
        continue;
      }
      if (opt.savedOnly) continue;
      const t = process.hrtime.bigint();
      let r;
      let err;
      try {
        r = run(parseLitmus(e.src));
      } catch (x) {
        if (x && x.name && /Litmus(Syntax|Unsupported)Error/.test(x.name)) err = x;
        else throw x;
      }
      const took = ms(t);
      const prev = results.get(e.rel) ?? { times: [] };
      prev.times.push(took);
      if (r) prev.r = { complete: r.complete, possible: r.possible, observation: r.observation, positive: r.positive, negative: r.negative, states: r.states, candidates: r.stats.candidates };
      if (err) prev.err = { unsupported: !!err.unsupported, message: err.message, line: err.line, column: err.column };
      results.set(e.rel, prev);
      if (opt.results) fs.appendFileSync(opt.results, JSON.stringify({ file: e.rel, result: { ...prev, r: prev.r && { ...prev.r, states: prev.r.states.map(() => 0) } } }) + '\n');
    }
    totals.push(ms(t0) + reused);
  }
  const notRun = entries.filter((e) => !results.has(e.rel));
  if (notRun.length) {
    console.log(`${notRun.length} files have no saved result and were not run (--saved-only): left out below`);
    cTests = cTests.filter((e) => results.has(e.rel));
  }
  const nonC = entries.filter((e) => results.has(e.rel)).length - cTests.length;
  const rs = [...results.values()];
  const accepted = rs.filter((x) => x.r);
  const unsupported = rs.filter((x) => x.err?.unsupported);
  const syntax = rs.filter((x) => x.err && !x.err.unsupported);
  const cUnsupported = cTests.filter((e) => results.get(e.rel).err?.unsupported).length;
  const cSyntax = cTests.filter((e) => results.get(e.rel).err && !results.get(e.rel).err.unsupported).length;
  console.log(`${opt.dir}: ${entries.length - notRun.length} .litmus files (${cTests.length} C, ${nonC} other architectures, reported unsupported); ${N} round(s), ${os.cpus().length} CPUs, load average ${os.loadavg()[0].toFixed(2)}`);
  console.log(`accepted: ${accepted.length}; unsupported: ${unsupported.length}; syntax errors: ${syntax.length}`);
  console.log(`C tests: ${cTests.length - cUnsupported - cSyntax} accepted, ${cUnsupported} unsupported (${(100 * cUnsupported / Math.max(1, cTests.length)).toFixed(2)} %), ${cSyntax} syntax errors`);
  const reasons = new Map();
  for (const [rel, x] of results) {
    if (!x.err) continue;
    const k = x.err.message.replace(/'[^']*'/g, "'…'").replace(/\(this is .*\)/, '(…)').slice(0, 90);
    if (!reasons.has(k)) reasons.set(k, []);
    reasons.get(k).push(`${rel}:${x.err.line}:${x.err.column}`);
  }
  for (const [k, v] of [...reasons].sort((a, b) => b[1].length - a[1].length)) console.log(`  ${String(v.length).padStart(5)}  ${k}   e.g. ${v[0]}`);
  const complete = accepted.filter((x) => x.r.complete);
  const inc = accepted.filter((x) => !x.r.complete);
  const incExact = inc.filter((x) => x.r.possible.length === 1);
  const incPartial = inc.filter((x) => x.r.possible.length === 2);
  console.log(`complete: ${complete.length}; incomplete at the ${opt.timeoutMs} ms bound: ${inc.length} (exact verdict: ${incExact.length}, one verdict ruled out: ${incPartial.length}, unknown: ${inc.length - incExact.length - incPartial.length})`);
  const perTest = accepted.map((x) => median(x.times));
  console.log(`engine, one process: total ${fmt(median(totals))} ms median of ${N} (runs: ${totals.map((x) => x.toFixed(0)).join(', ')}); per accepted test: median ${fmt(median(perTest))} ms, max ${fmt(Math.max(...perTest))} ms`);
  for (const [rel, x] of results) if (x.r && !x.r.complete) console.log(`  incomplete: ${rel} possible ${x.r.possible.join('/')} (${x.r.positive}+ ${x.r.negative}+) ${fmt(median(x.times))} ms`);

  if (!opt.herd7) return;
  // herd7 once per C file (robust to herd7's fatal errors and timeouts), cached
  const cache = new Map();
  if (opt.herd7Cache && fs.existsSync(opt.herd7Cache)) {
    for (const l of fs.readFileSync(opt.herd7Cache, 'utf8').split('\n')) if (l.trim()) {
      const x = JSON.parse(l);
      cache.set(x.file, x);
    }
  }
  let ran = 0;
  for (const e of cTests) {
    if (cache.has(e.rel) || opt.savedOnly) continue;
    const h = herd([e.f], opt.herd7Timeout);
    const parsed = parseHerd(h.stdout);
    const one = [...parsed.values()][0];
    const x = { file: e.rel, status: one ? 'ok' : /Fatal|error/i.test(h.stderr) ? 'error' : 'timeout', ms: h.wallMs, result: one, stderr: h.stderr.slice(0, 300) };
    cache.set(e.rel, x);
    if (opt.herd7Cache) fs.appendFileSync(opt.herd7Cache, JSON.stringify(x) + '\n');
    if (++ran % 200 === 0) console.error(`  herd7: ${ran} files`);
  }
  const finished = cTests.filter((e) => cache.get(e.rel)?.status === 'ok');
  const timedOut = cTests.filter((e) => cache.get(e.rel)?.status === 'timeout');
  const herdErr = cTests.filter((e) => cache.get(e.rel)?.status === 'error');
  const herdNotRun = cTests.filter((e) => !cache.has(e.rel)).length;
  console.log(`herd7 (-timeout ${opt.herd7Timeout} s CPU, one process per file): finished ${finished.length}, timed out ${timedOut.length}, rejected ${herdErr.length}${herdNotRun ? `, not run ${herdNotRun}` : ''}`);
  const cmp = { agree: [], counts: [], verdict: [], partial: [], disagree: [], unsupported: [] };
  for (const e of finished) {
    const x = results.get(e.rel);
    const h = cache.get(e.rel).result;
    if (!x.r) {
      cmp.unsupported.push(`${e.rel}: ${x.err.message}`);
      continue;
    }
    cmp[compare(x.r, h)].push(`${e.rel}: engine ${x.r.complete ? x.r.observation : x.r.possible.join('/') + ' (incomplete)'} ${x.r.positive} ${x.r.negative} states ${x.r.states.length}; herd7 ${h.observation} ${h.positive} ${h.negative} states ${h.states}`);
  }
  const nAcc = finished.length - cmp.unsupported.length;
  console.log(`on the ${finished.length} tests herd7 finished: engine accepts ${nAcc}, unsupported ${cmp.unsupported.length} (${(100 * cmp.unsupported.length / Math.max(1, finished.length)).toFixed(2)} %)`);
  console.log(`  identical verdict, Positive/Negative counts and state count: ${cmp.agree.length}/${nAcc}`);
  console.log(`  same verdict, other counts: ${cmp.counts.length}; incomplete with the same exact verdict: ${cmp.verdict.length}; incomplete, herd7's verdict among the possible ones: ${cmp.partial.length}; DISAGREE: ${cmp.disagree.length}`);
  for (const k of ['disagree', 'counts', 'unsupported']) for (const l of cmp[k].slice(0, 20)) console.log(`  ${k}: ${l}`);
  if (timedOut.length) {
    console.log(`tests herd7 did not finish in ${opt.herd7Timeout} s (engine result, Result: line of the file):`);
    for (const e of timedOut) {
      const x = results.get(e.rel);
      const want = /Result:\s*(\w+)/.exec(e.src)?.[1] ?? '-';
      const threads = (e.src.match(/^\s*P\d+\s*\(/gm) ?? []).length;
      const v = x.r ? (x.r.complete ? `${x.r.observation} ${x.r.positive} ${x.r.negative} (complete)` : `${x.r.possible.join(' or ')} (${x.r.possible.length === 1 ? 'exact verdict' : 'incomplete'}; ${x.r.positive}+ ${x.r.negative}+)`) : `error: ${x.err.message}`;
      console.log(`  ${fmt(median(x.times)).padStart(8)} ms  ${e.rel} (${threads} threads): ${v}; Result: ${want}`);
    }
  }
  // one process each on the files herd7 finished
  const good = finished.filter((e) => results.get(e.rel).r);
  const sumHerd = finished.reduce((a, e) => a + cache.get(e.rel).ms, 0);
  const sumOurs = good.reduce((a, e) => a + median(results.get(e.rel).times), 0);
  console.log(`on the tests herd7 finished: herd7 ${fmt(sumHerd / 1000)} s summed over one process per file (start-up included), engine ${fmt(sumOurs / 1000)} s in this process`);
  if (good.length && opt.oneProcess) {
    const herdT = [];
    const ourT = [];
    for (let i = 0; i < N; i++) {
      herdT.push(herd(good.map((e) => e.f), opt.herd7Timeout).wallMs);
      const t = process.hrtime.bigint();
      for (const e of good) run(parseLitmus(e.src));
      ourT.push(ms(t));
    }
    console.log(`one process over the ${good.length} tests herd7 finished (median of ${N}): herd7 ${fmt(median(herdT) / 1000)} s, engine ${fmt(median(ourT) / 1000)} s (${(median(herdT) / median(ourT)).toFixed(1)}x)`);
  }
}
