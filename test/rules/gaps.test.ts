/**
 * Code the reviewer cannot see (above the first hunk, between hunks) is
 * unknown, never "nothing happened": no finding may rest on it.
 *
 * - an `if` whose opening line is not shown, whose `} else {` is: the two
 *   blocks are alternatives (not one block after the other);
 * - a release moved into some paths, judged by the ways into its old place
 *   that avoid the added release: a label no visible goto reaches is entered
 *   from code out of sight, which may be after the added release; and a way
 *   the patch opened by deleting the `return` that ended it never led to the
 *   deleted release.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { addPatch, findings, expectRule, expectClean, lineOf } from './helpers';

/** A git diff of `path` with one hunk per entry: [old start, new start, section, body lines]. */
function multiHunk(hunks: [number, number, string, string[]][], path = 'mm/t.c'): string {
  const out = [`diff --git a/${path} b/${path}`, 'index 1111111..2222222 100644', `--- a/${path}`, `+++ b/${path}`];
  for (const [a, b, section, body] of hunks) {
    const old = body.filter((l) => !l.startsWith('+')).length;
    const neu = body.filter((l) => !l.startsWith('-')).length;
    out.push(`@@ -${a},${old} +${b},${neu} @@ ${section}`, ...body);
  }
  return out.join('\n') + '\n';
}

describe('an if opener out of sight, its else in view', () => {
  const fn = 'static int rx_ctrl(struct adapter *a, struct sta *sta)';
  // the lock is taken in view; the test of the `if` whose `} else {` the second hunk shows is in the gap
  const patch = (elseBody: string[]) =>
    multiHunk([
      [20, 20, fn, [' \tif (sta->state & SLEEP) {', ' \t\tstruct list_head *head;', ' ', '-\t\tspin_lock_bh(&sta->q.lock);', '+\t\tspin_lock_bh(&a->xmit.lock);', ' ', ' \t\thead = get_list_head(&sta->q);']],
      [
        40,
        40,
        fn,
        [
          ' \t\t\t\tupdate(a);',
          ' \t\t\t}',
          ' ',
          '-\t\t\tspin_unlock_bh(&sta->q.lock);',
          '+\t\t\tspin_unlock_bh(&a->xmit.lock);',
          ' ',
          ' \t\t} else {',
          ...elseBody,
          ' ',
          ' \t\t\tif (a->bitmap)',
          ' \t\t\t\tclear(a);',
        ],
      ],
    ]);

  it('one unlock in each branch: not a second release', () => {
    expectClean(findings(patch(['-\t\t\tspin_unlock_bh(&sta->q.lock);', '+\t\t\tspin_unlock_bh(&a->xmit.lock);'])));
  });

  it('two unlocks in the else branch are still a second release', () => {
    const p = patch(['-\t\t\tspin_unlock_bh(&sta->q.lock);', '+\t\t\tspin_unlock_bh(&a->xmit.lock);', '+\t\t\tspin_unlock_bh(&a->xmit.lock);']);
    // (the lock and the bottom-halves section it disables)
    for (const f of expectRule(findings(p), 'bracket/unbalanced', 2)) {
      assert.match(f.message, /a second time/);
      assert.equal(f.range.start.line + 1, lineOf(p, '+\t\t\tspin_unlock_bh(&a->xmit.lock);', 2));
    }
  });

  it('an if whose else only the patch adds: both images read the unseen opener as an if', () => {
    // before: the branch returned; after: it falls through and the old release moves into a new else
    const p = multiHunk([
      [
        100,
        100,
        'static int switch_mm(struct mm_struct *mm)',
        [
          ' \t\tsetmax_rss(old_mm);',
          ' \t\tmmput(old_mm);',
          '-\t\treturn 0;',
          '+\t} else {',
          '+\t\tmmdrop(active_mm);',
          ' \t}',
          '-\tmmdrop(active_mm);',
          ' \treturn 0;',
          ' }',
        ],
      ],
    ]);
    expectClean(findings(p));
  });
});

