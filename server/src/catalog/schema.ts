/**
 * Schema of the kernel API catalog: the single place where kernel knowledge
 * lives. Rules never name kernel APIs; they ask the catalog what a call does.
 *
 * Arguments are 0-based indexes into the call's argument list. 'ret' means the
 * object is the call's return value (e.g. get_dev_pagemap returns the pgmap).
 *
 * Eras: a fact may say for which kernels it holds (`kernels`, e.g. ">=5.16",
 * "<=6.1", "6.5..6.11", "RFC (2019)"); facts without it hold for every kernel
 * the catalog covers. Memory-ordering facts (OrderingFacts) carry the same
 * field.
 */
import type { ScenarioId } from '../protocol/scenarioIds';

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
  | 'mm-ref'        // mmget / mmput (mm_users)
  | 'mm-grab'       // mmgrab / mmdrop (mm_count): a different counter from mm_users
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
  | 'spf-section'   // speculative page-fault section (seed 001)
  | 'lru-cache-off' // lru_cache_disable() .. lru_cache_enable()
  | 'pcp-off'       // zone_pcp_disable() .. zone_pcp_enable()
  | 'task-ref'      // get_task_struct / put_task_struct (task_struct::usage)
  | 'css-ref'       // css_get / css_tryget* / css_put, and the memcg wrappers (get_mem_cgroup_from_*, mem_cgroup_put)
  | 'objcg-ref'     // obj_cgroup_get / obj_cgroup_put (obj_cgroup::refcnt)
  | 'kobj-ref'      // kobject_get / kobject_put
  | 'swap-dev-ref'  // get_swap_device / put_swap_device (swap_info_struct::users)
  | 'anon-vma-ref'  // get_anon_vma / put_anon_vma (anon_vma::refcount)
  | 'pid-ref'       // get_pid / put_pid (struct pid::count)
  | 'local-lock';   // local_lock_nested_bh / local_unlock_nested_bh (a per-CPU lock inside a BH-off section)

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
 * - 'null': for a release, a NULL return means it released (expand_stack() drops mmap_lock when it fails)
 * A conditional release whose result the code keeps hands the object over, as
 * far as one function's dataflow can tell: the caller releases it another way
 * on the other outcome.
 */
export type Conditional = 'bool' | 'nonnull' | 'count' | 'zero' | 'errptr' | 'null';

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
  /** The effect applies only when this argument condition holds (see ArgCondition). */
  when?: ArgCondition;
  /** The effect applies when no sibling `when` effect of the call matched, or when the arguments are unknown. */
  fallback?: boolean;
  /**
   * The array argument moved between kernel versions: argument count -> index
   * of the pages array (e.g. get_user_pages_remote had a task_struct first
   * before v5.9). `array` is the current position.
   */
  arrayByArity?: Record<number, number>;
  /**
   * The acquire consumes a reference the caller holds in this argument and
   * hands it (or a new one) back as the result: get_dev_pagemap(pfn, cached)
   * returns `cached` as-is when it covers pfn, or puts it and gets a new one.
   */
  replaces?: number;
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
  /** The release happens only when the call reports it (put_devmap_managed_page returns true when it handled the put). */
  cond?: Conditional;
  when?: ArgCondition;
  fallback?: boolean;
  arrayByArity?: Record<number, number>;
}

/**
 * A condition on the text of a call's arguments, for effects that depend on
 * a constant argument: page_ref_add(page, PAGE_PIN_BIAS) adds a pin bias,
 * page_ref_add(page, nr) adds page refs; try_grab_folio(folio, refs, FOLL_PIN)
 * pins while FOLL_GET gets.
 */
export interface ArgCondition {
  /** Argument index to test. */
  arg: number;
  /** The condition holds when the argument mentions one of these identifiers. */
  identifiers: string[];
  /**
   * 'negative': the argument is negated (`-PAGE_PIN_BIAS`);
   * 'positive': it is not. Omitted: either.
   */
  sign?: 'positive' | 'negative';
}

export type Effect = AcquireEffect | ReleaseEffect;

