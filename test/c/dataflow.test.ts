/** Dataflow helpers: orders, dominators, the forward solver with edge refinement and widening, bounded paths. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cfgOf, nodeByText } from './fixtures';
import type { CfgNode } from 'mm-review-server/c/cfg';
import { dominators, dominates, paths, postDominators, reachable, reversePostorder, solveForward, type Lattice } from 'mm-review-server/c/dataflow';

/** A toy "reference count" analysis: the set of possible counts of page refs held. */
type Counts = ReadonlySet<number | 'many'>;
const setLattice: Lattice<Counts> = {
  join: (a, b) => new Set([...a, ...b]),
  equals: (a, b) => a.size === b.size && [...a].every((x) => b.has(x)),
  widen: (_old, next) => ([...next].some((x) => x === 'many' || x > 2) ? new Set<number | 'many'>(['many']) : next),
};
const bump = (s: Counts, d: number): Counts => new Set([...s].map((x) => (x === 'many' ? 'many' : x + d)));
function transfer(n: CfgNode, s: Counts): Counts {
  let out = s;
  for (const o of n.ops) {
    if (o.kind !== 'call') continue;
    if (o.name === 'get_page') out = bump(out, 1);
    if (o.name === 'put_page') out = bump(out, -1);
  }
  return out;
}

describe('dataflow', () => {
  it('solveForward: edge refinement on a conditional acquire, join at the exit', () => {
    const cfg = cfgOf(`int f(struct page *page)
{
	if (!get_page_unless_zero(page))
		return -EAGAIN;
	use(page);
	put_page(page);
	return 0;
}`);
    const res = solveForward<Counts>(cfg, {
      lattice: setLattice,
      entry: new Set([0]),
      transfer,
      // get_page_unless_zero() took a reference on the edge where it returned true
      edge: (e, s) => (e.cond && e.cond.expr.text === 'get_page_unless_zero(page)' && e.cond.value ? bump(s, 1) : s),
    });
    assert.equal(res.converged, true);
    assert.deepEqual([...res.in[nodeByText(cfg, 'use(page);').id]!], [1]);
    assert.deepEqual([...res.in[nodeByText(cfg, 'return -EAGAIN;').id]!], [0]);
    assert.deepEqual([...res.in[cfg.exit.id]!].sort(), [0]);
  });

  it('solveForward: a leak on one path shows as two possible counts at the exit', () => {
    const cfg = cfgOf(`int f(struct page *page, int x)
{
	get_page(page);
	if (x)
		return 1;
	put_page(page);
	return 0;
}`);
    const res = solveForward<Counts>(cfg, { lattice: setLattice, entry: new Set([0]), transfer });
    assert.deepEqual([...res.in[cfg.exit.id]!].sort(), [0, 1]);
  });

  it('solveForward: widening makes a loop that keeps taking references converge', () => {
    const cfg = cfgOf(`void f(struct page *page, int n)
{
	while (n--)
		get_page(page);
	done(page);
}`);
    const res = solveForward<Counts>(cfg, { lattice: setLattice, entry: new Set([0]), transfer });
    assert.equal(res.converged, true);
    assert.deepEqual([...res.in[nodeByText(cfg, 'done(page);').id]!], ['many']);
    assert.ok(res.visits < 30, `visits ${res.visits}`);
  });

  it('solveForward: maxVisits stops a lattice that never converges', () => {
    const cfg = cfgOf(`void f(int n)
{
	while (n--)
		g();
}`);
    let k = 0;
    const res = solveForward<number>(cfg, {
      lattice: { join: () => ++k, equals: (a, b) => a === b },
      entry: 0,
      transfer: (_n, s) => s,
      maxVisits: 40,
    });
    assert.equal(res.converged, false);
    assert.equal(res.visits, 40);
  });

  it('reverse postorder, dominators and post-dominators', () => {
    const cfg = cfgOf(`int f(int a)
{
	lock();
	if (a)
		x();
	else
		y();
	unlock();
	return 0;
}`);
    const rpo = reversePostorder(cfg);
    assert.equal(rpo[0], cfg.entry);
    assert.equal(rpo[rpo.length - 1], cfg.exit);
    const lock = nodeByText(cfg, 'lock();');
    const unlock = nodeByText(cfg, 'unlock();');
    const x = nodeByText(cfg, 'x();');
    const idom = dominators(cfg);
    assert.equal(idom[unlock.id], nodeByText(cfg, 'a', 'branch'));
    assert.ok(dominates(idom, lock, unlock));
    assert.equal(dominates(idom, x, unlock), false);
    const ipdom = postDominators(cfg);
    assert.equal(ipdom[x.id], unlock);
    assert.equal(ipdom[lock.id], nodeByText(cfg, 'a', 'branch'));
    assert.ok(reachable(lock).has(unlock));
    assert.equal(reachable(x, 'backward').has(nodeByText(cfg, 'y();')), false);
  });

  it('paths: bounded enumeration of witnesses', () => {
    const cfg = cfgOf(`int f(int a, int b)
{
	if (a)
		x();
	if (b)
		y();
	return 0;
}`);
    const all = [...paths(cfg, cfg.entry, cfg.exit)];
    assert.equal(all.length, 4);
    assert.deepEqual(
      all.map((p) => p.filter((e) => e.cond).map((e) => `${e.cond!.expr.text}=${e.cond!.value}`).join(',')),
      ['a=true,b=true', 'a=true,b=false', 'a=false,b=true', 'a=false,b=false'],
    );
    assert.equal([...paths(cfg, cfg.entry, cfg.exit, { maxPaths: 3 })].length, 3);
    const loop = cfgOf(`void f(int n)
{
	while (n--)
		g();
}`);
    const lp = [...paths(loop, loop.entry, loop.exit, { maxLoopIterations: 1 })];
    assert.deepEqual(lp.map((p) => p.length), [4, 2]);
  });
});
