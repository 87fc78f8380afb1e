/**
 * The language server's incremental re-parse must give exactly what a full
 * parse gives: chains of random edits (characters, lines, pasted hunks, edits
 * on message boundaries) over a series built from the examples, compared
 * field by field with parseDocument on the same text.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reparse } from 'mm-review-server/engine/incremental';
import { parseDocument } from 'mm-review-server/patch/parse';
import type { ParsedDocument } from 'mm-review-server/patch/model';
import { example } from '../patch/helpers';
import { prng } from '../patch/mutate';
import { applyEdits } from '../util/edits';

function series(): string {
  const ex = ['gup-stable-pin-series.mbox', 'mangled-pinned-ptes.eml', 'qp-readahead-order.eml'].map(example);
  const out: string[] = [];
  for (let i = 0; i < 9; i++) {
    let t = ex[i % ex.length].replace(/\b(mm|include\/linux)\/([a-z_-]+)\.(c|h)\b/g, `$1/$2_${i}.$3`);
    if (!t.startsWith('From ')) t = `From mm-review-${i} Mon Sep 17 00:00:00 2001\n` + t;
    out.push(t.endsWith('\n') ? t : t + '\n');
  }
  return out.join('');
}

function canon(d: ParsedDocument): string {
  return JSON.stringify({ format: d.format, messages: d.messages, diagnostics: d.diagnostics });
}

test('incremental re-parse equals a full parse over 400 chained random edits', () => {
  const rnd = prng(0x1ec);
  let text = series();
  let doc = parseDocument(text, 'x.mbox');
  let partial = 0;
  const snippets = ['a', ' ', '\t', ';', '\n', '+\tput_page(page);\n', '-', '@@', 'x = 1;', '\n\n', '=3D', ''];
  for (let i = 0; i < 400; i++) {
    const at = Math.floor(rnd() * text.length);
    const del = rnd() < 0.4 ? Math.floor(rnd() * 6) : 0;
    const ins = snippets[Math.floor(rnd() * snippets.length)];
    const next = text.slice(0, at) + ins + text.slice(at + del);
    const r = reparse(doc, next, 'x.mbox');
    const want = parseDocument(next, 'x.mbox');
    assert.equal(canon(r.doc), canon(want), `edit ${i} at ${at} (-${del} +${JSON.stringify(ins)}), ${r.full ? 'full' : 'partial'}`);
    if (!r.full) partial++;
    text = next;
    doc = r.doc;
  }
  // random edits also break `From ` separators, after which the series is parsed whole
  assert.ok(partial > 100, `many edits are re-parsed incrementally (${partial}/400)`);
});

test('typing inside hunks is re-parsed incrementally, one message at a time', () => {
  const rnd = prng(0x7e57);
  let text = series();
  let doc = parseDocument(text, 'x.mbox');
  let partial = 0;
  for (let i = 0; i < 200; i++) {
    const lines = text.split('\n');
    const hunkLines = lines.map((l, n) => (/^[+ ]\t.*;$/.test(l) ? n : -1)).filter((n) => n >= 0);
    const n = hunkLines[Math.floor(rnd() * hunkLines.length)];
    const at = lines.slice(0, n).join('\n').length + 1 + lines[n].length - 1;
    const next = i % 2 ? text.slice(0, at) + ' ' + text.slice(at) : text.slice(0, at) + 'x' + text.slice(at);
    const r = reparse(doc, next, 'x.mbox');
    assert.equal(canon(r.doc), canon(parseDocument(next, 'x.mbox')), `edit ${i}`);
    if (!r.full) {
      partial++;
      assert.equal(r.changed.size, 1);
    }
    text = next;
    doc = r.doc;
  }
  assert.equal(partial, 200);
});

test('reanalyze (the keystroke path) reports exactly what analyze reports', async () => {
  const { analyze, reanalyze } = await import('mm-review-server/engine/index');
  const rnd = prng(0xa11);
  let text = series();
  let prev = reanalyze(undefined, text, 'x.mbox');
  let incremental = 0;
  for (let i = 0; i < 60; i++) {
    const lines = text.split('\n');
    const hunkLines = lines.map((l, n) => (/^[+ ]\t.*;$/.test(l) ? n : -1)).filter((n) => n >= 0);
    const n = hunkLines[Math.floor(rnd() * hunkLines.length)];
    const at = lines.slice(0, n).join('\n').length + 1 + lines[n].length - 1;
    // alternate harmless edits with ones that change findings (drop a put/unlock line's call)
    const next = i % 3 === 2 ? text.slice(0, at - lines[n].length + 2) + '/* removed */' + text.slice(at) : text.slice(0, at) + ' ' + text.slice(at);
    const r = reanalyze(prev, next, 'x.mbox');
    const want = analyze(next, 'x.mbox');
    assert.deepEqual(JSON.parse(JSON.stringify(r.findings)), JSON.parse(JSON.stringify(want.findings)), `edit ${i}`);
    if (r.incremental) incremental++;
    text = next;
    prev = r;
  }
  assert.ok(incremental >= 55, `${incremental}/60 incremental`);
});