describe('a release moved into some paths, the other ways in out of sight', () => {
  const fn = 'int bulk_alloc(struct cache *s, int size, void **p)';
  // the first hunk enables IRQs before the slow path; the `goto error` after it is in the gap
  const patch = (visibleGoto: boolean) =>
    multiHunk([
      [
        20,
        20,
        fn,
        [
          ' \t\tif (unlikely(!object)) {',
          ...(visibleGoto ? [' \t\t\tif (s->broken)', ' \t\t\t\tgoto error;'] : []),
          ' \t\t\ts->tid++;',
          ' ',
          '+\t\t\tlocal_irq_enable();',
          '+',
          ' \t\t\t/*',
          ' \t\t\t * slow path',
        ],
      ],
      [30, 32, fn, [' \t\t\ts->c = this_cpu_ptr(s->cpu);', ' \t\t\twipe(s, p[i]);', ' ', '+\t\t\tlocal_irq_disable();', '+', ' \t\t\tcontinue;', ' \t\t}', ' \t\ts->freelist = object;']],
      [40, 44, fn, [' \tlocal_irq_enable();', ' \treturn i;', ' error:', '-\tlocal_irq_enable();', '+\tcleanup(s);', ' \treturn 0;', ' }']],
    ]);

  it('the only gotos to the label are out of sight, and the added release runs on into code not shown: quiet', () => {
    expectClean(findings(patch(false)));
  });

  it('a goto to the label in view, before the added release: the release is lost on that way', () => {
    const p = patch(true);
    const [f] = expectRule(findings(p), 'bracket/unbalanced', 1);
    assert.match(f.message, /moves `local_irq_enable\(\)`.* into some of the paths/);
  });

  it('an added release written after the jump runs before nothing: the label entered from out of sight lost it', () => {
    const p = multiHunk([
      [47, 47, 'long copy_nofault(void *dst, const void *src, size_t size)', [' \tpagefault_enable();', ' \treturn 0;', ' Efault:', '-\tpagefault_enable();', ' \treturn -EFAULT;', '+\tpagefault_enable();', ' }']],
    ]);
    expectRule(findings(p), 'bracket/unbalanced', 1);
  });

  it('the release moved into the else branch: the other branch lost it', () => {
    const p = multiHunk([
      [
        219,
        219,
        'static unsigned long pageout(struct list_head *l)',
        [
          ' \t\t\tput_page(page);',
          ' \t\t\tcontinue;',
          ' \t\t}',
          '-\t\tif (unevictable(page))',
          '+\t\tif (unevictable(page)) {',
          ' \t\t\tputback_lru_page(page);',
          '-\t\telse',
          '+\t\t} else {',
          ' \t\t\tlist_add(&page->lru, &page_list);',
          '-\t\tput_page(page);',
          '+\t\t\tput_page(page);',
          '+\t\t}',
          ' \t}',
          ' \tapplied = reclaim_pages(&page_list);',
        ],
      ],
    ]);
    expectRule(findings(p), 'ref-balance/leak', 1);
  });
});

describe('a release moved into a helper the patch adds', () => {
  // the caller's lock and mapping: the helper is handed both and drops them (the mapping only when there is one)
  const helper = (release: string[]) => [
    '+void wait_entry_unlocked(swp_entry_t entry, pte_t *ptep, spinlock_t *ptl)',
    '+{',
    '+\tstruct folio *folio = entry_folio(entry);',
    '+',
    '+\tprepare_wait(folio);',
    ...release,
    '+\tdo_wait(folio);',
    '+}',
    '+',
  ];
  const caller = (path: string, callee: string) => [
    `diff --git a/${path} b/${path}`,
    `--- a/${path}`,
    `+++ b/${path}`,
    '@@ -300,12 +300,7 @@ void entry_wait(struct mm_struct *mm, pte_t *ptep, spinlock_t *ptl)',
    ' \tif (!is_migration_entry(entry))',
    ' \t\tgoto out;',
    ' ',
    '-\tfolio = entry_folio(entry);',
    '-\tif (!folio_try_get(folio))',
    '-\t\tgoto out;',
    '-\tpte_unmap_unlock(ptep, ptl);',
    '-\tfolio_put_wait_locked(folio, TASK_UNINTERRUPTIBLE);',
    '-',
    `+\t${callee}(entry, ptep, ptl);`,
    ' \treturn;',
    ' out:',
    ' \tpte_unmap_unlock(ptep, ptl);',
    ' }',
  ];
  const patch = (release: string[], name = 'wait_entry_unlocked', helperFile = 'mm/wait.c') => {
    const body = helper(release).map((l) => l.replace('wait_entry_unlocked', name));
    const head = [`diff --git a/${helperFile} b/${helperFile}`, `--- a/${helperFile}`, `+++ b/${helperFile}`, `@@ -100,3 +100,${3 + body.length} @@ static int wake_fn(wait_queue_entry_t *wait)`, ' \treturn 1;', ' }', ' ', ...body];
    return [...head, ...caller('mm/entry.c', name), ''].join('\n');
  };
  const both = ['+\tif (ptep)', '+\t\tpte_unmap_unlock(ptep, ptl);', '+\telse', '+\t\tspin_unlock(ptl);'];

  it('in another file of the patch, releasing the mapping under a test of it: moved, not lost', () => {
    expectClean(findings(patch(both)));
  });

  it('a helper that drops the lock but never unmaps: the mapping is lost', () => {
    const p = patch(['+\tspin_unlock(ptl);']);
    const [f] = expectRule(findings(p), 'bracket/unbalanced', 1);
    assert.match(f.message, /removes `pte_unmap_unlock\(ptep, ptl\)`/);
  });

  it('a helper named like a catalogued call of another arity is the patch\'s own function', () => {
    // (the catalog describes the two-argument form of this name only)
    expectClean(findings(patch(both, 'softleaf_entry_wait_on_locked')));
  });
});

