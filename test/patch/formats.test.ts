/**
 * Input formats on small, hand-written documents: CRLF, MIME (multipart,
 * base64, quoted-printable, format=flowed, charsets), mbox `>From ` escaping,
 * git extended headers, plain diffs, quoted diffs, degenerate input.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDocument } from 'mm-review-server/patch/parse';
import { mapRange } from 'mm-review-server/patch/model';
import { parseSubject } from 'mm-review-server/patch/subject';
import { decodeEncodedWords } from 'mm-review-server/patch/mime';
import { diffstatPathMatches, parseEntry, parseSummary } from 'mm-review-server/patch/diffstat';
import { adds, checkInvariants, postImage, preImage } from './helpers';

/** A small git format-patch mail (LF). */
const MAIL = [
  'From 1111111111111111111111111111111111111111 Mon Sep 17 00:00:00 2001',
  'From: Ada Lovelace <ada@example.org>',
  'Date: Mon, 4 Mar 2024 10:00:00 +0000',
  'Subject: [PATCH v3 2/4] mm/gup: drop the pin on the error path',
  '',
  'The error path leaked a pin.',
  '',
  'Signed-off-by: Ada Lovelace <ada@example.org>',
  '---',
  ' mm/gup.c | 3 ++-',
  ' 1 file changed, 2 insertions(+), 1 deletion(-)',
  '',
  'diff --git a/mm/gup.c b/mm/gup.c',
  'index 1234567..89abcde 100644',
  '--- a/mm/gup.c',
  '+++ b/mm/gup.c',
  '@@ -10,6 +10,7 @@ long pin_range(unsigned long start, unsigned long nr)',
  ' \tpinned = pin_user_pages_fast(start, nr, FOLL_WRITE, pages);',
  ' \tif (pinned < 0)',
  ' \t\treturn pinned;',
  '-\tif (pinned != nr)',
  '+\tif (pinned != nr) {',
  '+\t\tunpin_user_pages(pages, pinned);',
  ' \t\treturn -EFAULT;',
  ' \treturn 0;',
  ' }',
  '-- ',
  '2.43.0',
  '',
].join('\n');

describe('line endings', () => {
  test('CRLF everywhere parses like LF, and no text keeps a \\r', () => {
    const lf = parseDocument(MAIL);
    const crlfText = MAIL.replace(/\n/g, '\r\n');
    const crlf = parseDocument(crlfText);
    checkInvariants(crlf);
    assert.equal(crlf.format, 'mbox');
    assert.equal(crlf.messages.length, 1);
    const m = crlf.messages[0];
    assert.equal(m.subject, '[PATCH v3 2/4] mm/gup: drop the pin on the error path');
    assert.deepEqual(m.series, { index: 2, total: 4, version: 3 });
    assert.equal(m.author, 'Ada Lovelace');
    assert.equal(m.diffstat?.insertions, 2);
    assert.equal(m.diffstat?.deletions, 1);
    assert.equal(m.diffstat?.entries[0].changes, 3);
    const h = m.files[0].hunks[0];
    assert.deepEqual(postImage(h), postImage(lf.messages[0].files[0].hunks[0]));
    assert.deepEqual(preImage(h), preImage(lf.messages[0].files[0].hunks[0]));
    for (const l of h.lines) {
      assert.ok(!l.text.includes('\r'));
      assert.notEqual(crlfText[l.span.end - 1], '\r', 'a line span stops before the CR');
      assert.equal(crlfText.slice(l.span.start + 1, l.span.end), l.text);
    }
    assert.equal(h.section, 'long pin_range(unsigned long start, unsigned long nr)');
  });
});

