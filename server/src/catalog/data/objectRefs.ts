/**
 * Counted references on kernel objects other than pages that mm code takes
 * and drops: task_struct, pid, cgroup css and the memcg wrappers, obj_cgroup,
 * kobject, swap device, anon_vma; and the struct page references KVM hands
 * out of its fault path.
 *
 * Each counter is its own resource kind (kinds.ts): mmput vs mmdrop-style
 * confusions are caught because a put of one kind never drops another.
 *
 * Checked against v6.19: include/linux/sched/task.h, kernel/pid.c,
 * include/linux/pid.h, include/linux/cgroup_refcnt.h, include/linux/memcontrol.h,
 * mm/memcontrol.c, lib/kobject.c, include/linux/swap.h, mm/swapfile.c,
 * include/linux/rmap.h, mm/rmap.c, include/linux/kvm_host.h, virt/kvm/kvm_main.c.
 */
import type { ApiSpec } from '../schema';

const MEMCG_H = 'include/linux/memcontrol.h';
const CG_REF = 'include/linux/cgroup_refcnt.h';

export const OBJECT_REFS: readonly ApiSpec[] = [
  // ---- task_struct ---------------------------------------------------------------
  {
    name: 'get_task_struct',
    summary: 'Take a task_struct reference (refcount_inc(&t->usage)) and return the same task; the caller must already have a stable pointer (RCU, or a reference). Drop with put_task_struct.',
    effects: [{ op: 'acquire', kind: 'task-ref', object: 0 }],
    returnsObject: true,
    pairsWith: ['put_task_struct'],
    arity: [1],
    source: 'include/linux/sched/task.h',
  },
  {
    name: 'tryget_task_struct',
    summary: 'Take a task_struct reference unless the usage count already reached zero (refcount_inc_not_zero); returns the task or NULL. Recent (present in v6.19).',
    effects: [{ op: 'acquire', kind: 'task-ref', object: 'ret', cond: 'nonnull' }],
    pairsWith: ['put_task_struct'],
    arity: [1],
    source: 'include/linux/sched/task.h',
  },
  {
    name: 'put_task_struct',
    summary: 'Drop a task_struct reference. Does not sleep: in v6.19 the final put always defers __put_task_struct() through call_rcu(). Earlier kernels deferred only under PREEMPT_RT (where __put_task_struct takes sleeping locks) and freed inline on !RT, which was also safe in atomic context.',
    effects: [{ op: 'release', kind: 'task-ref', object: 0 }],
    sleeps: false,
    pairsWith: ['get_task_struct', 'get_pid_task', 'find_get_task_by_vpid', 'tryget_task_struct'],
    arity: [1],
    source: 'include/linux/sched/task.h',
  },
  { name: 'put_task_struct_many', summary: 'Drop nr task_struct references at once.', effects: [{ op: 'release', kind: 'task-ref', object: 0, count: { arg: 1 } }], pairsWith: ['get_task_struct'], arity: [2], source: 'include/linux/sched/task.h' },
  { name: 'get_pid_task', summary: 'Return the task a struct pid points to, with a task_struct reference, or NULL (RCU inside). Drop with put_task_struct.', effects: [{ op: 'acquire', kind: 'task-ref', object: 'ret', cond: 'nonnull' }], pairsWith: ['put_task_struct'], arity: [2], source: 'kernel/pid.c' },
  { name: 'find_get_task_by_vpid', summary: 'Look up a task by virtual pid and return it with a task_struct reference, or NULL. Drop with put_task_struct.', effects: [{ op: 'acquire', kind: 'task-ref', object: 'ret', cond: 'nonnull' }], pairsWith: ['put_task_struct'], arity: [1], source: 'kernel/pid.c' },

  // ---- struct pid ----------------------------------------------------------------
  { name: 'get_pid', summary: 'Take a struct pid reference (NULL allowed) and return the same pid. Drop with put_pid.', effects: [{ op: 'acquire', kind: 'pid-ref', object: 0 }], returnsObject: true, pairsWith: ['put_pid'], arity: [1], source: 'include/linux/pid.h' },
  { name: 'get_task_pid', summary: 'Return the task\'s pid of the given type with a reference, or NULL. Drop with put_pid.', effects: [{ op: 'acquire', kind: 'pid-ref', object: 'ret', cond: 'nonnull' }], pairsWith: ['put_pid'], arity: [2], source: 'kernel/pid.c' },
  { name: 'find_get_pid', summary: 'Look up a struct pid by number in the current namespace and return it with a reference, or NULL. Drop with put_pid.', effects: [{ op: 'acquire', kind: 'pid-ref', object: 'ret', cond: 'nonnull' }], pairsWith: ['put_pid'], arity: [1], source: 'kernel/pid.c' },
  { name: 'put_pid', summary: 'Drop a struct pid reference (NULL allowed); the last one frees it (kmem_cache_free, no sleeping).', effects: [{ op: 'release', kind: 'pid-ref', object: 0 }], pairsWith: ['get_pid', 'get_task_pid', 'find_get_pid'], arity: [1], source: 'kernel/pid.c' },

  // ---- cgroup css and memcg ----------------------------------------------------------
  // css_get(&memcg->css) and mem_cgroup_put(memcg) touch the same css->refcnt. Since
  // v6.x these are out-of-line in cgroup_refcnt.h; CSS_NO_REF csses (the root) ignore them.
  { name: 'css_get', summary: 'Take a reference on a cgroup css (percpu_ref_get(&css->refcnt)); the caller must already hold one or be in a section that keeps the css alive. Drop with css_put.', effects: [{ op: 'acquire', kind: 'css-ref', object: 0 }], pairsWith: ['css_put'], arity: [1], source: CG_REF },
  { name: 'css_get_many', summary: 'Take n css references.', effects: [{ op: 'acquire', kind: 'css-ref', object: 0, count: { arg: 1 } }], pairsWith: ['css_put_many'], arity: [2], source: CG_REF },
  {
    name: 'css_tryget',
    summary: 'Take a css reference unless the refcount already reached zero (percpu_ref_tryget); true on success. Used under rcu_read_lock() on a css found through an RCU pointer; no re-check of the lookup is needed (the css is RCU-freed). Drop with css_put.',
    effects: [{ op: 'acquire', kind: 'css-ref', object: 0, cond: 'bool' }],
    pairsWith: ['css_put'],
    arity: [1],
    source: CG_REF,
  },
  { name: 'css_tryget_online', summary: 'Take a css reference unless the css is offline (percpu_ref_tryget_live: killed by css offlining); true on success. Drop with css_put.', effects: [{ op: 'acquire', kind: 'css-ref', object: 0, cond: 'bool' }], pairsWith: ['css_put'], arity: [1], source: CG_REF },
  { name: 'css_put', summary: 'Drop a css reference (percpu_ref_put; the release work is queued, no sleeping).', effects: [{ op: 'release', kind: 'css-ref', object: 0 }], pairsWith: ['css_get', 'css_tryget', 'css_tryget_online', 'get_mem_cgroup_from_mm'], arity: [1], source: CG_REF },
  { name: 'css_put_many', summary: 'Drop n css references.', effects: [{ op: 'release', kind: 'css-ref', object: 0, count: { arg: 1 } }], pairsWith: ['css_get_many'], arity: [2], source: CG_REF },
  { name: 'mem_cgroup_tryget', summary: 'css_tryget(&memcg->css); true on success, and also true for a NULL memcg (memcg disabled). Drop with mem_cgroup_put.', effects: [{ op: 'acquire', kind: 'css-ref', object: 0, cond: 'bool' }], pairsWith: ['mem_cgroup_put'], arity: [1], source: MEMCG_H },
  { name: 'mem_cgroup_tryget_online', summary: 'css_tryget_online(&memcg->css); true on success or for a NULL memcg. Drop with mem_cgroup_put.', effects: [{ op: 'acquire', kind: 'css-ref', object: 0, cond: 'bool' }], pairsWith: ['mem_cgroup_put'], arity: [1], source: MEMCG_H },
  { name: 'mem_cgroup_put', summary: 'Drop a memcg reference: css_put(&memcg->css), NULL allowed. No sleeping.', effects: [{ op: 'release', kind: 'css-ref', object: 0 }], pairsWith: ['get_mem_cgroup_from_mm', 'get_mem_cgroup_from_current', 'get_mem_cgroup_from_folio', 'mem_cgroup_tryget', 'css_get'], arity: [1], source: MEMCG_H },
  {
    name: 'get_mem_cgroup_from_mm',
    summary: 'Return the memcg of mm\'s owner (or the active/root memcg when mm is NULL) with a css reference (css_tryget loop under RCU); NULL when memcg is disabled; the root memcg is CSS_NO_REF. Drop with mem_cgroup_put (NULL-safe).',
    effects: [{ op: 'acquire', kind: 'css-ref', object: 'ret', cond: 'nonnull' }],
    pairsWith: ['mem_cgroup_put'],
    arity: [1],
    source: 'mm/memcontrol.c',
  },
  { name: 'get_mem_cgroup_from_current', summary: 'Return current\'s memcg with a css reference; NULL when memcg is disabled. Drop with mem_cgroup_put.', effects: [{ op: 'acquire', kind: 'css-ref', object: 'ret', cond: 'nonnull' }], pairsWith: ['mem_cgroup_put'], arity: [0], source: 'mm/memcontrol.c' },
  { name: 'get_mem_cgroup_from_folio', summary: 'Return the folio\'s memcg (the root memcg when it has none) with a css reference; NULL when memcg is disabled. Drop with mem_cgroup_put.', effects: [{ op: 'acquire', kind: 'css-ref', object: 'ret', cond: 'nonnull' }], pairsWith: ['mem_cgroup_put'], arity: [1], source: 'mm/memcontrol.c' },
  { name: 'get_mem_cgroup_from_objcg', summary: 'Return the memcg an obj_cgroup points to, with a css reference (css_tryget retry loop under RCU; never NULL with memcg enabled). Drop with mem_cgroup_put.', effects: [{ op: 'acquire', kind: 'css-ref', object: 'ret', cond: 'nonnull' }], pairsWith: ['mem_cgroup_put'], arity: [1], source: MEMCG_H },

  {
    name: 'mem_cgroup_iter',
    summary: 'Walk a memcg hierarchy (root, prev, reclaim): drops the reference on prev (unless it is NULL or root) and returns the next memcg with a css reference (root itself without one), or NULL after a full round-trip. Pass the result back as prev; leaving the walk early needs mem_cgroup_iter_break(root, memcg).',
    effects: [{ op: 'release', kind: 'css-ref', object: 1 }, { op: 'acquire', kind: 'css-ref', object: 'ret', cond: 'nonnull' }],
    pairsWith: ['mem_cgroup_iter_break'],
    arity: [3],
    source: 'mm/memcontrol.c',
  },
  { name: 'mem_cgroup_iter_break', summary: 'Abort a mem_cgroup_iter() walk: drop the reference on prev (root, prev) (not on root).', effects: [{ op: 'release', kind: 'css-ref', object: 1 }], pairsWith: ['mem_cgroup_iter'], arity: [2], source: 'mm/memcontrol.c' },

  // ---- obj_cgroup --------------------------------------------------------------
  { name: 'obj_cgroup_get', summary: 'Take an obj_cgroup reference (percpu_ref_get(&objcg->refcnt)). Drop with obj_cgroup_put.', effects: [{ op: 'acquire', kind: 'objcg-ref', object: 0 }], pairsWith: ['obj_cgroup_put'], arity: [1], source: MEMCG_H },
  { name: 'obj_cgroup_get_many', summary: 'Take nr obj_cgroup references.', effects: [{ op: 'acquire', kind: 'objcg-ref', object: 0, count: { arg: 1 } }], pairsWith: ['obj_cgroup_put'], arity: [2], source: MEMCG_H },
  { name: 'obj_cgroup_tryget', summary: 'Take an obj_cgroup reference unless the count reached zero (percpu_ref_tryget); true on success.', effects: [{ op: 'acquire', kind: 'objcg-ref', object: 0, cond: 'bool' }], pairsWith: ['obj_cgroup_put'], arity: [1], source: MEMCG_H },
  { name: 'obj_cgroup_put', summary: 'Drop an obj_cgroup reference (NULL allowed); percpu_ref release, no sleeping.', effects: [{ op: 'release', kind: 'objcg-ref', object: 0 }], pairsWith: ['obj_cgroup_get', 'get_obj_cgroup_from_current', 'get_obj_cgroup_from_folio'], arity: [1], source: MEMCG_H },
  { name: 'get_obj_cgroup_from_current', summary: 'Return current\'s obj_cgroup with a reference (obj_cgroup_get), or NULL. Drop with obj_cgroup_put.', effects: [{ op: 'acquire', kind: 'objcg-ref', object: 'ret', cond: 'nonnull' }], pairsWith: ['obj_cgroup_put'], arity: [0], source: MEMCG_H },
  { name: 'get_obj_cgroup_from_folio', summary: 'Return the obj_cgroup of a kmem-charged folio with a reference, or NULL. Drop with obj_cgroup_put.', effects: [{ op: 'acquire', kind: 'objcg-ref', object: 'ret', cond: 'nonnull' }], pairsWith: ['obj_cgroup_put'], arity: [1], source: 'mm/memcontrol.c' },

  // ---- kobject ---------------------------------------------------------------------
  { name: 'kobject_get', summary: 'Take a kobject reference (kref_get; NULL allowed) and return the same kobject. Drop with kobject_put.', effects: [{ op: 'acquire', kind: 'kobj-ref', object: 0 }], returnsObject: true, pairsWith: ['kobject_put'], arity: [1], source: 'lib/kobject.c' },
  { name: 'kobject_get_unless_zero', summary: 'Take a kobject reference unless the kref reached zero; returns the kobject or NULL.', effects: [{ op: 'acquire', kind: 'kobj-ref', object: 'ret', cond: 'nonnull' }], pairsWith: ['kobject_put'], arity: [1], source: 'lib/kobject.c' },
  // lib/kobject.c: the kref is initialised to 1 by kobject_init(); "If this function returns an error, kobject_put() must be called"
  { name: 'kobject_init', summary: 'Initialise a kobject (its kref starts at 1). From here on it must be released with kobject_put(), never kfree().', effects: [{ op: 'acquire', kind: 'kobj-ref', object: 0 }], pairsWith: ['kobject_put'], arity: [2], source: 'lib/kobject.c' },
  { name: 'kobject_init_and_add', summary: 'kobject_init() and kobject_add(): the kobject holds its initial reference whether or not the add fails, so the error path too must kobject_put() it (lib/kobject.c).', effects: [{ op: 'acquire', kind: 'kobj-ref', object: 0 }], pairsWith: ['kobject_put'], arity: [4, 12], source: 'lib/kobject.c' },
  { name: 'kobject_create_and_add', summary: 'Allocate, initialise and add a kobject; returns it with a reference, or NULL. Drop with kobject_put().', effects: [{ op: 'acquire', kind: 'kobj-ref', object: 'ret', cond: 'nonnull' }], pairsWith: ['kobject_put'], arity: [2], source: 'lib/kobject.c' },
  { name: 'kobject_del', summary: 'Unlink a kobject from sysfs and from its parent (drops the reference it holds on the parent, not the kobject\'s own): the reference kobject_init_and_add() or kobject_get() gave stays until kobject_put(). Not a release.', arity: [1], sleeps: true, source: 'lib/kobject.c' },
  {
    name: 'kobject_put',
    summary: 'Drop a kobject reference (NULL allowed). The last put runs kobject_cleanup(): sysfs removal and uevent (kobject_del) and the ktype release, which may sleep.',
    effects: [{ op: 'release', kind: 'kobj-ref', object: 0 }],
    sleeps: true,
    sleepsOnLastPut: true,
    pairsWith: ['kobject_get', 'kobject_get_unless_zero'],
    arity: [1],
    source: 'lib/kobject.c',
  },

  // ---- swap device -----------------------------------------------------------------
  {
    name: 'get_swap_device',
    summary: 'Find the swap device of a swap entry and pin it against swapoff; returns si or NULL (bad entry, or swapoff in progress). v6.19: percpu_ref_tryget_live(&si->users); the first versions used rcu_read_lock() and the SWP_VALID flag instead, with the same pairing. Drop with put_swap_device on every path.',
    effects: [{ op: 'acquire', kind: 'swap-dev-ref', object: 'ret', cond: 'nonnull' }],
    pairsWith: ['put_swap_device'],
    arity: [1],
    source: 'mm/swapfile.c',
  },
  { name: 'put_swap_device', summary: 'Drop the swap-device reference from get_swap_device (v6.19: percpu_ref_put(&si->users)); no sleeping.', effects: [{ op: 'release', kind: 'swap-dev-ref', object: 0 }], pairsWith: ['get_swap_device'], arity: [1], source: 'include/linux/swap.h' },

  // ---- anon_vma refcount -------------------------------------------------------------
  { name: 'get_anon_vma', summary: 'Take an anon_vma reference (atomic_inc(&anon_vma->refcount)); the anon_vma must be known live. Drop with put_anon_vma.', effects: [{ op: 'acquire', kind: 'anon-vma-ref', object: 0 }], pairsWith: ['put_anon_vma'], arity: [1], source: 'include/linux/rmap.h' },
  {
    name: 'folio_get_anon_vma',
    summary: 'Return the anon_vma of a mapped anonymous folio with a reference (atomic_inc_not_zero under RCU), or NULL. Drop with put_anon_vma. Older kernels spell it page_get_anon_vma(page), same semantics.',
    effects: [{ op: 'acquire', kind: 'anon-vma-ref', object: 'ret', cond: 'nonnull' }],
    aliases: ['page_get_anon_vma'],
    pairsWith: ['put_anon_vma'],
    arity: [1],
    source: 'mm/rmap.c',
  },
  {
    name: 'put_anon_vma',
    summary: 'Drop an anon_vma reference; the last one frees it through anon_vma_free(), which calls might_sleep() and may take the root anon_vma rwsem for write: not under a spinlock when it can be the last reference.',
    effects: [{ op: 'release', kind: 'anon-vma-ref', object: 0 }],
    sleeps: true,
    sleepsOnLastPut: true,
    pairsWith: ['get_anon_vma', 'folio_get_anon_vma'],
    arity: [1],
    source: 'mm/rmap.c',
  },

  // ---- KVM: struct page references out of the fault path (v6.13+ API) -------------------
  // The v6.13 rework ("KVM: Stop grabbing references to PFNMAP'd pages") replaced
  // kvm_release_pfn_*() / gfn_to_pfn*() with a refcounted_page out-parameter.
  { name: 'kvm_release_page_clean', summary: 'Mark a KVM-obtained page accessed and drop its reference (put_page); NULL allowed.', effects: [{ op: 'release', kind: 'page-ref', object: 0 }], pairsWith: ['gfn_to_page', '__kvm_faultin_pfn'], arity: [1], source: 'virt/kvm/kvm_main.c' },
  { name: 'kvm_release_page_dirty', summary: 'Mark a KVM-obtained page dirty and accessed, then drop its reference; NULL allowed.', effects: [{ op: 'release', kind: 'page-ref', object: 0 }], pairsWith: ['gfn_to_page', '__kvm_faultin_pfn'], arity: [1], source: 'virt/kvm/kvm_main.c' },
  { name: 'kvm_release_page_unused', summary: 'v6.13+: drop the reference of a KVM-obtained page that was not used (put_page without marking); NULL allowed.', effects: [{ op: 'release', kind: 'page-ref', object: 0 }], pairsWith: ['__kvm_faultin_pfn'], arity: [1], kernels: '>=6.13', source: 'include/linux/kvm_host.h' },
  {
    name: 'kvm_release_faultin_page',
    summary: 'v6.13+: release the refcounted page of a fault (kvm, page, unused, dirty): unused -> put only, dirty -> mark dirty; must hold kvm->mmu_lock unless unused. NULL page allowed (PFNMAP memory has none).',
    effects: [{ op: 'release', kind: 'page-ref', object: 1 }],
    pairsWith: ['__kvm_faultin_pfn'],
    arity: [4],
    kernels: '>=6.13',
    source: 'include/linux/kvm_host.h',
  },
  {
    name: '__kvm_faultin_pfn',
    summary: 'v6.13+: resolve a gfn of a memslot to a pfn (slot, gfn, foll, &writable, &refcounted_page): may fault in the page (GUP) and sleep. When the pfn is backed by a refcounted struct page it is returned referenced in *refcounted_page (else NULL). Success is !is_error_noslot_pfn(pfn), the pfn analogue of !IS_ERR. Release with kvm_release_faultin_page / kvm_release_page_*.',
    effects: [{ op: 'acquire', kind: 'page-ref', object: 4, cond: 'errptr' }],
    aliases: ['kvm_faultin_pfn'],
    sleeps: true,
    pairsWith: ['kvm_release_faultin_page', 'kvm_release_page_clean', 'kvm_release_page_dirty', 'kvm_release_page_unused'],
    arity: [5],
    kernels: '>=6.13',
    history: [{ kernels: '<=6.12', summary: 'gfn_to_pfn*/__gfn_to_pfn_memslot returned a pfn with a reference dropped by kvm_release_pfn_clean/dirty (removed in v6.13)' }],
    source: 'virt/kvm/kvm_main.c',
  },
  { name: 'gfn_to_page', summary: 'Return the struct page backing a gfn with a reference, or NULL (v6.13+: refcounted pages only; error pages before). Sleeps (GUP). Release with kvm_release_page_clean/dirty.', effects: [{ op: 'acquire', kind: 'page-ref', object: 'ret', cond: 'nonnull' }], aliases: ['__gfn_to_page'], sleeps: true, pairsWith: ['kvm_release_page_clean', 'kvm_release_page_dirty'], arity: [2, 3], source: 'virt/kvm/kvm_main.c' },
  {
    name: 'kvm_release_pfn_clean',
    summary: '≤v6.12: drop the reference a gfn_to_pfn*() lookup took on a refcounted pfn (no-op on PFNMAP / error pfns). Removed in v6.13.',
    effects: [{ op: 'release', kind: 'page-ref', object: 0 }],
    aliases: ['kvm_release_pfn_dirty'],
    releasesCallersRef: true,
    arity: [1],
    kernels: '<=6.12',
    source: 'virt/kvm/kvm_main.c',
  },
];
