/**
 * Lockless lookups (a page/folio/entry found without the lock that keeps it
 * alive: only a speculative reference is safe on it), re-validations of such
 * lookups, and the idioms that do either without a dedicated API.
 * Checked against include/linux/xarray.h, lib/xarray.c, radix-tree.h,
 * include/linux/pgtable.h, mm/gup.c (GUP-fast), mm/filemap.c.
 */
import type { ApiSpec, LocklessIdiom, RevalidationPattern } from '../schema';

export const LOCKLESS: readonly ApiSpec[] = [
  { name: 'xas_load', summary: 'Load the entry at the xa_state\'s index (walks the tree). Under RCU only: the returned folio may be freed and reused at any time — take a speculative reference (folio_try_get) and re-check with xas_reload.', locklessLookup: true, arity: [1], source: 'lib/xarray.c' },
  { name: 'xas_find', summary: 'Find the next present entry up to max (RCU or xa_lock). Under RCU the entry is a lockless lookup.', aliases: ['xas_next_entry', 'xas_find_marked'], locklessLookup: true, arity: [2, 3], source: 'lib/xarray.c' },
  { name: 'xa_load', summary: 'Load an entry from an XArray (takes RCU internally). The entry carries no reference: after return it is only stable if the caller holds a lock or a reference scheme.', locklessLookup: true, arity: [2], source: 'lib/xarray.c' },
  { name: 'radix_tree_lookup', summary: '≤v4.x-era page cache: look up an item under RCU; no reference — speculative get and re-check needed.', locklessLookup: true, arity: [2], source: 'lib/radix-tree.c' },
  { name: 'radix_tree_lookup_slot', summary: 'Return the slot of an item; dereference with radix_tree_deref_slot under RCU.', locklessLookup: true, arity: [2], source: 'lib/radix-tree.c' },
  { name: 'radix_tree_deref_slot', summary: 'rcu_dereference a radix-tree slot: the page found is a lockless lookup (page_cache_get_speculative, then re-check that *slot still points to it).', locklessLookup: true, requires: ['rcu'], arity: [1], source: 'include/linux/radix-tree.h' },
  { name: 'mas_walk', summary: 'Maple tree walk (VMA lookup) — under RCU a lockless lookup; the vma must then be locked (vma_start_read) and re-validated.', locklessLookup: true, arity: [1], source: 'lib/maple_tree.c' },
  { name: 'ptep_get_lockless', summary: 'Read a pte without the page-table lock (GUP-fast, lockless walkers); on 32-bit PAE it loops until both halves agree. The pte may change right after: re-check after taking a speculative reference.', locklessLookup: true, arity: [1], kernels: '>=5.19', source: 'include/linux/pgtable.h' },
  { name: 'pmdp_get_lockless', summary: 'Read a pmd without the page-table lock (lockless walkers).', locklessLookup: true, arity: [1], kernels: '>=6.0', source: 'include/linux/pgtable.h' },
  { name: 'gup_get_pte', summary: '≤v5.18 GUP-fast: read a pte locklessly (READ_ONCE, or the PAE low/high retry loop); renamed ptep_get_lockless. Seed 004 turned x86\'s into generic code.', locklessLookup: true, arity: [1], kernels: '<=5.18', source: 'mm/gup.c' },

  { name: 'xas_reload', summary: 'Re-load the entry at the xa_state\'s current node and offset (cheap re-walk): after folio_try_get, `if (unlikely(folio != xas_reload(&xas)))` re-validates the lockless lookup; on a mismatch drop the reference and retry.', revalidates: true, arity: [1], source: 'include/linux/xarray.h' },
  { name: 'pte_same', summary: 'Compare two pte values: after a lockless read and a later re-read (or taking the PTL), `!pte_same(orig, ptep_get(ptep))` means the pte changed — undo and retry.', revalidates: true, arity: [2], source: 'include/linux/pgtable.h' },
  { name: 'pmd_same', summary: 'Compare two pmd values: re-validates a lockless pmd read.', revalidates: true, arity: [2], source: 'include/linux/pgtable.h' },
  { name: 'pud_same', summary: 'Compare two pud values.', revalidates: true, arity: [2], source: 'include/linux/pgtable.h' },
  { name: 'read_seqcount_retry', summary: 'True when a seqcount read section must be retried (a writer ran): re-validates reads made since read_seqcount_begin.', aliases: ['read_seqretry'], revalidates: true, arity: [2], source: 'include/linux/seqlock.h' },
  { name: 'radix_tree_deref_retry', summary: 'True when the dereferenced slot holds a retry entry (restart the lookup). Not a re-validation of the page itself.', arity: [1], source: 'include/linux/radix-tree.h' },
];

