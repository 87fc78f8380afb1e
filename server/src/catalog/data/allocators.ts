/**
 * Page and folio allocators (each returns a page/folio holding one reference,
 * NULL on failure) and the calls that give pages back to the allocator.
 *
 * Sleeping: an allocation sleeps (direct reclaim, compaction) unless its GFP
 * mask lacks __GFP_DIRECT_RECLAIM. The masks spelled in calls that do lack
 * it are listed in NON_BLOCKING_GFP; a mask computed at run time (`gfp`,
 * `gfp & ~__GFP_DIRECT_RECLAIM`) reads as "may sleep".
 *
 * Checked against v6.19: include/linux/gfp.h, include/linux/gfp_types.h,
 * mm/page_alloc.c, mm/mempolicy.c, mm/filemap.c, include/linux/pagemap.h,
 * include/linux/highmem.h, mm/hugetlb.c.
 */
import type { ApiSpec } from '../schema';

/**
 * GFP masks without __GFP_DIRECT_RECLAIM: an allocation with one of them
 * never sleeps. GFP_TRANSHUGE_LIGHT is GFP_TRANSHUGE without any reclaim.
 */
export const NON_BLOCKING_GFP = ['GFP_ATOMIC', 'GFP_NOWAIT', 'GFP_TRANSHUGE_LIGHT'];

/**
 * GFP masks that include __GFP_DIRECT_RECLAIM (include/linux/gfp_types.h,
 * the same since v4.4 when __GFP_DIRECT_RECLAIM was split out of __GFP_WAIT):
 * a function handed one of them spelled out (`io_alloc_ocqe(ctx, cqe, big,
 * GFP_KERNEL)`) allocates with it by the kernel's convention for gfp_t
 * parameters, so it may sleep even when its body is out of sight.
 */
export const BLOCKING_GFP = [
  'GFP_KERNEL', 'GFP_KERNEL_ACCOUNT', 'GFP_NOFS', 'GFP_NOIO', 'GFP_USER', 'GFP_HIGHUSER', 'GFP_HIGHUSER_MOVABLE',
  'GFP_TRANSHUGE', '__GFP_DIRECT_RECLAIM', '__GFP_RECLAIM',
];
const gfp = (arg: number) => ({ arg, atomicFlags: NON_BLOCKING_GFP });

const GFP_H = 'include/linux/gfp.h';
const FREERS = ['folio_put', 'put_page', '__free_pages'];

const folioAlloc = (name: string, gfpArg: number, arity: number[], summary: string, extra: Partial<ApiSpec> = {}): ApiSpec => ({
  name,
  summary,
  effects: [{ op: 'acquire', kind: 'folio-ref', object: 'ret', cond: 'nonnull' }],
  sleeps: true,
  sleepsUnlessArg: gfp(gfpArg),
  pairsWith: ['folio_put'],
  arity,
  source: GFP_H,
  ...extra,
});

const pageAlloc = (name: string, gfpArg: number, arity: number[], summary: string, extra: Partial<ApiSpec> = {}): ApiSpec => ({
  name,
  summary,
  effects: [{ op: 'acquire', kind: 'page-ref', object: 'ret', cond: 'nonnull' }],
  sleeps: true,
  sleepsUnlessArg: gfp(gfpArg),
  pairsWith: FREERS,
  arity,
  source: GFP_H,
  ...extra,
});

