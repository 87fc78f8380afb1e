/**
 * The scenario library: S1..S9, each a buggy and a fixed LKMM litmus program
 * over the vocabulary in vocabulary.ts, taken from the seed threads in
 * ../shared/seeds (see docs/scenarios.md for the races in words).
 *
 * Templates: `$slot` is a shared location (litmus variable), `{key}` a display
 * parameter or a location's display name. Registers are r0, r1, ... per CPU.
 */
import type { ScenarioDef } from './types';
import { fence, once, ref, rcu, irq, pageLock } from './vocabulary';

// ---------------------------------------------------------------------------
// S1 (seed 000): Jerome Glisse's GUP pin vs test_set_page_writeback() scheme.
// Store buffering: each side stores its own flag/count, then loads the other's.
const S1: ScenarioDef = {
  id: 'S1',
  title: 'GUP pin vs test_set_page_writeback (store buffering)',
  seed: '000',
  race:
    'GUP adds PAGE_PIN_BIAS to the refcount and then checks PageWriteback; writeback sets the flag and then checks page_pinned(). ' +
    'Each side stores, then loads what the other stored. With only smp_wmb() on the GUP side, its load may be satisfied before its store ' +
    'is visible, so both sides can miss each other: the page goes to writeback while it is pinned for DMA.',
  invariant: '{object} goes under writeback while {function} holds a pin on it: GUP missed the writeback flag and page_pinned() missed the pin',
  rules: ['barrier/store-load-order'],
  locations: {
    refcount: { name: 'refcount', init: 1, type: 'atomic_t', meaning: "the page's _refcount (1 = the mapping's reference)" },
    writeback: { name: 'writeback', init: 0, type: 'int', meaning: 'the PG_writeback flag' },
  },
  params: { function: 'get_user_pages_fast', writer: 'test_set_page_writeback', object: 'page', acquire: 'page_ref_add', bias: 1024 },
  bind: { function: 'function', object: 'object', acquire: 'acquire', location: '$refcount', other: '$writeback' },
  condition: '0:r0=0 /\\ 1:r0=1',
  variants: {
    buggy: {
      summary: 'smp_wmb() between the pin and the PageWriteback() check (the first proposal in the thread)',
      cpus: [
        {
          role: '{function} (pins {object})',
          body: [
            ref.add('refcount', '{bias}', '{acquire}({object}, PAGE_PIN_BIAS)', 'take a pin: add PAGE_PIN_BIAS to the refcount', { patchLine: true }),
            fence.wmb(),
            once.read('r0', 'writeback', 'PageWriteback({object})', 'did writeback start? 0 means: keep the pin'),
          ],
        },
        {
          role: '{writer} (starts writeback of {object})',
          body: [
            once.write('writeback', 1, 'TestSetPageWriteback({object})', 'set PG_writeback'),
            fence.mb(),
            ref.read('r0', 'refcount', 'page_pinned({object})', 'refcount snapshot: above PAGE_PIN_BIAS means pinned; 1 means "not pinned, write it back"'),
          ],
        },
      ],
    },
    fixed: {
      summary: 'smp_mb() between the pin and the PageWriteback() check',
      fix: 'smp_mb() in {function} and in {writer}',
      cpus: [
        {
          role: '{function} (pins {object})',
          body: [
            ref.add('refcount', '{bias}', '{acquire}({object}, PAGE_PIN_BIAS)', 'take a pin: add PAGE_PIN_BIAS to the refcount', { patchLine: true }),
            fence.mb(),
            once.read('r0', 'writeback', 'PageWriteback({object})', 'did writeback start? 0 means: keep the pin'),
          ],
        },
        {
          role: '{writer} (starts writeback of {object})',
          body: [
            once.write('writeback', 1, 'TestSetPageWriteback({object})', 'set PG_writeback'),
            fence.mb(),
            ref.read('r0', 'refcount', 'page_pinned({object})', 'refcount snapshot: above PAGE_PIN_BIAS means pinned; 1 means "not pinned, write it back"'),
          ],
        },
      ],
    },
  },
};

