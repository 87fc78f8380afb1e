import type { Rule } from '../api';
import { releaseFaultFindings } from '../common/releases';

export const doubleRelease: Rule = {
  id: 'ref-balance/double-release',
  category: 'ref-balance',
  severity: 'error',
  title: 'Reference released twice on one path',
  description: 'The function acquired a reference and released it, and releases it again on the same path (use-after-free of the refcount).',
  check: (unit, ctx) => releaseFaultFindings(unit, ctx, 'ref-balance/double-release'),
};