/** Comparisons that re-validate a lockless lookup without a dedicated API. */
export const REVALIDATION_PATTERNS: readonly RevalidationPattern[] = [
  {
    name: 'pte re-read',
    description: 'GUP-fast: after the speculative grab, `if (unlikely(pte_val(pte) != pte_val(*ptep)))` (v5.x) or `pte_val(pte) != pte_val(ptep_get(ptep))` (v6.x) re-reads the pte; on a mismatch the reference is dropped.',
    operators: ['!=', '=='],
    recompute: ['pte_val'],
    other: 'same-call',
    rereadCalls: ['ptep_get', 'ptep_get_lockless', 'gup_get_pte', 'READ_ONCE'],
    object: 'pte',
    source: 'mm/gup.c',
  },
  {
    name: 'pmd re-read',
    description: 'GUP-fast huge pmd: `pmd_val(orig) != pmd_val(*pmdp)` after the grab.',
    operators: ['!=', '=='],
    recompute: ['pmd_val'],
    other: 'same-call',
    rereadCalls: ['pmdp_get_lockless', 'pmdp_get', 'READ_ONCE'],
    object: 'pmd',
    source: 'mm/gup.c',
  },
  {
    name: 'pud re-read',
    description: 'GUP-fast huge pud: `pud_val(orig) != pud_val(*pudp)` after the grab.',
    operators: ['!=', '=='],
    recompute: ['pud_val'],
    other: 'same-call',
    rereadCalls: ['pudp_get', 'READ_ONCE'],
    object: 'pud',
    source: 'mm/gup.c',
  },
  {
    name: 'folio still contains page',
    description: 'try_get_folio: after folio_ref_try_add, `if (unlikely(page_folio(page) != folio))` checks the page was not split off into another folio; on a mismatch folio_put_refs and retry.',
    operators: ['!=', '=='],
    recompute: ['page_folio'],
    other: 'object',
    object: 'folio',
    source: 'mm/gup.c',
  },
  {
    name: 'compound head unchanged',
    description: 'v5.x GUP-fast (try_get_compound_head): `if (unlikely(compound_head(page) != head))` after page_cache_add_speculative(head, refs).',
    operators: ['!=', '=='],
    recompute: ['compound_head'],
    other: 'object',
    object: 'page',
    source: 'mm/gup.c',
  },
  {
    name: 'page-cache entry unchanged',
    description: 'Page cache: `if (unlikely(folio != xas_reload(&xas)))` (v5.16+) or `page != *slot` / `page != radix_tree_deref_slot(slot)` (v4.x) after the speculative get.',
    operators: ['!=', '=='],
    recompute: ['xas_reload', 'radix_tree_deref_slot'],
    other: 'object',
    object: 'entry',
    source: 'mm/filemap.c',
  },
  {
    name: 'mmap sequence unchanged',
    description: 'Speculative page fault (seed 001): `mmap_seq_read_check(mm, seq)` — the sequence count sampled when the vma was looked up is unchanged.',
    operators: ['!=', '=='],
    recompute: ['mmap_seq_read_check', 'read_seqcount_retry'],
    other: 'object',
    object: 'seq',
    source: 'seed 001',
  },
];

/** Lockless reads that are idioms rather than dedicated APIs. */
export const LOCKLESS_IDIOMS: readonly LocklessIdiom[] = [
  { name: 'READ_ONCE(*ptep)', description: 'v4.x–v5.x GUP-fast: the walker reads the pte with READ_ONCE(*ptep) (gup_get_pte) with IRQs off and no PTL.', call: 'READ_ONCE', argShape: 'deref', value: 'pte', lockless: 'unless-ptl-held', source: 'mm/gup.c' },
  { name: 'READ_ONCE(*pmdp)', description: 'GUP-fast pmd level: pmd_t pmd = READ_ONCE(*pmdp).', call: 'READ_ONCE', argShape: 'deref', value: 'pmd', lockless: 'unless-ptl-held', source: 'mm/gup.c' },
  { name: 'ptep_get(ptep)', description: 'v5.10+: ptep_get(ptep) outside the PTL (e.g. after pte_offset_map without the lock) is a lockless read; under pte_offset_map_lock it is not.', call: 'ptep_get', argShape: 'pointer', value: 'pte', lockless: 'unless-ptl-held', source: 'include/linux/pgtable.h' },
  { name: 'pmdp_get(pmdp)', description: 'pmdp_get(pmdp) outside the PMD lock.', call: 'pmdp_get', argShape: 'pointer', value: 'pmd', lockless: 'unless-ptl-held', source: 'include/linux/pgtable.h' },
  { name: '*ptep', description: 'A plain dereference of a pte pointer outside the PTL (old code: pte_t pte = *ptep).', call: '*', argShape: 'deref', value: 'pte', lockless: 'unless-ptl-held' },
];

/**
 * Source trees where a CPU with IRQs disabled holds off the freeing of any
 * page still mapped by a pte it can see: the page is freed only after a
 * TLB-flush IPI, which that CPU does not acknowledge until IRQs are back on.
 * There GUP-fast's plain get_page() on a lockless pte lookup was correct
 * (x86's own gup.c until v4.13, and the v4.13 revert of seed 004). Generic
 * GUP-fast on architectures that free page tables by RCU has no such
 * guarantee and needs a speculative get.
 */
export const IRQ_OFF_HOLDS_PAGES: readonly { pathPrefix: string; kernels: string; source: string }[] = [
  { pathPrefix: 'arch/x86/', kernels: '<=4.13', source: 'arch/x86/mm/gup.c (v4.12), arch/x86/mm/tlb.c' },
];