/** Shared-memory access performed by the call, for barrier analysis. */
export interface Access {
  /** Which argument is (a pointer to) the location accessed; 'ret' is not allowed here. */
  arg: number;
  kind: 'load' | 'store' | 'rmw';
  /** True when the location is passed by address (&x) rather than by lvalue (READ_ONCE(x)). */
  byAddress?: boolean;
  /**
   * The location is a field of the object the argument points to:
   * page_ref_inc(page) modifies page->_refcount, SetPageDirty(page) page->flags.
   */
  field?: string;
}

/** Execution context a call needs or forbids. */
export type ContextRequirement =
  | 'rcu-or-irq-off' // page_cache_get_speculative: caller must be in an RCU read section or have IRQs off
  | 'rcu'
  | 'irq-off'
  | 'preempt-off'
  | 'page-locked'
  | 'mmap-locked'
  | 'ptl-held'
  | 'pagefault-disabled'; // user copies do not fault in (and so do not sleep)

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
  /**
   * A lockless lookup whose answer cannot go stale: it names a fixed object (a pfn's struct page), so only
   * a speculative reference is needed (the object may be freed meanwhile); there is no lookup to re-check
   * after it (spec-ref/no-revalidation does not apply; the folio a page belongs to still can change).
   */
  fixedLookup?: boolean;
  /**
   * When the call returns true, the object of this argument is the caller's alone (taken off a free list:
   * take_page_off_buddy()), so its refcount is the caller's to raise with a plain get.
   */
  claimsArg?: number;
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
  /**
   * The call sleeps unless its GFP argument mentions one of the atomic flags
   * (kmalloc(size, GFP_ATOMIC) does not sleep; kmalloc(size, GFP_KERNEL) may).
   * When set, `sleeps` is the answer for unknown arguments.
   */
  sleepsUnlessArg?: { arg: number; atomicFlags: string[] };
  /**
   * Waits for every pre-existing section of these kinds on all CPUs to end
   * (synchronize_rcu: RCU readers; an IPI broadcast with wait=1 such as
   * kick_all_cpus_sync / serialize_against_pte_lookup: IRQs-off sections).
   * `whenArgNonZero`: only when that argument is non-zero (the `wait` flag).
   */
  synchronizes?: { kinds: ResourceKind[]; whenArgNonZero?: number };
  /** Plausible argument counts across the kernels in `kernels` (for integrity checks and arity-dependent positions). */
  arity?: number[];
  /**
   * A call with an argument count outside `arity` is another form of the API
   * whose effects this entry does not describe (migration_entry_wait_on_locked
   * took (entry, ptep, ptl) before v6.5): such a call is read as an unknown call.
   */
  strictArity?: boolean;
  /** Earlier semantics of the same name, informational. */
  history?: { kernels: string; summary: string }[];
  /** The catalog domain (table) the entry belongs to; set by data/index.ts. */
  domain?: string;
  /** The called name is a field of an ops structure (vm_ops->fault), matched on indirect calls. */
  indirect?: boolean;
  /**
   * Returns a page/folio pointer WITHOUT taking a reference on it
   * (vm_normal_page, pfn_to_page, pte_page): a put on that object with no get
   * in between drops a reference somebody else owns.
   */
  returnsUnreferenced?: boolean;
  /**
   * Returns the object without a reference when none of its acquire effects
   * applies to the call's (constant) arguments: follow_page(vma, addr, 0)
   * takes no reference, follow_page(vma, addr, FOLL_GET) does. A flags
   * argument that is a variable is unknown: nothing is said.
   */
  returnsUnreferencedOtherwise?: boolean;
  /**
   * Returns a pointer to the same reference-counted object under another
   * type (page_folio(page) is the folio of `page`, whose refcount the page
   * shares): a reference taken through one variable is dropped through the other.
   */
  sameObject?: boolean;
  /**
   * Returns the pointer to the lock that the named API, called with the same
   * arguments, takes (pmd_lockptr(mm, pmd) is the lock pmd_lock(mm, pmd)
   * returns): `spin_unlock(pmd_lockptr(mm, pmd))` releases that lock.
   */
  lockPointerOf?: string;
  /**
   * Returns the object it acquires (get_file returns the file it took a
   * reference on): `file = get_file(vma->vm_file)` hands the reference to
   * `file`, and fput(file) releases it.
   */
  returnsObject?: boolean;
  /**
   * The call sleeps only by taking a page fault (copy_from_user): inside a
   * pagefault_disable() section it fails fast instead of sleeping.
   */
  sleepsOnlyByFaulting?: boolean;
  /**
   * Tests whether a page-table entry / page is a ZONE_DEVICE (devmap) page
   * (pte_devmap, is_zone_device_page): true means the device-page path.
   */
  devicePageTest?: boolean;
  /**
   * Frees or hands back memory that merely *holds* objects (kfree/kvfree of
   * a pages array): it neither releases the references of the pages in it
   * nor takes ownership of them.
   */
  freesMemoryOnly?: boolean;
  /**
   * An older API of the same name and arity, recognised by its result being
   * assigned to a pointer variable (`folio = try_grab_folio(page, refs, flags)`,
   * v5.17–v6.9) where the current API returns an int. The fields given here
   * replace the current ones for such calls.
   */
  pointerResultForm?: Pick<ApiSpec, 'summary' | 'effects' | 'speculative' | 'requires' | 'pgmapHook' | 'pairsWith' | 'ordering'> & { kernels: string };
  /**
   * A function-like macro whose accessed argument (`access[0]`, argument 0)
   * is an lvalue it reads or writes in place (READ_ONCE(x), WRITE_ONCE(x, v),
   * smp_store_mb(x, v)) or whose address it takes (smp_load_acquire(&x)),
   * rather than a value it evaluates: the C model records a read / write
   * operation on that lvalue (Catalog.lvalueAccess).
   */
  macro?: boolean;
  /**
   * Links a new object (this argument) into a structure other CPUs walk
   * locklessly (pmd_populate(mm, pmd, pte) makes the page table `pte`
   * reachable): everything written to the object before must be ordered
   * before the call (smp_wmb()).
   */
  publishes?: { arg: number };
  /**
   * Returns a freshly initialised object (pte_alloc_one() returns a zeroed
   * page table) whose initialisation must be ordered before it is published.
   */
  initialisesResult?: boolean;
  /**
   * Returns a new object that no other CPU can reach until the caller
   * publishes it (kmalloc(), kmem_cache_alloc(), alloc_pages()): stores
   * into it are initialisation, not communication.
   */
  allocates?: boolean;
  /** A memory barrier checkpatch wants a comment on (its MEMORY_BARRIER check). */
  checkpatchComment?: boolean;
  /**
   * The call orders memory through its own synchronisation, not as a barrier
   * at the call site: it takes and drops a lock inside (percpu_ref_kill()
   * under percpu_ref_switch_lock, complete() under the completion's wait
   * lock), or waits for other CPUs (an RCU grace period, a completion). A
   * barrier a patch removes while adding such a call may have become
   * redundant: barrier/removed does not report it.
   */
  internalSync?: 'lock' | 'grace-period' | 'completion';
  /**
   * Returns a pointer to this CPU's instance of per-CPU data
   * (this_cpu_ptr(), get_cpu_ptr()): stores through it are private to the
   * CPU (other CPUs look at it only under a lock, or after an IPI or a
   * grace period), so they publish nothing and pair with nothing.
   */
  perCpu?: boolean;
  /**
   * A lockdep assertion that the lock this argument names is held here
   * (lockdep_assert_held(&l)): the code after it runs under that lock.
   */
  assertsHeld?: { arg: number };
  /**
   * The access is intentionally racy (data_race(): statistics, heuristics):
   * it pairs with nothing, so it is evidence of no protocol.
   */
  racy?: boolean;
  /**
   * An assertion macro whose condition is compiled in but NOT evaluated
   * unless this Kconfig option is set: without CONFIG_DEBUG_VM,
   * VM_BUG_ON(cond) / VM_WARN_ON*(cond) expand to BUILD_BUG_ON_INVALID(cond)
   * (`(void)sizeof(cond)`), so a side effect in `cond` (a get, a trylock, an
   * assignment) never happens on production kernels. WARN_ON()/BUG_ON()
   * always evaluate their condition and carry no `debugOnly`.
   */
  debugOnly?: string;
  /**
   * A drop-in alternative on the same object that never sleeps (mmput ->
   * mmput_async, vfree -> vfree_atomic): the fix for a sleeping call in an
   * atomic section when the object cannot be released later.
   */
  nonSleepingForm?: string;
  /** The sleeping (synchronous) drop-in alternative of a non-sleeping call (mmput_async -> mmput). */
  sleepingForm?: string;
  /**
   * Sets the current task's state (the sleeper's half of a wait): 'plain' is
   * a plain store (`__set_current_state()`), 'full' one followed by a full
   * barrier (`set_current_state()`: smp_store_mb()). `fullForm` names the
   * drop-in call with the barrier.
   */
  taskState?: 'plain' | 'full';
  fullForm?: string;
  /** Sleeps until another task wakes this one (schedule()): the end of a sleeper's wait loop. */
  waitsForWakeup?: boolean;
  /**
   * The release drops a reference or lock its caller obtained in a way no
   * single catalogued call models (a ref handed over by a callee, a
   * count taken with a raw refcount helper), so no pairing acquire is listed.
   */
  releasesCallersRef?: boolean;
  /**
   * The call sleeps only when it drops the last reference (the final put
   * frees through a path that sleeps: put_anon_vma -> anon_vma_free ->
   * might_sleep()). `sleeps` is set as well; a rule may weigh this as
   * "may sleep" rather than "sleeps".
   */
  sleepsOnLastPut?: boolean;
  /**
   * A loop macro (list_for_each_entry(pos, head, member) { ... }) that
   * assigns a new object to this argument on every iteration: what was held
   * through the variable in one iteration is not what it names in the next,
   * nor after the loop.
   */
  iteratorCursor?: number;
  /**
   * Facts that hold only in some kernel versions: each `facts` is merged over
   * the entry when the target kernel falls in `kernels` (a range as in
   * `kernels`: `4.5..4.12`, `>=5.16`). Outside the range the entry's own
   * facts apply. No rule reads a fact of another era (Catalog.forVersion()).
   */
  eras?: { kernels: string; facts: Partial<Omit<ApiSpec, 'name' | 'aliases' | 'eras' | 'domain'>>; why: string }[];
}