test('a quick fix in patch 1/3 on the keystroke path: the later patches are placed again, their findings kept', async () => {
  const { analyze, reanalyze } = await import('mm-review-server/engine/index');
  const text = example('gup-stable-pin-series.mbox');
  const prev = reanalyze(undefined, text, 'x.mbox');
  const leak = prev.findings.find((f) => f.rule === 'ref-balance/leak')!;
  const fixed = applyEdits(text, leak.fixes![0].edits);
  const r = reanalyze(prev, fixed, 'x.mbox');
  assert.ok(r.incremental, 'the edit stays inside message 1/3');
  const want = analyze(fixed, 'x.mbox');
  assert.deepEqual(JSON.parse(JSON.stringify(r.findings)), JSON.parse(JSON.stringify(want.findings)));
  assert.ok(r.findings.some((f) => f.rule === 'barrier/store-load-order'), 'the barrier finding of 3/3 is still there');
});

test('edits of a series header (patch number, version, reply) re-place the later patches exactly as a full parse does', () => {
  const base = series();
  let doc = parseDocument(base, 'x.mbox');
  let text = base;
  // each edit keeps to the Subject line of one message (the keystroke path), and changes how messages chain
  const edits: [string, string][] = [
    ['[PATCH v2 2/3]', '[PATCH v2 4/3]'],
    ['[PATCH v2 4/3]', '[PATCH v3 2/3]'],
    ['[PATCH v3 2/3]', '[PATCH v2 2/3]'],
    ['[PATCH v2 1/3]', '[PATCH v2 3/3]'],
    ['[PATCH v2 3/3] mm/gup: add', '[PATCH v2 1/3] mm/gup: add'],
    ['[PATCH v2 2/3]', 'Re: [PATCH v2 2/3]'],
    ['Re: [PATCH v2 2/3]', '[PATCH v2 2/3]'],
    ['[PATCH v2 3/3]', '[RFC v2 3/3]'],
    ['[RFC v2 3/3]', '[PATCH v2 3/3]'],
  ];
  for (const [from, to] of edits) {
    const at = text.indexOf(from);
    assert.ok(at > 0, from);
    const next = text.slice(0, at) + to + text.slice(at + from.length);
    const r = reparse(doc, next, 'x.mbox');
    assert.equal(canon(r.doc), canon(parseDocument(next, 'x.mbox')), `${from} -> ${to} (${r.full ? 'full' : 'partial'})`);
    text = next;
    doc = r.doc;
  }
});

