/**
 * Dataflow refinements of the ref / spec-ref / bracket rules (issue 3 targets):
 * each case is a small real-shaped kernel function run through the engine,
 * with the buggy form flagged and the correct (or mainline) form quiet.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { addPatch, findings, expectRule, expectClean, lineOf } from './helpers';

const REF_CATS = ['ref-balance', 'ref-kind', 'spec-ref', 'bracket', 'atomic-sleep'];

describe('ref-balance refinements', () => {
  it('kvfree() of the pages array does not hand the pins over: partial pin leak through the ladder', () => {
    const code = (target: string) => `
static int pin_range(struct xb *xb, unsigned long uaddr, int nr_pages)
{
	struct page **pages;
	int pinned, ret;

	pages = kvcalloc(nr_pages, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	pinned = pin_user_pages_fast(uaddr, nr_pages, FOLL_WRITE, pages);
	if (pinned < 0) {
		ret = pinned;
		goto free_array;
	}
	if (pinned != nr_pages) {
		ret = -EFAULT;
		goto ${target};
	}
	xb->pages = pages;
	return 0;
unpin:
	unpin_user_pages(pages, pinned);
free_array:
	kvfree(pages);
	return ret;
}
`;
    const p = addPatch(code('free_array'));
    const [f] = expectRule(findings(p), 'ref-balance/leak', 1);
    assert.equal(f.range.start.line + 1, lineOf(p, 'goto free_array', 1));
    expectClean(findings(addPatch(code('unpin'))), REF_CATS);
  });

  it('double put of a single page got through &page, after `ret != 1`', () => {
    const code = (target: string) => `
static int copy_one(unsigned long addr, void *dst, size_t len)
{
	struct page *page;
	int ret;

	ret = get_user_pages_fast(addr, 1, 0, &page);
	if (ret != 1)
		return ret < 0 ? ret : -EFAULT;
	if (PageHighMem(page)) {
		put_page(page);
		ret = -EINVAL;
		goto ${target};
	}
	memcpy(dst, page_address(page), len);
	ret = 0;
out_put:
	put_page(page);
out:
	return ret;
}
`;
    const p = addPatch(code('out_put'));
    const [f] = expectRule(findings(p), 'ref-balance/double-release', 1);
    assert.equal(f.range.start.line + 1, lineOf(p, 'put_page(page);', 1));
    expectClean(findings(addPatch(code('out'))), REF_CATS);
  });

  it('put_page on a page from vm_normal_page() with no get is release-without-acquire; with a get it is fine', () => {
    const code = (get: boolean) => `
static bool page_young(struct vm_area_struct *vma, pmd_t *pmd, unsigned long addr)
{
	struct page *page;
	spinlock_t *ptl;
	bool young = false;
	pte_t *pte;

	pte = pte_offset_map_lock(vma->vm_mm, pmd, addr, &ptl);
	if (!pte)
		return false;
	page = vm_normal_page(vma, addr, ptep_get(pte));
	if (page) {
${get ? '\t\tget_page(page);\n' : ''}		young = PageReferenced(page);
		put_page(page);
	}
	pte_unmap_unlock(pte, ptl);
	return young;
}
`;
    const p = addPatch(code(false));
    const [f] = expectRule(findings(p), 'ref-balance/release-without-acquire', 1);
    assert.match(f.message, /vm_normal_page\(\)/);
    expectClean(findings(addPatch(code(true))), REF_CATS);
  });

  it('a put of a caller-counted page (pfn_to_page) is not flagged', () => {
    expectClean(
      findings(
        addPatch(`
static int mf_dev(unsigned long pfn, int flags)
{
	struct page *page = pfn_to_page(pfn);

	if (flags & MF_COUNT_INCREASED)
		put_page(page);
	return 0;
}
`),
      ),
      REF_CATS,
    );
  });

  it('reassigning the variable after a failed lookup starts a new value', () => {
    expectClean(
      findings(
        addPatch(`
static int fault(struct address_space *mapping, pgoff_t offset)
{
	struct page *page;

	page = find_lock_page(mapping, offset);
	if (!page) {
		page = alloc_page(GFP_KERNEL);
		if (!page)
			return -ENOMEM;
		if (!account(page)) {
			put_page(page);
			return -EIO;
		}
	}
	return 0;
}
`),
      ),
      ['ref-balance'],
    );
  });

  it('v5.17-6.9 try_grab_folio (pointer result) tracks the returned folio: the NULL branch does not leak', () => {
    expectClean(
      findings(
        addPatch(`
static int gup_one(pte_t *ptep, unsigned int flags, struct page **pages, int *nr)
{
	pte_t pte = ptep_get_lockless(ptep);
	struct page *page = pte_page(pte);
	struct folio *folio;

	folio = try_grab_folio(page, 1, flags);
	if (!folio)
		goto out;
	if (unlikely(pte_val(pte) != pte_val(*ptep))) {
		gup_put_folio(folio, 1, flags);
		goto out;
	}
	pages[(*nr)++] = page;
	return 1;
out:
	return 0;
}
`),
        { kernelVersion: '6.9' },
      ),
      REF_CATS,
    );
  });

  it('a conditional release (put_devmap_managed_page_refs) hands over: no revalidation leak, no double put', () => {
    expectClean(
      findings(
        addPatch(`
static struct folio *try_get(struct page *page, int refs)
{
	struct folio *folio;

retry:
	folio = page_folio(page);
	if (unlikely(!folio_ref_try_add_rcu(folio, refs)))
		return NULL;
	if (unlikely(page_folio(page) != folio)) {
		if (!put_devmap_managed_page_refs(&folio->page, refs))
			folio_put_refs(folio, refs);
		goto retry;
	}
	return folio;
}
`),
        { all: true },
      ),
      REF_CATS,
    );
  });
});

describe('ref-kind refinements', () => {
  it('folio_get + gup_put_folio(FOLL_PIN) on a caller folio converts a pin into a ref: quiet', () => {
    expectClean(
      findings(
        addPatch(`
static void convert(struct folio *folio, struct list_head *list)
{
	folio_get(folio);
	gup_put_folio(folio, 1, FOLL_PIN);
	list_add_tail(&folio->lru, list);
}
`),
      ),
      ['ref-kind'],
    );
  });
});

describe('spec-ref refinements', () => {
  const walker = (get: string) => `
static int gup_pte(pte_t *ptep, unsigned int flags, struct page **pages, int *nr)
{
	pte_t pte = ptep_get_lockless(ptep);
	struct page *page = pte_page(pte);
	struct folio *folio;

${get}
	pages[(*nr)++] = page;
	return 1;
}
`;
  it('folio_get on a folio derived (pte_page, page_folio) from a lockless pte read is flagged', () => {
    const p = addPatch(walker('\tfolio = page_folio(page);\n\tfolio_get(folio);'));
    const [f] = expectRule(findings(p), 'spec-ref/get-on-lockless-lookup', 1);
    assert.equal(f.range.start.line + 1, lineOf(p, 'folio_get(folio)'));
  });
  it('...but not in x86 code that relies on IRQs off holding off the TLB-flush IPI', () => {
    // x86 GUP-fast with IRQs off holding off the TLB-flush IPI: the v4.x arch code (judged in its era)
    expectClean(findings(addPatch(walker('\tfolio = page_folio(page);\n\tfolio_get(folio);'), 'arch/x86/mm/gup.c'), { kernelVersion: '4.11' }), ['spec-ref']);
  });
  it('READ_ONCE(*ptep) into a pte_t is a lockless lookup (LocklessIdiom); compound_head is followed', () => {
    const p = addPatch(`
static int gup_pte(pte_t *ptep, struct page **pages, int *nr)
{
	pte_t pte = READ_ONCE(*ptep);
	struct page *page, *head;

	page = pte_page(pte);
	head = compound_head(page);
	if (!page_cache_get_speculative(head))
		return 0;
	pages[(*nr)++] = page;
	return 1;
}
`);
    expectRule(findings(p), 'spec-ref/no-revalidation', 1);
  });
  it('pgmap-hook-skipped is quiet when the speculative get is only on the non-devmap side', () => {
    const code = (guarded: boolean) => `
static int gup_pte(pte_t *ptep, struct page **pages, int *nr)
{
	struct dev_pagemap *pgmap = NULL;
	pte_t pte = gup_get_pte(ptep);
	struct page *page;

	if (pte_devmap(pte)) {
		pgmap = get_dev_pagemap(pte_pfn(pte), pgmap);
		if (!pgmap)
			return 0;
	}
	page = pte_page(pte);
${guarded ? '\tif (pte_devmap(pte)) {\n\t\tget_page(page);\n\t} else {\n' : '\t{\n'}		if (!page_cache_get_speculative(page))
			return 0;
		if (unlikely(pte_val(pte) != pte_val(*ptep))) {
			put_page(page);
			return 0;
		}
	}
	put_dev_pagemap(pgmap);
	pages[(*nr)++] = page;
	return 1;
}
`;
    expectRule(findings(addPatch(code(false), 'arch/x86/mm/gup.c'), { kernelVersion: '4.11' }), 'spec-ref/pgmap-hook-skipped', 1);
    expectClean(findings(addPatch(code(true), 'arch/x86/mm/gup.c'), { kernelVersion: '4.11' }), ['spec-ref']);
  });
});

describe('bracket refinements', () => {
  it('two pte mappings (dst locked, src mapped) pair with their two unmaps', () => {
    expectClean(
      findings(
        addPatch(`
static int copy_ptes(struct mm_struct *dst_mm, struct mm_struct *src_mm, pmd_t *dst_pmd, pmd_t *src_pmd, unsigned long addr)
{
	pte_t *src_pte, *dst_pte;
	spinlock_t *src_ptl, *dst_ptl;

	dst_pte = pte_alloc_map_lock(dst_mm, dst_pmd, addr, &dst_ptl);
	if (!dst_pte)
		return -ENOMEM;
	src_pte = pte_offset_map(src_pmd, addr);
	src_ptl = pte_lockptr(src_mm, src_pmd);
	spin_lock(src_ptl);
	copy_one(dst_pte, src_pte);
	spin_unlock(src_ptl);
	pte_unmap(src_pte);
	pte_unmap_unlock(dst_pte, dst_ptl);
	return 0;
}
`),
      ),
      ['bracket'],
    );
  });
  it('a lock kept in the fault struct is handed to a callee that unlocks it', () => {
    expectClean(
      findings(
        addPatch(`
static int pte_fault(struct vm_fault *vmf)
{
	spin_lock(vmf->ptl);
	if (!pte_same(*vmf->pte, vmf->orig_pte))
		goto unlock;
	if (vmf->flags & FAULT_FLAG_WRITE)
		return do_wp_page(vmf);
unlock:
	pte_unmap_unlock(vmf->pte, vmf->ptl);
	return 0;
}
`),
      ),
      ['bracket'],
    );
  });
  it('a mutex in an array is unlocked by element; leaving it locked on an error path is still flagged', () => {
    const code = (unlock: boolean) => `
static int hfault(struct mm_struct *mm, u32 hash)
{
	int ret;

	mutex_lock(&fault_mutex_table[hash]);
	ret = prepare(mm);
	if (ret)
		${unlock ? 'goto out;' : 'return -EAGAIN;'}
	ret = work(mm);
out:
	mutex_unlock(&fault_mutex_table[hash]);
	return ret;
}
`;
    expectRule(findings(addPatch(code(false))), 'bracket/unbalanced', 1);
    expectClean(findings(addPatch(code(true))), ['bracket']);
  });
  it('a seq_file ->start that returns with the mutex held (never unlocking it) is not unbalanced', () => {
    expectClean(
      findings(
        addPatch(`
static void *swaps_start(struct seq_file *swap, loff_t *pos)
{
	struct swap_info_struct *si;

	mutex_lock(&swapon_mutex);
	if (!*pos)
		return SEQ_START_TOKEN;
	si = first_swap(*pos);
	if (!si)
		return NULL;
	return si;
}
`),
      ),
      ['bracket'],
    );
  });
});

describe('atomic-sleep refinements', () => {
  const code = (open: string, close: string) => `
static int mfill(void *dst, const void __user *src, spinlock_t *lock)
{
	int ret;

	${open};
	ret = copy_from_user(dst, src, PAGE_SIZE);
	${close};
	return ret;
}
`;
  it('copy_from_user under pagefault_disable() does not sleep (it fails fast)', () => {
    expectClean(findings(addPatch(code('pagefault_disable()', 'pagefault_enable()'))), ['atomic-sleep']);
  });
  it('copy_from_user under a spinlock still does', () => {
    expectRule(findings(addPatch(code('spin_lock(lock)', 'spin_unlock(lock)'))), 'atomic-sleep/sleep-in-atomic', 1);
  });
});
