/**
 * Deletions judged from the hunk alone, with the code around it out of sight:
 * a goto retargeted past the release its old label names, and a release
 * under a deleted label whose gotos were replaced by code of their own.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { addPatch, findings, expectRule, expectClean, lineOf, ifTestPatch } from './helpers';

/** The file header lines of a git diff of `path`. */
function fileHead(path = 'mm/t.c'): string[] {
  return [`diff --git a/${path} b/${path}`, 'index 1111111..2222222 100644', `--- a/${path}`, `+++ b/${path}`];
}

/** A one-hunk patch in the middle of `fn` (its start and end are not shown). */
function midPatch(body: string[], fn = 'static int grow_table(struct tbl *t, pmd_t *pmd)'): string {
  const old = body.filter((l) => !l.startsWith('+')).length;
  const neu = body.filter((l) => !l.startsWith('-')).length;
  return [...fileHead(), `@@ -400,${old} +400,${neu} @@ ${fn}`, ...body, ''].join('\n');
}

describe('retargeted goto (label out of sight)', () => {
  const patch = (from: string, to: string, lockFirst = true) =>
    midPatch([
      ' \tint err;',
      ' ',
      ...(lockFirst ? [' \tptl = pmd_lock(t->mm, pmd);', ' \terr = check_room(t);'] : [' \terr = check_room(t);']),
      ' \tif (err)',
      `-\t\tgoto ${from};`,
      `+\t\tgoto ${to};`,
      ' ',
      ' \tt->count++;',
    ]);
  it('a lock taken in the hunk, the goto moved from an unlock label to a plain one', () => {
    const p = patch('out_unlock', 'out');
    const [f] = expectRule(findings(p), 'bracket/unbalanced', 1);
    assert.equal(f.range.start.line + 1, lineOf(p, '+\t\tgoto out;'));
    assert.match(f.message, /retargets `goto out_unlock` to `goto out`/);
  });
  it('the other way round, or with nothing held, is not reported', () => {
    expectClean(findings(patch('out', 'out_unlock')));
    expectClean(findings(patch('out_unlock', 'out', false)));
    // the new label's name still says it unlocks
    expectClean(findings(patch('unlock_abort', 'out_unlock')));
    // a label of its own may fall through into the unlock (`out_free:` above `out_unlock:`): not judged
    expectClean(findings(patch('out_unlock', 'out_free')));
  });
});

describe('release under a deleted label, its gotos replaced', () => {
  const patch = (second: string[]) =>
    midPatch(
      [
        ' \tif (bad_state(t))',
        ' \t\tret = -EFAULT;',
        ' ',
        '-\tif (ret)',
        '-\t\tgoto out_put;',
        '+\tif (ret) {',
        '+\t\tput_page(page);',
        '+\t\treturn ret;',
        '+\t}',
        ' ',
        ' \tif (busy(t)) {',
        ' \t\tnote_busy(t);',
        '-\t\tret = -EBUSY;',
        '-\t\tgoto out_put;',
        ...second,
        ' \t}',
        ' ',
        ' \tinstall(t, page);',
        ' \treturn 0;',
        '-',
        '-out_put:',
        '-\tput_page(page);',
        '-\treturn ret;',
        ' }',
      ],
      'static int map_one(struct tbl *t, struct page *page)',
    );
  it('one replacement returns without the put its sibling kept', () => {
    const p = patch(['+\t\treturn -EBUSY;']);
    const [f] = expectRule(findings(p), 'ref-balance/leak', 1);
    assert.equal(f.range.start.line + 1, lineOf(p, '+\t\treturn -EBUSY;'));
    assert.match(f.message, /removes `put_page\(page\)`|drops it with put_page/);
  });
  it('with the label in a later hunk (code out of sight between): the deleted put is the evidence', () => {
    const head = fileHead();
    const p = [
      ...head,
      '@@ -400,8 +400,10 @@ static int map_one(struct tbl *t, struct page *page)',
      ' 	if (bad_state(t))',
      ' 		ret = -EFAULT;',
      ' ',
      '-	if (ret)',
      '-		goto out_put;',
      '+	if (ret) {',
      '+		put_page(page);',
      '+		return ret;',
      '+	}',
      ' ',
      ' 	if (busy(t)) {',
      ' 		note_busy(t);',
      '-		ret = -EBUSY;',
      '-		goto out_put;',
      '+		return -EBUSY;',
      ' 	}',
      '@@ -480,8 +482,4 @@ static int map_one(struct tbl *t, struct page *page)',
      ' 	install(t, page);',
      ' 	return 0;',
      '-',
      '-out_put:',
      '-\tput_page(page);',
      '-\treturn ret;',
      ' }',
      '',
    ].join('\n');
    const [f] = expectRule(findings(p), 'ref-balance/leak', 1);
    assert.equal(f.range.start.line + 1, lineOf(p, '+\t\treturn -EBUSY;'));
    assert.match(f.message, /removes `put_page\(page\)`|drops it with put_page/);
  });
  it('every replacement keeps the put: clean', () => {
    expectClean(findings(patch(['+\t\tput_page(page);', '+\t\treturn -EBUSY;'])));
  });
});

describe('a release inside a debug-only assertion', () => {
  const code = (body: string) => `
static void drop_pool_pages(struct list_head *list)
{
	struct page *page, *tmp;

	list_for_each_entry_safe(page, tmp, list, lru) {
${body}
		add_to_pool(page);
	}
}
`;
  it('VM_BUG_ON_PAGE(!put_page_testzero(page)) loses the put without CONFIG_DEBUG_VM', () => {
    const p = addPatch(code('\t\tVM_BUG_ON_PAGE(!put_page_testzero(page), page);'));
    const [f] = expectRule(findings(p), 'ref-balance/leak', 1);
    assert.equal(f.range.start.line + 1, lineOf(p, 'VM_BUG_ON_PAGE'));
    assert.match(f.message, /CONFIG_DEBUG_VM/);
  });
  it('the put outside the assertion, or inside an assertion that always evaluates: clean', () => {
    expectClean(findings(addPatch(code('\t\tint zeroed = put_page_testzero(page);\n\n\t\tVM_BUG_ON_PAGE(!zeroed, page);'))));
    expectClean(findings(addPatch(code('\t\tWARN_ON(!put_page_testzero(page));'))));
  });
});

describe('an acquire whose result is discarded', () => {
  const code = (keep: boolean) => `
static int scan_range(struct mm_struct *mm, pmd_t *pmd, unsigned long addr)
{
	pte_t *pte;
	spinlock_t *ptl;

	pte = pte_offset_map_lock(mm, pmd, addr, &ptl);
	if (!pte)
		return -EAGAIN;
	if (need_split(pte)) {
		pte_unmap_unlock(pte, ptl);
		split_range(mm, addr);
		${keep ? 'pte = ' : ''}pte_offset_map_lock(mm, pmd, addr, &ptl);
	}
	pte_unmap_unlock(pte, ptl);
	return 0;
}
`;
  it('pte_offset_map_lock() as a statement: the new mapping can never be unmapped', () => {
    const p = addPatch(code(false));
    const fs = findings(p).filter((f) => /is discarded/.test(f.message));
    assert.equal(fs.length, 1, fs.map((f) => f.message).join('\n'));
    assert.equal(fs[0].rule, 'bracket/unbalanced');
    assert.equal(fs[0].range.start.line + 1, lineOf(p, '\t\tpte_offset_map_lock(mm, pmd, addr, &ptl);'));
  });
  it('the result kept: no such finding', () => {
    assert.deepEqual(findings(addPatch(code(true))).filter((f) => /is discarded/.test(f.message)), []);
  });
});

