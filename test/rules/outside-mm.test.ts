/**
 * Precision on kernel code outside mm/ that mm patches touch (fs/, kernel/,
 * virt/, ipc/: bench/mainline.js --list bench/data/outside-mm.txt): each class
 * of false positive seen there, reduced to a small function of the same shape.
 * The mainline form must be quiet; a real bug of the same shape must still be
 * flagged.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { addPatch, findings, expectClean, expectFlagged } from './helpers';
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
    expectFlagged(p, 'bracket/unbalanced', 'goto empty_set');
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
    expectFlagged(p, 'bracket/unbalanced', 'return -EBUSY');
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
    expectFlagged(p, 'atomic-sleep/sleep-in-atomic', 'wait_unlocked(&xas, entry)');
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
    expectFlagged(p, 'ref-balance/leak', 'return -EFAULT');
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
    expectFlagged(p, 'ref-balance/leak', 'return -EFAULT');
  });
});

describe("a helper's helper that drops a global lock (kernel/exit.c try_to_set_owner)", () => {
  const code = (inner: string) => `
static bool __set_owner(struct task_struct *tsk, struct mm_struct *mm)
{
	bool ret = false;

	task_lock(tsk);
	if (tsk->mm == mm) {
${inner}
		WRITE_ONCE(mm->owner, tsk);
		ret = true;
	}
	task_unlock(tsk);
	return ret;
}

static bool set_owner(struct task_struct *g, struct mm_struct *mm)
{
	struct task_struct *t;

	for_each_thread(g, t) {
		if (READ_ONCE(t->mm) == mm && __set_owner(t, mm))
			return true;
	}
	return false;
}

void update_owner(struct mm_struct *mm, struct task_struct *p)
{
	struct task_struct *g;

	read_lock(&tasklist_lock);
	list_for_each_entry(g, &p->children, sibling) {
		if (set_owner(g, mm))
			goto ret;
	}
	read_unlock(&tasklist_lock);
	WRITE_ONCE(mm->owner, NULL);
ret:
	return;
}
`;
  it('the inner helper may release tasklist_lock: after the outer one the caller cannot tell', () => {
    expectClean(findings(addPatch(code('\t\tread_unlock(&tasklist_lock);'))), REF_CATS);
  });
  it('when neither helper releases it, the jump out of the loop keeps it: flagged', () => {
    const p = addPatch(code(''));
    expectFlagged(p, 'bracket/unbalanced', 'goto ret');
  });
});

describe("the caller's lock dropped and taken again (fs/dcache.c lock_for_kill, virt/kvm/pfncache.c hva_to_pfn_retry)", () => {
  it('held at every way out, as it came in: quiet', () => {
    const p = addPatch(`
static bool lock_both(struct dentry *dentry)
{
	struct inode *inode = dentry->d_inode;

	if (!inode || spin_trylock(&inode->i_lock))
		return true;
	do {
		spin_unlock(&dentry->d_lock);
		spin_lock(&inode->i_lock);
		spin_lock(&dentry->d_lock);
		if (inode == dentry->d_inode)
			break;
		spin_unlock(&inode->i_lock);
		inode = dentry->d_inode;
	} while (inode);
	if (!dentry->d_lockref.count)
		return true;
	if (inode)
		spin_unlock(&inode->i_lock);
	return false;
}
`);
    expectClean(findings(p), REF_CATS);
  });
  it('an IRQs-off lock of the caller dropped and re-taken with write_lock_irq(): quiet', () => {
    const p = addPatch(`
static int refresh(struct gpc *gpc)
{
	void *p;

	do {
		write_unlock_irq(&gpc->lock);
		p = map_it(gpc);
		if (!p)
			goto out_error;
		write_lock_irq(&gpc->lock);
	} while (retry(gpc));
	gpc->khva = p;
	return 0;
out_error:
	write_lock_irq(&gpc->lock);
	return -EFAULT;
}
`);
    expectClean(findings(p), REF_CATS);
  });
  it('a lock this function takes itself and keeps at an error return is still flagged', () => {
    const p = addPatch(`
static int take(struct inode *inode, struct dentry *dentry)
{
	do {
		spin_lock(&inode->i_lock);
		if (dentry->d_lockref.count)
			return -EBUSY;
		spin_unlock(&inode->i_lock);
	} while (again(dentry));
	return 0;
}
`);
    expectFlagged(p, 'bracket/unbalanced', 'return -EBUSY');
  });
});

describe('`__releases()` on a function that releases only when it returns true (kernel/signal.c do_signal_stop)', () => {
  const code = (lastReturn: string) => `
static bool stop_self(int signr)
	__releases(&current->sighand->siglock)
{
	if (!(current->jobctl & JOBCTL_STOP_PENDING)) {
		if (bad_signal(signr))
			return false;
		for_other_threads(current, t)
			t->jobctl |= JOBCTL_STOP_PENDING;
	}
	if (likely(!current->ptrace)) {
		spin_unlock_irq(&current->sighand->siglock);
		schedule();
		return true;
	}
	${lastReturn}
}
`;
  it('kept on the paths that return false, released on the one that returns true: quiet, and the loop macro parses', () => {
    const p = addPatch(code('return false;'));
    expectClean(findings(p), REF_CATS);
    assert.deepEqual(parseProblems(p).map((f) => f.message), []);
  });
  it('kept on a path that returns true like the releasing one: flagged', () => {
    const p = addPatch(code('return true;'));
    expectFlagged(p, 'bracket/unbalanced');
  });
});

describe('clear_bit_unlock(); smp_mb__after_atomic(); wake_up_bit() (fs/buffer.c unlock_buffer)', () => {
  const code = (store: string) => `
void unlock_buf(struct buffer_head *bh)
{
	${store}
	/* orders the clear before the waitqueue_active() test in wake_up_bit() */
	smp_mb__after_atomic();
	wake_up_bit(&bh->b_state, BH_Lock);
}
`;
  it('a release RMW made full by smp_mb__after_atomic() (clear_and_wake_up_bit()): quiet', () => {
    expectClean(findings(addPatch(code('clear_bit_unlock(BH_Lock, &bh->b_state);'))), ['barrier']);
  });
  it('a plain store before smp_mb__after_atomic() is not ordered: flagged', () => {
    const p = addPatch(code('bh->b_state = 0;'));
    expectFlagged(p, 'barrier/store-load-order');
  });
});

describe('a variable with a scope-based cleanup (fs/pidfs.c: `__free(put_task)`, include/linux/cleanup.h)', () => {
  const code = (decl: string) => `
