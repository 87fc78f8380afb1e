/**
 * The scenario library: S1..S8, each a buggy and a fixed LKMM litmus program
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
const walkerCpu = (barrier: boolean) => ({
  role: '{function} (lockless page-table walk)',
  body: [
    ref.inc('walkers', '{acquire}(&{walkers})', 'announce the walk: count one more lockless walker', { patchLine: true }),
    ...(barrier ? [fence.afterAtomic('smp_mb__after_atomic()', 'orders the announcement before the walk reads the page table')] : []),
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
    'atomic_inc() is unordered, so without barriers the walker can read the old huge pmd while the splitter still reads a count of 0 (store buffering).',
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
    buggy: { summary: 'atomic_inc() announce with no barrier; no barrier before the count is read', cpus: [walkerCpu(false), splitterCpu(false)] },
    fixed: {
      summary: 'smp_mb__after_atomic() after the announce, smp_mb() before reading the count',
      fix: 'smp_mb__after_atomic() after the walker announce and smp_mb() in the splitter',
      cpus: [walkerCpu(true), splitterCpu(true)],
    },
  },
};

// ---------------------------------------------------------------------------
// S4 (seed 003): IRQ-disabled walker vs serialize_against_pte_lookup(), then the
// page table is freed. Buggy: the pte is used after IRQs are re-enabled.
const S4: ScenarioDef = {
  id: 'S4',
  title: 'IRQ-off walker vs serialize_against_pte_lookup (use after IRQs back on)',
  seed: '003',
  race:
    'GUP-fast walks the page tables with IRQs off; the collapse/split side clears the pmd, calls serialize_against_pte_lookup() (an IPI to every CPU, ' +
    'waiting for each), then frees the page table. The IPI wait only covers accesses inside the IRQ-off section: a ptep read after ' +
    'local_irq_enable() (or before local_irq_disable()) can see the freed table.',
  invariant: '{function} reads a pte from a page table that was already freed (use-after-free)',
  rules: ['bracket/use-after-close'],
  locations: {
    pmd: { name: 'pmd', init: 1, type: 'int', meaning: 'the pmd entry (1 = points to the pte table)' },
    freed: { name: 'pte_table_freed', init: 0, type: 'int', meaning: 'the pte table memory (1 = freed and reused)' },
  },
  params: { function: 'gup_pgd_range', collapser: 'pmdp_collapse_flush', object: 'ptep' },
  bind: { function: 'function', object: 'object', location: '$pmd', other: '$freed' },
  condition: '0:r0=1 /\\ 0:r1=1',
  variants: {
    buggy: {
      summary: 'the pte is read after local_irq_enable()',
      cpus: [
        {
          role: '{function} (GUP-fast, IRQs off)',
          body: [
            irq.off(),
            once.read('r0', 'pmd', 'pmd = READ_ONCE(*pmdp)', 'the walk finds the pte table'),
            irq.on(),
            once.read('r1', 'freed', 'pte = READ_ONCE(*{object})', 'uses the pte after IRQs are back on: 1 = the table was freed', { patchLine: true }),
          ],
        },
        {
          role: '{collapser} (frees the page table)',
          body: [
            once.write('pmd', 0, 'pmd_clear(pmdp)', 'unhooks the pte table'),
            irq.ipiWait('serialize_against_pte_lookup(mm)'),
            once.write('freed', 1, 'pte_free(mm, pgtable)', 'frees the pte table'),
          ],
        },
      ],
    },
    fixed: {
      summary: 'the pte is read before local_irq_enable()',
      fix: 'reading the pte inside the IRQ-off section that serialize_against_pte_lookup() waits for',
      cpus: [
        {
          role: '{function} (GUP-fast, IRQs off)',
          body: [
            irq.off(),
            once.read('r0', 'pmd', 'pmd = READ_ONCE(*pmdp)', 'the walk finds the pte table'),
            once.read('r1', 'freed', 'pte = READ_ONCE(*{object})', 'uses the pte with IRQs still off', { patchLine: true }),
            irq.on(),
          ],
        },
        {
          role: '{collapser} (frees the page table)',
          body: [
            once.write('pmd', 0, 'pmd_clear(pmdp)', 'unhooks the pte table'),
            irq.ipiWait('serialize_against_pte_lookup(mm)'),
            once.write('freed', 1, 'pte_free(mm, pgtable)', 'frees the pte table'),
          ],
        },
      ],
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
// S6 (seed 004): ZONE_DEVICE pgmap reference underflow after GUP switched from
// get_page() (which took a pgmap reference) to page_cache_get_speculative().
// The GUP user's put_page() is shown by its pgmap half only: its page-refcount
// half cannot change the pgmap count, and every extra RMW on one location
// multiplies the candidate executions.
const PUT_NOTE = 'the GUP user is done with the page (put_page; its page-refcount half is left out, it does not touch the pgmap count)';
const S6: ScenarioDef = {
  id: 'S6',
  title: 'ZONE_DEVICE pgmap count underflow (speculative get skips the pgmap hook)',
  seed: '004',
  race:
    'For ZONE_DEVICE pages, get_page() also took a reference on the pgmap (get_zone_device_page) and put_page() drops one. ' +
    'page_cache_get_speculative() only bumps the page refcount, yet the matching put_page() still drops a pgmap reference: every GUP-fast ' +
    'round trip leaks one pgmap reference the wrong way, until the percpu_ref underflows ("percpu ref <= 0 after switching to atomic").',
  invariant: "the pgmap's reference count ({pgmap}) reaches 0 while the device is still live: more pgmap puts than gets",
  rules: ['spec-ref/pgmap-hook-skipped'],
  locations: {
    refcount: { name: 'refcount', init: 1, type: 'atomic_t', meaning: "the ZONE_DEVICE page's _refcount (1 = the mapping)" },
    pgmap: { name: 'pgmap_ref', init: 2, type: 'atomic_t', meaning: "pgmap->ref (1 for the device itself + 1 for the mapped page's reference)" },
  },
  params: { function: 'gup_pte_range', unmapper: 'zap_pte_range', object: 'page', acquire: 'page_cache_get_speculative', release: 'put_page' },
  bind: { function: 'function', object: 'object', acquire: 'acquire', release: 'release', location: '$pgmap', other: '$refcount' },
  condition: '$pgmap=0',
  variants: {
    buggy: {
      summary: 'the speculative get takes no pgmap reference; put_page() drops one',
      cpus: [
        {
          role: '{function} (GUP-fast on a ZONE_DEVICE page)',
          body: [
            ref.getUnlessZero('r0', 'refcount', '{acquire}({object})', 'page reference only: no get_zone_device_page()', { patchLine: true }),
            {
              if: 'r0',
              text: 'if (got the reference)',
              then: [ref.dec('pgmap', '{release}({object}) -> put_zone_device_page(): percpu_ref_put(pgmap->ref)', PUT_NOTE + ': it drops a pgmap reference that was never taken')],
            },
          ],
        },
        {
          role: '{unmapper} (drops the mapping reference)',
          body: [
            ref.dec('refcount', 'put_page({object})', "drop the mapping's page reference"),
            ref.dec('pgmap', 'put_zone_device_page({object}): percpu_ref_put(pgmap->ref)', "drop the mapping's pgmap reference"),
          ],
        },
      ],
    },
    fixed: {
      summary: 'the speculative get is paired with get_zone_device_page() (or the get/put hooks move to the page_ref level)',
      fix: 'get_zone_device_page() after every successful {acquire}()',
      unreachableBecause:
        'every pgmap put is now matched by a pgmap get, so the count never drops below the device\'s own reference: no candidate execution reaches the outcome',
      cpus: [
        {
          role: '{function} (GUP-fast on a ZONE_DEVICE page)',
          body: [
            ref.getUnlessZero('r0', 'refcount', '{acquire}({object})', 'speculative page reference', { patchLine: true }),
            {
              if: 'r0',
              text: 'if (got the reference)',
              then: [
                ref.inc('pgmap', 'get_zone_device_page({object}): percpu_ref_get(pgmap->ref)', 'pin the pgmap too'),
                ref.dec('pgmap', '{release}({object}) -> put_zone_device_page(): percpu_ref_put(pgmap->ref)', PUT_NOTE + ': it drops the pgmap reference taken above'),
              ],
            },
          ],
        },
        {
          role: '{unmapper} (drops the mapping reference)',
          body: [
            ref.dec('refcount', 'put_page({object})', "drop the mapping's page reference"),
            ref.dec('pgmap', 'put_zone_device_page({object}): percpu_ref_put(pgmap->ref)', "drop the mapping's pgmap reference"),
          ],
        },
      ],
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
  rules: ['atomic-sleep/sleep-in-atomic'],
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

export const SCENARIOS: readonly ScenarioDef[] = [S1, S2, S3, S4, S5, S6, S7, S8];
