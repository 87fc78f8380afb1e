/**
 * The editor side of a reviewer's day, over stdio: a hover that does not
 * repeat the diagnostic, both blocks of the buggy → fixed example, outline
 * symbols on the function's own lines, one analysis per opened document,
 * "Dismiss in this workspace" into .mm-review.json (and the file read back),
 * and the one JSON shape of a litmus result (the CLI's).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { LspClient, ROOT } from './client';

const SERIES = path.join(ROOT, 'examples', 'gup-stable-pin-series.mbox');

describe('mm-review-lsp: hover, outline, one analysis per open', () => {
  let c: LspClient;
  let uri: string;
  let text: string;
  before(async () => {
    c = new LspClient();
    await c.initialize(ROOT);
    ({ uri, text } = c.openFile(SERIES, 'mm-patch'));
  });
  after(async () => {
    await c.shutdown();
  });

  it('an opened document is analysed once', async () => {
    await c.diagnostics(uri);
    await new Promise((r) => setTimeout(r, 400)); // past the debounce: a second analysis would have started
    const stats = await c.request('mmReview/stats', {});
    assert.equal(stats.analysis.started, 1);
  });

  it('a hover for a client that does not show diagnostics in it (Neovim, Emacs): the whole explanation, and buggy and fixed', async () => {
    const d = await c.diagnostics(uri);
    const f = d.diagnostics.find((x) => x.code === 'barrier/store-load-order')!;
    assert.ok(f.message.length <= 205, f.message);
    const h = await c.request('textDocument/hover', { textDocument: { uri }, position: f.range.start });
    const md: string = h.contents.value;
    const plain = md.replace(/\\(.)/g, '$1');
    assert.match(plain, /smp_wmb\(\) at mm\/gup\.c:159 does not order the GUP pin \(FOLL_PIN\)/, 'the whole text');
    assert.match(plain, /Use smp_mb\(\) here\./);
    assert.match(md, /\*Buggy[^*\n]*:\*\n\n```c\n[\s\S]+```\n\n\*Fixed[^*\n]*:\*\n\n```c\n[\s\S]+```/);
    // the rest of the explanation is also the first related information, at the finding
    assert.equal(f.relatedInformation![0].message.startsWith('smp_wmb() at'), true);
  });

  it('a hover for a client that shows the diagnostic in it (VS Code: diagnosticsInHover): neither the message nor its detail again', async () => {
    const v = new LspClient();
    try {
      await v.initialize(ROOT, {}, { diagnosticsInHover: true });
      const { uri: u } = v.openFile(SERIES, 'mm-patch');
      const d = await v.diagnostics(u);
      for (const code of ['barrier/store-load-order', 'spec-ref/no-revalidation']) {
        const f = d.diagnostics.find((x) => x.code === code)!;
        const h = await v.request('textDocument/hover', { textDocument: { uri: u }, position: f.range.start });
        const plain: string = h.contents.value.replace(/\\(.)/g, '$1');
        assert.ok(!plain.includes(f.message.replace(/ ?…$/, '').slice(0, 60)), `${code}: the message is not repeated`);
        for (const r of f.relatedInformation ?? []) assert.ok(!plain.includes(r.message.slice(0, 60)), `${code}: "${r.message.slice(0, 40)}" is not repeated`);
        assert.match(plain, new RegExp(`^\\*\\*.*\\*\\* \`${code}\``), 'it starts with the rule');
      }
    } finally {
      await v.shutdown();
    }
  });

  it('function symbols cover the function\'s own lines, their selection on the declaration', async () => {
    const syms = await c.request('textDocument/documentSymbol', { textDocument: { uri } });
    const lines = text.split('\n');
    const fns: any[] = [];
    const walk = (s: any[]) => s.forEach((x) => (x.kind === 12 ? fns.push(x) : walk(x.children ?? [])));
    walk(syms);
    const stable = fns.find((x) => x.name === 'pin_user_pages_stable' && x.detail === 'added')!;
    assert.ok(stable, fns.map((x) => x.name).join(', '));
    assert.doesNotMatch(lines[stable.range.start.line], /^@@/, 'not the hunk header');
    assert.match(lines[stable.selectionRange.start.line], /^\+long pin_user_pages_stable\(/);
    assert.match(lines[stable.range.end.line], /^\+}/);
    // two functions in one hunk of 3/3: each on its own lines, not overlapping
    const gup = fns.filter((x) => x.name === 'gup_folio_pin_stable' || (x.name === 'pin_user_pages_fast' && x.range.start.line > 290));
    for (const x of gup) assert.ok(x.range.start.line > 0);
    const leak = (await c.diagnostics(uri)).diagnostics.find((x) => x.code === 'ref-balance/leak')!;
    assert.ok(stable.range.start.line <= leak.range.start.line && leak.range.start.line <= stable.range.end.line, 'the leak is counted in its function');
  });

  it('mmReview.runLitmus gives the same result object as `mm-review litmus --format json`', async () => {
    const file = path.join(ROOT, 'test', 'litmus', 'SB+wmbs.litmus');
    const lsp = await c.request('workspace/executeCommand', { command: 'mmReview.runLitmus', arguments: [{ text: fs.readFileSync(file, 'utf8') }] });
    const cli = spawnSync(process.execPath, [path.join(ROOT, 'server', 'bin', 'mm-review.js'), 'litmus', '--format', 'json', file], { encoding: 'utf8' });
    const [fromCli] = JSON.parse(cli.stdout);
    const strip = (o: any) => {
      const { file: _f, stats: _s, ...rest } = o;
      return rest;
    };
    assert.deepEqual(strip(lsp.result), strip(fromCli));
    assert.ok(['Never', 'Sometimes', 'Always', 'Incomplete'].includes(lsp.result.observation));
  });
});

describe('mm-review-lsp: "Dismiss in this workspace"', () => {
  let c: LspClient;
  let dir: string;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-review-dismiss-'));
    fs.copyFileSync(SERIES, path.join(dir, 'series.mbox'));
    c = new LspClient();
    await c.initialize(dir, { workspace: { didChangeWatchedFiles: { dynamicRegistration: true } } });
  });
  after(async () => {
    await c.shutdown();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the code action writes the finding\'s fingerprint to .mm-review.json; the finding is gone, the others stay', async () => {
    const { uri } = c.openFile(path.join(dir, 'series.mbox'), 'mm-patch');
    const d = await c.diagnostics(uri);
    const leak = d.diagnostics.find((x) => x.code === 'ref-balance/leak')!;
    const actions = await c.request('textDocument/codeAction', { textDocument: { uri }, range: leak.range, context: { diagnostics: [leak] } });
    const dismiss = actions.find((a: any) => a.title === 'Dismiss in this workspace (ref-balance/leak)');
    assert.ok(dismiss, actions.map((a: any) => a.title).join(' | '));
    assert.equal(actions[0].title.startsWith('Release with'), true, 'the quick fix comes first');
    const before = d.diagnostics.filter((x) => !String(x.code).startsWith('input/')).length;
    const res = await c.request('workspace/executeCommand', dismiss.command);
    const cfgFile = path.join(dir, '.mm-review.json');
    assert.equal(fs.realpathSync(res.file), fs.realpathSync(cfgFile));
    const cfg = JSON.parse(fs.readFileSync(cfgFile, 'utf8'));
    assert.deepEqual(cfg.dismissed, [{ fingerprint: (leak.data as any).fingerprint, rule: 'ref-balance/leak', file: 'mm/gup.c', function: 'pin_user_pages_stable', line: 'return -EFAULT;' }]);
    const after = await c.diagnostics(uri, (p) => !p.diagnostics.some((x) => x.code === 'ref-balance/leak'));
    assert.equal(after.diagnostics.filter((x) => !String(x.code).startsWith('input/')).length, before - 1);
    // the reviewer edits the file by hand: the server reads it again
    fs.writeFileSync(cfgFile, JSON.stringify({ severity: { barrier: 'off' } }));
    c.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(cfgFile).toString(), type: 2 }] });
    const again = await c.diagnostics(uri, (p) => p.diagnostics.some((x) => x.code === 'ref-balance/leak') && !p.diagnostics.some((x) => x.code === 'barrier/store-load-order'));
    assert.ok(again);
  });

  it('bad arguments are refused; a broken config is not overwritten', async () => {
    await assert.rejects(c.request('workspace/executeCommand', { command: 'mmReview.dismiss', arguments: [{ uri: 'file:///x', fingerprint: 'nope', rule: 'ref-balance/leak' }] }), /bad fingerprint/);
    const cfgFile = path.join(dir, '.mm-review.json');
    fs.writeFileSync(cfgFile, '{ broken');
    const uri = pathToFileURL(path.join(dir, 'series.mbox')).toString();
    await assert.rejects(c.request('workspace/executeCommand', { command: 'mmReview.dismiss', arguments: [{ uri, fingerprint: '0123456789abcdef0123', rule: 'ref-balance/leak' }] }), /not changed/);
    assert.equal(fs.readFileSync(cfgFile, 'utf8'), '{ broken');
  });
});
