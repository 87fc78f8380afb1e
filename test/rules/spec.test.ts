/** spec-ref rules: buggy / fixed snippets and the seed-004 ZONE_DEVICE regression. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { addPatch, changePatch, findings, expectRule, expectClean, lineOf, replacePatch } from './helpers';
import { seed } from '../c/fixtures';

describe('spec-ref/get-on-lockless-lookup', () => {
  const buggy = `
static struct folio *probe(struct address_space *mapping, pgoff_t index)
{
	struct folio *folio;

	rcu_read_lock();
	folio = xa_load(&mapping->i_pages, index);
	if (folio && !xa_is_value(folio))
		folio_get(folio);
	else
		folio = NULL;
	rcu_read_unlock();
	return folio;
}
`;
  it('folio_get on an xa_load result under RCU (scenario S5), suggesting folio_try_get', () => {
    const p = addPatch(buggy);
    const [f] = expectRule(findings(p), 'spec-ref/get-on-lockless-lookup', 1);
    assert.equal(f.range.start.line + 1, lineOf(p, 'folio_get(folio)'));
    assert.equal(f.scenario, 'S5');
    assert.match(f.message, /xa_load\(\)/);
    assert.match(f.message, /folio_try_get/);
    assert.equal(f.scenarioParams?.object, 'folio');
  });
  it('quiet with a speculative get and a re-check of the lookup', () => {
    const fixed = buggy.replace(
      '\tif (folio && !xa_is_value(folio))\n\t\tfolio_get(folio);\n\telse\n\t\tfolio = NULL;',
      '\tif (!folio || xa_is_value(folio) || !folio_try_get(folio)) {\n\t\tfolio = NULL;\n\t} else if (folio != xa_load(&mapping->i_pages, index)) {\n\t\tfolio_put(folio);\n\t\tfolio = NULL;\n\t}',
    );
    expectClean(findings(addPatch(fixed)));
  });
  it('quiet when the lookup is done under the lock that keeps the object alive', () => {
    expectClean(findings(addPatch(buggy.replace('rcu_read_lock();', 'spin_lock(&mapping->lock);').replace('rcu_read_unlock();', 'spin_unlock(&mapping->lock);'))));
  });
});

/** An RCU page-cache lookup `head` whose steps after xas_load() are `middle` (ending at the `out:` label). */
const xasLookup = (head: string, middle: string) => `
${head}
{
	XA_STATE(xas, &mapping->i_pages, index);
	struct folio *folio;

	rcu_read_lock();
repeat:
	xas_reset(&xas);
	folio = xas_load(&xas);
${middle}
out:
	rcu_read_unlock();
	return folio;
}
`;

describe('spec-ref/no-revalidation and revalidation-leak', () => {
  const lookup = (recheck: string) =>
    xasLookup('struct folio *lookup(struct address_space *mapping, pgoff_t index)', `\tif (!folio || xa_is_value(folio))\n\t\tgoto out;\n\tif (!folio_try_get(folio))\n\t\tgoto repeat;\n${recheck}`);
  it('no re-check after folio_try_get: flagged at the get', () => {
    const p = addPatch(lookup(''));
    const [f] = expectRule(findings(p), 'spec-ref/no-revalidation', 1);
    assert.equal(f.range.start.line + 1, lineOf(p, 'folio_try_get(folio)'));
    assert.equal(f.scenario, 'S5');
  });
  it('with `folio != xas_reload(&xas)` and a put: clean', () => {
    expectClean(findings(addPatch(lookup('\tif (unlikely(folio != xas_reload(&xas)))) {\n\t\tfolio_put(folio);\n\t\tgoto repeat;\n\t}'.replace(')))', '))')))));
  });
  it('re-check that retries without dropping the speculative ref: revalidation-leak', () => {
    const p = addPatch(lookup('\tif (unlikely(folio != xas_reload(&xas))))\n\t\tgoto repeat;'.replace(')))', '))')));
    const fs = findings(p);
    const [f] = expectRule(fs, 'spec-ref/revalidation-leak', 1);
    assert.equal(f.range.start.line + 1, lineOf(p, 'xas_reload'));
    expectRule(fs, 'spec-ref/no-revalidation', 0);
  });
});

