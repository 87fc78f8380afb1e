// The extension in a real VS Code extension host, through the VS Code API:
// diagnostics with rule codes, hover text, code lenses with the replay
// command, and the replay command's JSON (which also opens the replay view).
'use strict';
const assert = require('node:assert/strict');
const path = require('node:path');
const vscode = require('vscode');

const ws = process.env.MM_SUITE_WORKSPACE;
const EXT_ID = 'mm-patch-review.mm-patch-review';

function codeOf(d) {
  return typeof d.code === 'object' && d.code !== null ? String(d.code.value) : String(d.code);
}

async function open(name) {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(path.join(ws, name)));
  await vscode.window.showTextDocument(doc);
  return doc;
}

/** Wait until the document has diagnostics from mm-review satisfying pred. */
function diagnostics(uri, pred, ms = 60000) {
  return new Promise((resolve, reject) => {
    const check = () => {
      const ds = vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'mm-review' || /\//.test(codeOf(d)));
      if (pred(ds)) {
        sub.dispose();
        clearTimeout(timer);
        resolve(ds);
        return true;
      }
      return false;
    };
    const sub = vscode.languages.onDidChangeDiagnostics(() => check());
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`diagnostics not as expected: ${JSON.stringify(vscode.languages.getDiagnostics(uri).map(codeOf))}`));
    }, ms);
    check();
  });
}

describe('MM Patch Review in VS Code', function () {
  let api;
  before(async function () {
    const ext = vscode.extensions.getExtension(EXT_ID);
    assert.ok(ext, `${EXT_ID} is loaded`);
    await open('mangled-pinned-ptes.eml');
    api = await ext.activate();
    assert.ok(api && api.client, 'activate() returns the API with the language client');
  });

  it('publishes diagnostics with rule ids as codes (input repairs on the mangled mail)', async function () {
    const doc = await open('mangled-pinned-ptes.eml');
    const ds = await diagnostics(doc.uri, (d) => d.some((x) => codeOf(x) === 'input/wrapped-line'));
    const codes = new Set(ds.map(codeOf));
    assert.ok(codes.has('input/tabs-to-spaces'), [...codes].join(','));
    const withDoc = ds.find((x) => typeof x.code === 'object' && x.code.target);
    assert.ok(withDoc, 'codeDescription links to the rule doc');
  });

  it('hover on a flagged line explains the finding', async function () {
    const doc = await open('mangled-pinned-ptes.eml');
    const ds = await diagnostics(doc.uri, (d) => d.length > 0);
    const hovers = await vscode.commands.executeCommand('vscode.executeHoverProvider', doc.uri, ds[0].range.start);
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, new RegExp(codeOf(ds[0]).replace(/[/]/g, '\\/')));
  });

  it('code lenses run the server\'s replay command', async function () {
    const doc = await open('gup-stable-pin-series.mbox');
    await diagnostics(doc.uri, (d) => d.some((x) => !codeOf(x).startsWith('input/')), 60000);
    const lenses = await vscode.commands.executeCommand('vscode.executeCodeLensProvider', doc.uri);
    const replay = lenses.filter((l) => l.command && l.command.command === 'mmReview.replay');
    assert.ok(replay.length > 0, 'at least one ▶ Replay race lens');
    assert.match(replay[0].command.title, /Replay race/);
    assert.ok(replay[0].command.arguments[0].scenario, 'the lens names a scenario');
  });

  it('mmReview.replay returns the replay JSON and opens the replay view', async function () {
    const scenarios = await vscode.commands.executeCommand('mmReview.scenarios');
    assert.ok(Array.isArray(scenarios) && scenarios.length > 0, 'scenarios listed');
    const r = await vscode.commands.executeCommand('mmReview.replay', { scenario: scenarios[0].id, variant: 'buggy' });
    assert.ok(r && Array.isArray(r.cpus) && r.cpus.length >= 2, 'a replay with at least two CPUs');
    assert.ok(Array.isArray(r.steps) && r.steps.length > 0);
    assert.ok(api.replayPanel(), 'the replay view is open');
    assert.equal(api.lastReplay().scenario, scenarios[0].id);
    const fixed = await vscode.commands.executeCommand('mmReview.replay', { scenario: scenarios[0].id, variant: 'fixed' });
    assert.equal(fixed.variant, 'fixed');
    assert.equal(fixed.outcome.reachable, false, 'the fixed variant is unreachable');
    assert.ok(fixed.outcome.forbiddenBy && fixed.outcome.forbiddenBy.length, 'and says why');
  });

  it('Run litmus file shows the herd-style verdict', async function () {
    await open('sb.litmus');
    const res = await vscode.commands.executeCommand('mmReview.runLitmusFile');
    assert.ok(res && typeof res.text === 'string');
    assert.match(res.text, /Observation SB\+fencembonceonces Never/);
  });

  it('Export race as litmus on a finding opens its litmus test', async function () {
    const doc = await open('gup-stable-pin-series.mbox');
    const ds = await diagnostics(doc.uri, (d) => d.some((x) => codeOf(x) === 'atomic-sleep/sleep-in-atomic'), 60000);
    const f = ds.find((x) => codeOf(x) === 'atomic-sleep/sleep-in-atomic');
    vscode.window.activeTextEditor.selection = new vscode.Selection(f.range.start, f.range.start);
    const text = await vscode.commands.executeCommand('mmReview.exportLitmusAtCursor');
    assert.equal(typeof text, 'string');
    assert.match(text, /^C S7-buggy/m);
    assert.match(text, /^exists /m);
    assert.equal(vscode.window.activeTextEditor.document.languageId, 'litmus');
    assert.equal(vscode.window.activeTextEditor.document.getText(), text);
  });

  it('Show rule documentation opens the doc of the finding at the cursor', async function () {
    const doc = await open('gup-stable-pin-series.mbox');
    const ds = await diagnostics(doc.uri, (d) => d.some((x) => codeOf(x) === 'ref-balance/leak'), 60000);
    const f = ds.find((x) => codeOf(x) === 'ref-balance/leak');
    vscode.window.activeTextEditor.selection = new vscode.Selection(f.range.start, f.range.start);
    const rule = await vscode.commands.executeCommand('mmReview.showRuleDoc');
    assert.equal(rule, 'ref-balance/leak');
  });

  it('Review git commit or range… needs workspace trust and reviews HEAD', async function () {
    const ext = vscode.extensions.getExtension(EXT_ID);
    const cmd = ext.packageJSON.contributes.commands.find((c) => c.command === 'mmReview.reviewGitRange');
    assert.equal(cmd.enablement, 'isWorkspaceTrusted');
    const menu = ext.packageJSON.contributes.menus.commandPalette.find((m) => m.command === 'mmReview.reviewGitRange');
    assert.equal(menu.when, 'isWorkspaceTrusted');
    assert.equal(ext.packageJSON.capabilities.untrustedWorkspaces.supported, 'limited');
    assert.equal(vscode.workspace.isTrusted, true, 'the suite runs with --disable-workspace-trust');
    const text = await vscode.commands.executeCommand('mmReview.reviewGitRange', 'HEAD');
    assert.match(text, /Subject: \[PATCH\] mm\/gup: back off pinning while a page is under writeback/);
    const ed = vscode.window.activeTextEditor;
    assert.equal(ed.document.getText(), text);
    const ds = await diagnostics(ed.document.uri, (d) => d.some((x) => codeOf(x) === 'barrier/store-load-order'), 60000);
    assert.ok(ds.length > 0);
  });
});
