/**
 * Whole functions from the tree (issue 10 item 1): with a kernel tree that is
 * a git repository and a mail that names its `base-commit:`, the touched
 * files are read at that commit (never checked out), so a worktree that has
 * moved on does not matter; without a base, the worktree file is used after
 * the pre-image check; the finding says which context it was judged in.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { analyze } from 'mm-review-server/engine/index';
import { documentTree, baseCommitOf } from 'mm-review-server/engine/kernelTree';
import { parseDocument } from 'mm-review-server/patch/parse';

/** A function whose lock is taken 30 lines above the hunk. */
const V1 = [
  'static int grab_and_check(struct foo *f)',
  '{',
  '\tint err = 0;',
  '',
  '\tspin_lock(&f->lock);',
  ...Array.from({ length: 30 }, () => '\tf->count++;'),
  '\tif (f->dead)',
  '\t\terr = -ENOENT;',
  '\tf->seen = 1;',
  '\tspin_unlock(&f->lock);',
  '\treturn err;',
  '}',
  '',
];

function patchFor(base: string | null): string {
  const i = V1.indexOf('\tif (f->dead)');
  return [
    'From 1111111111111111111111111111111111111111 Mon Sep 17 00:00:00 2001',
    'From: T <t@example.org>',
    'Subject: [PATCH] mm/foo: bail out early',
    '',
    '---',
    '',
    'diff --git a/mm/foo.c b/mm/foo.c',
    '--- a/mm/foo.c',
    '+++ b/mm/foo.c',
    `@@ -${i - 2},6 +${i - 2},6 @@ static int grab_and_check(struct foo *f)`,
    ...V1.slice(i - 3, i).map((l) => ' ' + l),
    '-\t\terr = -ENOENT;'.replace('-\t\t', '-\tif (f->dead)\n-\t\t'),
    '+\tif (f->dead)',
    '+\t\treturn -ENOENT;',
    ' ' + V1[i + 2],
    '-- ',
    '2.43.0',
    '',
    ...(base ? [`base-commit: ${base}`, ''] : []),
  ].join('\n');
}

describe('whole functions from the tree, at the base commit', () => {
  let root = '';
  let base = '';
  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'mmr-tree-'));
    fs.mkdirSync(path.join(root, 'mm'));
    fs.mkdirSync(path.join(root, 'include', 'linux'), { recursive: true });
    fs.writeFileSync(path.join(root, 'mm', 'foo.c'), V1.join('\n'));
    const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@e', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@e' } }).trim();
    git('init', '-q');
    git('add', '-A');
    git('commit', '-q', '-m', 'v1');
    base = git('rev-parse', 'HEAD');
    // the worktree moves on: the patch no longer matches it
    fs.writeFileSync(path.join(root, 'mm', 'foo.c'), V1.join('\n').replace(/f->count\+\+;/g, 'f->count += 1;').replace('\tf->seen = 1;', '\tf->seen = 2;'));
  });

  it('reads base-commit: from the mail', () => {
    const doc = parseDocument(patchFor(base.slice(0, 12)), 'p.patch');
    assert.equal(baseCommitOf(doc, doc.messages[0]), base.slice(0, 12));
  });

  it('judges the function at the base commit (the worktree has moved on): the lock taken 30 lines above the hunk is seen', async () => {
    const text = patchFor(base.slice(0, 12));
    const t = await documentTree(parseDocument(text, 'p.patch'), root);
    const a = analyze(text, 'p.patch', { treeFile: t.treeFile, judgedIn: t.judgedIn });
    assert.equal(a.functions[0].source, 'tree');
    const f = a.findings.find((x) => x.rule === 'bracket/unbalanced');
    assert.ok(f, JSON.stringify(a.findings.map((x) => x.message)));
    assert.equal(f.judgedIn, `tree at ${base.slice(0, 12)}`);
    assert.match(f.message, /spin_lock\(\)/);
  });

  it('without a base, the moved-on worktree fails the pre-image check: the hunk alone is judged, and says so', async () => {
    const text = patchFor(null);
    const t = await documentTree(parseDocument(text, 'p.patch'), root);
    const a = analyze(text, 'p.patch', { treeFile: t.treeFile, judgedIn: t.judgedIn });
    assert.equal(a.functions[0].source, 'hunk');
    for (const f of a.findings.filter((x) => x.category !== 'input')) assert.equal(f.judgedIn, 'hunk');
    assert.ok(a.findings.some((x) => x.rule === 'input/c-parse' && /does not match/.test(x.message)));
  });

  it('a base commit the repository does not have falls back to the worktree (and its pre-image check)', async () => {
    const text = patchFor('0123456789ab');
    const t = await documentTree(parseDocument(text, 'p.patch'), root);
    assert.equal(t.judgedIn(parseDocument(text, 'p.patch').messages[0]).kind, 'worktree');
  });

  it('the worktree file is used when it matches the pre-image', async () => {
    fs.writeFileSync(path.join(root, 'mm', 'foo.c'), V1.join('\n'));
    const text = patchFor(null);
    const t = await documentTree(parseDocument(text, 'p.patch'), root);
    const a = analyze(text, 'p.patch', { treeFile: t.treeFile, judgedIn: t.judgedIn });
    assert.equal(a.functions[0].source, 'tree');
    const f = a.findings.find((x) => x.rule === 'bracket/unbalanced');
    assert.ok(f);
    assert.equal(f.judgedIn, 'tree (worktree file)');
  });
});
