/**
 * Goto-label naming conventions of error ladders: what the code under a
 * label of a given shape conventionally releases. These are conventions,
 * not kernel facts: a label says what its author meant, and the rules may
 * use it only as a weak signal (a patch that retargets `goto out_unlock` to
 * `goto out` likely skips an unlock; the dataflow decides, not the name).
 *
 * Patterns were drawn from the labels of mm/ in v6.19 (counts in brackets:
 * `out_unlock:` 38, `unlock:` 50, `put_folio:` 6, `out_put:` 3, `unmap:`,
 * `out_unmap:` 2, `out_ptl:` 2 ...). Every matching convention applies (a
 * label `unlock_put:` releases a lock and a reference); `excludes` wins over
 * `releases` (`out_release_nounlock:`).
 */
import type { GotoLabelConvention } from '../schema';

export const GOTO_LABEL_CONVENTIONS: readonly GotoLabelConvention[] = [
  // the name says the lock is already gone
  { pattern: '(?:^|_)(?:unlocked|nounlock|nolock)(?:_|$)', releases: [], excludes: ['lock'], examples: ['out_unlocked', 'out_nolock', 'out_release_nounlock', 'success_unlocked', 'backout_unlocked', 'xa_unlocked'], note: 'the lock was dropped before the jump' },
  // RCU
  { pattern: '(?:^|_)(?:rcu(?:_unlock)?|unlock_rcu)(?:_|$)', releases: ['bracket'], kinds: ['rcu'], examples: ['rcu_unlock', 'out_rcu', 'unlock_rcu'] },
  // page-table lock / mapped PTEs
  { pattern: '(?:^|_)(?:ptls?|pte_unlock|unlock_ptls?|pte_unmap_unlock)(?:_|$)', releases: ['lock'], kinds: ['ptl'], examples: ['out_ptl', 'pte_unlock', 'unlock_ptls'] },
  { pattern: '(?:^|_)(?:pte_)?unmap(?:_|$)', releases: ['bracket'], kinds: ['pte-map', 'kmap'], examples: ['unmap', 'out_unmap', 'pte_unmap'], note: '`munmap` does not match: it names the syscall, not a mapping to drop' },
  // page / folio lock
  { pattern: '(?:^|_)unlock_(?:pages?|folios?)(?:_|$)', releases: ['lock'], kinds: ['page-lock'], examples: ['unlock_page', 'unlock_folio'] },
  { pattern: '(?:^|_)(?:unlock_mutex|mutex_unlock)(?:_|$)', releases: ['lock'], kinds: ['mutex'], examples: ['unlock_mutex'] },
  // any other unlock
  { pattern: '^(?!.*rcu).*(?:^|_)unlock(?:_|$)', releases: ['lock'], examples: ['unlock', 'out_unlock', 'unlock_abort', 'fail_unlock', 'err_unlock', 'unlock_out', 'unlock_ret', 'huge_unlock', 'found_unlock'], note: 'the most common shape: 88 of the mm/ labels in v6.19' },
  // references
  { pattern: '(?:^|_)(?:put|putfolio|put_pages?|put_folios?|unpin|release|drop|drop_folio|drop_mm|mmput|iput|fput|dput|deref)(?:_|$)', releases: ['ref'], examples: ['put', 'out_put', 'put_folio', 'out_put_page', 'out_putfolio', 'out_release', 'err_unpin', 'drop_folio', 'out_iput', 'out_fput', 'put_anon', 'put_task_struct', 'release_mm'], note: '`release` in mm ladders mostly drops a folio reference (hugetlb, shmem)' },
  // memory frees and accounting: nothing the catalog tracks
  { pattern: '(?:^|_)(?:free|kfree|uncharge|unacct|cleanup)(?:_|$)', releases: [], examples: ['free', 'out_free', 'err_free', 'out_kfree', 'out_uncharge_cgroup', 'unacct_error'], note: 'frees memory or undoes accounting; no reference, lock or section in scope' },
];

/**
 * The kernel's naming of conditional reference getters: the name of the
 * unconditional form is the conditional one's with the marker removed
 * (`kvm_try_get_pfn` / `kvm_get_pfn`, `css_tryget` / `css_get`,
 * `get_page_unless_zero` / `get_page`, `mmget_not_zero` / `mmget`). Read only
 * for functions the catalog does not describe, when both names are in the
 * patch: a convention, a weak signal, so the finding says it rests on names.
 */
export const TRY_GET_NAMING: readonly { marker: string; plain: string }[] = [
  { marker: '_try_get', plain: '_get' },
  { marker: 'try_get_', plain: 'get_' },
  { marker: '_tryget', plain: '_get' },
  { marker: '_unless_zero', plain: '' },
  { marker: '_not_zero', plain: '' },
];