describe('a callee that drops the caller\'s lock (catalog)', () => {
  const patch = (unlock: boolean) =>
    midPatch(
      [
        ' \t\tif (is_migration_entry(entry)) {',
        ' \t\t\tmigration_entry_wait_on_locked(entry, ptl);',
        ...(unlock ? ['+\t\t\tspin_unlock(ptl);'] : []),
        ' \t\t\treturn -EAGAIN;',
        ' \t\t}',
      ],
      'static int collect_one(pmd_t *pmdp, spinlock_t *ptl, swp_entry_t entry)',
    );
  it('an unlock added after migration_entry_wait_on_locked() is a second unlock', () => {
    const p = patch(true).replace('@@ -400,4 +400,5 @@', '@@ -400,4 +400,5 @@');
    const [f] = expectRule(findings(p), 'bracket/unbalanced', 1);
    assert.match(f.message, /second time/);
  });
});

describe('a release given the loop cursor minus one', () => {
  const code = (brk: boolean, arg: string) => `
static int scan_ptes(struct mm_struct *mm, pmd_t *pmd, unsigned long addr, unsigned long end)
{
	pte_t *ptep, *start;
	spinlock_t *ptl;
	int ret = 0;

	start = ptep = pte_offset_map_lock(mm, pmd, addr, &ptl);
	if (!ptep)
		return -EAGAIN;
	for (; addr != end; ptep++, addr += PAGE_SIZE) {
		ret = check_entry(*ptep);
${brk ? '\t\tif (ret == 1)\n\t\t\tbreak;\n' : ''}	}
	pte_unmap_unlock(${arg}, ptl);
	return ret;
}
`;
  it('a break can leave before the first advance: ptep - 1 is before the mapping', () => {
    const p = addPatch(code(true, 'ptep - 1'));
    const [f] = expectRule(findings(p), 'bracket/unbalanced', 1);
    assert.equal(f.range.start.line + 1, lineOf(p, 'pte_unmap_unlock(ptep - 1'));
    assert.match(f.message, /break/);
  });
  it('no break in the loop, or the saved pointer: clean', () => {
    expectClean(findings(addPatch(code(false, 'ptep - 1'))));
    expectClean(findings(addPatch(code(true, 'start'))));
  });
  it('the loop out of sight: the patch trades the saved pointer for the cursor minus one', () => {
    const p = midPatch(
      [
        ' \tarch_leave_lazy_mmu_mode();',
        ' ',
        ' \tif (mm != &init_mm)',
        '-\t\tpte_unmap_unlock(mapped_pte, ptl);',
        '+\t\tpte_unmap_unlock(pte - 1, ptl);',
        ' \treturn err;',
        ' }',
      ],
      'static int walk_range(struct mm_struct *mm, pmd_t *pmd, unsigned long addr)',
    );
    const [f] = expectRule(findings(p), 'bracket/unbalanced', 1);
    assert.match(f.message, /instead of `mapped_pte`/);
    // the other way round is the fix
    expectClean(findings(p.replace('-\t\tpte_unmap_unlock(mapped_pte, ptl);\n+\t\tpte_unmap_unlock(pte - 1, ptl);', '-\t\tpte_unmap_unlock(pte - 1, ptl);\n+\t\tpte_unmap_unlock(mapped_pte, ptl);')));
  });
});

describe('a sleeping call moved from after an unlock to before it', () => {
  const head = fileHead();
  const patch = (moved: boolean) =>
    [
      ...head,
      '@@ -400,5 +400,5 @@ static struct info *alloc_info(void)',
      ' \t} else {',
      ...(moved ? ['-\t\told = p;', '+\t\tkvfree(p);'] : [' \t\told = p;']),
      ' \t\tp = table[type];',
      ' \t}',
      ' \tp->flags = USED;',
      `@@ -420,4 +420,${moved ? 3 : 4} @@ static struct info *alloc_info(void)`,
      ' \tp->next = NULL;',
      ' \tspin_unlock(&table_lock);',
      ...(moved ? ['-\tkvfree(old);'] : [' \tkvfree(old);']),
      ' \treturn p;',
      '',
    ].join('\n');
  it('kvfree() moved into the spinlock section a later hunk closes', () => {
    const p = patch(true);
    const [f] = expectRule(findings(p), 'atomic-sleep/sleep-in-atomic', 1);
    assert.equal(f.range.start.line + 1, lineOf(p, '+\t\tkvfree(p);'));
    assert.match(f.message, /moves kvfree\(\)/);
  });
  it('kept after the unlock: clean', () => {
    expectClean(findings(patch(false)));
  });
});

describe('kobject_del() is not a release (catalog)', () => {
  const patch = (after: string[]) =>
    midPatch(['-\tkobject_put(&root->group_kobj);', ...after.map((l) => '+' + l), ' }'], 'void delete_group(struct root *root)');
  it('kobject_put() replaced by kobject_del(): the reference is never dropped', () => {
    const p = patch(['\tkobject_del(&root->group_kobj);']);
    expectRule(findings(p), 'ref-balance/leak', 1);
  });
  it('kobject_del() followed by kobject_put(): clean', () => {
    expectClean(findings(patch(['\tkobject_del(&root->group_kobj);', '\tkobject_put(&root->group_kobj);'])));
  });
});

describe('a re-check deleted after a speculative get it keeps', () => {
  const body = (del: boolean) => {
    const m = del ? '-' : ' ';
    return [
      ' \tif (!folio_try_get(folio))',
      ' \t\tgoto repeat;',
      `${m}`,
      `${m}\tif (unlikely(folio != xas_reload(xas))) {`,
      `${m}\t\tfolio_put(folio);`,
      `${m}\t\tgoto repeat;`,
      `${m}\t}`,
      ' \tfolio_mark_accessed(folio);',
      ...(del ? [] : ['+\tcount_hit(folio);']),
      ' \treturn folio;',
    ];
  };
  it('the lookup out of sight: the deleted re-check is the evidence', () => {
    const p = midPatch(body(true), 'static struct folio *grab_entry(struct xa_state *xas)');
    const [f] = expectRule(findings(p), 'spec-ref/no-revalidation', 1);
    assert.equal(f.range.start.line + 1, lineOf(p, 'folio_try_get(folio)'));
    assert.match(f.message, /removes the re-check/);
  });
  it('the re-check kept: clean', () => {
    expectClean(findings(midPatch(body(false), 'static struct folio *grab_entry(struct xa_state *xas)')));
  });
});

describe('a re-check the patch narrows after a speculative get', () => {
  const patch = (narrow: boolean) =>
    midPatch(
      [
        ' \tif (!folio_try_get(folio))',
        ' \t\tgoto repeat;',
        ' ',
        '-\tif (unlikely(folio != xas_reload(xas)) ||',
        '-\t    unlikely(folio->mapping != mapping)) {',
        narrow ? '+\tif (unlikely(folio != xas_reload(xas))) {' : '+\tif (unlikely(folio->mapping != mapping) || unlikely(folio != xas_reload(xas))) {',
        ' \t\tfolio_put(folio);',
        ' \t\tgoto repeat;',
        ' \t}',
        ' \treturn folio;',
      ],
      'static struct folio *grab_entry(struct xa_state *xas, struct address_space *mapping)',
    );
  it('a condition dropped from the disjunction is reported', () => {
    const [f] = expectRule(findings(patch(true)), 'spec-ref/no-revalidation', 1);
    assert.match(f.message, /drops `folio->mapping!=mapping`/);
  });
  it('the same conditions reordered: clean', () => {
    expectClean(findings(patch(false)));
  });
});

