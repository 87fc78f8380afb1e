/**
 * Return values that hand a held lock or reference to the caller by contract.
 * Checked against v6.19: include/linux/mm_types.h (enum vm_fault_reason),
 * mm/memory.c (__do_fault(), do_page_mkwrite()); VM_FAULT_LOCKED came with
 * the ->fault interface (2.6.23).
 */
import type { ReturnContract } from '../schema';

export const RETURN_CONTRACTS: readonly ReturnContract[] = [
  {
    value: 'VM_FAULT_LOCKED',
    holds: ['page-lock'],
    kernels: '>=2.6.23',
    source: 'include/linux/mm_types.h; mm/memory.c __do_fault(), do_page_mkwrite()',
    note: 'a ->fault or ->page_mkwrite handler that returns VM_FAULT_LOCKED returns the page (folio) locked: the fault path unlocks it',
  },
];
