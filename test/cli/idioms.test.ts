/**
 * The kernel idioms the facts layer models, each as a buggy and a correct
 * variant of code written here, through the CLI (`mm-review check --format
 * json` on one directory of patches, as a reviewer would run it). The barrier
 * idioms (waitqueue_active, plain publication, weak barriers, removals) are in
 * barrier-idioms.test.ts.
 *
 * Not modelled yet, so not asserted: a `__must_hold()` function that
 * returns with the lock dropped on one path, `__free_pages()`
 * on a folio others may hold, and a use of the old pointer after it is
 * swapped out and freed.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { ENTER_CODE, LOCKPTR_CODE } from '../rules/idiom-code';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const BIN = path.join(ROOT, 'server', 'bin', 'mm-review.js');

interface Idiom {
  /** what a reviewer would call it */
  name: string;
  buggy: string;
  correct: string;
  /** the rule the buggy variant must get, at warning or error */
  rule: string;
  /** the kernel version the code belongs to (default: current mainline) */
  kernel?: string;
}

const IDIOMS: Idiom[] = [];
const add = (i: Idiom) => IDIOMS.push(i);

// ---- iterator macros with early exits
const XAS_LOOP = (early: string) => `
static int foo_scan(struct address_space *mapping, pgoff_t start, pgoff_t end)
{
	XA_STATE(xas, &mapping->i_pages, start);
	struct folio *folio;

	rcu_read_lock();
	xas_for_each(&xas, folio, end) {
		if (xas_retry(&xas, folio))
			continue;
		if (!folio_try_get(folio))
			continue;
		if (unlikely(folio != xas_reload(&xas))) {
			folio_put(folio);
			xas_reset(&xas);
			continue;
		}
		if (folio_test_dirty(folio)) {
${early}
			rcu_read_unlock();
			return -EBUSY;
		}
		foo_account(folio);
		folio_put(folio);
	}
	rcu_read_unlock();
	return 0;
}
`;
add({ name: 'an early return from xas_for_each() with the loop\'s folio reference', buggy: XAS_LOOP(''), correct: XAS_LOOP('\t\t\tfolio_put(folio);'), rule: 'ref-balance/leak' });

const LIST_LOOP = (found: string) => `
static int foo_find(struct foo_pool *pool, int id)
{
	struct foo_item *it;

	spin_lock(&pool->lock);
	list_for_each_entry(it, &pool->items, node) {
		if (it->id == id) {
${found}
		}
	}
	spin_unlock(&pool->lock);
	return -ENOENT;
}
`;
add({
  name: 'an early return from list_for_each_entry() with the lock the code after the loop drops',
  buggy: LIST_LOOP('\t\t\treturn it->val;'),
  correct: LIST_LOOP('\t\t\tint v = it->val;\n\n\t\t\tspin_unlock(&pool->lock);\n\t\t\treturn v;'),
  rule: 'bracket/unbalanced',
});

// ---- xa_lock / xas_lock_irq: a spinlock plus IRQs off
const XA_SLEEP = (inside: string) => `
static void foo_tag(struct address_space *mapping, pgoff_t index)
{
	XA_STATE(xas, &mapping->i_pages, index);
	struct folio *folio;

	xas_lock_irq(&xas);
	folio = xas_load(&xas);
	if (folio)
		${inside}
	xas_unlock_irq(&xas);
}
`;
add({ name: 'a sleeping call under xas_lock_irq()', buggy: XA_SLEEP('folio_lock(folio);'), correct: XA_SLEEP('xas_set_mark(&xas, PAGECACHE_TAG_TOWRITE);'), rule: 'atomic-sleep/sleep-in-atomic' });
const XA_STYLE = (unlock: string) => `
static void foo_mark(struct address_space *mapping, pgoff_t index)
{
	XA_STATE(xas, &mapping->i_pages, index);

	xas_lock_irq(&xas);
	xas_set_mark(&xas, PAGECACHE_TAG_TOWRITE);
	${unlock}
}
`;
add({ name: 'xas_lock_irq() closed by xas_unlock(): IRQs stay off', buggy: XA_STYLE('xas_unlock(&xas);'), correct: XA_STYLE('xas_unlock_irq(&xas);'), rule: 'bracket/unbalanced' });
add({
  name: 'spin_lock_irq() closed by spin_unlock(): IRQs stay off',
  buggy: XA_STYLE('xas_unlock(&xas);').replace('xas_lock_irq(&xas)', 'spin_lock_irq(&mapping->host->i_lock)').replace('xas_unlock(&xas)', 'spin_unlock(&mapping->host->i_lock)'),
  correct: XA_STYLE('xas_unlock(&xas);').replace('xas_lock_irq(&xas)', 'spin_lock_irq(&mapping->host->i_lock)').replace('xas_unlock(&xas)', 'spin_unlock_irq(&mapping->host->i_lock)'),
  rule: 'bracket/unbalanced',
});

