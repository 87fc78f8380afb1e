/**
 * Mechanisms found missing by an independent probe (40 format-patch mails
 * written against v6.19 functions by someone who had not read the engine:
 * 30 with one planted bug, 10 correct refactors; docs/evaluation.md,
 * "Independent probe, sixth session"). Each mechanism is reduced to a small
 * function of the same shape, written here: the correct form must be quiet,
 * the buggy one flagged.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { addPatch, changePatch, findings, expectFlagged } from './helpers';
import { analyze } from 'mm-review-server/engine/index';

const serious = (p: string) => findings(p).filter((f) => f.severity === 'error' || f.severity === 'warning');
function expectQuiet(p: string): void {
  assert.deepEqual(serious(p).map((f) => `${f.rule}: ${f.message}`), []);
}

describe('a release replaced by a call on the object and a release of another kind', () => {
  const before = `
static int drop_one(unsigned long pfn, int prot)
{
	struct page *page = pfn_to_page(pfn);

	unpin_user_pages_dirty_lock(&page, 1, prot & 2);
	return 1;
}
`;
  it('unpin_user_pages_dirty_lock(&page, ..) -> set_page_dirty_lock(page); put_page(page): the put is paired with the unpin', () => {
    const p = changePatch(before, before.replace('\tunpin_user_pages_dirty_lock(&page, 1, prot & 2);', '\tif (prot & 2)\n\t\tset_page_dirty_lock(page);\n\tput_page(page);'));
    expectFlagged(p, 'ref-kind/mismatched-release', '+\tput_page(page);');
  });
  it('... -> set_page_dirty_lock(page); unpin_user_page(page): the same kind, quiet', () => {
    expectQuiet(changePatch(before, before.replace('\tunpin_user_pages_dirty_lock(&page, 1, prot & 2);', '\tif (prot & 2)\n\t\tset_page_dirty_lock(page);\n\tunpin_user_page(page);')));
  });
});

describe('a release replaced by one that drops another number of references', () => {
  const before = `
static void remove_entry(struct address_space *mapping, struct folio *folio)
{
	long nr = folio_nr_pages(folio);

	xa_lock_irq(&mapping->i_pages);
	mapping->nrpages -= nr;
	xa_unlock_irq(&mapping->i_pages);
	folio_put_refs(folio, nr);
}
`;
  it('folio_put_refs(folio, nr) -> folio_put(folio) is flagged', () => {
    expectFlagged(changePatch(before, before.replace('folio_put_refs(folio, nr);', 'folio_put(folio);')), 'ref-kind/mismatched-release', '+\tfolio_put(folio);');
  });
  it('folio_put_refs(folio, 1) -> folio_put(folio) drops the same number: quiet', () => {
    const one = before.replace('folio_put_refs(folio, nr);', 'folio_put_refs(folio, 1);');
    expectQuiet(changePatch(one, one.replace('folio_put_refs(folio, 1);', 'folio_put(folio);')));
  });
  it('the patch also changes what is taken on the object (folio_ref_add(folio, nr) -> folio_get(folio)): quiet', () => {
    const a = before.replace('\txa_lock_irq(', '\tfolio_ref_add(folio, nr);\n\txa_lock_irq(');
    const b = a.replace('folio_ref_add(folio, nr);', 'folio_get(folio);').replace('folio_put_refs(folio, nr);', 'folio_put(folio);');
    expectQuiet(changePatch(a, b));
  });
});

describe('a speculative get deleted in one place and a plain get on the same object added in another', () => {
  // two runs of one hunk, with context between them (as git writes it)
  const patch = (tail: string[]) =>
    [
      'diff --git a/mm/test.c b/mm/test.c',
      '--- a/mm/test.c',
      '+++ b/mm/test.c',
      `@@ -1,${16 + tail.length} +1,${13 + tail.length} @@`,
      ' static bool take_off_lru(struct lruvec *lruvec, struct folio *folio)',
      ' {',
      ' \tif (folio_test_unevictable(folio))',
      ' \t\treturn false;',
      ' ',
      '-\t/* raced with the final put */',
      '-\tif (!folio_try_get(folio))',
      '-\t\treturn false;',
      '-',
      ' \t/* raced with another isolation */',
      ' \tif (!folio_test_clear_lru(folio))',
      ' \t\treturn false;',
      ' ',
      '+\tfolio_get(folio);',
      ...tail.map((l) => ' ' + l),
      ' \tlruvec_del_folio(lruvec, folio);',
      ' \treturn true;',
      ' }',
      '',
    ].join('\n');
  it('folio_try_get() above -> folio_get() below the test (another run of the hunk) is flagged', () => {
    expectFlagged(patch([]), 'spec-ref/get-on-lockless-lookup', '+\tfolio_get(folio);');
  });
  it('a folio_try_get() of the object still in the function: not a conversion, quiet', () => {
    const p = patch(['\tif (!folio_try_get(folio))', '\t\treturn false;']);
    assert.equal(serious(p).filter((f) => f.rule === 'spec-ref/get-on-lockless-lookup').length, 0, JSON.stringify(serious(p).map((f) => f.message)));
  });
});

