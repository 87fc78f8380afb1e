/**
 * Page-table entries: writes, clears, population of a new table, and the
 * allocation of zeroed page-table pages, as memory accesses. Checked against
 * include/linux/pgtable.h, include/asm-generic/pgalloc.h and mm/memory.c
 * (__pte_alloc() / pmd_install(): smp_wmb() before pmd_populate(), "ensure
 * all pte setup (eg. pte page lock and page clearing) are visible before
 * the pte is made visible to other CPUs by being put into page tables").
 */
import type { ApiSpec } from '../schema';

const PGTABLE = 'include/linux/pgtable.h';
const PGALLOC = 'include/asm-generic/pgalloc.h';

export const PAGE_TABLES: readonly ApiSpec[] = [
  { name: 'set_pte_at', summary: 'Write a PTE (a plain, unordered store of *ptep).', aliases: ['set_pte', 'set_ptes'], ordering: 'none', access: [{ arg: 2, kind: 'store' }], source: PGTABLE },
  { name: 'set_pmd_at', summary: 'Write a PMD entry (unordered store of *pmdp).', ordering: 'none', access: [{ arg: 2, kind: 'store' }], source: PGTABLE },
  { name: 'pmd_clear', summary: 'Clear a PMD entry (unordered store of *pmdp).', ordering: 'none', access: [{ arg: 0, kind: 'store' }], source: PGTABLE },
  { name: 'pte_clear', summary: 'Clear a PTE (unordered store of *ptep).', ordering: 'none', access: [{ arg: 2, kind: 'store' }], source: PGTABLE },
  { name: 'pud_clear', summary: 'Clear a PUD entry (unordered store of *pudp).', ordering: 'none', access: [{ arg: 0, kind: 'store' }], source: PGTABLE },
  {
    name: 'pmd_populate',
    summary: 'Link a page-table page into a PMD (unordered store): the page table must be initialised and ordered before with smp_wmb() (mm/memory.c pmd_install()).',
    aliases: ['pmd_populate_kernel'],
    ordering: 'none',
    access: [{ arg: 1, kind: 'store' }],
    publishes: { arg: 2 },
    source: 'mm/memory.c (pmd_install)',
  },
  { name: 'pud_populate', summary: 'Link a PMD page into a PUD (unordered store); needs smp_wmb() before (mm/memory.c __pmd_alloc()).', aliases: ['p4d_populate', 'pgd_populate'], ordering: 'none', access: [{ arg: 1, kind: 'store' }], publishes: { arg: 2 }, source: 'mm/memory.c (__pmd_alloc)' },
  { name: 'pte_alloc_one_kernel', summary: 'Allocate a zeroed page-table page (kernel page tables; pmd/pud/p4d levels too). Its contents must be ordered before it is populated.', aliases: ['pmd_alloc_one', 'pud_alloc_one', 'p4d_alloc_one'], allocates: true, initialisesResult: true, source: PGALLOC },
];
