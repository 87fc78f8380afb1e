/**
 * Barriers and atomics with their LKMM ordering strength
 * (tools/memory-model/linux-kernel.def, Documentation/atomic_t.txt,
 * Documentation/memory-barriers.txt, include/linux/page-flags.h).
 *
 * Value-returning RMW atomics (*_return, fetch_*, xchg, cmpxchg,
 * test_and_*_bit, *_and_test, *_not_zero, *_unless) are fully ordered
 * (conditional ones only when they succeed); non-returning ones (atomic_inc,
 * atomic_add, set_bit) are unordered; _relaxed/_acquire/_release say so.
 *
 * Every spelling gets its own entry when its accessed argument differs:
 * atomic_add(i, v) accesses argument 1, atomic_inc(v) argument 0,
 * set_bit(nr, addr) argument 1, SetPageDirty(page) page->flags via argument 0.
 */
import type { Access, ApiSpec, Ordering } from '../schema';
import { PIN_BIAS_IDENTIFIERS } from './pageRefs';

const ATOMIC_T = 'Documentation/atomic_t.txt';
const LKMM = 'tools/memory-model/linux-kernel.def';
const PAGE_FLAGS = 'include/linux/page-flags.h';

/**
 * One entry per group of spellings that share the accessed argument: the
 * first name is the entry, the rest are aliases.
 */
function group(names: string[], ordering: Ordering, access: Access, summary: string, arity: number): ApiSpec {
  const [name, ...aliases] = names;
  return { name, ...(aliases.length ? { aliases } : {}), summary, ordering, access: [access], arity: [arity], source: ATOMIC_T };
}

const PREFIXES = ['atomic', 'atomic64', 'atomic_long'];
const each = (ops: string[]): string[] => PREFIXES.flatMap((p) => ops.map((o) => `${p}_${o}`));

/** Value-returning ops: [op, index of the atomic_t *v argument, arity]. */
const RETURNING: [string, number, number][] = [
  ['add_return', 1, 2], ['sub_return', 1, 2], ['inc_return', 0, 1], ['dec_return', 0, 1],
  ['fetch_add', 1, 2], ['fetch_sub', 1, 2], ['fetch_inc', 0, 1], ['fetch_dec', 0, 1],
  ['fetch_and', 1, 2], ['fetch_or', 1, 2], ['fetch_xor', 1, 2], ['fetch_andnot', 1, 2],
  ['xchg', 0, 2], ['cmpxchg', 0, 3], ['try_cmpxchg', 0, 3],
];
/** Always fully ordered (no _relaxed/_acquire/_release forms). */
const RETURNING_FULL_ONLY: [string, number, number][] = [
  ['inc_and_test', 0, 1], ['dec_and_test', 0, 1], ['sub_and_test', 1, 2], ['add_negative', 1, 2],
  ['inc_not_zero', 0, 1], ['add_unless', 0, 3], ['fetch_add_unless', 0, 3], ['dec_if_positive', 0, 1],
  ['dec_unless_positive', 0, 1], ['inc_unless_negative', 0, 1],
];
/** Non-returning ops: unordered. */
const VOID_OPS: [string, number, number][] = [
  ['inc', 0, 1], ['dec', 0, 1], ['and', 1, 2], ['or', 1, 2], ['xor', 1, 2], ['andnot', 1, 2],
];

/**
 * atomic_add / atomic_sub (i, v) are listed on their own: on a page's
 * _refcount with PAGE_PIN_BIAS (seed 000: `atomic_add(PAGE_PIN_BIAS,
 * &page->_refcount)`, written `atomic_add(&page->_refcount, PAGE_PIN_BIAS)`
 * in the thread's pseudo-code) they add or remove a pin bias. The object is
 * the `&page->_refcount` argument; rules reduce it to the page.
 */
