/**
 * Position mapping: characters of decoded and repaired hunk lines map back to
 * the exact characters of the original document.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDocument } from 'mm-review-server/patch/parse';
import { mapColumn, mapColumnEnd, mapRange, type HunkLine, type ParsedDocument, type SourceRef } from 'mm-review-server/patch/model';
import { decodeQuotedPrintable, decodeCharset } from 'mm-review-server/patch/mime';
import { checkInvariants, example } from './helpers';

function findLine(doc: ParsedDocument, pred: (l: HunkLine) => boolean): HunkLine {
  for (const m of doc.messages) for (const f of m.files) for (const h of f.hunks) for (const l of h.lines) if (pred(l)) return l;
  throw new Error('line not found');
}

const slice = (text: string, l: HunkLine, a: number, b: number) => {
  const r = mapRange(l.src, a, b, l.span);
  return text.slice(r.start, r.end);
};

describe('model mapping functions', () => {
  // "a=b" decoded from "a=3Db" at offset 100, then a soft break, then "cd" from the next line
  const ref: SourceRef = {
    segs: [
      { col: 0, len: 1, off: 100, offLen: 1 },
      { col: 1, len: 1, off: 101, offLen: 3 },
      { col: 2, len: 1, off: 104, offLen: 1 },
      { col: 3, len: 2, off: 107, offLen: 2 },
    ],
  };

  test('mapColumn / mapColumnEnd', () => {
    assert.equal(mapColumn(ref, 0), 100);
    assert.equal(mapColumn(ref, 1), 101);
    assert.equal(mapColumnEnd(ref, 2), 104, 'the end of "=" is after all of "=3D"');
    assert.equal(mapColumn(ref, 3), 107, 'across the soft line break');
    assert.equal(mapColumnEnd(ref, 5), 109);
    assert.equal(mapColumn(ref, 99), 109, 'past the end: clamped to the last seg');
    assert.equal(mapColumn({ segs: [] }, 0), undefined);
  });

  test('mapRange covers every original character of the last column', () => {
    assert.deepEqual(mapRange(ref, 1, 2, { start: 0, end: 0 }), { start: 101, end: 104 });
    assert.deepEqual(mapRange(ref, 0, 5, { start: 0, end: 0 }), { start: 100, end: 109 });
    assert.deepEqual(mapRange(ref, 2, 2, { start: 0, end: 0 }), { start: 104, end: 104 });
    assert.deepEqual(mapRange({ segs: [] }, 0, 3, { start: 7, end: 9 }), { start: 7, end: 9 });
    // a restored tab that stands for 7 spaces
    const tab: SourceRef = { segs: [{ col: 0, len: 1, off: 10, offLen: 7 }, { col: 1, len: 3, off: 17, offLen: 3 }] };
    assert.deepEqual(mapRange(tab, 0, 1, { start: 0, end: 0 }), { start: 10, end: 17 });
    assert.deepEqual(mapRange(tab, 0, 4, { start: 0, end: 0 }), { start: 10, end: 20 });
  });

  test('QP decoding keeps a per-character map (UTF-8 multi-byte included)', () => {
    const src = 'x =3D caf=C3=A9;=\nok';
    const v = decodeCharset(decodeQuotedPrintable(src, 0, src.length), 'utf-8');
    assert.equal(v.text, 'x = café;ok');
    assert.deepEqual(v.span(2, 3), { start: 2, end: 5 }, '"=" <- "=3D"');
    assert.deepEqual(v.span(7, 8), { start: 9, end: 15 }, '"é" <- "=C3=A9"');
    assert.deepEqual(v.span(8, 9), { start: 15, end: 16 }, '";"');
    assert.deepEqual(v.span(9, 11), { start: 18, end: 20 }, '"ok" after the soft break');
  });
});

describe('quoted-printable mail (examples/qp-readahead-order.eml)', () => {
  const text = example('qp-readahead-order.eml');
  const doc = parseDocument(text);

  test('decoded, with the author from an RFC 2047 header', () => {
    checkInvariants(doc);
    const m = doc.messages[0];
    assert.equal(m.author, 'Aurélie Fontaine');
    assert.equal(m.encoding, 'quoted-printable');
    assert.equal(m.charset, 'utf-8');
    assert.equal(m.files[0].newPath, 'mm/readahead.c');
  });

  test('"=" maps to "=3D", "==" to "=3D=3D", and the whole line to its encoded form', () => {
    const l = findLine(doc, (x) => x.text === '\tfolio = xa_load(&mapping->i_pages, index);');
    assert.equal(l.kind, 'add');
    const eq = l.text.indexOf('=');
    assert.equal(slice(text, l, eq, eq + 1), '=3D');
    assert.equal(slice(text, l, 0, l.text.length), '\tfolio =3D xa_load(&mapping->i_pages, index);');
    assert.equal(text.slice(l.span.start, l.span.end), '+\tfolio =3D xa_load(&mapping->i_pages, index);');
    const cmp = findLine(doc, (x) => x.text === '\tif (index == 0)');
    assert.equal(slice(text, cmp, cmp.text.indexOf('=='), cmp.text.indexOf('==') + 2), '=3D=3D');
    assert.equal(slice(text, cmp, cmp.text.indexOf('0'), cmp.text.indexOf('0') + 1), '0');
  });

  test('a soft line break joins two physical lines into one hunk line', () => {
    const l = findLine(doc, (x) => x.text.startsWith(' * them: bump the readahead order'));
    assert.equal(l.text, ' * them: bump the readahead order to the order of the folio just before @index.');
    assert.equal(l.src.segs.length, 2, 'one seg per physical line');
    assert.equal(text.slice(l.span.start, l.span.end), '+ * them: bump the readahead order to the order of the folio just before @i=\nndex.');
    const w = l.text.indexOf('@index');
    assert.equal(slice(text, l, w, w + '@index.'.length), '@i=\nndex.');
    assert.equal(slice(text, l, w + 2, w + 3), 'n');
  });

  test('a blank context line sent as "=20"', () => {
    const l = findLine(doc, (x) => x.kind === 'context' && x.text === '');
    assert.equal(text.slice(l.span.start, l.span.end), '=20');
  });
});

describe('mangled mail (examples/mangled-pinned-ptes.eml)', () => {
  const text = example('mangled-pinned-ptes.eml');
  const doc = parseDocument(text);

  test('a wrapped line is rejoined: two segs, each on its own physical line', () => {
    checkInvariants(doc);
    const l = findLine(doc, (x) => x.text.startsWith(' * count_pinned_ptes - '));
    assert.equal(l.text, ' * count_pinned_ptes - count the ptes of a range that map DMA-pinned folios');
    assert.equal(l.repaired, true);
    assert.equal(l.src.segs.length, 2);
    assert.equal(slice(text, l, 0, l.text.length), ' * count_pinned_ptes - count the ptes of a range that map DMA-pinned \nfolios');
    const w = l.text.lastIndexOf('folios');
    assert.equal(slice(text, l, w, l.text.length), 'folios');
    assert.equal(text.slice(l.span.start, l.span.end), '+ * count_pinned_ptes - count the ptes of a range that map DMA-pinned \nfolios');
    const d = doc.diagnostics.find((x) => x.code === 'input/wrapped-line' && text.slice(x.span.start, x.span.end) === 'folios');
    assert.ok(d, 'a located wrapped-line diagnostic on the continuation');
    assert.equal(d.severity, 'info');
  });

  test('a restored tab maps to the run of spaces it replaced', () => {
    const l = findLine(doc, (x) => x.text === '\tstart_pte = pte = pte_offset_map_lock(vma->vm_mm, pmd, addr, &ptl);');
    assert.equal(slice(text, l, 0, 1), ' '.repeat(7));
    const c = l.text.indexOf('pte_offset_map_lock');
    assert.equal(slice(text, l, c, c + 'pte_offset_map_lock'.length), 'pte_offset_map_lock');
    // this line was also wrapped before "&ptl);"
    assert.equal(slice(text, l, l.text.length - 6, l.text.length), '&ptl);');
    const d = doc.diagnostics.find((x) => x.code === 'input/tabs-to-spaces' && x.span.start === mapColumn(l.src, 0));
    assert.ok(d);
    assert.equal(text.slice(d.span.start, d.span.end), ' '.repeat(7));
  });

  test('the wrapped hunk header is rejoined', () => {
    const h = doc.messages[0].files[0].hunks[0];
    assert.equal(h.section, 'static int apply_to_pte_range(struct mm_struct *mm, pmd_t *pmd,');
    assert.equal(text.slice(h.headerSpan.start, h.headerSpan.end), '@@ -100,6 +100,69 @@ static int apply_to_pte_range(struct mm_struct \n*mm, pmd_t *pmd,');
  });
});
