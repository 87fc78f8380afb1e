import type { Rule } from '../api';
import { leakFindings, deletedReleaseFindings } from '../common/report';
import { analysisOf, leaksOf } from '../common/resources';

export const leak: Rule = {
  id: 'ref-balance/leak',
  category: 'ref-balance',
  severity: 'error',
  title: 'Reference or pin not released on an error path',
  description:
    'A page, folio, GUP pin, percpu or other counted reference is definitely held on a path that leaves the function through an error return (or a goto into an error ladder), or on a path where other successful exits release it, and nothing on the way releases it or hands it over (returning it, storing it in an out-array, a struct or a list, or passing it to another function all count as ownership transfer). When the acquire is above the hunk, a reference that one side of a test releases on every path while the other side leaves through a different error exit without releasing it is reported too.',
  check(unit, ctx) {
    const a = analysisOf(unit, ctx);
    const held = leakFindings(unit, ctx, 'ref-balance/leak', a, { leaks: leaksOf(a, ctx, unit) });
    return [...held, ...deletedReleaseFindings(unit, ctx, 'ref-balance/leak', held)];
  },
};