// ---------------------------------------------------------------------------
// S2 (seed 000): Jerome's three-CPU table. CPU1 unpins, CPU2 pins anew; the
// page_pinned() snapshot on CPU0 lands between the two and sees no pin.
const S2: ScenarioDef = {
  id: 'S2',
  title: "Unpin and new pin hide a live pin from page_pinned() (Jerome's three-CPU table)",
  seed: '000',
  race:
    'CPU1 drops its pin (PUP) while CPU2 takes a new one (GUP); the page_pinned() snapshot on CPU0 reads the refcount between the two and sees no pin. ' +
    'The new pin must therefore see PG_writeback and back off. With smp_wmb() after the pin it may not; under the page lock (Jan Kara\'s proposal) ' +
    'the check and the pin exclude each other.',
  invariant: 'page_pinned({object}) says "not pinned" and writeback proceeds, yet {function} keeps a new pin on {object}',
  rules: ['ref-kind/bias-mismatch'],
  subjectCpu: 2,
  locations: {
    refcount: { name: 'refcount', init: 1025, type: 'atomic_t', meaning: "the page's _refcount (1 + PAGE_PIN_BIAS: CPU1 holds a pin)" },
    writeback: { name: 'writeback', init: 0, type: 'int', meaning: 'the PG_writeback flag' },
    page_lock: { name: 'page_lock', init: 0, type: 'spinlock_t', meaning: 'the page lock (PG_locked)' },
  },
  params: { function: 'get_user_pages', writer: 'page_mkclean', unpinner: 'put_user_page', object: 'page', acquire: 'page_ref_add', release: 'page_ref_sub', bias: 1024 },
  bind: { function: 'function', object: 'object', acquire: 'acquire', release: 'release', location: '$refcount', other: '$writeback' },
  condition: '0:r0=1 /\\ 2:r0=0',
  variants: {
    buggy: {
      summary: 'the new pin re-checks PageWriteback() after smp_wmb() only',
      cpus: [
        {
          role: '{writer} (writeback: snapshot check)',
          body: [
            once.write('writeback', 1, 'TestSetPageWriteback({object})', 'set PG_writeback'),
            fence.mb(),
            ref.read('r0', 'refcount', 'page_pinned({object})', 'snapshot: 1 means no pin is held'),
          ],
        },
        { role: '{unpinner} (drops the old pin)', body: [ref.sub('refcount', '{bias}', '{release}({object}, PAGE_PIN_BIAS)', 'the old pin goes away')] },
        {
          role: '{function} (takes a new pin)',
          body: [
            ref.add('refcount', '{bias}', '{acquire}({object}, PAGE_PIN_BIAS)', 'the new pin', { patchLine: true }),
            fence.wmb(),
            once.read('r0', 'writeback', 'if (PageWriteback({object}))', 'writeback started? then back off'),
            { if: 'r0', text: 'if (PageWriteback({object}))', then: [ref.sub('refcount', '{bias}', '{release}({object}, PAGE_PIN_BIAS) /* back off */', 'drop the new pin and retry after writeback')] },
          ],
        },
      ],
    },
    fixed: {
      summary: 'the pinned check and the pin both run under the page lock',
      fix: 'the page lock around page_pinned() in {writer} and around the pin in {function}',
      cpus: [
        {
          role: '{writer} (writeback: snapshot check)',
          body: [
            pageLock.lock('page_lock', 'lock_page({object})'),
            once.write('writeback', 1, 'TestSetPageWriteback({object})', 'set PG_writeback'),
            ref.read('r0', 'refcount', 'page_pinned({object})', 'snapshot: 1 means no pin is held'),
            pageLock.unlock('page_lock', 'unlock_page({object})'),
          ],
        },
        { role: '{unpinner} (drops the old pin)', body: [ref.sub('refcount', '{bias}', '{release}({object}, PAGE_PIN_BIAS)', 'the old pin goes away')] },
        {
          role: '{function} (takes a new pin)',
          body: [
            pageLock.lock('page_lock', 'lock_page({object})'),
            once.read('r0', 'writeback', 'wait_for_stable_page({object})', 'writeback started? then wait instead of pinning'),
            {
              if: 'r0 == 0',
              text: 'if (!PageWriteback({object}))',
              then: [ref.add('refcount', '{bias}', '{acquire}({object}, PAGE_PIN_BIAS)', 'the new pin, taken under the page lock', { patchLine: true })],
            },
            pageLock.unlock('page_lock', 'unlock_page({object})'),
          ],
        },
      ],
    },
  },
};

