/**
 * The real-data benchmarks' instruments (bench/lib), on a small C sample
 * written for this test (not kernel text): the mutation generator and the
 * patch reverser produce patches that apply exactly and that the engine
 * parses without input problems; and every bench says clearly that its cache
 * is absent and exits 0 (CI has no mirrors).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { analyze } from 'mm-review-server/engine/index';

const ROOT = path.resolve(__dirname, '..', '..', '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const P = require(path.join(ROOT, 'bench', 'lib', 'patch.js'));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const M = require(path.join(ROOT, 'bench', 'lib', 'mutate.js'));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const L = require(path.join(ROOT, 'bench', 'lib', 'lore.js'));

/** Kernel-style C with one site for every mutation operator. */
const SAMPLE = `// SPDX-License-Identifier: GPL-2.0
/* A sample for the bench tests: a toy cache of folios. */
#include <linux/mm.h>

static DEFINE_SPINLOCK(toy_lock);

static int toy_insert(struct toy_cache *tc, struct folio *folio)
{
	unsigned long flags, index;

	index = folio->index;
	spin_lock_irqsave(&tc->lock, flags);
	if (tc->full) {
		spin_unlock_irqrestore(&tc->lock, flags);
		return -ENOSPC;
	}
	tc->slots[index] = folio;
	spin_unlock_irqrestore(&tc->lock, flags);
	return 0;
}

static struct folio *toy_lookup(struct toy_cache *tc, pgoff_t index)
{
	struct folio *folio;

	rcu_read_lock();
repeat:
	folio = xa_load(&tc->xa, index);
	if (!folio)
		goto out;
	if (!folio_try_get(folio))
		goto repeat;
	if (unlikely(folio != xa_load(&tc->xa, index))) {
		folio_put(folio);
		goto repeat;
	}
out:
	rcu_read_unlock();
	return folio;
}

static int toy_take(struct toy_cache *tc, struct folio *folio)
{
	spin_lock(&toy_lock);
	if (!tc->live) {
		spin_unlock(&toy_lock);
		return -ENOENT;
	}
	tc->count++;
	spin_unlock(&toy_lock);
	if (folio_test_locked(folio))
		return -EBUSY;
	folio_put(folio);
	return 0;
}

static void toy_publish(struct toy_cache *tc, struct toy_entry *e)
{
	e->ready = 1;
	smp_mb();
	smp_store_release(&tc->head, e);
	if (smp_load_acquire(&tc->gen) != e->gen)
		put_page(e->page);
}
`;

/** Apply a unified diff (one file) to a text; throws on a context mismatch. */
function applyDiff(text: string, diff: string): string {
  const src = text.split('\n');
  const out: string[] = [];
  let at = 0; // next unconsumed line of src (0-based)
  const lines = diff.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/.exec(lines[i]);
    if (!m) continue;
    let oldLeft = m[2] === undefined ? 1 : Number(m[2]);
    let newLeft = m[4] === undefined ? 1 : Number(m[4]);
    const start = oldLeft === 0 ? Number(m[1]) : Number(m[1]) - 1;
    while (at < start) out.push(src[at++]);
    for (i++; i < lines.length && (oldLeft > 0 || newLeft > 0); i++) {
      const l = lines[i];
      if (l.startsWith('\\')) continue;
      const body = l.slice(1);
      if (l[0] === ' ' || l[0] === '-') {
        assert.equal(src[at], body, `context/removed line ${at + 1} does not match`);
        at++;
        oldLeft--;
      }
      if (l[0] === ' ' || l[0] === '+') {
        out.push(body);
        newLeft--;
      }
    }
    i--;
  }
  while (at < src.length) out.push(src[at++]);
  return out.join('\n');
}

function inputProblems(text: string) {
  const a = analyze(text, 'bench-test.patch', {});
  return a.findings.filter((f) => f.category === 'input' && (f.severity === 'error' || f.severity === 'warning'));
}