describe('spec-ref/outside-rcu', () => {
  const code = (inside: boolean) => `
static struct page *peek(struct address_space *mapping, pgoff_t index)
{
	struct page *page;

	rcu_read_lock();
	page = radix_tree_lookup(&mapping->page_tree, index);
${inside ? '' : '\trcu_read_unlock();\n'}	if (page && !page_cache_get_speculative(page))
		page = NULL;
${inside ? '\trcu_read_unlock();\n' : ''}	return page;
}
`;
  it('a speculative get after the function closed its RCU section', () => {
    const p = addPatch(code(false));
    const [f] = expectRule(findings(p), 'spec-ref/outside-rcu', 1);
    assert.equal(f.range.start.line + 1, lineOf(p, 'page_cache_get_speculative'));
  });
  it('inside the section: clean for outside-rcu', () => {
    expectRule(findings(addPatch(code(true))), 'spec-ref/outside-rcu', 0);
  });
  it('context inherited from callers in the same patch: IRQs off in the caller is enough; a sleeping caller without it is flagged; no caller in the patch: unknown, quiet', () => {
    const leaf = `
static int grab_one(struct page *page, struct page **pages, int *nr)
{
	if (!page_cache_get_speculative(page))
		return 0;
	pages[(*nr)++] = page;
	return 1;
}
`;
    expectRule(findings(addPatch(leaf)), 'spec-ref/outside-rcu', 0);
    const caller = (irq: boolean) => `${leaf}
int grab_all(struct page **src, struct page **pages, int n)
{
	int nr = 0, i;
	unsigned long flags;

	might_sleep();
${irq ? '\tlocal_irq_save(flags);\n' : ''}	for (i = 0; i < n; i++)
		grab_one(src[i], pages, &nr);
${irq ? '\tlocal_irq_restore(flags);\n' : ''}	return nr;
}
`;
    expectRule(findings(addPatch(caller(true))), 'spec-ref/outside-rcu', 0);
    expectRule(findings(addPatch(caller(false))), 'spec-ref/outside-rcu', 1);
  });
});

/** The x86 GUP-fast code the seed-004 revert re-adds (arch/x86/mm/gup.c), as a file. */
function x86Gup(): string {
  const text = seed(4);
  const start = text.indexOf('+++ b/arch/x86/mm/gup.c');
  const hunk = text.indexOf('@@ -0,0 +1,496 @@', start);
  const lines = text.slice(hunk).split('\n').slice(1);
  const out: string[] = [];
  for (const l of lines) {
    if (!l.startsWith('+')) break;
    out.push(l.slice(1));
  }
  return out.join('\n');
}

function fnText(file: string, header: string): string {
  const s = file.indexOf(header);
  const e = file.indexOf('\n}\n', s);
  return file.slice(s, e + 2);
}

