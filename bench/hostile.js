#!/usr/bin/env node
/**
 * Hostile inputs: time and peak RSS of the engine on each generated case of
 * test/hostile at two sizes (x2 input should cost about x2), with the
 * engine's own work counters; then, over the LSP, hover latency on a small
 * document while the 20 MB hunk is analysed, and how fast a cancelled
 * simulator run is answered.
 *
 * Every engine measurement runs in a fresh process (peak RSS is per case).
 * Medians of --runs runs (default 3).
 *
 * Usage: node bench/hostile.js [--runs 3] [--no-lsp]      (after npm run build)
 */
'use strict';
const { spawnSync, spawn } = require('node:child_process');
const path = require('node:path');
const fs = require('node:fs');

const ROOT = path.join(__dirname, '..');
const GEN = path.join(ROOT, 'test', 'out', 'hostile', 'gen.js');
const args = process.argv.slice(2);
const arg = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const RUNS = arg('--runs', 3);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** The cases: generator, two sizes, what the size counts, and the work counter to show. */
const CASES = [
  { name: '#if tokenizer bomb', gen: 'ifRegexBomb', sizes: [20_000, 40_000], unit: '`\\x` pairs', counter: 'chars' },
  { name: '20 MB hunk (one function)', gen: 'hugeFunction', sizes: [500_000, 1_000_000], unit: 'lines', counter: 'chars' },
  { name: 'one huge C line', gen: 'hugeLine', sizes: [5_000_000, 10_000_000], unit: 'bytes', counter: 'chars' },
  { name: 'nested #ifdef', gen: 'nestedIfdef', sizes: [1_500, 3_000], unit: 'levels', counter: 'preprocWork' },
  { name: 'goto mesh', gen: 'gotoMesh', sizes: [1_500, 3_000], unit: 'gotos', counter: 'pathStates' },
  { name: 'functions in one file', gen: 'manyFunctions', sizes: [50_000, 100_000], unit: 'functions', counter: 'chars' },
];

// ---------------------------------------------------------------------------
// child: one analysis
if (args[0] === '--child') {
  const gen = require(GEN);
  const { analyze } = require(path.join(ROOT, 'server', 'out', 'engine', 'index.js'));
  const { pathSearchStats } = require(path.join(ROOT, 'server', 'out', 'rules', 'resources.js'));
  const { preprocStats } = require(path.join(ROOT, 'server', 'out', 'c', 'preproc.js'));
  const text = gen[args[1]](Number(args[2]));
  const t0 = performance.now();
  const a = analyze(text, 'hostile.patch');
  const ms = performance.now() - t0;
  process.stdout.write(
    JSON.stringify({
      ms,
      rssMB: process.resourceUsage().maxRSS / 1024,
      chars: text.length,
      findings: a.findings.length,
      rules: [...new Set(a.findings.map((f) => f.rule))].filter((r) => r.startsWith('input/')),
      functions: a.budget.functions,
      work: a.budget.work,
      skipped: a.budget.skipped.length,
      preprocWork: preprocStats.work,
      pathStates: pathSearchStats.ladderStates + pathSearchStats.errorReturnNodes,
    }) + '\n',
  );
  process.exit(0);
}

function measure(c, size) {
  const runs = [];
  for (let r = 0; r < RUNS; r++) {
    const p = spawnSync(process.execPath, [__filename, '--child', c.gen, String(size)], { encoding: 'utf8', maxBuffer: 1 << 24 });
    if (p.status !== 0) throw new Error(`${c.gen} ${size}: ${p.stderr}`);
    runs.push(JSON.parse(p.stdout.trim().split('\n').pop()));
  }
  const last = runs[runs.length - 1];
  return { ...last, ms: median(runs.map((x) => x.ms)), rssMB: median(runs.map((x) => x.rssMB)) };
}

function engineTable() {
  const out = [];
  out.push(`bench/hostile: engine, median of ${RUNS} runs each in a fresh process, Node ${process.version}, ${require('node:os').availableParallelism()} CPUs`);
  out.push('');
  out.push('| case | size | input | median ms | peak RSS MB | work counter | x2 input: time / counter | outcome |');
  out.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const c of CASES) {
    const [a, b] = c.sizes.map((s) => measure(c, s));
    for (const [i, m] of [a, b].entries()) {
      const ratio = i === 1 ? `${(b.ms / a.ms).toFixed(2)}x / ${(b[c.counter] / a[c.counter]).toFixed(2)}x` : '';
      const outcome = m.rules.length ? m.rules.join(', ') : `${m.functions} function(s) analysed, ${m.findings} finding(s)`;
      out.push(`| ${i === 0 ? c.name : ''} | ${c.sizes[i].toLocaleString('en-US')} ${c.unit} | ${(m.chars / 1048576).toFixed(2)} MB | ${m.ms.toFixed(0)} | ${m.rssMB.toFixed(0)} | ${c.counter} ${m[c.counter].toLocaleString('en-US')} | ${ratio} | ${outcome} |`);
    }
  }
  return out.join('\n');
}

// ---------------------------------------------------------------------------
// LSP: hovers during the 20 MB analysis; a cancelled simulator run

