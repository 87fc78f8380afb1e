/**
 * The language server on hostile inputs, over stdio as an editor talks to it:
 * framing errors, a lone CR, initialization settings, markdown injection and
 * crafted command arguments, kernel-tree confinement and workspace trust, the
 * 20 MB hunk analysed off the message loop (a hover on another document is
 * answered meanwhile; a superseded version is abandoned), and cancellation of
 * a simulator run. Every case also checks the server is still alive.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { CancellationTokenSource } from 'vscode-jsonrpc/node';
import { LspClient, ROOT, type PublishedDiagnostics } from '../lsp/client';
import { hoverForFinding } from 'mm-review-server/lsp/hover';
import type { Finding } from 'mm-review-server/engine/findings';
import { gotoMesh, hugeFunction, leakFunction, newFilePatch, rewritePatch, wideLitmus } from './gen';

const SERVER = path.join(ROOT, 'server', 'bin', 'mm-review-lsp.js');
const EVIL = '`](command:mmReview.replay?%5B%7B%22scenario%22%3A%22S1%22%7D%5D) ![x](https://evil.example/p.png) <img src=x> [y](https://evil.example)';

/** Raw bytes to a fresh server; resolves with its exit code, stderr and stdout once it exits or after `waitMs`. */
function raw(bytes: string, waitMs: number): Promise<{ code: number | null; err: string; out: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let err = '';
    let out = '';
    p.stderr.on('data', (d) => (err += d));
    p.stdout.on('data', (d) => (out += d));
    const t = setTimeout(() => {
      p.kill();
      resolve({ code: null, err, out });
    }, waitMs);
    p.on('exit', (code) => {
      clearTimeout(t);
      resolve({ code, err, out });
    });
    p.stdin.write(bytes);
  });
}

