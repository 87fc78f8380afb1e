/**
 * Hunk placement like `git apply`: hunks are located by their content on top
 * of the earlier patches of a series (offset, fuzz), the new side follows from
 * the old side, and a body longer than its header is a count mismatch (never
 * a mail-client repair that drops lines).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseDocument } from 'mm-review-server/patch/parse';
import { analyze } from 'mm-review-server/engine/index';
import { repoRoot } from '../c/fixtures';
import { applyEdits } from '../util/edits';

const SERIES = path.join(repoRoot(), 'examples', 'gup-stable-pin-series.mbox');

/** A two-patch series on one file: 2/2 changes the function 1/2 adds. */
function series(extraInFirst = 0, statedSecond = 12): string {
  const added = Array.from({ length: extraInFirst }, (_, i) => `+\t/* extra ${i} */`);
  const body1 = ['+int g(int x)', '+{', ...added, '+\tint y = x * 2;', '+\tint z = y + 1;', '+\tif (z > 10)', '+\t\treturn z;', '+\treturn y;', '+}'];
  return [
    'From 1111111111111111111111111111111111111111 Mon Sep 17 00:00:00 2001',
    'From: A <a@example.org>',
    'Subject: [PATCH 1/2] mm: add g()',
    '',
    '---',
    'diff --git a/mm/x.c b/mm/x.c',
    '--- a/mm/x.c',
    '+++ b/mm/x.c',
    `@@ -5,3 +5,${3 + body1.length} @@ int f(void)`,
    ' \treturn 0;',
    ' }',
    ' ',
    ...body1,
    '-- ',
    '2.40.0',
    '',
    'From 2222222222222222222222222222222222222222 Mon Sep 17 00:00:00 2001',
    'From: A <a@example.org>',
    'Subject: [PATCH 2/2] mm: g() checks harder',
    '',
    '---',
    'diff --git a/mm/x.c b/mm/x.c',
    '--- a/mm/x.c',
    '+++ b/mm/x.c',
    `@@ -${statedSecond},4 +${statedSecond},5 @@ int g(int x)`,
    ' \tint y = x * 2;',
    ' \tint z = y + 1;',
    '+\tz += check(x);',
    ' \tif (z > 10)',
    ' \t\treturn z;',
    '-- ',
    '2.40.0',
    '',
  ].join('\n');
}

const second = (text: string) => parseDocument(text, 's.mbox').messages[1].files[0].hunks[0];

describe('hunk placement on top of the earlier patches of a series', () => {
  test('a hunk at its stated line is not moved', () => {
    // 1/2 puts `int y = x * 2;` at new line 10 (5,6,7 context; g at 8,9,10)
    const h = second(series(0, 10));
    assert.equal(h.placement, undefined);
    assert.equal(h.lines[0].oldLine, 10);
  });

  test('an earlier patch that grew by two lines: the later hunk is found at offset +2, as git am finds it', () => {
    const h = second(series(2, 10));
    assert.deepEqual(h.placement && { offset: h.placement.offset, fuzz: h.placement.fuzz }, { offset: 2, fuzz: 0 });
    assert.deepEqual(h.lines.map((l) => [l.oldLine, l.newLine]), [[12, 12], [13, 13], [undefined, 14], [14, 15], [15, 16]]);
    assert.equal(h.oldStart, 10, 'the header as stated is kept');
  });

  test('a context line at the edge that no longer matches is tolerated (fuzz 1)', () => {
    const text = series(2, 10).replace(' \t\treturn z;\n-- ', ' \t\treturn z + 0;\n-- ');
    const h = second(text);
    assert.deepEqual(h.placement && { offset: h.placement.offset, fuzz: h.placement.fuzz }, { offset: 2, fuzz: 1 });
  });

  test('another version of the series is not stacked on the first', () => {
    const v2 = series(2, 10).replace('[PATCH 2/2]', '[PATCH v2 2/2]');
    assert.equal(second(v2).placement, undefined);
  });

  test('the new side follows the old side and the hunks before it (a stale `+c` is ignored, as git does)', () => {
    const text = [
      '--- a/mm/y.c',
      '+++ b/mm/y.c',
      '@@ -10,3 +10,5 @@',
      ' a();',
      '+b();',
      '+c();',
      ' d();',
      ' e();',
      '@@ -40,3 +40,4 @@',
      ' f();',
      '+g();',
      ' h();',
      ' i();',
      '',
    ].join('\n');
    const [, h2] = parseDocument(text, 'y.patch').messages[0].files[0].hunks;
    assert.deepEqual(h2.lines.map((l) => l.newLine), [42, 43, 44, 45]);
    assert.deepEqual(h2.lines.map((l) => l.oldLine), [40, undefined, 41, 42]);
  });
});

