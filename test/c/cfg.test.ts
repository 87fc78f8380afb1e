/** CFG construction and operations, one construct at a time, on small C functions. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { calls, cfgOf, nodeByText, opSummary, succs } from './fixtures';
import { conditionAtom, dumpCfg, type CallOp } from 'mm-review-server/c/cfg';

describe('CFG: branches and conditions', () => {
  it('if/else: one branch node, true and false edges carry the condition', () => {
    const cfg = cfgOf(`int f(int a)
{
	if (a > 0)
		g();
	else
		h();
	return a;
}`);
    const br = nodeByText(cfg, 'a > 0', 'branch');
    assert.deepEqual(succs(br), ['g();|true|a > 0=true', 'h();|false|a > 0=false']);
    assert.deepEqual(succs(nodeByText(cfg, 'g();')), ['return a;|seq']);
    assert.deepEqual(succs(nodeByText(cfg, 'h();')), ['return a;|seq']);
    assert.deepEqual(succs(nodeByText(cfg, 'return a;')), ['EXIT|return']);
  });

  it('if (!get_page_unless_zero(page)) goto retry: atom is the call, false on the goto edge', () => {
    const cfg = cfgOf(`struct page *f(struct page *page)
{
retry:
	if (!get_page_unless_zero(page))
		goto retry;
	return page;
}`);
    const br = nodeByText(cfg, 'get_page_unless_zero(page)', 'branch');
    assert.deepEqual(succs(br), ['return page;|true|get_page_unless_zero(page)=true', 'goto retry;|false|get_page_unless_zero(page)=false']);
    const call = calls(br.ops)[0];
    assert.equal(call.name, 'get_page_unless_zero');
    assert.equal(call.inCondition, true);
    assert.deepEqual(call.result, { kind: 'condition' });
    const g = nodeByText(cfg, 'goto retry;', 'goto');
    assert.deepEqual(succs(g), ['retry:|goto']);
    assert.equal(cfg.labels.get('retry')!.line, 2);
    assert.deepEqual(cfg.unresolvedGotos, []);
  });

  it('if (unlikely(!pgmap)): likely/unlikely and ! are looked through; no call op for unlikely', () => {
    const cfg = cfgOf(`int f(unsigned long pfn)
{
	struct dev_pagemap *pgmap = get_dev_pagemap(pfn, NULL);
	if (unlikely(!pgmap))
		return 0;
	put_dev_pagemap(pgmap);
	return 1;
}`);
    const br = nodeByText(cfg, 'pgmap', 'branch');
    assert.equal(br.ast!.text, 'pgmap');
    assert.deepEqual(succs(br), ['put_dev_pagemap(pgmap);|true|pgmap=true', 'return 0;|false|pgmap=false']);
    assert.deepEqual(br.ops, []);
    const decl = nodeByText(cfg, 'struct dev_pagemap *pgmap');
    assert.deepEqual(opSummary(decl.ops), ['call get_dev_pagemap(pfn, NULL)', 'decl struct dev_pagemap * pgmap = get_dev_pagemap(pfn, NULL)']);
    const c = calls(decl.ops)[0];
    assert.equal(c.result.kind, 'assigned');
    assert.equal(c.result.kind === 'assigned' && c.result.to, 'pgmap');
    assert.equal(c.result.kind === 'assigned' && c.result.declared, true);
  });

  it('== NULL and != 0 comparisons normalize to the operand', () => {
    const cfg = cfgOf(`int f(struct page *p, int ret)
{
	if (p == NULL)
		return -1;
	if (ret != 0)
		return ret;
	return 0;
}`);
    assert.deepEqual(succs(nodeByText(cfg, 'p', 'branch')), ['ret|true|p=true', 'return -1;|false|p=false']);
    assert.deepEqual(succs(nodeByText(cfg, 'ret', 'branch')), ['return ret;|true|ret=true', 'return 0;|false|ret=false']);
  });

  it('if (ret < 0): a comparison stays the atom; a call compared records how', () => {
    const cfg = cfgOf(`int f(void)
{
	int ret;
	if (get_user_pages_fast(1, 2, 0, NULL) < 0)
		return -1;
	ret = g();
	if (ret < 0)
		return ret;
	return 0;
}`);
    const b1 = nodeByText(cfg, 'get_user_pages_fast(1, 2, 0, NULL) < 0', 'branch');
    const c = calls(b1.ops)[0];
    assert.deepEqual({ kind: c.result.kind, op: c.result.kind === 'compared' ? c.result.op : '', other: c.result.kind === 'compared' ? c.result.other : '' }, { kind: 'compared', op: '<', other: '0' });
    assert.deepEqual(succs(nodeByText(cfg, 'ret < 0', 'branch')), ['return ret;|true|ret < 0=true', 'return 0;|false|ret < 0=false']);
  });

  it('&& and || in a condition become one branch node per operand', () => {
    const cfg = cfgOf(`void f(int a, int b, int c)
{
	if (a && (b || !c))
		x();
	y();
}`);
    assert.deepEqual(succs(nodeByText(cfg, 'a', 'branch')), ['b|true|a=true', 'y();|false|a=false']);
    assert.deepEqual(succs(nodeByText(cfg, 'b', 'branch')), ['x();|true|b=true', 'c|false|b=false']);
    assert.deepEqual(succs(nodeByText(cfg, 'c', 'branch')), ['y();|true|c=true', 'x();|false|c=false']);
    const e = cfg.nodes.find((n) => n.ast?.text === 'c')!.succs[1];
    assert.equal(e.cond!.whole.text, '(a && (b || !c))');
  });

  it('!(a && b): De Morgan on the exits', () => {
    const cfg = cfgOf(`void f(int a, int b)
{
	if (!(a && b))
		x();
}`);
    assert.deepEqual(succs(nodeByText(cfg, 'a', 'branch')), ['b|true|a=true', 'x();|false|a=false']);
    assert.deepEqual(succs(nodeByText(cfg, 'b', 'branch')), ['EXIT|true|b=true', 'x();|false|b=false']);
  });

  it('?: in a condition splits into operand branches', () => {
    const cfg = cfgOf(`void f(int w, int a, int b)
{
	if (w ? a : b)
		x();
}`);
    assert.deepEqual(succs(nodeByText(cfg, 'w', 'branch')), ['a|true|w=true', 'b|false|w=false']);
    assert.deepEqual(succs(nodeByText(cfg, 'a', 'branch')), ['x();|true|a=true', 'EXIT|false|a=false']);
    assert.deepEqual(succs(nodeByText(cfg, 'b', 'branch')), ['x();|true|b=true', 'EXIT|false|b=false']);
  });

  it('?: with calls in an expression: arms are separate nodes that join', () => {
    const cfg = cfgOf(`void f(int w, struct page *p)
{
	struct page *q = w ? get_page_ref(p) : NULL;
	use(q);
}`);
    const br = nodeByText(cfg, 'w', 'branch');
    assert.deepEqual(succs(br), ['get_page_ref(p)|true|w=true', 'NULL|false|w=false']);
    const arm = br.succs[0].to;
    assert.equal(arm.role, 'arm');
    assert.deepEqual(opSummary(arm.ops), ['call get_page_ref(p)']);
    const c = arm.ops[0] as CallOp;
    assert.equal(c.result.kind === 'assigned' && c.result.to, 'q');
    const join = arm.succs[0].to;
    assert.equal(join.role, 'join');
    assert.deepEqual(opSummary(join.ops), ['decl struct page * q = w ? get_page_ref(p) : NULL']);
    assert.equal(br.succs[1].to.succs[0].to, join);
  });

  it('&& with a call on the right in an expression: short-circuit split', () => {
    const cfg = cfgOf(`int f(int a, struct page *p)
{
	int ok = a && get_page_unless_zero(p);
	return ok;
}`);
    const br = nodeByText(cfg, 'a', 'branch');
    assert.equal(br.succs[0].kind, 'true');
    assert.deepEqual(opSummary(br.succs[0].to.ops), ['call get_page_unless_zero(p)']);
    const join = br.succs[1].to;
    assert.equal(join.role, 'join');
    assert.deepEqual(opSummary(join.ops), ['decl int ok = a && get_page_unless_zero(p)']);
  });

  it('conditionAtom strips parentheses, !, unlikely and == NULL', () => {
    const cfg = cfgOf(`void f(struct page *p)
{
	if (unlikely((!(p == NULL))))
		x();
}`);
    const br = cfg.nodes.find((n) => n.kind === 'branch')!;
    assert.equal(br.ast!.text, 'p');
    const whole = br.succs[0].cond!.whole;
    const { atom, negated } = conditionAtom(whole);
    assert.equal(atom.text, 'p');
    assert.equal(negated, false);
    assert.deepEqual(succs(br), ['x();|true|p=true', 'EXIT|false|p=false']);
  });
});

describe('CFG: loops', () => {
  it('while: head is the condition branch, body returns with a back edge', () => {
    const cfg = cfgOf(`void f(int n)
{
	while (n--)
		g(n);
	h();
}`);
    const head = nodeByText(cfg, 'n--', 'branch');
    assert.deepEqual(head.loop, { kind: 'while' });
    assert.deepEqual(opSummary(head.ops), ['assign n --']);
    assert.deepEqual(succs(head), ['g(n);|true|n--=true', 'h();|false|n--=false']);
    assert.deepEqual(succs(nodeByText(cfg, 'g(n);')), ['n--|seq|back']);
  });

  it('for: init, condition, update; continue goes to the update, break leaves', () => {
    const cfg = cfgOf(`void f(int n)
{
	int i;
	for (i = 0; i < n; i++) {
		if (skip(i))
			continue;
		if (stop(i))
			break;
		work(i);
	}
	done();
}`);
    assert.deepEqual(succs(nodeByText(cfg, 'i = 0')), ['i < n|seq']);
    const head = nodeByText(cfg, 'i < n', 'branch');
    assert.deepEqual(head.loop, { kind: 'for' });
    assert.deepEqual(succs(head), ['skip(i)|true|i < n=true', 'done();|false|i < n=false']);
    assert.deepEqual(succs(nodeByText(cfg, 'skip(i)', 'branch')), ['i++|true|skip(i)=true|continue', 'stop(i)|false|skip(i)=false']);
    assert.deepEqual(succs(nodeByText(cfg, 'stop(i)', 'branch')), ['done();|true|stop(i)=true|break', 'work(i);|false|stop(i)=false']);
    assert.deepEqual(succs(nodeByText(cfg, 'work(i);')), ['i++|seq']);
    assert.deepEqual(succs(nodeByText(cfg, 'i++')), ['i < n|seq|back']);
  });

  it('for (;;) with break: a loop-head node and no false edge', () => {
    const cfg = cfgOf(`void f(void)
{
	for (;;) {
		if (try_it())
			break;
	}
	out();
}`);
    const head = cfg.nodes.find((n) => n.role === 'loop-head')!;
    assert.deepEqual(head.loop, { kind: 'for' });
    assert.deepEqual(succs(head), ['try_it()|seq']);
    assert.deepEqual(succs(nodeByText(cfg, 'try_it()', 'branch')), ['out();|true|try_it()=true|break', 'for (;;) { if (try_it()) break; }|false|try_it()=false|back']);
  });

  it('do { } while (cond): body first, condition branches back', () => {
    const cfg = cfgOf(`void f(pte_t *ptep, unsigned long addr, unsigned long end)
{
	do {
		g(ptep);
	} while (ptep++, addr += 4096, addr != end);
	h();
}`);
    const head = cfg.nodes.find((n) => n.role === 'loop-head')!;
    assert.deepEqual(head.loop, { kind: 'do' });
    assert.deepEqual(succs(head), ['g(ptep);|seq']);
    assert.deepEqual(succs(nodeByText(cfg, 'g(ptep);')), ['ptep++|seq']);
    assert.deepEqual(succs(nodeByText(cfg, 'ptep++')), ['addr += 4096|seq']);
    const c = nodeByText(cfg, 'addr != end', 'branch');
    assert.deepEqual(succs(c), ['do { g(ptep); } while (ptep++, addr += 4|true|addr != end=true|back', 'h();|false|addr != end=false']);
  });

  it('do { } while (0): the body runs once, no back edge, no branch node', () => {
    const cfg = cfgOf(`void f(int x)
{
	do {
		if (x)
			break;
		g();
	} while (0);
	h();
}`);
    assert.equal(cfg.nodes.filter((n) => n.kind === 'branch').length, 1);
    assert.deepEqual(succs(nodeByText(cfg, 'g();')), ['h();|seq']);
    assert.deepEqual(succs(nodeByText(cfg, 'x', 'branch')), ['h();|true|x=true|break', 'g();|false|x=false']);
    assert.equal(cfg.nodes.some((n) => n.succs.some((e) => e.back)), false);
  });

  it('for_each_* loop macro followed by a statement: a macro loop head with the macro as a call', () => {
    const cfg = cfgOf(`static void release(struct page_map *page_map)
{
	unsigned long pfn;

	for_each_device_pfn(pfn, page_map)
		put_page(pfn_to_page(pfn));
	done();
}`);
    const head = cfg.nodes.find((n) => n.loop?.kind === 'macro')!;
    assert.equal(head.loop!.macro, 'for_each_device_pfn');
    assert.equal(head.line, 4);
    const c = head.ops[0] as CallOp;
    assert.equal(c.name, 'for_each_device_pfn');
    assert.equal(c.loopMacro, true);
    assert.deepEqual(c.args.map((a) => a.text), ['pfn', 'page_map']);
    assert.deepEqual(succs(head), ['put_page(pfn_to_page(pfn));|loop-body', 'done();|loop-exit']);
    assert.deepEqual(opSummary(nodeByText(cfg, 'put_page').ops), ['call pfn_to_page(pfn)', 'call put_page(pfn_to_page(pfn))']);
    assert.deepEqual(succs(nodeByText(cfg, 'put_page')), ['(pfn, page_map)|seq|back']);
  });

  it('list_for_each_entry with a block, continue and break', () => {
    const cfg = cfgOf(`void f(struct list_head *head)
{
	struct page *page;

	list_for_each_entry(page, head, lru) {
		if (PageLocked(page))
			continue;
		if (!trylock_page(page))
			break;
		unlock_page(page);
	}
}`);
    const head = cfg.nodes.find((n) => n.loop?.kind === 'macro')!;
    assert.equal(head.loop!.macro, 'list_for_each_entry');
    assert.deepEqual(succs(nodeByText(cfg, 'PageLocked(page)', 'branch')), ['(page, head, lru)|true|PageLocked(page)=true|back|continue', 'trylock_page(page)|false|PageLocked(page)=false']);
    assert.deepEqual(succs(nodeByText(cfg, 'trylock_page(page)', 'branch')), ['unlock_page(page);|true|trylock_page(page)=true', 'EXIT|false|trylock_page(page)=false|break']);
  });
});

describe('CFG: switch, goto, return, statement expressions', () => {
  it('switch: case edges, fallthrough, default, break', () => {
    const cfg = cfgOf(`int f(int x)
{
	int r = 0;
	switch (x) {
	case 1:
		r = 1;
		/* fall through */
	case 2:
		r += 2;
		break;
	default:
		r = -1;
	}
	return r;
}`);
    const sw = cfg.nodes.find((n) => n.kind === 'switch')!;
    assert.equal(sw.ast!.text, '(x)');
    assert.deepEqual(
      sw.succs.map((e) => `${e.kind}:${e.switchCase!.value?.text ?? 'default'}:${e.switchCase!.discriminant.text}`),
      ['case:1:x', 'case:2:x', 'default:default:x'],
    );
    const case2 = sw.succs[1].to;
    assert.equal(case2.role, 'case');
    assert.deepEqual(case2.preds.map((e) => `${e.from.ast?.text.trim()}|${e.kind}|${e.via ?? ''}`), ['(x)|case|', 'r = 1;|seq|fallthrough']);
    assert.deepEqual(succs(nodeByText(cfg, 'r += 2;')), ['return r;|seq|break']);
    assert.deepEqual(succs(nodeByText(cfg, 'r = -1;')), ['return r;|seq']);
  });

  it('switch without default: an implicit default edge past the switch', () => {
    const cfg = cfgOf(`void f(int x)
{
	switch (x) {
	case 0:
		a();
		break;
	}
	b();
}`);
    const sw = cfg.nodes.find((n) => n.kind === 'switch')!;
    assert.deepEqual(sw.succs.map((e) => `${e.kind}->${e.to.ast?.text ?? e.to.kind}`), ['case->case 0:\n\t\ta();\n\t\tbreak;', 'default->b();']);
  });

  it('goto error-unwind ladder: each goto reaches its label, labels fall through', () => {
    const cfg = cfgOf(`int f(void)
{
	int ret;

	ret = a_get();
	if (ret)
		goto out;
	ret = b_get();
	if (ret)
		goto put_a;
	ret = c_get();
	if (ret)
		goto put_b;
	return 0;

put_b:
	b_put();
put_a:
	a_put();
out:
	return ret;
}`);
    assert.deepEqual([...cfg.labels.keys()], ['out', 'put_a', 'put_b']);
    const gotos = cfg.nodes.filter((n) => n.kind === 'goto');
    assert.deepEqual(gotos.map((g) => `${g.label}->${g.succs[0].to.label}`), ['out->out', 'put_a->put_a', 'put_b->put_b']);
    assert.deepEqual(succs(nodeByText(cfg, 'b_put();')), ['put_a:|seq']);
    assert.deepEqual(succs(nodeByText(cfg, 'a_put();')), ['out:|seq']);
    assert.deepEqual(succs(cfg.labels.get('out')!), ['return ret;|seq']);
    assert.equal(cfg.exit.preds.length, 2);
  });

  it('a goto to a label that is not in the text goes to the exit as unresolved', () => {
    const cfg = cfgOf(`int f(int x)
{
	if (x)
		goto elsewhere;
	return 0;
}`);
    assert.equal(cfg.unresolvedGotos.length, 1);
    assert.equal(cfg.unresolvedGotos[0].label, 'elsewhere');
    assert.deepEqual(succs(cfg.labels.get('elsewhere')!), ['EXIT|unresolved']);
  });

  it('statement expression ({ ... }): its statements are in line, then a join', () => {
    const cfg = cfgOf(`int f(struct page *p)
{
	int x = ({ int __r = 0; if (p) __r = get_it(p); __r; });
	return x;
}`);
    const br = nodeByText(cfg, 'p', 'branch');
    assert.deepEqual(succs(br), ['__r = get_it(p);|true|p=true', '__r;|false|p=false']);
    const join = cfg.nodes.find((n) => n.role === 'join')!;
    assert.deepEqual(opSummary(join.ops), ['decl int x = ({ int __r = 0; if (p) __r = get_it(p); __r; })']);
    assert.deepEqual(succs(join), ['return x;|seq']);
  });

  it('entry carries the parameters; returns go to exit; code after return is unreachable', () => {
    const cfg = cfgOf(`static int f(struct page **pages, int *nr)
{
	return 1;
	dead();
}`);
    assert.deepEqual(cfg.params.map((p) => `${p.type} ${p.name}`), ['struct page ** pages', 'int * nr']);
    assert.equal(cfg.name, 'f');
    assert.deepEqual(nodeByText(cfg, 'dead();').preds, []);
  });
});

describe('CFG: operations', () => {
  it('pages[(*nr)++] = page: reads/writes of *nr, the assignment, the store into the array', () => {
    const cfg = cfgOf(`static void f(struct page **pages, int *nr, struct page *page)
{
	pages[(*nr)++] = page;
}`);
    const n = nodeByText(cfg, 'pages[(*nr)++] = page;');
    assert.deepEqual(opSummary(n.ops), ['read *nr', 'assign (*nr) ++', 'write *nr', 'assign pages[(*nr)++] = page', 'write pages[(*nr)++]']);
    const a = n.ops.find((o) => o.kind === 'assign' && o.op === '=')!;
    assert.ok(a.kind === 'assign');
    assert.deepEqual({ kind: a.target.kind, base: a.target.base, index: a.target.index, memory: a.target.memory }, { kind: 'index', base: 'pages', index: '(*nr)++', memory: true });
    assert.deepEqual([a.line, a.col], [2, 1]);
  });

  it('struct page *page = pages[--(*nr)]: decrement, load, declaration with initializer', () => {
    const cfg = cfgOf(`static void undo(int *nr, struct page **pages)
{
	struct page *page = pages[--(*nr)];
	put_page(page);
}`);
    assert.deepEqual(opSummary(nodeByText(cfg, 'struct page *page').ops), [
      'read *nr',
      'assign (*nr) --',
      'write *nr',
      'read pages[--(*nr)]',
      'decl struct page * page = pages[--(*nr)]',
    ]);
  });

  it('x->field = obj and READ_ONCE / WRITE_ONCE record the lvalue', () => {
    const cfg = cfgOf(`void f(struct vm_fault *vmf, pte_t *ptep, struct foo *x, void *obj)
{
	pte_t pte = READ_ONCE(*ptep);
	x->field = obj;
	WRITE_ONCE(x->flag, 1);
}`);
    assert.deepEqual(opSummary(nodeByText(cfg, 'pte_t pte').ops), ['read *ptep via READ_ONCE', 'call READ_ONCE(*ptep)', 'decl pte_t pte = READ_ONCE(*ptep)']);
    const asg = nodeByText(cfg, 'x->field = obj;');
    assert.deepEqual(opSummary(asg.ops), ['assign x->field = obj', 'write x->field']);
    const w = asg.ops[1];
    assert.ok(w.kind === 'write');
    assert.deepEqual({ kind: w.lvalue.kind, base: w.lvalue.base, field: w.lvalue.field, arrow: w.lvalue.arrow }, { kind: 'field', base: 'x', field: 'field', arrow: true });
    assert.deepEqual(opSummary(nodeByText(cfg, 'WRITE_ONCE').ops), ['write x->flag via WRITE_ONCE', 'call WRITE_ONCE(x->flag, 1)']);
  });

  it('call result uses: argument, returned, discarded; indirect calls name the field', () => {
    const cfg = cfgOf(`int f(struct vm_area_struct *vma, struct vm_fault *vmf)
{
	put_page(pte_page(*vmf->pte));
	return vma->vm_ops->fault(vmf);
}`);
    const c1 = calls(nodeByText(cfg, 'put_page').ops);
    assert.deepEqual(c1.map((c) => [c.name, c.result.kind]), [
      ['pte_page', 'argument'],
      ['put_page', 'discarded'],
    ]);
    assert.deepEqual(c1[0].result, { kind: 'argument', callee: 'put_page', index: 0 });
    const r = nodeByText(cfg, 'return vma');
    const fault = calls(r.ops)[0];
    assert.deepEqual([fault.name, fault.callee, fault.indirect, fault.result.kind], ['fault', 'vma->vm_ops->fault', true, 'returned']);
    assert.deepEqual(opSummary(r.ops), ['read vma->vm_ops', 'read vma->vm_ops->fault', 'call fault(vmf)', 'return vma->vm_ops->fault(vmf)']);
  });

  it('&x->y is an address, not a read; sizeof is not evaluated', () => {
    const cfg = cfgOf(`void f(struct mm_struct *mm)
{
	atomic_inc(&mm->context.count);
	g(sizeof(*mm));
}`);
    assert.deepEqual(opSummary(nodeByText(cfg, 'atomic_inc').ops), ['call atomic_inc(&mm->context.count)']);
    assert.deepEqual(opSummary(nodeByText(cfg, 'g(').ops), ['call g(sizeof(*mm))']);
  });

  it('asm with a memory clobber is recorded', () => {
    const cfg = cfgOf(`void f(void)
{
	asm volatile("" ::: "memory");
}`);
    const op = cfg.nodes.flatMap((n) => n.ops).find((o) => o.kind === 'asm');
    assert.ok(op && op.kind === 'asm' && op.memoryClobber);
  });

  it('dumpCfg lists every node', () => {
    const cfg = cfgOf(`void f(void)
{
	a();
}`);
    assert.equal(dumpCfg(cfg).split('\n').length, cfg.nodes.length);
  });
});

describe('CFG: constant loop conditions', () => {
  it('while (1) leaves only by break; while (0) never enters and falls through', () => {
    const cfg = cfgOf(`void f(int x)
{
	while (1) {
		if (x)
			break;
	}
	while (0)
		never();
	after();
}`);
    const heads = cfg.nodes.filter((n) => n.role === 'loop-head');
    assert.equal(heads.length, 2);
    assert.deepEqual(succs(heads[0]), ['x|seq']);
    assert.deepEqual(succs(nodeByText(cfg, 'x', 'branch')), ['while (0) never();|true|x=true|break', 'while (1) { if (x) break; }|false|x=false|back']);
    assert.deepEqual(succs(heads[1]), ['after();|seq']);
    assert.deepEqual(nodeByText(cfg, 'never();').preds, []);
  });
});