describe('seed 004: get_page -> page_cache_get_speculative on pte_devmap pages (spec-ref/pgmap-hook-skipped, S6), judged as v4.11 (the thread\'s era)', () => {
  const file = x86Gup();
  const before = fnText(file, 'static noinline int gup_pte_range');
  const after = before.replace('\t\tget_page(page);\n', '\t\tif (!page_cache_get_speculative(page))\n\t\t\tbreak;\n');

  it('the x86 gup_pte_range from the revert is 56 lines and takes get_dev_pagemap for devmap ptes', () => {
    assert.ok(before.includes('get_dev_pagemap(pte_pfn(pte), pgmap)'));
    assert.notEqual(before, after);
  });
  it('a patch making that switch in gup_pte_range is flagged at the speculative get', () => {
    const p = changePatch(before, after, 'arch/x86/mm/gup.c');
    const fs = findings(p, { kernelVersion: '4.11' });
    const [f] = expectRule(fs, 'spec-ref/pgmap-hook-skipped', 1);
    assert.equal(f.range.start.line + 1, lineOf(p, '+\t\tif (!page_cache_get_speculative(page))'));
    assert.equal(f.scenario, 'S6');
    assert.match(f.message, /put_page/);
    assert.match(f.message, /get_dev_pagemap/);
    assert.equal(f.function, 'gup_pte_range');
    // no ownership-transfer false positives (pages[*nr] = page)
    assert.deepEqual(fs.filter((x) => x.category === 'ref-balance').map((x) => x.message), []);
  });
  it('the same switch on the whole file (called under local_irq_disable by get_user_pages_fast) is not an outside-rcu finding', () => {
    const fs = findings(addPatch(file.replace(before, after), 'arch/x86/mm/gup.c'), { kernelVersion: '4.11' });
    expectRule(fs, 'spec-ref/pgmap-hook-skipped', 1);
    expectRule(fs, 'spec-ref/outside-rcu', 0);
    assert.deepEqual(fs.filter((x) => x.category === 'ref-balance').map((x) => x.message), []);
  });
  it('a speculative get in code that never touches device pages is not a pgmap finding', () => {
    const plain = `
static int gup_one(struct page *page, struct page **pages, int *nr)
{
	unsigned long flags;

	local_irq_save(flags);
	if (!page_cache_get_speculative(page)) {
		local_irq_restore(flags);
		return 0;
	}
	pages[(*nr)++] = page;
	local_irq_restore(flags);
	return 1;
}
`;
    expectClean(findings(addPatch(plain), { kernelVersion: '4.11' }));
  });
  it('the whole seed-004 thread (revert, zone-device fixes) gives no ref-balance or spec-ref finding, even with --all', () => {
    const fs = findings(seed(4), { all: true, kernelVersion: '4.11' });
    assert.deepEqual(fs.filter((x) => ['ref-balance', 'spec-ref', 'ref-kind', 'bracket', 'atomic-sleep'].includes(x.category)).map((x) => `${x.rule}: ${x.message}`), []);
  });
  it('the same switch judged as current mainline (v6.19): no pgmap finding (no per-page pgmap reference in that era) and no advice to use get_page()', () => {
    const p = changePatch(before, after, 'arch/x86/mm/gup.c');
    const fs = findings(p);
    expectRule(fs, 'spec-ref/pgmap-hook-skipped', 0);
    for (const f of fs) assert.doesNotMatch(f.message, /Use get_page\(\)/);
  });
  it('the plain get_page() the revert restored: safe in v4.11 x86 GUP-fast (IRQs off hold off the TLB-flush IPI), a finding in a v6.19 GUP-fast walker', () => {
    const walker = (get: string) => `
static int gup_fast_pte_range(pmd_t pmd, pmd_t *pmdp, unsigned long addr, unsigned long end, unsigned int flags, struct page **pages, int *nr)
{
	pte_t *ptep = pte_offset_map(&pmd, addr);
	int ret = 0;

	do {
		pte_t pte = ptep_get_lockless(ptep);
		struct page *page;

		if (!pte_present(pte))
			goto out;
		page = pte_page(pte);
		${get}
		pages[*nr] = page;
		(*nr)++;
	} while (ptep++, addr += PAGE_SIZE, addr != end);
	ret = 1;
out:
	pte_unmap(ptep);
	return ret;
}
`;
    const x86old = findings(addPatch(walker('get_page(page);'), 'arch/x86/mm/gup.c'), { kernelVersion: '4.11' });
    expectRule(x86old, 'spec-ref/get-on-lockless-lookup', 0);
    const now = findings(addPatch(walker('get_page(page);'), 'mm/gup.c'));
    const [f] = expectRule(now, 'spec-ref/get-on-lockless-lookup', 1);
    assert.match(f.message, /ptep_get_lockless/);
  });
});

describe('spec-ref/pgmap-leak', () => {
  const code = (put: boolean) => `
static int dev_user(unsigned long pfn, struct page **pages, int *nr)
{
	struct dev_pagemap *pgmap;

	pgmap = get_dev_pagemap(pfn, NULL);
	if (!pgmap)
		return -EFAULT;
	if (!pfn_valid(pfn)) {
${put ? '\t\tput_dev_pagemap(pgmap);\n' : ''}		return -EINVAL;
	}
	pages[(*nr)++] = pfn_to_page(pfn);
	put_dev_pagemap(pgmap);
	return 0;
}
`;
  it('get_dev_pagemap not put on the -EINVAL path', () => {
    const p = addPatch(code(false));
    const [f] = expectRule(findings(p), 'spec-ref/pgmap-leak', 1);
    assert.equal(f.range.start.line + 1, lineOf(p, 'return -EINVAL'));
    assert.match(f.fixes![0].edits[0].newText, /put_dev_pagemap\(pgmap\);/);
  });
  it('clean when every path puts it (the NULL path owns nothing)', () => {
    expectClean(findings(addPatch(code(true))));
  });
});

