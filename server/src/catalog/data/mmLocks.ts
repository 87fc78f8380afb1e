/**
 * mm's lock wrappers: the XArray lock (xa_lock*, xas_lock*: a spinlock, plus
 * an IRQs-off or BH-off section for the _irq/_irqsave/_bh forms, exactly as
 * the spin_lock_* they expand to), the anon_vma, i_mmap and hugetlb VMA rw
 * semaphores, the lruvec lock (a spinlock returned by the lock call), the
 * swap cluster lock, the folio_walk page-table lock, local_lock forms the
 * ordering table does not have, and folio_lock_anon_vma_read().
 *
 * Checked against v6.19: include/linux/xarray.h, include/linux/rmap.h,
 * mm/rmap.c, include/linux/fs.h, include/linux/hugetlb.h, mm/hugetlb.c,
 * include/linux/memcontrol.h, mm/memcontrol.c, mm/swap.h,
 * include/linux/pagewalk.h, mm/pagewalk.c, include/linux/local_lock.h.
 */
import type { AcquireEffect, ApiSpec, ReleaseEffect } from '../schema';

const XA = 'include/linux/xarray.h';

type Form = { suffix: string; unlockSuffix: string; extra: AcquireEffect[]; unextra: ReleaseEffect[]; flags: boolean; note: string };
const FORMS: Form[] = [
  { suffix: '', unlockSuffix: '', extra: [], unextra: [], flags: false, note: '' },
  { suffix: '_bh', unlockSuffix: '_bh', extra: [{ op: 'acquire', kind: 'bh-off' }], unextra: [{ op: 'release', kind: 'bh-off' }], flags: false, note: ' and disable bottom halves' },
  { suffix: '_irq', unlockSuffix: '_irq', extra: [{ op: 'acquire', kind: 'irq-off', style: 'disable' }], unextra: [{ op: 'release', kind: 'irq-off', style: 'disable' }], flags: false, note: ' with IRQs disabled (re-enabled unconditionally by the _irq unlock)' },
  {
    suffix: '_irqsave',
    unlockSuffix: '_irqrestore',
    extra: [{ op: 'acquire', kind: 'irq-off', stateArg: 1, stateByValue: true, style: 'save' }],
    unextra: [{ op: 'release', kind: 'irq-off', stateArg: 1, stateByValue: true, style: 'save' }],
    flags: true,
    note: ', saving the IRQ state in flags (a macro: flags by value)',
  },
];

/** xa_lock*(xa) / xas_lock*(xas): spin_lock*(&xa->xa_lock) under another name, one object per array. */
function xarrayLocks(prefix: 'xa' | 'xas', what: string, era: string): ApiSpec[] {
  const out: ApiSpec[] = [];
  for (const f of FORMS) {
    const lock = `${prefix}_lock${f.suffix}`;
    const unlock = `${prefix}_unlock${f.unlockSuffix}`;
    out.push({
      name: lock,
      summary: `Take the XArray spinlock of ${what} (spin_lock${f.suffix}(&xa->xa_lock))${f.note}. Atomic context until ${unlock}: no sleeping, no GFP_KERNEL allocation (drop the lock around xas_nomem()).`,
      effects: [{ op: 'acquire', kind: 'spinlock', object: 0 }, ...f.extra],
      ordering: 'acquire',
      pairsWith: [unlock],
      arity: [f.flags ? 2 : 1],
      kernels: era,
      source: XA,
    });
    out.push({
      name: unlock,
      summary: `Release the XArray spinlock of ${what} taken by ${lock}${f.flags ? ', restoring the IRQ state from the same flags variable' : ''}.`,
      effects: [{ op: 'release', kind: 'spinlock', object: 0 }, ...f.unextra],
      ordering: 'release',
      pairsWith: [lock],
      arity: [f.flags ? 2 : 1],
      kernels: era,
      source: XA,
    });
  }
  return out;
}

