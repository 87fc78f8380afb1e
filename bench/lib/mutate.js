'use strict';
/*
 * Mutation-site picker and mutators for bench/mainline-mutants.js.
 *
 * Given one C file of the kernel (kernel coding style: a function body opens
 * with `{` and closes with `}` alone at column 0), list the sites where one
 * small edit introduces a bug of a known category, and apply such an edit.
 *
 * The API spellings below only pick mutation sites and spell the injected
 * bug; the engine's rules never see this list (they read the catalog).
 */

// ---- what releases, and what kind of thing it releases
const LOCK_RELEASES = [
  'spin_unlock', 'spin_unlock_irq', 'spin_unlock_irqrestore', 'spin_unlock_bh',
  'raw_spin_unlock', 'raw_spin_unlock_irq', 'raw_spin_unlock_irqrestore',
  'read_unlock', 'read_unlock_irq', 'read_unlock_irqrestore', 'write_unlock', 'write_unlock_irq', 'write_unlock_irqrestore',
  'mutex_unlock', 'up_read', 'up_write', 'mmap_read_unlock', 'mmap_write_unlock',
  'rcu_read_unlock', 'srcu_read_unlock', 'local_irq_restore', 'local_irq_enable', 'preempt_enable', 'pagefault_enable',
  'folio_unlock', 'unlock_page', 'xa_unlock', 'xa_unlock_irq', 'xa_unlock_irqrestore', 'xas_unlock', 'xas_unlock_irq', 'xas_unlock_irqrestore',
  'i_mmap_unlock_read', 'i_mmap_unlock_write', 'anon_vma_unlock_read', 'anon_vma_unlock_write', 'local_unlock', 'local_unlock_irq', 'local_unlock_irqrestore',
  'lruvec_unlock', 'lruvec_unlock_irq', 'lruvec_unlock_irqrestore', 'unlock_page_lruvec', 'unlock_page_lruvec_irq', 'unlock_page_lruvec_irqrestore',
  'vma_end_read', 'put_cpu', 'put_cpu_ptr', 'mem_cgroup_unlock_pages', 'folio_memcg_unlock', 'hugetlb_vma_unlock_read', 'hugetlb_vma_unlock_write',
];
const REF_RELEASES = [
  'put_page', 'folio_put', 'folio_put_refs', 'unpin_user_page', 'unpin_user_pages', 'unpin_folio', 'fput', 'put_dev_pagemap',
  'mmput', 'mmput_async', 'mmdrop', 'css_put', 'mem_cgroup_put', 'put_task_struct', 'put_pid', 'kobject_put', 'percpu_ref_put',
  'put_anon_vma', 'put_swap_device', 'obj_cgroup_put', 'swap_free', 'folio_batch_release', 'release_pages', 'vma_close', 'put_online_mems',
];
const MAP_RELEASES = ['kunmap', 'kunmap_local', 'kunmap_atomic', 'pte_unmap', 'pte_unmap_unlock'];

const KIND = new Map([...LOCK_RELEASES.map((n) => [n, 'lock']), ...REF_RELEASES.map((n) => [n, 'ref']), ...MAP_RELEASES.map((n) => [n, 'map'])]);
/** Categories a finding may have for a leak/double release of this kind. */
function releaseCategories(name) {
  const k = KIND.get(name);
  if (k === 'lock') return name === 'pte_unmap_unlock' ? ['bracket', 'ref-balance'] : ['bracket'];
  if (k === 'map') return ['bracket', 'ref-balance'];
  // a page/folio or pgmap reference leaked at a failed re-check is the engine's spec-ref/revalidation-leak
  if (['put_dev_pagemap', 'put_page', 'folio_put', 'folio_put_refs'].includes(name)) return ['ref-balance', 'spec-ref'];
  return ['ref-balance'];
}

const SECTION_OPENERS = [
  'spin_lock', 'spin_lock_irq', 'spin_lock_irqsave', 'spin_lock_bh', 'raw_spin_lock', 'raw_spin_lock_irq', 'raw_spin_lock_irqsave',
  'read_lock', 'read_lock_irq', 'read_lock_irqsave', 'write_lock', 'write_lock_irq', 'write_lock_irqsave',
  'rcu_read_lock', 'local_irq_disable', 'local_irq_save', 'preempt_disable',
  'xa_lock', 'xa_lock_irq', 'xa_lock_irqsave', 'xas_lock', 'xas_lock_irq', 'xas_lock_irqsave', 'local_lock', 'local_lock_irq', 'local_lock_irqsave',
];