describe('MIME', () => {
  const diff = [
    'diff --git a/mm/filemap.c b/mm/filemap.c',
    'index 0123456..6543210 100644',
    '--- a/mm/filemap.c',
    '+++ b/mm/filemap.c',
    '@@ -20,4 +20,8 @@ struct folio *lookup(struct address_space *mapping, pgoff_t index)',
    ' \tif (!folio_try_get(folio))',
    ' \t\tgoto repeat;',
    '+\tif (unlikely(folio != xas_reload(&xas))) {',
    '+\t\tfolio_put(folio);',
    '+\t\tgoto repeat;',
    '+\t}',
    ' out:',
    ' \trcu_read_unlock();',
    '',
  ].join('\n');

  test('multipart/mixed: text part for the diffstat, a base64 text/x-patch attachment for the diff', () => {
    const b64 = Buffer.from(diff, 'utf8').toString('base64').replace(/.{76}/g, '$&\n');
    const text = [
      'From: Grace Hopper <grace@example.org>',
      'Subject: [PATCH] mm/filemap: re-check the folio after folio_try_get()',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="==b1=="',
      '',
      'This is a multi-part message in MIME format.',
      '--==b1==',
      'Content-Type: text/plain; charset=us-ascii',
      '',
      'Re-check after the speculative reference.',
      '',
      ' mm/filemap.c | 4 ++++',
      ' 1 file changed, 4 insertions(+)',
      '',
      '--==b1==',
      'Content-Type: text/x-patch; name="0001-recheck.patch"',
      'Content-Transfer-Encoding: base64',
      'Content-Disposition: attachment; filename="0001-recheck.patch"',
      '',
      b64,
      '--==b1==--',
      '',
    ].join('\n');
    const doc = parseDocument(text);
    checkInvariants(doc);
    assert.equal(doc.format, 'mail');
    const m = doc.messages[0];
    assert.equal(m.kind, 'patch');
    assert.equal(m.files.length, 1);
    const f = m.files[0];
    assert.equal(f.newPath, 'mm/filemap.c');
    assert.equal(adds(f), 4);
    assert.equal(m.diffstat?.insertions, 4);
    const h = f.hunks[0];
    assert.equal(h.section, 'struct folio *lookup(struct address_space *mapping, pgoff_t index)');
    assert.deepEqual(postImage(h).slice(2, 4), ['\tif (unlikely(folio != xas_reload(&xas))) {', '\t\tfolio_put(folio);']);
    // decoded lines map into the base64 body
    const b64Start = text.indexOf(b64.slice(0, 20));
    const b64End = b64Start + b64.length;
    for (const l of h.lines) {
      assert.ok(l.span.start >= b64Start && l.span.end <= b64End, 'line maps into the base64 text');
      const r = mapRange(l.src, 0, l.text.length, l.span);
      assert.ok(r.start >= b64Start && r.end <= b64End && r.start <= r.end);
    }
    // base64 maps 3 bytes to 4 characters: a 40-character line covers about 53 base64 characters
    const l = h.lines[2];
    const r = mapRange(l.src, 0, l.text.length, l.span);
    const ratio = (r.end - r.start) / (l.text.length + 1);
    assert.ok(ratio > 1.2 && ratio < 1.45, `base64 ratio ${ratio}`);
  });

  test('multipart/alternative: only the text/plain part is read, never the HTML', () => {
    const text = [
      'From: Grace Hopper <grace@example.org>',
      'Subject: [PATCH] mm/filemap: re-check',
      'Content-Type: multipart/alternative; boundary=alt',
      '',
      '--alt',
      'Content-Type: text/plain; charset=utf-8',
      '',
      diff,
      '--alt',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<pre>' + diff + '</pre>',
      '--alt--',
    ].join('\n');
    const doc = parseDocument(text);
    checkInvariants(doc);
    assert.equal(doc.messages[0].files.length, 1);
    assert.equal(doc.messages[0].files[0].hunks.length, 1);
  });

  test('quoted-printable with iso-8859-1 and windows-1252 charsets', () => {
    const mk = (cs: string, body: string) =>
      ['From: =?iso-8859-1?q?Ren=E9?= <rene@example.org>', 'Subject: test', `Content-Type: text/plain; charset=${cs}`, 'Content-Transfer-Encoding: quoted-printable', '', body].join('\n');
    const latin = parseDocument(mk('iso-8859-1', ['diff --git a/a.c b/a.c', '--- a/a.c', '+++ b/a.c', '@@ -1 +1 @@', '-/* caf=E9 */', '+/* th=E9 =3D tea */', ''].join('\n')));
    checkInvariants(latin);
    assert.equal(latin.messages[0].author, 'René');
    assert.equal(latin.messages[0].charset, 'iso-8859-1');
    const h = latin.messages[0].files[0].hunks[0];
    assert.deepEqual(preImage(h), ['/* café */']);
    assert.deepEqual(postImage(h), ['/* thé = tea */']);
    const cp = parseDocument(mk('windows-1252', ['--- a/b.c', '+++ b/b.c', '@@ -1 +1 @@', '-x', '+/* =80 100 */', ''].join('\n')));
    assert.deepEqual(postImage(cp.messages[0].files[0].hunks[0]), ['/* € 100 */']);
  });

  test('format=flowed with DelSp=yes: soft breaks joined, space-stuffing removed', () => {
    const text = [
      'From: Linus <l@example.org>',
      'Subject: [PATCH] mm: flowed',
      'Content-Type: text/plain; charset=utf-8; format=flowed; delsp=yes',
      '',
      'diff --git a/mm/gup.c b/mm/gup.c',
      '--- a/mm/gup.c',
      '+++ b/mm/gup.c',
      '@@ -1,3 +1,3 @@',
      '  \tint nr;', // stuffed context line
      '-\tnr = pin_user_pages_fast(start, npages, FOLL_WRITE, pages);',
      '+\tnr = pin_user_pages_fast(start, npages, FOLL_WRITE | FOLL_LONGTERM,  ', // soft break, DelSp space
      'pages);',
      '  \treturn nr;',
      '-- ',
      'sig',
      '',
    ].join('\n');
    const doc = parseDocument(text);
    checkInvariants(doc);
    const h = doc.messages[0].files[0].hunks[0];
    assert.deepEqual(postImage(h), ['\tint nr;', '\tnr = pin_user_pages_fast(start, npages, FOLL_WRITE | FOLL_LONGTERM, pages);', '\treturn nr;']);
    const joined = h.lines.find((l) => l.kind === 'add')!;
    assert.equal(joined.src.segs.length, 2, 'one seg per physical line');
    const r = mapRange(joined.src, joined.text.length - 'pages);'.length, joined.text.length, joined.span);
    assert.equal(text.slice(r.start, r.end), 'pages);');
    assert.equal(doc.diagnostics.length, 0, 'flowed decoding is not a repair');
  });
});