// ---------------------------------------------------------------------------
// S3 (seed 003): counting lockless page-table walkers so that a THP split can
// skip serialize_against_pte_lookup() when nobody walks.
// The walker is the seed patch's register_lockless_page_table_walker(): atomic_inc() then smp_mb().
const walkerCpu = () => ({
  role: '{function} (lockless page-table walk)',
  body: [
    ref.inc('walkers', '{acquire}(&{walkers})', 'announce the walk: count one more lockless walker', { patchLine: true }),
    fence.mb('smp_mb()', 'the seed patch\'s barrier: orders the announcement before the walk reads the page table'),
    once.read('r0', 'pmd', 'pmd = READ_ONCE(*pmdp)', 'the walk reads the pmd: 1 = the huge pmd is still there'),
  ],
});
const splitterCpu = (barrier: boolean) => ({
  role: '{splitter} (THP split)',
  body: [
    once.write('pmd', 0, 'pmdp_invalidate(vma, address, pmdp)', 'the split clears the huge pmd'),
    ...(barrier ? [fence.mb('smp_mb()', 'orders the pmd update before the walker count is read')] : []),
    ref.read('r0', 'walkers', 'if (!running_lockless_pgtbl_walk(mm))', '0 walkers: skip serialize_against_pte_lookup() (no IPI, no wait)'),
  ],
});
const S3: ScenarioDef = {
  id: 'S3',
  title: 'Counted lockless walker vs THP split that skips the IPI',
  seed: '003',
  race:
    'The walker increments a count and then reads the pmd; the splitter clears the pmd and then reads the count, skipping the IPI when it reads 0. ' +
    'The seed patch orders the walker side (atomic_inc(), then smp_mb()), but the splitter reads running_lockless_pgtbl_walk() right after ' +
    'pmdp_invalidate() with no barrier: store buffering needs a full barrier on both sides, so the walker can still read the old huge pmd while the splitter reads a count of 0.',
  invariant: 'the THP split skips the IPI (it counted 0 walkers) while {function} is still walking the old huge pmd',
  rules: ['barrier/unordered-announce', 'barrier/store-load-order'],
  locations: {
    walkers: { name: 'nr_walkers', init: 0, type: 'atomic_t', meaning: 'mm->lockless_pgtbl_nr_walkers' },
    pmd: { name: 'pmd', init: 1, type: 'int', meaning: 'the pmd entry (1 = huge pmd mapped)' },
  },
  params: { function: 'get_user_pages_fast', splitter: 'split_huge_pmd', acquire: 'atomic_inc' },
  bind: { function: 'function', acquire: 'acquire', location: '$walkers', other: '$pmd' },
  condition: '0:r0=1 /\\ 1:r0=0',
  variants: {
    buggy: { summary: 'the seed patch: smp_mb() after the walker\'s atomic_inc(), none before the splitter reads the count', cpus: [walkerCpu(), splitterCpu(false)] },
    fixed: {
      summary: 'smp_mb() on both sides: also between pmdp_invalidate() and running_lockless_pgtbl_walk()',
      fix: 'smp_mb() in the splitter between pmdp_invalidate() and running_lockless_pgtbl_walk(), pairing with the walker\'s smp_mb()',
      cpus: [walkerCpu(), splitterCpu(true)],
    },
  },
};

// ---------------------------------------------------------------------------
// S4 (seed 003): the IRQs-off walk. The collapse side clears the pmd, sends an
// IPI to every CPU and waits (serialize_against_pte_lookup()), then frees the
// pte table; the IPI is taken only where IRQs are on. local_irq_save() is not a
// memory barrier: without one after it, the walk's page-table loads can be
// satisfied before IRQs are off ("the page tables could be read speculatively
// outside of interrupt disabling", John Hubbard in the thread). IRQ delivery is
// modelled as the IPI sender reading the target's IRQ state; the pte is read
// through the pmd (an address dependency).
const irqWalker = (barrier: boolean) => ({
  role: '{function} (GUP-fast, IRQs off)',
  body: [
    once.write('irqs', 1, 'local_irq_save(flags)', 'IRQs off: from now on the IPI waits for this walk', { patchLine: true }),
    ...(barrier ? [fence.mb('smp_mb()', 'orders the IRQ disabling before the page-table loads: none of them can be satisfied earlier')] : []),
    { litmus: 'r0 = READ_ONCE(*$pmd);', text: 'pmd = READ_ONCE(*pmdp)', explain: 'the walk reads the pmd: the pte table it points to', ptrRegs: ['r0'] },
    { litmus: 'r1 = READ_ONCE(*r0);', text: 'pte = READ_ONCE(*pte_offset_map(&pmd, addr))', explain: 'reads a pte through the pmd (an address dependency): 2 = the table was freed and reused' },
  ],
});
const collapser = {
  role: '{collapser} (frees the page table)',
  body: [
    { litmus: 'WRITE_ONCE(*$pmd, $none);', text: 'pmdp_collapse_flush(): pmd_clear(pmdp)', explain: 'unhooks the pte table' },
    fence.mb('smp_call_function_many(): the IPI is queued with a fully ordered llist_add()', 'the pmd update is ordered before the IPI is sent'),
    once.read('r0', 'irqs', 'serialize_against_pte_lookup(mm): the IPI reaches the walker\'s CPU', '0 = IRQs on there: the IPI is taken at once and the wait is over'),
    { if: 'r0 == 0', text: 'if (the IPI was taken)', then: [once.write('table', 2, 'pte_free(mm, pgtable)', 'frees the pte table (2 = freed and reused)')] },
  ],
};
const S4: ScenarioDef = {
  id: 'S4',
  title: 'IRQs-off walk whose page-table reads are not ordered after local_irq_save()',
  seed: '003',
  race:
    'GUP-fast disables IRQs and walks the page tables; the collapse side unhooks the pte table, sends an IPI and waits for it (serialize_against_pte_lookup()), then frees the table. ' +
    'The IPI is taken only where IRQs are on. local_irq_save() is not a memory barrier: the walk\'s loads can be satisfied before IRQs are off, so the walker can read the old pmd ' +
    'while the IPI finds IRQs still on and the table is freed: the pte read through the old pmd sees a freed table. This is store buffering between the IRQ state and the pmd.',
  invariant: '{function} follows the old pmd and reads a pte from a page table that was already freed',
  rules: [],
  locations: {
    irqs: { name: 'IRQs of CPU0', init: 0, type: 'int', meaning: 'the walker\'s IRQ state as the IPI sees it (1 = disabled)', context: true },
    pmd: { name: 'pmd', init: 'table', type: 'int *', meaning: 'the pmd: points to the pte table, or to none when cleared' },
    table: { name: 'pte_table', init: 1, type: 'int', meaning: 'the pte table (1 = valid entries, 2 = freed and reused)' },
    none: { name: 'pmd_none', init: 0, type: 'int', meaning: 'what a cleared pmd points to', context: true },
  },
  params: { function: 'gup_pgd_range', collapser: 'collapse_huge_page' },
  bind: { function: 'function' },
  condition: '0:r0=$table /\\ 0:r1=2',
  variants: {
    buggy: { summary: 'the walk right after local_irq_save(), with no barrier', cpus: [irqWalker(false), collapser] },
    fixed: {
      summary: 'smp_mb() between local_irq_save() and the walk',
      fix: 'smp_mb() after local_irq_save(), pairing with the ordered IPI send: the walk cannot read the page tables before IRQs are off',
      cpus: [irqWalker(true), collapser],
    },
  },
};