static long info(struct file *file, unsigned int cmd)
{
	${decl}
	struct pid *pid = pidfd_pid(file);

	task = get_pid_task(pid, PIDTYPE_PID);
	if (!task)
		return -ESRCH;
	if (cmd == BAD_CMD)
		return -EINVAL;
	return fill(task);
}
`;
  it('the cleanup drops the reference on every way out: quiet, and the declaration parses as one', () => {
    const p = addPatch(code('struct task_struct *task __free(put_task) = NULL;'));
    expectClean(findings(p), ['ref-balance']);
    assert.deepEqual(parseProblems(p).map((f) => f.message), []);
  });
  it('without it the error return leaks the reference', () => {
    const p = addPatch(code('struct task_struct *task = NULL;'));
    expectFlagged(p, 'ref-balance/leak', 'return -EINVAL');
  });
});

describe('a lock taken for the caller on success, said in the comment (ipc/sem.c find_alloc_undo)', () => {
  const code = (comment: string) => `
${comment}
static struct undo *find_undo(struct undo_list *ulp, int id)
{
	struct undo *un;

	rcu_read_lock();
	un = lookup(ulp, id);
	if (likely(un != NULL))
		goto out;
	if (!getref(ulp)) {
		rcu_read_unlock();
		un = ERR_PTR(-EIDRM);
		goto out;
	}
	un = create(ulp, id);
out:
	return un;
}
`;
  it('"on success, the function performs a rcu_read_lock()": quiet', () => {
    expectClean(findings(addPatch(code('/*\n * Lifetime rules: the undo is rcu-protected; on success, the function\n * performs a rcu_read_lock().\n */'))), REF_CATS);
  });
  it('without the comment, `out:` reached both holding the section and not is flagged', () => {
    const p = addPatch(code('/* Look up or create the undo structure. */'));
    expectFlagged(p, 'bracket/unbalanced');
  });
});

describe('a fault handler returning VM_FAULT_LOCKED (fs/fuse/file.c fuse_page_mkwrite; catalog return contracts)', () => {
  const code = (ret: string) => `
static vm_fault_t fs_page_mkwrite(struct vm_fault *vmf)
{
	struct folio *folio = page_folio(vmf->page);

	folio_lock(folio);
	if (folio->mapping != vmf->vma->vm_file->f_mapping) {
		folio_unlock(folio);
		return VM_FAULT_NOPAGE;
	}
	folio_wait_writeback(folio);
	return ${ret};
}
`;
  it('VM_FAULT_LOCKED hands the locked folio to the fault path: quiet', () => {
    expectClean(findings(addPatch(code('VM_FAULT_LOCKED'))), REF_CATS);
  });
  it('another value returned with the folio locked is flagged', () => {
    const p = addPatch(code('0'));
    expectFlagged(p, 'bracket/unbalanced', 'return 0');
  });
});

describe('a comment above a call saying the callee releases (drivers/gpu/drm/drm_gem.c, ipc/shm.c)', () => {
  const code = (comment: string) => `
