/**
 * Parts of the kernel source tree that are not kernel code. Programs under
 * tools/ (perf, tools/vm, selftests, bpftool, ...) and scripts/ are user-space
 * C built against libc: `get_pid()`, `put_page()` or `spin_lock()` there are
 * the program's own functions, so no kernel API fact of this catalog applies.
 * Holds for every kernel version (the layout dates from v2.6).
 */
export const USER_SPACE_TREES: readonly { prefix: string; why: string }[] = [
  { prefix: 'tools/', why: 'user-space tools and selftests (tools/vm, tools/testing/selftests, perf, bpf)' },
  { prefix: 'scripts/', why: 'host programs of the build (kconfig, modpost, sorttable)' },
];
