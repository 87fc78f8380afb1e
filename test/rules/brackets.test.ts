/** bracket and atomic-sleep rules, and the seeds / planted examples in these categories. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { addPatch, changePatch, findings, expectRule, expectClean, lineOf, replacePatch } from './helpers';
import { seed, repoRoot } from '../c/fixtures';

describe('bracket/unbalanced', () => {
  const code = (unlock: boolean) => `
static int update(struct foo *f, int v)
{
	spin_lock(&f->lock);
	if (f->dead) {
${unlock ? '\t\tspin_unlock(&f->lock);\n' : ''}		return -EBUSY;
	}
	f->v = v;
	spin_unlock(&f->lock);
	return 0;
}
`;
  it('a spinlock still held on an error return, with the unlock as quick fix', () => {
    const p = addPatch(code(false));
    const [f] = expectRule(findings(p), 'bracket/unbalanced', 1);
    assert.equal(f.range.start.line + 1, lineOf(p, 'return -EBUSY'));
    assert.match(f.message, /spin_lock\(\)/);
    // the fix is a diff edit: new lines are `+` lines
    assert.equal(f.fixes?.[0].edits[0].newText.replace(/^\+/gm, '').replace(/\s+/g, ' ').trim(), 'spin_unlock(&f->lock); return -EBUSY;');
    expectClean(findings(addPatch(code(true))));
  });
  it('a function that returns with the lock held on success and drops it on failure is the locking convention, not a bug', () => {
    expectClean(findings(addPatch(`
static int lock_foo(struct foo *f)
{
	spin_lock(&f->lock);
	if (f->dead) {
		spin_unlock(&f->lock);
		return -ENOENT;
	}
	return 0;
}
`)));
  });
  it('rcu_read_unlock twice on one path', () => {
    const p = addPatch(`
static void walk(struct foo *f)
{
	rcu_read_lock();
	visit(f);
	rcu_read_unlock();
	rcu_read_unlock();
}
`);
    const [f] = expectRule(findings(p), 'bracket/unbalanced', 1);
    assert.equal(f.range.start.line + 1, lineOf(p, 'rcu_read_unlock()', 1));
  });
  it('locks paired across a goto ladder are clean', () => {
    expectClean(findings(addPatch(`
static int ladder(struct foo *f)
{
	int err;

	spin_lock(&f->lock);
	err = check(f);
	if (err)
		goto unlock;
	f->v++;
unlock:
	spin_unlock(&f->lock);
	return err;
}
`)));
  });
});

describe('bracket/flags-mismatch and bracket/mixed-irq-style', () => {
  it('seed 003: local_irq_restore(flags) on an `unsigned long *flags` parameter, fixed to *flags', () => {
    const text = seed(3);
    const fs = findings(text);
    const [f] = expectRule(fs, 'bracket/flags-mismatch', 1);
    assert.equal(f.function, 'deregister_lockless_page_table_walker');
    assert.equal(f.range.start.line + 1, lineOf(text, '+       local_irq_restore(flags);'));
    assert.match(f.fixes?.[0].edits[0].newText ?? '', /^\+\s*local_irq_restore\(\*flags\);$/);
    // local_irq_save(*flags) in register_... is right
    assert.equal(fs.some((x) => x.function === 'register_lockless_page_table_walker' && x.rule === 'bracket/flags-mismatch'), false);
  });
  it('seed 003: #ifdef LOCKLESS_PAGE_TABLE_WALK_TRACKING where the patch adds that Kconfig symbol', () => {
    const fs = findings(seed(3));
    const hits = expectRule(fs, 'bracket/kconfig-prefix', 2);
    assert.deepEqual(hits.map((h) => h.function).sort(), ['deregister_lockless_page_table_walker', 'register_lockless_page_table_walker']);
    assert.equal(hits[0].fixes?.[0].edits[0].newText, '+#ifdef CONFIG_LOCKLESS_PAGE_TABLE_WALK_TRACKING');
  });
  it('restoring a different flags variable than the one saved', () => {
    const code = (v: string) => `
static void f(struct foo *x)
{
	unsigned long flags, other;

	local_irq_save(flags);
	touch(x);
	local_irq_restore(${v});
}
`;
    expectRule(findings(addPatch(code('other'))), 'bracket/flags-mismatch', 1);
    expectClean(findings(addPatch(code('flags'))));
  });
  it('local_irq_save closed with local_irq_enable', () => {
    const code = (close: string) => `
static void g(struct foo *x)
{
	unsigned long flags;

	local_irq_save(flags);
	touch(x);
	${close};
}
`;
    const p = addPatch(code('local_irq_enable()'));
    const [f] = expectRule(findings(p), 'bracket/mixed-irq-style', 1);
    assert.equal(f.range.start.line + 1, lineOf(p, 'local_irq_enable()'));
    expectClean(findings(addPatch(code('local_irq_restore(flags)'))));
  });
});

describe('bracket/use-after-close', () => {
  const code = (late: boolean) => `
static int peek_pte(struct mm_struct *mm, pmd_t *pmd, unsigned long addr)
{
	spinlock_t *ptl;
	pte_t *pte;
	int young;

	pte = pte_offset_map_lock(mm, pmd, addr, &ptl);
	if (!pte)
		return -EAGAIN;
${late ? '' : '\tyoung = pte_young(*pte);\n'}	pte_unmap_unlock(pte, ptl);
${late ? '\tyoung = pte_young(*pte);\n' : ''}	return young;
}
`;
  it('*pte read after pte_unmap_unlock (scenario S4)', () => {
    const p = addPatch(code(true));
    const [f] = expectRule(findings(p), 'bracket/use-after-close', 1);
    assert.equal(f.range.start.line + 1, lineOf(p, 'young = pte_young(*pte)'));
    assert.equal(f.scenario, 'S4');
    expectClean(findings(addPatch(code(false))));
  });
  it('an rcu_dereference()d pointer used after rcu_read_unlock', () => {
    const code2 = (late: boolean) => `
static int owner_id(struct foo *f)
{
	struct bar *b;
	int id;

	rcu_read_lock();
	b = rcu_dereference(f->bar);
${late ? '' : '\tid = b->id;\n'}	rcu_read_unlock();
${late ? '\tid = b->id;\n' : ''}	return id;
}
`;
    expectRule(findings(addPatch(code2(true))), 'bracket/use-after-close', 1);
    expectClean(findings(addPatch(code2(false))));
  });
});

describe('atomic-sleep/sleep-in-atomic', () => {
  it('seed 001: vma->vm_ops->fault() called inside the speculative RCU section (its own race: the sleep family)', () => {
    const text = seed(1);
    const [f] = expectRule(findings(text), 'atomic-sleep/sleep-in-atomic', 1);
    assert.equal(f.function, '__do_fault');
    assert.equal(f.trace?.family, 'sleep');
    assert.equal(f.trace?.events.find((e) => e.kind === 'sleep')?.expr, 'vma->vm_ops->fault(vmf)');
    assert.match(f.message, /vma->vm_ops->fault\(\)/);
    assert.match(f.message, /RCU/);
    assert.equal(f.related[0].range.start.line + 1, lineOf(text, '+\t\trcu_read_lock();'));
  });
  it('mutex_lock under a spinlock; quiet after the unlock', () => {
    const code = (inside: boolean) => `
static void sync_foo(struct foo *f)
{
	spin_lock(&f->lock);
${inside ? '\tmutex_lock(&f->mutex);\n' : ''}	f->v++;
	spin_unlock(&f->lock);
${inside ? '' : '\tmutex_lock(&f->mutex);\n'}	f->w++;
	mutex_unlock(&f->mutex);
}
`;
    expectRule(findings(addPatch(code(true))), 'atomic-sleep/sleep-in-atomic', 1);
    expectClean(findings(addPatch(code(false))));
  });
  it('a sleep on only one of two paths into it is not reported (definitely held only)', () => {
    expectClean(findings(addPatch(`
static void maybe(struct foo *f, bool atomic)
{
	if (atomic)
		preempt_disable();
	cond_resched_if(f);
	if (atomic)
		preempt_enable();
	msleep(1);
}
`)));
  });
});

describe('the planted bugs of examples/ in these categories', () => {
  const ex = (f: string) => fs.readFileSync(path.join(repoRoot(), 'examples', f), 'utf8');
  const at = (list: ReturnType<typeof findings>, rule: string, file: string, line: number) =>
    assert.ok(list.some((x) => x.rule === rule && x.file === file && x.fileLine === line), `${rule} at ${file}:${line}; have ${list.map((x) => `${x.rule} ${x.file}:${x.fileLine}`).join(', ')}`);
  it('gup-stable-pin-series.mbox: pin leak, missing re-check, folio_lock under RCU; nothing else from these rules', () => {
    const list = findings(ex('gup-stable-pin-series.mbox')).filter((x) => x.category !== 'barrier');
    at(list, 'ref-balance/leak', 'mm/gup.c', 177);
    at(list, 'spec-ref/no-revalidation', 'mm/filemap.c', 120);
    at(list, 'atomic-sleep/sleep-in-atomic', 'mm/filemap.c', 158);
    assert.equal(list.length, 3, list.map((x) => x.message).join('\n'));
  });
  it('mangled-pinned-ptes.eml: return with the PTL held', () => {
    const list = findings(ex('mangled-pinned-ptes.eml')).filter((x) => x.category !== 'barrier');
    at(list, 'bracket/unbalanced', 'mm/memory.c', 139);
    assert.equal(list.length, 1);
  });
  it('qp-readahead-order.eml: folio_get on an xa_load result', () => {
    const list = findings(ex('qp-readahead-order.eml')).filter((x) => x.category !== 'barrier');
    at(list, 'spec-ref/get-on-lockless-lookup', 'mm/readahead.c', 119);
    assert.equal(list.length, 1);
  });
});

/**
 * Second releases the whole function shows (a kernel tree, a new file): the
 * lock the caller held, a lock whose owner was handed to a callee, a mapping
 * kept in a pointer; and an out-parameter a callee may fill with another lock.
 */