describe('mbox', () => {
  const inner = [
    '>From 2222222222222222222222222222222222222222 Mon Sep 17 00:00:00 2001',
    'From: Barbara Liskov <barbara@example.org>',
    'Date: Tue, 5 Mar 2024 11:00:00 +0000',
    'Subject: [PATCH] mm/rmap: fix the anon_vma walk',
    '',
    '---',
    ' mm/rmap.c | 2 +-',
    ' 1 file changed, 1 insertion(+), 1 deletion(-)',
    '',
    'diff --git a/mm/rmap.c b/mm/rmap.c',
    '--- a/mm/rmap.c',
    '+++ b/mm/rmap.c',
    '@@ -5,3 +5,3 @@ void rmap_walk(struct folio *folio)',
    ' \tanon_vma_lock_read(anon_vma);',
    '-\tanon_vma_interval_tree_foreach(avc, &anon_vma->rb_root, 0, ULONG_MAX)',
    '+\tanon_vma_interval_tree_foreach(avc, &anon_vma->rb_root, pgoff, pgoff_end)',
    ' \t\twalk(avc->vma);',
  ].join('\n');
  const mbox = [
    'From mboxrd@z Thu Jan  1 00:00:00 1970',
    'From: Alan Kay <alan@example.org>',
    'Subject: Re: [PATCH] mm/rmap: fix the anon_vma walk',
    'Date: Tue, 5 Mar 2024 12:00:00 +0000',
    '',
    'Forwarding the patch I applied:',
    '',
    inner,
    '',
    '>From the other side, this looks fine.',
    '',
    'From mboxrd@z Thu Jan  1 00:00:00 1970',
    'From: Barbara Liskov <barbara@example.org>',
    'Subject: Re: [PATCH] mm/rmap: fix the anon_vma walk',
    '',
    '> diff --git a/mm/rmap.c b/mm/rmap.c',
    '> --- a/mm/rmap.c',
    '> +++ b/mm/rmap.c',
    '> @@ -5,3 +5,3 @@ void rmap_walk(struct folio *folio)',
    '>  \tanon_vma_lock_read(anon_vma);',
    '',
    'Thanks!',
    '',
  ].join('\n');

  test('>From is un-escaped: not a separator, not a quote; the embedded patch is found', () => {
    const doc = parseDocument(mbox);
    checkInvariants(doc);
    assert.equal(doc.format, 'mbox');
    assert.equal(doc.messages.length, 2);
    const [a, b] = doc.messages;
    assert.equal(a.files.length, 1);
    assert.equal(a.kind, 'patch');
    assert.equal(a.embedded?.author, 'Barbara Liskov');
    assert.equal(a.embedded?.subject, '[PATCH] mm/rmap: fix the anon_vma walk');
    // the span starts after the escaping '>', on the un-escaped line's first character
    assert.equal(mbox.slice(a.embedded!.span.start - 1, a.embedded!.span.start + 5), '>From ');
    assert.equal(a.diffstat?.entries[0].path, 'mm/rmap.c');
    assert.equal(a.quotedDiffsSkipped, 0);
    // offsets after the un-escaped line still point at the right characters
    for (const l of a.files[0].hunks[0].lines) assert.equal(mbox.slice(l.span.start + 1, l.span.end), l.text);
    assert.equal(b.kind, 'reply');
    assert.equal(b.files.length, 0);
    assert.equal(b.quotedDiffsSkipped, 1);
  });
});