describe('a publication moved above the initialisation it ordered', () => {
  const patch = (moved: boolean) =>
    midPatch(
      moved
        ? [' \tmutex_init(&ctx->lock);', '+\trcu_assign_pointer(owner->ctx, ctx);', ' \tctx->ops = READ_ONCE(owner->ops);', ' \tctx->owner = owner;', '-\trcu_assign_pointer(owner->ctx, ctx);', ' \treturn ctx;', ' }']
        : [' \tmutex_init(&ctx->lock);', ' \tctx->ops = READ_ONCE(owner->ops);', '+\tctx->owner = owner;', ' \trcu_assign_pointer(owner->ctx, ctx);', ' \treturn ctx;', ' }'],
      'struct ctx *ctx_create(struct owner *owner)',
    );
  it('rcu_assign_pointer() moved before the field stores', () => {
    const p = patch(true);
    const [f] = expectRule(findings(p), 'barrier/plain-publish', 1);
    assert.equal(f.range.start.line + 1, lineOf(p, '+\trcu_assign_pointer'));
    assert.match(f.message, /moves `rcu_assign_pointer\(owner->ctx, ctx\)` above the initialisation/);
  });
  it('published after the stores: clean', () => {
    expectClean(findings(patch(false)));
  });
});

describe('a continue that keeps what the iteration took', () => {
  const code = (unlockFirst: boolean) => `
static void drop_cached(struct list_head *list)
{
	struct folio *folio;

	list_for_each_entry(folio, list, lru) {
		if (!folio_trylock(folio))
			continue;
		if (!folio_test_managed(folio)) {
${unlockFirst ? '\t\t\tfolio_unlock(folio);\n' : ''}			continue;
		}
		detach_folio(folio);
		folio_unlock(folio);
	}
}
`;
  it('the trylock succeeded, the loop continues without the unlock', () => {
    const p = addPatch(code(false));
    const [f] = expectRule(findings(p), 'bracket/unbalanced', 1);
    assert.match(f.message, /still held at `continue`/);
  });
  it('unlocked before continuing: clean', () => {
    expectClean(findings(addPatch(code(true))));
  });
});

describe('an RCU section deleted around a speculative get', () => {
  const patch = (del: boolean) =>
    midPatch(
      [
        ' \tstruct page *page;',
        `${del ? '-' : ' '}\trcu_read_lock();`,
        ' \tpage = radix_tree_lookup(&mapping->i_pages, index);',
        ' \tif (page && !page_cache_get_speculative(page))',
        ' \t\tpage = NULL;',
        `${del ? '-' : ' '}\trcu_read_unlock();`,
        ...(del ? [] : ['+\tcount_lookup(mapping);']),
        ' \treturn page;',
        ' }',
      ],
      'static struct page *lookup_one(struct address_space *mapping, pgoff_t index)',
    );
  it('the get kept, the section around it removed', () => {
    const p = patch(true);
    const [f] = expectRule(findings(p), 'spec-ref/outside-rcu', 1);
    assert.match(f.message, /removes rcu_read_lock\(\)/);
  });
  it('the section kept: clean', () => {
    expectClean(findings(patch(false)));
  });
});

describe('release deleted before code out of sight', () => {
  // the label's code is not shown: before the patch it ran with the lock released, so (if the old code
  // was balanced) it does not release it; the patch leaves it held going there
  const patch = (body: string[]) =>
    midPatch([' \tptl = pte_lockptr(t->mm, pmd);', ' \tif (!pte_present(*pte)) {', ...body, ' \t}', ' \tset_pte(t, pte);'], 'static int walk_one(struct tbl *t, pmd_t *pmd, pte_t *pte)');
  it('an unlock deleted before a goto to a label not shown', () => {
    const p = patch(['-\t\tspin_unlock(ptl);', ' \t\tgoto not_found;']);
    const [f] = expectRule(findings(p), 'bracket/unbalanced', 1);
    assert.match(f.message, /removes `spin_unlock\(ptl\)`.*code the patch does not show.*`goto not_found`/);
  });
  it('a put deleted at the end of the hunk, the path falling out of sight', () => {
    const p = midPatch([' \tif (folio_test_locked(folio)) {', ' \t\tcount_busy(t);', '-\t\tfolio_put(folio);', ' \t\tcontinue;', ' \t}', ' \tcount_idle(t);'], 'static void scan(struct tbl *t)');
    // `continue` goes to the loop head out of sight, with the reference still held
    expectRule(findings(p), 'ref-balance/leak', 1);
  });
  it('quiet when the whole branch went, when a call the patch adds takes the object, or when the patch adds the release elsewhere', () => {
    // the branch that released and jumped is deleted with its release: the path that remains never ran it
    expectClean(findings(midPatch([' \tspin_lock(ptl);', '-\tif (!pte_present(*pte)) {', '-\t\tspin_unlock(ptl);', '-\t\tgoto not_found;', '-\t}', ' \tset_pte(t, pte);'], 'static int walk_one(struct tbl *t, pmd_t *pmd, pte_t *pte)')));
    // replaced by a helper of the patch's own that is handed the lock
    expectClean(findings(patch(['-\t\tspin_unlock(ptl);', '+\t\tdrop_walk_lock(t, ptl);', ' \t\tgoto not_found;'])));
    // the unlock moved after the label's first step, in the same hunk: the dataflow sees it
    expectClean(findings(patch(['-\t\tspin_unlock(ptl);', ' \t\tcount_miss(t);', '+\t\tspin_unlock(ptl);', ' \t\tgoto not_found;'])));
  });
});

describe('a loop releasing some elements of an array filled in view, deleted', () => {
  // pages pinned in the hunk; some of them (here: the shared ones) were unpinned on the spot, the
  // rest are handed on to code out of sight that, before the patch, never saw those pinned
  const patch = (loop: string[], fill = ' \tgot = pin_user_pages(start, nr, FOLL_WRITE, pages);') =>
    midPatch([fill, ' \tif (got > 0) {', ...loop, ' \t\t*first = page_to_pfn(pages[0]);', ' \t\tgoto done;', ' \t}'], 'static long pin_batch(unsigned long start, long nr, struct page **pages, unsigned long *first)');
  const unpinLoop = ['-\t\tfor (i = 0; i < got; i++) {', '-\t\t\tif (page_is_shared(pages[i]))', '-\t\t\t\tunpin_user_page(pages[i]);', '-\t\t}'];
  it('the pins the loop dropped now go on into code the patch does not show', () => {
    const [f] = expectRule(findings(patch(unpinLoop)), 'ref-balance/leak', 1);
    assert.match(f.message, /removes `unpin_user_page\(pages\[i\]\)`.*code the patch does not show.*`goto done`/);
  });
  it('quiet when the loop stays, when the pages are not filled in view, or when the patch hands them to a call it adds', () => {
    expectClean(findings(patch(unpinLoop.map((l) => ' ' + l.slice(1)))));
    expectClean(findings(patch(unpinLoop, ' \tgot = count_batch(start, nr, pages);')));
    expectClean(findings(patch([...unpinLoop, '+\t\tdrop_shared_pins(pages, got);'])));
  });
});

describe('a deleted release whose object the patch also re-sourced', () => {
  // proc pid_revalidate shape: the referenced lookup (a getter the catalog does not know) becomes an RCU
  // lookup that takes no reference, and the put goes with it
  const patch = (lookup: string[]) =>
    midPatch([...lookup, ' \tif (!task)', ' \t\treturn -ENOENT;', ' \tret = task->flags & PF_EXITING ? 0 : 1;', '-\tput_task_struct(task);', ' \treturn ret;', ' }'], 'static int revalidate(struct inode *inode, unsigned int flags)');
  it('quiet when the line that produced the object is deleted (a new lookup in its place)', () => {
    expectClean(findings(patch(['-\ttask = get_inode_task(inode);', '+\trcu_read_lock();', '+\ttask = inode_task_rcu(inode);'])), ['ref-balance', 'bracket']);
    // a lock handed back through an out-parameter of a deleted call
    expectClean(findings(midPatch(['-\tif (find_entry(t, addr, &ptep, &ptl))', '-\t\treturn -ENOENT;', '-\tupdate_entry(t, ptep);', '-\tpte_unmap_unlock(ptep, ptl);', '+\tupdate_range(t, addr);', ' \treturn 0;', ' }'], 'static int mkclean_one(struct tbl *t, unsigned long addr)')), ['ref-balance', 'bracket']);
  });
  it('the lookup kept (or only re-indented): the deleted put is reported', () => {
    expectRule(findings(patch([' \ttask = get_inode_task(inode);'])), 'ref-balance/leak', 1);
    expectRule(findings(patch(['-\ttask = get_inode_task(inode);', '+\ttask   = get_inode_task(inode);'])), 'ref-balance/leak', 1);
  });
});

