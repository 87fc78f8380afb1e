/**
 * The five seed threads, parsed end to end. Every expected number here was
 * counted by hand (grep/sed/awk on the seed files), not copied from the
 * parser's output; line numbers are 1-based lines of the seed files.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDocument } from 'mm-review-server/patch/parse';
import { mapRange, type Message, type ParsedDocument } from 'mm-review-server/patch/model';
import { diffstatPathMatches } from 'mm-review-server/patch/diffstat';
import { adds, bodyCounts, checkInvariants, dels, lineOf, lineText, postImage, preImage, seed } from './helpers';

function noProblems(doc: ParsedDocument): void {
  const bad = doc.diagnostics.filter((d) => d.severity === 'error' || d.severity === 'warning');
  assert.deepEqual(bad, [], 'no warnings or errors expected');
}

/** The file list and per-file +/- of the parsed hunks equal the mail's own diffstat. */
function assertMatchesDiffstat(m: Message): void {
  const ds = m.diffstat;
  assert.ok(ds, `message ${m.index} has a diffstat`);
  assert.equal(m.files.length, ds.files, 'file count');
  assert.equal(ds.entries.length, ds.files, 'one diffstat line per file');
  ds.entries.forEach((e, k) => {
    const f = m.files[k];
    assert.ok(diffstatPathMatches(e.path, f.newPath ?? f.oldPath ?? ''), `diffstat line ${k} (${e.path}) names file ${f.newPath}`);
    assert.equal(adds(f) + dels(f), e.changes, `${e.path}: changes`);
  });
  assert.equal(m.files.reduce((a, f) => a + adds(f), 0), ds.insertions, 'insertions');
  assert.equal(m.files.reduce((a, f) => a + dels(f), 0), ds.deletions, 'deletions');
}

/** Header counts (read back from the header text) equal the body, and no hunk needed a count fix. */
function assertCountsMatchHeaders(doc: ParsedDocument, m: Message): void {
  for (const f of m.files)
    for (const h of f.hunks) {
      const hdr = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/.exec(doc.text.slice(h.headerSpan.start, h.headerSpan.end))!;
      assert.ok(hdr, 'header span starts with the hunk header');
      assert.deepEqual(bodyCounts(h), [+(hdr[2] ?? 1), +(hdr[4] ?? 1)], `${f.newPath} @@ -${hdr[1]}: body matches header counts`);
      assert.ok(!h.repairs.some((r) => r.kind === 'count-mismatch'));
    }
}

describe('seed 000: lore message page, two copies of one message, prose code, no diff', () => {
  const text = seed(0);
  const doc = parseDocument(text, 'seed000');

  test('two messages, both replies by Jerome Glisse, no files', () => {
    checkInvariants(doc);
    assert.equal(doc.format, 'lore-message');
    assert.equal(doc.messages.length, 2);
    for (const m of doc.messages) {
      assert.equal(m.kind, 'reply');
      assert.equal(m.author, 'Jerome Glisse');
      assert.equal(m.subject, 'Re: [PATCH 1/2] mm: introduce put_user_page*(), placeholder versions');
      assert.equal(m.title, 'mm: introduce put_user_page*(), placeholder versions');
      assert.deepEqual(m.series, { index: 1, total: 2 });
      assert.equal(m.date, 'Tue, 15 Jan 2019 20:56:11 -0500');
      assert.equal(m.messageId, '20190116015610.GH3696@redhat.com');
      assert.equal(m.files.length, 0);
      assert.equal(m.quotedDiffsSkipped, 0);
      assert.equal(m.diffstat, undefined);
    }
    assert.equal(lineOf(text, doc.messages[0].span.start), 4);
    assert.equal(lineOf(text, doc.messages[1].span.start), 374);
    assert.ok(doc.messages[0].span.end <= doc.messages[1].span.start);
    // the second copy ends before the thread overview (line 745: "  parent reply index")
    assert.ok(lineOf(text, doc.messages[1].span.end) <= 745);
    noProblems(doc);
  });
});