describe('bracket/unbalanced: released twice with the function\'s start in view', () => {
  it('the lock the caller holds (__releases), unlocked twice', () => {
    const code = (twice: boolean) => `
static void note_cost_unlock(struct lruvec *lruvec, unsigned long cost)
	__releases(lruvec->lru_lock)
{
	if (!cost) {
		spin_unlock_irq(&lruvec->lru_lock);
${twice ? '\t\tspin_unlock_irq(&lruvec->lru_lock);\n' : ''}		return;
	}
	lruvec->cost += cost;
	spin_unlock_irq(&lruvec->lru_lock);
}
`;
    const p = addPatch(code(true));
    const hits = findings(p).filter((f) => f.rule === 'bracket/unbalanced' && /a second time/.test(f.message));
    assert.ok(hits.some((f) => /spinlock `lruvec->lru_lock`/.test(f.message) && f.range.start.line + 1 === lineOf(p, 'spin_unlock_irq(&lruvec->lru_lock)', 1)), hits.map((f) => f.message).join('\n'));
    expectClean(findings(addPatch(code(false))));
  });
  it('a lock whose owner was handed to a callee, unlocked twice in a row', () => {
    const code = (twice: boolean) => `
static void estimate_start(struct bdi_writeback *wb)
{
	spin_lock(&wb->list_lock);
	wb->stamp = wb_stat(wb, 1);
	spin_unlock(&wb->list_lock);
${twice ? '\tspin_unlock(&wb->list_lock);\n' : ''}}
`;
    const p = addPatch(code(true));
    const [f] = expectRule(findings(p), 'bracket/unbalanced', 1);
    assert.equal(f.range.start.line + 1, lineOf(p, 'spin_unlock(&wb->list_lock)', 1));
    expectClean(findings(addPatch(code(false))));
  });
  it('a mapping kept in a pointer, unmapped twice although the paths above cannot tell whether it was mapped twice', () => {
    const code = (twice: boolean) => `
static void zero_segments(struct page *page, int a, int b)
{
	void *kaddr = NULL;

	if (a)
		kaddr = kmap_local_page(page);
	if (b && !kaddr)
		kaddr = kmap_local_page(page);
	if (kaddr) {
		kunmap_local(kaddr);
${twice ? '\t\tkunmap_local(kaddr);\n' : ''}		flush_dcache_page(page);
	}
}
`;
    const p = addPatch(code(true));
    const [f] = expectRule(findings(p), 'bracket/unbalanced', 1);
    assert.equal(f.range.start.line + 1, lineOf(p, 'kunmap_local(kaddr)', 1));
    expectClean(findings(addPatch(code(false))));
  });
  it('an out-parameter given to a callee may come back holding another lock: releasing it again is not a second release', () => {
    const code = (refill: boolean) => `
static int move_lock(struct mm_struct *mm, struct vm_area_struct **dst_vmap)
{
	vma_end_read(*dst_vmap);
	mmap_read_lock(mm);
${refill ? '\tfind_vmas_locked(mm, dst_vmap);\n' : ''}	vma_end_read(*dst_vmap);
	mmap_read_unlock(mm);
	return 0;
}
`;
    expectClean(findings(addPatch(code(true))), ['bracket']);
    expectRule(findings(addPatch(code(false))), 'bracket/unbalanced', 1);
  });
});

