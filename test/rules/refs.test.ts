/** ref-balance and ref-kind rules on buggy / fixed C snippets through the real engine. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { addPatch, changePatch, findings, expectRule, expectClean, lineOf, applyFix } from './helpers';

describe('ref-balance/leak', () => {
  const buggy = `
static int grab(struct page *page, int flags)
{
	get_page(page);
	if (flags & 1)
		return -EINVAL;
	do_something(page);
	return 0;
}
`;
  it('flags the error return that keeps the page reference, names object, API and path, with a quick fix', () => {
    const p = addPatch(buggy);
    const [f] = expectRule(findings(p), 'ref-balance/leak', 1);
    assert.equal(f.range.start.line + 1, lineOf(p, 'return -EINVAL'));
    assert.match(f.message, /`page`/);
    assert.match(f.message, /get_page\(\)/);
    assert.match(f.message, /return -EINVAL/);
    assert.equal(f.related[0].range.start.line + 1, lineOf(p, 'get_page(page)'));
    // kernel style: the if gets its brace, the put goes before the return, as + lines
    const fixed = applyFix(p, f);
    assert.match(fixed, /^\+\tif \(flags & 1\) \{\n\+\t\tput_page\(page\);\n\+\t\treturn -EINVAL;\n\+\t\}$/m);
    expectClean(findings(fixed));
    assert.equal(f.function, 'grab');
  });
  it('is quiet once the error path drops the reference', () => {
    expectClean(findings(addPatch(buggy.replace('\t\treturn -EINVAL;', '\t{\n\t\tput_page(page);\n\t\treturn -EINVAL;\n\t}').replace('if (flags & 1)\n', 'if (flags & 1)\n'))));
  });
  it('error ladders: a goto that skips the put is flagged, the right ladder is not', () => {
    const ladder = (target: string) => `
static int setup(struct foo *f, struct page *page)
{
	int err;

	get_page(page);
	err = prepare(f);
	if (err)
		goto ${target};
	err = commit(f);
	if (err)
		goto out_put;
	return 0;
out_put:
	put_page(page);
out:
	return err;
}
`;
    expectRule(findings(addPatch(ladder('out'))), 'ref-balance/leak', 1);
    expectClean(findings(addPatch(ladder('out_put'))));
  });
  it('ownership transfer is not a leak: out-array, return, struct field, list, unknown consumer', () => {
    for (const body of [
      '\tpages[(*nr)++] = page;\n\treturn 1;',
      '\treturn page;',
      '\tf->page = page;\n\treturn 0;',
      '\tlist_add(&page->lru, &f->list);\n\treturn 0;',
      '\tqueue_page(f, page);\n\treturn 0;',
    ]) {
      const code = `
static int keep(struct foo *f, struct page *page, struct page **pages, int *nr)
{
	get_page(page);
${body}
}
`;
      expectClean(findings(addPatch(code)));
    }
  });
  it('conditional acquires: a failed get_page_unless_zero path owns nothing', () => {
    const code = `
static struct page *try_page(struct page *page)
{
	if (!get_page_unless_zero(page))
		return NULL;
	if (PageReserved(page)) {
		put_page(page);
		return NULL;
	}
	return page;
}
`;
    expectClean(findings(addPatch(code)));
  });
  it('a count-returning pin: `if (ret < 0) return ret;` holds nothing, a later -EFAULT holds the pins', () => {
    const code = `
static long pin_all(unsigned long start, unsigned long nr, struct page **pages)
{
	long pinned;

	pinned = pin_user_pages_fast(start, nr, FOLL_WRITE, pages);
	if (pinned < 0)
		return pinned;
	if (pinned != nr)
		return -EFAULT;
	return pinned;
}
`;
    const p = addPatch(code);
    const [f] = expectRule(findings(p), 'ref-balance/leak', 1);
    assert.equal(f.range.start.line + 1, lineOf(p, 'return -EFAULT'));
    assert.match(f.message, /GUP pin/);
    expectClean(findings(addPatch(code.replace('\t\treturn -EFAULT;', '\t{\n\t\tunpin_user_pages(pages, pinned);\n\t\treturn -EFAULT;\n\t}'))));
  });
  it('a loop that takes a ref per iteration and hands it over is quiet (seed 004 shape)', () => {
    const code = `
static void *map_pages(struct dev_pagemap *pgmap, struct resource *res)
{
	unsigned long pfn;

	for_each_device_pfn(pfn, pgmap)
		percpu_ref_get(pgmap->ref);
	return __va(res->start);
}
`;
    expectClean(findings(addPatch(code)));
  });
  it('differential mode: a leak the pre-image already had is not reported; --all shows it', () => {
    const before = buggy;
    const after = before.replace('do_something(page);', 'do_something_else(page);');
    const p = changePatch(before, after);
    expectClean(findings(p));
    expectRule(findings(p, { all: true }), 'ref-balance/leak', 1);
  });
});

describe('ref-balance/double-release and release-without-acquire', () => {
  it('double put on one path', () => {
    const code = `
static void twice(struct page *page)
{
	get_page(page);
	use(page->mapping);
	put_page(page);
	put_page(page);
}
`;
    const p = addPatch(code);
    const [f] = expectRule(findings(p), 'ref-balance/double-release', 1);
    assert.equal(f.range.start.line + 1, lineOf(p, 'put_page(page)', 1));
    expectClean(findings(addPatch(code.replace('\tput_page(page);\n\tput_page(page);', '\tput_page(page);'))));
  });
  it('a put after the speculative get failed', () => {
    const code = `
static int probe(struct page *page)
{
	if (!get_page_unless_zero(page)) {
		put_page(page);
		return -EAGAIN;
	}
	put_page(page);
	return 0;
}
`;
    const p = addPatch(code);
    const [f] = expectRule(findings(p), 'ref-balance/release-without-acquire', 1);
    assert.equal(f.range.start.line + 1, lineOf(p, 'put_page(page)', 0));
    expectClean(findings(addPatch(code.replace('\t\tput_page(page);\n\t\treturn -EAGAIN;', '\t\treturn -EAGAIN;'))));
  });
  it('a function that only drops its caller\'s reference is not flagged', () => {
    expectClean(findings(addPatch(`
static void drop(struct page *page)
{
	ClearPageReferenced(page);
	put_page(page);
}
`)));
  });
});

describe('ref-kind', () => {
  it('pin_user_pages pages released with put_page: mismatched-release with a quick fix to unpin_user_page', () => {
    const code = `
static int dma_user(unsigned long start, int nr, struct page **pages)
{
	int i, got;

	got = pin_user_pages(start, nr, FOLL_WRITE, pages);
	if (got <= 0)
		return -EFAULT;
	do_dma(pages, got);
	for (i = 0; i < got; i++)
		put_page(pages[i]);
	return 0;
}
`;
    const p = addPatch(code.replace('\tdo_dma(pages, got);\n', '\tdo_dma_sync(pages[0]);\n'));
    const [f] = expectRule(findings(p), 'ref-kind/mismatched-release', 1);
    assert.equal(f.range.start.line + 1, lineOf(p, 'put_page(pages[i])'));
    assert.match(f.message, /GUP pin/);
    assert.match(f.fixes?.[0].edits[0].newText ?? '', /^\+\s*unpin_user_page\(pages\[i\]\);$/);
    expectClean(findings(addPatch(code.replace('\tdo_dma(pages, got);\n', '\tdo_dma_sync(pages[0]);\n').replace('put_page(pages[i])', 'unpin_user_page(pages[i])'))));
  });
  it('get_user_pages pages released with unpin_user_page', () => {
    const code = `
static int read_user(unsigned long start, int nr, struct page **pages)
{
	int i, got;

	got = get_user_pages(start, nr, 0, pages);
	if (got <= 0)
		return -EFAULT;
	for (i = 0; i < got; i++)
		unpin_user_page(pages[i]);
	return 0;
}
`;
    expectRule(findings(addPatch(code)), 'ref-kind/mismatched-release', 1);
    expectClean(findings(addPatch(code.replace('unpin_user_page(pages[i])', 'put_page(pages[i])'))));
  });
  it('seed 000: a PAGE_PIN_BIAS added with page_ref_add and dropped with put_page is a bias mismatch (scenario S2)', () => {
    const code = `
static void pin_one(struct page *page)
{
	page_ref_add(page, PAGE_PIN_BIAS);
	do_dma_sync(page_address(page));
	put_page(page);
}
`;
    const [f] = expectRule(findings(addPatch(code)), 'ref-kind/bias-mismatch', 1);
    assert.equal(f.scenario, 'S2');
    assert.match(f.message, /PAGE_PIN_BIAS/);
    expectClean(findings(addPatch(code.replace('put_page(page);', 'page_ref_sub(page, PAGE_PIN_BIAS);'))));
  });
});

describe('ref-balance/double-release: the caller\'s reference, with the function\'s start in view', () => {
  it('the same put written twice in a row drops two of the caller\'s references', () => {
    const code = (twice: boolean) => `
static void bitmap_read(unsigned long pfn, u64 *out)
{
	struct folio *folio = idle_get_folio(pfn);

	if (folio) {
		if (folio_test_idle(folio))
			*out |= 1;
		folio_put(folio);
${twice ? '\t\tfolio_put(folio);\n' : ''}	}
}
`;
    const p = addPatch(code(true));
    const [f] = expectRule(findings(p), 'ref-balance/double-release', 1);
    assert.equal(f.range.start.line + 1, lineOf(p, 'folio_put(folio)', 1));
    expectClean(findings(addPatch(code(false))));
  });
  /** `code(put)` is flagged as a double release at the second of the calls `call`; `code('')` is quiet. */
  const flagsSecondPut = (code: (extra: string) => string, put: string, call: string) => {
    const p = addPatch(code(put));
    const [f] = expectRule(findings(p), 'ref-balance/double-release', 1);
    assert.equal(f.range.start.line + 1, lineOf(p, call, 1));
    expectClean(findings(addPatch(code(''))), ['ref-balance']);
  };
  it('the same put again after a branch test: every way into the second comes through the first', () => {
    const code = (again: string) => `
static int replace_exe(struct mm_struct *mm)
{
	struct file *old = lookup_exe(mm);
	int ret = check_mapped(mm);

	fput(old);
	if (ret) {
${again}		return ret;
	}
	return 0;
}
`;
    flagsSecondPut(code, '\t\tfput(old);\n', 'fput(old)');
    // a function of its own handed the file between the two may have taken another reference
    expectClean(findings(addPatch(code('\t\tkeep_exe(old);\n\t\tfput(old);\n'))), ['ref-balance']);
  });
  it('a put on a failure branch that runs into the common put', () => {
    const code = (failurePut: string) => `
static unsigned long apply(struct damon_target *t, unsigned long len)
{
	struct mm_struct *mm = target_mm(t);
	unsigned long applied;

	if (do_advice(mm, len)) {
${failurePut}		applied = 0;
	} else {
		applied = len;
	}
	mmput(mm);
	return applied;
}
`;
    flagsSecondPut(code, '\t\tmmput(mm);\n', 'mmput(mm)');
  });
  it('a put before `goto failed` whose ladder puts again under `if (folio)` (another goto enters the ladder without it)', () => {
    const code = (extra: string) => `
static int swapin(struct inode *inode, pgoff_t index, struct folio **foliop)
{
	struct folio *folio = cache_lookup(inode, index);
	int error;

	if (!folio)
		return -ENOENT;
	folio_lock(folio);
	if (!folio_test_uptodate(folio)) {
		error = -EIO;
		goto failed;
	}
	error = replace(&folio, index);
	if (error) {
${extra}		goto failed;
	}
	*foliop = folio;
	return 0;
failed:
	if (error == -EIO)
		note_error(inode, index);
	if (folio)
		folio_unlock(folio);
	if (folio)
		folio_put(folio);
	return error;
}
`;
    flagsSecondPut(code, '\t\tfolio_put(folio);\n', 'folio_put(folio)');
  });
  it('two puts of a reference this function never took, on paths that may meet, are not judged: the caller may hold two', () => {
    expectClean(findings(addPatch(`
static void drop_both(struct folio *folio, bool extra)
{
	if (extra)
		folio_put(folio);
	folio_unlock(folio);
	folio_put(folio);
}
`)), ['ref-balance']);
  });
});

describe('ref-balance/double-release: an array element', () => {
  it('the same put on the same element written twice in a row', () => {
    const code = (twice: boolean) => `
static int add_hstate(struct hstate *h, struct kobject *parent, struct kobject **kobjs)
{
	int hi = hstate_index(h);
	int retval;

	kobjs[hi] = kobject_create_and_add(h->name, parent);
	if (!kobjs[hi])
		return -ENOMEM;
	retval = sysfs_create_group(kobjs[hi], &attr_group);
	if (retval) {
		kobject_put(kobjs[hi]);
${twice ? '\t\tkobject_put(kobjs[hi]);\n' : ''}		kobjs[hi] = NULL;
	}
	return retval;
}
`;
    const p = addPatch(code(true));
    const [f] = expectRule(findings(p), 'ref-balance/double-release', 1);
    assert.equal(f.range.start.line + 1, lineOf(p, 'kobject_put(kobjs[hi])', 1));
    assert.match(f.message, /`kobjs\[hi\]`/);
    expectClean(findings(addPatch(code(false))), ['ref-balance']);
  });
});