// ---------------------------------------------------------------------------
// Memory-ordering facts beyond single calls

/**
 * A store-buffering protocol of mm: each side stores one location then loads
 * the other, and both sides need a full barrier between the two (LKMM SB,
 * tools/memory-model/Documentation/explanation.txt). Locations are the keys
 * the ordering analysis gives accesses: a field name (`_refcount`), a flag
 * (`PG_writeback`), an entry class (`pmd`), or a class named in
 * OrderingFacts.locations (`wait-queue`).
 */
export interface SbProtocol {
  name: string;
  /** Location keys of side A and side B. */
  a: string[];
  b: string[];
  scenario: ScenarioId;
  /** The seed thread it comes from, if any. */
  seed?: string;
  /** One line for messages. */
  why: string;
  /**
   * An RMW of a side-A location is an announcement by itself, even in a
   * helper with nothing after it (start_lockless_pgtbl_walk()): the caller's
   * accesses follow.
   */
  announce?: boolean;
  /**
   * Side A is the store the code makes just before it loads side B: the
   * condition another CPU checks (the waker sets @cond, then tests
   * waitqueue_active()). `a` is then empty: any store qualifies, the nearest
   * one on each path.
   */
  conditionStore?: boolean;
  /**
   * The other CPU's side is a kernel primitive that is always ordered (the
   * sleeper's prepare_to_wait() -> set_current_state() has its smp_mb()):
   * no mirror in the document is needed. Text for messages.
   */
  orderedOtherSide?: string;
  /**
   * The protocol is also safe when both sides hold this lock of the side-B
   * object (waitqueue_active() under wait_queue_head::lock): a field of the
   * object side B's access names.
   */
  lockField?: string;
  /**
   * Side-B locations whose condition is the checked argument itself
   * (wake_up_var(&x) wakes waiters on x; wake_up_bit(word, bit) on a bit of
   * word): only a store to that location is the condition store.
   */
  storeToArgument?: string[];
  /** The API that bundles the full barrier with the side-B load (wq_has_sleeper()), for messages and fixes. */
  orderedForm?: string;
  /** Kernels for which the protocol holds (see the era note above). */
  kernels: string;
  /** Where it is documented. */
  source: string;
}