async function lspBench() {
  const { createMessageConnection, StreamMessageReader, StreamMessageWriter, CancellationTokenSource } = require('vscode-jsonrpc/node');
  const gen = require(GEN);
  const proc = spawn(process.execPath, [path.join(ROOT, 'server', 'bin', 'mm-review-lsp.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const conn = createMessageConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
  const published = new Map();
  const waiters = [];
  conn.onNotification('textDocument/publishDiagnostics', (p) => {
    published.set(p.uri, p);
    for (const w of [...waiters]) if (w.uri === p.uri) (waiters.splice(waiters.indexOf(w), 1), w.resolve(p));
  });
  const status = [];
  conn.onNotification('mmReview/status', (p) => status.push(p));
  conn.onRequest('workspace/configuration', () => [{}]);
  conn.onRequest('client/registerCapability', () => null);
  conn.listen();
  const next = (uri) => new Promise((resolve) => waiters.push({ uri, resolve }));
  await conn.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
  await conn.sendNotification('initialized', {});

  const small = 'file:///bench/small.patch';
  const p0 = next(small);
  await conn.sendNotification('textDocument/didOpen', { textDocument: { uri: small, languageId: 'diff', version: 1, text: gen.gotoMesh(12) } });
  const leak = (await p0).diagnostics.find((d) => d.code === 'ref-balance/leak');

  const results = [];
  for (let r = 0; r < RUNS; r++) {
    const big = `file:///bench/huge-${r}.patch`;
    const text = gen.hugeFunction(1_000_000);
    const done = next(big);
    let finished = false;
    const t0 = performance.now();
    done.then(() => (finished = true));
    await conn.sendNotification('textDocument/didOpen', { textDocument: { uri: big, languageId: 'diff', version: 1, text } });
    // the first hover waits for the server to read the 20 MB message itself; measured apart
    const f0 = performance.now();
    await conn.sendRequest('textDocument/hover', { textDocument: { uri: small }, position: leak.range.start });
    const first = performance.now() - f0;
    while (!status.some((s) => s.uri === big && s.running)) await new Promise((res) => setTimeout(res, 5));
    const lat = [];
    while (!finished) {
      const h0 = performance.now();
      await conn.sendRequest('textDocument/hover', { textDocument: { uri: small }, position: leak.range.start });
      if (!finished) lat.push(performance.now() - h0);
      await new Promise((res) => setTimeout(res, 100));
    }
    const d = await done;
    results.push({ analysisMs: performance.now() - t0, first, hovers: lat.length, p50: median(lat), max: Math.max(...lat), diag: d.diagnostics.map((x) => x.code).join(',') });
    await conn.sendNotification('textDocument/didClose', { textDocument: { uri: big } });
  }

  // a simulator run cancelled after 300 ms: how long until the cancellation error
  const litmus = fs.readFileSync(path.join(ROOT, 'test', 'litmus', 'lock-chain-8.litmus'), 'utf8');
  const cancel = [];
  for (let r = 0; r < RUNS; r++) {
    const src = new CancellationTokenSource();
    const run = conn.sendRequest('workspace/executeCommand', { command: 'mmReview.runLitmus', arguments: [{ text: litmus }] }, src.token).catch((e) => e);
    await new Promise((res) => setTimeout(res, 300));
    const c0 = performance.now();
    src.cancel();
    const e = await run;
    cancel.push({ ms: performance.now() - c0, code: e && e.code });
    const s0 = performance.now();
    await conn.sendRequest('workspace/executeCommand', { command: 'mmReview.scenarios', arguments: [] });
    cancel[cancel.length - 1].nextMs = performance.now() - s0;
  }
  await conn.sendRequest('shutdown');
  await conn.sendNotification('exit');
  proc.kill();

  const out = [];
  out.push('');
  out.push(`LSP (stdio): a 19.1 MB document of one 1,000,000-line hunk opened, hovers on another document every 100 ms until its diagnostics arrive (${RUNS} runs)`);
  out.push('');
  out.push('| run | analysis until diagnostics ms | first hover (behind the 20 MB didOpen) ms | hovers during the analysis | hover p50 ms | hover max ms | diagnostics |');
  out.push('| ---: | ---: | ---: | ---: | ---: | ---: | --- |');
  results.forEach((x, i) => out.push(`| ${i + 1} | ${x.analysisMs.toFixed(0)} | ${x.first.toFixed(1)} | ${x.hovers} | ${x.p50.toFixed(1)} | ${x.max.toFixed(1)} | ${x.diag} |`));
  out.push('');
  out.push(`median over runs: hover p50 ${median(results.map((x) => x.p50)).toFixed(1)} ms, hover max ${median(results.map((x) => x.max)).toFixed(1)} ms (target < 100 ms)`);
  out.push('');
  out.push('Simulator: an 8-CPU lock chain (lock-chain-8.litmus) cancelled after 300 ms');
  out.push('');
  out.push('| run | cancel -> error ms | error code | next command ms |');
  out.push('| ---: | ---: | ---: | ---: |');
  cancel.forEach((x, i) => out.push(`| ${i + 1} | ${x.ms.toFixed(1)} | ${x.code} | ${x.nextMs.toFixed(1)} |`));
  return out.join('\n');
}

(async () => {
  if (!fs.existsSync(GEN)) throw new Error('run `npm run build` (or npx tsc -b) first: test/out/hostile/gen.js is missing');
  console.log(engineTable());
  if (!args.includes('--no-lsp')) console.log(await lspBench());
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