describe('git extended headers', () => {
  const text = [
    'diff --git a/mm/old_name.c b/mm/new_name.c',
    'similarity index 92%',
    'rename from mm/old_name.c',
    'rename to mm/new_name.c',
    'index 1111111..2222222 100644',
    '--- a/mm/old_name.c',
    '+++ b/mm/new_name.c',
    '@@ -1,3 +1,3 @@',
    ' #include <linux/mm.h>',
    '-int old(void);',
    '+int new(void);',
    ' /* end */',
    'diff --git a/mm/moved.c b/mm/moved2.c',
    'similarity index 100%',
    'rename from mm/moved.c',
    'rename to mm/moved2.c',
    'diff --git a/mm/copied.c b/mm/copy.c',
    'similarity index 100%',
    'copy from mm/copied.c',
    'copy to mm/copy.c',
    'diff --git a/mm/new.c b/mm/new.c',
    'new file mode 100644',
    'index 0000000..3333333',
    '--- /dev/null',
    '+++ b/mm/new.c',
    '@@ -0,0 +1,2 @@',
    '+// SPDX-License-Identifier: GPL-2.0',
    '+int x;',
    '\\ No newline at end of file',
    'diff --git a/mm/gone.c b/mm/gone.c',
    'deleted file mode 100644',
    'index 4444444..0000000',
    '--- a/mm/gone.c',
    '+++ /dev/null',
    '@@ -1 +0,0 @@',
    '-int gone;',
    'diff --git a/tools/logo.png b/tools/logo.png',
    'index 5555555..6666666 100644',
    'Binary files a/tools/logo.png and b/tools/logo.png differ',
    'diff --git a/tools/blob.bin b/tools/blob.bin',
    'new file mode 100644',
    'index 0000000..7777777',
    'GIT binary patch',
    'literal 12',
    'zcmZ?wbhEHbRA*pkU|?Wi',
    '',
    'literal 0',
    'HcmV?d00001',
    '',
    'diff --git a/scripts/run.sh b/scripts/run.sh',
    'old mode 100644',
    'new mode 100755',
    'diff --git a/mm/one.c b/mm/one.c',
    'index 8888888..9999999 100644',
    '--- a/mm/one.c',
    '+++ b/mm/one.c',
    '@@ -7 +7 @@ static int one(void)',
    '-\treturn 0;',
    '\\ No newline at end of file',
    '+\treturn 1;',
    '\\ No newline at end of file',
    '',
  ].join('\n');
  const doc = parseDocument(text);
  const files = doc.messages[0].files;

  test('rename, copy, new, delete, binary, mode change', () => {
    checkInvariants(doc);
    assert.equal(doc.format, 'text');
    assert.equal(doc.messages[0].kind, 'patch');
    assert.deepEqual(
      files.map((f) => [f.status, f.oldPath, f.newPath, f.binary, f.hunks.length]),
      [
        ['renamed', 'mm/old_name.c', 'mm/new_name.c', false, 1],
        ['renamed', 'mm/moved.c', 'mm/moved2.c', false, 0],
        ['copied', 'mm/copied.c', 'mm/copy.c', false, 0],
        ['added', null, 'mm/new.c', false, 1],
        ['deleted', 'mm/gone.c', null, false, 1],
        ['modified', 'tools/logo.png', 'tools/logo.png', true, 0],
        ['added', null, 'tools/blob.bin', true, 0],
        ['modified', 'scripts/run.sh', 'scripts/run.sh', false, 0],
        ['modified', 'mm/one.c', 'mm/one.c', false, 1],
      ],
    );
    assert.equal(files[0].similarity, 92);
    assert.equal(files[3].newMode, '100644');
    assert.equal(files[4].oldMode, '100644');
    assert.deepEqual([files[7].oldMode, files[7].newMode], ['100644', '100755']);
    assert.deepEqual(doc.diagnostics, []);
  });

  test('\\ No newline at end of file, and @@ -a +b @@ without counts', () => {
    const nw = files[3].hunks[0];
    assert.equal(nw.lines[1].noNewlineAtEof, true);
    assert.equal(nw.lines[0].noNewlineAtEof, undefined);
    const gone = files[4].hunks[0];
    assert.deepEqual([gone.oldStart, gone.oldCount, gone.newStart, gone.newCount], [1, 1, 0, 0]);
    const one = files[8].hunks[0];
    assert.deepEqual([one.oldStart, one.oldCount, one.newStart, one.newCount], [7, 1, 7, 1]);
    assert.equal(one.section, 'static int one(void)');
    assert.deepEqual(one.lines.map((l) => [l.kind, l.text, l.oldLine, l.newLine, l.noNewlineAtEof]), [
      ['del', '\treturn 0;', 7, undefined, true],
      ['add', '\treturn 1;', undefined, 7, true],
    ]);
  });
});