describe('seed 001: patchwork page, one diff at the bottom', () => {
  const text = seed(1);
  const doc = parseDocument(text, 'seed001');
  const patch = doc.messages[0];

  test('the patch and its eleven comments', () => {
    checkInvariants(doc);
    assert.equal(doc.format, 'patchwork');
    assert.equal(doc.messages.length, 12);
    assert.equal(patch.kind, 'patch');
    assert.equal(patch.subject, '[RFC,24/37] mm: implement speculative handling in __do_fault()');
    assert.equal(patch.title, 'mm: implement speculative handling in __do_fault()');
    assert.deepEqual(patch.series, { index: 24, total: 37 });
    assert.equal(patch.author, 'Michel Lespinasse');
    assert.equal(patch.date, 'April 7, 2021, 1:44 a.m. UTC');
    assert.equal(patch.messageId, '20210407014502.24091-25-michel@lespinasse.org');
    const authors = doc.messages.slice(1).map((m) => m.author);
    // grep -n ' UTC | #' : lines 34, 53, 84, 124, 145, 175, 212, 224, 262, 330, 391
    assert.deepEqual(authors, [
      'Matthew Wilcox', 'Michel Lespinasse', 'Matthew Wilcox', 'Peter Zijlstra', 'Michel Lespinasse',
      'Matthew Wilcox', 'Peter Zijlstra', 'Matthew Wilcox', 'Peter Zijlstra', 'Michel Lespinasse', 'Matthew Wilcox',
    ]);
    assert.deepEqual(doc.messages.slice(1).map((m) => lineOf(text, m.span.start)), [34, 53, 84, 124, 145, 175, 212, 224, 262, 330, 391]);
    for (const c of doc.messages.slice(1)) {
      assert.equal(c.kind, 'reply');
      assert.equal(c.files.length, 0);
    }
    noProblems(doc);
  });

  test('diffstat: mm/memory.c | 63, 1 file changed, 42 insertions(+), 21 deletions(-)', () => {
    assert.deepEqual(patch.diffstat?.entries, [{ path: 'mm/memory.c', changes: 63 }]);
    assert.equal(patch.diffstat?.files, 1);
    assert.equal(patch.diffstat?.insertions, 42);
    assert.equal(patch.diffstat?.deletions, 21);
    assert.equal(lineOf(text, patch.diffstat!.span.start), 29);
    assertMatchesDiffstat(patch);
  });

  test('exactly one hunk: -3709,29 +3709,50, two spaces before the section heading', () => {
    assert.equal(patch.files.length, 1);
    const f = patch.files[0];
    assert.equal(f.oldPath, 'mm/memory.c');
    assert.equal(f.newPath, 'mm/memory.c');
    assert.equal(f.status, 'modified');
    assert.equal(lineOf(text, f.headerSpan.start), 455);
    assert.equal(f.hunks.length, 1);
    const h = f.hunks[0];
    assert.deepEqual([h.oldStart, h.oldCount, h.newStart, h.newCount], [3709, 29, 3709, 50]);
    assert.equal(h.section, 'static vm_fault_t __do_fault(struct vm_fault *vmf)');
    assert.equal(text.slice(h.headerSpan.start, h.headerSpan.end), '@@ -3709,29 +3709,50 @@  static vm_fault_t __do_fault(struct vm_fault *vmf)');
    // awk 'NR>459' | cut -c1 | sort | uniq -c : 8 ' ', 42 '+', 21 '-'
    assert.equal(h.lines.filter((l) => l.kind === 'context').length, 8);
    assert.equal(h.lines.filter((l) => l.kind === 'add').length, 42);
    assert.equal(h.lines.filter((l) => l.kind === 'del').length, 21);
    assert.deepEqual(h.repairs, []);
    assertCountsMatchHeaders(doc, patch);
  });

  test('pre- and post-image text equal the seed lines 460..530 (the last line has no newline)', () => {
    const h = patch.files[0].hunks[0];
    const body = text.split('\n').slice(459, 530);
    assert.equal(body.length, 71);
    assert.deepEqual(postImage(h), body.filter((l) => l[0] !== '-').map((l) => l.slice(1)));
    assert.deepEqual(preImage(h), body.filter((l) => l[0] !== '+').map((l) => l.slice(1)));
    assert.deepEqual(postImage(h).slice(0, 5), [
      '\tstruct vm_area_struct *vma = vmf->vma;',
      '\tvm_fault_t ret;',
      '',
      '#ifdef CONFIG_SPECULATIVE_PAGE_FAULT',
      '\tif (vmf->flags & FAULT_FLAG_SPECULATIVE) {',
    ]);
    const last = h.lines[h.lines.length - 1];
    assert.equal(last.text, '\t\treturn ret;');
    assert.equal(last.oldLine, 3709 + 28);
    assert.equal(last.newLine, 3709 + 49);
    // the seed ends without a newline: the last line's span runs to the end of the text
    assert.equal(last.span.end, text.length);
  });
});