const frame = (body: string) => `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
const initialize = frame(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { processId: null, rootUri: null, capabilities: {} } }));

describe('hostile: LSP framing', () => {
  it('a malformed Content-Length: the server exits with a clear message instead of living on deaf', async () => {
    const r = await raw('Content-Length: 12x\r\n\r\n{"jsonrpc":"2.0"}' + initialize, 20_000);
    assert.equal(r.code, 1);
    assert.match(r.err, /mm-review-lsp: the client sent a malformed message: malformed Content-Length "12x" \(expected a byte count\)\. The stream cannot be resynchronised; exiting\./);
  });

  it('a header without Content-Length, and an absurd one: the same clean exit', async () => {
    const a = await raw('Content-Type: application/vscode-jsonrpc\r\n\r\n{}', 20_000);
    assert.equal(a.code, 1);
    assert.match(a.err, /a message header has no Content-Length/);
    const b = await raw('Content-Length: 99999999999\r\n\r\n', 20_000);
    assert.equal(b.code, 1);
    assert.match(b.err, /Content-Length 99999999999 is over the/);
  });

  it('a well-framed body that is not JSON: the server recovers and answers the next request', async () => {
    const r = await raw(frame('{not json') + initialize, 4_000);
    assert.equal(r.code, null, `the server must still be running (stderr: ${r.err})`);
    assert.match(r.out, /"id":1,"result":\{"capabilities"/);
  });
});

describe('hostile: LSP documents', () => {
  let c: LspClient;
  let dir: string;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-lsp-hostile-'));
    c = new LspClient();
    await c.initialize(dir);
  });
  after(async () => {
    await c.shutdown();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a lone CR does not shift later positions: every diagnostic lands a line lower, where the editor counts it', async () => {
    const text = gotoMesh(12);
    const withCr = text.replace('Subject: [PATCH] hostile input', 'Subject: [PATCH] hostile\rinput');
    const u1 = pathToFileURL(path.join(dir, 'plain.patch')).toString();
    const u2 = pathToFileURL(path.join(dir, 'cr.patch')).toString();
    c.open(u1, text);
    c.open(u2, withCr);
    const d1 = (await c.diagnostics(u1)).diagnostics;
    const d2 = (await c.diagnostics(u2)).diagnostics;
    assert.ok(d1.length > 0);
    assert.equal(d2.length, d1.length);
    const editorLines = withCr.split(/\r\n|\r|\n/);
    for (let i = 0; i < d1.length; i++) {
      assert.equal(d2[i].range.start.line, d1[i].range.start.line + 1);
      assert.equal(d2[i].range.start.character, d1[i].range.start.character);
    }
    const leak = d2.find((d) => d.code === 'ref-balance/leak')!;
    assert.match(editorLines[leak.range.start.line], /goto/);
    // quick fixes follow the same positions
    for (const d of d2.filter((x) => x.data)) {
      const actions = await c.request<any[]>('textDocument/codeAction', { textDocument: { uri: u2 }, range: d.range, context: { diagnostics: [d] } });
      for (const a of actions) for (const e of a.edit?.changes[u2] ?? []) assert.match(editorLines[e.range.start.line], /^[+ -]/);
    }
  });

  it('hover: patch text is escaped; the only link is the extension\'s own command, its arguments encoded whole', async () => {
    const text = newFilePatch('mm/inject.c', leakFunction('inject', true, EVIL));
    const uri = pathToFileURL(path.join(dir, 'inject.patch')).toString();
    c.open(uri, text);
    const d = (await c.diagnostics(uri)).diagnostics.find((x) => x.code === 'ref-balance/leak');
    assert.ok(d, 'the leak through the crafted return');
    assert.ok(d.message.includes('![x](https://evil.example/p.png)'), 'the diagnostic message itself is plain text');
    const h = await c.request<any>('textDocument/hover', { textDocument: { uri }, position: d.range.start });
    const md: string = h.contents.value;
    assertSafeMarkdown(md);
    assert.equal(c.exited, null);
  });

  it('a replay link for a finding with crafted text stays one link whose arguments name its place, never its text', () => {
    const f: Finding = {
      rule: 'spec-ref/get-on-lockless-lookup',
      category: 'spec-ref',
      severity: 'warning',
      message: `get_page(${EVIL})`,
      range: { start: { line: 3, character: 1 }, end: { line: 3, character: 9 } },
      related: [],
      trace: {
        family: 'speculative',
        roles: { object: 'page' },
        events: [
          { kind: 'lookup', expr: 'page = find_get_entry(mapping, index)', at: { line: 3 }, role: 'object' },
          { kind: 'acquire', expr: 'get_page(page)', at: { line: 4 }, role: 'object' },
        ],
        fix: { title: EVIL, expr: EVIL },
      },
    };
    const md = hoverForFinding(f, 'file:///x.patch');
    assertSafeMarkdown(md);
    const links = [...md.matchAll(/\]\(command:([\w.]+)\?([^)\s]*)\)/g)];
    assert.equal(links.length, 1);
    assert.equal(links[0][1], 'mmReview.replay');
    const args = JSON.parse(decodeURIComponent(links[0][2]));
    assert.deepEqual(args, [{ uri: 'file:///x.patch', rule: f.rule, range: f.range, variant: 'buggy' }]);
    // a role bound to crafted text is refused: no link, the reason is escaped
    const g: Finding = { ...f, trace: { ...f.trace!, roles: { object: EVIL }, events: f.trace!.events.map((e) => ({ ...e, expr: `get_page(${EVIL})`, at: { line: 4, fn: 'f)![x](https://evil.example/i.png)' } })) } };
    const md2 = hoverForFinding(g, 'file:///x.patch');
    assertSafeMarkdown(md2);
    assert.equal([...md2.matchAll(/\]\(command:/g)].length, 0);
    assert.match(md2, /No replay:/);
  });

  it('mmReview.replay with crafted arguments is refused with InvalidParams; the server stays up', async () => {
    const bad = [
      { scenario: 'S1; rm -rf /', variant: 'buggy' },
      { scenario: 'S1', variant: 'evil' },
      { scenario: 'S1', params: { 'constructor.prototype': 'x' } },
      { scenario: 'S1', params: { object: 'x'.repeat(10_000) } },
      { scenario: 'S1', range: { start: { line: -1, character: 0 }, end: { line: 0, character: 0 } } },
      'S1',
    ];
    for (const a of bad) {
      await assert.rejects(c.request('workspace/executeCommand', { command: 'mmReview.replay', arguments: [a] }), (e: any) => e.code === -32602, JSON.stringify(a).slice(0, 60));
    }
    const ok = await c.request<any>('workspace/executeCommand', { command: 'mmReview.replay', arguments: [{ scenario: 'S1', variant: 'buggy', params: { function: 'f' } }] });
    assert.ok(Array.isArray(ok.steps));
    assert.equal(c.exited, null);
  });

  it('$/cancelRequest on a long litmus run answers RequestCancelled at once; the next command is not held up', async () => {
    // (seconds of work: lock-chain-8 finishes within the wait on a fast machine now)
    const text = wideLitmus(7);
    const src = new CancellationTokenSource();
    const run = c.conn.sendRequest('workspace/executeCommand', { command: 'mmReview.runLitmus', arguments: [{ text }] }, src.token);
    const stats0 = await c.request<any>('mmReview/stats', {});
    await new Promise((r) => setTimeout(r, 300));
    src.cancel();
    await assert.rejects(run, (e: any) => e.code === -32800);
    const list = await c.request<any[]>('workspace/executeCommand', { command: 'mmReview.scenarios', arguments: [] });
    assert.ok(list.length >= 8);
    const stats = await c.request<any>('mmReview/stats', {});
    assert.equal(stats.sim.cancelled - stats0.sim.cancelled, 1);
    assert.ok(stats.sim.workersTerminated > stats0.sim.workersTerminated, 'the cancelled run was stopped, not left running');
    assert.equal(c.exited, null);
  });
});

async function waitFor(pred: () => boolean, ms = 60_000): Promise<void> {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** No link, image, HTML or autolink made of patch text: the only link target allowed is a docs page or our command. */
function assertSafeMarkdown(md: string): void {
  // every unescaped `](` opens a link target: ours only
  for (const m of md.matchAll(/(?<!\\)\]\(([^)]*)\)/g)) assert.match(m[1], /^(command:mmReview\.replay\?[^()\s]*|file:\/\/\/\S+\.md|https:\/\/\S+\.md)$/, `a link to ${m[1]}`);
  assert.doesNotMatch(md, /(?<!\\)!\[/, 'no image');
  assert.doesNotMatch(md, /(?<![\\`])<img/, 'no HTML');
  assert.doesNotMatch(md, /(?<!\\)https:\/\/evil/, 'no autolink');
}