/** Conditional (speculative) gets and the unconditional get a careless patch would write. */
const SPEC_GETS = new Map([
  ['folio_try_get', 'folio_get'],
  ['folio_try_get_rcu', 'folio_get'],
  ['get_page_unless_zero', 'get_page'],
  ['page_cache_get_speculative', 'get_page'],
  ['try_get_page', 'get_page'],
  ['folio_ref_try_add', 'folio_ref_add'],
  ['folio_ref_try_add_rcu', 'folio_ref_add'],
  ['page_cache_add_speculative', 'page_ref_add'],
  ['css_tryget', 'css_get'],
  ['mmget_not_zero', 'mmget'],
  ['atomic_inc_not_zero', 'atomic_inc'],
  ['refcount_inc_not_zero', 'refcount_inc'],
]);

const BARRIERS_DROP = ['smp_mb', 'smp_rmb', 'smp_wmb', 'smp_mb__after_atomic', 'smp_mb__before_atomic', 'smp_mb__after_spinlock', 'smp_mb__after_unlock_lock'];

const FLAGS_RESTORES = [
  'spin_unlock_irqrestore', 'raw_spin_unlock_irqrestore', 'read_unlock_irqrestore', 'write_unlock_irqrestore',
  'xa_unlock_irqrestore', 'xas_unlock_irqrestore', 'local_irq_restore', 'local_unlock_irqrestore', 'lruvec_unlock_irqrestore', 'unlock_page_lruvec_irqrestore',
];

const KIND_SWAPS = new Map([
  ['put_page', 'folio_put'],
  ['folio_put', 'put_page'],
  ['unpin_user_page', 'put_page'],
  ['unpin_user_pages', 'release_pages'],
  ['unpin_folio', 'folio_put'],
  ['mmput', 'mmdrop'],
  ['mmdrop', 'mmput'],
  ['kunmap_local', 'kunmap'],
]);

/** Sleeping statements inserted in atomic sections (rotated by site). */
const SLEEPERS = [
  ['cond_resched();'],
  ['might_sleep();'],
  ['msleep(1);'],
  ['kvfree(kvmalloc(PAGE_SIZE, GFP_KERNEL));'],
  ['mutex_lock(&bench_mutex);', 'mutex_unlock(&bench_mutex);'],
];

// ---- functions of a file
const indentOf = (l) => /^\s*/.exec(l)[0];
const stmt = (l) => l.trim();

/**
 * Functions in kernel style: `{` alone at column 0 after a header that ends
 * with `)`, up to the next `}` alone at column 0. Lines are 0-based.
 */
function functionsOf(lines) {
  const fns = [];
  for (let i = 1; i < lines.length; i++) {
    if (lines[i] !== '{') continue;
    let h = i - 1;
    while (h > 0 && !/^[A-Za-z_]/.test(lines[h]) && i - h < 10) h--;
    const header = lines.slice(h, i).join(' ');
    if (!/\)\s*$/.test(lines[i - 1]) || !header.includes('(') || /[;=]\s*$/.test(lines[i - 1])) continue;
    let end = i + 1;
    while (end < lines.length && lines[end] !== '}') end++;
    if (end >= lines.length) break;
    let name = null;
    const sys = /\bSYSCALL_DEFINE\d\s*\(\s*(\w+)/.exec(header);
    if (sys) name = sys[1];
    else {
      const re = /([A-Za-z_]\w*)\s*\(/g;
      let m;
      while ((m = re.exec(header))) {
        if (/^(__attribute__|__printf|__must_hold|__releases|__acquires|__cond_lock|__no_sanitize\w*|__section|__aligned|__weak|__init|__exit|__meminit|__ref|__always_inline|noinline|inline)$/.test(m[1])) continue;
        name = m[1];
        break;
      }
    }
    if (!name) continue;
    fns.push({ name, header: h, open: i, close: end });
    i = end;
  }
  return fns;
}

/** Unbraced `if (...)`, `else`, `for (...)`, `while (...)` controlling the next line. */
function controlsNext(prevLine) {
  const t = stmt(prevLine);
  return /^(}\s*)?else$/.test(t) || (/^(if|for|while|else if|} else if)\b/.test(t) && !t.endsWith('{') && !t.endsWith(';'));
}

/** Previous non-blank line index. */
function prevCode(lines, i) {
  let j = i - 1;
  while (j >= 0 && stmt(lines[j]) === '') j--;
  return j;
}