describe('bracket/unbalanced: a release taken away inside a catalogued function', () => {
  const lookup = (unlockOnMiss: boolean, unlockOnHit: boolean) => `
struct vm_area_struct *lock_vma_under_rcu(struct mm_struct *mm, unsigned long address)
{
	struct vm_area_struct *vma;

	rcu_read_lock();
	vma = find_it(mm, address);
	if (!vma) {
${unlockOnMiss ? '\t\trcu_read_unlock();\n' : ''}		goto inval;
	}
	vma_start_read_it(vma);
${unlockOnHit ? '\trcu_read_unlock();\n' : ''}	return vma;
inval:
	count_abort();
	return NULL;
}
`;
  it('an RCU section (not what the function hands its callers) left open on the failing path', () => {
    const p = changePatch(lookup(true, true), lookup(false, true));
    const [f] = expectRule(findings(p), 'bracket/unbalanced', 1);
    assert.match(f.message, /removes `rcu_read_unlock\(\)`/);
    expectClean(findings(changePatch(lookup(true, true), lookup(true, true).replace('count_abort();', 'count_abort(mm);'))), ['bracket']);
  });
  const walk = (unlockOnMiss: boolean) => `
struct folio *folio_walk_start(struct folio_walk *fw, struct vm_area_struct *vma, unsigned long addr, int flags)
{
	spinlock_t *ptl;
	struct page *page;

	ptl = pmd_lock(vma->vm_mm, fw->pmdp);
	page = find_page(vma, addr);
	if (!page) {
${unlockOnMiss ? '\t\tspin_unlock(ptl);\n' : ''}		return NULL;
	}
	fw->ptl = ptl;
	return page_folio(page);
}
`;
  it('its own lock, handed to the caller on success, left held where it returns failure', () => {
    const p = changePatch(walk(true), walk(false));
    expectRule(findings(p), 'bracket/unbalanced', 1);
    // the success exit keeps it: that is the function's contract, never judged
    expectClean(findings(addPatch(walk(true))), ['bracket']);
  });
});