describe('hostile: kernel tree and workspace trust', () => {
  let root: string;
  let outside: string;
  const pre = leakFunction('tree_fn', false);
  const post = leakFunction('tree_fn', true);
  before(() => {
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mm-tree-')));
    outside = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mm-outside-')));
    fs.mkdirSync(path.join(root, 'mm'), { recursive: true });
    fs.mkdirSync(path.join(root, 'include', 'linux'), { recursive: true });
    fs.writeFileSync(path.join(root, 'mm', 'real.c'), pre.join('\n') + '\n');
    fs.writeFileSync(path.join(outside, 'secret.c'), pre.join('\n') + '\n');
    fs.symlinkSync(path.join(outside, 'secret.c'), path.join(root, 'mm', 'link.c'));
  });
  after(() => {
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(outside, { recursive: true, force: true });
  });

  const patches = () => ({
    real: rewritePatch('mm/real.c', pre, post),
    link: rewritePatch('mm/link.c', pre, post),
    up: rewritePatch(`../${path.basename(outside)}/secret.c`, pre, post),
  });

  async function openAll(c: LspClient): Promise<Record<string, PublishedDiagnostics>> {
    const out: Record<string, PublishedDiagnostics> = {};
    for (const [k, t] of Object.entries(patches())) {
      const uri = pathToFileURL(path.join(root, `${k}.patch`)).toString();
      c.open(uri, t);
      out[k] = await c.diagnostics(uri, (d) => d.diagnostics.some((x) => x.code === 'ref-balance/leak'));
    }
    return out;
  }

  function publishedOutsideTree(c: LspClient): string[] {
    return [...c.published.keys()].filter((u) => !u.startsWith(pathToFileURL(root).toString() + '/'));
  }

  it('untrusted (the default): no tree is read, even with mmReview.kernelTree set; trust turns it on', async () => {
    const c = new LspClient();
    try {
      await c.initialize(root, {}, { settings: { kernelTree: root } });
      await openAll(c);
      const realUri = pathToFileURL(path.join(root, 'mm', 'real.c')).toString();
      assert.equal(c.published.has(realUri), false, 'no diagnostics on a tree file');
      assert.equal((await c.request<any>('mmReview/stats', {})).trusted, false);
      // the client says the workspace is now trusted: the tree is read
      c.notify('mmReview/workspaceTrust', { trusted: true });
      const onReal = await c.diagnostics(realUri, (d) => d.diagnostics.length > 0, 60_000);
      assert.equal(onReal.diagnostics[0].code, 'ref-balance/leak');
      assert.deepEqual(publishedOutsideTree(c), []);
      assert.equal(c.exited, null);
    } finally {
      await c.shutdown();
    }
  });

  it('trusted: a symlink out of the tree and a `../` path are refused; nothing is published outside the tree', async () => {
    const c = new LspClient();
    try {
      await c.initialize(root, {}, { workspaceTrusted: true });
      const d = await openAll(c);
      // the leak is still found (from the patch alone), only never shown on files outside the tree
      for (const k of ['link', 'up']) assert.ok(d[k].diagnostics.some((x) => x.code === 'ref-balance/leak'), k);
      assert.ok(c.published.has(pathToFileURL(path.join(root, 'mm', 'real.c')).toString()), 'the real tree file does get them');
      assert.deepEqual(publishedOutsideTree(c), []);
      assert.equal(c.published.has(pathToFileURL(path.join(root, 'mm', 'link.c')).toString()), false, 'not on the symlink either');
      assert.equal(fs.readFileSync(path.join(outside, 'secret.c'), 'utf8'), pre.join('\n') + '\n');
    } finally {
      await c.shutdown();
    }
  });
});

