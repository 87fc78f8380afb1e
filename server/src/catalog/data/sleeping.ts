/**
 * Calls that may sleep (and so must not run in RCU / IRQ-off / spinlock /
 * pagefault-off / speculative-fault sections), and grace-period waits.
 * Allocation calls sleep unless their GFP argument forbids direct reclaim
 * (GFP_ATOMIC, GFP_NOWAIT): `sleepsUnlessArg` names that argument.
 * Checked against include/linux/slab.h, gfp.h, uaccess.h, pagemap.h,
 * kernel/rcu/tree.c, include/linux/mm.h (vm_operations_struct).
 */
import type { ApiSpec } from '../schema';
import { NON_BLOCKING_GFP } from './allocators';

const ATOMIC_GFP = NON_BLOCKING_GFP;
const gfp = (arg: number) => ({ arg, atomicFlags: ATOMIC_GFP });
/** Since v4.20 synchronize_rcu() also waits for IRQ-off, preempt-off and BH-off regions (flavour consolidation). */
const RCU_READERS = ['rcu', 'rcu-sched', 'irq-off', 'preempt-off', 'bh-off'] as const;

export const SLEEPING: readonly ApiSpec[] = [
  { name: 'might_sleep', summary: 'Annotation: this point may sleep (debug splat in atomic context).', sleeps: true, arity: [0], source: 'include/linux/kernel.h' },
  { name: 'might_fault', summary: 'Annotation: this point may take a page fault (and sleep).', sleeps: true, arity: [0], source: 'include/linux/kernel.h' },
  { name: 'cond_resched', summary: 'Voluntarily reschedule: may sleep.', sleeps: true, arity: [0], source: 'include/linux/sched.h' },
  { name: 'schedule', summary: 'Sleep until woken.', sleeps: true, waitsForWakeup: true, arity: [0], source: 'kernel/sched/core.c' },
  { name: 'msleep', summary: 'Sleep for at least the given milliseconds.', aliases: ['ssleep', 'msleep_interruptible'], sleeps: true, arity: [1], source: 'kernel/time/sleep_timeout.c' },
  { name: 'usleep_range', summary: 'Sleep for a range of microseconds.', sleeps: true, arity: [2], source: 'kernel/time/sleep_timeout.c' },
  { name: 'wait_for_completion', summary: 'Sleep until the completion is signalled (the completion\'s wait lock orders what the completer did before complete() before what follows).', internalSync: 'completion', aliases: ['wait_for_completion_interruptible', 'wait_for_completion_killable'], sleeps: true, arity: [1], source: 'kernel/sched/completion.c' },
  { name: 'wait_event', summary: 'Sleep until the condition becomes true (prepare_to_wait() with its full barrier, then the test, in a loop).', ordering: 'full', aliases: ['wait_event_interruptible', 'wait_event_killable'], sleeps: true, arity: [2], source: 'include/linux/wait.h' },
  { name: 'synchronize_rcu', summary: 'Wait for an RCU grace period: every pre-existing RCU reader (and, since v4.20, every IRQ-/preempt-/BH-disabled region) has finished. Sleeps; implies a full memory barrier.', sleeps: true, ordering: 'full', synchronizes: { kinds: [...RCU_READERS] }, arity: [0], source: 'kernel/rcu/tree.c' },
  { name: 'synchronize_rcu_expedited', summary: 'Expedited synchronize_rcu (IPIs CPUs). Sleeps; full barrier.', sleeps: true, ordering: 'full', synchronizes: { kinds: [...RCU_READERS] }, arity: [0], source: 'kernel/rcu/tree_exp.h' },
  { name: 'synchronize_srcu', summary: 'Wait for every pre-existing SRCU reader of ssp. Sleeps; full barrier.', sleeps: true, ordering: 'full', synchronizes: { kinds: ['srcu'] }, arity: [1], source: 'kernel/rcu/srcutree.c' },
  { name: 'rcu_barrier', summary: 'Wait for all queued call_rcu() callbacks to run. Sleeps.', sleeps: true, arity: [0], source: 'kernel/rcu/tree.c' },

  { name: 'iput', summary: 'Drop an inode reference: the last one evicts the inode (truncate_inode_pages_final(), the filesystem\'s ->evict_inode), which sleeps; v6.19 starts with might_sleep(). Callers under a spinlock collect the inodes and iput() them after unlocking (mm/shmem.c shmem_unused_huge_shrink()).', sleeps: true, arity: [1], source: 'fs/inode.c' },
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
  { name: 'alloc_pages', summary: 'Allocate 2^order pages (gfp, order) and return the first with one reference, or NULL (__get_free_pages: the kernel address, or 0; free with free_pages). Sleeps unless GFP_ATOMIC / GFP_NOWAIT. Free with __free_pages(page, order) (put_page for a compound allocation).', aliases: ['__get_free_pages', 'alloc_pages_noprof'], effects: [{ op: 'acquire', kind: 'page-ref', object: 'ret', cond: 'nonnull' }], allocates: true, sleeps: true, sleepsUnlessArg: gfp(0), pairsWith: ['__free_pages', 'put_page', 'free_pages'], arity: [2], source: 'include/linux/gfp.h' },
  { name: 'alloc_page', summary: 'Allocate one page (gfp) with one reference, or NULL (__get_free_page / get_zeroed_page: the address, or 0). Sleeps unless GFP_ATOMIC / GFP_NOWAIT. Free with __free_page / put_page (free_page for an address).', aliases: ['__get_free_page', 'get_zeroed_page'], effects: [{ op: 'acquire', kind: 'page-ref', object: 'ret', cond: 'nonnull' }], allocates: true, sleeps: true, sleepsUnlessArg: gfp(0), pairsWith: ['__free_pages', 'put_page', 'free_pages'], arity: [1], source: 'include/linux/gfp.h' },
  { name: 'pte_alloc_one', summary: 'Allocate a PTE page table (GFP_PGTABLE_USER, i.e. GFP_KERNEL): sleeps. Seed 001 preallocates it before taking the page lock. The page table is zeroed: its contents must be ordered before it is populated (smp_wmb()).', allocates: true, sleeps: true, initialisesResult: true, arity: [1], source: 'include/asm-generic/pgalloc.h' },

  { name: 'handle_mm_fault', summary: 'Handle a page fault: may do I/O, allocate and sleep; may drop mmap_lock (VM_FAULT_RETRY / VM_FAULT_COMPLETED).', sleeps: true, arity: [3, 4], source: 'mm/memory.c' },
  { name: 'filemap_fault', summary: 'Generic vm_ops->fault for page-cache files: may read the page and sleep.', sleeps: true, arity: [1], source: 'mm/filemap.c' },
  { name: 'fault', summary: 'vm_operations_struct::fault (called as vma->vm_ops->fault(vmf)): a filesystem/driver fault handler that may do I/O and sleep. Seed 001: calling it inside the speculative fault\'s rcu_read_lock() section sleeps in atomic context.', sleeps: true, indirect: true, arity: [1], source: 'include/linux/mm.h' },
  { name: 'page_mkwrite', summary: 'vm_operations_struct::page_mkwrite: notify the filesystem a read-only page becomes writable; may sleep (locks the page, allocates blocks).', aliases: ['pfn_mkwrite'], sleeps: true, indirect: true, arity: [1], source: 'include/linux/mm.h' },
  { name: 'huge_fault', summary: 'vm_operations_struct::huge_fault: may sleep like ->fault.', sleeps: true, indirect: true, arity: [2], source: 'include/linux/mm.h' },

  // ---- more sleeping calls (checked against v6.19) --------------------------------
  { name: 'schedule_timeout', summary: 'Sleep until woken or the timeout (jiffies) expires.', aliases: ['schedule_timeout_interruptible', 'schedule_timeout_killable', 'schedule_timeout_uninterruptible', 'schedule_timeout_idle'], sleeps: true, arity: [1], source: 'kernel/time/sleep_timeout.c' },
  { name: 'io_schedule', summary: 'Sleep, accounted as waiting for I/O.', sleeps: true, waitsForWakeup: true, arity: [0], source: 'kernel/sched/core.c' },
  { name: 'io_schedule_timeout', summary: 'io_schedule() with a timeout.', sleeps: true, waitsForWakeup: true, arity: [1], source: 'kernel/sched/core.c' },
  { name: 'fsleep', summary: 'Sleep for about usecs microseconds (usleep_range / msleep; udelay only below 10 us): treat as sleeping.', sleeps: true, arity: [1], source: 'include/linux/delay.h' },
  { name: 'wait_event_timeout', summary: 'Sleep until the condition becomes true or the timeout expires.', aliases: ['wait_event_interruptible_timeout', 'wait_event_killable_timeout', 'wait_event_idle', 'wait_event_idle_timeout', 'wait_event_freezable', 'wait_event_interruptible_exclusive'], sleeps: true, arity: [2, 3], source: 'include/linux/wait.h' },
  { name: 'wait_var_event', summary: 'Sleep until the condition on a variable becomes true (woken by wake_up_var).', aliases: ['wait_var_event_killable', 'wait_var_event_interruptible', 'wait_var_event_timeout'], sleeps: true, arity: [2, 3], source: 'include/linux/wait_bit.h' },
  { name: 'wait_on_bit', summary: 'Sleep until a bit in a word clears (word, bit, mode).', aliases: ['wait_on_bit_io', 'wait_on_bit_timeout', 'wait_on_bit_lock', 'wait_on_bit_lock_io'], sleeps: true, arity: [3, 4], source: 'include/linux/wait_bit.h' },
  { name: 'wait_for_completion_timeout', summary: 'Sleep until the completion is signalled or the timeout expires.', aliases: ['wait_for_completion_interruptible_timeout', 'wait_for_completion_killable_timeout', 'wait_for_completion_io', 'wait_for_completion_io_timeout'], sleeps: true, arity: [1, 2], source: 'kernel/sched/completion.c' },
  { name: 'flush_work', summary: 'Wait for a work item\'s last queued instance to finish executing. Sleeps.', aliases: ['flush_delayed_work'], sleeps: true, arity: [1], source: 'kernel/workqueue.c' },
  { name: 'flush_workqueue', summary: 'Wait for every work item queued on a workqueue to finish. Sleeps.', aliases: ['drain_workqueue', 'destroy_workqueue', '__flush_workqueue'], sleeps: true, arity: [1], source: 'kernel/workqueue.c' },
  { name: 'cancel_work_sync', summary: 'Cancel a work item and wait for a running instance to finish. Sleeps; cancel_work() is the non-waiting form.', sleeps: true, nonSleepingForm: 'cancel_work', arity: [1], source: 'kernel/workqueue.c' },
  { name: 'cancel_work', summary: 'Cancel a pending work item without waiting for a running instance (does not sleep).', sleeps: false, sleepingForm: 'cancel_work_sync', arity: [1], source: 'kernel/workqueue.c' },
  { name: 'cancel_delayed_work_sync', summary: 'Cancel a delayed work item and wait for a running instance to finish. Sleeps.', sleeps: true, nonSleepingForm: 'cancel_delayed_work', arity: [1], source: 'kernel/workqueue.c' },
  { name: 'cancel_delayed_work', summary: 'Cancel a pending delayed work item without waiting (does not sleep).', sleeps: false, sleepingForm: 'cancel_delayed_work_sync', arity: [1], source: 'kernel/workqueue.c' },
  { name: 'lru_add_drain_all', summary: 'Drain every CPU\'s LRU batches: takes a mutex and flush_work()s per-CPU work. Sleeps. (lru_add_drain() drains only this CPU and does not sleep.)', sleeps: true, arity: [0], source: 'mm/swap.c' },
  { name: 'drain_all_pages', summary: 'Drain the per-CPU page lists of every CPU (zone or NULL): takes pcpu_drain_mutex (mutex_lock when a zone is given). Sleeps.', sleeps: true, arity: [1], source: 'mm/page_alloc.c' },
  { name: 'down', summary: 'Acquire a counting semaphore. Sleeps. (down_trylock does not.)', aliases: ['down_interruptible', 'down_killable', 'down_timeout'], sleeps: true, arity: [1, 2], source: 'kernel/locking/semaphore.c' },
  {
    name: 'cond_resched_lock',
    summary: 'If a reschedule is due, drop the spinlock, reschedule (sleep) and take it again; returns 1 when it did. Legal while holding exactly that spinlock (nothing else atomic): the lock is dropped across the sleep, so state it protects must be re-validated after a non-zero return.',
    effects: [{ op: 'release', kind: 'spinlock', object: 0 }, { op: 'acquire', kind: 'spinlock', object: 0 }],
    sleeps: false,
    arity: [1],
    source: 'include/linux/sched.h',
  },
  {
    name: 'cond_resched_rcu',
    summary: 'Inside an RCU read-side section: leave it, reschedule if due, and enter it again (include/linux/rcupdate_wait.h, v4.x–v6.19; a no-op on PREEMPT_RCU kernels without DEBUG_ATOMIC_SLEEP). The caller must be in the section, and RCU-protected pointers read before it are not valid after it.',
    effects: [{ op: 'release', kind: 'rcu', style: 'rcu' }, { op: 'acquire', kind: 'rcu', style: 'rcu' }],
    sleeps: false,
    arity: [0],
    source: 'include/linux/rcupdate_wait.h',
  },

  { name: 'vfree', summary: 'Free vmalloc()ed memory: might_sleep() in task context (unmaps and may flush TLBs); from interrupt context it defers to vfree_atomic(). Not under a spinlock or in an RCU / IRQs-off section. Freeing a pages array does not release the pages in it.', sleeps: true, nonSleepingForm: 'vfree_atomic', freesMemoryOnly: true, arity: [1], source: 'mm/vmalloc.c' },
  { name: 'vfree_atomic', summary: 'Free vmalloc()ed memory from atomic context: queues the free to a work item (does not sleep).', sleeps: false, sleepingForm: 'vfree', freesMemoryOnly: true, arity: [1], source: 'mm/vmalloc.c' },
  { name: 'vunmap', summary: 'Unmap a vmap()ed area (might_sleep).', sleeps: true, arity: [1], source: 'mm/vmalloc.c' },
  { name: 'vmap', summary: 'Map an array of pages into contiguous kernel virtual space (allocates with GFP_KERNEL): sleeps. Takes no page references (VM_MAP_PUT_PAGES hands them to vfree).', sleeps: true, arity: [4], source: 'mm/vmalloc.c' },
  { name: 'kfree', summary: 'Free kmalloc()ed memory (NULL allowed). Does not sleep. Freeing a pages array does not release the references or pins of the pages in it.', aliases: ['kfree_sensitive', 'kmem_cache_free'], sleeps: false, freesMemoryOnly: true, arity: [1, 2], source: 'mm/slub.c' },
  { name: 'kvfree_rcu', summary: 'Free a k(v)malloc()ed object after a grace period through its rcu_head field (ptr, rhf): never sleeps. The single-argument form of older kernels could sleep; it is kvfree_rcu_mightsleep() now.', aliases: ['kfree_rcu'], sleeps: false, freesMemoryOnly: true, arity: [1, 2], source: 'include/linux/rcupdate.h' },
  { name: 'kvfree_rcu_mightsleep', summary: 'Free a k(v)malloc()ed object after a grace period without an rcu_head (ptr): may fall back to synchronize_rcu(), so it sleeps.', aliases: ['kfree_rcu_mightsleep'], sleeps: true, freesMemoryOnly: true, arity: [1], source: 'include/linux/rcupdate.h' },

  { name: 'krealloc', summary: 'Resize kmalloc()ed memory (p, new_size, gfp); sleeps unless the mask is non-blocking.', sleeps: true, sleepsUnlessArg: gfp(2), arity: [3], source: 'mm/slub.c' },
  { name: 'krealloc_array', summary: 'krealloc an array (p, n, size, gfp); sleeps unless the mask is non-blocking.', sleeps: true, sleepsUnlessArg: gfp(3), arity: [4], source: 'include/linux/slab.h' },
  { name: 'kvrealloc', summary: 'Resize kvmalloc()ed memory: (p, size, gfp) in v6.19; (p, oldsize, newsize, gfp) in older kernels. Sleeps unless the mask is non-blocking.', sleeps: true, sleepsUnlessArg: gfp(2), arity: [3, 4], source: 'mm/slub.c' },
  { name: 'kvmalloc_node', summary: 'kvmalloc on a node (size, gfp, node). v6.19: non-blocking masks (GFP_ATOMIC / GFP_NOWAIT) are served without sleeping; older kernels fell back to plain kmalloc for masks that are not GFP_KERNEL-compatible, which also does not sleep.', aliases: ['kvzalloc_node'], sleeps: true, sleepsUnlessArg: gfp(1), arity: [3], source: 'mm/slub.c' },
  { name: '__vmalloc', summary: 'vmalloc with a GFP mask (size, gfp). v6.19 accepts GFP_ATOMIC / GFP_NOWAIT (non-blocking); in older kernels every __vmalloc could sleep.', aliases: ['vmalloc_huge'], sleeps: true, sleepsUnlessArg: gfp(1), arity: [2], source: 'mm/vmalloc.c' },
  { name: 'kmem_cache_alloc_node', summary: 'Allocate from a slab cache on a node (cache, gfp, node); sleeps unless the mask is non-blocking.', sleeps: true, sleepsUnlessArg: gfp(1), arity: [3], source: 'mm/slub.c' },
  { name: 'kmemdup', summary: 'Allocate and copy (p, len, gfp); sleeps unless the mask is non-blocking.', sleeps: true, sleepsUnlessArg: gfp(2), arity: [3], source: 'mm/util.c' },
  { name: 'kstrdup', summary: 'Allocate and copy a string (s, gfp); sleeps unless the mask is non-blocking.', aliases: ['kstrdup_const'], sleeps: true, sleepsUnlessArg: gfp(1), arity: [2], source: 'mm/util.c' },
  { name: 'mempool_alloc', summary: 'Allocate from a mempool (pool, gfp): with __GFP_DIRECT_RECLAIM it waits for an element to be freed (sleeps); a non-blocking mask returns NULL instead.', sleeps: true, sleepsUnlessArg: gfp(1), arity: [2], source: 'mm/mempool.c' },

  { name: '__copy_from_user', summary: 'copy_from_user without access_ok(): may fault and sleep.', aliases: ['__copy_to_user'], sleeps: true, sleepsOnlyByFaulting: true, arity: [3], source: 'include/linux/uaccess.h' },
  { name: '__get_user', summary: 'get_user without access_ok() (x, ptr): may fault and sleep.', aliases: ['__put_user'], sleeps: true, sleepsOnlyByFaulting: true, arity: [2], source: 'include/linux/uaccess.h' },
  { name: 'copy_from_user_nofault', summary: 'Copy from user memory with page faults disabled: fails (-EFAULT) instead of sleeping; safe in atomic context.', aliases: ['copy_to_user_nofault', '__copy_from_user_inatomic', '__copy_to_user_inatomic'], sleeps: false, arity: [3], source: 'mm/maccess.c' },
  { name: 'fault_in_writeable', summary: 'Fault in user pages for writing (uaddr, size) so a later pagefault-disabled copy succeeds: sleeps.', aliases: ['fault_in_readable', 'fault_in_safe_writeable', 'fault_in_iov_iter_readable', 'fault_in_iov_iter_writeable'], sleeps: true, arity: [2], source: 'mm/gup.c' },
  { name: 'folio_wait_stable', summary: 'Wait for writeback to finish if the mapping needs stable pages: sleeps.', aliases: ['wait_for_stable_page'], sleeps: true, arity: [1], source: 'mm/page-writeback.c' },
  { name: 'filemap_write_and_wait_range', summary: 'Write back and wait on a file range: sleeps (I/O).', aliases: ['filemap_fdatawait_range', 'filemap_fdatawrite_range', 'filemap_write_and_wait'], sleeps: true, arity: [1, 3], source: 'mm/filemap.c' },
];