const rwsem = (
  name: string,
  style: 'read' | 'write',
  op: 'lock' | 'trylock' | 'unlock',
  summary: string,
  pair: string[],
  source: string,
  kernels?: string,
): ApiSpec => ({
  name,
  summary,
  effects: [
    op === 'unlock'
      ? { op: 'release', kind: 'rwsem', object: 0, style }
      : { op: 'acquire', kind: 'rwsem', object: 0, style, ...(op === 'trylock' ? { cond: 'bool' as const } : {}) },
  ],
  ...(op === 'lock' ? { sleeps: true } : {}),
  ordering: op === 'unlock' ? 'release' : 'acquire',
  pairsWith: pair,
  arity: [1],
  ...(kernels ? { kernels } : {}),
  source,
});

const RMAP_H = 'include/linux/rmap.h';
const FS_H = 'include/linux/fs.h';
const HUGETLB = 'mm/hugetlb.c';
const LRU = 'include/linux/memcontrol.h';

export const MM_LOCKS: readonly ApiSpec[] = [
  ...xarrayLocks('xa', 'an XArray (xa)', '>=4.20'),
  ...xarrayLocks('xas', 'the XArray an xa_state walks (xas->xa)', '>=4.20'),
  // ---- XArray operations: none takes, drops or keeps the xa_state / array given to it
  { name: 'xas_store', summary: 'Store an entry at the xa_state\'s index (caller holds the xa_lock); returns the old entry. Allocates nothing (xas_nomem() does, after unlocking).', aliases: ['xas_set_mark', 'xas_clear_mark', 'xas_init_marks', 'xas_create_range', 'xas_split', 'xas_try_split'], arity: [1, 2, 3], source: 'lib/xarray.c' },
  { name: 'xas_find_conflict', summary: 'Find the next entry in the range an xas_store() would overwrite (caller holds the xa_lock).', arity: [1], source: 'lib/xarray.c' },
  { name: 'xas_set', summary: 'Reposition an xa_state (no tree access).', aliases: ['xas_reset', 'xas_set_order', 'xas_set_err', 'xas_advance', 'xas_set_update', 'xas_pause', 'xas_get_mark', 'xas_error', 'xas_retry', 'xas_next', 'xas_prev', 'xas_invalid', 'xas_valid'], arity: [1, 2, 3], source: 'include/linux/xarray.h' },
  { name: 'xas_nomem', summary: 'After an -ENOMEM store, allocate the node the xa_state needs (xas, gfp) and return true to retry: called with the xa_lock dropped; sleeps unless the mask is non-blocking.', sleeps: true, sleepsUnlessArg: { arg: 1, atomicFlags: ['GFP_ATOMIC', 'GFP_NOWAIT', 'GFP_TRANSHUGE_LIGHT'] }, arity: [2], source: 'lib/xarray.c' },
  { name: 'xas_split_alloc', summary: 'Preallocate the nodes to split an entry (xas, entry, order, gfp) before taking the xa_lock; may sleep if the mask permits.', sleeps: true, sleepsUnlessArg: { arg: 3, atomicFlags: ['GFP_ATOMIC', 'GFP_NOWAIT', 'GFP_TRANSHUGE_LIGHT'] }, arity: [4], source: 'lib/xarray.c' },
  { name: '__xa_store', summary: 'Store into an XArray whose xa_lock the caller holds (xa, index, entry, gfp). With a blocking mask it may DROP the xa_lock around the allocation and retake it (__xas_nomem): legal under the xa_lock, but state read under the lock must be re-checked.', aliases: ['__xa_insert', '__xa_cmpxchg', '__xa_alloc', '__xa_alloc_cyclic'], arity: [4, 5, 6], source: 'lib/xarray.c' },
  { name: '__xa_erase', summary: 'Erase an entry from an XArray whose xa_lock the caller holds (xa, index); returns the old entry.', aliases: ['__xa_set_mark', '__xa_clear_mark'], arity: [2, 3], source: 'lib/xarray.c' },

  { name: 'xa_trylock', summary: 'Try to take the XArray spinlock (spin_trylock(&xa->xa_lock)); non-zero on success.', effects: [{ op: 'acquire', kind: 'spinlock', object: 0, cond: 'bool' }], ordering: 'acquire', pairsWith: ['xa_unlock'], arity: [1], kernels: '>=4.20', source: XA },
  { name: 'xa_lock_nested', summary: 'xa_lock() with a lockdep subclass.', effects: [{ op: 'acquire', kind: 'spinlock', object: 0 }], ordering: 'acquire', pairsWith: ['xa_unlock'], arity: [2], kernels: '>=4.20', source: XA },
  { name: 'xa_lock_irq_nested', summary: 'xa_lock_irq() with a lockdep subclass.', effects: [{ op: 'acquire', kind: 'spinlock', object: 0 }, { op: 'acquire', kind: 'irq-off', style: 'disable' }], ordering: 'acquire', pairsWith: ['xa_unlock_irq'], arity: [2], kernels: '>=4.20', source: XA },
  { name: 'xa_lock_bh_nested', summary: 'xa_lock_bh() with a lockdep subclass.', effects: [{ op: 'acquire', kind: 'spinlock', object: 0 }, { op: 'acquire', kind: 'bh-off' }], ordering: 'acquire', pairsWith: ['xa_unlock_bh'], arity: [2], kernels: '>=4.20', source: XA },
  { name: 'xa_lock_irqsave_nested', summary: 'xa_lock_irqsave() with a lockdep subclass (xa, flags, subclass).', effects: [{ op: 'acquire', kind: 'spinlock', object: 0 }, { op: 'acquire', kind: 'irq-off', stateArg: 1, stateByValue: true, style: 'save' }], ordering: 'acquire', pairsWith: ['xa_unlock_irqrestore'], arity: [3], kernels: '>=4.20', source: XA },

  // ---- anon_vma: the root anon_vma's rwsem -----------------------------------------
  rwsem('anon_vma_lock_write', 'write', 'lock', 'Take the anon_vma tree lock for write (down_write(&anon_vma->root->rwsem)). Sleeps.', ['anon_vma_unlock_write'], RMAP_H),
  rwsem('anon_vma_trylock_write', 'write', 'trylock', 'Try to take the anon_vma tree lock for write (down_write_trylock); 1 on success.', ['anon_vma_unlock_write'], RMAP_H),
  rwsem('anon_vma_unlock_write', 'write', 'unlock', 'Release the anon_vma tree lock held for write.', ['anon_vma_lock_write', 'anon_vma_trylock_write'], RMAP_H),
  rwsem('anon_vma_lock_read', 'read', 'lock', 'Take the anon_vma tree lock for read (down_read(&anon_vma->root->rwsem)). Sleeps.', ['anon_vma_unlock_read'], RMAP_H),
  rwsem('anon_vma_trylock_read', 'read', 'trylock', 'Try to take the anon_vma tree lock for read (down_read_trylock); 1 on success.', ['anon_vma_unlock_read'], RMAP_H),
  rwsem('anon_vma_unlock_read', 'read', 'unlock', 'Release the anon_vma tree lock held for read.', ['anon_vma_lock_read', 'anon_vma_trylock_read', 'folio_lock_anon_vma_read'], RMAP_H),
  {
    name: 'folio_lock_anon_vma_read',
    summary: 'Return the anon_vma of a mapped anonymous folio read-locked (down_read_trylock, or take a temporary ref and anon_vma_lock_read: may sleep unless rwc->try_lock), or NULL (not anon, unmapped, or contended with try_lock). Release with anon_vma_unlock_read. Older kernels: page_lock_anon_vma_read(page).',
    effects: [{ op: 'acquire', kind: 'rwsem', object: 'ret', style: 'read', cond: 'nonnull' }],
    aliases: ['page_lock_anon_vma_read'],
    sleeps: true,
    ordering: 'acquire',
    pairsWith: ['anon_vma_unlock_read'],
    arity: [1, 2],
    source: 'mm/rmap.c',
  },

  // ---- i_mmap_rwsem of an address_space --------------------------------------------
  rwsem('i_mmap_lock_write', 'write', 'lock', 'Take mapping->i_mmap_rwsem for write (the file rmap tree). Sleeps.', ['i_mmap_unlock_write'], FS_H),
  rwsem('i_mmap_trylock_write', 'write', 'trylock', 'Try to take mapping->i_mmap_rwsem for write; 1 on success.', ['i_mmap_unlock_write'], FS_H),
  rwsem('i_mmap_unlock_write', 'write', 'unlock', 'Release mapping->i_mmap_rwsem held for write.', ['i_mmap_lock_write', 'i_mmap_trylock_write'], FS_H),
  rwsem('i_mmap_lock_read', 'read', 'lock', 'Take mapping->i_mmap_rwsem for read. Sleeps.', ['i_mmap_unlock_read'], FS_H),
  rwsem('i_mmap_trylock_read', 'read', 'trylock', 'Try to take mapping->i_mmap_rwsem for read; 1 on success.', ['i_mmap_unlock_read'], FS_H),
  rwsem('i_mmap_unlock_read', 'read', 'unlock', 'Release mapping->i_mmap_rwsem held for read.', ['i_mmap_lock_read', 'i_mmap_trylock_read'], FS_H),

  // ---- hugetlb VMA lock (v6.1+): the shared-PMD vma_lock or the private resv_map rw_sema
  rwsem('hugetlb_vma_lock_read', 'read', 'lock', 'v6.1+: take a hugetlb VMA\'s lock for read (vma_lock->rw_sema for shareable VMAs, resv_map->rw_sema for private ones; a no-op for other VMAs). Sleeps.', ['hugetlb_vma_unlock_read'], HUGETLB, '>=6.1'),
  rwsem('hugetlb_vma_unlock_read', 'read', 'unlock', 'v6.1+: release a hugetlb VMA lock held for read.', ['hugetlb_vma_lock_read', 'hugetlb_vma_trylock_read'], HUGETLB, '>=6.1'),
  rwsem('hugetlb_vma_lock_write', 'write', 'lock', 'v6.1+: take a hugetlb VMA\'s lock for write. Sleeps.', ['hugetlb_vma_unlock_write'], HUGETLB, '>=6.1'),
  rwsem('hugetlb_vma_unlock_write', 'write', 'unlock', 'v6.1+: release a hugetlb VMA lock held for write.', ['hugetlb_vma_lock_write', 'hugetlb_vma_trylock_write'], HUGETLB, '>=6.1'),
  rwsem('hugetlb_vma_trylock_write', 'write', 'trylock', 'v6.1+: try to take a hugetlb VMA lock for write; 1 on success (also 1 when the VMA has no lock).', ['hugetlb_vma_unlock_write'], HUGETLB, '>=6.1'),
  rwsem('hugetlb_vma_trylock_read', 'read', 'trylock', 'Try to take a hugetlb VMA lock for read; 1 on success (also 1 when the VMA has no lock). Present in v6.19.', ['hugetlb_vma_unlock_read'], HUGETLB),

  // ---- lruvec lru_lock: taken on the folio, returned as the lruvec -------------------
  {
    name: 'folio_lruvec_lock',
    summary: 'v5.16+: take the lru_lock of the folio\'s lruvec (spin_lock) and return the lruvec; the folio\'s memcg binding must be stable. Release with unlock_page_lruvec(lruvec).',
    effects: [{ op: 'acquire', kind: 'spinlock', object: 'ret' }],
    ordering: 'acquire',
    pairsWith: ['unlock_page_lruvec'],
    arity: [1],
    kernels: '>=5.16',
    history: [{ kernels: '5.11..5.15', summary: 'lock_page_lruvec(page)' }],
    source: 'mm/memcontrol.c',
  },
  {
    name: 'folio_lruvec_lock_irq',
    summary: 'v5.16+: spin_lock_irq the folio\'s lruvec lru_lock and return the lruvec. Release with unlock_page_lruvec_irq(lruvec).',
    effects: [{ op: 'acquire', kind: 'spinlock', object: 'ret' }, { op: 'acquire', kind: 'irq-off', style: 'disable' }],
    ordering: 'acquire',
    pairsWith: ['unlock_page_lruvec_irq'],
    arity: [1],
    kernels: '>=5.16',
    history: [{ kernels: '5.11..5.15', summary: 'lock_page_lruvec_irq(page)' }],
    source: 'mm/memcontrol.c',
  },
  {
    name: 'folio_lruvec_lock_irqsave',
    summary: 'v5.16+: spin_lock_irqsave the folio\'s lruvec lru_lock and return the lruvec (folio, &flags): unlike spin_lock_irqsave the flags are passed BY POINTER here, but by value to unlock_page_lruvec_irqrestore(lruvec, flags).',
    effects: [{ op: 'acquire', kind: 'spinlock', object: 'ret' }, { op: 'acquire', kind: 'irq-off', stateArg: 1, stateByValue: false, style: 'save' }],
    ordering: 'acquire',
    pairsWith: ['unlock_page_lruvec_irqrestore'],
    arity: [2],
    kernels: '>=5.16',
    history: [{ kernels: '5.11..5.15', summary: 'lock_page_lruvec_irqsave(page, &flags)' }],
    source: 'mm/memcontrol.c',
  },
  { name: 'unlock_page_lruvec', summary: 'v5.11+: release a lruvec lru_lock (spin_unlock(&lruvec->lru_lock)).', effects: [{ op: 'release', kind: 'spinlock', object: 0 }], ordering: 'release', pairsWith: ['folio_lruvec_lock'], arity: [1], kernels: '>=5.11', source: LRU },
  { name: 'unlock_page_lruvec_irq', summary: 'v5.11+: release a lruvec lru_lock and enable IRQs (spin_unlock_irq).', effects: [{ op: 'release', kind: 'spinlock', object: 0 }, { op: 'release', kind: 'irq-off', style: 'disable' }], ordering: 'release', pairsWith: ['folio_lruvec_lock_irq'], arity: [1], kernels: '>=5.11', source: LRU },
  {
    name: 'unlock_page_lruvec_irqrestore',
    summary: 'v5.11+: release a lruvec lru_lock and restore the IRQ state (lruvec, flags) — flags by value, the variable folio_lruvec_lock_irqsave() saved into.',
    effects: [{ op: 'release', kind: 'spinlock', object: 0 }, { op: 'release', kind: 'irq-off', stateArg: 1, stateByValue: true, style: 'save' }],
    ordering: 'release',
    pairsWith: ['folio_lruvec_lock_irqsave'],
    arity: [2],
    kernels: '>=5.11',
    source: LRU,
  },

  // ---- swap cluster lock (v6.18+ swap table; lock_cluster/unlock_cluster before) ----
  { name: 'swap_cluster_lock', summary: 'Lock and return the swap cluster holding (si, offset): spin_lock(&ci->lock). The caller pins the device (get_swap_device). Release with swap_cluster_unlock(ci). Present in v6.19 (older kernels: lock_cluster(si, offset) / unlock_cluster(ci)).', effects: [{ op: 'acquire', kind: 'spinlock', object: 'ret' }], ordering: 'acquire', pairsWith: ['swap_cluster_unlock'], arity: [2], source: 'mm/swap.h' },
  { name: 'swap_cluster_get_and_lock', summary: 'Lock and return the swap cluster of a locked swap-cache folio (spin_lock). Release with swap_cluster_unlock.', effects: [{ op: 'acquire', kind: 'spinlock', object: 'ret' }], ordering: 'acquire', pairsWith: ['swap_cluster_unlock'], arity: [1], source: 'mm/swap.h' },
  { name: 'swap_cluster_get_and_lock_irq', summary: 'swap_cluster_get_and_lock() with IRQs disabled (spin_lock_irq). Release with swap_cluster_unlock_irq.', effects: [{ op: 'acquire', kind: 'spinlock', object: 'ret' }, { op: 'acquire', kind: 'irq-off', style: 'disable' }], ordering: 'acquire', pairsWith: ['swap_cluster_unlock_irq'], arity: [1], source: 'mm/swap.h' },
  { name: 'swap_cluster_unlock', summary: 'Release a swap cluster lock (spin_unlock(&ci->lock)).', effects: [{ op: 'release', kind: 'spinlock', object: 0 }], ordering: 'release', pairsWith: ['swap_cluster_lock', 'swap_cluster_get_and_lock'], arity: [1], source: 'mm/swap.h' },
  { name: 'swap_cluster_unlock_irq', summary: 'Release a swap cluster lock and enable IRQs (spin_unlock_irq).', effects: [{ op: 'release', kind: 'spinlock', object: 0 }, { op: 'release', kind: 'irq-off', style: 'disable' }], ordering: 'release', pairsWith: ['swap_cluster_get_and_lock_irq'], arity: [1], source: 'mm/swap.h' },

  // ---- folio_walk: the page-table lock held from start to end -------------------------
  {
    name: 'folio_walk_start',
    summary: 'v6.12+: look up the folio mapped at addr (fw, vma, addr, flags) and return it with the page-table lock held (fw->ptl; the PTE table mapped for a PTE-level hit), or NULL with nothing held. Takes NO folio reference: the folio is stable only until folio_walk_end(fw, vma); folio_get() it first to keep it. Caller holds the mmap lock (read).',
    effects: [{ op: 'acquire', kind: 'ptl', object: 0, cond: 'nonnull' }],
    returnsUnreferenced: true,
    requires: ['mmap-locked'],
    ordering: 'acquire',
    pairsWith: ['folio_walk_end'],
    arity: [4],
    kernels: '>=6.12',
    source: 'mm/pagewalk.c',
  },
  {
    name: 'folio_walk_end',
    summary: 'v6.12+: end a successful folio_walk_start(): spin_unlock(fw->ptl), pte_unmap for a PTE-level walk, and end the hugetlb VMA walk (macro on (fw, vma)).',
    effects: [{ op: 'release', kind: 'ptl', object: 0 }],
    ordering: 'release',
    pairsWith: ['folio_walk_start'],
    arity: [2],
    kernels: '>=6.12',
    source: 'include/linux/pagewalk.h',
  },

  // ---- local_lock forms not in the ordering table ---------------------------------
  { name: 'local_lock_nested_bh', summary: 'Take a per-CPU local lock inside a BH-disabled section (v6.11+: lockdep only on !PREEMPT_RT; a per-CPU spinlock on RT, so a path that does not unlock it leaves it held). Release with local_unlock_nested_bh.', effects: [{ op: 'acquire', kind: 'local-lock', object: 0 }], pairsWith: ['local_unlock_nested_bh'], arity: [1], kernels: '>=6.11', source: 'include/linux/local_lock.h' },
  { name: 'local_unlock_nested_bh', summary: 'Release a local_lock_nested_bh() lock.', effects: [{ op: 'release', kind: 'local-lock', object: 0 }], pairsWith: ['local_lock_nested_bh'], arity: [1], kernels: '>=6.11', source: 'include/linux/local_lock.h' },
  { name: 'local_trylock', summary: 'Try to take a per-CPU local_trylock_t (disables preemption on success, !PREEMPT_RT); true on success. Recent (present in v6.19). Release with local_unlock.', effects: [{ op: 'acquire', kind: 'preempt-off', cond: 'bool' }], pairsWith: ['local_unlock'], arity: [1], source: 'include/linux/local_lock.h' },
  // ---- more mm lock wrappers ---------------------------------------------------
  { name: 'task_lock', summary: 'Take a task\'s alloc_lock (spin_lock(&p->alloc_lock)): protects ->mm, ->files, ->fs, ->mempolicy ... of the task. Release with task_unlock.', effects: [{ op: 'acquire', kind: 'spinlock', object: 0 }], ordering: 'acquire', pairsWith: ['task_unlock'], arity: [1], source: 'include/linux/sched/task.h' },
  { name: 'task_unlock', summary: 'Release a task\'s alloc_lock (spin_unlock(&p->alloc_lock)).', effects: [{ op: 'release', kind: 'spinlock', object: 0 }], ordering: 'release', pairsWith: ['task_lock'], arity: [1], source: 'include/linux/sched/task.h' },
  { name: 'huge_pte_lock', summary: 'Take the page-table lock of a hugetlb pte (h, mm, pte) (spin_lock(huge_pte_lockptr())) and return it; release with spin_unlock(ptl).', effects: [{ op: 'acquire', kind: 'ptl', object: 'ret' }], ordering: 'acquire', pairsWith: ['spin_unlock'], arity: [3], source: 'include/linux/hugetlb.h' },
  {
    name: 'page_vma_mapped_walk',
    summary: 'Find the next page-table entry mapping pvmw->pfn in pvmw->vma: true with pvmw->ptl locked (and the PTE table mapped, pvmw->pte); false when there are no more, with everything released. Called in a loop; leaving the loop early (break, return, goto) needs page_vma_mapped_walk_done(pvmw).',
    effects: [{ op: 'acquire', kind: 'ptl', object: 0, cond: 'bool' }],
    ordering: 'acquire',
    pairsWith: ['page_vma_mapped_walk_done'],
    arity: [1],
    source: 'mm/page_vma_mapped.c',
  },
  { name: 'page_vma_mapped_walk_done', summary: 'Stop a page_vma_mapped_walk() that last returned true: pte_unmap(pvmw->pte) (not for hugetlb) and spin_unlock(pvmw->ptl).', effects: [{ op: 'release', kind: 'ptl', object: 0 }], ordering: 'release', pairsWith: ['page_vma_mapped_walk'], arity: [1], source: 'include/linux/rmap.h' },
  { name: 'page_vma_mapped_walk_restart', summary: 'Restart a page_vma_mapped_walk() after the page table changed (a PMD split): drops pvmw->ptl (and the PTE mapping) so the next page_vma_mapped_walk() call starts over. Recent (present in v6.19).', effects: [{ op: 'release', kind: 'ptl', object: 0 }], ordering: 'release', pairsWith: ['page_vma_mapped_walk'], arity: [1], source: 'include/linux/rmap.h' },
  {
    name: 'page_ext_get',
    summary: 'v6.0+: look up the page_ext of a page inside an RCU read section it opens (rcu_read_lock); returns NULL with the section closed again. Release with page_ext_put(page_ext), which does rcu_read_unlock for a non-NULL page_ext: no sleeping in between.',
    effects: [{ op: 'acquire', kind: 'rcu', style: 'rcu', cond: 'nonnull' }],
    pairsWith: ['page_ext_put'],
    arity: [1],
    kernels: '>=6.0',
    source: 'mm/page_ext.c',
  },
  { name: 'page_ext_put', summary: 'v6.0+: end the RCU read section page_ext_get() opened (NULL: nothing to do).', effects: [{ op: 'release', kind: 'rcu', style: 'rcu' }], pairsWith: ['page_ext_get'], arity: [1], kernels: '>=6.0', source: 'mm/page_ext.c' },

  { name: 'local_trylock_irqsave', summary: 'Try to take a per-CPU local_trylock_t with IRQs saved in flags (by value) and disabled; true on success, IRQs restored on failure. Release with local_unlock_irqrestore.', effects: [{ op: 'acquire', kind: 'irq-off', stateArg: 1, stateByValue: true, style: 'save', cond: 'bool' }], pairsWith: ['local_unlock_irqrestore'], arity: [2], source: 'include/linux/local_lock.h' },
];