describe('differential mode counts a defect by its places', () => {
  const fn = (moved: boolean) => `
static void *alloc_from(struct cache *s, int node)
{
	struct sheaf *pcs;
	void *object;

	rcu_read_lock();
	pcs = refill(s);
	if (!pcs)
		return NULL;
	object = s->objects[s->size - 1];
	if (object_node(object) != node) {
${moved ? '\t\treturn NULL;\n\t\trcu_read_unlock();\n' : '\t\trcu_read_unlock();\n\t\treturn NULL;\n'}	}
	s->size--;
	rcu_read_unlock();
	return object;
}
`;
  it('a second exit leaking the same lock is new although the pre-image leaks it at another `return NULL`', () => {
    const p = changePatch(fn(false), fn(true));
    const all = findings(p, { all: true }).filter((f) => f.rule === 'bracket/unbalanced');
    assert.ok(all.length >= 2, 'both exits leak in the post-image');
    const fs = findings(p).filter((f) => f.rule === 'bracket/unbalanced');
    assert.ok(fs.length >= 1 && fs.every((f) => f.range.start.line + 1 > lineOf(p, 'object = s->objects')), fs.map((f) => `${f.range.start.line + 1}: ${f.message}`).join('\n'));
    // the defect the pre-image already had, alone, is not new
    expectClean(findings(changePatch(fn(false), fn(false).replace('s->size--;', 's->size -= 1;'))), ['bracket']);
  });
});

