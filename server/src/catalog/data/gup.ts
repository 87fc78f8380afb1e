/**
 * get_user_pages (FOLL_GET) and pin_user_pages (FOLL_PIN), their release
 * calls, the v5.2–v5.5 put_user_page*() API (seed 000) and the GUP-internal
 * grab/put helpers of mm/gup.c. Argument positions follow the mainline
 * signatures; `arrayByArity` records where the pages array sat in older
 * signatures (task_struct first before v5.9, a vmas array before v6.5).
 */
import type { ApiSpec, ArgCondition, FlagGroup } from '../schema';

const FOLL_PIN: ArgCondition = { arg: 2, identifiers: ['FOLL_PIN'] };
const FOLL_GET: ArgCondition = { arg: 2, identifiers: ['FOLL_GET'] };
const UNPIN = ['unpin_user_page', 'unpin_user_pages', 'unpin_user_pages_dirty_lock'];
const PUT = ['put_page', 'release_pages'];
/** What the FOLL_PIN releases pair with, and the v5.2-5.5 put_user_page*() family. */
const PINNERS = ['pin_user_pages', 'pin_user_pages_fast'];
const GETTERS = ['get_user_pages', 'get_user_pages_fast'];
/** Release of an array argument 0 holding `count` (argument 1) objects of `kind`. */
const releaseArray = (kind: 'gup-pin' | 'gup-get') => [{ op: 'release' as const, kind, array: 0, count: { arg: 1 } }];

