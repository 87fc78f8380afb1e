#!/usr/bin/env node
/**
 * Keystroke latency of the language server, as an editor sees it.
 *
 * Starts `mm-review-lsp --stdio`, opens a ~5,000-line patch series built from
 * examples/ (each copy renamed so that every file and function is distinct),
 * then makes N one-character edits inside hunk lines (insert a space before a
 * `;`, then remove it) and measures the time from sending didChange to the
 * publishDiagnostics of that version. The server's debounce is set to 0 so the
 * numbers are the work itself; the debounce delay an editor adds on top is the
 * `mmReview.debounceMs` setting (default 150 ms), reported separately.
 *
 * Also printed: the load average before and after (the latencies are only
 * comparable at a similar load), and the server's resident set (VmRSS and its
 * peak VmHWM, from /proc; the analysis workers are threads of that process)
 * after opening and after the last edit, and its CPU time (user + system, all
 * threads, from /proc) over the edits: less sensitive to the machine's load than
 * the latencies, so before/after comparisons of heap settings read it first.
 * The server is started as `node FLAGS mm-review-lsp.js --stdio` with the Node
 * options of the bin's #! line (its heap sizes), as a user's `mm-review-lsp` runs.
 *
 * Usage: node bench/lsp.js [--edits 200] [--lines 5000] [--server ROOT] [--pause-every N]   (after npm run build)
 *   --server ROOT: run ROOT/server/bin/mm-review-lsp.js (another build, for before/after)
 *   --pause-every N: pause 0.8 s after every N edits (the server collects its garbage when the editor
 *     is quiet) and print the server's RSS after each pause; the pauses are not in the latencies
 */
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { shebangNodeArgs } = require('./lib/common');
const { createMessageConnection, StreamMessageReader, StreamMessageWriter } = require('vscode-jsonrpc/node');

const ROOT = path.join(__dirname, '..');
const arg = (name, def) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const EDITS = arg('--edits', 200);
const SERVER_ROOT = (() => {
  const i = process.argv.indexOf('--server');
  return i > 0 ? path.resolve(process.argv[i + 1]) : ROOT;
})();
const os = require('node:os');
const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');
/** VmRSS and VmHWM (MB) of a process, from /proc (Linux); null elsewhere. */
function rssOf(pid) {
  try {
    const st = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(st)?.[1] ?? NaN);
    return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
  } catch {
    return null;
  }
}
/** CPU time (ms, user + system, all threads) of a process so far, from /proc (Linux; USER_HZ = 100); NaN elsewhere. */
function cpuOf(pid) {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return NaN;
  }
}
const fmtRss = (m) => (m ? `${m.rss.toFixed(0)} MB (peak ${m.hwm.toFixed(0)} MB)` : 'n/a');
const LINES = arg('--lines', 5000);
const PAUSE_EVERY = arg('--pause-every', 0);

function buildSeries() {
  const ex = ['gup-stable-pin-series.mbox', 'mangled-pinned-ptes.eml', 'qp-readahead-order.eml'].map((f) => fs.readFileSync(path.join(ROOT, 'examples', f), 'utf8'));
  const out = [];
  let n = 0;
  for (let i = 0; n < LINES; i++) {
    const src = ex[i % ex.length];
    // Distinct file paths and function names per copy, and an mbox separator for single mails.
    let t = src.replace(/\b(mm|include\/linux)\/([a-z_-]+)\.(c|h)\b/g, `$1/$2_${i}.$3`);
    if (!t.startsWith('From ')) t = `From mm-review-bench-${i} Mon Sep 17 00:00:00 2001\n` + t;
    out.push(t.endsWith('\n') ? t : t + '\n');
    n += t.split('\n').length;
  }
  return out.join('');
}