describe('bracket/unbalanced: released twice inside a catalogued function', () => {
  const body = (twice: boolean) => `
struct vm_area_struct *lock_vma_under_rcu(struct mm_struct *mm, unsigned long address)
{
	struct vm_area_struct *vma;

	rcu_read_lock();
	vma = find_it(mm, address);
	if (!vma) {
		rcu_read_unlock();
${twice ? '\t\trcu_read_unlock();\n' : ''}		return NULL;
	}
	rcu_read_unlock();
	return vma;
}
`;
  it('the RCU section it opens and closes inside (not what it hands its callers) closed twice', () => {
    const p = addPatch(body(true));
    const [f] = expectRule(findings(p), 'bracket/unbalanced', 1);
    assert.equal(f.range.start.line + 1, lineOf(p, 'rcu_read_unlock()', 1));
    expectClean(findings(addPatch(body(false))), ['bracket']);
  });
});

describe('bracket/unbalanced: an error return added inside a section whose release is in view, the end not', () => {
  // only the new `return -EINVAL;` leaves in view, holding IRQs off; the restore below it is the
  // function's own way out: nothing says the function returns with IRQs off to a successful caller
  const patch = (added: string[]) =>
    replacePatch(
      'kernel/smp.c',
      `@@ -436,6 +436,${6 + added.length} @@ static int exec_single(int cpu, call_single_data_t *csd)`,
      ['\t\tcsd_lock_record(csd);', '\t\tcsd_unlock(csd);', '\t\tlocal_irq_save(flags);'],
      [],
      added,
      ['\t\tcsd_do_func(func, info, NULL);', '\t\tcsd_lock_record(NULL);', '\t\tlocal_irq_restore(flags);'].map((l) => ` ${l}`),
    ).replace(/^(\t\t(?:csd_lock_record\(csd\)|csd_unlock\(csd\)|local_irq_save\(flags\));)$/gm, ' $1');
  it('`if (!func) return -EINVAL;` after local_irq_save()', () => {
    const p = patch(['\t\tif (WARN_ON_ONCE(!func))', '\t\t\treturn -EINVAL;']);
    const [f] = expectRule(findings(p), 'bracket/unbalanced', 1);
    assert.equal(f.range.start.line + 1, lineOf(p, 'return -EINVAL'));
  });
  it('the same test that restores first is quiet', () => {
    expectClean(findings(patch(['\t\tif (WARN_ON_ONCE(!func)) {', '\t\t\tlocal_irq_restore(flags);', '\t\t\treturn -EINVAL;', '\t\t}'])), ['bracket']);
  });
});