export const GUP: readonly ApiSpec[] = [
  // ---- FOLL_GET: released with put_page / release_pages ------------------------
  {
    name: 'get_user_pages',
    summary: 'FOLL_GET: take page references on user pages of current->mm. Caller holds mmap_lock for read. Returns the number of pages (possibly fewer than asked) or -errno. Release each with put_page (or release_pages), never unpin_user_page. Signature (start, nr_pages, gup_flags, pages) since v6.5; (…, pages, vmas) v4.9–v6.4.',
    effects: [{ op: 'acquire', kind: 'gup-get', array: 3, cond: 'count', count: { arg: 1 } }],
    sleeps: true,
    requires: ['mmap-locked'],
    pairsWith: PUT,
    arity: [4, 5],
    source: 'mm/gup.c',
  },
  {
    name: 'get_user_pages_remote',
    summary: 'FOLL_GET on another mm (caller holds its mmap_lock). (mm, start, nr_pages, gup_flags, pages, locked) since v6.5; (mm, …, pages, vmas, locked) v5.9–v6.4; (tsk, mm, …, pages, vmas, locked) before v5.9. Returns count or -errno; release with put_page.',
    effects: [{ op: 'acquire', kind: 'gup-get', array: 4, arrayByArity: { 6: 4, 7: 4, 8: 5 }, cond: 'count', count: { arg: 2 } }],
    sleeps: true,
    requires: ['mmap-locked'],
    pairsWith: PUT,
    arity: [6, 7, 8],
    source: 'mm/gup.c',
  },
  {
    name: 'get_user_pages_unlocked',
    summary: 'FOLL_GET, taking mmap_lock itself: (start, nr_pages, pages, gup_flags) — the pages array is the THIRD argument. Returns count or -errno; release with put_page.',
    effects: [{ op: 'acquire', kind: 'gup-get', array: 2, cond: 'count', count: { arg: 1 } }],
    sleeps: true,
    pairsWith: PUT,
    arity: [4],
    source: 'mm/gup.c',
  },
  {
    name: 'get_user_pages_fast',
    summary: 'FOLL_GET via GUP-fast (lockless walk with IRQs off), falling back to the slow path (sleeps): (start, nr_pages, gup_flags, pages) (v5.0: `write` instead of gup_flags). Returns count or -errno; release with put_page.',
    effects: [{ op: 'acquire', kind: 'gup-get', array: 3, cond: 'count', count: { arg: 1 } }],
    sleeps: true,
    pairsWith: PUT,
    arity: [4],
    source: 'mm/gup.c',
  },
  {
    name: '__get_user_pages_fast',
    summary: '≤v5.8: IRQ-safe GUP-fast without slow-path fallback: (start, nr_pages, write, pages); never sleeps; returns the number of pages referenced (may be 0).',
    effects: [{ op: 'acquire', kind: 'gup-get', array: 3, cond: 'count', count: { arg: 1 } }],
    pairsWith: PUT,
    arity: [4],
    kernels: '<=5.8',
    source: 'mm/gup.c',
  },
  {
    name: 'get_user_pages_fast_only',
    summary: 'v5.9+: GUP-fast only, no fallback, does not sleep: (start, nr_pages, gup_flags, pages). Returns the number of pages referenced.',
    effects: [{ op: 'acquire', kind: 'gup-get', array: 3, cond: 'count', count: { arg: 1 } }],
    pairsWith: PUT,
    arity: [4],
    kernels: '>=5.9',
    source: 'mm/gup.c',
  },
  {
    name: 'get_user_page_vma_remote',
    summary: 'v6.5+: FOLL_GET one page of a remote mm and return it (and its vma); returns the page or an ERR_PTR. Caller holds mmap_lock. Release with put_page.',
    effects: [{ op: 'acquire', kind: 'gup-get', object: 'ret', cond: 'errptr' }],
    sleeps: true,
    requires: ['mmap-locked'],
    pairsWith: ['put_page'],
    arity: [4],
    kernels: '>=6.5',
    source: 'include/linux/mm.h',
  },

  // ---- FOLL_PIN: released with unpin_user_page(s) -------------------------------
  {
    name: 'pin_user_pages',
    summary: 'FOLL_PIN: pin user pages of current->mm for DMA / direct I/O (caller holds mmap_lock). (start, nr_pages, gup_flags, pages) since v6.5; (…, pages, vmas) v5.6–v6.4. Returns count or -errno. Release with unpin_user_page(s)[_dirty_lock], never put_page.',
    effects: [{ op: 'acquire', kind: 'gup-pin', array: 3, cond: 'count', count: { arg: 1 } }],
    sleeps: true,
    requires: ['mmap-locked'],
    pairsWith: UNPIN,
    arity: [4, 5],
    kernels: '>=5.6',
    source: 'mm/gup.c',
  },
  {
    name: 'pin_user_pages_remote',
    summary: 'FOLL_PIN on another mm (caller holds its mmap_lock): (mm, start, nr_pages, gup_flags, pages, locked) since v6.5; with vmas before; with a task_struct first in v5.6–v5.8. Release with unpin_user_page(s).',
    effects: [{ op: 'acquire', kind: 'gup-pin', array: 4, arrayByArity: { 6: 4, 7: 4, 8: 5 }, cond: 'count', count: { arg: 2 } }],
    sleeps: true,
    requires: ['mmap-locked'],
    pairsWith: UNPIN,
    arity: [6, 7, 8],
    kernels: '>=5.6',
    source: 'mm/gup.c',
  },
  {
    name: 'pin_user_pages_unlocked',
    summary: 'FOLL_PIN taking mmap_lock itself: (start, nr_pages, pages, gup_flags) — pages is the THIRD argument. Release with unpin_user_page(s).',
    effects: [{ op: 'acquire', kind: 'gup-pin', array: 2, cond: 'count', count: { arg: 1 } }],
    sleeps: true,
    pairsWith: UNPIN,
    arity: [4],
    kernels: '>=5.6',
    source: 'mm/gup.c',
  },
  {
    name: 'pin_user_pages_fast',
    summary: 'FOLL_PIN via GUP-fast with slow-path fallback (sleeps): (start, nr_pages, gup_flags, pages). Returns count or -errno. Release with unpin_user_page(s).',
    effects: [{ op: 'acquire', kind: 'gup-pin', array: 3, cond: 'count', count: { arg: 1 } }],
    sleeps: true,
    pairsWith: UNPIN,
    arity: [4],
    kernels: '>=5.6',
    source: 'mm/gup.c',
  },
  {
    name: 'pin_user_pages_fast_only',
    summary: 'FOLL_PIN GUP-fast only (no fallback, does not sleep): (start, nr_pages, gup_flags, pages).',
    effects: [{ op: 'acquire', kind: 'gup-pin', array: 3, cond: 'count', count: { arg: 1 } }],
    pairsWith: UNPIN,
    arity: [4],
    kernels: '5.9..6.2',
    source: 'mm/gup.c',
  },
  {
    name: 'unpin_user_page',
    summary: 'Release one FOLL_PIN pin (gup_put_folio(folio, 1, FOLL_PIN)). Only for pages from pin_user_pages*().',
    effects: [{ op: 'release', kind: 'gup-pin', object: 0 }],
    pairsWith: PINNERS,
    arity: [1],
    kernels: '>=5.6',
    source: 'mm/gup.c',
  },
  {
    name: 'unpin_user_pages',
    summary: 'Release the FOLL_PIN pins of an array of pages (pages, npages).',
    effects: releaseArray('gup-pin'),
    pairsWith: PINNERS,
    arity: [2],
    kernels: '>=5.6',
    source: 'mm/gup.c',
  },
  {
    name: 'unpin_user_pages_dirty_lock',
    summary: 'Optionally mark pinned pages dirty (set_page_dirty_lock: takes the page lock, may sleep) and release their FOLL_PIN pins: (pages, npages, make_dirty).',
    effects: releaseArray('gup-pin'),
    sleeps: true,
    pairsWith: PINNERS,
    arity: [3],
    kernels: '>=5.6',
    source: 'mm/gup.c',
  },
  {
    name: 'unpin_user_page_range_dirty_lock',
    summary: 'Release FOLL_PIN pins on a contiguous range starting at page (page, npages, make_dirty); may sleep when dirtying.',
    effects: [{ op: 'release', kind: 'gup-pin', object: 0, count: { arg: 1 } }],
    sleeps: true,
    pairsWith: ['pin_user_pages', 'pin_user_pages_fast'],
    arity: [3],
    kernels: '>=5.12',
    source: 'mm/gup.c',
  },
  {
    name: 'unpin_folio',
    summary: 'v6.11+: release one FOLL_PIN pin on a folio (memfd_pin_folios users).',
    effects: [{ op: 'release', kind: 'gup-pin', object: 0 }],
    pairsWith: ['memfd_pin_folios'],
    arity: [1],
    kernels: '>=6.11',
    source: 'mm/gup.c',
  },
  {
    name: 'unpin_folios',
    summary: 'v6.11+: release the FOLL_PIN pins of an array of folios (folios, nfolios).',
    effects: releaseArray('gup-pin'),
    pairsWith: ['memfd_pin_folios'],
    arity: [2],
    kernels: '>=6.11',
    source: 'mm/gup.c',
  },
  {
    name: 'unpin_user_folio',
    summary: 'Release npages FOLL_PIN pins taken on one folio (folio, npages).',
    effects: [{ op: 'release', kind: 'gup-pin', object: 0, count: { arg: 1 } }],
    pairsWith: ['pin_user_pages', 'memfd_pin_folios'],
    arity: [2],
    kernels: '>=6.12',
    source: 'mm/gup.c',
  },
  {
    name: 'memfd_pin_folios',
    summary: 'v6.11+: FOLL_PIN the folios backing a memfd range: (memfd, start, end, folios, max_folios, offset); returns the number of folios pinned or -errno. May allocate and sleep. Release with unpin_folios.',
    effects: [{ op: 'acquire', kind: 'gup-pin', array: 3, cond: 'count' }],
    sleeps: true,
    pairsWith: ['unpin_folios', 'unpin_folio'],
    arity: [6],
    kernels: '>=6.11',
    source: 'mm/gup.c',
  },

  // ---- v5.2–v5.5: put_user_page*() (seed 000) -----------------------------------
  {
    name: 'put_user_page',
    summary: 'v5.2–v5.5: release a page obtained with get_user_pages*(); call sites were converted from put_page() so that GUP pages could later be tracked (seed 000). A placeholder for put_page() at the time; renamed unpin_user_page() in v5.6 when FOLL_PIN arrived.',
    effects: [{ op: 'release', kind: 'gup-get', object: 0 }],
    pairsWith: GETTERS,
    arity: [1],
    kernels: '5.2..5.5',
    source: 'mm/gup.c',
  },
  {
    name: 'put_user_pages',
    summary: 'v5.2–v5.5: release an array of GUP pages (pages, npages).',
    effects: releaseArray('gup-get'),
    pairsWith: GETTERS,
    arity: [2],
    kernels: '5.2..5.5',
    source: 'mm/gup.c',
  },
  {
    name: 'put_user_pages_dirty_lock',
    summary: 'v5.2–v5.5: mark GUP pages dirty with set_page_dirty_lock (takes the page lock: sleeps) and release them: (pages, npages) in v5.2–5.3, (pages, npages, make_dirty) in v5.4–5.5.',
    effects: releaseArray('gup-get'),
    sleeps: true,
    pairsWith: GETTERS,
    arity: [2, 3],
    kernels: '5.2..5.5',
    source: 'mm/gup.c',
  },
  {
    name: 'put_user_pages_dirty',
    summary: 'v5.2–v5.3: mark GUP pages dirty (set_page_dirty, no page lock) and release them (pages, npages).',
    effects: releaseArray('gup-get'),
    pairsWith: ['get_user_pages'],
    arity: [2],
    kernels: '5.2..5.3',
    source: 'mm/gup.c',
  },

  // ---- mm/gup.c internals: grab (FOLL_GET or FOLL_PIN by flags) ---------------
  {
    name: 'try_grab_folio',
    summary: 'v6.10+ (slow path): add `refs` to a folio the caller already holds stably (refcount > 0: under the PTL, or holding a reference as memfd_pin_folios does): FOLL_GET adds references, FOLL_PIN pins (GUP_PIN_COUNTING_BIAS or _pincount). Returns 0 on success or -ENOMEM / -EREMOTEIO. NOT speculative. Undo with gup_put_folio(folio, refs, flags).',
    effects: [
      { op: 'acquire', kind: 'gup-pin', object: 0, cond: 'zero', count: { arg: 1 }, when: FOLL_PIN },
      { op: 'acquire', kind: 'gup-get', object: 0, cond: 'zero', count: { arg: 1 }, when: FOLL_GET },
      { op: 'acquire', kind: 'gup-pin', object: 0, cond: 'zero', count: { arg: 1 }, fallback: true },
    ],
    pairsWith: ['gup_put_folio'],
    arity: [3],
    kernels: '>=6.10',
    pointerResultForm: {
      kernels: '5.17..6.9',
      summary: 'v5.17–v6.9 GUP-fast: `folio = try_grab_folio(page, refs, flags)` speculatively gets (FOLL_GET) or pins (FOLL_PIN) refs on the folio containing page (try_get_folio re-checks page_folio itself); NULL on failure. IRQs off; the caller re-checks the pte/pmd and gup_put_folio()s on a mismatch.',
      effects: [
        { op: 'acquire', kind: 'gup-pin', object: 'ret', cond: 'nonnull', count: { arg: 1 }, when: FOLL_PIN },
        { op: 'acquire', kind: 'gup-get', object: 'ret', cond: 'nonnull', count: { arg: 1 }, when: FOLL_GET },
        { op: 'acquire', kind: 'gup-pin', object: 'ret', cond: 'nonnull', count: { arg: 1 }, fallback: true },
      ],
      ordering: 'full',
      speculative: true,
      requires: ['irq-off'],
      pgmapHook: 'skips',
      pairsWith: ['gup_put_folio'],
    },
    history: [
      { kernels: '5.17..6.9', summary: 'try_grab_folio(page, refs, flags) was the SPECULATIVE GUP-fast grab returning the folio or NULL (now try_grab_folio_fast)' },
      { kernels: '5.7..5.16', summary: 'the speculative grab was try_grab_compound_head(page, refs, flags)' },
    ],
    source: 'mm/gup.c',
  },
  {
    name: 'try_grab_folio_fast',
    summary: 'v6.10+ GUP-fast: speculatively get (FOLL_GET) or pin (FOLL_PIN) `refs` on the folio containing page: try_get_folio() adds refs unless the refcount is zero and re-checks page_folio(page) itself. Must run with IRQs disabled (VM_WARN_ON_ONCE(!irqs_disabled())). Returns the folio or NULL. The caller must then re-check the pte/pmd (pte_val(pte) != pte_val(ptep_get(ptep))) and gup_put_folio() on a mismatch.',
    effects: [
      { op: 'acquire', kind: 'gup-pin', object: 'ret', cond: 'nonnull', count: { arg: 1 }, when: FOLL_PIN },
      { op: 'acquire', kind: 'gup-get', object: 'ret', cond: 'nonnull', count: { arg: 1 }, when: FOLL_GET },
      { op: 'acquire', kind: 'gup-pin', object: 'ret', cond: 'nonnull', count: { arg: 1 }, fallback: true },
    ],
    ordering: 'full',
    speculative: true,
    requires: ['irq-off'],
    pgmapHook: 'skips',
    pairsWith: ['gup_put_folio'],
    arity: [3],
    kernels: '>=6.10',
    source: 'mm/gup.c',
  },
  {
    name: 'try_grab_compound_head',
    summary: 'v5.7–v5.16 GUP-fast: speculatively get or pin `refs` on the compound head of page (FOLL_GET / FOLL_PIN by flags); returns the head page or NULL. IRQs off; re-check the pte afterwards; undo with put_compound_head(page, refs, flags).',
    effects: [
      { op: 'acquire', kind: 'gup-pin', object: 'ret', cond: 'nonnull', count: { arg: 1 }, when: FOLL_PIN },
      { op: 'acquire', kind: 'gup-get', object: 'ret', cond: 'nonnull', count: { arg: 1 }, when: FOLL_GET },
      { op: 'acquire', kind: 'gup-pin', object: 'ret', cond: 'nonnull', count: { arg: 1 }, fallback: true },
    ],
    ordering: 'full',
    speculative: true,
    requires: ['rcu-or-irq-off'],
    pgmapHook: 'skips',
    pairsWith: ['put_compound_head'],
    arity: [3],
    kernels: '5.7..5.16',
    source: 'mm/gup.c',
  },
  {
    name: 'put_compound_head',
    summary: 'v5.7–v5.16: undo try_grab_compound_head(): drop `refs` references or pins (by flags).',
    effects: [
      { op: 'release', kind: 'gup-pin', object: 0, count: { arg: 1 }, when: FOLL_PIN },
      { op: 'release', kind: 'gup-get', object: 0, count: { arg: 1 }, when: FOLL_GET },
      { op: 'release', kind: 'gup-pin', object: 0, count: { arg: 1 }, fallback: true },
    ],
    pairsWith: ['try_grab_compound_head'],
    arity: [3],
    kernels: '5.7..5.16',
    source: 'mm/gup.c',
  },
  {
    name: 'try_grab_page',
    summary: 'v5.7–v6.9 (slow path): get (FOLL_GET) or pin (FOLL_PIN) one page the caller holds stably (under the PTL). Returned bool (true = success) until v6.1, then 0 / -ENOMEM. Replaced by try_grab_folio(folio, 1, flags) in v6.10.',
    effects: [
      { op: 'acquire', kind: 'gup-pin', object: 0, cond: 'bool', when: { arg: 1, identifiers: ['FOLL_PIN'] } },
      { op: 'acquire', kind: 'gup-get', object: 0, cond: 'bool', when: { arg: 1, identifiers: ['FOLL_GET'] } },
      { op: 'acquire', kind: 'gup-pin', object: 0, cond: 'bool', fallback: true },
    ],
    pairsWith: ['gup_put_folio', 'unpin_user_page', 'put_page'],
    arity: [2],
    kernels: '5.7..6.9',
    history: [{ kernels: '6.2..6.9', summary: 'returns int: 0 on success, -ENOMEM / -EREMOTEIO on failure (cond zero)' }],
    source: 'mm/gup.c',
  },
  {
    name: 'gup_put_folio',
    summary: 'mm/gup.c: drop `refs` references (FOLL_GET) or pins (FOLL_PIN: subtracts _pincount or refs * GUP_PIN_COUNTING_BIAS) taken by try_grab_folio*/GUP-fast.',
    effects: [
      { op: 'release', kind: 'gup-pin', object: 0, count: { arg: 1 }, when: FOLL_PIN },
      { op: 'release', kind: 'gup-get', object: 0, count: { arg: 1 }, when: FOLL_GET },
      { op: 'release', kind: 'gup-pin', object: 0, count: { arg: 1 }, fallback: true },
    ],
    ordering: 'full',
    pairsWith: ['try_grab_folio', 'try_grab_folio_fast'],
    arity: [3],
    kernels: '>=5.17',
    source: 'mm/gup.c',
  },
  {
    name: 'follow_page',
    summary: 'Look up the page mapped at a user address of a VMA (vma, address, foll_flags) under mmap_lock: with FOLL_GET in the flags it takes a reference the caller drops with put_page(); without it, none (the page may go away once the page-table lock is dropped). Returns the page, NULL, or an ERR_PTR. FOLL_PIN is not allowed. Removed in v6.12 (folio_walk replaces it).',
    effects: [{ op: 'acquire', kind: 'gup-get', object: 'ret', cond: 'errptr', when: { arg: 2, identifiers: ['FOLL_GET'] } }],
    returnsUnreferencedOtherwise: true,
    arity: [3],
    kernels: '<=6.11',
    source: 'mm/gup.c',
  },
];

/**
 * The GUP flags that make the caller own a reference on each page returned:
 * code that asks "does the caller hold the page?" tests both (v5.7+, when
 * FOLL_PIN came: commit 3faa52c03f44, "mm/gup: track FOLL_PIN pages").
 */
export const GUP_FLAG_GROUPS: readonly FlagGroup[] = [
  {
    flags: ['FOLL_GET', 'FOLL_PIN'],
    meaning: 'the caller takes a reference on each page it gets back',
    members: { FOLL_GET: 'FOLL_GET takes a page reference (put_page())', FOLL_PIN: 'FOLL_PIN takes a pin (unpin_user_page())' },
    kernels: '>=5.7',
    source: 'include/linux/mm_types.h (enum FOLL_*), mm/gup.c',
  },
];