describe('an object held through a global, handed to a helper that assigns the global', () => {
  const code = (helperTail: string) => `
static char *pool;

static bool setup_pool_late(void)
{
	unsigned long addr;

	addr = setup_pool();
	if (!addr)
		return true;
	free_pages_exact((void *)addr, POOL_SIZE - (addr - (unsigned long)pool));
${helperTail}
	return false;
}

static int pool_init_late(void)
{
	pool = alloc_pages_exact(POOL_SIZE, GFP_KERNEL);
	if (!pool)
		return -ENOMEM;

	if (!setup_pool_late()) {
		pr_err("%s failed\\n", __func__);
		return -EBUSY;
	}

	enable_pool();
	return 0;
}
`;

  it('the helper frees it under another name and clears the global: not a leak in the caller', () => {
    expectClean(findings(addPatch(code('\tpool = NULL;'))));
  });

  it('a helper that only reads the global leaves the caller holding it', () => {
    const p = addPatch(code('\tpr_warn("pool at %p\\\\n", pool);'));
    const [f] = expectRule(findings(p), 'ref-balance/leak', 1);
    assert.match(f.message, /return -EBUSY/);
  });
});

describe('a mapping kept per pointer, another one mapped out of sight', () => {
  const fn = 'static int move_page(struct page *newpage, struct page *page)';
  const patch = (tail: string[]) =>
    multiHunk([
      [40, 40, fn, [' \tspin_lock(&class->lock);', ' \ts_addr = kmap_atomic(page);', '-\tpin_all(page, s_addr);', ' ', ' \t/*', ' \t * move every object']],
      [60, 59, fn, [' \tmemcpy(d_addr, s_addr, PAGE_SIZE);', ' \tkunmap_atomic(d_addr);', ' ', ' \tfix_handles(page, s_addr);', ...tail, ' \tspin_unlock(&class->lock);', ' \treturn 0;', ' }']],
    ]);

  it('the unmap of a pointer mapped in the gap is not the one in view unmapped a second time', () => {
    // `d_addr = kmap_atomic(newpage);` is between the hunks
    expectClean(findings(patch(['+\tkunmap_atomic(s_addr);'])));
  });

  it('the pointer in view unmapped twice is', () => {
    const p = patch(['+\tkunmap_atomic(s_addr);', '+\tkunmap_atomic(s_addr);']);
    // (the mapping, and the pagefault- and preemption-disabled sections kmap_atomic() opens with it)
    const fs = expectRule(findings(p), 'bracket/unbalanced', 3);
    assert.ok(fs.some((f) => /mapping `s_addr` a second time/.test(f.message)));
    for (const f of fs) assert.equal(f.range.start.line + 1, lineOf(p, '+\tkunmap_atomic(s_addr);', 1));
  });
});

describe('a free that follows the allocator the patch changes', () => {
  const patch = (allocFrom: string, allocTo: string, countTo = 'n') =>
    [
      'diff --git a/fs/ring.c b/fs/ring.c',
      '--- a/fs/ring.c',
      '+++ b/fs/ring.c',
      '@@ -80,7 +80,7 @@ struct ring *ring_alloc(unsigned int n)',
      ' \tif (!r)',
      ' \t\treturn NULL;',
      ' ',
      `-\tr->slots = ${allocFrom}(n, sizeof(struct slot), GFP_KERNEL);`,
      `+\tr->slots = ${allocTo}(${countTo}, sizeof(struct slot), GFP_KERNEL);`,
      ' \tif (!r->slots)',
      ' \t\tgoto out_free;',
      ' \treturn r;',
      '@@ -120,7 +120,7 @@ void ring_free(struct ring *r)',
      ' \tif (r->spare)',
      ' \t\t__free_page(r->spare);',
      ' \tring_drain(r);',
      '-\tkfree(r->slots);',
      '+\tkvfree(r->slots);',
      ' \tkfree(r);',
      ' }',
      '',
    ].join('\n');

  it('kfree() -> kvfree() of a buffer the patch now allocates with kvcalloc(): not a sign of atomic context', () => {
    expectClean(findings(patch('kcalloc', 'kvcalloc')));
  });

  it('with the allocator unchanged, the free that may now sleep is still reported', () => {
    const [f] = expectRule(findings(patch('kcalloc', 'kcalloc', 'n + 1')), 'atomic-sleep/sleep-in-atomic', 1);
    assert.match(f.message, /kfree\(\) is replaced by kvfree\(\)/);
  });
});

