/**
 * Locks: spinlocks (and their IRQ/BH variants), rwlocks, mutexes, rw
 * semaphores and mmap_lock, the page/folio lock, and page-table locks.
 * Checked against include/linux/spinlock.h, rwlock.h, mutex.h, rwsem.h,
 * mmap_lock.h, include/linux/pagemap.h, include/linux/mm.h.
 *
 * Save/restore variants record the flags argument (`stateArg`) and that the
 * macro takes it by value (`stateByValue`: spin_lock_irqsave(l, flags), not &flags).
 */
import type { AcquireEffect, ApiSpec, ReleaseEffect } from '../schema';

const SPIN = 'include/linux/spinlock.h';

type Variant = { suffix: string; lockExtra: AcquireEffect[]; unlockExtra: ReleaseEffect[]; lockArity: number; note: string };
const IRQ_VARIANTS: Variant[] = [
  { suffix: '', lockExtra: [], unlockExtra: [], lockArity: 1, note: '' },
  { suffix: '_bh', lockExtra: [{ op: 'acquire', kind: 'bh-off' }], unlockExtra: [{ op: 'release', kind: 'bh-off' }], lockArity: 1, note: ' and disable bottom halves' },
  { suffix: '_irq', lockExtra: [{ op: 'acquire', kind: 'irq-off', style: 'disable' }], unlockExtra: [{ op: 'release', kind: 'irq-off', style: 'disable' }], lockArity: 1, note: ' with IRQs disabled (unconditionally re-enabled by the _irq unlock)' },
];

function lockFamily(prefix: string, kind: 'spinlock' | 'rwlock', lockVerb: string, unlockVerb: string, what: string): ApiSpec[] {
  const out: ApiSpec[] = [];
  for (const v of IRQ_VARIANTS) {
    const lock = `${prefix}${lockVerb}${v.suffix}`;
    const unlock = `${prefix}${unlockVerb}${v.suffix}`;
    out.push({ name: lock, summary: `Acquire ${what}${v.note} (ACQUIRE ordering). Atomic context until ${unlock}: no sleeping.`, effects: [{ op: 'acquire', kind, object: 0 }, ...v.lockExtra], ordering: 'acquire', pairsWith: [unlock], arity: [v.lockArity], source: SPIN });
    out.push({ name: unlock, summary: `Release ${what} taken with ${lock} (RELEASE ordering).`, effects: [{ op: 'release', kind, object: 0 }, ...v.unlockExtra], ordering: 'release', pairsWith: [lock], arity: [1], source: SPIN });
  }
  const save = `${prefix}${lockVerb}_irqsave`;
  const restore = `${prefix}${unlockVerb}_irqrestore`;
  out.push({ name: save, summary: `Save the IRQ state into flags (a macro: flags is an unsigned long lvalue, passed by value), disable IRQs and acquire ${what}. Restore with ${restore}(lock, flags) using the same variable.`, effects: [{ op: 'acquire', kind, object: 0 }, { op: 'acquire', kind: 'irq-off', stateArg: 1, stateByValue: true, style: 'save' }], ordering: 'acquire', pairsWith: [restore], arity: [2], source: SPIN });
  out.push({ name: restore, summary: `Release ${what} and restore the IRQ state saved by ${save} in the same flags variable.`, effects: [{ op: 'release', kind, object: 0 }, { op: 'release', kind: 'irq-off', stateArg: 1, stateByValue: true, style: 'save' }], ordering: 'release', pairsWith: [save], arity: [2], source: SPIN });
  return out;
}

