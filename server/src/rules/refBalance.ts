/** ref-balance: acquires not released on a path, double releases, releases of refs never taken. */
import type { Rule } from './api';
import { leakFindings, releaseFindings } from './balance';

export const REF_BALANCE_RULES: readonly Rule[] = [
  {
    id: 'ref-balance/leak',
    category: 'ref-balance',
    severity: 'error',
    title: 'Reference or pin not released on an error path',
    description:
      'A page, folio, GUP pin, percpu or other counted reference is definitely held on a path that leaves the function through an error return (or a goto into an error ladder), or on a path where other successful exits release it, and nothing on the way releases it or hands it over (returning it, storing it in an out-array, a struct or a list, or passing it to another function all count as ownership transfer).',
    check: (unit, ctx) => leakFindings(unit, ctx, 'ref-balance/leak'),
  },
  {
    id: 'ref-balance/double-release',
    category: 'ref-balance',
    severity: 'error',
    title: 'Reference released twice on one path',
    description: 'The function acquired a reference and released it, and releases it again on the same path (use-after-free of the refcount).',
    check: (unit, ctx) => releaseFindings(unit, ctx, 'ref-balance/double-release'),
  },
  {
    id: 'ref-balance/release-without-acquire',
    category: 'ref-balance',
    severity: 'error',
    title: 'Reference released after its conditional acquire failed',
    description:
      'A conditional acquire (get_page_unless_zero, folio_try_get, get_dev_pagemap, pin_user_pages ...) reported failure, and the same path still releases the reference it never got. Also a put on a page that a lookup returned without a reference (vm_normal_page) with no get in between. Other releases of references the function did not take are not reported: the function may be a callee dropping its caller\'s reference.',
    check: (unit, ctx) => releaseFindings(unit, ctx, 'ref-balance/release-without-acquire'),
  },
];
