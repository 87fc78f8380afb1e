/**
 * Static facts about each resource kind: which family it is (counted refs,
 * locks, per-context brackets), which other kinds a release of it may
 * legitimately drop, whether holding it makes the context atomic, and which
 * context requirements it satisfies.
 */
import type { KindSpec } from '../schema';

export const KINDS: readonly KindSpec[] = [
  // put_page() drops any plain reference: one from get_page, a FOLL_GET GUP
  // reference, or a folio reference (the folio is the page's head).
  { kind: 'page-ref', pageRef: true, label: 'page reference', family: 'ref', releases: ['gup-get', 'folio-ref'], recheckAfter: 'a reference keeps the page from being freed, not from being split, truncated or moved to another mapping since it was looked up: what the lookup established must be checked again once it is held' },
  { kind: 'folio-ref', pageRef: true, label: 'folio reference', family: 'ref', releases: ['page-ref', 'gup-get'], recheckAfter: 'a reference keeps the folio from being freed, not from being split, truncated or moved to another mapping since it was looked up: what the lookup established must be checked again once it is held' },
  // A FOLL_PIN pin adds GUP_PIN_COUNTING_BIAS (or bumps _pincount): only the
  // unpin_* family (gup_put_folio with FOLL_PIN) drops it, never put_page.
  { kind: 'gup-pin', pageRef: true, label: 'GUP pin (FOLL_PIN)', family: 'ref' },
  { kind: 'gup-get', pageRef: true, label: 'GUP reference (FOLL_GET)', family: 'ref', releases: ['page-ref', 'folio-ref'] },
  // A hand-rolled bias (seed 000 PAGE_PIN_BIAS) must be subtracted with the same bias.
  { kind: 'pin-bias', label: 'hand-rolled pin bias on _refcount', family: 'ref', biasCounted: true },
  { kind: 'pgmap-ref', label: 'dev_pagemap reference', family: 'ref', reportAs: 'spec-ref/pgmap-leak' },
  { kind: 'percpu-ref', label: 'percpu_ref reference', family: 'ref' },
  { kind: 'file-ref', label: 'file reference', family: 'ref' },
  { kind: 'vma-ref', label: 'per-VMA read lock', family: 'lock' },
  { kind: 'mm-ref', label: 'mm_struct user reference (mm_users)', family: 'ref' },
  { kind: 'mm-grab', label: 'mm_struct reference (mm_count)', family: 'ref' },
  { kind: 'page-lock', label: 'page/folio lock', family: 'lock', recheckAfter: 'lock_page()/folio_lock() may sleep until the page is unlocked, and meanwhile it can be truncated, split, migrated or freed and reused: what was looked up before the lock (the mapping, the compound head, the folio) must be checked again under it' },
  // spin_unlock(ptl) releases a page-table lock taken by pmd_lock()/pud_lock().
  { kind: 'spinlock', label: 'spinlock', family: 'lock', atomic: true, provides: ['preempt-off'], releases: ['ptl'] },
  { kind: 'rwlock', label: 'rwlock', family: 'lock', atomic: true, provides: ['preempt-off'] },
  { kind: 'mutex', label: 'mutex', family: 'lock' },
  // lockdep only on !PREEMPT_RT, a per-CPU spinlock on RT; always inside a BH-off section (which is the atomic part)
  { kind: 'local-lock', label: 'nested-BH local lock', family: 'lock' },
  { kind: 'rwsem', label: 'rw semaphore', family: 'lock', provides: ['mmap-locked'] },
  // pte_unmap_unlock(ptep, ptl) drops a ptl taken with spin_lock(ptl) after pte_offset_map_nolock().
  { kind: 'ptl', label: 'page-table lock', family: 'lock', atomic: true, provides: ['ptl-held', 'preempt-off'], releases: ['spinlock'] },
  { kind: 'pte-map', label: 'mapped PTE pointer', family: 'bracket' },
  { kind: 'kmap', label: 'kmap_local/kmap_atomic mapping', family: 'bracket', styleMismatchIsWrongRelease: true },
  { kind: 'rcu', label: 'RCU read-side section', family: 'bracket', atomic: true, provides: ['rcu', 'rcu-or-irq-off'] },
  { kind: 'rcu-sched', label: 'RCU-sched read-side section', family: 'bracket', atomic: true, provides: ['rcu', 'rcu-or-irq-off', 'preempt-off'] },
  { kind: 'srcu', label: 'SRCU read-side section', family: 'bracket' },
  // Since v4.20 (RCU flavour consolidation) an IRQs-off region is also an RCU reader.
  { kind: 'irq-off', label: 'IRQs-off section', family: 'bracket', atomic: true, provides: ['irq-off', 'rcu-or-irq-off', 'preempt-off'] },
  { kind: 'preempt-off', label: 'preemption-disabled section', family: 'bracket', atomic: true, provides: ['preempt-off'] },
  { kind: 'bh-off', label: 'bottom-halves-disabled section', family: 'bracket', atomic: true },
  { kind: 'pagefault-off', label: 'pagefault-disabled section', family: 'bracket', atomic: true, provides: ['pagefault-disabled'] },
  { kind: 'lockless-walk', label: 'lockless page-table walk', family: 'bracket' },
  { kind: 'spf-section', label: 'speculative page-fault section', family: 'bracket', atomic: true },
  // Global switches a caller turns off for a while and must turn back on, on every path (v5.11+/v5.13+).
  { kind: 'lru-cache-off', label: 'per-CPU LRU caches disabled (lru_cache_disable)', family: 'bracket' },
  { kind: 'pcp-off', label: 'zone pcplists disabled (zone_pcp_disable, holds pcp_batch_high_lock)', family: 'bracket' },
  // Counted references on other kernel objects that mm code takes and drops.
  // Each counter is its own kind: a put of one never drops another.
  { kind: 'task-ref', label: 'task_struct reference (usage)', family: 'ref' },
  // css_put(&memcg->css) and mem_cgroup_put(memcg) drop the same percpu_ref (css->refcnt)
  { kind: 'css-ref', label: 'cgroup css reference (memcg)', family: 'ref', embeddedAs: 'css' },
  { kind: 'objcg-ref', label: 'obj_cgroup reference', family: 'ref' },
  { kind: 'kobj-ref', label: 'kobject reference', family: 'ref' },
  { kind: 'swap-dev-ref', label: 'swap device reference (si->users)', family: 'ref' },
  { kind: 'anon-vma-ref', label: 'anon_vma reference (refcount)', family: 'ref' },
  { kind: 'pid-ref', label: 'struct pid reference', family: 'ref' },
];