function median(a) {
  const s = [...a].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)];
}
function pct(a, p) {
  const s = [...a].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

async function main() {
  const text = buildSeries();
  const lines = text.split('\n');
  // Candidate edit sites: added or context lines of C code inside hunks that end in ';'.
  const sites = [];
  let inHunk = false;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (l.startsWith('@@')) inHunk = true;
    else if (l.startsWith('diff --git') || l.startsWith('From ')) inHunk = false;
    else if (inHunk && /^[+ ]\t.*;$/.test(l) && !/[=]/.test(l.slice(-3))) sites.push(i);
  }
  if (sites.length === 0) throw new Error('no edit sites found');

  const loadBefore = load();
  const bin = path.join(SERVER_ROOT, 'server', 'bin', 'mm-review-lsp.js');
  const nodeArgs = shebangNodeArgs(bin);
  if (!nodeArgs.includes('--expose-gc')) nodeArgs.unshift('--expose-gc');
  const proc = spawn(process.execPath, [...nodeArgs, ...(process.env.LSP_NODE_ARGS ? process.env.LSP_NODE_ARGS.split(' ') : []), bin, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const conn = createMessageConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
  const waiting = new Map();
  conn.onNotification('textDocument/publishDiagnostics', (p) => {
    const w = waiting.get(p.version);
    if (w) {
      waiting.delete(p.version);
      w(p);
    }
  });
  conn.onRequest('workspace/configuration', () => [{ debounceMs: 0 }]);
  // the server logs each analysis: "<file> vN: K finding(s) in X ms" (the work, without transport)
  const work = new Map();
  conn.onNotification('window/logMessage', (p) => {
    const m = / v(\d+): \d+ finding\(s\) in ([\d.]+) ms/.exec(p.message);
    if (m) work.set(Number(m[1]), Number(m[2]));
  });
  conn.listen();
  await conn.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {}, initializationOptions: { debounceMs: 0 } });
  await conn.sendNotification('initialized', {});
  const uri = 'file:///bench/series.mbox';
  const published = (v) => new Promise((r) => waiting.set(v, r));

  let t0 = performance.now();
  let p = published(1);
  await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'diff', version: 1, text } });
  const first = await p;
  const openMs = performance.now() - t0;
  const rssOpen = rssOf(proc.pid);
  const cpuOpen = cpuOf(proc.pid);

  const lat = [];
  const paused = [];
  let version = 1;
  const pause = async () => {
    if (!PAUSE_EVERY || lat.length % PAUSE_EVERY !== 0) return;
    await new Promise((r) => setTimeout(r, 800));
    paused.push(rssOf(proc.pid));
  };
  for (let k = 0; k < EDITS; k++) {
    const line = sites[(k * 7919) % sites.length];
    const col = lines[line].length - 1; // before the ';'
    const insert = k % 2 === 0;
    version++;
    p = published(version);
    t0 = performance.now();
    await conn.sendNotification('textDocument/didChange', {
      textDocument: { uri, version },
      contentChanges: [
        insert
          ? { range: { start: { line, character: col }, end: { line, character: col } }, text: ' ' }
          : { range: { start: { line, character: col }, end: { line, character: col + 1 } }, text: '' },
      ],
    });
    await p;
    lat.push(performance.now() - t0);
    await pause();
    if (!insert) continue;
    // the next edit removes the space again, at the same place
    k++;
    version++;
    p = published(version);
    t0 = performance.now();
    await conn.sendNotification('textDocument/didChange', {
      textDocument: { uri, version },
      contentChanges: [{ range: { start: { line, character: col }, end: { line, character: col + 1 } }, text: '' }],
    });
    await p;
    lat.push(performance.now() - t0);
    await pause();
  }
  const rssEnd = rssOf(proc.pid);
  const cpuEdits = cpuOf(proc.pid) - cpuOpen;
  await conn.sendRequest('shutdown');
  await conn.sendNotification('exit');
  conn.dispose();

  console.log(`bench/lsp: ${path.relative(process.cwd(), SERVER_ROOT) || '.'}; load average ${loadBefore} before, ${load()} after; ${os.cpus().length} CPUs, Node ${process.version}`);
  console.log(`bench/lsp: node ${nodeArgs.join(' ')}${process.env.LSP_NODE_ARGS ? ' ' + process.env.LSP_NODE_ARGS : ''} ${path.relative(process.cwd(), bin)}`);
  console.log(`bench/lsp: ${lines.length} lines, ${sites.length} edit sites, ${first.diagnostics.length} diagnostics on open`);
  console.log(`  open (parse + analyse + publish): ${openMs.toFixed(1)} ms`);
  console.log(`  ${lat.length} one-character edits, didChange -> publishDiagnostics (debounce 0):`);
  console.log(`    p50 ${median(lat).toFixed(1)} ms   p95 ${pct(lat, 95).toFixed(1)} ms   max ${Math.max(...lat).toFixed(1)} ms`);
  const w = [...work.entries()].filter(([v]) => v > 1).map(([, ms]) => ms);
  if (w.length) console.log(`    of which analysis in the server: p50 ${median(w).toFixed(1)} ms   p95 ${pct(w, 95).toFixed(1)} ms (the rest is JSON-RPC transport and (de)serialising the diagnostics)`);
  console.log(`  server CPU over the edits${paused.length ? ' and pauses' : ''}: ${cpuEdits.toFixed(0)} ms (${(cpuEdits / lat.length).toFixed(1)} ms per edit; start-up and open: ${cpuOpen.toFixed(0)} ms)`);
  console.log(`  server RSS: ${fmtRss(rssOpen)} after open, ${fmtRss(rssEnd)} after ${lat.length} edits`);
  if (paused.length) console.log(`  server RSS after a 0.8 s pause every ${PAUSE_EVERY} edits: ${paused.map((m) => (m ? m.rss.toFixed(0) : 'n/a')).join(' ')} MB`);
  console.log(`  editor debounce (mmReview.debounceMs default) adds 150 ms of quiet time before the work starts`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