describe('bracket/unbalanced: a way out the patch adds while a lock is held', () => {
  // the function's own release sits behind `out:` under `if (pte)`, so no success exit shows the lock
  // cleanly released; an added `return 0;` holding the PTL is a shortcut past it all the same
  const fn = (check: string) => `
static int unuse_one(struct vm_area_struct *vma, pmd_t *pmd, unsigned long addr, swp_entry_t entry)
{
	spinlock_t *ptl;
	pte_t *pte;
	int ret = 1;

	pte = pte_offset_map_lock(vma->vm_mm, pmd, addr, &ptl);
${check}
	set_pte_at(vma->vm_mm, addr, pte, mk_clean(entry));
out:
	if (pte)
		pte_unmap_unlock(pte, ptl);
	return ret;
}
`;
  const old = '\tif (unlikely(!pte || !pte_same_as_swp(ptep_get(pte), entry))) {\n\t\tret = 0;\n\t\tgoto out;\n\t}';
  it('`if (!pte_same(..)) return 0;` split out of a `goto out` test, the whole function in view', () => {
    const p = changePatch(fn(old), fn('\tif (unlikely(!pte))\n\t\treturn 0;\n\tif (unlikely(!pte_same_as_swp(ptep_get(pte), entry)))\n\t\treturn 0;'));
    const [f] = expectRule(findings(p), 'bracket/unbalanced', 1);
    assert.equal(f.range.start.line + 1, lineOf(p, 'return 0', 1));
    expectClean(findings(changePatch(fn(old), fn('\tif (unlikely(!pte))\n\t\treturn 0;\n\tif (unlikely(!pte_same_as_swp(ptep_get(pte), entry))) {\n\t\tret = 0;\n\t\tgoto out;\n\t}'))), ['bracket']);
  });
  // from the diff alone: `goto out` (a label out of sight) made `return 0;` — the code at `out:` was written for
  // the PTL the goto held there
  const hunk = (to: string[]) =>
    replacePatch(
      'mm/swapfile.c',
      `@@ -2171,11 +2171,${6 + to.length} @@ static int unuse_pte(struct vm_area_struct *vma, pmd_t *pmd,`,
      [' \tpte = pte_offset_map_lock(vma->vm_mm, pmd, addr, &ptl);'],
      ['\tif (unlikely(!pte || !pte_same_as_swp(ptep_get(pte),', '\t\t\t\t\t\tswp_entry_to_pte(entry)))) {', '\t\tret = 0;', '\t\tgoto out;', '\t}'],
      to,
      ['', '\told_pte = ptep_get(pte);', '', '\tif (unlikely(hwpoisoned || !folio_test_uptodate(folio))) {', '\t\tswp_entry_t swp_entry;'].map((l) => ` ${l}`),
    );
  it('a `goto out` to a label out of sight replaced by a return holding the PTL', () => {
    const p = hunk(['\tif (unlikely(!pte))', '\t\treturn 0;', '\tif (unlikely(!pte_same_as_swp(ptep_get(pte), swp_entry_to_pte(entry))))', '\t\treturn 0;']);
    const [f] = expectRule(findings(p), 'bracket/unbalanced', 1);
    assert.equal(f.range.start.line + 1, lineOf(p, 'return 0', 1));
  });
  it('the same split keeping `goto out` is quiet', () => {
    expectClean(findings(hunk(['\tif (unlikely(!pte))', '\t\treturn 0;', '\tif (unlikely(!pte_same_as_swp(ptep_get(pte), swp_entry_to_pte(entry))))', '\t\tgoto out;'])), ['bracket']);
  });
});

describe('bracket/unbalanced: `continue` holding a lock on the loop macro\'s cursor, the unlock out of sight', () => {
  const hunk = (added: string[]) =>
    replacePatch(
      'mm/vmalloc.c',
      `@@ -2950,6 +2950,${6 + added.length} @@ static void _vm_unmap_aliases(unsigned long start, unsigned long end, int flush)`,
      [' \t\trcu_read_lock();', ' \t\txa_for_each(&vbq->vmap_blocks, idx, vb) {', ' \t\t\tspin_lock(&vb->lock);'],
      [],
      added,
      ['', '\t\t\t/*', '\t\t\t * Try to purge a fragmented block first. If it\'s'].map((l) => ` ${l}`),
    );
  it('the next iteration names another block through `vb`: the lock on this one is never released', () => {
    const p = hunk(['\t\t\tif (!vb->dirty)', '\t\t\t\tcontinue;']);
    const [f] = expectRule(findings(p), 'bracket/unbalanced', 1);
    // at the `if` whose arm continues (the one-line `continue` is its statement)
    assert.equal(f.range.start.line + 1, lineOf(p, 'if (!vb->dirty)'));
    assert.match(f.message, /names another object through `vb`/);
  });
  it('unlocking before the continue is quiet', () => {
    expectClean(findings(hunk(['\t\t\tif (!vb->dirty) {', '\t\t\t\tspin_unlock(&vb->lock);', '\t\t\t\tcontinue;', '\t\t\t}'])), ['bracket']);
  });
});