describe('spec-ref/get-on-lockless-lookup: catalogued lookups and other counted references', () => {
  const entry = (get: string) =>
    xasLookup(
      'void *filemap_get_entry(struct address_space *mapping, pgoff_t index)',
      `\tif (xas_retry(&xas, folio))\n\t\tgoto repeat;\n\tif (!folio || xa_is_value(folio))\n\t\tgoto out;\n${get}\n\tif (unlikely(folio != xas_reload(&xas))) {\n\t\tfolio_put(folio);\n\t\tgoto repeat;\n\t}`,
    );
  it('the body of a catalogued lookup is judged too: a plain get on what its own xas_load() found', () => {
    const p = addPatch(entry('\tfolio_get(folio);'));
    const [f] = expectRule(findings(p), 'spec-ref/get-on-lockless-lookup', 1);
    assert.equal(f.range.start.line + 1, lineOf(p, 'folio_get(folio)'));
    expectClean(findings(addPatch(entry('\tif (!folio_try_get(folio))\n\t\tgoto repeat;'))), ['spec-ref']);
  });
  const memcg = (get: string) => `
struct mem_cgroup *memcg_from_current(void)
{
	struct mem_cgroup *memcg;
again:
	rcu_read_lock();
	memcg = mem_cgroup_from_task(current);
${get}
	rcu_read_unlock();
	return memcg;
}
`;
  const tryget = '\tif (!css_tryget(&memcg->css)) {\n\t\trcu_read_unlock();\n\t\tgoto again;\n\t}';
  it('a css try-get replaced by a plain css get on the same css', () => {
    const p = changePatch(memcg(tryget), memcg('\tcss_get(&memcg->css);'));
    const [f] = expectRule(findings(p), 'spec-ref/get-on-lockless-lookup', 1);
    assert.equal(f.range.start.line + 1, lineOf(p, '+\tcss_get(&memcg->css)'));
    assert.match(f.message, /css_tryget\(\) with css_get\(\)/);
    // the other way round (a plain get made a try-get) is no such finding
    expectClean(findings(changePatch(memcg('\tcss_get(&memcg->css);'), memcg(tryget))), ['spec-ref']);
  });
});

describe('spec-ref/get-on-lockless-lookup: a pfn walker\'s page', () => {
  // pfn_to_online_page() is the pfn walkers' call (mm/memory_hotplug.c): the page it names carries no reference
  // anybody in the walker holds, so only a speculative get (and a re-check) is safe on it
  const walker = (get: string) => `
static struct folio *walker_get_folio(unsigned long pfn)
{
	struct page *page = pfn_to_online_page(pfn);
	struct folio *folio;

	if (!page)
		return NULL;
	folio = page_folio(page);
	if (!folio_test_lru(folio))
		return NULL;
${get}
	if (unlikely(page_folio(page) != folio || !folio_test_lru(folio))) {
		folio_put(folio);
		return NULL;
	}
	return folio;
}
`;
  it('a plain folio_get() on the folio of a pfn_to_online_page() page', () => {
    const p = addPatch(walker('\tfolio_get(folio);'));
    const [f] = expectRule(findings(p), 'spec-ref/get-on-lockless-lookup', 1);
    assert.equal(f.range.start.line + 1, lineOf(p, 'folio_get(folio)'));
  });
  it('folio_try_get() with the page_folio() re-check is quiet', () => {
    expectClean(findings(addPatch(walker('\tif (!folio_try_get(folio))\n\t\treturn NULL;'))), ['spec-ref']);
  });
  // the pfn names its struct page for good (catalog fixedLookup): a speculative get on the page itself has no lookup to re-check
  const pageWalker = (get: string) => `
static struct page *walker_get_page(unsigned long pfn)
{
	struct page *page = pfn_to_online_page(pfn);

	if (!page || !PageLRU(page))
		return NULL;
${get}
	if (unlikely(!PageLRU(page))) {
		put_page(page);
		page = NULL;
	}
	return page;
}
`;
  it('get_page_unless_zero() on the page of a pfn needs no re-check of the lookup; get_page() is flagged', () => {
    expectClean(findings(addPatch(pageWalker('\tif (!get_page_unless_zero(page))\n\t\treturn NULL;'))), ['spec-ref']);
    expectRule(findings(addPatch(pageWalker('\tget_page(page);'))), 'spec-ref/get-on-lockless-lookup', 1);
  });
});