describe('plain diffs and quoted diffs', () => {
  test('diff -u with timestamps, and -p1 prefixes stripped', () => {
    const text = [
      'Index: linux/mm/swap.c',
      '===================================================================',
      '--- linux.orig/mm/swap.c\t2024-03-01 10:00:00.000000000 +0100',
      '+++ linux/mm/swap.c\t2024-03-02 11:00:00.000000000 +0100',
      '@@ -100,2 +100,3 @@ void folio_add_lru(struct folio *folio)',
      ' \tfolio_get(folio);',
      '+\tVM_BUG_ON_FOLIO(folio_test_lru(folio), folio);',
      ' \tfolio_batch_add_and_move(folio, lru_add, true);',
    ].join('\n');
    const doc = parseDocument(text);
    checkInvariants(doc);
    const f = doc.messages[0].files[0];
    assert.deepEqual([f.oldPath, f.newPath, f.status], ['mm/swap.c', 'mm/swap.c', 'modified']);
    assert.equal(text.slice(f.headerSpan.start, f.headerSpan.start + 6), 'Index:');
    assert.deepEqual(f.hunks[0].lines.map((l) => [l.kind, l.oldLine, l.newLine]), [
      ['context', 100, 100],
      ['add', undefined, 101],
      ['context', 101, 102],
    ]);
  });

  test('a reply quoting a diff with "> " skips it and counts it', () => {
    const text = [
      'From: Reviewer <r@example.org>',
      'Subject: Re: [PATCH 3/5] mm: thing',
      '',
      'On Mon, Author wrote:',
      '> diff --git a/mm/a.c b/mm/a.c',
      '> --- a/mm/a.c',
      '> +++ b/mm/a.c',
      '> @@ -1,2 +1,2 @@',
      '> -\tget_page(page);',
      '> +\tfolio_get(folio);',
      '',
      'This needs folio_try_get().',
      '',
      '> diff --git a/mm/b.c b/mm/b.c',
      '> @@ -1 +1 @@',
      '> -a',
      '> +b',
    ].join('\n');
    const doc = parseDocument(text);
    checkInvariants(doc);
    const m = doc.messages[0];
    assert.equal(m.kind, 'reply');
    assert.equal(m.isReply, true);
    assert.equal(m.files.length, 0);
    assert.equal(m.quotedDiffsSkipped, 2);
    assert.deepEqual(m.series, { index: 3, total: 5 });
  });
});

