/**
 * Kernel-tree mode over stdio: when the workspace is a kernel tree, the server
 * rebuilds whole functions from the real file and also publishes the findings
 * on the real C file, at the line the patch touches.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { LspClient, ROOT } from './client';

const PATCH = path.join(ROOT, 'test', 'lsp', 'fixtures', 'seed004-devmap-speculative.patch');

/** The pre-image of the patch's single hunk, placed at its stated line in a file of filler. */
function makeTree(): { root: string; postLine: number } {
  const text = fs.readFileSync(PATCH, 'utf8').split('\n');
  const h = text.findIndex((l) => l.startsWith('@@ '));
  const start = Number(/^@@ -(\d+)/.exec(text[h])![1]);
  const pre: string[] = [];
  let post = start - 1;
  let postLine = 0;
  for (let i = h + 1; i < text.length && !text[i].startsWith('-- '); i++) {
    const l = text[i];
    if (l.startsWith('-')) pre.push(l.slice(1));
    else if (l.startsWith('+')) {
      post++;
      if (l.includes('page_cache_get_speculative(page)')) postLine = post;
    } else {
      pre.push(l.slice(1));
      post++;
    }
  }
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-review-tree-'));
  fs.mkdirSync(path.join(root, 'include', 'linux'), { recursive: true });
  fs.mkdirSync(path.join(root, 'mm'), { recursive: true });
  fs.mkdirSync(path.join(root, 'arch', 'x86', 'mm'), { recursive: true });
  // the tree's Makefile says which kernel it is: the seed-004 code is v4.11-era
  fs.writeFileSync(path.join(root, 'Makefile'), 'VERSION = 4\nPATCHLEVEL = 11\n');
  const filler = Array.from({ length: start - 1 }, (_, i) => (i === 0 ? '/* SPDX-License-Identifier: GPL-2.0 */' : `/* line ${i + 1} */`));
  fs.writeFileSync(path.join(root, 'arch', 'x86', 'mm', 'gup.c'), [...filler, ...pre, ''].join('\n'));
  return { root, postLine };
}

describe('mm-review-lsp in a kernel tree', () => {
  let c: LspClient;
  let tree: { root: string; postLine: number };
  before(async () => {
    tree = makeTree();
    c = new LspClient();
    // the client says the workspace is trusted: without it no tree is read (test/hostile checks that)
    await c.initialize(tree.root, {}, { workspaceTrusted: true });
  });
  after(async () => {
    await c.shutdown();
    fs.rmSync(tree.root, { recursive: true, force: true });
  });

  it('findings also appear on the real C file at the patched line', async () => {
    const patchUri = pathToFileURL(path.join(tree.root, 'gup.patch')).toString();
    c.open(patchUri, fs.readFileSync(PATCH, 'utf8'), 'diff');
    const onPatch = await c.diagnostics(patchUri);
    assert.ok(onPatch.diagnostics.some((d) => d.code === 'spec-ref/pgmap-hook-skipped'));
    const cUri = pathToFileURL(path.join(tree.root, 'arch', 'x86', 'mm', 'gup.c')).toString();
    const onFile = await c.diagnostics(cUri);
    const d = onFile.diagnostics.find((x) => x.code === 'spec-ref/pgmap-hook-skipped');
    assert.ok(d, JSON.stringify(onFile.diagnostics.map((x) => x.code)));
    assert.equal(d.range.start.line, tree.postLine - 1, 'the post-image line of the speculative get');
    assert.equal(d.relatedInformation?.[0].location.uri, patchUri, 'and it points back to the patch line');
  });

  it('closing the patch clears the diagnostics it put on the C file', async () => {
    const patchUri = pathToFileURL(path.join(tree.root, 'gup.patch')).toString();
    const cUri = pathToFileURL(path.join(tree.root, 'arch', 'x86', 'mm', 'gup.c')).toString();
    c.notify('textDocument/didClose', { textDocument: { uri: patchUri } });
    const cleared = await c.diagnostics(cUri, (p) => p.diagnostics.length === 0);
    assert.deepEqual(cleared.diagnostics, []);
  });
});