describe('a lock held on the first pass and handed to a helper only on the retry path', () => {
  const code = (early: string) => `
static long find_pfn(struct mm_struct *mm, unsigned long vaddr, unsigned long *pfn)
{
	struct vm_area_struct *vma;
	long ret;

	mmap_read_lock(mm);
	vaddr = untag_remote(mm, vaddr);
retry:
	vma = vma_lookup(mm, vaddr);
${early}
	ret = fault_in_pfn(vma, mm, vaddr, pfn);
	if (ret == -EAGAIN)
		goto retry;
	mmap_read_unlock(mm);
	return ret;
}
`;
  it('a return before the helper on the first pass is flagged (the transform of vaddr hands nothing over)', () => {
    const p = addPatch(code('\tif (!vma)\n\t\treturn -EFAULT;'));
    expectFlagged(p, 'bracket/unbalanced', '+\t\treturn -EFAULT;');
  });
  it('a return after the helper on every path: the helper may have dropped the lock, quiet', () => {
    const p = addPatch(code('').replace('\tif (ret == -EAGAIN)\n\t\tgoto retry;', '\tif (ret == -EAGAIN)\n\t\tgoto retry;\n\tif (ret < 0)\n\t\treturn ret;'));
    assert.equal(serious(p).filter((f) => f.rule === 'bracket/unbalanced').length, 0, JSON.stringify(serious(p).map((f) => f.message)));
  });
});

describe('a helper handed a GFP mask that allows direct reclaim, under a spinlock', () => {
  const code = (call: string) => `
static void queue_overflow(struct ring_ctx *ctx, struct cqe *cqe)
{
	struct overflow_cqe *ocqe;
	gfp_t gfp;

	spin_lock(&ctx->completion_lock);
${call}
	add_overflow(ctx, ocqe);
	spin_unlock(&ctx->completion_lock);
}
`;
  it('alloc_ocqe(ctx, cqe, GFP_KERNEL) under the lock is flagged', () => {
    expectFlagged(addPatch(code('\tocqe = alloc_ocqe(ctx, cqe, GFP_KERNEL);')), 'atomic-sleep/sleep-in-atomic', '+\tocqe = alloc_ocqe(ctx, cqe, GFP_KERNEL);');
  });
  for (const call of [
    '\tocqe = alloc_ocqe(ctx, cqe, GFP_ATOMIC);',
    '\tocqe = alloc_ocqe(ctx, cqe, GFP_KERNEL & ~__GFP_DIRECT_RECLAIM);',
    '\tgfp = mapping_gfp_constraint(ctx->mapping, GFP_KERNEL);\n\tocqe = NULL;',
    '\tif (gfpflags_allow_blocking(GFP_KERNEL))\n\t\tocqe = NULL;',
  ])
    it(`quiet: ${call.trim().split('\n')[0]}`, () => expectQuiet(addPatch(code(call))));
});

