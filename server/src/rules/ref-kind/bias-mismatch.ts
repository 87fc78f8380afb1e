import type { Rule } from '../api';
import { kindFindings } from './common';

export const biasMismatch: Rule = {
  id: 'ref-kind/bias-mismatch',
  category: 'ref-kind',
  severity: 'error',
  title: 'Refcount bias added but only one reference dropped',
  description:
    'A bias was added to the refcount (page_ref_add(page, PAGE_PIN_BIAS), seed 000) and the release subtracts a single reference (put_page, page_ref_dec): the page can never be freed, and the "is it pinned" test stays true forever.',
  scenario: 'S2',
  check: (unit, ctx) => kindFindings(unit, ctx, 'ref-kind/bias-mismatch'),
};