describe('spec-ref/no-revalidation: a re-validating `if` deleted, the speculative get above the hunk', () => {
  const before = ['\t\tif (!folio_try_get(folio)) {', '\t\t\txas_reset(&xas);', '\t\t\tcontinue;', '\t\t}', ''].map((l) => ` ${l}`);
  const recheck = ['\t\tif (unlikely(folio != xas_reload(&xas))) {', '\t\t\tfolio_put(folio);', '\t\t\txas_reset(&xas);', '\t\t\tcontinue;', '\t\t}', ''];
  const after = ['\t\tnode = folio_nid(folio);', '\t\tif (scan_abort(node))', '\t\t\tbreak;'].map((l) => ` ${l}`);
  it('the `folio != xas_reload()` test and its put deleted, nothing in its place', () => {
    const p = replacePatch('mm/khugepaged.c', '@@ -2319,13 +2319,7 @@ static int scan_file(struct mm_struct *mm)', before.slice(1), recheck, [], after);
    const [f] = expectRule(findings(p), 'spec-ref/no-revalidation', 1);
    assert.equal(f.severity, 'warning');
    assert.equal(f.range.start.line + 1, lineOf(p, 'node = folio_nid(folio)'));
  });
  it('the same re-check rewritten in its place is quiet', () => {
    const p = replacePatch('mm/khugepaged.c', '@@ -2319,13 +2319,12 @@ static int scan_file(struct mm_struct *mm)', before.slice(1), recheck, ['\t\tif (folio != xas_reload(&xas) || !folio_test_lru(folio)) {', '\t\t\tfolio_put(folio);', '\t\t\tcontinue;', '\t\t}', ''], after);
    expectClean(findings(p), ['spec-ref']);
  });
});

describe('spec-ref/no-revalidation: what re-checks a lookup', () => {
  const scan = (check: string) => `
static int scan(struct address_space *mapping, pgoff_t start)
{
	XA_STATE(xas, &mapping->i_pages, start);
	struct folio *folio;
	int result = 0;

	rcu_read_lock();
	xas_for_each(&xas, folio, start + 511) {
		if (xas_retry(&xas, folio) || xa_is_value(folio))
			continue;
		if (!folio_try_get(folio)) {
			xas_reset(&xas);
			continue;
		}
${check}
		folio_put(folio);
	}
	rcu_read_unlock();
	return result;
}
`;
  const refcount = '\t\tif (folio_expected_ref_count(folio) + 1 != folio_ref_count(folio)) {\n\t\t\tresult = 1;\n\t\t\tfolio_put(folio);\n\t\t\tbreak;\n\t\t}';
  it('comparing two fresh reads of the folio\'s own refcount re-checks no lookup', () => {
    const p = addPatch(scan(refcount));
    const [f] = expectRule(findings(p), 'spec-ref/no-revalidation', 1);
    assert.equal(f.range.start.line + 1, lineOf(p, 'folio_try_get(folio)'));
  });
  it('the folio as held against xas_reload() does', () => {
    expectClean(findings(addPatch(scan(`\t\tif (unlikely(folio != xas_reload(&xas))) {\n\t\t\tfolio_put(folio);\n\t\t\txas_reset(&xas);\n\t\t\tcontinue;\n\t\t}\n${refcount}`))), ['spec-ref']);
  });
});

describe('spec-ref/get-on-lockless-lookup: a page claimed for this code alone', () => {
  // take_page_off_buddy() true: the free page is off the buddy lists, refcount 0, nobody else can take it
  // (catalog claimsArg), so the caller's page_ref_inc() sets its first reference
  const code = (test: string) => `
static int poison_free_page(unsigned long pfn)
{
	struct page *p = pfn_to_online_page(pfn);

	if (!p)
		return -ENXIO;
	if (${test}) {
		page_ref_inc(p);
		return 0;
	}
	return -EBUSY;
}
`;
  it('page_ref_inc() in the arm where take_page_off_buddy(p) succeeded is quiet', () => {
    expectClean(findings(addPatch(code('take_page_off_buddy(p)'))), ['spec-ref']);
  });
  it('the same increment after a test that claims nothing is flagged', () => {
    expectRule(findings(addPatch(code('PageBuddy(p)'))), 'spec-ref/get-on-lockless-lookup', 1);
  });
});