describe('degenerate input', () => {
  test('empty input: no messages, one info diagnostic', () => {
    for (const t of ['', '   \n\n\t\n']) {
      const doc = parseDocument(t);
      assert.equal(doc.format, 'empty');
      assert.deepEqual(doc.messages, []);
      assert.deepEqual(doc.diagnostics.map((d) => [d.code, d.severity]), [['input/empty', 'info']]);
    }
  });

  test('binary garbage: no messages, one error diagnostic', () => {
    let s = 0x12345;
    let t = '';
    for (let i = 0; i < 4096; i++) {
      s = (s * 1103515245 + 12345) >>> 0;
      t += String.fromCharCode((s >>> 16) & 0xff);
    }
    const doc = parseDocument(t);
    assert.equal(doc.format, 'binary');
    assert.deepEqual(doc.messages, []);
    assert.deepEqual(doc.diagnostics.map((d) => [d.code, d.severity]), [['input/binary', 'error']]);
    assert.ok(doc.diagnostics[0].span.end <= t.length);
  });

  test('text without any diff or header is one plain message', () => {
    const doc = parseDocument('Just some words.\nNo diff here.\n- a list item\n+ another\n');
    assert.equal(doc.format, 'text');
    assert.equal(doc.messages.length, 1);
    assert.equal(doc.messages[0].kind, 'plain');
    assert.equal(doc.messages[0].files.length, 0);
  });

  test('a hunk whose body is missing is dropped with an error', () => {
    const doc = parseDocument(['--- a/x.c', '+++ b/x.c', '@@ -1,4 +1,4 @@', 'Sorry, the rest of the patch got lost.', ''].join('\n'));
    checkInvariants(doc);
    assert.equal(doc.messages[0].files[0].hunks.length, 0);
    assert.deepEqual(doc.diagnostics.map((d) => [d.code, d.severity]), [['input/unparsable-hunk', 'error']]);
  });

  test('a truncated hunk is kept with a count-mismatch warning', () => {
    const doc = parseDocument(['--- a/x.c', '+++ b/x.c', '@@ -1,5 +1,6 @@ int f(void)', ' {', '+\tx();', ' \ty();'].join('\n'));
    checkInvariants(doc);
    const h = doc.messages[0].files[0].hunks[0];
    assert.deepEqual([h.oldCount, h.newCount], [2, 3]);
    assert.deepEqual(doc.diagnostics.map((d) => [d.code, d.severity]), [['input/count-mismatch', 'warning']]);
    assert.equal(h.repairs[0].kind, 'count-mismatch');
  });

  test('never throws on odd values', () => {
    for (const v of [undefined, null, 42, {}, '\u0000', '@@ -1 +1 @@', 'diff --git ', '--- \n+++ \n@@', '=\n=?=\n']) {
      const doc = parseDocument(v as unknown as string);
      assert.ok(Array.isArray(doc.messages));
      checkInvariants(doc);
    }
  });
});