describe('bench/lib/mutate: the mutation generator', () => {
  const sites: any[] = M.sitesOf(SAMPLE, 'mm/toy.c');

  it('finds the sample functions in kernel style', () => {
    const fns = M.functionsOf(SAMPLE.split('\n')).map((f: any) => f.name);
    assert.deepEqual(fns, ['toy_insert', 'toy_lookup', 'toy_take', 'toy_publish']);
  });

  it('has a site for every operator, each with its category', () => {
    const ops = new Map<string, string>();
    for (const s of sites) ops.set(s.op, s.category);
    assert.deepEqual(
      [...ops.keys()].sort(),
      ['delete-release', 'double-release', 'drop-barrier', 'exit-above-release', 'flags-mismatch', 'sleep-in-atomic', 'speculative-get-unconditional', 'swap-release-kind', 'weaken-barrier'],
    );
    assert.equal(ops.get('speculative-get-unconditional'), 'spec-ref');
    assert.equal(ops.get('sleep-in-atomic'), 'atomic-sleep');
    assert.equal(ops.get('flags-mismatch'), 'bracket');
    const flags = sites.find((s) => s.op === 'flags-mismatch');
    assert.match(flags.edit.insert[0], /spin_unlock_irqrestore\(&tc->lock, index\);/, 'the other unsigned long of the function');
    const exitMove = sites.find((s) => s.op === 'exit-above-release' && s.fn === 'toy_take' && s.edit.remove === 3);
    assert.ok(exitMove, 'the early exit after spin_unlock() is moved above it');
  });

  it('every mutant keeps the braces, and its git-style diff applies exactly and parses without input problems', () => {
    assert.ok(sites.length >= 9);
    for (const s of sites) {
      const mutated: string = M.applySite(SAMPLE, s);
      assert.notEqual(mutated, SAMPLE, s.what);
      assert.ok(M.looksLikeC(SAMPLE, mutated, s), s.what);
      const diff: string = P.unifiedDiff(SAMPLE, mutated, 'mm/toy.c', { context: 3 });
      assert.match(diff, /^diff --git a\/mm\/toy\.c b\/mm\/toy\.c\n--- a\/mm\/toy\.c\n\+\+\+ b\/mm\/toy\.c\n@@ /);
      assert.deepEqual(P.checkHunkCounts(diff), [], s.what);
      assert.equal(applyDiff(SAMPLE, diff), mutated, `${s.what}: the diff applies to the original and gives the mutant`);
      const mail: string = P.asMail(diff, 'mm/toy.c: mutant');
      assert.deepEqual(inputProblems(mail), [], s.what);
    }
  });

  it('a looks-like-C check rejects an edit that unbalances the braces', () => {
    const bad = { edit: { at: 7, remove: 0, insert: ['\t{'] } };
    assert.equal(M.looksLikeC(SAMPLE, M.applySite(SAMPLE, bad), bad), false);
  });
});

describe('bench/lib/patch: the patch reverser', () => {
  const QUILT = [
    'From: A Developer <dev@example.org>',
    'Subject: mm/toy: drop the lock on the full path',
    '',
    'toy_insert() returned with the lock held.',
    '',
    'Signed-off-by: A Developer <dev@example.org>',
    '---',
    '',
    ' mm/toy.c |    2 ++',
    ' 1 file changed, 2 insertions(+)',
    '',
    '--- a/mm/toy.c~mm-toy-drop-the-lock',
    '+++ a/mm/toy.c',
    '@@ -10,7 +10,9 @@ static int toy_insert(struct toy_cache *tc, struct folio *folio)',
    ' \tindex = folio->index;',
    ' \tspin_lock_irqsave(&tc->lock, flags);',
    '-\tif (tc->full)',
    '+\tif (tc->full) {',
    '+\t\tspin_unlock_irqrestore(&tc->lock, flags);',
    ' \t\treturn -ENOSPC;',
    '+\t}',
    ' \ttc->slots[index] = folio;',
    ' \tspin_unlock_irqrestore(&tc->lock, flags);',
    ' \treturn 0;',
    '_',
    '',
  ].join('\n');

  it('swaps the sides and the hunk header, removals first, and keeps quilt headers and the trailer', () => {
    const r: string = P.reversePatch(QUILT, { message: 'From: bench <b@localhost>\nSubject: [PATCH] reversed\n\n---' });
    assert.match(r, /^From: bench <b@localhost>\nSubject: \[PATCH\] reversed\n\n---\n--- a\/mm\/toy\.c~mm-toy-drop-the-lock\n\+\+\+ a\/mm\/toy\.c\n@@ -10,9 \+10,7 @@ static int toy_insert/);
    assert.ok(r.includes('-\tif (tc->full) {\n-\t\tspin_unlock_irqrestore(&tc->lock, flags);\n+\tif (tc->full)\n'));
    assert.ok(r.endsWith('_\n'));
    assert.deepEqual(P.checkHunkCounts(r), []);
    assert.doesNotMatch(r, /toy_insert\(\) returned with the lock held/, 'the fix changelog is withheld');
    assert.deepEqual(inputProblems(r), []);
    assert.deepEqual(inputProblems(QUILT), []);
  });

  it('reversing twice gives the patch back; a reversed mutant diff turns the mutant into the original', () => {
    assert.equal(P.reversePatch(P.reversePatch(QUILT)), QUILT);
    for (const s of M.sitesOf(SAMPLE, 'mm/toy.c').slice(0, 6)) {
      const mutated: string = M.applySite(SAMPLE, s);
      const diff: string = P.unifiedDiff(SAMPLE, mutated, 'mm/toy.c');
      assert.equal(applyDiff(mutated, P.reversePatch(diff)), SAMPLE, s.what);
    }
  });

  it('swaps new-file and deleted-file headers', () => {
    const added = P.asNewFilePatch('mm/toy.c', 'int x;\n');
    const r: string = P.reversePatch(added);
    assert.match(r, /deleted file mode 100644\n--- a\/mm\/toy\.c\n\+\+\+ \/dev\/null\n@@ -1 \+0,0 @@\n-int x;/);
  });
});