describe('a restore rewritten to another flags variable, the save out of sight', () => {
  const patch = (body: string[]) =>
    midPatch([' \tif (!move_free_pages(zone, page)) {', ...body, ' \t\treturn -EBUSY;', ' \t}', ' \tzone->nr_isolate++;'], 'static int isolate_one(struct zone *zone, struct page *page, unsigned long start_pfn)');
  it('restores from a variable nothing shown saved into', () => {
    const p = patch(['-\t\tspin_unlock_irqrestore(&zone->lock, flags);', '+\t\tspin_unlock_irqrestore(&zone->lock, start_pfn);']);
    const [f] = expectRule(findings(p), 'bracket/flags-mismatch', 1);
    assert.match(f.message, /restore the IRQ state from `start_pfn`; before the patch it restored from `flags`/);
  });
  it('the new variable assigned something else in view (a cursor: start_pfn++) puts no IRQ state there: still reported', () => {
    const p = patch([' 		start_pfn++;', '-		spin_unlock_irqrestore(&zone->lock, flags);', '+		spin_unlock_irqrestore(&zone->lock, start_pfn);']);
    expectRule(findings(p), 'bracket/flags-mismatch', 1);
    // a copy of the saved state into it is a save all the same
    expectClean(findings(patch([' 		saved = flags;', '-		spin_unlock_irqrestore(&zone->lock, flags);', '+		spin_unlock_irqrestore(&zone->lock, saved);'])));
  });
  it('quiet on a rename of the flags variable, or when the new one is saved into where the text shows', () => {
    expectClean(findings(midPatch(['-\tspin_lock_irqsave(&zone->lock, flags);', '+\tspin_lock_irqsave(&zone->lock, irqflags);', ' \tzone->nr_isolate++;', '-\tspin_unlock_irqrestore(&zone->lock, flags);', '+\tspin_unlock_irqrestore(&zone->lock, irqflags);'], 'static int isolate_one(struct zone *zone)')));
    expectClean(findings(patch([' \t\tlocal_irq_save(saved);', '-\t\tspin_unlock_irqrestore(&zone->lock, flags);', '+\t\tspin_unlock_irqrestore(&zone->lock, saved);'])));
  });
});

describe('a change the changelog explains is information, with the sentence quoted', () => {
  const diff = midPatch([' \tfree_tables(args);', ' \tif (args->mm)', '-\t\tmmdrop(args->mm);', '+\t\tmmput(args->mm);', ' }'], 'static void destroy_args(struct test_args *args)');
  const mail = (body: string) => ['From: A Developer <dev@example.org>', 'Subject: [PATCH] mm/test: release the mm', '', body, '', 'Signed-off-by: A Developer <dev@example.org>', '---', diff].join('\n');
  it('without an explanation the replaced release is an error', () => {
    const fs = findings(mail('Tidy up the teardown.'));
    assert.ok(fs.some((f) => f.rule === 'ref-kind/mismatched-release' && f.severity === 'error'));
  });
  it('a sentence naming both calls lowers every finding on it to information', () => {
    const fs = findings(mail('The mm comes from mm_alloc(), which holds mm_users, so use mmput() instead of mmdrop() here.'));
    const mine = fs.filter((f) => f.rule !== 'input');
    assert.ok(mine.length >= 1);
    for (const f of mine) {
      assert.equal(f.severity, 'info', f.message);
      assert.match(f.message, /The changelog explains: “.*use mmput\(\) instead of mmdrop\(\)/);
    }
  });
});

describe('functions generated by a macro', () => {
  const patch = (release: string) =>
    [
      ...fileHead('fs/x/sysfs.c'),
      '@@ -84,7 +84,7 @@ static int x_sysfs_create_##name##_g',
      ' } \\',
      ' static void x_sysfs_delete_##name##_group(struct x_dev *dev) \\',
      ' { \\',
      '-\tkobject_put(&dev->sub->sg_##name##_kobj); \\',
      `+\t${release}(&dev->sub->sg_##name##_kobj); \\`,
      ' }',
      ' ',
      ' /* next */',
      '',
    ].join('\n');
  it('a function in a `\\`-continued #define body is rebuilt and judged', () => {
    const p = patch('kobject_del');
    const [f] = expectRule(findings(p), 'ref-balance/leak', 1);
    assert.match(f.message, /removes `kobject_put\(&dev->sub->sg___name___kobj\)`/);
    // every column still maps to the patch: the finding sits on the deleted call's place in the post-image
    assert.equal(f.range.start.line + 1, lineOf(p, '+\tkobject_del('));
  });
  it('the release kept: quiet', () => {
    expectClean(findings(patch('kobject_put')));
  });
});

describe('jumps into code out of sight must agree on what they hold', () => {
  const loop = (body: string[]) =>
    midPatch(body, 'static struct folio *next_folio(struct xa_state *xas, struct address_space *mapping)');
  it('an added `continue` after a try-get, where the kept `continue` enters with nothing held', () => {
    const p = loop([' \t\tif (!folio_try_get(folio))', ' \t\t\tcontinue;', '+\t\tif (folio_test_dropbehind(folio))', '+\t\t\tcontinue;', ' \t\tif (folio_test_locked(folio))', ' \t\t\tgoto skip;']);
    const [f] = expectRule(findings(p), 'ref-balance/leak', 1);
    assert.match(f.message, /`continue` \(added\) goes on into code the patch does not show holding folio reference `folio`/);
    // the same check with the put first is clean
    expectClean(findings(loop([' \t\tif (!folio_try_get(folio))', ' \t\t\tcontinue;', '+\t\tif (folio_test_dropbehind(folio)) {', '+\t\t\tfolio_put(folio);', '+\t\t\tcontinue;', '+\t\t}', ' \t\tif (folio_test_locked(folio))', ' \t\t\tgoto skip;'])));
  });
  it('an added `break` above a sibling error path that drops the reference first', () => {
    const p = loop([' \t\t}', ' ', '+\t\tif (unlikely(folio_contain_hwpoisoned_page(folio))) {', '+\t\t\tresult = SCAN_FAIL;', '+\t\t\tbreak;', '+\t\t}', '+', ' \t\tif (folio_expected_ref_count(folio) + 1 != folio_ref_count(folio)) {', ' \t\t\tresult = SCAN_PAGE_COUNT;', ' \t\t\tfolio_put(folio);']);
    const [f] = expectRule(findings(p), 'ref-balance/leak', 1);
    assert.match(f.message, /not released at `break`, although the other path .* drops it with folio_put\(\)/);
  });
  it('quiet for a jump the patch only moves, a label named for the release, or a test of the object itself', () => {
    // re-indented `goto retry` (deleted and added): it enters the same code as before
    expectClean(findings(loop([' \tif (!folio_try_get(folio))', ' \t\tgoto out;', '-\tif (flags & ALLOW) {', '-\t\tgoto again;', '-\t}', '+\tgoto again;', ' \tfolio_put(folio);'])));
    expectClean(findings(loop([' \t\tif (!folio_try_get(folio))', ' \t\t\tcontinue;', '+\t\tif (folio_test_dropbehind(folio))', '+\t\t\tgoto out_put;', ' \t\tif (folio_test_locked(folio))', ' \t\t\tgoto skip;'])));
    expectClean(findings(loop([' \t\t}', '+\t\tif (!folio)', '+\t\t\tbreak;', ' \t\tif (busy(folio)) {', ' \t\t\tfolio_put(folio);'])));
  });
});

