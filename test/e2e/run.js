#!/usr/bin/env node
// End-to-end test in a real VS Code: code-server (installed outside the repo by
// .ci/install-code-server.sh) with the packaged .vsix, driven by playwright-core
// in Debian's chromium. What it asserts is data: test/e2e/expectations.json.
//
//   node test/e2e/run.js [--vsix path] [--keep] [--update-screenshots]
//
// Env: MM_E2E_PREFIX (code-server prefix, default /opt/mm-review-e2e),
//      CHROMIUM (default /usr/bin/chromium), MM_E2E_STRICT=1 (pending checks fail too),
//      MM_E2E_HEADED=1 (show the browser; needs a display).
// Screenshots and logs go to test/e2e/artifacts/; --update-screenshots copies
// the good ones to docs/screenshots/.
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const http = require('node:http');

const root = path.resolve(__dirname, '..', '..');
const args = process.argv.slice(2);
const flag = (f) => args.includes(f);
const opt = (f, d) => (args.indexOf(f) >= 0 ? args[args.indexOf(f) + 1] : d);

const prefix = process.env.MM_E2E_PREFIX || '/opt/mm-review-e2e';
const codeServer = path.join(prefix, 'node_modules', '.bin', 'code-server');
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const vsix = path.resolve(opt('--vsix', path.join(root, 'mm-patch-review.vsix')));
const artifacts = path.join(__dirname, 'artifacts');
const expectations = JSON.parse(fs.readFileSync(path.join(__dirname, 'expectations.json'), 'utf8'));
const strict = process.env.MM_E2E_STRICT === '1';
const pending = new Set(strict ? [] : expectations.pending || []);

const results = []; // { id, ok, pending, detail }
let shotNo = 0;

function log(...a) {
  console.log('[e2e]', ...a);
}

