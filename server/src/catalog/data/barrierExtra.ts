/**
 * Catalog data for the barrier rules (server/src/rules/barrier/): the memory
 * accesses of page-flag, pin-count and page-table helpers, the location each
 * of them touches, the known store-buffering protocols of mm, and which
 * calls publish a page table.
 *
 * Semantics checked against mainline (torvalds/linux):
 * - include/linux/page-flags.h: PageWriteback()/folio_test_writeback() are
 *   test_bit() loads of PG_writeback; SetPageWriteback() is a non-returning
 *   set_bit(); TestSetPageWriteback() a value-returning (fully ordered) RMW.
 * - include/linux/mm.h: page_maybe_dma_pinned()/folio_maybe_dma_pinned()
 *   read _refcount / _pincount with atomic_read() (unordered).
 * - mm/memory.c __pte_alloc()/pmd_install(): smp_wmb() before
 *   pmd_populate() so the zeroed page table is visible before it is linked.
 * - tools/memory-model/Documentation/explanation.txt (SB): store→load order
 *   needs a full barrier on both sides; smp_wmb()/smp_rmb() do not order a
 *   store before a later load.
 *
 * Entries whose name (or alias) another data module already defines are
 * dropped by `barrierExtra(existing)`: the main tables win.
 */
import type { ScenarioId } from '../../protocol/scenarioIds';
import type { ApiSpec } from '../schema';

const PG = 'include/linux/page-flags.h';

export const BARRIER_EXTRA: readonly ApiSpec[] = [
  { name: 'PageWriteback', summary: 'Test PG_writeback (an unordered load of page->flags).', aliases: ['folio_test_writeback'], ordering: 'none', access: [{ arg: 0, kind: 'load' }], source: PG },
  { name: 'SetPageWriteback', summary: 'Set PG_writeback with a non-returning set_bit(): NOT ordered.', aliases: ['folio_set_writeback'], ordering: 'none', access: [{ arg: 0, kind: 'rmw' }], source: PG },
  { name: 'ClearPageWriteback', summary: 'Clear PG_writeback with a non-returning clear_bit(): NOT ordered.', aliases: ['folio_clear_writeback'], ordering: 'none', access: [{ arg: 0, kind: 'rmw' }], source: PG },
  { name: 'page_maybe_dma_pinned', summary: 'Read the pin count (atomic_read of _refcount/_pincount): an unordered load.', aliases: ['folio_maybe_dma_pinned', 'page_dma_pinned', 'page_pinned', 'page_is_pin'], ordering: 'none', access: [{ arg: 0, kind: 'load' }], source: 'include/linux/mm.h' },
  { name: 'test_bit', summary: 'Test a bit: an unordered load.', ordering: 'none', access: [{ arg: 1, kind: 'load', byAddress: true }], source: 'include/asm-generic/bitops/instrumented-non-atomic.h' },
  { name: 'test_bit_acquire', summary: 'Test a bit with ACQUIRE ordering.', ordering: 'acquire', access: [{ arg: 1, kind: 'load', byAddress: true }], source: 'include/asm-generic/bitops/instrumented-non-atomic.h' },
  { name: 'smp_store_mb', summary: 'Store followed by a full memory barrier (smp_mb).', ordering: 'full', access: [{ arg: 0, kind: 'store' }], source: 'include/asm-generic/barrier.h' },
  { name: 'smp_mb__after_spinlock', summary: 'Full barrier after a spin_lock().', ordering: 'full', source: 'include/linux/spinlock.h' },
  { name: 'smp_mb__after_unlock_lock', summary: 'Makes a preceding unlock+lock pair a full barrier.', ordering: 'full', source: 'kernel/rcu/rcu.h' },
  { name: 'set_pte_at', summary: 'Write a PTE (a plain, unordered store of *ptep).', aliases: ['set_pte', 'set_ptes'], ordering: 'none', access: [{ arg: 2, kind: 'store' }], source: 'include/linux/pgtable.h' },
  { name: 'set_pmd_at', summary: 'Write a PMD entry (unordered store of *pmdp).', ordering: 'none', access: [{ arg: 2, kind: 'store' }], source: 'include/linux/pgtable.h' },
  { name: 'pmd_populate', summary: 'Link a page-table page into a PMD (unordered store): the page table must be initialised and ordered before with smp_wmb().', aliases: ['pmd_populate_kernel'], ordering: 'none', access: [{ arg: 1, kind: 'store' }], source: 'mm/memory.c (pmd_install)' },
  { name: 'pmd_clear', summary: 'Clear a PMD entry (unordered store of *pmdp).', ordering: 'none', access: [{ arg: 0, kind: 'store' }], source: 'include/linux/pgtable.h' },
  { name: 'pte_clear', summary: 'Clear a PTE (unordered store of *ptep).', ordering: 'none', access: [{ arg: 2, kind: 'store' }], source: 'include/linux/pgtable.h' },
  { name: 'pud_clear', summary: 'Clear a PUD entry (unordered store of *pudp).', ordering: 'none', access: [{ arg: 0, kind: 'store' }], source: 'include/linux/pgtable.h' },
  { name: 'pud_populate', summary: 'Link a PMD page into a PUD (unordered store); needs smp_wmb() before.', aliases: ['p4d_populate', 'pgd_populate'], ordering: 'none', access: [{ arg: 1, kind: 'store' }], source: 'mm/memory.c (__pmd_alloc)' },
  // local_lock: per-CPU data protection (include/linux/local_lock.h); on !PREEMPT_RT it disables preemption (or IRQs).
  { name: 'local_lock', summary: 'Take a per-CPU local lock: disables preemption (!PREEMPT_RT); per-CPU data is private to this CPU until local_unlock().', effects: [{ op: 'acquire', kind: 'preempt-off' }], pairsWith: ['local_unlock'], source: 'include/linux/local_lock.h' },
  { name: 'local_unlock', summary: 'Release a per-CPU local lock.', effects: [{ op: 'release', kind: 'preempt-off' }], pairsWith: ['local_lock'], source: 'include/linux/local_lock.h' },
  { name: 'local_lock_irq', summary: 'Take a per-CPU local lock with IRQs disabled.', effects: [{ op: 'acquire', kind: 'irq-off', style: 'disable' }], pairsWith: ['local_unlock_irq'], source: 'include/linux/local_lock.h' },
  { name: 'local_unlock_irq', summary: 'Release a per-CPU local lock and enable IRQs.', effects: [{ op: 'release', kind: 'irq-off', style: 'disable' }], pairsWith: ['local_lock_irq'], source: 'include/linux/local_lock.h' },
  { name: 'local_lock_irqsave', summary: 'Take a per-CPU local lock, saving the IRQ state in flags (by value, macro).', effects: [{ op: 'acquire', kind: 'irq-off', stateArg: 1, stateByValue: true, style: 'save' }], pairsWith: ['local_unlock_irqrestore'], source: 'include/linux/local_lock.h' },
  { name: 'local_unlock_irqrestore', summary: 'Release a per-CPU local lock and restore the IRQ state from flags.', effects: [{ op: 'release', kind: 'irq-off', stateArg: 1, stateByValue: true, style: 'save' }], pairsWith: ['local_lock_irqsave'], source: 'include/linux/local_lock.h' },
  { name: 'pte_alloc_one', summary: 'Allocate a zeroed page-table page.', aliases: ['pte_alloc_one_kernel', 'pmd_alloc_one', 'pud_alloc_one', 'p4d_alloc_one'], source: 'include/asm-generic/pgalloc.h' },
];