describe('error paths consolidated under a label the patch shows', () => {
  it('gotos to a `put_folio:` label that releases are not leaks, nor is the release "moved into some paths"', () => {
    const p = [
      ...fileHead('mm/t.c'),
      '@@ -100,20 +100,17 @@ static int walk_range(pmd_t pmd, unsigned long addr, unsigned long end, unsigned int flags)',
      ' \t\tif (!folio)',
      ' \t\t\tgoto pte_unmap;',
      ' ',
      '-\t\tif (!folio_allowed(folio, flags)) {',
      '-\t\t\tgup_put_folio(folio, 1, flags);',
      '-\t\t\tgoto pte_unmap;',
      '-\t\t}',
      '+\t\tif (!folio_allowed(folio, flags))',
      '+\t\t\tgoto put_folio;',
      ' \t\tfolio_set_referenced(folio);',
      ' \t\t(*nr)++;',
      ' \t} while (ptep++, addr += PAGE_SIZE, addr != end);',
      ' ',
      ' \tret = 1;',
      '+\tgoto pte_unmap;',
      ' ',
      '+put_folio:',
      '+\tgup_put_folio(folio, 1, flags);',
      ' pte_unmap:',
      ' \tpte_unmap(ptem);',
      ' \treturn ret;',
      ' }',
      '',
    ].join('\n');
    expectClean(findings(p));
  });
});

