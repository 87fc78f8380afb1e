/** The language server over stdio, as an editor drives it: real JSON-RPC, real example files. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { LspClient, ROOT } from './client';

const EX = path.join(ROOT, 'examples');

describe('mm-review-lsp --stdio: protocol basics', () => {
  let c: LspClient;
  before(() => {
    c = new LspClient();
  });
  after(async () => {
    await c.shutdown();
  });

  it('initialize announces the features and the server commands', async () => {
    const res = await c.initialize(ROOT);
    const caps = res.capabilities;
    assert.equal(caps.hoverProvider, true);
    assert.equal(caps.documentSymbolProvider, true);
    assert.ok(caps.codeLensProvider);
    assert.deepEqual(caps.codeActionProvider.codeActionKinds, ['quickfix']);
    assert.ok(caps.executeCommandProvider.commands.includes('mmReview.replay'));
    assert.equal(res.serverInfo.name, 'mm-review-lsp');
  });

  it('publishes located repair diagnostics for a mangled mail opened as plain text', async () => {
    const { uri, text } = c.openFile(path.join(EX, 'mangled-pinned-ptes.eml'), 'plaintext');
    const d = await c.diagnostics(uri);
    const codes = new Set(d.diagnostics.map((x) => x.code));
    assert.ok(codes.has('input/wrapped-header'), [...codes].join(','));
    assert.ok(codes.has('input/tabs-to-spaces'));
    const hdr = d.diagnostics.find((x) => x.code === 'input/wrapped-header')!;
    assert.match(text.split('\n')[hdr.range.start.line - 1], /^@@ /, 'the wrapped-header diagnostic sits on the continuation of the hunk header');
    assert.ok(d.diagnostics.every((x) => x.codeDescription?.href.startsWith('file://')));
    assert.equal(d.version, 1);
  });

  it('documentSymbol: messages, then files, then hunks, then functions', async () => {
    const uri = 'file:///tmp/outline.mbox';
    c.open(uri, fs.readFileSync(path.join(EX, 'gup-stable-pin-series.mbox'), 'utf8'), 'plaintext');
    await c.diagnostics(uri);
    const syms = await c.request('textDocument/documentSymbol', { textDocument: { uri } });
    assert.ok(syms.length >= 2, 'a cover letter and patches');
    const withFiles = syms.filter((m: any) => m.children.length > 0);
    assert.ok(withFiles.length >= 1);
    const file = withFiles[0].children[0];
    assert.match(file.name, /\.(c|h)$/);
    assert.match(file.children[0].name, /^@@ -\d+,\d+ \+\d+,\d+ @@$/);
    const fns = withFiles.flatMap((m: any) => m.children.flatMap((f: any) => f.children.flatMap((h: any) => h.children.map((x: any) => x.name))));
    assert.ok(fns.length > 0, 'functions are listed under hunks');
  });

  it('incremental edits re-analyse the document; an emptied document says so', async () => {
    const uri = 'file:///tmp/edit.patch';
    c.open(uri, 'not a patch yet\n', 'diff', 1);
    await c.diagnostics(uri, (d) => d.version === 1);
    c.notify('textDocument/didChange', {
      textDocument: { uri, version: 2 },
      contentChanges: [{ range: { start: { line: 0, character: 0 }, end: { line: 1, character: 0 } }, text: '' }],
    });
    const d = await c.diagnostics(uri, (x) => x.version === 2);
    assert.deepEqual(d.diagnostics.map((x) => x.code), ['input/empty']);
  });

  it('binary garbage gets a diagnostic and the server keeps serving', async () => {
    const uri = 'file:///tmp/garbage.patch';
    let s = '';
    for (let i = 0; i < 5000; i++) s += String.fromCharCode((i * 7919) % 256);
    c.open(uri, s, 'diff');
    const d = await c.diagnostics(uri);
    assert.ok(d.diagnostics.length >= 1);
    const res = await c.request('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 0 } });
    assert.equal(res, null);
  });

  it('hover on a kernel API name explains its catalog semantics', async () => {
    const uri = 'file:///tmp/hover.patch';
    const text = 'diff --git a/mm/x.c b/mm/x.c\n--- a/mm/x.c\n+++ b/mm/x.c\n@@ -1,3 +1,4 @@ int f(struct page *page)\n {\n+\tget_page(page);\n \treturn 0;\n }\n';
    c.open(uri, text, 'diff');
    await c.diagnostics(uri);
    const h = await c.request('textDocument/hover', { textDocument: { uri }, position: { line: 5, character: 3 } });
    assert.equal(h.contents.kind, 'markdown');
    assert.match(h.contents.value, /get_page/);
    assert.match(h.contents.value, /page reference/);
    assert.deepEqual(h.range, { start: { line: 5, character: 2 }, end: { line: 5, character: 10 } });
  });

  it('documents that are neither patches nor litmus are left alone', async () => {
    const uri = 'file:///tmp/notes.md';
    c.open(uri, '# notes\n', 'markdown');
    const syms = await c.request('textDocument/documentSymbol', { textDocument: { uri } });
    assert.deepEqual(syms, []);
  });
});

describe('mm-review-lsp command line', () => {
  it('without a transport flag it prints usage and exits 2', () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'server', 'bin', 'mm-review-lsp.js')], { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--stdio/);
  });
});