// ---------------------------------------------------------------------------
// S5 (seed 004): speculative reference on a page found by a lockless lookup,
// racing with unmap, free and reuse by a new owner.
const zapCpu = {
  role: '{zapper} (unmaps, frees, page reused)',
  body: [
    once.write('pte', 0, 'ptep_get_and_clear(mm, addr, ptep)', 'unmap the page'),
    ref.decReturn('r0', 'refcount', 'put_page({object})', "drop the mapping's reference"),
    {
      if: 'r0 == 0',
      text: 'if (page_ref_dec_and_test({object})) /* freed */',
      then: [
        ref.set('refcount', 1, 'alloc_page(): set_page_refcounted({object})', 'the page is freed and handed to a new owner'),
        once.write('owner', 2, '{object}->mapping = new_mapping', 'the new owner starts using the page'),
      ],
    },
  ],
};
const S5: ScenarioDef = {
  id: 'S5',
  title: 'Speculative get vs free and reuse (pte re-check)',
  seed: '004',
  race:
    'GUP-fast reads a pte and takes a speculative reference on the page. Meanwhile the page is unmapped, its last reference dropped, and the ' +
    'allocator hands it to a new owner with a fresh refcount. The speculative get then succeeds on the new owner\'s page. Only re-reading the ' +
    'pte after the get (and dropping the reference if it changed) catches this.',
  invariant: '{function} hands out {object} after it was freed and reused by a new owner',
  rules: ['spec-ref/no-revalidation', 'spec-ref/get-on-lockless-lookup', 'spec-ref/outside-rcu'],
  locations: {
    pte: { name: 'pte', init: 1, type: 'int', meaning: 'the pte (1 = maps the page)' },
    refcount: { name: 'refcount', init: 1, type: 'atomic_t', meaning: "the page's _refcount" },
    owner: { name: 'owner', init: 1, type: 'int', meaning: 'who owns the page (1 = the mapped file, 2 = a new owner after reuse)' },
  },
  params: { function: 'gup_pte_range', zapper: 'zap_pte_range', object: 'page', acquire: 'page_cache_get_speculative', release: 'put_page' },
  bind: { function: 'function', object: 'object', acquire: 'acquire', release: 'release', location: '$refcount', other: ['$pte', '$owner'] },
  condition: '0:r3=2',
  variants: {
    buggy: {
      summary: 'no re-check of the pte after the speculative get',
      cpus: [
        {
          role: '{function} (GUP-fast)',
          body: [
            once.read('r0', 'pte', 'pte = gup_get_pte(ptep)', 'lockless lookup: 1 = the page is mapped'),
            {
              if: 'r0 == 1',
              text: 'if (pte_present(pte))',
              then: [
                ref.getUnlessZero('r1', 'refcount', '{acquire}({object})', 'speculative get: succeeds unless the refcount is 0', { patchLine: true }),
                { if: 'r1', text: 'if (got the reference)', then: [once.read('r3', 'owner', 'pages[*nr] = {object}', 'hands the page out: 2 = it now belongs to a new owner')] },
              ],
            },
          ],
        },
        zapCpu,
      ],
    },
    fixed: {
      summary: 'the pte is re-read after the get; on a change the reference is dropped',
      fix: 're-checking the pte after {acquire}() (fully ordered when it succeeds) and dropping the reference on a mismatch',
      cpus: [
        {
          role: '{function} (GUP-fast)',
          body: [
            once.read('r0', 'pte', 'pte = gup_get_pte(ptep)', 'lockless lookup: 1 = the page is mapped'),
            {
              if: 'r0 == 1',
              text: 'if (pte_present(pte))',
              then: [
                ref.getUnlessZero('r1', 'refcount', '{acquire}({object})', 'speculative get: succeeds unless the refcount is 0', { patchLine: true }),
                {
                  if: 'r1',
                  text: 'if (got the reference)',
                  then: [
                    once.read('r2', 'pte', 'if (unlikely(pte_val(pte) != pte_val(*ptep)))', 're-check: is the page still mapped here?'),
                    {
                      if: 'r2 == 0',
                      text: 'if (the pte changed)',
                      then: [ref.dec('refcount', '{release}({object}) /* back off */', 'drop the speculative reference')],
                      else: [once.read('r3', 'owner', 'pages[*nr] = {object}', 'hands the page out: 2 = it now belongs to a new owner')],
                    },
                  ],
                },
              ],
            },
          ],
        },
        zapCpu,
      ],
    },
  },
};

