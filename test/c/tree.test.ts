/** Kernel-tree mode: whole functions from the workspace's file and the patched file. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { kernelTreeReader } from 'mm-review-server/engine/kernelTree';
import { placeHunks } from 'mm-review-server/c/tree';
import { buildCfg } from 'mm-review-server/c/cfg';
import type { FunctionImage } from 'mm-review-server/c/model';
import { diff, doc, hunk, lines, only, rebuild } from './fixtures';

const GRAB_C = `// SPDX-License-Identifier: GPL-2.0
#include <linux/mm.h>

static int helper(struct page *page)
{
	return page_count(page);
}

int grab(struct page **pages, int nr)
{
	int i, got = 0;

	for (i = 0; i < nr; i++) {
		struct page *page = pages[i];

		if (!page)
			continue;
		get_page(page);
		got++;
	}
	return got;
}

void drop(struct page **pages, int nr)
{
	while (nr--)
		put_page(pages[nr]);
}
`;

/** The patch: line 18 `get_page(page);` becomes a speculative get. */
const PATCH = diff(
  'mm/grab.c',
  hunk(
    16,
    16,
    'int grab(struct page **pages, int nr)',
    ` \t\tif (!page)
 \t\t\tcontinue;
-\t\tget_page(page);
+\t\tif (!get_page_unless_zero(page))
+\t\t\tbreak;
 \t\tgot++;
 \t}
 \treturn got;
`,
  ),
);

function origins(img: FunctionImage): string[] {
  return img.origin.map((o) => (o.kind === 'tree' ? `T${o.fileLine}` : o.kind === 'patch' ? `${o.line.kind[0]}${o.line.oldLine ?? ''}/${o.line.newLine ?? ''}` : `S:${o.why}`));
}

describe('kernel-tree mode', () => {
  let root = '';
  let read: (p: string) => string | undefined;
  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-review-tree-'));
    fs.mkdirSync(path.join(root, 'mm'));
    fs.mkdirSync(path.join(root, 'include', 'linux'), { recursive: true });
    fs.writeFileSync(path.join(root, 'mm', 'grab.c'), GRAB_C);
    fs.writeFileSync(path.join(root, 'mm', 'shifted.c'), '/* three */\n/* extra */\n/* lines */\n' + GRAB_C);
    fs.writeFileSync(path.join(root, 'mm', 'patched.c'), GRAB_C.replace('\t\tget_page(page);\n', '\t\tif (!get_page_unless_zero(page))\n\t\t\tbreak;\n'));
    fs.writeFileSync(path.join(root, 'mm', 'other.c'), GRAB_C.replace('\t\tif (!page)\n', '\t\tif (page == NULL)\n'));
    read = kernelTreeReader(root);
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('a matching patch: complete functions from the tree and the patched file, tree origins for unseen lines', () => {
    const fns = rebuild(PATCH, { treeFile: read });
    assert.deepEqual(fns.map((f) => `${f.name}:${f.source}:${f.change}`), ['grab:tree:modified']);
    const f = fns[0];
    assert.deepEqual(f.problems, []);
    assert.equal(f.pre!.complete, true);
    assert.equal(f.post!.complete, true);
    assert.deepEqual(lines(f.pre!), GRAB_C.split('\n').slice(8, 22));
    assert.deepEqual(origins(f.pre!), ['T9', 'T10', 'T11', 'T12', 'T13', 'T14', 'T15', 'c16/16', 'c17/17', 'd18/', 'c19/20', 'c20/21', 'c21/22', 'T22']);
    assert.deepEqual(origins(f.post!), ['T9', 'T10', 'T11', 'T12', 'T13', 'T14', 'T15', 'c16/16', 'c17/17', 'a/18', 'a/19', 'c19/20', 'c20/21', 'c21/22', 'T23']);
    assert.equal(lines(f.post!)[9], '\t\tif (!get_page_unless_zero(page))');
    for (const img of [f.pre!, f.post!]) assert.deepEqual(img.variants.map((v) => v.errorLines), [[]]);
    // the whole loop is known now: the break leaves the for loop
    const cfg = buildCfg(f.post!.variants[0])!;
    const br = cfg.nodes.find((n) => n.kind === 'branch' && n.ast!.text === 'get_page_unless_zero(page)')!;
    assert.deepEqual(br.succs.map((e) => `${e.kind}->${e.to.ast?.text ?? e.to.kind}`), ['true->got++;', 'false->return got;']);
  });

  it('the hunk is found at an offset (like patch): origins carry the real file lines', () => {
    const shifted = PATCH.replace(/mm\/grab\.c/g, 'mm/shifted.c');
    const f = only(rebuild(shifted, { treeFile: read }), 'grab');
    assert.equal(f.source, 'tree');
    assert.deepEqual(origins(f.pre!).slice(0, 2), ['T12', 'T13']);
    assert.deepEqual(origins(f.pre!).slice(-1), ['T25']);
    const file = fs.readFileSync(path.join(root, 'mm', 'shifted.c'), 'utf8').split('\n');
    const hunks = doc(shifted).messages[0].files[0].hunks;
    const placed = placeHunks(file, hunks, 'pre');
    assert.ok(placed.ok);
    assert.deepEqual(placed.ok && placed.placements, [{ start: 18, offset: 3 }]);
  });

  it('a tree that already carries the patch: the pre-image is rebuilt by reversing the hunk', () => {
    const t = PATCH.replace(/mm\/grab\.c/g, 'mm/patched.c');
    const f = only(rebuild(t, { treeFile: read }), 'grab');
    assert.equal(f.source, 'tree');
    assert.deepEqual(lines(f.pre!), GRAB_C.split('\n').slice(8, 22));
    assert.equal(lines(f.post!).length, 15);
    assert.deepEqual(f.problems, []);
  });

  it('a tree that does not match: hunk-only reconstruction and a problem saying why', () => {
    const t = PATCH.replace(/mm\/grab\.c/g, 'mm/other.c');
    const f = only(rebuild(t, { treeFile: read }), 'grab');
    assert.equal(f.source, 'hunk');
    assert.equal(f.pre!.complete, false);
    assert.deepEqual(f.problems.map((p) => p.message), [
      'kernel tree: hunk @@ -16,6 +16,7 @@ does not match mm/other.c (searched 2000 lines around line 16); rebuilt from the patch alone',
    ]);
    assert.equal(origins(f.post!)[0], 'S:heading');
  });

  it('a file the tree does not have: hunk-only, no problem', () => {
    const t = PATCH.replace(/mm\/grab\.c/g, 'mm/absent.c');
    const f = only(rebuild(t, { treeFile: read }), 'grab');
    assert.equal(f.source, 'hunk');
    assert.deepEqual(f.problems, []);
  });

  it('a function added next to existing ones is complete; its neighbours are untouched', () => {
    const t = diff(
      'mm/grab.c',
      hunk(
        27,
        27,
        'void drop(struct page **pages, int nr)',
        ` \t\tput_page(pages[nr]);
 }
+
+void drop_one(struct page *page)
+{
+\tput_page(page);
+}
`,
      ),
    );
    const fns = rebuild(t, { treeFile: read });
    assert.deepEqual(fns.map((f) => `${f.name}:${f.source}:${f.change}`), ['drop_one:tree:added']);
    assert.deepEqual(origins(fns[0].post!), ['a/30', 'a/31', 'a/32', 'a/33']);
  });
});