function pinBiasAtomics(): ApiSpec[] {
  const b = (arg: number, sign: 'positive' | 'negative') => ({ arg, identifiers: PIN_BIAS_IDENTIFIERS, sign });
  const summary = 'Non-returning atomic RMW (i, v): NOT ordered. With PAGE_PIN_BIAS on a page\'s _refcount it adds (atomic_add) or removes (atomic_sub, or a negative add) a pin bias (seed 000).';
  const out: ApiSpec[] = [];
  for (const p of PREFIXES) {
    out.push({
      name: `${p}_add`, summary, ordering: 'none', access: [{ arg: 1, kind: 'rmw', byAddress: true }], arity: [2], source: ATOMIC_T,
      effects: [
        { op: 'acquire', kind: 'pin-bias', object: 1, count: { arg: 0 }, when: b(0, 'positive') },
        { op: 'release', kind: 'pin-bias', object: 1, count: { arg: 0 }, when: b(0, 'negative') },
        { op: 'acquire', kind: 'pin-bias', object: 0, count: { arg: 1 }, when: b(1, 'positive') },
        { op: 'release', kind: 'pin-bias', object: 0, count: { arg: 1 }, when: b(1, 'negative') },
      ],
    });
    out.push({
      name: `${p}_sub`, summary, ordering: 'none', access: [{ arg: 1, kind: 'rmw', byAddress: true }], arity: [2], source: ATOMIC_T,
      effects: [
        { op: 'release', kind: 'pin-bias', object: 1, count: { arg: 0 }, when: b(0, 'positive') },
        { op: 'release', kind: 'pin-bias', object: 0, count: { arg: 1 }, when: b(1, 'positive') },
      ],
    });
  }
  return out;
}

function atomics(): ApiSpec[] {
  const out: ApiSpec[] = [];
  const byArg = (ops: [string, number, number][], suffix: string, ordering: Ordering, summary: string): void => {
    for (const arity of [1, 2, 3]) {
      for (const idx of [0, 1]) {
        const sel = ops.filter(([, i, a]) => i === idx && a === arity).map(([o]) => o + suffix);
        if (sel.length) out.push(group(each(sel), ordering, { arg: idx, kind: 'rmw', byAddress: true }, summary, arity));
      }
    }
  };
  out.push(...pinBiasAtomics());
  byArg(VOID_OPS, '', 'none', 'Non-returning atomic RMW: NOT ordered. When it announces something another CPU checks, follow it with smp_mb__after_atomic() (or use a value-returning op).');
  byArg(RETURNING, '', 'full', 'Value-returning atomic RMW: fully ordered (cmpxchg forms only when they succeed).');
  byArg(RETURNING_FULL_ONLY, '', 'full', 'Conditional / test atomic RMW: fully ordered when it performs the update (*_unless / *_not_zero only on success).');
  byArg(RETURNING, '_relaxed', 'none', 'Relaxed value-returning atomic: unordered.');
  byArg(RETURNING, '_acquire', 'acquire', 'Value-returning atomic with ACQUIRE ordering (the load part).');
  byArg(RETURNING, '_release', 'release', 'Value-returning atomic with RELEASE ordering (the store part).');
  out.push(group(['xchg', 'cmpxchg', 'try_cmpxchg', 'cmpxchg64'], 'full', { arg: 0, kind: 'rmw', byAddress: true }, 'Exchange / compare-and-exchange on a plain location (ptr first): fully ordered (cmpxchg: when it succeeds).', 2));
  out.push(group(['xchg_relaxed', 'cmpxchg_relaxed', 'try_cmpxchg_relaxed'], 'none', { arg: 0, kind: 'rmw', byAddress: true }, 'Relaxed exchange / compare-and-exchange: unordered.', 2));
  out.push(group(['xchg_acquire', 'cmpxchg_acquire', 'try_cmpxchg_acquire'], 'acquire', { arg: 0, kind: 'rmw', byAddress: true }, 'Exchange / compare-and-exchange with ACQUIRE ordering.', 2));
  out.push(group(['xchg_release', 'cmpxchg_release', 'try_cmpxchg_release'], 'release', { arg: 0, kind: 'rmw', byAddress: true }, 'Exchange / compare-and-exchange with RELEASE ordering.', 2));
  out.push(group(each(['read']), 'none', { arg: 0, kind: 'load', byAddress: true }, 'Relaxed atomic load.', 1));
  out.push(group(each(['set']), 'none', { arg: 0, kind: 'store', byAddress: true }, 'Relaxed atomic store.', 2));
  out.push(group(each(['read_acquire']), 'acquire', { arg: 0, kind: 'load', byAddress: true }, 'Atomic load with ACQUIRE ordering.', 1));
  out.push(group(each(['set_release']), 'release', { arg: 0, kind: 'store', byAddress: true }, 'Atomic store with RELEASE ordering.', 2));
  // refcount_t (include/linux/refcount.h): inc/inc_not_zero are unordered
  // (inc_not_zero relies on a control dependency); dec_and_test is RELEASE
  // plus ACQUIRE when it hits zero.
  out.push(group(['refcount_inc', 'refcount_inc_not_zero', 'refcount_dec'], 'none', { arg: 0, kind: 'rmw', byAddress: true }, 'refcount_t increment (refcount_inc_not_zero: conditional, true on success): NO memory ordering (control dependency only).', 1));
  out.push(group(['refcount_dec_and_test'], 'release', { arg: 0, kind: 'rmw', byAddress: true }, 'refcount_t decrement: RELEASE ordering, plus ACQUIRE when it returns true (the count hit zero).', 1));
  return out;
}