// ---------------------------------------------------------------------------
// S6 (seed 004): ZONE_DEVICE pgmap reference underflow after GUP-fast switched
// from get_page() (which took a pgmap reference) to page_cache_get_speculative()
// (which does not), while put_page() still dropped one. The fixed variant is the
// thread's fix, "mm, zone_device: replace {get, put}_zone_device_page() with a
// single reference": each device page holds one pgmap reference from
// devm_memremap_pages() until its final put (__put_page() -> put_dev_pagemap()),
// so the pgmap count cannot reach 0 while a page reference exists. GUP-fast runs
// with IRQs off; the unmap's TLB flush waits for it (an RCU-sched section). The
// unmap and the driver unbind are one CPU; their two puts are one step.
const gupDevmap = (fixed: boolean) => ({
  role: '{function} (GUP-fast, IRQs off, then the GUP user)',
  body: [
    irq.off('local_irq_save(flags) in get_user_pages_fast()'),
    once.read('r0', 'pte', 'pte = gup_get_pte(ptep)', '1 = the pte still maps the device page'),
    { if: 'r0 == 1', text: 'if (pte_present(pte))', then: [ref.getUnlessZero('r1', 'refcount', '{acquire}({object})', fixed ? 'a page reference: with the fix, the page\'s single pgmap reference stays until its final put' : 'a page reference only: no get_zone_device_page()', { patchLine: true })] },
    irq.on('local_irq_restore(flags)'),
    {
      if: 'r1 == 1',
      text: 'if (the page was got)',
      then: fixed
        ? [
            once.read('r2', 'mem', 'the GUP user accesses the device page (DMA)', '0 = the device memory was torn down'),
            ref.decReturn('r3', 'refcount', '{release}({object})', 'the GUP user is done: drops its page reference (fully ordered)'),
            { if: 'r3 == 0', text: 'if (the last page reference)', then: [ref.decReturn('r4', 'pgmap', '__put_page() -> put_dev_pagemap(page->pgmap)', 'the final put drops the page\'s single pgmap reference'), { if: 'r4 == 0', text: 'if (the last pgmap reference)', then: [once.write('mem', 0, 'percpu_ref release: the teardown waiting in devm_memremap_pages_release() goes on', 'the device memory is unmapped')] }] },
          ]
        : [
            once.read('r2', 'mem', 'the GUP user accesses the device page (DMA)', '0 = the device memory was torn down'),
            ref.decReturn('r3', 'pgmap', '{release}({object}) -> put_zone_device_page(): percpu_ref_put(pgmap->ref)', 'drops a pgmap reference the speculative get never took (its page-refcount half is left out: it cannot change the pgmap count)'),
            { if: 'r3 == 0', text: 'if (the last pgmap reference)', then: [once.write('mem', 0, 'percpu_ref release: the teardown goes on', 'the device memory is unmapped')] },
          ],
    },
  ],
});
const unbind = (fixed: boolean) => ({
  role: '{unmapper}, then the driver unbinds',
  body: [
    once.write('pte', 0, 'ptep_get_and_clear(): the pte no longer maps the page', 'the unmap starts'),
    irq.ipiWait('tlb_finish_mmu(): flush_tlb_mm_range() (IPI, wait)'),
    ...(fixed
      ? [
          { litmus: 'r0 = atomic_sub_return(2, $refcount);', text: 'zap_pte_range(): put_page(); devm_memremap_pages_release(): put_page(pfn_to_page(pfn))', explain: 'the mapping\'s reference and the device\'s idle reference go (two puts, one step)' },
          { if: 'r0 == 0', text: 'if (the last page reference)', then: [ref.dec('pgmap', '__put_page() -> put_dev_pagemap(page->pgmap)', 'the final put drops the page\'s single pgmap reference')] },
          ref.decReturn('r1', 'pgmap', 'percpu_ref_kill(pgmap->ref)', 'the driver drops the device\'s own reference and waits for the count to reach 0'),
          { if: 'r1 == 0', text: 'if (the pgmap count reached 0)', then: [once.write('mem', 0, 'devm_memremap_pages_release(): arch_remove_memory()', 'the device memory is unmapped')] },
        ]
      : [
          { litmus: 'r1 = atomic_sub_return(2, $pgmap);', text: 'zap_pte_range(): put_page() -> put_zone_device_page(); percpu_ref_kill(pgmap->ref)', explain: 'the mapping\'s pgmap reference and the device\'s own go (two puts, one step)' },
          { if: 'r1 == 0', text: 'if (the pgmap count reached 0)', then: [once.write('mem', 0, 'devm_memremap_pages_release(): arch_remove_memory()', 'the device memory is unmapped')] },
        ]),
  ],
});
const S6: ScenarioDef = {
  id: 'S6',
  title: 'ZONE_DEVICE pgmap reference underflow (the speculative get skips the pgmap hook)',
  seed: '004',
  race:
    'In v4.5-v4.11, get_page() of a ZONE_DEVICE page also took a dev_pagemap reference (get_zone_device_page()) and put_page() dropped one. ' +
    'GUP-fast switched to page_cache_get_speculative(), which takes none, while the GUP user\'s put_page() still dropped one: when the mapping goes and the driver unbinds, ' +
    'the pgmap count reaches 0 while the GUP user still holds the page ("percpu ref <= 0 after switching to atomic"), and the device memory is torn down under it.',
  invariant: 'the GUP user of {object} accesses it after the device memory was torn down: the pgmap count reached 0 while it still held a page reference',
  rules: ['spec-ref/pgmap-hook-skipped'],
  locations: {
    pte: { name: 'pte', init: 1, type: 'int', meaning: 'the pte (1 = maps the device page)' },
    refcount: { name: 'refcount', init: 2, type: 'atomic_t', meaning: "the device page's _refcount (2 = the device's idle reference + the mapping's)" },
    pgmap: { name: 'pgmap_ref', init: 2, type: 'atomic_t', meaning: 'pgmap->ref: the device\'s own reference + one for the mapped page' },
    mem: { name: 'device_memory', init: 1, type: 'int', meaning: 'the device memory behind the page (1 = mapped, 0 = torn down)' },
  },
  params: { function: 'gup_pte_range', unmapper: 'zap_pte_range', object: 'page', acquire: 'page_cache_get_speculative', release: 'put_page' },
  bind: { function: 'function', object: 'object', acquire: 'acquire', release: 'release', location: '$pgmap', other: '$refcount' },
  condition: '0:r1=1 /\\ 0:r2=0',
  variants: {
    buggy: { summary: 'the speculative get takes no pgmap reference; put_page() drops one', cpus: [gupDevmap(false), unbind(false)] },
    fixed: {
      summary: 'the thread\'s fix: one pgmap reference per device page, dropped by its final put',
      fix: 'one dev_pagemap reference per ZONE_DEVICE page, taken by devm_memremap_pages() and dropped by the page\'s final put (__put_page() -> put_dev_pagemap()): get_page() and put_page() no longer touch the pgmap count',
      cpus: [gupDevmap(true), unbind(true)],
    },
  },
};

