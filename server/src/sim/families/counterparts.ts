/**
 * The catalogue of counterpart protocols: the other CPU of a finding's race,
 * as data. A finding's trace gives the subject CPU (the patch's own events);
 * the family picks the counterpart that completes the race: the freeing side
 * of a speculative get, the final put of a leaked object, a concurrent holder
 * of a twice-dropped reference, a pinned-page check, the other side of a
 * store-buffering or message-passing protocol, synchronize_rcu() plus free,
 * a CPU waiting for a lock, the task scheduled in when a lock holder sleeps.
 *
 * Each counterpart is a list of steps over the LKMM vocabulary (lane.ts),
 * on logical locations the family binds to objects and fields of the patch
 * (`ref` = `folio->_refcount`, `mem` = `*folio`, `slot` = `mapping->i_pages[index]`).
 * Texts are templates over the family's names: `{obj}`, `{put}`, `{lock}` ...
 * (patch expressions and the era's API names). Kernel API names appear here
 * as scenario texts only: nothing in a counterpart names a variable after an API.
 */
import type { Fence } from './lane';

export type CStep =
  | { op: 'read' | 'atomicRead' | 'readAcquire'; loc: string; text: string; explain: string; as?: string }
  | { op: 'write' | 'writeRelease'; loc: string; value: number | string; text: string; explain: string }
  | { op: 'add' | 'sub'; loc: string; n?: number; text: string; explain: string }
  | { op: 'subReturn' | 'lockTry' | 'spinTrylock'; loc: string; n?: number; text: string; explain: string; as?: string }
  | { op: 'unlockStore' | 'spinLock' | 'spinUnlock'; loc: string; text: string; explain: string }
  | { op: 'set'; loc: string; value: number; text: string; explain: string }
  | { op: 'fence'; fence: Fence; text: string; explain: string }
  | { op: 'rcuLock' | 'rcuUnlock' | 'sync'; text: string; explain: string }
  | { op: 'if'; reg: string; value: number; text: string; then: CStep[]; else?: CStep[] };

export interface Counterpart {
  /** The protocol in words: names the lane and every step's origin. */
  protocol: string;
  /** The lane title (template). */
  title: string;
  steps: CStep[];
}

/** The other holder drops the last reference it knows of: with a leaked reference, nothing is freed. */
export const FINAL_PUT: Counterpart = {
  protocol: 'the final put of the other holder',
  title: '{holder}',
  steps: [
    { op: 'subReturn', loc: 'ref', n: 1, as: 'last', text: '{put}', explain: "the other holder drops its reference: {obj} is freed if that was the last one" },
    { op: 'if', reg: 'last', value: 0, text: 'if ({put} dropped the last reference)', then: [{ op: 'write', loc: 'mem', value: 0, text: '{free}', explain: '{obj} is freed' }] },
  ],
};

/** Another CPU takes the lock (its fast path); it releases it when it got it. */
export const LOCK_WAITER: Counterpart = {
  protocol: 'another CPU taking the lock',
  title: '{waiter} (takes {lock})',
  steps: [
    { op: 'lockTry', loc: 'lock', as: 'held', text: '{lockCall}', explain: 'tries to take {lock}: 1 = it is held, so this CPU spins until the holder releases it' },
    { op: 'if', reg: 'held', value: 0, text: 'if (it got {lock})', then: [{ op: 'unlockStore', loc: 'lock', text: '{unlockCall}', explain: 'releases {lock}' }] },
  ],
};

/** The grace-period machinery (or an IPI sender) checks whether the section is still open. */
export const SECTION_WAITER: Counterpart = {
  protocol: 'a CPU waiting for the section to end',
  title: '{waiter}',
  steps: [{ op: 'read', loc: 'state', as: 'open', text: '{waitCheck}', explain: '{waitWhy}' }],
};

/** A counter announced by a walker: the other side reads it to decide whether to wait. */
export const COUNT_WAITER: Counterpart = {
  protocol: 'a CPU waiting for the count to drop',
  title: '{waiter}',
  steps: [{ op: 'atomicRead', loc: 'state', as: 'open', text: '{waitCheck}', explain: '{waitWhy}' }],
};

