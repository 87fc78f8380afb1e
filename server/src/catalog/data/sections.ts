/**
 * Per-context sections (brackets): RCU flavours, SRCU, IRQs off,
 * preemption off, bottom halves off, page faults off, kmap mappings and
 * mapped PTE pointers. Checked against include/linux/rcupdate.h, srcu.h,
 * irqflags.h, preempt.h, bottom_half.h, uaccess.h, highmem.h, include/linux/mm.h.
 */
import type { ApiSpec } from '../schema';

const RCU = 'include/linux/rcupdate.h';
const IRQ = 'include/linux/irqflags.h';
const LOCAL_LOCK = 'include/linux/local_lock.h';
const PERCPU_DEFS = 'include/linux/percpu-defs.h';

export const SECTIONS: readonly ApiSpec[] = [
  { name: 'rcu_read_lock', summary: 'Enter an RCU read-side critical section: RCU-protected objects stay valid until rcu_read_unlock. No sleeping inside (except PREEMPT_RCU preemption).', effects: [{ op: 'acquire', kind: 'rcu', style: 'rcu' }], pairsWith: ['rcu_read_unlock'], arity: [0], source: RCU },
  { name: 'rcu_read_unlock', summary: 'Leave an RCU read-side critical section.', effects: [{ op: 'release', kind: 'rcu', style: 'rcu' }], pairsWith: ['rcu_read_lock'], arity: [0], source: RCU },
  { name: 'rcu_read_lock_bh', summary: 'Enter an RCU-bh read-side section: disables bottom halves as well. Pair with rcu_read_unlock_bh.', effects: [{ op: 'acquire', kind: 'rcu', style: 'bh' }, { op: 'acquire', kind: 'bh-off' }], pairsWith: ['rcu_read_unlock_bh'], arity: [0], source: RCU },
  { name: 'rcu_read_unlock_bh', summary: 'Leave an RCU-bh read-side section (re-enables bottom halves).', effects: [{ op: 'release', kind: 'rcu', style: 'bh' }, { op: 'release', kind: 'bh-off' }], pairsWith: ['rcu_read_lock_bh'], arity: [0], source: RCU },
  { name: 'rcu_read_lock_sched', summary: 'Enter an RCU-sched read-side section (disables preemption).', effects: [{ op: 'acquire', kind: 'rcu-sched' }], pairsWith: ['rcu_read_unlock_sched'], arity: [0], source: RCU },
  { name: 'rcu_read_unlock_sched', summary: 'Leave an RCU-sched read-side section.', effects: [{ op: 'release', kind: 'rcu-sched' }], pairsWith: ['rcu_read_lock_sched'], arity: [0], source: RCU },
  { name: 'srcu_read_lock', summary: 'Enter an SRCU read-side section of ssp; returns the index to pass to srcu_read_unlock(ssp, idx). Sleeping inside is allowed.', effects: [{ op: 'acquire', kind: 'srcu', object: 0 }], pairsWith: ['srcu_read_unlock'], arity: [1], source: 'include/linux/srcu.h' },
  { name: 'srcu_read_unlock', summary: 'Leave an SRCU read-side section (ssp, idx from srcu_read_lock).', effects: [{ op: 'release', kind: 'srcu', object: 0, stateArg: 1 }], pairsWith: ['srcu_read_lock'], arity: [2], source: 'include/linux/srcu.h' },

  { name: 'local_irq_disable', summary: 'Disable interrupts on this CPU (no saved state). Pair with local_irq_enable; do not mix with local_irq_save/restore.', effects: [{ op: 'acquire', kind: 'irq-off', style: 'disable' }], pairsWith: ['local_irq_enable'], arity: [0], source: IRQ },
  { name: 'local_irq_enable', summary: 'Enable interrupts on this CPU unconditionally.', effects: [{ op: 'release', kind: 'irq-off', style: 'disable' }], pairsWith: ['local_irq_disable'], arity: [0], source: IRQ },
  { name: 'local_irq_save', summary: 'Save the interrupt state into flags and disable interrupts. A macro: flags is an unsigned long lvalue passed by value (local_irq_save(flags), or local_irq_save(*flagsp) through a pointer). Restore with local_irq_restore using the same variable.', effects: [{ op: 'acquire', kind: 'irq-off', stateArg: 0, stateByValue: true, style: 'save' }], pairsWith: ['local_irq_restore'], arity: [1], source: IRQ },
  { name: 'local_irq_restore', summary: 'Restore the interrupt state saved by local_irq_save into the same flags variable (by value: passing a pointer to flags is a bug).', effects: [{ op: 'release', kind: 'irq-off', stateArg: 0, stateByValue: true, style: 'save' }], pairsWith: ['local_irq_save'], arity: [1], source: IRQ },
  { name: 'preempt_disable', summary: 'Disable preemption (nests).', effects: [{ op: 'acquire', kind: 'preempt-off' }], pairsWith: ['preempt_enable'], arity: [0], source: 'include/linux/preempt.h' },
  { name: 'preempt_enable', summary: 'Re-enable preemption (may reschedule).', effects: [{ op: 'release', kind: 'preempt-off' }], pairsWith: ['preempt_disable'], arity: [0], source: 'include/linux/preempt.h' },
  { name: 'preempt_enable_no_resched', summary: 'Re-enable preemption without checking for a reschedule.', effects: [{ op: 'release', kind: 'preempt-off' }], pairsWith: ['preempt_disable'], arity: [0], source: 'include/linux/preempt.h' },
  { name: 'get_cpu', summary: 'Disable preemption and return the current CPU id; pair with put_cpu.', effects: [{ op: 'acquire', kind: 'preempt-off' }], pairsWith: ['put_cpu'], arity: [0], source: 'include/linux/smp.h' },
  { name: 'put_cpu', summary: 'Re-enable preemption after get_cpu.', effects: [{ op: 'release', kind: 'preempt-off' }], pairsWith: ['get_cpu'], arity: [0], source: 'include/linux/smp.h' },
  { name: 'local_bh_disable', summary: 'Disable softirq (bottom-half) processing on this CPU.', effects: [{ op: 'acquire', kind: 'bh-off' }], pairsWith: ['local_bh_enable'], arity: [0], source: 'include/linux/bottom_half.h' },
  { name: 'local_bh_enable', summary: 'Re-enable bottom halves (runs pending softirqs).', effects: [{ op: 'release', kind: 'bh-off' }], pairsWith: ['local_bh_disable'], arity: [0], source: 'include/linux/bottom_half.h' },
  { name: 'pagefault_disable', summary: 'Disable page-fault handling: user accesses fail (-EFAULT) instead of sleeping. Atomic section.', effects: [{ op: 'acquire', kind: 'pagefault-off' }], pairsWith: ['pagefault_enable'], arity: [0], source: 'include/linux/uaccess.h' },
  { name: 'pagefault_enable', summary: 'Re-enable page-fault handling.', effects: [{ op: 'release', kind: 'pagefault-off' }], pairsWith: ['pagefault_disable'], arity: [0], source: 'include/linux/uaccess.h' },

  { name: 'kmap_local_page', summary: 'v5.11+: map a (highmem) page into the kernel for this context and return the address; unmap with kunmap_local(addr) in reverse (stack) order. The mapping stays valid across preemption and page faults (sleeping is allowed), but must not be handed to another context.', effects: [{ op: 'acquire', kind: 'kmap', object: 'ret', style: 'local' }], pairsWith: ['kunmap_local'], arity: [1], kernels: '>=5.11', source: 'include/linux/highmem.h' },
  { name: 'kmap_local_folio', summary: 'v5.16+: kmap_local for the page at offset in a folio; unmap with kunmap_local.', effects: [{ op: 'acquire', kind: 'kmap', object: 'ret', style: 'local' }], pairsWith: ['kunmap_local'], arity: [2], kernels: '>=5.16', source: 'include/linux/highmem.h' },
  { name: 'kunmap_local', summary: 'Unmap an address returned by kmap_local_page/kmap_local_folio (takes the address, not the page).', effects: [{ op: 'release', kind: 'kmap', object: 0, style: 'local' }], pairsWith: ['kmap_local_page', 'kmap_local_folio'], arity: [1], kernels: '>=5.11', source: 'include/linux/highmem.h' },
  { name: 'kmap_atomic', summary: 'Map a page and return the address, disabling page faults and preemption (deprecated for kmap_local_page). Atomic until kunmap_atomic(addr).', effects: [{ op: 'acquire', kind: 'kmap', object: 'ret', style: 'atomic' }, { op: 'acquire', kind: 'pagefault-off' }, { op: 'acquire', kind: 'preempt-off' }], pairsWith: ['kunmap_atomic'], arity: [1], source: 'include/linux/highmem.h' },
  { name: 'kunmap_atomic', summary: 'Unmap an address returned by kmap_atomic (takes the address) and re-enable page faults and preemption.', effects: [{ op: 'release', kind: 'kmap', object: 0, style: 'atomic' }, { op: 'release', kind: 'pagefault-off' }, { op: 'release', kind: 'preempt-off' }], pairsWith: ['kmap_atomic'], arity: [1], source: 'include/linux/highmem.h' },
  { name: 'kmap', summary: 'Map a highmem page into the kernel long-term; may sleep waiting for a slot. Unmap with kunmap(page) (takes the page).', effects: [{ op: 'acquire', kind: 'kmap', object: 0, style: 'kmap' }], sleeps: true, pairsWith: ['kunmap'], arity: [1], source: 'include/linux/highmem.h' },
  { name: 'kunmap', summary: 'Unmap a page mapped with kmap (takes the page).', effects: [{ op: 'release', kind: 'kmap', object: 0, style: 'kmap' }], pairsWith: ['kmap'], arity: [1], source: 'include/linux/highmem.h' },

  { name: 'pte_offset_map', summary: 'Map the PTE page for (pmd, addr) and return the ptep; unmap with pte_unmap. v6.5+: may return NULL (pmd changed) and holds rcu_read_lock until pte_unmap, so the page table cannot be freed under a lockless reader.', effects: [{ op: 'acquire', kind: 'pte-map', object: 'ret', cond: 'nonnull' }], pairsWith: ['pte_unmap'], arity: [2], source: 'include/linux/mm.h' },
  {
    name: 'pte_offset_map_nolock',
    summary: 'v6.5–v6.11: map the PTE page and return the ptep without taking the lock, storing the lock pointer in *ptlp (mm, pmd, addr, &ptl). Take spin_lock(ptl) later and re-check with pte_same(); unmap with pte_unmap or pte_unmap_unlock. Split into pte_offset_map_ro_nolock / pte_offset_map_rw_nolock in v6.12.',
    effects: [{ op: 'acquire', kind: 'pte-map', object: 'ret', cond: 'nonnull' }],
    pairsWith: ['pte_unmap', 'pte_unmap_unlock'],
    arity: [4],
    kernels: '6.5..6.11',
    source: 'mm/pgtable-generic.c',
  },
  { name: 'pte_offset_map_ro_nolock', summary: 'v6.12+: pte_offset_map_nolock for read-only use (mm, pmd, addr, &ptl).', effects: [{ op: 'acquire', kind: 'pte-map', object: 'ret', cond: 'nonnull' }], pairsWith: ['pte_unmap'], arity: [4], kernels: '>=6.12', source: 'mm/pgtable-generic.c' },
  { name: 'pte_offset_map_rw_nolock', summary: 'v6.12+: pte_offset_map_nolock for a later modification (mm, pmd, addr, &pmdval, &ptl): after spin_lock(ptl) re-check the pmd (pmd_same) and the pte.', effects: [{ op: 'acquire', kind: 'pte-map', object: 'ret', cond: 'nonnull' }], pairsWith: ['pte_unmap', 'pte_unmap_unlock'], arity: [5], kernels: '>=6.12', source: 'mm/pgtable-generic.c' },
  { name: 'pte_unmap', summary: 'Unmap a PTE page mapped by pte_offset_map (v6.5+: also rcu_read_unlock). The ptep must not be used afterwards.', effects: [{ op: 'release', kind: 'pte-map', object: 0 }], pairsWith: ['pte_offset_map'], arity: [1], source: 'include/linux/mm.h' },

  // local_lock: per-CPU data protection (include/linux/local_lock.h); on !PREEMPT_RT it disables preemption (or IRQs).
  { name: 'local_lock', summary: 'Take a per-CPU local lock: disables preemption (!PREEMPT_RT); per-CPU data is private to this CPU until local_unlock().', effects: [{ op: 'acquire', kind: 'preempt-off' }], pairsWith: ['local_unlock'], source: LOCAL_LOCK },
  { name: 'local_unlock', summary: 'Release a per-CPU local lock.', effects: [{ op: 'release', kind: 'preempt-off' }], pairsWith: ['local_lock'], source: LOCAL_LOCK },
  { name: 'local_lock_irq', summary: 'Take a per-CPU local lock with IRQs disabled.', effects: [{ op: 'acquire', kind: 'irq-off', style: 'disable' }], pairsWith: ['local_unlock_irq'], source: LOCAL_LOCK },
  { name: 'local_unlock_irq', summary: 'Release a per-CPU local lock and enable IRQs.', effects: [{ op: 'release', kind: 'irq-off', style: 'disable' }], pairsWith: ['local_lock_irq'], source: LOCAL_LOCK },
  { name: 'local_lock_irqsave', summary: 'Take a per-CPU local lock, saving the IRQ state in flags (by value, macro).', effects: [{ op: 'acquire', kind: 'irq-off', stateArg: 1, stateByValue: true, style: 'save' }], pairsWith: ['local_unlock_irqrestore'], source: LOCAL_LOCK },
  { name: 'local_unlock_irqrestore', summary: 'Release a per-CPU local lock and restore the IRQ state from flags.', effects: [{ op: 'release', kind: 'irq-off', stateArg: 1, stateByValue: true, style: 'save' }], pairsWith: ['local_lock_irqsave'], source: LOCAL_LOCK },

  // per-CPU pointers (include/linux/percpu-defs.h): this CPU's instance of per-CPU data
  { name: 'this_cpu_ptr', summary: 'Pointer to this CPU\'s instance of a per-CPU variable (the caller keeps preemption or migration off). Data reached through it is private to the CPU: other CPUs look at it only under a lock, after an IPI or a grace period.', aliases: ['raw_cpu_ptr'], perCpu: true, arity: [1], source: PERCPU_DEFS },
  { name: 'get_cpu_ptr', summary: 'Disable preemption and return this CPU\'s instance of a per-CPU variable; pair with put_cpu_ptr(). Data reached through it is private to the CPU.', perCpu: true, arity: [1], source: PERCPU_DEFS },
  // mm/swap.c since v5.13 (d479960e44f2): a count others read; every disable needs its enable or the caches stay off for good
  { name: 'lru_cache_disable', summary: 'Stop batching folios in the per-CPU LRU caches (counted) and drain them on every CPU: synchronize_rcu_expedited() and flush_work(), so it sleeps. Must be paired with lru_cache_enable() on every path (v5.13+).', effects: [{ op: 'acquire', kind: 'lru-cache-off' }], sleeps: true, pairsWith: ['lru_cache_enable'], arity: [0], source: 'mm/swap.c' },
  { name: 'lru_cache_enable', summary: 'Undo one lru_cache_disable() (atomic_dec of lru_disable_count).', effects: [{ op: 'release', kind: 'lru-cache-off' }], pairsWith: ['lru_cache_disable'], arity: [0], source: 'include/linux/swap.h' },
  // mm/page_alloc.c since v5.11 (ec6e8c7e0314): takes pcp_batch_high_lock (a mutex) until zone_pcp_enable()
  { name: 'zone_pcp_disable', summary: 'Disable the zone\'s pcplists: takes the pcp_batch_high_lock mutex and drains every CPU (sleeps); held until zone_pcp_enable() (v5.11+).', effects: [{ op: 'acquire', kind: 'pcp-off' }], sleeps: true, pairsWith: ['zone_pcp_enable'], arity: [1], source: 'mm/page_alloc.c' },
  { name: 'zone_pcp_enable', summary: 'Restore the zone\'s pcplist limits and release pcp_batch_high_lock.', effects: [{ op: 'release', kind: 'pcp-off' }], pairsWith: ['zone_pcp_disable'], arity: [1], source: 'mm/page_alloc.c' },
];
