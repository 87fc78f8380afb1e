/**
 * Barriers and atomics, with their LKMM ordering strength
 * (tools/memory-model/linux-kernel.def, Documentation/atomic_t.txt).
 * Value-returning RMW atomics are fully ordered; non-returning ones
 * (atomic_inc, set_bit) are unordered; _relaxed/_acquire/_release say so.
 */
import type { ApiSpec } from '../schema';

const rmw = (name: string, ordering: ApiSpec['ordering'], summary: string, aliases?: string[]): ApiSpec => ({
  name,
  summary,
  aliases,
  ordering,
  access: [{ arg: name.includes('bit') ? 1 : name.startsWith('atomic') || name.startsWith('page_ref') ? 0 : 0, kind: 'rmw', byAddress: true }],
  source: 'Documentation/atomic_t.txt',
});

export const ORDERING: readonly ApiSpec[] = [
  { name: 'smp_mb', summary: 'Full memory barrier: orders all earlier loads and stores before all later ones (including store→load).', aliases: ['mb'], ordering: 'full', source: 'tools/memory-model/linux-kernel.def' },
  { name: 'smp_wmb', summary: 'Write barrier: orders earlier stores before later stores only. Does not order a store before a later load.', aliases: ['wmb'], ordering: 'wmb', source: 'tools/memory-model/linux-kernel.def' },
  { name: 'smp_rmb', summary: 'Read barrier: orders earlier loads before later loads only.', aliases: ['rmb'], ordering: 'rmb', source: 'tools/memory-model/linux-kernel.def' },
  { name: 'smp_mb__before_atomic', summary: 'Full barrier with the following non-returning atomic RMW.', ordering: 'before-atomic', source: 'tools/memory-model/linux-kernel.def' },
  { name: 'smp_mb__after_atomic', summary: 'Full barrier with the preceding non-returning atomic RMW.', ordering: 'after-atomic', source: 'tools/memory-model/linux-kernel.def' },
  { name: 'smp_store_release', summary: 'Store with RELEASE ordering: earlier accesses are ordered before it.', ordering: 'release', access: [{ arg: 0, kind: 'store', byAddress: true }], source: 'tools/memory-model/linux-kernel.def' },
  { name: 'smp_load_acquire', summary: 'Load with ACQUIRE ordering: later accesses are ordered after it.', ordering: 'acquire', access: [{ arg: 0, kind: 'load', byAddress: true }], source: 'tools/memory-model/linux-kernel.def' },
  { name: 'rcu_assign_pointer', summary: 'Publish an RCU-protected pointer with RELEASE ordering (the pointee initialisation is visible first).', ordering: 'release', access: [{ arg: 0, kind: 'store' }], source: 'include/linux/rcupdate.h' },
  { name: 'rcu_dereference', summary: 'Load an RCU-protected pointer (address-dependency ordered); the caller must be in an RCU read section.', aliases: ['rcu_dereference_raw'], ordering: 'none', access: [{ arg: 0, kind: 'load' }], requires: ['rcu'], source: 'include/linux/rcupdate.h' },
  { name: 'READ_ONCE', summary: 'A single, untorn, unordered load (relaxed).', ordering: 'none', access: [{ arg: 0, kind: 'load' }], source: 'include/asm-generic/rwonce.h' },
  { name: 'WRITE_ONCE', summary: 'A single, untorn, unordered store (relaxed).', ordering: 'none', access: [{ arg: 0, kind: 'store' }], source: 'include/asm-generic/rwonce.h' },
  { name: 'atomic_read', summary: 'Relaxed atomic load.', aliases: ['atomic64_read', 'atomic_long_read', 'page_ref_count', 'page_count', 'folio_ref_count'], ordering: 'none', access: [{ arg: 0, kind: 'load', byAddress: true }], source: 'Documentation/atomic_t.txt' },
  { name: 'atomic_set', summary: 'Relaxed atomic store.', aliases: ['atomic64_set', 'atomic_long_set', 'set_page_count'], ordering: 'none', access: [{ arg: 0, kind: 'store', byAddress: true }], source: 'Documentation/atomic_t.txt' },
  rmw('atomic_inc', 'none', 'Non-returning atomic increment: NOT ordered. Follow with smp_mb__after_atomic() when it announces something another CPU checks.', ['atomic_dec', 'atomic_add', 'atomic_sub', 'atomic64_inc', 'atomic64_dec', 'atomic_long_inc', 'atomic_long_dec', 'atomic64_add', 'atomic_long_add', 'page_ref_inc', 'page_ref_dec', 'page_ref_add', 'page_ref_sub']),
  rmw('atomic_inc_return', 'full', 'Value-returning atomic increment: fully ordered.', ['atomic_dec_return', 'atomic_add_return', 'atomic_sub_return', 'atomic_dec_and_test', 'atomic_inc_and_test', 'atomic_sub_and_test', 'atomic_fetch_add', 'atomic_fetch_sub', 'atomic64_inc_return', 'atomic64_dec_return', 'atomic_long_inc_return', 'atomic_long_dec_return', 'atomic_inc_not_zero', 'atomic_add_unless', 'page_ref_inc_return', 'page_ref_dec_and_test', 'page_ref_sub_and_test', 'page_ref_add_unless']),
  rmw('atomic_inc_return_relaxed', 'none', 'Relaxed value-returning atomic: unordered.', ['atomic_dec_return_relaxed', 'atomic_add_return_relaxed', 'atomic_fetch_add_relaxed', 'atomic_cmpxchg_relaxed', 'atomic_xchg_relaxed']),
  rmw('atomic_inc_return_acquire', 'acquire', 'Acquire value-returning atomic.', ['atomic_add_return_acquire', 'atomic_fetch_add_acquire', 'atomic_cmpxchg_acquire', 'atomic_xchg_acquire']),
  rmw('atomic_inc_return_release', 'release', 'Release value-returning atomic.', ['atomic_add_return_release', 'atomic_fetch_add_release', 'atomic_cmpxchg_release', 'atomic_xchg_release']),
  rmw('atomic_xchg', 'full', 'Atomic exchange: fully ordered.', ['xchg', 'atomic64_xchg', 'atomic_long_xchg']),
  rmw('atomic_cmpxchg', 'full', 'Atomic compare-and-exchange: fully ordered (when it succeeds).', ['cmpxchg', 'atomic64_cmpxchg', 'atomic_long_cmpxchg', 'atomic_try_cmpxchg']),
  rmw('set_bit', 'none', 'Non-returning atomic bit set: NOT ordered.', ['clear_bit', 'change_bit', 'SetPageDirty', 'set_page_dirty']),
  rmw('test_and_set_bit', 'full', 'Value-returning atomic bit operation: fully ordered.', ['test_and_clear_bit', 'test_and_change_bit', 'TestSetPageWriteback', 'TestClearPageWriteback', 'test_set_page_writeback']),
  rmw('clear_bit_unlock', 'release', 'Atomic bit clear with RELEASE ordering.', []),
  rmw('test_and_set_bit_lock', 'acquire', 'Atomic bit test-and-set with ACQUIRE ordering.', []),
];