/** Another holder of the object uses it, then drops its own reference. */
export const CONCURRENT_HOLDER: Counterpart = {
  protocol: 'a concurrent holder of the object',
  title: '{holder}',
  steps: [
    { op: 'read', loc: 'mem', as: 'use', text: '{holderUse}', explain: 'it still holds a reference, so {obj} must still be live: 0 = it was freed under it' },
    { op: 'subReturn', loc: 'ref', n: 1, as: 'last', text: '{put}', explain: 'then drops its own reference' },
    { op: 'if', reg: 'last', value: 0, text: 'if ({put} dropped the last reference)', then: [{ op: 'write', loc: 'mem', value: 0, text: '{free}', explain: '{obj} is freed' }] },
  ],
};

/** The allocator hands the freed object to a new owner, who fills and uses it (`whyAlloc`: how it came back). */
const newOwnerSteps = (whyAlloc: string, whyFill: string): Counterpart['steps'] => [
  { op: 'set', loc: 'ref', value: 1, text: '{alloc}', explain: whyAlloc },
  { op: 'write', loc: 'mem', value: 2, text: 'the new owner fills {obj}', explain: whyFill },
  { op: 'read', loc: 'mem', as: 'use', text: 'the new owner uses {obj}', explain: '0 = it was freed under the new owner' },
];

/** A lockless lookup's structure forgets the object, and its last reference goes. */
const unlinkAndPutSteps: Counterpart['steps'] = [
  { op: 'write', loc: 'slot', value: 0, text: '{remove}', explain: '{slot} no longer finds {obj}' },
  { op: 'subReturn', loc: 'ref', n: 1, as: 'last', text: '{put}', explain: 'the last reference goes: the refcount drops to 0' },
];

/** The last holder frees the object and the allocator hands it to a new owner, who uses it. */
export const REUSER: Counterpart = {
  protocol: 'free and reuse by a new owner',
  title: '{holder}, then a new owner',
  steps: [
    { op: 'subReturn', loc: 'ref', n: 1, as: 'last', text: '{put}', explain: 'the last reference: {obj} is freed' },
    {
      op: 'if', reg: 'last', value: 0, text: 'if ({obj} was freed)',
      then: newOwnerSteps('the allocator hands {obj} to a new owner, with a refcount of 1', 'the new owner starts using it'),
    },
  ],
};

/** fork() or writeback asks whether the folio may be pinned for DMA. */
export const PIN_CHECKER: Counterpart = {
  protocol: 'a DMA-pin check',
  title: '{checkerWho}',
  steps: [{ op: 'atomicRead', loc: 'ref', as: 'seen', text: '{checker}', explain: 'a refcount of {bias} ({biasName}) or more means "maybe pinned for DMA": fork() copies the page instead of sharing it, writeback waits or bounces' }],
};

/** The freeing side of a speculative get: the object leaves the lookup structure and its last reference goes. */
export const SPEC_FREER: Counterpart = {
  protocol: 'the freeing side of a lockless lookup',
  title: '{freer}',
  steps: [
    ...unlinkAndPutSteps,
    { op: 'if', reg: 'last', value: 0, text: 'if ({obj} is now unreferenced)', then: [{ op: 'write', loc: 'mem', value: 0, text: '{free}', explain: '{obj} goes back to the allocator' }] },
  ],
};

/** ... and the allocator hands it to a new owner at once. */
export const SPEC_REUSER: Counterpart = {
  protocol: 'free and reuse behind a lockless lookup',
  title: '{freer}, then a new owner',
  steps: [
    ...unlinkAndPutSteps,
    {
      op: 'if', reg: 'last', value: 0, text: 'if ({obj} is now unreferenced)',
      then: newOwnerSteps('freed and allocated again: a new owner holds the only reference', "2 = the new owner's data"),
    },
  ],
};

/** Seed 004: the mapping goes away and the driver unbinds, which tears the device memory down when the pgmap count reaches 0. */
export const DEVMAP_TEARDOWN: Counterpart = {
  protocol: 'unmap, then the driver unbinds (dev_pagemap teardown)',
  title: 'zap_pte_range(), then the driver unbinds',
  steps: [
    { op: 'write', loc: 'pte', value: 0, text: 'ptep_get_and_clear(): the pte no longer maps {obj}', explain: 'the unmap starts' },
    { op: 'sync', text: 'tlb_finish_mmu(): flush_tlb_mm_range() (IPI, wait)', explain: 'the TLB-flush IPI waits for every CPU that walks with IRQs off' },
    { op: 'subReturn', loc: 'pgmap', n: 2, as: 'live', text: 'zap_pte_range(): {put} -> put_zone_device_page(); the driver unbinds: percpu_ref_kill(pgmap->ref)', explain: "the mapping's put_page() of a ZONE_DEVICE page (v4.5–v4.11) drops the pgmap reference its get_page() took, and the unbinding driver drops the device's own reference (two puts, one step here): 0 = no page reference is left, as far as the count knows" },
    { op: 'if', reg: 'live', value: 0, text: 'if (the pgmap count reached 0)', then: [{ op: 'write', loc: 'mem', value: 0, text: 'devm_memremap_pages_release(): arch_remove_memory()', explain: 'the device memory is unmapped: its pages are gone' }] },
  ],
};