test('a Subject edit that breaks or restores a series chain re-places the later patch (keystroke path equals a full parse)', () => {
  const mail = (subject: string, diff: string) =>
    `From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\nFrom: A U Thor <author@example.org>\nDate: Mon, 3 Jun 2024 10:00:00 +0200\nSubject: ${subject}\n\nText.\n\nSigned-off-by: A U Thor <author@example.org>\n---\n${diff}-- \n2.45.0\n\n`;
  const p1 = 'diff --git a/mm/x.c b/mm/x.c\nindex 1111111..2222222 100644\n--- a/mm/x.c\n+++ b/mm/x.c\n@@ -5,3 +5,6 @@\n \tline5();\n+\tadd1();\n+\tadd2();\n+\tadd3();\n \tline6();\n \tline7();\n';
  // written against an older base: its header is 3 lines off from where patch 1 leaves the text
  const p2 = 'diff --git a/mm/x.c b/mm/x.c\nindex 2222222..3333333 100644\n--- a/mm/x.c\n+++ b/mm/x.c\n@@ -2,4 +2,4 @@\n \tline5();\n \tadd1();\n-\tadd2();\n+\tadd2b();\n \tadd3();\n';
  let text = mail('[PATCH 1/2] mm: one', p1) + mail('[PATCH 2/2] mm: two', p2);
  let doc = parseDocument(text, 'x.mbox');
  assert.equal(doc.messages[1].files[0].hunks[0].placement?.offset, 3, 'placed on top of patch 1');
  for (const [from, to] of [
    ['[PATCH 1/2]', '[PATCH 3/2]'],
    ['[PATCH 3/2]', '[PATCH 1/2]'],
    ['[PATCH 1/2]', '[PATCH v2 1/2]'],
    ['[PATCH v2 1/2]', '[PATCH 1/2]'],
  ]) {
    const at = text.indexOf(from);
    const next = text.slice(0, at) + to + text.slice(at + from.length);
    const r = reparse(doc, next, 'x.mbox');
    assert.ok(!r.full, `${from} -> ${to}: the keystroke path`);
    assert.equal(canon(r.doc), canon(parseDocument(next, 'x.mbox')), `${from} -> ${to}`);
    text = next;
    doc = r.doc;
  }
});

test('an edit range given by the caller (the language server: from the editor\'s changes, possibly wider than the change) re-parses exactly as a full parse', () => {
  const rnd = prng(0x1ed);
  let text = series();
  let doc = parseDocument(text, 'x.mbox');
  let partial = 0;
  const snippets = ['a', ' ', '\t', ';', '\n', '+\tput_page(page);\n', '', 'x = 1;'];
  for (let i = 0; i < 300; i++) {
    const at = Math.floor(rnd() * text.length);
    const del = rnd() < 0.4 ? Math.floor(rnd() * 6) : 0;
    const ins = snippets[Math.floor(rnd() * snippets.length)];
    const next = text.slice(0, at) + ins + text.slice(at + del);
    // the replaced range, widened by up to 40 unchanged characters on each side (the same on both texts)
    const before = Math.min(at, Math.floor(rnd() * 40));
    const after = Math.min(text.length - at - del, Math.floor(rnd() * 40));
    const edit = { start: at - before, oldEnd: at + del + after, newEnd: at + ins.length + after };
    const r = reparse(doc, next, 'x.mbox', edit);
    assert.equal(canon(r.doc), canon(parseDocument(next, 'x.mbox')), `edit ${i} at ${at} (-${del} +${JSON.stringify(ins)}), range ${JSON.stringify(edit)}`);
    if (!r.full) partial++;
    text = next;
    doc = r.doc;
  }
  assert.ok(partial > 100, `many edits are re-parsed incrementally (${partial}/300)`);
  // a range that does not fit the texts is not used (the texts are compared)
  const next = text.replace('put_page', 'put_pages');
  const r = reparse(doc, next, 'x.mbox', { start: 0, oldEnd: 1, newEnd: 5 });
  assert.equal(canon(r.doc), canon(parseDocument(next, 'x.mbox')));
});
