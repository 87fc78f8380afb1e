/**
 * The newly catalogued mm APIs through the real engine: each a buggy and a
 * correct variant (references on other objects, allocators, XArray locks,
 * kvfree under a spinlock, the lruvec irqsave flags taken by pointer, a
 * conditional get on a held reference, iterator cursors).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { addPatch, findings, expectRule, expectClean, lineOf, ifTestPatch, replacePatch } from './helpers';

describe('references on other objects', () => {
  it('a memcg reference from get_mem_cgroup_from_mm() leaked on an error path', () => {
    const code = (fix: boolean) => `
static int charge(struct mm_struct *mm, struct folio *folio)
{
	struct mem_cgroup *memcg = get_mem_cgroup_from_mm(mm);

	if (!memcg)
		return 0;
	if (try_charge(memcg, folio)) {${fix ? '\n\t\tmem_cgroup_put(memcg);' : ''}
		return -ENOMEM;
	}
	mem_cgroup_put(memcg);
	return 0;
}
`;
    expectRule(findings(addPatch(code(false))), 'ref-balance/leak', 1);
    expectClean(findings(addPatch(code(true))));
  });

  it('put_task_struct twice on one path', () => {
    const code = (bug: boolean) => `
static void kick(struct task_struct *p)
{
	get_task_struct(p);
	wake_it(p->pid);
	put_task_struct(p);${bug ? '\n\tput_task_struct(p);' : ''}
}
`;
    expectRule(findings(addPatch(code(true))), 'ref-balance/double-release', 1);
    expectClean(findings(addPatch(code(false))));
  });

  it('a swap device pinned by get_swap_device() and not put on an error path', () => {
    const code = (fix: boolean) => `
static int peek(swp_entry_t entry)
{
	struct swap_info_struct *si = get_swap_device(entry);

	if (!si)
		return -EINVAL;
	if (swp_offset(entry) > 100) {${fix ? '\n\t\tput_swap_device(si);' : ''}
		return -ERANGE;
	}
	put_swap_device(si);
	return 0;
}
`;
    expectRule(findings(addPatch(code(false))), 'ref-balance/leak', 1);
    expectClean(findings(addPatch(code(true))));
  });
});

describe('allocators', () => {
  it('a folio from folio_alloc() leaked when a later step fails', () => {
    const code = (fix: boolean) => `
static int prep(gfp_t gfp)
{
	struct folio *folio = folio_alloc(GFP_KERNEL, 0);

	if (!folio)
		return -ENOMEM;
	if (setup(gfp)) {${fix ? '\n\t\tfolio_put(folio);' : ''}
		return -EIO;
	}
	install(folio);
	return 0;
}
`;
    expectRule(findings(addPatch(code(false))), 'ref-balance/leak', 1);
    expectClean(findings(addPatch(code(true))));
  });

  it('a GFP_KERNEL folio allocation under an XArray lock sleeps; GFP_NOWAIT does not', () => {
    const code = (gfp: string) => `
static void fill(struct xa_state *xas)
{
	struct folio *folio;

	xas_lock_irq(xas);
	folio = folio_alloc(${gfp}, 0);
	if (folio)
		store(xas, folio);
	xas_unlock_irq(xas);
}
`;
    expectRule(findings(addPatch(code('GFP_KERNEL'))), 'atomic-sleep/sleep-in-atomic', 1);
    expectClean(findings(addPatch(code('GFP_NOWAIT'))));
  });
});

describe('locks and sleeping calls', () => {
  it('kvfree() under a spinlock may sleep (vfree); kfree() does not', () => {
    const code = (free: string) => `
static void drop(struct foo *f)
{
	spin_lock(&f->lock);
	${free}(f->buf);
	f->buf = NULL;
	spin_unlock(&f->lock);
}
`;
    expectRule(findings(addPatch(code('kvfree'))), 'atomic-sleep/sleep-in-atomic', 1);
    expectClean(findings(addPatch(code('kfree'))));
  });

  it('xa_unlock_irq() missing on an error path', () => {
    const code = (fix: boolean) => `
static int put_entry(struct address_space *mapping, pgoff_t index, void *entry)
{
	xa_lock_irq(&mapping->i_pages);
	if (!entry) {${fix ? '\n\t\txa_unlock_irq(&mapping->i_pages);' : ''}
		return -EINVAL;
	}
	__xa_store(&mapping->i_pages, index, entry, 0);
	xa_unlock_irq(&mapping->i_pages);
	return 0;
}
`;
    expectRule(findings(addPatch(code(false))), 'bracket/unbalanced', 1);
    expectClean(findings(addPatch(code(true))));
  });

  it('folio_lruvec_lock_irqsave() saves through &flags: unlock_page_lruvec_irqrestore(lruvec, flags) is the same variable', () => {
    const code = (restore: string) => `
static void del(struct folio *folio)
{
	unsigned long flags;
	struct lruvec *lruvec;

	lruvec = folio_lruvec_lock_irqsave(folio, &flags);
	lruvec_del_folio(lruvec, folio);
	unlock_page_lruvec_irqrestore(lruvec, ${restore});
}
`;
    expectClean(findings(addPatch(code('flags'))));
    expectRule(findings(addPatch(code('0'))), 'bracket/flags-mismatch', 1);
  });
});

describe('engine reading of the new facts', () => {
  it('a conditional get on a reference already held stacks on it (folio_isolate_lru on a held folio)', () => {
    const code = (fix: boolean) => `
static int isolate(struct folio *folio, int busy)
{
	folio_get(folio);
	if (!folio_isolate_lru(folio)) {
		folio_put(folio);
		return -EBUSY;
	}
	if (busy) {${fix ? '\n\t\tfolio_putback_lru(folio);' : ''}
		folio_put(folio);
		return -EAGAIN;
	}
	list_add_tail(&folio->lru, &pagelist);
	folio_put(folio);
	return 0;
}
`;
    expectRule(findings(addPatch(code(false))), 'ref-balance/leak', 1);
    expectClean(findings(addPatch(code(true))));
  });

  it('an iterator macro rebinds its cursor: a put in the loop is not a second put of the object before it', () => {
    const code = `
static int fill(struct list_head *list, int nr, int nid)
{
	struct page *page, *next;
	int i;

	for (i = 0; i < nr; i++) {
		page = alloc_pages_node(nid, GFP_KERNEL, 0);
		if (!page)
			goto out;
		list_add(&page->lru, list);
	}
	return 0;
out:
	list_for_each_entry_safe(page, next, list, lru)
		__free_page(page);
	return -ENOMEM;
}
`;
    expectClean(findings(addPatch(code)));
  });
});

describe('global switches: lru_cache_disable() and zone_pcp_disable()', () => {
  const code = (errorPath: string) => `int offline_range(struct zone *zone, unsigned long start, unsigned long end)
{
	int ret;

	zone_pcp_disable(zone);
	lru_cache_disable();
	ret = isolate_range(start, end);
	if (ret)
		goto failed;
	ret = migrate_range(start, end);
	if (ret)
		goto failed;
	lru_cache_enable();
	zone_pcp_enable(zone);
	return 0;
failed:
${errorPath}	return ret;
}
`;
  it('an error path that leaves the LRU caches disabled is unbalanced', () => {
    const fs = findings(addPatch(code('\tzone_pcp_enable(zone);\n')));
    const un = fs.filter((f) => f.rule === 'bracket/unbalanced');
    assert.ok(un.length >= 1 && un.every((f) => /LRU caches disabled/.test(f.message)), JSON.stringify(fs.map((f) => f.message)));
  });
  it('every path enabling both again is clean; lru_cache_disable() sleeps', () => {
    expectClean(findings(addPatch(code('\tlru_cache_enable();\n\tzone_pcp_enable(zone);\n'))));
    const sleepy = `void drain_under_lock(spinlock_t *l)\n{\n\tspin_lock(l);\n\tlru_cache_disable();\n\tlru_cache_enable();\n\tspin_unlock(l);\n}\n`;
    expectRule(findings(addPatch(sleepy)), 'atomic-sleep/sleep-in-atomic', 1);
  });
});

describe('kobjects: the initial reference of kobject_init_and_add() and kobject_create_and_add()', () => {
  const code = (onError: string) => `static int size_create(struct thpsize *s, struct kobject *parent)
{
	int ret;

	ret = kobject_init_and_add(&s->kobj, &size_ktype, parent, "size-%d", s->order);
	if (ret) {
${onError}		return ret;
	}
	return 0;
}
`;
  it('a failed kobject_init_and_add() still holds its reference: kfree() on the error path leaks it', () => {
    const [f] = expectRule(findings(addPatch(code('\t\tkfree(s);\n'))), 'ref-balance/leak', 1);
    assert.match(f.message, /kobject_init_and_add/);
    expectClean(findings(addPatch(code('\t\tkobject_put(&s->kobj);\n'))));
  });
  it('a kobject kept in an array element is released through the same element', () => {
    const src = `static int add_one(struct hstate *h, struct kobject *parent, struct kobject **kobjs, const struct attribute_group *grp)
{
	int retval;
	int hi = hstate_index(h);

	kobjs[hi] = kobject_create_and_add(h->name, parent);
	if (!kobjs[hi])
		return -ENOMEM;
	retval = sysfs_create_group(kobjs[hi], grp);
	if (retval) {
		kobject_put(kobjs[hi]);
		kobjs[hi] = NULL;
		return retval;
	}
	return 0;
}
`;
    expectClean(findings(addPatch(src)));
  });
});

describe('a test of reference-taking GUP flags narrowed (catalog flag groups)', () => {
  const patch = (from: string, to: string) =>
    ifTestPatch(
      'mm/gup.c',
      '@@ -465,7 +465,7 @@ static int follow_pfn_pte(struct vm_area_struct *vma, unsigned long address,',
      [' \t\tpte_t *pte, unsigned int flags)', ' {', ' \t/* No page to get reference */'],
      from,
      to,
      [' \t\treturn -EFAULT;', ' ', ' \tif (flags & FOLL_TOUCH) {'],
    );
  it('FOLL_GET | FOLL_PIN narrowed to FOLL_GET on a v5.7+ kernel', () => {
    const p = patch('flags & (FOLL_GET | FOLL_PIN)', 'flags & FOLL_GET');
    const [f] = expectRule(findings(p), 'ref-kind/narrowed-flags', 1);
    assert.equal(f.range.start.line + 1, lineOf(p, '+\tif (flags & FOLL_GET)'));
    assert.match(f.message, /a caller that passes FOLL_PIN/);
  });
  it('not before FOLL_PIN existed, not when widened, not when the test changes otherwise', () => {
    expectClean(findings(patch('flags & (FOLL_GET | FOLL_PIN)', 'flags & FOLL_GET'), { kernelVersion: '5.4' }));
    expectClean(findings(patch('flags & FOLL_GET', 'flags & (FOLL_GET | FOLL_PIN)')));
    expectClean(findings(patch('(flags & (FOLL_GET | FOLL_PIN)) && !pte_special(pte)', 'flags & FOLL_GET')));
  });
});

