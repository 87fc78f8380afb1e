/**
 * A small kernel vocabulary over LKMM primitives: each helper returns one
 * scenario statement (LKMM C + the kernel's words + what it means).
 *
 * The modelling choices, stated once:
 *  - page refcount: an atomic_t. A speculative get (get_page_unless_zero,
 *    page_cache_get_speculative, folio_try_get) is atomic_add_unless(&ref, 1, 0):
 *    fully ordered when it succeeds, like every value-returning atomic. put_page
 *    is atomic_dec_return (fully ordered); a result of 0 means "freed", and the
 *    page allocator's reuse is atomic_set(&ref, 1) by the new owner.
 *  - pins: page_ref_add(page, PAGE_PIN_BIAS) is a non-returning atomic_add
 *    (unordered); the pinned check is a plain atomic_read snapshot.
 *  - percpu_ref / pgmap counts: an atomic_t, get = atomic_inc, put = atomic_dec
 *    (in atomic mode; percpu mode only adds cost, not ordering).
 *  - RCU: rcu_read_lock/unlock and synchronize_rcu as themselves.
 *  - IRQ-off sections vs synchronous IPIs: smp_call_function_many(..., wait=1)
 *    returns only after every target CPU took the IPI, i.e. after every
 *    IRQ-disabled region in flight ended. That is RCU-sched: local_irq_disable
 *    / local_irq_enable are modelled as rcu_read_lock / rcu_read_unlock and the
 *    IPI-and-wait as synchronize_rcu.
 *  - page lock: lock_page / unlock_page as spin_lock / spin_unlock (a sleeping
 *    bit lock has the same acquire/release ordering and mutual exclusion).
 *  - page flags (writeback): a plain int written with WRITE_ONCE and read with
 *    READ_ONCE (PageWriteback); the ordering of TestSetPageWriteback is spelled
 *    out as an explicit barrier after it, as the seed thread does.
 *  - page-table entries: ints (1 = maps the page / page table, 0 = cleared);
 *    "freed" memory is a flag location that the freeing CPU sets after the
 *    free, so reading 1 from it is a use-after-free.
 */
import type { StmtDef } from './types';

type Extra = Partial<Pick<StmtDef, 'explain' | 'patchLine' | 'ptrRegs'>>;

const s = (litmus: string, text: string, explain: string, extra: Extra = {}): StmtDef => ({ litmus, text, explain, ...extra });

export const fence = {
  mb: (text = 'smp_mb()', explain = 'full barrier: earlier stores are visible to all CPUs before later loads execute', extra?: Extra) =>
    s('smp_mb();', text, explain, extra),
  wmb: (text = 'smp_wmb()', explain = 'orders earlier stores before later stores only; a later load may still run ahead of the store', extra?: Extra) =>
    s('smp_wmb();', text, explain, extra),
  rmb: (text = 'smp_rmb()', explain = 'orders earlier loads before later loads', extra?: Extra) => s('smp_rmb();', text, explain, extra),
  afterAtomic: (text = 'smp_mb__after_atomic()', explain = 'upgrades the preceding non-returning atomic to a full barrier', extra?: Extra) =>
    s('smp_mb__after_atomic();', text, explain, extra),
};

export const once = {
  read: (reg: string, slot: string, text: string, explain: string, extra?: Extra) => s(`${reg} = READ_ONCE(*$${slot});`, text, explain, extra),
  write: (slot: string, value: string | number, text: string, explain: string, extra?: Extra) =>
    s(`WRITE_ONCE(*$${slot}, ${value});`, text, explain, extra),
};

export const ref = {
  /** page_ref_add / atomic_add: non-returning, unordered. */
  add: (slot: string, n: string | number, text: string, explain: string, extra?: Extra) => s(`atomic_add(${n}, $${slot});`, text, explain, extra),
  sub: (slot: string, n: string | number, text: string, explain: string, extra?: Extra) => s(`atomic_sub(${n}, $${slot});`, text, explain, extra),
  inc: (slot: string, text: string, explain: string, extra?: Extra) => s(`atomic_inc($${slot});`, text, explain, extra),
  dec: (slot: string, text: string, explain: string, extra?: Extra) => s(`atomic_dec($${slot});`, text, explain, extra),
  read: (reg: string, slot: string, text: string, explain: string, extra?: Extra) => s(`${reg} = atomic_read($${slot});`, text, explain, extra),
  set: (slot: string, v: number, text: string, explain: string, extra?: Extra) => s(`atomic_set($${slot}, ${v});`, text, explain, extra),
  /** get_page_unless_zero & co: atomic_add_unless(&ref, 1, 0), nonzero iff the ref was taken. */
  getUnlessZero: (reg: string, slot: string, text: string, explain: string, extra?: Extra) =>
    s(`${reg} = atomic_add_unless($${slot}, 1, 0);`, text, explain, extra),
  /** put_page: fully ordered decrement; the caller frees on 0. */
  decReturn: (reg: string, slot: string, text: string, explain: string, extra?: Extra) =>
    s(`${reg} = atomic_dec_return($${slot});`, text, explain, extra),
};

export const rcu = {
  lock: (text = 'rcu_read_lock()', explain = 'start of an RCU read-side critical section', extra?: Extra) => s('rcu_read_lock();', text, explain, extra),
  unlock: (text = 'rcu_read_unlock()', explain = 'end of the RCU read-side critical section', extra?: Extra) => s('rcu_read_unlock();', text, explain, extra),
  sync: (text = 'synchronize_rcu()', explain = 'waits for every RCU reader that started before it', extra?: Extra) => s('synchronize_rcu();', text, explain, extra),
};

export const irq = {
  /** local_irq_disable / local_irq_save: an RCU-sched read-side section. */
  off: (text = 'local_irq_disable()', extra?: Extra) =>
    s('rcu_read_lock();', text, 'IRQs off: a synchronous IPI cannot be taken until they are re-enabled (an RCU-sched read-side section)', extra),
  on: (text = 'local_irq_enable()', extra?: Extra) => s('rcu_read_unlock();', text, 'IRQs on again: pending IPIs are taken, a waiting sender may proceed', extra),
  /** smp_call_function_many(..., wait=1) and wrappers such as serialize_against_pte_lookup. */
  ipiWait: (text = 'smp_call_function_many(mask, func, info, 1)', extra?: Extra) =>
    s('synchronize_rcu();', text, 'sends an IPI to every CPU and waits: returns only after every IRQ-off section in flight has ended (RCU-sched grace period)', extra),
};

export const pageLock = {
  lock: (slot: string, text: string, extra?: Extra) => s(`spin_lock($${slot});`, text, 'takes the page lock (acquire)', extra),
  unlock: (slot: string, text: string, extra?: Extra) => s(`spin_unlock($${slot});`, text, 'drops the page lock (release)', extra),
};