describe('seed 002: a quoted-printable mbox message that lost its line breaks', () => {
  const text = seed(2);
  const doc = parseDocument(text, 'seed002');

  test('one message, recovered headers, no diff, an info diagnostic', () => {
    checkInvariants(doc);
    assert.equal(text.indexOf('\n'), -1, 'the seed really is one line');
    assert.equal(doc.format, 'flattened');
    assert.equal(doc.messages.length, 1);
    const m = doc.messages[0];
    assert.equal(m.subject, 'Re: Splitting the mmap_sem');
    assert.equal(m.title, 'Splitting the mmap_sem');
    assert.equal(m.author, 'Jerome Glisse');
    assert.equal(m.date, 'Mon, 9 Dec 2019 09:17:54 -0500');
    assert.equal(m.messageId, '20191209141754.GA6841@redhat.com');
    assert.equal(m.kind, 'reply');
    assert.equal(m.encoding, 'quoted-printable');
    assert.equal(m.charset, 'iso-8859-1');
    assert.equal(m.files.length, 0);
    const d = doc.diagnostics.filter((x) => x.code === 'input/lost-line-breaks');
    assert.equal(d.length, 1);
    assert.equal(d[0].severity, 'info');
    assert.match(d[0].message, /11964-character line/);
    noProblems(doc);
  });
});