/** Add the entries of BARRIER_EXTRA that no other table defines (by name or alias). */
export function barrierExtra(existing: readonly ApiSpec[]): ApiSpec[] {
  const taken = new Set<string>();
  for (const a of existing) {
    taken.add(a.name);
    for (const x of a.aliases ?? []) taken.add(x);
  }
  const out: ApiSpec[] = [];
  for (const a of BARRIER_EXTRA) {
    // the spellings no other table has; the first of them names the entry
    const names = [a.name, ...(a.aliases ?? [])].filter((x) => !taken.has(x));
    if (!names.length) continue;
    out.push({ ...a, name: names[0], aliases: names.slice(1) });
    for (const x of names) taken.add(x);
  }
  return out;
}

/** A store-buffering protocol of mm: each side stores one location then loads the other. */
export interface SbProtocol {
  name: string;
  /** Location keys of side A and side B (see BARRIER_FACTS.locationOf / derefClass). */
  a: string[];
  b: string[];
  scenario: ScenarioId;
  seed: string;
  /** One line for messages. */
  why: string;
  /**
   * An RMW of a side-A location is an announcement by itself, even in a
   * helper with nothing after it (start_lockless_pgtbl_walk()): the caller's
   * accesses follow.
   */
  announce?: boolean;
}

export interface BarrierFacts {
  /**
   * Location a call touches, by the called name, when the argument alone does
   * not say it (`page_ref_add(page, n)` writes page->_refcount; PageWriteback
   * reads PG_writeback).
   */
  locationOf: Record<string, string>;
  /** `*ptr` / `ptr[i]` through a pointer named like this is that kind of entry. */
  derefClass: Record<string, string>;
  protocols: SbProtocol[];
  /** Calls that publish a new object through one argument: page-table population. */
  publishers: Record<string, { arg: number }>;
  /** Calls that return a freshly initialised object (zeroed page table) that must be ordered before it is published. */
  initialisers: string[];
  /** Repairs offered by quick fixes. */
  fixes: { full: string; afterAtomic: string; release: string; publishRcu: string; wmb: string };
  /**
   * Locations too generic to pair two functions by name alone (every page
   * flag is in page->flags; every reference is _refcount): a mirror function
   * touching them is no evidence of a store-buffering protocol. The known
   * protocols above still apply.
   */
  genericLocations: string[];
  /** Barriers checkpatch wants a comment on (its MEMORY_BARRIER check). */
  commentedBarriers: string[];
  /**
   * Resource kinds whose acquisition is, as far as memory ordering goes, an
   * unordered store (RMW) to a protocol location: pin_user_pages*() (FOLL_PIN)
   * ends in an atomic_add() on _pincount or a folio_ref_add() of
   * GUP_PIN_COUNTING_BIAS on _refcount (mm/gup.c try_grab_folio()), neither
   * value-returning, so nothing orders the pin before the caller's next load.
   */
  acquireStores: Record<string, string>;
}

