/** Kernel facts the catalog must encode (each checked against mainline or the seed thread). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { catalog } from 'mm-review-server/catalog/index';
import { describeApi, describeKind } from 'mm-review-server/catalog/describe';

const api = (n: string) => {
  const a = catalog.api(n);
  assert.ok(a, `${n} not catalogued`);
  return a;
};
const kinds = (n: string, args?: string[]) => catalog.acquires(n, args).map((e) => e.kind);
const rkinds = (n: string, args?: string[]) => catalog.releases(n, args).map((e) => e.kind);

describe('ordering (Documentation/atomic_t.txt, linux-kernel.def)', () => {
  it('non-returning RMW is unordered, value-returning is full', () => {
    for (const n of ['atomic_inc', 'atomic_dec', 'atomic_add', 'atomic_sub', 'set_bit', 'clear_bit', 'page_ref_inc', 'page_ref_add', 'SetPageDirty', 'atomic_long_inc']) assert.equal(api(n).ordering, 'none', n);
    for (const n of ['atomic_inc_return', 'atomic_add_return', 'atomic_fetch_add', 'atomic_xchg', 'xchg', 'cmpxchg', 'atomic_cmpxchg', 'test_and_set_bit', 'test_and_clear_bit', 'atomic_dec_and_test', 'atomic_sub_and_test', 'atomic_inc_not_zero', 'atomic_add_unless', 'TestSetPageWriteback', 'test_set_page_writeback', 'atomic64_fetch_or', 'page_ref_dec_and_test']) assert.equal(api(n).ordering, 'full', n);
    assert.equal(api('atomic_add_return_relaxed').ordering, 'none');
    assert.equal(api('atomic_fetch_add_acquire').ordering, 'acquire');
    assert.equal(api('atomic_xchg_release').ordering, 'release');
    assert.equal(api('smp_wmb').ordering, 'wmb');
    assert.equal(api('smp_rmb').ordering, 'rmb');
    assert.equal(api('smp_mb__after_atomic').ordering, 'after-atomic');
    assert.equal(api('smp_load_acquire').ordering, 'acquire');
    assert.equal(api('smp_store_release').ordering, 'release');
    assert.equal(api('refcount_inc_not_zero').ordering, 'none');
  });

  it('each spelling names the argument it really accesses', () => {
    assert.equal(api('atomic_inc').access![0].arg, 0);          // atomic_inc(v)
    assert.equal(api('atomic_add').access![0].arg, 1);          // atomic_add(i, v)
    assert.equal(api('atomic_add_return').access![0].arg, 1);   // atomic_add_return(i, v)
    assert.equal(api('atomic_sub_and_test').access![0].arg, 1); // atomic_sub_and_test(i, v)
    assert.equal(api('atomic_add_unless').access![0].arg, 0);   // atomic_add_unless(v, a, u)
    assert.equal(api('atomic_cmpxchg').access![0].arg, 0);      // atomic_cmpxchg(v, old, new)
    assert.equal(api('set_bit').access![0].arg, 1);             // set_bit(nr, addr)
    assert.equal(api('test_and_set_bit').access![0].arg, 1);
    assert.deepEqual(api('SetPageDirty').access![0], { arg: 0, kind: 'rmw', field: 'flags' });
    assert.deepEqual(api('test_set_page_writeback').access![0], { arg: 0, kind: 'rmw', field: 'flags' });
    assert.equal(api('page_ref_add').access![0].field, '_refcount');
    assert.notEqual(catalog.api('test_set_page_writeback'), catalog.api('test_and_set_bit'));
    assert.notEqual(catalog.api('SetPageDirty'), catalog.api('set_bit'));
    assert.notEqual(catalog.api('set_page_dirty'), catalog.api('set_bit'));
  });

  it('SetPageUptodate / PageUptodate carry their wmb / rmb', () => {
    assert.equal(api('SetPageUptodate').ordering, 'wmb');
    assert.equal(api('PageUptodate').ordering, 'rmb');
  });
});

describe('references (mm.h, page_ref.h, pagemap.h, gup.c)', () => {
  it('page_cache_get_speculative: speculative, RCU or IRQs off, skips the pgmap hook; put_page (old kernels) drops a pgmap ref', () => {
    const a = api('page_cache_get_speculative');
    assert.equal(a.speculative, true);
    assert.deepEqual(a.requires, ['rcu-or-irq-off']);
    assert.equal(a.pgmapHook, 'skips');
    assert.deepEqual(kinds('page_cache_get_speculative'), ['page-ref']);
    assert.equal(catalog.acquires('page_cache_get_speculative')[0].cond, 'bool');
    assert.equal(api('get_page').speculative, undefined);
    // the per-page pgmap reference is a v4.5–v4.12 fact: it holds in that era only
    const old = catalog.forVersion('4.11');
    assert.equal(old.api('get_page')!.pgmapHook, 'takes');
    assert.deepEqual(old.releases('put_page')[0].alsoDrops, ['pgmap-ref']);
    assert.equal(catalog.api('get_page')!.pgmapHook, undefined);
    const put = catalog.releases('put_page')[0];
    assert.equal(put.kind, 'page-ref');
    assert.equal(put.alsoDrops, undefined);
    assert.equal(catalog.forVersion('6.19'), catalog);
    assert.equal(api('page_cache_add_speculative').effects![0].count && typeof api('page_cache_add_speculative').effects![0].count, 'object');
  });

  it('pins must not be released by put_page, nor gets by unpin', () => {
    assert.equal(catalog.compatible('gup-pin', 'page-ref'), false);
    assert.equal(catalog.compatible('gup-pin', 'folio-ref'), false);
    assert.equal(catalog.compatible('gup-get', 'gup-pin'), false);
    assert.equal(catalog.compatible('gup-get', 'page-ref'), true);
    assert.equal(catalog.compatible('page-ref', 'folio-ref'), true);
    assert.equal(catalog.compatible('pin-bias', 'page-ref'), false);
    assert.equal(catalog.compatible('mm-ref', 'mm-grab'), false);
    assert.ok(!catalog.compatibleReleasersOf('gup-pin').includes('put_page'));
    assert.ok(catalog.compatibleReleasersOf('gup-pin').includes('unpin_user_pages_dirty_lock'));
    assert.ok(catalog.compatibleReleasersOf('gup-get').includes('put_page'));
  });

  it('seed 000: a PAGE_PIN_BIAS add is a pin bias, a plain decrement is not its release', () => {
    assert.deepEqual(kinds('page_ref_add', ['page', 'PAGE_PIN_BIAS']), ['pin-bias']);
    assert.deepEqual(kinds('page_ref_add', ['page', 'nr']), ['page-ref']);
    assert.deepEqual(rkinds('page_ref_sub', ['page', 'PAGE_PIN_BIAS']), ['pin-bias']);
    assert.deepEqual(rkinds('page_ref_add', ['page', '-PAGE_PIN_BIAS']), ['pin-bias']);
    assert.deepEqual(rkinds('page_ref_dec', ['page']), ['page-ref']);
    assert.deepEqual(kinds('atomic_add', ['PAGE_PIN_BIAS', '&page->_refcount']), ['pin-bias']);
    assert.equal(catalog.acquires('atomic_add', ['PAGE_PIN_BIAS', '&page->_refcount'])[0].object, 1);
    // the thread's pseudo-code spelling, arguments swapped
    assert.equal(catalog.acquires('atomic_add', ['&page->_refcount', 'PAGE_PIN_BIAS'])[0].object, 0);
    assert.deepEqual(rkinds('atomic_add', ['&page->_refcount', '-PAGE_PIN_BIAS']), ['pin-bias']);
    assert.deepEqual(kinds('atomic_add', ['1', '&v']), []);
    assert.deepEqual(kinds('folio_ref_add', ['folio', 'refs * GUP_PIN_COUNTING_BIAS']), ['pin-bias']);
  });

  it('GUP: where the pages array is, across signatures', () => {
    const arr = (n: string, argc?: number) => catalog.arrayArg(catalog.acquires(n)[0], argc);
    assert.equal(arr('get_user_pages'), 3);               // (start, nr, flags, pages)
    assert.equal(arr('pin_user_pages'), 3);
    assert.equal(arr('get_user_pages_fast'), 3);          // (start, nr, flags, pages)
    assert.equal(arr('pin_user_pages_fast'), 3);
    assert.equal(arr('get_user_pages_unlocked'), 2);      // (start, nr, pages, flags)
    assert.equal(arr('pin_user_pages_unlocked'), 2);
    assert.equal(arr('get_user_pages_remote', 6), 4);     // (mm, start, nr, flags, pages, locked)
    assert.equal(arr('get_user_pages_remote', 8), 5);     // (tsk, mm, start, nr, flags, pages, vmas, locked)
    assert.equal(arr('pin_user_pages_remote', 7), 4);
    assert.deepEqual(kinds('pin_user_pages_remote'), ['gup-pin']);
    assert.deepEqual(kinds('get_user_pages_remote'), ['gup-get']);
    assert.equal(catalog.acquires('pin_user_pages')[0].cond, 'count');
    assert.equal(api('get_user_pages_fast_only').sleeps, undefined);
    assert.equal(api('get_user_pages_fast').sleeps, true);
  });

  it('v6.10+: try_grab_folio is the stable slow-path grab, try_grab_folio_fast the speculative one', () => {
    const slow = api('try_grab_folio');
    const fast = api('try_grab_folio_fast');
    assert.notEqual(slow.speculative, true);
    assert.equal(catalog.acquires('try_grab_folio')[0].cond, 'zero');
    assert.equal(catalog.acquires('try_grab_folio')[0].object, 0);
    assert.equal(fast.speculative, true);
    assert.deepEqual(fast.requires, ['irq-off']);
    assert.equal(catalog.acquires('try_grab_folio_fast')[0].object, 'ret');
    assert.deepEqual(kinds('try_grab_folio_fast', ['page', 'refs', 'FOLL_GET']), ['gup-get']);
    assert.deepEqual(kinds('try_grab_folio_fast', ['page', 'refs', 'FOLL_PIN']), ['gup-pin']);
    assert.deepEqual(kinds('try_grab_folio', ['folio', '1', 'FOLL_PIN | FOLL_LONGTERM']), ['gup-pin']);
    assert.deepEqual(rkinds('gup_put_folio', ['folio', 'refs', 'FOLL_GET']), ['gup-get']);
    assert.ok(slow.history?.some((h) => /SPECULATIVE/.test(h.summary)));
  });

  it('page-cache lookups return references with the right failure test', () => {
    assert.deepEqual(catalog.acquires('find_get_page').map((e) => [e.kind, e.object, e.cond]), [['page-ref', 'ret', 'nonnull']]);
    assert.deepEqual(catalog.acquires('filemap_get_folio').map((e) => [e.kind, e.object, e.cond]), [['folio-ref', 'ret', 'errptr']]);
    assert.deepEqual(catalog.acquires('filemap_get_entry').map((e) => e.cond), ['nonnull']);
    assert.deepEqual(kinds('filemap_lock_folio').sort(), ['folio-ref', 'page-lock']);
    assert.deepEqual(kinds('__filemap_get_folio', ['m', 'i', 'FGP_LOCK | FGP_CREAT', 'gfp']).sort(), ['folio-ref', 'page-lock']);
    assert.deepEqual(kinds('__filemap_get_folio', ['m', 'i', '0', 'gfp']), ['folio-ref']);
  });

  it('folio_try_get is speculative; folio_try_get_rcu and folio_ref_try_add_rcu stop at v6.9', () => {
    assert.equal(api('folio_try_get').speculative, true);
    assert.equal(api('folio_try_get_rcu').kernels, '5.16..6.9');
    assert.equal(api('folio_ref_try_add').kernels, '>=6.10');
  });

  it('get_dev_pagemap returns a pgmap ref that consumes the cached one', () => {
    const e = catalog.acquires('get_dev_pagemap')[0];
    assert.deepEqual([e.kind, e.object, e.cond, e.replaces], ['pgmap-ref', 'ret', 'nonnull', 1]);
    assert.deepEqual(rkinds('put_dev_pagemap'), ['pgmap-ref']);
  });
});

describe('sleeping and context', () => {
  it('sleeping calls', () => {
    for (const n of ['lock_page', 'folio_lock', 'mutex_lock', 'down_read', 'down_write', 'mmap_read_lock', 'wait_on_page_writeback', 'synchronize_rcu', 'schedule', 'cond_resched', 'msleep', 'copy_from_user', 'get_user', 'put_user', 'handle_mm_fault', 'filemap_fault', 'unpin_user_pages_dirty_lock', 'put_user_pages_dirty_lock', 'fault', 'vmalloc', 'pte_alloc_one'])
      assert.equal(catalog.maySleep(n), true, n);
    for (const n of ['trylock_page', 'spin_lock', 'put_page', 'rcu_read_lock', 'folio_try_get', 'unpin_user_pages', 'mmput_async'])
      assert.equal(catalog.maySleep(n), false, n);
    assert.equal(api('fault').indirect, true);
    assert.ok(catalog.indirectNames().includes('fault'));
  });

  it('allocation sleeping depends on the GFP argument', () => {
    assert.equal(catalog.maySleep('kmalloc', ['sizeof(*p)', 'GFP_KERNEL']), true);
    assert.equal(catalog.maySleep('kmalloc', ['sizeof(*p)', 'GFP_ATOMIC']), false);
    assert.equal(catalog.maySleep('kzalloc', ['n', 'GFP_NOWAIT | __GFP_NOWARN']), false);
    assert.equal(catalog.maySleep('kcalloc', ['n', 'sz', 'GFP_ATOMIC']), false);
    assert.equal(catalog.maySleep('kcalloc', ['n', 'GFP_ATOMIC', 'GFP_KERNEL']), true);
    assert.equal(catalog.maySleep('alloc_pages', ['GFP_ATOMIC', '0']), false);
    assert.equal(catalog.maySleep('kmalloc'), true);
  });

  it('required context and what provides it', () => {
    assert.deepEqual(api('rcu_dereference').requires, ['rcu']);
    const p = catalog.kindsProviding('rcu-or-irq-off');
    for (const k of ['rcu', 'rcu-sched', 'irq-off'] as const) assert.ok(p.includes(k), k);
    assert.ok(!p.includes('spinlock'));
    const atomic = catalog.atomicKinds();
    for (const k of ['rcu', 'irq-off', 'spinlock', 'ptl', 'pagefault-off', 'spf-section'] as const) assert.ok(atomic.includes(k), k);
    assert.ok(!atomic.includes('srcu') && !atomic.includes('mutex') && !atomic.includes('kmap'));
  });

  it('grace periods and IPI barriers', () => {
    assert.ok(catalog.synchronizes('synchronize_rcu').includes('rcu'));
    assert.ok(catalog.synchronizes('synchronize_rcu').includes('irq-off'));
    assert.deepEqual(catalog.synchronizes('kick_all_cpus_sync'), ['irq-off']);
    assert.deepEqual(catalog.synchronizes('smp_call_function_many', ['mask', 'do_nothing', 'NULL', '1']), ['irq-off']);
    assert.deepEqual(catalog.synchronizes('smp_call_function_many', ['mask', 'f', 'NULL', '0']), []);
    assert.deepEqual(catalog.synchronizes('serialize_against_pte_lookup'), ['irq-off']);
  });
});

describe('brackets and locks', () => {
  it('save/restore flags are by value; the seed-003 counter-proposal takes a pointer', () => {
    const save = catalog.acquires('spin_lock_irqsave').find((e) => e.kind === 'irq-off')!;
    assert.deepEqual([save.stateArg, save.stateByValue, save.style], [1, true, 'save']);
    const irq = catalog.acquires('local_irq_save')[0];
    assert.deepEqual([irq.stateArg, irq.stateByValue], [0, true]);
    const reg = catalog.acquires('register_lockless_page_table_walker').find((e) => e.kind === 'irq-off')!;
    assert.equal(reg.stateByValue, false);
    assert.equal(catalog.acquires('local_irq_disable')[0].style, 'disable');
  });

  it('seed 003: start_lockless_pgtbl_walk is a fully ordered announce that does not disable IRQs', () => {
    assert.deepEqual(kinds('start_lockless_pgtbl_walk'), ['lockless-walk']);
    assert.equal(api('start_lockless_pgtbl_walk').ordering, 'full');
    assert.deepEqual(rkinds('end_lockless_pgtbl_walk'), ['lockless-walk']);
    assert.equal(api('running_lockless_pgtbl_walk').ordering, 'none');
  });

  it('page-table locks', () => {
    assert.deepEqual(kinds('pte_offset_map_lock').sort(), ['pte-map', 'ptl']);
    assert.deepEqual(rkinds('pte_unmap_unlock').sort(), ['pte-map', 'ptl']);
    assert.deepEqual(kinds('pmd_lock'), ['ptl']);
    assert.equal(catalog.compatible('ptl', 'spinlock'), true);  // pmd_lock ... spin_unlock(ptl)
    assert.equal(catalog.compatible('spinlock', 'ptl'), true);  // spin_lock(ptl) ... pte_unmap_unlock
    assert.deepEqual(kinds('spin_lock_nested'), ['spinlock']);
    assert.deepEqual(kinds('spin_lock_bh').sort(), ['bh-off', 'spinlock']);
    assert.deepEqual(kinds('raw_spin_lock_irqsave').sort(), ['irq-off', 'spinlock']);
    assert.deepEqual(kinds('kmap_atomic').sort(), ['kmap', 'pagefault-off', 'preempt-off']);
    assert.deepEqual(kinds('kmap_local_page'), ['kmap']);
    assert.deepEqual(kinds('read_lock'), ['rwlock']);
    assert.deepEqual(kinds('rcu_read_lock_bh').sort(), ['bh-off', 'rcu']);
    assert.deepEqual(kinds('lock_vma_under_rcu'), ['vma-ref']);
    assert.deepEqual(rkinds('vma_end_read'), ['vma-ref']);
    assert.deepEqual(kinds('mmgrab'), ['mm-grab']);
    assert.deepEqual(rkinds('mmput'), ['mm-ref']);
  });
});

describe('lockless lookups and re-validation', () => {
  it('lookups, re-validators and idioms', () => {
    for (const n of ['xas_load', 'xa_load', 'radix_tree_lookup', 'radix_tree_lookup_slot', 'radix_tree_deref_slot', 'ptep_get_lockless', 'gup_get_pte'])
      assert.equal(api(n).locklessLookup, true, n);
    for (const n of ['xas_reload', 'pte_same', 'pmd_same', 'mmap_seq_read_check']) assert.equal(api(n).revalidates, true, n);
    const callees = catalog.revalidationCallees();
    for (const n of ['page_folio', 'pte_val', 'compound_head', 'xas_reload']) assert.ok(callees.includes(n), n);
    const idioms = catalog.locklessIdioms();
    assert.ok(idioms.some((i) => i.call === 'READ_ONCE' && i.argShape === 'deref' && i.value === 'pte'));
    assert.ok(idioms.some((i) => i.call === 'ptep_get' && i.lockless === 'unless-ptl-held'));
  });
});

describe('hover descriptions', () => {
  it('describe acquires, conditions, ordering, context, pairing and kernels', () => {
    const d = describeApi('page_cache_get_speculative')!;
    assert.match(d, /\*\*page_cache_get_speculative\*\*/);
    assert.match(d, /acquires a \*\*page reference\*\*/);
    assert.match(d, /only when it returns true/);
    assert.match(d, /rcu-or-irq-off/);
    assert.match(d, /speculative/);
    assert.match(d, /pgmap/);
    assert.match(d, /pairs with: `put_page`/);
    assert.match(d, /kernels: <=5\.18/);
    assert.match(d, /include\/linux\/pagemap\.h/);
    assert.match(describeApi('kzalloc')!, /as `kzalloc`/);
    assert.match(describeApi('kzalloc')!, /unless argument 2 is `GFP_ATOMIC`/);
    assert.match(describeApi('atomic_inc')!, /unordered/);
    assert.match(describeApi('atomic_inc_return')!, /full barrier/);
    assert.match(describeApi('xas_reload')!, /re-validates/);
    assert.match(describeApi('filemap_get_folio')!, /IS_ERR/);
    assert.equal(describeApi('no_such_function'), undefined);
  });
  it('describe kinds with their takers and releasers', () => {
    const k = describeKind('gup-pin');
    assert.match(k, /pin_user_pages/);
    assert.match(k, /released by: .*unpin_user_page/);
    assert.doesNotMatch(k, /`put_page`/);
    assert.match(describeKind('rcu'), /no sleeping/);
  });
});
