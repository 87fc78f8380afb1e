#!/usr/bin/env node
// @vscode/test-electron suite: the extension inside a real VS Code (Electron)
// extension host, driven through the VS Code API with mocha (suite/*.test.js).
//
// It runs when a VS Code binary is available: VSCODE_EXECUTABLE_PATH, or a
// download by @vscode/test-electron (cached in .vscode-test/). Without one
// (e.g. no network to update.code.visualstudio.com) it prints
// "skipped: no VS Code binary" and exits 0. Electron needs a display: without
// DISPLAY it re-runs itself under xvfb-run when that exists, else it skips.
'use strict';
const path = require('node:path');
const fs = require('node:fs');
const os = require('node:os');
const { spawnSync } = require('node:child_process');

const root = path.resolve(__dirname, '..', '..');

function skip(why) {
  console.log(`[vscode-suite] skipped: ${why}`);
  process.exit(0);
}

async function main() {
  let testElectron;
  try {
    testElectron = require('@vscode/test-electron');
  } catch {
    skip('no VS Code binary (@vscode/test-electron is not installed)');
  }
  if (!fs.existsSync(path.join(root, 'dist', 'extension.js')) || !fs.existsSync(path.join(root, 'dist', 'server.js'))) {
    console.error('[vscode-suite] dist/ is missing: run `npm run build` first');
    process.exit(1);
  }
  let exe = process.env.VSCODE_EXECUTABLE_PATH;
  if (exe && !fs.existsSync(exe)) skip(`no VS Code binary (VSCODE_EXECUTABLE_PATH=${exe} does not exist)`);
  if (!exe) {
    if (process.env.MM_VSCODE_DOWNLOAD === '0') skip('no VS Code binary (VSCODE_EXECUTABLE_PATH unset, download disabled)');
    try {
      exe = await withTimeout(testElectron.downloadAndUnzipVSCode({ version: process.env.MM_VSCODE_VERSION || 'stable', cachePath: path.join(root, '.vscode-test') }), 120000);
    } catch (e) {
      skip(`no VS Code binary (VSCODE_EXECUTABLE_PATH unset and the download failed: ${String(e && e.message ? e.message : e).split('\n')[0]})`);
    }
  }
  if (process.platform === 'linux' && !process.env.DISPLAY) {
    const xvfb = spawnSync('sh', ['-c', 'command -v xvfb-run'], { encoding: 'utf8' }).stdout.trim();
    if (!xvfb) skip('VS Code found, but there is no display and no xvfb-run (apt-get install xvfb)');
    const r = spawnSync(xvfb, ['-a', process.execPath, __filename], { stdio: 'inherit', env: { ...process.env, DISPLAY: '', VSCODE_EXECUTABLE_PATH: exe, MM_UNDER_XVFB: '1' } });
    process.exit(r.status ?? 1);
  }

  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-review-vscode-suite-'));
  for (const f of ['mangled-pinned-ptes.eml', 'gup-stable-pin-series.mbox']) fs.copyFileSync(path.join(root, 'examples', f), path.join(ws, f));
  fs.writeFileSync(path.join(ws, 'sb.litmus'), fs.readFileSync(path.join(__dirname, 'fixtures', 'SB+fencembonceonces.litmus')));
  // A git repository whose HEAD adds a C file with a store->load ordering bug,
  // for "Review git commit or range…" (git format-patch HEAD).
  const git = (...a) => spawnSync('git', ['-c', 'user.name=MM Review Suite', '-c', 'user.email=suite@example.org', '-c', 'commit.gpgsign=false', ...a], { cwd: ws, encoding: 'utf8' });
  git('init', '-q');
  git('add', '.');
  git('commit', '-q', '-m', 'fixtures');
  const patch = fs.readFileSync(path.join(root, 'test', 'e2e', 'fixtures', 'pin-vs-writeback.patch'), 'utf8').split('\n');
  const start = patch.findIndex((l) => l.startsWith('+++ b/mm/gup_pin.c'));
  const body = [];
  for (const l of patch.slice(start + 2)) {
    if (!l.startsWith('+')) break;
    body.push(l.slice(1));
  }
  fs.mkdirSync(path.join(ws, 'mm'), { recursive: true });
  fs.writeFileSync(path.join(ws, 'mm', 'gup_pin.c'), body.join('\n') + '\n');
  git('add', 'mm/gup_pin.c');
  git('commit', '-q', '-m', 'mm/gup: back off pinning while a page is under writeback');
  try {
    await testElectron.runTests({
      vscodeExecutablePath: exe,
      extensionDevelopmentPath: root,
      extensionTestsPath: path.join(__dirname, 'suite', 'index.js'),
      launchArgs: [ws, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes', '--disable-gpu'],
      extensionTestsEnv: { MM_SUITE_WORKSPACE: ws },
    });
    console.log('[vscode-suite] passed');
  } catch (e) {
    console.error('[vscode-suite] failed:', e && e.message ? e.message : e);
    process.exitCode = 1;
  } finally {
    fs.rmSync(ws, { recursive: true, force: true });
  }
}

function withTimeout(p, ms) {
  return Promise.race([p, new Promise((_, rej) => setTimeout(() => rej(new Error(`timed out after ${ms / 1000}s`)), ms).unref())]);
}

main();
