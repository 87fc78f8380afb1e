/**
 * How kernel macros PARSE -- syntax-level knowledge only. What a call does
 * (acquires, releases, orders, which location it reads or writes: READ_ONCE(x)
 * as an access of x) is the catalog's business (server/src/catalog, read by
 * cfg.ts through CfgOptions.lvalueAccess); this table only says which
 * identifiers tree-sitter-c must not see as they are, and which macros are
 * control flow.
 *
 * Every entry here is data read by sanitize.ts / cfg.ts; nothing else in the
 * C model names kernel identifiers.
 */

/**
 * Annotations with no arguments that sit in declarations and confuse
 * tree-sitter-c (it takes them for type names). Blanked with spaces.
 */
export const ANNOTATIONS: ReadonlySet<string> = new Set([
  // sparse address spaces and checkers
  '__user', '__kernel', '__iomem', '__percpu', '__rcu', '__force', '__bitwise', '__private', '__safe',
  '__nocast',
  // inlining / placement
  'noinline', 'noinline_for_stack', '__always_inline', '__noinline', 'inline_for_stack',
  '__init', '__exit', '__meminit', '__meminitdata', '__initdata', '__initconst', '__ref', '__refdata',
  '__ro_after_init', '__read_mostly', '__cacheline_aligned', '__cacheline_aligned_in_smp',
  '__sched', '__cpuidle', '__kprobes', 'notrace', '__visible', 'asmlinkage', '__weak', '__cold', '__hot',
  '__maybe_unused', '__always_unused', '__used', '__must_check', '__pure', '__noreturn', '__packed',
  '__latent_entropy', '__randomize_layout', '__no_randomize_layout', '__flatten', '__noclone',
  '__attribute_const__', 'noinstr', '__no_sanitize_address', '__no_kcsan', '__nocfi', '__noscs',
]);

/**
 * Annotations that take an argument list: the name and its balanced
 * parentheses are blanked (`__acquires(ptl)`, `__printf(2, 3)`).
 */
export const ANNOTATION_CALLS: ReadonlySet<string> = new Set([
  '__acquires', '__releases', '__must_hold', '__cond_acquires', '__cond_releases', '__printf', '__scanf',
  '__aligned', '__section', '__alloc_size', '__malloc', '__counted_by', '__assume_aligned',
  '__diagnose_as', '__nonstring_attr', '__guarded_by', '__pt_guarded_by',
  // scope-based cleanup of a variable (include/linux/cleanup.h): facts keep which variables have one
  '__free',
]);

/**
 * Loop macros: an identifier matching this, followed by `( ... )` and then a
 * statement (not `;`), is a loop header (`for_each_device_pfn(pfn, map) stmt`,
 * `list_for_each_entry(p, head, lru) { ... }`, `xas_for_each(&xas, e, max)`,
 * `for_other_threads(p, t)`).
 */
// The lookahead rejects a name with any other character at once: without it a
// long name ending in one backtracked quadratically (recheck, test/hostile).
export const LOOP_MACRO = /^(?=[a-z0-9_]*$)(?:[a-z0-9_]+_)?(?:for|while)_(?:each|other)(?:_[a-z0-9_]+)?$/;

/** Macros followed by a block that runs (at most) once: `scoped_guard(spinlock, &l) { ... }`. */
export const BLOCK_MACROS: ReadonlySet<string> = new Set(['scoped_guard', 'scoped_cond_guard']);

/** Function-like macros that define a function: `SYSCALL_DEFINE3(name, type, arg, ...)`. */
export const SYSCALL_DEFINE = /^(?:COMPAT_)?SYSCALL_DEFINE[1-6]$/;

/**
 * Identity wrappers around a condition: the CFG looks through them when it
 * splits a condition into atoms (`if (unlikely(!pgmap))` -> atom `pgmap`,
 * false on the taken edge). No call operation is recorded for them.
 */
export const IDENTITY_WRAPPERS: ReadonlySet<string> = new Set(['likely', 'unlikely', '__builtin_expect_bool']);

/**
 * Function-like annotations and compiler builtins that take types as
 * arguments and must not be touched by the type-argument rewrite.
 */
export const TYPE_OPERATORS: ReadonlySet<string> = new Set([
  'sizeof', 'typeof', '__typeof__', '__typeof', 'alignof', '_Alignof', '__alignof__', 'offsetof',
  '__builtin_offsetof', '_Generic', 'va_arg', '__builtin_types_compatible_p',
]);

/** C keywords that can start a statement: a line starting with one is inside a function. */
export const STATEMENT_KEYWORDS: ReadonlySet<string> = new Set([
  'if', 'else', 'for', 'while', 'do', 'switch', 'case', 'default', 'return', 'goto', 'break', 'continue',
]);

/** Keywords that cannot be a function name. */
export const C_KEYWORDS: ReadonlySet<string> = new Set([
  'if', 'else', 'for', 'while', 'do', 'switch', 'case', 'default', 'return', 'goto', 'break', 'continue',
  'sizeof', 'typeof', 'struct', 'union', 'enum', 'typedef', 'static', 'extern', 'inline', 'const',
  'volatile', 'unsigned', 'signed', 'int', 'long', 'short', 'char', 'void', 'float', 'double', '_Bool',
  'bool', 'register', 'auto', 'restrict', '__attribute__', 'asm', '__asm__',
]);

/** Primitive type words: a call argument made only of these is a type (`min_t(unsigned long, a, b)`). */
export const PRIMITIVE_TYPE_WORDS: ReadonlySet<string> = new Set([
  'unsigned', 'signed', 'int', 'long', 'short', 'char', 'void', 'float', 'double', '_Bool', 'bool',
  'const', 'volatile',
]);

/**
 * Error-pointer tests (include/linux/err.h): language-level macros, like NULL,
 * that the rules read as "the acquire failed" on the true edge.
 */
export const ERR_POINTER_TESTS: ReadonlySet<string> = new Set(['IS_ERR', 'IS_ERR_OR_NULL', 'IS_ERR_VALUE']);

/** Assertion macros whose true edge is a failure path (WARN_ON(x), BUG_ON(x), VM_WARN_ON...). */
export const ASSERTION_MACRO = /^WARN(_ON)?(_ONCE)?$|^BUG_ON$|^VM_WARN_ON/;
