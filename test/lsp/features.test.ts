/**
 * The review features over stdio, on a seed-derived patch (seed 004: GUP-fast
 * switching get_page() to page_cache_get_speculative() on a devmap path) and
 * on the example series: diagnostics with codes and related information,
 * hover text, code lenses with the replay command, quick fixes, and the
 * replay command's JSON.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { LspClient, ROOT } from './client';
import { applyEdits } from '../util/edits';

const SEED004 = path.join(ROOT, 'test', 'lsp', 'fixtures', 'seed004-devmap-speculative.patch');
const SERIES = path.join(ROOT, 'examples', 'gup-stable-pin-series.mbox');

describe('mm-review-lsp: findings, hovers, lenses, fixes, replay', () => {
  let c: LspClient;
  let seedUri: string;
  let seedText: string;
  before(async () => {
    c = new LspClient();
    // the seed-004 patch is v4.11-era code: its pgmap semantics hold in that era
    await c.initialize(ROOT, {}, { settings: { kernelVersion: '4.11' } });
    ({ uri: seedUri, text: seedText } = c.openFile(SEED004, 'diff'));
  });
  after(async () => {
    await c.shutdown();
  });

  it('publishes the seed-004 finding with its rule code, doc link and related locations', async () => {
    const d = await c.diagnostics(seedUri);
    const f = d.diagnostics.find((x) => x.code === 'spec-ref/pgmap-hook-skipped');
    assert.ok(f, `codes: ${d.diagnostics.map((x) => x.code).join(', ')}`);
    assert.match(seedText.split('\n')[f.range.start.line], /page_cache_get_speculative\(page\)/);
    assert.match(f.codeDescription!.href, /^file:\/\/.*\/docs\/rules\/spec-ref--pgmap-hook-skipped\.md$/);
    assert.ok(f.relatedInformation && f.relatedInformation.length >= 1);
    for (const r of f.relatedInformation!) assert.equal(r.location.uri, seedUri);
    const related = f.relatedInformation!.map((r) => seedText.split('\n')[(r.location.range as any).start.line]).join('\n');
    assert.match(related, /get_dev_pagemap|put_page|pte_devmap/);
    assert.equal(f.severity! <= 2, true, 'warning or error');
  });

  it('hover on the flagged line explains the rule, the API semantics and links the replay', async () => {
    const d = await c.diagnostics(seedUri);
    const f = d.diagnostics.find((x) => x.code === 'spec-ref/pgmap-hook-skipped')!;
    const h = await c.request('textDocument/hover', { textDocument: { uri: seedUri }, position: f.range.start });
    const md: string = h.contents.value;
    assert.match(md, /spec-ref\/pgmap-hook-skipped/);
    assert.match(md, /dev_pagemap/);
    assert.match(md, /page_cache_get_speculative/);
    assert.match(md, /command:mmReview\.replay\?/);
    // which text and which era it was judged with
    assert.match(md, /Judged from\* the patch text alone .*with the kernel facts of v4\.11\* \(mmReview\.kernelVersion\)/);
  });

  it('a code lens "▶ Replay race" names the finding (its rule and place), not its text', async () => {
    const lenses = await c.request('textDocument/codeLens', { textDocument: { uri: seedUri } });
    const l = lenses.find((x: any) => x.command?.arguments?.[0]?.rule === 'spec-ref/pgmap-hook-skipped');
    assert.ok(l, JSON.stringify(lenses));
    assert.equal(l.command.title, '▶ Replay race');
    assert.equal(l.command.command, 'mmReview.replay');
    assert.deepEqual(Object.keys(l.command.arguments[0]).sort(), ['range', 'rule', 'uri', 'variant']);
    assert.equal(l.command.arguments[0].uri, seedUri);
  });

  it('workspace/executeCommand mmReview.replay replays the finding\'s own race: its function, its lines, the counterpart', async () => {
    const lenses = await c.request('textDocument/codeLens', { textDocument: { uri: seedUri } });
    const args = lenses.find((x: any) => x.command?.arguments?.[0]?.rule === 'spec-ref/pgmap-hook-skipped').command.arguments;
    const r = await c.request('workspace/executeCommand', { command: 'mmReview.replay', arguments: args });
    assert.equal(r.scenario, 'pgmap');
    assert.equal(r.family, 'pgmap');
    assert.equal(r.variant, 'buggy');
    assert.equal(r.cpus.length, 2);
    assert.match(r.cpus[0].name, /gup_pte_range/);
    assert.equal(r.cpus[1].origin, 'counterpart');
    for (const s of r.steps) assert.ok(r.cpus.some((cpu: any) => cpu.id === s.cpu));
    // the speculative get is the patch's own expression on the patch's own line
    const get = r.steps.find((s: any) => /page_cache_get_speculative\(page\)/.test(s.text));
    assert.equal(get.origin.kind, 'patch');
    assert.equal(get.origin.line, args[0].range.start.line + 1);
    assert.equal(r.outcome.reachable, true);
    assert.equal(r.finding.rule, 'spec-ref/pgmap-hook-skipped');
    const fixed = await c.request('workspace/executeCommand', { command: 'mmReview.replay', arguments: [{ ...args[0], variant: 'fixed' }] });
    assert.equal(fixed.outcome.reachable, false);
    assert.match(fixed.fixReason, /get_page\(\) takes the pgmap reference/);
    assert.equal(fixed.verdict.observation, 'Never');
    const lit = await c.request('workspace/executeCommand', { command: 'mmReview.exportLitmus', arguments: args });
    assert.match(lit, /^C pgmap-buggy\n/);
    // a finding that is not there (the document changed) is an error, not a wrong replay
    await assert.rejects(c.request('workspace/executeCommand', { command: 'mmReview.replay', arguments: [{ ...args[0], range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } } }] }), /no spec-ref\/pgmap-hook-skipped finding/);
  });

  it('mmReview.scenarios lists S1..S9; mmReview.exportLitmus returns a litmus program', async () => {
    const list = await c.request('workspace/executeCommand', { command: 'mmReview.scenarios', arguments: [] });
    assert.deepEqual(list.map((s: any) => s.id), ['S1', 'S2', 'S3', 'S4', 'S5', 'S6', 'S7', 'S8', 'S9']);
    const lit = await c.request('workspace/executeCommand', { command: 'mmReview.exportLitmus', arguments: [{ scenario: 'S1', variant: 'buggy' }] });
    assert.match(lit, /^C /);
    assert.match(lit, /exists/);
    const run = await c.request('workspace/executeCommand', { command: 'mmReview.runLitmus', arguments: [{ text: lit }] });
    assert.match(run.text, /Observation \S+ Sometimes/);
  });

  it('an unknown scenario is an error response, and the server keeps serving', async () => {
    await assert.rejects(c.request('workspace/executeCommand', { command: 'mmReview.replay', arguments: [{ scenario: 'S99' }] }));
    const list = await c.request('workspace/executeCommand', { command: 'mmReview.scenarios', arguments: [] });
    assert.equal(list.length, 9);
  });

  it('code actions: the pin leak in the example series gets a quick fix that keeps the patch a valid diff', async () => {
    const { uri, text } = c.openFile(SERIES, 'plaintext');
    const d = await c.diagnostics(uri);
    const leak = d.diagnostics.find((x) => x.code === 'ref-balance/leak');
    assert.ok(leak, d.diagnostics.map((x) => x.code).join(','));
    assert.ok(leak.relatedInformation!.some((r) => /pin_user_pages_fast/.test(text.split('\n')[(r.location.range as any).start.line])));
    const actions = await c.request('textDocument/codeAction', { textDocument: { uri }, range: leak.range, context: { diagnostics: [leak] } });
    assert.ok(actions.length >= 1);
    const a = actions[0];
    assert.equal(a.kind, 'quickfix');
    assert.equal(a.diagnostics[0].code, 'ref-balance/leak');
    const edits = a.edit.changes[uri];
    assert.ok(edits.some((e: any) => /^\+\s*unpin_user_pages\(pages, pinned\);$/m.test(e.newText)));
    assert.ok(edits.some((e: any) => /^ \+\d+,\d+$/.test(e.newText)), 'the hunk header count is updated');
    // apply and re-open: the leak is gone and the diff still parses cleanly
    const fixedUri = 'file:///tmp/series-fixed.mbox';
    c.open(fixedUri, applyEdits(text, edits), 'plaintext');
    const d2 = await c.diagnostics(fixedUri);
    assert.equal(d2.diagnostics.some((x) => x.code === 'ref-balance/leak'), false);
    assert.equal(d2.diagnostics.some((x) => String(x.code).startsWith('input/') && (x.severity ?? 3) <= 2), false, 'no new input warnings');
  });

  it('a .litmus document gets its syntax errors as located diagnostics, and a fixed one none', async () => {
    const uri = 'file:///tmp/bad.litmus';
    c.open(uri, 'C bad\n\n{}\n\nP0(int *x)\n{\n\tWRITE_ONCE(*x, 1)\n\tint r0 = READ_ONCE(*x);\n}\n\nexists (0:r0=0)\n', 'litmus');
    const d = await c.diagnostics(uri);
    assert.equal(d.diagnostics.length, 1);
    assert.equal(d.diagnostics[0].code, 'litmus/syntax');
    assert.ok(d.diagnostics[0].range.start.line >= 6 && d.diagnostics[0].range.start.line <= 7, JSON.stringify(d.diagnostics[0]));
    c.notify('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text: 'C good\n\n{}\n\nP0(int *x)\n{\n\tWRITE_ONCE(*x, 1);\n}\n\nexists (x=1)\n' }] });
    const ok = await c.diagnostics(uri, (p) => p.version === 2);
    assert.deepEqual(ok.diagnostics, []);
  });

  it('settings pushed by the client re-analyse open documents (categories, severities)', async () => {
    c.notify('workspace/didChangeConfiguration', { settings: { mmReview: { categories: ['input'], kernelVersion: '4.11' } } });
    const onlyInput = await c.diagnostics(seedUri, (p) => p.diagnostics.every((d) => String(d.code).startsWith('input/')), 20000);
    assert.equal(onlyInput.diagnostics.some((d) => d.code === 'spec-ref/pgmap-hook-skipped'), false);
    c.notify('workspace/didChangeConfiguration', { settings: { mmReview: { categories: null, kernelVersion: '4.11', severityOverrides: { 'spec-ref/pgmap-hook-skipped': 'information' } } } });
    const back = await c.diagnostics(seedUri, (p) => p.diagnostics.some((d) => d.code === 'spec-ref/pgmap-hook-skipped'), 20000);
    assert.equal(back.diagnostics.find((d) => d.code === 'spec-ref/pgmap-hook-skipped')!.severity, 3, 'information');
  });

  it('a replay runs off the message loop: the outline is answered while it computes', async () => {
    const order: string[] = [];
    const replay = c.request('workspace/executeCommand', { command: 'mmReview.replay', arguments: [{ scenario: 'S6', variant: 'fixed' }] }).then(() => order.push('replay'));
    const outline = c.request('textDocument/documentSymbol', { textDocument: { uri: seedUri } }).then(() => order.push('outline'));
    await Promise.all([replay, outline]);
    assert.deepEqual(order, ['outline', 'replay']);
  });
});