describe('iput() under a spinlock', () => {
  const code = (body: string) => `
static void shrink_list(struct sb_info *sbinfo, struct inode *inode)
{
	spin_lock(&sbinfo->shrinklist_lock);
${body}
}
`;
  it('iput() before the unlock is flagged', () => {
    expectFlagged(addPatch(code('\tlist_del_init(&inode->i_lru);\n\tiput(inode);\n\tspin_unlock(&sbinfo->shrinklist_lock);')), 'atomic-sleep/sleep-in-atomic', '+\tiput(inode);');
  });
  it('iput() after the unlock is quiet', () => {
    expectQuiet(addPatch(code('\tlist_del_init(&inode->i_lru);\n\tspin_unlock(&sbinfo->shrinklist_lock);\n\tiput(inode);')));
  });
});

describe('expand_stack() drops mmap_lock when it fails (v6.5+)', () => {
  it('returning after a failed expand_stack() is not a leak of mmap_lock', () => {
    const p = addPatch(`
static int access_remote(struct mm_struct *mm, unsigned long addr)
{
	if (mmap_read_lock_killable(mm))
		return 0;
	addr = untag_remote(mm, addr);
	if (!vma_lookup(mm, addr) && !expand_stack(mm, addr))
		return 0;
	do_access(mm, addr);
	mmap_read_unlock(mm);
	return 1;
}
`);
    assert.equal(serious(p).filter((f) => f.rule === 'bracket/unbalanced').length, 0, JSON.stringify(serious(p).map((f) => f.message)));
  });
});

describe('a function whose declarator is followed by a blank line before its body (mm/madvise.c style)', () => {
  const code = (call: string) => `
static int free_range(pmd_t *pmd, unsigned long addr,
		      unsigned long end, struct mm_walk *walk)

{
	spinlock_t *ptl;
	pte_t *pte;
	struct folio *folio;

	pte = pte_offset_map_lock(walk->mm, pmd, addr, &ptl);
	if (!pte)
		return 0;
	folio = next_folio(pte);
${call}
	pte_unmap_unlock(pte, ptl);
	return 0;
}
`;
  it('is rebuilt and analysed: folio_lock() under the page-table lock is flagged', () => {
    expectFlagged(addPatch(code('\tfolio_lock(folio);\n\tfolio_unlock(folio);')), 'atomic-sleep/sleep-in-atomic', '+\tfolio_lock(folio);');
  });
  it('folio_trylock() there is quiet', () => {
    expectQuiet(addPatch(code('\tif (folio_trylock(folio))\n\t\tfolio_unlock(folio);')));
  });
});

describe('kernel-tree mode: the same-file helpers the patch does not touch are summarised from the tree', () => {
  const file = (helperBody: string) =>
    [
      'static void settle(struct foo *f)',
      '{',
      helperBody,
      '}',
      '',
      'static int update(struct foo *f)',
      '{',
      '\tint err = 0;',
      '',
      '\tspin_lock(&f->lock);',
      '\tf->count++;',
      '\tf->seen = 1;',
      '\tspin_unlock(&f->lock);',
      '\treturn err;',
      '}',
      '',
    ].join('\n');
  // the patch moves the helper's call under the lock; the helper's body is not in the patch
  const patch = [
    'diff --git a/mm/foo.c b/mm/foo.c',
    '--- a/mm/foo.c',
    '+++ b/mm/foo.c',
    '@@ -10,4 +10,5 @@ static int update(struct foo *f)',
    ' \tspin_lock(&f->lock);',
    ' \tf->count++;',
    '+\tsettle(f);',
    ' \tf->seen = 1;',
    ' \tspin_unlock(&f->lock);',
    '',
  ].join('\n');
  const run = (helperBody: string) => {
    const text = file(helperBody);
    return analyze(patch, 'p.patch', { treeFile: (p: string) => (p === 'mm/foo.c' ? text : undefined) });
  };
  it('a helper that always sleeps (mutex_lock) called under the spinlock is flagged, naming the helper', () => {
    const a = run('\tmutex_lock(&f->mutex);\n\tf->settled = 1;\n\tmutex_unlock(&f->mutex);');
    assert.equal(a.functions[0].source, 'tree');
    const f = a.findings.find((x) => x.rule === 'atomic-sleep/sleep-in-atomic');
    assert.ok(f, JSON.stringify(a.findings.map((x) => x.message)));
    assert.match(f.message, /settle\(\) may sleep \(settle\(\) -> mutex_lock\(\)\)/);
  });
  it('a helper that does not sleep is quiet', () => {
    const a = run('\tf->settled = 1;');
    assert.equal(a.findings.filter((x) => x.rule === 'atomic-sleep/sleep-in-atomic').length, 0);
  });
  it('without the tree the helper is unknown: quiet', () => {
    const a = analyze(patch, 'p.patch');
    assert.equal(a.findings.filter((x) => x.rule === 'atomic-sleep/sleep-in-atomic').length, 0);
  });
});