/** Bit operations: (nr, addr). */
function bitops(): ApiSpec[] {
  const at: Access = { arg: 1, kind: 'rmw', byAddress: true };
  const src = 'Documentation/atomic_bitops.txt';
  return [
    { ...group(['set_bit', 'clear_bit', 'change_bit'], 'none', at, 'Non-returning atomic bit operation (nr, addr): NOT ordered; smp_mb__before_atomic / smp_mb__after_atomic order it.', 2), source: src },
    { ...group(['test_and_set_bit', 'test_and_clear_bit', 'test_and_change_bit'], 'full', at, 'Value-returning atomic bit operation (nr, addr): fully ordered (test_and_set_bit: when it sets the bit).', 2), source: src },
    { ...group(['test_and_set_bit_lock'], 'acquire', at, 'Atomic test-and-set with ACQUIRE ordering (bit lock).', 2), source: src },
    { ...group(['clear_bit_unlock', '__clear_bit_unlock'], 'release', at, 'Bit clear with RELEASE ordering (bit unlock).', 2), source: src },
    { ...group(['__set_bit', '__clear_bit', '__change_bit'], 'none', at, 'NON-atomic bit operation: racy against concurrent updates of the same word; unordered.', 2), source: src },
    { ...group(['test_bit'], 'none', { arg: 1, kind: 'load', byAddress: true }, 'Relaxed bit test.', 2), source: src },
    { ...group(['test_bit_acquire'], 'acquire', { arg: 1, kind: 'load', byAddress: true }, 'Bit test with ACQUIRE ordering.', 2), source: src },
  ];
}

