/**
 * All catalog data tables. Each domain is one module and one table in
 * docs/catalog.md; add a module here when you add a domain.
 */
import type { ApiSpec } from '../schema';
import { PAGE_REFS } from './pageRefs';
import { GUP } from './gup';
import { OBJECTS } from './objects';
import { LOCKS } from './locks';
import { SECTIONS } from './sections';
import { ORDERING } from './ordering';
import { SLEEPING } from './sleeping';
import { LOCKLESS } from './lockless';
import { SEEDS } from './seeds';
import { PAGE_TABLES } from './pageTables';

export { REVALIDATION_PATTERNS, LOCKLESS_IDIOMS, IRQ_OFF_HOLDS_PAGES } from './lockless';
export { PIN_BIAS_IDENTIFIERS } from './pageRefs';
export { GUP_FLAG_GROUPS } from './gup';
export { ORDERING_FACTS } from './orderingFacts';
import { OBJECT_REFS } from './objectRefs';
import { ALLOCATORS } from './allocators';
import { MM_LOCKS } from './mmLocks';
import { DEBUG_CHECKS } from './debug';
import { ITERATORS } from './iterators';
import { MEMORY } from './memory';

export { GOTO_LABEL_CONVENTIONS, TRY_GET_NAMING } from './labels';
export { RETURN_CONTRACTS } from './returnContracts';
export { GUARD_CLASSES } from './guards';
export { FIRST_ARG_TYPES, FOLIO_FORMS, type FirstArgType } from './argTypes';
export { NON_BLOCKING_GFP, BLOCKING_GFP } from './allocators';

/** Domain id -> [title, entries]. The order is the order of docs/catalog.md. */
export const DOMAINS: readonly { id: string; title: string; apis: readonly ApiSpec[] }[] = [
  { id: 'page-refs', title: 'Page and folio references, page-cache lookups', apis: PAGE_REFS },
  { id: 'gup', title: 'GUP: get_user_pages (FOLL_GET), pin_user_pages (FOLL_PIN), put_user_page', apis: GUP },
  { id: 'objects', title: 'Other references: dev_pagemap, percpu_ref, file, mm, per-VMA lock', apis: OBJECTS },
  { id: 'locks', title: 'Locks', apis: LOCKS },
  { id: 'sections', title: 'Sections: RCU, IRQ, preemption, BH, page faults, kmap, mapped PTEs', apis: SECTIONS },
  { id: 'ordering', title: 'Barriers, atomics, bit and page-flag operations, waking sleepers', apis: ORDERING },
  { id: 'page-tables', title: 'Page-table entries: writes, population, zeroed page-table pages', apis: PAGE_TABLES },
  { id: 'sleeping', title: 'Sleeping calls and grace-period waits', apis: SLEEPING },
  { id: 'lockless', title: 'Lockless lookups and re-validation', apis: LOCKLESS },
  { id: 'seeds', title: 'Seed-thread helpers and IPI barriers', apis: SEEDS },
  { id: 'object-refs', title: 'More references: task_struct, pid, cgroup css / memcg, obj_cgroup, kobject, swap device, anon_vma, KVM pages', apis: OBJECT_REFS },
  { id: 'allocators', title: 'Page and folio allocators and frees', apis: ALLOCATORS },
  { id: 'mm-locks', title: 'mm lock wrappers: XArray, anon_vma, i_mmap, hugetlb VMA, lruvec, swap cluster, folio_walk, local_lock', apis: MM_LOCKS },
  { id: 'iterators', title: 'Iterator macros: the cursor argument each iteration rebinds', apis: ITERATORS },
  { id: 'memory', title: 'Memory and string helpers: read or write through the pointer, take and drop nothing', apis: MEMORY },
  { id: 'debug', title: 'Assertions: debug-only (VM_BUG_ON, VM_WARN_ON) and always evaluated (WARN_ON, BUG_ON)', apis: DEBUG_CHECKS },
];

/** Every entry, tagged with its domain. Names and aliases are unique across tables (the Catalog checks). */
export const DATA: readonly ApiSpec[] = DOMAINS.flatMap((d) => d.apis.map((a) => ({ ...a, domain: d.id })));
export { USER_SPACE_TREES } from './sourceTrees';