describe('lore messages (bench/lib/lore.js)', () => {
  // A quoted-printable patch mail written for this test: a soft line break in
  // the hunk heading, `=3D` and `=20` in the hunk body.
  const QP_MAIL = [
    'Subject: [PATCH] mm/toy: take the lock on the full path',
    'MIME-Version: 1.0',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    'toy_insert() returned with the lock held.',
    '---',
    'diff --git a/mm/toy.c b/mm/toy.c',
    '--- a/mm/toy.c',
    '+++ b/mm/toy.c',
    '@@ -10,6 +10,7 @@ static int toy_insert(struct toy_cache *tc, struct folio *fo=',
    'lio)',
    ' \tspin_lock_irqsave(&tc->lock, flags);',
    ' \tif (tc->full) {',
    '+\t\tspin_unlock_irqrestore(&tc->lock, flags);',
    ' \t\treturn -ENOSPC;',
    ' \t}',
    '=20',
    ' \ttc->slots[index] =3D folio;',
    '',
  ].join('\n');

  it('decodes a quoted-printable body for reversing and leaves other bodies alone', () => {
    assert.equal(L.transferEncoding(QP_MAIL), 'quoted-printable');
    const d: string = L.decodedForDiff(QP_MAIL);
    assert.ok(d.includes('@@ -10,6 +10,7 @@ static int toy_insert(struct toy_cache *tc, struct folio *folio)\n'));
    assert.ok(d.includes('\n \n \ttc->slots[index] = folio;\n'));
    assert.ok(d.startsWith('Subject: [PATCH] mm/toy: take the lock on the full path\nMIME-Version: 1.0\nContent-Transfer-Encoding: quoted-printable\n\n'));
    const plain = QP_MAIL.replace('quoted-printable', '8bit');
    assert.equal(L.decodedForDiff(plain), plain);
    assert.equal(L.decodeQuotedPrintable('caf=C3=A9 =3D=\nx =ZZ'), 'café =x =ZZ');
  });

  it('a decoded quoted-printable fix reverses into a patch the engine parses without input problems', () => {
    const r: string = P.reversePatch(L.decodedForDiff(QP_MAIL), { message: 'Subject: [PATCH] reversed\n\n---' });
    assert.deepEqual(P.checkHunkCounts(r), []);
    assert.ok(r.includes('-\t\tspin_unlock_irqrestore(&tc->lock, flags);'));
    assert.deepEqual(inputProblems(r), []);
  });

  it('reads a cached message and says when it differs from the text judged', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-bench-lore-'));
    fs.writeFileSync(path.join(dir, '42.eml'), QP_MAIL);
    const ok = L.readLoreCase(dir, { id: '42', sha1: L.sha1(QP_MAIL) });
    assert.equal(ok.text, QP_MAIL);
    assert.equal(ok.changed, false);
    assert.equal(L.readLoreCase(dir, { id: '42', sha1: '0'.repeat(40) }).changed, true);
    assert.equal(L.readLoreCase(dir, { id: '43', sha1: '0'.repeat(40) }).missing, true);
  });
});

describe('benches without the cache', () => {
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-bench-nocache-'));
  const run = (args: string[]) => spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, MM_BENCH_CACHE: empty } });

  for (const bench of ['bench/realfix.js', 'bench/mainline-mutants.js', 'bench/mainline.js', 'bench/mmotm-forward.js']) {
    it(`${bench} says the cache is missing and exits 0`, () => {
      const r = run([bench]);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /is not in the cache \(.*mm-bench-nocache-.* is missing\); nothing measured\./);
      assert.match(r.stdout, /node scripts\/cache\.js/);
    });
  }

  it('scripts/cache.js says a mirror is missing and exits 0', () => {
    const r = run(['scripts/cache.js', '--cache', path.join(empty, 'c'), '--linux-mirror', path.join(empty, 'no-linux'), '--mmotm-mirror', path.join(empty, 'no-mmotm')]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /cache: linux: no mirror at .*no-linux .*skipped/);
    assert.match(r.stdout, /cache: mmotm: no mirror at .*no-mmotm .*skipped/);
    assert.match(r.stdout, /cache: lore: 0 of \d+ messages in .*\n.*missing \(bench\/realfix\.js skips them\)/);
  });

  it('bench/realfix.js --source lore says the lore messages are missing and exits 0', () => {
    const r = run(['bench/realfix.js', '--source', 'lore']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /any lore message is not in the cache \(.*mm-bench-nocache-.*lore is missing\); nothing measured\./);
  });
});