describe('seed 003: two mangled patches (Leonardo Bras, quoted without markers) + John Hubbard draft', () => {
  const text = seed(3);
  const doc = parseDocument(text, 'seed003');
  const m = doc.messages[0];
  const file = (p: string) => m.files.find((f) => f.newPath === p)!;
  const diagAt = (code: string, line: number) =>
    doc.diagnostics.filter((d) => d.code === code && lineOf(text, d.span.start) === line).map((d) => text.slice(d.span.start, d.span.end));

  test('seven files, hunks and +/- counted by hand', () => {
    checkInvariants(doc);
    assert.equal(doc.format, 'text');
    assert.equal(doc.messages.length, 1);
    assert.equal(m.kind, 'patch');
    assert.deepEqual(
      m.files.map((f) => f.newPath),
      [
        'arch/powerpc/include/asm/book3s/64/mmu.h',
        'arch/powerpc/mm/book3s64/mmu_context.c',
        'arch/powerpc/mm/book3s64/pgtable.c',
        'include/linux/mm.h',
        'include/linux/mm_types.h',
        'mm/Kconfig',
        'mm/gup.c',
      ],
    );
    assert.deepEqual(m.files.map((f) => f.hunks.length), [1, 1, 1, 1, 1, 1, 4]);
    // lines starting with '+' (not '+++'): 49 in Leonardo's patch, 85 in John's
    assert.deepEqual(m.files.map(adds), [3, 1, 45, 3, 10, 11, 61]);
    assert.deepEqual(m.files.map(dels), [0, 0, 0, 0, 0, 0, 5]);
    assert.deepEqual(file('mm/gup.c').hunks.map((h) => [adds({ ...file('mm/gup.c'), hunks: [h] }), dels({ ...file('mm/gup.c'), hunks: [h] })]), [
      [56, 0],
      [2, 2],
      [1, 1],
      [2, 2],
    ]);
    noProblems(doc);
  });

  test("Leonardo's diffstat (indented two spaces) matches the repaired hunks", () => {
    assert.equal(m.diffstat?.files, 3);
    assert.equal(m.diffstat?.insertions, 49);
    assert.equal(m.diffstat?.deletions, 0);
    assert.deepEqual(m.diffstat?.entries.map((e) => e.changes), [3, 1, 45]);
    const leo = { ...m, files: m.files.slice(0, 3) };
    assertMatchesDiffstat(leo);
  });

  test('after repair every hunk body matches its header counts', () => {
    assertCountsMatchHeaders(doc, m);
  });

  test('wrapped diff --git lines are rejoined (lines 30, 43, 56)', () => {
    assert.deepEqual(diagAt('input/wrapped-header', 30), ['b/arch/powerpc/include/asm/book3s/64/mmu.h']);
    assert.deepEqual(diagAt('input/wrapped-header', 43), ['b/arch/powerpc/mm/book3s64/mmu_context.c']);
    assert.deepEqual(diagAt('input/wrapped-header', 56), ['b/arch/powerpc/mm/book3s64/pgtable.c']);
    assert.equal(file('arch/powerpc/mm/book3s64/pgtable.c').repairs?.[0].kind, 'wrapped-header');
  });

  test('mmu_context.c: wrapped hunk header, shifted context, lost tabs, column-0 context line', () => {
    const h = file('arch/powerpc/mm/book3s64/mmu_context.c').hunks[0];
    assert.equal(h.section, 'int init_new_context(struct task_struct *tsk, struct mm_struct *mm)');
    assert.equal(text.slice(h.headerSpan.start, h.headerSpan.end), '@@ -200,6 +200,7 @@ int init_new_context(struct task_struct *tsk, struct \nmm_struct *mm)');
    assert.deepEqual(diagAt('input/wrapped-header', 48), ['mm_struct *mm)']);
    assert.deepEqual(diagAt('input/lost-leading-space', 53), ['return 0;']);
    // "  #endif" (line 49) and "  }" (line 54): one extra column removed
    assert.equal(diagAt('input/leading-space-shift', 49).length, 1);
    assert.equal(diagAt('input/leading-space-shift', 54).length, 1);
    // "        atomic_set(...)" (line 50): marker + shift + 6 spaces were one tab
    assert.deepEqual(diagAt('input/tabs-to-spaces', 50), ['      ']);
    const realLines = h.lines.filter((l) => !(l.repaired && l.src.segs.length === 0));
    assert.deepEqual(
      realLines.map((l) => [l.kind, l.text]),
      [
        ['context', '#endif'],
        ['context', '\tatomic_set(&mm->context.active_cpus, 0);'],
        ['context', '\tatomic_set(&mm->context.copros, 0);'],
        ['add', '\tatomic_set(&mm->context.lockless_pgtbl_walk_count, 0);'],
        ['context', 'return 0;'],
        ['context', '}'],
      ],
    );
    // header -200,6 +200,7 but the body has 5/6 lines: exactly one blank context line was dropped
    assert.equal(h.repairs.filter((r) => r.kind === 'dropped-blank').length, 1);
    assert.equal(h.lines.length, 7);
  });

  test('pgtable.c: a wrapped comment line is rejoined, tabs restored in added lines', () => {
    const h = file('arch/powerpc/mm/book3s64/pgtable.c').hunks[0];
    assert.deepEqual(diagAt('input/wrapped-line', 100), ['and']);
    const joined = h.lines.find((l) => l.text.includes('currently running'))!;
    assert.equal(joined.kind, 'add');
    assert.equal(joined.text, ' *   currently running. If it returns 0, there is no running pagetable walk, and');
    assert.equal(joined.repaired, true);
    assert.equal(joined.src.segs.length, 2, 'one seg per physical line');
    const post = postImage(h);
    assert.ok(post.includes('\tatomic_inc(&mm->context.lockless_pgtbl_walk_count);'));
    assert.ok(post.includes('\t * part of the walkless pagetable walk after it.'));
    assert.ok(post.includes('void start_lockless_pgtbl_walk(struct mm_struct *mm)'));
    assert.equal(post.filter((l) => l === '\tsmp_mb();').length, 2);
  });

  test("John's gup.c: wrapped headers and column-0 context lines", () => {
    const g = file('mm/gup.c');
    assert.deepEqual(
      g.hunks.map((h) => h.section),
      [
        'static bool gup_fast_permitted(unsigned long start, unsigned long end)',
        'int __get_user_pages_fast(unsigned long start, int nr_pages, int write,',
        'static int __gup_longterm_unlocked(unsigned long start, int nr_pages,',
        'int get_user_pages_fast(unsigned long start, int nr_pages,',
      ],
    );
    assert.deepEqual(diagAt('input/wrapped-header', 261), ['nr_pages, int write,']);
    assert.deepEqual(diagAt('input/lost-leading-space', 262), ['if (IS_ENABLED(CONFIG_HAVE_FAST_GUP) &&']);
    assert.deepEqual(diagAt('input/lost-leading-space', 270), ['return nr;']);
    const h = g.hunks[1];
    assert.deepEqual(
      h.lines.filter((l) => l.src.segs.length > 0).map((l) => [l.kind, l.text]),
      [
        ['context', 'if (IS_ENABLED(CONFIG_HAVE_FAST_GUP) &&'],
        ['context', '\t    gup_fast_permitted(start, end)) {'],
        ['del', '\t\tlocal_irq_save(flags);'],
        ['add', '\t\tregister_lockless_page_table_walker(&flags);'],
        ['context', '\t\tgup_pgd_range(start, end, write ? FOLL_WRITE : 0, pages, &nr);'],
        ['del', '\t\tlocal_irq_restore(flags);'],
        ['add', '\t\tderegister_lockless_page_table_walker(&flags);'],
        ['context', '\t}'],
        ['context', 'return nr;'],
      ],
    );
    // 9/9 in the header, 7/7 in the body: two blank context lines were dropped
    assert.equal(h.repairs.filter((r) => r.kind === 'dropped-blank').length, 2);
    assert.deepEqual([h.oldStart, h.newStart], [2341, 2397]);
  });
});