describe('a body longer than its header is a count mismatch', () => {
  const text = fs.readFileSync(SERIES, 'utf8');

  test('one `+` line added inside a hunk without updating the header: count-mismatch, no repair, no finding lost', () => {
    const lines = text.split('\n');
    const at = lines.findIndex((l) => l === '+\tif (pinned != nr_pages)');
    lines.splice(at, 0, '+\tmight_sleep();');
    const edited = lines.join('\n');
    const a = analyze(edited, 's.mbox');
    const codes = a.findings.filter((f) => f.category === 'input').map((f) => `${f.rule} ${f.severity}`);
    // the extra line also moves the hunk of 3/3 that follows it in the file by one line
    assert.deepEqual(codes, ['input/count-mismatch warning', 'input/hunk-offset hint']);
    const before = analyze(text, 's.mbox').findings.filter((f) => f.category !== 'input').map((f) => f.rule).sort();
    const after = a.findings.filter((f) => f.category !== 'input').map((f) => f.rule).sort();
    assert.deepEqual(after, before);
  });

  test('one `+` line added right after the last line of a hunk is kept (count-mismatch), not dropped', () => {
    const t = ['--- a/mm/z.c', '+++ b/mm/z.c', '@@ -1,3 +1,3 @@ int f(void)', ' {', '-\treturn 0;', '+\treturn 1;', ' }', '+int g(void) { return 2; }', ''].join('\n');
    const doc = parseDocument(t, 'z.patch');
    const h = doc.messages[0].files[0].hunks[0];
    assert.equal(h.lines.length, 5);
    assert.deepEqual([h.oldCount, h.newCount], [3, 4]);
    assert.deepEqual(doc.diagnostics.map((d) => d.code), ['input/count-mismatch']);
  });
});

describe('a quick fix in patch 1/3 keeps the findings of the other patches', () => {
  test('the leak fix in 1/3 adds two lines; the barrier finding of 3/3 stays, its hunk placed at offset +2', () => {
    const text = fs.readFileSync(SERIES, 'utf8');
    const a = analyze(text, 'series.mbox');
    const leak = a.findings.find((f) => f.rule === 'ref-balance/leak');
    assert.ok(leak?.fixes?.length, 'the leak has a quick fix');
    const fixed = applyEdits(text, leak!.fixes![0].edits);
    const b = analyze(fixed, 'series.mbox', { minSeverity: 'hint' });
    const rules = (x: typeof a) => x.findings.filter((f) => f.category !== 'input').map((f) => f.rule).sort();
    assert.deepEqual(rules(b), rules(a).filter((r) => r !== 'ref-balance/leak'));
    const offsets = b.findings.filter((f) => f.rule === 'input/hunk-offset');
    assert.equal(offsets.length, 1);
    assert.match(offsets[0].message, /Hunk #2 of mm\/gup\.c applies at line 181 on top of patch 1\/3 \(offset \+2 lines\)/);
    // the barrier finding still names the function of patch 1/3, now two lines further down
    const barrier = b.findings.find((f) => f.rule === 'barrier/store-load-order')!;
    assert.match(`${barrier.message} ${barrier.detail ?? ''}`, /pin_user_pages_stable\(\) at mm\/gup\.c:\d+ \(patch 1\/3\)/);
    // no input finding other than the hint: the fixed patch is a valid patch
    assert.deepEqual(b.findings.filter((f) => f.category === 'input' && f.severity !== 'hint'), []);
  });
});
