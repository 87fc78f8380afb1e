/**
 * References on other objects mm code juggles: dev_pagemap, percpu_ref,
 * struct file, mm_struct (two different counters), and the per-VMA lock.
 * Checked against mm/memremap.c, include/linux/memremap.h,
 * include/linux/percpu-refcount.h, include/linux/fs.h, include/linux/sched/mm.h,
 * include/linux/mm.h (per-VMA locks), mm/memory.c (lock_vma_under_rcu).
 */
import type { ApiSpec } from '../schema';

const PERCPU = 'include/linux/percpu-refcount.h';

export const OBJECTS: readonly ApiSpec[] = [
  {
    name: 'get_dev_pagemap',
    summary: 'Look up the dev_pagemap covering a pfn and take a reference on it (percpu_ref_tryget_live); NULL when there is none or it is dying. With a cached pgmap argument that still covers pfn, the cached reference is returned as-is; otherwise the cached one is put and a new one taken. Drop with put_dev_pagemap on every path.',
    effects: [{ op: 'acquire', kind: 'pgmap-ref', object: 'ret', cond: 'nonnull', replaces: 1 }],
    pairsWith: ['put_dev_pagemap'],
    arity: [1, 2],
    source: 'mm/memremap.c',
  },
  {
    name: 'put_dev_pagemap',
    summary: 'Drop a dev_pagemap reference (percpu_ref_put(&pgmap->ref)); NULL is allowed.',
    effects: [{ op: 'release', kind: 'pgmap-ref', object: 0 }],
    pairsWith: ['get_dev_pagemap'],
    arity: [1],
    source: 'include/linux/memremap.h',
  },
  // ---- memory that holds objects -------------------------------------------------
  { name: 'kvfree', summary: 'Free kvmalloc()ed memory: vfree() for a vmalloc address, which might_sleep()s in task context, else kfree(): may sleep, so not in atomic context. Freeing a pages array does not release the references or pins of the pages in it (unpin/put them first).', aliases: ['kvfree_sensitive'], sleeps: true, freesMemoryOnly: true, arity: [1, 2], source: 'mm/slub.c' },
  { name: 'percpu_ref_get', summary: 'Take a percpu_ref reference (the caller must already hold one or know the ref is live).', effects: [{ op: 'acquire', kind: 'percpu-ref', object: 0 }], pairsWith: ['percpu_ref_put'], arity: [1], source: PERCPU },
  { name: 'percpu_ref_get_many', summary: 'Take nr percpu_ref references.', effects: [{ op: 'acquire', kind: 'percpu-ref', object: 0, count: { arg: 1 } }], pairsWith: ['percpu_ref_put_many'], arity: [2], source: PERCPU },
  { name: 'percpu_ref_tryget', summary: 'Take a percpu_ref reference unless the count reached zero; true on success.', effects: [{ op: 'acquire', kind: 'percpu-ref', object: 0, cond: 'bool' }], pairsWith: ['percpu_ref_put'], arity: [1], source: PERCPU },
  { name: 'percpu_ref_tryget_many', summary: 'Take nr percpu_ref references unless the count reached zero; true on success.', effects: [{ op: 'acquire', kind: 'percpu-ref', object: 0, cond: 'bool', count: { arg: 1 } }], pairsWith: ['percpu_ref_put_many'], arity: [2], source: PERCPU },
  { name: 'percpu_ref_tryget_live', summary: 'Take a percpu_ref reference unless the ref has been killed (percpu_ref_kill); true on success. Used by get_dev_pagemap.', effects: [{ op: 'acquire', kind: 'percpu-ref', object: 0, cond: 'bool' }], pairsWith: ['percpu_ref_put'], arity: [1], source: PERCPU },
  { name: 'percpu_ref_put', summary: 'Drop a percpu_ref reference; the release callback runs when the last one goes after percpu_ref_kill.', effects: [{ op: 'release', kind: 'percpu-ref', object: 0 }], pairsWith: ['percpu_ref_get', 'percpu_ref_tryget', 'percpu_ref_tryget_live'], arity: [1], source: PERCPU },
  { name: 'percpu_ref_put_many', summary: 'Drop nr percpu_ref references.', effects: [{ op: 'release', kind: 'percpu-ref', object: 0, count: { arg: 1 } }], pairsWith: ['percpu_ref_get_many'], arity: [2], source: PERCPU },

  { name: 'get_file', summary: 'Take a reference on a struct file the caller already holds (returns the same file). Drop with fput.', effects: [{ op: 'acquire', kind: 'file-ref', object: 0 }], returnsObject: true, pairsWith: ['fput'], arity: [1], source: 'include/linux/fs.h' },
  { name: 'fget', summary: 'Look up a file descriptor of current and return the file with a reference, or NULL. Drop with fput.', effects: [{ op: 'acquire', kind: 'file-ref', object: 'ret', cond: 'nonnull' }], pairsWith: ['fput'], arity: [1], source: 'fs/file.c' },
  {
    name: 'get_file_rcu',
    summary: 'Speculative file reference under RCU. ≤v6.6: get_file_rcu(file) = atomic_long_inc_not_zero(&file->f_count), true on success. v6.7+: get_file_rcu(struct file __rcu **f) returns the file or NULL and re-checks the pointer itself (SLAB_TYPESAFE_BY_RCU files).',
    effects: [{ op: 'acquire', kind: 'file-ref', object: 0, cond: 'bool' }],
    speculative: true,
    requires: ['rcu'],
    pairsWith: ['fput'],
    arity: [1],
    history: [{ kernels: '>=6.7', summary: 'takes struct file __rcu ** and returns the file (cond nonnull)' }],
    source: 'include/linux/fs.h',
  },
  { name: 'fput', summary: 'Drop a file reference; the final fput defers __fput to task work (does not sleep itself).', effects: [{ op: 'release', kind: 'file-ref', object: 0 }], pairsWith: ['get_file', 'fget'], arity: [1], source: 'fs/file_table.c' },

  { name: 'mmget', summary: 'Take an mm_users reference (keeps the address space alive). Drop with mmput, not mmdrop.', effects: [{ op: 'acquire', kind: 'mm-ref', object: 0 }], pairsWith: ['mmput'], arity: [1], source: 'include/linux/sched/mm.h' },
  { name: 'mmget_not_zero', summary: 'Take an mm_users reference unless the address space is already being torn down; true on success.', effects: [{ op: 'acquire', kind: 'mm-ref', object: 0, cond: 'bool' }], ordering: 'full', pairsWith: ['mmput'], arity: [1], source: 'include/linux/sched/mm.h' },
  { name: 'get_task_mm', summary: 'Return the task\'s mm with an mm_users reference, or NULL (kernel thread / exiting). Drop with mmput.', effects: [{ op: 'acquire', kind: 'mm-ref', object: 'ret', cond: 'nonnull' }], pairsWith: ['mmput'], arity: [1], source: 'kernel/fork.c' },
  { name: 'mmput', summary: 'Drop an mm_users reference; the last one tears down the address space (exit_mmap): might_sleep() on every call. In atomic context use mmput_async.', effects: [{ op: 'release', kind: 'mm-ref', object: 0 }], sleeps: true, nonSleepingForm: 'mmput_async', pairsWith: ['mmget', 'mmget_not_zero', 'get_task_mm'], arity: [1], source: 'kernel/fork.c' },
  { name: 'mmput_async', summary: 'Drop an mm_users reference, deferring teardown to a workqueue (safe in atomic context).', effects: [{ op: 'release', kind: 'mm-ref', object: 0 }], sleeps: false, sleepingForm: 'mmput', pairsWith: ['mmget', 'mmget_not_zero', 'get_task_mm'], arity: [1], source: 'kernel/fork.c' },
  { name: 'mmgrab', summary: 'Take an mm_count reference (keeps struct mm_struct allocated, not the address space). Drop with mmdrop, not mmput.', effects: [{ op: 'acquire', kind: 'mm-grab', object: 0 }], pairsWith: ['mmdrop'], arity: [1], source: 'include/linux/sched/mm.h' },
  { name: 'mmdrop', summary: 'Drop an mm_count reference; frees the mm_struct when it was the last. A full memory barrier (atomic_dec_and_test(), which membarrier relies on).', effects: [{ op: 'release', kind: 'mm-grab', object: 0 }], ordering: 'full', pairsWith: ['mmgrab'], arity: [1], source: 'include/linux/sched/mm.h' },
  { name: 'mmgrab_lazy_tlb', summary: 'Take a lazy-TLB mm reference (mmgrab() with CONFIG_MMU_LAZY_TLB_REFCOUNT, else nothing): the reference a kernel thread borrowing an mm as active_mm holds; drop with mmdrop_lazy_tlb().', effects: [{ op: 'acquire', kind: 'mm-grab', object: 0 }], pairsWith: ['mmdrop_lazy_tlb'], arity: [1], kernels: '>=6.2', source: 'include/linux/sched/mm.h' },
  { name: 'mmdrop_lazy_tlb', summary: 'Drop a lazy-TLB mm reference (mmdrop() with CONFIG_MMU_LAZY_TLB_REFCOUNT, else smp_mb()): always a full memory barrier, which finish_task_switch() relies on.', effects: [{ op: 'release', kind: 'mm-grab', object: 0 }], pairsWith: ['mmgrab_lazy_tlb'], ordering: 'full', arity: [1], kernels: '>=6.2', source: 'include/linux/sched/mm.h' },

  {
    name: 'vma_start_read',
    summary: 'v6.4+: try to read-lock a VMA without mmap_lock (per-VMA lock), under RCU; true on success (v6.4–v6.14). Release with vma_end_read. A failed attempt means fall back to mmap_read_lock.',
    effects: [{ op: 'acquire', kind: 'vma-ref', object: 0, cond: 'bool' }],
    requires: ['rcu'],
    pairsWith: ['vma_end_read'],
    arity: [1, 2],
    kernels: '>=6.4',
    history: [{ kernels: '>=6.15', summary: 'vma_start_read(mm, vma) returns the vma, NULL or ERR_PTR(-EAGAIN) (vm_refcnt based)' }],
    source: 'include/linux/mm.h',
  },
  { name: 'vma_end_read', summary: 'v6.4+: drop a per-VMA read lock taken by vma_start_read / lock_vma_under_rcu.', effects: [{ op: 'release', kind: 'vma-ref', object: 0 }], pairsWith: ['vma_start_read', 'lock_vma_under_rcu'], arity: [1], kernels: '>=6.4', source: 'include/linux/mm.h' },
  {
    name: 'lock_vma_under_rcu',
    summary: 'v6.4+: find the VMA covering address and read-lock it without mmap_lock (takes RCU internally); returns the locked vma or NULL (fall back to mmap_lock). Release with vma_end_read.',
    effects: [{ op: 'acquire', kind: 'vma-ref', object: 'ret', cond: 'nonnull' }],
    pairsWith: ['vma_end_read'],
    arity: [2],
    kernels: '>=6.4',
    source: 'mm/memory.c',
  },
];