describe('real fixes kept out of development (bench/realfix.js --data): a GFP mask turned blocking, a heading without its return type, nested-BH local locks', () => {
  // the return type on the line above the name (drivers, fs): git's hunk heading is `name(params)` alone
  const hunk = (from: string, to: string) =>
    [
      'diff --git a/drivers/x/els.c b/drivers/x/els.c',
      '--- a/drivers/x/els.c',
      '+++ b/drivers/x/els.c',
      '@@ -71,7 +71,7 @@ els_io_alloc_size(struct node *node, u32 reqlen, u32 rsplen)',
      ' \t/* now allocate DMA for the request */',
      ' \tels->req.size = reqlen;',
      ' \tels->req.virt = dma_alloc_coherent(&dev->pdev, els->req.size,',
      `-\t\t\t\t\t   &els->req.phys, ${from});`,
      `+\t\t\t\t\t   &els->req.phys, ${to});`,
      ' \tif (!els->req.virt) {',
      ' \t\tmempool_free(els, pool);',
      ' \t\tspin_unlock_irqrestore(&node->ios_lock, flags);',
      '',
    ].join('\n');
  it('an uncatalogued allocator whose mask goes GFP_ATOMIC -> GFP_KERNEL is flagged, and the heading parses', () => {
    const p = hunk('GFP_ATOMIC', 'GFP_KERNEL');
    expectFlagged(p, 'atomic-sleep/sleep-in-atomic', 'els->req.virt = dma_alloc_coherent(');
    assert.deepEqual(findings(p).filter((f) => f.rule === 'input/c-parse').map((f) => f.message), []);
  });
  it('GFP_KERNEL -> GFP_ATOMIC is quiet', () => {
    assert.equal(serious(hunk('GFP_KERNEL', 'GFP_ATOMIC')).filter((f) => f.category === 'atomic-sleep').length, 0);
  });
  const bh = (exit: string) => `
static int cells_receive(struct gro_cells *gcells, struct sk_buff *skb)
{
	struct gro_cell *cell;
	int res;

	rcu_read_lock();
	cell = this_cpu_ptr(gcells->cells);
	local_lock_nested_bh(&gcells->cells->bh_lock);
	if (skb_queue_len(&cell->napi_skbs) > 100) {
		res = NET_RX_DROP;
${exit}
	}
	__skb_queue_tail(&cell->napi_skbs, skb);
	res = NET_RX_SUCCESS;
unlock:
	local_unlock_nested_bh(&gcells->cells->bh_lock);
	rcu_read_unlock();
	return res;
}
`;
  it('a return that skips local_unlock_nested_bh() is flagged', () => {
    expectFlagged(addPatch(bh('\t\trcu_read_unlock();\n\t\treturn res;'), 'net/core/x.c'), 'bracket/unbalanced');
  });
  it('the goto to the unlock is quiet', () => {
    expectQuiet(addPatch(bh('\t\tgoto unlock;'), 'net/core/x.c'));
  });
});
