/**
 * Iterator (loop) macros: `list_for_each_entry(pos, head, member) { ... }`.
 * `iteratorCursor` names the argument the macro assigns a new object to on
 * every iteration, so whatever was held through that variable in one
 * iteration (a reference, a lock on the object) is not what the next
 * iteration, or the code after the loop, names. XArray and maple-tree
 * iterators under RCU yield entries without a reference (lockless lookups).
 *
 * None of them takes or drops anything itself, with one exception noted in
 * its summary (for_each_mem_cgroup_tree, through mem_cgroup_iter()).
 *
 * Checked against v6.19 include/linux/list.h, rculist.h, llist.h,
 * include/linux/xarray.h, include/linux/mm.h, include/linux/maple_tree.h,
 * include/linux/memcontrol.h.
 */
import type { ApiSpec } from '../schema';

const LIST = 'include/linux/list.h';
const XA = 'include/linux/xarray.h';

const it = (name: string, cursor: number, arity: number[], summary: string, source: string, extra: Partial<ApiSpec> = {}): ApiSpec => ({
  name,
  summary,
  iteratorCursor: cursor,
  arity,
  source,
  ...extra,
});

export const ITERATORS: readonly ApiSpec[] = [
  it('list_for_each_entry', 0, [3], 'Iterate over a list of structures (pos, head, member): pos is each entry in turn; after the loop it is not a valid entry.', LIST, { aliases: ['list_for_each_entry_reverse', 'list_for_each_entry_continue', 'list_for_each_entry_continue_reverse', 'list_for_each_entry_from', 'list_for_each_entry_from_reverse'] }),
  it('list_for_each_entry_safe', 0, [4], 'Iterate over a list safe against removal of the current entry (pos, n, head, member): pos is each entry in turn, n the next one.', LIST, { aliases: ['list_for_each_entry_safe_reverse', 'list_for_each_entry_safe_continue', 'list_for_each_entry_safe_from'] }),
  it('list_for_each', 0, [2], 'Iterate over the list_heads of a list (pos, head).', LIST, { aliases: ['list_for_each_safe', 'list_for_each_prev', 'list_for_each_prev_safe'] }),
  it('list_for_each_entry_rcu', 0, [3, 4], 'Iterate over an RCU-protected list (pos, head, member[, cond]): inside an RCU read section (or with the update-side lock named by cond). The entries carry no reference.', 'include/linux/rculist.h', { requires: ['rcu'] }),
  it('hlist_for_each_entry', 0, [3], 'Iterate over an hlist of structures (pos, head, member).', LIST, { aliases: ['hlist_for_each_entry_continue', 'hlist_for_each_entry_from'] }),
  it('hlist_for_each_entry_safe', 0, [4], 'Iterate over an hlist safe against removal (pos, n, head, member).', LIST),
  it('hlist_for_each_entry_rcu', 0, [3, 4], 'Iterate over an RCU-protected hlist (pos, head, member[, cond]) inside an RCU read section.', 'include/linux/rculist.h', { requires: ['rcu'] }),
  it('llist_for_each_entry', 0, [3], 'Iterate over a lock-less list (pos, node, member).', 'include/linux/llist.h', { aliases: ['llist_for_each_entry_safe'] }),
  it('xas_for_each', 1, [3], 'Iterate over present entries of an XArray from the xa_state\'s index (xas, entry, max). Under RCU (no xa_lock) each entry is a lockless lookup: folio_try_get() it and re-check with xas_reload().', XA, { locklessLookup: true, aliases: ['xas_for_each_marked', 'xas_for_each_conflict'], arity: [2, 3, 4] }),
  it('xa_for_each', 2, [3], 'Iterate over present entries of an XArray (xa, index, entry): each step takes and drops RCU itself, so an entry is only stable through the caller\'s own locking or references.', XA, { locklessLookup: true, aliases: ['xa_for_each_start', 'xa_for_each_range', 'xa_for_each_marked'], arity: [3, 4, 5] }),
  it('for_each_vma', 1, [2], 'Iterate over the VMAs of an mm from a vma iterator (vmi, vma); the caller holds the mmap lock (or RCU with re-validation).', 'include/linux/mm.h', { aliases: ['for_each_vma_range'], arity: [2, 3] }),
  it('mas_for_each', 1, [3], 'Iterate over the entries of a maple tree (mas, entry, max); under RCU each entry is a lockless lookup.', 'include/linux/maple_tree.h'),
  it('for_each_mem_cgroup_tree', 0, [2], 'Iterate over a memcg hierarchy (iter, root) with mem_cgroup_iter(): each iter is held by a css reference that the next step drops; leaving the loop early (break, return, goto) needs mem_cgroup_iter_break(root, iter).', 'mm/memcontrol.c', { aliases: ['for_each_mem_cgroup'], arity: [1, 2] }),
];
