/** The resource facts every resource rule reads: the dataflow with summaries, and its leaks (cached per analysis). */
import { resourcesOf } from '../../analysis/summaries';
import { leaks, siblingLeaks, type Leak } from '../../analysis/leaks';
import type { ResourceAnalysis } from '../../analysis/resources';
import type { RuleContext, Unit } from '../api';

export { resourcesOf };

const allLeaks = new WeakMap<ResourceAnalysis, Leak[]>();

/** Leaks with the acquire in view, then leaks shown by sibling exits. */
export function leaksOf(a: ResourceAnalysis, ctx: RuleContext): Leak[] {
  let l = allLeaks.get(a);
  if (!l) allLeaks.set(a, (l = [...leaks(a), ...siblingLeaks(a, ctx.catalog)]));
  return l;
}

export function analysisOf(unit: Unit, ctx: RuleContext): ResourceAnalysis {
  return resourcesOf(unit, ctx);
}
