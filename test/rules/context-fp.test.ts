/**
 * Judging patches in context without inventing what the text does not show
 * (issue: real patches in context). Each false-positive class met on real mm
 * patches has a correct variant that must stay quiet and a buggy variant that
 * must still be found, so neither half of a test can pass by the rule going
 * silent. And a determinism test: a function's findings are the same alone
 * and inside a large document of unrelated functions.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze } from 'mm-review-server/engine/index';
import type { Finding } from 'mm-review-server/engine/findings';
import { addPatch, findings, expectClean, expectRule } from './helpers';
import { ENTER_CODE, LOCKPTR_CODE } from './idiom-code';

const WARN = (f: Finding) => f.severity === 'warning' || f.severity === 'error';

/** (a) a gap between two hunks, and the end of a hunk, are code not shown — never "the function ends here". */
const GAP = (secondHunkRelease: string) => `diff --git a/mm/foo.c b/mm/foo.c
index 1111111..2222222 100644
--- a/mm/foo.c
+++ b/mm/foo.c
@@ -100,10 +100,12 @@ static int foo_move_range(struct mm_struct *mm, pmd_t *pmd, unsigned long addr)
 	pte_t *pte;
 	spinlock_t *ptl;
 	int ret = 0;
 
 	pte = pte_offset_map_lock(mm, pmd, addr, &ptl);
 	if (!pte)
 		return -EAGAIN;
+	if (foo_busy(mm))
+		ret = -EBUSY;
 	arch_enter_lazy_mmu_mode();
 	for (; addr < end; addr += PAGE_SIZE, pte++) {
 		if (pte_none(ptep_get(pte)))
@@ -140,7 +142,8 @@ static int foo_move_range(struct mm_struct *mm, pmd_t *pmd, unsigned long addr)
 		set_pte_at(mm, addr, pte, newpte);
 	}
 	arch_leave_lazy_mmu_mode();
-	pte_unmap_unlock(pte - 1, ptl);
+${secondHunkRelease}
+	foo_account(mm, ret);
 	return ret;
 }
 
`;

const HUNK_END = (added: string) => `diff --git a/mm/foo.c b/mm/foo.c
index 1111111..2222222 100644
--- a/mm/foo.c
+++ b/mm/foo.c
@@ -200,8 +200,10 @@ int foo_collect(struct foo_ctl *fc, struct folio *folio)
 	int err;
 
 	folio_get(folio);
 	spin_lock(&fc->lock);
+	if (fc->stopped)
+${added}
 	err = foo_queue(fc, folio);
 	if (err)
 		goto out_unlock;
 	fc->nr++;
`;

describe('context: code the patch does not show is unknown', () => {
  it('(a) a lock taken in the first hunk and released in the second, with lines not shown between: quiet; the second hunk deleting the release: found', () => {
    expectClean(findings(GAP('\tpte_unmap_unlock(pte - 1, ptl);')).filter(WARN));
    const bug = findings(GAP('\tfoo_flush(mm);')).filter(WARN);
    assert.ok(bug.some((f) => f.rule === 'bracket/unbalanced' && /removes `pte_unmap_unlock\(pte - 1, ptl\)`/.test(f.message)), bug.map((f) => f.message).join('\n'));
  });

  it('(a) a hunk that ends inside the function: the lock and reference are released below, out of sight; a new return that skips them is found', () => {
    expectClean(findings(HUNK_END('\t\tfc->skipped++;')).filter(WARN));
    expectRule(findings(HUNK_END('\t\treturn -ESHUTDOWN;')).filter(WARN), 'ref-balance/leak', 1);
  });

  it('(d) a goto label in the @@ heading names no function', () => {
    const p = `diff --git a/mm/foo.c b/mm/foo.c
index 1111111..2222222 100644
--- a/mm/foo.c
+++ b/mm/foo.c
@@ -300,6 +300,7 @@ out_unlock:
 	spin_unlock(&fc->lock);
 	folio_put(folio);
 	fc->nr_done++;
+	fc->nr_seen++;
 	return ret;
 }
 
`;
    const a = analyze(p, 'label.patch', {});
    assert.deepEqual(a.findings.filter(WARN).map((f) => f.message), []);
    assert.ok(a.functions.every((f) => !f.name.includes('out_unlock')), a.functions.map((f) => f.name).join(', '));
  });
});