// ---------------------------------------------------------------------------
// S7 (seed 001): speculative page fault; the mmap sequence check must sit
// inside the RCU section that keeps vma->vm_file alive.
const faultCpu = (checkInside: boolean) => {
  const check = once.read('r0', 'seq', 'mmap_seq_read_check(vmf->vma->vm_mm, vmf->seq)', '0 = no mmap change since the fault started: the vma is current', {
    patchLine: true,
  });
  const use = {
    if: 'r0 == 0',
    text: 'if (mmap_seq_read_check(...))',
    then: [once.read('r1', 'file', 'ret = vma->vm_ops->fault(vmf)', 'the fault handler uses vma->vm_file: 1 = it was already freed')],
  };
  return {
    role: '{function} (speculative fault)',
    body: checkInside ? [rcu.lock(), check, use, rcu.unlock()] : [check, rcu.lock(), use, rcu.unlock()],
  };
};
const S7: ScenarioDef = {
  id: 'S7',
  title: 'mmap_seq check outside vs inside the RCU section (vma file freed after a grace period)',
  seed: '001',
  race:
    'The speculative fault checks the mmap sequence count, then calls vm_ops->fault(), relying on RCU to keep vma->vm_file alive. ' +
    'munmap bumps the sequence count and frees the file only after a grace period. If the check runs before rcu_read_lock(), the grace ' +
    'period can start and end between the check and the section: the check passes, and the fault uses a freed file.',
  invariant: '{function} passes the mmap_seq check and then uses vma->vm_file after it was freed',
  rules: [],
  locations: {
    seq: { name: 'mmap_seq', init: 0, type: 'int', meaning: 'mm->mmap_seq (0 = unchanged since the fault started)' },
    file: { name: 'vm_file_freed', init: 0, type: 'int', meaning: 'the vma\'s file (1 = freed)' },
  },
  params: { function: '__do_fault', unmapper: 'munmap' },
  bind: { function: 'function', location: '$seq', other: '$file' },
  condition: '0:r0=0 /\\ 0:r1=1',
  variants: {
    buggy: { summary: 'the mmap_seq check runs before rcu_read_lock()', cpus: [faultCpu(false), { role: '{unmapper} (removes the vma)', body: unmapBody() }] },
    fixed: {
      summary: 'the mmap_seq check runs inside the RCU read-side section',
      fix: 'the mmap_seq check inside rcu_read_lock()',
      cpus: [faultCpu(true), { role: '{unmapper} (removes the vma)', body: unmapBody() }],
    },
  },
};
function unmapBody() {
  return [
    once.write('seq', 1, 'mmap_write_seqcount_begin(mm) /* vma removed */', 'the vma changes: the sequence count moves'),
    rcu.sync('synchronize_rcu() /* call_rcu(vm_area_free) */', 'the vma and its file are freed only after a grace period'),
    once.write('file', 1, 'fput(vma->vm_file)', 'the file is freed'),
  ];
}