describe('a re-check written with the other name of the object', () => {
  const patch = (recheck: string[]) =>
    midPatch([' \tfolio = page_folio(page);', ' \tif (!folio_test_lru(folio) || !folio_try_get(folio))', ' \t\treturn NULL;', ...recheck, ' \t\tfolio_put(folio);', ' \t\treturn NULL;', ' \t}', ' \treturn folio;'], 'static struct folio *idle_get_folio(unsigned long pfn)');
  it('`page_folio(page) != folio` re-checks the folio the try-get took on `page`: deleting it is reported', () => {
    const [f] = expectRule(findings(patch(['-\tif (unlikely(page_folio(page) != folio || !folio_test_lru(folio))) {', '+\tif (unlikely(!folio_test_lru(folio) || folio_test_unevictable(folio))) {'])), 'spec-ref/no-revalidation', 1);
    assert.match(f.message, /removes the re-check `if \(unlikely\(page_folio\(page\) != folio/);
  });
  it('keeping it (and adding a condition) is clean', () => {
    expectClean(findings(patch(['-\tif (unlikely(page_folio(page) != folio || !folio_test_lru(folio))) {', '+\tif (unlikely(page_folio(page) != folio || !folio_test_lru(folio) || folio_test_unevictable(folio))) {'])));
  });
});

describe('an added goto to a later rung of the ladder its kept sibling uses', () => {
  const patch = (label: string) =>
    midPatch([' \t\t\tgoto out_unmap;', ' \t\t}', ' ', '+\t\tif (folio_test_writeback(folio)) {', '+\t\t\tresult = SCAN_PAGE_LOCK;', `+\t\t\tgoto ${label};`, '+\t\t}', '+', ' \t\tif (folio_maybe_dma_pinned(folio)) {', ' \t\t\tresult = SCAN_PAGE_COUNT;'], 'static int scan_pmd(struct mm_struct *mm, pmd_t *pmd)');
  it('`goto out` next to `goto out_unmap`: the unmap its name promises is skipped', () => {
    const [f] = expectRule(findings(patch('out')), 'bracket/unbalanced', 1);
    assert.match(f.message, /`goto out` \(added\) skips what `goto out_unmap`/);
  });
  it('the same rung, or a label that is not its tail, is not judged', () => {
    expectClean(findings(patch('out_unmap')));
    expectClean(findings(patch('out_free')));
  });
});

describe('a release added before a jump that a kept sibling takes holding the object', () => {
  const patch = (body: string[]) =>
    midPatch([' \t\tif (target_order >= folio_order(folio))', ' \t\t\tgoto next;', ' ', ...body, ' \t\tif (!folio_trylock(folio))', ' \t\t\tgoto next;'], 'static int split_in_file(struct address_space *mapping)');
  it('`folio_put(folio); goto next;` beside a kept `goto next` is a second put', () => {
    const [f] = expectRule(findings(patch(['+\t\tif (folio_test_writeback(folio)) {', '+\t\t\tfolio_put(folio);', '+\t\t\tgoto next;', '+\t\t}'])), 'ref-balance/double-release', 1);
    assert.match(f.message, /releases the folio reference on `folio` before `goto next`, but `goto next` at .* enters the same code/);
  });
  it('the same jump without the put is clean', () => {
    expectClean(findings(patch(['+\t\tif (folio_test_writeback(folio))', '+\t\t\tgoto next;'])));
  });
});

describe('an ordered store moved into a new helper', () => {
  const patch = (store: string) =>
    [
      ...fileHead('mm/n.c'),
      '@@ -10,6 +10,12 @@ static int other(void)',
      ' \treturn 0;',
      ' }',
      ' ',
      '+static void install(struct mm_struct *mm, struct subs *subs)',
      '+{',
      `+\t${store};`,
      '+}',
      '+',
      '+',
      ' int do_register(struct mm_struct *mm, struct subs *subs)',
      ' {',
      ' \tinit_subs(subs);',
      '@@ -30,5 +36,5 @@ int do_register(struct mm_struct *mm, struct subs *subs)',
      ' \tif (ret)',
      ' \t\tgoto out;',
      '-\tsmp_store_release(&mm->subs, subs);',
      '+\tinstall(mm, subs);',
      ' \treturn 0;',
      '',
    ].join('\n');
  it('smp_store_release() that comes back as WRITE_ONCE() in the helper lost its RELEASE', () => {
    const [f] = expectRule(findings(patch('WRITE_ONCE(mm->subs, subs)')), 'barrier/removed', 1);
    assert.match(f.message, /moves smp_store_release\(\) on mm->subs from do_register\(\) into install\(\) as WRITE_ONCE\(\)/);
  });
  it('moved as it was: clean', () => {
    expectClean(findings(patch('smp_store_release(&mm->subs, subs)')));
  });
});

describe('code after a block whose test is out of sight, in a function whose start is shown', () => {
  const patch = (body: string[]) =>
    [
      ...fileHead('mm/z.c'),
      '@@ -173,7 +173,7 @@ int generic_activate(struct swap_info_struct *sis)',
      ' ',
      ' static bool is_zero_filled(struct folio *folio)',
      ' {',
      ' \tunsigned long *data;',
      ' \tunsigned int i;',
      ' ',
      '@@ -189,9 +189,8 @@ static bool is_zero_filled(struct folio *folio)',
      ' \t\t\tkunmap_local(data);',
      ' \t\t\treturn false;',
      ' \t\t}',
      ...body,
      ' \t\tkunmap_local(data);',
      ' \t}',
      ' ',
      '',
    ].join('\n');
  it('an early return that skips the kunmap_local() its sibling and the fall-through do', () => {
    const [f] = expectRule(findings(patch(['-\t\tif (scan_words(data, last_pos)) {', '-\t\t\tkunmap_local(data);', '-\t\t\treturn false;', '-\t\t}', '+\t\tif (memchr_inv(data, 0, last_pos * sizeof(*data)))', '+\t\t\treturn false;'])), 'bracket/unbalanced', 1);
    assert.match(f.message, /kmap_local\/kmap_atomic mapping is still held at `return false`/);
  });
  it('with the kunmap_local() kept: clean (memchr_inv() reads the buffer, takes nothing over)', () => {
    expectClean(findings(patch(['-\t\tif (scan_words(data, last_pos)) {', '+\t\tif (memchr_inv(data, 0, last_pos * sizeof(*data))) {', ' \t\t\tkunmap_local(data);', ' \t\t\treturn false;', ' \t\t}'])));
  });
});

describe('a call made able to sleep where the patch removes the lock around it', () => {
  const patch = (lock: boolean) =>
    midPatch(
      [
        ...(lock ? [' \txas_lock_irq(&xas);'] : ['-\txas_lock_irq(&xas);']),
        ' \txas_for_each(&xas, mlru, ULONG_MAX) {',
        '-\t\tkfree(mlru);',
        '+\t\tkvfree(mlru);',
        ' \t\txas_store(&xas, NULL);',
        ' \t}',
        ...(lock ? [' \txas_unlock_irq(&xas);'] : ['-\txas_unlock_irq(&xas);']),
      ],
      'static void destroy_lru(struct list_lru *lru)',
    );
  it('kfree() -> kvfree() under the xarray lock the patch keeps: sleeps in atomic', () => {
    assert.ok(findings(patch(true)).some((f) => f.rule === 'atomic-sleep/sleep-in-atomic' && /kvfree\(\)/.test(f.message)));
  });
  it('the lock removed by the same patch: its section, not the caller, was the atomic context', () => {
    expectClean(findings(patch(false)));
  });
});

describe('a try-lock replaced by a helper of the patch that takes the sleeping lock', () => {
  const patch = (inHelper: string) =>
    [
      ...fileHead('mm/m.c'),
      '@@ -650,6 +650,14 @@ static long pageout(struct walk *w)',
      ' \treturn 0;',
      ' }',
      ' ',
      '+static bool clean_folio(struct folio *folio)',
      '+{',
      `+\t${inHelper}(folio);`,
      '+\tfolio_clear_dirty(folio);',
      '+\tfolio_unlock(folio);',
      '+\treturn true;',
      '+}',
      '+',
      ' static int free_pte_range(pmd_t *pmd, unsigned long addr)',
      ' {',
      ' \tint nr = 0;',
      '@@ -742,9 +750,7 @@ static int free_pte_range(pmd_t *pmd, unsigned long addr)',
      ' \t\tif (!folio)',
      ' \t\t\tcontinue;',
      '-\t\tif (!folio_trylock(folio))',
      '-\t\t\tcontinue;',
      '-\t\tfolio_clear_dirty(folio);',
      '-\t\tfolio_unlock(folio);',
      '+\t\tif (!clean_folio(folio))',
      '+\t\t\tcontinue;',
      ' \t\tnr++;',
      '',
    ].join('\n');
  it('folio_trylock() -> a helper around folio_lock(): the context chose not to sleep', () => {
    const [f] = expectRule(findings(patch('folio_lock')), 'atomic-sleep/sleep-in-atomic', 1);
    assert.match(f.message, /folio_trylock\(\) is replaced by clean_folio\(\), which may sleep \(it calls folio_lock\(\)\)/);
  });
});

describe('a try-get the patch moves, and the re-check it drops on the way', () => {
  const patch = (keep: boolean) =>
    midPatch([' \t\t\tfolio = page_folio(page);', '-\t\t\tif (!folio_try_get(folio))', '+\t\t\tif (!folio_test_large(folio))', ' \t\t\t\tcontinue;', ' ', ...(keep ? ['-\t\t\tif (unlikely(page_folio(page) != folio))', '+\t\t\tif (!folio_try_get(folio))', '+\t\t\t\tcontinue;', '+\t\t\tif (unlikely(page_folio(page) != folio))'] : ['-\t\t\tif (unlikely(page_folio(page) != folio))', '-\t\t\t\tgoto next;', '+\t\t\tif (!folio_try_get(folio))', '+\t\t\t\tcontinue;']), ...(keep ? [' \t\t\t\tgoto next;'] : []), ' ', ' \t\t\tif (zone != folio_zone(folio))', ' \t\t\t\tgoto next;'], 'static void split_all(void)');
  it('the re-check gone: reported at the moved get', () => {
    const [f] = expectRule(findings(patch(false)), 'spec-ref/no-revalidation', 1);
    assert.match(f.message, /removes the re-check `if \(unlikely\(page_folio\(page\) != folio\)\)`/);
  });
  it('the re-check kept after the moved get: clean', () => {
    expectClean(findings(patch(true)));
  });
});

describe('a deferred release replaced by the one that tears down in place', () => {
  const patch = midPatch([' \tif (mm) {', ' \t\tmmap_read_unlock(mm);', '-\t\tmmput_async(mm);', '+\t\tmmput(mm);', ' \t}'], 'static int update_page_range(struct binder_alloc *alloc)');
  it('mmput_async() -> mmput() is the wrong release call (ref-kind), not only a sleep', () => {
    const fs = findings(patch);
    const [f] = expectRule(fs, 'ref-kind/mismatched-release', 1);
    assert.match(f.message, /replaces mmput_async\(\) with mmput\(\) on `mm`: when this is the last .* runs the final teardown here/);
    assert.ok(!fs.some((x) => x.rule === 'atomic-sleep/sleep-in-atomic'));
  });
});

describe('a release kind changed together with its acquire', () => {
  // sys_process_mrelease shape: mm_users (mmget_not_zero/mmput) traded for mm_count (mmgrab/mmdrop) in two hunks
  const patch = (acquire: string[]) =>
    [
      'diff --git a/mm/t.c b/mm/t.c',
      'index 1111111..2222222 100644',
      '--- a/mm/t.c',
      '+++ b/mm/t.c',
      `@@ -100,${acquire.filter((l) => !l.startsWith('+')).length + 5} +100,${acquire.filter((l) => !l.startsWith('-')).length + 5} @@ static int release_mm(struct task_struct *p)`,
      ' {',
      ' \tstruct mm_struct *mm = NULL;',
      ' ',
      ...acquire,
      ' \ttask_unlock(p);',
      '@@ -120,5 +120,5 @@ static int release_mm(struct task_struct *p)',
      ' \tret = reap_mm(mm);',
      ' drop_mm:',
      '-\tmmput(mm);',
      '+\tmmdrop(mm);',
      ' \treturn ret;',
      '',
    ].join('\n');
  it('mmget_not_zero() -> mmgrab() with mmput() -> mmdrop(): the pair changed together, quiet', () => {
    const fs = findings(patch([' \ttask_lock(p);', '-\tif (mmget_not_zero(p->mm))', '-\t\tmm = p->mm;', '+\tmm = p->mm;', '+\tmmgrab(mm);']));
    assert.ok(!fs.some((f) => f.rule === 'ref-kind/mismatched-release' || f.rule === 'atomic-sleep/sleep-in-atomic'), JSON.stringify(fs.map((f) => f.message)));
  });
  it('the release changed alone, the acquire kept: reported', () => {
    const fs = findings(patch([' \ttask_lock(p);', ' \tmm = p->mm;', ' \tmmget(mm);']));
    expectRule(fs, 'ref-kind/mismatched-release', 1);
  });
});

describe('an acquire moved out of a block', () => {
  const hoisted = (opener: string[], extra: string[] = []) =>
    midPatch([
      ...opener,
      ' \t\tyoung = pmd_young(old_pmd);',
      '-\t\tpage_ref_add(page, HPAGE_PMD_NR - 1);',
      ' \t}',
      ...extra,
      '+\tpage_ref_add(page, HPAGE_PMD_NR - 1);',
      ' ',
      ' \tpgtable = pgtable_trans_huge_withdraw(mm, pmd);',
    ]);
  it('out of an else arm: the other arm now takes the references too', () => {
    const p = hoisted([' \tif (pmd_migration) {', ' \t\tswp_entry_t entry = pmd_to_swp_entry(old_pmd);', ' \t\tpage = pfn_swap_entry_to_page(entry);', ' \t} else {', ' \t\tpage = pmd_page(old_pmd);']);
    const [f] = expectRule(findings(p), 'ref-balance/leak', 1);
    assert.equal(f.range.start.line + 1, lineOf(p, '+\tpage_ref_add(page, HPAGE_PMD_NR - 1);'));
    assert.match(f.message, /out of the `else` arm of `if \(pmd_migration\)`.*where `pmd_migration` holds/);
    assert.equal(f.severity, 'error');
  });
  it('out of a block whose opener is above the hunk: a warning that says so', () => {
    const p = hoisted([]);
    const [f] = expectRule(findings(p), 'ref-balance/leak', 1);
    assert.match(f.message, /its opening line is above the hunk/);
    assert.equal(f.severity, 'warning');
  });
  it('not when the other arm took it too, or leaves before the join, or the code was only re-nested', () => {
    // both arms took it, the patch deletes both and takes it once after the if/else
    expectClean(findings(midPatch([
      ' \tif (pmd_migration) {',
      ' \t\tpage = pfn_swap_entry_to_page(entry);',
      '-\t\tpage_ref_add(page, HPAGE_PMD_NR - 1);',
      ' \t} else {',
      ' \t\tpage = pmd_page(old_pmd);',
      '-\t\tpage_ref_add(page, HPAGE_PMD_NR - 1);',
      ' \t}',
      '+\tpage_ref_add(page, HPAGE_PMD_NR - 1);',
      ' \tpgtable = pgtable_trans_huge_withdraw(mm, pmd);',
    ])));
    // the other way into the join returned first
    expectClean(findings(midPatch([
      ' \tif (pmd_trans_huge(old_pmd)) {',
      ' \t\tpage = pmd_page(old_pmd);',
      '-\t\tpage_ref_add(page, HPAGE_PMD_NR - 1);',
      ' \t} else {',
      ' \t\treturn;',
      ' \t}',
      '+\tpage_ref_add(page, HPAGE_PMD_NR - 1);',
      ' \tpgtable = pgtable_trans_huge_withdraw(mm, pmd);',
    ])));
    // an outer test dropped, the call still under the block's own test
    expectClean(findings(midPatch([
      '-\tif (flags & FAULT_FLAG_ALLOW_RETRY) {',
      '-\t\tif (fault & VM_FAULT_RETRY) {',
      '-\t\t\tflags |= FAULT_FLAG_TRIED;',
      '-\t\t\tmmap_read_lock(mm);',
      '-\t\t\tgoto retry;',
      '+\tif (fault & VM_FAULT_RETRY) {',
      '+\t\tflags |= FAULT_FLAG_TRIED;',
      '+\t\tmmap_read_lock(mm);',
      '+\t\tgoto retry;',
      ' \t\t}',
      ' \t}',
      ' \treturn fault;',
    ])));
  });
});

describe('a re-check deleted after the lock or reference that needs it', () => {
  const patch = (recheck: string[], added: string[] = [], lock = 'lock_page(head);') =>
    midPatch([
      ` \t${lock}`,
      ...recheck,
      ...added,
      ' \tpage_flags = head->flags;',
      ' \tif (hwpoison_filter(p)) {',
    ], 'static int memory_failure_hugetlb(unsigned long pfn, int flags)');
  const recheck = ['-\tif (!PageHuge(p) || compound_head(p) != head) {', '-\t\tres = -EBUSY;', '-\t\tgoto out;', '-\t}'];
  it('compound_head(p) != head removed after lock_page(head)', () => {
    const p = patch(recheck);
    const [f] = expectRule(findings(p), 'spec-ref/no-revalidation', 1);
    assert.equal(f.range.start.line + 1, lineOf(p, ' \tlock_page(head);'));
    assert.match(f.message, /removes the re-check `if \(!PageHuge\(p\) \|\| compound_head\(p\) != head\)`/);
  });
  it('not when the change tests the object again, when nothing was taken, or when the test is not a re-check', () => {
    expectClean(findings(patch(recheck, ['+\tif (!page_matches_head(p, head))', '+\t\tgoto out;'])));
    expectClean(findings(patch(recheck, [], 'prepare_page(head);')));
    expectClean(findings(patch(['-\tif (res < 0) {', '-\t\tres = -EBUSY;', '-\t\tgoto out;', '-\t}'])));
  });
});

describe('headings cut short and null-guarded releases', () => {
  it('a release put under a test that the object exists is not moved into some paths', () => {
    expectClean(findings([...fileHead('lib/t.c'), '@@ -600,7 +600,8 @@ static struct page *alloc_thing(struct dev *d)', ' \treturn dpage;', ' ', ' error:', '-\t__free_page(rpage);', '+\tif (rpage)', '+\t\t__free_page(rpage);', ' \treturn NULL;', ' }', ''].join('\n')));
  });
  it('a diff -p heading cut before its `(` (40 characters) still opens the function below it', () => {
    const heading = 'static inline struct page *migration_ent';
    assert.equal(heading.length, 40);
    const p = [...fileHead('include/linux/swapops.h'), `@@ -198,12 +198,6 @@ ${heading}`, ' {', ' \tstruct page *p = pfn_to_page(swp_offset(entry));', '-\tsmp_rmb();', ' \tBUG_ON(!PageLocked(compound_head(p)));', ' \treturn p;', ' }', ''].join('\n');
    const [f] = expectRule(findings(p), 'barrier/removed', 1);
    assert.match(f.message, /from migration_ent\(\)/);
    // the same heading not cut (39 characters) names no function: nothing is rebuilt
    expectClean(findings(p.replace(heading, heading.slice(0, 39))));
  });
});

describe('a re-check narrowed by dropping a catalogued re-read', () => {
  const patch = (from: string[], to: string[]) =>
    midPatch([
      ' \t\tif (!head)',
      ' \t\t\tgoto pte_unmap;',
      ' ',
      ...from.map((l) => `-${l}`),
      ...to.map((l) => `+${l}`),
      ' \t\t\tput_compound_head(head, 1, flags);',
      ' \t\t\tgoto pte_unmap;',
      ' \t\t}',
    ], 'static int gup_pte_range(pmd_t pmd, pmd_t *pmdp, unsigned long addr,');
  const both = ['\t\tif (unlikely(pmd_val(pmd) != pmd_val(*pmdp)) ||', '\t\t    unlikely(pte_val(pte) != pte_val(*ptep))) {'];
  it('the pmd re-read dropped, the pte one kept', () => {
    const p = patch(both, ['\t\tif (unlikely(pte_val(pte) != pte_val(*ptep))) {']);
    const [f] = expectRule(findings(p), 'spec-ref/no-revalidation', 1);
    assert.equal(f.range.start.line + 1, lineOf(p, '+\t\tif (unlikely(pte_val(pte) != pte_val(*ptep))) {'));
    assert.match(f.message, /drops `pmd_val\(pmd\)!=pmd_val\(\*pmdp\)` \(a pmd re-read\)/);
  });
  it('not when the operand dropped is no re-read, or when the test is only reformatted', () => {
    expectClean(findings(patch(['\t\tif (unlikely(pte_val(pte) != pte_val(*ptep)) || !ok) {'], ['\t\tif (unlikely(pte_val(pte) != pte_val(*ptep))) {'])));
    expectClean(findings(patch(both, ['\t\tif (unlikely(pmd_val(pmd) != pmd_val(*pmdp)) || unlikely(pte_val(pte) != pte_val(*ptep))) {'])));
  });
});

describe('a pointer no longer cleared after its release', () => {
  const patch = (target: string, clear: boolean) =>
    midPatch([
      ` \tretval = sysfs_create_group(${target}, hstate_attr_group);`,
      ...(clear
        ? ['-\tif (retval) {', `-\t\tkobject_put(${target});`, `-\t\t${target} = NULL;`, '-\t}', '+\tif (retval)', `+\t\tkobject_put(${target});`]
        : ['-\tif (retval) {', `-\t\tkobject_put(${target});`, `-\t\tpr_warn("failed\\n");`, '-\t}', '+\tif (retval)', `+\t\tkobject_put(${target});`]),
      ' ',
      ' \treturn retval;',
      ' }',
    ], 'static int hugetlb_sysfs_add_hstate(struct hstate *h, struct kobject *parent,');
  it('an array slot that outlives the function keeps naming the released kobject', () => {
    const p = patch('hstate_kobjs[hi]', true);
    const [f] = expectRule(findings(p), 'ref-balance/double-release', 1);
    assert.equal(f.range.start.line + 1, lineOf(p, '+\t\tkobject_put(hstate_kobjs[hi]);'));
    assert.match(f.message, /no longer clears `hstate_kobjs\[hi\]`/);
  });
  it('not for a local pointer, nor when nothing cleared it before', () => {
    expectClean(findings(patch('kobj', true)));
    expectClean(findings(patch('hstate_kobjs[hi]', false)));
  });
});

describe("a release's guard weakened", () => {
  const patch = (from: string, to: string, outer?: string) =>
    ifTestPatch(
      'include/linux/rmap.h',
      '@@ -213,8 +213,7 @@ struct page_vma_mapped_walk {',
      [' ', ' static inline void pvmw_done(struct page_vma_mapped_walk *pvmw)', ' {', ...(outer ? [`+\tif (${outer})`] : [])],
      from,
      to,
      [' \t\tpte_unmap(pvmw->pte);', ' \tif (pvmw->ptl)', ' \t\tspin_unlock(pvmw->ptl);', ' }'],
    );
  it('a conjunct dropped from the test around pte_unmap()', () => {
    const p = patch('pvmw->pte && !PageHuge(pvmw->page)', 'pvmw->pte');
    const [f] = expectRule(findings(p), 'bracket/unbalanced', 1);
    assert.equal(f.range.start.line + 1, lineOf(p, ' \t\tpte_unmap(pvmw->pte);'));
    assert.match(f.message, /drops `!PageHuge\(pvmw->page\)`/);
  });
  it('not when the test is strengthened or the conjunct moved to an enclosing test', () => {
    expectClean(findings(patch('pvmw->pte', 'pvmw->pte && !PageHuge(pvmw->page)')));
    expectClean(findings(patch('pvmw->pte && !PageHuge(pvmw->page)', 'pvmw->pte', '!PageHuge(pvmw->page)')));
  });
});

describe('a release decided by re-evaluating a condition instead of a recorded flag', () => {
  const patch = (from: string, to: string) =>
    ifTestPatch(
      'mm/memcontrol.c',
      '@@ -823,9 +823,9 @@ static inline struct mem_cgroup *get_non_dying_memcg_start(struct mem_cgroup *memcg)',
      [' ', '-static inline void get_non_dying_memcg_end(bool rcu_locked)', '+static inline void get_non_dying_memcg_end(void)', ' {'],
      from,
      to,
      [' \t\treturn;', ' ', ' \trcu_read_unlock();', ' }'],
    );
  it('the flag the start helper set replaced by the condition it tested', () => {
    const p = patch('!rcu_locked', 'cgroup_subsys_on_dfl(memory_cgrp_subsys)');
    const [f] = expectRule(findings(p), 'bracket/unbalanced', 1);
    assert.equal(f.range.start.line + 1, lineOf(p, ' \trcu_read_unlock();'));
    assert.match(f.message, /evaluating `cgroup_subsys_on_dfl\(memory_cgrp_subsys\)` again instead of testing/);
  });
  it('not the other way round, nor one flag for another', () => {
    expectClean(findings(patch('cgroup_subsys_on_dfl(memory_cgrp_subsys)', '!rcu_locked')));
    expectClean(findings(patch('!rcu_locked', '!locked')));
  });
});

describe('a way out the patch adds past the release every other way takes (acquire above the hunk)', () => {
  const patch = (added: string[]) =>
    midPatch([
      ' \tmemcg = mem_cgroup_from_id(memcg_id);',
      ' \tif (memcg != folio_memcg_rcu(folio))',
      ' \t\tgoto unlock;',
      ' ',
      ...added,
      ' \tmod_lruvec_state(lruvec, WORKINGSET_REFAULT_BASE + type, delta);',
      ' ',
      ' unlock:',
      ' \trcu_read_unlock();',
      ' }',
    ], 'static void lru_gen_refault(struct folio *folio, void *shadow)');
  it('an added plain return inside the RCU section whose other exits unlock', () => {
    const p = patch(['+\tif (pgdat != folio_pgdat(folio))', '+\t\treturn;', '+']);
    const [f] = expectRule(findings(p), 'bracket/unbalanced', 1);
    assert.equal(f.range.start.line + 1, lineOf(p, '+\t\treturn;'));
    assert.match(f.message, /still held at `return`/);
  });
  it('not when the added exit goes through the unlock', () => {
    expectClean(findings(patch(['+\tif (pgdat != folio_pgdat(folio))', '+\t\tgoto unlock;', '+'])));
  });
});

describe('an added continue that leaves a lock this iteration took in view', () => {
  const patch = (added: string[]) =>
    midPatch([
      ' \t\tif (!folio)',
      ' \t\t\tcontinue;',
      ' ',
      ' \t\tif (!folio_trylock(folio))',
      ' \t\t\treturn -EBUSY;',
      ' ',
      ...added,
      ' \t\tpcl->compressed_bvecs[i].page = NULL;',
      ' \t\tfolio_unlock(folio);',
      ' \t}',
      ' \treturn 0;',
    ], 'static int erofs_try_to_free_all_cached_folios(struct erofs_sb_info *sbi, struct z_erofs_pcluster *pcl)');
  it('the loop head out of sight, the other side of the test unlocks before the next iteration', () => {
    const p = patch(['+\t\tif (!erofs_folio_is_managed(sbi, folio))', '+\t\t\tcontinue;']);
    const [f] = expectRule(findings(p), 'bracket/unbalanced', 1);
    assert.equal(f.range.start.line + 1, lineOf(p, '+\t\t\tcontinue;'));
    assert.match(f.message, /still held at `continue`/);
  });
  it('not when the added continue unlocks first', () => {
    expectClean(findings(patch(['+\t\tif (!erofs_folio_is_managed(sbi, folio)) {', '+\t\t\tfolio_unlock(folio);', '+\t\t\tcontinue;', '+\t\t}'])));
  });
  it('not for a lock taken before the loop: the next iteration holds it too (mm/nommu.c shape)', () => {
    const code = [
      'static int shrink_mappings(struct inode *inode, size_t newsize)',
      '{',
      '\tstruct vm_area_struct *vma;',
      '',
      '\tdown_write(&nommu_region_sem);',
      '\tvma_interval_tree_foreach(vma, &inode->i_mapping->i_mmap, 0, ULONG_MAX) {',
      '\t\tif (!(vma->vm_flags & VM_SHARED))',
      '\t\t\tcontinue;',
      '\t\tvma->vm_region->vm_top = newsize;',
      '\t}',
      '\tup_write(&nommu_region_sem);',
      '\treturn 0;',
      '}',
    ].join('\n');
    expectClean(findings(addPatch(code, 'mm/nommu.c'), { all: true }));
  });
});
