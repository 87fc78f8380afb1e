/**
 * Memory-ordering facts that are not a property of one call: which location
 * a call touches when its argument does not say it, page-table entry
 * classes, the store-buffering protocols of mm, locations too generic to
 * pair functions by, and the repairs quick fixes offer. Read through the
 * Catalog (catalog/index.ts): nothing outside catalog/ imports this module.
 *
 * Semantics checked against mainline (torvalds/linux, v6.19 unless noted):
 * - include/linux/page-flags.h: PageWriteback()/folio_test_writeback() are
 *   test_bit() loads of PG_writeback; SetPageWriteback() is a non-returning
 *   set_bit(); TestSetPageWriteback() a value-returning (fully ordered) RMW.
 * - include/linux/mm.h: page_maybe_dma_pinned()/folio_maybe_dma_pinned()
 *   read _refcount / _pincount with atomic_read() (unordered).
 * - include/linux/wait.h waitqueue_active(): "Use either while holding
 *   wait_queue_head::lock or when used for wakeups with an extra smp_mb()";
 *   kernel/sched/wait_bit.c wake_up_bit() / wake_up_var(): "there must be a
 *   full memory barrier after the bit is cleared [the variable is updated]
 *   and before this function is called".
 * - tools/memory-model/Documentation/explanation.txt (SB): store→load order
 *   needs a full barrier on both sides; smp_wmb()/smp_rmb() do not order a
 *   store before a later load.
 */
import type { OrderingFacts } from '../schema';

const REFCOUNT = '_refcount';
const WRITEBACK = 'PG_writeback';
/** waitqueue_active(wq): the wait list of a wait_queue_head. */
const WAIT_LIST = 'wait-queue';
/** wake_up_bit(word, bit): the hashed bit wait queue's list, tested inside with waitqueue_active(). */
const BIT_WAIT_LIST = 'bit-wait-queue';
/** wake_up_var(var): the hashed variable wait queue's list, tested inside with waitqueue_active(). */
const VAR_WAIT_LIST = 'var-wait-queue';

export const ORDERING_FACTS: OrderingFacts = {
  locations: {
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
    waitqueue_active: WAIT_LIST, wq_has_sleeper: WAIT_LIST, swait_active: WAIT_LIST, swq_has_sleeper: WAIT_LIST,
    wake_up_bit: BIT_WAIT_LIST, wake_up_var: VAR_WAIT_LIST,
  },
  entryClasses: { pmd: 'pmd', pmdp: 'pmd', pte: 'pte', ptep: 'pte', pud: 'pud', pudp: 'pud' },
  protocols: [
    {
      name: 'GUP pin count vs PG_writeback',
      // the pin itself, or a "has DMA pinners" flag announced at mapping granularity
      a: [REFCOUNT, '_pincount', 'pincount', 'AS_DMA_PINNED'],
      b: [WRITEBACK],
      scenario: 'S1',
      seed: '000',
      why: 'GUP raises the pin count then checks PG_writeback; writeback sets PG_writeback then checks the pin count: each side needs store→load order (smp_mb) or both can miss each other',
      kernels: 'RFC (2018-2019, put_user_page threads); mainline pins (>=5.7) do not check PG_writeback',
      source: 'seed 000',
    },
    {
      name: 'lockless page-table walker count vs page-table entry',
      a: ['lockless_pgtbl_walk_count', 'lockless_pgtbl_nr_walkers', 'lockless_pgtbl_walkers'],
      b: ['pmd', 'pte', 'pud'],
      scenario: 'S3',
      seed: '003',
      announce: true,
      why: 'the walker increments the count then reads the page table; THP split writes the pmd then reads the count to skip the IPI: both sides need smp_mb',
      kernels: 'RFC (2019-2020, powerpc lockless page-table walk counting)',
      source: 'seed 003',
    },
    {
      name: 'waker vs sleeper (lockless waiter check)',
      a: [],
      b: [WAIT_LIST, BIT_WAIT_LIST, VAR_WAIT_LIST],
      conditionStore: true,
      storeToArgument: [BIT_WAIT_LIST, VAR_WAIT_LIST],
      orderedOtherSide: 'the sleeper queues itself and sets its state with a full barrier (prepare_to_wait() / set_current_state()) before it tests the condition',
      lockField: 'lock',
      orderedForm: 'wq_has_sleeper',
      scenario: 'S1',
      why: 'the waker stores the condition and then checks for sleepers without the wait-queue lock; the sleeper queues itself, then checks the condition. Without a full barrier on the waker side the check can pass the store: the waker sees no sleeper, the sleeper sees the old condition, and the wake-up is lost',
      kernels: 'all (the requirement is as old as waitqueue_active(); checked on v4.8 docs and v6.19 source)',
      source: 'include/linux/wait.h (waitqueue_active), kernel/sched/wait_bit.c (wake_up_bit, wake_up_var)',
    },
  ],
  genericLocations: [
    'flags', 'private', 'state', 'count', 'counter', 'counters[]', 'refcount', '_refcount', '_mapcount', '_pincount', 'mapping',
    'index', 'lru', 'next', 'prev', 'list', 'data', 'val', 'value', 'nr', 'status', 'lock', 'pte', 'pmd', 'pud', 'vm_flags',
  ],
  repairs: { full: 'smp_mb', afterAtomic: 'smp_mb__after_atomic', release: 'smp_store_release', publishRcu: 'rcu_assign_pointer', wmb: 'smp_wmb', marked: 'WRITE_ONCE' },
  // include/linux/sched.h: the one runnable state; any other state set before schedule() is a sleep
  runningStates: ['TASK_RUNNING'],
  acquireStores: { 'gup-pin': '_pincount' },
  // include/linux/init.h: "__init ... the kernel can take this as hint that the function is used only during the
  // initialization phase and free up used memory resources after"; __meminit is not here (memory hotplug runs it later)
  bootOnly: ['__init'],
};