function need(file, what) {
  if (!fs.existsSync(file)) {
    console.error(`[e2e] missing ${what}: ${file}`);
    console.error('[e2e] run `bash .ci/install-code-server.sh` and `npm run build && npm run package` first.');
    process.exit(1);
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function get(url) {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('error', () => resolve(0));
    req.setTimeout(2000, () => {
      req.destroy();
      resolve(0);
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function check(id, fn) {
  const isPending = pending.has(id);
  try {
    const detail = await fn();
    results.push({ id, ok: true, pending: isPending, detail: detail || '' });
    log(`PASS ${id}${detail ? ': ' + detail : ''}${isPending ? '  (listed as pending: remove it from expectations.json)' : ''}`);
    return true;
  } catch (e) {
    const msg = (e && e.message ? e.message : String(e)).split('\n').slice(0, 4).join(' | ');
    results.push({ id, ok: false, pending: isPending, detail: msg });
    log(`${isPending ? 'PENDING' : 'FAIL'} ${id}: ${msg}`);
    return false;
  }
}

async function main() {
  need(codeServer, 'code-server');
  need(chromiumPath, 'chromium');
  need(vsix, '.vsix');
  let chromium;
  try {
    ({ chromium } = require('playwright-core'));
  } catch {
    console.error('[e2e] playwright-core is not installed (npm ci installs it as a devDependency).');
    process.exit(1);
  }

  fs.rmSync(artifacts, { recursive: true, force: true });
  fs.mkdirSync(artifacts, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-review-e2e-'));
  const userData = path.join(tmp, 'user-data');
  const extDir = path.join(tmp, 'extensions');
  const ws = path.join(tmp, 'workspace');
  fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
  fs.mkdirSync(extDir, { recursive: true });
  fs.mkdirSync(ws, { recursive: true });

  // Workspace: the fixtures (copied examples and a seed thread as an mbox).
  for (const f of expectations.fixtures) fs.copyFileSync(path.join(root, f.from), path.join(ws, f.file));
  // User settings: trust everything (the folder is ours), no noise.
  fs.writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify({
    'security.workspace.trust.enabled': false,
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'telemetry.telemetryLevel': 'off',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'update.mode': 'none',
    'editor.codeLens': true,
    'editor.minimap.enabled': false,
    'editor.hover.delay': 100,
    'window.restoreWindows': 'none',
    'workbench.editor.enablePreview': false,
    'chat.commandCenter.enabled': false,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'git.enabled': false,
    'mmReview.differential': true,
  }, null, 2));

  log(`installing ${path.relative(root, vsix)} into a fresh extensions dir`);
  const inst = spawnSync(codeServer, ['--install-extension', vsix, '--extensions-dir', extDir, '--user-data-dir', userData], { encoding: 'utf8' });
  process.stdout.write(inst.stdout || '');
  if (inst.status !== 0) {
    console.error(inst.stderr);
    throw new Error('code-server --install-extension failed');
  }

  // TextMate grammars, tokenized by VS Code's own engine and C grammar.
  await check('grammars', () => require('./grammars').checkGrammars(path.join(prefix, 'node_modules', 'code-server', 'lib', 'vscode')));

  const port = await freePort();
  const csLog = fs.openSync(path.join(artifacts, 'code-server.log'), 'w');
  const cs = spawn(codeServer, [
    '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check',
    '--disable-workspace-trust', '--user-data-dir', userData, '--extensions-dir', extDir, ws,
  ], { stdio: ['ignore', csLog, csLog], detached: true });
  const stopServer = () => {
    try {
      process.kill(-cs.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  };
  process.on('exit', stopServer);
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => {
    stopServer();
    process.exit(130);
  });
  let up = false;
  for (let i = 0; i < 120 && !up; i++) {
    up = (await get(`http://127.0.0.1:${port}/healthz`)) === 200;
    if (!up) await sleep(500);
  }
  if (!up) throw new Error('code-server did not come up; see test/e2e/artifacts/code-server.log');
  log(`code-server on 127.0.0.1:${port}`);

  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: process.env.MM_E2E_HEADED !== '1',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  page.setDefaultTimeout(20000);
  const consoleErrors = [];
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  const shot = async (name) => {
    const file = path.join(artifacts, `${String(++shotNo).padStart(2, '0')}-${name}.png`);
    await page.screenshot({ path: file });
    log(`screenshot ${path.relative(root, file)}`);
    return file;
  };

  try {
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(ws)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60000 });
    await page.locator('.explorer-folders-view, .explorer-viewlet').first().waitFor({ timeout: 60000 }).catch(() => {});
    await sleep(1500);
    await shot('workbench');
    await run(page, shot);
  } finally {
    await shot('final').catch(() => {});
    await browser.close().catch(() => {});
    stopServer();
    collectLogs(userData);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  if (consoleErrors.length) fs.writeFileSync(path.join(artifacts, 'console-errors.txt'), consoleErrors.join('\n'));
}

// ---------------------------------------------------------------------------
// UI helpers (VS Code 1.100 workbench DOM)

async function quickInput(page) {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible' });
  return input;
}

async function openFile(page, name) {
  for (let attempt = 1; ; attempt++) {
    try {
      await page.keyboard.press('Escape');
      await page.keyboard.press('Control+1'); // the first editor group (the replay view opens beside it)
      await page.keyboard.press('Control+P');
      const input = await quickInput(page);
      await input.fill(name, { timeout: 5000 });
      const row = page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first();
      await row.waitFor({ timeout: 5000 });
      await row.click();
      await page.locator('.tabs-container .tab.active', { hasText: name }).first().waitFor({ timeout: 10000 });
      await page.locator('.editor-instance .monaco-editor .view-lines').first().waitFor();
      return;
    } catch (e) {
      if (attempt >= 3) throw e;
      await sleep(1000);
    }
  }
}

async function runCommand(page, title) {
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  const input = await quickInput(page);
  await input.fill('>' + title);
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
  await row.waitFor();
  await row.click();
}

async function showProblems(page) {
  const panel = page.locator('.markers-panel');
  if (!(await panel.isVisible().catch(() => false))) {
    await runCommand(page, 'View: Focus Problems (Errors, Warnings, Infos)').catch(async () => {
      await page.keyboard.press('Escape');
      await page.keyboard.press('Control+Shift+M');
    });
  }
  await panel.waitFor({ state: 'visible' });
  return panel;
}

async function filterProblems(page, text) {
  const filter = page.locator('.viewpane-filter input, .markers-panel-action-filter input').first();
  await filter.waitFor({ state: 'visible' });
  await filter.fill(text);
  await sleep(400);
}

/** Wait until the Problems view shows a marker row with this code under this file. */
async function problemRow(page, file, code, timeout = 60000) {
  await showProblems(page);
  await filterProblems(page, code);
  const deadline = Date.now() + timeout;
  const rows = page.locator('.markers-panel .monaco-list-row');
  while (Date.now() < deadline) {
    const texts = await rows.allInnerTexts().catch(() => []);
    const hasFile = texts.some((t) => t.includes(file));
    const idx = texts.findIndex((t) => t.includes(code) && !t.includes(file + '\n'));
    if (hasFile && idx >= 0) return rows.nth(idx);
    await sleep(500);
  }
  const texts = await rows.allInnerTexts().catch(() => []);
  throw new Error(`no "${code}" problem for ${file} (rows shown: ${JSON.stringify(texts.slice(0, 6))})`);
}

async function clearProblemFilter(page) {
  await filterProblems(page, '').catch(() => {});
}

async function hoverText(page) {
  await runCommand(page, 'Show or Focus Hover');
  const hover = page.locator('.monaco-hover:not(.hidden)').first();
  await hover.waitFor({ state: 'visible' });
  await sleep(300);
  return hover.innerText();
}

/** Room for the replay view in screenshots: hide the panel, maximize the replay's editor group. */
async function focusReplay(page) {
  await runCommand(page, 'View: Hide Panel').catch(() => page.keyboard.press('Escape'));
  await page.locator('.tabs-container .tab', { hasText: 'Replay' }).first().click().catch(() => {});
  await runCommand(page, 'View: Toggle Maximized Editor Group').catch(() => page.keyboard.press('Escape'));
  await sleep(800);
}

async function unfocusReplay(page) {
  await runCommand(page, 'View: Toggle Maximized Editor Group').catch(() => page.keyboard.press('Escape'));
}

function replayFrame(page) {
  return page.frameLocator('iframe.webview.ready').last().frameLocator('iframe#active-frame');
}

async function assertReplay(frame, minCpus, wantBroken) {
  const lanes = frame.locator('.lane-head');
  await lanes.first().waitFor({ timeout: 30000 });
  const names = await lanes.allInnerTexts();
  if (names.length < minCpus) throw new Error(`replay shows ${names.length} CPU lane(s), want ${minCpus}`);
  let invariant = '';
  if (wantBroken) {
    const broken = frame.locator('.step.broken .broken-mark').first();
    await broken.waitFor({ timeout: 10000 });
    invariant = (await broken.innerText()).trim();
    if (invariant.length < 3) throw new Error('the broken invariant is empty');
  }
  return `${names.length} CPUs (${names.join(' | ')})${invariant ? `, invariant "${invariant}"` : ''}`;
}

// ---------------------------------------------------------------------------
// The scenario

async function run(page, shot) {
  // 1. Problems: each fixture opened, its expected codes listed.
  const byFile = new Map();
  for (const p of expectations.problems) {
    if (!byFile.has(p.file)) byFile.set(p.file, []);
    byFile.get(p.file).push(p);
  }
  for (const [file, checks] of byFile) {
    await openFile(page, file);
    for (const p of checks) {
      await check(`${p.id}`, async () => {
        for (const code of p.codes) await problemRow(page, file, code, pending.has(p.id) ? 15000 : 60000);
        return `${file}: ${p.codes.join(', ')}`;
      });
    }
    await clearProblemFilter(page);
    await sleep(500);
    await shot(`problems-${file.replace(/\W+/g, '-')}`);
  }

  // 2. Hover on a flagged line: navigate through the Problems view, then show the hover.
  for (const h of expectations.hover) {
    await check(h.id, async () => {
      await openFile(page, h.file);
      const row = await problemRow(page, h.file, h.code, 30000);
      await row.click();
      await sleep(800);
      const text = await hoverText(page);
      for (const want of h.expect) if (!text.includes(want)) throw new Error(`hover lacks "${want}": ${JSON.stringify(text.slice(0, 300))}`);
      await shot(`hover-${h.id}`);
      await page.keyboard.press('Escape');
      return JSON.stringify(text.split('\n')[0].slice(0, 100));
    });
  }

  // 3. Code lens "▶ Replay race" above the finding, then the replay view.
  const r = expectations.replay;
  await check(r.id, async () => {
    await openFile(page, r.file);
    const row = await problemRow(page, r.file, r.code, 30000);
    await row.click();
    await sleep(1000);
    await page.keyboard.press('Escape');
    const lens = page.locator('.editor-instance .monaco-editor').first().getByText('Replay race', { exact: false }).first();
    await lens.waitFor({ timeout: 30000 });
    await lens.click();
    const frame = replayFrame(page);
    const detail = await assertReplay(frame, r.minCpus, true);
    await focusReplay(page);
    await shot('replay-buggy');
    return detail;
  });
  await check('replay-keyboard', async () => {
    const frame = replayFrame(page);
    await frame.locator('.lanes').click({ position: { x: 2, y: 2 } });
    await page.keyboard.press('Home');
    const c0 = await frame.locator('.counter').innerText();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    const c2 = await frame.locator('.counter').innerText();
    if (!/^Step 0 \//.test(c0) || !/^Step 2 \//.test(c2)) throw new Error(`counter "${c0}" then "${c2}"`);
    await shot('replay-step-2');
    await page.keyboard.press('End');
    return `${c0} -> ${c2}`;
  });
  await check('replay-fixed', async () => {
    const frame = replayFrame(page);
    await frame.locator('button[data-variant="fixed"]').click();
    await frame.locator('.outcome.unreachable').waitFor({ timeout: 20000 });
    const text = await frame.locator('.outcome').innerText();
    if (!/forbidden by/i.test(text)) throw new Error(`the fixed outcome does not say why: ${JSON.stringify(text.slice(0, 200))}`);
    await sleep(400);
    await shot('replay-fixed');
    await unfocusReplay(page);
    return JSON.stringify(text.replace(/\s+/g, ' ').slice(0, 120));
  });

  // 4. Palette commands by title.
  for (const c of expectations.palette) {
    await check(c.id, async () => {
      await openFile(page, expectations.fixtures[0].file);
      await runCommand(page, c.title);
      if (c.expectStatus) {
        await page.locator('.statusbar', { hasText: c.expectStatus }).waitFor({ timeout: 10000 });
        await shot(`palette-${c.id}`);
        return `status bar: ${c.expectStatus}`;
      }
      // Replay scenario…: a quick pick of the scenarios; take the first.
      const first = page.locator('.quick-input-list .monaco-list-row').first();
      await first.waitFor({ timeout: 20000 });
      const label = (await first.innerText()).split('\n')[0];
      await shot(`palette-${c.id}-pick`);
      await first.click();
      const detail = await assertReplay(replayFrame(page), c.minCpus, false);
      await focusReplay(page);
      await shot(`palette-${c.id}`);
      await unfocusReplay(page);
      return `${label}: ${detail}`;
    });
  }
  await runCommand(page, 'MM Review: Toggle differential mode').catch(() => {});

  // The status bar item.
  await check('status-bar', async () => {
    await openFile(page, expectations.fixtures[0].file);
    const item = page.locator('.statusbar-item', { hasText: 'MM Review' }).first();
    await item.waitFor({ timeout: 10000 });
    const t = (await item.innerText()).trim();
    if (!/\d+ findings?|analyzing/.test(t)) throw new Error(`status bar says ${JSON.stringify(t)}`);
    return JSON.stringify(t);
  });
}

function collectLogs(userData) {
  const out = path.join(artifacts, 'logs');
  const logs = path.join(userData, 'logs');
  if (!fs.existsSync(logs)) return;
  (function walk(dir) {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/MM Review|exthost|remoteagent|renderer/.test(e.name)) {
        fs.mkdirSync(out, { recursive: true });
        fs.copyFileSync(p, path.join(out, e.name.replace(/[^\w.-]+/g, '_')));
      }
    }
  })(logs);
}

function summary() {
  const failed = results.filter((r) => !r.ok && !r.pending);
  const pend = results.filter((r) => !r.ok && r.pending);
  const passed = results.filter((r) => r.ok);
  console.log(`\n[e2e] ${passed.length} passed, ${failed.length} failed, ${pend.length} pending (not landed yet)`);
  for (const r of failed) console.log(`[e2e]   FAIL ${r.id}: ${r.detail}`);
  for (const r of pend) console.log(`[e2e]   pending ${r.id}: ${r.detail}`);
  fs.writeFileSync(path.join(artifacts, 'results.json'), JSON.stringify(results, null, 2));
  return failed.length;
}

function updateScreenshots() {
  const dest = path.join(root, 'docs', 'screenshots');
  const map = {
    'problems-gup-stable-pin-series-mbox': 'problems.png',
    'hover-hover-finding': 'hover.png',
    'replay-buggy': 'replay-buggy.png',
    'replay-fixed': 'replay-fixed.png',
    'palette-palette-scenario-pick': 'palette-scenarios.png',
    'palette-palette-scenario': 'replay-buggy.png',
    'problems-mangled-pinned-ptes-eml': 'problems-mangled.png',
  };
  fs.mkdirSync(dest, { recursive: true });
  for (const f of fs.readdirSync(artifacts)) {
    const key = f.replace(/^\d+-/, '').replace(/\.png$/, '');
    if (map[key]) {
      fs.copyFileSync(path.join(artifacts, f), path.join(dest, map[key]));
      log(`docs/screenshots/${map[key]} <- ${f}`);
    }
  }
}

main()
  .then(() => {
    const failed = summary();
    if (flag('--update-screenshots')) updateScreenshots();
    // The @vscode/test-electron suite: runs when a VS Code binary is available, skips cleanly otherwise.
    const suite = spawnSync(process.execPath, [path.join(root, 'test', 'vscode-suite', 'run.js')], { stdio: 'inherit' });
    process.exit(failed || suite.status ? 1 : 0);
  })
  .catch((e) => {
    console.error('[e2e] error:', e && e.stack ? e.stack : e);
    summary();
    process.exit(1);
  });
