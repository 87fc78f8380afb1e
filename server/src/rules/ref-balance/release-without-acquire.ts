import type { Rule } from '../api';
import { releaseFaultFindings, borrowedReleaseFindings, overReleaseFindings } from '../common/releases';

export const releaseWithoutAcquire: Rule = {
  id: 'ref-balance/release-without-acquire',
  category: 'ref-balance',
  severity: 'error',
  title: 'Reference released after its conditional acquire failed',
  description:
    "A conditional acquire (get_page_unless_zero, folio_try_get, get_dev_pagemap, pin_user_pages ...) reported failure, and the same path still releases the reference it never got. Also a put on a page that a lookup returned without a reference (vm_normal_page) with no get in between, and an array released by the count asked for (`unpin_user_pages(pages, nr)`) where the acquire may have taken fewer (`pinned = pin_user_pages_fast(..., nr, ...)`). Other releases of references the function did not take are not reported: the function may be a callee dropping its caller's reference.",
  check: (unit, ctx) => [...releaseFaultFindings(unit, ctx, 'ref-balance/release-without-acquire'), ...borrowedReleaseFindings(unit, ctx), ...overReleaseFindings(unit, ctx)],
};
