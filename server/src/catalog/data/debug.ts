/**
 * Assertion macros. The mm ones (VM_BUG_ON*, VM_WARN*) are debug-only:
 * without CONFIG_DEBUG_VM they expand to BUILD_BUG_ON_INVALID(cond), i.e.
 * `(void)sizeof(cond)`, which type-checks the condition but never evaluates
 * it, so a side effect written inside (a get, a trylock, an assignment, a
 * test_and_set) silently disappears from production kernels. WARN_ON(),
 * WARN_ON_ONCE(), WARN(), BUG_ON() always evaluate their condition.
 *
 * None of them takes or drops a reference: an object named in one
 * (VM_BUG_ON_FOLIO(cond, folio)) is not handed over.
 *
 * Checked against v6.19 include/linux/mmdebug.h, include/linux/build_bug.h,
 * include/asm-generic/bug.h.
 */
import type { ApiSpec } from '../schema';

const MMDEBUG = 'include/linux/mmdebug.h';
const BUG_H = 'include/asm-generic/bug.h';
const DEBUG_VM = 'CONFIG_DEBUG_VM';

const vm = (name: string, arity: number[], what: string, aliases?: string[]): ApiSpec => ({
  name,
  summary: `${what} With CONFIG_DEBUG_VM only: otherwise BUILD_BUG_ON_INVALID(cond), which does not evaluate cond (no side effects in it).`,
  ...(aliases ? { aliases } : {}),
  debugOnly: DEBUG_VM,
  arity,
  source: MMDEBUG,
});

export const DEBUG_CHECKS: readonly ApiSpec[] = [
  vm('VM_BUG_ON', [1], 'BUG() when cond is true.'),
  vm('VM_BUG_ON_PAGE', [2], 'Dump the page and BUG() when cond is true (cond, page).'),
  vm('VM_BUG_ON_FOLIO', [2], 'Dump the folio and BUG() when cond is true (cond, folio).'),
  vm('VM_BUG_ON_VMA', [2], 'Dump the VMA and BUG() when cond is true (cond, vma).'),
  vm('VM_BUG_ON_MM', [2], 'Dump the mm and BUG() when cond is true (cond, mm).'),
  vm('VM_WARN_ON', [1], 'WARN_ON(cond), as a statement (void).'),
  vm('VM_WARN_ON_ONCE', [1], 'WARN_ON_ONCE(cond), as a statement (void).'),
  vm('VM_WARN_ON_FOLIO', [2], 'Dump the folio and WARN when cond is true (cond, folio).'),
  vm('VM_WARN_ON_ONCE_PAGE', [2], 'Dump the page and WARN once when cond is true (cond, page).'),
  vm('VM_WARN_ON_ONCE_FOLIO', [2], 'Dump the folio and WARN once when cond is true (cond, folio).'),
  vm('VM_WARN_ON_ONCE_MM', [2], 'Dump the mm and WARN once when cond is true (cond, mm).'),
  vm('VM_WARN_ON_ONCE_VMA', [2], 'Dump the VMA and WARN once when cond is true (cond, vma).'),
  vm('VM_WARN_ON_VMG', [2], 'Dump the vma_merge_struct and WARN when cond is true (cond, vmg).'),
  vm('VM_WARN_ONCE', [2, 3, 4, 5], 'WARN_ONCE(cond, format...), as a statement (void).', ['VM_WARN']),
  {
    name: 'VM_BUG_ON_PGFLAGS',
    summary: 'VM_BUG_ON_PAGE(cond, page) only with CONFIG_DEBUG_VM_PGFLAGS; otherwise BUILD_BUG_ON_INVALID(cond): cond is not evaluated.',
    debugOnly: 'CONFIG_DEBUG_VM_PGFLAGS',
    arity: [2],
    source: MMDEBUG,
  },
  {
    name: 'VIRTUAL_BUG_ON',
    summary: 'BUG_ON(cond) only with CONFIG_DEBUG_VIRTUAL; otherwise `do { } while (0)`: cond is not even compiled.',
    debugOnly: 'CONFIG_DEBUG_VIRTUAL',
    arity: [1],
    source: MMDEBUG,
  },
  { name: 'VM_WARN_ON_IRQS_ENABLED', summary: 'WARN_ON_ONCE(!irqs_disabled()) only with CONFIG_DEBUG_VM_IRQSOFF; otherwise nothing.', debugOnly: 'CONFIG_DEBUG_VM_IRQSOFF', arity: [0], source: MMDEBUG },

  // ---- always evaluated ----------------------------------------------------------
  { name: 'WARN_ON', summary: 'Warn (with a backtrace) when cond is true and return cond. Always evaluates cond, whatever the config: side effects in it happen.', aliases: ['WARN_ON_ONCE'], arity: [1], source: BUG_H },
  { name: 'WARN', summary: 'Warn with a message when cond is true and return cond (cond, format...). Always evaluates cond.', aliases: ['WARN_ONCE'], arity: [2, 3, 4, 5, 6], source: BUG_H },
  // logging reads its arguments (a pfn, a page pointer printed with %p) and takes nothing from them
  {
    name: 'printk',
    summary: 'Log a message (format, args...). Reads its arguments; takes and drops no reference, lock or section. Callable in atomic context.',
    aliases: ['pr_emerg', 'pr_alert', 'pr_crit', 'pr_err', 'pr_warn', 'pr_notice', 'pr_info', 'pr_debug', 'pr_devel', 'pr_cont', 'pr_err_once', 'pr_warn_once', 'pr_info_once', 'pr_err_ratelimited', 'pr_warn_ratelimited', 'pr_info_ratelimited', 'dev_err', 'dev_warn', 'dev_info', 'dev_dbg', 'dev_notice'],
    source: 'include/linux/printk.h, include/linux/dev_printk.h',
  },
  { name: 'BUG_ON', summary: 'BUG() when cond is true. Always evaluates cond (with CONFIG_BUG=n it still evaluates it for side effects).', arity: [1], source: BUG_H },
];
