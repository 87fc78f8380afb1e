import type { Rule } from '../api';
import { kindFindings } from './common';

export const mismatchedRelease: Rule = {
  id: 'ref-kind/mismatched-release',
  category: 'ref-kind',
  severity: 'error',
  title: 'Release does not match the acquire',
  description:
    'The object holds a reference of one kind (for example a FOLL_PIN pin from pin_user_pages) and is released with a call that drops another kind (put_page), or the reverse (get_user_pages pages dropped with unpin_user_page). The catalog decides which release kinds may drop which acquire kinds; arrays filled by GUP carry their kind to every element.',
  check: (unit, ctx) => kindFindings(unit, ctx, 'ref-kind/mismatched-release'),
};