export const LOCKS: readonly ApiSpec[] = [
  ...lockFamily('', 'spinlock', 'spin_lock', 'spin_unlock', 'a spinlock'),
  ...lockFamily('raw_', 'spinlock', 'spin_lock', 'spin_unlock', 'a raw spinlock'),
  ...lockFamily('', 'rwlock', 'read_lock', 'read_unlock', 'an rwlock for read'),
  ...lockFamily('', 'rwlock', 'write_lock', 'write_unlock', 'an rwlock for write'),
  { name: 'spin_lock_nested', summary: 'spin_lock() with a lockdep subclass (second argument) for nesting two locks of the same class; release with spin_unlock.', effects: [{ op: 'acquire', kind: 'spinlock', object: 0 }], ordering: 'acquire', pairsWith: ['spin_unlock'], arity: [2], source: SPIN },
  { name: 'raw_spin_lock_nested', summary: 'raw_spin_lock() with a lockdep subclass.', effects: [{ op: 'acquire', kind: 'spinlock', object: 0 }], ordering: 'acquire', pairsWith: ['raw_spin_unlock'], arity: [2], source: SPIN },
  { name: 'spin_trylock', summary: 'Try to acquire a spinlock; non-zero on success (ACQUIRE ordering then).', effects: [{ op: 'acquire', kind: 'spinlock', object: 0, cond: 'bool' }], ordering: 'acquire', pairsWith: ['spin_unlock'], arity: [1], source: SPIN },
  { name: 'raw_spin_trylock', summary: 'Try to acquire a raw spinlock; non-zero on success.', effects: [{ op: 'acquire', kind: 'spinlock', object: 0, cond: 'bool' }], ordering: 'acquire', pairsWith: ['raw_spin_unlock'], arity: [1], source: SPIN },
  { name: 'spin_trylock_irqsave', summary: 'Save IRQ flags (by value), disable IRQs and try the lock; on failure IRQs are restored. Non-zero on success.', effects: [{ op: 'acquire', kind: 'spinlock', object: 0, cond: 'bool' }, { op: 'acquire', kind: 'irq-off', stateArg: 1, stateByValue: true, style: 'save', cond: 'bool' }], ordering: 'acquire', pairsWith: ['spin_unlock_irqrestore'], arity: [2], source: SPIN },
  { name: 'smp_mb__after_spinlock', summary: 'Upgrade the preceding spin_lock() to a full barrier (orders earlier stores against later loads).', ordering: 'full', checkpatchComment: true, arity: [0], source: 'include/linux/spinlock.h' },

  { name: 'mutex_lock', summary: 'Acquire a mutex. Sleeps: not in atomic context.', effects: [{ op: 'acquire', kind: 'mutex', object: 0 }], sleeps: true, ordering: 'acquire', pairsWith: ['mutex_unlock'], arity: [1], source: 'include/linux/mutex.h' },
  { name: 'mutex_lock_nested', summary: 'mutex_lock() with a lockdep subclass. Sleeps.', effects: [{ op: 'acquire', kind: 'mutex', object: 0 }], sleeps: true, ordering: 'acquire', pairsWith: ['mutex_unlock'], arity: [2], source: 'include/linux/mutex.h' },
  { name: 'mutex_lock_interruptible', summary: 'Acquire a mutex unless a signal arrives: 0 on success, -EINTR otherwise. Sleeps.', effects: [{ op: 'acquire', kind: 'mutex', object: 0, cond: 'zero' }], sleeps: true, ordering: 'acquire', pairsWith: ['mutex_unlock'], arity: [1], source: 'include/linux/mutex.h' },
  { name: 'mutex_lock_killable', summary: 'Acquire a mutex unless a fatal signal arrives: 0 on success. Sleeps.', effects: [{ op: 'acquire', kind: 'mutex', object: 0, cond: 'zero' }], sleeps: true, ordering: 'acquire', pairsWith: ['mutex_unlock'], arity: [1], source: 'include/linux/mutex.h' },
  { name: 'mutex_trylock', summary: 'Try to acquire a mutex without sleeping; 1 on success.', effects: [{ op: 'acquire', kind: 'mutex', object: 0, cond: 'bool' }], ordering: 'acquire', pairsWith: ['mutex_unlock'], arity: [1], source: 'include/linux/mutex.h' },
  { name: 'mutex_unlock', summary: 'Release a mutex (RELEASE ordering). Must be called by the owner, not in IRQ context.', effects: [{ op: 'release', kind: 'mutex', object: 0 }], ordering: 'release', pairsWith: ['mutex_lock'], arity: [1], source: 'include/linux/mutex.h' },

  { name: 'down_read', summary: 'Take an rw semaphore for read. Sleeps.', effects: [{ op: 'acquire', kind: 'rwsem', object: 0, style: 'read' }], sleeps: true, ordering: 'acquire', pairsWith: ['up_read'], arity: [1], source: 'include/linux/rwsem.h' },
  { name: 'down_read_killable', summary: 'Take an rw semaphore for read unless a fatal signal arrives: 0 on success. Sleeps.', effects: [{ op: 'acquire', kind: 'rwsem', object: 0, style: 'read', cond: 'zero' }], sleeps: true, ordering: 'acquire', pairsWith: ['up_read'], arity: [1], source: 'include/linux/rwsem.h' },
  { name: 'down_read_trylock', summary: 'Try to take an rw semaphore for read without sleeping; 1 on success.', effects: [{ op: 'acquire', kind: 'rwsem', object: 0, style: 'read', cond: 'bool' }], ordering: 'acquire', pairsWith: ['up_read'], arity: [1], source: 'include/linux/rwsem.h' },
  { name: 'up_read', summary: 'Release an rw semaphore held for read.', effects: [{ op: 'release', kind: 'rwsem', object: 0, style: 'read' }], ordering: 'release', pairsWith: ['down_read'], arity: [1], source: 'include/linux/rwsem.h' },
  { name: 'down_write', summary: 'Take an rw semaphore for write. Sleeps.', effects: [{ op: 'acquire', kind: 'rwsem', object: 0, style: 'write' }], sleeps: true, ordering: 'acquire', pairsWith: ['up_write'], arity: [1], source: 'include/linux/rwsem.h' },
  { name: 'down_write_killable', summary: 'Take an rw semaphore for write unless a fatal signal arrives: 0 on success. Sleeps.', effects: [{ op: 'acquire', kind: 'rwsem', object: 0, style: 'write', cond: 'zero' }], sleeps: true, ordering: 'acquire', pairsWith: ['up_write'], arity: [1], source: 'include/linux/rwsem.h' },
  { name: 'down_write_trylock', summary: 'Try to take an rw semaphore for write; 1 on success.', effects: [{ op: 'acquire', kind: 'rwsem', object: 0, style: 'write', cond: 'bool' }], ordering: 'acquire', pairsWith: ['up_write'], arity: [1], source: 'include/linux/rwsem.h' },
  { name: 'up_write', summary: 'Release an rw semaphore held for write.', effects: [{ op: 'release', kind: 'rwsem', object: 0, style: 'write' }], ordering: 'release', pairsWith: ['down_write'], arity: [1], source: 'include/linux/rwsem.h' },
  { name: 'downgrade_write', summary: 'Turn a write hold of an rw semaphore into a read hold (release with up_read).', effects: [{ op: 'release', kind: 'rwsem', object: 0, style: 'write' }, { op: 'acquire', kind: 'rwsem', object: 0, style: 'read' }], arity: [1], source: 'include/linux/rwsem.h' },

  { name: 'mmap_read_lock', summary: 'v5.8+: take mmap_lock (formerly mmap_sem) for read. Sleeps.', effects: [{ op: 'acquire', kind: 'rwsem', object: 0, style: 'read' }], sleeps: true, ordering: 'acquire', pairsWith: ['mmap_read_unlock'], arity: [1], kernels: '>=5.8', source: 'include/linux/mmap_lock.h' },
  { name: 'mmap_read_lock_killable', summary: 'v5.8+: take mmap_lock for read unless a fatal signal arrives: 0 on success. Sleeps.', effects: [{ op: 'acquire', kind: 'rwsem', object: 0, style: 'read', cond: 'zero' }], sleeps: true, ordering: 'acquire', pairsWith: ['mmap_read_unlock'], arity: [1], kernels: '>=5.8', source: 'include/linux/mmap_lock.h' },
  { name: 'mmap_read_trylock', summary: 'v5.8+: try to take mmap_lock for read; true on success.', effects: [{ op: 'acquire', kind: 'rwsem', object: 0, style: 'read', cond: 'bool' }], ordering: 'acquire', pairsWith: ['mmap_read_unlock'], arity: [1], kernels: '>=5.8', source: 'include/linux/mmap_lock.h' },
  { name: 'mmap_read_unlock', summary: 'v5.8+: release mmap_lock held for read.', effects: [{ op: 'release', kind: 'rwsem', object: 0, style: 'read' }], ordering: 'release', pairsWith: ['mmap_read_lock'], arity: [1], kernels: '>=5.8', source: 'include/linux/mmap_lock.h' },
  { name: 'mmap_write_lock', summary: 'v5.8+: take mmap_lock for write. Sleeps.', effects: [{ op: 'acquire', kind: 'rwsem', object: 0, style: 'write' }], sleeps: true, ordering: 'acquire', pairsWith: ['mmap_write_unlock'], arity: [1], kernels: '>=5.8', source: 'include/linux/mmap_lock.h' },
  { name: 'mmap_write_lock_killable', summary: 'v5.8+: take mmap_lock for write unless a fatal signal arrives: 0 on success. Sleeps.', effects: [{ op: 'acquire', kind: 'rwsem', object: 0, style: 'write', cond: 'zero' }], sleeps: true, ordering: 'acquire', pairsWith: ['mmap_write_unlock'], arity: [1], kernels: '>=5.8', source: 'include/linux/mmap_lock.h' },
  { name: 'mmap_write_unlock', summary: 'v5.8+: release mmap_lock held for write.', effects: [{ op: 'release', kind: 'rwsem', object: 0, style: 'write' }], ordering: 'release', pairsWith: ['mmap_write_lock'], arity: [1], kernels: '>=5.8', source: 'include/linux/mmap_lock.h' },
  { name: 'expand_stack', summary: 'v6.5+: called with mmap_lock held for read; drops it, takes it for write, grows the stack VMA and downgrades: returns the VMA with mmap_lock held for read, or NULL with mmap_lock released ("mmap_lock was dropped on failure"). Before v6.5 it took the VMA and did not touch the lock.', effects: [{ op: 'release', kind: 'rwsem', object: 0, style: 'read', cond: 'null' }], sleeps: true, pairsWith: ['mmap_read_lock'], arity: [2], kernels: '>=6.5', source: 'mm/mmap.c' },
  { name: 'mmap_write_downgrade', summary: 'v5.8+: turn a write hold of mmap_lock into a read hold.', effects: [{ op: 'release', kind: 'rwsem', object: 0, style: 'write' }, { op: 'acquire', kind: 'rwsem', object: 0, style: 'read' }], arity: [1], kernels: '>=5.8', source: 'include/linux/mmap_lock.h' },

  { name: 'lock_page', summary: 'Lock a page (PG_locked; ACQUIRE via test_and_set_bit_lock). Sleeps: not in atomic context.', effects: [{ op: 'acquire', kind: 'page-lock', object: 0 }], sleeps: true, ordering: 'acquire', pairsWith: ['unlock_page'], arity: [1], source: 'include/linux/pagemap.h' },
  { name: 'trylock_page', summary: 'Try to lock a page without sleeping; true on success.', effects: [{ op: 'acquire', kind: 'page-lock', object: 0, cond: 'bool' }], ordering: 'acquire', pairsWith: ['unlock_page'], arity: [1], source: 'include/linux/pagemap.h' },
  { name: 'lock_page_killable', summary: 'Lock a page unless a fatal signal arrives: 0 on success. Sleeps.', effects: [{ op: 'acquire', kind: 'page-lock', object: 0, cond: 'zero' }], sleeps: true, ordering: 'acquire', pairsWith: ['unlock_page'], arity: [1], source: 'include/linux/pagemap.h' },
  { name: 'unlock_page', summary: 'Unlock a page (RELEASE: clear_bit_unlock) and wake waiters.', effects: [{ op: 'release', kind: 'page-lock', object: 0 }], ordering: 'release', pairsWith: ['lock_page', 'trylock_page'], arity: [1], source: 'mm/filemap.c' },
  { name: 'folio_lock', summary: 'Lock a folio. Sleeps.', effects: [{ op: 'acquire', kind: 'page-lock', object: 0 }], sleeps: true, ordering: 'acquire', pairsWith: ['folio_unlock'], arity: [1], kernels: '>=5.16', source: 'include/linux/pagemap.h' },
  { name: 'folio_lock_killable', summary: 'Lock a folio unless a fatal signal arrives: 0 on success. Sleeps.', effects: [{ op: 'acquire', kind: 'page-lock', object: 0, cond: 'zero' }], sleeps: true, ordering: 'acquire', pairsWith: ['folio_unlock'], arity: [1], kernels: '>=5.16', source: 'include/linux/pagemap.h' },
  { name: 'folio_trylock', summary: 'Try to lock a folio without sleeping; true on success.', effects: [{ op: 'acquire', kind: 'page-lock', object: 0, cond: 'bool' }], ordering: 'acquire', pairsWith: ['folio_unlock'], arity: [1], kernels: '>=5.16', source: 'include/linux/pagemap.h' },
  { name: 'folio_unlock', summary: 'Unlock a folio (RELEASE) and wake waiters.', effects: [{ op: 'release', kind: 'page-lock', object: 0 }], ordering: 'release', pairsWith: ['folio_lock', 'folio_trylock'], arity: [1], kernels: '>=5.16', source: 'mm/filemap.c' },

  // Page-table locks. pte_offset_map_lock both maps the PTE page and takes the
  // PTL; pte_unmap_unlock undoes both. pmd_lock/pud_lock return the lock,
  // released with spin_unlock (the 'spinlock' kind releases 'ptl').
  {
    name: 'pte_offset_map_lock',
    summary: 'Map the PTE page and take the page-table lock (mm, pmd, addr, &ptl); returns the ptep. v6.5+: may return NULL when the pmd changed under us (retry). Pair with pte_unmap_unlock(ptep, ptl). Atomic context until then.',
    effects: [{ op: 'acquire', kind: 'pte-map', object: 'ret', cond: 'nonnull' }, { op: 'acquire', kind: 'ptl', object: 3, cond: 'nonnull' }],
    ordering: 'acquire',
    pairsWith: ['pte_unmap_unlock'],
    arity: [4],
    source: 'include/linux/mm.h',
  },
  {
    name: 'pte_alloc_map_lock',
    summary: 'Allocate the PTE page if the pmd is empty, map it and take the page-table lock (mm, pmd, addr, &ptl); returns the ptep, or NULL when the allocation failed (no lock held). Pair with pte_unmap_unlock(ptep, ptl).',
    effects: [{ op: 'acquire', kind: 'pte-map', object: 'ret', cond: 'nonnull' }, { op: 'acquire', kind: 'ptl', object: 3, cond: 'nonnull' }],
    ordering: 'acquire',
    sleeps: true,
    pairsWith: ['pte_unmap_unlock'],
    arity: [4],
    source: 'include/linux/mm.h',
  },
  { name: 'pte_alloc_map', summary: 'Allocate the PTE page if needed and map it (mm, pmd, addr); NULL when the allocation failed. Unmap with pte_unmap.', effects: [{ op: 'acquire', kind: 'pte-map', object: 'ret', cond: 'nonnull' }], sleeps: true, pairsWith: ['pte_unmap'], arity: [3], source: 'include/linux/mm.h' },
  {
    name: 'pte_unmap_unlock',
    summary: 'Drop the page-table lock and unmap the PTE page (ptep, ptl). The ptep must not be used afterwards.',
    effects: [{ op: 'release', kind: 'pte-map', object: 0 }, { op: 'release', kind: 'ptl', object: 1 }],
    ordering: 'release',
    pairsWith: ['pte_offset_map_lock'],
    arity: [2],
    source: 'include/linux/mm.h',
  },
  { name: 'pmd_lock', summary: 'Take the PMD-level page-table lock for (mm, pmd) and return it; release with spin_unlock(ptl).', effects: [{ op: 'acquire', kind: 'ptl', object: 'ret' }], ordering: 'acquire', pairsWith: ['spin_unlock'], arity: [2], source: 'include/linux/mm.h' },
  { name: 'migration_entry_wait_on_locked', summary: 'v6.5+: wait for the folio of a migration entry to be unlocked (entry, ptl); called with the page-table lock `ptl` held, it drops it (spin_unlock) before sleeping and returns with it released. Before v6.5 it took (entry, ptep, ptl) and unmapped ptep too: that form is not described here.', effects: [{ op: 'release', kind: 'spinlock', object: 1 }], kernels: '>=6.5', arity: [2], strictArity: true, releasesCallersRef: true, source: 'mm/filemap.c' },
  { name: 'softleaf_entry_wait_on_locked', summary: 'v6.19+ name of migration_entry_wait_on_locked() (entry, ptl): drops the page-table lock `ptl` it is called with before waiting for the folio to be unlocked.', effects: [{ op: 'release', kind: 'spinlock', object: 1 }], kernels: '>=6.19', arity: [2], strictArity: true, releasesCallersRef: true, source: 'mm/filemap.c' },
  { name: 'pud_lock', summary: 'Take the PUD-level page-table lock for (mm, pud) and return it; release with spin_unlock(ptl).', effects: [{ op: 'acquire', kind: 'ptl', object: 'ret' }], ordering: 'acquire', pairsWith: ['spin_unlock'], arity: [2], source: 'include/linux/mm.h' },
  { name: 'pmd_trans_huge_lock', summary: 'If the pmd maps a huge page, take its PTL and return it; otherwise NULL (no lock held). Release with spin_unlock.', effects: [{ op: 'acquire', kind: 'ptl', object: 'ret', cond: 'nonnull' }], ordering: 'acquire', pairsWith: ['spin_unlock'], arity: [2], source: 'include/linux/huge_mm.h' },
  { name: 'pmd_lockptr', summary: 'The PMD-level page-table lock of (mm, pmd), without taking it: the lock pmd_lock(mm, pmd) takes and returns (split PMD locks: the page table\'s own lock, else &mm->page_table_lock).', lockPointerOf: 'pmd_lock', arity: [2], source: 'include/linux/mm.h' },
  { name: 'pud_lockptr', summary: 'The PUD-level page-table lock of (mm, pud), without taking it: the lock pud_lock(mm, pud) takes and returns.', lockPointerOf: 'pud_lock', arity: [2], source: 'include/linux/mm.h' },
  { name: 'lockdep_assert_held', summary: 'Lockdep assertion that the lock is held (by this task): what follows runs under it.', aliases: ['lockdep_assert_held_write', 'lockdep_assert_held_read', 'lockdep_assert_held_once'], assertsHeld: { arg: 0 }, arity: [1], source: 'include/linux/lockdep.h' },
];