describe('a conditional getter replaced by its plain form, by the kernel naming (uncatalogued names)', () => {
  const patch = (from: string[], to: string[]) =>
    replacePatch(
      'virt/kvm/kvm_main.c',
      '@@ -1649,9 +1649,8 @@ static int hva_to_pfn_remapped(struct vm_area_struct *vma, unsigned long addr)',
      [' \tpfn = pte_pfn(*ptep);'],
      from,
      to,
      [' ', ' out:', ' \tpte_unmap_unlock(ptep, ptl);'],
    );
  it('kvm_try_get_pfn() (tested) -> kvm_get_pfn() (not tested)', () => {
    const p = patch(['\tif (!kvm_try_get_pfn(pfn))', '\t\tr = -EFAULT;'], ['\tkvm_get_pfn(pfn);']);
    const [f] = expectRule(findings(p), 'spec-ref/get-on-lockless-lookup', 1);
    assert.equal(f.severity, 'warning');
    assert.match(f.message, /rests on their names/);
  });
  it('names the catalog knows only for something else (atomics, for their ordering): atomic_inc_not_zero() -> atomic_inc()', () => {
    const p = patch(['\tif (!atomic_inc_not_zero(&obj->refcount)) {', '\t\tobj = NULL;', '\t\tgoto out;', '\t}'], ['\tatomic_inc(&obj->refcount);']);
    const [f] = expectRule(findings(p), 'spec-ref/get-on-lockless-lookup', 1);
    assert.match(f.message, /atomic_inc_not_zero\(\), whose failure the code handled, with atomic_inc\(\)/);
  });
  it('not when the new result is tested, nor for names the convention does not pair', () => {
    expectClean(findings(patch(['\tif (!kvm_try_get_pfn(pfn))', '\t\tr = -EFAULT;'], ['\tif (!kvm_get_pfn(pfn))', '\t\tr = -EFAULT;'])));
    expectClean(findings(patch(['\tif (!kvm_try_get_pfn(pfn))', '\t\tr = -EFAULT;'], ['\tkvm_map_pfn(pfn);'])));
  });
});