describe('subjects, headers, diffstat lines', () => {
  test('series tags', () => {
    const s = (x: string) => {
      const i = parseSubject(x);
      return [i.title, i.isReply, i.isPatch, i.version, i.series];
    };
    assert.deepEqual(s('[PATCH v2 3/7] mm/gup: fix'), ['mm/gup: fix', false, true, 2, { index: 3, total: 7, version: 2 }]);
    assert.deepEqual(s('[RFC,24/37] mm: implement speculative handling'), ['mm: implement speculative handling', false, true, undefined, { index: 24, total: 37 }]);
    assert.deepEqual(s('[PATCH 0/5] mm: series'), ['mm: series', false, true, undefined, { index: 0, total: 5 }]);
    assert.deepEqual(s('Re: RE: [PATCH RFC v4 02/10] mm: x'), ['mm: x', true, true, 4, { index: 2, total: 10, version: 4 }]);
    assert.deepEqual(s('[tip:x86/mm] x86/mm/gup: switch'), ['x86/mm/gup: switch', false, false, undefined, undefined]);
    assert.deepEqual(s('Re: [PATCH v2] mm: y'), ['mm: y', true, true, 2, undefined]);
    assert.deepEqual(s('Splitting the mmap_sem'), ['Splitting the mmap_sem', false, false, undefined, undefined]);
  });

  test('RFC 2047 encoded-words', () => {
    assert.equal(decodeEncodedWords('=?UTF-8?q?J=C3=A9r=C3=B4me?= Glisse'), 'Jérôme Glisse');
    assert.equal(decodeEncodedWords('=?utf-8?B?SsOpcsO0bWU=?= <j@x>'), 'Jérôme <j@x>');
    assert.equal(decodeEncodedWords('=?iso-8859-1?q?Ren=E9?= =?iso-8859-1?q?_Dupont?='), 'René Dupont');
    assert.equal(decodeEncodedWords('plain'), 'plain');
    const doc = parseDocument('From: =?UTF-8?q?J=C3=A9r=C3=B4me_Glisse?= <jglisse@redhat.com>\nSubject: =?UTF-8?q?Re=3A_caf=C3=A9?=\n\nbody\n');
    assert.equal(doc.messages[0].author, 'Jérôme Glisse');
    assert.equal(doc.messages[0].subject, 'Re: café');
  });

  test('diffstat lines', () => {
    assert.deepEqual(parseSummary(' 1 file changed, 1 insertion(+)'), { files: 1, insertions: 1, deletions: 0 });
    assert.deepEqual(parseSummary(' 3 files changed, 7 deletions(-)'), { files: 3, insertions: 0, deletions: 7 });
    assert.deepEqual(parseSummary(' 12 files changed, 519 insertions(+), 128 deletions(-)'), { files: 12, insertions: 519, deletions: 128 });
    assert.equal(parseSummary('3 files changed hands'), undefined);
    assert.deepEqual(parseEntry(' .../linux/page_ref.h      |  4 ++--'), { path: '.../linux/page_ref.h', changes: 4 });
    assert.deepEqual(parseEntry(' arch/x86/mm/gup.c | 496 ++++++++++'), { path: 'arch/x86/mm/gup.c', changes: 496 });
    assert.deepEqual(parseEntry(' tools/logo.png | Bin 0 -> 1234 bytes'), { path: 'tools/logo.png', changes: 0 });
    assert.equal(parseEntry('a | b'), undefined);
    assert.deepEqual(parseEntry(' mm/{old.c => new.c} | 0'), { path: 'mm/{old.c => new.c}', changes: 0 });
  });

  test('diffstat paths: lore abbreviations and renames', () => {
    assert.ok(diffstatPathMatches('.../linux/page_ref.h', 'include/linux/page_ref.h'));
    assert.ok(!diffstatPathMatches('.../linux/page_ref.h', 'include/linux/mm.h'));
    assert.ok(diffstatPathMatches('mm/{old.c => new.c}', 'mm/new.c'));
    assert.ok(diffstatPathMatches('mm/old.c => mm/new.c', 'mm/new.c'));
    assert.ok(diffstatPathMatches('mm/gup.c', 'mm/gup.c'));
  });
});

describe('limits on pathological input', () => {
  test('diagnostics are capped per code, with one summary', () => {
    const text = Array.from({ length: 30 }, (_, i) => `@@ -${i + 1} +${i + 1} @@\n-a\n+b\n`).join('');
    const doc = parseDocument(text, '', { maxDiagnosticsPerCode: 10 });
    const orphans = doc.diagnostics.filter((d) => d.code === 'input/orphan-hunk');
    assert.equal(orphans.length, 11);
    assert.match(orphans[10].message, /20 more "input\/orphan-hunk" diagnostics were not reported \(30 in all\)/);
  });

  test('the hunk-line budget stops parsing with one warning instead of exhausting memory', () => {
    const file = (i: number) => `diff --git a/f${i}.c b/f${i}.c\n--- a/f${i}.c\n+++ b/f${i}.c\n@@ -1,2 +1,2 @@\n x\n-a\n+b\n`;
    const text = Array.from({ length: 10 }, (_, i) => file(i)).join('');
    const doc = parseDocument(text, '', { maxHunkLines: 7 });
    checkInvariants(doc);
    const files = doc.messages[0].files;
    // 3 + 3 lines fit in a budget of 7; the third file's 3-line hunk does not
    assert.deepEqual(files.map((f) => f.hunks.length), [1, 1, 0]);
    assert.deepEqual(doc.diagnostics.map((d) => [d.code, d.severity]), [['input/too-large', 'warning']]);
    // one enormous hunk is not built at all
    const big = '--- a/x\n+++ b/x\n@@ -1,1000000 +1,1000000 @@\n' + ' x\n'.repeat(5000);
    const d2 = parseDocument(big, '', { maxHunkLines: 100 });
    assert.equal(d2.messages[0].files[0].hunks.length, 0);
    assert.deepEqual(d2.diagnostics.map((d) => d.code), ['input/too-large']);
  });
});