export const ALLOCATORS: readonly ApiSpec[] = [
  // ---- folios (v5.16+) ----------------------------------------------------------
  folioAlloc('folio_alloc', 0, [2], 'v5.16+: allocate a folio of 2^order pages (gfp, order) with one reference, or NULL. Sleeps unless the mask is non-blocking. Drop with folio_put.', { kernels: '>=5.16', aliases: ['folio_alloc_noprof'] }),
  folioAlloc('__folio_alloc', 0, [4], 'v5.16+: allocate a folio on a preferred node / nodemask (gfp, order, nid, nodemask), with one reference, or NULL.', { kernels: '>=5.16', aliases: ['__folio_alloc_noprof'] }),
  folioAlloc('__folio_alloc_node', 0, [3], 'v5.16+: allocate a folio on node nid (gfp, order, nid), with one reference, or NULL.', { kernels: '>=5.16', aliases: ['__folio_alloc_node_noprof'] }),
  folioAlloc('folio_alloc_mpol', 0, [5], 'Allocate a folio under a mempolicy (gfp, order, pol, ilx, nid), with one reference, or NULL. Present in v6.19 (mempolicy rework of the v6.7 era).', { aliases: ['folio_alloc_mpol_noprof'], source: 'mm/mempolicy.c' }),
  folioAlloc('vma_alloc_folio', 0, [4, 5], 'Allocate a folio for a user mapping at addr of vma (gfp, order, vma, addr), with one reference, or NULL; older kernels took a fifth `bool hugepage` argument. Drop with folio_put.', { aliases: ['vma_alloc_folio_noprof'], source: 'mm/mempolicy.c' }),
  folioAlloc('filemap_alloc_folio', 0, [2, 3], 'Allocate a page-cache folio (gfp, order[, policy]) with one reference, or NULL (v6.19 takes a mempolicy third argument). Not yet in the page cache: drop with folio_put on failure paths.', { aliases: ['filemap_alloc_folio_noprof'], source: 'mm/filemap.c' }),
  {
    name: 'vma_alloc_zeroed_movable_folio',
    summary: 'Allocate a zeroed order-0 folio for a user mapping (vma, vaddr) with GFP_HIGHUSER_MOVABLE (sleeps), with one reference, or NULL. Drop with folio_put.',
    effects: [{ op: 'acquire', kind: 'folio-ref', object: 'ret', cond: 'nonnull' }],
    sleeps: true,
    pairsWith: ['folio_put'],
    arity: [2],
    source: 'include/linux/highmem.h',
  },
  {
    name: 'alloc_hugetlb_folio',
    summary: 'Allocate a hugetlb folio for a fault at addr (vma, addr, cow_from_owner) from the pool or the buddy allocator, consuming a reservation: returns the folio with one reference, or an ERR_PTR (-ENOMEM, -ENOSPC): test with IS_ERR. May sleep (allocation, cgroup charge). On failure paths after it, restore_reserve_on_error() then folio_put(). Older kernels: third argument `int avoid_reserve`; before the folio conversion alloc_huge_page() returned a page, also as an ERR_PTR.',
    effects: [{ op: 'acquire', kind: 'folio-ref', object: 'ret', cond: 'errptr' }],
    sleeps: true,
    pairsWith: ['folio_put'],
    arity: [3],
    source: 'mm/hugetlb.c',
  },

  // ---- pages ---------------------------------------------------------------------
  pageAlloc('alloc_pages_node', 1, [3], 'Allocate 2^order pages on node nid (nid, gfp, order) with one reference, or NULL. Note the GFP mask is the SECOND argument.', { aliases: ['alloc_pages_node_noprof', '__alloc_pages_node', '__alloc_pages_node_noprof'] }),
  pageAlloc('__alloc_pages', 0, [4], 'Allocate 2^order pages on a preferred node / nodemask (gfp, order, nid, nodemask), with one reference, or NULL.', { aliases: ['__alloc_pages_noprof'] }),
  pageAlloc('alloc_page_vma', 0, [3], 'Allocate one page for a user mapping (gfp, vma, addr) with one reference, or NULL (vma_alloc_folio(gfp, 0, vma, addr) in v6.19).', { aliases: ['alloc_page_vma_noprof'] }),
  pageAlloc('alloc_pages_mpol', 0, [5], 'Allocate 2^order pages under a mempolicy (gfp, order, pol, ilx, nid) with one reference, or NULL.', { aliases: ['alloc_pages_mpol_noprof'], source: 'mm/mempolicy.c' }),
  pageAlloc('alloc_pages_exact', 1, [2], 'Allocate size bytes of physically contiguous pages (size, gfp) and return the kernel address, or NULL. Free with free_pages_exact(addr, size).', { aliases: ['alloc_pages_exact_noprof'], pairsWith: ['free_pages_exact'] }),
  {
    name: 'alloc_pages_nolock',
    summary: 'Allocate 2^order pages from any context (NMI, under raw spinlocks) without taking sleeping or spinning locks (trylock only): never sleeps; often fails. Returns the page with one reference, or NULL; free with free_pages_nolock. Recent: (gfp, nid, order) in v6.19, (nid, order) when first added.',
    effects: [{ op: 'acquire', kind: 'page-ref', object: 'ret', cond: 'nonnull' }],
    aliases: ['alloc_pages_nolock_noprof'],
    sleeps: false,
    pairsWith: ['free_pages_nolock'],
    arity: [2, 3],
    source: 'mm/page_alloc.c',
  },

  // ---- giving pages back -----------------------------------------------------------
  {
    name: '__free_pages',
    summary: 'Free pages from alloc_pages() (page, order): drops the reference; if it was not the last one (a speculative holder) and the allocation is not compound, the tail pages are freed here and the head by the last put_page(). Does not sleep (not under a raw spinlock or in NMI).',
    effects: [{ op: 'release', kind: 'page-ref', object: 0 }],
    aliases: ['__free_page'],
    pairsWith: ['alloc_pages', 'alloc_page', 'alloc_pages_node', '__alloc_pages'],
    arity: [1, 2],
    source: 'mm/page_alloc.c',
  },
  { name: 'free_pages', summary: 'Free pages by kernel address (addr, order), as returned by __get_free_pages(); 0 is ignored. Does not sleep.', effects: [{ op: 'release', kind: 'page-ref', object: 0 }], aliases: ['free_page'], pairsWith: ['__get_free_pages', '__get_free_page', 'get_zeroed_page'], arity: [1, 2], source: 'mm/page_alloc.c' },
  { name: 'free_pages_exact', summary: 'Free memory from alloc_pages_exact() (addr, size).', effects: [{ op: 'release', kind: 'page-ref', object: 0 }], pairsWith: ['alloc_pages_exact'], arity: [2], source: 'mm/page_alloc.c' },
  { name: 'free_pages_nolock', summary: 'Free pages from alloc_pages_nolock() (page, order) from any context; never sleeps.', effects: [{ op: 'release', kind: 'page-ref', object: 0 }], pairsWith: ['alloc_pages_nolock'], arity: [2], source: 'mm/page_alloc.c' },
];