/** Page / folio flag operations: (page) — the location is page->flags. */
function pageFlags(): ApiSpec[] {
  const flags = ['Dirty', 'Referenced', 'Active', 'LRU', 'Writeback', 'Reclaim', 'SwapBacked', 'Mlocked', 'Unevictable', 'Error', 'Private', 'Workingset'];
  const field = (kind: Access['kind']): Access => ({ arg: 0, kind, field: 'flags' });
  const folio = (f: string): string => f.toLowerCase();
  // The test-and-modify forms page-flags.h actually generates (TESTSCFLAG / TESTCLEARFLAG).
  const testSet = ['Dirty', 'Writeback', 'Mlocked'];
  const testClear = ['Dirty', 'Writeback', 'Referenced', 'Active', 'LRU', 'Reclaim', 'Mlocked', 'Unevictable'];
  const mk = (names: string[], ordering: Ordering, kind: Access['kind'], summary: string): ApiSpec => ({ ...group(names, ordering, field(kind), summary, 1), source: PAGE_FLAGS });
  return [
    mk([...flags.map((f) => `SetPage${f}`), ...flags.map((f) => `ClearPage${f}`), ...flags.map((f) => `folio_set_${folio(f)}`), ...flags.map((f) => `folio_clear_${folio(f)}`)], 'none', 'rmw', 'Page/folio flag set or clear (set_bit/clear_bit on page->flags): atomic but NOT ordered.'),
    mk([...testSet.map((f) => `TestSetPage${f}`), ...testClear.map((f) => `TestClearPage${f}`), ...testSet.map((f) => `folio_test_set_${folio(f)}`), ...testClear.map((f) => `folio_test_clear_${folio(f)}`)], 'full', 'rmw', 'Page/folio flag test-and-set / test-and-clear (test_and_set_bit on page->flags): fully ordered.'),
    mk([...flags.map((f) => `Page${f}`), ...flags.map((f) => `folio_test_${folio(f)}`)], 'none', 'load', 'Page/folio flag test (test_bit on page->flags): relaxed.'),
    mk(['SetPageUptodate', 'folio_mark_uptodate'], 'wmb', 'rmw', 'Set PG_uptodate after smp_wmb(): the page contents written before are visible to a reader that sees the flag and uses PageUptodate().'),
    mk(['PageUptodate', 'folio_test_uptodate'], 'rmb', 'load', 'Test PG_uptodate followed by smp_rmb(): pairs with SetPageUptodate.'),
    {
      name: 'test_set_page_writeback',
      summary: 'Start writeback on a page: TestSetPageWriteback under the mapping\'s i_pages lock; returns the old PG_writeback. Fully ordered (value-returning bit op). Seed 000: GUP pinning must be ordered against it with full barriers on both sides.',
      ordering: 'full',
      access: [{ arg: 0, kind: 'rmw', field: 'flags' }],
      arity: [1],
      kernels: '<=6.1',
      source: 'include/linux/page-flags.h',
    },
    { name: 'set_page_writeback', summary: 'Start writeback on a page (test_set_page_writeback, result ignored): fully ordered.', ordering: 'full', access: [{ arg: 0, kind: 'rmw', field: 'flags' }], arity: [1], source: PAGE_FLAGS },
    { name: 'folio_start_writeback', summary: 'Start writeback on a folio (test-and-set of PG_writeback under the i_pages lock): fully ordered.', ordering: 'full', access: [{ arg: 0, kind: 'rmw', field: 'flags' }], arity: [1], kernels: '>=5.16', source: 'mm/page-writeback.c' },
    { name: 'set_page_dirty', summary: 'Mark a page dirty through its mapping\'s dirty_folio/set_page_dirty op (dirty accounting, not a bare set_bit); the caller must keep the page\'s mapping stable (page lock or a pte mapping it). Use set_page_dirty_lock otherwise.', aliases: ['folio_mark_dirty'], arity: [1], source: 'mm/page-writeback.c' },
  ];
}

/** Barriers checkpatch wants a comment on (scripts/checkpatch.pl, MEMORY_BARRIER). */
const commented = (a: ApiSpec): ApiSpec => ({ ...a, checkpatchComment: true });
const WAIT = 'include/linux/wait.h';
const WAIT_BIT = 'include/linux/wait_bit.h';
const PERCPU_REF = 'include/linux/percpu-refcount.h, lib/percpu-refcount.c';