/**
 * Memory-ordering facts that are not a property of one catalogued call:
 * locations, protocols, repairs. Read through Catalog methods only.
 */
export interface OrderingFacts {
  /**
   * Location a call touches, by called name (aliases share a spec but not a
   * location: PageWriteback reads PG_writeback, PageDirty PG_dirty), when the
   * argument alone does not say it: page_ref_add(page, n) writes
   * page->_refcount; waitqueue_active(wq) reads the wait list.
   */
  locations: Record<string, string>;
  /** `*ptr` / `ptr[i]` through a pointer named like this is that kind of page-table entry. */
  entryClasses: Record<string, string>;
  protocols: SbProtocol[];
  /**
   * Locations too generic to pair two functions by name alone (every page
   * flag is in page->flags; every reference is _refcount): a mirror function
   * touching them is no evidence of a store-buffering protocol. The known
   * protocols still apply.
   */
  genericLocations: string[];
  /** Repairs offered by quick fixes and named in messages. */
  repairs: { full: string; afterAtomic: string; release: string; publishRcu: string; wmb: string; marked: string };
  /** Task states that are not sleeping states: setting one before a test needs no barrier (`TASK_RUNNING`). */
  runningStates: string[];
  /**
   * Resource kinds whose acquisition is, as far as memory ordering goes, an
   * unordered store (RMW) to a protocol location: pin_user_pages*()
   * (FOLL_PIN) ends in an atomic_add() on _pincount or a folio_ref_add() of
   * GUP_PIN_COUNTING_BIAS on _refcount (mm/gup.c try_grab_folio()), neither
   * value-returning, so nothing orders the pin before the caller's next load.
   */
  acquireStores: Partial<Record<ResourceKind, string>>;
  /**
   * Section annotations of functions that run only while the kernel boots
   * (`__init`: the code is freed afterwards). What such a function makes
   * reachable has no concurrent reader yet: publishing it needs no barrier.
   */
  bootOnly: string[];
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
  /** A reference on a page or folio itself (what a speculative get takes on a lockless lookup's result). */
  pageRef?: boolean;
  /** A bias added to a refcount (PAGE_PIN_BIAS): one put cannot take it back. */
  biasCounted?: boolean;
  /** The rule id that reports this kind left unreleased, when not the family's default (a dev_pagemap ref: spec-ref/pgmap-leak). */
  reportAs?: string;
  /**
   * A release of the other style (kunmap() on a kmap_local_page() mapping) is
   * the wrong release call, reported by ref-kind/mismatched-release, rather
   * than a mixed IRQ style (bracket/mixed-irq-style, the default).
   */
  styleMismatchIsWrongRelease?: boolean;
  /**
   * What a re-check right after taking this guards against: the object can
   * change identity while it is awaited (truncated, split, migrated, freed and
   * reused), so code that takes it re-checks the lookup under it
   * (`compound_head(p) != head`, `folio->mapping != mapping`). A patch that
   * deletes such a re-check after a kept acquire is reported
   * (spec-ref/no-revalidation).
   */
  recheckAfter?: string;
  /**
   * The counted object is embedded in a larger one under this member name, and
   * code names it either way: `css_put(&memcg->css)` and `mem_cgroup_put(memcg)`
   * drop the same reference. A release of `&x->MEMBER` then drops the
   * reference tracked on `x` (held, or already dropped: a second put).
   */
  embeddedAs?: string;
}