describe('context: what the text says a helper does', () => {
  const LOCKPTR = (release: string) => addPatch(LOCKPTR_CODE(release));
  it('(c) a lock released through another expression of the same lock (pmd_lockptr(mm, pmd) for ptl = pmd_lock(mm, pmd)): quiet; not released: found', () => {
    expectClean(findings(LOCKPTR('\t\tspin_unlock(pmd_lockptr(mm, pmd));')).filter(WARN));
    expectRule(findings(LOCKPTR('\t\tfoo_note(mm);')).filter(WARN), 'bracket/unbalanced', 1);
    // another pmd's lock is another lock
    expectRule(findings(LOCKPTR('\t\tspin_unlock(pmd_lockptr(mm, pmd + 1));')).filter(WARN), 'bracket/unbalanced', 1);
  });

  const ENTER = (comment: string) => addPatch(ENTER_CODE(comment));
  it('(e) a function whose comment says it returns holding ("Returns 1 with preemption disabled") hands the section to its caller; without the comment it is found', () => {
    expectClean(findings(ENTER('/* Returns 1 with preemption disabled, 0 with it enabled. */')).filter(WARN));
    expectClean(findings(ENTER('/*\n * foo_try_enter - claim this CPU\'s slot\n *\n * Return: 1 with preemption disabled (the caller calls foo_exit()), or 0.\n */')).filter(WARN));
    expectRule(findings(ENTER('/* Claim this CPU\'s slot. */')).filter(WARN), 'bracket/unbalanced', 1);
  });

  it('(e) a reference handed to the caller by contract (mmget_not_zero() returned): quiet; dropped on no path and not returned: found', () => {
    const get = (tail: string) =>
      addPatch(`
static struct mm_struct *foo_get_task_mm(struct task_struct *task)
{
	struct mm_struct *mm = task->mm;

	if (!mm || !mmget_not_zero(mm))
		return NULL;
${tail}
}
`);
    expectClean(findings(get('\treturn mm;')).filter(WARN));
    const bug = findings(get('\tif (foo_dying(mm))\n\t\treturn NULL;\n\treturn mm;')).filter(WARN);
    assert.ok(bug.some((f) => f.category === 'ref-balance'), bug.map((f) => `${f.rule}: ${f.message}`).join('\n') || 'nothing');
  });
});

describe('determinism: every rule, a function alone and inside a large document', () => {
  const CORPUS = path.resolve(__dirname, '..', '..', 'corpus');
  const UNRELATED = (k: number) => `
static DEFINE_SPINLOCK(unrel_lock_${k});
static struct unrel_obj *unrel_head_${k};

static int unrel_take_${k}(struct unrel_obj *o, struct folio *folio)
{
	int err = 0;

	folio_get(folio);
	spin_lock(&unrel_lock_${k});
	if (o->dead) {
		err = -ENOENT;
		goto out;
	}
	o->folio = folio;
	rcu_read_lock();
	WRITE_ONCE(o->seq, o->seq + 1);
	rcu_read_unlock();
out:
	spin_unlock(&unrel_lock_${k});
	if (err)
		folio_put(folio);
	return err;
}

static void unrel_publish_${k}(struct unrel_obj *o)
{
	o->ready = 1;
	/* order ready before head; pairs with smp_rmb() in unrel_read_${k}() */
	smp_wmb();
	WRITE_ONCE(unrel_head_${k}, o);
}

static int unrel_read_${k}(void)
{
	struct unrel_obj *o = READ_ONCE(unrel_head_${k});

	/* pairs with unrel_publish_${k}() */
	smp_rmb();
	return o ? o->ready : 0;
}
`;
  // a second mail of the series: 120 unrelated files (about 5,000 lines)
  const big =
    'From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\nFrom: Other Author <other@example.org>\nDate: Mon, 1 Dec 2025 10:00:00 +0000\nSubject: [PATCH 2/2] mm: unrelated bookkeeping\n\nUnrelated helpers.\n\nSigned-off-by: Other Author <other@example.org>\n---\n' +
    Array.from({ length: 120 }, (_, k) => addPatch(UNRELATED(k), `mm/unrelated_${k}.c`)).join('') +
    '-- \n2.43.0\n';
  const expectations = JSON.parse(fs.readFileSync(path.join(CORPUS, 'expectations.json'), 'utf8')) as { cases: Record<string, { buggy?: string; kernelVersion?: string }> };
  const kernelOf = (f: string) => Object.values(expectations.cases).find((c) => c.buggy === f)?.kernelVersion;
  const files = fs.readdirSync(CORPUS).filter((f) => f.endsWith('.buggy.patch')).sort();
  it('finds the corpus', () => assert.ok(files.length >= 40, `${files.length}`));
  for (const f of files) {
    it(f, () => {
      const alone = fs.readFileSync(path.join(CORPUS, f), 'utf8');
      const opts = { kernelVersion: kernelOf(f) };
      const key = (x: Finding) => `${x.range.start.line}:${x.range.start.character} ${x.rule} ${x.severity} ${x.message}`;
      const a = analyze(alone, f, opts).findings.filter((x) => x.category !== 'input').map(key);
      const lines = alone.split('\n').length;
      const b = analyze(alone.replace(/\n*$/, '\n\n') + big, f, opts).findings.filter((x) => x.category !== 'input' && x.range.start.line < lines).map(key);
      assert.ok(a.length > 0, `${f}: the buggy patch alone has no finding`);
      assert.deepEqual(b, a);
    });
  }
});