// ---------------------------------------------------------------------------
// S8: message passing; a pointer is published before the object it points to
// is visibly initialised (e.g. a page table populated without smp_wmb()).
const S8: ScenarioDef = {
  id: 'S8',
  title: 'Publishing a pointer without vs with ordering (message passing)',
  seed: '',
  race:
    'CPU0 initialises an object and then stores a pointer to it; CPU1 loads the pointer and dereferences it. The reader is ordered by its ' +
    'address dependency, but a plain WRITE_ONCE() publish lets the pointer become visible before the initialisation: the reader sees garbage. ' +
    'smp_wmb() before the publish (or rcu_assign_pointer / smp_store_release) forbids it.',
  invariant: '{reader} follows {location} to {object} and reads it before it was initialised',
  rules: ['barrier/plain-publish'],
  subjectCpu: 0,
  locations: {
    ptr: { name: 'pmd', init: 'prev', type: 'int *', meaning: 'the published pointer' },
    obj: { name: 'new_table', init: 0, type: 'int', meaning: 'the new object (0 = not yet initialised)' },
    prev: { name: 'old_table', init: 1, type: 'int', meaning: 'what the pointer pointed to before' },
  },
  params: { function: '__pte_alloc', reader: 'gup_pgd_range', object: 'new_table', location: 'pmd' },
  bind: { function: 'function', object: '$obj', location: '$ptr', other: '$prev' },
  condition: '1:r0=$obj /\\ 1:r1=0',
  variants: {
    buggy: {
      summary: 'the pointer is published with a plain WRITE_ONCE()',
      cpus: [
        {
          role: '{function} (publishes {object})',
          body: [
            once.write('obj', 1, 'initialise {object}', 'fill in the new object'),
            s8publish(),
          ],
        },
        readerCpu(),
      ],
    },
    fixed: {
      summary: 'smp_wmb() before the publish',
      fix: 'smp_wmb() before publishing {location} in {function}, paired with the reader\'s address dependency',
      cpus: [
        {
          role: '{function} (publishes {object})',
          body: [once.write('obj', 1, 'initialise {object}', 'fill in the new object'), fence.wmb('smp_wmb()', 'the initialisation is visible before the pointer'), s8publish()],
        },
        readerCpu(),
      ],
    },
  },
};
function s8publish() {
  return { litmus: 'WRITE_ONCE(*$ptr, $obj);', text: 'WRITE_ONCE({location}, {object})', explain: 'publish the pointer', patchLine: true };
}
function readerCpu() {
  return {
    role: '{reader} (follows the pointer)',
    body: [
      { litmus: 'r0 = READ_ONCE(*$ptr);', text: 'p = READ_ONCE({location})', explain: 'load the pointer', ptrRegs: ['r0'] },
      { litmus: 'r1 = READ_ONCE(*r0);', text: 'READ_ONCE(*p)', explain: 'dereference it: 0 = uninitialised contents' },
    ],
  };
}

