import type { Rule } from '../api';
import { leakFindings, deletedReleaseFindings } from '../common/report';
import { analysisOf, leaksOf } from '../common/resources';

export const pgmapLeak: Rule = {
  id: 'spec-ref/pgmap-leak',
  category: 'spec-ref',
  severity: 'error',
  title: 'get_dev_pagemap() not put on every path',
  description: 'A dev_pagemap reference from get_dev_pagemap() is definitely held on an error / early exit that does not call put_dev_pagemap() (and does not hand the pgmap over): the device can never be unbound.',
  check(unit, ctx) {
    const a = analysisOf(unit, ctx);
    const held = leakFindings(unit, ctx, 'spec-ref/pgmap-leak', a, { leaks: leaksOf(a, ctx, unit) });
    return [...held, ...deletedReleaseFindings(unit, ctx, 'spec-ref/pgmap-leak', held)];
  },
};