describe('seed 004: lore flat thread, 48 messages', () => {
  const text = seed(4);
  const doc = parseDocument(text, 'seed004');
  const msgs = doc.messages;

  test('48 messages with the right kinds', () => {
    checkInvariants(doc);
    assert.equal(doc.format, 'lore-thread');
    assert.equal(msgs.length, 48);
    const patches = [0, 3, 9, 11, 13, 22, 23, 40];
    msgs.forEach((m, i) => {
      const want = patches.includes(i) ? 'patch' : i === 4 ? 'plain' : 'reply';
      assert.equal(m.kind, want, `message ${i} (line ${lineOf(text, m.span.start)})`);
    });
    // the `From: Name @ date UTC (permalink / raw)` lines
    assert.equal(msgs[0].author, 'Dan Williams');
    assert.equal(msgs[0].date, '2017-04-20 21:46 UTC');
    assert.equal(msgs[40].author, 'tip-bot for Dan Williams');
    assert.equal(msgs[40].date, '2017-05-01 8:28 UTC');
    assert.equal(msgs[40].subject, '[tip:x86/mm] mm, zone_device: Replace {get, put}_zone_device_page() with a single reference to fix pmem crash');
    assert.equal(msgs[40].title, 'mm, zone_device: Replace {get, put}_zone_device_page() with a single reference to fix pmem crash');
    assert.equal(msgs[23].subject, '[PATCH v2] mm, zone_device: replace {get, put}_zone_device_page() with a single reference');
    assert.equal(msgs[23].version, 2);
    assert.equal(msgs[4].subject, 'get_zone_device_page() in get_page() and page_cache_get_speculative()');
    assert.equal(lineOf(text, msgs[0].span.start), 3);
    assert.equal(lineOf(text, msgs[47].span.start), 5272);
    noProblems(doc);
  });

  test('the 12-file revert inside Ingo\'s reply matches its diffstat (519+, 128-)', () => {
    const m = msgs[3];
    assert.equal(m.subject, '[PATCH] Revert "x86/mm/gup: Switch GUP to the generic get_user_page_fast() implementation"');
    assert.equal(m.files.length, 12);
    assert.equal(m.diffstat?.insertions, 519);
    assert.equal(m.diffstat?.deletions, 128);
    assertMatchesDiffstat(m);
    assert.equal(m.embedded?.author, 'Ingo Molnar');
    assert.equal(m.embedded?.subject, '[PATCH] Revert "x86/mm/gup: Switch GUP to the generic get_user_page_fast() implementation"');
    assert.equal(m.embedded?.date, 'Sun, 23 Apr 2017 11:37:17 +0200');
    assert.equal(lineOf(text, m.embedded!.span.start), 416);
    const gup = m.files.find((f) => f.newPath === 'arch/x86/mm/gup.c')!;
    assert.equal(gup.status, 'added');
    assert.equal(gup.oldPath, null);
    assert.equal(gup.newMode, '100644');
    assert.deepEqual([gup.hunks[0].oldStart, gup.hunks[0].oldCount, gup.hunks[0].newStart, gup.hunks[0].newCount], [0, 0, 1, 496]);
    assertCountsMatchHeaders(doc, m);
  });

  test('every version of the 5-file zone_device patch matches its diffstat (31+, 30-)', () => {
    for (const i of [13, 22, 23, 40]) {
      const m = msgs[i];
      assert.deepEqual(
        m.files.map((f) => f.newPath),
        ['drivers/dax/pmem.c', 'drivers/nvdimm/pmem.c', 'include/linux/mm.h', 'kernel/memremap.c', 'mm/swap.c'],
      );
      assert.equal(m.diffstat?.insertions, 31);
      assert.equal(m.diffstat?.deletions, 30);
      assertMatchesDiffstat(m);
      assertCountsMatchHeaders(doc, m);
    }
    // Kirill's repost carries Dan's in-body From:
    assert.equal(msgs[22].author, 'Kirill A. Shutemov');
    assert.equal(msgs[22].embedded?.author, 'Dan Williams');
  });

  test('diffs without a diffstat: hand-counted files and +/-', () => {
    const summary = (m: Message) => m.files.map((f) => [f.newPath, f.hunks.length, adds(f), dels(f)]);
    assert.deepEqual(summary(msgs[0]), [['mm/gup.c', 2, 3, 2]]);
    assert.deepEqual(summary(msgs[9]), [
      ['include/linux/memremap.h', 1, 0, 14],
      ['include/linux/mm.h', 3, 0, 14],
      ['include/linux/mm_types.h', 1, 14, 0],
      ['include/linux/page_ref.h', 12, 35, 0],
      ['kernel/memremap.c', 1, 0, 12],
    ]);
    assert.deepEqual(summary(msgs[11]), [
      ['include/linux/mm.h', 3, 0, 14],
      ['kernel/memremap.c', 2, 9, 12],
    ]);
  });

  test("Dan's first mail (lines 95-119): wrapped hunk headers, tabs lost, blank context line", () => {
    const [h1, h2] = msgs[0].files[0].hunks;
    assert.deepEqual([h1.oldStart, h1.oldCount, h1.newStart, h1.newCount], [1475, 7, 1475, 8]);
    assert.deepEqual([h2.oldStart, h2.oldCount, h2.newStart, h2.newCount], [1516, 7, 1517, 7]);
    assert.equal(h1.section, 'static int gup_pmd_range(pud_t pud, unsigned long addr, unsigned long end,');
    assert.equal(h2.section, 'static int gup_pud_range(p4d_t p4d, unsigned long addr, unsigned long end,');
    const wrapped = doc.diagnostics.filter((d) => d.code === 'input/wrapped-header' && lineOf(text, d.span.start) < 124);
    assert.deepEqual(wrapped.map((d) => [lineOf(text, d.span.start), text.slice(d.span.start, d.span.end)]), [
      [100, 'long addr, unsigned long end,'],
      [111, 'long addr, unsigned long end,'],
    ]);
    assert.deepEqual(postImage(h1), [
      '\t\tif (pmd_none(pmd))',
      '\t\t\treturn 0;',
      '',
      '\t\tif (unlikely(pmd_trans_huge(pmd) || pmd_huge(pmd)',
      '\t\t\t\t\t|| pmd_devmap(pmd))) {',
      '\t\t\t/*',
      '\t\t\t * NUMA hinting faults need to be handled in the GUP',
      '\t\t\t * slowpath for accounting purposes and so that they',
    ]);
    assert.deepEqual(preImage(h2).slice(3, 4), ['\t\tif (unlikely(pud_huge(pud))) {']);
    // the restored tab maps back to the spaces it replaced (line 101: 1 marker + 15 spaces)
    const l = h1.lines[0];
    const sp = mapRange(l.src, 0, 2, l.span);
    assert.equal(text.slice(sp.start, sp.end), ' '.repeat(15));
    assert.equal(lineText(text, 101), ' '.repeat(16) + 'if (pmd_none(pmd))');
    assertCountsMatchHeaders(doc, msgs[0]);
  });

  test('quoted diffs are skipped and counted; the pasted hunk is not a file', () => {
    const quoted = msgs.map((m) => m.quotedDiffsSkipped);
    const want = msgs.map(() => 0);
    want[12] = 2; // 2 x "> diff --git"
    want[14] = 5; // 5 x "> diff --git"
    want[15] = 2; // "> @@" hunks without a file header, then "> diff --git a/mm/swap.c"
    want[16] = 2; // the same, quoted twice (">> ")
    want[24] = 5; // 5 x "> diff --git"
    assert.deepEqual(quoted, want);
    for (const i of [12, 14, 15, 16, 24]) assert.equal(msgs[i].files.length, 0);
    const orphan = doc.diagnostics.filter((d) => d.code === 'input/orphan-hunk');
    assert.deepEqual(orphan.map((d) => lineOf(text, d.span.start)), [2894]);
    assert.equal(msgs[18].files.length, 0);
  });

  test('>From lines are un-escaped, not quotes and not message separators', () => {
    // line 1953 ">From a quick glance, ..." sits in message 10's body
    const m = msgs[10];
    assert.ok(m.span.start < text.indexOf('>From a quick glance') && text.indexOf('>From a quick glance') < m.span.end);
    assert.equal(m.quotedDiffsSkipped, 0);
  });
});