/**
 * Flags that mean the same thing to the code that tests them: each member
 * selects one way of taking a reference, so a test for "a reference is
 * taken" must test them all (`flags & (FOLL_GET | FOLL_PIN)`).
 */
export interface FlagGroup {
  flags: readonly string[];
  /** What the group means (for messages). */
  meaning: string;
  /** Why each member counts (for messages): one clause per flag. */
  members: Readonly<Record<string, string>>;
  kernels?: string;
  source: string;
}

/** Comparison idioms that re-validate a lockless read (pte_val(pte) != pte_val(*ptep)). */
export interface RevalidationPattern {
  /** Name for messages. */
  name: string;
  /** A tree-sitter query (in grammars/queries) or a description. */
  description: string;
  /** Comparison operators that form the check (a mismatch means the lookup changed). */
  operators?: ('==' | '!=')[];
  /**
   * One side of the comparison is a call to one of these names (the value
   * recomputed from memory: page_folio(page), compound_head(page), pte_val(*ptep)).
   */
  recompute?: string[];
  /**
   * What the other side is: 'object' = the looked-up object itself (a plain
   * variable: `folio != page_folio(page)`); 'same-call' = a call of the same
   * name on the saved snapshot (`pte_val(pte) != pte_val(*ptep)`).
   */
  other?: 'object' | 'same-call';
  /**
   * For 'same-call': the recomputing side re-reads memory: its argument is a
   * dereference (`*ptep`) or a call to one of these.
   */
  rereadCalls?: string[];
  /** What is re-validated. */
  object?: 'pte' | 'pmd' | 'pud' | 'folio' | 'page' | 'entry' | 'seq';
  /** Kernel file where the idiom is used. */
  source?: string;
}

