/** The C model on the seed threads (real mailing-list diffs), through the real mail parser. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RebuiltFunction } from 'mm-review-server/c/model';
import { buildCfg, type Cfg, type CfgNode } from 'mm-review-server/c/cfg';
import { reachable } from 'mm-review-server/c/dataflow';
import { calls, lines, only, opSummary, rebuild, seed, succs, variant } from './fixtures';

function callNode(cfg: Cfg, name: string): CfgNode {
  const n = cfg.nodes.find((x) => x.ops.some((o) => o.kind === 'call' && o.name === name));
  assert.ok(n, `no call to ${name}`);
  return n;
}

describe('seed 001: __do_fault with #ifdef CONFIG_SPECULATIVE_PAGE_FAULT ... } else #endif {', () => {
  const fns = rebuild(seed(1));
  const fn = only(fns, '__do_fault', 'mm/memory.c');

  it('one modified function, rebuilt from its one hunk', () => {
    assert.equal(fns.length, 1);
    assert.equal(fn.change, 'modified');
    assert.equal(fn.source, 'hunk');
    assert.equal(fn.hunks.length, 1);
    assert.deepEqual(fn.problems, []);
  });

  it('pre-image: synthesized heading and braces around the 29 old lines', () => {
    const pre = fn.pre!;
    const l = lines(pre);
    assert.equal(l.length, 32);
    assert.equal(pre.origin.filter((o) => o.kind === 'patch').length, 29);
    assert.deepEqual(
      pre.origin.filter((o) => o.kind === 'synthetic').map((o) => o.kind === 'synthetic' && o.why),
      ['heading', 'open-brace', 'close-brace'],
    );
    assert.equal(l[0], 'static vm_fault_t __do_fault(struct vm_fault *vmf)');
    assert.equal(l[1], '{');
    assert.equal(l[2], '\tstruct vm_area_struct *vma = vmf->vma;');
    assert.equal(l[31], '}');
    assert.equal(pre.headerLine, 0);
    assert.equal(pre.complete, false);
    // every patch line in order, with its old line number
    const o2 = pre.origin[2];
    assert.ok(o2.kind === 'patch' && o2.line.oldLine === 3709);
    const o30 = pre.origin[30];
    assert.ok(o30.kind === 'patch' && o30.line.oldLine === 3737 && o30.line.text === '\t\treturn ret;');
    assert.deepEqual(pre.variants.map((v) => [v.label, v.errorLines]), [['default', []]]);
  });

  it('post-image: 50 new lines, two configurations that both parse with no ERROR node', () => {
    const post = fn.post!;
    const l = lines(post);
    assert.equal(l.length, 53);
    assert.equal(post.origin.filter((o) => o.kind === 'patch').length, 50);
    assert.deepEqual(post.symbols, ['CONFIG_SPECULATIVE_PAGE_FAULT']);
    assert.deepEqual(
      post.variants.map((v) => [v.label, v.assumptions, v.errorLines]),
      [
        ['default', { CONFIG_SPECULATIVE_PAGE_FAULT: false }, []],
        ['CONFIG_SPECULATIVE_PAGE_FAULT=y', { CONFIG_SPECULATIVE_PAGE_FAULT: true }, []],
      ],
    );
    for (const v of post.variants) {
      assert.equal(v.text.split('\n').length, 53);
      assert.equal(v.tree.rootNode.hasError, false);
    }
  });

  it('variant texts: the #ifdef branch and the directives are blanked, line numbers kept', () => {
    const post = fn.post!;
    const def = variant(post, 'default').text.split('\n');
    const spf = variant(post, 'CONFIG_SPECULATIVE_PAGE_FAULT=y').text.split('\n');
    assert.equal(lines(post)[5], '#ifdef CONFIG_SPECULATIVE_PAGE_FAULT');
    assert.equal(lines(post)[21], '#endif');
    // directives blank in both
    assert.equal(def[5], '');
    assert.equal(spf[5], '');
    assert.equal(def[21], '');
    assert.equal(spf[21], '');
    // the speculative branch
    assert.equal(spf[6], '\tif (vmf->flags & FAULT_FLAG_SPECULATIVE) {');
    assert.equal(spf[7], '\t\trcu_read_lock();');
    assert.equal(spf[20], '\t} else');
    assert.equal(def[6], '');
    assert.equal(def[7], '');
    assert.equal(def[20], '');
    // the common block is in both
    assert.equal(def[22], '\t{');
    assert.equal(spf[22], '\t{');
    assert.equal(def[46], '\t\tret = vma->vm_ops->fault(vmf);');
    // the origin of the rcu_read_lock line is the added patch line 3714
    const o = post.origin[7];
    assert.ok(o.kind === 'patch' && o.line.kind === 'add' && o.line.newLine === 3714);
  });

  it('CFG (CONFIG_SPECULATIVE_PAGE_FAULT=y): rcu_read_lock -> branch on mmap_seq_read_check -> rcu_read_unlock', () => {
    const cfg = buildCfg(variant(fn.post!, 'CONFIG_SPECULATIVE_PAGE_FAULT=y'))!;
    assert.equal(cfg.name, '__do_fault');
    const lock = callNode(cfg, 'rcu_read_lock');
    assert.equal(lock.line, 7);
    assert.equal(lock.succs.length, 1);
    const br = lock.succs[0].to;
    assert.equal(br.kind, 'branch');
    assert.equal(br.ast!.text, 'mmap_seq_read_check(vmf->vma->vm_mm, vmf->seq)');
    const check = calls(br.ops)[0];
    assert.deepEqual([check.name, check.inCondition, check.result.kind], ['mmap_seq_read_check', true, 'condition']);
    assert.deepEqual(succs(br), [
      'ret = vma->vm_ops->fault(vmf);|true|mmap_seq_read_check(vmf->vma->vm_mm, vmf->seq)=true',
      'ret = VM_FAULT_RETRY;|false|mmap_seq_read_check(vmf->vma->vm_mm, vmf->seq)=false',
    ]);
    const unlock = callNode(cfg, 'rcu_read_unlock');
    assert.deepEqual(
      unlock.preds.map((e) => e.from.ast!.text),
      ['ret = VM_FAULT_RETRY;', 'ret = vma->vm_ops->fault(vmf);'],
    );
    // the speculative test guards the section; its false edge takes the common block
    const spec = cfg.nodes.find((n) => n.kind === 'branch' && n.ast!.text === 'vmf->flags & FAULT_FLAG_SPECULATIVE')!;
    assert.deepEqual(spec.succs.map((e) => [e.kind, e.to.ast!.text]), [
      ['true', 'rcu_read_lock();'],
      ['false', 'pmd_none(*vmf->pmd)'],
    ]);
    // the unlock reaches the exit, the lock is not reachable from the common block
    assert.ok(reachable(unlock).has(cfg.exit));
    assert.equal(reachable(spec.succs[1].to).has(lock), false);
  });

  it('CFG (default): no RCU section; the common block runs unconditionally', () => {
    const cfg = buildCfg(variant(fn.post!, 'default'))!;
    assert.equal(cfg.nodes.some((n) => n.ops.some((o) => o.kind === 'call' && o.name.startsWith('rcu_'))), false);
    const first = cfg.entry.succs[0].to;
    assert.equal(first.ast!.text, 'struct vm_area_struct *vma = vmf->vma;');
    assert.deepEqual(opSummary(first.ops), ['read vmf->vma', 'decl struct vm_area_struct * vma = vmf->vma']);
    const pmd = cfg.nodes.find((n) => n.kind === 'branch' && n.ast!.text === 'pmd_none(*vmf->pmd)')!;
    assert.equal(pmd.preds[0].from.ast!.text, 'vm_fault_t ret;');
  });
});

describe('seed 004: the revert re-adds arch/x86/mm/gup.c; zone_device patches', () => {
  const fns = rebuild(seed(4));
  const gup = fns.filter((f) => f.path === 'arch/x86/mm/gup.c');

  it('every function of the new gup.c is rebuilt whole and parses in every configuration', () => {
    assert.deepEqual(gup.map((f) => f.name), [
      'gup_get_pte',
      'undo_dev_pagemap',
      'pte_allows_gup',
      'gup_pte_range',
      'get_head_page_multiple',
      '__gup_device_huge',
      '__gup_device_huge_pmd',
      '__gup_device_huge_pud',
      'gup_huge_pmd',
      'gup_pmd_range',
      'gup_huge_pud',
      'gup_pud_range',
      'gup_p4d_range',
      '__get_user_pages_fast',
      'get_user_pages_fast',
    ]);
    for (const f of gup) {
      assert.equal(f.change, 'added', f.name);
      assert.equal(f.pre, null);
      assert.equal(f.post!.complete, true, f.name);
      for (const v of f.post!.variants) assert.deepEqual(v.errorLines, [], `${f.name} ${v.label}`);
    }
  });

  it('gup_pte_range: `noinline` is blanked in the parse text only, columns unchanged', () => {
    const f = only(gup, 'gup_pte_range');
    const v = f.post!.variants[0];
    assert.equal(v.text.split('\n')[0], 'static noinline int gup_pte_range(pmd_t pmd, unsigned long addr,');
    assert.equal(v.parseText.split('\n')[0], 'static          int gup_pte_range(pmd_t pmd, unsigned long addr,');
    assert.equal(v.parseText.length, v.text.length);
    assert.deepEqual(v.rewrites.map((r) => [r.kind, r.line, r.col, r.original]), [['annotation', 0, 7, 'noinline']]);
  });

  it('gup_pte_range: get_dev_pagemap result, the unlikely(!pgmap) test and the pages[*nr] store', () => {
    const cfg = buildCfg(only(gup, 'gup_pte_range').post!.variants[0])!;
    const get = callNode(cfg, 'get_dev_pagemap');
    const c = calls(get.ops).find((x) => x.name === 'get_dev_pagemap')!;
    assert.deepEqual(c.args.map((a) => a.text), ['pte_pfn(pte)', 'pgmap']);
    assert.ok(c.result.kind === 'assigned' && c.result.to === 'pgmap');
    const test = get.succs[0].to;
    assert.equal(test.kind, 'branch');
    assert.equal(test.ast!.text, 'pgmap');
    assert.deepEqual(test.succs.map((e) => [e.cond!.value, e.to.ast!.text.trim()]), [
      [true, 'VM_BUG_ON(!pfn_valid(pte_pfn(pte)));'],
      [false, 'undo_dev_pagemap(nr, nr_start, pages);'],
    ]);
    const store = cfg.nodes.find((n) => n.ast?.text === 'pages[*nr] = page;')!;
    assert.deepEqual(opSummary(store.ops), ['read *nr', 'assign pages[*nr] = page', 'write pages[*nr]']);
    // the do-while loop goes back to its head
    assert.equal(cfg.nodes.filter((n) => n.succs.some((e) => e.back)).length, 1);
  });

  it('__gup_device_huge and undo_dev_pagemap: the pages[] ownership transfer and the undo loop', () => {
    const dev = buildCfg(only(gup, '__gup_device_huge').post!.variants[0])!;
    const order = dev.nodes.flatMap((n) => calls(n.ops).map((c) => c.name));
    assert.deepEqual(order, ['pfn_to_page', 'get_dev_pagemap', 'undo_dev_pagemap', 'SetPageReferenced', 'get_page', 'put_dev_pagemap']);
    const undo = buildCfg(only(gup, 'undo_dev_pagemap').post!.variants[0])!;
    const decl = undo.nodes.find((n) => n.ops.some((o) => o.kind === 'decl' && o.name === 'page'))!;
    assert.deepEqual(opSummary(decl.ops), ['read *nr', 'assign (*nr) --', 'write *nr', 'read pages[--(*nr)]', 'decl struct page * page = pages[--(*nr)]']);
    const head = undo.nodes.find((n) => n.loop?.kind === 'while')!;
    assert.equal(head.ast!.text, '(*nr) - nr_start');
  });

  it('get_user_pages_fast: the goto slow / slow_irqon ladder and the { int ret; slow: ... } block', () => {
    const f = only(gup, 'get_user_pages_fast');
    assert.deepEqual(f.post!.variants.map((v) => v.label), ['default', 'CONFIG_X86_64=y']);
    const cfg = buildCfg(variant(f.post!, 'default'))!;
    assert.deepEqual([...cfg.labels.keys()].sort(), ['slow', 'slow_irqon']);
    const gotos = cfg.nodes.filter((n) => n.kind === 'goto').map((n) => n.label);
    assert.deepEqual(gotos, ['slow_irqon', 'slow', 'slow']);
    const slow = cfg.labels.get('slow')!;
    assert.deepEqual(succs(slow), ['local_irq_enable();|seq']);
    assert.equal(slow.succs[0].to.succs[0].to, cfg.labels.get('slow_irqon'));
    const gupu = callNode(cfg, 'get_user_pages_unlocked');
    const c = calls(gupu.ops)[0];
    assert.ok(c.result.kind === 'assigned' && c.result.to === 'ret');
    assert.deepEqual(cfg.unresolvedGotos, []);
    // the fast path: local_irq_disable ... local_irq_enable ... return nr
    const disable = callNode(cfg, 'local_irq_disable');
    assert.ok(reachable(disable).has(callNode(cfg, 'get_user_pages_unlocked')));
    // CONFIG_X86_64 adds the __VIRTUAL_MASK_SHIFT check, a second goto slow_irqon
    const cfg64 = buildCfg(variant(f.post!, 'CONFIG_X86_64=y'))!;
    assert.deepEqual(cfg64.nodes.filter((n) => n.kind === 'goto').map((n) => n.label), ['slow_irqon', 'slow_irqon', 'slow', 'slow']);
  });

  it('devm_memremap_pages_release (hunk only): for_each_device_pfn(pfn, page_map) put_page(pfn_to_page(pfn));', () => {
    const versions = fns.filter((f) => f.name === 'devm_memremap_pages_release' && f.post!.text.includes('put_page(pfn_to_page(pfn));'));
    assert.equal(versions.length, 4);
    for (const f of versions) {
      assert.equal(f.source, 'hunk');
      assert.equal(f.path, 'kernel/memremap.c');
      for (const img of [f.pre!, f.post!]) for (const v of img.variants) assert.deepEqual(v.errorLines, []);
      const l = lines(f.post!);
      assert.equal(l[0], 'static void devm_memremap_pages_release(struct device *dev, void *data)');
      const cfg = buildCfg(f.post!.variants[0])!;
      const head = cfg.nodes.find((n) => n.loop?.kind === 'macro')!;
      assert.equal(head.loop!.macro, 'for_each_device_pfn');
      assert.equal(l[head.line], '\tfor_each_device_pfn(pfn, page_map)');
      assert.deepEqual(succs(head).map((s) => s.split('|').slice(0, 2).join('|')), ['put_page(pfn_to_page(pfn));|loop-body', 'percpu_ref_tryget_live(pgmap->ref)|loop-exit']);
      const rw = f.post!.variants[0].rewrites.find((r) => r.kind === 'loop-macro')!;
      assert.deepEqual([rw.name, rw.line, rw.col], ['for_each_device_pfn', head.line, 1]);
    }
  });

  it('devm_memremap_pages: percpu_ref_get in the loop body; the hunk starts inside a comment', () => {
    const f = fns.find((x) => x.name === 'devm_memremap_pages')!;
    const post = f.post!;
    assert.deepEqual(
      post.origin.slice(0, 4).map((o) => (o.kind === 'synthetic' ? o.why : o.kind)),
      ['heading', 'open-brace', 'open-brace', 'comment-open'],
    );
    assert.deepEqual(post.variants[0].errorLines, []);
    const cfg = buildCfg(post.variants[0])!;
    assert.ok(callNode(cfg, 'percpu_ref_get'));
  });

  it('a file of the series that changes no function gives nothing (mm/gup.c comment and #ifdef hunks)', () => {
    const gupc = fns.filter((f) => f.path === 'mm/gup.c' && f.message.index === fns.find((x) => x.path === 'arch/x86/mm/gup.c')!.message.index);
    assert.deepEqual(gupc.map((f) => f.name), []);
  });
});

describe('seed 003: lockless page-table walk counting (mangled diffs repaired by the parser)', () => {
  const fns = rebuild(seed(3));
  const byName = (n: string) => only(fns, n);

  it('both patches: the new functions rebuild whole and parse', () => {
    for (const n of ['start_lockless_pgtbl_walk', 'end_lockless_pgtbl_walk', 'running_lockless_pgtbl_walk', 'register_lockless_page_table_walker', 'deregister_lockless_page_table_walker']) {
      const f = byName(n);
      assert.equal(f.change, 'added', n);
      assert.equal(f.post!.complete, true, n);
      for (const v of f.post!.variants) assert.deepEqual(v.errorLines, [], `${n} ${v.label}`);
    }
    const start = buildCfg(byName('start_lockless_pgtbl_walk').post!.variants[0])!;
    assert.deepEqual(start.nodes.flatMap((n) => calls(n.ops).map((c) => c.name)), ['atomic_inc', 'smp_mb']);
    const end = buildCfg(byName('end_lockless_pgtbl_walk').post!.variants[0])!;
    assert.deepEqual(end.nodes.flatMap((n) => calls(n.ops).map((c) => c.name)), ['smp_mb', 'atomic_dec']);
  });

  it('register_lockless_page_table_walker: #ifdef LOCKLESS_PAGE_TABLE_WALK_TRACKING gives two variants', () => {
    const f = byName('register_lockless_page_table_walker');
    const img = f.post!;
    assert.deepEqual(img.symbols, ['LOCKLESS_PAGE_TABLE_WALK_TRACKING']);
    assert.deepEqual(img.variants.map((v) => v.label), ['default', 'LOCKLESS_PAGE_TABLE_WALK_TRACKING=y']);
    const seq = (label: string) => buildCfg(variant(img, label))!.nodes.flatMap((n) => calls(n.ops).map((c) => c.name));
    assert.deepEqual(seq('default'), ['smp_mb', 'local_irq_save']);
    assert.deepEqual(seq('LOCKLESS_PAGE_TABLE_WALK_TRACKING=y'), ['atomic_inc', 'smp_mb', 'local_irq_save']);
    const d = byName('deregister_lockless_page_table_walker').post!;
    assert.deepEqual(d.variants.map((v) => v.label), ['default', 'LOCKLESS_PAGE_TABLE_WALK_TRACKING=y']);
  });

  it('get_user_pages_fast: two hunks joined with a gap line; braces stay balanced', () => {
    const f = byName('get_user_pages_fast');
    assert.equal(f.hunks.length, 2);
    const post = f.post!;
    const gap = post.origin.findIndex((o) => o.kind === 'synthetic' && o.why === 'gap');
    assert.equal(lines(post)[gap], '\t/* [mm-review: 11 lines not shown] */');
    // the first hunk ends on `if (WARN_ON_ONCE(...))`: a stub `;` completes it
    assert.equal(lines(post)[gap - 1], '\t\t;');
    assert.deepEqual(post.variants[0].errorLines, []);
    const cfg = buildCfg(post.variants[0])!;
    const names = cfg.nodes.flatMap((n) => calls(n.ops).map((c) => c.name));
    assert.deepEqual(names, ['WARN_ON_ONCE', 'IS_ENABLED', 'gup_fast_permitted', 'register_lockless_page_table_walker', 'gup_pgd_range', 'deregister_lockless_page_table_walker']);
    assert.ok(cfg.nodes.some((n) => n.role === 'gap'));
    const pre = buildCfg(f.pre!.variants[0])!;
    assert.deepEqual(pre.nodes.flatMap((n) => calls(n.ops).map((c) => c.name)).slice(3), ['local_irq_disable', 'gup_pgd_range', 'local_irq_enable']);
  });

  it('init_new_context: a hunk starting with #endif (its #if is not shown)', () => {
    const f = byName('init_new_context');
    assert.deepEqual(f.post!.variants.map((v) => v.label), ['default']);
    assert.deepEqual(f.post!.variants[0].errorLines, []);
    assert.equal(f.post!.variants[0].text.split('\n')[2], '');
  });

  it('struct and Kconfig hunks give no function', () => {
    const names = fns.map((f: RebuiltFunction) => `${f.path}:${f.name}`);
    assert.equal(names.some((n) => n.includes('mm_types.h') || n.includes('Kconfig') || n.includes('mmu.h:')), false);
  });
});

describe('seed 001: locating an operation in the mail', () => {
  it('a call found in the CFG maps back to its characters in the original document', async () => {
    const { locate } = await import('mm-review-server/c/rebuild');
    const text = seed(1);
    const f = only(rebuild(text), '__do_fault');
    const v = variant(f.post!, 'CONFIG_SPECULATIVE_PAGE_FAULT=y');
    const cfg = buildCfg(v)!;
    const op = calls(callNode(cfg, 'mmap_seq_read_check').ops)[0];
    const loc = locate(f.post!, op.line, op.col);
    assert.ok(loc.kind === 'patch');
    assert.equal(loc.line.kind, 'add');
    assert.equal(text.slice(loc.offset!, loc.offset! + 'mmap_seq_read_check'.length), 'mmap_seq_read_check');
    // the + marker precedes the line text in the document
    assert.equal(text[loc.line.span.start], '+');
    assert.deepEqual(locate(f.post!, 0, 0), { kind: 'synthetic' });
  });
});