export const ORDERING: readonly ApiSpec[] = [
  commented({ name: 'smp_mb', summary: 'Full memory barrier: orders all earlier loads and stores before all later ones, including store→load (the only fence that does).', ordering: 'full', arity: [0], source: LKMM }),
  commented({ name: 'mb', summary: 'Full barrier, also for MMIO (stronger than smp_mb on some architectures).', ordering: 'full', arity: [0], source: 'include/asm-generic/barrier.h' }),
  commented({ name: 'smp_wmb', summary: 'Write barrier: orders earlier stores before later stores only. Does NOT order a store before a later load.', ordering: 'wmb', arity: [0], source: LKMM }),
  commented({ name: 'wmb', summary: 'Write barrier, also for MMIO.', ordering: 'wmb', arity: [0], source: 'include/asm-generic/barrier.h' }),
  commented({ name: 'smp_rmb', summary: 'Read barrier: orders earlier loads before later loads only.', ordering: 'rmb', arity: [0], source: LKMM }),
  commented({ name: 'rmb', summary: 'Read barrier, also for MMIO.', ordering: 'rmb', arity: [0], source: 'include/asm-generic/barrier.h' }),
  commented({ name: 'virt_mb', summary: 'Full barrier between a guest and its host (the SMP barrier even on a UP guest).', ordering: 'full', arity: [0], source: 'include/asm-generic/barrier.h' }),
  commented({ name: 'virt_wmb', summary: 'Write barrier between a guest and its host.', ordering: 'wmb', arity: [0], source: 'include/asm-generic/barrier.h' }),
  commented({ name: 'virt_rmb', summary: 'Read barrier between a guest and its host.', ordering: 'rmb', arity: [0], source: 'include/asm-generic/barrier.h' }),
  commented({ name: 'dma_wmb', summary: 'Orders CPU stores to coherent DMA memory (asm-generic: wmb()).', ordering: 'wmb', arity: [0], source: 'include/asm-generic/barrier.h' }),
  commented({ name: 'dma_rmb', summary: 'Orders CPU loads from coherent DMA memory (asm-generic: rmb()).', ordering: 'rmb', arity: [0], source: 'include/asm-generic/barrier.h' }),
  commented({ name: 'read_barrier_depends', summary: 'Data-dependency barrier (Alpha only); folded into READ_ONCE() and removed in v4.15.', aliases: ['smp_read_barrier_depends'], ordering: 'none', arity: [0], kernels: '<=4.14', source: 'include/asm-generic/barrier.h (v4.14)' }),
  commented({ name: 'smp_mb__before_atomic', summary: 'Full barrier together with the following non-returning atomic RMW (atomic_inc, set_bit, ...).', ordering: 'before-atomic', arity: [0], source: LKMM }),
  commented({ name: 'smp_mb__after_atomic', summary: 'Full barrier together with the preceding non-returning atomic RMW: the announce-then-check idiom.', ordering: 'after-atomic', arity: [0], source: LKMM }),
  commented({ name: 'smp_mb__after_unlock_lock', summary: 'Makes a preceding unlock+lock pair a full barrier.', ordering: 'full', arity: [0], source: 'kernel/rcu/rcu.h' }),
  commented({ name: 'smp_store_mb', summary: 'Store then full barrier (WRITE_ONCE + smp_mb): orders the store before later loads.', ordering: 'full', access: [{ arg: 0, kind: 'store' }], macro: true, arity: [2], source: 'include/asm-generic/barrier.h' }),
  { name: 'smp_store_release', summary: 'Store with RELEASE ordering: earlier accesses are ordered before it (not a later load).', ordering: 'release', access: [{ arg: 0, kind: 'store', byAddress: true }], macro: true, arity: [2], source: LKMM },
  { name: 'smp_load_acquire', summary: 'Load with ACQUIRE ordering: later accesses are ordered after it.', ordering: 'acquire', access: [{ arg: 0, kind: 'load', byAddress: true }], macro: true, arity: [1], source: LKMM },
  { name: 'barrier', summary: 'Compiler barrier only: no CPU ordering.', ordering: 'none', arity: [0], source: 'include/linux/compiler.h' },
  { name: 'READ_ONCE', summary: 'A single, untorn, unordered load (relaxed). Address dependencies from it are ordered.', ordering: 'none', access: [{ arg: 0, kind: 'load' }], macro: true, arity: [1], source: 'include/asm-generic/rwonce.h' },
  { name: 'WRITE_ONCE', summary: 'A single, untorn, unordered store (relaxed).', ordering: 'none', access: [{ arg: 0, kind: 'store' }], macro: true, arity: [2], source: 'include/asm-generic/rwonce.h' },
  { name: 'ACCESS_ONCE', summary: 'The volatile access READ_ONCE()/WRITE_ONCE() replaced: a single, unordered access. Removed in v4.15.', ordering: 'none', access: [{ arg: 0, kind: 'load' }], macro: true, arity: [1], kernels: '<=4.14', source: 'include/linux/compiler.h (v4.14)' },
  { name: 'data_race', summary: 'KCSAN annotation: the access inside is intentionally racy (statistics, heuristics); a plain, unordered access that pairs with nothing.', ordering: 'none', access: [{ arg: 0, kind: 'load' }], macro: true, racy: true, arity: [1], kernels: '>=5.8', source: 'include/linux/compiler.h' },
  { name: 'rcu_assign_pointer', summary: 'Publish an RCU-protected pointer with RELEASE ordering: the pointee\'s initialisation is visible to readers that see the pointer.', ordering: 'release', access: [{ arg: 0, kind: 'store' }], arity: [2], source: 'include/linux/rcupdate.h' },
  { name: 'RCU_INIT_POINTER', summary: 'Assign an RCU-protected pointer WITHOUT ordering: right only for NULL, or for a pointee readers cannot reach through it yet; publishing a freshly initialised object needs rcu_assign_pointer().', ordering: 'none', access: [{ arg: 0, kind: 'store' }], arity: [2], source: 'include/linux/rcupdate.h' },
  { name: 'rcu_dereference', summary: 'Load an RCU-protected pointer (address-dependency ordered); the caller must be in an RCU read-side section.', ordering: 'none', access: [{ arg: 0, kind: 'load' }], requires: ['rcu'], arity: [1], source: 'include/linux/rcupdate.h' },
  { name: 'rcu_dereference_bh', summary: 'rcu_dereference for RCU-bh readers (rcu_read_lock_bh).', ordering: 'none', access: [{ arg: 0, kind: 'load' }], requires: ['rcu'], arity: [1], source: 'include/linux/rcupdate.h' },
  { name: 'rcu_dereference_sched', summary: 'rcu_dereference for RCU-sched readers (preemption disabled).', ordering: 'none', access: [{ arg: 0, kind: 'load' }], requires: ['preempt-off'], arity: [1], source: 'include/linux/rcupdate.h' },
  { name: 'rcu_dereference_check', summary: 'rcu_dereference that is also legal when the lockdep condition (second argument) holds, e.g. a lock is held.', aliases: ['rcu_dereference_protected', 'rcu_dereference_raw', 'rcu_access_pointer', 'srcu_dereference'], ordering: 'none', access: [{ arg: 0, kind: 'load' }], arity: [1, 2], source: 'include/linux/rcupdate.h' },

  // ---- waking sleepers: lockless waiter checks need the condition store ordered before them ----
  { name: 'waitqueue_active', summary: 'Lockless test for sleepers on a wait queue (a plain load of the wait list). Safe under the wait-queue lock; a waker that does not hold it needs smp_mb() between storing the condition and this test (or wq_has_sleeper()): otherwise the test can pass the store and the wake-up is lost.', ordering: 'none', access: [{ arg: 0, kind: 'load' }], arity: [1], source: WAIT },
  { name: 'wq_has_sleeper', summary: 'smp_mb() then waitqueue_active(): the lockless sleeper test with the full barrier the waker needs.', ordering: 'full', access: [{ arg: 0, kind: 'load' }], arity: [1], kernels: '>=4.5', history: [{ kernels: '<=4.4', summary: 'include/net/sock.h: took a struct socket_wq *' }], source: WAIT },
  { name: 'swait_active', summary: 'Lockless test for sleepers on a simple wait queue; needs smp_mb() after the condition store (or swq_has_sleeper()).', ordering: 'none', access: [{ arg: 0, kind: 'load' }], arity: [1], source: 'include/linux/swait.h' },
  { name: 'swq_has_sleeper', summary: 'smp_mb() then swait_active().', ordering: 'full', access: [{ arg: 0, kind: 'load' }], arity: [1], source: 'include/linux/swait.h' },
  { name: 'wake_up_bit', summary: 'Wake the sleepers of wait_on_bit(word, bit). Tests the hashed queue locklessly (waitqueue_active()): a full barrier must separate clearing the bit from this call (smp_mb__after_atomic() after clear_bit(), or clear_and_wake_up_bit()).', ordering: 'none', access: [{ arg: 0, kind: 'load' }], arity: [2], source: 'kernel/sched/wait_bit.c' },
  { name: 'wake_up_var', summary: 'Wake the sleepers of wait_var_event(var, cond). Tests the hashed queue locklessly: a full barrier must separate making the condition true from this call (smp_mb(), smp_mb__after_atomic() after a non-returning atomic, or a fully ordered update).', ordering: 'none', access: [{ arg: 0, kind: 'load' }], arity: [1], kernels: '>=4.16', source: 'kernel/sched/wait_bit.c' },
  { name: 'clear_and_wake_up_bit', summary: 'clear_bit_unlock(), smp_mb__after_atomic(), wake_up_bit(): clears the bit with RELEASE ordering and orders it before the lockless sleeper test.', ordering: 'full', access: [{ arg: 1, kind: 'rmw', byAddress: true }], arity: [2], source: WAIT_BIT },
  { name: 'atomic_dec_and_wake_up', summary: 'atomic_dec_and_test() (fully ordered), then wake_up_var() when the count hits zero: no extra barrier needed.', ordering: 'full', access: [{ arg: 0, kind: 'rmw', byAddress: true }], arity: [1], source: WAIT_BIT },
  { name: 'set_current_state', summary: 'Set the task state with smp_store_mb(): a full barrier between queueing on a wait queue and testing the wait condition.', ordering: 'full', taskState: 'full', arity: [1], source: 'include/linux/sched.h' },
  // include/linux/sched.h (all kernels since the 2.6 wait API; checked on v6.19): "set_current_state() includes a
  // barrier so that the write of current->__state is correctly serialised wrt the caller's subsequent test of whether
  // to actually sleep ... __set_current_state() ... no barrier": for TASK_RUNNING, or when the condition is tested
  // under a lock the waker takes
  { name: '__set_current_state', summary: 'Set the task state with a plain store, no barrier: for TASK_RUNNING, or when the wait condition is tested under a lock the waker takes too. A sleeper that sets a sleeping state and then tests the condition locklessly needs set_current_state() (smp_store_mb()), or a waker that makes the condition true and then wakes it can see it still running: the wake-up is lost.', ordering: 'none', taskState: 'plain', fullForm: 'set_current_state', arity: [1], source: 'include/linux/sched.h' },
  { name: 'prepare_to_wait', summary: 'Queue on a wait queue and set the task state (set_current_state(): a full barrier) before the caller tests the condition.', aliases: ['prepare_to_wait_exclusive', 'prepare_to_wait_event'], ordering: 'full', arity: [3], source: 'kernel/sched/wait.c' },
  { name: 'complete', summary: 'Signal a completion (under its wait lock): what the caller did before is visible to the waiter after wait_for_completion() returns.', aliases: ['complete_all'], internalSync: 'completion', arity: [1], source: 'kernel/sched/completion.c' },

  // ---- list helpers with their own ordering (include/linux/list.h) ----
  { name: 'list_del_init_careful', summary: 'list_del_init() whose final store (entry->next) is a RELEASE (smp_store_release): pairs with list_empty_careful(), which can then test the entry without the lock.', ordering: 'release', access: [{ arg: 0, kind: 'store', field: 'next' }], arity: [1], source: 'include/linux/list.h' },
  { name: 'list_empty_careful', summary: 'Lockless list_empty() test that reads head->next with ACQUIRE (smp_load_acquire): pairs with list_del_init_careful().', ordering: 'acquire', access: [{ arg: 0, kind: 'load', field: 'next' }], arity: [1], source: 'include/linux/list.h' },

  // ---- percpu_ref shutdown (lib/percpu-refcount.c): ordered by its switch lock and an RCU grace period ----
  { name: 'percpu_ref_kill', summary: 'Start shutting a percpu_ref down: mark it dead under percpu_ref_switch_lock and drop the initial reference; the switch to atomic mode completes after an RCU grace period (percpu_ref_tryget_live() then fails on every CPU).', aliases: ['percpu_ref_kill_and_confirm'], internalSync: 'lock', arity: [1, 2], source: PERCPU_REF },
  { name: 'percpu_ref_switch_to_atomic_sync', summary: 'Switch a percpu_ref to atomic mode and wait until every CPU sees it (an RCU grace period).', internalSync: 'grace-period', sleeps: true, arity: [1], source: PERCPU_REF },

  // ---- read-only file THPs vs open for write (include/linux/pagemap.h, include/linux/fs.h) ----
  // collapse_file() counts the THP, then checks i_writecount; do_dentry_open() takes write access, then checks
  // nr_thps: store buffering, a full barrier on each side (smp_mb() in collapse_file(), v5.4+)
  { name: 'filemap_nr_thps_inc', summary: 'Count a read-only file THP on the mapping (atomic_inc(&mapping->nr_thps) under CONFIG_READ_ONLY_THP_FOR_FS): atomic, NOT ordered.', aliases: ['filemap_nr_thps_dec'], ordering: 'none', access: [{ arg: 0, kind: 'rmw', field: 'nr_thps' }], arity: [1], source: 'include/linux/pagemap.h' },
  { name: 'inode_is_open_for_write', summary: 'atomic_read(&inode->i_writecount) > 0: a relaxed load.', ordering: 'none', access: [{ arg: 0, kind: 'load', field: 'i_writecount' }], arity: [1], source: 'include/linux/fs.h' },
  ...atomics(),
  ...bitops(),
  ...pageFlags(),
];