static int open_obj(struct drm_device *dev, struct obj_args *args, struct drm_file *file_priv)
{
	struct gem_object *obj;
	int ret;

	mutex_lock(&dev->object_name_lock);
	obj = idr_find(&dev->object_name_idr, args->name);
	if (!obj) {
		mutex_unlock(&dev->object_name_lock);
		return -ENOENT;
	}
	gem_object_get(obj);
${comment}
	ret = handle_create_tail(file_priv, obj, &args->handle);
	if (ret)
		goto err;
	args->size = obj->size;
err:
	gem_object_put(obj);
	return ret;
}
`;
  it('"handle_create_tail unlocks dev->object_name_lock": quiet', () => {
    expectClean(findings(addPatch(code('\t/* handle_create_tail unlocks dev->object_name_lock. */'))), REF_CATS);
  });
  it('a comment about something else leaves the mutex held: flagged', () => {
    const p = addPatch(code('\t/* handle_create_tail fills in the handle. */'));
    expectFlagged(p, 'bracket/unbalanced');
  });
});

describe('scope-based lock guards (include/linux/cleanup.h, v6.5+; catalog data/guards.ts)', () => {
  it('a sleep under guard(spinlock), scoped_guard(spinlock, ..) and guard(rcu)() is flagged', () => {
    for (const head of ['guard(spinlock)(&f->lock);', 'guard(rcu)();']) {
      const p = addPatch(`
static void set_x(struct foo *f)
{
	${head}
	f->x = 1;
	msleep(10);
}
`);
      expectFlagged(p, 'atomic-sleep/sleep-in-atomic', 'msleep(10)');
    }
    const p = addPatch(`
static void set_x(struct foo *f)
{
	scoped_guard(spinlock, &f->lock) {
		f->x = 1;
		msleep(10);
	}
}
`);
    expectFlagged(p, 'atomic-sleep/sleep-in-atomic', 'msleep(10)');
  });
  it('the guard ends with its scope: a sleep after the block, after a return or goto out of it, is quiet; no leak at a return', () => {
    const p = addPatch(`
static int set_x(struct foo *f)
{
	scoped_guard(spinlock, &f->lock) {
		if (!f->ready)
			goto slow;
		f->x = 1;
	}
	msleep(10);
	return 0;
slow:
	msleep(20);
	return -EAGAIN;
}

static struct bar *find_rcu(struct foo *f)
{
	guard(rcu)();
	if (!f->ready)
		return NULL;
	return lookup(f);
}

static struct bar *find_slow(struct foo *f)
{
	struct bar *b = find_rcu(f);

	if (!b) {
		mutex_lock(&f->mutex);
		b = lookup(f);
		mutex_unlock(&f->mutex);
	}
	return b;
}
`);
    expectClean(findings(p), REF_CATS);
  });
  it('an object whose counter it decrements to zero under RCU is its own after the section (kernel/events/core.c detach_task_ctx_data)', () => {
    const p = addPatch(`
static void detach(struct task_struct *p)
{
	struct ctx_data *cd;

	scoped_guard (rcu) {
		cd = rcu_dereference(p->ctx_data);
		if (!cd || !refcount_dec_and_test(&cd->refcount))
			return;
	}
	free_ctx_data_rcu(cd);
}
`);
    expectClean(findings(p), REF_CATS);
  });
});

describe('a release under the same flag-bit test that chose the acquire (io_uring/io_uring.c sys_io_uring_enter)', () => {
  const code = (test: string) => `
static int enter(unsigned int fd, u32 flags, struct ctx *tctx)
{
	struct file *file;
	long ret;

	if (flags & ENTER_REGISTERED_RING) {
		file = tctx->rings[fd];
		if (unlikely(!file))
			return -EBADF;
	} else {
		file = fget(fd);
		if (unlikely(!file))
			return -EBADF;
		ret = -EOPNOTSUPP;
		if (unlikely(!is_ring(file)))
			goto out;
	}
	ret = do_enter(file);
out:
	if (${test})
		fput(file);
	return ret;
}
`;
  it('`if (!(flags & ENTER_REGISTERED_RING)) fput(file)` after the fget() branch of the same bit: quiet', () => {
    expectClean(findings(addPatch(code('!(flags & ENTER_REGISTERED_RING)'))), ['ref-balance']);
  });
  it('a test of another bit leaves the reference on the goto path: flagged', () => {
    const p = addPatch(code('flags & OTHER_FLAG'));
    expectFlagged(p, 'ref-balance/leak', 'goto out');
  });
});
