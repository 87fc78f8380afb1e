/**
 * Helpers that the seed threads (../shared/seeds) define or call and that
 * never reached mainline in that form, plus the IPI-broadcast barriers the
 * lockless page-table walkers rely on. Their semantics come from the seed
 * diffs themselves (quoted in the summaries) and from arch/powerpc/mm/book3s64/
 * pgtable.c and kernel/smp.c for the mainline ones.
 */
import type { ApiSpec } from '../schema';

export const SEEDS: readonly ApiSpec[] = [
  // ---- seed 003: counting lockless page-table walks --------------------------
  {
    name: 'start_lockless_pgtbl_walk',
    summary: 'Seed 003 (proposed, powerpc): announce a lockless page-table walk: atomic_inc(&mm->context.lockless_pgtbl_walk_count) then smp_mb(), so the increment is ordered before the walk\'s page-table reads. It does NOT disable IRQs: the caller keeps its local_irq_save/disable (the IPI-based serialization still relies on it). Pair with end_lockless_pgtbl_walk(mm).',
    effects: [{ op: 'acquire', kind: 'lockless-walk', object: 0 }],
    ordering: 'full',
    pairsWith: ['end_lockless_pgtbl_walk'],
    arity: [1],
    kernels: 'RFC (2019)',
    source: 'seed 003',
  },
  {
    name: 'end_lockless_pgtbl_walk',
    summary: 'Seed 003 (proposed): smp_mb() then atomic_dec() of the walker count, so the last use of the returned ptep is ordered before the decrement. Does not touch IRQs.',
    effects: [{ op: 'release', kind: 'lockless-walk', object: 0 }],
    ordering: 'full',
    pairsWith: ['start_lockless_pgtbl_walk'],
    arity: [1],
    kernels: 'RFC (2019)',
    source: 'seed 003',
  },
  {
    name: 'running_lockless_pgtbl_walk',
    summary: 'Seed 003 (proposed): atomic_read of the walker count — a relaxed load. A THP split/collapse that checks it after clearing the pmd needs a full barrier between the two (store→load), or it may miss a walker.',
    ordering: 'none',
    arity: [1],
    kernels: 'RFC (2019)',
    source: 'seed 003',
  },
  {
    name: 'register_lockless_page_table_walker',
    summary: 'Seed 003 (John Hubbard\'s counter-proposal, compile-tested): atomic_inc of the walker count (when tracking is configured), smp_mb(), then local_irq_save(*flags) — takes a POINTER to the flags. Pair with deregister_lockless_page_table_walker(&flags). (The proposal\'s deregister passes `flags`, the pointer, to local_irq_restore: a flags mismatch.)',
    effects: [{ op: 'acquire', kind: 'lockless-walk' }, { op: 'acquire', kind: 'irq-off', stateArg: 0, stateByValue: false, style: 'save' }],
    ordering: 'full',
    pairsWith: ['deregister_lockless_page_table_walker'],
    arity: [1],
    kernels: 'RFC (2019)',
    source: 'seed 003',
  },
  {
    name: 'deregister_lockless_page_table_walker',
    summary: 'Seed 003 (counter-proposal): local_irq_restore, smp_mb(), atomic_dec of the walker count; takes a pointer to the flags saved by register_lockless_page_table_walker.',
    effects: [{ op: 'release', kind: 'lockless-walk' }, { op: 'release', kind: 'irq-off', stateArg: 0, stateByValue: false, style: 'save' }],
    ordering: 'full',
    pairsWith: ['register_lockless_page_table_walker'],
    arity: [1],
    kernels: 'RFC (2019)',
    source: 'seed 003',
  },
  {
    name: 'serialize_against_pte_lookup',
    summary: 'powerpc book3s64: smp_mb() then an IPI to every CPU in mm_cpumask(mm), waiting for all (smp_call_function_many(..., wait=1)): returns only after every lockless walker that had IRQs disabled has finished. Used after clearing a pmd before THP split/collapse. Does not sleep but must not be called with IRQs off.',
    ordering: 'full',
    synchronizes: { kinds: ['irq-off'] },
    arity: [1],
    source: 'arch/powerpc/mm/book3s64/pgtable.c',
  },
  {
    name: 'kick_all_cpus_sync',
    summary: 'IPI every other CPU and wait: an RCU-sched-like barrier for IRQs-off sections (GUP-fast walkers). Full barrier.',
    ordering: 'full',
    synchronizes: { kinds: ['irq-off'] },
    arity: [0],
    source: 'kernel/smp.c',
  },
  {
    name: 'smp_call_function_many',
    summary: 'Run func on the CPUs in mask (mask, func, info, wait). With wait != 0 it returns after all have run it: every IRQs-off section on those CPUs that began before has ended. Call with preemption disabled, never with IRQs off (deadlock).',
    ordering: 'full',
    synchronizes: { kinds: ['irq-off'], whenArgNonZero: 3 },
    arity: [4],
    source: 'kernel/smp.c',
  },
  {
    name: 'on_each_cpu_mask',
    summary: 'Run func on each CPU in mask (mask, func, info, wait) including the local one; with wait != 0 an IPI barrier for IRQs-off sections.',
    ordering: 'full',
    synchronizes: { kinds: ['irq-off'], whenArgNonZero: 3 },
    arity: [4],
    source: 'kernel/smp.c',
  },
  {
    name: 'tlb_remove_table_sync_one',
    summary: 'v5.19+/stable: IPI all CPUs and wait (smp_call_function(tlb_remove_table_smp_sync, NULL, 1)) so that GUP-fast walkers with IRQs off have finished before a page table is freed or a THP collapsed.',
    ordering: 'full',
    synchronizes: { kinds: ['irq-off'] },
    arity: [0],
    kernels: '>=6.1',
    source: 'mm/mmu_gather.c',
  },

  // ---- seed 001: speculative page faults ---------------------------------------
  {
    name: 'mmap_seq_read_start',
    summary: 'Speculative-fault series (seed 001, RFC 2021): sample the mmap sequence count before a speculative (mmap_lock-free) fault looks at a vma. Re-validate with mmap_seq_read_check(mm, seq).',
    locklessLookup: true,
    ordering: 'acquire',
    arity: [1],
    kernels: 'RFC (2021)',
    source: 'seed 001',
  },
  {
    name: 'mmap_seq_read_check',
    summary: 'Speculative-fault series (seed 001): true when the mmap sequence count still equals seq, i.e. no mmap writer ran since the vma was sampled; checked inside rcu_read_lock() before calling vm_ops->fault, which then must not sleep.',
    revalidates: true,
    ordering: 'acquire',
    arity: [2],
    kernels: 'RFC (2021)',
    source: 'seed 001',
  },
  // ---- seed 000: the pin test of the put_user_page threads -------------------
  {
    name: 'page_dma_pinned',
    summary: 'Seed 000 (proposed): is the page pinned for DMA? Reads the pin count (atomic_read of _refcount against the pin bias): an unordered load; pair it with a full barrier after the pin on the GUP side and after setting PG_writeback on the writeback side.',
    aliases: ['page_pinned', 'page_is_pin'],
    ordering: 'none',
    access: [{ arg: 0, kind: 'load' }],
    arity: [1],
    kernels: 'RFC (2018-2019); mainline has page_maybe_dma_pinned() from v5.7',
    source: 'seed 000',
  },
];