// ---- sleeping calls under spinlocks, RCU, IRQs off and preemption off
const SECTIONS: Record<string, [string, string]> = {
  spinlock: ['spin_lock(&fc->lock);', 'spin_unlock(&fc->lock);'],
  RCU: ['rcu_read_lock();', 'rcu_read_unlock();'],
  'IRQs off': ['local_irq_disable();', 'local_irq_enable();'],
  'preemption off': ['preempt_disable();', 'preempt_enable();'],
};
const SLEEPERS: Record<string, string> = {
  'folio_lock()': 'folio_lock(folio);\n\tfolio_unlock(folio);',
  'folio_wait_writeback()': 'folio_wait_writeback(folio);',
  'mutex_lock()': 'mutex_lock(&fc->mutex);\n\tmutex_unlock(&fc->mutex);',
  'down_read()': 'down_read(&fc->sem);\n\tup_read(&fc->sem);',
  'a GFP_KERNEL allocation': 'fc->buf = kmalloc(64, GFP_KERNEL);',
  'vfree()': 'vfree(fc->buf);',
  'cond_resched()': 'cond_resched();',
};
let n = 0;
for (const [sect, [open, close]] of Object.entries(SECTIONS))
  for (const [what, call] of Object.entries(SLEEPERS)) {
    const fn = `foo_sleep_${n++}`;
    add({
      name: `${what} under ${sect}`,
      buggy: `\nstatic void ${fn}(struct foo_ctl *fc, struct folio *folio)\n{\n\t${open}\n\t${call}\n\t${close}\n}\n`,
      correct: `\nstatic void ${fn}(struct foo_ctl *fc, struct folio *folio)\n{\n\t${open}\n\tfc->n++;\n\t${close}\n\t${call}\n}\n`,
      rule: 'atomic-sleep/sleep-in-atomic',
    });
  }
/** A helper of the patch that always sleeps, and a caller whose stop steps are `stop`. */
const FOO_WAIT = (stop: string) => `
static void foo_wait(struct foo_ctl *fc)
{
	might_sleep();
	wait_event(fc->wq, READ_ONCE(fc->done));
}

static void foo_stop(struct foo_ctl *fc)
{
	spin_lock(&fc->lock);
	fc->stopping = true;
${stop}}
`;
add({
  name: 'a function of the patch that always sleeps (might_sleep()) called under a spinlock',
  buggy: FOO_WAIT('\tfoo_wait(fc);\n\tspin_unlock(&fc->lock);\n'),
  correct: FOO_WAIT('\tspin_unlock(&fc->lock);\n\tfoo_wait(fc);\n'),
  rule: 'atomic-sleep/sleep-in-atomic',
});

// ---- flag- and result-dependent acquisitions
const GUP_ONE = (reject: string) => `
static int foo_get_one(unsigned long addr, struct page **pagep)
{
	struct page *page;
	int ret;

	ret = get_user_pages_fast(addr, 1, FOLL_WRITE, &page);
	if (ret <= 0)
		return ret ? ret : -EFAULT;
	if (PageHighMem(page)) {
${reject}
		return -EINVAL;
	}
	*pagep = page;
	return 0;
}
`;
add({ name: 'a GUP count of 0 or an error holds nothing; a page it did return leaks on a later error', buggy: GUP_ONE(''), correct: GUP_ONE('\t\tput_page(page);'), rule: 'ref-balance/leak' });
const FOLLOW = (reject: string) => `
static int foo_peek(struct vm_area_struct *vma, unsigned long addr)
{
	struct page *page;
	int ret;

	page = follow_page(vma, addr, FOLL_GET);
	if (IS_ERR_OR_NULL(page))
		return -EFAULT;
	if (PageHWPoison(page)) {
${reject}
		return -EHWPOISON;
	}
	ret = page_mapcount(page);
	put_page(page);
	return ret;
}
`;
add({ name: 'follow_page(FOLL_GET) takes a reference (v6.11 and before)', buggy: FOLLOW(''), correct: FOLLOW('\t\tput_page(page);'), rule: 'ref-balance/leak', kernel: '6.6' });

const PARTIAL = (count: string) => `
static int foo_pin_range(unsigned long addr, int n, struct page **pages)
{
	int ret;

	ret = pin_user_pages_fast(addr, n, FOLL_WRITE | FOLL_LONGTERM, pages);
	if (ret < 0)
		return ret;
	if (ret < n) {
		unpin_user_pages(pages, ${count});
		return -EFAULT;
	}
	return 0;
}
`;
add({ name: 'a partial pin undone by the count asked for, not the count pinned', buggy: PARTIAL('n'), correct: PARTIAL('ret'), rule: 'ref-balance/release-without-acquire' });

const FOLLOW0 = (put: string) => `
static int foo_peek0(struct vm_area_struct *vma, unsigned long addr)
{
	struct page *page;

	page = follow_page(vma, addr, 0);
	if (IS_ERR_OR_NULL(page))
		return -EFAULT;
	if (PageHWPoison(page))
		return -EHWPOISON;
${put}
	return 0;
}
`;
add({ name: 'follow_page() without FOLL_GET takes no reference: a put drops somebody else\'s (v6.11 and before)', buggy: FOLLOW0('\tput_page(page);'), correct: FOLLOW0(''), rule: 'ref-balance/release-without-acquire', kernel: '6.6' });