describe('a section closed with a lock goes where the lock goes', () => {
  // the lock and IRQs-off, taken above the hunk by one call, were released by one call the patch deletes
  const patch = (ret: string) =>
    multiHunk([
      [
        100,
        100,
        'static struct lruvec *move_one(struct folio *folio, struct lruvec *lruvec)',
        [' 	del_from_list(folio, lruvec);', ' 	add_to_list(folio, lruvec);', ' out:', '-	unlock_page_lruvec_irq(lruvec);', '+	set_on_list(folio);', `+	return ${ret};`, ' }'],
      ],
    ]);

  it('the function now returns the lock held (with IRQs off) for its caller to unlock: not lost', () => {
    expectClean(findings(patch('lruvec')));
  });

  it('returning something else leaves both held', () => {
    const fs = expectRule(findings(patch('NULL')), 'bracket/unbalanced', 2);
    assert.ok(fs.some((f) => /IRQs-off/.test(f.message)));
  });
});

describe('a release of the caller\'s lock moved into the caller', () => {
  const patch = (callerRelease: string[]) =>
    multiHunk([
      [50, 50, 'static int count_pages(struct mm_struct *mm, unsigned long addr)', [' {', ' \tint n;', ' ', ' \tn = walk_range(mm, addr);', '-\tmmap_read_unlock(mm);', ' \treturn n;', ' }']],
      [90, 89, 'static long report(struct mm_struct *mm, struct mm_struct *peer, unsigned long addr)', [' \tmmap_read_lock(mm);', ' \tvma = find_vma(mm, addr);', ' \tnote_vma(vma);', ...callerRelease, ' \tret = count_pages(mm, addr);', ' \treturn ret;']],
    ]);

  it('the caller now unlocks right before the call: moved, not lost', () => {
    expectClean(findings(patch(['+\tmmap_read_unlock(mm);'])));
  });

  it('no caller unlocks it, or one unlocks another mm: lost', () => {
    expectRule(findings(patch([])), 'bracket/unbalanced', 1);
    expectRule(findings(patch(['+\tmmap_read_unlock(peer);'])), 'bracket/unbalanced', 1);
  });
});

describe('a release moved into one branch, the other branch now handing the object over', () => {
  const patch = (otherBranch: string) =>
    multiHunk([
      [
        60,
        60,
        'static int setup_ring(struct dev *dev, struct queue *q)',
        [
          ' \tif (err)',
          '-\t\tgoto free_ring;',
          '+\t\tgoto fail;',
          ' \treturn 0;',
          ' ',
          '-free_ring:',
          '-\tfree_page((unsigned long)ring);',
          '-fail:',
          '+fail:',
          '+\tif (q->ref != INVALID_REF) {',
          `+\t\t${otherBranch}`,
          '+\t\tq->ref = INVALID_REF;',
          '+\t} else {',
          '+\t\tfree_page((unsigned long)ring);',
          '+\t}',
          ' \treturn err;',
          ' }',
        ],
      ],
    ]);

  it('the other branch gives the page to a call that frees it later: not lost', () => {
    expectClean(findings(patch('end_access_and_free(q->ref, (unsigned long)ring);')));
  });

  it('the other branch only ends the access: the page is lost there', () => {
    expectRule(findings(patch('end_access(q->ref);')), 'ref-balance/leak', 1);
  });
});

describe('a release of another kind, the new kind taken on the place the variable is copied from', () => {
  const fn = 'static long reap_task(struct task_struct *t, struct task_struct *other)';
  const patch = (first: string[]) =>
    multiHunk([
      [30, 30, fn, [' \t\tgoto put_task;', ' \t}', ' ', ...first, ' \ttask_unlock(t);']],
      [50, 50, fn, [' \tmmap_read_unlock(mm);', ' drop_mm:', '-\tmmdrop(mm);', '+\tif (mm)', '+\t\tmmput(mm);', ' put_task:', ' \tput_task_struct(t);']],
    ]);

  it('mmgrab(mm) -> mmget_not_zero(t->mm) then mm = t->mm, with mmdrop -> mmput: the pair changed together', () => {
    expectClean(findings(patch(['-\tmm = t->mm;', '-\tmmgrab(mm);', '+\tif (mmget_not_zero(t->mm))', '+\t\tmm = t->mm;'])));
  });

  it('the user reference taken on another task\'s mm, or none taken: the release is of the wrong kind', () => {
    expectRule(findings(patch(['-\tmm = t->mm;', '-\tmmgrab(mm);', '+\tif (mmget_not_zero(other->mm))', '+\t\tmm = t->mm;'])), 'ref-kind/mismatched-release', 1);
    expectRule(findings(patch([' \tmm = t->mm;', ' \tmmgrab(mm);'])), 'ref-kind/mismatched-release', 1);
  });
});
