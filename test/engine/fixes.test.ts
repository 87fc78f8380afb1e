/** Quick fixes as diff edits: what a rule's C edit becomes in the patch the user has open. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDocument } from 'mm-review-server/patch/parse';
import { rebuildAll } from 'mm-review-server/c/rebuild';
import { buildUnits } from 'mm-review-server/engine/index';
import { toPatchEdits } from 'mm-review-server/engine/fixes';
import { LineIndex } from 'mm-review-server/util/lineIndex';
import { applyEdits } from '../util/edits';

const PATCH = `diff --git a/mm/x.c b/mm/x.c
--- a/mm/x.c
+++ b/mm/x.c
@@ -10,7 +10,8 @@ static int f(struct page *page)
 {
 \tget_page(page);
 \tif (bad(page))
 \t\treturn -EINVAL;
+\tuse(page);
 \tput_page(page);
 \treturn 0;
 }
`;


test('two edits in one hunk: context lines become -/+ pairs, new lines are + lines, the header counts once', () => {
  const doc = parseDocument(PATCH, 'x.patch');
  const unit = buildUnits(rebuildAll(doc)).find((u) => u.side === 'post')!;
  const lines = unit.image.text.split('\n');
  const ifLine = lines.findIndex((l) => l.includes('if (bad(page))'));
  const retLine = lines.findIndex((l) => l.includes('return -EINVAL;'));
  const edits = toPatchEdits(PATCH, new LineIndex(PATCH), unit, [
    { at: { line: ifLine, col: lines[ifLine].length, endCol: lines[ifLine].length }, newText: ' {' },
    { at: { line: retLine, col: 0, endCol: 0 }, newText: '\t\tput_page(page);\n' },
    { at: { line: retLine, col: lines[retLine].length, endCol: lines[retLine].length }, newText: '\n\t}' },
  ]);
  assert.ok(edits);
  const fixed = applyEdits(PATCH, edits);
  assert.match(fixed, /^@@ -10,7 \+10,10 @@/m, "new count 8 + 2 added lines");
  assert.match(fixed, /^-\tif \(bad\(page\)\)\n\+\tif \(bad\(page\)\) \{\n-\t\treturn -EINVAL;\n\+\t\tput_page\(page\);\n\+\t\treturn -EINVAL;\n\+\t\}$/m);
  // the fixed patch parses cleanly and its post-image is the fixed C
  const again = parseDocument(fixed, 'x.patch');
  assert.deepEqual(again.diagnostics.filter((d) => d.severity !== 'info'), []);
  const post = rebuildAll(again)[0].post!.text;
  assert.match(post, /if \(bad\(page\)\) \{\n\t\tput_page\(page\);\n\t\treturn -EINVAL;\n\t\}/);
});

test('lines that do not map 1:1 (quoted-printable escapes) get no fix', () => {
  const qp = PATCH.replace('\tput_page(page);', '\tx =3D put_page(page);');
  const doc = parseDocument(qp, 'x.patch');
  const unit = buildUnits(rebuildAll(doc)).find((u) => u.side === 'post')!;
  const lines = unit.image.text.split('\n');
  const l = lines.findIndex((x) => x.includes('put_page'));
  assert.equal(toPatchEdits(qp, new LineIndex(qp), unit, [{ at: { line: l, col: 0, endCol: 0 }, newText: 'y();\n' }]), null);
});
