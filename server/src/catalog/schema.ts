/**
 * Schema of the kernel API catalog: the single place where kernel knowledge
 * lives. Rules never name kernel APIs; they ask the catalog what a call does.
 *
 * Arguments are 0-based indexes into the call's argument list. 'ret' means the
 * object is the call's return value (e.g. get_dev_pagemap returns the pgmap).
 */

/** What kind of resource a call acquires or releases. */
export type ResourceKind =
  | 'page-ref'      // a plain reference on struct page (_refcount)
  | 'folio-ref'     // a reference on a folio
  | 'gup-pin'       // FOLL_PIN: pin_user_pages*, try_grab_folio(FOLL_PIN); released by unpin_user_page*
  | 'gup-get'       // FOLL_GET: get_user_pages*; released by put_page / release_pages
  | 'pin-bias'      // a hand-rolled bias added to _refcount (seed 000 PAGE_PIN_BIAS)
  | 'pgmap-ref'     // dev_pagemap reference (get_dev_pagemap / put_dev_pagemap)
  | 'percpu-ref'    // percpu_ref_get / percpu_ref_put
  | 'file-ref'      // get_file / fput
  | 'vma-ref'       // vma refcount / vma read lock
  | 'mm-ref'        // mmget / mmput, mmgrab / mmdrop
  | 'page-lock'     // lock_page / unlock_page, folio_lock / folio_unlock
  | 'spinlock'      // spin_lock* / spin_unlock*
  | 'rwlock'
  | 'mutex'
  | 'rwsem'         // down_read / up_read ..., mmap_read_lock / mmap_read_unlock
  | 'ptl'           // pte_offset_map_lock / pte_unmap_unlock
  | 'pte-map'       // pte_offset_map / pte_unmap
  | 'kmap'          // kmap_local_page / kunmap_local, kmap_atomic / kunmap_atomic
  | 'rcu'           // rcu_read_lock / rcu_read_unlock
  | 'rcu-sched'
  | 'srcu'
  | 'irq-off'       // local_irq_disable/enable, local_irq_save/restore
  | 'preempt-off'
  | 'bh-off'
  | 'pagefault-off' // pagefault_disable / pagefault_enable
  | 'lockless-walk' // start/end of a lockless page-table walk (seed 003)
  | 'spf-section';  // speculative page-fault section (seed 001)

/** Memory-ordering strength of a call, as the LKMM sees it. */
export type Ordering =
  | 'none'      // relaxed: plain atomic_inc, set_bit, READ_ONCE ...
  | 'acquire'   // smp_load_acquire, *_acquire, spin_lock
  | 'release'   // smp_store_release, *_release, spin_unlock
  | 'full'      // smp_mb, value-returning RMW atomics, xchg, cmpxchg, test_and_set_bit
  | 'wmb'       // smp_wmb: orders stores against stores only
  | 'rmb'       // smp_rmb: orders loads against loads only
  | 'before-atomic' // smp_mb__before_atomic: full barrier with the following RMW
  | 'after-atomic'; // smp_mb__after_atomic: full barrier with the preceding RMW

/**
 * How a conditional acquire reports success.
 * - 'bool': non-zero / true means acquired (get_page_unless_zero, folio_try_get, trylock)
 * - 'nonnull': a non-NULL return is the acquired object (get_dev_pagemap)
 * - 'count': returns how many objects were acquired (>0), or -errno (get_user_pages)
 * - 'zero': 0 means acquired (mutex_lock_interruptible, down_read_killable)
 * - 'errptr': !IS_ERR(ret) means acquired
 */
export type Conditional = 'bool' | 'nonnull' | 'count' | 'zero' | 'errptr';

export type ObjectRef = number | 'ret';