// ---------------------------------------------------------------------------
// S9 (seed 002): splitting mmap_sem. A page fault that finds the vma without
// the lock mmap(MAP_FIXED) takes to replace it installs a pte from the old vma
// after MAP_FIXED zapped the range: once mmap() returns, the address still maps
// the old file's page on this CPU ("a given virtual address should always point
// to the same physical memory (or to nothing)", Jerome Glisse in the thread).
// The fixed variant is his position: a fault in a range that MAP_FIXED is
// replacing waits on that range's lock, as it waits on mmap_sem today. The range
// lock is modelled as a spinlock (same ordering and exclusion as a sleeping one).
const faulter = (locked: boolean) => {
  const body = [
    once.read('r0', 'vma', 'vma = find_vma(mm, address)', '1 = the old vma (the old file) still covers the address'),
    { if: 'r0 == 1', text: 'if (vma covers the address)', then: [once.write('pte', 1, 'do_fault(): set_pte_at(mm, address, ptep, pte)', 'maps the old vma\'s page at the address', { patchLine: true })] },
  ];
  return {
    role: '{function} (a page fault on the address)',
    body: locked ? [pageLock.lock('range', 'range_read_lock(mm, address)'), ...body, pageLock.unlock('range', 'range_read_unlock(mm, address)')] : body,
  };
};
const mapFixed = (locked: boolean) => {
  const body = [
    once.write('vma', 2, 'mmap_region(): the new vma replaces the old one', '2 = the new mapping covers the address'),
    once.write('pte', 0, 'unmap_region(): zap_page_range() and the TLB flush', 'the old range\'s ptes are gone'),
  ];
  return {
    role: '{replacer} (replaces the vma)',
    body: locked ? [pageLock.lock('range', 'range_write_lock(mm, start, end)'), ...body, pageLock.unlock('range', 'range_write_unlock(mm, start, end)')] : body,
  };
};
const S9: ScenarioDef = {
  id: 'S9',
  title: 'Page fault vs mmap(MAP_FIXED) replacing the vma (splitting mmap_sem)',
  seed: '002',
  race:
    'With mmap_sem split into range locks (or faults under RCU), a page fault can find the old vma while mmap(MAP_FIXED) replaces it. If MAP_FIXED zaps the old ptes before ' +
    'the fault installs its pte, the fault maps the old file\'s page after mmap() returned: threads see different memory at one address. The thread agrees munmap may let a ' +
    'concurrent fault fail, but a fault in a MAP_FIXED range must wait for the replacement, as it does on mmap_sem today.',
  invariant: 'after mmap(MAP_FIXED) returned, the address still maps the old vma\'s page: {function} installed it after the range was zapped',
  rules: [],
  locations: {
    vma: { name: 'vma_at_address', init: 1, type: 'int', meaning: 'the vma covering the address (1 = the old one, 2 = the MAP_FIXED replacement)' },
    pte: { name: 'pte', init: 0, type: 'int', meaning: 'the pte of the address (1 = maps the old vma\'s page, 0 = none)' },
    range: { name: 'range_lock', init: 0, type: 'spinlock_t', meaning: 'the range lock covering the address (write for MAP_FIXED, read for the fault)' },
  },
  params: { function: 'handle_mm_fault', replacer: 'mmap(MAP_FIXED)' },
  bind: { function: 'function' },
  condition: '0:r0=1 /\\ $pte=1',
  variants: {
    buggy: { summary: 'the fault finds the vma without excluding the replacement (RCU lookup, no re-check under the range lock)', cpus: [faulter(false), mapFixed(false)] },
    fixed: {
      summary: 'the fault takes the range lock that mmap(MAP_FIXED) holds for write across the replacement',
      fix: 'the range lock: mmap(MAP_FIXED) holds it for write from the vma replacement to the end of the zap, the fault holds it for read around find_vma() and set_pte_at()',
      cpus: [faulter(true), mapFixed(true)],
    },
  },
};

export const SCENARIOS: readonly ScenarioDef[] = [S1, S2, S3, S4, S5, S6, S7, S8, S9];
