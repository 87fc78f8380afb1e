/**
 * The type of the first argument of page and folio APIs, as declared in
 * v6.19 (include/linux/*.h, mm/*.c prototypes): `folio_put()` takes a
 * `struct folio *`, `put_page()` a `struct page *`. A page passed where a
 * folio is expected (or the reverse) is a wrong call, not a cast: the
 * kernel builds with -Werror=incompatible-pointer-types. Folio APIs exist
 * from v5.16; the page forms are older.
 *
 * `address` is a kernel virtual address (`void *`): kunmap_local() and
 * kunmap_atomic() take the address kmap_local_page()/kmap_atomic()
 * returned, while kunmap() takes the page. An address given to kunmap()
 * compiles (void * converts silently) and unmaps nothing it mapped.
 */
export type FirstArgType = 'struct page *' | 'struct folio *' | 'address';

/** A prototype that changed: the type holds for the kernels in range (era.ts syntax); other eras make no claim. */
export interface EraArgType {
  type: FirstArgType;
  kernels: string;
}

export const FIRST_ARG_TYPES: Readonly<Record<string, FirstArgType | EraArgType>> = {
  PageUptodate: 'struct page *',
  SetPageUptodate: 'struct page *',
  __free_pages: 'struct page *',
  folio_get: 'struct folio *',
  folio_get_anon_vma: 'struct folio *',
  folio_is_device_private: 'struct folio *',
  folio_is_zone_device: 'struct folio *',
  folio_isolate_lru: 'struct folio *',
  folio_lock: 'struct folio *',
  folio_lock_anon_vma_read: 'struct folio *',
  folio_lock_killable: 'struct folio *',
  folio_lruvec_lock: 'struct folio *',
  folio_lruvec_lock_irq: 'struct folio *',
  folio_lruvec_lock_irqsave: 'struct folio *',
  folio_mark_dirty: 'struct folio *',
  folio_mark_uptodate: 'struct folio *',
  folio_maybe_dma_pinned: 'struct folio *',
  folio_put: 'struct folio *',
  folio_put_refs: 'struct folio *',
  folio_put_testzero: 'struct folio *',
  folio_putback_lru: 'struct folio *',
  folio_ref_add: 'struct folio *',
  folio_ref_add_unless: 'struct folio *',
  folio_ref_count: 'struct folio *',
  folio_ref_dec: 'struct folio *',
  folio_ref_inc: 'struct folio *',
  folio_ref_sub: 'struct folio *',
  folio_ref_try_add: 'struct folio *',
  folio_test_uptodate: 'struct folio *',
  folio_try_get: 'struct folio *',
  folio_trylock: 'struct folio *',
  folio_unlock: 'struct folio *',
  folio_wait_locked: 'struct folio *',
  folio_wait_stable: 'struct folio *',
  folio_wait_writeback: 'struct folio *',
  free_pages_nolock: 'struct page *',
  get_mem_cgroup_from_folio: 'struct folio *',
  get_obj_cgroup_from_folio: 'struct folio *',
  get_page: 'struct page *',
  get_page_unless_zero: 'struct page *',
  gup_put_folio: 'struct folio *',
  is_device_private_page: 'struct page *',
  is_zone_device_page: 'struct page *',
  kmap: 'struct page *',
  kmap_atomic: 'struct page *',
  kmap_local_folio: 'struct folio *',
  kmap_local_page: 'struct page *',
  kunmap: 'struct page *',
  // macros over __kunmap_local()/__kunmap_atomic(): BUILD_BUG_ON(__same_type(addr, struct page *))
  kunmap_local: 'address',
  kunmap_atomic: 'address',
  kvm_release_page_clean: 'struct page *',
  kvm_release_page_dirty: 'struct page *',
  kvm_release_page_unused: 'struct page *',
  lock_page: 'struct page *',
  page_count: 'struct page *',
  page_ext_get: 'struct page *',
  page_ref_add: 'struct page *',
  page_ref_add_unless: 'struct page *',
  page_ref_count: 'struct page *',
  page_ref_dec: 'struct page *',
  page_ref_dec_and_test: 'struct page *',
  page_ref_dec_return: 'struct page *',
  page_ref_freeze: 'struct page *',
  page_ref_inc: 'struct page *',
  page_ref_inc_return: 'struct page *',
  page_ref_sub: 'struct page *',
  page_ref_sub_and_test: 'struct page *',
  page_ref_unfreeze: 'struct page *',
  put_page: 'struct page *',
  put_page_testzero: 'struct page *',
  set_page_count: 'struct page *',
  set_page_dirty: 'struct page *',
  set_page_dirty_lock: 'struct page *',
  set_page_writeback: 'struct page *',
  swap_cluster_get_and_lock: 'struct folio *',
  swap_cluster_get_and_lock_irq: 'struct folio *',
  try_get_page: 'struct page *',
  // v5.17–v6.10: try_grab_folio(struct page *page, int refs, unsigned int flags) returned the folio;
  // v6.11 renamed that one try_grab_folio_fast() and gave try_grab_folio() a struct folio *.
  try_grab_folio: { type: 'struct folio *', kernels: '>=6.11' },
  try_grab_folio_fast: { type: 'struct page *', kernels: '>=6.11' },
  trylock_page: 'struct page *',
  unlock_page: 'struct page *',
  unpin_folio: 'struct folio *',
  unpin_folios: 'struct folio *',
  unpin_user_folio: 'struct folio *',
  unpin_user_page: 'struct page *',
  unpin_user_page_range_dirty_lock: 'struct page *',
  unpin_user_pages: 'struct page *',
  unpin_user_pages_dirty_lock: 'struct page *',
  vmap: 'struct page *',
  wait_on_page_writeback: 'struct page *',
};

/**
 * The folio form of a page API that does the same to the whole folio
 * (v5.16+ for the folio forms): what a page call on a folio, or a folio call
 * on a page, should have been.
 */
export const FOLIO_FORMS: Readonly<Record<string, string>> = {
  get_page: 'folio_get',
  put_page: 'folio_put',
  try_get_page: 'folio_try_get',
  get_page_unless_zero: 'folio_try_get',
  lock_page: 'folio_lock',
  unlock_page: 'folio_unlock',
  trylock_page: 'folio_trylock',
  unpin_user_page: 'unpin_folio',
  set_page_dirty: 'folio_mark_dirty',
  SetPageUptodate: 'folio_mark_uptodate',
  PageUptodate: 'folio_test_uptodate',
  wait_on_page_writeback: 'folio_wait_writeback',
  page_ref_count: 'folio_ref_count',
  page_ref_add: 'folio_ref_add',
  page_ref_sub: 'folio_ref_sub',
  page_ref_inc: 'folio_ref_inc',
  page_ref_dec: 'folio_ref_dec',
  page_count: 'folio_ref_count',
  is_zone_device_page: 'folio_is_zone_device',
  is_device_private_page: 'folio_is_device_private',
};
