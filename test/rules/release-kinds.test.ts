/**
 * Which kind of release an object gets, where the release is not a plain
 * catalogued call on it:
 *  - a close replaced by the close of the other style on the same object,
 *    where the catalog says the other style is the wrong release (kind
 *    `kmap`, styleMismatchIsWrongRelease): the deleted close tells how the
 *    object was opened, even with the open out of sight;
 *  - a helper of the document that releases the entries of an array it is
 *    given: its summary names what kind it releases.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { addPatch, expectClean, expectRule, findings, lineOf, replacePatch } from './helpers';

describe('a close replaced by the other style of close', () => {
  it('kunmap_local(addr) -> kunmap(addr), the mapping made above the hunk: reported', () => {
    const patch = replacePatch(
      'mm/copy.c',
      '@@ -300,6 +300,6 @@ static void copy_out(struct page *page, void *buf)',
      [' \tmemcpy(buf, addr, PAGE_SIZE);', ' \tflush_dcache_page(page);'],
      ['\tkunmap_local(addr);'],
      ['\tkunmap(addr);'],
      [' }', ' '],
    );
    const [f] = expectRule(findings(patch), 'ref-kind/mismatched-release', 1);
    assert.equal(f.range.start.line + 1, lineOf(patch, '+\tkunmap(addr)'));
    assert.match(f.message, /kunmap_local\(\) with kunmap\(\) on `addr`/);
  });

  it('both ends converted in the same hunk (kmap_local_page -> kmap, kunmap_local -> kunmap): quiet', () => {
    const patch = replacePatch(
      'mm/copy.c',
      '@@ -300,5 +300,5 @@ static void copy_out(struct page *page, void *buf)',
      [' {'],
      ['\tvoid *addr = kmap_local_page(page);', '\tmemcpy(buf, addr, PAGE_SIZE);', '\tkunmap_local(addr);'],
      ['\tvoid *addr = kmap(page);', '\tmemcpy(buf, addr, PAGE_SIZE);', '\tkunmap(page);'],
      [' }'],
    );
    expectClean(findings(patch), ['ref-kind', 'bracket']);
  });
});

describe('a helper of the document that releases the entries of an array it is given', () => {
  const patch = (put: string) =>
    addPatch(`
static void drop_pages(struct page **pages, int nr)
{
	int i;

	for (i = 0; i < nr; i++)
		${put}(pages[i]);
}

static long pin_range(unsigned long start, int nr, struct page **pages)
{
	long got = pin_user_pages_fast(start, nr, FOLL_WRITE, pages);

	if (got > 0 && got < nr) {
		drop_pages(pages, got);
		return -EFAULT;
	}
	return got;
}
`);
  it('pinned entries dropped with put_page() inside the helper: the wrong release, at the call', () => {
    const p = patch('put_page');
    const [f] = expectRule(findings(p), 'ref-kind/mismatched-release', 1);
    assert.equal(f.range.start.line + 1, lineOf(p, 'drop_pages(pages, got)'));
    assert.match(f.message, /drop_pages\(\) \(defined in this document\) drops a page reference on the entries of `pages`, but they hold a GUP pin/);
    assert.equal(f.fixes?.length ?? 0, 0, 'renaming the helper call is no fix');
  });
  it('the helper unpins them: clean, and the error path is not a leak', () => {
    expectClean(findings(patch('unpin_user_page')), ['ref-kind', 'ref-balance']);
  });
});