const REFCOUNT = '_refcount';
const WRITEBACK = 'PG_writeback';

export const BARRIER_FACTS: BarrierFacts = {
  locationOf: {
    page_ref_add: REFCOUNT, page_ref_sub: REFCOUNT, page_ref_inc: REFCOUNT, page_ref_dec: REFCOUNT,
    page_ref_inc_return: REFCOUNT, page_ref_dec_and_test: REFCOUNT, page_ref_sub_and_test: REFCOUNT,
    page_ref_add_unless: REFCOUNT, page_ref_count: REFCOUNT, page_count: REFCOUNT, folio_ref_count: REFCOUNT,
    set_page_count: REFCOUNT, page_maybe_dma_pinned: REFCOUNT, folio_maybe_dma_pinned: REFCOUNT,
    page_dma_pinned: REFCOUNT, page_pinned: REFCOUNT, page_is_pin: REFCOUNT,
    PageWriteback: WRITEBACK, folio_test_writeback: WRITEBACK, SetPageWriteback: WRITEBACK, folio_set_writeback: WRITEBACK,
    ClearPageWriteback: WRITEBACK, folio_clear_writeback: WRITEBACK, TestSetPageWriteback: WRITEBACK,
    TestClearPageWriteback: WRITEBACK, test_set_page_writeback: WRITEBACK, folio_start_writeback: WRITEBACK,
    set_pmd_at: 'pmd', pmd_clear: 'pmd', pte_clear: 'pte', pud_clear: 'pud', pmd_populate: 'pmd', pmd_populate_kernel: 'pmd', set_pte_at: 'pte', set_pte: 'pte', set_ptes: 'pte',
    pud_populate: 'pud', p4d_populate: 'p4d', pgd_populate: 'pgd',
  },
  derefClass: { pmd: 'pmd', pmdp: 'pmd', pte: 'pte', ptep: 'pte', pud: 'pud', pudp: 'pud' },
  protocols: [
    {
      name: 'GUP pin count vs PG_writeback',
      // the pin itself, or a "has DMA pinners" flag announced at mapping granularity
      a: [REFCOUNT, '_pincount', 'pincount', 'AS_DMA_PINNED'],
      b: [WRITEBACK],
      scenario: 'S1',
      seed: '000',
      why: 'GUP raises the pin count then checks PG_writeback; writeback sets PG_writeback then checks the pin count: each side needs store→load order (smp_mb) or both can miss each other',
    },
    {
      name: 'lockless page-table walker count vs page-table entry',
      a: ['lockless_pgtbl_walk_count', 'lockless_pgtbl_nr_walkers', 'lockless_pgtbl_walkers'],
      b: ['pmd', 'pte', 'pud'],
      scenario: 'S3',
      seed: '003',
      announce: true,
      why: 'the walker increments the count then reads the page table; THP split writes the pmd then reads the count to skip the IPI: both sides need smp_mb',
    },
  ],
  publishers: {
    pmd_populate: { arg: 2 }, pmd_populate_kernel: { arg: 2 }, pud_populate: { arg: 2 }, p4d_populate: { arg: 2 }, pgd_populate: { arg: 2 },
  },
  initialisers: ['pte_alloc_one', 'pte_alloc_one_kernel', 'pmd_alloc_one', 'pud_alloc_one', 'p4d_alloc_one'],
  genericLocations: [
    'flags', 'private', 'state', 'count', 'counter', 'counters[]', 'refcount', '_refcount', '_mapcount', '_pincount', 'mapping',
    'index', 'lru', 'next', 'prev', 'list', 'data', 'val', 'value', 'nr', 'status', 'lock', 'pte', 'pmd', 'pud', 'vm_flags',
  ],
  fixes: { full: 'smp_mb', afterAtomic: 'smp_mb__after_atomic', release: 'smp_store_release', publishRcu: 'rcu_assign_pointer', wmb: 'smp_wmb' },
  commentedBarriers: [
    'mb', 'rmb', 'wmb', 'smp_mb', 'smp_rmb', 'smp_wmb', 'virt_mb', 'virt_rmb', 'virt_wmb', 'smp_store_mb',
    'smp_mb__before_atomic', 'smp_mb__after_atomic', 'smp_mb__after_spinlock', 'smp_mb__after_unlock_lock',
    'dma_rmb', 'dma_wmb', 'read_barrier_depends', 'smp_read_barrier_depends',
  ],
  acquireStores: { 'gup-pin': '_pincount' },
};
