/**
 * A close replaced by the close of the other style on the same object, where
 * the catalog says the other style is the wrong release (kind `kmap`,
 * styleMismatchIsWrongRelease): the deleted close tells how the object was
 * opened, even with the open out of sight.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { expectClean, expectRule, findings, lineOf, replacePatch } from './helpers';

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
