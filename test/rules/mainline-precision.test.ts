/**
 * Precision on whole mainline mm files (issue 3, bench/mainline.js --every):
 * each class of false positive seen on Linux 6.1 mm/*.c, reduced to a small
 * function of the same shape. The mainline form must be quiet; a real bug of
 * the same shape must still be flagged.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { addPatch, findings, expectRule, expectClean, lineOf } from './helpers';

const REF_CATS = ['ref-balance', 'ref-kind', 'spec-ref', 'bracket', 'atomic-sleep'];

describe('mainline precision: gotos', () => {
  it('a backward goto that retries under the lock is a loop, not an exit (scan_swap_map_slots shape); a forward one that leaks is flagged', () => {
    const code = (jump: string) => `
static int scan_slots(struct swap_info_struct *si, unsigned long offset)
{
	int freed;

	spin_lock(&si->lock);
checks:
	if (si->swap_map[offset]) {
		spin_unlock(&si->lock);
		freed = try_reclaim(si, offset);
		spin_lock(&si->lock);
		if (freed)
			goto ${jump};
		offset++;
	}
	si->swap_map[offset] = 1;
	spin_unlock(&si->lock);
	return 0;
fail:
	return -EBUSY;
}
`;
    expectClean(findings(addPatch(code('checks'))), REF_CATS);
    const p = addPatch(code('fail'));
    const hits = findings(p).filter((f) => f.rule === 'bracket/unbalanced');
    assert.ok(hits.some((f) => f.range.start.line + 1 === lineOf(p, 'goto fail')), JSON.stringify(hits.map((f) => f.message)));
  });

  it('a forward goto on a test that is not a failure is a shortcut, not an error path (__zs_map_object shape)', () => {
    const code = (test: string) => `
static void *map_object(struct mapping_area *area, struct page *pages[2], int off)
{
	void *addr;
	char *buf = area->vm_buf;

	pagefault_disable();
	if (${test})
		goto out;
	addr = kmap_atomic(pages[0]);
	memcpy(buf, addr + off, 16);
	kunmap_atomic(addr);
out:
	return area->vm_buf;
}
`;
    // pagefault_disable() handed to the caller on every path (its unmap enables): quiet
    expectClean(findings(addPatch(code('area->vm_mm == ZS_MM_WO'))), REF_CATS);
  });

  it('a conditional forward goto after a failed call is still an error path', () => {
    const code = (unlock: string) => `
static int set_flag(struct foo *foo)
{
	spin_lock(&foo->lock);
	if (!test_ready(foo->id))
		goto out;
	foo->flags |= 1;
	spin_unlock(&foo->lock);
	return 0;
out:
	${unlock}
	return -EAGAIN;
}
`;
    expectRule(findings(addPatch(code(''))), 'bracket/unbalanced', 1);
    expectClean(findings(addPatch(code('spin_unlock(&foo->lock);'))), REF_CATS);
  });
});

describe('mainline precision: path-sensitive unwind ladders', () => {
  it('`if (page && !IS_ERR(page)) kunmap(page)` in the ladder releases a held mapping (sys_swapon shape); a ladder without it leaks', () => {
    const code = (ladder: string) => `
static int swapon(struct file *swap_file, struct address_space *mapping)
{
	struct page *page = NULL;
	union swap_header *hdr;
	int error;

	page = read_mapping_page(mapping, 0, swap_file);
	if (IS_ERR(page)) {
		error = PTR_ERR(page);
		goto bad_swap;
	}
	hdr = kmap(page);
	if (!check_header(hdr)) {
		error = -EINVAL;
		goto bad_swap;
	}
	error = setup(hdr);
	if (error)
		goto bad_swap;
	kunmap(page);
	put_page(page);
	return 0;
bad_swap:
${ladder}
	return error;
}
`;
    expectClean(findings(addPatch(code('\tif (page && !IS_ERR(page)) {\n\t\tkunmap(page);\n\t\tput_page(page);\n\t}'))), REF_CATS);
    const p = addPatch(code('\tif (page && !IS_ERR(page))\n\t\tput_page(page);'));
    expectRule(findings(p), 'bracket/unbalanced', 2);
  });

  it('`if (file) fput(file)` at the label releases the fget() reference (ksys_mmap_pgoff shape)', () => {
    const code = (ladder: string) => `
unsigned long mmap_pgoff(unsigned long addr, unsigned long len, unsigned long flags, unsigned long fd)
{
	struct file *file = NULL;
	unsigned long retval;

	if (!(flags & MAP_ANONYMOUS)) {
		file = fget(fd);
		if (!file)
			return -EBADF;
		if (flags & MAP_HUGETLB) {
			retval = -EINVAL;
			goto out_fput;
		}
	}
	retval = vm_mmap_pgoff(file, addr, len, flags);
out_fput:
${ladder}
	return retval;
}
`;
    expectClean(findings(addPatch(code('\tif (file)\n\t\tfput(file);'))), REF_CATS);
    // a ladder that tests something else does not release it on every path
    const p = addPatch(code('\tif (flags & MAP_SHARED)\n\t\tfput(file);'));
    expectRule(findings(p), 'ref-balance/leak', 1);
  });

  it('a lock taken under `if (check_refs)` and dropped under the same test is balanced (__buffer_migrate_folio shape)', () => {
    const code = (guard: string) => `
static int migrate_buffers(struct address_space *mapping, struct folio *dst, struct folio *src, bool check_refs)
{
	int rc;

	if (check_refs) {
		spin_lock(&mapping->private_lock);
		if (buffers_busy(src)) {
			rc = -EAGAIN;
			goto unlock_buffers;
		}
	}
	rc = folio_migrate_mapping(mapping, dst, src, 0);
	if (rc != MIGRATEPAGE_SUCCESS)
		goto unlock_buffers;
	rc = MIGRATEPAGE_SUCCESS;
unlock_buffers:
	if (${guard})
		spin_unlock(&mapping->private_lock);
	return rc;
}
`;
    expectClean(findings(addPatch(code('check_refs'))), REF_CATS);
    expectRule(findings(addPatch(code('rc == MIGRATEPAGE_SUCCESS'))), 'bracket/unbalanced', 1);
  });
});

describe('mainline precision: which key a release drops', () => {
  it('pmd_lock(), spin_unlock, spin_lock, spin_unlock on the same ptl is not a double unlock (collapse_huge_page shape); a real second unlock is', () => {
    const code = (relock: string) => `
static void collapse(struct mm_struct *mm, pmd_t *pmd, unsigned long address)
{
	spinlock_t *pmd_ptl;
	pmd_t _pmd;

	pmd_ptl = pmd_lock(mm, pmd);
	_pmd = pmdp_collapse_flush(mm, address, pmd);
	spin_unlock(pmd_ptl);
	flush_work(mm);
	${relock}
	pmd_populate(mm, pmd, pmd_pgtable(_pmd));
	spin_unlock(pmd_ptl);
}
`;
    expectClean(findings(addPatch(code('spin_lock(pmd_ptl);'))), REF_CATS);
    expectRule(findings(addPatch(code(''))), 'bracket/unbalanced', 1);
  });

  it('two pte maps, neither result tested, then two unmaps: not a double unmap (move_ptes shape); three unmaps are', () => {
    const code = (extra: string) => `
static void move_ptes(struct mm_struct *mm, pmd_t *old_pmd, pmd_t *new_pmd, unsigned long old_addr, unsigned long new_addr)
{
	pte_t *old_pte, *new_pte;
	spinlock_t *old_ptl;

	old_pte = pte_offset_map_lock(mm, old_pmd, old_addr, &old_ptl);
	new_pte = pte_offset_map(new_pmd, new_addr);
	set_pte_at(mm, new_addr, new_pte, ptep_get_and_clear(mm, old_addr, old_pte));
	pte_unmap(new_pte);
	pte_unmap_unlock(old_pte, old_ptl);
	${extra}
}
`;
    expectClean(findings(addPatch(code(''))), REF_CATS);
    expectRule(findings(addPatch(code('pte_unmap(new_pte);'))), 'bracket/unbalanced', 1);
  });

  it('an ERR_PTR-returning lookup is tested only by IS_ERR/NULL tests, not by any call on the folio (shmem_unused_huge_shrink shape)', () => {
    const code = (extra: string) => `
static int split_tail(struct inode *inode, pgoff_t index)
{
	struct folio *folio;

	folio = filemap_get_folio(inode->i_mapping, index);
	if (IS_ERR(folio)) {
		${extra}
		return 0;
	}
	if (!folio_test_large(folio)) {
		folio_put(folio);
		return 0;
	}
	if (!folio_trylock(folio)) {
		folio_put(folio);
		return -EAGAIN;
	}
	split_folio(folio);
	folio_unlock(folio);
	folio_put(folio);
	return 1;
}
`;
    expectClean(findings(addPatch(code(''))), REF_CATS);
    // putting the folio the failed lookup never returned is still flagged
    expectRule(findings(addPatch(code('folio_put(folio);'))), 'ref-balance/release-without-acquire', 1);
  });
});

describe('mainline precision: references handed through a return value', () => {
  it('`file = get_file(vma->vm_file)` then fput(file) on every path is balanced (sys_remap_file_pages shape); a path without fput leaks', () => {
    const code = (onBusy: string) => `
static long remap(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long prot, unsigned long flags)
{
	struct file *file;
	long ret;

	file = get_file(vma->vm_file);
	mmap_read_unlock(mm);
	ret = security_mmap_prot(prot, flags);
	if (ret) {
		fput(file);
		return ret;
	}
	if (mmap_write_lock_killable(mm)) {
		${onBusy}
		return -EINTR;
	}
	ret = do_mmap(file, prot, flags);
	mmap_write_unlock(mm);
	fput(file);
	return ret;
}
`;
    expectClean(findings(addPatch(code('fput(file);'))), REF_CATS);
    const p = addPatch(code(''));
    const [f] = expectRule(findings(p), 'ref-balance/leak', 1);
    assert.equal(f.range.start.line + 1, lineOf(p, 'return -EINTR'));
    assert.match(f.message, /`file`/);
  });
});

describe('mainline precision: a reference handed on under another name of the page', () => {
  it('the pfn of a GUP page given to a callee with MF_COUNT_INCREASED hands the reference over (madvise_inject_error shape); a path that never hands it on leaks', () => {
    const code = (handOn: string) => `
static int inject_one(unsigned long start, int flags)
{
	unsigned long pfn;
	struct page *page;
	int ret;

	ret = get_user_pages_fast(start, 1, 0, &page);
	if (ret != 1)
		return ret;
	pfn = page_to_pfn(page);
	pr_info("injecting at pfn %#lx", pfn);
	${handOn}
	if (ret)
		return ret;
	return 0;
}
`;
    expectClean(findings(addPatch(code('ret = memory_failure(pfn, flags | MF_COUNT_INCREASED);'))), REF_CATS);
    const p = addPatch(code('ret = check_flags(flags);'));
    const hits = findings(p).filter((f) => f.rule === 'ref-balance/leak');
    assert.ok(hits.length >= 1 && hits.every((f) => /`page`/.test(f.message)), JSON.stringify(hits.map((f) => f.message)));
  });
});

describe('mainline precision: device-page evidence must reach the get', () => {
  it('get_dev_pagemap() on a branch that leaves the function does not make a later page_ref_inc() a pgmap-hook finding (memory_failure shape); on a branch that falls through it does', () => {
    const code = (after: string) => `
static int poison_pfn(unsigned long pfn, int flags)
{
	struct dev_pagemap *pgmap;
	struct page *p;
	int res;

	p = pfn_to_online_page(pfn);
	if (!p) {
		pgmap = get_dev_pagemap(pfn, NULL);
		if (pgmap) {
			res = poison_dev_pagemap(pfn, flags, pgmap);
			return res;
		}
		${after}
	}
	if (take_page_off_buddy(p)) {
		page_ref_inc(p);
		res = 0;
	}
	return res;
}
`;
    // the per-page pgmap reference is a v4.5–v4.12 fact: judged in that era
    expectClean(findings(addPatch(code('return -ENXIO;')), { kernelVersion: '4.11' }), ['spec-ref']);
    expectRule(findings(addPatch(code('p = pfn_to_page(pfn);')), { kernelVersion: '4.11' }), 'spec-ref/pgmap-hook-skipped', 1);
  });
});

describe('mainline precision: locks returned to the caller', () => {
  it('a lock function that drops the lock only to retry returns it held, IRQ state included (folio_memcg_lock shape); an early error return that keeps it is still flagged', () => {
    const code = (early: string) => `
void memcg_lock(struct folio *folio)
{
	struct mem_cgroup *memcg;
	unsigned long flags;

	rcu_read_lock();
again:
	memcg = folio_memcg(folio);
	if (unlikely(!memcg))
		return;
	spin_lock_irqsave(&memcg->move_lock, flags);
	${early}
	if (memcg != folio_memcg(folio)) {
		spin_unlock_irqrestore(&memcg->move_lock, flags);
		goto again;
	}
	memcg->move_lock_flags = flags;
}
`;
    expectClean(findings(addPatch(code(''))), ['bracket']);
    // the same function with an unlocking success path: the error return that keeps the lock leaks
    const bad = code('if (memcg->dying)\n\t\treturn;\n\tif (memcg->idle) {\n\t\tspin_unlock_irqrestore(&memcg->move_lock, flags);\n\t\treturn;\n\t}');
    const p = addPatch(bad);
    assert.ok(findings(p).some((f) => f.rule === 'bracket/unbalanced' && f.range.start.line + 1 === lineOf(p, 'return;', 1)), JSON.stringify(findings(p).map((f) => f.message)));
  });
});

describe('mainline precision: summaries of the document\'s own functions', () => {
  const helpers = (unlocks: boolean) => `
static vm_fault_t handle_userfault(struct vm_fault *vmf, u32 hash)
{
	${unlocks ? 'mutex_unlock(&fault_mutex_table[hash]);' : 'vmf->flags |= 1;'}
	return deliver_userfault(vmf);
}

static vm_fault_t no_page(struct vm_fault *vmf, u32 hash)
{
	vm_fault_t ret = 0;

	if (vmf->flags & FAULT_FLAG_USER)
		return handle_userfault(vmf, hash);
	ret = alloc_and_map(vmf);
	mutex_unlock(&fault_mutex_table[hash]);
	return ret;
}
`;
  const caller = `
vm_fault_t do_fault(struct vm_fault *vmf, u32 hash)
{
	mutex_lock(&fault_mutex_table[hash]);
	if (pte_none(vmf->orig_pte))
		return no_page(vmf, hash);
	mutex_unlock(&fault_mutex_table[hash]);
	return 0;
}
`;
  it('a call to a same-file helper that unlocks (through another helper) releases the caller\'s lock (hugetlb_fault -> hugetlb_no_page -> hugetlb_handle_userfault shape)', () => {
    expectClean(findings(addPatch(helpers(true) + caller)), ['bracket']);
  });
  it('a helper that unlocks on some paths only leaves the lock state unknown to the caller: the caller is not flagged (hmm_vma_handle_pte shape)', () => {
    const p = addPatch(helpers(false) + caller);
    const hits = findings(p).filter((f) => f.rule === 'bracket/unbalanced' && f.range.start.line + 1 === lineOf(p, 'return no_page(vmf, hash)'));
    assert.deepEqual(hits.map((f) => f.message), []);
  });
  it('a helper that takes a lock on every path (double_pt_lock shape, pointers swapped) is an acquire for the caller: the caller that forgets the unlock is flagged, the one that unlocks is clean', () => {
    const helper = `
static void double_lock(spinlock_t *a, spinlock_t *b)
{
	if (a > b)
		swap(a, b);
	spin_lock(a);
	if (a != b)
		spin_lock_nested(b, SINGLE_DEPTH_NESTING);
}

static void double_unlock(spinlock_t *a, spinlock_t *b)
{
	spin_unlock(a);
	if (a != b)
		spin_unlock(b);
}
`;
    const user = (unlock: string) => `
static int move_one(spinlock_t *dst, spinlock_t *src, int busy)
{
	double_lock(dst, src);
	if (busy) {
		${unlock}
		return -EAGAIN;
	}
	double_unlock(dst, src);
	return 0;
}
`;
    expectClean(findings(addPatch(helper + user('double_unlock(dst, src);'))), ['bracket']);
    const p = addPatch(helper + user(''));
    const hits = findings(p).filter((f) => f.rule === 'bracket/unbalanced');
    assert.ok(hits.some((f) => f.range.start.line + 1 === lineOf(p, 'return -EAGAIN')), JSON.stringify(hits.map((f) => f.message)));
  });
});

describe('mainline precision: tail calls take over a lock on a derived page', () => {
  it('`head = compound_head(p); lock_page(head); ... return identify(pfn, p)` hands the lock to the callee (try_memory_failure_hugetlb shape); returning without the call is flagged', () => {
    const code = (tail: string) => `
static int try_poison(unsigned long pfn, struct page *p, int flags)
{
	struct page *head;

	head = compound_head(p);
	lock_page(head);
	if (hwpoison_filter(p)) {
		unlock_page(head);
		return -EOPNOTSUPP;
	}
	if (page_is_free(head)) {
		unlock_page(head);
		return 0;
	}
	if (!unmap_mappings(p, pfn, flags)) {
		unlock_page(head);
		return -EBUSY;
	}
	${tail}
}
`;
    expectClean(findings(addPatch(code('return identify_page_state(pfn, p, flags);'))), ['bracket']);
    const p = addPatch(code('return classify(pfn, flags);'));
    expectRule(findings(p), 'bracket/unbalanced', 1);
  });
});

describe('mainline recall kept: mutants of mainline functions', () => {
  it('`goto again` with the lock still held re-takes it: self-deadlock (memcg/shmem retry shape); unlocking first is quiet', () => {
    const code = (unlock: string) => `
static void *pool_alloc(struct pool *pool)
{
	void *element;
	unsigned long flags;

repeat:
	spin_lock_irqsave(&pool->lock, flags);
	if (pool->curr_nr) {
		element = pool->elements[--pool->curr_nr];
		spin_unlock_irqrestore(&pool->lock, flags);
		return element;
	}
	if (pool->refill) {
		${unlock}
		pool->refill = false;
		goto repeat;
	}
	spin_unlock_irqrestore(&pool->lock, flags);
	return NULL;
}
`;
    expectClean(findings(addPatch(code('spin_unlock_irqrestore(&pool->lock, flags);'))), ['bracket']);
    const p = addPatch(code(''));
    const hits = findings(p).filter((f) => f.rule === 'bracket/unbalanced');
    assert.ok(hits.some((f) => f.range.start.line + 1 === lineOf(p, 'goto repeat') && /deadlock/.test(f.message)), JSON.stringify(hits.map((f) => f.message)));
  });

  it('a conditional lock kept through a forward goto to the common exit, while the other path arrives unlocked, is flagged (mincore_pte_range mutant)', () => {
    const code = (unlock: string) => `
static int range_walk(pmd_t *pmd, struct vm_area_struct *vma, unsigned char *vec, int nr)
{
	spinlock_t *ptl;
	pte_t *ptep;

	ptl = pmd_trans_huge_lock(pmd, vma);
	if (ptl) {
		memset(vec, 1, nr);
		${unlock}
		goto out;
	}
	ptep = pte_offset_map_lock(vma->vm_mm, pmd, 0, &ptl);
	walk_ptes(ptep, vec, nr);
	pte_unmap_unlock(ptep, ptl);
out:
	cond_resched();
	return 0;
}
`;
    expectClean(findings(addPatch(code('spin_unlock(ptl);'))), ['bracket']);
    const p = addPatch(code(''));
    const [f] = expectRule(findings(p), 'bracket/unbalanced', 1);
    assert.equal(f.range.start.line + 1, lineOf(p, 'goto out'));
  });

  it('a lookup tested only for NULL (filemap_get_folio before v6.3) holds the folio on the non-NULL side: a missing put on an early exit leaks (shmem_unused_huge_shrink mutant)', () => {
    const code = (put: string) => `
static int tail_is_huge(struct inode *inode, pgoff_t index)
{
	struct folio *folio;

	folio = filemap_get_folio(inode->i_mapping, index);
	if (!folio)
		return -ENOENT;
	if (!folio_test_large(folio)) {
		${put}
		return -EINVAL;
	}
	folio_put(folio);
	return 0;
}
`;
    expectClean(findings(addPatch(code('folio_put(folio);'))), REF_CATS);
    const p = addPatch(code(''));
    const [f] = expectRule(findings(p), 'ref-balance/leak', 1);
    assert.equal(f.range.start.line + 1, lineOf(p, 'return -EINVAL'));
  });
});

describe('mainline precision: current mainline mm/memory.c', () => {
  it('a shared error label that unlocks under `if (fault->map)` credits the unlock where the map (a member lvalue) succeeded; forgetting the map first leaks', () => {
    const code = (forget: string) => `
static int map_and_check(struct fault_ctx *fc, struct vm_area_struct *vma, int busy)
{
	int ret = 0;

	fc->map = pte_offset_map_lock(vma->vm_mm, fc->pmd, fc->addr, &fc->lock);
	if (!fc->map || !pte_same(ptep_get(fc->map), fc->want))
		goto out_nomap;
	if (busy) {
		ret = -EBUSY;
		${forget}
		goto out_nomap;
	}
	pte_unmap_unlock(fc->map, fc->lock);
	return 0;
out_nomap:
	if (fc->map)
		pte_unmap_unlock(fc->map, fc->lock);
	return ret;
}
`;
    expectClean(findings(addPatch(code(''))), REF_CATS);
    // the same shape with a local result variable
    expectClean(findings(addPatch(code('').replace(/fc->map/g, 'map'))), REF_CATS);
    const p = addPatch(code('fc->map = NULL;'));
    const hits = findings(p).filter((f) => f.rule === 'bracket/unbalanced');
    assert.ok(hits.some((f) => f.range.start.line + 1 === lineOf(p, 'goto out_nomap', 1)), JSON.stringify(hits.map((f) => f.message)));
  });

  it('two PTE tables mapped in one function are two brackets, keyed by their pointers: unmapping the first when the second fails is complete; forgetting it leaks', () => {
    const code = (undo: string) => `
static int copy_table(struct mm_struct *mm, pmd_t *to_pmd, pmd_t *from_pmd, unsigned long addr)
{
	pte_t *from, *to;
	spinlock_t *from_lock, *to_lock;
	pmd_t seen;
	int err = 0;

	to = pte_alloc_map_lock(mm, to_pmd, addr, &to_lock);
	if (!to) {
		err = -ENOMEM;
		goto out;
	}
	from = pte_offset_map_rw_nolock(mm, from_pmd, addr, &seen, &from_lock);
	if (!from) {
		${undo}
		err = -EAGAIN;
		goto out;
	}
	spin_lock_nested(from_lock, SINGLE_DEPTH_NESTING);
	copy_entries(to, from);
	pte_unmap_unlock(from, from_lock);
	pte_unmap_unlock(to, to_lock);
out:
	return err;
}
`;
    expectClean(findings(addPatch(code('pte_unmap_unlock(to, to_lock);'))), REF_CATS);
    const p = addPatch(code(''));
    const hits = findings(p).filter((f) => f.rule === 'bracket/unbalanced');
    assert.ok(hits.some((f) => f.range.start.line + 1 === lineOf(p, 'goto out', 1)), JSON.stringify(hits.map((f) => f.message)));
  });

  it('an outer lock that may be the same lock as the table lock (`if (tl != outer) spin_unlock(outer)` after unlocking the table) is released; a ladder that never drops the outer lock leaks', () => {
    const code = (drop: string) => `
static int drop_if_empty(struct mm_struct *mm, pmd_t *pmd, unsigned long addr)
{
	spinlock_t *outer, *tl = NULL;
	pte_t *first;
	pmd_t val;

	outer = pmd_lock(mm, pmd);
	first = pte_offset_map_rw_nolock(mm, pmd, addr, &val, &tl);
	if (!first)
		goto out_locked;
	if (tl != outer)
		spin_lock_nested(tl, SINGLE_DEPTH_NESTING);
	if (!table_empty(first))
		goto out_locked;
	pte_unmap(first);
	if (tl != outer)
		spin_unlock(tl);
	spin_unlock(outer);
	return 1;
out_locked:
	if (first)
		pte_unmap_unlock(first, tl);
	${drop}
	return 0;
}
`;
    expectClean(findings(addPatch(code('if (tl != outer)\n\t\tspin_unlock(outer);'))), REF_CATS);
    expectClean(findings(addPatch(code('if (outer != tl)\n\t\tspin_unlock(outer);'))), REF_CATS);
    const p = addPatch(code(''));
    const hits = findings(p).filter((f) => f.rule === 'bracket/unbalanced' && f.message.includes('`outer`'));
    assert.ok(hits.some((f) => f.range.start.line + 1 === lineOf(p, 'goto out_locked', 1)), JSON.stringify(hits.map((f) => f.message)));
  });

  it('a pte read in a helper whose every caller in the document holds the page-table lock is not a lockless lookup; a caller that only maps the table makes it one, named as written', () => {
    const code = (map: string, unmap: string) => `
static int copy_one(struct mm_struct *mm, pte_t *src, unsigned long addr)
{
	pte_t entry = ptep_get(src);
	struct page *page = vm_normal_page_pte(entry);
	struct folio *folio;

	if (!page)
		return 0;
	folio = page_folio(page);
	folio_get(folio);
	return 1;
}

static int copy_range(struct mm_struct *mm, pmd_t *pmd, unsigned long addr)
{
	spinlock_t *ptl;
	pte_t *pte;
	int n;

	pte = ${map};
	if (!pte)
		return -EAGAIN;
	n = copy_one(mm, pte, addr);
	${unmap};
	return n;
}
`;
    expectClean(findings(addPatch(code('pte_offset_map_lock(mm, pmd, addr, &ptl)', 'pte_unmap_unlock(pte, ptl)'))), REF_CATS);
    const p = addPatch(code('pte_offset_map(pmd, addr)', 'pte_unmap(pte)'));
    const [f] = expectRule(findings(p), 'spec-ref/get-on-lockless-lookup', 1);
    assert.equal(f.range.start.line + 1, lineOf(p, 'folio_get(folio)'));
    assert.match(f.message, /lockless lookup ptep_get\(src\) at /);
  });
});