/** The other side of a store-buffering protocol: stores its location, a full barrier, loads ours. */
export const SB_OTHER_SIDE: Counterpart = {
  protocol: 'the other side of the protocol',
  title: '{other}',
  steps: [
    { op: 'write', loc: 'B', value: 1, text: '{otherStore}', explain: '{otherStoreWhy}' },
    { op: 'fence', fence: 'mb', text: '{otherBarrier}', explain: 'the other side orders its store before its load, as the protocol requires' },
    { op: 'read', loc: 'A', as: 'seen', text: '{otherLoad}', explain: '{otherLoadWhy}' },
  ],
};

/** A lockless reader of a published pointer: loads it, then reads through it (an address dependency). */
export const PUBLISH_READER: Counterpart = {
  protocol: 'a lockless reader of the published pointer',
  title: '{reader}',
  steps: [],
};

/** Unlink, wait for a grace period (or the IPI of an IRQs-off section), free. */
export const RCU_FREE: Counterpart = {
  protocol: 'unlink, wait, free',
  title: '{freer}',
  steps: [
    { op: 'write', loc: 'ptr', value: 0, text: '{unlink}', explain: '{ptr} no longer leads to {obj}' },
    { op: 'sync', text: '{wait}', explain: '{waitWhy}' },
    { op: 'write', loc: 'mem', value: 0, text: '{free}', explain: '{obj} is freed' },
  ],
};

/** Unlink and free under the lock that protects the pointer (the page-table lock). */
export const LOCKED_FREE: Counterpart = {
  protocol: 'unlink under the lock, then free',
  title: '{freer}',
  steps: [
    { op: 'spinLock', loc: 'lock', text: '{lockCall}', explain: 'takes {lock}' },
    { op: 'write', loc: 'ptr', value: 0, text: '{unlink}', explain: '{ptr} no longer leads to {obj}' },
    { op: 'spinUnlock', loc: 'lock', text: '{unlockCall}', explain: 'releases {lock}' },
    { op: 'write', loc: 'mem', value: 0, text: '{free}', explain: '{obj} is freed' },
  ],
};

/** A TLB shootdown: its IPI is taken by CPU0 only with IRQs on. */
export const IPI_SENDER: Counterpart = {
  protocol: 'an IPI sender (TLB shootdown, page-table freeing)',
  title: 'another CPU frees page tables: tlb_remove_table() -> smp_call_function(..., wait=1)',
  steps: [{ op: 'readAcquire', loc: 'irqs', as: 'off', text: 'the IPI reaches CPU0', explain: 'taken only when CPU0 has IRQs on (0): then the sender stops waiting and frees the page tables' }],
};

/** The task the scheduler runs on CPU0 while the lock holder sleeps. */
export const SCHEDULED_TASK: Counterpart = {
  protocol: 'the task scheduled in while the holder sleeps',
  title: 'another task on the same CPU (scheduled in while {fn}() sleeps)',
  steps: [
    { op: 'readAcquire', loc: 'cur', as: 'running', text: 'schedule(): this task runs on CPU0', explain: '1 = it runs because {fn}() went to sleep' },
    {
      op: 'if', reg: 'running', value: 1, text: 'if (it runs while {fn}() sleeps)',
      then: [
        { op: 'spinTrylock', loc: 'lock', as: 'got', text: '{lockCall}', explain: '0 = {lock} is held by the sleeping task: this task spins with preemption off, and the holder can never run again to release it' },
        { op: 'if', reg: 'got', value: 1, text: 'if (it got {lock})', then: [{ op: 'spinUnlock', loc: 'lock', text: '{unlockCall}', explain: 'releases {lock}' }] },
        { op: 'writeRelease', loc: 'cur', value: 2, text: 'schedule(): switches back', explain: '{fn}() may run again' },
      ],
    },
  ],
};
