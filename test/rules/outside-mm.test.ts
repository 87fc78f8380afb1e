/**
 * Precision on kernel code outside mm/ that mm patches touch (fs/, kernel/,
 * virt/, ipc/: bench/mainline.js --list bench/data/outside-mm.txt): each class
 * of false positive seen there, reduced to a small function of the same shape.
 * The mainline form must be quiet; a real bug of the same shape must still be
 * flagged.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { addPatch, findings, expectClean, lineOf } from './helpers';
import { analyze } from 'mm-review-server/engine/index';

const REF_CATS = ['ref-balance', 'ref-kind', 'spec-ref', 'bracket', 'atomic-sleep'];
const parseProblems = (p: string) => analyze(p, 'test.patch').findings.filter((f) => f.rule === 'input/c-parse');
const serious = (p: string) => findings(p).filter((f) => f.severity === 'error' || f.severity === 'warning');

describe('code after a do-while whose condition is a loop macro (fs/proc/task_mmu.c show_smaps_rollup)', () => {
  const code = (beforeLabel: string, afterLabel: string) => `
static int show_rollup(struct seq_file *m, struct mm_struct *mm)
{
	struct vm_area_struct *vma;
	int ret;
	VMA_ITERATOR(vmi, mm, 0);

	if (!mmget_not_zero(mm))
		return -ESRCH;
	ret = mmap_read_lock_killable(mm);
	if (ret)
		goto out_put_mm;
	vma = vma_next(&vmi);
	if (unlikely(!vma))
		goto empty_set;
	do {
		gather(vma);
	} for_each_vma(vmi, vma);
${beforeLabel}
empty_set:
	seq_puts(m, "[rollup]\\n");
${afterLabel}
out_put_mm:
	mmput(mm);
	return ret;
}
`;
  it('`do { } for_each_vma(vmi, vma);` parses as a do-while: the label after it is seen and releases', () => {
    const p = addPatch(code('', '\tmmap_read_unlock(mm);'));
    expectClean(findings(p), REF_CATS);
    assert.deepEqual(parseProblems(p).map((f) => f.message), [], 'the loop macro as a do-while condition parses');
  });
  it('the unlock moved above the label: the jump past it is flagged', () => {
    const p = addPatch(code('\tmmap_read_unlock(mm);', ''));
    const hits = serious(p).filter((f) => f.rule === 'bracket/unbalanced');
    assert.ok(hits.some((f) => f.range.start.line + 1 === lineOf(p, 'goto empty_set')), JSON.stringify(serious(p).map((f) => f.message)));
  });
});

describe('a goto whose label is in code that does not parse', () => {
  const code = (early: string) => `
static int rollup(struct seq_file *m, struct mm_struct *mm)
{
	int ret;

	ret = mmap_read_lock_killable(mm);
	if (ret)
		return ret;
${early}
	if (!first(mm))
		goto empty_set;
	do {
		gather(mm);
	} @@unparsable mm;

empty_set:
	mmap_read_unlock(mm);
	return 0;
}
`;
  it('the label is written but unread: what follows it is unknown, the goto is not a leak', () => {
    const p = addPatch(code(''));
    expectClean(findings(p), REF_CATS);
    assert.equal(parseProblems(p).length, 1, 'the parse problem is reported');
  });
  it('a return in parsed code that keeps the lock is still flagged', () => {
    const p = addPatch(code('\tif (busy(mm))\n\t\treturn -EBUSY;'));
    const hits = serious(p).filter((f) => f.rule === 'bracket/unbalanced');
    assert.ok(
      hits.some((f) => f.range.start.line + 1 === lineOf(p, 'return -EBUSY')),
      JSON.stringify(serious(p).map((f) => f.message)),
    );
  });
});

describe("a helper that drops its caller's lock before it sleeps (fs/dax.c wait_entry_unlocked)", () => {
  const code = (helperBody: string) => `
static void wait_unlocked(struct xa_state *xas, void *entry)
{
	wait_queue_head_t *wq = waitqueue(xas, entry);
	DEFINE_WAIT(wait);

	prepare_to_wait(wq, &wait, TASK_UNINTERRUPTIBLE);
${helperBody}
	finish_wait(wq, &wait);
}

static void *lock_entry(struct address_space *mapping, pgoff_t index)
{
	XA_STATE(xas, &mapping->i_pages, index);
	void *entry;

	for (;;) {
		xas_lock_irq(&xas);
		entry = xas_load(&xas);
		if (locked_entry(entry)) {
			wait_unlocked(&xas, entry);
			continue;
		}
		lock_it(&xas, entry);
		xas_unlock_irq(&xas);
		return entry;
	}
}
`;
  it('xas_unlock_irq(xas) on its parameter, then schedule(): not a sleep under the lock', () => {
    expectClean(findings(addPatch(code('\txas_unlock_irq(xas);\n\tschedule();'))), ['atomic-sleep']);
  });
  it('a helper that sleeps without dropping it is flagged at the call', () => {
    const p = addPatch(code('\tschedule();'));
    const hits = serious(p).filter((f) => f.rule === 'atomic-sleep/sleep-in-atomic');
    assert.ok(
      hits.some((f) => f.range.start.line + 1 === lineOf(p, 'wait_unlocked(&xas, entry)')),
      JSON.stringify(serious(p).map((f) => f.message)),
    );
  });
});

describe('a page stored into a structure by its address (virt/kvm/kvm_main.c kvm_vm_ioctl_create_vcpu)', () => {
  it('`vcpu->run = page_address(page)`: the structure holds the page, freed through it on the error ladder', () => {
    const p = addPatch(`
static int create_vcpu(struct kvm *kvm, int id)
{
	struct kvm_vcpu *vcpu;
	struct page *page;
	int r;

	vcpu = kmem_cache_zalloc(vcpu_cache, GFP_KERNEL);
	if (!vcpu)
		return -ENOMEM;
	page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!page) {
		r = -ENOMEM;
		goto vcpu_free;
	}
	vcpu->run = page_address(page);
	r = arch_create(vcpu);
	if (r)
		goto vcpu_free_run_page;
	return 0;

vcpu_free_run_page:
	free_page((unsigned long)vcpu->run);
vcpu_free:
	kmem_cache_free(vcpu_cache, vcpu);
	return r;
}
`);
    expectClean(findings(p), ['ref-balance']);
  });
  it('the address kept in a local variable is the same page: an error return without freeing it is a leak', () => {
    const p = addPatch(`
static int fill(struct ctx *c)
{
	struct page *page;
	void *addr;

	page = alloc_page(GFP_KERNEL);
	if (!page)
		return -ENOMEM;
	addr = page_address(page);
	if (copy_in(c, addr))
		return -EFAULT;
	c->buf = addr;
	return 0;
}
`);
    const hits = serious(p).filter((f) => f.rule === 'ref-balance/leak');
    assert.ok(hits.some((f) => f.range.start.line + 1 === lineOf(p, 'return -EFAULT')), JSON.stringify(serious(p).map((f) => f.message)));
  });
});

describe("a reference taken straight into the caller's structure (fs/aio.c __io_submit_one)", () => {
  const code = (errorPath: string) => `
static int submit_one(struct kioctx *ctx, const struct iocb *iocb, struct aio_kiocb *req)
{
	req->ki_filp = fget(iocb->aio_fildes);
	if (unlikely(!req->ki_filp))
		return -EBADF;
	if (iocb->aio_flags & BAD_FLAGS) {
${errorPath}
		return -EINVAL;
	}
	if (put_user(KEY, &iocb->key))
		return -EFAULT;
	return start(req);
}
`;
  it('the structure owns it: its owner drops it with the structure (error returns are not leaks)', () => {
    expectClean(findings(addPatch(code('\t\tpr_debug("bad flags\\n");'))), ['ref-balance']);
  });
  it('when the function drops it on one error path, another that does not is flagged', () => {
    const p = addPatch(code('\t\tfput(req->ki_filp);'));
    const hits = serious(p).filter((f) => f.rule === 'ref-balance/leak');
    assert.ok(hits.some((f) => f.range.start.line + 1 === lineOf(p, 'return -EFAULT')), JSON.stringify(serious(p).map((f) => f.message)));
  });
});
