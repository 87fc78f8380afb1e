/**
 * The references, locks, allocators, sleeping calls, assertions, iterator
 * macros and goto-label conventions added for real patches (each fact
 * checked against v6.19; eras in the entries), and the schema fields that
 * came with them.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { catalog } from 'mm-review-server/catalog/index';
import { describeApi } from 'mm-review-server/catalog/describe';

const api = (n: string) => {
  const a = catalog.api(n);
  assert.ok(a, `${n} not catalogued`);
  return a;
};
const acq = (n: string, args?: string[]) => catalog.acquires(n, args);
const rel = (n: string, args?: string[]) => catalog.releases(n, args);

describe('references on other objects', () => {
  it('each counter is its own kind, and a put of one never drops another', () => {
    assert.equal(acq('get_task_struct')[0].kind, 'task-ref');
    assert.equal(rel('put_task_struct')[0].kind, 'task-ref');
    assert.equal(rel('css_put')[0].kind, 'css-ref');
    assert.equal(rel('mem_cgroup_put')[0].kind, 'css-ref'); // css_put(&memcg->css)
    assert.equal(acq('obj_cgroup_get')[0].kind, 'objcg-ref');
    assert.equal(acq('kobject_get')[0].kind, 'kobj-ref');
    assert.equal(rel('put_swap_device')[0].kind, 'swap-dev-ref');
    assert.equal(rel('put_anon_vma')[0].kind, 'anon-vma-ref');
    assert.equal(catalog.compatible('task-ref', 'css-ref'), false);
    assert.equal(catalog.compatible('mm-grab', 'mm-ref'), false); // mmdrop never drops mm_users
    assert.equal(rel('mmdrop')[0].kind, 'mm-grab');
    assert.equal(rel('mmput')[0].kind, 'mm-ref');
  });

  it('lookups return the referenced object, conditionally', () => {
    for (const n of ['get_mem_cgroup_from_mm', 'get_mem_cgroup_from_current', 'get_mem_cgroup_from_folio', 'get_swap_device', 'get_pid_task', 'folio_get_anon_vma']) {
      const e = acq(n)[0];
      assert.equal(e.object, 'ret', n);
      assert.equal(e.cond, 'nonnull', n);
    }
    assert.equal(acq('css_tryget')[0].cond, 'bool');
    assert.equal(acq('css_tryget_online')[0].cond, 'bool');
    assert.equal(acq('mmget_not_zero')[0].cond, 'bool');
    assert.equal(api('get_task_struct').returnsObject, true);
  });

  it('mem_cgroup_iter drops prev before it returns the next memcg held', () => {
    const effs = catalog.effects('mem_cgroup_iter');
    assert.deepEqual(effs.map((e) => `${e.op}:${e.object}`), ['release:1', 'acquire:ret']);
    assert.equal(rel('mem_cgroup_iter_break')[0].object, 1);
  });

  it('which final puts sleep: mmput and put_anon_vma do, mmput_async, put_task_struct and fput do not', () => {
    assert.equal(catalog.maySleep('mmput'), true);
    assert.equal(catalog.maySleep('mmput_async'), false);
    assert.equal(catalog.maySleep('put_task_struct'), false); // call_rcu() in v6.19
    assert.equal(catalog.maySleep('fput'), false);
    assert.equal(catalog.maySleep('put_anon_vma'), true);
    assert.equal(api('put_anon_vma').sleepsOnLastPut, true);
    assert.equal(api('mmput').sleepsOnLastPut, undefined); // might_sleep() on every call
  });

  it('KVM pages: the v6.13+ faultin API hands a referenced page out through its last argument', () => {
    assert.deepEqual(acq('__kvm_faultin_pfn').map((e) => e.object), [4]);
    assert.equal(catalog.api('kvm_faultin_pfn'), catalog.api('__kvm_faultin_pfn'));
    assert.equal(rel('kvm_release_faultin_page')[0].object, 1);
    for (const n of ['kvm_release_page_clean', 'kvm_release_page_dirty', 'kvm_release_page_unused']) assert.equal(rel(n)[0].kind, 'page-ref', n);
    assert.equal(api('kvm_release_pfn_clean').kernels, '<=6.12');
  });
});

describe('allocators', () => {
  it('return a referenced page or folio, NULL on failure (alloc_hugetlb_folio: ERR_PTR)', () => {
    for (const n of ['folio_alloc', '__folio_alloc', 'folio_alloc_mpol', 'vma_alloc_folio', 'filemap_alloc_folio', 'vma_alloc_zeroed_movable_folio']) {
      const e = acq(n)[0];
      assert.deepEqual([e.kind, e.object, e.cond], ['folio-ref', 'ret', 'nonnull'], n);
    }
    for (const n of ['alloc_pages', 'alloc_page', 'alloc_pages_node', '__alloc_pages']) assert.deepEqual([acq(n)[0].kind, acq(n)[0].cond], ['page-ref', 'nonnull'], n);
    assert.equal(acq('alloc_hugetlb_folio')[0].cond, 'errptr');
    assert.equal(rel('__free_pages')[0].kind, 'page-ref');
    assert.ok(catalog.compatible('folio-ref', 'page-ref'));
  });

  it('sleep unless the GFP mask is non-blocking; the mask is where the signature puts it', () => {
    assert.equal(catalog.maySleep('folio_alloc', ['GFP_KERNEL', '0']), true);
    assert.equal(catalog.maySleep('folio_alloc', ['GFP_NOWAIT | __GFP_NOWARN', '0']), false);
    assert.equal(catalog.maySleep('vma_alloc_folio', ['GFP_TRANSHUGE_LIGHT', 'HPAGE_PMD_ORDER', 'vma', 'addr']), false);
    assert.equal(catalog.maySleep('alloc_pages_node', ['nid', 'GFP_ATOMIC', '0']), false); // (nid, gfp, order)
    assert.equal(catalog.maySleep('alloc_pages_node', ['nid', 'GFP_KERNEL', '0']), true);
    assert.equal(catalog.maySleep('alloc_pages_nolock'), false);
    assert.equal(catalog.maySleep('krealloc', ['p', 'n', 'GFP_ATOMIC']), false);
    assert.equal(catalog.maySleep('kvmalloc_node', ['n', 'GFP_KERNEL', 'node']), true);
  });
});

describe('locks and sections', () => {
  it('xa_lock* / xas_lock* are a spinlock plus the IRQ or BH section of their suffix', () => {
    assert.deepEqual(acq('xa_lock').map((e) => e.kind), ['spinlock']);
    assert.deepEqual(acq('xas_lock_irq').map((e) => `${e.kind}:${e.style ?? ''}`), ['spinlock:', 'irq-off:disable']);
    assert.deepEqual(acq('xa_lock_bh').map((e) => e.kind), ['spinlock', 'bh-off']);
    const save = acq('xa_lock_irqsave').find((e) => e.kind === 'irq-off')!;
    assert.deepEqual([save.stateArg, save.stateByValue, save.style], [1, true, 'save']);
    assert.deepEqual(rel('xas_unlock_irqrestore').map((e) => e.kind), ['spinlock', 'irq-off']);
  });

  it('rmap, i_mmap and hugetlb VMA locks are rw semaphores that sleep', () => {
    for (const n of ['anon_vma_lock_read', 'anon_vma_lock_write', 'i_mmap_lock_read', 'i_mmap_lock_write', 'hugetlb_vma_lock_read', 'hugetlb_vma_lock_write']) {
      assert.equal(acq(n)[0].kind, 'rwsem', n);
      assert.equal(catalog.maySleep(n), true, n);
    }
    assert.equal(acq('anon_vma_lock_read')[0].style, 'read');
    assert.equal(rel('i_mmap_unlock_write')[0].style, 'write');
    assert.equal(acq('i_mmap_trylock_read')[0].cond, 'bool');
    assert.deepEqual([acq('folio_lock_anon_vma_read')[0].object, acq('folio_lock_anon_vma_read')[0].cond], ['ret', 'nonnull']);
  });

  it('the lruvec lock is returned by the lock call; irqsave takes &flags, irqrestore takes flags', () => {
    assert.equal(acq('folio_lruvec_lock')[0].object, 'ret');
    const save = acq('folio_lruvec_lock_irqsave').find((e) => e.kind === 'irq-off')!;
    const restore = rel('unlock_page_lruvec_irqrestore').find((e) => e.kind === 'irq-off')!;
    assert.equal(save.stateByValue, false);
    assert.equal(restore.stateByValue, true);
  });

  it('folio_walk_start holds the PTL on success and takes no folio reference', () => {
    const a = api('folio_walk_start');
    assert.deepEqual([acq('folio_walk_start')[0].kind, acq('folio_walk_start')[0].object, acq('folio_walk_start')[0].cond], ['ptl', 0, 'nonnull']);
    assert.equal(a.returnsUnreferenced, true);
    assert.equal(rel('folio_walk_end')[0].kind, 'ptl');
  });

  it('kmap flavours do not pair across styles', () => {
    assert.equal(acq('kmap_local_page')[0].style, 'local');
    assert.equal(rel('kunmap_local')[0].style, 'local');
    assert.equal(rel('kunmap')[0].style, 'kmap');
    assert.equal(acq('kmap_atomic')[0].style, 'atomic');
  });
});

describe('sleeping calls', () => {
  it('kvfree and vfree may sleep, kfree and kvfree_rcu do not', () => {
    assert.equal(catalog.maySleep('kvfree'), true);
    assert.equal(catalog.maySleep('vfree'), true);
    assert.equal(catalog.maySleep('kfree'), false);
    assert.equal(catalog.maySleep('kvfree_rcu'), false);
    assert.equal(catalog.maySleep('kvfree_rcu_mightsleep'), true);
    for (const n of ['kvfree', 'vfree', 'kfree']) assert.equal(api(n).freesMemoryOnly, true, n);
  });

  it('sleeps: waits, flushes, semaphores', () => {
    for (const n of ['schedule_timeout', 'wait_event_timeout', 'flush_work', 'cancel_work_sync', 'lru_add_drain_all', 'down', 'folio_wait_stable']) assert.equal(catalog.maySleep(n), true, n);
    assert.equal(catalog.maySleep('cancel_work'), false);
    assert.equal(catalog.maySleep('copy_from_user_nofault'), false);
  });

  it('cond_resched_lock drops and re-takes the spinlock it is given', () => {
    assert.deepEqual(catalog.effects('cond_resched_lock').map((e) => `${e.op}:${e.kind}:${e.object}`), ['release:spinlock:0', 'acquire:spinlock:0']);
  });
});

describe('new schema fields', () => {
  it('nonSleepingForm / sleepingForm link drop-in alternatives that really differ in sleeping', () => {
    const linked = catalog.all().filter((a) => a.nonSleepingForm || a.sleepingForm);
    assert.ok(linked.length >= 6);
    for (const a of linked) {
      if (a.nonSleepingForm) {
        const b = api(a.nonSleepingForm);
        assert.equal(catalog.maySleep(a.name), true, a.name);
        assert.equal(catalog.maySleep(b.name), false, b.name);
        assert.equal(b.sleepingForm, a.name, `${b.name}.sleepingForm`);
      }
      if (a.sleepingForm) assert.equal(api(a.sleepingForm).nonSleepingForm, a.name, `${a.sleepingForm}.nonSleepingForm`);
    }
    assert.equal(api('mmput').nonSleepingForm, 'mmput_async');
    assert.equal(api('vfree').nonSleepingForm, 'vfree_atomic');
  });

  it('debugOnly marks the assertions whose condition is not evaluated without the config', () => {
    for (const n of ['VM_BUG_ON', 'VM_BUG_ON_PAGE', 'VM_BUG_ON_FOLIO', 'VM_BUG_ON_VMA', 'VM_BUG_ON_MM', 'VM_WARN_ON', 'VM_WARN_ON_ONCE', 'VM_WARN_ON_FOLIO', 'VM_WARN_ON_ONCE_FOLIO', 'VM_WARN_ON_ONCE_PAGE', 'VM_WARN_ONCE', 'VM_WARN'])
      assert.equal(api(n).debugOnly, 'CONFIG_DEBUG_VM', n);
    assert.equal(api('VM_BUG_ON_PGFLAGS').debugOnly, 'CONFIG_DEBUG_VM_PGFLAGS');
    for (const n of ['WARN_ON', 'WARN_ON_ONCE', 'WARN', 'BUG_ON']) assert.equal(api(n).debugOnly, undefined, n);
    // none of them takes or drops anything
    for (const a of catalog.domains().find((d) => d.id === 'debug')!.apis) assert.equal(a.effects?.length ?? 0, 0, a.name);
    assert.match(describeApi('VM_BUG_ON')!, /debug-only/);
  });

  it('iteratorCursor names the rebound argument, within the arity', () => {
    assert.equal(api('list_for_each_entry_safe').iteratorCursor, 0);
    assert.equal(api('xas_for_each').iteratorCursor, 1);
    assert.equal(api('xa_for_each').iteratorCursor, 2);
    assert.equal(api('xas_for_each').locklessLookup, true);
    for (const a of catalog.all().filter((x) => x.iteratorCursor !== undefined)) assert.ok(a.iteratorCursor! < Math.max(...a.arity!), a.name);
  });

  it('releasesCallersRef exempts a release from having a pairing acquire', () => {
    assert.equal(api('put_devmap_managed_page').releasesCallersRef, true);
    assert.equal(api('kvm_release_pfn_clean').releasesCallersRef, true);
  });
});

describe('goto-label conventions (a weak signal)', () => {
  const r = (l: string) => catalog.gotoLabelReleases(l);
  it('read what a ladder label conventionally releases', () => {
    assert.deepEqual(r('out_unlock').families, ['lock']);
    assert.deepEqual(r('unlock_abort').families, ['lock']);
    assert.deepEqual(r('put_folio').families, ['ref']);
    assert.deepEqual(r('out_put_page').families, ['ref']);
    assert.deepEqual(r('out_unmap').families, ['bracket']);
    assert.deepEqual(r('out_unmap').kinds, ['pte-map', 'kmap']);
    assert.deepEqual(r('rcu_unlock').families, ['bracket']); // not a lock
    assert.deepEqual(r('out_rcu').kinds, ['rcu']);
    assert.deepEqual(r('unlock_folio').kinds, ['page-lock']);
    assert.deepEqual([...r('unlock_put').families].sort(), ['lock', 'ref']);
  });
  it('tell "releases nothing tracked" from "unknown", and honour labels that say the lock is gone', () => {
    assert.deepEqual(r('free').families, []);
    assert.equal(r('free').matched.length, 1);
    assert.equal(r('out').matched.length, 0);
    assert.equal(r('retry').matched.length, 0);
    assert.deepEqual(r('out_unlocked').families, []);
    assert.deepEqual(r('out_release_nounlock').families, ['ref']);
    assert.equal(r('munmap_failed').matched.length, 0);
    assert.deepEqual(r('out_unlock:').families, ['lock']); // a trailing colon is tolerated
  });
  it('every example matches its own convention', () => {
    for (const c of catalog.gotoLabelConventions()) {
      const re = new RegExp(c.pattern, "i");
      for (const e of c.examples) assert.ok(re.test(e), `${e} !~ ${c.pattern}`);
    }
  });
});
