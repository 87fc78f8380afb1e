/**
 * examples/: the demo inputs parse cleanly, the damaged copies repair back to
 * the original diffs, and every planted bug listed in examples/README.md is
 * where the README says it is.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseDocument } from 'mm-review-server/patch/parse';
import type { ParsedDocument } from 'mm-review-server/patch/model';
import { diffstatPathMatches } from 'mm-review-server/patch/diffstat';
import { adds, checkInvariants, dels, example, fixture, postImage, preImage, repoRoot } from './helpers';

function images(doc: ParsedDocument) {
  return doc.messages.flatMap((m) =>
    m.files.flatMap((f) => f.hunks.map((h) => ({ path: f.newPath, head: [h.oldStart, h.oldCount, h.newStart, h.newCount, h.section], pre: preImage(h), post: postImage(h) }))),
  );
}

describe('examples/', () => {
  test('every example parses without warnings or errors', () => {
    const dir = path.join(repoRoot(), 'examples');
    const files = fs.readdirSync(dir).filter((f) => /\.(?:mbox|eml|patch|diff)$/.test(f));
    assert.ok(files.length >= 3);
    for (const f of files) {
      const doc = parseDocument(fs.readFileSync(path.join(dir, f), 'utf8'), f);
      checkInvariants(doc);
      assert.deepEqual(doc.diagnostics.filter((d) => d.severity !== 'info'), [], f);
      assert.ok(doc.messages.some((m) => m.files.length > 0), `${f} has a diff`);
    }
  });

  test('the series: cover letter + 3 patches, each matching its diffstat', () => {
    const doc = parseDocument(example('gup-stable-pin-series.mbox'));
    assert.equal(doc.format, 'mbox');
    assert.deepEqual(doc.messages.map((m) => [m.kind, m.series?.index, m.series?.total, m.version]), [
      ['cover', 0, 3, 2],
      ['patch', 1, 3, 2],
      ['patch', 2, 3, 2],
      ['patch', 3, 3, 2],
    ]);
    // a folded Subject: header
    assert.equal(doc.messages[2].title, 'mm/filemap: add lockless folio lookup and range prefault helpers');
    let ins = 0;
    for (const m of doc.messages.slice(1)) {
      const ds = m.diffstat!;
      assert.equal(m.files.length, ds.files);
      ds.entries.forEach((e, k) => {
        assert.ok(diffstatPathMatches(e.path, m.files[k].newPath!));
        assert.equal(adds(m.files[k]) + dels(m.files[k]), e.changes);
      });
      ins += ds.insertions;
    }
    // the cover letter's diffstat is the whole series: 4 files changed, 166 insertions(+)
    assert.equal(doc.messages[0].diffstat?.insertions, 166);
    assert.equal(ins, 166);
  });

  test('the mangled mail repairs back to the original diff, exactly', () => {
    const mangled = parseDocument(example('mangled-pinned-ptes.eml'));
    const orig = parseDocument(fixture('pinned-ptes.orig.patch'));
    assert.deepEqual(images(mangled), images(orig));
    const kinds = new Set(mangled.diagnostics.map((d) => d.code));
    assert.deepEqual([...kinds].sort(), ['input/tabs-to-spaces', 'input/wrapped-header', 'input/wrapped-line']);
    assert.deepEqual(orig.diagnostics, []);
  });

  test('the quoted-printable mail decodes to the original diff, exactly', () => {
    const qp = parseDocument(example('qp-readahead-order.eml'));
    const orig = parseDocument(fixture('readahead-order.orig.patch'));
    assert.deepEqual(images(qp), images(orig));
    assert.deepEqual(qp.diagnostics, []);
  });

  test('every planted bug in examples/README.md is on the line it names', () => {
    const readme = fs.readFileSync(path.join(repoRoot(), 'examples', 'README.md'), 'utf8');
    const rows = readme.split('\n').filter((l) => /^\| `[^`]+\.(?:mbox|eml)` \| /.test(l) && / \| \d+ \| /.test(l));
    assert.ok(rows.length >= 4, 'bug table rows');
    for (const row of rows) {
      const cells = row.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim().replace(/\\\|/g, '|'));
      const [file, msg, src, line, fn, code] = cells;
      const doc = parseDocument(example(file.replace(/`/g, '')));
      const index = /^(\d+)\//.exec(msg) ? +/^(\d+)\//.exec(msg)![1] : 0;
      const m = doc.messages[index];
      const f = m.files.find((x) => x.newPath === src.replace(/`/g, ''));
      assert.ok(f, `${row}: file`);
      const want = code.replace(/^`|`$/g, '');
      const hit = f.hunks.flatMap((h) => h.lines.map((l) => ({ l, h }))).find(({ l }) => l.kind !== 'del' && l.newLine === +line);
      assert.ok(hit, `${file} ${src}:${line} exists`);
      assert.equal(hit.l.text.trim(), want, `${file} ${src}:${line}`);
      // the named function is defined (or is the section) in the same hunk, above the line
      const name = fn.replace(/`|\(\)/g, '');
      const defined = hit.h.lines.some((l) => l.kind !== 'del' && l.newLine! <= +line && new RegExp(`\\b${name}\\(`).test(l.text) && !/;\s*$/.test(l.text));
      assert.ok(defined || hit.h.section.includes(name + '('), `${name} encloses ${src}:${line}`);
    }
  });
});