function parenBalanced(s) {
  let d = 0;
  for (const ch of s) {
    if (ch === '(') d++;
    else if (ch === ')' && --d < 0) return false;
  }
  return d === 0;
}

const callRe = (names) => new RegExp(`^(${names.join('|')})\\((.*)\\);$`);
const RELEASE_RE = callRe([...KIND.keys()]);
const OPENER_RE = callRe(SECTION_OPENERS);
const EXIT_RE = /^(return\b[^;]*;|goto \w+;)$/;

/**
 * Every mutation site of a file. A site: { op, category, accept[], line
 * (0-based, the line the edit is anchored on), fn, edit: {at, remove, insert[]} }
 * where the edit removes `remove` lines at `at` and inserts `insert` there.
 */
function sitesOf(text, rel) {
  const lines = text.split('\n');
  const sites = [];
  for (const fn of functionsOf(lines)) {
    const body = [];
    for (let i = fn.open + 1; i < fn.close; i++) body.push(i);
    const bodyText = lines.slice(fn.open + 1, fn.close).join('\n');
    const add = (s) => sites.push({ file: rel, fn: fn.name, fnOpen: fn.open, fnClose: fn.close, ...s });
    const counts = new Map();
    for (const i of body) {
      const t = stmt(lines[i]);
      counts.set(t, (counts.get(t) || 0) + 1);
    }
    const unsignedLongs = unsignedLongVars(lines.slice(fn.header, fn.close).join('\n'));
    const lockless = /rcu_read_lock|xas_|xa_load|ptep_get_lockless|lockless|gup_fast|READ_ONCE|pmdp_get_lockless/.test(bodyText);

    for (const i of body) {
      const line = lines[i];
      const t = stmt(line);
      const ind = indentOf(line);
      const p = prevCode(lines, i);
      const guarded = p >= 0 && controlsNext(lines[p]);
      let m;

      // --- releases: delete before an exit, move an exit above, swap, duplicate, swap kind
      if ((m = RELEASE_RE.exec(t)) && parenBalanced(m[2])) {
        const name = m[1];
        const arg0 = m[2].split(',')[0].trim();
        const cats = releaseCategories(name);
        // Another release of the same object in the function: deleting this one
        // unbalances one path while sibling paths keep theirs (not a function
        // that by design returns holding what it took).
        const kind = KIND.get(name);
        const sameObject = body.filter((j) => {
          const r = RELEASE_RE.exec(stmt(lines[j]));
          return r && KIND.get(r[1]) === kind && r[2].split(',')[0].trim() === arg0;
        }).length;
        const siblings = sameObject >= 2;
        const acquiredHere = arg0 && lines.slice(fn.open + 1, i).some((l) => l.includes(arg0) && /(lock|get|grab|pin|map|disable|save|lookup|find|alloc|start)\w*\(/.test(l));
        const n1 = i + 1 < fn.close ? stmt(lines[i + 1]) : '';
        // A reference taken in this function and dropped before an error exit (the success path hands it over).
        const errorExit = /^(return -E|return NULL;|return ERR_PTR|return (err|error|ret|rc|retval|status);|goto )/.test(n1);
        const leakOnError = kind !== 'lock' && acquiredHere && errorExit;
        if (!guarded && EXIT_RE.test(n1) && (siblings || leakOnError)) {
          add({ op: 'delete-release', category: cats[0], accept: cats, line: i, edit: { at: i, remove: 1, insert: [] }, what: `delete \`${t}\` before \`${n1}\`` });
          if (indentOf(lines[i + 1]) === ind) {
            add({ op: 'exit-above-release', category: cats[0], accept: cats, line: i, edit: { at: i, remove: 2, insert: [lines[i + 1], line] }, what: `move \`${n1}\` above \`${t}\`` });
          }
        }
        // an early exit right after the release, moved above it
        if (!guarded && i + 1 < fn.close && indentOf(lines[i + 1]) === ind) {
          const a = stmt(lines[i + 1]);
          let block = null;
          if (/^if \(.*\) (return\b[^;]*;|goto \w+;)$/.test(a)) block = [lines[i + 1]];
          else if (/^if \(.*\)$/.test(a) && parenBalanced(a) && i + 2 < fn.close && indentOf(lines[i + 2]).length > ind.length && EXIT_RE.test(stmt(lines[i + 2]))) block = [lines[i + 1], lines[i + 2]];
          if (block && !/\b(return|goto)\b.*\b(unlock|put|out_unlock)\b/.test(block.join(' ')))
            add({ op: 'exit-above-release', category: cats[0], accept: cats, line: i, edit: { at: i, remove: 1 + block.length, insert: [...block, line] }, what: `move \`${block.map(stmt).join(' ')}\` above \`${t}\`` });
        }
        if (!guarded && (siblings || acquiredHere)) {
          add({ op: 'double-release', category: cats[0], accept: cats, line: i, edit: { at: i, remove: 1, insert: [line, line] }, what: `duplicate \`${t}\`` });
        }
        if (!guarded && KIND_SWAPS.has(name)) {
          const to = KIND_SWAPS.get(name);
          add({ op: 'swap-release-kind', category: 'ref-kind', accept: /^kunmap/.test(name) ? ['ref-kind', 'bracket'] : ['ref-kind'], line: i, edit: { at: i, remove: 1, insert: [`${ind}${to}(${m[2]});`] }, what: `\`${name}\` -> \`${to}\`` });
        }
        if (FLAGS_RESTORES.includes(name)) {
          const args = m[2].split(',').map((s) => s.trim());
          const flags = args[args.length - 1];
          const other = unsignedLongs.find((v) => v !== flags && /^\w+$/.test(flags));
          if (other) {
            const newArgs = [...args.slice(0, -1), other].join(', ');
            add({ op: 'flags-mismatch', category: 'bracket', accept: ['bracket'], line: i, edit: { at: i, remove: 1, insert: [`${ind}${name}(${newArgs});`] }, what: `\`${name}(..., ${flags})\` -> \`(..., ${other})\`` });
          }
        }
      }

      // --- speculative get made unconditional, on a lockless lookup
      const sg0 = guarded ? null : specGetTest(t);
      // page/folio gets are speculative wherever they appear; other tryget-style gets only on RCU/lockless lookups
      const sg = sg0 && (/^(folio|page|get_page|try_get_page)/.test(sg0.name) || lockless) ? sg0 : null;
      if (sg) {
        const to = SPEC_GETS.get(sg.name);
        const get = `${ind}${to}(${sg.args});`;
        const n1 = i + 1 < fn.close ? lines[i + 1] : '';
        if (!sg.negated && t.endsWith('{')) {
          // if (folio_try_get(f)) {  ->  folio_get(f); {   (the block always runs)
          add({ op: 'speculative-get-unconditional', category: 'spec-ref', accept: ['spec-ref'], line: i, edit: { at: i, remove: 1, insert: [get, `${ind}{`] }, what: `\`${t}\` -> \`${to}(${sg.args}); {\`` });
        } else if (sg.negated && !t.endsWith('{') && indentOf(n1).length > ind.length && /^(return\b[^;]*;|goto \w+;|continue;|break;)$/.test(stmt(n1))) {
          // if (!folio_try_get(f)) goto repeat;  ->  folio_get(f);
          add({ op: 'speculative-get-unconditional', category: 'spec-ref', accept: ['spec-ref'], line: i, edit: { at: i, remove: 2, insert: [get] }, what: `\`${t} ${stmt(n1)}\` -> \`${to}(${sg.args});\`` });
        } else if (!sg.negated && !t.endsWith('{') && indentOf(n1).length > ind.length && /^(return\b[^;]*;|goto \w+;)$/.test(stmt(n1))) {
          // if (likely(folio_try_get(f))) return f;  ->  folio_get(f); return f;
          add({ op: 'speculative-get-unconditional', category: 'spec-ref', accept: ['spec-ref'], line: i, edit: { at: i, remove: 2, insert: [get, ind + stmt(n1)] }, what: `\`${t} ${stmt(n1)}\` -> \`${to}(${sg.args}); ${stmt(n1)}\`` });
        } else if (sg.negated && t.endsWith('{')) {
          // if (!folio_try_get(f)) { ... }  ->  folio_get(f);   (the failure block is gone)
          let close = i + 1;
          while (close < fn.close && lines[close] !== `${ind}}`) close++;
          if (close < fn.close && close - i <= 12) {
            const inner = lines.slice(i + 1, close).join('\n');
            const count = (str, ch) => str.split(ch).length - 1;
            if (count(inner, '{') === count(inner, '}'))
              add({ op: 'speculative-get-unconditional', category: 'spec-ref', accept: ['spec-ref'], line: i, edit: { at: i, remove: close - i + 1, insert: [get] }, what: `\`${t} ... }\` -> \`${to}(${sg.args});\`` });
          }
        }
      }

      // --- barriers: drop, weaken
      if ((m = /^(\w+)\(\);$/.exec(t)) && BARRIERS_DROP.includes(m[1]) && !guarded) {
        add({ op: 'drop-barrier', category: 'barrier', accept: ['barrier'], line: i, edit: { at: i, remove: 1, insert: [] }, what: `delete \`${t}\`` });
        if (m[1] === 'smp_mb') add({ op: 'weaken-barrier', category: 'barrier', accept: ['barrier'], line: i, edit: { at: i, remove: 1, insert: [`${ind}smp_wmb();`] }, what: '`smp_mb()` -> `smp_wmb()`' });
      }
      if ((m = /^smp_store_release\((.*)\);$/.exec(t)) && parenBalanced(m[1])) {
        add({ op: 'weaken-barrier', category: 'barrier', accept: ['barrier'], line: i, edit: { at: i, remove: 1, insert: [`${ind}WRITE_ONCE(${m[1]});`] }, what: '`smp_store_release` -> `WRITE_ONCE`' });
      }
      if (/\bsmp_load_acquire\(/.test(line) && !t.startsWith('*') && !t.startsWith('/')) {
        add({ op: 'weaken-barrier', category: 'barrier', accept: ['barrier'], line: i, edit: { at: i, remove: 1, insert: [line.replace(/\bsmp_load_acquire\(/, 'READ_ONCE(')] }, what: '`smp_load_acquire` -> `READ_ONCE`' });
      }

      // --- a sleeping call inside an atomic section, right after it opens
      if ((m = OPENER_RE.exec(t)) && !guarded && parenBalanced(m[2])) {
        const k = (i * 7 + fn.open) % SLEEPERS.length;
        const ins = SLEEPERS[k].map((s) => ind + s);
        add({ op: 'sleep-in-atomic', category: 'atomic-sleep', accept: ['atomic-sleep'], line: i, edit: { at: i + 1, remove: 0, insert: ins }, what: `insert \`${SLEEPERS[k].join(' ')}\` after \`${t}\`` });
      }
    }
  }
  return sites;
}

/**
 * `if ([un]likely(][!]name(args)[)]) [{]` where name is a conditional get:
 * { name, args, negated } or null.
 */
function specGetTest(t) {
  let m = /^if \((.*)\)( \{)?$/.exec(t);
  if (!m || !parenBalanced(m[1])) return null;
  let e = m[1].trim();
  const wrap = /^(un)?likely\((.*)\)$/.exec(e);
  if (wrap && parenBalanced(wrap[2])) e = wrap[2].trim();
  const negated = e.startsWith('!');
  if (negated) e = e.slice(1).trim();
  m = /^(\w+)\((.*)\)$/.exec(e);
  if (!m || !SPEC_GETS.has(m[1]) || !parenBalanced(m[2])) return null;
  return { name: m[1], args: m[2], negated };
}

/** `unsigned long a, b` parameters and locals of a function's text. */
function unsignedLongVars(text) {
  const out = [];
  const re = /\bunsigned long\s+([^;(){}]*?)(?:;|\)|,\s*(?:const\s+)?(?:struct|unsigned|int|long|bool|pgoff_t|gfp_t|pte_t|pmd_t|void)\b)/g;
  let m;
  while ((m = re.exec(text))) {
    for (const part of m[1].split(',')) {
      const v = /^\s*\**\s*(\w+)\s*(=.*)?$/.exec(part);
      if (v && !part.includes('*') && !out.includes(v[1])) out.push(v[1]);
    }
  }
  return out;
}

/** Apply a site's edit to the file's lines. */
function applySite(text, site) {
  const lines = text.split('\n');
  lines.splice(site.edit.at, site.edit.remove, ...site.edit.insert);
  return lines.join('\n');
}

/**
 * The mutated file must still look like C: its braces balance as the
 * original's do, and the inserted lines balance their parentheses.
 */
function looksLikeC(orig, mutated, site) {
  const depth = (s) => s.split('{').length - s.split('}').length;
  if (depth(orig) !== depth(mutated)) return false;
  return site.edit.insert.every((l) => parenBalanced(l));
}

module.exports = { functionsOf, sitesOf, applySite, looksLikeC, unsignedLongVars, KIND, releaseCategories };