describe('context: a NULL pointer holds nothing', () => {
  const CONT = (onNull: string, extra = '') =>
    addPatch(`
static int foo_continue(struct inode *inode, pgoff_t pgoff, struct page **pagep)
{
	struct folio *folio;
	int ret;

	ret = shmem_get_folio(inode, pgoff, 0, &folio, SGP_NOALLOC);
	if (ret)
		goto out;
	if (!folio) {
${onNull}
	}
${extra}
	*pagep = folio_file_page(folio, pgoff);
	folio_unlock(folio);
	return 0;
out:
	return ret;
}
`);
  it('an acquire that succeeded with its out-parameter NULL took nothing: `if (!folio) goto out` is quiet; a non-NULL folio leaving through out is found', () => {
    expectClean(findings(CONT('\t\tret = -EFAULT;\n\t\tgoto out;')).filter(WARN));
    const bug = findings(CONT('\t\tret = -EFAULT;\n\t\tgoto out;', '\tif (folio_test_hwpoison(folio)) {\n\t\tret = -EIO;\n\t\tgoto out;\n\t}')).filter(WARN);
    assert.ok(bug.some((f) => /goto out/.test(f.message)), bug.map((f) => `${f.rule}: ${f.message}`).join('\n') || 'nothing');
  });

  const RETRY = (relock: string) =>
    addPatch(`
static int foo_move(struct foo_ctl *fc)
{
	struct folio *src_folio = NULL;
	int ret;

retry:
	ret = fc->error;
	if (ret)
		goto out;
${relock}
	ret = foo_do_move(fc, src_folio);
out:
	if (src_folio) {
		folio_unlock(src_folio);
		folio_put(src_folio);
	}
	return ret;
}
`);
  it('`goto retry` with the lock held, where the retry takes it only `if (!src_folio)`: not a relock; an unconditional relock is found', () => {
    const guarded = '\tif (!src_folio) {\n\t\tstruct folio *folio = foo_lookup(fc);\n\n\t\tif (!folio) {\n\t\t\tret = -EBUSY;\n\t\t\tgoto out;\n\t\t}\n\t\tfolio_get(folio);\n\t\tsrc_folio = folio;\n\t\tif (!folio_trylock(folio)) {\n\t\t\tfolio_lock(src_folio);\n\t\t\tgoto retry;\n\t\t}\n\t}';
    assert.deepEqual(findings(RETRY(guarded)).filter((f) => f.category === 'bracket' && WARN(f)).map((f) => f.message), []);
    const always = '\tspin_lock(&fc->lock);\n\tif (fc->busy) {\n\t\tfc->busy = false;\n\t\tgoto retry;\n\t}\n\tspin_unlock(&fc->lock);';
    const bug = findings(RETRY(always)).filter((f) => f.category === 'bracket' && WARN(f));
    assert.ok(bug.some((f) => /retry/.test(f.message)), bug.map((f) => `${f.rule}: ${f.message}`).join('\n') || 'nothing');
  });
});

describe('context: user-space programs in the tree', () => {
  const CODE = `
static bool is_need(char *buf)
{
	struct pid *pid = get_pid(find_pid(buf));

	if (!pid)
		return false;
	if (!match(pid))
		return false;
	put_pid(pid);
	return true;
}
`;
  it('tools/ and scripts/ are user space: kernel API facts (get_pid takes a reference) do not apply there; the same code in mm/ is judged', () => {
    expectClean(findings(addPatch(CODE, 'tools/vm/page_owner_sort.c')));
    expectClean(findings(addPatch(CODE, 'scripts/sorttable.c')));
    assert.ok(findings(addPatch(CODE, 'mm/page_owner.c')).some((f) => f.rule === 'ref-balance/leak'));
  });
});