describe('hostile: initialization settings', () => {
  it('initializationOptions.settings are honoured (categories, maxFileSizeMB)', async () => {
    const c = new LspClient();
    try {
      await c.initialize(undefined, {}, { settings: { categories: ['input'], maxFileSizeMB: 1 } });
      const uri = 'file:///tmp/mm-settings.patch';
      c.open(uri, newFilePatch('mm/s.c', leakFunction('s', true)));
      const d = await c.diagnostics(uri);
      assert.deepEqual(d.diagnostics.filter((x) => !String(x.code).startsWith('input/')), []);
      const big = 'file:///tmp/mm-settings-big.patch';
      c.open(big, newFilePatch('mm/b.c', Array.from({ length: 120_000 }, (_, i) => `\tx(${i});`)));
      const db = await c.diagnostics(big);
      assert.deepEqual(db.diagnostics.map((x) => x.code), ['input/too-large']);
      assert.match(db.diagnostics[0].message, /larger than mmReview\.maxFileSizeMB \(1 MB\)/);
    } finally {
      await c.shutdown();
    }
  });
});

describe('hostile: the 20 MB hunk over the LSP', () => {
  it('is analysed in a worker: a hover on another document is answered before it ends; a superseded version is abandoned', async () => {
    const c = new LspClient();
    try {
      await c.initialize();
      const small = 'file:///tmp/mm-small.patch';
      c.open(small, gotoMesh(12));
      const ds = await c.diagnostics(small);
      const leak = ds.diagnostics.find((d) => d.code === 'ref-balance/leak')!;
      const bigUri = 'file:///tmp/mm-huge.patch';
      const text = hugeFunction(1_000_000);
      assert.ok(text.length > 19 * 1024 * 1024);
      let bigPublished = false;
      const big = c.diagnostics(bigUri, (d) => d.version === 2, 300_000).then((d) => ((bigPublished = true), d));
      c.open(bigUri, text);
      // once its analysis runs, a new version: the running analysis is abandoned
      await waitFor(() => c.notifications.some((n) => n.method === 'mmReview/status' && (n.params as any).uri === bigUri && (n.params as any).running));
      const end = text.split('\n').length - 1;
      c.notify('textDocument/didChange', { textDocument: { uri: bigUri, version: 2 }, contentChanges: [{ range: { start: { line: end, character: 0 }, end: { line: end, character: 0 } }, text: '\n' }] });
      const hover = await c.request<any>('textDocument/hover', { textDocument: { uri: small }, position: leak.range.start });
      assert.equal(bigPublished, false, 'the hover was answered while the 20 MB document was still being analysed');
      assert.match(hover.contents.value, /Reference or pin not released/);
      const d = await big;
      assert.equal(d.version, 2);
      const f = d.diagnostics.filter((x) => x.code === 'input/function-too-large');
      assert.equal(f.length, 1);
      assert.equal(f[0].range.start.line, text.split('\n').findIndex((l) => l.startsWith('@@ ')));
      const stats = await c.request<any>('mmReview/stats', {});
      assert.ok(stats.analysis.superseded >= 1 && stats.analysis.cancelledRunning >= 1, `the running first version was abandoned: ${JSON.stringify(stats.analysis)}`);
      assert.equal(stats.analysis.outOfMemory, 0);
      assert.equal(c.exited, null);
    } finally {
      await c.shutdown();
    }
  });
});
