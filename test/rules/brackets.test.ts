/** bracket and atomic-sleep rules, and the seeds / planted examples in these categories. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { addPatch, findings, expectRule, expectClean, lineOf } from './helpers';
import { seed, repoRoot } from '../c/fixtures';

describe('bracket/unbalanced', () => {
  const code = (unlock: boolean) => `
static int update(struct foo *f, int v)
{
	spin_lock(&f->lock);
	if (f->dead) {
${unlock ? '\t\tspin_unlock(&f->lock);\n' : ''}		return -EBUSY;
	}
	f->v = v;
	spin_unlock(&f->lock);
	return 0;
}
`;
  it('a spinlock still held on an error return, with the unlock as quick fix', () => {
    const p = addPatch(code(false));
    const [f] = expectRule(findings(p), 'bracket/unbalanced', 1);
    assert.equal(f.range.start.line + 1, lineOf(p, 'return -EBUSY'));
    assert.match(f.message, /spin_lock\(\)/);
    // the fix is a diff edit: new lines are `+` lines
    assert.equal(f.fixes?.[0].edits[0].newText.replace(/^\+/gm, '').replace(/\s+/g, ' ').trim(), 'spin_unlock(&f->lock); return -EBUSY;');
    expectClean(findings(addPatch(code(true))));
  });
  it('a function that returns with the lock held on success and drops it on failure is the locking convention, not a bug', () => {
    expectClean(findings(addPatch(`
static int lock_foo(struct foo *f)
{
	spin_lock(&f->lock);
	if (f->dead) {
		spin_unlock(&f->lock);
		return -ENOENT;
	}
	return 0;
}
`)));
  });
  it('rcu_read_unlock twice on one path', () => {
    const p = addPatch(`
static void walk(struct foo *f)
{
	rcu_read_lock();
	visit(f);
	rcu_read_unlock();
	rcu_read_unlock();
}
`);
    const [f] = expectRule(findings(p), 'bracket/unbalanced', 1);
    assert.equal(f.range.start.line + 1, lineOf(p, 'rcu_read_unlock()', 1));
  });
  it('locks paired across a goto ladder are clean', () => {
    expectClean(findings(addPatch(`
static int ladder(struct foo *f)
{
	int err;

	spin_lock(&f->lock);
	err = check(f);
	if (err)
		goto unlock;
	f->v++;
unlock:
	spin_unlock(&f->lock);
	return err;
}
`)));
  });
});

describe('bracket/flags-mismatch and bracket/mixed-irq-style', () => {
  it('seed 003: local_irq_restore(flags) on an `unsigned long *flags` parameter, fixed to *flags', () => {
    const text = seed(3);
    const fs = findings(text);
    const [f] = expectRule(fs, 'bracket/flags-mismatch', 1);
    assert.equal(f.function, 'deregister_lockless_page_table_walker');
    assert.equal(f.range.start.line + 1, lineOf(text, '+       local_irq_restore(flags);'));
    assert.match(f.fixes?.[0].edits[0].newText ?? '', /^\+\s*local_irq_restore\(\*flags\);$/);
    // local_irq_save(*flags) in register_... is right
    assert.equal(fs.some((x) => x.function === 'register_lockless_page_table_walker' && x.rule === 'bracket/flags-mismatch'), false);
  });
  it('seed 003: #ifdef LOCKLESS_PAGE_TABLE_WALK_TRACKING where the patch adds that Kconfig symbol', () => {
    const fs = findings(seed(3));
    const hits = expectRule(fs, 'bracket/kconfig-prefix', 2);
    assert.deepEqual(hits.map((h) => h.function).sort(), ['deregister_lockless_page_table_walker', 'register_lockless_page_table_walker']);
    assert.equal(hits[0].fixes?.[0].edits[0].newText, '+#ifdef CONFIG_LOCKLESS_PAGE_TABLE_WALK_TRACKING');
  });
  it('restoring a different flags variable than the one saved', () => {
    const code = (v: string) => `
static void f(struct foo *x)
{
	unsigned long flags, other;

	local_irq_save(flags);
	touch(x);
	local_irq_restore(${v});
}
`;
    expectRule(findings(addPatch(code('other'))), 'bracket/flags-mismatch', 1);
    expectClean(findings(addPatch(code('flags'))));
  });
  it('local_irq_save closed with local_irq_enable', () => {
    const code = (close: string) => `
static void g(struct foo *x)
{
	unsigned long flags;

	local_irq_save(flags);
	touch(x);
	${close};
}
`;
    const p = addPatch(code('local_irq_enable()'));
    const [f] = expectRule(findings(p), 'bracket/mixed-irq-style', 1);
    assert.equal(f.range.start.line + 1, lineOf(p, 'local_irq_enable()'));
    expectClean(findings(addPatch(code('local_irq_restore(flags)'))));
  });
});

describe('bracket/use-after-close', () => {
  const code = (late: boolean) => `
static int peek_pte(struct mm_struct *mm, pmd_t *pmd, unsigned long addr)
{
	spinlock_t *ptl;
	pte_t *pte;
	int young;

	pte = pte_offset_map_lock(mm, pmd, addr, &ptl);
	if (!pte)
		return -EAGAIN;
${late ? '' : '\tyoung = pte_young(*pte);\n'}	pte_unmap_unlock(pte, ptl);
${late ? '\tyoung = pte_young(*pte);\n' : ''}	return young;
}
`;
  it('*pte read after pte_unmap_unlock (scenario S4)', () => {
    const p = addPatch(code(true));
    const [f] = expectRule(findings(p), 'bracket/use-after-close', 1);
    assert.equal(f.range.start.line + 1, lineOf(p, 'young = pte_young(*pte)'));
    assert.equal(f.scenario, 'S4');
    expectClean(findings(addPatch(code(false))));
  });
  it('an rcu_dereference()d pointer used after rcu_read_unlock', () => {
    const code2 = (late: boolean) => `
static int owner_id(struct foo *f)
{
	struct bar *b;
	int id;

	rcu_read_lock();
	b = rcu_dereference(f->bar);
${late ? '' : '\tid = b->id;\n'}	rcu_read_unlock();
${late ? '\tid = b->id;\n' : ''}	return id;
}
`;
    expectRule(findings(addPatch(code2(true))), 'bracket/use-after-close', 1);
    expectClean(findings(addPatch(code2(false))));
  });
});

describe('atomic-sleep/sleep-in-atomic', () => {
  it('seed 001: vma->vm_ops->fault() called inside the speculative RCU section (its own race: the sleep family)', () => {
    const text = seed(1);
    const [f] = expectRule(findings(text), 'atomic-sleep/sleep-in-atomic', 1);
    assert.equal(f.function, '__do_fault');
    assert.equal(f.trace?.family, 'sleep');
    assert.equal(f.trace?.events.find((e) => e.kind === 'sleep')?.expr, 'vma->vm_ops->fault(vmf)');
    assert.match(f.message, /vma->vm_ops->fault\(\)/);
    assert.match(f.message, /RCU/);
    assert.equal(f.related[0].range.start.line + 1, lineOf(text, '+\t\trcu_read_lock();'));
  });
  it('mutex_lock under a spinlock; quiet after the unlock', () => {
    const code = (inside: boolean) => `
static void sync_foo(struct foo *f)
{
	spin_lock(&f->lock);
${inside ? '\tmutex_lock(&f->mutex);\n' : ''}	f->v++;
	spin_unlock(&f->lock);
${inside ? '' : '\tmutex_lock(&f->mutex);\n'}	f->w++;
	mutex_unlock(&f->mutex);
}
`;
    expectRule(findings(addPatch(code(true))), 'atomic-sleep/sleep-in-atomic', 1);
    expectClean(findings(addPatch(code(false))));
  });
  it('a sleep on only one of two paths into it is not reported (definitely held only)', () => {
    expectClean(findings(addPatch(`
static void maybe(struct foo *f, bool atomic)
{
	if (atomic)
		preempt_disable();
	cond_resched_if(f);
	if (atomic)
		preempt_enable();
	msleep(1);
}
`)));
  });
});

describe('the planted bugs of examples/ in these categories', () => {
  const ex = (f: string) => fs.readFileSync(path.join(repoRoot(), 'examples', f), 'utf8');
  const at = (list: ReturnType<typeof findings>, rule: string, file: string, line: number) =>
    assert.ok(list.some((x) => x.rule === rule && x.file === file && x.fileLine === line), `${rule} at ${file}:${line}; have ${list.map((x) => `${x.rule} ${x.file}:${x.fileLine}`).join(', ')}`);
  it('gup-stable-pin-series.mbox: pin leak, missing re-check, folio_lock under RCU; nothing else from these rules', () => {
    const list = findings(ex('gup-stable-pin-series.mbox')).filter((x) => x.category !== 'barrier');
    at(list, 'ref-balance/leak', 'mm/gup.c', 177);
    at(list, 'spec-ref/no-revalidation', 'mm/filemap.c', 120);
    at(list, 'atomic-sleep/sleep-in-atomic', 'mm/filemap.c', 158);
    assert.equal(list.length, 3, list.map((x) => x.message).join('\n'));
  });
  it('mangled-pinned-ptes.eml: return with the PTL held', () => {
    const list = findings(ex('mangled-pinned-ptes.eml')).filter((x) => x.category !== 'barrier');
    at(list, 'bracket/unbalanced', 'mm/memory.c', 139);
    assert.equal(list.length, 1);
  });
  it('qp-readahead-order.eml: folio_get on an xa_load result', () => {
    const list = findings(ex('qp-readahead-order.eml')).filter((x) => x.category !== 'barrier');
    at(list, 'spec-ref/get-on-lockless-lookup', 'mm/readahead.c', 119);
    assert.equal(list.length, 1);
  });
});