/**
 * Idioms that perform a lockless lookup without a dedicated API, e.g. the
 * GUP-fast walker's `READ_ONCE(*ptep)` / `ptep_get(ptep)` outside the PTL.
 */
export interface LocklessIdiom {
  name: string;
  description: string;
  /** The called name (a macro or helper). */
  call: string;
  /** Shape of its first argument: 'deref' = `*p` (READ_ONCE(*ptep)); 'pointer' = `p` (ptep_get(ptep)). */
  argShape: 'deref' | 'pointer';
  /** What the loaded value is. */
  value: 'pte' | 'pmd' | 'pud' | 'entry';
  /** 'always' lockless, or lockless only when the page-table lock is not held. */
  lockless: 'always' | 'unless-ptl-held';
  source?: string;
}

/**
 * A naming convention of goto labels in error ladders (a convention, not a
 * kernel fact): `out_unlock:` conventionally leads to an unlock, `put_folio:`
 * to a put. Used only as a weak signal, e.g. when a patch retargets a goto
 * from a label that releases a lock to one that does not.
 */
/** A scope-based lock guard class (`guard(mutex)(&m)`): the lock call it runs and the unlock of its destructor. */
export interface GuardClass {
  cls: string;
  lock: string;
  unlock: string;
  kernels: string;
  source: string;
}

/**
 * A return value by which a function hands a lock or reference it holds to
 * its caller, by the kernel's contract for that value (a ->fault or
 * ->page_mkwrite handler returning VM_FAULT_LOCKED returns the page locked).
 */
export interface ReturnContract {
  /** The constant, as written (matched as a whole word of the returned expression: `ret | VM_FAULT_LOCKED`). */
  value: string;
  /** The kinds the caller receives held. */
  holds: ResourceKind[];
  kernels: string;
  source: string;
  note: string;
}

export interface GotoLabelConvention {
  /** Regular expression source, searched case-insensitively in the label (word boundaries are `_`: `(?:^|_)unlock(?:_|$)`); linear-time (checked by test/hostile/redos). */
  pattern: string;
  /** Families of resources the code under such a label conventionally releases ([] = nothing the catalog tracks, e.g. `free:` frees memory). */
  releases: KindSpec['family'][];
  /** The kinds, when the name says which (`unlock_folio:` -> page-lock, `rcu_unlock:` -> rcu). */
  kinds?: ResourceKind[];
  /** Families the name says are NOT released there (`out_unlocked:`, `out_release_nounlock:`: the lock is already dropped). */
  excludes?: KindSpec['family'][];
  /** Labels of this shape seen in mm/ (v6.19). */
  examples: string[];
  note?: string;
}
