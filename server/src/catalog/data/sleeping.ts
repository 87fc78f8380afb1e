/**
 * Calls that may sleep (and so must not run in RCU / IRQ-off / spinlock /
 * pagefault-off / speculative-fault sections), and grace-period waits.
 * Allocation calls sleep unless their GFP argument forbids direct reclaim
 * (GFP_ATOMIC, GFP_NOWAIT): `sleepsUnlessArg` names that argument.
 * Checked against include/linux/slab.h, gfp.h, uaccess.h, pagemap.h,
 * kernel/rcu/tree.c, include/linux/mm.h (vm_operations_struct).
 */
import type { ApiSpec } from '../schema';

const ATOMIC_GFP = ['GFP_ATOMIC', 'GFP_NOWAIT'];
const gfp = (arg: number) => ({ arg, atomicFlags: ATOMIC_GFP });
/** Since v4.20 synchronize_rcu() also waits for IRQ-off, preempt-off and BH-off regions (flavour consolidation). */
const RCU_READERS = ['rcu', 'rcu-sched', 'irq-off', 'preempt-off', 'bh-off'] as const;

export const SLEEPING: readonly ApiSpec[] = [
  { name: 'might_sleep', summary: 'Annotation: this point may sleep (debug splat in atomic context).', sleeps: true, arity: [0], source: 'include/linux/kernel.h' },
  { name: 'might_fault', summary: 'Annotation: this point may take a page fault (and sleep).', sleeps: true, arity: [0], source: 'include/linux/kernel.h' },
  { name: 'cond_resched', summary: 'Voluntarily reschedule: may sleep.', sleeps: true, arity: [0], source: 'include/linux/sched.h' },
  { name: 'schedule', summary: 'Sleep until woken.', sleeps: true, arity: [0], source: 'kernel/sched/core.c' },
  { name: 'msleep', summary: 'Sleep for at least the given milliseconds.', aliases: ['ssleep', 'msleep_interruptible'], sleeps: true, arity: [1], source: 'kernel/time/sleep_timeout.c' },
  { name: 'usleep_range', summary: 'Sleep for a range of microseconds.', sleeps: true, arity: [2], source: 'kernel/time/sleep_timeout.c' },
  { name: 'wait_for_completion', summary: 'Sleep until the completion is signalled (the completion\'s wait lock orders what the completer did before complete() before what follows).', internalSync: 'completion', aliases: ['wait_for_completion_interruptible', 'wait_for_completion_killable'], sleeps: true, arity: [1], source: 'kernel/sched/completion.c' },
  { name: 'wait_event', summary: 'Sleep until the condition becomes true (prepare_to_wait() with its full barrier, then the test, in a loop).', ordering: 'full', aliases: ['wait_event_interruptible', 'wait_event_killable'], sleeps: true, arity: [2], source: 'include/linux/wait.h' },
  { name: 'synchronize_rcu', summary: 'Wait for an RCU grace period: every pre-existing RCU reader (and, since v4.20, every IRQ-/preempt-/BH-disabled region) has finished. Sleeps; implies a full memory barrier.', sleeps: true, ordering: 'full', synchronizes: { kinds: [...RCU_READERS] }, arity: [0], source: 'kernel/rcu/tree.c' },
  { name: 'synchronize_rcu_expedited', summary: 'Expedited synchronize_rcu (IPIs CPUs). Sleeps; full barrier.', sleeps: true, ordering: 'full', synchronizes: { kinds: [...RCU_READERS] }, arity: [0], source: 'kernel/rcu/tree_exp.h' },
  { name: 'synchronize_srcu', summary: 'Wait for every pre-existing SRCU reader of ssp. Sleeps; full barrier.', sleeps: true, ordering: 'full', synchronizes: { kinds: ['srcu'] }, arity: [1], source: 'kernel/rcu/srcutree.c' },
  { name: 'rcu_barrier', summary: 'Wait for all queued call_rcu() callbacks to run. Sleeps.', sleeps: true, arity: [0], source: 'kernel/rcu/tree.c' },

  { name: 'wait_on_page_writeback', summary: 'Sleep until PG_writeback clears.', sleeps: true, arity: [1], source: 'mm/page-writeback.c' },
  { name: 'folio_wait_writeback', summary: 'Sleep until the folio\'s writeback ends.', sleeps: true, arity: [1], kernels: '>=5.16', source: 'mm/page-writeback.c' },
  { name: 'wait_on_page_locked', summary: 'Sleep until the page is unlocked.', sleeps: true, arity: [1], source: 'include/linux/pagemap.h' },
  { name: 'folio_wait_locked', summary: 'Sleep until the folio is unlocked.', sleeps: true, arity: [1], kernels: '>=5.16', source: 'include/linux/pagemap.h' },
  { name: 'set_page_dirty_lock', summary: 'Lock the page, set_page_dirty, unlock: sleeps (used by put_user_pages_dirty_lock / unpin_user_pages_dirty_lock).', sleeps: true, arity: [1], source: 'mm/page-writeback.c' },

  { name: 'copy_from_user', summary: 'Copy from user memory; may fault and sleep (returns bytes NOT copied). Not under a spinlock or RCU unless pagefault_disable()d (then use the _inatomic/nofault forms).', sleeps: true, sleepsOnlyByFaulting: true, arity: [3], source: 'include/linux/uaccess.h' },
  { name: 'copy_to_user', summary: 'Copy to user memory; may fault and sleep.', sleeps: true, sleepsOnlyByFaulting: true, arity: [3], source: 'include/linux/uaccess.h' },
  { name: 'get_user', summary: 'Read one value from user memory (x, ptr); may fault and sleep.', aliases: ['put_user'], sleeps: true, sleepsOnlyByFaulting: true, arity: [2], source: 'include/linux/uaccess.h' },
  { name: 'clear_user', summary: 'Zero user memory; may fault and sleep.', sleeps: true, sleepsOnlyByFaulting: true, arity: [2], source: 'include/linux/uaccess.h' },
  { name: 'strncpy_from_user', summary: 'Copy a string from user memory; may fault and sleep.', sleeps: true, sleepsOnlyByFaulting: true, arity: [3], source: 'include/linux/uaccess.h' },

  { name: 'kmalloc', summary: 'Allocate memory (size, gfp). Sleeps (direct reclaim) unless the GFP flags forbid it: GFP_ATOMIC / GFP_NOWAIT in atomic context.', aliases: ['kzalloc', 'kmalloc_node', 'kzalloc_node'], allocates: true, sleeps: true, sleepsUnlessArg: gfp(1), arity: [2, 3], source: 'include/linux/slab.h' },
  { name: 'kmalloc_array', summary: 'Allocate an array (n, size, gfp); sleeps unless GFP_ATOMIC / GFP_NOWAIT.', aliases: ['kcalloc', 'kvmalloc_array', 'kvcalloc'], allocates: true, sleeps: true, sleepsUnlessArg: gfp(2), arity: [3], source: 'include/linux/slab.h' },
  { name: 'kvmalloc', summary: 'kmalloc with vmalloc fallback (size, gfp): needs a GFP_KERNEL-compatible mask, sleeps.', aliases: ['kvzalloc'], allocates: true, sleeps: true, arity: [2], source: 'include/linux/slab.h' },
  { name: 'kmem_cache_alloc', summary: 'Allocate from a slab cache (cache, gfp); sleeps unless GFP_ATOMIC / GFP_NOWAIT.', aliases: ['kmem_cache_zalloc'], allocates: true, sleeps: true, sleepsUnlessArg: gfp(1), arity: [2], source: 'include/linux/slab.h' },
  { name: 'vmalloc', summary: 'Allocate virtually contiguous memory: always sleeps.', aliases: ['vzalloc', 'vmalloc_node'], allocates: true, sleeps: true, arity: [1, 2], source: 'mm/vmalloc.c' },
  { name: 'alloc_pages', summary: 'Allocate 2^order pages (gfp, order); sleeps unless GFP_ATOMIC / GFP_NOWAIT.', aliases: ['__get_free_pages', 'folio_alloc'], allocates: true, sleeps: true, sleepsUnlessArg: gfp(0), arity: [2], source: 'include/linux/gfp.h' },
  { name: 'alloc_page', summary: 'Allocate one page (gfp); sleeps unless GFP_ATOMIC / GFP_NOWAIT.', aliases: ['__get_free_page', 'get_zeroed_page'], allocates: true, sleeps: true, sleepsUnlessArg: gfp(0), arity: [1], source: 'include/linux/gfp.h' },
  { name: 'pte_alloc_one', summary: 'Allocate a PTE page table (GFP_PGTABLE_USER, i.e. GFP_KERNEL): sleeps. Seed 001 preallocates it before taking the page lock. The page table is zeroed: its contents must be ordered before it is populated (smp_wmb()).', allocates: true, sleeps: true, initialisesResult: true, arity: [1], source: 'include/asm-generic/pgalloc.h' },

  { name: 'handle_mm_fault', summary: 'Handle a page fault: may do I/O, allocate and sleep; may drop mmap_lock (VM_FAULT_RETRY / VM_FAULT_COMPLETED).', sleeps: true, arity: [3, 4], source: 'mm/memory.c' },
  { name: 'filemap_fault', summary: 'Generic vm_ops->fault for page-cache files: may read the page and sleep.', sleeps: true, arity: [1], source: 'mm/filemap.c' },
  { name: 'fault', summary: 'vm_operations_struct::fault (called as vma->vm_ops->fault(vmf)): a filesystem/driver fault handler that may do I/O and sleep. Seed 001: calling it inside the speculative fault\'s rcu_read_lock() section sleeps in atomic context.', sleeps: true, indirect: true, arity: [1], source: 'include/linux/mm.h' },
  { name: 'page_mkwrite', summary: 'vm_operations_struct::page_mkwrite: notify the filesystem a read-only page becomes writable; may sleep (locks the page, allocates blocks).', aliases: ['pfn_mkwrite'], sleeps: true, indirect: true, arity: [1], source: 'include/linux/mm.h' },
  { name: 'huge_fault', summary: 'vm_operations_struct::huge_fault: may sleep like ->fault.', sleeps: true, indirect: true, arity: [2], source: 'include/linux/mm.h' },
];