// ---- bias-counted pins undone by one; kmap_local_page() vs kunmap()
const BIAS = (undo: string) => `
static void foo_pin_page(struct page *page, bool undo)
{
	page_ref_add(page, GUP_PIN_COUNTING_BIAS);
	if (undo)
		${undo}
}
`;
add({ name: 'a GUP_PIN_COUNTING_BIAS pin undone with put_page()', buggy: BIAS('put_page(page);'), correct: BIAS('page_ref_sub(page, GUP_PIN_COUNTING_BIAS);'), rule: 'ref-kind/bias-mismatch' });
const KMAP = (unmap: string) => `
static void foo_zero_tail(struct page *page, unsigned int from)
{
	void *kaddr = kmap_local_page(page);

	memset(kaddr + from, 0, PAGE_SIZE - from);
	${unmap}
}
`;
add({ name: 'kmap_local_page() undone with kunmap(page)', buggy: KMAP('kunmap(page);'), correct: KMAP('kunmap_local(kaddr);'), rule: 'ref-kind/mismatched-release' });
add({ name: 'kmap_local_page() undone with kunmap() of the address', buggy: KMAP('kunmap(kaddr);'), correct: KMAP('kunmap_local(kaddr);'), rule: 'ref-kind/wrong-type' });

// ---- locks by another name; locks handed back by contract
const LOCKPTR = LOCKPTR_CODE;
add({ name: 'a pmd lock released through pmd_lockptr()', buggy: LOCKPTR(''), correct: LOCKPTR('\t\tspin_unlock(pmd_lockptr(mm, pmd));'), rule: 'bracket/unbalanced' });
const ENTER = ENTER_CODE;
add({ name: 'a function that says it returns with preemption disabled', buggy: ENTER('/* Claim this CPU\'s slot. */'), correct: ENTER('/* Returns 1 with preemption disabled, 0 with it enabled. */'), rule: 'bracket/unbalanced' });

const RELEASES = (early: string) => `
static void foo_drop_locked(struct foo_ctl *fc)
	__releases(&fc->lock)
{
	if (fc->busy) {
${early}
		return;
	}
	fc->n--;
	spin_unlock(&fc->lock);
}
`;
add({ name: 'a function annotated __releases() that returns early with the lock', buggy: RELEASES(''), correct: RELEASES('\t\tspin_unlock(&fc->lock);'), rule: 'bracket/unbalanced' });

/** A patch adding `code` as mm/idiom.c. */
function newFile(code: string): string {
  const ls = code.replace(/^\n/, '').replace(/\n$/, '').split('\n');
  return ['diff --git a/mm/idiom.c b/mm/idiom.c', 'new file mode 100644', 'index 0000000..1111111', '--- /dev/null', '+++ b/mm/idiom.c', `@@ -0,0 +1,${ls.length} @@`, ...ls.map((l) => '+' + l), ''].join('\n');
}

interface JFinding {
  rule: string;
  severity: string;
  message: string;
}

describe('kernel idioms through the CLI: a buggy and a correct variant each', () => {
  const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-review-idioms-'));
  const results = new Map<string, JFinding[]>();
  before(() => {
    // one directory per kernel era, one CLI run each
    const eras = new Map<string, Idiom[]>();
    for (const i of IDIOMS) eras.set(i.kernel ?? '', [...(eras.get(i.kernel ?? '') ?? []), i]);
    for (const [era, list] of eras) {
      const dir = path.join(TMP, era || 'mainline');
      fs.mkdirSync(dir);
      list.forEach((i, k) => {
        fs.writeFileSync(path.join(dir, `${String(IDIOMS.indexOf(i)).padStart(3, '0')}-buggy.patch`), newFile(i.buggy));
        fs.writeFileSync(path.join(dir, `${String(IDIOMS.indexOf(i)).padStart(3, '0')}-correct.patch`), newFile(i.correct));
        void k;
      });
      const r = spawnSync(process.execPath, [BIN, 'check', '--format', 'json', ...(era ? ['--kernel-version', era] : []), dir], { encoding: 'utf8', maxBuffer: 64 << 20 });
      assert.ok(r.status === 0 || r.status === 1, r.stderr);
      for (const f of JSON.parse(r.stdout).files as { path: string; findings: (JFinding & { category: string })[] }[])
        results.set(path.basename(f.path), f.findings.filter((x) => x.category !== 'input' && (x.severity === 'warning' || x.severity === 'error')));
    }
  });
  after(() => fs.rmSync(TMP, { recursive: true, force: true }));

  IDIOMS.forEach((i, k) => {
    const id = String(k).padStart(3, '0');
    it(i.name, () => {
      const b = results.get(`${id}-buggy.patch`);
      const c = results.get(`${id}-correct.patch`);
      assert.ok(b && c, 'the CLI reported both files');
      assert.ok(b.some((f) => f.rule === i.rule), `buggy: want ${i.rule}, got ${JSON.stringify(b.map((f) => `${f.rule}: ${f.message}`))}`);
      assert.deepEqual(c.map((f) => `${f.rule}: ${f.message}`), [], 'correct: no warning or error');
    });
  });
});