export interface AcquireEffect {
  op: 'acquire';
  kind: ResourceKind;
  /** Which argument (or the return value) names the object acquired. */
  object?: ObjectRef;
  /** For array-filling acquires (GUP): the argument that is the pages/folios array. */
  array?: number;
  /** References taken: a constant, or the index of the argument that holds the count. */
  count?: number | { arg: number };
  /** The acquire can fail; how success is reported. */
  cond?: Conditional;
  /** For save/restore brackets: the argument that is the saved state (flags). */
  stateArg?: number;
  /** The state argument is passed by value (macro, local_irq_save(flags)), not by pointer. */
  stateByValue?: boolean;
  /** The bracket variant, used to flag mixing (disable/enable vs save/restore). */
  style?: string;
}

export interface ReleaseEffect {
  op: 'release';
  kind: ResourceKind;
  object?: ObjectRef;
  array?: number;
  count?: number | { arg: number };
  stateArg?: number;
  stateByValue?: boolean;
  style?: string;
  /**
   * Releasing this kind also drops a ref of another kind as a hidden side
   * effect, e.g. in the seed-004 era put_page() on a ZONE_DEVICE page also
   * dropped a pgmap ref (put_zone_device_page).
   */
  alsoDrops?: ResourceKind[];
}

export type Effect = AcquireEffect | ReleaseEffect;

/** Shared-memory access performed by the call, for barrier analysis. */
export interface Access {
  /** Which argument is (a pointer to) the location accessed; 'ret' is not allowed here. */
  arg: number;
  kind: 'load' | 'store' | 'rmw';
  /** True when the location is passed by address (&x) rather than by lvalue (READ_ONCE(x)). */
  byAddress?: boolean;
}

/** Execution context a call needs or forbids. */
export type ContextRequirement =
  | 'rcu-or-irq-off' // page_cache_get_speculative: caller must be in an RCU read section or have IRQs off
  | 'rcu'
  | 'irq-off'
  | 'preempt-off'
  | 'page-locked'
  | 'mmap-locked'
  | 'ptl-held';

export interface ApiSpec {
  name: string;
  /** Short semantics for hovers. */
  summary: string;
  /** Other spellings that mean exactly the same (e.g. folio_put / put_folio). */
  aliases?: string[];
  effects?: Effect[];
  /** The memory-ordering strength of the call itself. */
  ordering?: Ordering;
  access?: Access[];
  /** The call may sleep (lock_page, mutex_lock, GFP_KERNEL allocation, I/O). */
  sleeps?: boolean;
  /** Context the caller must already be in. */
  requires?: ContextRequirement[];
  /**
   * Speculative reference: succeeds only while the refcount is non-zero, so it
   * is safe on a page found by a lockless lookup but must be followed by a
   * re-validation of the lookup.
   */
  speculative?: boolean;
  /** The call returns a page/folio/entry found without locks (xas_load, READ_ONCE(*ptep) in GUP-fast). */
  locklessLookup?: boolean;
  /** The call (or comparison helper) re-validates a lockless lookup (xas_reload, pte_same). */
  revalidates?: boolean;
  /**
   * For a page ref primitive: whether it takes the ZONE_DEVICE pgmap ref that
   * the matching release drops (seed 004). 'skips' marks a primitive that
   * does not, 'takes' one that does.
   */
  pgmapHook?: 'takes' | 'skips';
  /** The correct counterpart(s), for hovers and quick fixes. */
  pairsWith?: string[];
  /** Kernel versions where this API exists, informational: "<=5.5", ">=5.6". */
  kernels?: string;
  /** Where the semantics were checked (file in torvalds/linux). */
  source?: string;
}

/** Static facts about a resource kind. */
export interface KindSpec {
  kind: ResourceKind;
  label: string;
  /** 'ref' objects are counted per object; 'bracket' sections are per context. */
  family: 'ref' | 'lock' | 'bracket';
  /** Acquires of these other kinds may be released by a release of this kind. */
  releases?: ResourceKind[];
  /** Holding this makes the context atomic (no sleeping). */
  atomic?: boolean;
  /** Holding this satisfies these context requirements. */
  provides?: ContextRequirement[];
}

/** Comparison idioms that re-validate a lockless read (pte_val(pte) != pte_val(*ptep)). */
export interface RevalidationPattern {
  /** Name for messages. */
  name: string;
  /** A tree-sitter query (in grammars/queries) or a description. */
  description: string;
}
